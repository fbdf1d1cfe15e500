/* Every frame cut at every length, for every link type: the decoder must
 * never read past the captured bytes (each cut copy lives in its own heap
 * block of exactly that size, so ASan catches a one-byte overread), must say
 * "truncated" while the TCP header is incomplete, and once the header is in
 * must agree with the uncut decode on every field it reports. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decode.h"
#include "framebuild.h"

static const uint8_t opts[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7,
	5, 10, 0, 0, 0, 1, 0, 0, 0, 2,
};

static struct fb_seg make_seg(int ipv)
{
	static const char data[] = "Hello, 192.0.2.2:8888\n";
	struct fb_seg s;
	fb_seg_client_to_server(&s, ipv);
	s.seq = 1000;
	s.ack = 2000;
	s.flags = TCPF_ACK | TCPF_PSH;
	s.win = 100;
	s.opts = opts;
	s.optlen = sizeof(opts);
	s.data = data;
	s.len = sizeof(data) - 1;
	return s;
}

/* Cuts frame[0..n) at every length; tcp_off is where the TCP header starts. */
static void cut_everywhere(int lt, const uint8_t *frame, size_t n, size_t tcp_off)
{
	struct segment full, g;
	struct decode_detail d;

	CHECK_INT_EQ(decode_frame(lt, frame, (uint32_t)n, (uint32_t)n, &full, NULL), DECODE_OK);
	CHECK(!full.truncated);
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		if (!copy)
			abort();
		memcpy(copy, frame, cut);
		enum decode_result r = decode_frame(lt, copy, (uint32_t)cut, (uint32_t)n, &g, &d);
		if (cut < tcp_off + 20) {
			if (r != DECODE_TRUNCATED)
				fprintf(stderr, "link %d cut %zu: %s (%s)\n", lt, cut,
					decode_result_to_str(r), d.why);
			CHECK_INT_EQ(r, DECODE_TRUNCATED);
			CHECK(g.truncated);
			if (d.have_ports) {
				CHECK_INT_EQ(g.sport, full.sport);
				CHECK_INT_EQ(g.dport, full.dport);
			}
		} else {
			CHECK_INT_EQ(r, DECODE_OK);
			CHECK_INT_EQ(g.truncated, cut < n);
			CHECK_INT_EQ(g.seq, full.seq);
			CHECK_INT_EQ(g.ack, full.ack);
			CHECK_INT_EQ(g.flags, full.flags);
			CHECK_INT_EQ(g.payload_len, full.payload_len);
			CHECK(g.payload_caplen <= full.payload_len);
			CHECK(!g.opts.malformed);
			/* options seen before the cut are right, never invented */
			if (g.opts.has_mss)
				CHECK_INT_EQ(g.opts.mss, full.opts.mss);
			if (g.opts.has_timestamp)
				CHECK_INT_EQ(g.opts.tsval, full.opts.tsval);
			if (g.opts.has_wscale)
				CHECK_INT_EQ(g.opts.wscale, full.opts.wscale);
			CHECK(g.opts.nsack <= full.opts.nsack);
			if (cut == n)
				CHECK(memcmp(&g.opts, &full.opts, sizeof(g.opts)) == 0);
			if (g.payload_caplen)
				CHECK(memcmp(g.payload, full.payload, g.payload_caplen) == 0);
		}
		if (d.have_addrs)
			CHECK(memcmp(g.src, full.src, 16) == 0);
		free(copy);
	}
}

static size_t link_hdr_len(int lt)
{
	switch (lt) {
	case DECODE_LINK_ETHERNET: return 14;
	case DECODE_LINK_SLL: return 16;
	case DECODE_LINK_SLL2: return 20;
	case DECODE_LINK_NULL: case DECODE_LINK_LOOP: return 4;
	default: return 0;
	}
}

static void test_cut_at_every_length_each_link_type(void)
{
	static const int lts[] = { DECODE_LINK_ETHERNET, DECODE_LINK_SLL, DECODE_LINK_SLL2,
				   DECODE_LINK_RAW, DECODE_LINK_IPV4, DECODE_LINK_IPV6,
				   DECODE_LINK_NULL, DECODE_LINK_LOOP };
	for (size_t i = 0; i < sizeof(lts) / sizeof(lts[0]); i++) {
		for (int ipv = 4; ipv <= 6; ipv += 2) {
			if ((lts[i] == DECODE_LINK_IPV4 && ipv == 6) ||
			    (lts[i] == DECODE_LINK_IPV6 && ipv == 4))
				continue;
			struct fb_seg s = make_seg(ipv);
			uint8_t ip[400], fr[500];
			size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
			n = fb_link(fr, sizeof(fr), lts[i], ip, n);
			cut_everywhere(lts[i], fr, n, link_hdr_len(lts[i]) + (ipv == 4 ? 20 : 40));
		}
	}
}

