/* Decoder unit tests: hand-built frames for every link type, VLAN tags,
 * IPv6 extension headers, fragments, ICMP errors and TCP options. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decode.h"
#include "framebuild.h"

static const uint8_t syn_opts[] = {
	2, 4, 0x05, 0xb4,             /* mss 1460 */
	4, 2,                         /* sackOK */
	8, 10, 0, 0, 0, 1, 0, 0, 0, 0, /* TS val 1 ecr 0 */
	1,                            /* nop */
	3, 3, 7,                      /* wscale 7 */
};

static struct fb_seg base_seg(int ipv)
{
	struct fb_seg s;
	fb_seg_client_to_server(&s, ipv);
	s.seq = 0x11223344;
	s.ack = 0x55667788;
	s.flags = TCPF_ACK | TCPF_PSH;
	s.win = 2920;
	s.data = "Hello";
	s.len = 5;
	return s;
}

/* Builds the segment's IP packet and wraps it in linktype. */
static size_t build(uint8_t *out, size_t cap, int linktype, const struct fb_seg *s)
{
	uint8_t ip[1600];
	size_t n = fb_ip_tcp(ip, sizeof(ip), s);
	return fb_link(out, cap, linktype, ip, n);
}

static enum decode_result dec(int lt, const uint8_t *f, size_t n, struct segment *seg)
{
	return decode_frame(lt, f, (uint32_t)n, (uint32_t)n, seg, NULL);
}

static void check_common_fields(const struct segment *g, const struct fb_seg *s)
{
	CHECK_INT_EQ(g->ip_version, s->ipv);
	CHECK(memcmp(g->src, s->src, s->ipv == 4 ? 4 : 16) == 0);
	CHECK(memcmp(g->dst, s->dst, s->ipv == 4 ? 4 : 16) == 0);
	CHECK_INT_EQ(g->sport, s->sport);
	CHECK_INT_EQ(g->dport, s->dport);
	CHECK_INT_EQ(g->seq, s->seq);
	CHECK_INT_EQ(g->ack, s->ack);
	CHECK_INT_EQ(g->flags, s->flags);
	CHECK_INT_EQ(g->win, s->win);
	CHECK_INT_EQ(g->payload_len, s->len);
	CHECK_INT_EQ(g->payload_caplen, s->len);
	CHECK(!g->truncated);
	if (s->len)
		CHECK(g->payload && memcmp(g->payload, s->data, s->len) == 0);
}

static void test_every_link_type_ipv4_and_ipv6(void)
{
	static const int lts[] = { DECODE_LINK_ETHERNET, DECODE_LINK_SLL, DECODE_LINK_SLL2,
				   DECODE_LINK_RAW, DECODE_LINK_RAW_LT, DECODE_LINK_NULL,
				   DECODE_LINK_LOOP };
	for (size_t i = 0; i < sizeof(lts) / sizeof(lts[0]); i++) {
		for (int ipv = 4; ipv <= 6; ipv += 2) {
			struct fb_seg s = base_seg(ipv);
			uint8_t fr[2000];
			struct segment g;
			size_t n = build(fr, sizeof(fr), lts[i], &s);
			CHECK(n > 0);
			CHECK_INT_EQ(dec(lts[i], fr, n, &g), DECODE_OK);
			check_common_fields(&g, &s);
		}
	}
	/* LINKTYPE_IPV4 / IPV6 take only their own version */
	struct fb_seg s4 = base_seg(4), s6 = base_seg(6);
	uint8_t f4[200], f6[200];
	struct segment g;
	size_t n4 = build(f4, sizeof(f4), DECODE_LINK_IPV4, &s4);
	size_t n6 = build(f6, sizeof(f6), DECODE_LINK_IPV6, &s6);
	CHECK_INT_EQ(dec(DECODE_LINK_IPV4, f4, n4, &g), DECODE_OK);
	check_common_fields(&g, &s4);
	CHECK_INT_EQ(dec(DECODE_LINK_IPV6, f6, n6, &g), DECODE_OK);
	check_common_fields(&g, &s6);
	CHECK_INT_EQ(dec(DECODE_LINK_IPV4, f6, n6, &g), DECODE_MALFORMED);
	CHECK_INT_EQ(dec(DECODE_LINK_IPV6, f4, n4, &g), DECODE_MALFORMED);
}

