/* File sources (pcap, pcapng, stdin, filters, damaged files) and the
 * recorder, on the captures gen_captures wrote. argv[1]: that directory. */
#include <fcntl.h>
#include <unistd.h>

#include "check.h"
#include "decode.h"
#include "recorder.h"
#include "source.h"

static const char *dir;
static char pbuf[4096];

static const char *cap(const char *name)
{
	snprintf(pbuf, sizeof(pbuf), "%s/%s", dir, name);
	return pbuf;
}

#define T0_NS (1767268800LL * 1000000000LL)

/* How read_all reads: source_next frame by frame, or source_each. */
static bool use_each;

struct collect {
	struct source *s;
	uint64_t *pkts;
	int max, n;
	int stop_after; /* fn returns false after this many frames; 0: never */
};

static bool collect_frame(const struct source_frame *f, void *user)
{
	struct collect *c = user;
	struct segment seg;
	if (c->n < c->max)
		c->pkts[c->n] = f->pkt;
	/* every frame of our captures decodes on the file's link type */
	CHECK_INT_EQ(f->linktype, source_linktype(c->s));
	CHECK_INT_EQ(decode_frame(f->linktype, f->data, f->caplen, f->wirelen,
				  &seg, NULL), DECODE_OK);
	c->n++;
	return c->n != c->stop_after;
}

/* Reads all frames; returns the count, fills pkts[] and the final status. */
static int read_all(struct source *s, uint64_t *pkts, int max, enum source_status *last,
		    char *err)
{
	struct collect c = { s, pkts, max, 0, 0 };
	if (use_each) {
		*last = source_each(s, collect_frame, &c, err);
		return c.n;
	}
	struct source_frame f;
	while ((*last = source_next(s, &f, err)) == SOURCE_FRAME)
		collect_frame(&f, &c);
	return c.n;
}

static void test_pcap_and_pcapng_frames_and_times(void)
{
	const char *names[] = { "hello.pcap", "hello.pcapng" };
	for (int i = 0; i < 2; i++) {
		char err[SOURCE_ERRBUF_SIZE];
		struct source *s = source_open_file(cap(names[i]), NULL, err);
		struct source_frame f;
		CHECK(s != NULL);
		if (!s)
			continue;
		CHECK_INT_EQ(source_linktype(s), DECODE_LINK_ETHERNET);
		CHECK(!source_is_live(s));
		CHECK_INT_EQ(source_fd(s), -1);
		CHECK_INT_EQ(source_next(s, &f, err), SOURCE_FRAME);
		CHECK_INT_EQ(f.pkt, 1);
		CHECK_INT_EQ(f.ts_ns, T0_NS + 100000);
		CHECK_INT_EQ(f.caplen, 58);
		CHECK_INT_EQ(f.wirelen, 58);
		uint64_t pkts[16];
		enum source_status st;
		CHECK_INT_EQ(read_all(s, pkts, 16, &st, err), 9);
		CHECK_INT_EQ(st, SOURCE_EOF);
		CHECK_INT_EQ(pkts[8], 10);
		struct source_stats ss;
		source_get_stats(s, &ss);
		CHECK_INT_EQ(ss.frames, 10);
		CHECK(!ss.have_drops);
		source_close(s);
	}
}

static void test_every_link_type_file(void)
{
	static const struct {
		const char *name;
		int dlt;
	} files[] = {
		{ "hello-sll.pcap", DECODE_LINK_SLL }, { "hello-sll2.pcap", DECODE_LINK_SLL2 },
		{ "hello-raw.pcap", DECODE_LINK_RAW }, { "hello-ipv4.pcap", DECODE_LINK_IPV4 },
		{ "hello-null.pcap", DECODE_LINK_NULL }, { "hello-loop.pcap", DECODE_LINK_LOOP },
		{ "hello6-ipv6.pcap", DECODE_LINK_IPV6 }, { "hello6-loop.pcap", DECODE_LINK_LOOP },
		{ "hello-qinq.pcap", DECODE_LINK_ETHERNET },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char err[SOURCE_ERRBUF_SIZE];
		struct source *s = source_open_file(cap(files[i].name), NULL, err);
		CHECK(s != NULL);
		if (!s)
			continue;
		CHECK_INT_EQ(source_linktype(s), files[i].dlt);
		uint64_t pkts[16];
		enum source_status st;
		CHECK_INT_EQ(read_all(s, pkts, 16, &st, err), 10);
		CHECK_INT_EQ(st, SOURCE_EOF);
		source_close(s);
	}
}

