#include "tracker_sim.h"

#include <stdio.h>
#include <string.h>

static void sim_drain(struct sim *s)
{
	struct tracker_event ev;
	while (tracker_next_event(s->t, &ev)) {
		if (ev.type == TRACKER_EV_CONN) {
			s->sum = ev.u.conn_summary;
			s->sum_conn = ev.conn;
			s->nsum++;
			continue;
		}
		const struct tracker_state_change *c = &ev.u.state;
		s->nstate++;
		s->last_state = ev;
		if (s->nevs < sizeof(s->evs) / sizeof(s->evs[0]))
			s->evs[s->nevs++] = ev;
		if (!tracker_transition_legal(c->from, c->to)) {
			fprintf(stderr, "illegal transition %s -> %s (%s)\n",
				tcpstate_to_str(c->from),
				tcpstate_to_str(c->to), c->reason);
			s->bad = true;
		}
		if (ev.conn <= SIM_MAX_CONNS) {
			if (s->st[ev.conn][c->endpoint] != c->from) {
				fprintf(stderr,
					"conn %llu ep %d: event from %s but was %s\n",
					(unsigned long long)ev.conn,
					c->endpoint, tcpstate_to_str(c->from),
					tcpstate_to_str(s->st[ev.conn][c->endpoint]));
				s->bad = true;
			}
			s->st[ev.conn][c->endpoint] = c->to;
		}
		if (!c->cause || !c->reason ||
		    !tracker_reason_explain(c->reason)) {
			fprintf(stderr, "event without cause or known reason\n");
			s->bad = true;
		}
		size_t used = strlen(s->log);
		snprintf(s->log + used, sizeof(s->log) - used, "%s%c %s>%s %s",
			 used ? "; " : "", c->endpoint ? 'S' : 'C',
			 tcpstate_to_str(c->from), tcpstate_to_str(c->to),
			 c->reason);
	}
}

void sim_init(struct sim *s, int64_t msl_ns)
{
	memset(s, 0, sizeof(*s));
	struct tracker_config cfg = {.msl_ns = msl_ns};
	s->t = tracker_create(&cfg);
	s->msl = msl_ns > 0 ? msl_ns : 60LL * 1000000000LL;
	s->ts = 1700000000LL * 1000000000LL;
	s->step = 1000000;
	s->nxt[0] = 1000;
	s->nxt[1] = 5000;
	s->win[0] = s->win[1] = 8192;
	s->port[0] = 49152;
	s->port[1] = 8888;
	memcpy(s->addr[0], (uint8_t[]){192, 0, 2, 3}, 4);
	memcpy(s->addr[1], (uint8_t[]){192, 0, 2, 2}, 4);
}

void sim_finish(struct sim *s)
{
	tracker_finish(s->t);
	sim_drain(s);
}

void sim_free(struct sim *s)
{
	tracker_destroy(s->t);
	s->t = NULL;
}

void sim_build(const struct sim *s, struct segment *seg, int e, uint8_t flags,
	       uint32_t seq, uint32_t ack, uint32_t len, uint16_t win)
{
	memset(seg, 0, sizeof(*seg));
	seg->ip_version = 4;
	memcpy(seg->src, s->addr[e], 4);
	memcpy(seg->dst, s->addr[1 - e], 4);
	seg->sport = s->port[e];
	seg->dport = s->port[1 - e];
	seg->seq = seq;
	seg->ack = (flags & TCPF_ACK) ? ack : 0;
	seg->flags = flags;
	seg->win = win;
	seg->hdr_len = 20;
	seg->payload_len = len;
}

void sim_feed(struct sim *s, struct segment *seg)
{
	seg->pkt = ++s->pkt;
	seg->ts_ns = s->ts;
	tracker_advance(s->t, s->ts);
	sim_drain(s);
	tracker_input(s->t, seg, &s->last);
	for (unsigned b = 0; b < 16; b++)
		if (s->last.marks & (1u << b))
			s->mark_count[b]++;
	sim_drain(s);
	s->ts += s->step;
}

void sim_raw(struct sim *s, int e, uint8_t flags, uint32_t seq, uint32_t ack,
	     uint32_t len, uint16_t win)
{
	struct segment seg;
	sim_build(s, &seg, e, flags, seq, ack, len, win);
	sim_feed(s, &seg);
}

void sim_send_ack(struct sim *s, int e, uint8_t flags, uint32_t len,
		  uint32_t ack)
{
	sim_raw(s, e, flags, s->nxt[e], ack, len, s->win[e]);
	s->nxt[e] += len + ((flags & TCPF_SYN) ? 1 : 0) +
		     ((flags & TCPF_FIN) ? 1 : 0);
}

void sim_send(struct sim *s, int e, uint8_t flags, uint32_t len)
{
	sim_send_ack(s, e, flags, len, s->nxt[1 - e]);
}

void sim_advance(struct sim *s, int64_t ns)
{
	s->ts += ns;
	tracker_advance(s->t, s->ts);
	sim_drain(s);
}

void sim_clear_log(struct sim *s)
{
	s->log[0] = '\0';
}

void sim_handshake(struct sim *s)
{
	sim_send(s, 0, TCPF_SYN, 0);
	sim_send(s, 1, TCPF_SYN | TCPF_ACK, 0);
	sim_send(s, 0, TCPF_ACK, 0);
}

void sim_close_by(struct sim *s, int e)
{
	sim_send(s, e, TCPF_FIN | TCPF_ACK, 0);
	sim_send(s, 1 - e, TCPF_ACK, 0);
	sim_send(s, 1 - e, TCPF_FIN | TCPF_ACK, 0);
	sim_send(s, e, TCPF_ACK, 0);
}

uint64_t sim_open_after_linger(struct sim *s)
{
	sim_advance(s, s->msl + 1);
	return tracker_open_connections(s->t);
}

enum tcpstate sim_state(const struct sim *s, uint64_t conn, int e)
{
	if (conn > SIM_MAX_CONNS)
		return TCPSTATE_COUNT;
	return s->st[conn][e];
}
