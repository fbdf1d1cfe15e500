/* Headless output of the capture pipeline: segments, state changes and
 * connection summaries as tcpdump-style text or JSON lines (schema in
 * docs/decode.md). Formatting only: the caller owns the FILE and the loop,
 * so `tcpstep decode` and the demo's headless mode print the same lines. */
#ifndef TCPSTEP_OUTPUT_H
#define TCPSTEP_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "segment.h"
#include "tracker.h"

enum output_format {
	OUTPUT_TEXT,
	OUTPUT_JSON,
};

struct output_config {
	enum output_format format;
	bool summary;  /* only one line per connection (TRACKER_EV_CONN) */
	bool absolute; /* text: absolute sequence numbers (JSON has both) */
};

struct output;

/* NULL on allocation failure. f stays the caller's. */
struct output *output_create(FILE *f, const struct output_config *cfg);
void output_destroy(struct output *o); /* NULL is fine */

/* One decoded segment, with what the tracker said about it. */
void output_segment(struct output *o, const struct segment *seg,
		    const struct tracker_seginfo *info);

/* A tracker event: a state change, or a connection summary. */
void output_event(struct output *o, const struct tracker_event *ev);

/* A frame that gave no segment but deserves a line in text mode: malformed
 * or truncated TCP, ICMP errors. Other results print nothing. */
void output_frame_note(struct output *o, uint64_t pkt, int64_t ts_ns,
		       enum decode_result r, const struct segment *seg,
		       const struct decode_detail *d);

/* A state change as the text output prints it ("conn 1 192.0.2.3:49152
 * SYN_SENT -> ESTABLISHED (rcvd SYN-ACK)", with " in frame N" when its
 * cause is not the frame last_pkt), into buf, cut to size. */
void output_format_state(char *buf, size_t size, const struct tracker_event *ev,
			 uint64_t last_pkt);

/* "ip:port", IPv6 as "[addr]:port", into buf (at least 64 bytes). */
void output_format_endpoint(char *buf, size_t size, int ip_version,
			    const uint8_t *addr, uint16_t port);

#endif
