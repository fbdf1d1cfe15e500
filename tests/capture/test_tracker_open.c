/* Opening a connection: the three-way handshake seen from both endpoints,
 * simultaneous open, refused and unanswered SYNs, handshakes the capture
 * only saw part of. */
#include "check.h"
#include "tracker_sim.h"

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define RST TCPF_RST

static void test_handshake_moves_client_then_server(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	CHECK_STR_EQ(s.log, "C CLOSED>SYN_SENT active_open");
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(s.last.from_endpoint, 0);
	sim_clear_log(&s);
	sim_send(&s, 1, SYN | ACK, 0);
	CHECK_STR_EQ(s.log, "S CLOSED>LISTEN listen_inferred; "
			    "S LISTEN>SYN_RCVD passive_open; "
			    "C SYN_SENT>ESTABLISHED synack_rcvd");
	CHECK_INT_EQ(s.last.from_endpoint, 1);
	sim_clear_log(&s);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S SYN_RCVD>ESTABLISHED handshake_ack_rcvd");
	CHECK(!s.bad);
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	sim_finish(&s);
	CHECK_INT_EQ(s.nsum, 1);
	CHECK(s.sum.handshake);
	CHECK(!s.sum.mid_stream);
	CHECK_INT_EQ(s.sum.syn[0], 1);
	CHECK_INT_EQ(s.sum.synack[1], 1);
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_ESTABLISHED);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_ESTABLISHED);
	CHECK_INT_EQ(s.sum.first_pkt, 1);
	CHECK_INT_EQ(s.sum.last_pkt, 3);
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	sim_free(&s);
}

/* The server's LISTEN and SYN_RCVD are shown from the moment the SYN
 * arrived: the events carry the SYN's packet number and time, and the
 * causes name the SYN. */
static void test_server_listen_dated_at_syn(void)
{
	struct sim s;
	sim_init(&s, 0);
	int64_t syn_ts = s.ts;
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN | ACK, 0);
	CHECK_INT_EQ(s.nevs, 4);
	CHECK_INT_EQ(s.evs[1].pkt, 1);
	CHECK_INT_EQ(s.evs[1].ts_ns, syn_ts);
	CHECK_INT_EQ(s.evs[1].u.state.endpoint, 1);
	CHECK_STR_EQ(s.evs[1].u.state.cause, "rcvd SYN");
	CHECK_INT_EQ(s.evs[2].pkt, 1);
	CHECK_STR_EQ(s.evs[2].u.state.cause, "rcvd SYN");
	CHECK_INT_EQ(s.evs[3].pkt, 2);
	CHECK_STR_EQ(s.evs[3].u.state.cause, "rcvd SYN-ACK");
	CHECK_STR_EQ(s.evs[0].u.state.cause, "sent SYN");
	/* the event names the endpoints: [0] client, [1] server */
	CHECK_INT_EQ(s.evs[0].port[0], 49152);
	CHECK_INT_EQ(s.evs[0].port[1], 8888);
	CHECK_INT_EQ(s.evs[0].addr[1][3], 2);
	CHECK_INT_EQ(s.evs[0].ip_version, 4);
	CHECK(!s.evs[0].u.state.by_timer);
	sim_free(&s);
}

static void test_retransmitted_syn_is_no_new_connection(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	s.ts += 1000000000; /* 1 s RTO */
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	s.ts += 2000000000;
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	CHECK_STR_EQ(s.log, "C CLOSED>SYN_SENT active_open");
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	/* the answer to the third SYN still completes the same connection;
	 * the server is shown listening since the first SYN */
	sim_send(&s, 1, SYN | ACK, 0);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(s.evs[1].pkt, 1);
	CHECK_INT_EQ(sim_state(&s, 1, 0), TCPSTATE_ESTABLISHED);
	sim_finish(&s);
	CHECK_INT_EQ(s.sum.syn[0], 3);
	CHECK_INT_EQ(s.sum.retransmissions[0], 2);
	CHECK(!s.bad);
	sim_free(&s);
}

/* Nobody answers: we cannot know a server exists, so it stays CLOSED. */
static void test_unanswered_syn_leaves_server_closed(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	s.ts += 3000000000LL;
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	sim_finish(&s);
	CHECK_STR_EQ(s.log, "C CLOSED>SYN_SENT active_open");
	CHECK_INT_EQ(s.nsum, 1);
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_SYN_SENT);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_CLOSED);
	CHECK(!s.sum.handshake);
	CHECK_INT_EQ(s.sum.syn[0], 3);
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	sim_free(&s);
}