static void test_cut_at_every_length_qinq(void)
{
	static const uint16_t tags[] = { 0x88a8, 0x8100 };
	for (int ipv = 4; ipv <= 6; ipv += 2) {
		struct fb_seg s = make_seg(ipv);
		uint8_t ip[400], fr[500];
		size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
		n = fb_eth_vlan(fr, sizeof(fr), tags, 2, ip, n);
		cut_everywhere(DECODE_LINK_ETHERNET, fr, n, 22 + (ipv == 4 ? 20 : 40));
	}
}

static void test_cut_at_every_length_ipv6_extensions(void)
{
	struct fb_seg s = make_seg(6);
	uint8_t l4[300], ip[500], fr[600];
	static const uint8_t ext[] = {
		60, 0, 1, 4, 0, 0, 0, 0,  /* hop-by-hop */
		51, 0, 1, 4, 0, 0, 0, 0,  /* destination options */
		44, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, /* AH, 12 bytes */
		6, 0, 0, 0, 0, 0, 0, 7,   /* fragment offset 0 */
	};
	size_t tl = fb_tcp(l4, sizeof(l4), &s);
	size_t n = fb_ipv6(ip, sizeof(ip), s.src, s.dst, 0, ext, sizeof(ext), l4, tl);
	n = fb_link(fr, sizeof(fr), DECODE_LINK_SLL2, ip, n);
	cut_everywhere(DECODE_LINK_SLL2, fr, n, 20 + 40 + sizeof(ext));
}

static void test_cut_ipv4_with_ip_options(void)
{
	struct fb_seg s = make_seg(4);
	uint8_t ip[400], fr[500];
	size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
	/* insert 8 bytes of IPv4 options (NOP x7, EOL): IHL 7 */
	memmove(ip + 28, ip + 20, n - 20);
	memset(ip + 20, 1, 7);
	ip[27] = 0;
	ip[0] = 0x47;
	n += 8;
	ip[2] = (uint8_t)(n >> 8);
	ip[3] = (uint8_t)n;
	n = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, ip, n);
	cut_everywhere(DECODE_LINK_ETHERNET, fr, n, 14 + 28);
}

/* IP tunnels (IPv6 in IPv4, IPv4 in IPv6): cut in the outer header, in
 * the inner one, in TCP. */
static void test_cut_at_every_length_ip_tunnels(void)
{
	for (int inner = 4; inner <= 6; inner += 2) {
		struct fb_seg s = make_seg(inner);
		uint8_t ip[400], outer[500], fr[600], a[16], b[16];
		size_t n = fb_ip_tcp(ip, sizeof(ip), &s), on;
		uint8_t proto = inner == 6 ? 41 : 4;
		if (inner == 6) {
			fb_addr4(a, 198, 51, 100, 1);
			fb_addr4(b, 203, 0, 113, 1);
			on = fb_ipv4(outer, sizeof(outer), a, b, proto, 0, ip, n);
		} else {
			fb_addr6(a, "2001:db8:ffff::1");
			fb_addr6(b, "2001:db8:eeee::1");
			on = fb_ipv6(outer, sizeof(outer), a, b, proto, NULL, 0, ip, n);
		}
		size_t fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, outer, on);
		cut_everywhere(DECODE_LINK_ETHERNET, fr, fn, 14 + 60);

		/* GRE with a key, carrying transparent Ethernet */
		/* header with key (8 bytes), then an Ethernet header (14) */
		uint8_t gre[500];
		memset(gre, 2, 22);
		gre[0] = 0x20;
		gre[1] = 0;
		gre[2] = 0x65;
		gre[3] = 0x58;
		gre[20] = inner == 6 ? 0x86 : 0x08;
		gre[21] = inner == 6 ? 0xdd : 0x00;
		memcpy(gre + 22, ip, n);
		fb_addr4(a, 198, 51, 100, 1);
		fb_addr4(b, 203, 0, 113, 1);
		on = fb_ipv4(outer, sizeof(outer), a, b, 47, 0, gre, 22 + n);
		fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, outer, on);
		cut_everywhere(DECODE_LINK_ETHERNET, fr, fn,
			       14 + 20 + 22 + (inner == 6 ? 40 : 20));
	}
}

int main(void)
{
	RUN(test_cut_at_every_length_each_link_type);
	RUN(test_cut_at_every_length_qinq);
	RUN(test_cut_at_every_length_ipv6_extensions);
	RUN(test_cut_ipv4_with_ip_options);
	RUN(test_cut_at_every_length_ip_tunnels);
	CHECK_EXIT();
}
