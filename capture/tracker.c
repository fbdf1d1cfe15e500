/* The connection tracker (see tracker.h): per-connection, per-endpoint RFC
 * 9293 state inferred passively from the segments seen on the wire, plus
 * Wireshark-style sequence analysis. docs/states.md explains the model.
 *
 * The capture point is treated as the wire between the two endpoints: a
 * segment changes its sender when it is seen (it was sent) and its receiver
 * when it is seen (it arrived). Two exceptions keep crossing segments
 * honest, because a receiver may have sent its own segment before the one
 * we saw reached it:
 *  - a SYN reaching an endpoint we know nothing about: that endpoint's
 *    LISTEN -> SYN_RCVD is decided by its reply (SYN-ACK: it was listening;
 *    RST: it was not, the connection was refused; bare SYN: simultaneous
 *    open; nothing: unanswered, we show nothing we cannot know);
 *  - a FIN reaching an ESTABLISHED endpoint: CLOSE_WAIT is decided by that
 *    endpoint's next segment (its ACK covers the FIN: CLOSE_WAIT; it sends
 *    its own FIN without acknowledging ours: simultaneous close, CLOSING).
 * Both deferred transitions carry the packet number and time of the SYN or
 * FIN that caused them. */
#include "tracker.h"

#include "slab.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Sequence-space comparisons, modulo 2^32 (RFC 9293 section 3.4). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

#define DEFAULT_MSL_NS (60LL * 1000000000LL)
/* Wireshark's out-of-order threshold when no handshake RTT is known (3 ms),
 * and its fast-retransmission window after a duplicate ACK (20 ms). */
#define OOO_DEFAULT_NS 3000000LL
#define FAST_RETRANS_NS 20000000LL
#define DUPACK_SEEN_UNSEEN (-1)

/* Internal analysis bits beyond the public marks (Wireshark has them; they
 * steer the other checks but are not reported). */
enum {
	MARK_ZERO_WINDOW_PROBE = 1u << 16,
	MARK_ZERO_WINDOW_PROBE_ACK = 1u << 17,
	MARK_KEEP_ALIVE_ACK = 1u << 18,
	MARK_PUBLIC = 0xffffu,
};

/* ---- reasons -------------------------------------------------------- */

struct reason {
	const char *key;
	const char *explain;
};

/* One line each, for the UI (docs/states.md lists the same keys; a test
 * checks they agree). */
static const struct reason tracker_reasons[] = {
	{"active_open", "The application called connect(): the endpoint sent a SYN and waits for SYN-ACK."},
	{"syn_retried", "The same SYN (same initial sequence number) was sent again after the connection was refused or reset: the connection opens again."},
	{"listen_inferred", "A SYN arrived and this endpoint answered with SYN-ACK, so a server socket was listening on this port."},
	{"passive_open", "The listening endpoint received a SYN, answers with SYN-ACK and waits for the ACK."},
	{"synack_rcvd", "The SYN-ACK acknowledged our SYN: the handshake is done on this side."},
	{"handshake_ack_rcvd", "The ACK acknowledged our SYN-ACK: the three-way handshake is complete."},
	{"simultaneous_open", "Both endpoints sent a SYN at the same time: each answers the other's SYN (simultaneous open)."},
	{"simultaneous_open_established", "In a simultaneous open, the peer's SYN-ACK acknowledged our SYN: established."},
	{"synack_not_captured", "This endpoint sent an ACK after its SYN, so it received a SYN-ACK the capture did not see."},
	{"syn_not_captured_client", "The capture starts at a SYN-ACK: this endpoint must have sent the SYN before the capture began."},
	{"syn_not_captured_listen", "The capture starts at a SYN-ACK from this endpoint: it was listening before the capture began."},
	{"syn_not_captured_server", "The capture starts at a SYN-ACK from this endpoint: it had received a SYN the capture did not see."},
	{"midstream_established", "The capture began after the connection opened: this endpoint sends ACKs, so it is at least ESTABLISHED."},
	{"active_close", "The application closed (or shut down writing): the endpoint sent a FIN and waits for its ACK."},
	{"close_in_syn_rcvd", "The application closed before the handshake finished: a FIN follows the SYN-ACK."},
	{"fin_rcvd", "The peer sent a FIN: no more data will come; the application may still send, then close."},
	{"passive_close", "The application closed after the peer's FIN: the endpoint sent its own FIN and waits for the last ACK."},
	{"fin_acked", "The peer acknowledged our FIN; we wait for the peer's FIN (the peer may still send data)."},
	{"fin_rcvd_fin_wait_2", "The peer's FIN arrived after ours was acknowledged: wait 2 x MSL in TIME_WAIT before closing."},
	{"fin_ack_rcvd", "The peer's FIN arrived together with the ACK of our FIN: straight to TIME_WAIT."},
	{"simultaneous_close", "Both endpoints sent a FIN before receiving the other's (simultaneous close): CLOSING waits for the ACK of our FIN."},
	{"closing_acked", "In a simultaneous close, our FIN was acknowledged: wait 2 x MSL in TIME_WAIT."},
	{"last_ack_acked", "The peer acknowledged our FIN: the passive closer is done and the connection is gone on this side."},
	{"time_wait_expired", "TIME_WAIT lasted 2 x MSL, so old duplicates have died out: the endpoint is closed."},
	{"time_wait_reused", "A new SYN on the same addresses and ports ends TIME_WAIT early: the port pair is reused for a new connection."},
	{"superseded", "A new handshake (a SYN with a new initial sequence number, answered by a SYN-ACK) took these addresses and ports: this connection was abandoned without FIN or RST (a restart after a crash, or a NAT reusing the port) and is over."},
	{"syn_new_isn", "A SYN with a new initial sequence number on a connection that is still open: a SYN-ACK answering it starts a new connection; otherwise the receiver answers with a challenge ACK and nothing changes (RFC 9293 3.10.7.4, RFC 5961 4.2)."},
	{"rst_sent", "The endpoint sent a RST: it aborted the connection (or had none) and is closed."},
	{"synack_answered_by_rst", "The SYN-ACK was answered by a bare RST, not an ACK: this end had no connection waiting (a SYN scan, or connect() gave up), so it closes."},
	{"rst_rcvd", "A RST with the expected sequence number arrived: the connection is aborted at once, without FIN."},
	{"refused", "The SYN was answered by RST: nothing listens on that port, the connection was refused."},
	{"rst_rcvd_syn_rcvd", "A RST arrived during the handshake: the half-open connection is dropped and the server keeps listening."},
	{"rst_rcvd_time_wait", "A RST arrived in TIME_WAIT and ended it early (RFC 9293 allows this; RFC 1337 stacks such as lwIP ignore it)."},
	{"rst_out_of_window", "RST ignored: its sequence number is outside the receiver's window, so it may be forged or stale (RFC 9293 3.10.7.4)."},
	{"rst_not_exact", "RST ignored: in the window but not the next expected byte; the receiver answers with a challenge ACK (RFC 5961 3.2)."},
	{"rst_syn_sent_unacceptable", "RST ignored: in SYN_SENT a RST counts only if it acknowledges our SYN (RFC 9293 3.10.7.3)."},
};

#define NREASONS (sizeof(tracker_reasons) / sizeof(tracker_reasons[0]))

const char *tracker_reason_key(unsigned i)
{
	return i < NREASONS ? tracker_reasons[i].key : NULL;
}

const char *tracker_reason_explain(const char *reason)
{
	if (!reason)
		return NULL;
	for (size_t i = 0; i < NREASONS; i++)
		if (strcmp(tracker_reasons[i].key, reason) == 0)
			return tracker_reasons[i].explain;
	return NULL;
}

const char *tracker_mark_to_str(enum tracker_mark m)
{
	switch (m) {
	case TRACKER_MARK_RETRANSMISSION: return "retransmission";
	case TRACKER_MARK_OUT_OF_ORDER: return "out-of-order";
	case TRACKER_MARK_DUP_ACK: return "dup-ack";
	case TRACKER_MARK_ZERO_WINDOW: return "zero-window";
	case TRACKER_MARK_WINDOW_UPDATE: return "window-update";
	case TRACKER_MARK_KEEP_ALIVE: return "keep-alive";
	case TRACKER_MARK_ACKED_UNSEEN: return "acked-unseen";
	case TRACKER_MARK_PREV_NOT_CAPTURED: return "prev-not-captured";
	case TRACKER_MARK_RST_IGNORED: return "rst-ignored";
	}
	return "?";
}

/* ---- the legal transitions ------------------------------------------ */

/* The one place that lists what may be emitted. D: the RFC 9293 figure 5
 * diagram; T: the event-processing text of RFC 9293 section 3.10.7
 * (RST handling, FIN_WAIT_1 + FIN with our FIN acked); I: inferred by a
 * passive observer (joined mid-stream). */
enum { TR_NO = 0, TR_D, TR_T, TR_I };

#define S_(x) TCPSTATE_##x
static const unsigned char tracker_legal[TCPSTATE_COUNT][TCPSTATE_COUNT] = {
	[S_(CLOSED)] = {[S_(LISTEN)] = TR_D, [S_(SYN_SENT)] = TR_D,
			[S_(ESTABLISHED)] = TR_I},
	[S_(LISTEN)] = {[S_(SYN_RCVD)] = TR_D, [S_(SYN_SENT)] = TR_D,
			[S_(CLOSED)] = TR_D},
	[S_(SYN_SENT)] = {[S_(SYN_RCVD)] = TR_D, [S_(ESTABLISHED)] = TR_D,
			  [S_(CLOSED)] = TR_D},
	[S_(SYN_RCVD)] = {[S_(ESTABLISHED)] = TR_D, [S_(FIN_WAIT_1)] = TR_D,
			  [S_(LISTEN)] = TR_T, [S_(CLOSED)] = TR_T},
	[S_(ESTABLISHED)] = {[S_(FIN_WAIT_1)] = TR_D, [S_(CLOSE_WAIT)] = TR_D,
			     [S_(CLOSED)] = TR_T},
	[S_(FIN_WAIT_1)] = {[S_(FIN_WAIT_2)] = TR_D, [S_(CLOSING)] = TR_D,
			    [S_(TIME_WAIT)] = TR_T, [S_(CLOSED)] = TR_T},
	[S_(FIN_WAIT_2)] = {[S_(TIME_WAIT)] = TR_D, [S_(CLOSED)] = TR_T},
	[S_(CLOSE_WAIT)] = {[S_(LAST_ACK)] = TR_D, [S_(CLOSED)] = TR_T},
	[S_(CLOSING)] = {[S_(TIME_WAIT)] = TR_D, [S_(CLOSED)] = TR_T},
	[S_(LAST_ACK)] = {[S_(CLOSED)] = TR_D},
	[S_(TIME_WAIT)] = {[S_(CLOSED)] = TR_D},
};
#undef S_

