/* Reading TCP flags out of frames (stack/frame.c) for state-change causes
 * and the hold queue, including truncated and malformed frames; and the
 * names truestate gives to timer-caused changes. */
#include "../check.h"
#include "frame.h"
#include "truestate.h"

/* Ethernet + IPv4 (20) + TCP (20) + payload, with the given flags. */
static size_t make_frame(uint8_t *f, uint8_t flags, size_t payload)
{
	size_t total = 20 + 20 + payload;

	memset(f, 0, 14 + total);
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[16] = (uint8_t)(total >> 8);
	f[17] = (uint8_t)total;
	f[23] = 6; /* TCP */
	f[14 + 20 + 12] = 5 << 4;
	f[14 + 20 + 13] = flags;
	return 14 + total;
}

static void test_causes_from_flags(void)
{
	uint8_t f[128];
	size_t n;

	n = make_frame(f, FRAME_TCP_SYN, 0);
	CHECK_STR_EQ(frame_rcvd_cause(f, n), "rcvd SYN");
	n = make_frame(f, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
	CHECK_STR_EQ(frame_rcvd_cause(f, n), "rcvd SYN-ACK");
	n = make_frame(f, FRAME_TCP_FIN | FRAME_TCP_ACK | FRAME_TCP_PSH, 5);
	CHECK_STR_EQ(frame_rcvd_cause(f, n), "rcvd FIN");
	n = make_frame(f, FRAME_TCP_RST | FRAME_TCP_ACK, 0);
	CHECK_STR_EQ(frame_rcvd_cause(f, n), "rcvd RST");
	n = make_frame(f, FRAME_TCP_ACK, 0);
	CHECK_STR_EQ(frame_rcvd_cause(f, n), "rcvd ACK");
	n = make_frame(f, 0, 3);
	CHECK_STR_EQ(frame_rcvd_cause(f, n), "rcvd data");

	uint8_t flags;
	size_t payload;
	n = make_frame(f, FRAME_TCP_PSH | FRAME_TCP_ACK, 7);
	CHECK(frame_tcp_info(f, n, &flags, &payload));
	CHECK_INT_EQ(flags, FRAME_TCP_PSH | FRAME_TCP_ACK);
	CHECK_INT_EQ(payload, 7);
	/* Ethernet padding after the IP datagram is not payload */
	CHECK(frame_tcp_info(f, n + 6, &flags, &payload));
	CHECK_INT_EQ(payload, 7);
}

static void test_malformed_frames_are_not_tcp(void)
{
	uint8_t f[128];
	size_t n = make_frame(f, FRAME_TCP_SYN, 0);

	/* every truncation of a valid frame */
	for (size_t len = 0; len < n; len++)
		CHECK(frame_rcvd_cause(f, len) == NULL);
	CHECK(frame_rcvd_cause(NULL, 0) == NULL);

	uint8_t g[128];
	memcpy(g, f, n);
	g[12] = 0x08, g[13] = 0x06; /* ARP */
	CHECK(frame_rcvd_cause(g, n) == NULL);
	memcpy(g, f, n);
	g[23] = 17; /* UDP */
	CHECK(frame_rcvd_cause(g, n) == NULL);
	memcpy(g, f, n);
	g[14] = 0x44; /* IHL 4 words < 20 bytes */
	CHECK(frame_rcvd_cause(g, n) == NULL);
	memcpy(g, f, n);
	g[14] = 0x65; /* IPv6 version nibble */
	CHECK(frame_rcvd_cause(g, n) == NULL);
	memcpy(g, f, n);
	g[17] = 200; /* total length past the frame */
	CHECK(frame_rcvd_cause(g, n) == NULL);
	memcpy(g, f, n);
	g[14 + 20 + 12] = 15 << 4; /* TCP header 60 > what is there */
	CHECK(frame_rcvd_cause(g, n) == NULL);
	memcpy(g, f, n);
	g[14 + 20 + 12] = 4 << 4; /* TCP header 16 < 20 */
	CHECK(frame_rcvd_cause(g, n) == NULL);
	memcpy(g, f, n);
	g[20] = 0x00, g[21] = 0x10; /* a later fragment: no TCP header */
	CHECK(frame_rcvd_cause(g, n) == NULL);
}

static void test_timer_causes_are_named(void)
{
	CHECK_STR_EQ(truestate_refine_cause(TRUESTATE_CAUSE_TIMER, TCPSTATE_TIME_WAIT,
					    TCPSTATE_CLOSED), "2MSL timer");
	CHECK_STR_EQ(truestate_refine_cause(TRUESTATE_CAUSE_TIMER, TCPSTATE_LAST_ACK,
					    TCPSTATE_CLOSED), "LAST_ACK timeout");
	CHECK_STR_EQ(truestate_refine_cause(TRUESTATE_CAUSE_TIMER, TCPSTATE_SYN_SENT,
					    TCPSTATE_CLOSED), "retransmission limit");
	CHECK_STR_EQ(truestate_refine_cause(TRUESTATE_CAUSE_TIMER, TCPSTATE_FIN_WAIT_2,
					    TCPSTATE_CLOSED), "FIN_WAIT_2 timeout");
	/* other causes pass through */
	CHECK_STR_EQ(truestate_refine_cause("rcvd FIN", TCPSTATE_TIME_WAIT,
					    TCPSTATE_CLOSED), "rcvd FIN");
	CHECK_STR_EQ(truestate_refine_cause(TRUESTATE_CAUSE_TIMER, TCPSTATE_ESTABLISHED,
					    TCPSTATE_FIN_WAIT_1), TRUESTATE_CAUSE_TIMER);
}

/* Segment causes in the decoder's words where the transition proves them
 * (docs/states.md "Reason keys"); the rest stay as the frame said. */
static void test_segment_causes_match_the_decoder(void)
{
	CHECK_STR_EQ(truestate_refine_cause("rcvd ACK", TCPSTATE_FIN_WAIT_1,
					    TCPSTATE_FIN_WAIT_2), "rcvd ACK of FIN");
	CHECK_STR_EQ(truestate_refine_cause("rcvd ACK", TCPSTATE_CLOSING,
					    TCPSTATE_TIME_WAIT), "rcvd ACK of FIN");
	CHECK_STR_EQ(truestate_refine_cause("rcvd ACK", TCPSTATE_LAST_ACK,
					    TCPSTATE_CLOSED), "rcvd ACK of FIN");
	CHECK_STR_EQ(truestate_refine_cause("rcvd FIN", TCPSTATE_FIN_WAIT_1,
					    TCPSTATE_TIME_WAIT), "rcvd FIN+ACK");
	CHECK_STR_EQ(truestate_refine_cause("rcvd FIN", TCPSTATE_FIN_WAIT_1,
					    TCPSTATE_CLOSING), "rcvd FIN");
	CHECK_STR_EQ(truestate_refine_cause("rcvd FIN", TCPSTATE_FIN_WAIT_2,
					    TCPSTATE_TIME_WAIT), "rcvd FIN");
	CHECK_STR_EQ(truestate_refine_cause("rcvd ACK", TCPSTATE_SYN_RCVD,
					    TCPSTATE_ESTABLISHED), "rcvd ACK");
	/* a RST closes LAST_ACK without acknowledging anything */
	CHECK_STR_EQ(truestate_refine_cause("rcvd RST", TCPSTATE_LAST_ACK,
					    TCPSTATE_CLOSED), "rcvd RST");
	/* data after close: lwIP resets (tcp_in.c), no FIN was acknowledged */
	CHECK_STR_EQ(truestate_refine_cause("rcvd ACK", TCPSTATE_FIN_WAIT_2,
					    TCPSTATE_CLOSED), "rcvd ACK");
}

int main(void)
{
	RUN(test_causes_from_flags);
	RUN(test_segment_causes_match_the_decoder);
	RUN(test_malformed_frames_are_not_tcp);
	RUN(test_timer_causes_are_named);
	CHECK_EXIT();
}
