/* True TCP states: what lwIP itself holds, read from its pcb lists.
 *
 * lwIP has no state-change hook, and TCP_DEBUG misses states, so after every
 * input, timer and API call, and at the entry of every raw-API callback, the
 * node walks tcp_listen_pcbs, tcp_bound_pcbs, tcp_active_pcbs and tcp_tw_pcbs
 * (lwip/priv/tcp_priv.h) and diffs the result with the previous walk. Entry
 * of callbacks matters: when an app closes inside its recv callback, lwIP
 * moves ESTABLISHED -> CLOSE_WAIT -> LAST_ACK within one tcp_input(), and
 * only a walk at the callback's entry sees CLOSE_WAIT. */
#ifndef TCPSTEP_TRUESTATE_H
#define TCPSTEP_TRUESTATE_H

#include <stdint.h>

#include "tcpstate.h"

/* Ambient cause while lwIP's TCP timer runs; changes made then are named
 * after the timer that caused them ("2MSL timer" for TIME_WAIT -> CLOSED,
 * ...), see truestate.c. */
#define TRUESTATE_CAUSE_TIMER "tcp timer"

struct truestate_change {
	const void *pcb; /* identity only; may already be freed */
	uint32_t local_ip, remote_ip; /* host order; remote 0 for LISTEN */
	uint16_t local_port, remote_port;
	enum tcpstate from, to;
	const char *cause;
};

typedef void (*truestate_fn)(void *user, const struct truestate_change *c);

struct truestate;

struct truestate *truestate_create(truestate_fn fn, void *user);
void truestate_destroy(struct truestate *ts);

/* Walks the pcb lists, reports every difference with the previous walk
 * through fn (CLOSED -> X for a new pcb, X -> CLOSED for one that is gone),
 * and keeps the walk. */
void truestate_sync(struct truestate *ts, const char *cause);

/* The same, for an error callback: lwIP calls it before unlinking the
 * dead pcb in some paths (tcp_in.c, RST: TCP_EVENT_ERR then
 * tcp_pcb_remove), so the walk skips `gone` and reports it CLOSED first. */
void truestate_sync_gone(struct truestate *ts, const char *cause,
			 const void *gone);

/* Connections (pcbs neither LISTEN nor CLOSED) in the last walk. */
unsigned truestate_conns(const struct truestate *ts);

/* The cause reported for a change made by `cause`: TRUESTATE_CAUSE_TIMER
 * becomes the specific timer (exposed for tests). */
const char *truestate_refine_cause(const char *cause, enum tcpstate from,
				   enum tcpstate to);

#endif
