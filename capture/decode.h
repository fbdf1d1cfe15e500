/* The frame decoder: one captured frame (any supported link type) in, one
 * TCP segment (capture/segment.h) out, or a result code saying why there
 * is none. Pure: no I/O, no allocation, no state between calls; every byte
 * is read through bounds-checked big-endian getters, so a truncated or
 * hostile frame is a result code, never a read past the buffer. */
#ifndef TCPSTEP_DECODE_H
#define TCPSTEP_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "segment.h"

/* Link types, numbered as libpcap's pcap_datalink() returns them (DLT_*) on
 * Linux; the LINKTYPE_* numbers from a file header that differ are accepted
 * too (see decode_link_supported). */
enum {
	DECODE_LINK_NULL = 0,      /* BSD loopback, AF in capturing host order */
	DECODE_LINK_ETHERNET = 1,
	DECODE_LINK_RAW = 12,      /* DLT_RAW: raw IPv4 or IPv6 */
	DECODE_LINK_RAW_LT = 101,  /* LINKTYPE_RAW, same thing */
	DECODE_LINK_LOOP = 108,    /* OpenBSD loopback, AF in network order */
	DECODE_LINK_SLL = 113,     /* Linux cooked v1 */
	DECODE_LINK_IPV4 = 228,
	DECODE_LINK_IPV6 = 229,
	DECODE_LINK_SLL2 = 276,    /* Linux cooked v2 */
};

enum decode_result {
	DECODE_OK = 0,           /* a TCP segment; seg->truncated if cut short */
	DECODE_NOT_IP,           /* the link layer carries no IP (ARP, LLC, ...) */
	DECODE_NOT_TCP,          /* IP carrying something else (UDP, ESP, ICMP echo) */
	DECODE_ICMP_ERROR,       /* ICMP/ICMPv6 error: a quoted header is no segment */
	DECODE_FRAGMENT,         /* a non-first IP fragment: no TCP header in it */
	DECODE_TRUNCATED,        /* cut before the 20-byte TCP header was complete */
	DECODE_MALFORMED,        /* a header field is impossible */
	DECODE_UNSUPPORTED_LINK, /* a link type this decoder does not know */
};

/* "ok", "not-ip", "not-tcp", "icmp-error", "fragment", "truncated",
 * "malformed", "unsupported-link"; "?" out of range. */
const char *decode_result_to_str(enum decode_result r);

/* What else the decoder can say about a frame that gave no segment. */
struct decode_detail {
	const char *why;  /* static text: "IPv4 header length < 20", ...; "" if ok */
	bool have_addrs;  /* seg->ip_version, src, dst are filled */
	bool have_ports;  /* seg->sport, dport are filled */
};

/* True when decode_frame handles this link type. */
bool decode_link_supported(int linktype);

/* "EN10MB", "LINUX_SLL", ...: the libpcap name of a link type, or NULL. */
const char *decode_link_name(int linktype);

/* Decodes one frame: data[0..caplen) as captured, wirelen bytes on the
 * wire; through IP-in-IP tunnels (protocols 4 and 41) and GRE (47) to
 * the inner segment. Zeroes *seg and fills every field it can; the caller sets pkt and
 * ts_ns. detail may be NULL. The segment's payload points into data. */
enum decode_result decode_frame(int linktype, const uint8_t *data,
				uint32_t caplen, uint32_t wirelen,
				struct segment *seg,
				struct decode_detail *detail);

/* decode_frame's flags (decode_frame_flags). */
enum {
	/* TCP options are decoded on SYN segments only; on the others
	 * seg->opts stays zero (whether they were malformed too). For a
	 * consumer that only tracks connections: the tracker reads options
	 * (window scale) only from SYNs. Everything else is as usual,
	 * including seg->truncated. */
	DECODE_SYN_OPTIONS_ONLY = 1u << 0,
};

/* decode_frame with flags (DECODE_*; 0 is decode_frame). */
enum decode_result decode_frame_flags(int linktype, const uint8_t *data,
				      uint32_t caplen, uint32_t wirelen,
				      unsigned flags, struct segment *seg,
				      struct decode_detail *detail);

#endif
