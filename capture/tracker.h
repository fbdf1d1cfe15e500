/* The connection tracker: infers, from segments seen on the wire, the RFC
 * 9293 state of both endpoints of every TCP connection, plus per-segment
 * analysis (relative numbers, retransmissions, ...). Pure logic: no I/O, no
 * printing; fed by decode.c from any source (live or file), read by the
 * headless printers, the UI and the tests.
 *
 * Usage (libinput-style: feed, then drain events):
 *   struct tracker *t = tracker_create(&cfg);
 *   for each segment s (in capture order):
 *       tracker_advance(t, s.ts_ns);      // fires TIME_WAIT expiries first
 *       tracker_input(t, &s, &info);      // info: conn id, rel seq/ack, marks
 *       print the segment with info, then drain:
 *       while (tracker_next_event(t, &ev)) ...
 *   tracker_finish(t); drain; tracker_destroy(t);
 */
#ifndef TCPSTEP_TRACKER_H
#define TCPSTEP_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

#include "segment.h"
#include "tcpstate.h"

struct tracker;
struct tracker_transition;

struct tracker_config {
	int64_t msl_ns; /* TIME_WAIT lasts 2 x this; <= 0 means the default 60 s */
	/* Only TRACKER_EV_CONN summaries are queued: the state machines run
	 * exactly as usual (same summaries, same illegal-transition count),
	 * but no TRACKER_EV_STATE event is made (`decode --summary` prints
	 * none, and a state event per transition would cost it a quarter of
	 * its event traffic). */
	bool summaries_only;
	/* When set (and summaries_only is not), each state change is handed
	 * to on_state(on_state_user, ...) as it is decided, instead of being
	 * queued as a TRACKER_EV_STATE event: only the summaries are queued.
	 * The calls come in the order the events would have been queued, a
	 * connection's before its summary. For the replay index, which keeps
	 * a few fields of each: a queued event is about 200 bytes zeroed,
	 * filled and copied out. The callback must not call the tracker. */
	void (*on_state)(void *user, const struct tracker_transition *tr);
	void *on_state_user;
};

/* Analysis marks on one segment (bit set), in the spirit of Wireshark's
 * tcp.analysis flags. */
enum tracker_mark {
	TRACKER_MARK_RETRANSMISSION = 1u << 0,
	TRACKER_MARK_OUT_OF_ORDER = 1u << 1,
	TRACKER_MARK_DUP_ACK = 1u << 2,
	TRACKER_MARK_ZERO_WINDOW = 1u << 3,
	TRACKER_MARK_WINDOW_UPDATE = 1u << 4,
	TRACKER_MARK_KEEP_ALIVE = 1u << 5,
	TRACKER_MARK_ACKED_UNSEEN = 1u << 6,
	TRACKER_MARK_PREV_NOT_CAPTURED = 1u << 7,
	TRACKER_MARK_RST_IGNORED = 1u << 8, /* outside the window: no state change */
};

/* "retransmission", "out-of-order", "dup-ack", "zero-window",
 * "window-update", "keep-alive", "acked-unseen", "prev-not-captured",
 * "rst-ignored" */
const char *tracker_mark_to_str(enum tracker_mark m);

/* What the tracker says about one segment, filled by tracker_input. */
struct tracker_seginfo {
	uint64_t conn;        /* connection id, 1-based, in order of first sight */
	int from_endpoint;    /* 0 = client (opened it, or first seen sending), 1 = server */
	uint32_t rel_seq;     /* seq relative to the sender's ISN (or first seq seen) */
	uint32_t rel_ack;     /* ack relative to the receiver's ISN; 0 if no ACK flag */
	unsigned marks;       /* enum tracker_mark bits */
	unsigned dup_ack_count; /* with TRACKER_MARK_DUP_ACK: 1 for the first duplicate */
	/* Why, when a mark needs a reason (TRACKER_MARK_RST_IGNORED), or
	 * on a SYN with a new ISN on an open connection (syn_new_isn): a
	 * plain-language sentence and a stable key (see docs/states.md);
	 * both NULL otherwise. Static strings. */
	const char *note;
	const char *note_reason;
	/* Set on the SYN-ACK that proved a bare SYN with a new ISN, seen on a
	 * connection that never closed, opened this new connection
	 * (docs/states.md, "A new handshake on ports whose connection never
	 * closed"): that SYN's frame, and the connection it was given to
	 * when it was fed (the old one, now superseded). Its retransmissions
	 * before the SYN-ACK, if any, follow it there: the frames of syn_conn
	 * from syn_pkt on belong to this connection. 0 otherwise. */
	uint64_t syn_pkt;
	uint64_t syn_conn;
};

enum tracker_event_type {
	TRACKER_EV_STATE, /* an endpoint changed state */
	TRACKER_EV_CONN,  /* a connection's summary: released, or at finish */
};

/* Why a transition happened: a stable key for the UI's explanations and
 * for tests, plus the text shown in headless output ("rcvd SYN-ACK"). */
