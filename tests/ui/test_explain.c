/* The explanations: every reason key and mark has its own non-empty text in
 * English and in Japanese (the catalogue really loaded), the numbers of the
 * segment appear, and the uncertainty sentences appear only when flagged.
 * argv[1]: the build tree's po/ (the locale dir holding ja/LC_MESSAGES). */
#include <locale.h>
#include <string.h>

#include "check.h"
#include "explain.h"
#include "segment.h"

#define NMARKS 9
#define MAXKEYS 64
#define TEXT 2048

static const char *langs[] = {"en", "ja"};

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
		if (n < 0)
			return false;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xC0) != 0x80)
				return false;
	}
	return true;
}

static char reason_text[2][MAXKEYS][TEXT];
static char mark_text[2][NMARKS][TEXT];

static void every_key_and_mark_has_its_own_text_in_both_languages(void)
{
	check_case = "keys and marks";
	unsigned nkeys = 0;
	while (tracker_reason_key(nkeys))
		nkeys++;
	CHECK(nkeys >= 33 && nkeys <= MAXKEYS);
	struct explain_seg seg = {.from_endpoint = 1, .dup_ack_count = 2, .window = 512};

	for (int l = 0; l < 2; l++) {
		CHECK_INT_EQ(explain_set_lang(langs[l]), 0);
		CHECK_STR_EQ(explain_lang(), langs[l]);
		for (unsigned i = 0; i < nkeys; i++) {
			size_t n = explain_reason(reason_text[l][i], TEXT, tracker_reason_key(i), 1);
			if (n == 0 || n >= TEXT)
				fprintf(stderr, "[%s] key %s: length %zu\n", langs[l], tracker_reason_key(i), n);
			CHECK(n > 0 && n < TEXT);
			CHECK(valid_utf8(reason_text[l][i]));
			CHECK(!contains(reason_text[l][i], "{")); /* every token expanded */
			for (unsigned j = 0; j < i; j++)
				if (strcmp(reason_text[l][i], reason_text[l][j]) == 0) {
					fprintf(stderr, "[%s] %s and %s share a text\n", langs[l],
						tracker_reason_key(i), tracker_reason_key(j));
					CHECK(0);
				}
		}
		for (unsigned m = 0; m < NMARKS; m++) {
			size_t n = explain_mark(mark_text[l][m], TEXT, (enum tracker_mark)(1u << m), &seg);
			CHECK(n > 0 && n < TEXT);
			CHECK(!contains(mark_text[l][m], "{"));
			for (unsigned j = 0; j < m; j++)
				CHECK(strcmp(mark_text[l][m], mark_text[l][j]) != 0);
		}
	}
	/* the Japanese really came from the catalogue */
	for (unsigned i = 0; i < nkeys; i++) {
		if (strcmp(reason_text[0][i], reason_text[1][i]) == 0)
			fprintf(stderr, "key %s is not translated\n", tracker_reason_key(i));
		CHECK(strcmp(reason_text[0][i], reason_text[1][i]) != 0);
		CHECK(contains(reason_text[1][i], "。"));
	}
	for (unsigned m = 0; m < NMARKS; m++)
		CHECK(strcmp(mark_text[0][m], mark_text[1][m]) != 0);

	char buf[TEXT];
	CHECK_INT_EQ(explain_reason(buf, sizeof buf, "no_such_key", 0), 0);
	CHECK_STR_EQ(buf, "");
	CHECK_INT_EQ(explain_mark(buf, sizeof buf, (enum tracker_mark)3, &seg), 0);
}

