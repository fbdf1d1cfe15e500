/* The session's wire tap: libpcap inside the session's namespace (capture/
 * source.h), every frame recorded to a pcap file when asked (capture/
 * recorder.h, the one recorder), and decoded and fed to the connection
 * tracker (capture/tap.h), whose segments and inferred state changes come
 * out through callbacks, typed (the session makes them events; the headless
 * text of a state change is ui/headless_sink.c's).
 *
 * Where it captures: each frame once, where it enters the bridge, that is
 * on the namespace's "any" device, inbound on a node's TAP or outbound on
 * br0 for the kernel's own frames (Linux cooked v2 frames, whose header
 * names the interface). Not on br0 itself: the bridge forwards a frame to
 * the receiving TAP before it passes it up to br0 (net/bridge/br_input.c
 * br_handle_frame_finish), so a capture there could get a FIN after the
 * receiver's ACK of it whenever the forwarding CPU stalled between the
 * two, and the tracker would then never see the FIN acknowledged. A packet
 * socket sees a frame entering from a TAP before the bridge handles it
 * (net/core/dev.c __netif_receive_skb_core: ptype_all, then rx_handler),
 * and one sent by the kernel before br0 forwards it (dev_queue_xmit_nit,
 * then br_dev_xmit); one socket has one ring, filled in that order. So
 * the capture's order is the order the frames were sent, and a reply is
 * always after its cause.
 *
 * It plugs into the session's loop: wiretap_fd to watch, wiretap_poll when
 * it is readable (and before node events are handled, so a segment is shown
 * before the receiver's reaction to it), wiretap_advance every pass and a
 * timer for wiretap_next_deadline, so a TIME_WAIT ends on time while the
 * wire is quiet. */
#ifndef TCPSTEP_WIRETAP_H
#define TCPSTEP_WIRETAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracker.h"

struct netns;
struct wiretap;

struct wiretap_config {
	const char *write_path; /* record the frames here as pcap (NULL: do not) */
	int64_t msl_ns;         /* the tracker's TIME_WAIT = 2 x this */
	/* Called for every TCP segment (after the tracker saw it) and every
	 * inferred state change (a TRACKER_EV_STATE event, with the frame
	 * number of the newest segment seen then: decode's text names the
	 * cause's frame when it differs), in capture order. Either may be
	 * NULL. */
	void (*on_segment)(const struct segment *seg,
			   const struct tracker_seginfo *info, void *user);
	void (*on_state)(const struct tracker_event *ev, uint64_t last_pkt,
			 void *user);
	void *user;
};

/* Opens the capture inside ns (and the recording). NULL with the
 * reason in err on failure; nothing is left open. */
struct wiretap *wiretap_open(const struct netns *ns,
			     const struct wiretap_config *cfg, char *err,
			     size_t errsize);

/* The capture's descriptor, for epoll. */
int wiretap_fd(const struct wiretap *w);

/* Handles every frame captured so far, then flushes the recording so the
 * file trails the wire by at most one loop pass. False when the capture
 * or the recording failed (reason in err); the tap stays usable for
 * wiretap_close. */
bool wiretap_poll(struct wiretap *w, char *err, size_t errsize);

/* Capture time passes (CLOCK_REALTIME, the clock of the frames' stamps)
 * with no frame: a TIME_WAIT may end. */
void wiretap_advance(struct wiretap *w, int64_t now_ns);

/* True when every connection seen on the wire has ended (both endpoints
 * inferred CLOSED, a TIME_WAIT's 2 x MSL included), or when no frame has
 * crossed for 2 x MSL + 1 s before now_ns: then nothing the tracker still
 * holds open (an unanswered SYN, a connection whose last frames the kernel
 * dropped) can end on the wire, and a caller waiting for quiet must not
 * wait forever. */
bool wiretap_quiet(const struct wiretap *w, int64_t now_ns);

/* When wiretap_advance has something to do (the tracker's next timer), and
 * when wiretap_quiet becomes true by silence alone, seen at now_ns: capture
 * time (ns), or INT64_MAX for never or already (then it wakes nobody). */
int64_t wiretap_next_deadline(const struct wiretap *w);
int64_t wiretap_quiet_deadline(const struct wiretap *w, int64_t now_ns);

/* Frames read so far (each recorded, flushed by the end of its poll):
 * cheap, for a reader of the recording to see it has grown. */
uint64_t wiretap_frames(const struct wiretap *w);

/* The capture time (CLOCK_REALTIME ns) of the newest frame, 0 before any. */
int64_t wiretap_last_frame(const struct wiretap *w);

/* Frames the kernel dropped before the capture read them (its buffer
 * overflowed): the recording misses them and the inference may be wrong. */
unsigned long long wiretap_dropped(struct wiretap *w);

/* The capture's counters so far: frames read (and so recorded), and frames
 * the kernel dropped before they could be read (libpcap's pcap_stats:
 * ps_drop + ps_ifdrop; 0 when it has none). */
struct wiretap_stats {
	unsigned long long frames;
	unsigned long long dropped;
};
void wiretap_stats(struct wiretap *w, struct wiretap_stats *st);

/* Reads what is still captured, closes the recording (flushed) and the
 * capture. False if that last read failed, or the recording lost anything
 * wiretap_poll has not already reported (reason in err). NULL is
 * harmless. */
bool wiretap_close(struct wiretap *w, char *err, size_t errsize);

#endif
