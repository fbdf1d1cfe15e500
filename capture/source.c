/* Frame sources on libpcap. Files are read with pcap_next_ex (source_next)
 * or pcap_loop (source_each) and filtered here with pcap_offline_filter, so
 * frame numbers count every frame of the file (as Wireshark's do) even when
 * a filter hides some; live captures use a kernel filter (pcap_setfilter)
 * and count what the filter passes. */
#include "source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"

struct source {
	pcap_t *p;
	char name[256];
	bool live;
	bool nano;             /* libpcap gives tv_usec in nanoseconds */
	bool have_prog;        /* files: filter applied with pcap_offline_filter */
	struct bpf_program prog;
	int fd;
	uint64_t frames, matched;
	char *iobuf; /* files: the stdio buffer libpcap reads through */
};

/* libpcap reads a file with two freads per frame through stdio, whose
 * default buffer is one page (st_blksize): a read(2) every 4 KiB, some
 * 30 frames. A larger buffer makes the system calls rare. */
#define SOURCE_FILE_BUFFER (256 * 1024)

static void set_name(struct source *s, const char *name)
{
	snprintf(s->name, sizeof(s->name), "%s",
		 strcmp(name, "-") == 0 ? "standard input" : name);
}

static struct source *fail_open(struct source *s)
{
	source_close(s);
	return NULL;
}

static bool check_linktype(struct source *s, char *errbuf)
{
	int lt = pcap_datalink(s->p);
	if (decode_link_supported(lt))
		return true;
	const char *n = pcap_datalink_val_to_name(lt);
	snprintf(errbuf, SOURCE_ERRBUF_SIZE,
		 "%s: link type %s (%d) is not supported (Ethernet, Linux cooked "
		 "v1/v2, raw IP and BSD loopback are)", s->name, n ? n : "unknown", lt);
	return false;
}

/* The "any" device: Linux cooked v2 when libpcap offers it (tcpdump's
 * choice too), whose header names the interface of each frame, so a
 * filter can say `ifindex N` and a reader sees where a frame was taken.
 * Libpcap's default there is v1, which has no interface. */
static void prefer_sll2(struct source *s)
{
	int *links, n = pcap_list_datalinks(s->p, &links);

	for (int i = 0; i < n; i++)
		if (links[i] == DECODE_LINK_SLL2) {
			pcap_set_datalink(s->p, DECODE_LINK_SLL2);
			break;
		}
	if (n >= 0)
		pcap_free_datalinks(links);
}

/* filter NULL or "" passes everything. */
static bool compile_filter(struct source *s, const char *filter, char *errbuf)
{
	if (!filter || !*filter)
		return true;
	if (pcap_compile(s->p, &s->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: bad filter '%s': %s",
			 s->name, filter, pcap_geterr(s->p));
		return false;
	}
	s->have_prog = true;
	return true;
}

struct source *source_open_file(const char *path, const char *filter, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct source *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: out of memory", path);
		return NULL;
	}
	set_name(s, path);
	s->fd = -1;
	/* Opened here, not by pcap_open_offline, to give the stream a larger
	 * buffer before libpcap's first read (setvbuf must come first).
	 * Standard input keeps its own buffer: it outlives the source. */
	FILE *fp = stdin;
	if (strcmp(path, "-") != 0) {
		fp = fopen(path, "rb");
		if (!fp) {
			snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s", s->name,
				 strerror(errno));
			return fail_open(s);
		}
		s->iobuf = malloc(SOURCE_FILE_BUFFER);
		if (s->iobuf)
			setvbuf(fp, s->iobuf, _IOFBF, SOURCE_FILE_BUFFER);
	}
	/* Nanosecond precision: a nanosecond pcap or pcapng keeps its digits,
	 * a microsecond one is scaled by libpcap. On success pcap_close
	 * closes fp (never stdin); on failure it is ours to close. */
	s->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!s->p) {
		if (fp != stdin)
			fclose(fp);
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s", s->name, perr);
		return fail_open(s);
	}
	s->nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
	if (!check_linktype(s, errbuf) || !compile_filter(s, filter, errbuf))
		return fail_open(s);
	return s;
}

struct source *source_open_live(const char *iface, const char *filter,
				int snaplen, char *errbuf)
{
	return source_open_live_buffered(iface, filter, snaplen, 0, errbuf);
}

