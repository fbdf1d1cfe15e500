/* Closing a connection: active and passive close on either side, FIN+ACK
 * in one segment, half-close with data still flowing, simultaneous close,
 * retransmitted FINs and lost final ACKs, TIME_WAIT and its 2 x MSL timer,
 * port reuse, and memory going back to zero. */
#include "check.h"
#include "tracker_sim.h"

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define PSH TCPF_PSH

#define SEC 1000000000LL

static void test_active_close_by_client(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_clear_log(&s);
	sim_send(&s, 0, FIN | ACK, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>FIN_WAIT_1 active_close");
	sim_send(&s, 1, ACK, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>FIN_WAIT_1 active_close; "
			    "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "C FIN_WAIT_1>FIN_WAIT_2 fin_acked");
	/* CLOSE_WAIT is dated at the FIN (packet 4), not at the ACK */
	CHECK_INT_EQ(s.evs[s.nevs - 2].pkt, 4);
	CHECK_INT_EQ(s.evs[s.nevs - 1].pkt, 5);
	sim_clear_log(&s);
	int64_t tw_at = s.ts;
	sim_send(&s, 1, FIN | ACK, 0);
	CHECK_STR_EQ(s.log, "S CLOSE_WAIT>LAST_ACK passive_close; "
			    "C FIN_WAIT_2>TIME_WAIT fin_rcvd_fin_wait_2");
	sim_clear_log(&s);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S LAST_ACK>CLOSED last_ack_acked");
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	CHECK_INT_EQ(s.nsum, 0);
	sim_clear_log(&s);
	/* TIME_WAIT lasts 2 x 60 s by default: nothing a nanosecond before */
	sim_advance(&s, tw_at + 120 * SEC - 1 - s.ts);
	CHECK_STR_EQ(s.log, "");
	sim_advance(&s, 1);
	CHECK_STR_EQ(s.log, "C TIME_WAIT>CLOSED time_wait_expired");
	CHECK(s.last_state.u.state.by_timer);
	CHECK_STR_EQ(s.last_state.u.state.cause, "2MSL timer");
	CHECK_INT_EQ(s.last_state.ts_ns, tw_at + 120 * SEC);
	CHECK_INT_EQ(s.last_state.pkt, 7); /* the last frame seen */
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK_INT_EQ(s.nsum, 1);
	CHECK_INT_EQ(s.sum.closed_by, 0);
	CHECK_INT_EQ(s.sum.reset_by, -1);
	CHECK_INT_EQ(s.sum.fin[0], 1);
	CHECK_INT_EQ(s.sum.fin[1], 1);
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_CLOSED);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_CLOSED);
	CHECK(!s.bad);
	sim_free(&s);
}

/* The article's server closes first and ends in TIME_WAIT. */
static void test_active_close_by_server(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, PSH | ACK, 20);
	sim_send(&s, 1, PSH | ACK, 26);
	sim_clear_log(&s);
	sim_close_by(&s, 1);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>FIN_WAIT_1 active_close; "
			    "C ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "S FIN_WAIT_1>FIN_WAIT_2 fin_acked; "
			    "C CLOSE_WAIT>LAST_ACK passive_close; "
			    "S FIN_WAIT_2>TIME_WAIT fin_rcvd_fin_wait_2; "
			    "C LAST_ACK>CLOSED last_ack_acked");
	sim_clear_log(&s);
	sim_advance(&s, 121 * SEC);
	CHECK_STR_EQ(s.log, "S TIME_WAIT>CLOSED time_wait_expired");
	CHECK_INT_EQ(s.sum.closed_by, 1);
	CHECK_INT_EQ(s.sum.bytes[0], 20);
	CHECK_INT_EQ(s.sum.bytes[1], 26);
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	sim_free(&s);
}

/* The passive closer's FIN carries the ACK of the first FIN: FIN_WAIT_1
 * goes straight to TIME_WAIT (RFC 9293 3.10.7.4, FIN bit, FIN-WAIT-1). */
