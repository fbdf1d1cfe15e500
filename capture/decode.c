/* Frame decoder. Every field is read through the rd_* getters below, which
 * check the captured length first (tcpdump's GET_BE_U_* discipline): no
 * byte is read by casting to a struct, and no read goes past caplen. */
#include "decode.h"

#include <stddef.h>
#include <string.h>

/* A view of captured bytes: [p, p + len). */
struct rd {
	const uint8_t *p;
	uint32_t len;
};

static inline bool rd_has(const struct rd *b, uint32_t off, uint32_t n)
{
	return off <= b->len && n <= b->len - off;
}

static inline uint8_t rd_u8(const struct rd *b, uint32_t off)
{
	return rd_has(b, off, 1) ? b->p[off] : 0;
}

static inline uint16_t rd_be16(const struct rd *b, uint32_t off)
{
	if (!rd_has(b, off, 2))
		return 0;
	return (uint16_t)((uint16_t)b->p[off] << 8 | b->p[off + 1]);
}

static inline uint32_t rd_be32(const struct rd *b, uint32_t off)
{
	if (!rd_has(b, off, 4))
		return 0;
	return (uint32_t)b->p[off] << 24 | (uint32_t)b->p[off + 1] << 16 |
	       (uint32_t)b->p[off + 2] << 8 | b->p[off + 3];
}

static inline uint32_t rd_le32(const struct rd *b, uint32_t off)
{
	if (!rd_has(b, off, 4))
		return 0;
	return (uint32_t)b->p[off + 3] << 24 | (uint32_t)b->p[off + 2] << 16 |
	       (uint32_t)b->p[off + 1] << 8 | b->p[off];
}

static inline bool rd_copy(const struct rd *b, uint32_t off, void *dst, uint32_t n)
{
	if (!rd_has(b, off, n))
		return false;
	memcpy(dst, b->p + off, n);
	return true;
}

/* The bytes from off on, at most n of them. off must be <= b->len. */
static inline struct rd rd_sub(const struct rd *b, uint32_t off, uint32_t n)
{
	struct rd s = { b->p + off, b->len - off };
	if (s.len > n)
		s.len = n;
	return s;
}

/* What one decode_frame call works on. */
struct dctx {
	struct segment *seg;
	struct decode_detail *det;
	/* Where the packet being decoded ends on the wire, as a frame
	 * offset: the frame's on-wire length (never below caplen), or the
	 * end of the outer packet inside an IP tunnel. */
	uint32_t wire_end;
	unsigned flags; /* DECODE_* */
	unsigned tunnels; /* IP-in-IP headers walked through so far */
};

static enum decode_result fail(struct dctx *c, enum decode_result r,
			       const char *why)
{
	c->det->why = why;
	if (r == DECODE_TRUNCATED)
		c->seg->truncated = true;
	return r;
}

enum {
	ETH_IPV4 = 0x0800,
	ETH_IPV6 = 0x86dd,
	ETH_VLAN = 0x8100,  /* IEEE 802.1Q */
	ETH_QINQ = 0x88a8,  /* IEEE 802.1ad service tag */
	ETH_QINQ_OLD = 0x9100, /* pre-802.1ad QinQ, still seen */
	IPPROTO_ICMP_ = 1,
	IPPROTO_TCP_ = 6,
	IPPROTO_ICMPV6_ = 58,
	IPPROTO_IPIP_ = 4,  /* IPv4 in IP */
	IPPROTO_IPV6_ = 41, /* IPv6 in IP */
	IPPROTO_GRE_ = 47,
	MAX_TUNNELS = 4,    /* IP-in-IP headers decoded through, at most */
	MAX_VLAN_TAGS = 8,
	MAX_IPV6_EXT = 16,
};

/* A fixed-length option: true if its length is want, else it is marked
 * malformed. */
static bool opt_len_is(struct segment_options *out, uint8_t len, uint8_t want)
{
	if (len == want)
		return true;
	out->malformed = true;
	return false;
}

