/* Random (but plausible) segment streams over a few 4-tuples, checked for
 * properties that must hold whatever the input: every transition is in
 * the legal table and starts where the previous one ended; no event for a
 * connection after its summary; exactly one summary per connection; all
 * memory released at the end. Deterministic (fixed seeds). */
#include "check.h"
#include "rng.h"
#include "tracker.h"

#include <stdbool.h>

#define NTUPLES 6
#define MAXCONN 200000

static enum tcpstate states[MAXCONN + 1][2];
static unsigned char released[MAXCONN + 1];

static unsigned drain(struct tracker *t, uint64_t pkt, bool *bad)
{
	struct tracker_event ev;
	unsigned n = 0;
	while (tracker_next_event(t, &ev)) {
		n++;
		if (ev.conn == 0 || ev.conn > MAXCONN) {
			*bad = true;
			continue;
		}
		if (released[ev.conn]) {
			fprintf(stderr, "event for released conn %llu\n",
				(unsigned long long)ev.conn);
			*bad = true;
		}
		if (ev.pkt > pkt) {
			fprintf(stderr, "event from the future\n");
			*bad = true;
		}
		if (ev.type == TRACKER_EV_CONN) {
			released[ev.conn] = 1;
			if (ev.u.conn_summary.final_state[0] != states[ev.conn][0] ||
			    ev.u.conn_summary.final_state[1] != states[ev.conn][1]) {
				fprintf(stderr, "summary states differ\n");
				*bad = true;
			}
			continue;
		}
		const struct tracker_state_change *c = &ev.u.state;
		if (!tracker_transition_legal(c->from, c->to) ||
		    states[ev.conn][c->endpoint] != c->from ||
		    !tracker_reason_explain(c->reason)) {
			fprintf(stderr, "conn %llu ep %d: %s -> %s (%s), was %s\n",
				(unsigned long long)ev.conn, c->endpoint,
				tcpstate_to_str(c->from), tcpstate_to_str(c->to),
				c->reason,
				tcpstate_to_str(states[ev.conn][c->endpoint]));
			*bad = true;
		}
		states[ev.conn][c->endpoint] = c->to;
	}
	return n;
}

static const uint8_t flag_mix[] = {
	TCPF_SYN, TCPF_SYN | TCPF_ACK, TCPF_ACK, TCPF_ACK, TCPF_ACK | TCPF_PSH,
	TCPF_ACK | TCPF_PSH, TCPF_FIN | TCPF_ACK, TCPF_FIN | TCPF_ACK,
	TCPF_RST, TCPF_RST | TCPF_ACK, TCPF_FIN | TCPF_PSH | TCPF_ACK,
	TCPF_SYN | TCPF_RST, TCPF_FIN,
};

struct stream {
	struct rng r;
	uint32_t nxt[NTUPLES][2];
	int64_t ts;
};

static void stream_init(struct stream *st, uint64_t seed)
{
	st->r.s = seed;
	for (int i = 0; i < NTUPLES; i++) {
		st->nxt[i][0] = rnd(&st->r, 0xffffffffu);
		st->nxt[i][1] = rnd(&st->r, 0xffffffffu);
	}
	st->ts = 1000000000LL;
}

/* The next segment of the stream; *advance_first says whether to call
 * tracker_advance before feeding it. */