static void test_fin_with_ack_of_fin_goes_to_time_wait(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, FIN | ACK, 0);
	sim_clear_log(&s);
	sim_send(&s, 1, FIN | ACK, 0);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "S CLOSE_WAIT>LAST_ACK passive_close; "
			    "C FIN_WAIT_1>TIME_WAIT fin_ack_rcvd");
	CHECK_STR_EQ(s.last_state.u.state.cause, "rcvd FIN+ACK");
	sim_clear_log(&s);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S LAST_ACK>CLOSED last_ack_acked");
	CHECK(!s.bad);
	sim_free(&s);
}

/* shutdown(SHUT_WR): the closer keeps receiving; data segments change
 * no state. */
static void test_half_close_with_data_still_flowing(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, PSH | ACK, 100);
	sim_send(&s, 0, FIN | ACK, 0);
	sim_clear_log(&s);
	sim_send(&s, 1, PSH | ACK, 1000);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "C FIN_WAIT_1>FIN_WAIT_2 fin_acked");
	sim_clear_log(&s);
	for (int i = 0; i < 5; i++) {
		sim_send(&s, 1, PSH | ACK, 1000);
		sim_send(&s, 0, ACK, 0);
	}
	CHECK_STR_EQ(s.log, "");
	CHECK_INT_EQ(sim_state(&s, 1, 0), TCPSTATE_FIN_WAIT_2);
	CHECK_INT_EQ(sim_state(&s, 1, 1), TCPSTATE_CLOSE_WAIT);
	sim_send(&s, 1, FIN | PSH | ACK, 10);
	CHECK_STR_EQ(s.log, "S CLOSE_WAIT>LAST_ACK passive_close; "
			    "C FIN_WAIT_2>TIME_WAIT fin_rcvd_fin_wait_2");
	sim_send(&s, 0, ACK, 0);
	sim_finish(&s);
	CHECK_INT_EQ(s.sum.bytes[1], 6010);
	CHECK_INT_EQ(s.sum.bytes[0], 100);
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_TIME_WAIT);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_CLOSED);
	CHECK(!s.bad);
	sim_free(&s);
}

/* Data sent before the FIN arrived (its ACK does not cover the FIN)
 * leaves the receiver ESTABLISHED until it shows it got the FIN. */
static void test_fin_receipt_waits_for_receivers_ack(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, FIN | ACK, 0);
	sim_clear_log(&s);
	sim_send_ack(&s, 1, PSH | ACK, 50, s.nxt[0] - 1);
	CHECK_STR_EQ(s.log, "");
	CHECK_INT_EQ(sim_state(&s, 1, 1), TCPSTATE_ESTABLISHED);
	sim_send(&s, 1, ACK, 0);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "C FIN_WAIT_1>FIN_WAIT_2 fin_acked");
	CHECK_INT_EQ(s.evs[s.nevs - 2].pkt, 4);
	sim_free(&s);
}

/* RFC 9293 figure 13: both FINs on the wire at once. */
static void test_simultaneous_close(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_clear_log(&s);
	sim_send(&s, 0, FIN | ACK, 0);
	/* the server's FIN does not acknowledge the client's: it was sent
	 * before that one arrived */
	sim_send_ack(&s, 1, FIN | ACK, 0, s.nxt[0] - 1);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>FIN_WAIT_1 active_close; "
			    "S ESTABLISHED>FIN_WAIT_1 active_close; "
			    "S FIN_WAIT_1>CLOSING simultaneous_close; "
			    "C FIN_WAIT_1>CLOSING simultaneous_close");
	sim_clear_log(&s);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S CLOSING>TIME_WAIT closing_acked");
	sim_clear_log(&s);
	sim_send(&s, 1, ACK, 0);
	CHECK_STR_EQ(s.log, "C CLOSING>TIME_WAIT closing_acked");
	sim_clear_log(&s);
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	sim_advance(&s, 120 * SEC);
	CHECK_STR_EQ(s.log, "S TIME_WAIT>CLOSED time_wait_expired; "
			    "C TIME_WAIT>CLOSED time_wait_expired");
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK_INT_EQ(s.sum.closed_by, 0);
	CHECK(!s.bad);
	sim_free(&s);
}

/* Simultaneous close where the ACKs of the FINs arrive in the same
 * segments order as the FINs. */
