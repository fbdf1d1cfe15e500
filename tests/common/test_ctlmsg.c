/* The control protocol codec (common/ctlmsg.c), including malformed input. */
#include "../check.h"
#include "ctlmsg.h"

#include <unistd.h>

/* Collects the lines a reader delivers. */
struct lines {
	int n;
	enum ctlmsg_line_status status[8];
	char text[8][CTLMSG_LINE_MAX + 1];
	size_t len[8];
};

static void collect(void *user, enum ctlmsg_line_status st, char *line, size_t len)
{
	struct lines *l = user;

	if (l->n >= 8)
		return;
	l->status[l->n] = st;
	memcpy(l->text[l->n], line, len + 1);
	l->len[l->n] = len;
	l->n++;
}

static void test_reader_splits_lines_across_feeds(void)
{
	struct ctlmsg_reader r;
	static struct lines l;

	memset(&l, 0, sizeof l);
	ctlmsg_reader_init(&r);
	ctlmsg_reader_feed(&r, "ru", 2, collect, &l);
	CHECK_INT_EQ(l.n, 0);
	CHECK_INT_EQ(ctlmsg_reader_pending(&r), 2);
	ctlmsg_reader_feed(&r, "n\npause\nste", 11, collect, &l);
	CHECK_INT_EQ(l.n, 2);
	CHECK_STR_EQ(l.text[0], "run");
	CHECK_STR_EQ(l.text[1], "pause");
	CHECK_INT_EQ(l.status[0], CTLMSG_LINE_OK);
	ctlmsg_reader_feed(&r, "p\n\n", 3, collect, &l);
	CHECK_INT_EQ(l.n, 4);
	CHECK_STR_EQ(l.text[2], "step");
	CHECK_INT_EQ(l.len[3], 0); /* an empty line is delivered; split rejects it */
	CHECK_INT_EQ(ctlmsg_reader_pending(&r), 0);
}

static void test_reader_line_limit_is_4096_with_newline(void)
{
	static char big[3 * CTLMSG_LINE_MAX];
	static struct lines l;
	struct ctlmsg_reader r;

	/* Exactly 4095 bytes + '\n' = 4096: accepted. */
	memset(&l, 0, sizeof l);
	ctlmsg_reader_init(&r);
	memset(big, 'a', CTLMSG_LINE_MAX - 1);
	big[CTLMSG_LINE_MAX - 1] = '\n';
	ctlmsg_reader_feed(&r, big, CTLMSG_LINE_MAX, collect, &l);
	CHECK_INT_EQ(l.n, 1);
	CHECK_INT_EQ(l.status[0], CTLMSG_LINE_OK);
	CHECK_INT_EQ(l.len[0], CTLMSG_LINE_MAX - 1);

	/* 4096 bytes + '\n': too long, discarded up to the newline, and the
	 * next line is read normally, even when the long line arrives in
	 * pieces. */
	memset(&l, 0, sizeof l);
	memset(big, 'b', sizeof big);
	ctlmsg_reader_feed(&r, big, 2000, collect, &l);
	ctlmsg_reader_feed(&r, big, 2096, collect, &l);
	ctlmsg_reader_feed(&r, big, 5000, collect, &l);
	CHECK_INT_EQ(l.n, 0);
	ctlmsg_reader_feed(&r, "\nrun\n", 5, collect, &l);
	CHECK_INT_EQ(l.n, 2);
	CHECK_INT_EQ(l.status[0], CTLMSG_LINE_TOO_LONG);
	CHECK_INT_EQ(l.status[1], CTLMSG_LINE_OK);
	CHECK_STR_EQ(l.text[1], "run");
}

static void test_reader_reads_from_fd_and_reports_eof(void)
{
	static struct lines l;
	struct ctlmsg_reader r;
	int fds[2];

	memset(&l, 0, sizeof l);
	CHECK_INT_EQ(pipe(fds), 0);
	ctlmsg_reader_init(&r);
	CHECK_INT_EQ(write(fds[1], "hello a b\nx", 11), 11);
	close(fds[1]);
	CHECK_INT_EQ(ctlmsg_reader_read_fd(&r, fds[0], collect, &l), 11);
	CHECK_INT_EQ(l.n, 1);
	CHECK_STR_EQ(l.text[0], "hello a b");
	CHECK_INT_EQ(ctlmsg_reader_read_fd(&r, fds[0], collect, &l), 0);
	CHECK_INT_EQ(ctlmsg_reader_pending(&r), 1); /* "x" never finished */
	close(fds[0]);
}