struct tracker_state_change {
	int endpoint;             /* 0 client, 1 server */
	enum tcpstate from, to;
	const char *cause;        /* e.g. "rcvd SYN-ACK", "sent FIN", "2MSL timer" */
	const char *reason;       /* stable key, e.g. "synack_rcvd", "time_wait_expired" */
	bool by_timer;            /* caused by the 2MSL timer, not a segment */
};

/* A state change given to tracker_config.on_state: what a
 * TRACKER_EV_STATE event would carry. addr and port point into the
 * tracker's connection: valid during the call only. */
struct tracker_transition {
	uint64_t conn;
	uint64_t pkt;             /* as tracker_event.pkt */
	int64_t ts_ns;            /* as tracker_event.ts_ns */
	struct tracker_state_change state;
	uint8_t ip_version;
	const uint8_t (*addr)[16]; /* [0] client, [1] server */
	const uint16_t *port;
};

struct tracker_conn_summary {
	bool handshake;           /* the three-way handshake was seen */
	bool mid_stream;          /* capture began after the connection opened */
	int closed_by;            /* endpoint that sent the first FIN, or -1 */
	int reset_by;             /* endpoint that sent an accepted RST, or -1 */
	bool superseded;          /* ended by a new handshake on its ports */
	/* per direction, [0] sent by the client, [1] by the server */
	uint64_t syn[2], synack[2], fin[2], rst[2], bytes[2], retransmissions[2];
	enum tcpstate final_state[2];
	uint64_t first_pkt, last_pkt;
};

/* Events come out in the order the tracker decides them. A transition
 * that only a later segment can decide (a server's LISTEN -> SYN_RCVD is
 * known from its SYN-ACK, an ESTABLISHED -> CLOSE_WAIT from the ACK of the
 * FIN; see docs/states.md) carries the packet number and time of the SYN
 * or FIN that caused it, so its pkt can be older than the segment just
 * fed. */
struct tracker_event {
	enum tracker_event_type type;
	uint64_t pkt;     /* the causing segment's frame number; for a timer, the last frame seen */
	int64_t ts_ns;    /* that segment's time, or the timer's deadline */
	uint64_t conn;
	/* endpoints: [0] client, [1] server */
	uint8_t ip_version;
	uint8_t addr[2][16];
	uint16_t port[2];
	union {
		struct tracker_state_change state;
		struct tracker_conn_summary conn_summary;
	} u;
};

/* NULL on allocation failure. cfg may be NULL for defaults. */
struct tracker *tracker_create(const struct tracker_config *cfg);
void tracker_destroy(struct tracker *t); /* NULL is fine */

/* Fires timers (TIME_WAIT expiry) due at or before now_ns. */
void tracker_advance(struct tracker *t, int64_t now_ns);

/* When the next timer is due (capture time, ns; INT64_MAX when none): a
 * live caller sleeps until then instead of polling tracker_advance. */
int64_t tracker_next_deadline(const struct tracker *t);

/* Feeds one segment; fills *info (may be NULL). Returns false only when
 * memory ran out (the segment was not tracked; info->conn is 0). */
bool tracker_input(struct tracker *t, const struct segment *seg,
		   struct tracker_seginfo *info);

/* End of input: emits a TRACKER_EV_CONN summary for every open connection
 * (in connection order) and frees all connections. */
void tracker_finish(struct tracker *t);

/* The same, one connection at a time: emits the summary of the oldest
 * open connection (freeing it and the closed ones before it); false when
 * none is left. Draining the events after each step keeps the queue
 * short, where tracker_finish queues every summary at once (tens of MB
 * at the end of a big capture). */
bool tracker_finish_step(struct tracker *t);

/* True when an event is pending (a cheap check before popping). */
bool tracker_has_event(const struct tracker *t);

/* Pops the oldest pending event into *ev; false when there is none. Strings
 * in the event stay valid until the tracker is destroyed. */
bool tracker_next_event(struct tracker *t, struct tracker_event *ev);

/* Connections currently held in memory (for the memory-bound tests): the
 * open ones, plus closed ones lingering one MSL after their summary so
 * that late segments keep their connection id. */
uint64_t tracker_open_connections(const struct tracker *t);

/* The one table of transitions the tracker may emit (RFC 9293 section
 * 3.3.2 and its event processing in 3.10, plus CLOSED -> ESTABLISHED for a
 * connection joined mid-stream). */
bool tracker_transition_legal(enum tcpstate from, enum tcpstate to);

/* Transitions emitted that the table does not allow: always 0 unless the
 * tracker has a bug (the tests assert it). Such a transition is still
 * emitted, so the displayed states stay consistent, and counted here. */
uint64_t tracker_illegal_transitions(const struct tracker *t);

/* The reason keys (state changes and segment notes), for the UI and docs:
 * tracker_reason_key(i) for i = 0, 1, ... until NULL; and the one-line
 * plain-language explanation of a key (NULL for an unknown key). */
const char *tracker_reason_key(unsigned i);
const char *tracker_reason_explain(const char *reason);

#endif
