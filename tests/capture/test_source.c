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
	CHECK_INT_EQ(decode_frame(source_linktype(c->s), f->data, f->caplen, f->wirelen,
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
	CHECK(strstr(err, "cut-short.pcap: after frame 6: truncated dump file") != NULL);
	source_close(s);
}

static void test_unreadable_files_named_with_reason(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	CHECK(source_open_file(cap("garbage.pcap"), NULL, err) == NULL);
	CHECK(strstr(err, "garbage.pcap: unknown file format") != NULL);
	CHECK(source_open_file(cap("no-such-file.pcap"), NULL, err) == NULL);
	CHECK_STR_EQ(err, cap("no-such-file.pcap: No such file or directory"));
	CHECK(source_open_file(dir, NULL, err) == NULL);
	snprintf(pbuf, sizeof(pbuf), "%s: error reading dump file: Is a directory", dir);
	CHECK_STR_EQ(err, pbuf);
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
	RUN(test_recorder_round_trip);
	RUN(test_recorder_errors_name_the_file_once);
	CHECK_EXIT();
}
