/* What a live session tells whoever listens: typed events (a tagged union),
 * each with its CLOCK_MONOTONIC stamp, handed to sinks in the order the
 * session guarantees (docs/control-protocol.md "Ordering": merged by
 * stamp, a reaction never before its cause). The headless printer (ui/
 * headless_sink.c) is one sink, the TUI's model another, a test's recorder
 * a third. The session itself formats nothing and prints nothing.
 *
 * Strings in an event (text, raw, names) are valid during the sink's call
 * only; text that came from a node or the wire is as it was sent (decoded
 * from the protocol's percent-encoding, NOT escaped): a sink that puts it
 * on a terminal escapes it (common/textesc.h). */
#ifndef TCPSTEP_SESSION_EVENT_H
#define TCPSTEP_SESSION_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "segment.h"
#include "tcpstate.h"
#include "tracker.h"

enum session_event_kind {
	/* A node's events (docs/control-protocol.md "Events"), node >= 0. */
	SESSION_EV_NODE_STARTED,  /* it said hello */
	SESSION_EV_NODE_DIED,     /* it exited unexpectedly: u.status, text */
	SESSION_EV_NODE_STATE,    /* a true pcb state change: u.state, text = cause */
	SESSION_EV_APP_OUT,       /* one line the app printed: text */
	SESSION_EV_PLAY,          /* a manual connection's event: u.play, text */
	SESSION_EV_CONN,          /* a connection or listener got an id: u.conn */
	SESSION_EV_CONNS,         /* its number of connections: u.count */
	SESSION_EV_HELD,          /* frames held at the paused node: u.count */
	SESSION_EV_DROPPED,       /* drop-next-in dropped a frame: text = what */
	SESSION_EV_FIRED,         /* advance fired a timer: text = name, u.count */
	SESSION_EV_CLOCK,         /* the node's clock: u.clock */
	SESSION_EV_TIMERS,        /* a connection's TCP timers: u.timers */
	SESSION_EV_APP_DONE,      /* the app finished: u.status */
	SESSION_EV_ANSWER,        /* ok VERB / error KEY TEXT: u.answer, text */
	SESSION_EV_NODE_OTHER,    /* a valid line this controller does not know */
	SESSION_EV_NODE_MALFORMED, /* a line that is not valid: text = why */
	/* Not a node's (node = -1). */
	SESSION_EV_PEER_OUT,      /* one line of the kernel peer's output: text */
	SESSION_EV_WIRE_SEGMENT,  /* a TCP segment decoded from the wire: u.wire_seg */
	SESSION_EV_WIRE_STATE,    /* a state change inferred from the wire: u.wire_state */
	SESSION_EV_NOTICE,        /* the session has something to say: text
				   * (a node died, a signal, a capture failed);
				   * handed over at once, not in stamp order */
	SESSION_EV_KINDS
};

/* The bit of a kind in session_sink.kinds. */
#define SESSION_EV_BIT(kind) (1ull << (kind))

enum session_play {
	SESSION_PLAY_CONNECTED, /* `connected ID` */
	SESSION_PLAY_DATA,      /* `data ID TEXT` */
	SESSION_PLAY_EOF,       /* `eof ID` (FIN received) */
	SESSION_PLAY_ERROR,     /* `conn-error ID TEXT` (the id is gone) */
};

/* Addresses as "a.b.c.d:port"; an unspecified one ("-") as "0.0.0.0:0". */
#define SESSION_ADDR_MAX 24

struct session_event {
	enum session_event_kind kind;
	uint64_t stamp_ns;          /* when it happened (CLOCK_MONOTONIC) */
	int node;                   /* the node's index, -1 if not a node's */
	const char *node_name;      /* "" if not a node's */
	/* A node's event: the protocol line as read, without its stamp and
	 * newline (for --raw); NULL otherwise. */
	const char *raw;
	size_t raw_len;
	/* Free text (see each kind), "" if none; may hold any byte. */
	const char *text;
	size_t text_len;
	uint64_t vtime_ms;          /* the node's clock (STATE, DROPPED, FIRED, CLOCK) */
	union {
		struct {
			char local[SESSION_ADDR_MAX], remote[SESSION_ADDR_MAX];
			enum tcpstate from, to;
		} state;
		struct {
			enum session_play what;
			uint32_t id;
		} play;
		struct {
			uint32_t id;
			char local[SESSION_ADDR_MAX], remote[SESSION_ADDR_MAX];
			bool listener;
		} conn;
		uint32_t count;     /* CONNS, HELD, FIRED (deadlines advanced) */
		struct {
			bool running;
			double speed;
			bool has_next;
			uint64_t next_ms; /* next timer deadline, node time */
		} clock;
		struct session_timers {
			char local[SESSION_ADDR_MAX], remote[SESSION_ADDR_MAX];
			uint32_t rto_ms;
			/* deadlines in node time (ms); -1: not armed */
			int64_t rtx, persist, keepalive, delack, timewait;
		} timers;
		int status;         /* APP_DONE; NODE_DIED: the waitpid status */
		struct {
			bool ok;
			char verb[16];  /* ok: the command answered */
			char key[32];   /* error: its stable key */
		} answer;
		struct {
			/* payload is NULL (the bytes are not kept) */
			struct segment seg;
			struct tracker_seginfo info;
		} wire_seg;
		struct {
			struct tracker_event ev;  /* a TRACKER_EV_STATE */
			uint64_t last_pkt;  /* frame of the newest segment then */
		} wire_state;
	} u;
};

/* One listener. kinds: SESSION_EV_BIT()s of the kinds it wants, 0 for all
 * (the session does not even queue a wire segment nobody wants). */
struct session_sink {
	void (*event)(const struct session_event *ev, void *user);
	void *user;
	uint64_t kinds;
};

/* A node's clock as its CLOCK events tell it: the session's node model and
 * the UI's live model keep one each. */
struct session_clock {
	bool known;             /* a CLOCK event has come */
	bool running;
	double speed;
	uint64_t vtime_ms;      /* the node's time at stamp_ns */
	uint64_t stamp_ns;      /* CLOCK_MONOTONIC */
	bool has_next;
	uint64_t next_ms;       /* its next timer deadline, node time */
};

/* Takes in a SESSION_EV_CLOCK event. */
void session_clock_set(struct session_clock *c, const struct session_event *ev);

/* The node's time (ns) at CLOCK_MONOTONIC now_ns: the last event's, moved
 * on by the real time since x speed while it runs; 0 before any. */
uint64_t session_clock_now_ns(const struct session_clock *c, uint64_t now_ns);

/* The kind's name, for tests and debugging ("node-state"). */
const char *session_event_kind_name(enum session_event_kind kind);

#endif
