/* The lwIP port's run-time side: sys_now() on the virtual clock, seeded
 * randomness and ISNs, the run-time MSL, and the glue that lets the clock
 * drive lwIP's timer list.
 *
 * lwIP calls sys_now(), LWIP_RAND() and the ISN hook without a context
 * argument, so their state lives in file-scope variables here: the only
 * mutable globals in tcpstep, imposed by lwIP. */
#ifndef TCPSTEP_PORT_H
#define TCPSTEP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "vclock.h"

/* Sets up the port. Call before lwip_init() (which draws the first
 * ephemeral port from LWIP_RAND). seed: the --seed value; node_ip (host
 * order) is mixed in so two nodes given the same seed still pick different
 * ports and ISNs. msl_ms: the maximum segment lifetime (TIME_WAIT = 2 x). */
void port_init(uint64_t seed, uint32_t node_ip, const struct vclock *clock,
	       unsigned long msl_ms);

/* A seed from /dev/urandom (falls back to time and pid if unreadable). */
uint64_t port_random_seed(void);

/* The timer list for vclock_catch_up/vclock_advance: lwIP's timeouts. */
extern const struct vclock_timers port_lwip_timers;

/* A short name for the timer that fires next: "tcp" (tcp_tmr: retransmission,
 * delayed ACK, TIME_WAIT...), "arp" (etharp_tmr), the name app_name_fn gives
 * for one of the apps' handlers, or "lwip"; NULL if no timer is pending. */
typedef const char *(*port_timer_name_fn)(void (*handler)(void *), void *arg);
const char *port_next_timer_name(port_timer_name_fn app_name_fn);

/* sys_check_timeouts(), watching which calls of lwIP's TCP timer also run
 * tcp_slowtmr (every other one: tcp.c tcp_tmr, `++tcp_timer & 1`; the
 * counter is static there, so it is followed from outside: a call that
 * moved tcp_ticks was a slow one). Every firing of lwIP's timers must go
 * through here (port_lwip_timers.fire does). */
void port_check_timeouts(port_timer_name_fn app_name_fn);

/* When tcp_slowtmr runs next (absolute node time, ms): the TCP timer's next
 * deadline, or the one after it. False while the TCP timer is not armed
 * (no active or TIME_WAIT pcb). The RTO, persist, keep-alive and TIME_WAIT
 * counters all tick there (stack/pcbtimers.h). */
bool port_next_slow_tick(port_timer_name_fn app_name_fn, uint64_t *deadline_ms);
/* When the TCP timer fires next (tcp_fasttmr: delayed ACKs). */
bool port_next_tcp_tick(port_timer_name_fn app_name_fn, uint64_t *deadline_ms);

#endif
