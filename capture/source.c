/* Frame sources. A pcap file is read by libpcap, with pcap_next_ex
 * (source_next) or pcap_loop (source_each); a pcapng file by our own reader
 * (pcapng.c), because libpcap refuses one whose interfaces have different
 * link types. Files are filtered here with pcap_offline_filter, so frame
 * numbers count every frame of the file (as Wireshark's do) even when a
 * filter hides some; live captures use a kernel filter (pcap_setfilter) and
 * count what the filter passes. */
#define _GNU_SOURCE /* fopencookie */
#include "source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "decode.h"
#include "pcapng.h"

/* A pcapng file's filter: one program per link type, compiled when the
 * first interface of that type appears. */
struct link_prog {
	int linktype;
	bool ok; /* compiled; a filter that does not fit the type passes nothing */
	struct bpf_program prog;
};

struct source {
	pcap_t *p;             /* live, or a pcap file */
	struct pcapng *ng;     /* a pcapng file */
	FILE *ng_fp;           /* ng's stream: ours to close unless stdin */
	char name[256];
	bool live;
	bool nano;             /* libpcap gives tv_usec in nanoseconds */
	bool have_prog;        /* p: filter applied with pcap_offline_filter */
	struct bpf_program prog;
	char *filter;          /* ng: the filter's text; NULL for none */
	struct link_prog *progs;
	size_t nprogs;
	int linktype;          /* p: pcap_datalink */
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

/* "802.11 (IEEE802_11)": a link type in words, as libpcap names it; the
 * number only when libpcap does not know it either. */
static void link_words(char *dst, size_t n, int lt)
{
	const char *name = pcap_datalink_val_to_name(lt);
	const char *desc = pcap_datalink_val_to_description(lt);

	if (name && desc)
		snprintf(dst, n, "%s (link type %s)", desc, name);
	else
		snprintf(dst, n, "of a link type libpcap does not know either "
			 "(number %d)", lt);
}

static bool check_linktype(struct source *s, char *errbuf)
{
	int lt = pcap_datalink(s->p);
	char words[128];

	s->linktype = lt;
	if (decode_link_supported(lt))
		return true;
	link_words(words, sizeof(words), lt);
	snprintf(errbuf, SOURCE_ERRBUF_SIZE,
		 "%s: its frames are %s, which tcpstep does not decode: it reads "
		 "Ethernet, Linux cooked (v1, v2), raw IP and BSD loopback frames; "
		 "capture on a wired interface or on \"any\" instead", s->name, words);
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

/* A stream that gives back the bytes already read from a stream that
 * cannot seek (a pipe on standard input), then the rest: libpcap reads the
 * magic number itself. */
struct prefixed {
	FILE *in;
	bool close_in;
	uint8_t pre[4];
	size_t n, at;
};

static ssize_t prefixed_read(void *cookie, char *buf, size_t size)
{
	struct prefixed *c = cookie;
	size_t k = 0;

	while (k < size && c->at < c->n)
		buf[k++] = (char)c->pre[c->at++];
	if (k < size)
		k += fread(buf + k, 1, size - k, c->in);
	return k == 0 && ferror(c->in) ? -1 : (ssize_t)k;
}

static int prefixed_close(void *cookie)
{
	struct prefixed *c = cookie;
	int rc = c->close_in ? fclose(c->in) : 0;
	free(c);
	return rc;
}

static FILE *prefixed_open(FILE *in, const uint8_t *pre, size_t n)
{
	struct prefixed *c = calloc(1, sizeof(*c));
	cookie_io_functions_t io = { .read = prefixed_read, .close = prefixed_close };
	FILE *fp;

	if (!c)
		return NULL;
	c->in = in;
	c->close_in = in != stdin;
	memcpy(c->pre, pre, n);
	c->n = n;
	fp = fopencookie(c, "rb", io);
	if (!fp)
		free(c);
	return fp;
}

/* libpcap's open failures in words, with what to do. */
static void pcap_open_error(struct source *s, const char *perr, char *errbuf)
{
	unsigned long long want, got;

	/* libpcap's "got" counts the header's bytes after the magic number */
	if (sscanf(perr, "truncated dump file; tried to read %llu file header bytes, "
		   "only got %llu", &want, &got) == 2)
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: the file ends inside its pcap header (%llu of its %llu "
			 "bytes): it was cut short; copy or capture it again", s->name,
			 got + 4, want);
	else if (strstr(perr, "unknown file format"))
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: not a capture file (unknown file format): it begins with "
			 "neither a pcap nor a pcapng header; give a file written by "
			 "tcpdump, Wireshark or dumpcap, or convert it with editcap",
			 s->name);
	else
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: libpcap cannot read it (%s); check that it is a pcap or "
			 "pcapng capture", s->name, perr);
}