struct source *source_open_live_buffered(const char *iface, const char *filter,
					 int snaplen, int buffer_bytes,
					 char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct source *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: out of memory", iface);
		return NULL;
	}
	set_name(s, iface);
	s->live = true;
	s->fd = -1;
	s->p = pcap_create(iface, perr);
	if (!s->p) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s", s->name, perr);
		return fail_open(s);
	}
	pcap_set_snaplen(s->p, snaplen > 0 ? snaplen : SOURCE_DEFAULT_SNAPLEN);
	/* Promiscuous: a bridge port only sees forwarded frames this way.
	 * Immediate mode: a teaching tool shows each segment as it crosses,
	 * not when a kernel buffer fills. */
	pcap_set_promisc(s->p, 1);
	pcap_set_immediate_mode(s->p, 1);
	pcap_set_timeout(s->p, 100);
	if (buffer_bytes > 0)
		pcap_set_buffer_size(s->p, buffer_bytes);
	pcap_set_tstamp_precision(s->p, PCAP_TSTAMP_PRECISION_NANO); /* may be refused */
	rc = pcap_activate(s->p);
	if (rc < 0) {
		const char *why = *pcap_geterr(s->p) ? pcap_geterr(s->p)
						      : pcap_statustostr(rc);
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s%s", s->name, why,
			 rc == PCAP_ERROR_PERM_DENIED
				 ? " (live capture needs root or CAP_NET_RAW)" : "");
		return fail_open(s);
	}
	s->nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
	if (!strcmp(iface, "any"))
		prefer_sll2(s);
	if (!check_linktype(s, errbuf) || !compile_filter(s, filter, errbuf))
		return fail_open(s);
	if (s->have_prog) {
		if (pcap_setfilter(s->p, &s->prog) != 0) {
			snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: cannot set filter: %s",
				 s->name, pcap_geterr(s->p));
			return fail_open(s);
		}
		pcap_freecode(&s->prog);
		s->have_prog = false;
	}
	if (pcap_setnonblock(s->p, 1, perr) != 0) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s", s->name, perr);
		return fail_open(s);
	}
	s->fd = pcap_get_selectable_fd(s->p);
	if (s->fd < 0) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: no selectable file descriptor",
			 s->name);
		return fail_open(s);
	}
	return s;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	if (s->have_prog)
		pcap_freecode(&s->prog);
	if (s->p)
		pcap_close(s->p);
	free(s->iobuf); /* after pcap_close closed the stream using it */
	free(s);
}

/* Counts a frame read; false if the filter hides it, else fills *frame. */
static bool take_frame(struct source *s, const struct pcap_pkthdr *h,
		       const u_char *data, struct source_frame *frame)
{
	s->frames++;
	if (s->have_prog && !pcap_offline_filter(&s->prog, h, data))
		return false;
	s->matched++;
	frame->pkt = s->frames;
	frame->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 +
		       (int64_t)h->ts.tv_usec * (s->nano ? 1 : 1000);
	frame->caplen = h->caplen;
	frame->wirelen = h->len;
	frame->data = data;
	return true;
}

static enum source_status read_error(struct source *s, char *errbuf)
{
	/* e.g. "truncated dump file; tried to read 60 captured bytes, only
	 * got 20" */
	if (s->live)
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s", s->name,
			 pcap_geterr(s->p));
	else
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: after frame %llu: %s",
			 s->name, (unsigned long long)s->frames,
			 pcap_geterr(s->p));
	return SOURCE_ERROR;
}

enum source_status source_next(struct source *s, struct source_frame *frame,
			       char *errbuf)
{
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(s->p, &h, &data);

		if (rc == 0)
			return SOURCE_AGAIN;
		if (rc == PCAP_ERROR_BREAK)
			return SOURCE_EOF;
		if (rc != 1)
			return read_error(s, errbuf);
		if (take_frame(s, h, data, frame))
			return SOURCE_FRAME;
	}
}

struct each {
	struct source *s;
	source_frame_fn fn;
	void *user;
};

static void each_frame(u_char *user, const struct pcap_pkthdr *h,
		       const u_char *data)
{
	struct each *x = (struct each *)(void *)user;
	struct source_frame frame;

	if (take_frame(x->s, h, data, &frame) && !x->fn(&frame, x->user))
		pcap_breakloop(x->s->p);
}

enum source_status source_each(struct source *s, source_frame_fn fn,
			       void *user, char *errbuf)
{
	if (s->live) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: a live capture is read with source_next", s->name);
		return SOURCE_ERROR;
	}
	struct each x = { s, fn, user };
	int rc = pcap_loop(s->p, -1, each_frame, (u_char *)&x);

	if (rc == 0)
		return SOURCE_EOF;
	if (rc == PCAP_ERROR_BREAK)
		return SOURCE_FRAME; /* only each_frame breaks the loop */
	return read_error(s, errbuf);
}

int64_t source_tell(const struct source *s)
{
	if (s->live)
		return -1;
	return (int64_t)ftello(pcap_file(s->p));
}

bool source_seek(struct source *s, int64_t offset, uint64_t frames_before,
		 char *errbuf)
{
	if (s->live || fseeko(pcap_file(s->p), (off_t)offset, SEEK_SET) != 0) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: cannot seek to %lld",
			 s->name, (long long)offset);
		return false;
	}
	s->frames = frames_before;
	return true;
}

int source_linktype(const struct source *s) { return pcap_datalink(s->p); }
int source_snaplen(const struct source *s) { return pcap_snapshot(s->p); }
const char *source_name(const struct source *s) { return s->name; }
bool source_is_live(const struct source *s) { return s->live; }
int source_fd(const struct source *s) { return s->fd; }

int64_t source_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void source_get_stats(struct source *s, struct source_stats *st)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof(*st));
	st->frames = s->frames;
	st->matched = s->matched;
	if (s->live && pcap_stats(s->p, &ps) == 0) {
		st->have_drops = true;
		st->dropped = ps.ps_drop;
		st->if_dropped = ps.ps_ifdrop;
	}
}
