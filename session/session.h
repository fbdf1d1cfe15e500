/* A live session: the private network (netns.h), the lwIP nodes running in
 * it, an optional kernel peer command, an optional pcap recording of the wire,
 * and the loop that reads the nodes' events (docs/control-protocol.md) and
 * prints them as headless text.
 *
 * One thread. Signals (SIGINT, SIGTERM, SIGHUP, SIGCHLD) arrive through a
 * signalfd in the same poll loop, so an interrupt or a dying node is handled
 * in order: the session stops, and session_destroy removes every process,
 * TAP, bridge and namespace it made. */
#ifndef TCPSTEP_SESSION_H
#define TCPSTEP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpstate.h"

struct session;

/* The session network: the kernel's side and the nodes' addresses. */
#define SESSION_SERVER_IP "192.0.2.2"
#define SESSION_CLIENT_IP "192.0.2.3"
#define SESSION_KERNEL_IP "192.0.2.1"

struct session_config {
	FILE *out;              /* headless event lines */
	const char *only;       /* print only this node's events (NULL: all) */
	bool show_states;       /* print true state changes */
	bool show_app;          /* print app output lines */
	bool show_wire;         /* print the states inferred from the wire (wiretap.h) */
	bool raw;               /* print every event as "NODE <protocol line>" */
	const char *pcap_path;  /* record the wire to this pcap file (NULL: no),
				 * through capture/recorder (wiretap.h) */
	bool has_seed;
	uint64_t seed;          /* nodes get distinct seeds derived from it */
	const char *msl;        /* seconds as given (checked), NULL: default */
};

/* Removes stale namespaces, creates the namespace and bridge, starts the
 * recording and takes over SIGINT/SIGTERM/SIGHUP/SIGCHLD. NULL + err on
 * failure (nothing left behind). */
struct session *session_create(const struct session_config *cfg, char *err,
			       size_t errsize);

/* Stops everything and removes what the session made. NULL is harmless. */
void session_destroy(struct session *s);

/* Starts node `name` (at most 8 bytes, [a-z]) with address ip (a.b.c.d, on
 * 192.0.2.0/24) on a new TAP "tap-<name>". extra is a NULL-terminated list of
 * further tcpstep-node options (--app ...). Returns the node's index, or -1
 * with err. The node's `hello` has arrived when this returns. */
int session_spawn_node(struct session *s, const char *name, const char *ip,
		       const char *const extra[], char *err, size_t errsize);

/* Runs `/bin/sh -c command` inside the namespace as the kernel peer; its
 * stdout and stderr are the session's. */
bool session_start_command(struct session *s, const char *command, char *err,
			   size_t errsize);

/* Runs the loop until pred(s, user) is true (checked after every pass),
 * timeout_ms passes (-1: never), or the session stops (signal, a node or
 * the control link died). */
enum session_wait {
	SESSION_WAIT_DONE,
	SESSION_WAIT_TIMEOUT,
	SESSION_WAIT_STOPPED,
};
enum session_wait session_wait(struct session *s,
			       bool (*pred)(struct session *s, void *user),
			       void *user, int timeout_ms);

/* Adds a line from another source than the nodes to the headless output,
 * in its place: stamp_ns is the CLOCK_MONOTONIC time (ns) it happened. It
 * is printed as is (terminal-safe text, no newline), merged with the
 * nodes' events by stamp (docs/control-protocol.md "Ordering"), once
 * everything stamped before it has been read. The capture's inferred
 * lines come in this way. */
void session_emit(struct session *s, uint64_t stamp_ns, const char *line);

/* A CLOCK_REALTIME time (ns; pcap's frame stamps) as CLOCK_MONOTONIC ns,
 * for session_emit (the offset is measured on every read of the loop). */
uint64_t session_mono_from_realtime(const struct session *s,
				    int64_t realtime_ns);

/* Sends one command line (protocol syntax, without '\n') to a node and waits
 * up to timeout_ms for its `ok`/`error` answer. Returns 1 for ok, 0 for
 * error (the error event is printed like any other), -1 if no answer came
 * (stopped or timeout; err says which). */
int session_command(struct session *s, int node, const char *line,
		    int timeout_ms, char *err, size_t errsize);

/* Why the session stopped: 128 + signal for an interrupt, 1 for a node that
 * died, 0 if it has not stopped. A message was already printed on stderr. */
int session_stop_status(const struct session *s);

/* What the loop has learnt. */
bool session_node_listening(const struct session *s, int node);
bool session_node_app_done(const struct session *s, int node, int *status);
/* True when the node has no connection other than listeners left (every
 * connection it reported has reached CLOSED, TIME_WAIT included). */
bool session_node_quiet(const struct session *s, int node);
bool session_command_done(const struct session *s, int *status);

/* True when every connection seen on the wire has ended as the tracker infers
 * it (its TIME_WAIT's 2 x MSL included), when the wire has been silent for
 * 2 x MSL + 1 s (nothing more can end there), or when nothing is captured. */
bool session_wire_quiet(const struct session *s);

/* True if node has reported entering state `to` (on any connection) since
 * it started; nothing is consumed. */
bool session_node_entered(const struct session *s, int node, enum tcpstate to);

/* For scripts: the first state change of node to `to` not yet consumed by
 * an earlier call; true (and consumed) if there is one. */
bool session_consume_state(struct session *s, int node, enum tcpstate to);

/* The id (decimal) of the newest connection (listener=false) or listener
 * the node reported in a `conn` event, or NULL if none yet. */
const char *session_node_last_id(const struct session *s, int node,
				 bool listener);

#endif