/* The file's first bytes, for the magic number. */
static bool read_magic(struct source *s, FILE *fp, uint8_t *magic, size_t *n,
		       char *errbuf)
{
	*n = fread(magic, 1, 4, fp);
	if (*n == 4)
		return true;
	if (ferror(fp)) {
		int e = errno;
		if (e == EISDIR)
			snprintf(errbuf, SOURCE_ERRBUF_SIZE,
				 "%s: is a directory, not a capture file: give the path "
				 "of a pcap or pcapng file", s->name);
		else
			snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: cannot read it: %s",
				 s->name, strerror(e));
	} else if (*n == 0) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: the file is empty: a capture that was stopped before it "
			 "began, or a copy that failed; capture or copy it again", s->name);
	} else {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: the file is %zu bytes, too short for a capture header: "
			 "it was cut short; copy or capture it again", s->name, *n);
	}
	return false;
}

static bool open_pcapng(struct source *s, FILE *fp, const uint8_t *magic,
			bool rewound, const char *filter, char *errbuf)
{
	char nerr[PCAPNG_ERRBUF_SIZE];

	s->ng_fp = fp;
	s->ng = pcapng_open(fp, rewound ? NULL : magic, rewound ? 0 : 4, nerr);
	if (!s->ng) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: cannot read it as pcapng: %s; check how the file was "
			 "written or copied", s->name, nerr);
		return false;
	}
	s->nano = true;
	if (filter && *filter && !(s->filter = strdup(filter))) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: out of memory", s->name);
		return false;
	}
	/* The first interface's link type now, so that a filter that fits
	 * none of the file fails at open, as for a pcap file. */
	int lt = pcapng_first_linktype(s->ng);
	if (s->filter && lt >= 0) {
		pcap_t *dead = pcap_open_dead(lt, SOURCE_DEFAULT_SNAPLEN);
		struct bpf_program prog;
		if (!dead) {
			snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: out of memory", s->name);
			return false;
		}
		if (pcap_compile(dead, &prog, s->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: bad filter '%s': %s",
				 s->name, s->filter, pcap_geterr(dead));
			pcap_close(dead);
			return false;
		}
		pcap_freecode(&prog);
		pcap_close(dead);
	}
	return true;
}

