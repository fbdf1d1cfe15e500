/* An in-process lwIP for tests: one stack (lwIP is global), one IP-level
 * netif whose "wire" is a queue that feeds every sent packet back into the
 * same stack, so two pcbs on 192.0.2.2 (a listener and a client) talk to each
 * other one packet at a time, on the virtual clock, with no TAP and no root
 * (the idea of lwIP's test/unit/tcp/tcp_helper.c). */
#ifndef TCPSTEP_TEST_LWIP_HARNESS_H
#define TCPSTEP_TEST_LWIP_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "vclock.h"

struct harness {
	struct vclock clock;
	struct netif netif;
	struct pbuf *queue[256];
	unsigned head, count;
	unsigned sent; /* packets put on the wire so far */
};

/* Sets up lwIP (once per process) on 192.0.2.2/24 with MSL msl_ms, the
 * clock paused at 0. */
void harness_init(struct harness *h, unsigned long msl_ms);

/* Delivers queued packets (and what they cause) until the wire is quiet.
 * Returns the number delivered. */
unsigned harness_drain(struct harness *h);

/* Advances the paused clock to the next timer deadline, fires it and
 * drains. Returns false if no timer is pending. */
bool harness_advance(struct harness *h);

/* Advances deadline by deadline until the clock reaches at least until_ms. */
void harness_run_until(struct harness *h, uint64_t until_ms);

uint64_t harness_now(const struct harness *h);

/* An app for the tests' pcbs: counts what it reads (and reads it all with
 * tcp_recved, so a close sends FIN, not RST) and notes the FIN. */
struct harness_peer {
	struct tcp_pcb *pcb;
	unsigned bytes;
	bool got_fin;
};
/* tcp_recv callback; arg is a struct harness_peer. */
err_t harness_on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
		      err_t err);
/* tcp_accept callback: the accepted pcb becomes arg's (a struct
 * harness_peer), with harness_on_recv. */
err_t harness_on_accept(void *arg, struct tcp_pcb *newpcb, err_t err);
/* Whether pcb is on lwIP's list (tcp_active_pcbs, tcp_tw_pcbs...). */
bool harness_in_list(struct tcp_pcb *list, struct tcp_pcb *pcb);

#endif