static void the_handshake_example_has_its_numbers(void)
{
	check_case = "handshake";
	char buf[TEXT];
	struct explain_change c = {.endpoint = 1, .from = TCPSTATE_LISTEN,
		.to = TCPSTATE_SYN_RCVD, .reason = "passive_open", .has_seg = true,
		.seg = {.from_endpoint = 0, .flags = TCPF_SYN, .rel_seq = 0}};
	explain_set_lang("en");
	explain_change(buf, sizeof buf, &c);
	CHECK_STR_EQ(buf, "The server received a SYN while listening. It answers with SYN+ACK "
		     "and moves to SYN_RCVD: step 2 of the three-way handshake (RFC 9293 3.5). "
		     "Its ack 1 is the client's ISN + 1: a SYN takes up one sequence number.");
	explain_set_lang("ja");
	explain_change(buf, sizeof buf, &c);
	CHECK(contains(buf, "サーバーは待ち受け中にSYNを受信しました。"));
	CHECK(contains(buf, "3ウェイハンドシェイク"));
	CHECK(contains(buf, "返すSYN+ACKの確認応答番号1はクライアントのISN + 1です。"));

	/* the client's side: the SYN-ACK acknowledges its ISN + 1 */
	struct explain_change s = {.endpoint = 0, .from = TCPSTATE_SYN_SENT,
		.to = TCPSTATE_ESTABLISHED, .reason = "synack_rcvd", .has_seg = true,
		.seg = {.from_endpoint = 1, .flags = TCPF_SYN | TCPF_ACK, .rel_ack = 1}};
	explain_set_lang("en");
	explain_change(buf, sizeof buf, &s);
	CHECK(contains(buf, "The client received the SYN+ACK"));
	CHECK(contains(buf, "The SYN+ACK has ack 1, the ISN of the client + 1"));

	/* a FIN after 5 bytes of data: seq 6, so its ACK will be 7 */
	struct explain_change f = {.endpoint = 0, .from = TCPSTATE_ESTABLISHED,
		.to = TCPSTATE_FIN_WAIT_1, .reason = "active_close", .has_seg = true,
		.seg = {.from_endpoint = 0, .flags = TCPF_FIN | TCPF_ACK, .rel_seq = 6}};
	explain_change(buf, sizeof buf, &f);
	CHECK(contains(buf, "The FIN is sequence number 6; like a SYN it takes up one number, so its ACK will be 7."));
	explain_set_lang("ja");
	explain_change(buf, sizeof buf, &f);
	CHECK(contains(buf, "FINのシーケンス番号は6です。"));
	CHECK(contains(buf, "これへのACKは7になります。"));

	/* the timer: no segment, no numbers */
	struct explain_change t = {.endpoint = 0, .from = TCPSTATE_TIME_WAIT,
		.to = TCPSTATE_CLOSED, .reason = "time_wait_expired", .by_timer = true};
	explain_set_lang("en");
	explain_change(buf, sizeof buf, &t);
	CHECK(contains(buf, "2 x MSL in TIME_WAIT"));
	CHECK(!contains(buf, "sequence number 0"));
}

static void uncertainty_is_said_only_when_flagged(void)
{
	check_case = "uncertainty";
	char buf[TEXT];
	struct explain_change c = {.endpoint = 1, .from = TCPSTATE_LISTEN,
		.to = TCPSTATE_SYN_RCVD, .reason = "passive_open", .has_seg = true,
		.seg = {.from_endpoint = 0, .flags = TCPF_SYN}};
	explain_set_lang("en");
	explain_change(buf, sizeof buf, &c);
	CHECK(!contains(buf, "could not yet tell"));
	CHECK(!contains(buf, "did not see this connection open"));
	CHECK(!contains(buf, "began during the handshake"));

	c.unsure = EXPLAIN_DECIDED_LATER;
	c.decided_pkt = 2;
	explain_change(buf, sizeof buf, &c);
	CHECK(contains(buf, "At this SYN the tool could not yet tell what the server would do: "
		       "only its reply in frame 2 showed it"));
	explain_set_lang("ja");
	explain_change(buf, sizeof buf, &c);
	CHECK(contains(buf, "フレーム2の応答で初めて分かりました"));

	/* a FIN decided by the receiver's next segment */
	struct explain_change f = {.endpoint = 1, .from = TCPSTATE_ESTABLISHED,
		.to = TCPSTATE_CLOSE_WAIT, .reason = "fin_rcvd", .has_seg = true,
		.seg = {.from_endpoint = 0, .flags = TCPF_FIN | TCPF_ACK, .rel_seq = 10},
		.unsure = EXPLAIN_DECIDED_LATER, .decided_pkt = 9};
	explain_set_lang("en");
	explain_change(buf, sizeof buf, &f);
	CHECK(contains(buf, "its next segment, in frame 9, decided it"));
	CHECK(contains(buf, "so the server acknowledges it with ack 11."));

	struct explain_change m = {.endpoint = 0, .from = TCPSTATE_CLOSED,
		.to = TCPSTATE_ESTABLISHED, .reason = "midstream_established", .has_seg = true,
		.seg = {.from_endpoint = 0, .flags = TCPF_ACK, .len = 100},
		.unsure = EXPLAIN_MID_STREAM};
	explain_change(buf, sizeof buf, &m);
	CHECK(contains(buf, "The tool did not see this connection open"));
	CHECK(contains(buf, "cannot know the initial sequence numbers"));
	explain_set_lang("ja");
	explain_change(buf, sizeof buf, &m);
	CHECK(contains(buf, "ツールはこのコネクションの開始を見ていません。"));

	m.unsure = EXPLAIN_LATE_START;
	m.reason = "syn_not_captured_client";
	explain_set_lang("en");
	explain_change(buf, sizeof buf, &m);
	CHECK(contains(buf, "The capture began during the handshake"));
	CHECK(!contains(buf, "did not see this connection open"));

	struct explain_seg d = {.from_endpoint = 1, .flags = TCPF_ACK, .rel_seq = 1,
		.rel_ack = 20, .len = 0};
	explain_segment(buf, sizeof buf, &d, EXPLAIN_MID_STREAM);
	CHECK(contains(buf, "The server sends a pure ACK, with no data: it tells the client "
		       "that every byte before 20 has arrived"));
	CHECK(contains(buf, "did not see this connection open"));
}

