/* Every arc of the RFC 9293 figure 5 diagram is inferred, for each
 * endpoint that can take it: a set of scenarios is played and the arcs
 * the events show are collected per endpoint (client, server), then
 * compared with the diagram. Two arcs cannot be seen on the wire and are
 * listed as such: LISTEN -> SYN_SENT (a SEND on a listening socket) and
 * LISTEN -> CLOSED (closing a listener sends nothing). */
#include "check.h"
#include "tracker_sim.h"

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define RST TCPF_RST
#define PSH TCPF_PSH

static bool seen[2][TCPSTATE_COUNT][TCPSTATE_COUNT];

static void collect(struct sim *s)
{
	sim_advance(s, 400LL * 1000000000LL); /* TIME_WAIT ends */
	sim_finish(s);
	CHECK(!s->bad);
	CHECK_INT_EQ(tracker_illegal_transitions(s->t), 0);
	for (unsigned i = 0; i < s->nevs; i++) {
		const struct tracker_state_change *c = &s->evs[i].u.state;
		seen[c->endpoint][c->from][c->to] = true;
	}
	sim_free(s);
}

static void play_all(void)
{
	struct sim s;
	for (int closer = 0; closer < 2; closer++) {
		/* handshake, data, close by either side */
		sim_init(&s, 0);
		sim_handshake(&s);
		sim_send(&s, 0, PSH | ACK, 10);
		sim_send(&s, 1, PSH | ACK, 10);
		sim_close_by(&s, closer);
		collect(&s);
		/* simultaneous close */
		sim_init(&s, 0);
		sim_handshake(&s);
		sim_send(&s, closer, FIN | ACK, 0);
		sim_send_ack(&s, 1 - closer, FIN | ACK, 0, s.nxt[closer] - 1);
		sim_send(&s, closer, ACK, 0);
		sim_send(&s, 1 - closer, ACK, 0);
		collect(&s);
	}
	/* simultaneous open, then the client closes from SYN_RCVD */
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN, 0);
	sim_send_ack(&s, 0, FIN | ACK, 0, 5000); /* not acking the SYN */
	collect(&s);
	/* simultaneous open to the end */
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN, 0);
	sim_raw(&s, 0, SYN | ACK, 1000, 5001, 0, 8192);
	sim_raw(&s, 1, SYN | ACK, 5000, 1001, 0, 8192);
	collect(&s);
	/* the server closes from SYN_RCVD */
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN | ACK, 0);
	sim_send_ack(&s, 1, FIN | ACK, 0, 1001);
	collect(&s);
	/* refused */
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_raw(&s, 1, RST | ACK, 0, 1001, 0, 0);
	collect(&s);
	/* handshake aborted: the server goes back to LISTEN */
	sim_init(&s, 0);
	sim_send(&s, 0, SYN, 0);
	sim_send(&s, 1, SYN | ACK, 0);
	sim_raw(&s, 0, RST | ACK, 1001, 5001, 0, 0);
	collect(&s);
}

static void test_every_diagram_arc_is_inferred(void)
{
	struct arc {
		enum tcpstate from, to;
		bool client, server; /* which endpoint can take it */
	};
	static const struct arc arcs[] = {
		{TCPSTATE_CLOSED, TCPSTATE_LISTEN, false, true},
		{TCPSTATE_CLOSED, TCPSTATE_SYN_SENT, true, true},
		{TCPSTATE_LISTEN, TCPSTATE_SYN_RCVD, false, true},
		{TCPSTATE_SYN_RCVD, TCPSTATE_ESTABLISHED, true, true},
		{TCPSTATE_SYN_RCVD, TCPSTATE_FIN_WAIT_1, true, true},
		{TCPSTATE_SYN_RCVD, TCPSTATE_LISTEN, false, true},
		{TCPSTATE_SYN_SENT, TCPSTATE_SYN_RCVD, true, true},
		{TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED, true, false},
		{TCPSTATE_SYN_SENT, TCPSTATE_CLOSED, true, false},
		{TCPSTATE_ESTABLISHED, TCPSTATE_FIN_WAIT_1, true, true},
		{TCPSTATE_ESTABLISHED, TCPSTATE_CLOSE_WAIT, true, true},
		{TCPSTATE_FIN_WAIT_1, TCPSTATE_FIN_WAIT_2, true, true},
		{TCPSTATE_FIN_WAIT_1, TCPSTATE_CLOSING, true, true},
		{TCPSTATE_FIN_WAIT_2, TCPSTATE_TIME_WAIT, true, true},
		{TCPSTATE_CLOSING, TCPSTATE_TIME_WAIT, true, true},
		{TCPSTATE_CLOSE_WAIT, TCPSTATE_LAST_ACK, true, true},
		{TCPSTATE_LAST_ACK, TCPSTATE_CLOSED, true, true},
		{TCPSTATE_TIME_WAIT, TCPSTATE_CLOSED, true, true},
	};
	memset(seen, 0, sizeof(seen));
	play_all();
	for (size_t i = 0; i < sizeof(arcs) / sizeof(arcs[0]); i++) {
		const struct arc *a = &arcs[i];
		for (int e = 0; e < 2; e++) {
			bool want = e ? a->server : a->client;
			if (!want)
				continue;
			if (!seen[e][a->from][a->to]) {
				fprintf(stderr, "%s never went %s -> %s\n",
					e ? "server" : "client",
					tcpstate_to_str(a->from),
					tcpstate_to_str(a->to));
				CHECK(0);
			}
		}
		CHECK(tracker_transition_legal(a->from, a->to));
	}
	/* the two arcs no capture can show are still legal in the table */
	CHECK(tracker_transition_legal(TCPSTATE_LISTEN, TCPSTATE_SYN_SENT));
	CHECK(tracker_transition_legal(TCPSTATE_LISTEN, TCPSTATE_CLOSED));
	CHECK(!seen[0][TCPSTATE_LISTEN][TCPSTATE_SYN_SENT]);
	CHECK(!seen[1][TCPSTATE_LISTEN][TCPSTATE_CLOSED]);
}

int main(void)
{
	RUN(test_every_diagram_arc_is_inferred);
	CHECK_EXIT();
}
