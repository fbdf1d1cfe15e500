/* A pcb's TCP timers, read from lwIP 2.1.3's own fields, as deadlines in
 * node time (ms), for the `timers` event (docs/control-protocol.md) and the
 * UI's countdowns. Where each comes from (docs/node.md "Timers"):
 *
 *   retransmission  pcb->rtime >= 0 (running); fires at the slow tick where
 *                   ++rtime reaches pcb->rto (both in slow ticks; the RTO in
 *                   ms is rto x TCP_SLOW_INTERVAL)
 *   persist         pcb->persist_backoff > 0; fires where ++persist_cnt
 *                   reaches tcp_persist_backoff[persist_backoff - 1]
 *   keep-alive      SOF_KEEPALIVE in ESTABLISHED or CLOSE_WAIT; the next
 *                   probe where tcp_ticks - pcb->tmr passes
 *                   (keep_idle + keep_cnt_sent x keep_intvl) / TCP_SLOW_INTERVAL
 *   delayed ACK     TF_ACK_DELAY; sent by tcp_fasttmr, on the TCP timer's
 *                   next call
 *   TIME_WAIT       state TIME_WAIT; ends where tcp_ticks - pcb->tmr passes
 *                   2 x TCP_MSL / TCP_SLOW_INTERVAL
 *
 * All but the delayed ACK count slow ticks (tcp_slowtmr, every other call
 * of the TCP timer: port_next_slow_tick), so a deadline is exact in node
 * time: the next slow tick plus (ticks left - 1) x TCP_SLOW_INTERVAL. */
#ifndef TCPSTEP_PCBTIMERS_H
#define TCPSTEP_PCBTIMERS_H

#include <stdbool.h>
#include <stdint.h>

struct tcp_pcb;

#define PCBTIMERS_NONE (-1)

struct pcbtimers {
	int64_t rtx;       /* deadlines (node ms), PCBTIMERS_NONE: not armed */
	int64_t persist;
	int64_t keepalive;
	int64_t delack;
	int64_t timewait;
	uint32_t rto_ms;   /* the current RTO, armed or not */
};

/* pcb's timers, given when tcp_slowtmr and the TCP timer run next
 * (port_next_slow_tick, port_next_tcp_tick). */
void pcbtimers_read(const struct tcp_pcb *pcb, uint64_t next_slow_ms,
		    uint64_t next_tcp_ms, struct pcbtimers *out);

bool pcbtimers_equal(const struct pcbtimers *a, const struct pcbtimers *b);

#endif
