/* TIME_WAIT lasts 2 x MSL (RFC 9293 section 3.6.1), within one slow-timer
 * tick, even when the active closer held the connection open for a while
 * before closing, as the article's server does (1 s) or its sequential
 * variant (5 s).
 *
 * lwIP 2.1.3 times TIME_WAIT from pcb->tmr, which tcp_input stops updating
 * once tcp_close() set TF_RXCLOSED (tcp_in.c, "Update the PCB (in)activity
 * timer unless rx is closed"), and does not reset it on entering TIME_WAIT:
 * TIME_WAIT then ends 2 x MSL after the last segment received *before* the
 * close, i.e. early, or at the next tick. lwip-2.1.3-time-wait-timer.diff
 * (applied by subprojects/lwip.wrap) resets it.
 *
 * This file is built twice (tests/stack/meson.build): against the patched
 * lwIP, where it checks the 2 x MSL duration; and against lwIP with the
 * pristine tcp_in.c from the same tarball (EXPECT_UNPATCHED_BUG), where it
 * checks that the very same measurement shows the bug. The first build
 * fails without the patch; the second proves the scenario really exercises
 * the bug. */
#include "../check.h"
#include "lwip_harness.h"

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

#define MSL_MS 2000u
#define SLOW_MS (2u * TCP_TMR_INTERVAL) /* tcp_priv.h TCP_SLOW_INTERVAL */


/* The article's exchange with the server holding the connection hold_ms
 * after reading the message, then closing first. Returns how long the
 * server's pcb stayed in TIME_WAIT, in ms of the virtual clock. */
static uint64_t time_wait_duration(uint64_t hold_ms)
{
	static struct harness h;
	static struct harness_peer server, client;
	struct tcp_pcb *listener, *c;
	ip4_addr_t addr;

	memset(&server, 0, sizeof server);
	memset(&client, 0, sizeof client);
	harness_init(&h, MSL_MS);
	IP4_ADDR(&addr, 192, 0, 2, 2);

	listener = tcp_new();
	CHECK(listener != NULL);
	CHECK_INT_EQ(tcp_bind(listener, &addr, 8888), ERR_OK);
	listener = tcp_listen(listener);
	tcp_arg(listener, &server);
	tcp_accept(listener, harness_on_accept);

	c = tcp_new();
	client.pcb = c;
	tcp_arg(c, &client);
	tcp_recv(c, harness_on_recv);
	CHECK_INT_EQ(tcp_connect(c, &addr, 8888, NULL), ERR_OK);
	harness_drain(&h);
	CHECK(server.pcb != NULL);
	if (!server.pcb)
		return 0;
	CHECK_INT_EQ(c->state, ESTABLISHED);

	/* The client's message; the server reads it. */
	CHECK_INT_EQ(tcp_write(c, "Hello\n", 6, TCP_WRITE_FLAG_COPY), ERR_OK);
	tcp_output(c);
	harness_drain(&h);
	CHECK_INT_EQ(server.bytes, 6);

	/* The server holds the connection, then replies and closes. */
	harness_run_until(&h, harness_now(&h) + hold_ms);
	CHECK_INT_EQ(tcp_write(server.pcb, "Hi\n", 3, TCP_WRITE_FLAG_COPY), ERR_OK);
	CHECK_INT_EQ(tcp_close(server.pcb), ERR_OK);
	harness_drain(&h);
	CHECK_INT_EQ(client.bytes, 3);
	CHECK(client.got_fin);
	CHECK_INT_EQ(c->state, CLOSE_WAIT);

	/* The client closes: its FIN puts the server in TIME_WAIT. */
	CHECK_INT_EQ(tcp_close(c), ERR_OK);
	harness_drain(&h);
	CHECK(harness_in_list(tcp_tw_pcbs, server.pcb));
	CHECK_INT_EQ(server.pcb->state, TIME_WAIT);
	uint64_t entered = harness_now(&h);

	/* Timer by timer until the pcb leaves TIME_WAIT (bounded). */
	while (harness_in_list(tcp_tw_pcbs, server.pcb) &&
	       harness_now(&h) < entered + 10 * MSL_MS)
		CHECK(harness_advance(&h));
	CHECK(!harness_in_list(tcp_tw_pcbs, server.pcb));
	uint64_t duration = harness_now(&h) - entered;

	tcp_close(listener);
	harness_drain(&h);
	netif_remove(&h.netif);
	CHECK(tcp_active_pcbs == NULL);
	CHECK(tcp_tw_pcbs == NULL);
	printf("hold %llu ms: TIME_WAIT lasted %llu ms (2 x MSL = %u ms)\n",
	       (unsigned long long)hold_ms, (unsigned long long)duration,
	       2 * MSL_MS);
	return duration;
}

#ifndef EXPECT_UNPATCHED_BUG

/* The hello flow: the server waits 1 s on its clock before replying. */
static void test_time_wait_lasts_2msl_after_1s_hold(void)
{
	uint64_t d = time_wait_duration(1000);

	CHECK(d >= 2 * MSL_MS);
	CHECK(d <= 2 * MSL_MS + SLOW_MS);
}

/* The sequential server's 5 s handler: longer than 2 x MSL. */
static void test_time_wait_lasts_2msl_after_5s_hold(void)
{
	uint64_t d = time_wait_duration(5000);

	CHECK(d >= 2 * MSL_MS);
	CHECK(d <= 2 * MSL_MS + SLOW_MS);
}

/* Closing right after the last segment (no hold) was already right. */
static void test_time_wait_lasts_2msl_without_hold(void)
{
	uint64_t d = time_wait_duration(0);

	CHECK(d >= 2 * MSL_MS);
	CHECK(d <= 2 * MSL_MS + SLOW_MS);
}

int main(void)
{
	RUN(test_time_wait_lasts_2msl_after_1s_hold);
	RUN(test_time_wait_lasts_2msl_after_5s_hold);
	RUN(test_time_wait_lasts_2msl_without_hold);
	CHECK_EXIT();
}

#else

/* Unpatched lwIP: TIME_WAIT is short by the hold time... */
static void test_unpatched_time_wait_is_short_after_1s_hold(void)
{
	uint64_t d = time_wait_duration(1000);

	CHECK(d < 2 * MSL_MS - 500);
}

/* ...and with a hold longer than 2 x MSL it ends at the next slow tick. */
static void test_unpatched_time_wait_ends_at_once_after_5s_hold(void)
{
	uint64_t d = time_wait_duration(5000);

	CHECK(d <= SLOW_MS);
}

int main(void)
{
	RUN(test_unpatched_time_wait_is_short_after_1s_hold);
	RUN(test_unpatched_time_wait_ends_at_once_after_5s_hold);
	CHECK_EXIT();
}

#endif
