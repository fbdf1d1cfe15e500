/* The live screen's model of a session (issue 10's "Connections: for each
 * endpoint the inferred state and lwIP's true state side by side"): fed by
 * the session's typed events (session/event.h), it keeps for every
 * connection both endpoints' state as the tracker infers it from the wire
 * and, where a node runs the endpoint, the state lwIP itself holds, says
 * whether they agree and, where not, why; with each node's held frames,
 * clock and TCP timers. No curses and no session calls: the tests feed it
 * events made by hand.
 *
 * A connection is known by its two addresses ("ip:port"), whichever side
 * saw it first: a node's state events name (local, remote), the wire's name
 * (client, server).
 *
 * It also keeps which wire frames a node dropped (drop-next-in, the
 * retransmission lesson) and whose the frames held at a paused node are,
 * for the ladder (see live_model_lost and live_model_held). */
#ifndef TCPSTEP_LIVE_MODEL_H
#define TCPSTEP_LIVE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "tcpstate.h"

#define LIVE_MAX_NODES 4

/* How an endpoint's true and inferred states compare. */
enum live_agree {
	LIVE_SAME,        /* they agree */
	LIVE_KERNEL,      /* a kernel endpoint: inferred only (nothing to compare) */
	LIVE_NOT_ON_WIRE, /* true only: nothing of it has crossed the wire yet */
	LIVE_LISTENER,    /* the documented difference of models: the RFC's
			   * listener goes LISTEN -> SYN_RCVD, lwIP's listener
			   * pcb stays in LISTEN and a new pcb takes the
			   * connection */
	LIVE_IN_FLIGHT,   /* they differ while a segment that settles it is
			   * held at a paused node (sent, not yet on the wire) */
	LIVE_DROPPED,     /* they differ since the newest segment to this
			   * endpoint crossed the wire (the tracker counts it)
			   * and was dropped at its node (drop-next-in) */
	LIVE_DIFFER,      /* a disagreement */
};

struct live_endpoint {
	char addr[SESSION_ADDR_MAX];
	int node;               /* the node at this address, -1: a kernel peer */
	bool inferred_known;
	enum tcpstate inferred;
	bool true_known;
	enum tcpstate truth;    /* CLOSED once lwIP's pcb is gone */
	bool timers_known;
	struct session_timers timers;
	enum live_agree agree;  /* as of the last event */
};

struct live_conn {
	uint64_t wire_id;       /* the tracker's connection number, 0: not yet */
	struct live_endpoint ep[2]; /* [0] client (opened it), [1] server */
};

struct live_node {
	char name[16];
	char ip[16];
	bool dead;
	int exit_status;        /* waitpid's, once dead */
	uint32_t held;
	struct session_clock clock; /* its clock events */
};

/* A frame that crossed the wire and was dropped by the node it was
 * addressed to (drop-next-in): it never arrived. */
struct live_lost {
	uint64_t pkt;           /* its frame number on the wire (segment.pkt) */
	uint64_t conn;          /* the tracker's connection id */
	int endpoint;           /* the endpoint it was addressed to: 0 client, 1 server */
	int node;               /* the node that dropped it */
	uint64_t vtime_ms;      /* that node's clock then */
};

struct live_model;

struct live_model *live_model_create(void);
void live_model_destroy(struct live_model *m); /* NULL is fine */

/* A node of the session (before its events come): its index, name and
 * address (a.b.c.d). False if the index is out of range. */
bool live_model_add_node(struct live_model *m, int node, const char *name,
			 const char *ip);

/* One event, in the session's order. Kinds it does not use are ignored. */
void live_model_event(struct live_model *m, const struct session_event *ev);

size_t live_model_conn_count(const struct live_model *m);
const struct live_conn *live_model_conn(const struct live_model *m, size_t i);
const struct live_node *live_model_node(const struct live_model *m, int node);

/* The node's clock now (CLOCK_MONOTONIC now_ns): the last clock event's
 * time, moved on by real time x speed while it runs. */
uint64_t live_model_node_time(const struct live_model *m, int node,
			      uint64_t now_ns);

/* The frame pkt if a node dropped it, else NULL. On SESSION_EV_DROPPED
 * the newest wire segment (SESSION_EV_WIRE_SEGMENT) addressed to that
 * node's IP whose flags fit the event's text ("SYN" a SYN without ACK,
 * "SYN-ACK", "FIN", "RST", "ACK" one without SYN, FIN or RST, "data" one
 * without ACK; any other text: any segment; "non-TCP frame": none) and not
 * already lost is the one: the session hands the wire's segment on before
 * the node's word that it dropped it (docs/control-protocol.md "Ordering"),
 * and a node drops the next frame that arrives. */
const struct live_lost *live_model_lost(const struct live_model *m, uint64_t pkt);
size_t live_model_lost_count(const struct live_model *m);

/* The frames held at the node of c's endpoint e now, into *held (0 for a
 * kernel endpoint, a dead node or none held). Returns true when they are
 * this connection's to show at its lifeline: c is the only connection of
 * that node that has not ended (every known state CLOSED). A node's held
 * frames are those of its connections, and the model cannot tell which of
 * several a frame is of, so with two or more open the answer is false: say
 * "N held at NODE", not at whose lifeline. */
bool live_model_held(const struct live_model *m, const struct live_conn *c,
		     int e, uint32_t *held);

/* One sentence on why an endpoint's states compare as they do (English;
 * "" for LIVE_SAME). */
const char *live_agree_text(enum live_agree a);

/* The endpoint's armed timers at node time now_ms, soonest first, as
 * "TIME_WAIT ends in 0.8 s", "retransmission in 2.1 s (RTO 3.0 s)", ...
 * joined by "; ", into buf; "" when none is armed. Returns the length. */
size_t live_timer_text(char *buf, size_t size, const struct session_timers *t,
		       uint64_t now_ms);

#endif
