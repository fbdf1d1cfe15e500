/* Per-segment analysis: relative sequence numbers as Wireshark computes
 * them, and the marks (retransmission, out-of-order, duplicate ACK with
 * its count, zero window, window update, keep-alive, ACK of unseen data,
 * previous segment not captured). */
#include "check.h"
#include "tracker_sim.h"

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define PSH TCPF_PSH

#define MS 1000000LL

static void test_relative_numbers_start_at_isn(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	CHECK_INT_EQ(s.last.rel_ack, 0);
	sim_send(&s, 1, SYN | ACK, 0);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	sim_send(&s, 0, ACK, 0);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	sim_send(&s, 0, PSH | ACK, 10);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	sim_send(&s, 1, PSH | ACK, 26);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	CHECK_INT_EQ(s.last.rel_ack, 11);
	sim_send(&s, 0, FIN | ACK, 0);
	CHECK_INT_EQ(s.last.rel_seq, 11);
	CHECK_INT_EQ(s.last.rel_ack, 27);
	sim_send(&s, 1, FIN | ACK, 0);
	CHECK_INT_EQ(s.last.rel_seq, 27);
	CHECK_INT_EQ(s.last.rel_ack, 12);
	CHECK_INT_EQ(s.last.marks, 0);
	sim_free(&s);
}

/* Without the SYN, the first sequence number seen shows as 1, and the
 * other direction's base comes from the first ACK (Wireshark bug 1542). */
static void test_relative_numbers_mid_stream(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_raw(&s, 0, PSH | ACK, 777777, 999, 10, 8192);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	sim_raw(&s, 1, PSH | ACK, 999, 777787, 5, 8192);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	CHECK_INT_EQ(s.last.rel_ack, 11);
	sim_raw(&s, 0, ACK, 777787, 1004, 0, 8192);
	CHECK_INT_EQ(s.last.rel_seq, 11);
	CHECK_INT_EQ(s.last.rel_ack, 6);
	/* a segment without ACK has relative ack 0 */
	sim_raw(&s, 1, TCPF_RST, 1004, 0, 0, 0);
	CHECK_INT_EQ(s.last.rel_ack, 0);
	CHECK_INT_EQ(s.last.rel_seq, 6);
	sim_free(&s);
}

/* docs/states.md: a SYN-ACK whose seq differs from a base taken from an
 * earlier segment sets the base (Wireshark). Refused by a RST-ACK with
 * SEQ=0, the SYN tried again reopens the connection and is answered. */
static void test_synack_rebases_after_refusal(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	sim_raw(&s, 1, TCPF_RST | ACK, 0, 1001, 0, 0);
	CHECK_INT_EQ(s.last.rel_seq, 1); /* base 0 - 1 */
	CHECK_INT_EQ(s.last.rel_ack, 1);
	sim_clear_log(&s);
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	CHECK_INT_EQ(s.last.conn, 1);
	CHECK_STR_EQ(s.log, "C CLOSED>SYN_SENT syn_retried");
	sim_clear_log(&s);
	sim_raw(&s, 1, SYN | ACK, 50000, 1001, 0, 8192);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	/* the RST's seq 0 was no part of the server's sequence space */
	CHECK_INT_EQ(s.last.marks, 0);
	CHECK_STR_EQ(s.log, "S CLOSED>LISTEN listen_inferred; S LISTEN>SYN_RCVD passive_open; "
			    "C SYN_SENT>ESTABLISHED synack_rcvd");
	sim_raw(&s, 0, ACK, 1001, 50001, 0, 8192);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	CHECK_INT_EQ(s.last.marks, 0);
	sim_raw(&s, 1, PSH | ACK, 50001, 1001, 10, 8192);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	CHECK(!s.bad);
	sim_free(&s);

	/* the base from the peer's ACK captured before its SYN-ACK: the same
	 * seq changes nothing, a different one re-bases */
	sim_init(&s, 0);
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	sim_raw(&s, 0, ACK, 1001, 70001, 0, 8192); /* server base 70000 */
	sim_raw(&s, 1, SYN | ACK, 70000, 1001, 0, 8192);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	sim_raw(&s, 1, PSH | ACK, 70001, 1001, 10, 8192);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	sim_free(&s);
	sim_init(&s, 0);
	sim_raw(&s, 0, SYN, 1000, 0, 0, 8192);
	sim_raw(&s, 1, PSH | ACK, 80001, 1001, 10, 8192); /* base 80000 */
	CHECK_INT_EQ(s.last.rel_seq, 1);
	sim_raw(&s, 1, SYN | ACK, 90000, 1001, 0, 8192);
	CHECK_INT_EQ(s.last.rel_seq, 0);
	sim_raw(&s, 0, ACK, 1001, 90001, 0, 8192);
	CHECK_INT_EQ(s.last.rel_ack, 1);
	sim_free(&s);
}

