/* A live session as an engine: the private network (netns.h), the lwIP
 * nodes running in it, an optional kernel peer command, an optional pcap
 * recording of the wire, and the connection tracker's inference from it.
 * It reads the nodes' protocol lines and the captured frames, turns them
 * into typed events (event.h), keeps its model of each node up to date as
 * they are read, and hands them, in causal order (docs/control-protocol.md
 * "Ordering"), to its sinks. It prints nothing: ui/headless_sink.c turns
 * the events into the headless text, the TUI into its model.
 *
 * One thread, one loop (loop.h): the session's fds (node sockets, the
 * capture, its signalfd, the kernel peer's output) are registered on it,
 * beside whatever the front end registers (a script, the terminal).
 * Signals (SIGINT, SIGTERM, SIGHUP, SIGCHLD) arrive through a signalfd, so
 * an interrupt or a dying node is handled in order: the session stops, and
 * session_destroy removes every process, TAP, bridge and namespace it made.
 *
 * Commands go in through asynchronous calls (session_send and the typed
 * ones below) whose completion comes back through a callback, so a UI key
 * never blocks the loop; session_command and session_wait are the blocking
 * helpers the scripts use, built on them. */
#ifndef TCPSTEP_SESSION_H
#define TCPSTEP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "loop.h"
#include "tcpstate.h"

struct session;

/* The session network: the kernel's side and the nodes' addresses. */
#define SESSION_SERVER_IP "192.0.2.2"
#define SESSION_CLIENT_IP "192.0.2.3"
#define SESSION_KERNEL_IP "192.0.2.1"

#define SESSION_MAX_NODES 4
#define SESSION_MAX_SINKS 4

struct session_config {
	/* Where the events go, in order (SESSION_MAX_SINKS at most). */
	struct session_sink sinks[SESSION_MAX_SINKS];
	int nsinks;
	/* The loop to register on (NULL: the session makes its own; see
	 * session_loop). A loop given here outlives the session. */
	struct loop *loop;
	const char *pcap_path;  /* record the wire to this pcap file (NULL: no) */
	bool has_seed;
	uint64_t seed;          /* nodes get distinct seeds derived from it */
	int64_t msl_ns;         /* ctlmsg_parse_msl; 0: the node's default (2 s) */
	/* A node that dies (or closes its control socket) does not end the
	 * session: the NODE_DIED event says so, the rest goes on (a UI shows
	 * it dead and stays usable). Headless, a death ends the session. */
	bool survive_node_death;
	/* The tracker's own timers on the wire (TIME_WAIT's 2 x MSL ending
	 * with no frame) run on the nodes' clock, the classroom clock, not
	 * the wall's (session_wire_clock): while every node is paused no
	 * TIME_WAIT ends on the wire, as none ends in lwIP, and an advance
	 * moves both as far. For a UI that pauses; headless keeps the wall
	 * clock (its output unchanged). */
	bool wire_on_node_clock;
};

/* Removes stale namespaces, creates the namespace and bridge, starts the
 * capture (and the recording) and takes over SIGINT/SIGTERM/SIGHUP/SIGCHLD.
 * NULL + err on failure (nothing left behind). */
struct session *session_create(const struct session_config *cfg, char *err,
			       size_t errsize);

/* Stops everything and removes what the session made, handing the sinks
 * every event still queued. NULL is harmless. */
void session_destroy(struct session *s);

/* The loop the session is registered on. */
struct loop *session_loop(const struct session *s);

/* Starts node `name` (at most 8 bytes, [a-z]) with address ip (a.b.c.d, on
 * 192.0.2.0/24) on a new TAP "tap-<name>". extra is a NULL-terminated list of
 * further tcpstep-node options (--app ...). Returns the node's index, or -1
 * with err. The node's `hello` has arrived when this returns. */
int session_spawn_node(struct session *s, const char *name, const char *ip,
		       const char *const extra[], char *err, size_t errsize);