/* RFC 9293 section 3.1 (header), 3.2 (options); RFC 7323 (wscale, TS);
 * RFC 2018 (SACK). A known option with a wrong length, a length below 2 or
 * one running past the data offset marks the options malformed; bytes the
 * snap length cut are simply not there (the segment is marked truncated). */
static void decode_tcp_options(const struct rd *o, uint32_t declared,
			       struct segment_options *out)
{
	uint32_t i = 0;

	/* Most segments of a connection that negotiated timestamps start
	 * with NOP, NOP, timestamps (RFC 7323 appendix A's layout, used by
	 * Linux, BSD, macOS): the same fields as the loop below would take,
	 * read in one step. */
	if (rd_be32(o, 0) == 0x0101080a && rd_has(o, 0, 12) && declared >= 12) {
		out->has_timestamp = true;
		out->tsval = rd_be32(o, 4);
		out->tsecr = rd_be32(o, 8);
		i = 12;
	}
	while (i < o->len) {
		uint8_t kind = rd_u8(o, i), len;

		if (kind == 0) /* end of option list */
			break;
		if (kind == 1) { /* no-operation */
			i++;
			continue;
		}
		if (!rd_has(o, i + 1, 1)) {
			if (i + 1 >= declared)
				out->malformed = true; /* kind without length */
			break; /* else cut by the snap length */
		}
		len = rd_u8(o, i + 1);
		if (len < 2 || i + len > declared) {
			out->malformed = true;
			break;
		}
		if (!rd_has(o, i, len))
			break; /* cut by the snap length */
		switch (kind) {
		case 2: /* MSS, RFC 9293 section 3.7.1 */
			if (!opt_len_is(out, len, 4))
				break;
			out->has_mss = true;
			out->mss = rd_be16(o, i + 2);
			break;
		case 3: /* window scale, RFC 7323 section 2.2 */
			if (!opt_len_is(out, len, 3))
				break;
			out->has_wscale = true;
			out->wscale = rd_u8(o, i + 2);
			break;
		case 4: /* SACK permitted, RFC 2018 section 2 */
			if (!opt_len_is(out, len, 2))
				break;
			out->sack_permitted = true;
			break;
		case 5: /* SACK, RFC 2018 section 3: 8 bytes per block */
			if (len < 10 || (len - 2) % 8 != 0) {
				out->malformed = true;
				break;
			}
			for (uint32_t b = i + 2; b + 8 <= i + len; b += 8) {
				if (out->nsack >= SEGMENT_MAX_SACK)
					break;
				out->sack[out->nsack].left = rd_be32(o, b);
				out->sack[out->nsack].right = rd_be32(o, b + 4);
				out->nsack++;
			}
			break;
		case 8: /* timestamps, RFC 7323 section 3.2 */
			if (!opt_len_is(out, len, 10))
				break;
			out->has_timestamp = true;
			out->tsval = rd_be32(o, i + 2);
			out->tsecr = rd_be32(o, i + 6);
			break;
		default:
			if (out->nother < SEGMENT_MAX_OTHER_OPTS)
				out->other[out->nother++] = kind;
			break;
		}
		i += len;
	}
}

/* t: the captured part of the IP payload (never more than ip_len bytes);
 * ip_len: the IP payload length the IP header claims. */