static void test_null_loopback_either_byte_order(void)
{
	struct fb_seg s = base_seg(4);
	uint8_t ip[200], fr[200];
	size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
	struct segment g;

	/* DLT_NULL written by a big-endian host: AF_INET = 00 00 00 02 */
	memcpy(fr, "\0\0\0\2", 4);
	memcpy(fr + 4, ip, n);
	CHECK_INT_EQ(dec(DECODE_LINK_NULL, fr, n + 4, &g), DECODE_OK);
	check_common_fields(&g, &s);
	/* Linux AF_INET6 (10), little-endian host */
	struct fb_seg s6 = base_seg(6);
	n = fb_ip_tcp(ip, sizeof(ip), &s6);
	memcpy(fr, "\x0a\0\0\0", 4);
	memcpy(fr + 4, ip, n);
	CHECK_INT_EQ(dec(DECODE_LINK_NULL, fr, n + 4, &g), DECODE_OK);
	check_common_fields(&g, &s6);
	/* LOOP is always network order: AF 7 is not IP */
	memcpy(fr, "\0\0\0\7", 4);
	CHECK_INT_EQ(dec(DECODE_LINK_LOOP, fr, n + 4, &g), DECODE_NOT_IP);
}

static void test_vlan_and_qinq_tags(void)
{
	static const uint16_t dot1q[] = { 0x8100 };
	static const uint16_t qinq[] = { 0x88a8, 0x8100 };
	static const uint16_t qinq_old[] = { 0x9100, 0x8100 };
	static const uint16_t *tags[] = { dot1q, qinq, qinq_old };
	static const int ntags[] = { 1, 2, 2 };

	for (int i = 0; i < 3; i++) {
		for (int ipv = 4; ipv <= 6; ipv += 2) {
			struct fb_seg s = base_seg(ipv);
			uint8_t ip[200], fr[300];
			struct segment g;
			size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
			n = fb_eth_vlan(fr, sizeof(fr), tags[i], ntags[i], ip, n);
			CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, n, &g), DECODE_OK);
			check_common_fields(&g, &s);
		}
	}
	/* nine stacked tags: refused, not looped over */
	uint16_t many[9];
	for (int i = 0; i < 9; i++)
		many[i] = 0x8100;
	struct fb_seg s = base_seg(4);
	uint8_t ip[200], fr[300];
	struct segment g;
	struct decode_detail d;
	size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
	n = fb_eth_vlan(fr, sizeof(fr), many, 9, ip, n);
	CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, fr, (uint32_t)n, (uint32_t)n, &g, &d),
		     DECODE_MALFORMED);
	CHECK_STR_EQ(d.why, "too many VLAN tags");
	/* SLL carrying a VLAN tag */
	n = fb_ip_tcp(ip, sizeof(ip), &s);
	uint8_t sll[300] = { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0, 0x81, 0x00,
			     0x00, 0x64, 0x08, 0x00 };
	memcpy(sll + 20, ip, n);
	CHECK_INT_EQ(dec(DECODE_LINK_SLL, sll, n + 20, &g), DECODE_OK);
	check_common_fields(&g, &s);
}

static void test_non_ip_and_non_tcp(void)
{
	uint8_t fr[100] = { 0 };
	struct segment g;
	/* ARP */
	fr[12] = 0x08;
	fr[13] = 0x06;
	CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, 60, &g), DECODE_NOT_IP);
	/* 802.3 length field */
	fr[12] = 0x00;
	fr[13] = 0x40;
	CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, 60, &g), DECODE_NOT_IP);
	/* UDP over IPv4 */
	uint8_t ip[100], src[4] = { 192, 0, 2, 1 }, dst[4] = { 192, 0, 2, 2 };
	uint8_t udp[8] = { 0, 53, 0, 53, 0, 8, 0, 0 };
	size_t n = fb_ipv4(ip, sizeof(ip), src, dst, 17, 0, udp, 8);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_NOT_TCP);
	CHECK_INT_EQ(g.ip_version, 4);
	/* unknown link type */
	CHECK_INT_EQ(dec(9999, ip, n, &g), DECODE_UNSUPPORTED_LINK);
	CHECK(!decode_link_supported(9999));
	CHECK(decode_link_supported(DECODE_LINK_SLL2));
	CHECK_STR_EQ(decode_result_to_str(DECODE_ICMP_ERROR), "icmp-error");
	CHECK_STR_EQ(decode_link_name(DECODE_LINK_SLL), "LINUX_SLL");
	/* NULL data pointer with length 0 */
	CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, NULL, 0, 0, &g, NULL), DECODE_TRUNCATED);
}

/* s becomes a bare SYN carrying syn_opts. */
static void as_syn(struct fb_seg *s)
{
	s->flags = TCPF_SYN;
	s->ack = 0;
	s->data = NULL;
	s->len = 0;
	s->opts = syn_opts;
	s->optlen = sizeof(syn_opts);
}