/* Runs `/bin/sh -c command` inside the namespace as the kernel peer (one at
 * a time). Its stdin, stdout and stderr are the session's, and on a
 * terminal it becomes the foreground job (an interactive nc gets the
 * keyboard); with SESSION_CMD_CAPTURE each line it writes to stdout is a
 * SESSION_EV_PEER_OUT event, in its place among the others (stamped when
 * read); with SESSION_CMD_DETACHED (a full-screen UI) its stdin is
 * /dev/null, its stderr is captured too, and the terminal stays ours. */
enum {
	SESSION_CMD_CAPTURE = 1u,
	SESSION_CMD_DETACHED = 2u,
};
bool session_start_command(struct session *s, const char *command,
			   unsigned flags, char *err, size_t errsize);

/* --- Commands ---------------------------------------------------------------
 * The playground's and the clock's API for a front end that must not block
 * (the live TUI); the headless commands use the blocking session_command.
 * Sent at once; the completion is called when the node answers (ok is the
 * answer's, key and text an error's, "" otherwise), or with ok false and
 * key "node-gone" if it dies first. It may be NULL. Returns false (with err)
 * when the command could not be sent; the completion is then not called. */
typedef void session_done_fn(struct session *s, int node, bool ok,
			     const char *key, const char *text, void *user);

/* One command line of the protocol (docs/control-protocol.md "Commands"),
 * without '\n'. */
bool session_send(struct session *s, int node, const char *line,
		  session_done_fn *done, void *user, char *err,
		  size_t errsize);

/* The socket playground and the clock, typed. id: the connection's id (the
 * node's `conn` event). text: any bytes (percent-encoded on the way). */
bool session_listen(struct session *s, int node, uint16_t port,
		    session_done_fn *done, void *user, char *err, size_t errsize);
bool session_connect(struct session *s, int node, const char *ip,
		     uint16_t port, session_done_fn *done, void *user,
		     char *err, size_t errsize);
bool session_write(struct session *s, int node, uint32_t id, const void *text,
		   size_t len, session_done_fn *done, void *user, char *err,
		   size_t errsize);
enum session_conn_op {
	SESSION_SHUTDOWN, /* shutdown(write): FIN, the half-close */
	SESSION_CLOSE,    /* close: FIN (RST if data was not read) */
	SESSION_ABORT,    /* abort (SO_LINGER 0): RST, no TIME_WAIT */
};
bool session_conn_op(struct session *s, int node, uint32_t id,
		     enum session_conn_op op, session_done_fn *done, void *user,
		     char *err, size_t errsize);
enum session_clock_op {
	SESSION_RUN,       /* the clock runs; held frames go */
	SESSION_PAUSE,     /* the clock stops; outgoing frames are held */
	SESSION_STEP,      /* release the oldest held frame */
	SESSION_ADVANCE,   /* fire the next timer (paused) */
	SESSION_DROP_NEXT, /* drop the next frame arriving at the node */
};
bool session_clock_op(struct session *s, int node, enum session_clock_op op,
		      session_done_fn *done, void *user, char *err,
		      size_t errsize);
/* The same, deadline after deadline, until one does something a lesson
 * shows (a state change, a segment held, app output...; at most a minute
 * of node time): straight to a retransmission or the end of TIME_WAIT.
 * The completion comes once, after the last step. */
int session_advance_until_event(struct session *s, session_done_fn *done,
				void *user, char *err, size_t errsize);

/* The node holding the oldest held frame of all (by the stamp of the `held`
 * event that counted it), -1 if none holds one. */
int session_oldest_held(const struct session *s);
/* One step of the whole exchange: releases that frame, so one segment
 * crosses the wire per call whichever node sent it. Returns the node, or
 * -1 with err when nothing is held. */
int session_step_oldest(struct session *s, session_done_fn *done, void *user,
			char *err, size_t errsize);

/* The classroom clock: every node paused or running at once (one
 * completion, when all have answered; node -1). */
bool session_clock_all(struct session *s, bool run, session_done_fn *done,
		       void *user, char *err, size_t errsize);