static void test_simultaneous_close_server_first(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_clear_log(&s);
	sim_send(&s, 1, FIN | ACK, 0);
	sim_send_ack(&s, 0, FIN | ACK, 0, s.nxt[1] - 1);
	sim_send(&s, 1, ACK, 0);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>FIN_WAIT_1 active_close; "
			    "C ESTABLISHED>FIN_WAIT_1 active_close; "
			    "C FIN_WAIT_1>CLOSING simultaneous_close; "
			    "S FIN_WAIT_1>CLOSING simultaneous_close; "
			    "C CLOSING>TIME_WAIT closing_acked; "
			    "S CLOSING>TIME_WAIT closing_acked");
	CHECK(!s.bad);
	sim_free(&s);
}

static void test_retransmitted_fin_changes_nothing(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	uint32_t fin_seq = s.nxt[0];
	sim_send(&s, 0, FIN | ACK, 0);
	sim_clear_log(&s);
	s.ts += 300000000; /* RTO */
	sim_raw(&s, 0, FIN | ACK, fin_seq, s.nxt[1], 0, 8192);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	CHECK_STR_EQ(s.log, "");
	sim_send(&s, 1, ACK, 0);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "C FIN_WAIT_1>FIN_WAIT_2 fin_acked");
	/* dated at the first FIN */
	CHECK_INT_EQ(s.evs[s.nevs - 2].pkt, 4);
	sim_finish(&s);
	CHECK_INT_EQ(s.sum.fin[0], 2);
	CHECK_INT_EQ(s.sum.retransmissions[0], 1);
	sim_free(&s);
}

/* The last ACK never reaches the wire: the passive closer retransmits its
 * FIN; TIME_WAIT restarts its 2 MSL timer (RFC 9293 3.10.7.4). */
static void test_lost_final_ack_restarts_time_wait(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, FIN | ACK, 0);
	sim_send(&s, 1, ACK, 0);
	uint32_t fin_seq = s.nxt[1];
	sim_send(&s, 1, FIN | ACK, 0);
	CHECK_INT_EQ(sim_state(&s, 1, 0), TCPSTATE_TIME_WAIT);
	sim_clear_log(&s);
	s.ts += 30 * SEC;
	int64_t refin = s.ts;
	sim_raw(&s, 1, FIN | ACK, fin_seq, s.nxt[0], 0, 8192);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	CHECK_STR_EQ(s.log, "");
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S LAST_ACK>CLOSED last_ack_acked");
	sim_clear_log(&s);
	/* 2 MSL after the first FIN: still waiting (restarted) */
	sim_advance(&s, refin + 120 * SEC - 1 - s.ts);
	CHECK_STR_EQ(s.log, "");
	sim_advance(&s, 1);
	CHECK_STR_EQ(s.log, "C TIME_WAIT>CLOSED time_wait_expired");
	CHECK_INT_EQ(s.last_state.ts_ns, refin + 120 * SEC);
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK(!s.bad);
	sim_free(&s);
}

/* The last ACK crossed the capture point but was lost after it: the
 * passive closer, already shown CLOSED, retransmits its FIN. Same
 * connection, no state change, TIME_WAIT restarted. */
static void test_final_ack_lost_after_capture_point(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_close_by(&s, 0);
	CHECK_INT_EQ(sim_state(&s, 1, 1), TCPSTATE_CLOSED);
	sim_clear_log(&s);
	s.ts += 10 * SEC;
	int64_t refin = s.ts;
	sim_raw(&s, 1, FIN | ACK, s.nxt[1] - 1, s.nxt[0], 0, 8192);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	sim_send(&s, 0, ACK, 0);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_STR_EQ(s.log, "");
	sim_advance(&s, refin + 120 * SEC - s.ts);
	CHECK_STR_EQ(s.log, "C TIME_WAIT>CLOSED time_wait_expired");
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	sim_free(&s);
}

static void test_time_wait_follows_configured_msl(void)
{
	struct sim s;
	sim_init(&s, 1 * SEC);
	sim_handshake(&s);
	sim_close_by(&s, 0);
	sim_clear_log(&s);
	sim_advance(&s, 1 * SEC);
	CHECK_STR_EQ(s.log, "");
	sim_advance(&s, 1 * SEC);
	CHECK_STR_EQ(s.log, "C TIME_WAIT>CLOSED time_wait_expired");
	sim_free(&s);
}