bool tracker_transition_legal(enum tcpstate from, enum tcpstate to)
{
	if ((unsigned)from >= TCPSTATE_COUNT || (unsigned)to >= TCPSTATE_COUNT)
		return false;
	return tracker_legal[from][to] != TR_NO;
}

/* ---- data structures ------------------------------------------------ */

/* The structs below are laid out for size (bools and small fields
 * together, 8-byte fields last): the tracker holds every connection for
 * its TIME_WAIT and one MSL more, so on a busy link most of its memory is
 * closed connections, and every byte of them is paid for in page faults
 * and cache misses. */

/* Wireshark-style analysis state for the segments one endpoint sends
 * (packet-tcp.c's tcp_flow_t, with explicit "known" flags where Wireshark
 * uses 0 as "unknown"). */
struct flow {
	uint32_t base;
	uint32_t nextseq;
	uint32_t maxseqtobeacked;
	uint32_t window; /* raw, as on the wire; UINT32_MAX until known */
	uint32_t lastack;
	/* duplicate ACKs in a row; DUPACK_SEEN_UNSEEN after an "ACKed unseen
	 * segment" so the next ACKs of the same hole are not flagged again.
	 * Wireshark keeps it unsigned, so that value also counts as "at
	 * least two" for fast retransmissions; we do the same on purpose. */
	int32_t dupacknum;
	uint32_t lastflags;
	int8_t wscale; /* -1 unknown, -2 not used, >= 0 shift (<= 14) */
	bool base_set, nextseq_set, maxseq_set;
	int64_t nextseq_ts;
	int64_t lastack_ts;
};

/* A TIME_WAIT timer (one per endpoint), or the linger timer of a closed
 * connection, which reuses the first endpoint's (its TIME_WAITs are over
 * by then). */
struct tw_timer {
	struct tw_timer *prev, *next;
	int64_t deadline;
	uint8_t ep;   /* 0 or 1: its index in conn.tw (conn_of_timer) */
	bool linger;  /* the linger timer, not a TIME_WAIT */
	bool armed;
};

/* A segment that reached an endpoint and whose effect is decided later. */
struct deferred {
	uint64_t pkt;
	int64_t ts;
};

struct endpoint {
	enum tcpstate state;
	uint32_t isn;
	uint32_t nxt;
	uint32_t fin_seq; /* the sequence number the FIN occupies */
	uint32_t last_ack;
	uint32_t win; /* last advertised window, scaled; 0 until one is seen */
	bool known;   /* has had a state or sent something */
	bool passive; /* came from LISTEN */
	bool isn_known;
	bool syn_sent; /* a bare SYN from it was seen */
	bool nxt_known; /* nxt: highest sequence number sent, plus one */
	bool fin_sent;
	bool ack_known; /* last_ack: highest ACK sent, its RCV.NXT as it last said */
	bool syn_in_on; /* a SYN reached it while we knew nothing: syn_in */
	bool fin_in_on; /* a FIN reached it in ESTABLISHED: fin_in */
	struct deferred syn_in;
	struct deferred fin_in;
	struct flow fl;
};

/* What the summary counts, in the connection: tracker_conn_summary with
 * 32-bit counts of segments (saturating; bytes stay 64-bit) and without
 * the final states, which are the endpoints' own. */
struct conn_sum {
	uint64_t bytes[2];
	uint64_t first_pkt, last_pkt;
	uint32_t syn[2], synack[2], fin[2], rst[2], retransmissions[2];
	int8_t closed_by, reset_by;
	bool handshake, mid_stream, superseded;
};

struct conn {
	struct conn *hnext;
	/* Every connection held, in id order (creation order): what
	 * tracker_finish walks, instead of sorting the table. */
	struct conn *onext, *oprev;
	uint64_t id;
	uint32_t hash;
	uint16_t port[2];
	uint8_t ipv;
	/* After its summary a closed connection lingers one MSL (the longest
	 * a segment can still be in flight, RFC 9293 3.4.2), so stragglers
	 * keep its id and relative numbers instead of opening a phantom
	 * mid-stream connection; then it is freed (tw[0].linger). */
	bool closed;
	bool saw_syn, saw_synack;
	bool first_rtt_set;
	bool reopened; /* conn_reopen: its next SYN is the retried one */
	bool syn_pending; /* a struct pending_syn in the tracker is its */
	uint8_t addr[2][16]; /* [0] client, [1] server */
	int64_t syn_ts; /* the most recent SYN, for the handshake RTT */
	int64_t first_rtt;
	struct endpoint ep[2];
	struct tw_timer tw[2];
	struct conn_sum sum;
};

static struct conn *conn_of_timer(struct tw_timer *tm)
{
	return (struct conn *)(void *)((char *)(tm - tm->ep) -
				       offsetof(struct conn, tw));
}

/* One more, stopping at the largest count (not wrapping to 0). */
static inline void count_one(uint32_t *n)
{
	if (*n != UINT32_MAX)
		(*n)++;
}

/* A bare SYN with a new ISN on a connection that never closed, waiting
 * for the peer's answer (docs/states.md): a SYN-ACK acknowledging it
 * starts a new connection; anything else leaves it a SYN in a
 * synchronized state (a challenge ACK case, RFC 9293 3.10.7.4). Rare, so
 * kept in a small array in the tracker, not in every connection. */
struct pending_syn {
	struct conn *c;
	struct segment syn;  /* the first one; payload pointer cleared */
	uint64_t last_pkt;   /* the last of it and its retransmissions */
	int64_t last_ts;
	uint32_t retries;    /* the same SYN again before any answer */
	uint8_t side;        /* its sender's endpoint in c */
};

struct timer_list {
	struct tw_timer *head, *tail;
	/* head->deadline, or INT64_MAX when empty: kept here so that the
	 * check made for every segment ("is a timer due?") reads only this
	 * struct, not the head timer inside some long-idle connection. */
	int64_t first;
};

struct tracker {
	struct slab *conns; /* where each struct conn lives (see slab.h) */
	int64_t msl_ns;
	bool summaries_only; /* tracker_config.summaries_only */
	void (*on_state)(void *, const struct tracker_transition *);
	void *on_state_user;
	struct conn **buckets;
	size_t nbuckets;
	size_t nconns;
	uint64_t next_id;
	struct conn *ohead, *otail; /* all connections, in id order */
	/* Pending events: a ring whose size is a power of two. */
	struct tracker_event *evq;
	size_t evcap, evhead, evlen;
	/* Two lists, each sorted by deadline: TIME_WAIT (2 MSL) and linger
	 * (1 MSL). Each adds a constant to capture time, so a new timer
	 * nearly always goes at its list's tail; one list for both would
	 * make every linger timer walk past all the later TIME_WAITs. */
	struct timer_list timers[2];
	uint64_t last_pkt;
	int64_t last_ts;
	uint64_t illegal;
	struct pending_syn *pend;
	size_t npend, cappend;
};

/* ---- events --------------------------------------------------------- */

static bool ev_grow(struct tracker *t)
{
	size_t ncap = t->evcap ? t->evcap * 2 : 64;
	struct tracker_event *n = malloc(ncap * sizeof(*n));
	if (!n)
		return false;
	for (size_t i = 0; i < t->evlen; i++)
		n[i] = t->evq[(t->evhead + i) & (t->evcap - 1)];
	free(t->evq);
	t->evq = n;
	t->evcap = ncap;
	t->evhead = 0;
	return true;
}

bool tracker_has_event(const struct tracker *t)
{
	return t && t->evlen;
}

bool tracker_next_event(struct tracker *t, struct tracker_event *ev)
{
	if (!t || !t->evlen)
		return false;
	*ev = t->evq[t->evhead];
	t->evhead = (t->evhead + 1) & (t->evcap - 1);
	t->evlen--;
	return true;
}

/* A new event at the queue's tail, filled in place (no copy through a
 * temporary); NULL when memory ran out: the event is lost, nothing
 * breaks. */
static struct tracker_event *ev_new(struct tracker *t, const struct conn *c,
				    enum tracker_event_type type, uint64_t pkt,
				    int64_t ts)
{
	if (t->evlen == t->evcap && !ev_grow(t))
		return NULL;
	struct tracker_event *ev = &t->evq[(t->evhead + t->evlen) & (t->evcap - 1)];
	t->evlen++;
	static const struct tracker_event zero_ev; /* see decode_frame */
	*ev = zero_ev;
	ev->type = type;
	ev->pkt = pkt;
	ev->ts_ns = ts;
	ev->conn = c->id;
	ev->ip_version = c->ipv;
	memcpy(ev->addr, c->addr, sizeof(ev->addr));
	ev->port[0] = c->port[0];
	ev->port[1] = c->port[1];
	return ev;
}

/* ---- timers: TIME_WAIT and linger, each a list sorted by deadline ---- */

static struct timer_list *timer_list_of(struct tracker *t,
					 const struct tw_timer *tm)
{
	return &t->timers[tm->linger];
}