static void test_filter_keeps_file_frame_numbers(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *s = source_open_file(cap("hello.pcap"), "tcp[tcpflags] & tcp-fin != 0", err);
	uint64_t pkts[16];
	enum source_status st;
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT_EQ(read_all(s, pkts, 16, &st, err), 2);
	CHECK_INT_EQ(pkts[0], 7); /* the FINs are frames 7 and 9 of the file */
	CHECK_INT_EQ(pkts[1], 9);
	struct source_stats ss;
	source_get_stats(s, &ss);
	CHECK_INT_EQ(ss.frames, 10);
	CHECK_INT_EQ(ss.matched, 2);
	source_close(s);

	s = source_open_file(cap("hello.pcap"), "tcp port (", err);
	CHECK(s == NULL);
	CHECK(strstr(err, "hello.pcap: bad filter 'tcp port ('") != NULL);
}

static void test_cut_short_file_reports_frames_then_error(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *s = source_open_file(cap("cut-short.pcap"), NULL, err);
	uint64_t pkts[16];
	enum source_status st;
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT_EQ(read_all(s, pkts, 16, &st, err), 6);
	CHECK_INT_EQ(st, SOURCE_ERROR);
	CHECK(strstr(err, "cut-short.pcap: cut short after frame 6 (truncated dump file; "
			  "tried to read 54 captured bytes, only got 20): the frames before "
			  "were read; if it was still being written or copied, read it again "
			  "once that is done") != NULL);
	source_close(s);
}

static void test_unreadable_files_named_with_reason(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	CHECK(source_open_file(cap("garbage.pcap"), NULL, err) == NULL);
	CHECK_STR_EQ(err, cap("garbage.pcap: not a capture file (unknown file format): it "
			      "begins with neither a pcap nor a pcapng header; give a file "
			      "written by tcpdump, Wireshark or dumpcap, or convert it with "
			      "editcap"));
	CHECK(source_open_file(cap("no-such-file.pcap"), NULL, err) == NULL);
	CHECK_STR_EQ(err, cap("no-such-file.pcap: No such file or directory: check the "
			      "file's name and directory"));
	CHECK(source_open_file(dir, NULL, err) == NULL);
	snprintf(pbuf, sizeof(pbuf), "%s: is a directory, not a capture file: give the "
		 "path of a pcap or pcapng file", dir);
	CHECK_STR_EQ(err, pbuf);
	CHECK(source_open_file(cap("empty.pcap"), NULL, err) == NULL);
	CHECK_STR_EQ(err, cap("empty.pcap: the file is empty: a capture that was stopped "
			      "before it began, or a copy that failed; capture or copy it "
			      "again"));
	/* libpcap names the link type: no bare number */
	CHECK(source_open_file(cap("wifi.pcap"), NULL, err) == NULL);
	CHECK_STR_EQ(err, cap("wifi.pcap: its frames are 802.11 (link type IEEE802_11), "
			      "which tcpstep does not decode: it reads Ethernet, Linux "
			      "cooked (v1, v2), raw IP and BSD loopback frames; capture on "
			      "a wired interface or on \"any\" instead"));
	/* pcapng, read by our reader: cut short, and a block that cannot be */
	struct source *s = source_open_file(cap("cut-short.pcapng"), NULL, err);
	uint64_t pkts[16];
	enum source_status st;
	CHECK(s != NULL);
	if (s) {
		CHECK_INT_EQ(read_all(s, pkts, 16, &st, err), 5);
		CHECK_INT_EQ(st, SOURCE_ERROR);
		CHECK_STR_EQ(err, cap("cut-short.pcapng: cut short after frame 5 (the file "
				      "ends inside a packet block): the frames before were "
				      "read; if it was still being written or copied, read it "
				      "again once that is done"));
		source_close(s);
	}
	s = source_open_file(cap("damaged.pcapng"), NULL, err);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT_EQ(read_all(s, pkts, 16, &st, err), 3);
		CHECK_INT_EQ(st, SOURCE_ERROR);
		CHECK_STR_EQ(err, cap("damaged.pcapng: damaged after frame 3 (a block at "
				      "offset 320 says it is 13 bytes long, where a length is "
				      "a multiple of 4 and at least 12): the frames before were "
				      "read, the rest cannot be; check how the file was written "
				      "or copied"));
		source_close(s);
	}
}

