/* The `timers` event's deadlines (stack/pcbtimers.c) are when lwIP really
 * acts: read from the pcb's fields on the in-process harness, then the
 * clock is advanced deadline by deadline and the action must happen exactly
 * at the deadline read, not a tick before or after:
 * - TIME_WAIT: the pcb leaves tcp_tw_pcbs;
 * - retransmission: a segment that was lost is sent again (and the RTO the
 *   event carries is lwIP's);
 * - delayed ACK: the ACK of received data leaves on the TCP timer's next
 *   call. */
#include "../check.h"
#include "lwip_harness.h"

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "pcbtimers.h"
#include "port.h"

#define MSL_MS 1000u


static struct harness h;
static struct harness_peer server, client;
static struct tcp_pcb *listener;

/* A connection between two pcbs of the harness, established. */
static bool connect_pair(void)
{
	ip4_addr_t addr;

	memset(&server, 0, sizeof server);
	memset(&client, 0, sizeof client);
	harness_init(&h, MSL_MS);
	IP4_ADDR(&addr, 192, 0, 2, 2);
	listener = tcp_new();
	if (!listener || tcp_bind(listener, &addr, 8888) != ERR_OK)
		return false;
	listener = tcp_listen(listener);
	tcp_arg(listener, &server);
	tcp_accept(listener, harness_on_accept);
	client.pcb = tcp_new();
	tcp_arg(client.pcb, &client);
	tcp_recv(client.pcb, harness_on_recv);
	if (tcp_connect(client.pcb, &addr, 8888, NULL) != ERR_OK)
		return false;
	harness_drain(&h);
	return server.pcb && client.pcb->state == ESTABLISHED;
}

static void teardown(void)
{
	if (server.pcb && server.pcb->state != TIME_WAIT &&
	    harness_in_list(tcp_active_pcbs, server.pcb))
		tcp_abort(server.pcb);
	if (client.pcb && harness_in_list(tcp_active_pcbs, client.pcb))
		tcp_abort(client.pcb);
	tcp_close(listener);
	harness_drain(&h);
	while (tcp_tw_pcbs)
		tcp_abort(tcp_tw_pcbs);
	netif_remove(&h.netif);
}

static void read_timers(struct tcp_pcb *pcb, struct pcbtimers *t)
{
	uint64_t slow = 0, fast = 0;

	CHECK(port_next_slow_tick(NULL, &slow));
	CHECK(port_next_tcp_tick(NULL, &fast));
	CHECK(slow == fast || slow == fast + TCP_TMR_INTERVAL);
	pcbtimers_read(pcb, slow, fast, t);
}

/* Drops what is on the harness's wire (a lost segment). */
static void lose_wire(void)
{
	while (h.count) {
		pbuf_free(h.queue[h.head]);
		h.head = (h.head + 1) % 256;
		h.count--;
	}
}

static void test_time_wait_ends_at_its_deadline(void)
{
	struct pcbtimers t;

	CHECK(connect_pair());
	/* The server closes first (the article's order); the client too. */
	CHECK_INT_EQ(tcp_close(server.pcb), ERR_OK);
	harness_drain(&h);
	CHECK(client.got_fin);
	CHECK_INT_EQ(tcp_close(client.pcb), ERR_OK);
	client.pcb = NULL;
	harness_drain(&h);
	CHECK_INT_EQ(server.pcb->state, TIME_WAIT);
	read_timers(server.pcb, &t);
	CHECK(t.timewait != PCBTIMERS_NONE);
	CHECK_INT_EQ(t.rtx, PCBTIMERS_NONE);
	/* 2 x MSL from now, to within a slow tick. */
	CHECK(t.timewait >= (int64_t)(harness_now(&h) + 2 * MSL_MS));
	CHECK(t.timewait <= (int64_t)(harness_now(&h) + 2 * MSL_MS +
				      2 * TCP_SLOW_INTERVAL));
	/* Read again a few ticks later: the same deadline. */
	harness_advance(&h);
	harness_advance(&h);
	{
		struct pcbtimers again;

		read_timers(server.pcb, &again);
		CHECK_INT_EQ(again.timewait, t.timewait);
	}
	while (harness_in_list(tcp_tw_pcbs, server.pcb) &&
	       harness_now(&h) < (uint64_t)t.timewait + 1000)
		CHECK(harness_advance(&h));
	CHECK(!harness_in_list(tcp_tw_pcbs, server.pcb));
	CHECK_INT_EQ(harness_now(&h), t.timewait);
	server.pcb = NULL;
	teardown();
}

static void test_retransmission_at_its_deadline(void)
{
	struct pcbtimers t;
	unsigned sent;

	CHECK(connect_pair());
	read_timers(client.pcb, &t);
	CHECK_INT_EQ(t.rtx, PCBTIMERS_NONE); /* nothing in flight */
	CHECK_INT_EQ(tcp_write(client.pcb, "Hello\n", 6, TCP_WRITE_FLAG_COPY),
		     ERR_OK);
	tcp_output(client.pcb);
	sent = h.sent;
	lose_wire();
	read_timers(client.pcb, &t);
	CHECK(t.rtx != PCBTIMERS_NONE);
	CHECK_INT_EQ(t.rto_ms, (uint32_t)client.pcb->rto * TCP_SLOW_INTERVAL);
	CHECK(t.rto_ms > 0);
	CHECK(t.rtx > (int64_t)harness_now(&h));
	CHECK(t.rtx <= (int64_t)(harness_now(&h) + t.rto_ms + TCP_SLOW_INTERVAL));
	/* Nothing goes out before the deadline; the retransmission at it. */
	while (h.sent == sent && harness_now(&h) < (uint64_t)t.rtx + 5000)
		CHECK(harness_advance(&h));
	CHECK(h.sent > sent);
	CHECK_INT_EQ(harness_now(&h), t.rtx);
	harness_drain(&h);
	CHECK_INT_EQ(server.bytes, 6);
	/* Acknowledged: no timer left. */
	while (h.count)
		harness_drain(&h);
	harness_run_until(&h, harness_now(&h) + 500);
	read_timers(client.pcb, &t);
	CHECK_INT_EQ(t.rtx, PCBTIMERS_NONE);
	teardown();
}

static void test_delayed_ack_at_the_next_tcp_tick(void)
{
	struct pcbtimers t;
	unsigned sent;

	CHECK(connect_pair());
	CHECK_INT_EQ(tcp_write(client.pcb, "Hi\n", 3, TCP_WRITE_FLAG_COPY),
		     ERR_OK);
	tcp_output(client.pcb);
	harness_drain(&h);
	CHECK_INT_EQ(server.bytes, 3);
	read_timers(server.pcb, &t);
	CHECK(t.delack != PCBTIMERS_NONE);
	sent = h.sent;
	while (h.sent == sent && harness_now(&h) < (uint64_t)t.delack + 1000)
		CHECK(harness_advance(&h));
	CHECK(h.sent > sent);
	CHECK_INT_EQ(harness_now(&h), t.delack);
	read_timers(server.pcb, &t);
	CHECK_INT_EQ(t.delack, PCBTIMERS_NONE);
	teardown();
}

int main(void)
{
	RUN(test_time_wait_ends_at_its_deadline);
	RUN(test_retransmission_at_its_deadline);
	RUN(test_delayed_ack_at_the_next_tcp_tick);
	CHECK_EXIT();
}
