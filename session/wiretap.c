/* The session's wire tap (see wiretap.h): capture/source + capture/tap
 * (decoder and tracker) + capture/recorder on the frames entering br0. */
#include "wiretap.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "netns.h"
#include "recorder.h"
#include "source.h"
#include "tap.h"
#include "tcpstate.h"

/* Frames handled per wiretap_poll at most, so a flood on the wire cannot
 * starve the nodes' events; the rest wait for the next pass. */
#define WIRETAP_POLL_BUDGET 4096
#define WIRETAP_BUFFER_BYTES (32 * 1024 * 1024)

struct wiretap {
	struct wiretap_config cfg;
	struct source *src;
	struct recorder *rec;
	struct tap *tap;
	uint64_t conns_seen;     /* highest connection id seen (ids are 1, 2, ...) */
	uint64_t conns_released; /* connections whose summary came out */
	int64_t last_frame_ns;   /* capture time of the newest frame */
	uint64_t nframes;        /* frames read and recorded */
	uint64_t last_seg_pkt;   /* frame number of the newest TCP segment */
	bool failed;
	bool rec_failed;         /* wiretap_poll has returned the recording's failure */
};

static void on_segment(const struct segment *seg,
		       const struct tracker_seginfo *info, void *user)
{
	struct wiretap *w = user;

	w->last_seg_pkt = seg->pkt;
	if (info->conn > w->conns_seen)
		w->conns_seen = info->conn;
	if (w->cfg.on_segment)
		w->cfg.on_segment(seg, info, w->cfg.user);
}

static void on_event(const struct tracker_event *ev, void *user)
{
	struct wiretap *w = user;

	if (ev->type == TRACKER_EV_CONN) {
		w->conns_released++;
		return;
	}
	if (ev->type == TRACKER_EV_STATE && w->cfg.on_state)
		w->cfg.on_state(ev, w->last_seg_pkt, w->cfg.user);
}

struct open_job {
	struct wiretap *w;
	char err[SOURCE_ERRBUF_SIZE];
};

/* Runs inside the namespace, so the packet socket belongs to it (and its
 * "any" device is the namespace's interfaces, no other). */
static int open_inside(void *user)
{
	struct open_job *job = user;
	unsigned lo = if_nametoindex("lo"), br = if_nametoindex(NETNS_BRIDGE);
	char filter[128];

	if (!lo || !br) {
		snprintf(job->err, sizeof job->err, "%s: %s",
			 lo ? NETNS_BRIDGE : "lo", strerror(errno));
		return -1;
	}
	/* Every frame once, where it enters the bridge: from a node's TAP
	 * (inbound there), or from the kernel's own side (outbound on br0).
	 * Not the bridge's pass-up to br0, not the copy leaving the other
	 * TAP, not loopback. See wiretap.h for why not br0. */
	snprintf(filter, sizeof filter,
		 "(inbound and not ifindex %u and not ifindex %u) or "
		 "(outbound and ifindex %u)", lo, br, br);
	/* Snap length 65535: the recording keeps every byte of a lesson's
	 * frames (MTU 1500) and tshark reads it as tcpdump -w's. A 32 MiB
	 * buffer holds a burst (the load test's 200 connections at once)
	 * while the loop is busy printing. */
	job->w->src = source_open_live_buffered("any", filter, 65535,
						WIRETAP_BUFFER_BYTES, job->err);
	return job->w->src ? 0 : -1;
}

struct wiretap *wiretap_open(const struct netns *ns,
			     const struct wiretap_config *cfg, char *err,
			     size_t errsize)
{
	struct wiretap *w = calloc(1, sizeof *w);
	struct open_job job;
	struct tap_config tc;
	char rerr[SOURCE_ERRBUF_SIZE];

	if (!w) {
		errbuf_set(err, errsize, "out of memory");
		return NULL;
	}
	w->cfg = *cfg;
	job.w = w;
	job.err[0] = '\0';
	if (netns_call_inside(ns, open_inside, &job, err, errsize) < 0) {
		if (job.err[0])
			errbuf_set(err, errsize, "capture on %s", job.err);
		goto fail;
	}
	/* Nodes and kernel peers are forked later: keep the capture ours. */
	fcntl(source_fd(w->src), F_SETFD, FD_CLOEXEC);
	if (cfg->write_path) {
		w->rec = recorder_open(cfg->write_path, source_linktype(w->src),
				       source_snaplen(w->src), rerr);
		if (!w->rec) {
			errbuf_set(err, errsize, "cannot record: %s", rerr);
			goto fail;
		}
	}
	memset(&tc, 0, sizeof tc);
	tc.linktype = source_linktype(w->src);
	tc.msl_ns = cfg->msl_ns;
	tc.rec = w->rec;
	tc.on_segment = on_segment;
	tc.on_event = on_event;
	tc.user = w;
	w->tap = tap_create(&tc);
	if (!w->tap) {
		errbuf_set(err, errsize, "out of memory");
		goto fail;
	}
	return w;
fail:
	recorder_close(w->rec, rerr);
	source_close(w->src);
	free(w);
	return NULL;
}

