#include "framebuild.h"

#include <arpa/inet.h>
#include <string.h>

#include "decode.h"

void fb_init(struct fb *f, uint8_t *buf, size_t cap)
{
	f->b = buf;
	f->cap = cap;
	f->n = 0;
	f->overflow = false;
}

void fb_bytes(struct fb *f, const void *p, size_t n)
{
	if (f->overflow || n > f->cap - f->n) {
		f->overflow = true;
		return;
	}
	if (n)
		memcpy(f->b + f->n, p, n);
	f->n += n;
}

void fb_u8(struct fb *f, uint8_t v) { fb_bytes(f, &v, 1); }

void fb_be16(struct fb *f, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	fb_bytes(f, b, 2);
}

void fb_be32(struct fb *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	fb_bytes(f, b, 4);
}

void fb_le32(struct fb *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fb_bytes(f, b, 4);
}

void fb_addr4(uint8_t out[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(out, 0, 16);
	out[0] = a;
	out[1] = b;
	out[2] = c;
	out[3] = d;
}

void fb_addr6(uint8_t out[16], const char *text)
{
	memset(out, 0, 16);
	inet_pton(AF_INET6, text, out);
}

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

size_t fb_tcp(uint8_t *out, size_t cap, const struct fb_seg *s)
{
	struct fb f;
	size_t optpad = (s->optlen + 3) & ~(size_t)3;
	size_t alen = s->ipv == 6 ? 16 : 4;
	uint32_t acc;

	fb_init(&f, out, cap);
	fb_be16(&f, s->sport);
	fb_be16(&f, s->dport);
	fb_be32(&f, s->seq);
	fb_be32(&f, s->ack);
	fb_u8(&f, (uint8_t)(((20 + optpad) / 4) << 4));
	fb_u8(&f, s->flags);
	fb_be16(&f, s->win);
	fb_be16(&f, 0); /* checksum, below */
	fb_be16(&f, s->urp);
	fb_bytes(&f, s->opts, s->optlen);
	for (size_t i = s->optlen; i < optpad; i++)
		fb_u8(&f, 0);
	fb_bytes(&f, s->data, s->len);
	if (f.overflow)
		return 0;
	/* RFC 9293 section 3.1 (IPv4) / RFC 8200 section 8.1 pseudo-header */
	acc = sum16(0, s->src, alen);
	acc = sum16(acc, s->dst, alen);
	acc += 6 + (uint32_t)f.n;
	acc = sum16(acc, out, f.n);
	uint16_t ck = fold(acc);
	out[16] = (uint8_t)(ck >> 8);
	out[17] = (uint8_t)ck;
	return f.n;
}

size_t fb_ipv4(uint8_t *out, size_t cap, const uint8_t src[4], const uint8_t dst[4],
	       uint8_t proto, uint16_t frag, const uint8_t *l4, size_t l4len)
{
	struct fb f;

	fb_init(&f, out, cap);
	fb_u8(&f, 0x45);
	fb_u8(&f, 0);
	fb_be16(&f, (uint16_t)(20 + l4len));
	fb_be16(&f, 0x1234); /* id */
	fb_be16(&f, frag);
	fb_u8(&f, 64);
	fb_u8(&f, proto);
	fb_be16(&f, 0);
	fb_bytes(&f, src, 4);
	fb_bytes(&f, dst, 4);
	if (f.overflow)
		return 0;
	uint16_t ck = fold(sum16(0, out, 20));
	out[10] = (uint8_t)(ck >> 8);
	out[11] = (uint8_t)ck;
	fb_bytes(&f, l4, l4len);
	return f.overflow ? 0 : f.n;
}

size_t fb_ipv6(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
	       uint8_t first_nh, const uint8_t *ext, size_t extlen,
	       const uint8_t *l4, size_t l4len)
{
	struct fb f;

	fb_init(&f, out, cap);
	fb_be32(&f, 0x60000000);
	fb_be16(&f, (uint16_t)(extlen + l4len));
	fb_u8(&f, first_nh);
	fb_u8(&f, 64);
	fb_bytes(&f, src, 16);
	fb_bytes(&f, dst, 16);
	fb_bytes(&f, ext, extlen);
	fb_bytes(&f, l4, l4len);
	return f.overflow ? 0 : f.n;
}

size_t fb_ip_tcp(uint8_t *out, size_t cap, const struct fb_seg *s)
{
	uint8_t l4[1600];
	size_t n = fb_tcp(l4, sizeof(l4), s);

	if (!n)
		return 0;
	if (s->ipv == 6)
		return fb_ipv6(out, cap, s->src, s->dst, 6, NULL, 0, l4, n);
	return fb_ipv4(out, cap, s->src, s->dst, 6, 0, l4, n);
}

void fb_ip_lie_length(uint8_t *ip, size_t n, int delta)
{
	if (n >= 40 && ip[0] >> 4 == 6) {
		uint16_t plen = (uint16_t)((ip[4] << 8 | ip[5]) + delta);
		ip[4] = (uint8_t)(plen >> 8);
		ip[5] = (uint8_t)plen;
		return;
	}
	if (n < 20 || ip[0] >> 4 != 4)
		return;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	uint16_t tot = (uint16_t)((ip[2] << 8 | ip[3]) + delta);
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[10] = ip[11] = 0;
	uint16_t ck = fold(sum16(0, ip, ihl < n ? ihl : n));
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
}

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x03 };