/* A segment long after the deadline fires the timer before it is
 * tracked, even if the caller did not call tracker_advance. */
static void test_timer_fires_before_later_segment(void)
{
	struct sim s;
	sim_init(&s, 1 * SEC);
	sim_handshake(&s);
	sim_close_by(&s, 0);
	struct segment seg;
	sim_build(&s, &seg, 1, ACK, 1, 1, 0, 100);
	seg.pkt = 99;
	seg.ts_ns = s.ts + 5 * SEC;
	struct tracker_seginfo info;
	CHECK(tracker_input(s.t, &seg, &info));
	struct tracker_event ev;
	CHECK(tracker_next_event(s.t, &ev));
	CHECK_INT_EQ(ev.type, TRACKER_EV_STATE);
	CHECK_INT_EQ(ev.u.state.to, TCPSTATE_CLOSED);
	CHECK_STR_EQ(ev.u.state.reason, "time_wait_expired");
	CHECK(tracker_next_event(s.t, &ev));
	CHECK_INT_EQ(ev.type, TRACKER_EV_CONN);
	CHECK_INT_EQ(ev.conn, 1);
	/* the stray ACK afterwards is a new (mid-stream) connection */
	CHECK_INT_EQ(info.conn, 2);
	sim_free(&s);
}

/* A new SYN from the endpoint in TIME_WAIT reuses the port pair. */
static void test_port_reuse_by_time_wait_endpoint(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_close_by(&s, 0);
	sim_clear_log(&s);
	s.nxt[0] = 900000;
	s.nxt[1] = 700000;
	sim_send(&s, 0, SYN, 0);
	CHECK_STR_EQ(s.log, "C TIME_WAIT>CLOSED time_wait_reused; "
			    "C CLOSED>SYN_SENT active_open");
	CHECK_INT_EQ(s.evs[s.nevs - 2].conn, 1);
	CHECK_STR_EQ(s.evs[s.nevs - 2].u.state.cause, "sent SYN (port reused)");
	CHECK_INT_EQ(s.evs[s.nevs - 1].conn, 2);
	CHECK_INT_EQ(s.last.conn, 2);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	CHECK_INT_EQ(s.nsum, 1);
	CHECK_INT_EQ(s.sum_conn, 1);
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	sim_clear_log(&s);
	sim_send(&s, 1, SYN | ACK, 0);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S CLOSED>LISTEN listen_inferred; "
			    "S LISTEN>SYN_RCVD passive_open; "
			    "C SYN_SENT>ESTABLISHED synack_rcvd; "
			    "S SYN_RCVD>ESTABLISHED handshake_ack_rcvd");
	CHECK_INT_EQ(s.last.conn, 2);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	CHECK(!s.bad);
	sim_free(&s);
}

/* The server closed first (it is in TIME_WAIT) and the client connects
 * again from the same port. */
static void test_port_reuse_while_peer_in_time_wait(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_close_by(&s, 1);
	sim_clear_log(&s);
	s.nxt[0] = 123456;
	sim_send(&s, 0, SYN, 0);
	CHECK_STR_EQ(s.log, "S TIME_WAIT>CLOSED time_wait_reused; "
			    "C CLOSED>SYN_SENT active_open");
	CHECK_STR_EQ(s.evs[s.nevs - 2].u.state.cause, "rcvd SYN (port reused)");
	CHECK_INT_EQ(s.last.conn, 2);
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	sim_free(&s);
}

/* A SYN in an open connection is not a new connection (RFC 5961 4.2). */
static void test_syn_in_established_is_not_reuse(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_clear_log(&s);
	sim_raw(&s, 0, SYN, 424242, 0, 0, 8192);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_STR_EQ(s.log, "");
	sim_free(&s);
}

/* A port reuse after a crash (or a NAT rebinding): on an ESTABLISHED
 * connection the client sends a SYN with a new ISN, twice, and the server
 * answers it with a SYN-ACK: the old connection is superseded at the SYN's
 * frame, the SYN and its retransmission move to a new connection (new id),
 * and each summary counts only its own frames (docs/states.md). */