int wiretap_fd(const struct wiretap *w)
{
	return source_fd(w->src);
}

bool wiretap_poll(struct wiretap *w, char *err, size_t errsize)
{
	char e[SOURCE_ERRBUF_SIZE];

	if (w->failed)
		return false;
	for (int i = 0; i < WIRETAP_POLL_BUDGET; i++) {
		struct source_frame f;
		enum source_status st = source_next(w->src, &f, e);

		if (st == SOURCE_AGAIN)
			break;
		if (st != SOURCE_FRAME) {
			w->failed = true;
			errbuf_set(err, errsize, "capture on %s",
				 st == SOURCE_ERROR ? e : "any: ended");
			return false;
		}
		w->last_frame_ns = f.ts_ns;
		w->nframes++;
		if (!tap_frame(w->tap, &f, e)) {
			w->failed = w->rec_failed = true;
			errbuf_set(err, errsize, "recording: %s", e);
			return false;
		}
	}
	if (w->rec && !recorder_flush(w->rec, e)) {
		w->failed = w->rec_failed = true;
		errbuf_set(err, errsize, "recording: %s", e);
		return false;
	}
	return true;
}

void wiretap_advance(struct wiretap *w, int64_t now_ns)
{
	tap_advance(w->tap, now_ns);
}

/* Silence after which nothing more can end on the wire: 2 x MSL + 1 s. */
static int64_t quiet_after(const struct wiretap *w)
{
	int64_t msl = w->cfg.msl_ns > 0 ? w->cfg.msl_ns : 60000000000LL;

	return 2 * msl + 1000000000LL;
}

bool wiretap_quiet(const struct wiretap *w, int64_t now_ns)
{
	return w->conns_released >= w->conns_seen ||
	       now_ns - w->last_frame_ns > quiet_after(w);
}

uint64_t wiretap_frames(const struct wiretap *w)
{
	return w->nframes;
}

int64_t wiretap_last_frame(const struct wiretap *w)
{
	return w->last_frame_ns;
}

int64_t wiretap_next_deadline(const struct wiretap *w)
{
	return tap_next_deadline(w->tap);
}

int64_t wiretap_quiet_deadline(const struct wiretap *w, int64_t now_ns)
{
	return wiretap_quiet(w, now_ns) ? INT64_MAX
					: w->last_frame_ns + quiet_after(w) + 1;
}

unsigned long long wiretap_dropped(struct wiretap *w)
{
	struct wiretap_stats st;

	wiretap_stats(w, &st);
	return st.dropped;
}

void wiretap_stats(struct wiretap *w, struct wiretap_stats *st)
{
	struct source_stats ss;

	memset(st, 0, sizeof *st);
	if (!w)
		return;
	source_get_stats(w->src, &ss);
	st->frames = ss.frames;
	st->dropped = ss.have_drops ? ss.dropped + ss.if_dropped : 0;
}

bool wiretap_close(struct wiretap *w, char *err, size_t errsize)
{
	char e[SOURCE_ERRBUF_SIZE];
	bool ok = true;

	if (!w)
		return true;
	/* A recording failure wiretap_poll has returned is not returned
	 * twice; one in this last poll is, through recorder_close. */
	bool reported = w->rec_failed;

	/* The last frames (a final ACK) may have arrived since the last
	 * pass; a failure reading them is said, not dropped. */
	if (!w->failed && !wiretap_poll(w, err, errsize))
		ok = false;
	if (w->rec && !recorder_close(w->rec, e) && !reported && ok) {
		errbuf_set(err, errsize, "recording: %s", e);
		ok = false;
	}
	tap_destroy(w->tap);
	source_close(w->src);
	free(w);
	return ok;
}
