#include "truestate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

/* Every pcb lwIP can hold at once (lwipopts.h pools). */
#define TRUESTATE_MAX (MEMP_NUM_TCP_PCB + MEMP_NUM_TCP_PCB_LISTEN)

struct entry {
	const void *pcb;
	uint32_t local_ip, remote_ip;
	uint16_t local_port, remote_port;
	enum tcpstate state;
};

struct truestate {
	truestate_fn fn;
	void *user;
	struct entry prev[TRUESTATE_MAX], cur[TRUESTATE_MAX];
	unsigned nprev, ncur;
	const void *gone; /* skipped by the current walk */
};

struct truestate *truestate_create(truestate_fn fn, void *user)
{
	struct truestate *ts = calloc(1, sizeof *ts);

	if (!ts)
		return NULL;
	ts->fn = fn;
	ts->user = user;
	return ts;
}

void truestate_destroy(struct truestate *ts)
{
	free(ts);
}

const char *truestate_refine_cause(const char *cause, enum tcpstate from,
				   enum tcpstate to)
{
	if (!cause)
		return cause;
	/* A segment's cause says what it carried (frame.c); where the
	 * transition itself proves more, say it in the decoder's words
	 * (docs/states.md, "Reason keys"), which are true here too: lwIP
	 * (tcp_in.c tcp_process) leaves FIN_WAIT_1, CLOSING and LAST_ACK on
	 * an ACK only when it acknowledges our FIN, and FIN_WAIT_1 goes
	 * straight to TIME_WAIT only on a FIN that also acknowledges ours. */
	if (!strcmp(cause, "rcvd ACK") || !strcmp(cause, "rcvd FIN")) {
		if ((from == TCPSTATE_FIN_WAIT_1 && to == TCPSTATE_FIN_WAIT_2) ||
		    (from == TCPSTATE_CLOSING && to == TCPSTATE_TIME_WAIT) ||
		    (from == TCPSTATE_LAST_ACK && to == TCPSTATE_CLOSED))
			return "rcvd ACK of FIN";
		if (from == TCPSTATE_FIN_WAIT_1 && to == TCPSTATE_TIME_WAIT)
			return "rcvd FIN+ACK";
		return cause;
	}
	if (strcmp(cause, TRUESTATE_CAUSE_TIMER) != 0 || to != TCPSTATE_CLOSED)
		return cause;
	/* tcp.c tcp_slowtmr: which check removed the pcb */
	switch (from) {
	case TCPSTATE_TIME_WAIT:
		return "2MSL timer";
	case TCPSTATE_LAST_ACK:
		return "LAST_ACK timeout";
	case TCPSTATE_FIN_WAIT_2:
		return "FIN_WAIT_2 timeout";
	case TCPSTATE_SYN_RCVD:
		return "SYN_RCVD timeout";
	default:
		return "retransmission limit";
	}
}

static void add(struct truestate *ts, const struct tcp_pcb *pcb, bool listen)
{
	struct entry *e;

	if (pcb == ts->gone)
		return;
	if (ts->ncur == TRUESTATE_MAX)
		return; /* cannot happen: the pools are no larger */
	e = &ts->cur[ts->ncur++];
	e->pcb = pcb;
	e->local_ip = lwip_ntohl(ip4_addr_get_u32(&pcb->local_ip));
	e->local_port = pcb->local_port;
	if (listen) {
		e->remote_ip = 0;
		e->remote_port = 0;
		e->state = TCPSTATE_LISTEN;
	} else {
		e->remote_ip = lwip_ntohl(ip4_addr_get_u32(&pcb->remote_ip));
		e->remote_port = pcb->remote_port;
		/* enum tcpstate follows lwIP's enum tcp_state (tcpstate.h) */
		e->state = (enum tcpstate)pcb->state;
	}
}

static void walk(struct truestate *ts)
{
	ts->ncur = 0;
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		add(ts, (const struct tcp_pcb *)l, true);
	for (struct tcp_pcb *p = tcp_bound_pcbs; p; p = p->next)
		add(ts, p, false);
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		add(ts, p, false);
	for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
		add(ts, p, false);
}

/* The same pcb: same memory and the same endpoints (a freed pcb's memory
 * can be reused for another connection between two walks). A bound pcb
 * that connects changes its remote, which counts as a new pcb: its CLOSED
 * entry goes and a SYN_SENT one comes, which reports CLOSED -> SYN_SENT. */
static bool same(const struct entry *a, const struct entry *b)
{
	return a->pcb == b->pcb && a->local_port == b->local_port &&
	       a->local_ip == b->local_ip && a->remote_ip == b->remote_ip &&
	       a->remote_port == b->remote_port &&
	       (a->state == TCPSTATE_LISTEN) == (b->state == TCPSTATE_LISTEN);
}

static void report(struct truestate *ts, const struct entry *e,
		   enum tcpstate from, enum tcpstate to, const char *cause)
{
	struct truestate_change c = {
		.pcb = e->pcb,
		.local_ip = e->local_ip, .remote_ip = e->remote_ip,
		.local_port = e->local_port, .remote_port = e->remote_port,
		.from = from, .to = to,
		.cause = truestate_refine_cause(cause, from, to),
	};

	if (from != to)
		ts->fn(ts->user, &c);
}

void truestate_sync(struct truestate *ts, const char *cause)
{
	bool matched[TRUESTATE_MAX] = { false };

	walk(ts);
	for (unsigned i = 0; i < ts->ncur; i++) {
		const struct entry *e = &ts->cur[i];
		enum tcpstate from = TCPSTATE_CLOSED;

		for (unsigned j = 0; j < ts->nprev; j++) {
			if (!matched[j] && same(e, &ts->prev[j])) {
				matched[j] = true;
				from = ts->prev[j].state;
				break;
			}
		}
		report(ts, e, from, e->state, cause);
	}
	for (unsigned j = 0; j < ts->nprev; j++)
		if (!matched[j])
			report(ts, &ts->prev[j], ts->prev[j].state,
			       TCPSTATE_CLOSED, cause);
	memcpy(ts->prev, ts->cur, ts->ncur * sizeof ts->cur[0]);
	ts->nprev = ts->ncur;
}

void truestate_sync_gone(struct truestate *ts, const char *cause,
			 const void *gone)
{
	ts->gone = gone;
	truestate_sync(ts, cause);
	ts->gone = NULL;
}

unsigned truestate_conns(const struct truestate *ts)
{
	unsigned n = 0;

	for (unsigned j = 0; j < ts->nprev; j++)
		if (ts->prev[j].state != TCPSTATE_LISTEN &&
		    ts->prev[j].state != TCPSTATE_CLOSED)
			n++;
	return n;
}
