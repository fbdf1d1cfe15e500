/* The live screen's model (ui/tui/live_model.c), fed events made by hand in
 * the order a paused hello exchange produces them: true and inferred states
 * side by side, the listener's two models, a segment held at a paused
 * node, a kernel endpoint, a real disagreement, the held count, the node's
 * clock and the timer display. */
#include "../check.h"
#include "live_model.h"

static struct live_model *m;
static uint64_t stamp = 1000000000;

static struct session_event node_ev(int node, enum session_event_kind kind)
{
	struct session_event ev = { .kind = kind, .node = node,
				    .node_name = node ? "client" : "server",
				    .stamp_ns = stamp += 1000000 };
	return ev;
}

static void state(int node, const char *local, const char *remote,
		  enum tcpstate from, enum tcpstate to)
{
	struct session_event ev = node_ev(node, SESSION_EV_NODE_STATE);

	snprintf(ev.u.state.local, sizeof ev.u.state.local, "%s", local);
	snprintf(ev.u.state.remote, sizeof ev.u.state.remote, "%s", remote);
	ev.u.state.from = from;
	ev.u.state.to = to;
	live_model_event(m, &ev);
}

static void held(int node, uint32_t n)
{
	struct session_event ev = node_ev(node, SESSION_EV_HELD);

	ev.u.count = n;
	live_model_event(m, &ev);
}

/* The wire: connection `id` between client c.c.c.c:cport and 192.0.2.2:8888,
 * endpoint e (0 client, 1 server) going from -> to. */
static void wire(uint64_t id, uint8_t client_last, uint16_t cport, int e,
		 enum tcpstate from, enum tcpstate to)
{
	struct session_event ev = { .kind = SESSION_EV_WIRE_STATE, .node = -1,
				    .node_name = "", .stamp_ns = stamp += 1000000 };
	struct tracker_event *t = &ev.u.wire_state.ev;
	const uint8_t c[4] = { 192, 0, 2, client_last }, s[4] = { 192, 0, 2, 2 };

	t->type = TRACKER_EV_STATE;
	t->conn = id;
	t->ip_version = 4;
	memcpy(t->addr[0], c, 4);
	memcpy(t->addr[1], s, 4);
	t->port[0] = cport;
	t->port[1] = 8888;
	t->u.state.endpoint = e;
	t->u.state.from = from;
	t->u.state.to = to;
	live_model_event(m, &ev);
}

/* A segment on the wire: frame pkt of connection id, from 192.0.2.src to
 * 192.0.2.dst, sent by endpoint from (0 client, 1 server). */
static void wire_seg(uint64_t pkt, uint64_t id, uint8_t src, uint8_t dst,
		     int from, uint8_t flags)
{
	struct session_event ev = { .kind = SESSION_EV_WIRE_SEGMENT, .node = -1,
				    .node_name = "", .stamp_ns = stamp += 1000000 };
	struct segment *sg = &ev.u.wire_seg.seg;
	const uint8_t a[4] = { 192, 0, 2, src }, b[4] = { 192, 0, 2, dst };

	sg->pkt = pkt;
	sg->ip_version = 4;
	memcpy(sg->src, a, 4);
	memcpy(sg->dst, b, 4);
	sg->flags = flags;
	ev.u.wire_seg.info.conn = id;
	ev.u.wire_seg.info.from_endpoint = from;
	live_model_event(m, &ev);
}

static void dropped(int node, const char *what, uint64_t vtime)
{
	struct session_event ev = node_ev(node, SESSION_EV_DROPPED);

	ev.text = what;
	ev.text_len = strlen(what);
	ev.vtime_ms = vtime;
	live_model_event(m, &ev);
}

static const struct live_conn *conn0(void)
{
	return live_model_conn(m, 0);
}

#define C "192.0.2.3:5000"
#define S "192.0.2.2:8888"

static void setup(void)
{
	live_model_destroy(m);
	m = live_model_create();
	CHECK(m != NULL);
	CHECK(live_model_add_node(m, 0, "server", "192.0.2.2"));
	CHECK(live_model_add_node(m, 1, "client", "192.0.2.3"));
	CHECK(!live_model_add_node(m, LIVE_MAX_NODES, "x", "192.0.2.9"));
}