static void test_syn_options_decoded(void)
{
	struct fb_seg s = base_seg(4);
	uint8_t fr[300];
	struct segment g;

	as_syn(&s);
	size_t n = build(fr, sizeof(fr), DECODE_LINK_ETHERNET, &s);
	CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, n, &g), DECODE_OK);
	CHECK_INT_EQ(g.hdr_len, 40);
	CHECK(g.opts.has_mss);
	CHECK_INT_EQ(g.opts.mss, 1460);
	CHECK(g.opts.sack_permitted);
	CHECK(g.opts.has_timestamp);
	CHECK_INT_EQ(g.opts.tsval, 1);
	CHECK_INT_EQ(g.opts.tsecr, 0);
	CHECK(g.opts.has_wscale);
	CHECK_INT_EQ(g.opts.wscale, 7);
	CHECK_INT_EQ(g.opts.nsack, 0);
	CHECK_INT_EQ(g.opts.nother, 0);
	CHECK(!g.opts.malformed);
	CHECK_INT_EQ(g.payload_len, 0);
	CHECK_INT_EQ(g.flags, TCPF_SYN);
}

/* DECODE_SYN_OPTIONS_ONLY: options of a SYN as always; those of any other
 * segment left zero, every other field as without the flag. */
static void test_syn_options_only_flag(void)
{
	struct fb_seg s = base_seg(4);
	uint8_t fr[300];
	struct segment full, lean;
	static const uint8_t ts_opts[] = { 1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 7 };

	/* a data segment with timestamps, decoded both ways */
	s.opts = ts_opts;
	s.optlen = sizeof(ts_opts);
	size_t n = build(fr, sizeof(fr), DECODE_LINK_ETHERNET, &s);
	CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, fr, (uint32_t)n, (uint32_t)n,
				  &full, NULL), DECODE_OK);
	CHECK_INT_EQ(decode_frame_flags(DECODE_LINK_ETHERNET, fr, (uint32_t)n, (uint32_t)n,
					DECODE_SYN_OPTIONS_ONLY, &lean, NULL), DECODE_OK);
	CHECK(full.opts.has_timestamp);
	CHECK_INT_EQ(full.opts.tsval, 9);
	CHECK(!lean.opts.has_timestamp);
	CHECK_INT_EQ(lean.opts.tsval, 0);
	CHECK_INT_EQ(lean.seq, full.seq);
	CHECK_INT_EQ(lean.ack, full.ack);
	CHECK_INT_EQ(lean.flags, full.flags);
	CHECK_INT_EQ(lean.win, full.win);
	CHECK_INT_EQ(lean.hdr_len, full.hdr_len);
	CHECK_INT_EQ(lean.payload_len, full.payload_len);
	CHECK_INT_EQ(lean.payload_caplen, full.payload_caplen);
	CHECK(lean.payload == full.payload);
	CHECK_INT_EQ(lean.truncated, full.truncated);
	CHECK_INT_EQ(lean.sport, full.sport);
	CHECK_INT_EQ(lean.dport, full.dport);
	CHECK(memcmp(lean.src, full.src, 16) == 0 && memcmp(lean.dst, full.dst, 16) == 0);

	/* a SYN, and a SYN-ACK (the server's window scale is in it): their
	 * options are decoded with the flag too */
	as_syn(&s);
	for (int synack = 0; synack <= 1; synack++) {
		if (synack) {
			s.flags = TCPF_SYN | TCPF_ACK;
			s.ack = 1;
		}
		n = build(fr, sizeof(fr), DECODE_LINK_ETHERNET, &s);
		CHECK_INT_EQ(decode_frame_flags(DECODE_LINK_ETHERNET, fr, (uint32_t)n,
						(uint32_t)n, DECODE_SYN_OPTIONS_ONLY,
						&lean, NULL), DECODE_OK);
		CHECK(lean.opts.has_wscale);
		CHECK_INT_EQ(lean.opts.wscale, 7);
		CHECK(lean.opts.has_mss);
	}

	/* options cut by the snap length: truncated either way */
	s.flags = TCPF_ACK;
	s.opts = ts_opts;
	s.optlen = sizeof(ts_opts);
	n = build(fr, sizeof(fr), DECODE_LINK_ETHERNET, &s);
	uint32_t cut = (uint32_t)n - s.len - 4; /* inside the options */
	CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, fr, cut, (uint32_t)n, &full, NULL),
		     DECODE_OK);
	CHECK_INT_EQ(decode_frame_flags(DECODE_LINK_ETHERNET, fr, cut, (uint32_t)n,
					DECODE_SYN_OPTIONS_ONLY, &lean, NULL), DECODE_OK);
	CHECK(full.truncated);
	CHECK_INT_EQ(lean.truncated, full.truncated);
}

