#include "lwip_harness.h"

#include <stdlib.h>
#include <string.h>

#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "port.h"

static err_t harness_output(struct netif *netif, struct pbuf *p,
			    const ip4_addr_t *dst)
{
	struct harness *h = netif->state;
	struct pbuf *q;

	(void)dst;
	if (h->count == sizeof h->queue / sizeof h->queue[0])
		return ERR_MEM; /* wire full: dropped, as a real link would */
	q = pbuf_alloc(PBUF_RAW, p->tot_len, PBUF_RAM);
	if (!q)
		return ERR_MEM;
	pbuf_copy(q, p);
	h->queue[(h->head + h->count) % 256] = q;
	h->count++;
	h->sent++;
	return ERR_OK;
}

static err_t harness_netif_init(struct netif *netif)
{
	netif->output = harness_output;
	netif->mtu = 1500;
	netif->name[0] = 't';
	netif->name[1] = 's';
	return ERR_OK;
}

void harness_init(struct harness *h, unsigned long msl_ms)
{
	static bool lwip_up;
	ip4_addr_t ip, mask, gw;

	memset(h, 0, sizeof *h);
	vclock_init(&h->clock, 0, false, 1.0);
	port_init(1, 0xc0000202u, &h->clock, msl_ms);
	if (!lwip_up) {
		lwip_init();
		lwip_up = true;
	}
	IP4_ADDR(&ip, 192, 0, 2, 2);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	ip4_addr_set_zero(&gw);
	netif_add(&h->netif, &ip, &mask, &gw, h, harness_netif_init, ip4_input);
	netif_set_default(&h->netif);
	netif_set_link_up(&h->netif);
	netif_set_up(&h->netif);
}

unsigned harness_drain(struct harness *h)
{
	unsigned n = 0;

	while (h->count > 0) {
		struct pbuf *p = h->queue[h->head];

		h->head = (h->head + 1) % 256;
		h->count--;
		if (h->netif.input(p, &h->netif) != ERR_OK)
			pbuf_free(p);
		n++;
	}
	return n;
}

bool harness_advance(struct harness *h)
{
	if (!vclock_advance(&h->clock, &port_lwip_timers, NULL))
		return false;
	harness_drain(h);
	return true;
}

void harness_run_until(struct harness *h, uint64_t until_ms)
{
	while (vclock_now(&h->clock) < until_ms) {
		uint64_t d;

		if (!port_lwip_timers.next_deadline(NULL, &d) || d > until_ms) {
			/* nothing due before until_ms: just move there */
			vclock_run(&h->clock, 0);
			vclock_set_speed(&h->clock, 0, 1.0);
			vclock_catch_up(&h->clock, (until_ms - vclock_now(&h->clock)) * 1000000u,
					&port_lwip_timers, 0);
			vclock_pause(&h->clock, 0);
			continue;
		}
		harness_advance(h);
	}
}

uint64_t harness_now(const struct harness *h)
{
	return vclock_now(&h->clock);
}

err_t harness_on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
		      err_t err)
{
	struct harness_peer *peer = arg;

	(void)err;
	if (!p) {
		peer->got_fin = true;
		return ERR_OK;
	}
	peer->bytes += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

err_t harness_on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct harness_peer *peer = arg;

	if (err != ERR_OK || !newpcb)
		return ERR_VAL;
	peer->pcb = newpcb;
	tcp_arg(newpcb, peer);
	tcp_recv(newpcb, harness_on_recv);
	return ERR_OK;
}

bool harness_in_list(struct tcp_pcb *list, struct tcp_pcb *pcb)
{
	for (; list; list = list->next)
		if (list == pcb)
			return true;
	return false;
}
