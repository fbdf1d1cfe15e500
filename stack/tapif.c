#include "tapif.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

/* An Ethernet frame without FCS: 14-byte header + 1500 MTU, and a little
 * slack for a VLAN tag someone might send us. */
#define TAPIF_FRAME_MAX 1536

struct held_frame {
	uint16_t len;
	uint8_t data[TAPIF_FRAME_MAX];
};

struct tapif {
	struct netif netif;
	int fd;
	struct tapif_hooks hooks;
	bool hold, drop_next_in;
	bool closing; /* being destroyed: send nothing more */
	/* ring of held frames */
	struct held_frame *held;
	unsigned head, count;
	/* frames sent inside a tapif_begin/tapif_end batch, written at the
	 * end (in order) */
	struct held_frame *deferred;
	unsigned ndeferred;
	int depth;
};

/* Frames one batch (one input, timer or command) can send: a few per
 * connection; beyond that the batch so far is written out, in order. */
#define TAPIF_DEFER_MAX 64

/* Network safety: a TAP opened by name must be one of a private namespace
 * (the session's), never the host's, where our 192.0.2.x frames would
 * reach a real network. The host's namespace is taken to be init's (PID 1:
 * the first namespace, or a container's own); a namespace is identified by
 * the device and inode of its /proc/PID/ns/net (namespaces(7)). When that
 * cannot be read, nothing proves the namespace private: refuse. */
static bool private_netns(const char *ifname, char *err, size_t errlen)
{
	static const char *const paths[2] = { "/proc/self/ns/net",
					      "/proc/1/ns/net" };
	struct stat st[2];

	for (int i = 0; i < 2; i++) {
		if (stat(paths[i], &st[i]) < 0) {
			snprintf(err, errlen, "refusing to open TAP '%s': cannot "
				 "tell whether this network namespace is private "
				 "(%s: %s); tcpstep-node runs inside the namespace "
				 "tcpstep creates", ifname, paths[i],
				 strerror(errno));
			return false;
		}
	}
	const struct stat *self = &st[0], *init = &st[1];

	if (self->st_dev == init->st_dev && self->st_ino == init->st_ino) {
		snprintf(err, errlen, "refusing to open TAP '%s' in the host's "
			 "network namespace (that of PID 1): its frames could "
			 "reach a real network; tcpstep-node runs inside the "
			 "namespace tcpstep creates", ifname);
		return false;
	}
	return true;
}

int tapif_open(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd;

	if (!private_netns(ifname, err, errlen))
		return -1;
	if (strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "interface name '%s' is too long", ifname);
		return -1;
	}
	if (if_nametoindex(ifname) == 0) {
		snprintf(err, errlen, "no interface '%s' in this network namespace "
			 "(the controller creates the TAP first)", ifname);
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "attaching to TAP '%s': %s", ifname,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void notify_held(struct tapif *t)
{
	if (t->hooks.held)
		t->hooks.held(t->hooks.user, t->count);
}

static void report(struct tapif *t, const char *key, const char *text)
{
	if (t->hooks.error)
		t->hooks.error(t->hooks.user, key, text);
}

static void write_frame(struct tapif *t, const uint8_t *data, size_t len)
{
	ssize_t n;

	do
		n = write(t->fd, data, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* A full TAP queue or a vanished peer: the frame is lost, as
		 * on a real link; TCP will retransmit. Say so. */
		char msg[96];
		snprintf(msg, sizeof msg, "frame of %zu bytes not sent: %s",
			 len, strerror(errno));
		report(t, "send-failed", msg);
	}
}

/* Sends a frame now, or at tapif_end inside a batch, so that it leaves
 * after every event of the step that sent (or released) it: the
 * controller's ordering relies on it (docs/control-protocol.md
 * "Ordering"). A full batch is written out first, in order. */
static void send_frame(struct tapif *t, const uint8_t *data, size_t len)
{
	if (t->depth == 0) {
		write_frame(t, data, len);
		return;
	}
	if (t->ndeferred == TAPIF_DEFER_MAX) {
		for (unsigned i = 0; i < t->ndeferred; i++)
			write_frame(t, t->deferred[i].data, t->deferred[i].len);
		t->ndeferred = 0;
	}
	struct held_frame *d = &t->deferred[t->ndeferred++];
	d->len = (uint16_t)len;
	memcpy(d->data, data, len);
}

/* netif->linkoutput: lwIP hands over a complete Ethernet frame. */
static err_t tapif_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct tapif *t = netif->state;
	uint8_t buf[TAPIF_FRAME_MAX];

	if (t->closing)
		return ERR_OK; /* a node that quits sends nothing (no RSTs) */
	if (p->tot_len > sizeof buf)
		return ERR_BUF;
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	/* Only TCP segments are held: ARP and ICMP are plumbing, and holding
	 * them would make "N steps release N segments" false. */
	if (!t->hold || !frame_tcp_info(buf, p->tot_len, NULL, NULL)) {
		send_frame(t, buf, p->tot_len);
		return ERR_OK;
	}
	if (t->count == TAPIF_HOLD_MAX) {
		report(t, "hold-queue-full", "a held frame was dropped");
		return ERR_MEM;
	}
	struct held_frame *h = &t->held[(t->head + t->count) % TAPIF_HOLD_MAX];
	h->len = p->tot_len;
	memcpy(h->data, buf, p->tot_len);
	t->count++;
	notify_held(t);
	return ERR_OK;
}