static void test_relative_numbers_wrap_around(void)
{
	struct sim s;
	sim_init(&s, 0);
	s.nxt[0] = 0xfffffff0u;
	sim_handshake(&s);
	sim_send(&s, 0, PSH | ACK, 100);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	sim_send(&s, 0, PSH | ACK, 100);
	CHECK_INT_EQ(s.last.rel_seq, 101);
	sim_send(&s, 1, ACK, 0);
	CHECK_INT_EQ(s.last.rel_ack, 201);
	CHECK_INT_EQ(s.last.marks, 0);
	sim_free(&s);
}

/* A direction whose next sequence number is exactly 0 after the
 * wraparound still knows it: the segment ending at 2^32 sent again is a
 * retransmission, and one starting past 0 follows a hole. (Only the
 * RST-ACK with SEQ=0 of test_synack_rebases_after_refusal leaves it
 * unknown.) */
static void test_next_seq_zero_after_wraparound_is_known(void)
{
	struct sim s;
	sim_init(&s, 0);
	s.nxt[0] = 0xffffff9bu; /* + SYN: the data starts at 2^32 - 100 */
	sim_handshake(&s);
	CHECK_INT_EQ(s.nxt[0], 0xffffff9cu);
	sim_send(&s, 0, PSH | ACK, 100);
	CHECK_INT_EQ(s.nxt[0], 0);
	CHECK_INT_EQ(s.last.marks, 0);
	s.ts += 300 * MS;
	sim_raw(&s, 0, PSH | ACK, 0xffffff9cu, s.nxt[1], 100, 8192);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	CHECK_INT_EQ(s.last.rel_seq, 1);
	sim_raw(&s, 0, PSH | ACK, 50, s.nxt[1], 10, 8192);
	CHECK(s.last.marks & TRACKER_MARK_PREV_NOT_CAPTURED);
	CHECK_INT_EQ(s.last.rel_seq, 151);
	CHECK(!s.bad);
	sim_free(&s);
}

static void test_retransmission_after_timeout(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	uint32_t seq = s.nxt[0];
	sim_send(&s, 0, PSH | ACK, 100);
	CHECK(!(s.last.marks & TRACKER_MARK_RETRANSMISSION));
	s.ts += 300 * MS;
	sim_raw(&s, 0, PSH | ACK, seq, s.nxt[1], 100, 8192);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	CHECK(!(s.last.marks & TRACKER_MARK_OUT_OF_ORDER));
	CHECK_INT_EQ(s.last.rel_seq, 1);
	sim_finish(&s);
	CHECK_INT_EQ(s.sum.retransmissions[0], 1);
	CHECK_INT_EQ(s.sum.retransmissions[1], 0);
	sim_free(&s);
}

/* A hole, duplicate ACKs counting up, a fast retransmission filling the
 * hole, and the count starting again after the ACK moves. */
static void test_hole_dup_acks_and_fast_retransmission(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	uint32_t base = s.nxt[0];
	sim_send(&s, 0, PSH | ACK, 100);                  /* 1..101 */
	sim_send_ack(&s, 1, ACK, 0, base + 100);          /* ack 101 */
	CHECK(!(s.last.marks & TRACKER_MARK_DUP_ACK));
	/* 101..201 is lost before the capture point */
	sim_raw(&s, 0, PSH | ACK, base + 200, s.nxt[1], 100, 8192);
	CHECK(s.last.marks & TRACKER_MARK_PREV_NOT_CAPTURED);
	for (unsigned i = 1; i <= 3; i++) {
		sim_send_ack(&s, 1, ACK, 0, base + 100);
		CHECK(s.last.marks & TRACKER_MARK_DUP_ACK);
		CHECK_INT_EQ(s.last.dup_ack_count, i);
		if (i < 3)
			sim_raw(&s, 0, PSH | ACK, base + 300 + (i - 1) * 100,
				s.nxt[1], 100, 8192);
	}
	/* within 20 ms of the third duplicate: a fast retransmission */
	sim_raw(&s, 0, PSH | ACK, base + 100, s.nxt[1], 100, 8192);
	CHECK(s.last.marks & TRACKER_MARK_RETRANSMISSION);
	sim_send_ack(&s, 1, ACK, 0, base + 500);
	CHECK(!(s.last.marks & TRACKER_MARK_DUP_ACK));
	CHECK_INT_EQ(s.last.dup_ack_count, 0);
	sim_send_ack(&s, 1, ACK, 0, base + 500);
	CHECK(s.last.marks & TRACKER_MARK_DUP_ACK);
	CHECK_INT_EQ(s.last.dup_ack_count, 1);
	CHECK(!s.bad);
	sim_free(&s);
}

