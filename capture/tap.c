/* The capture pipeline (see tap.h). */
#include "tap.h"

#include <stdlib.h>

struct tap {
	struct tap_config cfg;
	struct tracker *trk;
	struct tap_stats stats;
};

struct tap *tap_create(const struct tap_config *cfg)
{
	struct tracker_config tc = { .msl_ns = cfg->msl_ns,
				     .summaries_only = cfg->summaries_only };
	struct tap *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->trk = tracker_create(&tc);
	if (!t->trk) {
		free(t);
		return NULL;
	}
	return t;
}

void tap_destroy(struct tap *t)
{
	if (!t)
		return;
	tracker_destroy(t->trk);
	free(t);
}

static void __attribute__((noinline)) drain_events(struct tap *t)
{
	struct tracker_event ev;

	while (tracker_next_event(t->trk, &ev)) {
		if (t->cfg.out)
			output_event(t->cfg.out, &ev);
		if (t->cfg.on_event)
			t->cfg.on_event(&ev, t->cfg.user);
	}
}

/* Twice a frame, and mostly there is nothing: check before setting up. */
static inline void drain(struct tap *t)
{
	if (tracker_has_event(t->trk))
		drain_events(t);
}

bool tap_frame(struct tap *t, const struct source_frame *f, char *errbuf)
{
	struct segment seg;
	struct decode_detail d;
	struct tracker_seginfo info;
	enum decode_result r;
	bool ok = true;

	/* Record first: a frame the decoder rejects is still on the wire. */
	if (t->cfg.rec && !recorder_write(t->cfg.rec, f, errbuf))
		ok = false;
	t->stats.frames++;
	r = decode_frame_flags(f->linktype, f->data, f->caplen, f->wirelen,
			       t->cfg.summaries_only ? DECODE_SYN_OPTIONS_ONLY : 0,
			       &seg, &d);
	t->stats.by_result[r]++;
	seg.pkt = f->pkt;
	seg.ts_ns = f->ts_ns;
	/* Time passes with every frame, TCP or not: a TIME_WAIT may end
	 * before this frame is shown. */
	tracker_advance(t->trk, f->ts_ns);
	drain(t);
	if (r != DECODE_OK) {
		if (t->cfg.out)
			output_frame_note(t->cfg.out, f->pkt, f->ts_ns, r, &seg, &d);
		return ok;
	}
	if (!tracker_input(t->trk, &seg, &info))
		t->stats.untracked++; /* info is zero (conn 0) */
	if (t->cfg.out)
		output_segment(t->cfg.out, &seg, &info);
	if (t->cfg.on_segment)
		t->cfg.on_segment(&seg, &info, t->cfg.user);
	drain(t);
	return ok;
}

void tap_advance(struct tap *t, int64_t now_ns)
{
	tracker_advance(t->trk, now_ns);
	drain(t);
}

int64_t tap_next_deadline(const struct tap *t)
{
	return tracker_next_deadline(t->trk);
}

void tap_finish(struct tap *t)
{
	/* One connection at a time: the event queue stays short. */
	while (tracker_finish_step(t->trk))
		drain(t);
}

const struct tap_stats *tap_get_stats(const struct tap *t)
{
	return &t->stats;
}

struct tracker *tap_tracker(struct tap *t)
{
	return t->trk;
}