static enum decode_result decode_tcp(struct dctx *c, const struct rd *t,
				     uint32_t ip_len)
{
	struct segment *seg = c->seg;
	uint32_t doff;

	if (ip_len < 20)
		return fail(c, DECODE_MALFORMED,
			    "IP payload shorter than a TCP header");
	if (rd_has(t, 0, 4)) {
		seg->sport = rd_be16(t, 0);
		seg->dport = rd_be16(t, 2);
		c->det->have_ports = true;
	}
	/* The fixed header is read in both branches on purpose: after the
	 * check below the compiler drops the getters' own bounds checks, 14
	 * instructions a segment on the common, complete path. */
	if (!rd_has(t, 0, 20)) {
		/* Decoded as far as it goes; the getters give 0 past the cut. */
		seg->seq = rd_be32(t, 4);
		seg->ack = rd_be32(t, 8);
		seg->hdr_len = (uint8_t)((rd_u8(t, 12) >> 4) * 4);
		seg->flags = rd_u8(t, 13);
		seg->win = rd_be16(t, 14);
		seg->urp = rd_be16(t, 18);
		seg->payload_len = ip_len > seg->hdr_len && seg->hdr_len >= 20 ?
					   ip_len - seg->hdr_len : 0;
		return fail(c, DECODE_TRUNCATED, "TCP header cut by the snap length");
	}
	seg->seq = rd_be32(t, 4);
	seg->ack = rd_be32(t, 8);
	doff = (uint32_t)(rd_u8(t, 12) >> 4) * 4;
	seg->flags = rd_u8(t, 13);
	seg->win = rd_be16(t, 14);
	seg->urp = rd_be16(t, 18);
	seg->hdr_len = (uint8_t)doff;
	if (doff < 20)
		return fail(c, DECODE_MALFORMED, "TCP data offset below 5");
	if (doff > ip_len)
		return fail(c, DECODE_MALFORMED,
			    "TCP data offset past the end of the IP payload");

	struct rd opts = rd_sub(t, 20, doff - 20);
	if (t->len > 20 &&
	    (!(c->flags & DECODE_SYN_OPTIONS_ONLY) || (seg->flags & TCPF_SYN)))
		decode_tcp_options(&opts, doff - 20, &seg->opts);
	if (t->len < doff)
		seg->truncated = true; /* options cut by the snap length */

	seg->payload_len = ip_len - doff;
	if (t->len > doff) {
		seg->payload = t->p + doff;
		seg->payload_caplen = t->len - doff;
	}
	if (seg->payload_caplen < seg->payload_len)
		seg->truncated = true;
	return DECODE_OK;
}

/* Bytes on the wire from offset off of the frame on (for length-0 IP
 * headers and the clamp of lying ones, see below). */
static uint32_t wire_from(const struct dctx *c, uint32_t off)
{
	return c->wire_end > off ? c->wire_end - off : 0;
}

static enum decode_result decode_ipv4(struct dctx *c, const struct rd *frame,
				      uint32_t off);
static enum decode_result decode_ipv6(struct dctx *c, const struct rd *frame,
				      uint32_t off);

static enum decode_result decode_ethertype(struct dctx *c, const struct rd *frame,
					   uint16_t type, uint32_t off);

/* GRE (protocol 47; RFC 2784 with RFC 2890's key and sequence number, and
 * RFC 1701's flags' checksum): version 0 without source routing, carrying
 * IPv4, IPv6 (by EtherType, so VLAN tags too) or, as transparent Ethernet
 * bridging (0x6558), an Ethernet frame. The GRE packet is the outer IP
 * packet's payload, from frame offset off to end (already clamped to the
 * wire). Enhanced GRE (version 1, PPTP) and routing are not decoded. */
/* Into a tunnel whose outer packet ends at frame offset end (already
 * clamped to the wire): the nesting limit; *in, the frame bounded by the
 * outer packet; and the outer addresses dropped, so that a failure
 * reports the inner packet's, or none. DECODE_OK, or the failure. */
static enum decode_result tunnel_enter(struct dctx *c, const struct rd *frame,
				       uint32_t end, struct rd *in)
{
	if (++c->tunnels > MAX_TUNNELS)
		return fail(c, DECODE_MALFORMED, "too many nested IP tunnels");
	in->p = frame->p;
	in->len = frame->len < end ? frame->len : end;
	c->wire_end = end;
	memset(c->seg->src, 0, sizeof(c->seg->src));
	memset(c->seg->dst, 0, sizeof(c->seg->dst));
	c->det->have_addrs = false;
	return DECODE_OK;
}

