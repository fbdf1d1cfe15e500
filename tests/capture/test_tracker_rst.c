/* RST in every state of either endpoint: accepted when its sequence
 * number is the next one the receiver expects (RFC 9293 3.10.7.4, RFC
 * 5961 3.2), ignored and marked, with the reason, when it is in the
 * window but not exact (challenge ACK) or outside the window. */
#include "check.h"
#include "tracker_sim.h"

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define RST TCPF_RST

/* Setups: each leaves the receiver (and the sender) in a known state. */
static void to_syn_sent(struct sim *s)
{
	sim_send(s, 0, SYN, 0);
}

static void to_simultaneous_syn_rcvd(struct sim *s)
{
	sim_send(s, 0, SYN, 0);
	sim_send(s, 1, SYN, 0);
}

static void to_passive_syn_rcvd(struct sim *s)
{
	sim_send(s, 0, SYN, 0);
	sim_send(s, 1, SYN | ACK, 0);
}

static void to_established(struct sim *s)
{
	sim_handshake(s);
	sim_send(s, 0, TCPF_PSH | ACK, 10);
	sim_send(s, 1, TCPF_PSH | ACK, 20);
}

/* e sends FIN */
static void fin_wait_1(struct sim *s, int e)
{
	to_established(s);
	sim_send(s, e, FIN | ACK, 0);
}

static void fin_wait_2(struct sim *s, int e)
{
	fin_wait_1(s, e);
	sim_send(s, 1 - e, ACK, 0);
}

static void closing(struct sim *s, int e)
{
	fin_wait_1(s, e);
	sim_send_ack(s, 1 - e, FIN | ACK, 0, s->nxt[e] - 1);
}

static void time_wait(struct sim *s, int e)
{
	fin_wait_2(s, e);
	sim_send(s, 1 - e, FIN | ACK, 0);
}

static void c_fw1(struct sim *s) { fin_wait_1(s, 0); }
static void s_fw1(struct sim *s) { fin_wait_1(s, 1); }
static void c_fw2(struct sim *s) { fin_wait_2(s, 0); }
static void s_fw2(struct sim *s) { fin_wait_2(s, 1); }
static void c_closing(struct sim *s) { closing(s, 0); }
static void s_closing(struct sim *s) { closing(s, 1); }
static void c_tw(struct sim *s) { time_wait(s, 0); }
static void s_tw(struct sim *s) { time_wait(s, 1); }
/* the other side closed first */
static void c_close_wait(struct sim *s) { fin_wait_2(s, 1); }
static void s_close_wait(struct sim *s) { fin_wait_2(s, 0); }
static void c_last_ack(struct sim *s) { time_wait(s, 1); }
static void s_last_ack(struct sim *s) { time_wait(s, 0); }

struct rst_case {
	const char *name;
	void (*setup)(struct sim *);
	int receiver;
	enum tcpstate rstate, sstate;
	const char *accepted; /* log of the accepted RST */
};

