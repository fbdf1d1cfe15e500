/* The headless line of an inferred state change (ui/headless_sink.h) is
 * `tcpstep decode`'s state line with "wire " in front, so the two never
 * drift apart: checked against capture/output.c on the same events. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output.h"
#include "tracker.h"
#include "headless_sink.h"

static struct tracker_event state_event(int endpoint, enum tcpstate from,
					enum tcpstate to, const char *cause)
{
	struct tracker_event ev;
	static const uint8_t client[4] = { 192, 0, 2, 3 }, server[4] = { 192, 0, 2, 2 };

	memset(&ev, 0, sizeof ev);
	ev.type = TRACKER_EV_STATE;
	ev.pkt = 7;
	ev.conn = 12;
	ev.ip_version = 4;
	memcpy(ev.addr[0], client, 4);
	memcpy(ev.addr[1], server, 4);
	ev.port[0] = 49153;
	ev.port[1] = 8888;
	ev.u.state.endpoint = endpoint;
	ev.u.state.from = from;
	ev.u.state.to = to;
	ev.u.state.cause = cause;
	ev.u.state.reason = "x";
	return ev;
}

/* decode's text line for ev after a segment of frame last_pkt, without
 * the newline. */
static void decode_line(char *buf, size_t size, const struct tracker_event *ev,
			uint64_t last_pkt)
{
	char *text = NULL, *line;
	size_t len = 0, seglen; /* len belongs to the memstream */
	FILE *f = open_memstream(&text, &len);
	struct output_config oc = { .format = OUTPUT_TEXT };
	struct output *o = output_create(f, &oc);
	struct segment seg;
	struct tracker_seginfo info;

	memset(&seg, 0, sizeof seg);
	memset(&info, 0, sizeof info);
	seg.pkt = last_pkt;
	seg.ip_version = 4;
	seg.flags = TCPF_ACK;
	output_segment(o, &seg, &info);
	fflush(f);
	seglen = strlen(text);
	output_event(o, ev);
	output_destroy(o);
	fclose(f);
	line = text + seglen; /* after the segment's line */
	snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"), line);
	free(text);
}

static void test_client_line(void)
{
	struct tracker_event ev = state_event(0, TCPSTATE_SYN_SENT,
					      TCPSTATE_ESTABLISHED, "rcvd SYN-ACK");
	char line[HEADLESS_LINE_MAX];

	headless_format_wire_state(line, sizeof line, &ev, 7);
	CHECK_STR_EQ(line, "wire conn 12 192.0.2.3:49153 SYN_SENT -> ESTABLISHED (rcvd SYN-ACK)");
}

static void test_server_line(void)
{
	struct tracker_event ev = state_event(1, TCPSTATE_TIME_WAIT,
					      TCPSTATE_CLOSED, "2MSL timer");
	char line[HEADLESS_LINE_MAX];

	ev.u.state.by_timer = true;
	/* A timer names no frame, whatever came last. */
	headless_format_wire_state(line, sizeof line, &ev, 9);
	CHECK_STR_EQ(line, "wire conn 12 192.0.2.2:8888 TIME_WAIT -> CLOSED (2MSL timer)");
}

/* Decided by a later segment (a FIN's receiver answered in frame 9): the
 * cause's frame is named, as decode's text does. */
static void test_decided_later_names_frame(void)
{
	struct tracker_event ev = state_event(0, TCPSTATE_ESTABLISHED,
					      TCPSTATE_CLOSE_WAIT, "rcvd FIN");
	char line[HEADLESS_LINE_MAX];

	headless_format_wire_state(line, sizeof line, &ev, 9);
	CHECK_STR_EQ(line, "wire conn 12 192.0.2.3:49153 ESTABLISHED -> CLOSE_WAIT (rcvd FIN in frame 7)");
}

static void test_same_as_decode(void)
{
	static const enum tcpstate st[] = {
		TCPSTATE_CLOSED, TCPSTATE_LISTEN, TCPSTATE_SYN_RCVD,
		TCPSTATE_ESTABLISHED, TCPSTATE_FIN_WAIT_1, TCPSTATE_CLOSING,
	};

	for (int e = 0; e < 2; e++)
		for (size_t i = 0; i + 1 < sizeof st / sizeof st[0]; i++) {
			struct tracker_event ev = state_event(e, st[i], st[i + 1],
							      "rcvd FIN");
			char mine[HEADLESS_LINE_MAX], want[HEADLESS_LINE_MAX + 8],
			     dec[HEADLESS_LINE_MAX];

			/* Caused by the last segment, and decided later. */
			for (uint64_t last = 7; last <= 8; last++) {
				headless_format_wire_state(mine, sizeof mine, &ev, last);
				decode_line(dec, sizeof dec, &ev, last);
				snprintf(want, sizeof want, "wire %s", dec);
				CHECK_STR_EQ(mine, want);
			}
		}
}

static void test_ipv6_and_short_buffer(void)
{
	struct tracker_event ev = state_event(0, TCPSTATE_CLOSED,
					      TCPSTATE_SYN_SENT, "sent SYN");
	char line[HEADLESS_LINE_MAX], small[16];

	ev.ip_version = 6;
	memset(ev.addr[0], 0, 16);
	ev.addr[0][0] = 0x20;
	ev.addr[0][1] = 0x01;
	ev.addr[0][2] = 0x0d;
	ev.addr[0][3] = 0xb8;
	ev.addr[0][15] = 1;
	headless_format_wire_state(line, sizeof line, &ev, 7);
	CHECK_STR_EQ(line, "wire conn 12 [2001:db8::1]:49153 CLOSED -> SYN_SENT (sent SYN)");
	/* Cut, never overrun. */
	headless_format_wire_state(small, sizeof small, &ev, 7);
	CHECK_STR_EQ(small, "wire conn 12 [2");
}

int main(void)
{
	RUN(test_client_line);
	RUN(test_server_line);
	RUN(test_decided_later_names_frame);
	RUN(test_same_as_decode);
	RUN(test_ipv6_and_short_buffer);
	CHECK_EXIT();
}