static void test_sack_blocks_and_unknown_kinds(void)
{
	static const uint8_t o[] = {
		1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40, /* 2 blocks */
		30, 4, 0xab, 0xcd,  /* MPTCP, kind 30 */
		34, 2,              /* TCP Fast Open cookie request, kind 34 */
		0,                  /* EOL: the rest is padding */
		77, 77,
	};
	struct fb_seg s = base_seg(4);
	uint8_t fr[300];
	struct segment g;
	s.opts = o;
	s.optlen = sizeof(o);
	size_t n = build(fr, sizeof(fr), DECODE_LINK_RAW, &s);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, fr, n, &g), DECODE_OK);
	CHECK_INT_EQ(g.opts.nsack, 2);
	CHECK_INT_EQ(g.opts.sack[0].left, 10);
	CHECK_INT_EQ(g.opts.sack[0].right, 20);
	CHECK_INT_EQ(g.opts.sack[1].left, 30);
	CHECK_INT_EQ(g.opts.sack[1].right, 40);
	CHECK_INT_EQ(g.opts.nother, 2);
	CHECK_INT_EQ(g.opts.other[0], 30);
	CHECK_INT_EQ(g.opts.other[1], 34);
	CHECK(!g.opts.malformed);
	CHECK_INT_EQ(g.payload_len, 5);
}

static void check_malformed_opts(const uint8_t *o, size_t len, bool want_mss)
{
	struct fb_seg s = base_seg(4);
	uint8_t fr[300];
	struct segment g;
	s.opts = o;
	s.optlen = len;
	size_t n = build(fr, sizeof(fr), DECODE_LINK_RAW, &s);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, fr, n, &g), DECODE_OK);
	CHECK(g.opts.malformed);
	CHECK(!g.truncated);
	CHECK_INT_EQ(g.opts.has_mss, want_mss);
	CHECK_INT_EQ(g.payload_len, 5); /* the segment itself still decodes */
}

static void test_malformed_options(void)
{
	static const uint8_t len1[] = { 2, 4, 0, 100, 9, 1, 0, 0 };      /* length 1 */
	static const uint8_t past[] = { 2, 4, 0, 100, 9, 9, 0, 0 };      /* past the header */
	static const uint8_t badmss[] = { 2, 3, 0, 1, 1, 1, 1, 1 };      /* MSS of length 3 */
	static const uint8_t badsack[] = { 5, 6, 0, 0, 0, 1, 1, 1 }; /* 4 bytes of SACK */
	static const uint8_t nolen[] = { 1, 1, 1, 9 };                   /* kind at the very end */
	check_malformed_opts(len1, sizeof(len1), true);
	check_malformed_opts(past, sizeof(past), true);
	check_malformed_opts(badmss, sizeof(badmss), false);
	check_malformed_opts(badsack, sizeof(badsack), false);
	check_malformed_opts(nolen, sizeof(nolen), false);
}

static void test_malformed_headers(void)
{
	struct fb_seg s = base_seg(4);
	uint8_t ip[200], cp[200];
	struct segment g;
	struct decode_detail d;
	size_t n = fb_ip_tcp(ip, sizeof(ip), &s);

	memcpy(cp, ip, n);
	cp[20 + 12] = 0x40; /* data offset 4 */
	CHECK_INT_EQ(decode_frame(DECODE_LINK_RAW, cp, (uint32_t)n, (uint32_t)n, &g, &d),
		     DECODE_MALFORMED);
	CHECK_STR_EQ(d.why, "TCP data offset below 5");
	CHECK(d.have_addrs && d.have_ports);
	CHECK_INT_EQ(g.sport, 49152);

	memcpy(cp, ip, n);
	cp[20 + 12] = 0xf0; /* 60-byte header in a 25-byte payload */
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, cp, n, &g), DECODE_MALFORMED);

	memcpy(cp, ip, n);
	cp[0] = 0x44; /* IHL 4 */
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, cp, n, &g), DECODE_MALFORMED);

	memcpy(cp, ip, n);
	cp[2] = 0;
	cp[3] = 19; /* total length below the header */
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, cp, n, &g), DECODE_MALFORMED);

	memcpy(cp, ip, n);
	cp[2] = 0;
	cp[3] = 30; /* 10 bytes of IP payload: no room for TCP */
	CHECK_INT_EQ(decode_frame(DECODE_LINK_RAW, cp, (uint32_t)n, (uint32_t)n, &g, &d),
		     DECODE_MALFORMED);
	CHECK_STR_EQ(d.why, "IP payload shorter than a TCP header");

	memcpy(cp, ip, n);
	cp[0] = 0x55; /* version 5 */
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, cp, n, &g), DECODE_MALFORMED);
}