static void test_new_isn_syn_answered_supersedes_connection(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, ACK, 10);
	sim_clear_log(&s);
	s.nxt[0] = 424242;
	s.nxt[1] = 777777;
	sim_send(&s, 0, SYN, 0);
	uint64_t syn_pkt = s.pkt;
	int64_t syn_ts = s.ts - s.step;
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	CHECK_STR_EQ(s.last.note_reason, "syn_new_isn");
	CHECK_INT_EQ(s.last.marks, 0);
	sim_raw(&s, 0, SYN, 424242, 0, 0, s.win[0]);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	CHECK_INT_EQ(s.last.marks, TRACKER_MARK_RETRANSMISSION);
	CHECK_STR_EQ(s.log, "");
	CHECK_INT_EQ(s.nsum, 0);

	sim_send(&s, 1, SYN | ACK, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>CLOSED superseded; "
			    "S ESTABLISHED>CLOSED superseded; "
			    "C CLOSED>SYN_SENT active_open; "
			    "S CLOSED>LISTEN listen_inferred; "
			    "S LISTEN>SYN_RCVD passive_open; "
			    "C SYN_SENT>ESTABLISHED synack_rcvd");
	for (unsigned i = 0; i < 2; i++) {
		const struct tracker_event *ev = &s.evs[s.nevs - 6 + i];
		CHECK_INT_EQ(ev->conn, 1);
		CHECK_INT_EQ(ev->pkt, syn_pkt);
		CHECK_INT_EQ(ev->ts_ns, syn_ts);
		CHECK_STR_EQ(ev->u.state.cause, "superseded by a new handshake");
	}
	CHECK_INT_EQ(s.evs[s.nevs - 4].conn, 2);
	CHECK_INT_EQ(s.evs[s.nevs - 4].pkt, syn_pkt);
	CHECK_INT_EQ(s.last.conn, 2);
	CHECK_INT_EQ(s.last.from_endpoint, 1);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	CHECK_INT_EQ(s.last.syn_pkt, syn_pkt);
	CHECK_INT_EQ(s.last.syn_conn, 1);
	/* the old one's summary: superseded, without the new SYNs */
	CHECK_INT_EQ(s.nsum, 1);
	CHECK_INT_EQ(s.sum_conn, 1);
	CHECK(s.sum.superseded);
	CHECK(s.sum.handshake);
	CHECK_INT_EQ(s.sum.syn[0], 1);
	CHECK_INT_EQ(s.sum.retransmissions[0], 0);
	CHECK_INT_EQ(s.sum.last_pkt, syn_pkt - 1);
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_CLOSED);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_CLOSED);
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);

	sim_clear_log(&s);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S SYN_RCVD>ESTABLISHED handshake_ack_rcvd");
	CHECK_INT_EQ(s.last.rel_seq, 1);
	CHECK_INT_EQ(s.last.syn_pkt, 0);
	sim_finish(&s);
	CHECK_INT_EQ(s.sum_conn, 2);
	CHECK(!s.sum.superseded);
	CHECK(s.sum.handshake);
	CHECK_INT_EQ(s.sum.syn[0], 2);
	CHECK_INT_EQ(s.sum.retransmissions[0], 1);
	CHECK_INT_EQ(s.sum.first_pkt, syn_pkt);
	CHECK(!s.bad);
	CHECK_INT_EQ(tracker_illegal_transitions(s.t), 0);
	sim_free(&s);
}

/* RFC 9293 figure 11: the SYN with a new ISN is answered by the old
 * connection's ACK (a challenge ACK, RFC 5961 4.2): nothing changes, the
 * SYN stays in the old connection and counts there. */
