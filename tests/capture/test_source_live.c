/* The live source on a loopback interface inside a private network
 * namespace that this process creates for itself (unshare(CLONE_NEWNET)):
 * nothing on the host is touched, and the namespace goes away with the
 * process. Needs root (CAP_NET_ADMIN and CAP_NET_RAW). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "decode.h"
#include "source.h"

static void lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	CHECK(fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0);
	ifr.ifr_flags |= IFF_UP;
	CHECK(ioctl(fd, SIOCSIFFLAGS, &ifr) == 0);
	close(fd);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_live_loopback_sees_handshake_with_filter(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *s = source_open_live("lo", "tcp port 8888", 0, err);
	if (!s)
		fprintf(stderr, "%s\n", err);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(source_is_live(s));
	CHECK(source_fd(s) >= 0);
	CHECK_INT_EQ(source_linktype(s), DECODE_LINK_ETHERNET);

	/* nothing yet: non-blocking */
	struct source_frame f;
	CHECK_INT_EQ(source_next(s, &f, err), SOURCE_AGAIN);

	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(8888);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK(bind(ls, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(listen(ls, 4) == 0);
	/* a UDP datagram the filter must hide */
	int us = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(us, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
	close(us);
	int cs = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(cs, (struct sockaddr *)&a, sizeof(a)) == 0);
	int as = accept(ls, NULL, NULL);
	CHECK(as >= 0);
	CHECK(write(cs, "hi", 2) == 2);
	char buf[4];
	CHECK(read(as, buf, sizeof(buf)) == 2);

	int syn = 0, synack = 0, data = 0, frames = 0;
	uint64_t last_pkt = 0;
	for (int64_t end = mono_ms() + 3000; mono_ms() < end && !(syn && synack && data);) {
		struct pollfd p = { .fd = source_fd(s), .events = POLLIN };
		poll(&p, 1, 100);
		enum source_status st;
		while ((st = source_next(s, &f, err)) == SOURCE_FRAME) {
			struct segment seg;
			frames++;
			CHECK(f.pkt == last_pkt + 1);
			last_pkt = f.pkt;
			CHECK(f.ts_ns > 1600000000LL * 1000000000LL);
			CHECK_INT_EQ(decode_frame(source_linktype(s), f.data, f.caplen,
						  f.wirelen, &seg, NULL), DECODE_OK);
			CHECK(seg.sport == 8888 || seg.dport == 8888);
			if (seg.flags == TCPF_SYN)
				syn++;
			if (seg.flags == (TCPF_SYN | TCPF_ACK))
				synack++;
			if (seg.payload_len == 2)
				data++;
		}
		CHECK_INT_EQ(st, SOURCE_AGAIN);
	}
	CHECK_INT_EQ(syn, 1);
	CHECK_INT_EQ(synack, 1);
	CHECK_INT_EQ(data, 1);
	struct source_stats ss;
	source_get_stats(s, &ss);
	CHECK(ss.have_drops);
	CHECK_INT_EQ(ss.dropped, 0);
	CHECK_INT_EQ(ss.matched, (uint64_t)frames);
	close(as);
	close(cs);
	close(ls);
	source_close(s);
}

/* "any" gives Linux cooked v2, whose header carries the interface index,
 * so an `ifindex` filter compiles and picks loopback's frames (the
 * session's capture, session/wiretap.c, depends on both). */
static void test_live_any_is_cooked_v2_with_ifindex(void)
{
	char err[SOURCE_ERRBUF_SIZE], filter[64];
	unsigned lo = if_nametoindex("lo");

	CHECK(lo > 0);
	snprintf(filter, sizeof filter, "ifindex %u and udp port 8889", lo);
	struct source *s = source_open_live("any", filter, 0, err);
	if (!s)
		fprintf(stderr, "%s\n", err);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT_EQ(source_linktype(s), DECODE_LINK_SLL2);

	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(8889);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int us = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(sendto(us, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) == 1);
	close(us);

	struct source_frame f;
	int got = 0;
	for (int64_t end = mono_ms() + 3000; mono_ms() < end && !got;) {
		struct pollfd p = { .fd = source_fd(s), .events = POLLIN };
		poll(&p, 1, 100);
		while (source_next(s, &f, err) == SOURCE_FRAME) {
			got++;
			/* the cooked v2 header: interface index at 4 */
			CHECK(f.caplen >= 20);
			if (f.caplen >= 20)
				CHECK_INT_EQ(((unsigned)f.data[4] << 24 |
					      (unsigned)f.data[5] << 16 |
					      (unsigned)f.data[6] << 8 | f.data[7]),
					     lo);
		}
	}
	CHECK(got >= 1);
	source_close(s);
	/* an interface index that does not exist passes nothing: the filter
	 * is really applied */
	snprintf(filter, sizeof filter, "ifindex %u", lo + 1000);
	s = source_open_live("any", filter, 0, err);
	CHECK(s != NULL);
	if (s) {
		us = socket(AF_INET, SOCK_DGRAM, 0);
		sendto(us, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
		close(us);
		usleep(200 * 1000);
		CHECK_INT_EQ(source_next(s, &f, err), SOURCE_AGAIN);
		source_close(s);
	}
}

static void test_live_errors_name_the_interface(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	CHECK(source_open_live("tcpstep-nope0", NULL, 0, err) == NULL);
	CHECK(strncmp(err, "tcpstep-nope0: ", 15) == 0);
	CHECK(source_open_live("lo", "tcp port (", 0, err) == NULL);
	CHECK(strstr(err, "lo: bad filter") != NULL);
}

static bool no_frame_expected(const struct source_frame *f, void *user)
{
	(void)f;
	*(bool *)user = true;
	return true;
}

/* source_each is for files: on a live source it says so, reads nothing. */
static void test_live_refuses_source_each(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	bool called = false;
	struct source *s = source_open_live("lo", NULL, 0, err);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT_EQ(source_each(s, no_frame_expected, &called, err), SOURCE_ERROR);
	CHECK_STR_EQ(err, "lo: a live capture is read with source_next");
	CHECK(!called);
	source_close(s);
}

int main(void)
{
	if (geteuid() != 0)
		CHECK_SKIP("needs root: captures live in a private network namespace");
	if (unshare(CLONE_NEWNET) != 0)
		CHECK_SKIP("needs root: unshare(CLONE_NEWNET) refused");
	lo_up();
	RUN(test_live_loopback_sees_handshake_with_filter);
	RUN(test_live_any_is_cooked_v2_with_ifindex);
	RUN(test_live_errors_name_the_interface);
	RUN(test_live_refuses_source_each);
	CHECK_EXIT();
}
