/* The live screen's model (live_model.h). */
#include "live_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlmsg.h"
#include "segment.h"

#define LIVE_MAX_LISTENERS 16
/* The newest wire segments addressed to each node, for matching a drop:
 * the dropped one is the newest (or, with frames in flight, one of the
 * last few). */
#define LIVE_RECENT 16

struct listener {
	char addr[SESSION_ADDR_MAX];
	enum tcpstate state;
};

struct recent {
	uint64_t pkt, conn;
	uint8_t flags;
	int to_endpoint;
};

struct live_model {
	struct live_node nodes[LIVE_MAX_NODES];
	bool have[LIVE_MAX_NODES];
	bool have_ip4[LIVE_MAX_NODES];
	uint32_t ip4[LIVE_MAX_NODES];
	struct recent recent[LIVE_MAX_NODES][LIVE_RECENT];
	unsigned nrecent[LIVE_MAX_NODES], recent_next[LIVE_MAX_NODES];
	struct live_lost *lost;
	size_t nlost, caplost;
	struct listener listeners[LIVE_MAX_NODES][LIVE_MAX_LISTENERS];
	int nlisteners[LIVE_MAX_NODES];
	struct live_conn *conns;
	size_t nconns, capconns;
};

struct live_model *live_model_create(void)
{
	return calloc(1, sizeof(struct live_model));
}

void live_model_destroy(struct live_model *m)
{
	if (!m)
		return;
	free(m->conns);
	free(m->lost);
	free(m);
}

bool live_model_add_node(struct live_model *m, int node, const char *name,
			 const char *ip)
{
	if (node < 0 || node >= LIVE_MAX_NODES)
		return false;
	memset(&m->nodes[node], 0, sizeof m->nodes[node]);
	snprintf(m->nodes[node].name, sizeof m->nodes[node].name, "%s", name);
	snprintf(m->nodes[node].ip, sizeof m->nodes[node].ip, "%s", ip);
	m->have[node] = true;
	m->have_ip4[node] = ctlmsg_parse_ipv4(ip, &m->ip4[node]) == 0;
	m->nrecent[node] = m->recent_next[node] = 0;
	return true;
}

/* The node whose address addr ("ip:port") is on, -1 for none. */
static int node_at(const struct live_model *m, const char *addr)
{
	size_t iplen = strcspn(addr, ":");

	for (int i = 0; i < LIVE_MAX_NODES; i++)
		if (m->have[i] && strlen(m->nodes[i].ip) == iplen &&
		    !strncmp(m->nodes[i].ip, addr, iplen))
			return i;
	return -1;
}

static bool any_held(const struct live_model *m)
{
	for (int i = 0; i < LIVE_MAX_NODES; i++)
		if (m->have[i] && !m->nodes[i].dead && m->nodes[i].held)
			return true;
	return false;
}

static const struct listener *listener_on(const struct live_model *m,
					  const char *addr)
{
	int n = node_at(m, addr);

	if (n < 0)
		return NULL;
	for (int i = 0; i < m->nlisteners[n]; i++)
		if (!strcmp(m->listeners[n][i].addr, addr))
			return &m->listeners[n][i];
	return NULL;
}

static bool newest_lost(const struct live_model *m, const struct live_conn *c, int e);

static enum live_agree compare(const struct live_model *m,
			       const struct live_conn *c, int e)
{
	const struct live_endpoint *ep = &c->ep[e];
	const struct listener *l;

	if (ep->node < 0)
		return LIVE_KERNEL;
	/* Nothing inferred yet: the connection has not crossed the wire, or
	 * it has and what tells this end's state has not (the server's SYN
	 * +ACK, which decides that it listened, held at the paused node) */
	if (!ep->inferred_known)
		return !ep->true_known || ep->truth == TCPSTATE_CLOSED ? LIVE_SAME
		       : c->wire_id ? LIVE_IN_FLIGHT : LIVE_NOT_ON_WIRE;
	enum tcpstate truth = ep->true_known ? ep->truth : TCPSTATE_CLOSED;

	if (truth == ep->inferred)
		return LIVE_SAME;
	/* The RFC's listener is this connection's endpoint; lwIP's is
	 * another pcb, still listening. */
	l = listener_on(m, ep->addr);
	if (ep->inferred == TCPSTATE_LISTEN && truth == TCPSTATE_CLOSED && l &&
	    l->state == TCPSTATE_LISTEN)
		return LIVE_LISTENER;
	if (newest_lost(m, c, e))
		return LIVE_DROPPED;
	if (any_held(m))
		return LIVE_IN_FLIGHT;
	return LIVE_DIFFER;
}