static void stream_next(struct stream *st, unsigned pkt, struct segment *seg,
			bool *advance_first)
{
	struct rng *r = &st->r;
	int tu = (int)rnd(r, NTUPLES);
	int e = (int)rnd(r, 2);
	memset(seg, 0, sizeof(*seg));
	seg->pkt = pkt;
	st->ts += rnd(r, 10) == 0 ? (int64_t)rnd(r, 6000) * 1000000LL
				  : (int64_t)rnd(r, 3000000);
	seg->ts_ns = st->ts;
	seg->ip_version = 4;
	seg->src[0] = 192; seg->src[1] = 0; seg->src[2] = 2;
	seg->dst[0] = 192; seg->dst[1] = 0; seg->dst[2] = 2;
	seg->src[3] = (uint8_t)(2 + e);
	seg->dst[3] = (uint8_t)(3 - e);
	seg->sport = (uint16_t)(e ? 8888 : 40000 + tu);
	seg->dport = (uint16_t)(e ? 40000 + tu : 8888);
	seg->flags = flag_mix[rnd(r, sizeof(flag_mix))];
	uint32_t len = (seg->flags & TCPF_PSH) ? 1 + rnd(r, 1400) : 0;
	/* mostly in sequence, sometimes behind, ahead or anywhere */
	uint32_t seq = st->nxt[tu][e];
	switch (rnd(r, 8)) {
	case 0: seq -= rnd(r, 3000); break;
	case 1: seq += rnd(r, 3000); break;
	case 2: seq = rnd(r, 0xffffffffu); break;
	default: break;
	}
	if ((seg->flags & TCPF_SYN) && rnd(r, 3) == 0)
		st->nxt[tu][e] = seq = rnd(r, 0xffffffffu); /* new ISN */
	seg->seq = seq;
	seg->ack = st->nxt[tu][1 - e] - (rnd(r, 4) == 0 ? rnd(r, 2000) : 0);
	if (!(seg->flags & TCPF_ACK))
		seg->ack = 0;
	seg->win = (uint16_t)(rnd(r, 5) ? 1000 + rnd(r, 60000) : 0);
	if (seg->flags & TCPF_SYN) {
		seg->opts.has_wscale = rnd(r, 2);
		seg->opts.wscale = (uint8_t)rnd(r, 16);
	}
	seg->payload_len = len;
	uint32_t adv = len + ((seg->flags & TCPF_SYN) ? 1 : 0) +
		       ((seg->flags & TCPF_FIN) ? 1 : 0);
	if (!(seg->flags & TCPF_RST) && seq == st->nxt[tu][e])
		st->nxt[tu][e] += adv;
	*advance_first = rnd(r, 2);
}

static void run_stream(uint64_t seed, unsigned count, bool *bad,
		       uint64_t *conns, uint64_t *events)
{
	struct stream st;
	struct tracker_config cfg = {.msl_ns = 2000000000LL};
	struct tracker *t = tracker_create(&cfg);
	stream_init(&st, seed);
	for (unsigned pkt = 1; pkt <= count; pkt++) {
		struct segment seg;
		bool adv;
		stream_next(&st, pkt, &seg, &adv);
		if (adv)
			tracker_advance(t, seg.ts_ns);
		struct tracker_seginfo info;
		if (!tracker_input(t, &seg, &info) || info.conn == 0 ||
		    info.conn > MAXCONN) {
			*bad = true;
			break;
		}
		if (info.conn > *conns)
			*conns = info.conn;
		*events += drain(t, pkt, bad);
	}
	tracker_finish(t);
	*events += drain(t, count, bad);
	if (tracker_open_connections(t) != 0 ||
	    tracker_illegal_transitions(t) != 0)
		*bad = true;
	tracker_destroy(t);
}

static void test_random_streams_keep_every_invariant(void)
{
	uint64_t total_conns = 0, total_events = 0;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		memset(states, 0, sizeof(states));
		memset(released, 0, sizeof(released));
		bool bad = false;
		uint64_t conns = 0, events = 0;
		run_stream(seed * 0x9e3779b97f4a7c15ULL, 5000, &bad, &conns,
			   &events);
		if (bad)
			fprintf(stderr, "seed %llu broke an invariant\n",
				(unsigned long long)seed);
		CHECK(!bad);
		/* every connection got exactly one summary */
		for (uint64_t c = 1; c <= conns; c++)
			if (!released[c]) {
				fprintf(stderr, "seed %llu: conn %llu no summary\n",
					(unsigned long long)seed,
					(unsigned long long)c);
				CHECK(0);
				break;
			}
		total_conns += conns;
		total_events += events;
	}
	/* the streams really exercise the tracker */
	CHECK(total_conns > 1000);
	CHECK(total_events > 10000);
}

/* Pops the next connection summary, skipping state events; counts both. */
static bool next_summary(struct tracker *t, struct tracker_event *ev,
			 uint64_t *nstate, uint64_t *nconn)
{
	while (tracker_next_event(t, ev)) {
		if (ev->type == TRACKER_EV_CONN) {
			(*nconn)++;
			return true;
		}
		(*nstate)++;
	}
	return false;
}

/* Field by field: struct padding has no defined value. */
static bool summary_events_equal(const struct tracker_event *a,
				 const struct tracker_event *b)
{
	const struct tracker_conn_summary *x = &a->u.conn_summary,
					  *y = &b->u.conn_summary;
	if (a->type != b->type || a->pkt != b->pkt || a->ts_ns != b->ts_ns ||
	    a->conn != b->conn || a->ip_version != b->ip_version ||
	    memcmp(a->addr, b->addr, sizeof(a->addr)) != 0 ||
	    a->port[0] != b->port[0] || a->port[1] != b->port[1])
		return false;
	if (x->handshake != y->handshake || x->mid_stream != y->mid_stream ||
	    x->closed_by != y->closed_by || x->reset_by != y->reset_by ||
	    x->first_pkt != y->first_pkt || x->last_pkt != y->last_pkt)
		return false;
	for (int e = 0; e < 2; e++)
		if (x->syn[e] != y->syn[e] || x->synack[e] != y->synack[e] ||
		    x->fin[e] != y->fin[e] || x->rst[e] != y->rst[e] ||
		    x->bytes[e] != y->bytes[e] ||
		    x->retransmissions[e] != y->retransmissions[e] ||
		    x->final_state[e] != y->final_state[e])
			return false;
	return true;
}