/* The next timer of any node, the nodes' clocks in step: every node must be
 * paused; the one whose next deadline is nearest (from its own clock)
 * advances to it and fires it, every other node's clock moves on by as
 * much (`advance-to`), firing what falls due on the way. Returns the node
 * whose timer fired (its `fired` event names the timer), or -1 with err.
 * The completion names that node. */
int session_advance_all(struct session *s, session_done_fn *done, void *user,
			char *err, size_t errsize);

/* Clock speed factor, 0.1 to 100. */
bool session_speed(struct session *s, int node, double factor,
		   session_done_fn *done, void *user, char *err,
		   size_t errsize);

/* Blocking: session_send, then the loop runs until the answer comes, up to
 * timeout_ms. Returns 1 for ok, 0 for error, -1 if no answer came (stopped
 * or timeout; err says which). */
int session_command(struct session *s, int node, const char *line,
		    int timeout_ms, char *err, size_t errsize);

/* Runs the loop until pred(s, user) is true (checked after every pass:
 * events change it as they are read), timeout_ms passes (-1: never), or
 * the session stops (signal, a node or the control link died). Before it
 * returns, the events read so far are handed to the sinks as far as the
 * order allows. */
enum session_wait {
	SESSION_WAIT_DONE,
	SESSION_WAIT_TIMEOUT,
	SESSION_WAIT_STOPPED,
};
enum session_wait session_wait(struct session *s,
			       bool (*pred)(struct session *s, void *user),
			       void *user, int timeout_ms);

/* Ends the session with this status (as a signal would: 128 + N), e.g. when
 * the front end's output has gone. The first status given stays. */
void session_stop(struct session *s, int status);

/* Why the session stopped: 128 + signal for an interrupt, 1 for a node that
 * died, 0 if it has not stopped. A notice event has said why. */
int session_stop_status(const struct session *s);

/* --- The model, as the events read so far make it ----------------------- */

struct session_conn_info {
	uint32_t id;            /* 0 until the node's `conn` event names it */
	char local[SESSION_ADDR_MAX], remote[SESSION_ADDR_MAX];
	enum tcpstate state;    /* its true state (CLOSED only until its first
				 * state event: then it is gone) */
	bool listener;
	bool timers_known;
	struct session_timers timers; /* its last `timers` event */
};

struct session_node_info {
	const char *name;
	const char *ip;
	bool started;           /* said hello */
	bool alive;             /* its process runs */
	bool died;              /* ended unexpectedly (exit_status says how) */
	int exit_status;        /* waitpid status, once it ended */
	bool app_done;
	int app_status;
	uint32_t held;          /* frames held while paused */
	uint32_t conns;         /* connections (neither LISTEN nor CLOSED) */
	struct session_clock clock; /* its clock, from its last CLOCK event */
	size_t nconns;          /* entries in conn (listeners included) */
	const struct session_conn_info *conn;
};

int session_node_count(const struct session *s);
/* false if there is no such node. */
bool session_node_info(const struct session *s, int node,
		       struct session_node_info *out);

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

/* The wire's clock for what ends there by time alone (CLOCK_REALTIME ns,
 * the capture's time base): the wall clock, or with wire_on_node_clock the
 * capture time of the newest frame moved on by the nodes' clock since (it
 * never goes back). *rate: how fast it moves against the wall clock now
 * (0 while the nodes are paused). */
int64_t session_wire_clock(struct session *s, double *rate);

/* The capture of the wire so far: frames read (and recorded), and frames
 * the kernel dropped before they could be read, its buffer full (libpcap's
 * counters). False when nothing is captured. */
bool session_capture_stats(struct session *s, unsigned long long *frames,
			   unsigned long long *dropped);

/* Frames captured and recorded so far (no system call: for a screen that
 * follows the recording, which has grown when this has; the frames' events
 * come later, held back for their order). 0 when nothing is captured. */
uint64_t session_wire_frames(const struct session *s);

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