static void segments_say_what_they_are_and_each_mark(void)
{
	check_case = "segments";
	char buf[TEXT];
	explain_set_lang("en");
	struct explain_seg d = {.from_endpoint = 0, .flags = TCPF_ACK | TCPF_PSH,
		.rel_seq = 1, .rel_ack = 1, .len = 12,
		.marks = TRACKER_MARK_RETRANSMISSION};
	explain_segment(buf, sizeof buf, &d, 0);
	CHECK(contains(buf, "The client sends 12 bytes of data, sequence numbers 1 to 12, "
		       "and acknowledges every byte before 1"));
	CHECK(contains(buf, "Retransmission: "));
	CHECK(!contains(buf, "Duplicate ACK"));

	struct explain_seg a = {.from_endpoint = 1, .flags = TCPF_ACK, .rel_ack = 5,
		.marks = TRACKER_MARK_DUP_ACK | TRACKER_MARK_WINDOW_UPDATE,
		.dup_ack_count = 3, .window = 65535};
	explain_segment(buf, sizeof buf, &a, 0);
	CHECK(contains(buf, "Duplicate ACK number 3"));
	CHECK(contains(buf, "advertises 65535 bytes of room"));
	explain_set_lang("ja");
	explain_segment(buf, sizeof buf, &a, 0);
	CHECK(contains(buf, "3回目の重複ACK"));
	CHECK(contains(buf, "65535バイト"));

	/* an ignored RST says which rule rejected it */
	struct explain_seg r = {.from_endpoint = 0, .flags = TCPF_RST,
		.marks = TRACKER_MARK_RST_IGNORED, .note_reason = "rst_out_of_window"};
	explain_set_lang("en");
	explain_segment(buf, sizeof buf, &r, 0);
	CHECK(contains(buf, "RST ignored: "));
	CHECK(contains(buf, "outside the window of the receiver"));
	/* once: the note is the mark's reason, not a sentence of its own */
	const char *first = strstr(buf, "outside the window of the receiver");
	CHECK(first && !strstr(first + 1, "outside the window of the receiver"));

	/* a note without a mark: a SYN with a new ISN on an open connection */
	struct explain_seg y = {.from_endpoint = 0, .flags = TCPF_SYN,
		.note_reason = "syn_new_isn"};
	explain_segment(buf, sizeof buf, &y, 0);
	CHECK(contains(buf, "sends a SYN"));
	CHECK(contains(buf, "carries a new initial sequence number on a connection that is still open"));
	explain_set_lang("ja");
	explain_segment(buf, sizeof buf, &y, 0);
	CHECK(contains(buf, "新しい初期シーケンス番号"));
	explain_set_lang("en");
}

static void language_switches_and_cut_text_stays_utf8(void)
{
	check_case = "language";
	char buf[TEXT], small[20];
	CHECK_INT_EQ(explain_set_lang("fr"), -1);
	CHECK_INT_EQ(explain_set_lang(NULL), -1);
	CHECK_INT_EQ(explain_set_lang("ja_JP.UTF-8"), 0);
	CHECK_STR_EQ(explain_lang(), "ja");
	size_t need = explain_reason(buf, sizeof buf, "refused", 0);
	size_t got = explain_reason(small, sizeof small, "refused", 0);
	CHECK_INT_EQ(got, need); /* the length it needed, as snprintf */
	CHECK(strlen(small) < sizeof small && strlen(small) > 0);
	CHECK(valid_utf8(small));
	CHECK(strncmp(buf, small, strlen(small)) == 0);
	CHECK_INT_EQ(explain_set_lang("en"), 0);
	CHECK_STR_EQ(explain_lang(), "en");
	explain_reason(buf, sizeof buf, "refused", 0);
	CHECK(contains(buf, "The SYN of the client was answered by a RST"));
}