static void test_payload_length_from_ip_header(void)
{
	/* Ethernet pads a 40-byte IP packet to 46: the padding is no payload */
	struct fb_seg s = base_seg(4);
	uint8_t fr[200];
	struct segment g;
	s.data = NULL;
	s.len = 0;
	s.flags = TCPF_ACK;
	size_t n = build(fr, sizeof(fr), DECODE_LINK_ETHERNET, &s);
	CHECK_INT_EQ(n, 54);
	memset(fr + n, 0xee, 6);
	CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, 60, &g), DECODE_OK);
	CHECK_INT_EQ(g.payload_len, 0);
	CHECK_INT_EQ(g.payload_caplen, 0);
	CHECK(!g.truncated);

	/* 1000 bytes of data cut by a 96-byte snap length */
	static uint8_t data[1000];
	uint8_t big[1100];
	s.data = data;
	s.len = sizeof(data);
	n = build(big, sizeof(big), DECODE_LINK_ETHERNET, &s);
	CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, big, 96, (uint32_t)n, &g, NULL), DECODE_OK);
	CHECK_INT_EQ(g.payload_len, 1000);
	CHECK_INT_EQ(g.payload_caplen, 96 - 54);
	CHECK(g.truncated);
	CHECK_INT_EQ(g.seq, s.seq);

	/* IPv4 total length 0 (segmentation offload): length from the frame */
	big[14 + 2] = 0;
	big[14 + 3] = 0;
	CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, big, (uint32_t)n, (uint32_t)n, &g, NULL),
		     DECODE_OK);
	CHECK_INT_EQ(g.payload_len, 1000);
	CHECK(!g.truncated);
}

/* docs/decode.md, "Length fields that lie": Wireshark's min(header's
 * length, bytes on the wire), noted; truncated only for a snap-length cut. */
static void test_ip_length_larger_than_frame_is_clamped(void)
{
	static uint8_t data[100];
	uint8_t ip[400], fr[400];
	struct segment g;
	struct decode_detail d;

	for (int ipv = 4; ipv <= 6; ipv += 2) {
		struct fb_seg s = base_seg(ipv);
		s.data = data;
		s.len = sizeof(data);
		size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
		uint32_t hdrs = ipv == 4 ? 14 + 20 + 20 : 14 + 40 + 20;

		/* the header claims 1000 bytes more than the frame has */
		fb_ip_lie_length(ip, n, 1000);
		size_t fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, ip, n);
		CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, fr, (uint32_t)fn,
					  (uint32_t)fn, &g, &d), DECODE_OK);
		CHECK_INT_EQ(g.payload_len, 100);
		CHECK_INT_EQ(g.payload_caplen, 100);
		CHECK(g.ip_len_clamped);
		CHECK(!g.truncated);
		CHECK_INT_EQ(g.seq, s.seq);

		/* the same frame cut by a snap length: both */
		CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, fr, hdrs + 10,
					  (uint32_t)fn, &g, &d), DECODE_OK);
		CHECK_INT_EQ(g.payload_len, 100);
		CHECK_INT_EQ(g.payload_caplen, 10);
		CHECK(g.ip_len_clamped);
		CHECK(g.truncated);

		/* an honest header, cut by the snap length: truncated only */
		fb_ip_lie_length(ip, n, -1000);
		fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, ip, n);
		CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, fr, hdrs + 10,
					  (uint32_t)fn, &g, &d), DECODE_OK);
		CHECK_INT_EQ(g.payload_len, 100);
		CHECK(!g.ip_len_clamped);
		CHECK(g.truncated);

		/* an honest header, whole: neither */
		CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, fn, &g), DECODE_OK);
		CHECK(!g.ip_len_clamped);
		CHECK(!g.truncated);

		/* a length 0 (segmentation offload) is taken from the frame
		 * without a note: nothing lied */
		fb_ip_lie_length(ip, n, -(int)(n - (ipv == 4 ? 0 : 40)));
		fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, ip, n);
		CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, fn, &g), DECODE_OK);
		CHECK_INT_EQ(g.payload_len, 100);
		CHECK(!g.ip_len_clamped);

		/* the frame on the wire ends inside the TCP header: malformed
		 * (the header's length is not what cut it), no segment */
		fb_ip_lie_length(ip, n, (int)(n - (ipv == 4 ? 0 : 40)));
		fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, ip, n);
		CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, fr, hdrs - 10,
					  hdrs - 10, &g, &d), DECODE_MALFORMED);
	}

	/* an IPv4 total length below the IP + TCP headers stays malformed */
	struct fb_seg s = base_seg(4);
	size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
	fb_ip_lie_length(ip, n, -(int)(n - 30));
	size_t fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, ip, n);
	CHECK_INT_EQ(decode_frame(DECODE_LINK_ETHERNET, fr, (uint32_t)fn, (uint32_t)fn,
				  &g, &d), DECODE_MALFORMED);
	CHECK(!g.ip_len_clamped);
}

/* Wraps ip[0..n) in an outer IPv4 (outer 4) or IPv6 (6) header, protocol
 * 4 or 41 by the inner version; returns the new length, in out. */
static size_t tunnel_wrap(uint8_t *out, size_t cap, int outer, const uint8_t *ip,
			  size_t n)
{
	uint8_t a[16], b[16], proto = ip[0] >> 4 == 6 ? 41 : 4;
	if (outer == 4) {
		fb_addr4(a, 198, 51, 100, 1);
		fb_addr4(b, 203, 0, 113, 1);
		return fb_ipv4(out, cap, a, b, proto, 0, ip, n);
	}
	fb_addr6(a, "2001:db8:ffff::1");
	fb_addr6(b, "2001:db8:eeee::1");
	return fb_ipv6(out, cap, a, b, proto, NULL, 0, ip, n);
}

