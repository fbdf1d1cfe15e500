/* Where frames come from: one interface fed by two sources (as ncdu's dir.h
 * feeds one browser from a live scan or a file import). A live source is
 * libpcap on an interface (promiscuous, immediate mode, non-blocking, a
 * selectable fd for the caller's poll loop); a file source is a pcap or
 * pcapng file, or "-" for standard input. Either way the caller gets frames
 * with a 1-based number counting every frame, and a BPF filter in tcpdump
 * syntax may pick which ones it sees. A pcapng file is read by tcpstep's own
 * reader (pcapng.h): its interfaces may have different link types, so each
 * frame says its own, and the filter is compiled once per link type.
 *
 *   char err[SOURCE_ERRBUF_SIZE];
 *   struct source *s = source_open_file(path, filter, err);
 *   struct source_frame f;
 *   while ((r = source_next(s, &f, err)) == SOURCE_FRAME) ...
 *   if (r == SOURCE_ERROR) report err; // frames before it were good
 * or, for a file, r = source_each(s, fn, user, err) with fn called per frame.
 *   source_close(s);
 */
#ifndef TCPSTEP_SOURCE_H
#define TCPSTEP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

/* Error messages name the file or interface, give the reason in words and
 * say what the user can do. */
#define SOURCE_ERRBUF_SIZE 512

struct source;

struct source_frame {
	uint64_t pkt;        /* 1-based, counting every frame read, filtered or not */
	int64_t ts_ns;       /* nanoseconds since the Unix epoch */
	uint32_t caplen;     /* bytes captured */
	uint32_t wirelen;    /* bytes on the wire */
	int linktype;        /* DLT_*: the source's, or in a pcapng file the
			      * frame's interface's (they may differ) */
	const uint8_t *data; /* valid until the next source_next or source_close */
};

enum source_status {
	SOURCE_FRAME, /* *frame is filled */
	SOURCE_AGAIN, /* live: nothing now, poll source_fd and call again */
	SOURCE_EOF,   /* file: no more frames */
	SOURCE_ERROR, /* file cut short or unreadable, interface gone: see errbuf */
};

struct source_stats {
	uint64_t frames;      /* read from the source */
	uint64_t matched;     /* passed the filter and handed to the caller */
	bool have_drops;      /* live only: the counts below are meaningful */
	uint64_t dropped;     /* dropped by the kernel: buffer full */
	uint64_t if_dropped;  /* dropped by the interface or driver */
};

/* NULL on failure with the reason in errbuf (SOURCE_ERRBUF_SIZE bytes).
 * filter may be NULL or "" for every frame. */
struct source *source_open_file(const char *path, const char *filter, char *errbuf);

/* tcpdump's default snap length, and libpcap's largest. */
#define SOURCE_DEFAULT_SNAPLEN 262144

/* snaplen <= 0 means SOURCE_DEFAULT_SNAPLEN. On Linux's "any" device the
 * frames are Linux cooked v2 (DECODE_LINK_SLL2: the header names each
 * frame's interface, so `ifindex N` and `inbound` filters work), as in
 * tcpdump -i any. */
struct source *source_open_live(const char *iface, const char *filter,
				int snaplen, char *errbuf);

/* The same with a kernel capture buffer of buffer_bytes (<= 0: libpcap's
 * default, 2 MiB), for a caller whose loop may be busy while a burst
 * crosses (the session's capture: 200 connections at once in the load test). */
struct source *source_open_live_buffered(const char *iface, const char *filter,
					 int snaplen, int buffer_bytes,
					 char *errbuf);

void source_close(struct source *s); /* NULL is fine */

/* Reads the next frame that passes the filter. */
enum source_status source_next(struct source *s, struct source_frame *frame,
			       char *errbuf);

/* Files only: calls fn for each frame that passes the filter, to the end
 * of the file or until fn returns false. The same frames, numbers and
 * errors as source_next, through libpcap's own loop (pcap_loop) for a pcap
 * file, which saves pcap_next_ex's set-up of a one-frame read: about 60
 * instructions a frame, 4% of `decode --summary`; a pcapng file's reader
 * has no such set-up. frame->data is valid during the call.
 * Returns SOURCE_EOF at the end, SOURCE_FRAME when fn stopped it (a later
 * call goes on with the next frame), SOURCE_ERROR (errbuf) when the file
 * is cut short or unreadable, or the source is live. */
typedef bool (*source_frame_fn)(const struct source_frame *frame, void *user);
enum source_status source_each(struct source *s, source_frame_fn fn,
			       void *user, char *errbuf);

/* Files only: the file offset of the next record, read between records
 * (in a source_each callback it is the offset just past the frame given;
 * -1 on error). source_seek goes back to such an offset; frames_before is
 * the number of the frame before it, so frame numbers go on from there.
 * A pcapng offset may be in any section: the interfaces there are those
 * of its section. false with errbuf set on failure. */
int64_t source_tell(const struct source *s);
bool source_seek(struct source *s, int64_t offset, uint64_t frames_before,
		 char *errbuf);

/* Link type as libpcap's DLT_* (see decode.h), the snap length, the name.
 * For a pcapng file, those of its first interface (-1 if none came before
 * the first frame): a frame's own is in source_frame.linktype. */
int source_linktype(const struct source *s);
int source_snaplen(const struct source *s);
const char *source_name(const struct source *s);
bool source_is_live(const struct source *s);

/* Live: a file descriptor to poll for input; -1 for files (always ready). */
int source_fd(const struct source *s);

/* Capture time now, for a live source: the wall clock (CLOCK_REALTIME),
 * as libpcap stamps live frames; nanoseconds since the Unix epoch. */
int64_t source_now_ns(void);

/* Counts so far; live drop counts from pcap_stats. */
void source_get_stats(struct source *s, struct source_stats *st);

#endif