/* A segment that fills a hole soon after (within the handshake RTT) is
 * out of order, not a retransmission. */
static void test_out_of_order_segment(void)
{
	struct sim s;
	sim_init(&s, 0);
	s.step = 5 * MS; /* handshake RTT 10 ms */
	sim_handshake(&s);
	s.step = 1 * MS;
	uint32_t base = s.nxt[0];
	sim_raw(&s, 0, PSH | ACK, base, s.nxt[1], 100, 8192);
	sim_raw(&s, 0, PSH | ACK, base + 200, s.nxt[1], 100, 8192);
	CHECK(s.last.marks & TRACKER_MARK_PREV_NOT_CAPTURED);
	sim_raw(&s, 0, PSH | ACK, base + 100, s.nxt[1], 100, 8192);
	CHECK(s.last.marks & TRACKER_MARK_OUT_OF_ORDER);
	CHECK(!(s.last.marks & TRACKER_MARK_RETRANSMISSION));
	sim_free(&s);
}

static void test_zero_window_and_window_update(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, PSH | ACK, 100);
	s.win[1] = 0;
	sim_send(&s, 1, ACK, 0);
	CHECK(s.last.marks & TRACKER_MARK_ZERO_WINDOW);
	CHECK(!(s.last.marks & TRACKER_MARK_WINDOW_UPDATE));
	/* the same zero window again is neither a dup ACK nor an update */
	sim_send(&s, 1, ACK, 0);
	CHECK(s.last.marks & TRACKER_MARK_ZERO_WINDOW);
	CHECK(!(s.last.marks & TRACKER_MARK_DUP_ACK));
	s.win[1] = 8192;
	sim_send(&s, 1, ACK, 0);
	CHECK(s.last.marks & TRACKER_MARK_WINDOW_UPDATE);
	CHECK(!(s.last.marks & TRACKER_MARK_ZERO_WINDOW));
	CHECK(!(s.last.marks & TRACKER_MARK_DUP_ACK));
	/* a FIN with a zero window is not marked zero-window */
	s.win[1] = 0;
	sim_send(&s, 1, FIN | ACK, 0);
	CHECK(!(s.last.marks & TRACKER_MARK_ZERO_WINDOW));
	sim_free(&s);
}

static void test_keep_alive_and_its_ack(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, PSH | ACK, 10);
	sim_send(&s, 1, ACK, 0);
	s.ts += 7200LL * 1000 * MS; /* two hours idle */
	sim_raw(&s, 0, ACK, s.nxt[0] - 1, s.nxt[1], 0, 8192);
	CHECK(s.last.marks & TRACKER_MARK_KEEP_ALIVE);
	CHECK(!(s.last.marks & TRACKER_MARK_RETRANSMISSION));
	/* the answer repeats the last ACK but is not a duplicate ACK */
	sim_send(&s, 1, ACK, 0);
	CHECK_INT_EQ(s.last.marks, 0);
	/* one garbage byte, BSD style, is a keep-alive too */
	sim_raw(&s, 0, ACK, s.nxt[0] - 1, s.nxt[1], 1, 8192);
	CHECK(s.last.marks & TRACKER_MARK_KEEP_ALIVE);
	CHECK(!(s.last.marks & TRACKER_MARK_RETRANSMISSION));
	sim_free(&s);
}

static void test_ack_of_unseen_data(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	sim_send(&s, 0, PSH | ACK, 100);
	sim_send_ack(&s, 1, ACK, 0, s.nxt[0] + 500);
	CHECK(s.last.marks & TRACKER_MARK_ACKED_UNSEEN);
	/* once per hole, as Wireshark: not again while the other side's
	 * ACK has not moved */
	sim_send_ack(&s, 1, PSH | ACK, 10, s.nxt[0] + 500);
	CHECK(!(s.last.marks & TRACKER_MARK_ACKED_UNSEEN));
	/* the other side acknowledges the new data: the hole is reported
	 * again on the next ACK beyond what was seen */
	sim_send(&s, 0, ACK, 0);
	sim_send_ack(&s, 1, ACK, 0, s.nxt[0] + 700);
	CHECK(s.last.marks & TRACKER_MARK_ACKED_UNSEEN);
	/* once the data acknowledged has been seen, no mark */
	sim_send(&s, 0, PSH | ACK, 700);
	sim_send(&s, 1, ACK, 0);
	CHECK(!(s.last.marks & TRACKER_MARK_ACKED_UNSEEN));
	sim_free(&s);
}