static enum decode_result decode_gre(struct dctx *c, const struct rd *frame,
				     uint32_t off, uint32_t end)
{
	struct rd in;
	enum decode_result r = tunnel_enter(c, frame, end, &in);
	if (r != DECODE_OK)
		return r;
	if (off + 4 > end)
		return fail(c, DECODE_MALFORMED, "GRE header past the end of the IP packet");
	if (!rd_has(&in, off, 4))
		return fail(c, DECODE_TRUNCATED, "GRE header cut by the snap length");
	uint16_t fl = rd_be16(&in, off), type = rd_be16(&in, off + 2);
	if ((fl & 0x0007) != 0 || (fl & 0x4000))
		return fail(c, DECODE_NOT_TCP, "GRE version 1 or with routing");
	uint32_t hl = 4 + ((fl & 0x8000) ? 4 : 0) + ((fl & 0x2000) ? 4 : 0) +
		      ((fl & 0x1000) ? 4 : 0);
	if (off + hl > end)
		return fail(c, DECODE_MALFORMED, "GRE header past the end of the IP packet");
	if (!rd_has(&in, off, hl))
		return fail(c, DECODE_TRUNCATED, "GRE header cut by the snap length");
	off += hl;
	if (type == 0x6558) { /* transparent Ethernet bridging */
		if (off + 14 > end)
			return fail(c, DECODE_MALFORMED,
				    "GRE Ethernet header past the end of the IP packet");
		if (!rd_has(&in, off, 14))
			return fail(c, DECODE_TRUNCATED,
				    "GRE Ethernet header cut by the snap length");
		type = rd_be16(&in, off + 12);
		off += 14;
		if (type < 0x0600)
			return fail(c, DECODE_NOT_IP, "not IP (802.3 LLC frame in GRE)");
	}
	return decode_ethertype(c, &in, type, off);
}

/* An IP packet inside an IP packet (RFC 2003 IPv4 in IPv4, protocol 4;
 * RFC 4213 IPv6 in IPv4, protocol 41, as 6in4 and 6to4 use; RFC 2473 the
 * same inside IPv6): the inner packet starts at frame offset inner and is
 * bounded by the outer one, which ends at frame offset end (already
 * clamped to the wire). The segment is keyed by the inner addresses;
 * Wireshark decodes these the same way. */
static enum decode_result decode_tunnel(struct dctx *c, const struct rd *frame,
					uint32_t inner, uint32_t end, uint8_t proto)
{
	struct rd in;
	enum decode_result r = tunnel_enter(c, frame, end, &in);
	if (r != DECODE_OK)
		return r;
	/* inner <= end (the outer headers fit in the outer length); the
	 * capture may end before it, and the IP decoders want it captured */
	if (end - inner < (proto == IPPROTO_IPIP_ ? 20u : 40u))
		return fail(c, DECODE_MALFORMED,
			    "tunnelled IP packet shorter than an IP header");
	if (inner > in.len)
		return fail(c, DECODE_TRUNCATED,
			    "tunnelled IP header cut by the snap length");
	return proto == IPPROTO_IPIP_ ? decode_ipv4(c, &in, inner)
				      : decode_ipv6(c, &in, inner);
}

/* RFC 792: types 3 (unreachable), 4 (source quench), 5 (redirect), 11
 * (time exceeded), 12 (parameter problem) quote the offending IP header
 * and 8 bytes of it, often a TCP header: they are not segments. */
static enum decode_result decode_icmp4(struct dctx *c, const struct rd *l4)
{
	uint8_t type = rd_u8(l4, 0);