static err_t tapif_netif_init(struct netif *netif)
{
	netif->name[0] = 't';
	netif->name[1] = 'p';
	netif->output = etharp_output;
	netif->linkoutput = tapif_linkoutput;
	netif->mtu = 1500;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		       NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

struct tapif *tapif_create(int fd, const uint8_t mac[6], uint32_t ip,
			   uint32_t netmask, uint32_t gw,
			   const struct tapif_hooks *hooks)
{
	struct tapif *t = calloc(1, sizeof *t);
	ip4_addr_t a, m, g;
	int fl;

	if (!t)
		return NULL;
	t->held = calloc(TAPIF_HOLD_MAX, sizeof *t->held);
	t->deferred = calloc(TAPIF_DEFER_MAX, sizeof *t->deferred);
	if (!t->held || !t->deferred)
		goto fail;
	/* tapif_poll reads until EAGAIN */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	t->fd = fd;
	if (hooks)
		t->hooks = *hooks;
	ip4_addr_set_u32(&a, lwip_htonl(ip));
	ip4_addr_set_u32(&m, lwip_htonl(netmask));
	ip4_addr_set_u32(&g, lwip_htonl(gw));
	/* Before netif_add, which leaves hwaddr alone (lwIP 2.1.3 netif.c):
	 * the init callback and netif_add's listeners may read it. */
	memcpy(t->netif.hwaddr, mac, 6);
	if (!netif_add(&t->netif, &a, &m, &g, t, tapif_netif_init,
		       ethernet_input))
		goto fail;
	netif_set_default(&t->netif);
	netif_set_link_up(&t->netif);
	netif_set_up(&t->netif);
	return t;
fail:
	free(t->held);
	free(t->deferred);
	free(t);
	return NULL;
}

void tapif_destroy(struct tapif *t)
{
	if (!t)
		return;
	/* netif_remove aborts the pcbs bound to our address (tcp.c
	 * tcp_netif_ip_addr_changed), which would send RSTs */
	t->closing = true;
	netif_remove(&t->netif);
	if (t->fd >= 0)
		close(t->fd);
	free(t->held);
	free(t->deferred);
	free(t);
}

int tapif_fd(const struct tapif *t)
{
	return t->fd;
}

int tapif_poll(struct tapif *t, int max)
{
	int got = 0;

	while (got < max) {
		uint8_t buf[TAPIF_FRAME_MAX];
		ssize_t n = read(t->fd, buf, sizeof buf);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		if (n == 0)
			return -1; /* a socketpair peer went away */
		got++;
		if (t->drop_next_in) {
			t->drop_next_in = false;
			if (t->hooks.dropped_in)
				t->hooks.dropped_in(t->hooks.user, buf, (size_t)n);
			continue;
		}
		/* A runt cannot be Ethernet; lwIP would drop it too, but we
		 * need not even allocate for it. */
		if (n < 14)
			continue;
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_POOL);
		if (!p) {
			report(t, "no-pbuf", "inbound frame dropped: pbuf pool empty");
			continue;
		}
		pbuf_take(p, buf, (u16_t)n);
		if (t->hooks.before_input)
			t->hooks.before_input(t->hooks.user, buf, (size_t)n);
		if (t->netif.input(p, &t->netif) != ERR_OK)
			pbuf_free(p);
		if (t->hooks.after_input)
			t->hooks.after_input(t->hooks.user);
	}
	return got;
}

void tapif_begin(struct tapif *t)
{
	t->depth++;
}

void tapif_end(struct tapif *t)
{
	if (t->depth > 0 && --t->depth == 0) {
		for (unsigned i = 0; i < t->ndeferred; i++)
			write_frame(t, t->deferred[i].data, t->deferred[i].len);
		t->ndeferred = 0;
	}
}

void tapif_set_hold(struct tapif *t, bool hold)
{
	t->hold = hold;
	if (!hold && t->count > 0) {
		while (t->count > 0) {
			struct held_frame *h = &t->held[t->head];
			send_frame(t, h->data, h->len);
			t->head = (t->head + 1) % TAPIF_HOLD_MAX;
			t->count--;
		}
		notify_held(t);
	}
}

bool tapif_step(struct tapif *t)
{
	if (t->count == 0)
		return false;
	struct held_frame *h = &t->held[t->head];
	send_frame(t, h->data, h->len);
	t->head = (t->head + 1) % TAPIF_HOLD_MAX;
	t->count--;
	notify_held(t);
	return true;
}

unsigned tapif_held(const struct tapif *t)
{
	return t->count;
}

void tapif_drop_next_in(struct tapif *t)
{
	t->drop_next_in = true;
}

bool tapif_drop_pending(const struct tapif *t)
{
	return t->drop_next_in;
}
