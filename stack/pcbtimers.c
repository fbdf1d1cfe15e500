/* A pcb's timers from lwIP's fields (pcbtimers.h). */
#include "pcbtimers.h"

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

/* tcp.c's own definitions (lwIP 2.1.3), private to it. */
#if LWIP_TCP_KEEPALIVE
#define TCP_KEEP_INTVL(pcb) ((pcb)->keep_intvl)
#else
#define TCP_KEEP_INTVL(pcb) TCP_KEEPINTVL_DEFAULT
#endif
/* tcp.c's static tcp_persist_backoff[], in slow ticks. */
static const uint8_t persist_backoff[7] = { 3, 6, 12, 24, 48, 96, 120 };

/* The deadline of the slow tick `left` ticks from now (1: the next one). */
static int64_t after_ticks(uint64_t next_slow_ms, int64_t left)
{
	if (left < 1)
		left = 1;
	return (int64_t)next_slow_ms + (left - 1) * TCP_SLOW_INTERVAL;
}

/* Slow ticks until `tcp_ticks - pcb->tmr > limit` holds: tcp_slowtmr
 * increments tcp_ticks before it checks. */
static int64_t ticks_past(const struct tcp_pcb *pcb, uint32_t limit)
{
	uint32_t idle = (uint32_t)(tcp_ticks - pcb->tmr);

	return (int64_t)limit - (int64_t)idle + 1;
}

void pcbtimers_read(const struct tcp_pcb *pcb, uint64_t next_slow_ms,
		    uint64_t next_tcp_ms, struct pcbtimers *out)
{
	out->rtx = out->persist = out->keepalive = out->delack =
		out->timewait = PCBTIMERS_NONE;
	out->rto_ms = (uint32_t)pcb->rto * TCP_SLOW_INTERVAL;
	if (pcb->state == TIME_WAIT) {
		out->timewait = after_ticks(next_slow_ms,
			ticks_past(pcb, 2 * TCP_MSL / TCP_SLOW_INTERVAL));
		return;
	}
	if (pcb->state == LISTEN || pcb->state == CLOSED)
		return;
	/* tcp_slowtmr: the persist timer runs instead of the retransmission
	 * timer while it is armed. */
	if (pcb->persist_backoff > 0) {
		unsigned i = pcb->persist_backoff - 1;
		uint8_t cnt = persist_backoff[i < 7 ? i : 6];

		out->persist = after_ticks(next_slow_ms,
					   (int64_t)cnt - pcb->persist_cnt);
	} else if (pcb->rtime >= 0) {
		out->rtx = after_ticks(next_slow_ms,
				       (int64_t)pcb->rto - pcb->rtime);
	}
	if (ip_get_option(pcb, SOF_KEEPALIVE) &&
	    (pcb->state == ESTABLISHED || pcb->state == CLOSE_WAIT)) {
		uint32_t limit = (pcb->keep_idle + pcb->keep_cnt_sent *
				  TCP_KEEP_INTVL(pcb)) / TCP_SLOW_INTERVAL;

		out->keepalive = after_ticks(next_slow_ms, ticks_past(pcb, limit));
	}
	if (pcb->flags & TF_ACK_DELAY)
		out->delack = (int64_t)next_tcp_ms;
}

bool pcbtimers_equal(const struct pcbtimers *a, const struct pcbtimers *b)
{
	return a->rtx == b->rtx && a->persist == b->persist &&
	       a->keepalive == b->keepalive && a->delack == b->delack &&
	       a->timewait == b->timewait && a->rto_ms == b->rto_ms;
}