	if (!rd_has(l4, 0, 1))
		return fail(c, DECODE_NOT_TCP, "ICMP (type cut)");
	if (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
		return fail(c, DECODE_ICMP_ERROR,
			    "ICMP error quoting a packet");
	return fail(c, DECODE_NOT_TCP, "ICMP");
}

static enum decode_result decode_ipv4(struct dctx *c, const struct rd *frame,
				      uint32_t off)
{
	struct segment *seg = c->seg;
	struct rd ip = rd_sub(frame, off, UINT32_MAX);
	uint32_t ihl, tot, fragoff;
	uint8_t proto;

	if (!rd_has(&ip, 0, 20))
		return fail(c, DECODE_TRUNCATED, "IPv4 header cut by the snap length");
	if (rd_u8(&ip, 0) >> 4 != 4)
		return fail(c, DECODE_MALFORMED, "IPv4 header with a version other than 4");
	seg->ip_version = 4;
	rd_copy(&ip, 12, seg->src, 4);
	rd_copy(&ip, 16, seg->dst, 4);
	c->det->have_addrs = true;

	ihl = (uint32_t)(rd_u8(&ip, 0) & 0x0f) * 4;
	tot = rd_be16(&ip, 2);
	fragoff = rd_be16(&ip, 6) & 0x1fff;
	proto = rd_u8(&ip, 9);
	if (ihl < 20)
		return fail(c, DECODE_MALFORMED, "IPv4 header length below 20");
	/* A total length of 0 is what TCP segmentation offload leaves in
	 * captures taken on the sending host; like Wireshark, take the length
	 * from the frame instead. */
	if (tot == 0)
		tot = wire_from(c, off);
	if (tot < ihl)
		return fail(c, DECODE_MALFORMED,
			    "IPv4 total length below the header length");
	if (!rd_has(&ip, 0, ihl))
		return fail(c, DECODE_TRUNCATED, "IPv4 options cut by the snap length");
	/* A total length past the frame's end on the wire is a lie (a
	 * middlebox's or a broken stack's); Wireshark takes the payload as
	 * min(total length, bytes on the wire) and flags it ("IPv4 total
	 * length exceeds packet length"). The result is >= ihl: the header
	 * was captured, so it was on the wire. */
	uint32_t on_wire = wire_from(c, off);
	if (tot > on_wire) {
		tot = on_wire;
		seg->ip_len_clamped = true;
	}
	if (ip.len < tot)
		seg->truncated = true;

	if (proto != IPPROTO_TCP_ && proto != IPPROTO_ICMP_ &&
	    proto != IPPROTO_IPIP_ && proto != IPPROTO_IPV6_ && proto != IPPROTO_GRE_)
		return fail(c, DECODE_NOT_TCP, "IPv4 carrying neither TCP nor ICMP");
	/* RFC 791: only the fragment at offset 0 holds the transport header
	 * (or the tunnelled packet's). */
	if (fragoff != 0)
		return fail(c, DECODE_FRAGMENT, "IPv4 fragment past the first");
	struct rd l4 = rd_sub(&ip, ihl, tot - ihl);
	if (proto == IPPROTO_TCP_) /* first: the common case */
		return decode_tcp(c, &l4, tot - ihl);
	if (proto == IPPROTO_ICMP_)
		return decode_icmp4(c, &l4);
	if (proto == IPPROTO_GRE_)
		return decode_gre(c, frame, off + ihl, off + tot);
	return decode_tunnel(c, frame, off + ihl, off + tot, proto);
}

/* RFC 8200 section 4: walk the extension headers to the upper layer. */
static enum decode_result decode_ipv6(struct dctx *c, const struct rd *frame,
				      uint32_t off)
{
	struct segment *seg = c->seg;
	struct rd ip = rd_sub(frame, off, UINT32_MAX);
	uint32_t plen, pos = 40;
	uint8_t nh;

	if (!rd_has(&ip, 0, 40))
		return fail(c, DECODE_TRUNCATED, "IPv6 header cut by the snap length");
	if (rd_u8(&ip, 0) >> 4 != 6)
		return fail(c, DECODE_MALFORMED, "IPv6 header with a version other than 6");
	seg->ip_version = 6;
	rd_copy(&ip, 8, seg->src, 16);
	rd_copy(&ip, 24, seg->dst, 16);
	c->det->have_addrs = true;

	plen = rd_be16(&ip, 4);
	nh = rd_u8(&ip, 6);
	/* Payload length 0: a jumbogram (RFC 2675) or, far more often in
	 * captures, segmentation offload: take the length from the frame. A
	 * payload length past the frame's end on the wire is clamped to it,
	 * as Wireshark does ("IPv6 payload length exceeds framing length").
	 * wire_from(c, off) >= 40: the fixed header was captured. */
	uint32_t room = wire_from(c, off) - 40;
	if (plen == 0) {
		plen = room;
	} else if (plen > room) {
		plen = room;
		seg->ip_len_clamped = true;
	}
	/* No sum below wraps: off + 40 + plen <= wire_end (a uint32_t), and
	 * pos stays below 40 + plen, grown by at most MAX_IPV6_EXT headers
	 * of at most 2 KiB each. */
	if (ip.len - 40 < plen)
		seg->truncated = true;
	struct rd body = rd_sub(&ip, 0, 40 + plen); /* header + payload */

	for (int n = 0; n <= MAX_IPV6_EXT; n++) {
		uint32_t hl;
		switch (nh) {
		case 0:   /* hop-by-hop options */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility (RFC 6275) */
		case 139: /* HIP (RFC 7401) */
		case 140: /* shim6 (RFC 5533) */
			if (pos + 2 > 40 + plen)
				return fail(c, DECODE_MALFORMED,
					    "IPv6 extension header past the payload length");
			if (!rd_has(&body, pos, 2))
				return fail(c, DECODE_TRUNCATED,
					    "IPv6 extension header cut by the snap length");
			hl = ((uint32_t)rd_u8(&body, pos + 1) + 1) * 8;
			nh = rd_u8(&body, pos);
			break;
		case 51: /* authentication header, RFC 4302: length in 4-byte units - 2 */
			if (pos + 2 > 40 + plen)
				return fail(c, DECODE_MALFORMED,
					    "IPv6 extension header past the payload length");
			if (!rd_has(&body, pos, 2))
				return fail(c, DECODE_TRUNCATED,
					    "IPv6 extension header cut by the snap length");
			hl = ((uint32_t)rd_u8(&body, pos + 1) + 2) * 4;
			nh = rd_u8(&body, pos);
			break;
		case 44: /* fragment, RFC 8200 section 4.5 */
			if (pos + 8 > 40 + plen)
				return fail(c, DECODE_MALFORMED,
					    "IPv6 fragment header past the payload length");
			if (!rd_has(&body, pos, 8))
				return fail(c, DECODE_TRUNCATED,
					    "IPv6 fragment header cut by the snap length");
			hl = 8;
			nh = rd_u8(&body, pos);
			if ((rd_be16(&body, pos + 2) >> 3) != 0)
				return fail(c, nh == IPPROTO_TCP_ ? DECODE_FRAGMENT
								  : DECODE_NOT_TCP,
					    "IPv6 fragment past the first");
			break;
		case IPPROTO_TCP_: {
			struct rd l4 = rd_sub(&body, pos < body.len ? pos : body.len,
					      UINT32_MAX);
			return decode_tcp(c, &l4, 40 + plen - pos);
		}
		case IPPROTO_ICMPV6_:
			/* RFC 4443 section 2.1: types 0-127 are errors, which
			 * quote the offending packet. */
			if (!rd_has(&body, pos, 1))
				return fail(c, DECODE_NOT_TCP, "ICMPv6 (type cut)");
			if (rd_u8(&body, pos) < 128)
				return fail(c, DECODE_ICMP_ERROR,
					    "ICMPv6 error quoting a packet");
			return fail(c, DECODE_NOT_TCP, "ICMPv6");
		case IPPROTO_IPIP_:
		case IPPROTO_IPV6_:
			return decode_tunnel(c, frame, off + pos, off + 40 + plen, nh);
		case IPPROTO_GRE_:
			return decode_gre(c, frame, off + pos, off + 40 + plen);
		case 50:
			return fail(c, DECODE_NOT_TCP, "IPv6 ESP (encrypted)");
		case 59:
			return fail(c, DECODE_NOT_TCP, "IPv6 with no next header");
		default:
			return fail(c, DECODE_NOT_TCP, "IPv6 carrying neither TCP nor ICMPv6");
		}
		if (hl > 40 + plen - pos)
			return fail(c, DECODE_MALFORMED,
				    "IPv6 extension header past the payload length");
		pos += hl;
	}
	return fail(c, DECODE_MALFORMED, "too many IPv6 extension headers");
}

/* An EtherType at frame offset off (after any link header): unwrap VLAN
 * tags (802.1Q, 802.1ad QinQ), then IPv4 or IPv6. */
static enum decode_result decode_ethertype(struct dctx *c, const struct rd *frame,
					   uint16_t type, uint32_t off)
{
	for (int tags = 0; type == ETH_VLAN || type == ETH_QINQ ||
			   type == ETH_QINQ_OLD; tags++) {
		if (tags == MAX_VLAN_TAGS)
			return fail(c, DECODE_MALFORMED, "too many VLAN tags");
		if (!rd_has(frame, off, 4))
			return fail(c, DECODE_TRUNCATED, "VLAN tag cut by the snap length");
		type = rd_be16(frame, off + 2); /* after the 2-byte TCI */
		off += 4;
	}
	if (type == ETH_IPV4)
		return decode_ipv4(c, frame, off);
	if (type == ETH_IPV6)
		return decode_ipv6(c, frame, off);
	return fail(c, DECODE_NOT_IP, "not IP (EtherType)");
}

/* Raw IP: the version nibble says which. want is 4, 6 or 0 (either). */
static enum decode_result decode_rawip(struct dctx *c, const struct rd *frame,
				       int want)
{
	int v;

	if (!rd_has(frame, 0, 1))
		return fail(c, DECODE_TRUNCATED, "IP header cut by the snap length");
	v = rd_u8(frame, 0) >> 4;
	if (want && v != want)
		return fail(c, DECODE_MALFORMED, "IP version does not match the link type");
	if (v == 4)
		return decode_ipv4(c, frame, 0);
	if (v == 6)
		return decode_ipv6(c, frame, 0);
	return fail(c, DECODE_MALFORMED, "IP version neither 4 nor 6");
}

/* BSD loopback: a 4-byte address family. AF_INET is 2 everywhere; AF_INET6
 * is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux) or 23
 * (Windows). DLT_NULL stores it in the capturing host's byte order, so take
 * whichever reading is small (as tcpdump's print-null.c does). */
static enum decode_result decode_bsd_loopback(struct dctx *c,
					      const struct rd *frame, bool host_order)
{
	uint32_t af;

	if (!rd_has(frame, 0, 4))
		return fail(c, DECODE_TRUNCATED, "loopback header cut by the snap length");
	af = rd_be32(frame, 0);
	if (host_order && (af & 0xffff0000u))
		af = rd_le32(frame, 0);
	switch (af) {
	case 2:
		return decode_ipv4(c, frame, 4);
	case 10: case 23: case 24: case 28: case 30:
		return decode_ipv6(c, frame, 4);
	default:
		return fail(c, DECODE_NOT_IP, "not IP (loopback address family)");
	}
}

bool decode_link_supported(int linktype)
{
	return decode_link_name(linktype) != NULL;
}

const char *decode_link_name(int linktype)
{
	switch (linktype) {
	case DECODE_LINK_NULL: return "NULL";
	case DECODE_LINK_ETHERNET: return "EN10MB";
	case DECODE_LINK_RAW: case DECODE_LINK_RAW_LT: return "RAW";
	case DECODE_LINK_LOOP: return "LOOP";
	case DECODE_LINK_SLL: return "LINUX_SLL";
	case DECODE_LINK_IPV4: return "IPV4";
	case DECODE_LINK_IPV6: return "IPV6";
	case DECODE_LINK_SLL2: return "LINUX_SLL2";
	default: return NULL;
	}
}

const char *decode_result_to_str(enum decode_result r)
{
	switch (r) {
	case DECODE_OK: return "ok";
	case DECODE_NOT_IP: return "not-ip";
	case DECODE_NOT_TCP: return "not-tcp";
	case DECODE_ICMP_ERROR: return "icmp-error";
	case DECODE_FRAGMENT: return "fragment";
	case DECODE_TRUNCATED: return "truncated";
	case DECODE_MALFORMED: return "malformed";
	case DECODE_UNSUPPORTED_LINK: return "unsupported-link";
	}
	return "?";
}

enum decode_result decode_frame(int linktype, const uint8_t *data,
				uint32_t caplen, uint32_t wirelen,
				struct segment *seg,
				struct decode_detail *detail)
{
	return decode_frame_flags(linktype, data, caplen, wirelen, 0, seg, detail);
}

enum decode_result decode_frame_flags(int linktype, const uint8_t *data,
				      uint32_t caplen, uint32_t wirelen,
				      unsigned flags, struct segment *seg,
				      struct decode_detail *detail)
{
	struct decode_detail dummy;
	struct dctx c = { seg, detail ? detail : &dummy,
			  wirelen < caplen ? caplen : wirelen, flags, 0 };
	struct rd f = { data, data ? caplen : 0 };