static void test_split_words(void)
{
	char line[64];
	char *w[CTLMSG_MAX_WORDS];

	strcpy(line, "connect 192.0.2.2:8888");
	CHECK_INT_EQ(ctlmsg_split(line, strlen(line), w, CTLMSG_MAX_WORDS), 2);
	CHECK_STR_EQ(w[0], "connect");
	CHECK_STR_EQ(w[1], "192.0.2.2:8888");

	strcpy(line, "run");
	CHECK_INT_EQ(ctlmsg_split(line, 3, w, CTLMSG_MAX_WORDS), 1);
	CHECK_STR_EQ(w[0], "run");
}

static void test_split_rejects_malformed(void)
{
	static const char *const bad[] = {
		"", " run", "run ", "send  1 x", "send\t1", "run\r",
		"caf\xc3\xa9", "a\x7f", "a\x1b[2J",
	};
	char line[64];
	char *w[CTLMSG_MAX_WORDS];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		strcpy(line, bad[i]);
		CHECK_INT_EQ(ctlmsg_split(line, strlen(line), w, CTLMSG_MAX_WORDS), -1);
	}
	/* An embedded NUL (len says 5 bytes) is rejected, not truncated. */
	memcpy(line, "ru\0n", 5);
	CHECK_INT_EQ(ctlmsg_split(line, 4, w, CTLMSG_MAX_WORDS), -1);
	/* Too many words. */
	strcpy(line, "a b c d");
	CHECK_INT_EQ(ctlmsg_split(line, strlen(line), w, 3), -1);
	strcpy(line, "a b c");
	CHECK_INT_EQ(ctlmsg_split(line, strlen(line), w, 3), 3);
}

static void test_percent_encoding_round_trip(void)
{
	char enc[256], dec[256];
	size_t n;
	const char *hello = "Hello, 192.0.2.2:8888\n";

	CHECK_INT_EQ(ctlmsg_pct_encode(enc, sizeof enc, hello, strlen(hello)), 26);
	CHECK_STR_EQ(enc, "Hello,%20192.0.2.2:8888%0A");
	CHECK_INT_EQ(ctlmsg_pct_decode(dec, sizeof dec, enc, &n), 0);
	CHECK_INT_EQ(n, strlen(hello));
	CHECK_STR_EQ(dec, hello);

	/* '%' itself, NUL, and UTF-8 (the article's Japanese) are escaped. */
	const char raw[] = "100%\0\xe5\x8f\x97";
	ctlmsg_pct_encode(enc, sizeof enc, raw, sizeof raw - 1);
	CHECK_STR_EQ(enc, "100%25%00%E5%8F%97");
	CHECK_INT_EQ(ctlmsg_pct_decode(dec, sizeof dec, enc, &n), 0);
	CHECK_INT_EQ(n, sizeof raw - 1);
	CHECK(memcmp(dec, raw, n) == 0);
	/* lower-case hex is accepted on input */
	CHECK_INT_EQ(ctlmsg_pct_decode(dec, sizeof dec, "%e5%8f%97", &n), 0);
	CHECK_STR_EQ(dec, "\xe5\x8f\x97");
}

static void test_text_words_empty_and_dash(void)
{
	char enc[16], dec[16];
	size_t n = 99;

	CHECK_INT_EQ(ctlmsg_text_encode(enc, sizeof enc, "", 0), 1);
	CHECK_STR_EQ(enc, "-");
	CHECK_INT_EQ(ctlmsg_text_decode(dec, sizeof dec, "-", &n), 0);
	CHECK_INT_EQ(n, 0);
	ctlmsg_text_encode(enc, sizeof enc, "-", 1);
	CHECK_STR_EQ(enc, "%2D");
	CHECK_INT_EQ(ctlmsg_text_decode(dec, sizeof dec, enc, &n), 0);
	CHECK_STR_EQ(dec, "-");
	ctlmsg_text_encode(enc, sizeof enc, "--", 2);
	CHECK_STR_EQ(enc, "--");
}

static void test_percent_encode_cuts_between_escapes(void)
{
	char enc[6];

	/* "a\nb" needs "a%0Ab" (5) + NUL = 6: fits exactly. */
	CHECK_INT_EQ(ctlmsg_pct_encode(enc, sizeof enc, "a\nb", 3), 5);
	CHECK_STR_EQ(enc, "a%0Ab");
	/* With 4 bytes, "%0A" does not fit after "a": cut before it. */
	CHECK_INT_EQ(ctlmsg_pct_encode(enc, 4, "a\nb", 3), 5);
	CHECK_STR_EQ(enc, "a");
}

