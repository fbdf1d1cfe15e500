/* A decoded TCP segment: what the decoder (decode.c) hands the tracker
 * (tracker.c). Everything is in host byte order; addresses are kept as raw
 * bytes (4 for IPv4, 16 for IPv6) so the key is cheap to hash and compare.
 * This struct is the contract between the two; change it with both. */
#ifndef TCPSTEP_SEGMENT_H
#define TCPSTEP_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

/* TCP header flag bits as on the wire (RFC 9293 section 3.1, RFC 3168). */
enum {
	TCPF_FIN = 0x01,
	TCPF_SYN = 0x02,
	TCPF_RST = 0x04,
	TCPF_PSH = 0x08,
	TCPF_ACK = 0x10,
	TCPF_URG = 0x20,
	TCPF_ECE = 0x40,
	TCPF_CWR = 0x80,
};

/* Option kinds that have their own fields; others are listed by kind. */
#define SEGMENT_MAX_SACK 4
#define SEGMENT_MAX_OTHER_OPTS 8

struct segment_options {
	bool has_mss, has_wscale, sack_permitted, has_timestamp;
	uint16_t mss;
	uint8_t wscale;
	uint32_t tsval, tsecr;
	uint8_t nsack; /* SACK blocks present (<= SEGMENT_MAX_SACK) */
	struct {
		uint32_t left, right;
	} sack[SEGMENT_MAX_SACK];
	uint8_t nother; /* kinds of options not decoded above, in order */
	uint8_t other[SEGMENT_MAX_OTHER_OPTS];
	bool malformed; /* an option ran past the header or had a bad length */
};

struct segment {
	uint64_t pkt;  /* 1-based frame number in the source, counting every frame */
	int64_t ts_ns; /* capture time, nanoseconds since the Unix epoch */

	uint8_t ip_version;   /* 4 or 6 */
	uint8_t src[16], dst[16]; /* first 4 bytes used for IPv4 */
	uint16_t sport, dport;

	uint32_t seq, ack; /* absolute, as on the wire */
	uint8_t flags;     /* TCPF_* */
	uint16_t win;      /* raw window field, not scaled */
	uint16_t urp;
	uint8_t hdr_len;   /* TCP header length in bytes (data offset * 4) */
	struct segment_options opts;

	uint32_t payload_len; /* from the IP length fields, not the capture */
	const uint8_t *payload; /* captured payload bytes (may be fewer) */
	uint32_t payload_caplen;

	bool truncated; /* cut by the snap length; fields past the cut are 0 */
	/* The IPv4 total length or IPv6 payload length claimed more bytes
	 * than the frame had on the wire; payload_len is what the wire
	 * carried (Wireshark's rule, docs/decode.md). */
	bool ip_len_clamped;
};

#endif