static void tw_disarm(struct tracker *t, struct tw_timer *tm)
{
	if (!tm->armed)
		return;
	struct timer_list *l = timer_list_of(t, tm);
	if (tm->prev) {
		tm->prev->next = tm->next;
	} else {
		l->head = tm->next;
		l->first = tm->next ? tm->next->deadline : INT64_MAX;
	}
	if (tm->next)
		tm->next->prev = tm->prev;
	else
		l->tail = tm->prev;
	tm->prev = tm->next = NULL;
	tm->armed = false;
}

static void tw_arm(struct tracker *t, struct tw_timer *tm, int64_t deadline)
{
	tw_disarm(t, tm);
	tm->deadline = deadline;
	struct timer_list *l = timer_list_of(t, tm);
	/* Deadlines are capture time + a constant, so they nearly always go
	 * at the tail: walk back from there. */
	struct tw_timer *p = l->tail;
	while (p && p->deadline > deadline)
		p = p->prev;
	tm->prev = p;
	tm->next = p ? p->next : l->head;
	if (tm->next)
		tm->next->prev = tm;
	else
		l->tail = tm;
	if (p) {
		p->next = tm;
	} else {
		l->head = tm;
		l->first = deadline;
	}
	tm->armed = true;
}

/* The earliest armed timer due at or before now, or NULL. */
static inline struct tw_timer *timer_due(struct tracker *t, int64_t now)
{
	if (t->timers[0].first > now && t->timers[1].first > now)
		return NULL; /* the common case: nothing due */
	struct tw_timer *m = t->timers[1].first < t->timers[0].first
				     ? t->timers[1].head : t->timers[0].head;
	return m && m->deadline <= now ? m : NULL;
}

/* ---- transitions ---------------------------------------------------- */

static void transition(struct tracker *t, struct conn *c, int e,
		       enum tcpstate to, const char *cause,
		       const char *reason, uint64_t pkt, int64_t ts,
		       bool by_timer)
{
	struct endpoint *ep = &c->ep[e];
	enum tcpstate from = ep->state;

	ep->known = true;
	if (from == to)
		return;
	if (!tracker_transition_legal(from, to))
		t->illegal++;
	ep->state = to;
	if (to == TCPSTATE_TIME_WAIT)
		tw_arm(t, &c->tw[e], ts + 2 * t->msl_ns);
	else if (from == TCPSTATE_TIME_WAIT)
		tw_disarm(t, &c->tw[e]);
	if (t->summaries_only)
		return;
	if (t->on_state) {
		struct tracker_transition tr = {
			.conn = c->id, .pkt = pkt, .ts_ns = ts,
			.state = { .endpoint = e, .from = from, .to = to, .cause = cause,
				   .reason = reason, .by_timer = by_timer },
			.ip_version = c->ipv, .addr = c->addr, .port = c->port,
		};
		t->on_state(t->on_state_user, &tr);
		return;
	}

	struct tracker_event *ev = ev_new(t, c, TRACKER_EV_STATE, pkt, ts);
	if (!ev)
		return;
	ev->u.state.endpoint = e;
	ev->u.state.from = from;
	ev->u.state.to = to;
	ev->u.state.cause = cause;
	ev->u.state.reason = reason;
	ev->u.state.by_timer = by_timer;
}

/* ---- the connection table ------------------------------------------- */

static size_t addr_len(uint8_t ipv)
{
	return ipv == 6 ? 16 : 4;
}

/* One endpoint folded into 64 bits for hashing: the address (an IPv6 one
 * folded) and the port. Loads go through memcpy: no alignment assumed. */
static uint64_t side_fold(const uint8_t *a, size_t alen, uint16_t port)
{
	uint64_t x;
	if (alen == 4) {
		uint32_t v;
		memcpy(&v, a, 4);
		x = v;
	} else {
		uint64_t hi, lo;
		memcpy(&hi, a, 8);
		memcpy(&lo, a + 8, 8);
		x = hi ^ (lo * 0x9e3779b97f4a7c15ULL);
	}
	return (x << 16 | x >> 48) ^ port;
}

static bool addr_eq(const uint8_t *a, const uint8_t *b, size_t alen)
{
	if (alen == 4) {
		uint32_t x, y;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		return x == y;
	}
	return memcmp(a, b, 16) == 0;
}

/* A total order on (address, port), the same whichever side asks. */
static int side_cmp(const uint8_t *a, uint16_t ap, const uint8_t *b,
		    uint16_t bp, size_t alen)
{
	int r = memcmp(a, b, alen);
	if (r)
		return r;
	return (ap > bp) - (ap < bp);
}

/* The key in one canonical order (the lower address:port first), so both
 * directions of a connection hash alike, as tcpdump's flow keys do;
 * mixed with the MurmurHash3 64-bit finalizer. */