static void test_new_isn_syn_answered_by_challenge_ack_stays(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	uint32_t old_c = s.nxt[0];
	sim_clear_log(&s);
	sim_raw(&s, 0, SYN, 424242, 0, 0, s.win[0]);
	CHECK_STR_EQ(s.last.note_reason, "syn_new_isn");
	sim_send(&s, 1, ACK, 0); /* acknowledges the old numbers */
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(s.last.syn_pkt, 0);
	CHECK_STR_EQ(s.log, "");
	/* the client resets it with the challenge ACK's ack as seq */
	sim_raw(&s, 0, TCPF_RST, old_c, 0, 0, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>CLOSED rst_sent; S ESTABLISHED>CLOSED rst_rcvd");
	CHECK_INT_EQ(s.nsum, 1);
	CHECK(!s.sum.superseded);
	CHECK_INT_EQ(s.sum.syn[0], 2);
	CHECK_INT_EQ(s.sum.last_pkt, s.pkt);
	/* its SYN again: a new connection, as on any closed one */
	sim_raw(&s, 0, SYN, 424242, 0, 0, s.win[0]);
	CHECK_INT_EQ(s.last.conn, 2);
	CHECK(!s.bad);
	sim_free(&s);
}

/* Unanswered to the end of the capture: counted in the connection it was
 * given to, no state change; a SYN-ACK for another ISN does not take it. */
static void test_new_isn_syn_unanswered_counts_in_old_connection(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_clear_log(&s);
	sim_raw(&s, 0, SYN, 424242, 0, 0, s.win[0]);
	sim_raw(&s, 1, SYN | ACK, 99, 424242 + 7, 0, s.win[1]);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(s.last.syn_pkt, 0);
	CHECK_STR_EQ(s.log, "");
	sim_raw(&s, 0, SYN, 525252, 0, 0, s.win[0]);
	CHECK_STR_EQ(s.last.note_reason, "syn_new_isn");
	sim_finish(&s);
	CHECK_INT_EQ(s.nsum, 1);
	CHECK_INT_EQ(s.sum.syn[0], 3);
	CHECK_INT_EQ(s.sum.last_pkt, s.pkt);
	CHECK(!s.sum.superseded);
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_ESTABLISHED);
	CHECK(!s.bad);
	sim_free(&s);
}

/* Memory follows the open connections: thousands opened, then all
 * closed, and nothing is left. */
static void test_memory_released_after_many_connections(void)
{
	struct sim s;
	sim_init(&s, 0);
	enum { N = 5000 };
	for (int i = 0; i < N; i++) {
		s.port[0] = (uint16_t)(20000 + i);
		s.nxt[0] = 1000 + (uint32_t)i * 7;
		s.nxt[1] = 5000 + (uint32_t)i * 13;
		sim_handshake(&s);
	}
	CHECK_INT_EQ(tracker_open_connections(s.t), N);
	for (int i = 0; i < N; i++) {
		s.port[0] = (uint16_t)(20000 + i);
		/* nxt differs per connection: rebuild it */
		s.nxt[0] = 1000 + (uint32_t)i * 7 + 1;
		s.nxt[1] = 5000 + (uint32_t)i * 13 + 1;
		sim_close_by(&s, i % 2);
		CHECK_INT_EQ(s.last.conn, (uint64_t)i + 1);
	}
	/* the passive closers are gone, the active ones wait in TIME_WAIT */
	CHECK_INT_EQ(tracker_open_connections(s.t), N);
	sim_advance(&s, 121 * SEC);
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK_INT_EQ(s.nsum, N);
	CHECK_INT_EQ(tracker_illegal_transitions(s.t), 0);
	/* aborted ones go at once */
	for (int i = 0; i < 100; i++) {
		s.port[0] = (uint16_t)(40000 + i);
		s.nxt[0] = 1000;
		s.nxt[1] = 5000;
		sim_handshake(&s);
		sim_send(&s, 0, TCPF_RST | ACK, 0);
	}
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK(!s.bad);
	sim_free(&s);
}

/* After an abort, segments already in flight keep the connection's id
 * and relative numbers for one MSL, change no state and open no phantom
 * connection; then the memory goes. */
