/* Captures that begin mid-connection, the table of legal transitions, and
 * the reason keys (each explained, each in docs/states.md). */
#include "check.h"
#include "tracker_sim.h"

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define PSH TCPF_PSH
#define RST TCPF_RST

static void test_data_both_ways_makes_both_established(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, PSH | ACK, 100);
	CHECK_STR_EQ(s.log, "C CLOSED>ESTABLISHED midstream_established");
	CHECK_STR_EQ(s.last_state.u.state.cause, "seen mid-stream");
	CHECK_INT_EQ(s.last.from_endpoint, 0);
	sim_clear_log(&s);
	sim_send(&s, 1, PSH | ACK, 50);
	CHECK_STR_EQ(s.log, "S CLOSED>ESTABLISHED midstream_established");
	CHECK_INT_EQ(s.last.from_endpoint, 1);
	sim_clear_log(&s);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "");
	sim_finish(&s);
	CHECK(s.sum.mid_stream);
	CHECK(!s.sum.handshake);
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_ESTABLISHED);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_ESTABLISHED);
	CHECK(!s.bad);
	sim_free(&s);
}

/* Data one way only: the silent endpoint is not guessed. */
static void test_one_way_data_leaves_silent_endpoint_unknown(void)
{
	struct sim s;
	sim_init(&s, 0);
	for (int i = 0; i < 3; i++)
		sim_send(&s, 1, PSH | ACK, 100);
	/* the first sender is the "client" of a connection joined late */
	CHECK_INT_EQ(s.last.from_endpoint, 0);
	CHECK_STR_EQ(s.log, "C CLOSED>ESTABLISHED midstream_established");
	sim_finish(&s);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_CLOSED);
	CHECK_INT_EQ(s.sum.bytes[0], 300);
	sim_free(&s);
}

/* Joined during the close: the FIN's sender is ESTABLISHED first, then
 * FIN_WAIT_1; the other side's ACK covering the FIN shows CLOSE_WAIT. */
static void test_joined_at_fin(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, FIN | ACK, 0);
	CHECK_STR_EQ(s.log, "C CLOSED>ESTABLISHED midstream_established; "
			    "C ESTABLISHED>FIN_WAIT_1 active_close");
	sim_clear_log(&s);
	sim_send(&s, 1, ACK, 0);
	CHECK_STR_EQ(s.log, "S CLOSED>ESTABLISHED midstream_established; "
			    "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "C FIN_WAIT_1>FIN_WAIT_2 fin_acked");
	sim_clear_log(&s);
	sim_send(&s, 1, FIN | ACK, 0);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S CLOSE_WAIT>LAST_ACK passive_close; "
			    "C FIN_WAIT_2>TIME_WAIT fin_rcvd_fin_wait_2; "
			    "S LAST_ACK>CLOSED last_ack_acked");
	CHECK(!s.bad);
	sim_free(&s);
}

/* Joined when the capture's first segment is the peer's FIN answer. */
static void test_joined_at_passive_fin(void)
{
	struct sim s;
	sim_init(&s, 0);
	/* the answering FIN carries the ACK of the first one */
	sim_send(&s, 0, FIN | ACK, 0);
	sim_send(&s, 1, FIN | ACK, 0);
	CHECK_STR_EQ(s.log, "C CLOSED>ESTABLISHED midstream_established; "
			    "C ESTABLISHED>FIN_WAIT_1 active_close; "
			    "S CLOSED>ESTABLISHED midstream_established; "
			    "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "S CLOSE_WAIT>LAST_ACK passive_close; "
			    "C FIN_WAIT_1>TIME_WAIT fin_ack_rcvd");
	CHECK(!s.bad);
	sim_free(&s);
}

/* A lone RST on an unknown 4-tuple changes nothing and holds nothing. */
static void test_lone_rst_holds_no_memory(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_raw(&s, 0, RST, 12345, 0, 0, 0);
	CHECK_STR_EQ(s.log, "");
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK_INT_EQ(s.nsum, 1);
	CHECK(s.sum.mid_stream);
	CHECK_INT_EQ(s.sum.rst[0], 1);
	sim_free(&s);
}

static void test_rst_after_midstream_data(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, PSH | ACK, 10);
	sim_send(&s, 1, PSH | ACK, 10);
	sim_clear_log(&s);
	sim_raw(&s, 1, RST | ACK, s.nxt[1] + 5000, s.nxt[0], 0, 0);
	CHECK(s.last.marks & TRACKER_MARK_RST_IGNORED);
	sim_raw(&s, 1, RST | ACK, s.nxt[1], s.nxt[0], 0, 0);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>CLOSED rst_sent; "
			    "C ESTABLISHED>CLOSED rst_rcvd");
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK(s.sum.mid_stream);
	CHECK_INT_EQ(s.sum.reset_by, 1);
	sim_free(&s);
}