/* docs/decode.md: IPv4 and IPv6 in IPv4 and IPv6 (RFC 2003, 4213, 2473)
 * decode to the inner segment, keyed by the inner addresses, bounded by
 * the outer packet, nested at most 4 deep. */
static void test_ip_tunnels_decode_the_inner_segment(void)
{
	uint8_t ip[600], t1[600], fr[700];
	struct segment g;
	struct decode_detail d;

	for (int outer = 4; outer <= 6; outer += 2) {
		for (int inner = 4; inner <= 6; inner += 2) {
			struct fb_seg s = base_seg(inner);
			size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
			n = tunnel_wrap(t1, sizeof(t1), outer, ip, n);
			size_t fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, t1, n);
			CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, fn, &g), DECODE_OK);
			check_common_fields(&g, &s);
			CHECK(!g.ip_len_clamped);
			/* the same on a raw IP link */
			CHECK_INT_EQ(dec(DECODE_LINK_RAW, t1, n, &g), DECODE_OK);
			check_common_fields(&g, &s);
		}
	}

	/* the inner length claims more than the outer packet holds, while
	 * the frame has Ethernet padding after it: clamped to the outer
	 * packet, not to the frame */
	struct fb_seg s = base_seg(4);
	size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
	fb_ip_lie_length(ip, n, 100);
	n = tunnel_wrap(t1, sizeof(t1), 4, ip, n);
	memset(t1 + n, 0, 32); /* padding past the outer packet */
	size_t fn = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, t1, n + 32);
	CHECK_INT_EQ(dec(DECODE_LINK_ETHERNET, fr, fn, &g), DECODE_OK);
	CHECK_INT_EQ(g.payload_len, 5);
	CHECK(g.ip_len_clamped);

	/* four tunnels deep is decoded, five is malformed */
	s = base_seg(6);
	n = fb_ip_tcp(ip, sizeof(ip), &s);
	for (int depth = 1; depth <= 5; depth++) {
		n = tunnel_wrap(t1, sizeof(t1), depth % 2 ? 4 : 6, ip, n);
		memcpy(ip, t1, n);
		enum decode_result r = dec(DECODE_LINK_RAW, ip, n, &g);
		CHECK_INT_EQ(r, depth <= 4 ? DECODE_OK : DECODE_MALFORMED);
		if (r == DECODE_OK)
			check_common_fields(&g, &s);
	}

	/* an ICMP error inside a tunnel is still no segment */
	uint8_t icmp[100] = { 3, 3 };
	s = base_seg(4);
	n = fb_ip_tcp(ip, sizeof(ip), &s);
	memcpy(icmp + 8, ip, 28);
	n = fb_ipv4(t1, sizeof(t1), s.dst, s.src, 1, 0, icmp, 36);
	n = tunnel_wrap(ip, sizeof(ip), 6, t1, n);
	CHECK_INT_EQ(decode_frame(DECODE_LINK_RAW, ip, (uint32_t)n, (uint32_t)n, &g, &d),
		     DECODE_ICMP_ERROR);

	/* an IPv6 outer packet with an extension header, captured only to
	 * before the inner packet starts (a fuzzer's find): truncated, and
	 * nothing read past the capture (its own heap block for valgrind) */
	{
		static const uint8_t hop[] = { 41, 0, 1, 4, 0, 0, 0, 0 };
		struct fb_seg s6 = base_seg(6);
		uint8_t a6[16], b6[16];
		size_t in = fb_ip_tcp(t1, sizeof(t1), &s6);
		fb_addr6(a6, "2001:db8:ffff::1");
		fb_addr6(b6, "2001:db8:eeee::1");
		n = fb_ipv6(ip, sizeof(ip), a6, b6, 0, hop, sizeof(hop), t1, in);
		for (uint32_t cut = 40; cut <= 48 + 40; cut += 4) {
			uint8_t *cp = malloc(cut);
			CHECK(cp != NULL);
			if (!cp)
				break;
			memcpy(cp, ip, cut);
			CHECK_INT_EQ(decode_frame(DECODE_LINK_RAW, cp, cut, (uint32_t)n, &g, &d),
				     DECODE_TRUNCATED);
			free(cp);
		}
		/* the outer payload length ends inside the inner header */
		ip[4] = 0;
		ip[5] = 8 + 20;
		CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, 40 + 8 + 20, &g), DECODE_MALFORMED);
	}

	/* a later fragment of the outer packet holds no inner header */
	s = base_seg(6);
	n = fb_ip_tcp(ip, sizeof(ip), &s);
	uint8_t a[16], b[16];
	fb_addr4(a, 198, 51, 100, 1);
	fb_addr4(b, 203, 0, 113, 1);
	n = fb_ipv4(t1, sizeof(t1), a, b, 41, 4, ip, n);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, t1, n, &g), DECODE_FRAGMENT);
}