static void test_handshake_side_by_side(void)
{
	const struct live_conn *c;

	setup();
	state(0, S, "0.0.0.0:0", TCPSTATE_CLOSED, TCPSTATE_LISTEN);
	CHECK_INT_EQ(live_model_conn_count(m), 0); /* a listener is no connection */
	/* connect(): the SYN waits at the paused client */
	state(1, C, S, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	held(1, 1);
	CHECK_INT_EQ(live_model_conn_count(m), 1);
	c = conn0();
	CHECK_STR_EQ(c->ep[0].addr, C);
	CHECK_INT_EQ(c->ep[0].node, 1);
	CHECK_INT_EQ(c->ep[1].node, 0);
	CHECK(c->ep[0].true_known && c->ep[0].truth == TCPSTATE_SYN_SENT);
	CHECK(!c->ep[0].inferred_known);
	CHECK_INT_EQ(c->ep[0].agree, LIVE_NOT_ON_WIRE);
	CHECK_INT_EQ(live_model_node(m, 1)->held, 1);
	/* a step: the SYN on the wire, the tracker infers both ends */
	held(1, 0);
	wire(1, 3, 5000, 0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	wire(1, 3, 5000, 1, TCPSTATE_CLOSED, TCPSTATE_LISTEN);
	c = conn0();
	CHECK_INT_EQ(c->wire_id, 1);
	CHECK_INT_EQ(c->ep[0].agree, LIVE_SAME);
	/* the RFC's listener is this endpoint; lwIP's is still listening */
	CHECK_INT_EQ(c->ep[1].agree, LIVE_LISTENER);
	CHECK(strstr(live_agree_text(c->ep[1].agree), "new pcb") != NULL);
	wire(1, 3, 5000, 1, TCPSTATE_LISTEN, TCPSTATE_SYN_RCVD);
	state(0, S, C, TCPSTATE_CLOSED, TCPSTATE_SYN_RCVD);
	/* the server's SYN-ACK held at the paused server */
	held(0, 1);
	c = conn0();
	CHECK_INT_EQ(live_model_conn_count(m), 1);
	CHECK_INT_EQ(c->ep[1].agree, LIVE_SAME);
	CHECK_INT_EQ(c->ep[1].truth, TCPSTATE_SYN_RCVD);
	CHECK_INT_EQ(c->ep[1].inferred, TCPSTATE_SYN_RCVD);
	held(0, 0);
	wire(1, 3, 5000, 0, TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED);
	state(1, C, S, TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED);
	held(1, 1); /* its ACK */
	CHECK_INT_EQ(conn0()->ep[0].agree, LIVE_SAME);
	/* the server knows nothing of the ACK yet, and neither does the
	 * wire: they agree */
	CHECK_INT_EQ(conn0()->ep[1].agree, LIVE_SAME);
}

static void test_held_segment_is_in_flight_not_a_disagreement(void)
{
	setup();
	state(1, C, S, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	wire(1, 3, 5000, 0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	state(1, C, S, TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED);
	wire(1, 3, 5000, 0, TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED);
	CHECK_INT_EQ(conn0()->ep[0].agree, LIVE_SAME);
	/* close(): FIN_WAIT_1 at once, the FIN held */
	state(1, C, S, TCPSTATE_ESTABLISHED, TCPSTATE_FIN_WAIT_1);
	held(1, 1);
	CHECK_INT_EQ(conn0()->ep[0].agree, LIVE_IN_FLIGHT);
	/* released and seen: they agree again */
	held(1, 0);
	wire(1, 3, 5000, 0, TCPSTATE_ESTABLISHED, TCPSTATE_FIN_WAIT_1);
	CHECK_INT_EQ(conn0()->ep[0].agree, LIVE_SAME);
	/* nothing held, and still apart: a disagreement */
	state(1, C, S, TCPSTATE_FIN_WAIT_1, TCPSTATE_FIN_WAIT_2);
	CHECK_INT_EQ(conn0()->ep[0].agree, LIVE_DIFFER);
	CHECK(live_agree_text(LIVE_DIFFER)[0] != '\0');
	CHECK_STR_EQ(live_agree_text(LIVE_SAME), "");
}

/* On the wire only the client's SYN so far: the tracker cannot tell yet
 * that the server listened (its SYN+ACK decides it), while lwIP's server
 * is in SYN_RCVD with that SYN+ACK held: in flight, not "nothing on the
 * wire yet" (the SYN has crossed it). */
static void test_server_decided_by_a_held_reply(void)
{
	setup();
	state(1, C, S, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	wire(1, 3, 5000, 0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	state(0, S, C, TCPSTATE_CLOSED, TCPSTATE_SYN_RCVD);
	held(0, 1);
	CHECK(!conn0()->ep[1].inferred_known);
	CHECK_INT_EQ(conn0()->ep[1].agree, LIVE_IN_FLIGHT);
	CHECK_INT_EQ(conn0()->ep[0].agree, LIVE_SAME);
}

static void test_kernel_endpoint_and_new_connection(void)
{
	setup();
	/* curl from the kernel (192.0.2.1) to the lwIP server */
	wire(1, 1, 40000, 0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	state(0, S, "192.0.2.1:40000", TCPSTATE_CLOSED, TCPSTATE_SYN_RCVD);
	wire(1, 1, 40000, 1, TCPSTATE_LISTEN, TCPSTATE_SYN_RCVD);
	CHECK_INT_EQ(live_model_conn_count(m), 1);
	CHECK_INT_EQ(conn0()->ep[0].node, -1);
	CHECK_INT_EQ(conn0()->ep[0].agree, LIVE_KERNEL);
	CHECK_INT_EQ(conn0()->ep[1].agree, LIVE_SAME);
	/* the tracker's second connection on the same 4-tuple is another */
	wire(2, 1, 40000, 0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	CHECK_INT_EQ(live_model_conn_count(m), 2);
	CHECK_INT_EQ(live_model_conn(m, 1)->wire_id, 2);
}

static void test_node_clock_and_death(void)
{
	struct session_event ev;

	setup();
	ev = node_ev(0, SESSION_EV_CLOCK);
	ev.vtime_ms = 100;
	ev.u.clock.running = true;
	ev.u.clock.speed = 2;
	live_model_event(m, &ev);
	CHECK_INT_EQ(live_model_node_time(m, 0, ev.stamp_ns + 1000000000ULL), 2100);
	ev.u.clock.running = false;
	live_model_event(m, &ev);
	CHECK_INT_EQ(live_model_node_time(m, 0, ev.stamp_ns + 1000000000ULL), 100);
	CHECK_INT_EQ(live_model_node_time(m, 3, ev.stamp_ns), 0);
	held(1, 2);
	ev = node_ev(1, SESSION_EV_NODE_DIED);
	ev.u.status = 9;
	live_model_event(m, &ev);
	CHECK(live_model_node(m, 1)->dead);
	CHECK_INT_EQ(live_model_node(m, 1)->held, 0);
}

static void test_timer_display(void)
{
	struct session_timers t = { .rto_ms = 3000, .rtx = -1, .persist = -1,
				    .keepalive = -1, .delack = -1,
				    .timewait = 1800 };
	char buf[256];
	struct session_event ev;

	live_timer_text(buf, sizeof buf, &t, 1000);
	CHECK_STR_EQ(buf, "TIME_WAIT ends in 0.8 s");
	t.timewait = -1;
	t.rtx = 3000;
	t.delack = 1100;
	live_timer_text(buf, sizeof buf, &t, 1000);
	CHECK_STR_EQ(buf, "delayed ACK in 0.1 s; retransmission in 2.0 s (RTO 3.0 s)");
	/* past its deadline (the event telling it fired is on its way) */
	live_timer_text(buf, sizeof buf, &t, 5000);
	CHECK_STR_EQ(buf, "delayed ACK in 0.0 s; retransmission in 0.0 s (RTO 3.0 s)");
	t.rtx = t.delack = -1;
	CHECK_INT_EQ(live_timer_text(buf, sizeof buf, &t, 0), 0);
	CHECK_STR_EQ(buf, "");
	/* cut to the buffer, terminated */
	t.rtx = 3000;
	live_timer_text(buf, 8, &t, 0);
	CHECK_INT_EQ(strlen(buf), 7);

	/* and kept on the endpoint from the node's event */
	setup();
	state(1, C, S, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	ev = node_ev(1, SESSION_EV_TIMERS);
	snprintf(ev.u.timers.local, sizeof ev.u.timers.local, "%s", C);
	snprintf(ev.u.timers.remote, sizeof ev.u.timers.remote, "%s", S);
	ev.u.timers.rto_ms = 3000;
	ev.u.timers.rtx = 2900;
	ev.u.timers.persist = ev.u.timers.keepalive = ev.u.timers.delack =
		ev.u.timers.timewait = -1;
	live_model_event(m, &ev);
	CHECK(conn0()->ep[0].timers_known);
	CHECK_INT_EQ(conn0()->ep[0].timers.rtx, 2900);
	CHECK(!conn0()->ep[1].timers_known);
}

static void test_a_dropped_frame_is_lost_at_its_node(void)
{
	const struct live_lost *l;

	setup();
	/* the hello handshake: client 192.0.2.3 (node 1), server .2 (node 0) */
	wire_seg(5, 1, 3, 2, 0, TCPF_SYN);
	wire_seg(6, 1, 2, 3, 1, TCPF_SYN | TCPF_ACK);
	wire_seg(7, 1, 3, 2, 0, TCPF_ACK);
	wire_seg(8, 1, 3, 2, 0, TCPF_ACK | TCPF_PSH); /* the data */
	CHECK_INT_EQ(live_model_lost_count(m), 0);
	CHECK(!live_model_lost(m, 8));
	/* d s: the server drops the next frame arriving, the data */
	dropped(0, "ACK", 1234);
	CHECK_INT_EQ(live_model_lost_count(m), 1);
	l = live_model_lost(m, 8);
	CHECK(l != NULL);
	if (l) {
		CHECK_INT_EQ(l->node, 0);
		CHECK_INT_EQ(l->endpoint, 1); /* addressed to the server */
		CHECK_INT_EQ(l->conn, 1);
		CHECK_INT_EQ(l->vtime_ms, 1234);
	}
	CHECK(!live_model_lost(m, 7) && !live_model_lost(m, 6) &&
	      !live_model_lost(m, 9));
	/* its retransmission arrives: not lost */
	wire_seg(9, 1, 3, 2, 0, TCPF_ACK | TCPF_PSH);
	CHECK(!live_model_lost(m, 9));
	/* a drop whose flags fit no recent frame to the node: none */
	dropped(0, "FIN", 2000);
	dropped(0, "non-TCP frame", 2000);
	CHECK_INT_EQ(live_model_lost_count(m), 1);
	/* the newest that fits, at the node that said it: the SYN-ACK at the
	 * client (not the server's frames, not the client's own) */
	dropped(1, "SYN-ACK", 300);
	l = live_model_lost(m, 6);
	CHECK(l && l->node == 1 && l->endpoint == 0);
	/* a frame is lost once: a second drop of an ACK at the server is
	 * the newest ACK not yet lost (9), then the one before (7) */
	dropped(0, "ACK", 2100);
	dropped(0, "ACK", 2200);
	CHECK(live_model_lost(m, 9) && live_model_lost(m, 7));
	CHECK_INT_EQ(live_model_lost_count(m), 4);
	/* kept in frame order, whatever order they were matched in */
	CHECK(live_model_lost(m, 6) && live_model_lost(m, 8));
	/* the SYN fits "SYN" only; RST, FIN and data by their own words */
	setup();
	wire_seg(1, 1, 3, 2, 0, TCPF_SYN);
	wire_seg(2, 1, 3, 2, 0, TCPF_FIN | TCPF_ACK);
	wire_seg(3, 1, 3, 2, 0, TCPF_RST);
	wire_seg(4, 1, 3, 2, 0, TCPF_PSH);
	wire_seg(5, 2, 1, 9, 0, TCPF_SYN); /* to no node */
	dropped(0, "SYN", 1);
	CHECK(live_model_lost(m, 1) != NULL);
	dropped(0, "FIN", 1);
	CHECK(live_model_lost(m, 2) != NULL);
	dropped(0, "RST", 1);
	CHECK(live_model_lost(m, 3) != NULL);
	dropped(0, "data", 1);
	CHECK(live_model_lost(m, 4) != NULL);
	dropped(0, "SYN", 1); /* the only SYN is lost already; 5 is no node's */
	CHECK(!live_model_lost(m, 5));
	CHECK_INT_EQ(live_model_lost_count(m), 4);
	/* a word the model does not know: the newest frame at the node */
	wire_seg(6, 1, 3, 2, 0, TCPF_ACK);
	dropped(0, "frame", 1);
	CHECK(live_model_lost(m, 6) != NULL);
	/* a node's event from an unknown node: nothing */
	dropped(3, "ACK", 1);
	CHECK_INT_EQ(live_model_lost_count(m), 5);
}

static void test_a_state_apart_for_a_dropped_frame_says_so(void)
{
	setup();
	state(0, S, "0.0.0.0:0", TCPSTATE_CLOSED, TCPSTATE_LISTEN);
	state(1, C, S, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	wire_seg(5, 1, 3, 2, 0, TCPF_SYN);
	wire(1, 3, 5000, 0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	state(0, S, C, TCPSTATE_CLOSED, TCPSTATE_SYN_RCVD);
	wire_seg(6, 1, 2, 3, 1, TCPF_SYN | TCPF_ACK);
	wire(1, 3, 5000, 1, TCPSTATE_LISTEN, TCPSTATE_SYN_RCVD);
	wire(1, 3, 5000, 0, TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED);
	state(1, C, S, TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED);
	/* the ACK with the data: the wire says the server is ESTABLISHED,
	 * the server never got it */
	wire_seg(7, 1, 3, 2, 0, TCPF_ACK | TCPF_PSH);
	wire(1, 3, 5000, 1, TCPSTATE_SYN_RCVD, TCPSTATE_ESTABLISHED);
	CHECK_INT_EQ(conn0()->ep[1].agree, LIVE_DIFFER);
	dropped(0, "ACK", 100);
	CHECK_INT_EQ(conn0()->ep[1].agree, LIVE_DROPPED);
	CHECK(strstr(live_agree_text(LIVE_DROPPED), "dropped") != NULL);
	CHECK_INT_EQ(conn0()->ep[0].agree, LIVE_SAME);
	/* its retransmission held at the client: the drop is still why */
	held(1, 1);
	CHECK_INT_EQ(conn0()->ep[1].agree, LIVE_DROPPED);
	/* on the wire, not yet read by the server: no longer the drop */
	held(1, 0);
	wire_seg(8, 1, 3, 2, 0, TCPF_ACK | TCPF_PSH);
	CHECK_INT_EQ(conn0()->ep[1].agree, LIVE_DIFFER);
	state(0, S, C, TCPSTATE_SYN_RCVD, TCPSTATE_ESTABLISHED);
	CHECK_INT_EQ(conn0()->ep[1].agree, LIVE_SAME);
}

static void test_held_frames_belong_to_the_nodes_only_open_connection(void)
{
	const struct live_conn *c;
	uint32_t n = 99;

	setup();
	/* connect(): the SYN held at the client, the connection not yet on
	 * the wire */
	state(1, C, S, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	held(1, 1);
	c = conn0();
	CHECK(live_model_held(m, c, 0, &n));
	CHECK_INT_EQ(n, 1);
	CHECK(!live_model_held(m, c, 1, &n)); /* nothing at the server */
	CHECK_INT_EQ(n, 0);
	CHECK(!live_model_held(m, c, 2, &n));
	CHECK(!live_model_held(m, NULL, 0, &n));
	wire(1, 3, 5000, 0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	state(0, S, C, TCPSTATE_CLOSED, TCPSTATE_SYN_RCVD);
	held(1, 0);
	held(0, 2);
	CHECK(live_model_held(m, conn0(), 1, &n));
	CHECK_INT_EQ(n, 2);
	/* a kernel peer's connection to the server: two open there, so the
	 * server's held frames are not said to be either's */
	wire(2, 1, 40000, 0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	CHECK_INT_EQ(live_model_conn_count(m), 2);
	CHECK(!live_model_held(m, conn0(), 1, &n));
	CHECK_INT_EQ(n, 2);
	CHECK(!live_model_held(m, live_model_conn(m, 1), 1, &n));
	CHECK_INT_EQ(n, 2);
	/* the kernel's own end holds nothing here */
	CHECK(!live_model_held(m, live_model_conn(m, 1), 0, &n));
	CHECK_INT_EQ(n, 0);
	/* the hello connection ends both ways: the kernel's is the only one */
	wire(1, 3, 5000, 0, TCPSTATE_SYN_SENT, TCPSTATE_CLOSED);
	wire(1, 3, 5000, 1, TCPSTATE_SYN_RCVD, TCPSTATE_CLOSED);
	state(0, S, C, TCPSTATE_SYN_RCVD, TCPSTATE_CLOSED);
	state(1, C, S, TCPSTATE_SYN_SENT, TCPSTATE_CLOSED);
	CHECK(!live_model_held(m, conn0(), 1, &n));
	CHECK(live_model_held(m, live_model_conn(m, 1), 1, &n));
	CHECK_INT_EQ(n, 2);
	/* a dead node holds nothing */
	struct session_event ev = node_ev(0, SESSION_EV_NODE_DIED);
	live_model_event(m, &ev);
	CHECK(!live_model_held(m, live_model_conn(m, 1), 1, &n));
	CHECK_INT_EQ(n, 0);
}

int main(void)
{
	RUN(test_handshake_side_by_side);
	RUN(test_held_segment_is_in_flight_not_a_disagreement);
	RUN(test_server_decided_by_a_held_reply);
	RUN(test_kernel_endpoint_and_new_connection);
	RUN(test_node_clock_and_death);
	RUN(test_timer_display);
	RUN(test_a_dropped_frame_is_lost_at_its_node);
	RUN(test_held_frames_belong_to_the_nodes_only_open_connection);
	RUN(test_a_state_apart_for_a_dropped_frame_says_so);
	live_model_destroy(m);
	CHECK_EXIT();
}