static void test_stragglers_after_rst_keep_connection(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 1, PSH | ACK, 100);
	sim_raw(&s, 0, TCPF_RST, s.nxt[0], 0, 0, 0);
	CHECK_INT_EQ(s.nsum, 1);
	unsigned events = s.nstate;
	sim_send(&s, 1, PSH | ACK, 100); /* was in flight */
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(s.last.rel_seq, 101);
	CHECK_INT_EQ(s.last.from_endpoint, 1);
	int64_t t_last = s.ts;
	sim_raw(&s, 0, TCPF_RST, s.nxt[0], 0, 0, 0);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_INT_EQ(s.nstate, events);
	CHECK_INT_EQ(s.nsum, 1);
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	/* one MSL after the last straggler it is gone */
	sim_advance(&s, t_last + 60 * SEC - 1 - s.ts);
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	sim_advance(&s, 1);
	CHECK_INT_EQ(tracker_open_connections(s.t), 0);
	sim_send(&s, 1, PSH | ACK, 100);
	CHECK_INT_EQ(s.last.conn, 2);
	sim_free(&s);
}

/* A new SYN on a closed (lingering) connection opens a new one at once;
 * the same SYN again (its ISN already seen) after a refusal reopens the
 * connection (docs/states.md): a retransmission, with its states. */
static void test_syn_on_lingering_connection(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_raw(&s, 1, TCPF_RST | ACK, 0, 1001, 0, 0); /* refused */
	CHECK_INT_EQ(s.nsum, 1);
	sim_clear_log(&s);
	/* the refused SYN tried again, same ISN: the connection reopens */
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	CHECK_STR_EQ(s.log, "C CLOSED>SYN_SENT syn_retried");
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	sim_clear_log(&s);
	/* refused again: a second summary of the same connection */
	sim_raw(&s, 1, TCPF_RST | ACK, 0, 1001, 0, 0);
	CHECK_STR_EQ(s.log, "C SYN_SENT>CLOSED refused");
	CHECK_INT_EQ(s.nsum, 2);
	CHECK_INT_EQ(s.last.conn, 1);
	sim_clear_log(&s);
	/* a new attempt from the same port */
	sim_raw(&s, 0, SYN, 777777, 0, 0, 8192);
	CHECK_INT_EQ(s.last.conn, 2);
	CHECK_STR_EQ(s.log, "C CLOSED>SYN_SENT active_open");
	CHECK_INT_EQ(tracker_open_connections(s.t), 1);
	CHECK(!s.bad);
	sim_free(&s);
}

/* A capture that got the ACK of a FIN before the FIN (on a bridge or a
 * mirror port the two directions can cross: CI's e2e_order once saw the
 * article's last ACK before the client's FIN on br0). The FIN is
 * acknowledged on arrival: the passive closer does not stay in LAST_ACK. */
static void test_ack_of_fin_captured_before_the_fin(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 1, FIN | PSH | ACK, 23); /* the server's reply and FIN */
	sim_clear_log(&s);
	/* the server's ACK of the client's FIN, captured first */
	sim_send_ack(&s, 1, ACK, 0, s.nxt[0] + 1);
	CHECK(s.last.marks & TRACKER_MARK_ACKED_UNSEEN);
	CHECK_STR_EQ(s.log, "");
	sim_send(&s, 0, FIN | ACK, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "C CLOSE_WAIT>LAST_ACK passive_close; "
			    "S FIN_WAIT_1>TIME_WAIT fin_ack_rcvd; "
			    "C LAST_ACK>CLOSED last_ack_acked");
	CHECK_STR_EQ(s.last_state.u.state.cause, "ACK of FIN captured first");
	CHECK_INT_EQ(s.last_state.pkt, s.pkt); /* decided by the FIN's frame */
	/* nothing holds the connection but the server's TIME_WAIT */
	sim_clear_log(&s);
	sim_advance(&s, 121 * SEC);
	CHECK_STR_EQ(s.log, "S TIME_WAIT>CLOSED time_wait_expired");
	CHECK_INT_EQ(s.sum.final_state[0], TCPSTATE_CLOSED);
	CHECK_INT_EQ(s.sum.final_state[1], TCPSTATE_CLOSED);
	CHECK_INT_EQ(sim_open_after_linger(&s), 0);
	CHECK(!s.bad);
	sim_free(&s);
}

/* The same for an active close: the receiver's ACK came first, so the FIN
 * reached it (CLOSE_WAIT now, not when it next sends) and the closer is
 * in FIN_WAIT_2 at once; then the rest of the close as usual. */