static uint32_t key_hash(const struct segment *s)
{
	size_t alen = addr_len(s->ip_version);
	uint64_t x = side_fold(s->src, alen, s->sport);
	uint64_t y = side_fold(s->dst, alen, s->dport);
	uint64_t lo = x, hi = y;
	if (x == y ? side_cmp(s->src, s->sport, s->dst, s->dport, alen) > 0
		   : x > y) {
		lo = y;
		hi = x;
	}
	uint64_t h = lo * 0x9e3779b97f4a7c15ULL + (hi ^ s->ip_version);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* 0 if the segment is sent by the connection's client, 1 if by its
 * server, -1 if it does not belong to it. */
static int conn_side(const struct conn *c, const struct segment *s)
{
	size_t alen = addr_len(c->ipv);
	if (c->ipv != s->ip_version)
		return -1;
	for (int e = 0; e < 2; e++) {
		if (c->port[e] == s->sport && c->port[1 - e] == s->dport &&
		    addr_eq(c->addr[e], s->src, alen) &&
		    addr_eq(c->addr[1 - e], s->dst, alen))
			return e;
	}
	return -1;
}

static struct conn *conn_find(struct tracker *t, const struct segment *s,
			      uint32_t h, int *side)
{
	struct conn **head = &t->buckets[h & (t->nbuckets - 1)];
	for (struct conn **pp = head, *c; (c = *pp); pp = &c->hnext) {
		if (c->hash != h)
			continue;
		int e = conn_side(c, s);
		if (e < 0)
			continue;
		/* Move to the front: the connections that are talking are
		 * then found first, not behind closed ones lingering in the
		 * same chain (each a cache miss). */
		if (pp != head) {
			*pp = c->hnext;
			c->hnext = *head;
			*head = c;
		}
		*side = e;
		return c;
	}
	return NULL;
}

static void table_resize(struct tracker *t, size_t n)
{
	struct conn **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* keep the old table: longer chains, still correct */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct conn *c = t->buckets[i];
		while (c) {
			struct conn *next = c->hnext;
			c->hnext = nb[c->hash & (n - 1)];
			nb[c->hash & (n - 1)] = c;
			c = next;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

#define MIN_BUCKETS 64

static void table_remove(struct tracker *t, struct conn *c)
{
	struct conn **pp = &t->buckets[c->hash & (t->nbuckets - 1)];
	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	t->nconns--;
	/* Shrink too, so memory follows the open connections down. */
	if (t->nbuckets > MIN_BUCKETS && t->nconns < t->nbuckets / 8)
		table_resize(t, t->nbuckets / 2);
}

static void flow_init(struct flow *f)
{
	memset(f, 0, sizeof(*f));
	f->window = UINT32_MAX;
	f->wscale = -1;
}

/* The summary counts from s on: the connection's first segment, or the
 * SYN that reopens it (conn_reopen). A first segment that is not a bare
 * SYN means the capture began after the connection opened. */
static void sum_start(struct conn_sum *m, const struct segment *s)
{
	memset(m, 0, sizeof(*m));
	m->closed_by = -1;
	m->reset_by = -1;
	m->first_pkt = s->pkt;
	m->mid_stream = (s->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) != TCPF_SYN;
}

static struct conn *conn_new(struct tracker *t, const struct segment *s,
			     uint32_t h, int *side)
{
	if (t->nconns + 1 > t->nbuckets - t->nbuckets / 4)
		table_resize(t, t->nbuckets * 2);
	struct conn *c = slab_alloc(t->conns);
	if (!c)
		return NULL;
	size_t alen = addr_len(s->ip_version);
	/* The client opened it (sent the SYN), or was first seen sending; a
	 * SYN-ACK seen first was sent by the server. */
	int cl_is_dst = (s->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) ==
			(TCPF_SYN | TCPF_ACK);
	c->hash = h;
	c->id = ++t->next_id;
	c->ipv = s->ip_version;
	memcpy(c->addr[cl_is_dst], s->src, alen);
	memcpy(c->addr[!cl_is_dst], s->dst, alen);
	c->port[cl_is_dst] = s->sport;
	c->port[!cl_is_dst] = s->dport;
	for (int e = 0; e < 2; e++) {
		c->ep[e].state = TCPSTATE_CLOSED;
		flow_init(&c->ep[e].fl);
		c->tw[e].ep = (uint8_t)e;
	}
	sum_start(&c->sum, s);
	struct conn **b = &t->buckets[h & (t->nbuckets - 1)];
	c->hnext = *b;
	*b = c;
	c->oprev = t->otail;
	if (t->otail)
		t->otail->onext = c;
	else
		t->ohead = c;
	t->otail = c;
	t->nconns++;
	*side = cl_is_dst;
	return c;
}

/* ---- a SYN with a new ISN, waiting for its answer ------------------- */

static struct pending_syn *pending_of(struct tracker *t, const struct conn *c)
{
	for (size_t i = 0; i < t->npend; i++)
		if (t->pend[i].c == c)
			return &t->pend[i];
	return NULL;
}

/* false when memory ran out: the SYN is then fed as any other. */
static bool pending_add(struct tracker *t, struct conn *c, int s,
			const struct segment *seg)
{
	if (t->npend == t->cappend) {
		size_t n = t->cappend ? t->cappend * 2 : 4;
		struct pending_syn *q = realloc(t->pend, n * sizeof(*q));
		if (!q)
			return false;
		t->pend = q;
		t->cappend = n;
	}
	struct pending_syn *p = &t->pend[t->npend++];
	p->c = c;
	p->syn = *seg;
	p->syn.payload = NULL; /* the caller's buffer; the tracker never reads it */
	p->syn.payload_caplen = 0;
	p->last_pkt = seg->pkt;
	p->last_ts = seg->ts_ns;
	p->retries = 0;
	p->side = (uint8_t)s;
	c->syn_pending = true;
	return true;
}

static void pending_drop(struct tracker *t, struct conn *c)
{
	struct pending_syn *p = pending_of(t, c);
	c->syn_pending = false;
	if (p)
		*p = t->pend[--t->npend];
}

/* Counts the pending SYN (unless first_fed: it was fed to n) and its
 * retransmissions in the summary of n, sent by endpoint s. */
static void count_syns(struct conn *n, int s, const struct pending_syn *p,
		       bool first_fed)
{
	struct conn_sum *m = &n->sum;
	for (uint32_t i = first_fed; i <= p->retries; i++) {
		count_one(&m->syn[s]);
		if (i)
			count_one(&m->retransmissions[s]);
		m->bytes[s] += p->syn.payload_len;
	}
	if (p->last_pkt > m->last_pkt)
		m->last_pkt = p->last_pkt;
}

/* No SYN-ACK answered it: a SYN in a synchronized state, answered (or
 * not) by a challenge ACK, which changes nothing (RFC 9293 3.10.7.4, RFC
 * 5961 4.2). Its frames stay with the connection they were given to. */
static void pending_stays(struct tracker *t, struct conn *c)
{
	const struct pending_syn *p = pending_of(t, c);
	if (p)
		count_syns(c, p->side, p, false);
	pending_drop(t, c);
}

static void conn_free(struct tracker *t, struct conn *c)
{
	if (c->syn_pending)
		pending_drop(t, c);
	tw_disarm(t, &c->tw[0]);
	tw_disarm(t, &c->tw[1]);
	table_remove(t, c);
	if (c->oprev)
		c->oprev->onext = c->onext;
	else
		t->ohead = c->onext;
	if (c->onext)
		c->onext->oprev = c->oprev;
	else
		t->otail = c->oprev;
	slab_free(t->conns, c);
}

/* (Re)starts a closed connection's linger: freed at deadline. */
static void linger_arm(struct tracker *t, struct conn *c, int64_t deadline)
{
	tw_disarm(t, &c->tw[0]); /* before it changes lists */
	c->tw[0].linger = true;
	tw_arm(t, &c->tw[0], deadline);
}

/* Emits the summary; the connection then lingers, closed, for one MSL. */
static void conn_release(struct tracker *t, struct conn *c, uint64_t pkt,
			 int64_t ts)
{
	if (c->syn_pending)
		pending_stays(t, c);
	struct tracker_event *ev = ev_new(t, c, TRACKER_EV_CONN, pkt, ts);
	if (ev) {
		struct tracker_conn_summary *o = &ev->u.conn_summary;
		const struct conn_sum *m = &c->sum;
		o->handshake = m->handshake;
		o->mid_stream = m->mid_stream;
		o->closed_by = m->closed_by;
		o->reset_by = m->reset_by;
		o->superseded = m->superseded;
		for (int e = 0; e < 2; e++) {
			o->syn[e] = m->syn[e];
			o->synack[e] = m->synack[e];
			o->fin[e] = m->fin[e];
			o->rst[e] = m->rst[e];
			o->bytes[e] = m->bytes[e];
			o->retransmissions[e] = m->retransmissions[e];
			o->final_state[e] = c->ep[e].state;
		}
		o->first_pkt = m->first_pkt;
		o->last_pkt = m->last_pkt;
	}
	tw_disarm(t, &c->tw[1]);
	c->closed = true;
	linger_arm(t, c, ts + t->msl_ns);
}

static bool gone(enum tcpstate s)
{
	return s == TCPSTATE_CLOSED || s == TCPSTATE_LISTEN;
}

/* A connection whose two endpoints are both closed (a listener left in
 * LISTEN belongs to the listening socket, not to this connection) holds
 * nothing more to show. */
static bool maybe_release(struct tracker *t, struct conn *c, uint64_t pkt,
			  int64_t ts)
{
	if (c->closed || !gone(c->ep[0].state) || !gone(c->ep[1].state))
		return false;
	/* An endpoint we never heard from is not known to be closed, but it
	 * cannot hold the connection open either once the other is closed. */
	conn_release(t, c, pkt, ts);
	return true;
}

/* ---- lifecycle ------------------------------------------------------ */

struct tracker *tracker_create(const struct tracker_config *cfg)
{
	struct tracker *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->msl_ns = cfg && cfg->msl_ns > 0 ? cfg->msl_ns : DEFAULT_MSL_NS;
	t->summaries_only = cfg && cfg->summaries_only;
	if (cfg && cfg->on_state) {
		t->on_state = cfg->on_state;
		t->on_state_user = cfg->on_state_user;
	}
	t->timers[0].first = t->timers[1].first = INT64_MAX;
	t->nbuckets = MIN_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	t->conns = slab_create(sizeof(struct conn));
	if (!t->buckets || !t->conns) {
		free(t->buckets);
		slab_destroy(t->conns);
		free(t);
		return NULL;
	}
	return t;
}

void tracker_destroy(struct tracker *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct conn *c = t->buckets[i];
		while (c) {
			struct conn *next = c->hnext;
			slab_free(t->conns, c);
			c = next;
		}
	}
	slab_destroy(t->conns);
	free(t->buckets);
	free(t->evq);
	free(t->pend);
	free(t);
}

uint64_t tracker_open_connections(const struct tracker *t)
{
	return t ? t->nconns : 0;
}

uint64_t tracker_illegal_transitions(const struct tracker *t)
{
	return t ? t->illegal : 0;
}

static void fire_timers(struct tracker *t, int64_t now_ns)
{
	struct tw_timer *tm;
	while ((tm = timer_due(t, now_ns))) {
		struct conn *c = conn_of_timer(tm);
		int64_t deadline = tm->deadline;
		tw_disarm(t, tm);
		if (tm->linger) {
			conn_free(t, c);
			continue;
		}
		/* RFC 9293 3.10.8, time-wait timeout: delete the TCB and
		 * enter the CLOSED state. */
		transition(t, c, tm->ep, TCPSTATE_CLOSED, "2MSL timer",
			   "time_wait_expired", t->last_pkt, deadline, true);
		maybe_release(t, c, t->last_pkt, deadline);
	}
}

/* Called for every segment: the check that nothing is due stays inline. */
static inline void advance(struct tracker *t, int64_t now_ns)
{
	if (t->timers[0].first <= now_ns || t->timers[1].first <= now_ns)
		fire_timers(t, now_ns);
}

void tracker_advance(struct tracker *t, int64_t now_ns)
{
	if (t)
		advance(t, now_ns);
}

int64_t tracker_next_deadline(const struct tracker *t)
{
	if (!t)
		return INT64_MAX;
	return t->timers[0].first < t->timers[1].first ? t->timers[0].first
							: t->timers[1].first;
}

static void resolve_fin_in(struct tracker *t, struct conn *c, int e);

bool tracker_finish_step(struct tracker *t)
{
	if (!t)
		return false;
	/* In id order; closed connections (their summary is already out)
	 * are simply freed. */
	struct conn *c;
	while ((c = t->ohead)) {
		bool was_open = !c->closed;
		if (was_open) {
			/* The wire model: a FIN seen on the wire arrived, even
			 * if the capture ends before the receiver said so. */
			for (int e = 0; e < 2; e++)
				if (c->ep[e].fin_in_on &&
				    c->ep[e].state == TCPSTATE_ESTABLISHED)
					resolve_fin_in(t, c, e);
			conn_release(t, c, t->last_pkt, t->last_ts);
		}
		conn_free(t, c);
		if (was_open)
			return true;
	}
	return false;
}

void tracker_finish(struct tracker *t)
{
	while (tracker_finish_step(t))
		;
}

/* ---- sequence analysis (Wireshark's tcp_analyze_sequence_number) ----- */

static void window_scale_on_syn(struct conn *c, int s,
				const struct segment *seg)
{
	struct flow *f = &c->ep[s].fl, *r = &c->ep[1 - s].fl;
	bool synack = seg->flags & TCPF_ACK;
	int ws = seg->opts.has_wscale ? (seg->opts.wscale > 14 ? 14
				       : seg->opts.wscale) : -1;
	/* Window scaling is used only if both SYNs carry the option (RFC
	 * 7323 section 2.2); Wireshark's verify_tcp_window_scaling. */
	if (ws < 0) {
		f->wscale = -2;
		r->wscale = -2;
	} else if (synack && r->wscale == -2) {
		f->wscale = -2;
	} else {
		f->wscale = ws;
	}
}

static uint32_t scaled_window(const struct flow *f, const struct segment *s)
{
	if ((s->flags & TCPF_SYN) || f->wscale < 0)
		return s->win; /* windows in SYNs are never scaled */
	return (uint32_t)s->win << f->wscale;
}

static inline __attribute__((always_inline)) void analyze(struct conn *c, int s, const struct segment *seg,
		    struct tracker_seginfo *info)
{
	struct flow *f = &c->ep[s].fl, *r = &c->ep[1 - s].fl;
	uint8_t fl = seg->flags;
	uint32_t seq = seg->seq, ack = seg->ack, len = seg->payload_len;
	int64_t now = seg->ts_ns;
	unsigned m = 0;
	const uint8_t sfr = TCPF_SYN | TCPF_FIN | TCPF_RST;

	/* Relative numbers: base on the ISN when the SYN is the first
	 * segment of the direction, else one before the first seq seen so
	 * it shows as 1; the other direction's base comes from the first ACK
	 * if its own segments were not seen yet (Wireshark bug 1542). A
	 * SYN-ACK whose seq differs from a base taken earlier (from a RST-ACK
	 * with SEQ=0 answering a SYN, RFC 9293 3.10.7.1, or from the peer's
	 * ACK or data captured before it) sets the base, as Wireshark's
	 * packet-tcp.c does. One test on the common path: no SYN, base set. */
	if (!f->base_set || (fl & TCPF_SYN)) {
		if (!f->base_set)
			f->base = (fl & TCPF_SYN) ? seq : seq - 1;
		else if ((fl & (TCPF_ACK | TCPF_RST)) == TCPF_ACK)
			f->base = seq; /* no change when it is the same */
		f->base_set = true;
	}
	if (!r->base_set && (fl & TCPF_ACK)) {
		r->base = ack - 1;
		r->base_set = true;
	}
	info->rel_seq = seq - f->base;
	info->rel_ack = (fl & TCPF_ACK) ? ack - r->base : 0;

	if ((fl & (TCPF_SYN | TCPF_RST)) == TCPF_SYN)
		window_scale_on_syn(c, s, seg);
	/* Wireshark compares raw window fields here (scaling only matters
	 * against the other direction's numbers). */
	uint32_t win = seg->win;

	/* Zero window probe: one byte at the next sequence number into a
	 * closed window. */
	if (len == 1 && f->nextseq_set && seq == f->nextseq && r->window == 0) {
		m |= MARK_ZERO_WINDOW_PROBE;
		goto finished_fwd;
	}
	if (win == 0 && !(fl & sfr))
		m |= TRACKER_MARK_ZERO_WINDOW;
	/* Previous segment not captured: a hole before this one. */
	if (f->nextseq_set && SEQ_GT(seq, f->nextseq) && !(fl & TCPF_RST))
		m |= TRACKER_MARK_PREV_NOT_CAPTURED;
	/* Keep-alive: 0 or 1 byte starting one before the next sequence
	 * number (RFC 1122 4.2.3.6). */
	if ((len == 0 || len == 1) && f->nextseq_set &&
	    seq == f->nextseq - 1 && !(fl & sfr))
		m |= TRACKER_MARK_KEEP_ALIVE;
	/* A bare segment repeating the direction's last seq and ack: the
	 * window update, keep-alive ACK, zero window probe ACK and
	 * duplicate ACK are told apart by its window. */
	bool repeat = len == 0 && f->nextseq_set && seq == f->nextseq &&
		      ack == f->lastack && !(fl & sfr);
	/* Window update: nothing new but the window. */
	if (repeat && win && win != f->window)
		m |= TRACKER_MARK_WINDOW_UPDATE;
	if (repeat && win && win == f->window &&
	    (r->lastflags & TRACKER_MARK_KEEP_ALIVE)) {
		m |= MARK_KEEP_ALIVE_ACK;
		goto finished_fwd;
	}
	if (repeat && win == 0 && win == f->window &&
	    (r->lastflags & MARK_ZERO_WINDOW_PROBE)) {
		m |= MARK_ZERO_WINDOW_PROBE_ACK;
		goto finished_fwd;
	}
	/* Duplicate ACK: same window, seq and ack as the previous segment,
	 * no data. */
	if (repeat && win && win == f->window) {
		f->dupacknum = f->dupacknum == DUPACK_SEEN_UNSEEN
				       ? 1 : f->dupacknum + 1;
		m |= TRACKER_MARK_DUP_ACK;
		info->dup_ack_count = (unsigned)f->dupacknum;
	}

finished_fwd:
	if (ack != f->lastack)
		f->dupacknum = 0;

	/* ACKed unseen segment: acknowledges beyond what we saw sent. When
	 * the boundary can move up to what was seen, it does; when it
	 * cannot, the mark is given once until the other side's ACK moves
	 * (its dup-ACK counter, set to -1, remembers). */
	if (r->maxseq_set && SEQ_GT(ack, r->maxseqtobeacked) &&
	    (fl & TCPF_ACK)) {
		if (SEQ_LT(r->maxseqtobeacked, r->nextseq)) {
			r->maxseqtobeacked = r->nextseq;
			m |= TRACKER_MARK_ACKED_UNSEEN;
		} else {
			if (r->dupacknum == 0)
				m |= TRACKER_MARK_ACKED_UNSEEN;
			r->dupacknum = DUPACK_SEEN_UNSEEN;
		}
	}

	/* Retransmission (plain, fast or spurious) or out-of-order: data,
	 * SYN or FIN that does not advance the sequence number. */
	if ((len > 0 || (fl & (TCPF_SYN | TCPF_FIN))) &&
	    !(m & TRACKER_MARK_KEEP_ALIVE)) {
		bool not_advanced = f->nextseq_set && SEQ_LT(seq, f->nextseq);
		/* one byte short of nextseq with more than a byte of data:
		 * new data after a zero window probe */
		if (len > 1 && f->nextseq_set && f->nextseq - 1 == seq)
			not_advanced = false;
		int64_t thres = c->first_rtt_set ? c->first_rtt : OOO_DEFAULT_NS;
		uint32_t fin_syn = (fl & (TCPF_SYN | TCPF_FIN)) ? 1 : 0;
		if (len > 0 && r->lastack != 0 &&
		    SEQ_LEQ(seq + len, r->lastack))
			m |= TRACKER_MARK_RETRANSMISSION; /* spurious */
		else if (not_advanced &&
			 (r->dupacknum >= 2 || r->dupacknum == DUPACK_SEEN_UNSEEN) &&
			 r->lastack == seq &&
			 now - r->lastack_ts < FAST_RETRANS_NS)
			m |= TRACKER_MARK_RETRANSMISSION; /* fast */
		else if (not_advanced && now - f->nextseq_ts < thres &&
			 f->nextseq != seq + len + fin_syn)
			m |= TRACKER_MARK_OUT_OF_ORDER;
		else if (not_advanced)
			m |= TRACKER_MARK_RETRANSMISSION;
	}

	uint32_t nextseq = seq + len + ((fl & (TCPF_SYN | TCPF_FIN)) ? 1 : 0);
	/* A RST-ACK with SEQ=0, the answer to a segment without ACK (RFC
	 * 9293 3.10.7.1), is outside its sender's sequence space: it leaves
	 * the next sequence number unknown, so the SYN-ACK after a retried
	 * SYN is no hole. (Wireshark gets the same by keeping 0 for
	 * "unknown"; here a real next sequence number of 0, after a
	 * wraparound, stays known.) */
	bool seqless = (fl & (TCPF_RST | TCPF_ACK)) == (TCPF_RST | TCPF_ACK) &&
		       seq == 0 && len == 0;
	if (!f->nextseq_set || SEQ_GT(nextseq, f->nextseq)) {
		if (!(m & MARK_ZERO_WINDOW_PROBE)) {
			f->nextseq = nextseq;
			f->nextseq_set = !seqless;
			f->nextseq_ts = now;
		}
	}
	if (!f->maxseq_set || seq == f->maxseqtobeacked) {
		if (!(m & MARK_ZERO_WINDOW_PROBE)) {
			f->maxseqtobeacked = f->nextseq;
			f->maxseq_set = f->nextseq_set;
		}
	}
	f->window = win;
	f->lastack = ack;
	f->lastack_ts = now;
	f->lastflags = m;

	/* Wireshark's ooo threshold: the handshake round trip, measured at
	 * the client's ACK of the SYN-ACK; or, as Wireshark does, at the
	 * first segment with ACK but no SYN after a SYN: a RST-ACK refusing
	 * it, or the stale ACK of RFC 9293 figure 11 (then kept when the
	 * SYN is tried again: one conversation). */
	if (!c->first_rtt_set && c->saw_syn &&
	    ((c->saw_synack && s == 0 &&
	      (fl & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == TCPF_ACK) ||
	     (!c->saw_synack && s == 1 &&
	      (fl & (TCPF_SYN | TCPF_ACK)) == TCPF_ACK))) {
		c->first_rtt = now - c->syn_ts;
		c->first_rtt_set = true;
	}

	info->marks |= m & MARK_PUBLIC;
}

/* ---- the state machines --------------------------------------------- */

/* A segment reached an endpoint and its effect waits for the endpoint's
 * reply: kept, unless an earlier one already waits (that one counts). */
static void defer(bool *on, struct deferred *d, uint64_t pkt, int64_t ts)
{
	if (*on)
		return;
	*on = true;
	d->pkt = pkt;
	d->ts = ts;
}

/* The endpoint e had a FIN waiting (it reached e in ESTABLISHED) and has
 * now shown it received it. */
static void resolve_fin_in(struct tracker *t, struct conn *c, int e)
{
	struct endpoint *ep = &c->ep[e];
	ep->fin_in_on = false;
	transition(t, c, e, TCPSTATE_CLOSE_WAIT, "rcvd FIN", "fin_rcvd",
		   ep->fin_in.pkt, ep->fin_in.ts, false);
}

/* The endpoint e had a SYN waiting and answered it with a SYN-ACK (or
 * something only a listener would send): it was listening. */
static void resolve_syn_in(struct tracker *t, struct conn *c, int e)
{
	struct endpoint *ep = &c->ep[e];
	ep->syn_in_on = false;
	ep->passive = true;
	transition(t, c, e, TCPSTATE_LISTEN, "rcvd SYN", "listen_inferred",
		   ep->syn_in.pkt, ep->syn_in.ts, false);
	transition(t, c, e, TCPSTATE_SYN_RCVD, "rcvd SYN", "passive_open",
		   ep->syn_in.pkt, ep->syn_in.ts, false);
}

/* RFC 9293 3.10.7.3: an ACK is acceptable in SYN_SENT (and acknowledges
 * our SYN in SYN_RCVD) if ISS < SEG.ACK =< SND.NXT; SND.NXT covers data
 * sent with the SYN (TCP Fast Open, RFC 7413). */
static bool acks_our_syn(const struct endpoint *ep, uint32_t ack)
{
	if (!ep->isn_known)
		return true; /* its SYN was not captured: nothing to check */
	return SEQ_GT(ack, ep->isn) &&
	       (!ep->nxt_known || SEQ_LEQ(ack, ep->nxt));
}

static void rst_ignored(struct tracker_seginfo *info, const char *key)
{
	info->marks |= TRACKER_MARK_RST_IGNORED;
	info->note_reason = key;
	info->note = tracker_reason_explain(key);
}

/* The sender of an accepted RST has aborted (or had no connection). */
static void rst_sender(struct tracker *t, struct conn *c, int s,
		       const struct segment *seg)
{
	struct endpoint *S = &c->ep[s];
	uint64_t pkt = seg->pkt;
	int64_t ts = seg->ts_ns;
	S->syn_in_on = false;
	S->fin_in_on = false;
	switch (S->state) {
	case TCPSTATE_CLOSED:
		/* A closed port answering (a refused SYN), or an endpoint we
		 * never saw: now known to have nothing open. */
		S->known = true;
		break;
	case TCPSTATE_LISTEN:
		break; /* a listener answering a stray segment stays one */
	case TCPSTATE_SYN_RCVD:
		transition(t, c, s, S->passive ? TCPSTATE_LISTEN
						: TCPSTATE_CLOSED,
			   "sent RST", "rst_sent", pkt, ts, false);
		break;
	default:
		/* A bare RST (no ACK bit) as the only answer to a SYN-ACK is
		 * what a port with no connection sends (RFC 9293 3.10.7.1):
		 * the SYN-ACK was never accepted (a SYN scan, or connect()
		 * gave up while it was in flight), although the wire model
		 * showed ESTABLISHED when it arrived. Say so. */
		if (S->state == TCPSTATE_ESTABLISHED && !S->ack_known &&
		    !(seg->flags & TCPF_ACK) && S->syn_sent)
			transition(t, c, s, TCPSTATE_CLOSED, "sent RST",
				   "synack_answered_by_rst", pkt, ts, false);
		else
			transition(t, c, s, TCPSTATE_CLOSED, "sent RST",
				   "rst_sent", pkt, ts, false);
		break;
	}
}

/* RFC 9293 3.10.7.4 with RFC 5961 3.2: a RST resets a synchronized
 * connection only if its sequence number is exactly the next one the
 * receiver expects; in the window but not exact, the receiver sends a
 * challenge ACK; outside, it is dropped. The receiver's RCV.NXT is not on
 * the wire: it is what the sender has sent (the wire model: all of it
 * arrived) or what the receiver last acknowledged. */
static const char *rst_check(const struct conn *c, int s,
			     const struct segment *seg)
{
	const struct endpoint *S = &c->ep[s], *R = &c->ep[1 - s];
	uint32_t seq = seg->seq;

	if (R->state == TCPSTATE_SYN_SENT) {
		/* RFC 9293 3.10.7.3: acceptable if it ACKs our SYN. */
		if ((seg->flags & TCPF_ACK) && acks_our_syn(R, seg->ack))
			return NULL;
		return "rst_syn_sent_unacceptable";
	}
	if (!S->nxt_known && !R->ack_known)
		return NULL; /* nothing to check against */
	if ((S->nxt_known && seq == S->nxt) ||
	    (R->ack_known && seq == R->last_ack))
		return NULL;
	uint32_t lo = R->ack_known ? R->last_ack : S->nxt;
	if (R->win && SEQ_GEQ(seq, lo) && /* 0 until it advertised one */
	    SEQ_LT(seq, lo + R->win))
		return "rst_not_exact";
	return "rst_out_of_window";
}

static void handle_rst(struct tracker *t, struct conn *c, int s,
		       const struct segment *seg,
		       struct tracker_seginfo *info)
{
	struct endpoint *S = &c->ep[s], *R = &c->ep[1 - s];
	uint64_t pkt = seg->pkt;
	int64_t ts = seg->ts_ns;

	if (gone(R->state)) {
		/* The receiver has no connection (or we never heard from
		 * it): nothing to check the RST against; it tells us only
		 * that the sender has none either. */
		R->fin_in_on = false;
		rst_sender(t, c, s, seg);
		return;
	}
	const char *why = rst_check(c, s, seg);
	if (why) {
		rst_ignored(info, why);
		return;
	}
	/* A RST that acknowledges a pending FIN shows it arrived first
	 * (close() with unread data, or an abort after the peer closed). */
	if (S->fin_in_on && S->state == TCPSTATE_ESTABLISHED &&
	    (seg->flags & TCPF_ACK) && R->fin_sent &&
	    SEQ_GEQ(seg->ack, R->fin_seq + 1))
		resolve_fin_in(t, c, s);
	c->sum.reset_by = (int8_t)s;
	rst_sender(t, c, s, seg);

	R->fin_in_on = false;
	switch (R->state) {
	case TCPSTATE_SYN_SENT:
		transition(t, c, 1 - s, TCPSTATE_CLOSED, "rcvd RST", "refused",
			   pkt, ts, false);
		break;
	case TCPSTATE_SYN_RCVD:
		/* RFC 9293 3.10.7.4: a passive open goes back to LISTEN. */
		transition(t, c, 1 - s, R->passive ? TCPSTATE_LISTEN
						: TCPSTATE_CLOSED,
			   "rcvd RST", "rst_rcvd_syn_rcvd", pkt, ts, false);
		break;
	case TCPSTATE_TIME_WAIT:
		transition(t, c, 1 - s, TCPSTATE_CLOSED, "rcvd RST",
			   "rst_rcvd_time_wait", pkt, ts, false);
		break;
	default:
		transition(t, c, 1 - s, TCPSTATE_CLOSED, "rcvd RST", "rst_rcvd",
			   pkt, ts, false);
		break;
	}
}

/* Before its own effects: what the sender's segment reveals about
 * segments it received earlier (the deferred SYN and FIN), and about an
 * endpoint first seen mid-stream. Returns true if the sender's own FIN
 * transition is already done (simultaneous close). */
static bool sender_reveals(struct tracker *t, struct conn *c, int s,
			   const struct segment *seg)
{
	struct endpoint *S = &c->ep[s], *R = &c->ep[1 - s];
	uint8_t fl = seg->flags;
	bool syn = fl & TCPF_SYN, ackf = fl & TCPF_ACK;
	uint64_t pkt = seg->pkt;
	int64_t ts = seg->ts_ns;

	if (S->syn_in_on && S->state == TCPSTATE_CLOSED) {
		if (syn && !ackf) {
			/* Its own SYN crossed ours: simultaneous open
			 * (RFC 9293 3.5, figure 8). */
			S->syn_in_on = false;
			transition(t, c, s, TCPSTATE_SYN_SENT, "sent SYN",
				   "active_open", pkt, ts, false);
			transition(t, c, s, TCPSTATE_SYN_RCVD, "rcvd SYN",
				   "simultaneous_open", pkt, ts, false);
		} else {
			/* SYN-ACK, or an ACK after a SYN-ACK we missed. */
			resolve_syn_in(t, c, s);
		}
	}
	if (!syn && S->state == TCPSTATE_CLOSED && !S->known) {
		transition(t, c, s, TCPSTATE_ESTABLISHED, "seen mid-stream",
			   "midstream_established", pkt, ts, false);
		c->sum.mid_stream = true;
	}
	if (!syn && ackf && S->state == TCPSTATE_SYN_SENT) {
		/* An ACK after our SYN: a SYN-ACK came that we missed. */
		if (R->syn_in_on && R->state == TCPSTATE_CLOSED)
			resolve_syn_in(t, c, 1 - s);
		transition(t, c, s, TCPSTATE_ESTABLISHED, "sent ACK",
			   "synack_not_captured", pkt, ts, false);
	}
	if (S->fin_in_on && S->state == TCPSTATE_ESTABLISHED) {
		if (ackf && R->fin_sent && SEQ_GEQ(seg->ack, R->fin_seq + 1)) {
			resolve_fin_in(t, c, s);
		} else if (fl & TCPF_FIN) {
			/* Its FIN does not acknowledge ours: both FINs were
			 * on the wire at once (RFC 9293 3.6, figure 13). */
			S->fin_in_on = false;
			if (c->sum.closed_by < 0)
				c->sum.closed_by = (int8_t)s;
			transition(t, c, s, TCPSTATE_FIN_WAIT_1, "sent FIN",
				   "active_close", pkt, ts, false);
			transition(t, c, s, TCPSTATE_CLOSING, "rcvd FIN",
				   "simultaneous_close", pkt, ts, false);
			return true;
		}
	}
	return false;
}

static void handle_syn(struct tracker *t, struct conn *c, int s,
		       const struct segment *seg)
{
	struct endpoint *S = &c->ep[s], *R = &c->ep[1 - s];
	int r = 1 - s;
	uint64_t pkt = seg->pkt;
	int64_t ts = seg->ts_ns;

	if (!(seg->flags & TCPF_ACK)) {
		c->saw_syn = true;
		c->syn_ts = ts;
		if (S->state == TCPSTATE_CLOSED)
			transition(t, c, s, TCPSTATE_SYN_SENT,
				   c->reopened ? "sent SYN again" : "sent SYN",
				   c->reopened ? "syn_retried" : "active_open",
				   pkt, ts, false);
		c->reopened = false;
		/* else: a retransmitted SYN, no change */
		if (!S->isn_known) {
			S->isn = seg->seq;
			S->isn_known = true;
		}
		S->syn_sent = true;
		switch (R->state) {
		case TCPSTATE_CLOSED:
			/* Decided by its reply (see the top of this file). */
			if (!R->known)
				defer(&R->syn_in_on, &R->syn_in, pkt, ts);
			break;
		case TCPSTATE_LISTEN:
			R->passive = true;
			transition(t, c, r, TCPSTATE_SYN_RCVD, "rcvd SYN",
				   "passive_open", pkt, ts, false);
			break;
		case TCPSTATE_SYN_SENT:
			transition(t, c, r, TCPSTATE_SYN_RCVD, "rcvd SYN",
				   "simultaneous_open", pkt, ts, false);
			break;
		default:
			/* A SYN in a synchronized state gets a challenge
			 * ACK (RFC 5961 4.2): no change. */
			break;
		}
		return;
	}

	/* SYN-ACK */
	c->saw_synack = true;
	if (S->state == TCPSTATE_CLOSED && !S->known) {
		/* The capture starts at the SYN-ACK: the SYN came before. */
		S->passive = true;
		transition(t, c, s, TCPSTATE_LISTEN, "SYN not captured",
			   "syn_not_captured_listen", pkt, ts, false);
		transition(t, c, s, TCPSTATE_SYN_RCVD, "SYN not captured",
			   "syn_not_captured_server", pkt, ts, false);
		c->sum.mid_stream = true;
		if (R->state == TCPSTATE_CLOSED && !R->known) {
			transition(t, c, r, TCPSTATE_SYN_SENT,
				   "SYN not captured",
				   "syn_not_captured_client", pkt, ts, false);
			R->isn = seg->ack - 1;
			R->isn_known = true;
			R->nxt = seg->ack;
			R->nxt_known = true;
		}
	}
	if (!S->isn_known) {
		S->isn = seg->seq;
		S->isn_known = true;
	}
	bool acks_syn = acks_our_syn(R, seg->ack);
	if (R->state == TCPSTATE_SYN_SENT && acks_syn) {
		transition(t, c, r, TCPSTATE_ESTABLISHED, "rcvd SYN-ACK",
			   "synack_rcvd", pkt, ts, false);
	} else if (R->state == TCPSTATE_SYN_RCVD && acks_syn) {
		transition(t, c, r, TCPSTATE_ESTABLISHED, "rcvd SYN-ACK",
			   "simultaneous_open_established", pkt, ts, false);
		c->sum.handshake = c->saw_syn;
	}
	/* else: a retransmitted SYN-ACK (the final ACK was lost), or one
	 * the receiver must refuse: no change. */
}

/* Endpoint e's FIN was acknowledged (RFC 9293 3.10.7.4, the ACK field in
 * FIN_WAIT_1, CLOSING and LAST_ACK): by the segment just seen (cause "rcvd
 * ACK of FIN"), or by one the capture got before the FIN itself ("ACK of
 * FIN captured first"). */
static void ack_of_fin(struct tracker *t, struct conn *c, int e,
		       const char *cause, uint64_t pkt, int64_t ts)
{
	switch (c->ep[e].state) {
	case TCPSTATE_FIN_WAIT_1:
		transition(t, c, e, TCPSTATE_FIN_WAIT_2, cause, "fin_acked",
			   pkt, ts, false);
		break;
	case TCPSTATE_CLOSING:
		transition(t, c, e, TCPSTATE_TIME_WAIT, cause, "closing_acked",
			   pkt, ts, false);
		break;
	case TCPSTATE_LAST_ACK:
		transition(t, c, e, TCPSTATE_CLOSED, cause, "last_ack_acked",
			   pkt, ts, false);
		break;
	default:
		break;
	}
}

/* A FIN reached the receiver r (acked: r had acknowledged it already). */
static void receiver_fin(struct tracker *t, struct conn *c, int r,
			 uint64_t pkt, int64_t ts, bool acked)
{
	struct endpoint *R = &c->ep[r];

	switch (R->state) {
	case TCPSTATE_CLOSED:
		if (R->known)
			break;
		/* Not heard from yet (mid-stream): as ESTABLISHED. */
		/* fall through */
	case TCPSTATE_ESTABLISHED:
		/* Decided by the receiver's next segment (see the top),
		 * unless its ACK of the FIN came already. */
		if (acked)
			transition(t, c, r, TCPSTATE_CLOSE_WAIT, "rcvd FIN",
				   "fin_rcvd", pkt, ts, false);
		else
			defer(&R->fin_in_on, &R->fin_in, pkt, ts);
		break;
	case TCPSTATE_FIN_WAIT_1:
		/* Our FIN is not acknowledged by this one. */
		transition(t, c, r, TCPSTATE_CLOSING, "rcvd FIN",
			   "simultaneous_close", pkt, ts, false);
		break;
	case TCPSTATE_FIN_WAIT_2:
		transition(t, c, r, TCPSTATE_TIME_WAIT, "rcvd FIN",
			   "fin_rcvd_fin_wait_2", pkt, ts, false);
		break;
	case TCPSTATE_TIME_WAIT:
		/* A retransmitted FIN (our last ACK was lost): acknowledge
		 * it and restart the 2 MSL timeout (RFC 9293 3.10.7.4). */
		tw_arm(t, &c->tw[r], ts + 2 * t->msl_ns);
		break;
	default:
		break; /* a retransmitted FIN: no change */
	}
}

/* ACK, data and FIN. */
static void handle_data(struct tracker *t, struct conn *c, int s,
			const struct segment *seg, bool sender_done)
{
	struct endpoint *S = &c->ep[s], *R = &c->ep[1 - s];
	int r = 1 - s;
	uint8_t fl = seg->flags;
	bool fin = fl & TCPF_FIN;
	uint64_t pkt = seg->pkt;
	int64_t ts = seg->ts_ns;
	uint32_t ack = seg->ack;
	bool acked_first = false;

	/* The sender's own FIN changes the sender when it leaves. */
	if (fin) {
		uint32_t fin_seq = seg->seq + seg->payload_len;
		bool again = S->fin_sent && fin_seq == S->fin_seq;
		/* The receiver already acknowledged this FIN: the capture got
		 * the ACK first (a capture on a bridge or a mirror port can
		 * see the two directions out of order). */
		acked_first = !again && R->ack_known &&
			      SEQ_GEQ(R->last_ack, fin_seq + 1);
		if (!again && !sender_done) {
			switch (S->state) {
			case TCPSTATE_ESTABLISHED:
				transition(t, c, s, TCPSTATE_FIN_WAIT_1,
					   "sent FIN", "active_close", pkt, ts,
					   false);
				break;
			case TCPSTATE_SYN_RCVD:
				transition(t, c, s, TCPSTATE_FIN_WAIT_1,
					   "sent FIN", "close_in_syn_rcvd",
					   pkt, ts, false);
				break;
			case TCPSTATE_CLOSE_WAIT:
				transition(t, c, s, TCPSTATE_LAST_ACK,
					   "sent FIN", "passive_close", pkt,
					   ts, false);
				break;
			default:
				break;
			}
		}
		if (!again) {
			S->fin_sent = true;
			S->fin_seq = fin_seq;
			if (c->sum.closed_by < 0)
				c->sum.closed_by = (int8_t)s;
		}
	}

	/* The receiver: first the ACK (RFC 9293 3.10.7.4, "fifth, check
	 * the ACK field"), then the FIN ("eighth, check the FIN bit"). */
	if (fl & TCPF_ACK) {
		bool fin_acked = R->fin_sent && SEQ_GEQ(ack, R->fin_seq + 1);
		switch (R->state) {
		case TCPSTATE_SYN_RCVD:
			if (acks_our_syn(R, ack)) {
				transition(t, c, r, TCPSTATE_ESTABLISHED,
					   "rcvd ACK", "handshake_ack_rcvd",
					   pkt, ts, false);
				if (c->saw_syn && c->saw_synack)
					c->sum.handshake = true;
			}
			break;
		case TCPSTATE_FIN_WAIT_1:
			if (fin_acked && fin) {
				transition(t, c, r, TCPSTATE_TIME_WAIT,
					   "rcvd FIN+ACK", "fin_ack_rcvd", pkt,
					   ts, false);
				fin = false;
				break;
			}
			/* fall through */
		default:
			if (fin_acked)
				ack_of_fin(t, c, r, "rcvd ACK of FIN", pkt, ts);
			break;
		}
	}

	if (fin)
		receiver_fin(t, c, r, pkt, ts, acked_first);
	if (acked_first)
		ack_of_fin(t, c, s, "ACK of FIN captured first", pkt, ts);
}

/* What the sender's segment tells about itself, kept for later checks. */
static inline __attribute__((always_inline)) void sender_bookkeeping(struct conn *c, int s,
			       const struct segment *seg)
{
	struct endpoint *S = &c->ep[s];
	uint8_t fl = seg->flags;
	if (fl & TCPF_RST)
		return; /* no sequence space, and may not be the sender's */
	uint32_t end = seg->seq + seg->payload_len +
		       ((fl & TCPF_SYN) ? 1 : 0) + ((fl & TCPF_FIN) ? 1 : 0);
	if (!S->nxt_known || SEQ_GT(end, S->nxt)) {
		S->nxt = end;
		S->nxt_known = true;
	}
	if ((fl & TCPF_ACK) &&
	    (!S->ack_known || SEQ_GT(seg->ack, S->last_ack))) {
		S->last_ack = seg->ack;
		S->ack_known = true;
	}
	S->win = scaled_window(&S->fl, seg);
}

/* A SYN on a 4-tuple whose connection is over (closed or in TIME_WAIT on
 * both sides) opens a new connection: the port pair is reused (RFC 9293
 * 3.10.7.4 on SYN in TIME_WAIT, RFC 6191). */
/* A SYN repeating the ISN its sender already used here is a
 * retransmission, not a new connection (Wireshark's rule too). */
static bool is_stale_syn(const struct conn *c, int s,
			 const struct segment *seg)
{
	const struct endpoint *S = &c->ep[s];
	return (seg->flags & TCPF_SYN) && S->syn_sent && S->isn_known &&
	       seg->seq == S->isn;
}

static bool starts_new_conn(const struct conn *c, int s,
			    const struct segment *seg)
{
	if ((seg->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) != TCPF_SYN)
		return false;
	if (is_stale_syn(c, s, seg))
		return false;
	const struct endpoint *S = &c->ep[s], *R = &c->ep[1 - s];
	if (S->state == TCPSTATE_CLOSED && !S->known)
		return false; /* its first SYN: belongs here */
	if (S->state != TCPSTATE_CLOSED && S->state != TCPSTATE_TIME_WAIT)
		return false;
	return R->state == TCPSTATE_CLOSED || R->state == TCPSTATE_LISTEN ||
	       R->state == TCPSTATE_TIME_WAIT;
}

static void end_for_reuse(struct tracker *t, struct conn *c, int s,
			  const struct segment *seg)
{
	for (int e = 0; e < 2; e++) {
		if (c->ep[e].state != TCPSTATE_TIME_WAIT)
			continue;
		transition(t, c, e, TCPSTATE_CLOSED,
			   e == s ? "sent SYN (port reused)"
				  : "rcvd SYN (port reused)",
			   "time_wait_reused", seg->pkt, seg->ts_ns, false);
	}
	conn_release(t, c, seg->pkt, seg->ts_ns);
	conn_free(t, c);
}

/* A SYN repeating its sender's ISN on a connection that ended, without a
 * handshake, in a RST (refused: a RST-ACK answering the SYN, RFC 9293
 * 3.10.7.1; or the client's own RST, as in figure 11's half-open
 * discovery): the SYN is tried again, so the connection opens again. */
static bool reopens(const struct conn *c, int s, const struct segment *seg)
{
	return (seg->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == TCPF_SYN &&
	       is_stale_syn(c, s, seg) && !c->sum.handshake &&
	       (c->sum.rst[0] || c->sum.rst[1]) &&
	       c->ep[s].state == TCPSTATE_CLOSED;
}

/* Reopens a released connection under its id: the endpoints start over
 * (CLOSED, or LISTEN for a listener, which its socket still is), the
 * summary counts again from this frame, and the analysis state (relative
 * numbers, retransmissions) carries on as in Wireshark's single stream. */
static void conn_reopen(struct tracker *t, struct conn *c,
			const struct segment *seg)
{
	tw_disarm(t, &c->tw[0]);
	c->tw[0].linger = false;
	c->closed = false;
	c->saw_syn = c->saw_synack = false;
	c->reopened = true;
	for (int e = 0; e < 2; e++) {
		struct endpoint *ep = &c->ep[e];
		struct flow fl = ep->fl;
		bool listen = ep->state == TCPSTATE_LISTEN;
		memset(ep, 0, sizeof(*ep));
		ep->fl = fl;
		ep->state = listen ? TCPSTATE_LISTEN : TCPSTATE_CLOSED;
		ep->known = listen;
		ep->passive = listen;
	}
	sum_start(&c->sum, seg); /* a bare SYN: not mid-stream */
}

/* Feeds seg, sent by endpoint s, to the open connection c. Inlined: it
 * is most of tracker_input, run for every segment (supersede's copy runs
 * once per superseded connection). */
static inline __attribute__((always_inline)) void
conn_input(struct tracker *t, struct conn *c, int s, const struct segment *seg,
	   struct tracker_seginfo *info)
{
	info->conn = c->id;
	info->from_endpoint = s;

	uint8_t fl = seg->flags;
	struct conn_sum *sum = &c->sum;
	sum->last_pkt = seg->pkt;
	if ((fl & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN)
		count_one(&sum->syn[s]);
	if ((fl & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK))
		count_one(&sum->synack[s]);
	if (fl & TCPF_FIN)
		count_one(&sum->fin[s]);
	if (fl & TCPF_RST)
		count_one(&sum->rst[s]);
	sum->bytes[s] += seg->payload_len;

	analyze(c, s, seg, info);
	if (info->marks & TRACKER_MARK_RETRANSMISSION)
		count_one(&sum->retransmissions[s]);

	/* The common case, data or an ACK between two ESTABLISHED endpoints
	 * with nothing pending, changes no state: skip the state machines. */
	const struct endpoint *S = &c->ep[s], *R = &c->ep[1 - s];
	if (!(fl & (TCPF_SYN | TCPF_FIN | TCPF_RST)) &&
	    S->state == TCPSTATE_ESTABLISHED &&
	    R->state == TCPSTATE_ESTABLISHED && !S->fin_in_on &&
	    !R->fin_in_on) {
		sender_bookkeeping(c, s, seg);
		return;
	}

	/* RFC 9293 3.10.7.4 order: RST first, then SYN, then ACK and FIN. */
	if (fl & TCPF_RST) {
		handle_rst(t, c, s, seg, info);
	} else {
		bool sender_done = sender_reveals(t, c, s, seg);
		if (fl & TCPF_SYN)
			handle_syn(t, c, s, seg);
		else
			handle_data(t, c, s, seg, sender_done);
		sender_bookkeeping(c, s, seg);
	}
	maybe_release(t, c, seg->pkt, seg->ts_ns);
}

/* A bare SYN whose ISN is not the one its sender used here, on a
 * connection that is open (starts_new_conn did not take it): a new
 * handshake if the peer answers it with a SYN-ACK, else a challenge ACK
 * case. A sender never heard from is the simultaneous open's. */
static bool new_isn_syn(const struct conn *c, int s, const struct segment *seg)
{
	const struct endpoint *S = &c->ep[s];
	return (seg->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == TCPF_SYN &&
	       S->known && !(S->isn_known && seg->seq == S->isn);
}

/* The SYN-ACK seg, from the peer of the pending SYN p, acknowledges it
 * (RFC 9293 3.10.7.3: ISS < SEG.ACK =< SND.NXT, data with the SYN
 * included). */
static bool answers_pending(const struct pending_syn *p, int s,
			    const struct segment *seg)
{
	return s != p->side &&
	       (seg->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) ==
		       (TCPF_SYN | TCPF_ACK) &&
	       SEQ_GT(seg->ack, p->syn.seq) &&
	       SEQ_LEQ(seg->ack, p->syn.seq + 1 + p->syn.payload_len);
}

/* The pending SYN of old was answered by a SYN-ACK: old is over (both
 * endpoints show it, stamped at the SYN, the start of the new handshake)
 * and released; a new connection is fed the SYN and its retransmissions,
 * which move there (info->syn_pkt, syn_conn). NULL when memory ran out. */
static struct conn *supersede(struct tracker *t, struct conn *old, uint32_t h,
			      struct tracker_seginfo *info)
{
	struct pending_syn p = *pending_of(t, old);
	pending_drop(t, old);
	for (int e = 0; e < 2; e++) {
		struct endpoint *ep = &old->ep[e];
		ep->syn_in_on = ep->fin_in_on = false;
		if (gone(ep->state))
			continue;
		/* a passive open's listener stays one, as after a RST */
		bool listen = ep->passive && ep->state == TCPSTATE_SYN_RCVD;
		transition(t, old, e, listen ? TCPSTATE_LISTEN : TCPSTATE_CLOSED,
			   "superseded by a new handshake", "superseded",
			   p.syn.pkt, p.syn.ts_ns, false);
	}
	uint64_t old_id = old->id;
	old->sum.superseded = true;
	conn_release(t, old, t->last_pkt, t->last_ts);
	conn_free(t, old);

	int s;
	struct conn *c = conn_new(t, &p.syn, h, &s);
	if (!c)
		return NULL;
	info->syn_pkt = p.syn.pkt;
	info->syn_conn = old_id;
	struct tracker_seginfo scratch;
	memset(&scratch, 0, sizeof(scratch));
	conn_input(t, c, s, &p.syn, &scratch);
	count_syns(c, s, &p, true);
	c->syn_ts = p.last_ts; /* the most recent SYN, for the handshake RTT */
	return c;
}

bool tracker_input(struct tracker *t, const struct segment *seg,
		   struct tracker_seginfo *info)
{
	struct tracker_seginfo scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	if (!t || !seg)
		return false;
	if (seg->ip_version != 4 && seg->ip_version != 6)
		return false;

	/* Timers due before this segment fire first, whatever the caller
	 * did (tracker_advance is idempotent). */
	advance(t, seg->ts_ns);
	t->last_pkt = seg->pkt;
	t->last_ts = seg->ts_ns;

	uint32_t h = key_hash(seg);
	int s = 0;
	struct conn *c = conn_find(t, seg, h, &s);
	if (c && c->syn_pending) {
		struct pending_syn *p = pending_of(t, c);
		if (s == p->side && seg->flags == p->syn.flags &&
		    seg->seq == p->syn.seq) {
			/* The same SYN again, still unanswered: its own
			 * numbers, a retransmission (as in Wireshark). */
			p->retries++;
			p->last_pkt = seg->pkt;
			p->last_ts = seg->ts_ns;
			info->conn = c->id;
			info->from_endpoint = s;
			info->marks = TRACKER_MARK_RETRANSMISSION;
			return true;
		}
		if (answers_pending(p, s, seg)) {
			c = supersede(t, c, h, info);
			if (!c)
				return false;
			s = 1; /* the new one's client sent the SYN it answers */
		} else {
			pending_stays(t, c);
		}
	}
	if (c && c->closed && reopens(c, s, seg)) {
		conn_reopen(t, c, seg);
	} else if (c && c->closed) {
		if (!is_stale_syn(c, s, seg)) {
			if ((seg->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) ==
			    TCPF_SYN) {
				conn_free(t, c); /* a new connection */
				c = NULL;
			}
		}
		if (c) {
			/* A straggler: same id and numbers, no state. */
			info->conn = c->id;
			info->from_endpoint = s;
			analyze(c, s, seg, info);
			linger_arm(t, c, seg->ts_ns + t->msl_ns);
			return true;
		}
	}
	if (c && starts_new_conn(c, s, seg)) {
		end_for_reuse(t, c, s, seg);
		c = NULL;
	}
	if (c && new_isn_syn(c, s, seg) && pending_add(t, c, s, seg)) {
		/* Numbered from its own ISN (a new sequence space, shown as
		 * Wireshark shows it); counted once its answer decides where. */
		info->conn = c->id;
		info->from_endpoint = s;
		info->note_reason = "syn_new_isn";
		info->note = tracker_reason_explain(info->note_reason);
		return true;
	}
	if (!c) {
		c = conn_new(t, seg, h, &s);
		if (!c)
			return false;
	}
	conn_input(t, c, s, seg, info);
	return true;
}