struct source *source_open_file(const char *path, const char *filter, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct source *s = calloc(1, sizeof(*s));
	uint8_t magic[4];
	size_t nmagic;

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
			int e = errno;
			snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s%s", s->name, strerror(e),
				 e == ENOENT ? ": check the file's name and directory"
				 : e == EACCES ? ": the file is not readable by this user" : "");
			return fail_open(s);
		}
		s->iobuf = malloc(SOURCE_FILE_BUFFER);
		if (s->iobuf)
			setvbuf(fp, s->iobuf, _IOFBF, SOURCE_FILE_BUFFER);
	}
	/* Standard input may be a file read from somewhere in its middle:
	 * only a stream read from its start is rewound (pcapng offsets are
	 * from the start); any other gets its first bytes handed back. */
	off_t at = ftello(fp);
	if (!read_magic(s, fp, magic, &nmagic, errbuf)) {
		if (fp != stdin)
			fclose(fp);
		return fail_open(s);
	}
	bool rewound = at == 0 && fseeko(fp, 0, SEEK_SET) == 0;
	if (pcapng_is_magic(magic)) {
		if (!open_pcapng(s, fp, magic, rewound, filter, errbuf))
			return fail_open(s);
		return s;
	}
	/* A pipe: hand libpcap the bytes already read, then the rest. */
	FILE *lfp = fp;
	if (!rewound && !(lfp = prefixed_open(fp, magic, nmagic))) {
		if (fp != stdin)
			fclose(fp);
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: out of memory", s->name);
		return fail_open(s);
	}
	/* Nanosecond precision: a nanosecond pcap keeps its digits, a
	 * microsecond one is scaled by libpcap. On success pcap_close
	 * closes lfp (never stdin); on failure it is ours to close. */
	s->p = pcap_fopen_offline_with_tstamp_precision(lfp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!s->p) {
		if (lfp != stdin)
			fclose(lfp);
		pcap_open_error(s, perr, errbuf);
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
	 * Not immediate mode, but a 1 ms timeout: a teaching tool shows each
	 * segment as it crosses (the kernel hands on a block of frames at
	 * most 1 ms after its first, well inside the session's 10 ms
	 * hold-back), and libpcap then uses TPACKET_V3, whose ring packs
	 * frames by their length. Immediate mode means TPACKET_V2, one slot
	 * of the snap length (64 KiB) a frame: a 32 MiB buffer held about
	 * 500 frames, 5 ms of bench/live_flood's 100k frames a second, and
	 * the capture dropped frames whenever tcpstep waited longer than that
	 * for a CPU (bench/README.md, "The live UI under a flood"). */
	pcap_set_promisc(s->p, 1);
	pcap_set_immediate_mode(s->p, 0);
	pcap_set_timeout(s->p, 1);
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
	pcapng_close(s->ng);
	if (s->ng_fp && s->ng_fp != stdin)
		fclose(s->ng_fp);
	for (size_t i = 0; i < s->nprogs; i++)
		if (s->progs[i].ok)
			pcap_freecode(&s->progs[i].prog);
	free(s->progs);
	free(s->filter);
	free(s->iobuf); /* after the stream using it was closed */
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
	frame->linktype = s->linktype;
	frame->data = data;
	return true;
}

/* The program for a pcapng frame's link type, compiled the first time. */
static const struct link_prog *link_prog(struct source *s, int lt)
{
	for (size_t i = 0; i < s->nprogs; i++)
		if (s->progs[i].linktype == lt)
			return &s->progs[i];
	struct link_prog *n = realloc(s->progs, (s->nprogs + 1) * sizeof(*n));
	if (!n)
		return NULL;
	s->progs = n;
	struct link_prog *lp = &s->progs[s->nprogs++];
	memset(lp, 0, sizeof(*lp));
	lp->linktype = lt;
	pcap_t *dead = pcap_open_dead(lt, SOURCE_DEFAULT_SNAPLEN);
	if (dead) {
		lp->ok = pcap_compile(dead, &lp->prog, s->filter, 1,
				      PCAP_NETMASK_UNKNOWN) == 0;
		pcap_close(dead);
	}
	return lp;
}

static bool take_ng_frame(struct source *s, const struct pcapng_frame *nf,
			  struct source_frame *frame)
{
	s->frames++;
	if (s->filter) {
		const struct link_prog *lp = link_prog(s, nf->linktype);
		struct pcap_pkthdr h = { .caplen = nf->caplen, .len = nf->wirelen };
		if (!lp || !lp->ok || !pcap_offline_filter(&lp->prog, &h, nf->data))
			return false;
	}
	s->matched++;
	frame->pkt = s->frames;
	frame->ts_ns = nf->ts_ns;
	frame->caplen = nf->caplen;
	frame->wirelen = nf->wirelen;
	frame->linktype = nf->linktype;
	frame->data = nf->data;
	return true;
}

