/* The capture pipeline for one source: frame -> decode_frame -> tracker ->
 * (output, recorder, callbacks). `tcpstep decode` runs it over a file or an
 * interface; the demo and live modes run it on the session bridge and get
 * each segment and inferred state change through the callbacks (to show
 * them beside the nodes' true states), with optional printing and
 * recording. The caller owns the source and the loop:
 *
 *   struct tap_config c = { .linktype = source_linktype(src), .out = out,
 *                           .rec = rec, .on_event = show, .user = ui };
 *   struct tap *t = tap_create(&c);
 *   while (source_next(src, &f, err) == SOURCE_FRAME)
 *           tap_frame(t, &f, err);
 *   ... each loop pass, live: tap_advance(t, now); recorder_flush(rec, err);
 *   tap_finish(t); tap_destroy(t);
 */
#ifndef TCPSTEP_TAP_H
#define TCPSTEP_TAP_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "output.h"
#include "recorder.h"
#include "source.h"
#include "tracker.h"

struct tap_config {
	int linktype;           /* of the source (source_linktype); each frame is
				 * decoded with its own (source_frame.linktype) */
	int64_t msl_ns;         /* TIME_WAIT = 2 x this; <= 0: 60 s */
	/* No state-change events, only connection summaries (tracker_config
	 * summaries_only), and TCP options decoded on SYNs only
	 * (DECODE_SYN_OPTIONS_ONLY): for a consumer that shows nothing else.
	 * on_segment, if set, then sees no options on other segments. */
	bool summaries_only;
	struct output *out;     /* may be NULL: nothing printed */
	struct recorder *rec;   /* may be NULL: nothing recorded */
	/* Both may be NULL. Called for every segment (after the tracker saw
	 * it) and every tracker event, in capture order. */
	void (*on_segment)(const struct segment *seg,
			   const struct tracker_seginfo *info, void *user);
	void (*on_event)(const struct tracker_event *ev, void *user);
	void *user;
};

/* Frames seen, by what the decoder made of them. */
struct tap_stats {
	uint64_t frames;
	uint64_t by_result[DECODE_UNSUPPORTED_LINK + 1]; /* enum decode_result */
	uint64_t untracked; /* segments the tracker had no memory for */
};

struct tap;

/* NULL when memory ran out. */
struct tap *tap_create(const struct tap_config *cfg);
void tap_destroy(struct tap *t); /* NULL is fine; does not close out/rec */

/* Handles one frame: records it, decodes it, feeds the tracker, prints.
 * False only when recording failed (reason in errbuf, SOURCE_ERRBUF_SIZE). */
bool tap_frame(struct tap *t, const struct source_frame *f, char *errbuf);

/* Lets capture time pass without a frame (live: the wall clock), so a
 * TIME_WAIT can end on screen while the wire is quiet. */
void tap_advance(struct tap *t, int64_t now_ns);
/* When the tracker's next timer is due (capture time, ns; INT64_MAX: none). */
int64_t tap_next_deadline(const struct tap *t);

/* End of input: every open connection's summary is emitted. */
void tap_finish(struct tap *t);

const struct tap_stats *tap_get_stats(const struct tap *t);
struct tracker *tap_tracker(struct tap *t);

#endif