/* GRE (RFC 2784, 2890): optional checksum, key and sequence fields
 * skipped; IP or transparent Ethernet inside; version 1 and routing not
 * decoded. */
static void test_gre_decodes_the_inner_segment(void)
{
	uint8_t ip[600], g[700], o[800];
	struct segment seg;
	uint8_t a[16], b[16];
	fb_addr4(a, 198, 51, 100, 1);
	fb_addr4(b, 203, 0, 113, 1);

	for (int inner = 4; inner <= 6; inner += 2) {
		struct fb_seg s = base_seg(inner);
		size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
		uint16_t et = inner == 6 ? 0x86dd : 0x0800;
		/* checksum, key and sequence number present: 16 bytes */
		struct fb f;
		fb_init(&f, g, sizeof(g));
		fb_be16(&f, 0xb000);
		fb_be16(&f, et);
		fb_be32(&f, 0);
		fb_be32(&f, 0x1234);
		fb_be32(&f, 7);
		fb_bytes(&f, ip, n);
		size_t on = fb_ipv4(o, sizeof(o), a, b, 47, 0, g, f.n);
		CHECK_INT_EQ(dec(DECODE_LINK_RAW, o, on, &seg), DECODE_OK);
		check_common_fields(&seg, &s);
		/* transparent Ethernet bridging, in IPv6 */
		fb_init(&f, g, sizeof(g));
		fb_be16(&f, 0);
		fb_be16(&f, 0x6558);
		for (int i = 0; i < 12; i++)
			fb_u8(&f, 2);
		fb_be16(&f, et);
		fb_bytes(&f, ip, n);
		uint8_t a6[16], b6[16];
		fb_addr6(a6, "2001:db8:ffff::1");
		fb_addr6(b6, "2001:db8:eeee::1");
		on = fb_ipv6(o, sizeof(o), a6, b6, 47, NULL, 0, g, f.n);
		CHECK_INT_EQ(dec(DECODE_LINK_RAW, o, on, &seg), DECODE_OK);
		check_common_fields(&seg, &s);
		/* version 1 (PPTP's enhanced GRE): not decoded */
		o[40 + 1] = 1;
		CHECK_INT_EQ(dec(DECODE_LINK_RAW, o, on, &seg), DECODE_NOT_TCP);
		/* a GRE header longer than the packet */
		on = fb_ipv4(o, sizeof(o), a, b, 47, 0, (const uint8_t[]){ 0xb0, 0, 8, 0 }, 4);
		CHECK_INT_EQ(dec(DECODE_LINK_RAW, o, on, &seg), DECODE_MALFORMED);
		/* a later fragment of the outer packet holds no GRE header */
		on = fb_ipv4(o, sizeof(o), a, b, 47, 0x2000 | 3, g, f.n);
		CHECK_INT_EQ(dec(DECODE_LINK_RAW, o, on, &seg), DECODE_FRAGMENT);
		/* the first fragment does */
		on = fb_ipv4(o, sizeof(o), a, b, 47, 0x2000, g, f.n);
		CHECK_INT_EQ(dec(DECODE_LINK_RAW, o, on, &seg), DECODE_OK);
	}
}

static void test_ipv4_fragments_only_first_carries_tcp(void)
{
	struct fb_seg s = base_seg(4);
	static uint8_t data[64];
	uint8_t l4[200], ip[200];
	struct segment g;
	s.data = data;
	s.len = sizeof(data);
	size_t tl = fb_tcp(l4, sizeof(l4), &s); /* 84 bytes */
	/* first fragment: offset 0, MF, TCP header + 28 bytes */
	size_t n = fb_ipv4(ip, sizeof(ip), s.src, s.dst, 6, 0x2000, l4, 48);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_OK);
	CHECK_INT_EQ(g.seq, s.seq);
	CHECK_INT_EQ(g.payload_len, 28); /* what this fragment carries */
	/* second fragment, offset 48 bytes = 6 units */
	n = fb_ipv4(ip, sizeof(ip), s.src, s.dst, 6, 6, l4 + 48, tl - 48);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_FRAGMENT);
	CHECK_INT_EQ(g.ip_version, 4);
}