size_t fb_eth_vlan(uint8_t *out, size_t cap, const uint16_t *tpid, int ntags,
		   const uint8_t *ip, size_t iplen)
{
	struct fb f;

	fb_init(&f, out, cap);
	fb_bytes(&f, mac_a, 6);
	fb_bytes(&f, mac_b, 6);
	for (int i = 0; i < ntags; i++) {
		fb_be16(&f, tpid[i]);
		fb_be16(&f, (uint16_t)(100 + i)); /* TCI: VLAN id */
	}
	fb_be16(&f, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
	fb_bytes(&f, ip, iplen);
	return f.overflow ? 0 : f.n;
}

size_t fb_link(uint8_t *out, size_t cap, int linktype, const uint8_t *ip, size_t iplen)
{
	struct fb f;
	bool v6 = iplen && (ip[0] >> 4) == 6;
	uint16_t etype = v6 ? 0x86dd : 0x0800;

	fb_init(&f, out, cap);
	switch (linktype) {
	case DECODE_LINK_ETHERNET:
		return fb_eth_vlan(out, cap, NULL, 0, ip, iplen);
	case DECODE_LINK_SLL:
		fb_be16(&f, 4);      /* sent by us */
		fb_be16(&f, 1);      /* ARPHRD_ETHER */
		fb_be16(&f, 6);
		fb_bytes(&f, mac_a, 6);
		fb_be16(&f, 0);
		fb_be16(&f, etype);
		break;
	case DECODE_LINK_SLL2:
		fb_be16(&f, etype);
		fb_be16(&f, 0);
		fb_be32(&f, 3);      /* ifindex */
		fb_be16(&f, 1);      /* ARPHRD_ETHER */
		fb_u8(&f, 0);        /* to us */
		fb_u8(&f, 6);
		fb_bytes(&f, mac_a, 6);
		fb_be16(&f, 0);
		break;
	case DECODE_LINK_NULL: /* host order; little-endian writer */
		fb_le32(&f, v6 ? 30 : 2);
		break;
	case DECODE_LINK_LOOP:
		fb_be32(&f, v6 ? 24 : 2);
		break;
	default: /* raw IP link types */
		break;
	}
	fb_bytes(&f, ip, iplen);
	return f.overflow ? 0 : f.n;
}

static void put(struct fb_pcap *p, const void *b, size_t n)
{
	if (p->f)
		fwrite(b, 1, n, p->f);
}

static void put32(struct fb_pcap *p, uint32_t v) { put(p, &v, 4); } /* host order */
static void put16(struct fb_pcap *p, uint16_t v) { put(p, &v, 2); }

bool fb_pcap_open(struct fb_pcap *p, const char *path, int linktype_file,
		  uint32_t snaplen, bool ng)
{
	p->f = fopen(path, "wb");
	p->ng = ng;
	p->snaplen = snaplen;
	if (!p->f)
		return false;
	if (!ng) {
		/* pcap file header, microsecond magic, host byte order */
		put32(p, 0xa1b2c3d4);
		put16(p, 2);
		put16(p, 4);
		put32(p, 0);
		put32(p, 0);
		put32(p, snaplen);
		put32(p, (uint32_t)linktype_file);
		return true;
	}
	/* pcapng: section header block, then one interface description block */
	put32(p, 0x0a0d0d0a);
	put32(p, 28);
	put32(p, 0x1a2b3c4d);
	put16(p, 1);
	put16(p, 0);
	put32(p, 0xffffffff);
	put32(p, 0xffffffff);
	put32(p, 28);
	put32(p, 1);
	put32(p, 20);
	put16(p, (uint16_t)linktype_file);
	put16(p, 0);
	put32(p, snaplen);
	put32(p, 20);
	return true;
}

void fb_pcap_write(struct fb_pcap *p, int64_t ts_ns, const uint8_t *frame, size_t len)
{
	uint32_t caplen = len > p->snaplen ? p->snaplen : (uint32_t)len;
	int64_t us = ts_ns / 1000;
	static const uint8_t pad[4];

	if (!p->ng) {
		put32(p, (uint32_t)(us / 1000000));
		put32(p, (uint32_t)(us % 1000000));
		put32(p, caplen);
		put32(p, (uint32_t)len);
		put(p, frame, caplen);
		return;
	}
	uint32_t padded = (caplen + 3) & ~3u;
	put32(p, 6); /* enhanced packet block; timestamps in microseconds */
	put32(p, 32 + padded);
	put32(p, 0);
	put32(p, (uint32_t)((uint64_t)us >> 32));
	put32(p, (uint32_t)us);
	put32(p, caplen);
	put32(p, (uint32_t)len);
	put(p, frame, caplen);
	put(p, pad, padded - caplen);
	put32(p, 32 + padded);
}

bool fb_pcap_close(struct fb_pcap *p)
{
	bool ok = p->f && !ferror(p->f);
	if (p->f && fclose(p->f) != 0)
		ok = false;
	p->f = NULL;
	return ok;
}

void fb_seg_client_to_server(struct fb_seg *s, int ipv)
{
	memset(s, 0, sizeof(*s));
	s->ipv = ipv;
	if (ipv == 4) {
		fb_addr4(s->src, 192, 0, 2, 3);
		fb_addr4(s->dst, 192, 0, 2, 2);
	} else {
		fb_addr6(s->src, "2001:db8::3");
		fb_addr6(s->dst, "2001:db8::2");
	}
	s->sport = 49152;
	s->dport = 8888;
}

/* ---- the pcapng writer --------------------------------------------- */

static void ng32(struct fb *f, bool be, uint32_t v)
{
	if (be)
		fb_be32(f, v);
	else
		fb_le32(f, v);
}

static void ng16(struct fb *f, bool be, uint16_t v)
{
	if (be) {
		fb_be16(f, v);
	} else {
		fb_u8(f, (uint8_t)v);
		fb_u8(f, (uint8_t)(v >> 8));
	}
}

static void ng_pad(struct fb *f)
{
	while (f->n % 4)
		fb_u8(f, 0);
}

/* Writes a block around body[0..n): type, lengths; n is a multiple of 4. */
static void ng_write(struct fb_ng *w, uint32_t type, const struct fb *body)
{
	uint8_t hdr[8], trl[4];
	struct fb h, t;

	fb_init(&h, hdr, sizeof(hdr));
	ng32(&h, w->be, type);
	ng32(&h, w->be, (uint32_t)body->n + 12);
	fb_init(&t, trl, sizeof(trl));
	ng32(&t, w->be, (uint32_t)body->n + 12);
	if (!w->f || body->overflow)
		return;
	fwrite(hdr, 1, 8, w->f);
	fwrite(body->b, 1, body->n, w->f);
	fwrite(trl, 1, 4, w->f);
}

bool fb_ng_open(struct fb_ng *w, const char *path)
{
	w->f = fopen(path, "wb");
	w->be = false;
	return w->f != NULL;
}

void fb_ng_section(struct fb_ng *w, bool big_endian)
{
	uint8_t b[16];
	struct fb f;

	w->be = big_endian;
	fb_init(&f, b, sizeof(b));
	ng32(&f, w->be, 0x1a2b3c4d);
	ng16(&f, w->be, 1);
	ng16(&f, w->be, 0);
	ng32(&f, w->be, 0xffffffff); /* section length: not given */
	ng32(&f, w->be, 0xffffffff);
	ng_write(w, 0x0a0d0d0a, &f);
}

void fb_ng_interface(struct fb_ng *w, int linktype_file, uint32_t snaplen, int tsresol,
		     int64_t tsoffset_s)
{
	uint8_t b[64];
	struct fb f;

	fb_init(&f, b, sizeof(b));
	ng16(&f, w->be, (uint16_t)linktype_file);
	ng16(&f, w->be, 0);
	ng32(&f, w->be, snaplen);
	if (tsresol >= 0) {
		ng16(&f, w->be, 9); /* if_tsresol */
		ng16(&f, w->be, 1);
		fb_u8(&f, (uint8_t)tsresol);
		ng_pad(&f);
	}
	if (tsoffset_s) {
		uint64_t v = (uint64_t)tsoffset_s;
		ng16(&f, w->be, 14); /* if_tsoffset */
		ng16(&f, w->be, 8);
		if (w->be) {
			ng32(&f, true, (uint32_t)(v >> 32));
			ng32(&f, true, (uint32_t)v);
		} else {
			ng32(&f, false, (uint32_t)v);
			ng32(&f, false, (uint32_t)(v >> 32));
		}
	}
	if (tsresol >= 0 || tsoffset_s) {
		ng16(&f, w->be, 0); /* opt_endofopt */
		ng16(&f, w->be, 0);
	}
	ng_write(w, 1, &f);
}

void fb_ng_packet(struct fb_ng *w, bool obsolete, uint32_t ifid, uint64_t ts_units,
		  const uint8_t *frame, size_t caplen, size_t wirelen)
{
	static uint8_t b[70000];
	struct fb f;

	fb_init(&f, b, sizeof(b));
	if (obsolete) {
		ng16(&f, w->be, (uint16_t)ifid);
		ng16(&f, w->be, 0); /* drops count */
	} else {
		ng32(&f, w->be, ifid);
	}
	ng32(&f, w->be, (uint32_t)(ts_units >> 32));
	ng32(&f, w->be, (uint32_t)ts_units);
	ng32(&f, w->be, (uint32_t)caplen);
	ng32(&f, w->be, (uint32_t)wirelen);
	fb_bytes(&f, frame, caplen);
	ng_pad(&f);
	ng_write(w, obsolete ? 2 : 6, &f);
}

void fb_ng_simple(struct fb_ng *w, const uint8_t *frame, size_t len)
{
	static uint8_t b[70000];
	struct fb f;

	fb_init(&f, b, sizeof(b));
	ng32(&f, w->be, (uint32_t)len);
	fb_bytes(&f, frame, len);
	ng_pad(&f);
	ng_write(w, 3, &f);
}

void fb_ng_block(struct fb_ng *w, uint32_t type, const uint8_t *body, size_t n)
{
	static uint8_t b[70000];
	struct fb f;

	fb_init(&f, b, sizeof(b));
	fb_bytes(&f, body, n);
	ng_pad(&f);
	ng_write(w, type, &f);
}

bool fb_ng_close(struct fb_ng *w)
{
	bool ok = w->f && !ferror(w->f);
	if (w->f && fclose(w->f) != 0)
		ok = false;
	w->f = NULL;
	return ok;
}