/* tracker_config.summaries_only only drops the state events: fed the
 * same segments, a tracker with it gives the same per-segment analysis
 * and the same summaries, at the same points, as one without. */
static void test_summaries_only_changes_nothing_but_the_events(void)
{
	uint64_t states_full = 0, states_lean = 0, conns_full = 0, conns_lean = 0;
	bool same = true;
	for (uint64_t seed = 1; seed <= 10 && same; seed++) {
		struct stream st;
		struct tracker_config full_cfg = {.msl_ns = 2000000000LL};
		struct tracker_config lean_cfg = {.msl_ns = 2000000000LL,
						  .summaries_only = true};
		struct tracker *full = tracker_create(&full_cfg);
		struct tracker *lean = tracker_create(&lean_cfg);
		stream_init(&st, seed * 0x9e3779b97f4a7c15ULL);
		for (unsigned pkt = 1; pkt <= 5001 && same; pkt++) {
			struct segment seg;
			struct tracker_seginfo a, b;
			struct tracker_event ea, eb;
			bool adv, last = pkt == 5001;
			stream_next(&st, pkt, &seg, &adv);
			if (last) {
				tracker_finish(full);
				tracker_finish(lean);
			} else {
				if (adv) {
					tracker_advance(full, seg.ts_ns);
					tracker_advance(lean, seg.ts_ns);
				}
				tracker_input(full, &seg, &a);
				tracker_input(lean, &seg, &b);
				if (memcmp(&a, &b, sizeof(a)) != 0) {
					fprintf(stderr, "seed %llu pkt %u: seginfo differs\n",
						(unsigned long long)seed, pkt);
					same = false;
				}
			}
			for (;;) {
				bool ha = next_summary(full, &ea, &states_full, &conns_full);
				bool hb = next_summary(lean, &eb, &states_lean, &conns_lean);
				if (ha != hb || (ha && !summary_events_equal(&ea, &eb))) {
					fprintf(stderr, "seed %llu pkt %u: summary differs\n",
						(unsigned long long)seed, pkt);
					same = false;
				}
				if (!ha || !hb)
					break;
			}
		}
		CHECK_INT_EQ(tracker_illegal_transitions(lean),
			     tracker_illegal_transitions(full));
		tracker_destroy(full);
		tracker_destroy(lean);
	}
	CHECK(same);
	CHECK_INT_EQ(states_lean, 0);
	CHECK(states_full > 10000); /* the full tracker did make them */
	CHECK(conns_full > 1000);
	CHECK_INT_EQ(conns_lean, conns_full);
}

/* What a sink was handed, in order. */
struct sunk {
	struct tracker_event *ev;
	size_t n, cap;
	bool bad;
};

static void sink(void *user, const struct tracker_transition *tr)
{
	struct sunk *k = user;
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 256;
		struct tracker_event *q = realloc(k->ev, k->cap * sizeof(*q));
		if (!q) {
			k->bad = true;
			return;
		}
		k->ev = q;
	}
	struct tracker_event *e = &k->ev[k->n++];
	memset(e, 0, sizeof(*e));
	e->type = TRACKER_EV_STATE;
	e->pkt = tr->pkt;
	e->ts_ns = tr->ts_ns;
	e->conn = tr->conn;
	e->ip_version = tr->ip_version;
	memcpy(e->addr, tr->addr, sizeof(e->addr));
	e->port[0] = tr->port[0];
	e->port[1] = tr->port[1];
	e->u.state = tr->state;
}

static bool state_events_equal(const struct tracker_event *a, const struct tracker_event *b)
{
	const struct tracker_state_change *x = &a->u.state, *y = &b->u.state;
	return a->type == b->type && a->pkt == b->pkt && a->ts_ns == b->ts_ns &&
	       a->conn == b->conn && a->ip_version == b->ip_version &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0 && a->port[0] == b->port[0] &&
	       a->port[1] == b->port[1] && x->endpoint == y->endpoint && x->from == y->from &&
	       x->to == y->to && x->cause == y->cause && x->reason == y->reason &&
	       x->by_timer == y->by_timer;
}

