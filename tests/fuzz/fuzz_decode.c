/* libFuzzer target over the decoder, the tracker and the output
 * formatting: one input is a whole capture, so the tracker sees sequences
 * of (possibly hostile) segments, TIME_WAIT expiries and port reuse.
 *
 * Input: byte 0 picks the link type; then frames, each a 2-byte big-endian
 * header (low 15 bits: captured length; top bit: the frame was cut, so the
 * wire length is larger) and the bytes. Every frame is copied into its own
 * heap block of exactly its length, so ASan sees any read past it. Each
 * frame advances the capture clock by 0.5 s and MSL is 1 s, so TIME_WAIT
 * ends after four frames. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "output.h"
#include "tracker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int link_types[] = {
	DECODE_LINK_ETHERNET, DECODE_LINK_SLL, DECODE_LINK_SLL2, DECODE_LINK_RAW,
	DECODE_LINK_IPV4, DECODE_LINK_IPV6, DECODE_LINK_NULL, DECODE_LINK_LOOP,
};

static void drain(struct tracker *t, struct output *o1, struct output *o2)
{
	struct tracker_event ev;
	while (tracker_next_event(t, &ev)) {
		output_event(o1, &ev);
		output_event(o2, &ev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tracker_config tc = { .msl_ns = 1000000000 };
	struct output_config text = { .format = OUTPUT_TEXT };
	struct output_config json = { .format = OUTPUT_JSON };
	FILE *null = fopen("/dev/null", "w");
	struct tracker *t;
	struct output *ot, *oj;
	int64_t ts = 1767268800LL * 1000000000LL;
	uint64_t pkt = 0;
	size_t off = 1;

	if (size < 1 || !null) {
		if (null)
			fclose(null);
		return 0;
	}
	int lt = link_types[data[0] % (sizeof(link_types) / sizeof(link_types[0]))];
	t = tracker_create(&tc);
	ot = output_create(null, &text);
	oj = output_create(null, &json);
	if (!t || !ot || !oj)
		abort();
	while (off + 2 <= size) {
		uint32_t hdr = (uint32_t)data[off] << 8 | data[off + 1];
		uint32_t len = hdr & 0x7fff;
		off += 2;
		if (len > size - off)
			len = (uint32_t)(size - off);
		uint8_t *fr = malloc(len ? len : 1);
		if (!fr)
			abort();
		memcpy(fr, data + off, len);
		off += len;

		struct segment seg;
		struct decode_detail d;
		struct tracker_seginfo info;
		enum decode_result r = decode_frame(lt, fr, len, (hdr & 0x8000) ? len + 1000 : len,
						    &seg, &d);
		ts += 500000000;
		seg.pkt = ++pkt;
		seg.ts_ns = ts;
		tracker_advance(t, ts);
		drain(t, ot, oj);
		if (r == DECODE_OK) {
			if (tracker_input(t, &seg, &info)) {
				output_segment(ot, &seg, &info);
				output_segment(oj, &seg, &info);
			}
			drain(t, ot, oj);
		} else {
			output_frame_note(ot, seg.pkt, ts, r, &seg, &d);
		}
		free(fr);
	}
	tracker_finish(t);
	drain(t, ot, oj);
	tracker_destroy(t);
	output_destroy(ot);
	output_destroy(oj);
	fclose(null);
	return 0;
}