/* SYN answered by RST+ACK: the port is closed, the server never listened. */
static void test_refused_syn_answered_by_rst(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_clear_log(&s);
	sim_raw(&s, 1, RST | ACK, 0, 1001, 0, 0);
	CHECK_STR_EQ(s.log, "C SYN_SENT>CLOSED refused");
	CHECK_STR_EQ(s.last_state.u.state.cause, "rcvd RST");
	CHECK(!(s.last.marks & TRACKER_MARK_RST_IGNORED));
	/* both closed: released at once, with its summary */
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK_INT_EQ(s.nsum, 1);
	CHECK_INT_EQ(s.sum.reset_by, 1);
	CHECK_INT_EQ(s.sum.rst[1], 1);
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_CLOSED);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_CLOSED);
	CHECK(!s.bad);
	sim_free(&s);
}

/* RFC 9293 3.10.7.3: in SYN_SENT, a RST counts only if it ACKs our SYN. */
static void test_refusal_rst_with_wrong_ack_is_ignored(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_clear_log(&s);
	sim_raw(&s, 1, RST | ACK, 0, 777, 0, 0);
	CHECK_STR_EQ(s.log, "");
	CHECK(s.last.marks & TRACKER_MARK_RST_IGNORED);
	CHECK_STR_EQ(s.last.note_reason, "rst_syn_sent_unacceptable");
	CHECK(s.last.note != NULL);
	sim_raw(&s, 1, RST, 0, 0, 0, 0); /* no ACK bit at all */
	CHECK(s.last.marks & TRACKER_MARK_RST_IGNORED);
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	sim_free(&s);
}

/* RFC 9293 figure 8: both SYNs cross on the wire. */
static void test_simultaneous_open(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN, 0);
	CHECK_STR_EQ(s.log, "C CLOSED>SYN_SENT active_open; "
			    "S CLOSED>SYN_SENT active_open; "
			    "S SYN_SENT>SYN_RCVD simultaneous_open; "
			    "C SYN_SENT>SYN_RCVD simultaneous_open");
	sim_clear_log(&s);
	/* each answers with SYN-ACK (same ISN again) */
	sim_raw(&s, 0, SYN | ACK, 1000, 5001, 0, 8192);
	CHECK_STR_EQ(s.log, "S SYN_RCVD>ESTABLISHED simultaneous_open_established");
	sim_clear_log(&s);
	sim_raw(&s, 1, SYN | ACK, 5000, 1001, 0, 8192);
	CHECK_STR_EQ(s.log, "C SYN_RCVD>ESTABLISHED simultaneous_open_established");
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	/* data then flows normally and a close works */
	sim_send(&s, 0, ACK | TCPF_PSH, 10);
	sim_send(&s, 1, ACK, 0);
	sim_clear_log(&s);
	sim_close_by(&s, 1);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>FIN_WAIT_1 active_close; "
			    "C ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "S FIN_WAIT_1>FIN_WAIT_2 fin_acked; "
			    "C CLOSE_WAIT>LAST_ACK passive_close; "
			    "S FIN_WAIT_2>TIME_WAIT fin_rcvd_fin_wait_2; "
			    "C LAST_ACK>CLOSED last_ack_acked");
	sim_finish(&s);
	CHECK(s.sum.handshake);
	CHECK(!s.bad);
	CHECK_INT_EQ(tracker_illegal_transitions(s.t), 0);
	sim_free(&s);
}

/* The capture starts at the SYN-ACK. */
static void test_synack_first_infers_the_missed_syn(void)
{
	struct sim s;
	sim_init(&s, 0);
	/* the server sends first here: endpoint 1 is still the server */
	sim_raw(&s, 1, SYN | ACK, 5000, 1001, 0, 8192);
	CHECK_INT_EQ(s.last.from_endpoint, 1);
	CHECK_STR_EQ(s.log, "S CLOSED>LISTEN syn_not_captured_listen; "
			    "S LISTEN>SYN_RCVD syn_not_captured_server; "
			    "C CLOSED>SYN_SENT syn_not_captured_client; "
			    "C SYN_SENT>ESTABLISHED synack_rcvd");
	sim_clear_log(&s);
	sim_raw(&s, 0, ACK, 1001, 5001, 0, 8192);
	CHECK_STR_EQ(s.log, "S SYN_RCVD>ESTABLISHED handshake_ack_rcvd");
	CHECK_INT_EQ(s.last.rel_seq, 1);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	sim_finish(&s);
	CHECK(s.sum.mid_stream);
	CHECK(!s.sum.handshake);
	CHECK(!s.bad);
	sim_free(&s);
}

/* The SYN-ACK was not captured, but the client's ACK shows it came. */
static void test_missed_synack_inferred_from_client_ack(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_clear_log(&s);
	sim_raw(&s, 0, ACK, 1001, 5001, 0, 8192);
	CHECK_STR_EQ(s.log, "S CLOSED>LISTEN listen_inferred; "
			    "S LISTEN>SYN_RCVD passive_open; "
			    "C SYN_SENT>ESTABLISHED synack_not_captured; "
			    "S SYN_RCVD>ESTABLISHED handshake_ack_rcvd");
	CHECK(!s.bad);
	sim_free(&s);
}