static void test_ipv6_extension_headers(void)
{
	struct fb_seg s = base_seg(6);
	uint8_t l4[200], ip[400];
	struct segment g;
	size_t tl = fb_tcp(l4, sizeof(l4), &s);
	uint8_t ext[] = {
		43, 0, 1, 4, 0, 0, 0, 0,                   /* hop-by-hop (8): next routing */
		60, 2, 0, 0, 0, 0, 0, 0,                   /* routing (24): next dest opts */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		51, 0, 1, 4, 0, 0, 0, 0,                   /* dest opts (8): next AH */
		44, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0,                                /* AH (24): next fragment */
		6, 0, 0, 1, 0, 0, 0, 9,                    /* fragment offset 0, M: next TCP */
	};
	size_t n = fb_ipv6(ip, sizeof(ip), s.src, s.dst, 0, ext, sizeof(ext), l4, tl);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_OK);
	check_common_fields(&g, &s);

	/* the same with a fragment offset: no TCP header here */
	ext[sizeof(ext) - 5] = 0x08; /* offset 1 unit */
	n = fb_ipv6(ip, sizeof(ip), s.src, s.dst, 0, ext, sizeof(ext), l4, tl);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_FRAGMENT);

	/* an extension header claiming more than the payload */
	uint8_t bad[] = { 6, 200, 0, 0, 0, 0, 0, 0 };
	n = fb_ipv6(ip, sizeof(ip), s.src, s.dst, 60, bad, sizeof(bad), l4, tl);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_MALFORMED);

	/* ESP and no-next-header are not TCP */
	n = fb_ipv6(ip, sizeof(ip), s.src, s.dst, 50, NULL, 0, l4, tl);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_NOT_TCP);
	n = fb_ipv6(ip, sizeof(ip), s.src, s.dst, 59, NULL, 0, l4, tl);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_NOT_TCP);
}

static void test_icmp_errors_quoting_tcp_are_not_segments(void)
{
	struct fb_seg s = base_seg(4);
	uint8_t inner[200], icmp[300], ip[400];
	struct segment g;
	struct decode_detail d;
	size_t in = fb_ip_tcp(inner, sizeof(inner), &s);

	/* RFC 792 destination unreachable (3), port unreachable (3) */
	icmp[0] = 3;
	icmp[1] = 3;
	memset(icmp + 2, 0, 6);
	memcpy(icmp + 8, inner, in);
	uint8_t r[4] = { 192, 0, 2, 1 };
	size_t n = fb_ipv4(ip, sizeof(ip), r, s.src, 1, 0, icmp, 8 + in);
	CHECK_INT_EQ(decode_frame(DECODE_LINK_RAW, ip, (uint32_t)n, (uint32_t)n, &g, &d),
		     DECODE_ICMP_ERROR);
	CHECK_INT_EQ(g.sport, 0); /* the quoted ports were not taken */
	/* time exceeded (11) too; echo request (8) is simply not TCP */
	icmp[0] = 11;
	n = fb_ipv4(ip, sizeof(ip), r, s.src, 1, 0, icmp, 8 + in);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_ICMP_ERROR);
	icmp[0] = 8;
	n = fb_ipv4(ip, sizeof(ip), r, s.src, 1, 0, icmp, 8 + in);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_NOT_TCP);

	/* ICMPv6 destination unreachable (1) quoting a TCP segment, behind
	 * a destination options header */
	struct fb_seg s6 = base_seg(6);
	in = fb_ip_tcp(inner, sizeof(inner), &s6);
	uint8_t ext[8] = { 58, 0, 1, 4, 0, 0, 0, 0 };
	icmp[0] = 1;
	icmp[1] = 4;
	n = fb_ipv6(ip, sizeof(ip), s6.dst, s6.src, 60, ext, 8, icmp, 8 + in);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_ICMP_ERROR);
	icmp[0] = 128; /* echo request */
	n = fb_ipv6(ip, sizeof(ip), s6.dst, s6.src, 58, NULL, 0, icmp, 8 + in);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, ip, n, &g), DECODE_NOT_TCP);
}

static void test_all_flags(void)
{
	struct fb_seg s = base_seg(4);
	uint8_t fr[200];
	struct segment g;
	s.flags = 0xff;
	s.urp = 3;
	size_t n = build(fr, sizeof(fr), DECODE_LINK_RAW, &s);
	CHECK_INT_EQ(dec(DECODE_LINK_RAW, fr, n, &g), DECODE_OK);
	CHECK_INT_EQ(g.flags, 0xff);
	CHECK_INT_EQ(g.urp, 3);
}

int main(void)
{
	RUN(test_every_link_type_ipv4_and_ipv6);
	RUN(test_null_loopback_either_byte_order);
	RUN(test_vlan_and_qinq_tags);
	RUN(test_non_ip_and_non_tcp);
	RUN(test_syn_options_decoded);
	RUN(test_sack_blocks_and_unknown_kinds);
	RUN(test_malformed_options);
	RUN(test_malformed_headers);
	RUN(test_payload_length_from_ip_header);
	RUN(test_ip_length_larger_than_frame_is_clamped);
	RUN(test_ip_tunnels_decode_the_inner_segment);
	RUN(test_gre_decodes_the_inner_segment);
	RUN(test_ipv4_fragments_only_first_carries_tcp);
	RUN(test_ipv6_extension_headers);
	RUN(test_icmp_errors_quoting_tcp_are_not_segments);
	RUN(test_all_flags);
	RUN(test_syn_options_only_flag);
	CHECK_EXIT();
}