/* Writes the first n bytes of capture name to a pipe as standard input
 * (a pipe cannot seek: the magic number read must be handed back). */
static int pipe_stdin(const char *name, size_t n, int *saved)
{
	static uint8_t buf[65536];
	FILE *f = fopen(cap(name), "rb");
	size_t got = f ? fread(buf, 1, sizeof(buf), f) : 0;
	int fds[2];
	if (f)
		fclose(f);
	if (n > got)
		n = got;
	*saved = dup(0);
	if (pipe(fds) != 0)
		return -1;
	/* small enough for the pipe's buffer: written before reading */
	if (write(fds[1], buf, n) != (ssize_t)n)
		return -1;
	close(fds[1]);
	dup2(fds[0], 0);
	close(fds[0]);
	clearerr(stdin);
	return 0;
}

static void restore_stdin(int saved)
{
	dup2(saved, 0);
	close(saved);
	clearerr(stdin);
}

static void test_pipe_on_stdin(void)
{
	static const struct {
		const char *name;
		size_t n;
		int frames;
		const char *err; /* NULL: read to the end */
	} cases[] = {
		{ "hello.pcap", 65536, 10, NULL },
		{ "hello.pcapng", 65536, 10, NULL },
		{ "mixed-link.pcapng", 65536, 22, NULL },
		{ "hello.pcap", 0, -1, "standard input: the file is empty: a capture that "
		  "was stopped before it began, or a copy that failed; capture or copy it again" },
		{ "hello.pcap", 3, -1, "standard input: the file is 3 bytes, too short for a "
		  "capture header: it was cut short; copy or capture it again" },
		{ "hello.pcap", 10, -1, "standard input: the file ends inside its pcap header "
		  "(10 of its 24 bytes): it was cut short; copy or capture it again" },
		{ "hello.pcapng", 30, 0, "standard input: cut short before its first frame (the "
		  "file ends inside a block's header): if it was still being written or "
		  "copied, read it again once that is done" },
		{ "hello.pcapng", 20, -1, "standard input: cannot read it as pcapng: the file "
		  "ends inside its section header; check how the file was written or copied" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[SOURCE_ERRBUF_SIZE] = "";
		int saved;
		CHECK_INT_EQ(pipe_stdin(cases[i].name, cases[i].n, &saved), 0);
		struct source *s = source_open_file("-", NULL, err);
		if (cases[i].frames < 0) {
			CHECK(s == NULL);
			CHECK_STR_EQ(err, cases[i].err);
		} else {
			CHECK(s != NULL);
			enum source_status st = SOURCE_EOF;
			int n = 0;
			uint64_t last = 0;
			struct source_frame f;
			while (s && (st = source_next(s, &f, err)) == SOURCE_FRAME) {
				CHECK(f.pkt > last);
				last = f.pkt;
				n++;
			}
			CHECK_INT_EQ(n, cases[i].frames);
			CHECK_INT_EQ(st, cases[i].err ? SOURCE_ERROR : SOURCE_EOF);
			if (cases[i].err)
				CHECK_STR_EQ(err, cases[i].err);
		}
		source_close(s);
		restore_stdin(saved);
	}
}

/* mixed-link.pcapng (gen_captures.c): two sections (little- then
 * big-endian), interfaces of five link types, all three packet blocks,
 * custom blocks that Wireshark numbers as frames 6 and 16. */
static const struct {
	uint64_t pkt;
	int linktype;
	int64_t ts_ns; /* since T0_NS */
} mixed[] = {
	{ 1, DECODE_LINK_ETHERNET, 100000 },
	{ 2, DECODE_LINK_RAW, 200000 },       /* LINKTYPE_RAW 101 as DLT_RAW */
	{ 3, 147, 250000 },                   /* USER0: not decoded */
	{ 4, DECODE_LINK_SLL2, 299453 },      /* 2^-20 s units, if_tsoffset */
	{ 5, DECODE_LINK_ETHERNET, 400000 },  /* obsolete packet block */
	{ 7, DECODE_LINK_RAW, 250400000 },
	{ 8, DECODE_LINK_SLL2, 1000399589 },
	{ 9, DECODE_LINK_ETHERNET, 1000500000 },
	{ 10, DECODE_LINK_RAW, 1000600000 },
	{ 11, 147, 1000650000 },
	{ 12, DECODE_LINK_SLL2, 1000699996 },
	{ 13, DECODE_LINK_ETHERNET, 1000800000 },
	{ 14, DECODE_LINK_SLL2, 1000800000 }, /* simple packet block: 13's time */
	{ 15, DECODE_LINK_ETHERNET, 10000200000 }, /* if_tsoffset 3600 s */
	{ 17, DECODE_LINK_IPV6, 10000300000 },     /* 100 ns units */
	{ 18, DECODE_LINK_SLL2, 10000400000 },
	{ 19, DECODE_LINK_ETHERNET, 10250400000 },
	{ 20, DECODE_LINK_SLL2, 10250400000 },
	{ 21, DECODE_LINK_IPV6, 11000500000 },
	{ 22, DECODE_LINK_ETHERNET, 11000600000 },
	{ 23, DECODE_LINK_SLL2, 11000700000 },
	{ 24, DECODE_LINK_IPV6, 11000800000 },
};
#define NMIXED (sizeof(mixed) / sizeof(mixed[0]))

static void test_mixed_link_pcapng_frames(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *s = source_open_file(cap("mixed-link.pcapng"), NULL, err);
	struct source_frame f;
	size_t i = 0;
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT_EQ(source_linktype(s), DECODE_LINK_ETHERNET); /* the first interface's */
	CHECK_INT_EQ(source_snaplen(s), 65535);
	while (source_next(s, &f, err) == SOURCE_FRAME) {
		CHECK(i < NMIXED);
		if (i >= NMIXED)
			break;
		struct segment seg;
		CHECK_INT_EQ(f.pkt, mixed[i].pkt);
		CHECK_INT_EQ(f.linktype, mixed[i].linktype);
		CHECK_INT_EQ(f.ts_ns, T0_NS + mixed[i].ts_ns);
		CHECK_INT_EQ(decode_frame(f.linktype, f.data, f.caplen, f.wirelen, &seg, NULL),
			     f.linktype == 147 ? DECODE_UNSUPPORTED_LINK : DECODE_OK);
		i++;
	}
	CHECK_INT_EQ(i, NMIXED);
	struct source_stats ss;
	source_get_stats(s, &ss);
	CHECK_INT_EQ(ss.frames, 24);
	CHECK_INT_EQ(ss.matched, 22);
	source_close(s);
}

/* The filter compiled per link type: the same filter matches the IPv6
 * frames of three link types. */
static void test_mixed_link_filter_per_link_type(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *s = source_open_file(cap("mixed-link.pcapng"), "ip6 and tcp", err);
	uint64_t want[] = { 14, 15, 17, 18, 19, 20, 21, 22, 23, 24 }, got[16];
	enum source_status st;
	CHECK(s != NULL);
	if (!s)
		return;
	struct source_frame f;
	int n = 0;
	while ((st = source_next(s, &f, err)) == SOURCE_FRAME)
		if (n < 16)
			got[n++] = f.pkt;
	CHECK_INT_EQ(st, SOURCE_EOF);
	CHECK_INT_EQ(n, 10);
	for (int i = 0; i < n && i < 10; i++)
		CHECK_INT_EQ(got[i], want[i]);
	source_close(s);
	/* a filter that fits no link type of the file's first interface fails
	 * at open, as for a pcap file */
	s = source_open_file(cap("mixed-link.pcapng"), "wlan type mgt", err);
	CHECK(s == NULL);
	CHECK(strstr(err, "mixed-link.pcapng: bad filter 'wlan type mgt': 802.11") != NULL);
	source_close(s);
}

/* Offsets from one source, sought in another that has not read that far:
 * the reader reads the sections and interfaces on the way, so the frame
 * there has its own link type and time. */
static void test_mixed_link_seek_between_sources(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *a = source_open_file(cap("mixed-link.pcapng"), NULL, err);
	int64_t off[NMIXED];
	struct source_frame f;
	size_t n = 0;
	CHECK(a != NULL);
	if (!a)
		return;
	while (n < NMIXED && source_next(a, &f, err) == SOURCE_FRAME)
		off[n++] = source_tell(a); /* just past frame mixed[n] */
	CHECK_INT_EQ(n, NMIXED);
	/* from the end backwards in a fresh source, then forwards in a */
	for (int pass = 0; pass < 2; pass++) {
		struct source *s = pass ? a : source_open_file(cap("mixed-link.pcapng"), NULL, err);
		CHECK(s != NULL);
		if (!s)
			continue;
		for (size_t k = n - 1; k-- > 0;) {
			size_t j = pass ? n - 2 - k : k;
			CHECK(source_seek(s, off[j], mixed[j].pkt, err));
			CHECK_INT_EQ(source_next(s, &f, err), SOURCE_FRAME);
			/* after frame 5 comes number 6, a custom block: 7 is next */
			CHECK_INT_EQ(f.pkt, mixed[j + 1].pkt);
			CHECK_INT_EQ(f.linktype, mixed[j + 1].linktype);
			CHECK_INT_EQ(f.ts_ns, T0_NS + mixed[j + 1].ts_ns);
		}
		if (!pass)
			source_close(s);
	}
	CHECK(!source_seek(a, off[3] + 2, 4, err));
	CHECK(strstr(err, "mixed-link.pcapng: cannot seek to offset ") != NULL);
	CHECK(strstr(err, ": not the start of a block") != NULL);
	source_close(a);
}

static void test_stdin_source(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	int saved = dup(0);
	int fd = open(cap("hello.pcapng"), O_RDONLY);
	CHECK(fd >= 0 && saved >= 0);
	dup2(fd, 0);
	close(fd);
	clearerr(stdin); /* the run before read it to the end */
	struct source *s = source_open_file("-", NULL, err);
	CHECK(s != NULL);
	if (s) {
		CHECK_STR_EQ(source_name(s), "standard input");
		uint64_t pkts[16];
		enum source_status st;
		CHECK_INT_EQ(read_all(s, pkts, 16, &st, err), 10);
		source_close(s);
	}
	dup2(saved, 0);
	close(saved);
}

static void test_recorder_round_trip(void)
{
	char err[SOURCE_ERRBUF_SIZE], out[4096];
	snprintf(out, sizeof(out), "%s/recorded-%d.pcap", dir, (int)getpid());
	struct source *s = source_open_file(cap("hello-sll2.pcap"), NULL, err);
	CHECK(s != NULL);
	if (!s)
		return;
	struct recorder *r = recorder_open(out, source_linktype(s), source_snaplen(s), err);
	CHECK(r != NULL);
	struct source_frame f;
	uint8_t frames[10][200] = { { 0 } }; /* whole rows are written below */
	uint32_t lens[10];
	int64_t ts[10];
	int n = 0;
	while (r && source_next(s, &f, err) == SOURCE_FRAME && n < 10) {
		memcpy(frames[n], f.data, f.caplen);
		lens[n] = f.caplen;
		ts[n] = f.ts_ns;
		CHECK(recorder_write(r, &f, err));
		if (n == 4)
			CHECK(recorder_flush(r, err));
		n++;
	}
	CHECK_INT_EQ(n, 10);
	CHECK_INT_EQ(recorder_frames(r), 10);
	CHECK(recorder_close(r, err));
	source_close(s);

	s = source_open_file(out, NULL, err);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT_EQ(source_linktype(s), DECODE_LINK_SLL2);
	for (int i = 0; i < 10; i++) {
		CHECK_INT_EQ(source_next(s, &f, err), SOURCE_FRAME);
		CHECK_INT_EQ(f.caplen, lens[i]);
		CHECK_INT_EQ(f.ts_ns, ts[i]);
		CHECK(memcmp(f.data, frames[i], lens[i]) == 0);
	}
	CHECK_INT_EQ(source_next(s, &f, err), SOURCE_EOF);
	source_close(s);
	unlink(out);

	CHECK(recorder_close(NULL, err));
}

/* Every message names the file exactly once, then says why: libpcap's own
 * open errors already begin with the name, so the recorder must not add
 * it again ("x.pcap: x.pcap: No such file or directory"). */
static void test_recorder_errors_name_the_file_once(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	uint8_t frame[200] = { 0 };
	struct source_frame big = { .pkt = 1, .ts_ns = T0_NS, .caplen = sizeof(frame),
				    .wirelen = sizeof(frame), .data = frame };

	CHECK(recorder_open("/nonexistent-dir/x.pcap", DECODE_LINK_ETHERNET, 0, err) == NULL);
	CHECK_STR_EQ(err, "/nonexistent-dir/x.pcap: No such file or directory");
	CHECK(recorder_open(dir, DECODE_LINK_ETHERNET, 0, err) == NULL);
	snprintf(pbuf, sizeof(pbuf), "%s: Is a directory", dir);
	CHECK_STR_EQ(err, pbuf);

	/* a full disk, by write or flush; later calls and close repeat that
	 * first reason (a caller never prints a stale or empty buffer) */
	struct recorder *r = recorder_open("/dev/full", DECODE_LINK_ETHERNET, 0, err);
	CHECK(r != NULL);
	if (!r)
		return;
	bool ok = true;
	for (int i = 0; i < 100 && ok; i++)
		ok = recorder_write(r, &big, err);
	if (ok)
		ok = recorder_flush(r, err);
	CHECK(!ok);
	CHECK_STR_EQ(err, "/dev/full: cannot write: No space left on device");
	strcpy(err, "stale");
	CHECK(!recorder_write(r, &big, err));
	CHECK_STR_EQ(err, "/dev/full: cannot write: No space left on device");
	strcpy(err, "stale");
	CHECK(!recorder_flush(r, err));
	CHECK_STR_EQ(err, "/dev/full: cannot write: No space left on device");
	strcpy(err, "stale");
	CHECK(!recorder_close(r, err));
	CHECK_STR_EQ(err, "/dev/full: cannot write: No space left on device");
}

/* fn returning false stops source_each after that frame; the next call
 * goes on with the following one, and the filter still counts every frame. */
static void test_each_stops_and_resumes(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *s = source_open_file(cap("hello.pcap"), "tcp[tcpflags] & tcp-ack != 0", err);
	uint64_t pkts[16] = { 0 };
	CHECK(s != NULL);
	if (!s)
		return;
	struct collect c = { s, pkts, 16, 0, 3 };
	CHECK_INT_EQ(source_each(s, collect_frame, &c, err), SOURCE_FRAME);
	CHECK_INT_EQ(c.n, 3);
	c.stop_after = 0;
	CHECK_INT_EQ(source_each(s, collect_frame, &c, err), SOURCE_EOF);
	CHECK_INT_EQ(c.n, 9); /* all but the SYN, frame 1 */
	for (int i = 0; i < 9; i++)
		CHECK_INT_EQ(pkts[i], (uint64_t)i + 2);
	CHECK_INT_EQ(source_each(s, collect_frame, &c, err), SOURCE_EOF);
	CHECK_INT_EQ(c.n, 9);
	source_close(s);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_source CAPTURE_DIR\n");
		return 2;
	}
	dir = argv[1];
	/* The file tests read with source_next, then with source_each. */
	for (int each = 0; each < 2; each++) {
		use_each = each;
		RUN(test_pcap_and_pcapng_frames_and_times);
		RUN(test_every_link_type_file);
		RUN(test_filter_keeps_file_frame_numbers);
		RUN(test_cut_short_file_reports_frames_then_error);
		RUN(test_stdin_source);
	}
	RUN(test_each_stops_and_resumes);
	RUN(test_unreadable_files_named_with_reason);
	RUN(test_pipe_on_stdin);
	RUN(test_mixed_link_pcapng_frames);
	RUN(test_mixed_link_filter_per_link_type);
	RUN(test_mixed_link_seek_between_sources);
	RUN(test_recorder_round_trip);
	RUN(test_recorder_errors_name_the_file_once);
	CHECK_EXIT();
}