static const struct rst_case cases[] = {
	{"client SYN_SENT", to_syn_sent, 0, TCPSTATE_SYN_SENT,
	 TCPSTATE_CLOSED, "C SYN_SENT>CLOSED refused"},
	{"client SYN_RCVD (simultaneous open)", to_simultaneous_syn_rcvd, 0,
	 TCPSTATE_SYN_RCVD, TCPSTATE_SYN_RCVD,
	 "S SYN_RCVD>CLOSED rst_sent; C SYN_RCVD>CLOSED rst_rcvd_syn_rcvd"},
	{"client ESTABLISHED", to_established, 0, TCPSTATE_ESTABLISHED,
	 TCPSTATE_ESTABLISHED,
	 "S ESTABLISHED>CLOSED rst_sent; C ESTABLISHED>CLOSED rst_rcvd"},
	{"client FIN_WAIT_1", c_fw1, 0, TCPSTATE_FIN_WAIT_1,
	 TCPSTATE_ESTABLISHED,
	 "S ESTABLISHED>CLOSED rst_sent; C FIN_WAIT_1>CLOSED rst_rcvd"},
	{"client FIN_WAIT_2", c_fw2, 0, TCPSTATE_FIN_WAIT_2,
	 TCPSTATE_CLOSE_WAIT,
	 "S CLOSE_WAIT>CLOSED rst_sent; C FIN_WAIT_2>CLOSED rst_rcvd"},
	{"client CLOSING", c_closing, 0, TCPSTATE_CLOSING, TCPSTATE_CLOSING,
	 "S CLOSING>CLOSED rst_sent; C CLOSING>CLOSED rst_rcvd"},
	{"client TIME_WAIT", c_tw, 0, TCPSTATE_TIME_WAIT, TCPSTATE_LAST_ACK,
	 "S LAST_ACK>CLOSED rst_sent; C TIME_WAIT>CLOSED rst_rcvd_time_wait"},
	{"client CLOSE_WAIT", c_close_wait, 0, TCPSTATE_CLOSE_WAIT,
	 TCPSTATE_FIN_WAIT_2,
	 "S FIN_WAIT_2>CLOSED rst_sent; C CLOSE_WAIT>CLOSED rst_rcvd"},
	{"client LAST_ACK", c_last_ack, 0, TCPSTATE_LAST_ACK,
	 TCPSTATE_TIME_WAIT,
	 "S TIME_WAIT>CLOSED rst_sent; C LAST_ACK>CLOSED rst_rcvd"},
	{"server SYN_RCVD", to_passive_syn_rcvd, 1, TCPSTATE_SYN_RCVD,
	 TCPSTATE_ESTABLISHED,
	 "C ESTABLISHED>CLOSED synack_answered_by_rst; "
	 "S SYN_RCVD>LISTEN rst_rcvd_syn_rcvd"},
	{"server ESTABLISHED", to_established, 1, TCPSTATE_ESTABLISHED,
	 TCPSTATE_ESTABLISHED,
	 "C ESTABLISHED>CLOSED rst_sent; S ESTABLISHED>CLOSED rst_rcvd"},
	{"server FIN_WAIT_1", s_fw1, 1, TCPSTATE_FIN_WAIT_1,
	 TCPSTATE_ESTABLISHED,
	 "C ESTABLISHED>CLOSED rst_sent; S FIN_WAIT_1>CLOSED rst_rcvd"},
	{"server FIN_WAIT_2", s_fw2, 1, TCPSTATE_FIN_WAIT_2,
	 TCPSTATE_CLOSE_WAIT,
	 "C CLOSE_WAIT>CLOSED rst_sent; S FIN_WAIT_2>CLOSED rst_rcvd"},
	{"server CLOSING", s_closing, 1, TCPSTATE_CLOSING, TCPSTATE_CLOSING,
	 "C CLOSING>CLOSED rst_sent; S CLOSING>CLOSED rst_rcvd"},
	{"server TIME_WAIT", s_tw, 1, TCPSTATE_TIME_WAIT, TCPSTATE_LAST_ACK,
	 "C LAST_ACK>CLOSED rst_sent; S TIME_WAIT>CLOSED rst_rcvd_time_wait"},
	{"server CLOSE_WAIT", s_close_wait, 1, TCPSTATE_CLOSE_WAIT,
	 TCPSTATE_FIN_WAIT_2,
	 "C FIN_WAIT_2>CLOSED rst_sent; S CLOSE_WAIT>CLOSED rst_rcvd"},
	{"server LAST_ACK", s_last_ack, 1, TCPSTATE_LAST_ACK,
	 TCPSTATE_TIME_WAIT,
	 "C TIME_WAIT>CLOSED rst_sent; S LAST_ACK>CLOSED rst_rcvd"},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* How far off the expected sequence number a RST is. */
enum offset { EXACT, IN_WINDOW, OUT_OF_WINDOW };

static void send_rst(struct sim *s, const struct rst_case *c, enum offset o)
{
	int snd = 1 - c->receiver;
	if (c->rstate == TCPSTATE_SYN_SENT) {
		/* SYN_SENT checks the ACK, not the sequence number */
		uint32_t ack = s->nxt[c->receiver] + (o == EXACT ? 0 : 100);
		sim_raw(s, snd, RST | ACK, 0, ack, 0, 0);
		return;
	}
	uint32_t off = o == EXACT ? 0 : o == IN_WINDOW ? 100 : 1000000;
	sim_raw(s, snd, RST, s->nxt[snd] + off, 0, 0, 0);
}

static void check_case_states(struct sim *s, const struct rst_case *c)
{
	if (sim_state(s, 1, c->receiver) != c->rstate ||
	    sim_state(s, 1, 1 - c->receiver) != c->sstate) {
		fprintf(stderr, "%s: setup gave %s/%s\n", c->name,
			tcpstate_to_str(sim_state(s, 1, c->receiver)),
			tcpstate_to_str(sim_state(s, 1, 1 - c->receiver)));
		CHECK(0);
	}
}

/* A fresh connection in the case's states, then its RST at offset o; the
 * log holds only what the RST changed. */
static void rst_in_case(struct sim *s, const struct rst_case *c, enum offset o)
{
	sim_init(s, 0);
	c->setup(s);
	check_case_states(s, c);
	sim_clear_log(s);
	send_rst(s, c, o);
}

/* The RST changed nothing and was marked ignored, for why (or, in
 * SYN_SENT, because it does not acknowledge the SYN). */
static void check_rst_ignored(struct sim *s, const struct rst_case *c,
			      const char *why)
{
	if (s->log[0])
		fprintf(stderr, "case %s\n", c->name);
	CHECK_STR_EQ(s->log, "");
	CHECK(s->last.marks & TRACKER_MARK_RST_IGNORED);
	CHECK_STR_EQ(s->last.note_reason,
		     c->rstate == TCPSTATE_SYN_SENT ? "rst_syn_sent_unacceptable" : why);
	CHECK_INT_EQ(sim_state(s, 1, c->receiver), c->rstate);
	CHECK_INT_EQ(tracker_open_connections(s->t), 1);
}

static void test_rst_with_expected_seq_accepted_in_every_state(void)
{
	for (size_t i = 0; i < NCASES; i++) {
		const struct rst_case *c = &cases[i];
		struct sim s;
		rst_in_case(&s, c, EXACT);
		if (strcmp(s.log, c->accepted) != 0)
			fprintf(stderr, "case %s\n", c->name);
		CHECK_STR_EQ(s.log, c->accepted);
		CHECK(!(s.last.marks & TRACKER_MARK_RST_IGNORED));
		CHECK(s.last.note == NULL);
		/* both closed: released with its summary */
		CHECK_INT_EQ(sim_open_after_linger(&s), 0);
		CHECK_INT_EQ(s.nsum, 1);
		CHECK_INT_EQ(s.sum.reset_by, 1 - c->receiver);
		CHECK_INT_EQ(s.sum.rst[1 - c->receiver], 1);
		CHECK(!s.bad);
		sim_free(&s);
	}
}

static void test_rst_in_window_not_exact_ignored_in_every_state(void)
{
	for (size_t i = 0; i < NCASES; i++) {
		const struct rst_case *c = &cases[i];
		struct sim s;
		rst_in_case(&s, c, IN_WINDOW);
		check_rst_ignored(&s, c, "rst_not_exact");
		CHECK(s.last.note && strstr(s.last.note, "RFC"));
		/* the RST the challenge ACK asks for is then accepted */
		send_rst(&s, c, EXACT);
		CHECK_STR_EQ(s.log, c->accepted);
		CHECK_INT_EQ(sim_open_after_linger(&s), 0);
		sim_free(&s);
	}
}

static void test_rst_out_of_window_ignored_in_every_state(void)
{
	for (size_t i = 0; i < NCASES; i++) {
		const struct rst_case *c = &cases[i];
		struct sim s;
		rst_in_case(&s, c, OUT_OF_WINDOW);
		check_rst_ignored(&s, c, "rst_out_of_window");
		CHECK_INT_EQ(sim_state(&s, 1, 1 - c->receiver), c->sstate);
		sim_finish(&s);
		CHECK_INT_EQ(s.sum.reset_by, -1);
		sim_free(&s);
	}
}

/* close() with unread data: lwIP and Linux answer the peer's FIN with
 * RST+ACK that acknowledges it, so the FIN arrived first (CLOSE_WAIT). */
static void test_rst_acking_fin_shows_close_wait_first(void)
{
	struct sim s;
	sim_init(&s, 0);
	to_established(&s);
	sim_send(&s, 0, FIN | ACK, 0);
	sim_clear_log(&s);
	sim_raw(&s, 1, RST | ACK, s.nxt[1], s.nxt[0], 0, 0);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "S CLOSE_WAIT>CLOSED rst_sent; "
			    "C FIN_WAIT_1>CLOSED rst_rcvd");
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK(!s.bad);
	sim_free(&s);
}