static void test_legal_transition_table(void)
{
	/* the RFC 9293 figure 5 arcs */
	static const enum tcpstate arcs[][2] = {
		{TCPSTATE_CLOSED, TCPSTATE_LISTEN},
		{TCPSTATE_CLOSED, TCPSTATE_SYN_SENT},
		{TCPSTATE_LISTEN, TCPSTATE_SYN_RCVD},
		{TCPSTATE_LISTEN, TCPSTATE_SYN_SENT},
		{TCPSTATE_LISTEN, TCPSTATE_CLOSED},
		{TCPSTATE_SYN_RCVD, TCPSTATE_ESTABLISHED},
		{TCPSTATE_SYN_RCVD, TCPSTATE_FIN_WAIT_1},
		{TCPSTATE_SYN_SENT, TCPSTATE_SYN_RCVD},
		{TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED},
		{TCPSTATE_SYN_SENT, TCPSTATE_CLOSED},
		{TCPSTATE_ESTABLISHED, TCPSTATE_FIN_WAIT_1},
		{TCPSTATE_ESTABLISHED, TCPSTATE_CLOSE_WAIT},
		{TCPSTATE_FIN_WAIT_1, TCPSTATE_FIN_WAIT_2},
		{TCPSTATE_FIN_WAIT_1, TCPSTATE_CLOSING},
		{TCPSTATE_FIN_WAIT_2, TCPSTATE_TIME_WAIT},
		{TCPSTATE_CLOSING, TCPSTATE_TIME_WAIT},
		{TCPSTATE_CLOSE_WAIT, TCPSTATE_LAST_ACK},
		{TCPSTATE_LAST_ACK, TCPSTATE_CLOSED},
		{TCPSTATE_TIME_WAIT, TCPSTATE_CLOSED},
	};
	for (size_t i = 0; i < sizeof(arcs) / sizeof(arcs[0]); i++)
		CHECK(tracker_transition_legal(arcs[i][0], arcs[i][1]));
	CHECK(!tracker_transition_legal(TCPSTATE_CLOSED, TCPSTATE_TIME_WAIT));
	CHECK(!tracker_transition_legal(TCPSTATE_LISTEN, TCPSTATE_ESTABLISHED));
	CHECK(!tracker_transition_legal(TCPSTATE_TIME_WAIT, TCPSTATE_ESTABLISHED));
	CHECK(!tracker_transition_legal(TCPSTATE_CLOSE_WAIT, TCPSTATE_CLOSING));
	CHECK(!tracker_transition_legal(TCPSTATE_ESTABLISHED, TCPSTATE_LISTEN));
	CHECK(!tracker_transition_legal(TCPSTATE_CLOSED, TCPSTATE_CLOSED));
	CHECK(!tracker_transition_legal(TCPSTATE_COUNT, TCPSTATE_CLOSED));
	CHECK(!tracker_transition_legal(TCPSTATE_CLOSED, (enum tcpstate)-1));
	/* every state but CLOSED can be left for CLOSED (abort by RST or
	 * the end of a close), except a listener's own connection */
	for (int st = TCPSTATE_SYN_SENT; st < TCPSTATE_COUNT; st++)
		CHECK(tracker_transition_legal((enum tcpstate)st,
					       TCPSTATE_CLOSED));
}

static const char *docs_path;

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_every_reason_explained_and_documented(void)
{
	const char *docs = docs_path ? read_all(docs_path) : NULL;
	CHECK(docs != NULL);
	unsigned n = 0;
	for (const char *k; (k = tracker_reason_key(n)); n++) {
		const char *e = tracker_reason_explain(k);
		CHECK(e && strlen(e) > 20);
		char quoted[80];
		snprintf(quoted, sizeof(quoted), "| `%s` |", k);
		if (docs && !strstr(docs, quoted)) {
			fprintf(stderr, "docs/states.md lacks %s\n", quoted);
			CHECK(0);
		}
	}
	CHECK(n >= 30);
	CHECK(tracker_reason_explain("no_such_reason") == NULL);
	CHECK(tracker_reason_explain(NULL) == NULL);
	/* and the docs' reason table lists no key the tracker lacks */
	const char *sect = docs ? strstr(docs, "## Reason keys") : NULL;
	CHECK(sect != NULL);
	if (sect) {
		const char *end = strstr(sect + 2, "\n## ");
		for (const char *p = strstr(sect, "| `"); p && (!end || p < end);
		     p = strstr(p + 1, "| `")) {
			char key[64];
			if (sscanf(p, "| `%63[a-z0-9_]` |", key) == 1 &&
			    !tracker_reason_explain(key)) {
				fprintf(stderr, "docs key %s unknown\n", key);
				CHECK(0);
			}
		}
	}
}

int main(int argc, char **argv)
{
	docs_path = argc > 1 ? argv[1] : NULL;
	RUN(test_data_both_ways_makes_both_established);
	RUN(test_one_way_data_leaves_silent_endpoint_unknown);
	RUN(test_joined_at_fin);
	RUN(test_joined_at_passive_fin);
	RUN(test_lone_rst_holds_no_memory);
	RUN(test_rst_after_midstream_data);
	RUN(test_legal_transition_table);
	RUN(test_every_reason_explained_and_documented);
	CHECK_EXIT();
}