static void recompare(struct live_model *m, struct live_conn *c)
{
	for (int e = 0; e < 2; e++)
		c->ep[e].agree = compare(m, c, e);
}

static void recompare_all(struct live_model *m)
{
	for (size_t i = 0; i < m->nconns; i++)
		recompare(m, &m->conns[i]);
}

/* The connection between a and b, either way round; NULL if none (the
 * newest first: a 4-tuple used again is a new connection). */
static struct live_conn *find(struct live_model *m, const char *a,
			      const char *b)
{
	for (size_t i = m->nconns; i-- > 0;) {
		struct live_conn *c = &m->conns[i];

		if ((!strcmp(c->ep[0].addr, a) && !strcmp(c->ep[1].addr, b)) ||
		    (!strcmp(c->ep[0].addr, b) && !strcmp(c->ep[1].addr, a)))
			return c;
	}
	return NULL;
}

static struct live_conn *add(struct live_model *m, const char *client,
			     const char *server)
{
	struct live_conn *c;

	if (m->nconns == m->capconns) {
		size_t n = m->capconns ? m->capconns * 2 : 16;
		struct live_conn *p = realloc(m->conns, n * sizeof *p);

		if (!p)
			return NULL;
		m->conns = p;
		m->capconns = n;
	}
	c = &m->conns[m->nconns++];
	memset(c, 0, sizeof *c);
	snprintf(c->ep[0].addr, sizeof c->ep[0].addr, "%s", client);
	snprintf(c->ep[1].addr, sizeof c->ep[1].addr, "%s", server);
	c->ep[0].node = node_at(m, client);
	c->ep[1].node = node_at(m, server);
	return c;
}

/* Whether every state known of c is CLOSED (it has ended both ways). */
static bool ended(const struct live_conn *c)
{
	for (int e = 0; e < 2; e++) {
		const struct live_endpoint *ep = &c->ep[e];

		if ((ep->inferred_known && ep->inferred != TCPSTATE_CLOSED) ||
		    (ep->true_known && ep->truth != TCPSTATE_CLOSED))
			return false;
	}
	return true;
}

static int endpoint_of(const struct live_conn *c, const char *addr)
{
	return strcmp(c->ep[0].addr, addr) ? 1 : 0;
}

static void on_listener(struct live_model *m, int node, const char *addr,
			enum tcpstate to)
{
	int i;

	for (i = 0; i < m->nlisteners[node]; i++)
		if (!strcmp(m->listeners[node][i].addr, addr))
			break;
	if (i == m->nlisteners[node]) {
		if (i == LIVE_MAX_LISTENERS || to == TCPSTATE_CLOSED)
			return;
		m->nlisteners[node]++;
		snprintf(m->listeners[node][i].addr, SESSION_ADDR_MAX, "%s", addr);
	}
	m->listeners[node][i].state = to;
	if (to == TCPSTATE_CLOSED)
		m->listeners[node][i] = m->listeners[node][--m->nlisteners[node]];
}

static void on_node_state(struct live_model *m, const struct session_event *ev)
{
	const char *local = ev->u.state.local, *remote = ev->u.state.remote;
	struct live_conn *c;
	int e;

	if (!strcmp(remote, "0.0.0.0:0")) {
		on_listener(m, ev->node, local, ev->u.state.to);
		recompare_all(m);
		return;
	}
	c = find(m, local, remote);
	/* A new pcb on a 4-tuple whose connection has ended: a new one. */
	if (c && ended(c) && ev->u.state.from == TCPSTATE_CLOSED)
		c = NULL;
	if (!c) {
		/* The side that opens goes to SYN_SENT: it is the client. */
		bool client = ev->u.state.to == TCPSTATE_SYN_SENT;

		c = client ? add(m, local, remote) : add(m, remote, local);
		if (!c)
			return;
	}
	e = endpoint_of(c, local);
	c->ep[e].true_known = true;
	c->ep[e].truth = ev->u.state.to;
	recompare(m, c);
}