static void test_percent_decode_rejects_malformed(void)
{
	static const char *const bad[] = {
		"%", "%4", "%G0", "%0g", "abc%", "a%%20", "a b", "\x01",
		"caf\xc3\xa9",
	};
	char dec[64];
	size_t n;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT_EQ(ctlmsg_pct_decode(dec, sizeof dec, bad[i], &n), -1);
	/* does not fit: 3 bytes + NUL in 3 */
	CHECK_INT_EQ(ctlmsg_pct_decode(dec, 3, "abc", &n), -1);
	CHECK_INT_EQ(ctlmsg_pct_decode(dec, 4, "abc", &n), 0);
	CHECK_INT_EQ(ctlmsg_pct_decode(dec, 0, "", &n), -1);
}

static void test_parse_uint(void)
{
	uint64_t v;

	CHECK_INT_EQ(ctlmsg_parse_uint("8888", 65535, &v), 0);
	CHECK_INT_EQ(v, 8888);
	CHECK_INT_EQ(ctlmsg_parse_uint("0", 65535, &v), 0);
	CHECK_INT_EQ(v, 0);
	CHECK_INT_EQ(ctlmsg_parse_uint("65535", 65535, &v), 0);
	CHECK_INT_EQ(ctlmsg_parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);

	static const char *const bad[] = {
		"", "65536", "-1", "+1", " 1", "1 ", "08", "1e3", "0x10", "12a",
		"99999999999999999999999",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT_EQ(ctlmsg_parse_uint(bad[i], 65535, &v), -1);
	CHECK_INT_EQ(ctlmsg_parse_uint("18446744073709551616", UINT64_MAX, &v), -1);
	CHECK_INT_EQ(ctlmsg_parse_uint("1", 0, &v), -1);
}

static void test_parse_decimal(void)
{
	double v;

	CHECK_INT_EQ(ctlmsg_parse_decimal("0.1", 0.1, 100, &v), 0);
	CHECK(v > 0.0999 && v < 0.1001);
	CHECK_INT_EQ(ctlmsg_parse_decimal("100", 0.1, 100, &v), 0);
	CHECK(v == 100);
	CHECK_INT_EQ(ctlmsg_parse_decimal("2.5", 0.1, 100, &v), 0);
	CHECK(v == 2.5);
	CHECK_INT_EQ(ctlmsg_parse_decimal(".5", 0.1, 100, &v), 0);
	CHECK(v == 0.5);

	static const char *const bad[] = {
		"", ".", "0.05", "100.5", "101", "-1", "+2", "1e2", "inf", "nan",
		"1.2.3", "2x", " 2", "0x10",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT_EQ(ctlmsg_parse_decimal(bad[i], 0.1, 100, &v), -1);
}

static void test_parse_addresses(void)
{
	uint32_t a;
	uint16_t port;
	unsigned prefix;
	char s[CTLMSG_ADDRPORT_MAX];

	CHECK_INT_EQ(ctlmsg_parse_ipv4("192.0.2.2", &a), 0);
	CHECK_INT_EQ(a, 0xc0000202u);
	CHECK_INT_EQ(ctlmsg_parse_ipv4("0.0.0.0", &a), 0);
	CHECK_INT_EQ(a, 0);
	CHECK_INT_EQ(ctlmsg_parse_ipv4("255.255.255.255", &a), 0);
	CHECK_INT_EQ(a, 0xffffffffu);

	static const char *const bad_ip[] = {
		"", "192.0.2", "192.0.2.2.1", "192.0.2.256", "192.0.02.2",
		"192.0.2.2 ", "192..2.2", "a.b.c.d", "192.0.2.-1", "1234.0.0.1",
		"192.0.2.2:80",
	};
	for (size_t i = 0; i < sizeof bad_ip / sizeof bad_ip[0]; i++)
		CHECK_INT_EQ(ctlmsg_parse_ipv4(bad_ip[i], &a), -1);

	CHECK_INT_EQ(ctlmsg_parse_addrport("192.0.2.2:8888", false, &a, &port), 0);
	CHECK_INT_EQ(a, 0xc0000202u);
	CHECK_INT_EQ(port, 8888);
	CHECK_INT_EQ(ctlmsg_parse_addrport("192.0.2.2:0", false, &a, &port), -1);
	CHECK_INT_EQ(ctlmsg_parse_addrport("0.0.0.0:0", true, &a, &port), 0);
	CHECK_INT_EQ(ctlmsg_parse_addrport("192.0.2.2:65536", false, &a, &port), -1);
	CHECK_INT_EQ(ctlmsg_parse_addrport("192.0.2.2:", false, &a, &port), -1);
	CHECK_INT_EQ(ctlmsg_parse_addrport("192.0.2.2", false, &a, &port), -1);
	CHECK_INT_EQ(ctlmsg_parse_addrport(":80", false, &a, &port), -1);

	CHECK_INT_EQ(ctlmsg_parse_cidr("192.0.2.3/24", &a, &prefix), 0);
	CHECK_INT_EQ(a, 0xc0000203u);
	CHECK_INT_EQ(prefix, 24);
	CHECK_INT_EQ(ctlmsg_parse_cidr("192.0.2.3/33", &a, &prefix), -1);
	CHECK_INT_EQ(ctlmsg_parse_cidr("192.0.2.3", &a, &prefix), -1);
	CHECK_INT_EQ(ctlmsg_parse_cidr("192.0.2.3/", &a, &prefix), -1);

	ctlmsg_format_addrport(s, 0xc0000203u, 49153);
	CHECK_STR_EQ(s, "192.0.2.3:49153");
	ctlmsg_format_addrport(s, 0xffffffffu, 65535);
	CHECK_STR_EQ(s, "255.255.255.255:65535");
}

/* The network-safety predicate the node and `live --client-to` share. */
static void test_addr_on_test_net(void)
{
	CHECK(ctlmsg_addr_on_test_net(0xc0000200u));   /* 192.0.2.0 */
	CHECK(ctlmsg_addr_on_test_net(0xc0000202u));   /* 192.0.2.2 */
	CHECK(ctlmsg_addr_on_test_net(0xc00002ffu));   /* 192.0.2.255 */
	CHECK(!ctlmsg_addr_on_test_net(0xc0000302u));  /* 192.0.3.2 */
	CHECK(!ctlmsg_addr_on_test_net(0xc00001ffu));  /* 192.0.1.255 */
	CHECK(!ctlmsg_addr_on_test_net(0x7f000001u));  /* 127.0.0.1 */
	CHECK(!ctlmsg_addr_on_test_net(0x020000c0u));  /* 192.0.2.2 byte-swapped */
}

static void test_out_builds_lines(void)
{
	static struct ctlmsg_out o;

	ctlmsg_out_init(&o, "out");
	ctlmsg_out_text(&o, "[Message]", 9);
	CHECK_INT_EQ(ctlmsg_out_end(&o), 14);
	CHECK_STR_EQ(o.buf, "out [Message]\n");

	ctlmsg_out_init(&o, "state");
	ctlmsg_out_wordf(&o, "%u", 1500u);
	ctlmsg_out_word(&o, "192.0.2.2:8888");
	ctlmsg_out_text(&o, "rcvd FIN", 8);
	CHECK(ctlmsg_out_end(&o) > 0);
	CHECK_STR_EQ(o.buf, "state 1500 192.0.2.2:8888 rcvd%20FIN\n");

	/* invalid words are refused, not written */
	ctlmsg_out_init(&o, "ok");
	ctlmsg_out_word(&o, "two words");
	CHECK_INT_EQ(ctlmsg_out_end(&o), -1);
	ctlmsg_out_init(&o, "ok");
	ctlmsg_out_word(&o, "");
	CHECK_INT_EQ(ctlmsg_out_end(&o), -1);
	ctlmsg_out_init(&o, "bad verb");
	CHECK_INT_EQ(ctlmsg_out_end(&o), -1);
}

static void test_out_never_exceeds_line_limit(void)
{
	static struct ctlmsg_out o;
	static char text[CTLMSG_LINE_MAX];
	bool cut;

	/* 2000 newlines need 6000 bytes encoded: too long without fitting. */
	memset(text, '\n', 2000);
	ctlmsg_out_init(&o, "out");
	ctlmsg_out_text(&o, text, 2000);
	CHECK_INT_EQ(ctlmsg_out_end(&o), -1);

	/* With fitting, it is cut at an escape boundary and the line, '\n'
	 * included, is at most 4096 bytes, with room for a reserved word. */
	ctlmsg_out_init(&o, "out");
	ctlmsg_out_text_fit(&o, text, 2000, 4, &cut);
	CHECK(cut);
	ctlmsg_out_word(&o, "cut");
	long n = ctlmsg_out_end(&o);
	CHECK(n > 0 && n <= CTLMSG_LINE_MAX);
	CHECK_INT_EQ((n - (long)strlen("out  cut\n")) % 3, 0);
	CHECK(strstr(o.buf, "%0A%0A cut\n") != NULL);

	/* A line of exactly 4096 bytes is allowed. */
	memset(text, 'x', sizeof text);
	ctlmsg_out_init(&o, "out");
	ctlmsg_out_text(&o, text, CTLMSG_LINE_MAX - 5); /* "out " + text + "\n" */
	CHECK_INT_EQ(ctlmsg_out_end(&o), CTLMSG_LINE_MAX);
	ctlmsg_out_init(&o, "out");
	ctlmsg_out_text(&o, text, CTLMSG_LINE_MAX - 4);
	CHECK_INT_EQ(ctlmsg_out_end(&o), -1);
}

static void test_stamps(void)
{
	static struct ctlmsg_out o;
	static char text[CTLMSG_LINE_MAX];
	char buf[64], *line;
	size_t len;
	uint64_t ns = 7;

	ctlmsg_out_init_event(&o, "ok");
	ctlmsg_out_word(&o, "run");
	CHECK_INT_EQ(ctlmsg_out_end_stamped(&o, 1234567890123ULL), 22);
	CHECK_STR_EQ(o.buf, "@1234567890123 ok run\n");
	ctlmsg_out_init_event(&o, "ok");
	CHECK(ctlmsg_out_end_stamped(&o, UINT64_MAX) > 0);
	CHECK_STR_EQ(o.buf, "@18446744073709551615 ok\n");

	/* An event's body leaves room for the longest stamp: the stamped
	 * line is still at most 4096 bytes. */
	memset(text, 'x', sizeof text);
	ctlmsg_out_init_event(&o, "out");
	ctlmsg_out_text(&o, text, CTLMSG_LINE_MAX - 5 - CTLMSG_STAMP_MAX);
	CHECK_INT_EQ(ctlmsg_out_end_stamped(&o, UINT64_MAX), CTLMSG_LINE_MAX);
	ctlmsg_out_init_event(&o, "out");
	ctlmsg_out_text(&o, text, CTLMSG_LINE_MAX - 4 - CTLMSG_STAMP_MAX);
	CHECK_INT_EQ(ctlmsg_out_end_stamped(&o, 1), -1);
	/* a plain line of 4096 bytes has no room left for a stamp */
	ctlmsg_out_init(&o, "out");
	ctlmsg_out_text(&o, text, CTLMSG_LINE_MAX - 5 - 2);
	CHECK_INT_EQ(ctlmsg_out_end_stamped(&o, 1), -1);

	/* taking it off again */
	snprintf(buf, sizeof buf, "@42 state 1 x");
	line = buf;
	len = strlen(buf);
	CHECK_INT_EQ(ctlmsg_take_stamp(&line, &len, &ns), 1);
	CHECK(ns == 42);
	CHECK_STR_EQ(line, "state 1 x");
	CHECK_INT_EQ((long)len, 9);
	/* no stamp: untouched */
	snprintf(buf, sizeof buf, "ok run");
	line = buf;
	len = strlen(buf);
	ns = 7;
	CHECK_INT_EQ(ctlmsg_take_stamp(&line, &len, &ns), 0);
	CHECK(line == buf && len == 6 && ns == 7);
	/* malformed: no number, leading zero, sign, no verb, too long,
	 * over 2^64 - 1, a second space */
	static const char *const bad[] = {
		"@ ok", "@01 ok", "@+1 ok", "@12", "@12 ", "@1x ok",
		"@123456789012345678901 ok", "@18446744073709551616 ok", "@",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, "%s", bad[i]);
		line = buf;
		len = strlen(buf);
		if (ctlmsg_take_stamp(&line, &len, &ns) != -1)
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
		CHECK(line == buf && len == strlen(bad[i]));
		CHECK_INT_EQ(ctlmsg_take_stamp(&line, &len, &ns), -1);
	}
	/* the clock is the monotonic one, moving forward */
	uint64_t a = ctlmsg_now_ns(), b = ctlmsg_now_ns();
	CHECK(a > 0 && b >= a);
}

int main(void)
{
	RUN(test_reader_splits_lines_across_feeds);
	RUN(test_stamps);
	RUN(test_reader_line_limit_is_4096_with_newline);
	RUN(test_reader_reads_from_fd_and_reports_eof);
	RUN(test_split_words);
	RUN(test_split_rejects_malformed);
	RUN(test_percent_encoding_round_trip);
	RUN(test_text_words_empty_and_dash);
	RUN(test_percent_encode_cuts_between_escapes);
	RUN(test_percent_decode_rejects_malformed);
	RUN(test_parse_uint);
	RUN(test_parse_decimal);
	RUN(test_parse_addresses);
	RUN(test_addr_on_test_net);
	RUN(test_out_builds_lines);
	RUN(test_out_never_exceeds_line_limit);
	CHECK_EXIT();
}
