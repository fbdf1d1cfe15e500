/* Test helpers: building frames (IPv4/IPv6 + TCP, any link type, with
 * correct checksums) and writing pcap / pcapng files byte by byte, so the
 * tests and the capture generator control every field, including broken
 * ones. Shared by the decoder tests, the generator and the fuzz seeds. */
#ifndef TCPSTEP_TEST_FRAMEBUILD_H
#define TCPSTEP_TEST_FRAMEBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* An append-only byte buffer; overflow sets a flag instead of writing. */
struct fb {
	uint8_t *b;
	size_t cap, n;
	bool overflow;
};

void fb_init(struct fb *f, uint8_t *buf, size_t cap);
void fb_u8(struct fb *f, uint8_t v);
void fb_be16(struct fb *f, uint16_t v);
void fb_be32(struct fb *f, uint32_t v);
void fb_le32(struct fb *f, uint32_t v);
void fb_bytes(struct fb *f, const void *p, size_t n);

/* One TCP segment to build. Addresses: 4 bytes for IPv4, 16 for IPv6. */
struct fb_seg {
	int ipv; /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win, urp;
	const uint8_t *opts; /* raw option bytes, padded with EOL to 4 */
	size_t optlen;
	const void *data;
	size_t len;
};

/* Sets IPv4 a.b.c.d (or IPv6 from text) addresses. */
void fb_addr4(uint8_t out[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d);
void fb_addr6(uint8_t out[16], const char *text);

/* Zeroes *s and fills in the lesson's client -> server endpoints:
 * 192.0.2.3:49152 -> 192.0.2.2:8888 (ipv 4) or 2001:db8::3 -> ::2 (ipv 6). */
void fb_seg_client_to_server(struct fb_seg *s, int ipv);

/* TCP header + options + data, checksummed over the pseudo-header. */
size_t fb_tcp(uint8_t *out, size_t cap, const struct fb_seg *s);
/* An IPv4 packet around l4; frag = flags (0x2000 MF) | offset in 8-byte units. */
size_t fb_ipv4(uint8_t *out, size_t cap, const uint8_t src[4], const uint8_t dst[4],
	       uint8_t proto, uint16_t frag, const uint8_t *l4, size_t l4len);
/* An IPv6 packet: first_nh, then ext (extension headers, already built),
 * then l4. */
size_t fb_ipv6(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
	       uint8_t first_nh, const uint8_t *ext, size_t extlen,
	       const uint8_t *l4, size_t l4len);
/* The IP packet (v4 or v6) carrying the segment. */
size_t fb_ip_tcp(uint8_t *out, size_t cap, const struct fb_seg *s);

/* Makes an IP packet's length field lie: adds delta (may be negative) to
 * the IPv4 total length (and fixes the header checksum) or to the IPv6
 * payload length, so the header claims more (or fewer) bytes than the
 * frame carries. */
void fb_ip_lie_length(uint8_t *ip, size_t n, int delta);

/* Wraps an IP packet in the link header of linktype (DLT value, see
 * capture/decode.h); vlan: 0 to 2 tags (TPIDs from tpid[]). */
size_t fb_link(uint8_t *out, size_t cap, int linktype, const uint8_t *ip, size_t iplen);
size_t fb_eth_vlan(uint8_t *out, size_t cap, const uint16_t *tpid, int ntags,
		   const uint8_t *ip, size_t iplen);

/* A pcap (or pcapng) writer with a snap length, for test captures. */
struct fb_pcap {
	FILE *f;
	bool ng;
	uint32_t snaplen;
};
bool fb_pcap_open(struct fb_pcap *p, const char *path, int linktype_file,
		  uint32_t snaplen, bool ng);
void fb_pcap_write(struct fb_pcap *p, int64_t ts_ns, const uint8_t *frame, size_t len);
bool fb_pcap_close(struct fb_pcap *p);

/* A pcapng writer of several sections and interfaces in either byte order,
 * with every packet block kind: for the files libpcap refuses (interfaces
 * of different link types) and for the pcapng reader's tests. */
struct fb_ng {
	FILE *f;
	bool be;           /* the current section is big-endian */
};
bool fb_ng_open(struct fb_ng *w, const char *path);
/* A section header block: the sections after it use its byte order. */
void fb_ng_section(struct fb_ng *w, bool big_endian);
/* An interface description block; tsresol: the if_tsresol byte, or -1 for
 * none (microseconds); tsoffset_s: if_tsoffset, 0 for none. */
void fb_ng_interface(struct fb_ng *w, int linktype_file, uint32_t snaplen, int tsresol,
		     int64_t tsoffset_s);
/* An enhanced packet block (obsolete: the obsolete packet block, type 2)
 * with a time stamp in the interface's units; caplen bytes of frame. */
void fb_ng_packet(struct fb_ng *w, bool obsolete, uint32_t ifid, uint64_t ts_units,
		  const uint8_t *frame, size_t caplen, size_t wirelen);
/* A simple packet block: the frame, no time stamp, interface 0. */
void fb_ng_simple(struct fb_ng *w, const uint8_t *frame, size_t len);
/* Any other block: type and body (padded to 4 here). */
void fb_ng_block(struct fb_ng *w, uint32_t type, const uint8_t *body, size_t n);
bool fb_ng_close(struct fb_ng *w);

#endif