/* tracker_config.on_state: each state change reaches the sink, in order,
 * with what the queued event would carry, during the call that decides
 * it; only the summaries are queued, the same ones at the same points;
 * and a connection's transitions all came before its summary. */
static void test_state_sink_gets_the_state_events(void)
{
	uint64_t nstates = 0, nsums = 0;
	bool same = true;
	for (uint64_t seed = 1; seed <= 10 && same; seed++) {
		struct stream st;
		struct sunk k = { NULL, 0, 0, false };
		struct tracker_config full_cfg = {.msl_ns = 2000000000LL};
		struct tracker_config sink_cfg = {.msl_ns = 2000000000LL, .on_state = sink,
						  .on_state_user = &k};
		struct tracker *full = tracker_create(&full_cfg);
		struct tracker *sk = tracker_create(&sink_cfg);
		memset(released, 0, sizeof(released));
		stream_init(&st, seed * 0x9e3779b97f4a7c15ULL);
		for (unsigned pkt = 1; pkt <= 5001 && same; pkt++) {
			struct segment seg;
			struct tracker_seginfo a, b;
			bool adv, last = pkt == 5001;
			stream_next(&st, pkt, &seg, &adv);
			k.n = 0;
			if (last) {
				tracker_finish(full);
				tracker_finish(sk);
			} else {
				if (adv) {
					tracker_advance(full, seg.ts_ns);
					tracker_advance(sk, seg.ts_ns);
				}
				tracker_input(full, &seg, &a);
				tracker_input(sk, &seg, &b);
				if (memcmp(&a, &b, sizeof(a)) != 0)
					same = false;
			}
			/* The full tracker's queue: its state events are the
			 * sink's, in order; its summaries are sk's queue. */
			struct tracker_event ea, eb;
			size_t i = 0;
			while (tracker_next_event(full, &ea)) {
				if (ea.type == TRACKER_EV_STATE) {
					if (i >= k.n || !state_events_equal(&ea, &k.ev[i]) ||
					    (ea.conn <= MAXCONN && released[ea.conn]))
						same = false;
					i++;
					nstates++;
					continue;
				}
				if (!tracker_next_event(sk, &eb) || !summary_events_equal(&ea, &eb))
					same = false;
				if (ea.conn <= MAXCONN)
					released[ea.conn] = 1;
				nsums++;
			}
			if (i != k.n || tracker_next_event(sk, &eb) || k.bad)
				same = false;
			if (!same)
				fprintf(stderr, "seed %llu pkt %u: the sink differs\n",
					(unsigned long long)seed, pkt);
		}
		CHECK_INT_EQ(tracker_illegal_transitions(sk), tracker_illegal_transitions(full));
		tracker_destroy(full);
		tracker_destroy(sk);
		free(k.ev);
	}
	CHECK(same);
	CHECK(nstates > 10000);
	CHECK(nsums > 1000);
}

/* tracker_finish_step gives the summaries tracker_finish gives, in the
 * same order, one per call, and frees everything. And what both promise:
 * at the end every connection not yet summarized gets its summary,
 * oldest first, stamped with the last frame and its time. */
static void test_finish_step_is_finish_one_at_a_time(void)
{
	static unsigned char summarized[MAXCONN + 1];
	uint64_t steps = 0;
	bool same = true, right = true;
	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct stream st;
		struct tracker_config cfg = {.msl_ns = 60000000000LL};
		struct tracker *a = tracker_create(&cfg);
		struct tracker *b = tracker_create(&cfg);
		struct tracker_event ea, eb;
		struct tracker_seginfo info;
		uint64_t ns = 0, nc = 0, nconn = 0, last_id = 0;
		int64_t last_ts = 0;
		memset(summarized, 0, sizeof(summarized));
		stream_init(&st, seed * 0x9e3779b97f4a7c15ULL);
		for (unsigned pkt = 1; pkt <= 3000; pkt++) {
			struct segment seg;
			bool adv;
			stream_next(&st, pkt, &seg, &adv);
			tracker_input(a, &seg, NULL);
			tracker_input(b, &seg, &info);
			if (info.conn > nconn && info.conn <= MAXCONN)
				nconn = info.conn;
			last_ts = seg.ts_ns;
			/* summaries before the end: those connections are done */
			while (tracker_next_event(b, &eb))
				if (eb.type == TRACKER_EV_CONN && eb.conn <= MAXCONN)
					summarized[eb.conn]++;
		}
		while (tracker_next_event(a, &ea))
			;
		tracker_finish(a);
		while (tracker_finish_step(b)) {
			uint64_t before = nc;
			steps++;
			while (next_summary(b, &eb, &ns, &nc)) {
				if (!next_summary(a, &ea, &ns, &nc) ||
				    !summary_events_equal(&ea, &eb))
					same = false;
				/* oldest first, each once, at the last frame */
				if (eb.conn <= last_id || eb.conn > nconn ||
				    summarized[eb.conn] || eb.pkt != 3000 ||
				    eb.ts_ns != last_ts) {
					fprintf(stderr, "seed %llu: end summary of conn %llu "
						"(after %llu) at pkt %llu\n",
						(unsigned long long)seed,
						(unsigned long long)eb.conn,
						(unsigned long long)last_id,
						(unsigned long long)eb.pkt);
					right = false;
				} else {
					summarized[eb.conn]++;
				}
				last_id = eb.conn;
			}
			if (nc != before + 2) /* one from b, its twin from a */
				same = false;
		}
		CHECK(!next_summary(a, &ea, &ns, &nc)); /* none left over */
		CHECK(!tracker_finish_step(b));
		CHECK_INT_EQ(tracker_open_connections(b), 0);
		for (uint64_t c = 1; c <= nconn; c++)
			if (summarized[c] != 1) {
				fprintf(stderr, "seed %llu: conn %llu has %d summaries\n",
					(unsigned long long)seed, (unsigned long long)c,
					summarized[c]);
				right = false;
			}
		tracker_destroy(a);
		tracker_destroy(b);
	}
	CHECK(same);
	CHECK(right);
	CHECK(steps > 20); /* connections were open at the end */
}

