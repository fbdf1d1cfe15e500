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

#endif