/* A file that cannot be read on: cut short (it ends inside a record) or
 * damaged (a record is impossible); why: the reader's words. */
static enum source_status file_error(struct source *s, bool cut_short, const char *why,
				     char *errbuf)
{
	unsigned long long n = s->frames;

	if (cut_short && n == 0)
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: cut short before its first frame (%s): if it was still "
			 "being written or copied, read it again once that is done",
			 s->name, why);
	else if (cut_short)
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: cut short after frame %llu (%s): the frames "
			 "before were read; if it was still being written or copied, "
			 "read it again once that is done", s->name, n, why);
	else if (n == 0)
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: damaged before its first frame (%s): no frame can be read; "
			 "check how the file was written or copied", s->name, why);
	else
		snprintf(errbuf, SOURCE_ERRBUF_SIZE,
			 "%s: damaged after frame %llu (%s): the frames before were "
			 "read, the rest cannot be; check how the file was written or "
			 "copied", s->name, n, why);
	return SOURCE_ERROR;
}

static enum source_status read_error(struct source *s, char *errbuf)
{
	const char *why = pcap_geterr(s->p);

	if (s->live) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s", s->name, why);
		return SOURCE_ERROR;
	}
	/* e.g. "truncated dump file; tried to read 60 captured bytes, only
	 * got 20" */
	return file_error(s, strncmp(why, "truncated dump file", 19) == 0, why, errbuf);
}

static enum source_status ng_error(struct source *s, enum pcapng_status st,
				   const char *why, char *errbuf)
{
	return file_error(s, st == PCAPNG_CUT_SHORT, why, errbuf);
}

enum source_status source_next(struct source *s, struct source_frame *frame,
			       char *errbuf)
{
	if (s->ng) {
		for (;;) {
			struct pcapng_frame nf;
			char why[PCAPNG_ERRBUF_SIZE];
			enum pcapng_status st = pcapng_next(s->ng, &nf, why);
			if (st == PCAPNG_EOF)
				return SOURCE_EOF;
			if (st != PCAPNG_FRAME)
				return ng_error(s, st, why, errbuf);
			if (nf.linktype == PCAPNG_NOT_A_FRAME)
				s->frames++; /* a number, as Wireshark gives it */
			else if (take_ng_frame(s, &nf, frame))
				return SOURCE_FRAME;
		}
	}
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
	if (s->ng) {
		struct source_frame frame;
		enum source_status st;
		while ((st = source_next(s, &frame, errbuf)) == SOURCE_FRAME)
			if (!fn(&frame, user))
				return SOURCE_FRAME;
		return st;
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
	if (s->ng)
		return pcapng_tell(s->ng);
	return (int64_t)ftello(pcap_file(s->p));
}

bool source_seek(struct source *s, int64_t offset, uint64_t frames_before,
		 char *errbuf)
{
	if (s->ng) {
		char why[PCAPNG_ERRBUF_SIZE];
		if (!pcapng_seek(s->ng, offset, why)) {
			snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s", s->name, why);
			return false;
		}
	} else if (s->live || fseeko(pcap_file(s->p), (off_t)offset, SEEK_SET) != 0) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: cannot seek to %lld",
			 s->name, (long long)offset);
		return false;
	}
	s->frames = frames_before;
	return true;
}

int source_linktype(const struct source *s)
{
	return s->ng ? pcapng_first_linktype(s->ng) : s->linktype;
}

int source_snaplen(const struct source *s)
{
	if (!s->ng)
		return pcap_snapshot(s->p);
	uint32_t n = pcapng_first_snaplen(s->ng);
	return n == 0 || n > SOURCE_DEFAULT_SNAPLEN ? SOURCE_DEFAULT_SNAPLEN : (int)n;
}

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