static void the_environment_names_the_language(void)
{
	check_case = "environment";
	/* the test starts with LANG=C and LC_ALL, LC_MESSAGES empty;
	 * explain_set_lang has set LANGUAGE since */
	unsetenv("LANGUAGE");
	CHECK_STR_EQ(explain_env_lang(), "en");
	setenv("LANG", "ja_JP.UTF-8", 1);
	CHECK_STR_EQ(explain_env_lang(), "ja");
	setenv("LC_MESSAGES", "en_US.UTF-8", 1); /* before LANG */
	CHECK_STR_EQ(explain_env_lang(), "en");
	setenv("LANGUAGE", "ja:en", 1); /* before everything */
	CHECK_STR_EQ(explain_env_lang(), "ja");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "C", 1);
}

static void a_lost_segment_says_where_and_what_comes_next(void)
{
	check_case = "lost";
	char text[2][2][TEXT];
	for (int l = 0; l < 2; l++) {
		CHECK_INT_EQ(explain_set_lang(langs[l]), 0);
		for (int k = 0; k < 2; k++) {
			/* dropped at the server, sent by the client (a node, or
			 * the kernel) */
			size_t n = explain_lost(text[l][k], TEXT, 1, "server-node", k == 0);
			CHECK(n > 0 && n < TEXT);
			CHECK(valid_utf8(text[l][k]));
			CHECK(!contains(text[l][k], "{"));
			CHECK(contains(text[l][k], "server-node"));
			CHECK(contains(text[l][k], "drop-next-in"));
			CHECK(contains(text[l][k], "RTO"));
			/* press t only where the session steps the sender's clock */
			CHECK(contains(text[l][k], l ? "tを押す" : "press t") == (k == 0));
		}
		CHECK(strcmp(text[l][0], text[l][1]) != 0);
	}
	explain_set_lang("en");
	CHECK(contains(text[0][0], ": the client will retransmit it when its RTO fires (press t)."));
	CHECK(contains(text[0][1], "the client (the kernel) will retransmit it"));
	/* the Japanese from the catalogue, the sender named in it */
	for (int k = 0; k < 2; k++) {
		CHECK(strcmp(text[0][k], text[1][k]) != 0);
		CHECK(contains(text[1][k], "クライアント"));
		CHECK(contains(text[1][k], "再送"));
		CHECK(contains(text[1][k], "。"));
	}
	char small[16];
	CHECK(explain_lost(small, sizeof small, 0, "client", true) >= sizeof small);
	CHECK(strlen(small) < sizeof small);
	CHECK(contains(small, "Dropped"));
}

/* The data a segment carries besides its state change: said with its
 * numbers in both languages, nothing when it carries none. */
static void data_beside_a_change(void)
{
	check_case = "data";
	struct explain_seg es = { .from_endpoint = 1, .flags = TCPF_FIN | TCPF_ACK,
				  .rel_seq = 1, .len = 23 };
	char text[2][TEXT];
	for (int l = 0; l < 2; l++) {
		CHECK_INT_EQ(explain_set_lang(langs[l]), 0);
		CHECK(explain_data(text[l], TEXT, &es) > 0);
		CHECK(!contains(text[l], "{"));
		CHECK(contains(text[l], "23") && contains(text[l], "1") && contains(text[l], "RFC 9293 3.4"));
		CHECK(contains(text[l], l ? "サーバー" : "the server"));
	}
	CHECK(strcmp(text[0], text[1]) != 0);
	es.len = 0;
	CHECK_INT_EQ(explain_data(text[0], TEXT, &es), 0);
	CHECK_STR_EQ(text[0], "");
	explain_set_lang("en");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_explain LOCALEDIR\n");
		return 2;
	}
	/* as the program does; the test runs with LANG=C */
	setlocale(LC_ALL, "");
	CHECK_INT_EQ(explain_init(argv[1]), 0);
	every_key_and_mark_has_its_own_text_in_both_languages();
	the_handshake_example_has_its_numbers();
	uncertainty_is_said_only_when_flagged();
	segments_say_what_they_are_and_each_mark();
	language_switches_and_cut_text_stays_utf8();
	the_environment_names_the_language();
	a_lost_segment_says_where_and_what_comes_next();
	data_beside_a_change();
	return check_failures ? 1 : 0;
}