/* A FIN on the wire when the capture ends arrived (the wire model): its
 * receiver goes ESTABLISHED -> CLOSE_WAIT before the summary. */
static void test_finish_delivers_a_pending_fin(void)
{
	struct tracker *t = tracker_create(NULL);
	struct segment seg;
	struct tracker_event ev;
	uint32_t cseq = 1000, sseq = 5000;
	const uint8_t flags[] = { TCPF_SYN, TCPF_SYN | TCPF_ACK, TCPF_ACK,
				  TCPF_FIN | TCPF_ACK };
	const int from_client[] = { 1, 0, 1, 1 };

	for (unsigned i = 0; i < 4; i++) {
		int c = from_client[i];
		memset(&seg, 0, sizeof(seg));
		seg.pkt = i + 1;
		seg.ts_ns = (int64_t)(i + 1) * 1000000;
		seg.ip_version = 4;
		seg.src[0] = seg.dst[0] = 192;
		seg.src[2] = seg.dst[2] = 2;
		seg.src[3] = (uint8_t)(c ? 3 : 2);
		seg.dst[3] = (uint8_t)(c ? 2 : 3);
		seg.sport = (uint16_t)(c ? 49152 : 8888);
		seg.dport = (uint16_t)(c ? 8888 : 49152);
		seg.flags = flags[i];
		seg.seq = c ? cseq : sseq;
		seg.ack = (flags[i] & TCPF_ACK) ? (c ? sseq : cseq) : 0;
		seg.win = 1000;
		if (flags[i] & (TCPF_SYN | TCPF_FIN)) {
			if (c)
				cseq++;
			else
				sseq++;
		}
		tracker_input(t, &seg, NULL);
	}
	while (tracker_next_event(t, &ev))
		;
	tracker_finish(t);
	CHECK(tracker_next_event(t, &ev));
	CHECK_INT_EQ(ev.type, TRACKER_EV_STATE);
	CHECK_INT_EQ(ev.u.state.endpoint, 1);
	CHECK_INT_EQ(ev.u.state.from, TCPSTATE_ESTABLISHED);
	CHECK_INT_EQ(ev.u.state.to, TCPSTATE_CLOSE_WAIT);
	CHECK_INT_EQ(ev.pkt, 4); /* the FIN's frame */
	CHECK(tracker_next_event(t, &ev));
	CHECK_INT_EQ(ev.type, TRACKER_EV_CONN);
	CHECK_INT_EQ(ev.u.conn_summary.final_state[1], TCPSTATE_CLOSE_WAIT);
	CHECK_INT_EQ(ev.u.conn_summary.final_state[0], TCPSTATE_FIN_WAIT_1);
	CHECK(!tracker_next_event(t, &ev));
	tracker_destroy(t);
}

int main(void)
{
	RUN(test_random_streams_keep_every_invariant);
	RUN(test_summaries_only_changes_nothing_but_the_events);
	RUN(test_state_sink_gets_the_state_events);
	RUN(test_finish_step_is_finish_one_at_a_time);
	RUN(test_finish_delivers_a_pending_fin);
	CHECK_EXIT();
}