/* The final ACK of the handshake is lost: the server retransmits its
 * SYN-ACK; the client's data later completes the server's side. */
static void test_lost_handshake_ack_then_data(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN | ACK, 0);
	sim_clear_log(&s);
	s.ts += 1000000000;
	sim_raw(&s, 1, SYN | ACK, 5000, 1001, 0, 8192);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	CHECK_STR_EQ(s.log, "");
	sim_send(&s, 0, ACK | TCPF_PSH, 5);
	CHECK_STR_EQ(s.log, "S SYN_RCVD>ESTABLISHED handshake_ack_rcvd");
	CHECK(!s.bad);
	sim_free(&s);
}

/* RFC 9293 figure 5: SYN_RCVD -> FIN_WAIT_1 on close. */
static void test_close_in_syn_rcvd_sends_fin(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN | ACK, 0);
	sim_clear_log(&s);
	/* the server sends FIN before the client's ACK arrived */
	sim_send_ack(&s, 1, FIN | ACK, 0, 1001);
	/* the client's CLOSE_WAIT waits for its answer (it may be sending a
	 * FIN of its own at the same moment) */
	CHECK_STR_EQ(s.log, "S SYN_RCVD>FIN_WAIT_1 close_in_syn_rcvd");
	sim_clear_log(&s);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "S FIN_WAIT_1>FIN_WAIT_2 fin_acked");
	CHECK(!s.bad);
	sim_free(&s);
}

/* RFC 9293 3.10.7.4: a RST in SYN_RCVD returns a passive open to LISTEN. */
static void test_rst_in_syn_rcvd_returns_server_to_listen(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN | ACK, 0);
	sim_clear_log(&s);
	sim_raw(&s, 0, RST | ACK, 1001, 5001, 0, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>CLOSED rst_sent; "
			    "S SYN_RCVD>LISTEN rst_rcvd_syn_rcvd");
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_LISTEN);
	CHECK(!s.bad);
	sim_free(&s);
}

/* TCP Fast Open (RFC 7413): data in the SYN, the SYN-ACK acknowledges
 * it too; an ACK beyond what was sent is not acceptable. */
static void test_fast_open_synack_acks_syn_data(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 5);
	CHECK_INT_EQ(s.nxt[0], 1006);
	sim_clear_log(&s);
	sim_raw(&s, 1, SYN | ACK, 5000, 1007, 0, 8192); /* too far */
	CHECK_STR_EQ(s.log, "S CLOSED>LISTEN listen_inferred; "
			    "S LISTEN>SYN_RCVD passive_open");
	sim_clear_log(&s);
	sim_raw(&s, 1, SYN | ACK, 5000, 1006, 0, 8192);
	CHECK_STR_EQ(s.log, "C SYN_SENT>ESTABLISHED synack_rcvd");
	CHECK(!s.bad);
	sim_free(&s);
}

/* A SYN scan: the SYN-ACK is answered by a bare RST, not an ACK. The
 * client had been shown ESTABLISHED when the SYN-ACK arrived; the reason
 * says the SYN-ACK was in fact never accepted. */
static void test_synack_answered_by_bare_rst(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN | ACK, 0);
	sim_clear_log(&s);
	sim_raw(&s, 0, RST, 1001, 0, 0, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>CLOSED synack_answered_by_rst; "
			    "S SYN_RCVD>LISTEN rst_rcvd_syn_rcvd");
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_LISTEN);
	CHECK(!s.bad);
	sim_free(&s);
	/* after an ACK, a RST is a plain abort */
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_clear_log(&s);
	sim_raw(&s, 0, RST, 1001, 0, 0, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>CLOSED rst_sent; "
			    "S ESTABLISHED>CLOSED rst_rcvd");
	CHECK(!s.bad);
	sim_free(&s);
}

int main(void)
{
	RUN(test_handshake_moves_client_then_server);
	RUN(test_server_listen_dated_at_syn);
	RUN(test_retransmitted_syn_is_no_new_connection);
	RUN(test_unanswered_syn_leaves_server_closed);
	RUN(test_refused_syn_answered_by_rst);
	RUN(test_refusal_rst_with_wrong_ack_is_ignored);
	RUN(test_simultaneous_open);
	RUN(test_synack_first_infers_the_missed_syn);
	RUN(test_missed_synack_inferred_from_client_ack);
	RUN(test_lost_handshake_ack_then_data);
	RUN(test_close_in_syn_rcvd_sends_fin);
	RUN(test_rst_in_syn_rcvd_returns_server_to_listen);
	RUN(test_fast_open_synack_acks_syn_data);
	RUN(test_synack_answered_by_bare_rst);
	CHECK_EXIT();
}
