/* lwIP 2.1.3 puts its RSTs' window on the wire byte-swapped: tcp_rst()
 * (tcp_out.c) sets wnd = PP_HTONS(TCP_WND), and
 * tcp_output_alloc_header_common() converts it again with lwip_htons(), so
 * TCP_WND = 5840 (0x16d0) leaves as 0xd016 = 53270. That is the `win 53270`
 * of the RSTs in demos/refused, demos/abort and demos/refused-kernel
 * (docs/node.md, "lwIP's RST window"). We document it and do not patch it:
 * the window of a RST means nothing to its receiver (RFC 9293 3.10.7).
 *
 * This test pins the behaviour the docs describe, on the very lwIP the
 * nodes run: if an lwIP upgrade fixes it, this fails, and the docs and the
 * demos' READMEs need their note removed (and the demos re-recorded). */
#include "../check.h"
#include "lwip_harness.h"

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

/* What lwIP's double conversion makes of TCP_WND on a little-endian host;
 * on a big-endian host both conversions are no-ops and the value is right. */
#define SWAPPED_WND ((uint16_t)(((TCP_WND & 0xff) << 8) | ((TCP_WND >> 8) & 0xff)))

struct seg {
	uint8_t flags;
	uint16_t wnd;
};

/* A packet's bytes are read only through this bounds-checked big-endian
 * getter (docs: STYLE.md). */
static bool get_be16(const uint8_t *b, size_t len, size_t off, uint16_t *v)
{
	if (off + 2 > len)
		return false;
	*v = (uint16_t)(b[off] << 8 | b[off + 1]);
	return true;
}

/* Takes the oldest packet off the harness's wire without delivering it and
 * reads its TCP flags and window; the caller delivers it (or not). */
static bool peek_seg(struct harness *h, struct seg *s)
{
	uint8_t b[60 + 20];
	uint16_t w;

	if (h->count == 0)
		return false;
	struct pbuf *p = h->queue[h->head];
	size_t len = pbuf_copy_partial(p, b, sizeof b, 0);
	if (len < 20 || b[9] != 6) /* IPv4 header, TCP */
		return false;
	size_t ihl = (size_t)(b[0] & 0x0f) * 4;
	if (ihl < 20 || ihl + 20 > len || !get_be16(b, len, ihl + 14, &w))
		return false;
	s->flags = b[ihl + 13];
	s->wnd = w;
	return true;
}

/* Delivers the oldest packet on the wire. */
static void deliver_one(struct harness *h)
{
	struct pbuf *p = h->queue[h->head];

	h->head = (h->head + 1) % 256;
	h->count--;
	if (h->netif.input(p, &h->netif) != ERR_OK)
		pbuf_free(p);
}

static err_t accept_any(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct tcp_pcb **out = arg;

	if (err != ERR_OK || !newpcb)
		return ERR_VAL;
	*out = newpcb;
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	*(err_t *)arg = err;
}

static void test_rst_to_a_closed_port_has_the_window_byte_swapped(void)
{
	static struct harness h;
	struct seg s;
	ip4_addr_t addr;
	err_t got = ERR_OK;

	harness_init(&h, 1000);
	IP4_ADDR(&addr, 192, 0, 2, 2);
	struct tcp_pcb *c = tcp_new();
	CHECK(c != NULL);
	if (!c)
		return;
	tcp_arg(c, &got);
	tcp_err(c, on_err);
	CHECK_INT_EQ(tcp_connect(c, &addr, 9999, NULL), ERR_OK);

	/* the SYN, from tcp_output: the window as configured */
	CHECK(peek_seg(&h, &s));
	CHECK_INT_EQ(s.flags, TCP_SYN);
	CHECK_INT_EQ(s.wnd, TCP_WND);
	deliver_one(&h);

	/* nothing listens on 9999: tcp_input answers with tcp_rst(NULL, ...) */
	CHECK(peek_seg(&h, &s));
	CHECK_INT_EQ(s.flags, TCP_RST | TCP_ACK);
	CHECK_INT_EQ(s.wnd, SWAPPED_WND);
	CHECK_INT_EQ(SWAPPED_WND, 53270); /* the demos' number, TCP_WND 5840 */
	deliver_one(&h);
	/* the RST does its job all the same: the connect is refused */
	CHECK_INT_EQ(got, ERR_RST);
	CHECK_INT_EQ(h.count, 0);
	netif_remove(&h.netif);
	CHECK(tcp_active_pcbs == NULL);
}

static void test_rst_of_tcp_abort_has_the_window_byte_swapped(void)
{
	static struct harness h;
	struct tcp_pcb *server = NULL;
	struct seg s;
	ip4_addr_t addr;
	err_t got = ERR_OK;

	harness_init(&h, 1000);
	IP4_ADDR(&addr, 192, 0, 2, 2);
	struct tcp_pcb *l = tcp_new();
	CHECK(l != NULL);
	if (!l)
		return;
	CHECK_INT_EQ(tcp_bind(l, &addr, 8888), ERR_OK);
	l = tcp_listen(l);
	tcp_arg(l, &server);
	tcp_accept(l, accept_any);
	struct tcp_pcb *c = tcp_new();
	CHECK_INT_EQ(tcp_connect(c, &addr, 8888, NULL), ERR_OK);
	harness_drain(&h);
	CHECK(server != NULL);
	if (!server)
		return;
	CHECK_INT_EQ(c->state, ESTABLISHED);
	tcp_arg(server, &got);
	tcp_err(server, on_err);

	/* the client aborts: tcp_abandon -> tcp_rst(pcb, ...) */
	tcp_abort(c);
	CHECK(peek_seg(&h, &s));
	CHECK_INT_EQ(s.flags, TCP_RST | TCP_ACK);
	CHECK_INT_EQ(s.wnd, SWAPPED_WND);
	deliver_one(&h);
	CHECK_INT_EQ(got, ERR_RST);
	tcp_close(l);
	harness_drain(&h);
	netif_remove(&h.netif);
	CHECK(tcp_active_pcbs == NULL);
}

int main(void)
{
#if BYTE_ORDER != LITTLE_ENDIAN
	CHECK_SKIP("lwIP's double conversion only shows on a little-endian host");
#endif
	RUN(test_rst_to_a_closed_port_has_the_window_byte_swapped);
	RUN(test_rst_of_tcp_abort_has_the_window_byte_swapped);
	CHECK_EXIT();
}