/* The client aborts its connect before any answer: the server, never
 * heard from, is not shown at all. */
static void test_rst_from_client_before_answer(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_clear_log(&s);
	sim_raw(&s, 0, RST, 1001, 0, 0, 0);
	CHECK_STR_EQ(s.log, "C SYN_SENT>CLOSED rst_sent");
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_CLOSED);
	sim_free(&s);
}

/* A RST whose sequence number equals what the receiver last
 * acknowledged (its RCV.NXT) is exact even if we saw less data. */
static void test_rst_matching_receivers_ack_accepted(void)
{
	struct sim s;
	sim_init(&s, 0);
	to_established(&s);
	/* the client acknowledges 30 server bytes the capture missed */
	sim_send_ack(&s, 0, ACK, 0, s.nxt[1] + 30);
	sim_clear_log(&s);
	sim_raw(&s, 1, RST, s.nxt[1] + 30, 0, 0, 0);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>CLOSED rst_sent; "
			    "C ESTABLISHED>CLOSED rst_rcvd");
	sim_free(&s);
}

/* Out-of-window RSTs stay ignored after window scaling: a scaled
 * window widens what counts as "in the window". */
static void test_rst_window_uses_scaled_window(void)
{
	struct sim s;
	sim_init(&s, 0);
	struct segment seg;
	sim_build(&s, &seg, 0, SYN, 1000, 0, 0, 65535);
	seg.opts.has_wscale = true;
	seg.opts.wscale = 7;
	sim_feed(&s, &seg);
	sim_build(&s, &seg, 1, SYN | ACK, 5000, 1001, 0, 65535);
	seg.opts.has_wscale = true;
	seg.opts.wscale = 7;
	sim_feed(&s, &seg);
	/* client's window: 1000 << 7 = 128000 bytes */
	sim_raw(&s, 0, ACK, 1001, 5001, 0, 1000);
	sim_clear_log(&s);
	sim_raw(&s, 1, RST, 5001 + 100000, 0, 0, 0);
	CHECK_STR_EQ(s.last.note_reason, "rst_not_exact");
	sim_raw(&s, 1, RST, 5001 + 200000, 0, 0, 0);
	CHECK_STR_EQ(s.last.note_reason, "rst_out_of_window");
	CHECK_STR_EQ(s.log, "");
	sim_free(&s);
}

int main(void)
{
	RUN(test_rst_with_expected_seq_accepted_in_every_state);
	RUN(test_rst_in_window_not_exact_ignored_in_every_state);
	RUN(test_rst_out_of_window_ignored_in_every_state);
	RUN(test_rst_acking_fin_shows_close_wait_first);
	RUN(test_rst_from_client_before_answer);
	RUN(test_rst_matching_receivers_ack_accepted);
	RUN(test_rst_window_uses_scaled_window);
	CHECK_EXIT();
}
