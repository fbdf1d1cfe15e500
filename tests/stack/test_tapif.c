/* The TAP netif driver (stack/tapif.c) in-process, on a SOCK_SEQPACKET
 * socketpair instead of a TAP (one frame per read/write, as a TAP does):
 * the hold queue (TCP held, ARP not; step releases exactly one; release in
 * order), drop-next-in, and batches (frames leave after the batch ends). */
#include "../check.h"
#include "frame.h"
#include "port.h"
#include "tapif.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

static const uint8_t node_mac[6] = { 0x02, 0, 0xc0, 0, 2, 2 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0xc0, 0, 2, 3 };

struct hooks_seen {
	unsigned held_calls, last_held, inputs, dropped;
};

static void on_held(void *user, unsigned count)
{
	struct hooks_seen *s = user;

	s->held_calls++;
	s->last_held = count;
}

static void on_before(void *user, const uint8_t *f, size_t len)
{
	(void)f;
	(void)len;
	((struct hooks_seen *)user)->inputs++;
}

static void on_dropped(void *user, const uint8_t *f, size_t len)
{
	(void)f;
	(void)len;
	((struct hooks_seen *)user)->dropped++;
}

/* Reads one frame from the peer end (non-blocking); 0 if none. */
static ssize_t wire_read(int fd, uint8_t *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size, MSG_DONTWAIT);

	return n < 0 && errno == EAGAIN ? 0 : n;
}

static bool is_arp(const uint8_t *f, ssize_t n)
{
	return n >= 14 && f[12] == 0x08 && f[13] == 0x06;
}

/* An ARP reply from 192.0.2.3 to the node (RFC 826). */
static void send_arp_reply(int fd)
{
	uint8_t f[42] = { 0 };

	memcpy(f, node_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	f[14] = 0, f[15] = 1;    /* Ethernet */
	f[16] = 0x08, f[17] = 0; /* IPv4 */
	f[18] = 6, f[19] = 4;
	f[20] = 0, f[21] = 2; /* reply */
	memcpy(f + 22, peer_mac, 6);
	f[28] = 192, f[29] = 0, f[30] = 2, f[31] = 3;
	memcpy(f + 32, node_mac, 6);
	f[38] = 192, f[39] = 0, f[40] = 2, f[41] = 2;
	CHECK_INT_EQ(write(fd, f, sizeof f), (ssize_t)sizeof f);
}

static void test_hold_step_drop_and_batches(void)
{
	static struct vclock clock;
	struct hooks_seen seen = { 0 };
	int sp[2];
	uint8_t buf[2048], flags;
	ssize_t n;

	CHECK_INT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	vclock_init(&clock, 0, false, 1.0);
	port_init(9, 0xc0000202u, &clock, 2000);
	lwip_init();
	struct tapif_hooks hooks = {
		.held = on_held, .before_input = on_before,
		.dropped_in = on_dropped, .user = &seen,
	};
	struct tapif *t = tapif_create(sp[0], node_mac, 0xc0000202u, 0xffffff00u,
				       0, &hooks);
	CHECK(t != NULL);
	if (!t)
		return;
	/* bringing the netif up sends a gratuitous ARP */
	n = wire_read(sp[1], buf, sizeof buf);
	CHECK(is_arp(buf, n));

	/* held: the connect's ARP request still goes out at once, but inside
	 * a batch only when the batch ends */
	tapif_set_hold(t, true);
	struct tcp_pcb *pcb = tcp_new();
	ip4_addr_t peer;
	IP4_ADDR(&peer, 192, 0, 2, 3);
	tapif_begin(t);
	CHECK_INT_EQ(tcp_connect(pcb, &peer, 8888, NULL), ERR_OK);
	CHECK_INT_EQ(wire_read(sp[1], buf, sizeof buf), 0);
	tapif_end(t);
	n = wire_read(sp[1], buf, sizeof buf);
	CHECK(is_arp(buf, n));
	CHECK_INT_EQ(tapif_held(t), 0);

	/* the ARP reply arrives (processed at once although holding); the
	 * SYN lwIP queued behind ARP is held, not sent */
	send_arp_reply(sp[1]);
	CHECK_INT_EQ(tapif_poll(t, 8), 1);
	CHECK_INT_EQ(seen.inputs, 1);
	CHECK_INT_EQ(tapif_held(t), 1);
	CHECK_INT_EQ(seen.last_held, 1);
	CHECK_INT_EQ(wire_read(sp[1], buf, sizeof buf), 0);

	/* lwIP retransmits the SYN (its RTO): a second held segment */
	for (int i = 0; i < 40 && tapif_held(t) < 2; i++)
		vclock_advance(&clock, &port_lwip_timers, NULL);
	CHECK_INT_EQ(tapif_held(t), 2);

	/* a step releases exactly one, the oldest; inside a batch (the
	 * node's step command) it leaves at the batch's end, after the
	 * `held` event the step caused */
	tapif_begin(t);
	CHECK(tapif_step(t));
	CHECK_INT_EQ(seen.last_held, 1);
	CHECK_INT_EQ(wire_read(sp[1], buf, sizeof buf), 0);
	tapif_end(t);
	n = wire_read(sp[1], buf, sizeof buf);
	CHECK(frame_tcp_info(buf, (size_t)n, &flags, NULL));
	CHECK_INT_EQ(flags, FRAME_TCP_SYN);
	CHECK_INT_EQ(wire_read(sp[1], buf, sizeof buf), 0);
	CHECK_INT_EQ(tapif_held(t), 1);
	/* unholding releases the rest, in order (in a batch: at its end) */
	tapif_begin(t);
	tapif_set_hold(t, false);
	CHECK_INT_EQ(wire_read(sp[1], buf, sizeof buf), 0);
	tapif_end(t);
	n = wire_read(sp[1], buf, sizeof buf);
	CHECK(frame_tcp_info(buf, (size_t)n, &flags, NULL) && flags == FRAME_TCP_SYN);
	CHECK_INT_EQ(tapif_held(t), 0);
	CHECK_INT_EQ(seen.last_held, 0);
	CHECK(!tapif_step(t));

	/* drop-next-in: the next frame never reaches lwIP */
	tapif_drop_next_in(t);
	send_arp_reply(sp[1]);
	send_arp_reply(sp[1]);
	CHECK_INT_EQ(tapif_poll(t, 8), 2);
	CHECK_INT_EQ(seen.dropped, 1);
	CHECK_INT_EQ(seen.inputs, 2);
	CHECK(!tapif_drop_pending(t));

	/* a runt is ignored, not a crash */
	CHECK_INT_EQ(write(sp[1], "abc", 3), 3);
	CHECK_INT_EQ(tapif_poll(t, 8), 1);
	CHECK_INT_EQ(seen.inputs, 2);

	tcp_abort(pcb);
	tapif_destroy(t); /* closes sp[0] */
	/* the peer end sees the driver gone (after any RST the abort sent) */
	while ((n = recv(sp[1], buf, sizeof buf, MSG_DONTWAIT)) > 0)
		;
	CHECK_INT_EQ(n, 0);
	close(sp[1]);
}

int main(void)
{
	RUN(test_hold_step_drop_and_batches);
	CHECK_EXIT();
}