static void format_addr(char dst[SESSION_ADDR_MAX], const struct tracker_event *t,
			int e)
{
	const uint8_t *a = t->addr[e];

	if (t->ip_version != 4) {
		/* The session network is IPv4 (192.0.2.0/24); anything else
		 * is no node's. */
		snprintf(dst, SESSION_ADDR_MAX, "[ipv6]:%u", (unsigned)t->port[e]);
		return;
	}
	ctlmsg_format_addrport(dst, (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
			       (uint32_t)a[2] << 8 | a[3], t->port[e]);
}

static void on_wire_state(struct live_model *m, const struct session_event *ev)
{
	const struct tracker_event *t = &ev->u.wire_state.ev;
	char client[SESSION_ADDR_MAX], server[SESSION_ADDR_MAX];
	struct live_conn *c;
	int e;

	format_addr(client, t, 0);
	format_addr(server, t, 1);
	c = find(m, client, server);
	if (c && c->wire_id && c->wire_id != t->conn)
		c = NULL; /* the tracker's new connection on the same 4-tuple */
	if (!c) {
		c = add(m, client, server);
		if (!c)
			return;
	}
	/* The wire says who opened it. */
	if (strcmp(c->ep[0].addr, client)) {
		struct live_endpoint tmp = c->ep[0];

		c->ep[0] = c->ep[1];
		c->ep[1] = tmp;
	}
	c->wire_id = t->conn;
	e = t->u.state.endpoint ? 1 : 0;
	c->ep[e].inferred_known = true;
	c->ep[e].inferred = t->u.state.to;
	recompare(m, c);
}

static void on_timers(struct live_model *m, const struct session_event *ev)
{
	struct live_conn *c = find(m, ev->u.timers.local, ev->u.timers.remote);
	int e;

	if (!c)
		return;
	e = endpoint_of(c, ev->u.timers.local);
	c->ep[e].timers_known = true;
	c->ep[e].timers = ev->u.timers;
}

/* Whether the newest wire segment of c addressed to its endpoint e (among
 * the last few to that node) was dropped there. */
static bool newest_lost(const struct live_model *m, const struct live_conn *c, int e)
{
	int node = c->ep[e].node;

	if (!c->wire_id || !m->nlost || node < 0 || node >= LIVE_MAX_NODES)
		return false;
	for (unsigned k = 1; k <= m->nrecent[node]; k++) {
		const struct recent *r =
			&m->recent[node][(m->recent_next[node] + LIVE_RECENT - k) %
					 LIVE_RECENT];

		if (r->conn == c->wire_id && r->to_endpoint == e)
			return live_model_lost(m, r->pkt) != NULL;
	}
	return false;
}

static struct live_conn *by_wire_id(struct live_model *m, uint64_t id)
{
	for (size_t i = m->nconns; i-- > 0;)
		if (m->conns[i].wire_id == id)
			return &m->conns[i];
	return NULL;
}

/* A wire segment: kept as one of the newest addressed to its node. */
static void on_wire_segment(struct live_model *m, const struct session_event *ev)
{
	const struct segment *sg = &ev->u.wire_seg.seg;
	uint32_t dst;
	int n;

	if (sg->ip_version != 4)
		return;
	dst = (uint32_t)sg->dst[0] << 24 | (uint32_t)sg->dst[1] << 16 |
	      (uint32_t)sg->dst[2] << 8 | sg->dst[3];
	for (n = 0; n < LIVE_MAX_NODES; n++)
		if (m->have[n] && m->have_ip4[n] && m->ip4[n] == dst)
			break;
	if (n == LIVE_MAX_NODES)
		return;
	struct recent *r = &m->recent[n][m->recent_next[n]];

	r->pkt = sg->pkt;
	r->conn = ev->u.wire_seg.info.conn;
	r->flags = sg->flags;
	r->to_endpoint = ev->u.wire_seg.info.from_endpoint ? 0 : 1;
	m->recent_next[n] = (m->recent_next[n] + 1) % LIVE_RECENT;
	if (m->nrecent[n] < LIVE_RECENT)
		m->nrecent[n]++;
	/* a frame after a lost one (its retransmission) may settle it */
	if (m->nlost) {
		struct live_conn *c = by_wire_id(m, r->conn);

		if (c)
			recompare(m, c);
	}
}

/* Whether a segment's flags fit a drop's text (the node's words for what
 * it dropped, stack/frame.c frame_rcvd_cause without "rcvd "). */
static bool fits(uint8_t f, const char *what, size_t len)
{
#define IS(w) (len == sizeof(w) - 1 && !memcmp(what, w, len))
	bool syn = f & TCPF_SYN, ack = f & TCPF_ACK, fin = f & TCPF_FIN,
	     rst = f & TCPF_RST;

	if (IS("RST"))
		return rst;
	if (IS("SYN-ACK"))
		return !rst && syn && ack;
	if (IS("SYN"))
		return !rst && syn && !ack;
	if (IS("FIN"))
		return !rst && !syn && fin;
	if (IS("ACK"))
		return !rst && !syn && !fin && ack;
	if (IS("data"))
		return !rst && !syn && !fin && !ack;
	if (IS("non-TCP frame"))
		return false;
	return true; /* a word this model does not know: any segment */
#undef IS
}

static void on_dropped(struct live_model *m, int node,
		       const struct session_event *ev)
{
	for (unsigned k = 1; k <= m->nrecent[node]; k++) {
		const struct recent *r =
			&m->recent[node][(m->recent_next[node] + LIVE_RECENT - k) %
					 LIVE_RECENT];

		if (!fits(r->flags, ev->text, ev->text_len) ||
		    live_model_lost(m, r->pkt))
			continue;
		if (m->nlost == m->caplost) {
			size_t cap = m->caplost ? m->caplost * 2 : 8;
			struct live_lost *p = realloc(m->lost, cap * sizeof *p);

			if (!p)
				return;
			m->lost = p;
			m->caplost = cap;
		}
		/* kept in frame order (a drop matched to an older frame than
		 * the last one's goes in its place) */
		size_t i = m->nlost;

		while (i > 0 && m->lost[i - 1].pkt > r->pkt) {
			m->lost[i] = m->lost[i - 1];
			i--;
		}
		m->lost[i] = (struct live_lost){ .pkt = r->pkt, .conn = r->conn,
						 .endpoint = r->to_endpoint,
						 .node = node,
						 .vtime_ms = ev->vtime_ms };
		m->nlost++;
		recompare_all(m);
		return;
	}
}

void live_model_event(struct live_model *m, const struct session_event *ev)
{
	struct live_node *n = ev->node >= 0 && ev->node < LIVE_MAX_NODES &&
			      m->have[ev->node] ? &m->nodes[ev->node] : NULL;

	switch (ev->kind) {
	case SESSION_EV_NODE_STATE:
		if (n)
			on_node_state(m, ev);
		break;
	case SESSION_EV_WIRE_STATE:
		if (ev->u.wire_state.ev.type == TRACKER_EV_STATE)
			on_wire_state(m, ev);
		break;
	case SESSION_EV_TIMERS:
		if (n)
			on_timers(m, ev);
		break;
	case SESSION_EV_WIRE_SEGMENT:
		on_wire_segment(m, ev);
		break;
	case SESSION_EV_DROPPED:
		if (n)
			on_dropped(m, ev->node, ev);
		break;
	case SESSION_EV_HELD:
		if (n) {
			n->held = ev->u.count;
			recompare_all(m);
		}
		break;
	case SESSION_EV_CLOCK:
		if (n)
			session_clock_set(&n->clock, ev);
		break;
	case SESSION_EV_NODE_DIED:
		if (n) {
			n->dead = true;
			n->exit_status = ev->u.status;
			n->held = 0;
			recompare_all(m);
		}
		break;
	default:
		break;
	}
}

size_t live_model_conn_count(const struct live_model *m)
{
	return m->nconns;
}

const struct live_conn *live_model_conn(const struct live_model *m, size_t i)
{
	return i < m->nconns ? &m->conns[i] : NULL;
}

const struct live_node *live_model_node(const struct live_model *m, int node)
{
	return node >= 0 && node < LIVE_MAX_NODES && m->have[node]
	       ? &m->nodes[node] : NULL;
}

const struct live_lost *live_model_lost(const struct live_model *m, uint64_t pkt)
{
	size_t lo = 0, hi = m->nlost;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->lost[mid].pkt < pkt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nlost && m->lost[lo].pkt == pkt ? &m->lost[lo] : NULL;
}

size_t live_model_lost_count(const struct live_model *m)
{
	return m->nlost;
}

bool live_model_held(const struct live_model *m, const struct live_conn *c,
		     int e, uint32_t *held)
{
	int node = c && (e == 0 || e == 1) ? c->ep[e].node : -1;
	const struct live_node *n = live_model_node(m, node);
	size_t open = 0;
	bool mine = false;

	*held = n && !n->dead ? n->held : 0;
	if (!*held)
		return false;
	for (size_t i = 0; i < m->nconns; i++) {
		const struct live_conn *o = &m->conns[i];

		if ((o->ep[0].node != node && o->ep[1].node != node) || ended(o))
			continue;
		open++;
		if (o == c)
			mine = true;
	}
	return mine && open == 1;
}

uint64_t live_model_node_time(const struct live_model *m, int node,
			      uint64_t now_ns)
{
	const struct live_node *n = live_model_node(m, node);

	return n ? session_clock_now_ns(&n->clock, now_ns) / 1000000 : 0;
}

const char *live_agree_text(enum live_agree a)
{
	switch (a) {
	case LIVE_SAME:
		return "";
	case LIVE_KERNEL:
		return "A kernel endpoint: only what the wire shows can be known "
		       "of it.";
	case LIVE_NOT_ON_WIRE:
		return "lwIP has this connection, but nothing of it has crossed "
		       "the wire yet: its first segment waits at the node.";
	case LIVE_LISTENER:
		return "Two models, not a disagreement: in RFC 9293 the listening "
		       "endpoint itself moves to SYN_RCVD; lwIP keeps its listener "
		       "in LISTEN and a new pcb takes the connection.";
	case LIVE_IN_FLIGHT:
		return "A segment that settles this is held at a paused node: "
		       "lwIP has moved on, the wire has not seen it yet.";
	case LIVE_DROPPED:
		return "The segment that settles this was dropped at the node "
		       "(d): the wire saw it, lwIP never got it; its "
		       "retransmission will settle it.";
	case LIVE_DIFFER:
		return "lwIP and the wire disagree here.";
	}
	return "";
}

struct armed {
	int64_t at;
	const char *what;
	bool rto;
};

size_t live_timer_text(char *buf, size_t size, const struct session_timers *t,
		       uint64_t now_ms)
{
	struct armed a[5] = {
		{ t->timewait, "TIME_WAIT ends", false },
		{ t->rtx, "retransmission", true },
		{ t->persist, "zero-window probe", false },
		{ t->keepalive, "keep-alive probe", false },
		{ t->delack, "delayed ACK", false },
	};
	size_t len = 0;
	bool first = true;

	if (size)
		buf[0] = '\0';
	/* soonest first (a handful: insertion sort) */
	for (int i = 1; i < 5; i++)
		for (int j = i; j > 0 && (a[j - 1].at < 0 ||
					  (a[j].at >= 0 && a[j].at < a[j - 1].at));
		     j--) {
			struct armed x = a[j];

			a[j] = a[j - 1];
			a[j - 1] = x;
		}
	for (int i = 0; i < 5 && a[i].at >= 0; i++) {
		int64_t left = a[i].at - (int64_t)now_ms;
		int n;

		if (left < 0)
			left = 0;
		n = snprintf(buf + len, len < size ? size - len : 0,
			     "%s%s in %lld.%lld s", first ? "" : "; ", a[i].what,
			     (long long)(left / 1000), (long long)(left % 1000 / 100));
		if (n > 0)
			len += (size_t)n;
		if (a[i].rto) {
			n = snprintf(buf + len, len < size ? size - len : 0,
				     " (RTO %u.%u s)", t->rto_ms / 1000,
				     t->rto_ms % 1000 / 100);
			if (n > 0)
				len += (size_t)n;
		}
		first = false;
	}
	return len;
}