	/* Copying a zero struct compiles to a few vector moves; memset of
	 * this size becomes a rep stos, slow to start, once per frame. */
	static const struct segment zero_seg;
	*seg = zero_seg;
	memset(c.det, 0, sizeof(*c.det));
	c.det->why = "";

	switch (linktype) {
	case DECODE_LINK_ETHERNET:
		/* dst(6) src(6) EtherType(2); a value below 0x0600 is an
		 * 802.3 length (LLC follows), not a type. */
		if (!rd_has(&f, 0, 14))
			return fail(&c, DECODE_TRUNCATED, "Ethernet header cut by the snap length");
		if (rd_be16(&f, 12) < 0x0600)
			return fail(&c, DECODE_NOT_IP, "not IP (802.3 LLC frame)");
		return decode_ethertype(&c, &f, rd_be16(&f, 12), 14);
	case DECODE_LINK_SLL:
		/* packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2) */
		if (!rd_has(&f, 0, 16))
			return fail(&c, DECODE_TRUNCATED, "Linux cooked header cut by the snap length");
		return decode_ethertype(&c, &f, rd_be16(&f, 14), 16);
	case DECODE_LINK_SLL2:
		/* protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1)
		 * addr len(1) addr(8) */
		if (!rd_has(&f, 0, 20))
			return fail(&c, DECODE_TRUNCATED, "Linux cooked v2 header cut by the snap length");
		return decode_ethertype(&c, &f, rd_be16(&f, 0), 20);
	case DECODE_LINK_RAW:
	case DECODE_LINK_RAW_LT:
		return decode_rawip(&c, &f, 0);
	case DECODE_LINK_IPV4:
		return decode_rawip(&c, &f, 4);
	case DECODE_LINK_IPV6:
		return decode_rawip(&c, &f, 6);
	case DECODE_LINK_NULL:
		return decode_bsd_loopback(&c, &f, true);
	case DECODE_LINK_LOOP:
		return decode_bsd_loopback(&c, &f, false);
	default:
		return fail(&c, DECODE_UNSUPPORTED_LINK,
			    "a link type tcpstep does not decode: skipped");
	}
}