static void test_ack_of_first_fin_captured_before_it(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_clear_log(&s);
	sim_send_ack(&s, 1, ACK, 0, s.nxt[0] + 1);
	sim_send(&s, 0, FIN | ACK, 0);
	CHECK_STR_EQ(s.log, "C ESTABLISHED>FIN_WAIT_1 active_close; "
			    "S ESTABLISHED>CLOSE_WAIT fin_rcvd; "
			    "C FIN_WAIT_1>FIN_WAIT_2 fin_acked");
	CHECK_INT_EQ(s.evs[s.nevs - 2].pkt, s.pkt);
	sim_clear_log(&s);
	sim_send(&s, 1, FIN | ACK, 0);
	CHECK_STR_EQ(s.log, "S CLOSE_WAIT>LAST_ACK passive_close; "
			    "C FIN_WAIT_2>TIME_WAIT fin_rcvd_fin_wait_2");
	sim_clear_log(&s);
	sim_send(&s, 0, ACK, 0);
	CHECK_STR_EQ(s.log, "S LAST_ACK>CLOSED last_ack_acked");
	CHECK(!s.bad);
	sim_free(&s);
}

/* Simultaneous close with the client's ACK of the server's FIN captured
 * before that FIN: when it arrives, the server goes FIN_WAIT_1 -> CLOSING
 * (it had the client's FIN) and at once CLOSING -> TIME_WAIT. */
static void test_ack_of_crossing_fin_captured_before_it(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	uint32_t cfin = s.nxt[0], sfin = s.nxt[1];
	sim_send(&s, 0, FIN | ACK, 0);
	sim_clear_log(&s);
	sim_raw(&s, 0, ACK, cfin + 1, sfin + 1, 0, s.win[0]);
	CHECK(s.last.marks & TRACKER_MARK_ACKED_UNSEEN);
	CHECK_STR_EQ(s.log, "");
	/* the server's FIN, sent before the client's reached it */
	sim_raw(&s, 1, FIN | ACK, sfin, cfin, 0, s.win[1]);
	CHECK_STR_EQ(s.log, "S ESTABLISHED>FIN_WAIT_1 active_close; "
			    "S FIN_WAIT_1>CLOSING simultaneous_close; "
			    "C FIN_WAIT_1>CLOSING simultaneous_close; "
			    "S CLOSING>TIME_WAIT closing_acked");
	CHECK_STR_EQ(s.last_state.u.state.cause, "ACK of FIN captured first");
	sim_clear_log(&s);
	sim_raw(&s, 1, ACK, sfin + 1, cfin + 1, 0, s.win[1]);
	CHECK_STR_EQ(s.log, "C CLOSING>TIME_WAIT closing_acked");
	CHECK_STR_EQ(s.last_state.u.state.cause, "rcvd ACK of FIN");
	CHECK(!s.bad);
	sim_free(&s);
}

int main(void)
{
	RUN(test_active_close_by_client);
	RUN(test_active_close_by_server);
	RUN(test_fin_with_ack_of_fin_goes_to_time_wait);
	RUN(test_half_close_with_data_still_flowing);
	RUN(test_fin_receipt_waits_for_receivers_ack);
	RUN(test_simultaneous_close);
	RUN(test_simultaneous_close_server_first);
	RUN(test_retransmitted_fin_changes_nothing);
	RUN(test_lost_final_ack_restarts_time_wait);
	RUN(test_final_ack_lost_after_capture_point);
	RUN(test_time_wait_follows_configured_msl);
	RUN(test_timer_fires_before_later_segment);
	RUN(test_port_reuse_by_time_wait_endpoint);
	RUN(test_port_reuse_while_peer_in_time_wait);
	RUN(test_syn_in_established_is_not_reuse);
	RUN(test_new_isn_syn_answered_supersedes_connection);
	RUN(test_new_isn_syn_answered_by_challenge_ack_stays);
	RUN(test_new_isn_syn_unanswered_counts_in_old_connection);
	RUN(test_memory_released_after_many_connections);
	RUN(test_stragglers_after_rst_keep_connection);
	RUN(test_syn_on_lingering_connection);
	RUN(test_ack_of_fin_captured_before_the_fin);
	RUN(test_ack_of_first_fin_captured_before_it);
	RUN(test_ack_of_crossing_fin_captured_before_it);
	CHECK_EXIT();
}