/* The boundary moves when data was seen beyond a hole: each new hole
 * is reported. */
static void test_ack_of_unseen_data_after_hole(void)
{
	struct sim s;
	sim_init(&s, 0);
	sim_handshake(&s);
	uint32_t base = s.nxt[0];
	sim_raw(&s, 0, PSH | ACK, base, s.nxt[1], 100, 8192);
	/* 100 bytes lost before the capture point */
	sim_raw(&s, 0, PSH | ACK, base + 200, s.nxt[1], 100, 8192);
	CHECK(s.last.marks & TRACKER_MARK_PREV_NOT_CAPTURED);
	sim_send_ack(&s, 1, ACK, 0, base + 300);
	CHECK(s.last.marks & TRACKER_MARK_ACKED_UNSEEN);
	sim_free(&s);
}

static void test_mark_names(void)
{
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_RETRANSMISSION), "retransmission");
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_OUT_OF_ORDER), "out-of-order");
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_DUP_ACK), "dup-ack");
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_ZERO_WINDOW), "zero-window");
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_WINDOW_UPDATE), "window-update");
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_KEEP_ALIVE), "keep-alive");
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_ACKED_UNSEEN), "acked-unseen");
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_PREV_NOT_CAPTURED), "prev-not-captured");
	CHECK_STR_EQ(tracker_mark_to_str(TRACKER_MARK_RST_IGNORED), "rst-ignored");
	CHECK_STR_EQ(tracker_mark_to_str((enum tracker_mark)3), "?");
}

/* IPv6 and IPv4 connections with the same ports are different ones; both
 * directions of one connection share it. */
static void test_ipv6_connection_keyed_apart(void)
{
	struct tracker *t = tracker_create(NULL);
	struct segment a;
	memset(&a, 0, sizeof(a));
	a.ip_version = 6;
	a.src[0] = 0x20; a.src[1] = 0x01; a.src[15] = 3;
	a.dst[0] = 0x20; a.dst[1] = 0x01; a.dst[15] = 2;
	a.sport = 49152;
	a.dport = 8888;
	a.flags = SYN;
	a.seq = 1;
	a.pkt = 1;
	struct tracker_seginfo i1, i2, i3;
	CHECK(tracker_input(t, &a, &i1));
	struct segment b = a;
	memcpy(b.src, a.dst, 16);
	memcpy(b.dst, a.src, 16);
	b.sport = a.dport;
	b.dport = a.sport;
	b.flags = SYN | ACK;
	b.ack = 2;
	b.pkt = 2;
	CHECK(tracker_input(t, &b, &i2));
	struct segment c = a;
	c.ip_version = 4;
	c.pkt = 3;
	CHECK(tracker_input(t, &c, &i3));
	CHECK_INT_EQ(i1.conn, 1);
	CHECK_INT_EQ(i2.conn, 1);
	CHECK_INT_EQ(i2.from_endpoint, 1);
	CHECK_INT_EQ(i3.conn, 2);
	CHECK_INT_EQ(tracker_open_connections(t), 2);
	/* a bad IP version is refused, not tracked */
	c.ip_version = 5;
	CHECK(!tracker_input(t, &c, &i3));
	CHECK_INT_EQ(i3.conn, 0);
	tracker_destroy(t);
	tracker_destroy(NULL);
}

int main(void)
{
	RUN(test_relative_numbers_start_at_isn);
	RUN(test_relative_numbers_mid_stream);
	RUN(test_synack_rebases_after_refusal);
	RUN(test_relative_numbers_wrap_around);
	RUN(test_next_seq_zero_after_wraparound_is_known);
	RUN(test_retransmission_after_timeout);
	RUN(test_hole_dup_acks_and_fast_retransmission);
	RUN(test_out_of_order_segment);
	RUN(test_zero_window_and_window_update);
	RUN(test_keep_alive_and_its_ack);
	RUN(test_ack_of_unseen_data);
	RUN(test_ack_of_unseen_data_after_hole);
	RUN(test_mark_names);
	RUN(test_ipv6_connection_keyed_apart);
	CHECK_EXIT();
}
