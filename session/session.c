/* The controller's side of a live session (session.h): spawns tcpstep-node
 * processes inside the session namespace with their control socket as fd 3,
 * reads their events and the wire's, orders them and hands them to the
 * sinks, and tears everything down in order.
 * Protocol: docs/control-protocol.md; codec: common/ctlmsg.h. */
#define _GNU_SOURCE /* signalfd, close_range, pipe2 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "errbuf.h"
#include "evline.h"
#include "evqueue.h"
#include "netns.h"
#include "source.h"
#include "textesc.h"
#include "wiretap.h"

/* How long a node gets to say hello, and to exit after `quit`. */
#define SESSION_HELLO_MS 5000
#define SESSION_QUIT_MS 2000

/* Ordering (docs/control-protocol.md "Ordering"). A node's event may be
 * handed on once a complete read of every source began after its stamp; the
 * capture's need a little more (SESSION_WIRE_HOLD_NS, see held_back). */
#define SESSION_WIRE_HOLD_NS (10 * 1000000ULL)
/* Read rounds per collect at most, and bytes per node per round: a flood
 * cannot keep the loop from signals; what is left waits for the next pass
 * (and a round cut short moves no horizon). */
#define SESSION_ROUNDS_MAX 8
#define SESSION_READ_BUDGET (256 * 1024)
/* How long session_wait may go on handing on what it has read before it
 * returns (events still held back: see settle). */
#define SESSION_SETTLE_EXTRA_NS (20 * 1000000ULL)
/* Sources of the merge queue: node indexes, then the others. */
#define SESSION_SOURCE_WIRE SESSION_MAX_NODES
#define SESSION_SOURCE_PEER (SESSION_MAX_NODES + 1)

#define MS_NS 1000000ULL

/* A command sent and not yet answered (answers come in order). */
struct pending {
	char verb[16];
	session_done_fn *done;
	void *user;
	struct pending *next;
};

struct node {
	struct session *s;
	int index;
	char name[16];
	char tap[16];
	char ip[16];
	pid_t pid;              /* 0 once reaped */
	int fd;                 /* control socket, -1 once closed */
	struct ctlmsg_reader rd;
	uint64_t read_ns;       /* when the bytes being split were read */
	uint64_t last_stamp;    /* of its newest queued event */
	bool hello;
	bool app_done;
	int app_status;
	bool quitting;          /* we sent quit (or are tearing down) */
	bool died;
	int exit_status;
	uint32_t held, nconns_reported;
	/* When each frame still held was held (the stamps of the `held`
	 * events that counted it), oldest first: the order in which steps
	 * release them, and which node holds the oldest of all. */
	uint64_t *held_at;
	size_t nheld_at, capheld_at;
	struct session_clock clock; /* its clock events */
	/* Connections it reported, until they reach CLOSED. */
	struct session_conn_info *conns;
	size_t nconns, capconns;
	/* Every state it entered, in order, for session_consume_state. */
	enum tcpstate *log;
	size_t nlog, caplog, cursor;
	/* Ids of the newest connection and listener it reported (`conn`). */
	char last_conn[24], last_listener[24];
	struct pending *pending, **pending_tail;
};

struct session {
	struct session_config cfg;
	struct loop *loop;
	bool own_loop;
	struct netns *ns;
	int sigfd;
	sigset_t oldmask;
	struct sigaction oldpipe;
	struct node nodes[SESSION_MAX_NODES];
	int nnodes;
	uint64_t wanted;        /* kinds some sink wants */
	/* Node events a lesson shows happening (a state change, a segment
	 * held, app output, a connection event, a drop), counted as read: an
	 * advance that moved none of them fired a timer that did nothing. */
	uint64_t visible;
	pid_t cmd_pid;          /* 0: none or reaped; also its process group */
	bool cmd_done;
	int cmd_tty;            /* the terminal the peer was given, or -1 */
	struct sigaction oldttou;
	int cmd_status;         /* exit code (128 + signal if killed) */
	int peer_fd;            /* the peer's stdout when captured, or -1 */
	char peer_buf[1024];
	size_t peer_len;
	uint64_t peer_stamp;    /* of its newest queued line */
	struct wiretap *wire;   /* the wire: recording and inference, or NULL */
	bool wire_failed;       /* its capture or recording failed (and was said) */
	struct evqueue *q;      /* read, not yet handed on (in stamp order) */
	uint64_t horizon;       /* events stamped before this may be handed on */
	int64_t real_minus_mono; /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	/* wire_on_node_clock (session_wire_clock): the clock's last value,
	 * and the newest frame's capture time and the nodes' time then. */
	int64_t wire_clock, anchor_frame;
	uint64_t anchor_vt_ns;
	uint64_t last_wire_stamp; /* of the capture's newest queued event */
	uint64_t collected_pass; /* the loop pass of the last collect */
	long long wake_timer;   /* see arm_wake: 0 when none */
	uint64_t wake_at;
	int stop_status;        /* see session_stop_status */
	char node_path[PATH_MAX];
	/* An event's decoded text while it is being built. */
	char text[EVLINE_TEXT_MAX];
	/* An event laid out for the queue (queue_event): evqueue_push copies
	 * it, so one buffer serves every event, no allocation of its own. */
	char blob[sizeof(struct session_event) + EVLINE_TEXT_MAX +
		  CTLMSG_LINE_MAX + 2];
};

/* --- Events out ------------------------------------------------------------- */

static bool wanted(const struct session *s, enum session_event_kind kind)
{
	return s->wanted & SESSION_EV_BIT(kind);
}

static void deliver(struct session *s, const struct session_event *ev)
{
	for (int i = 0; i < s->cfg.nsinks; i++) {
		const struct session_sink *k = &s->cfg.sinks[i];

		if (!k->kinds || (k->kinds & SESSION_EV_BIT(ev->kind)))
			k->event(ev, k->user);
	}
}

static void notice(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Something the session has to say (what was a line on stderr): handed on
 * at once, not in stamp order. */
static void notice(struct session *s, const char *fmt, ...)
{
	struct session_event ev = { .kind = SESSION_EV_NOTICE, .node = -1,
				    .node_name = "" };
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	ev.stamp_ns = ctlmsg_now_ns();
	ev.text = buf;
	ev.text_len = n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n
							  : sizeof buf - 1;
	deliver(s, &ev);
}

/* Queued as the event struct, then its text, then its raw line (the
 * pointers are set again when it comes out). */
static void queue_event(struct session *s, int source,
			const struct session_event *ev)
{
	size_t len = sizeof *ev + ev->text_len + 1 + ev->raw_len + 1;
	char *blob = s->blob;
	struct session_event copy = *ev;

	/* texts are at most a line (evline.h, the peer's buffer) */
	if (len > sizeof s->blob) {
		notice(s, "an over-long event was dropped");
		return;
	}
	copy.text = copy.raw = copy.node_name = NULL;
	memcpy(blob, &copy, sizeof copy);
	memcpy(blob + sizeof copy, ev->text, ev->text_len);
	blob[sizeof copy + ev->text_len] = '\0';
	if (ev->raw_len)
		memcpy(blob + sizeof copy + ev->text_len + 1, ev->raw,
		       ev->raw_len);
	blob[len - 1] = '\0';
	if (!evqueue_push(s->q, ev->stamp_ns, source, blob, len))
		notice(s, "out of memory, an event was dropped");
}

/* Hands on (in stamp order) every queued event stamped before horizon. */
static void release(struct session *s, uint64_t horizon)
{
	struct evqueue_item it;

	while (evqueue_pop(s->q, horizon, &it)) {
		struct session_event ev;

		memcpy(&ev, it.line, sizeof ev);
		ev.text = it.line + sizeof ev;
		ev.raw = ev.raw_len ? ev.text + ev.text_len + 1 : NULL;
		ev.node_name = ev.node >= 0 && ev.node < s->nnodes
			       ? s->nodes[ev.node].name : "";
		deliver(s, &ev);
	}
}

/* --- Finding the node executable (see the contract: $TCPSTEP_NODE, then next
 * to tcpstep, then the build tree's stack/). --------------------------------- */

static bool find_node(char *dst, size_t size, char *err, size_t errsize)
{
	const char *env = getenv("TCPSTEP_NODE");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		if (access(env, X_OK) != 0) {
			errbuf_set(err, errsize,
			       "TCPSTEP_NODE=%s is not an executable file", env);
			return false;
		}
		snprintf(dst, size, "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		errbuf_set(err, errsize, "cannot find my own executable: %s",
		       strerror(errno));
		return false;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	if (snprintf(dst, size, "%s/tcpstep-node", self) < (int)size &&
	    access(dst, X_OK) == 0)
		return true;
	if (snprintf(dst, size, "%s/../stack/tcpstep-node", self) < (int)size &&
	    access(dst, X_OK) == 0)
		return true;
	errbuf_set(err, errsize,
	       "cannot find tcpstep-node (looked in %s and %s/../stack; set "
	       "TCPSTEP_NODE to its path)", self, self);
	return false;
}

void session_stop(struct session *s, int status)
{
	if (!s->stop_status)
		s->stop_status = status;
}

/* --- The node model: updated as each event is read ------------------------ */

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static struct session_conn_info *find_conn(struct node *n, const char *local,
					   const char *remote)
{
	for (size_t i = 0; i < n->nconns; i++)
		if (!strcmp(n->conns[i].local, local) &&
		    !strcmp(n->conns[i].remote, remote))
			return &n->conns[i];
	return NULL;
}

static struct session_conn_info *add_conn(struct node *n, const char *local,
					  const char *remote)
{
	struct session_conn_info *c;

	if (!grow((void **)&n->conns, &n->capconns, n->nconns + 1,
		  sizeof *n->conns))
		return NULL;
	c = &n->conns[n->nconns++];
	memset(c, 0, sizeof *c);
	snprintf(c->local, sizeof c->local, "%s", local);
	snprintf(c->remote, sizeof c->remote, "%s", remote);
	c->state = TCPSTATE_CLOSED;
	return c;
}

static void note_state(struct node *n, const char *local, const char *remote,
		       enum tcpstate to)
{
	struct session_conn_info *c = find_conn(n, local, remote);

	if (grow((void **)&n->log, &n->caplog, n->nlog + 1, sizeof *n->log))
		n->log[n->nlog++] = to;
	if (to == TCPSTATE_CLOSED) {
		if (c)
			*c = n->conns[--n->nconns];
		return;
	}
	if (!c)
		c = add_conn(n, local, remote);
	if (c)
		c->state = to;
}

/* The answer to the oldest command in flight. An `ok` names its verb, so
 * one that does not match answers nothing (it is reported, not taken for
 * another's); an `error` names none and answers the oldest. */
static void answer(struct node *n, const struct session_event *ev)
{
	struct pending *p = n->pending;

	if (!p || (ev->u.answer.ok && strcmp(p->verb, ev->u.answer.verb)))
		return;
	n->pending = p->next;
	if (!n->pending)
		n->pending_tail = &n->pending;
	if (p->done)
		p->done(n->s, n->index, ev->u.answer.ok, ev->u.answer.key,
			ev->u.answer.ok ? "" : ev->text, p->user);
	free(p);
}

/* Every command in flight fails: the node has gone. */
static void fail_pending(struct node *n)
{
	while (n->pending) {
		struct pending *p = n->pending;

		n->pending = p->next;
		if (p->done)
			p->done(n->s, n->index, false, "node-gone",
				"the node has gone", p->user);
		free(p);
	}
	n->pending_tail = &n->pending;
}

static void update_model(struct node *n, const struct session_event *ev)
{
	switch (ev->kind) {
	case SESSION_EV_NODE_STATE:
	case SESSION_EV_APP_OUT:
	case SESSION_EV_PLAY:
	case SESSION_EV_DROPPED:
		n->s->visible++;
		break;
	case SESSION_EV_HELD:
		if (ev->u.count > n->held)
			n->s->visible++;
		break;
	default:
		break;
	}
	switch (ev->kind) {
	case SESSION_EV_NODE_STARTED:
		n->hello = true;
		break;
	case SESSION_EV_NODE_STATE:
		note_state(n, ev->u.state.local, ev->u.state.remote,
			   ev->u.state.to);
		break;
	case SESSION_EV_CONN: {
		struct session_conn_info *c =
			find_conn(n, ev->u.conn.local, ev->u.conn.remote);

		snprintf(ev->u.conn.listener ? n->last_listener : n->last_conn,
			 sizeof n->last_conn, "%u", ev->u.conn.id);
		if (!c)
			c = add_conn(n, ev->u.conn.local, ev->u.conn.remote);
		if (c) {
			c->id = ev->u.conn.id;
			c->listener = ev->u.conn.listener;
		}
		break;
	}
	case SESSION_EV_CONNS:
		n->nconns_reported = ev->u.count;
		break;
	case SESSION_EV_TIMERS: {
		struct session_conn_info *c =
			find_conn(n, ev->u.timers.local, ev->u.timers.remote);

		if (c) {
			c->timers_known = true;
			c->timers = ev->u.timers;
		}
		break;
	}
	case SESSION_EV_HELD:
		if (ev->u.count > n->held) {
			size_t more = ev->u.count - n->held;

			if (grow((void **)&n->held_at, &n->capheld_at,
				 n->nheld_at + more, sizeof *n->held_at))
				while (more--)
					n->held_at[n->nheld_at++] = ev->stamp_ns;
		} else {
			/* released oldest first (a step, or all at `run`) */
			size_t gone = n->held - ev->u.count;

			if (gone > n->nheld_at)
				gone = n->nheld_at;
			memmove(n->held_at, n->held_at + gone,
				(n->nheld_at - gone) * sizeof *n->held_at);
			n->nheld_at -= gone;
		}
		n->held = ev->u.count;
		break;
	case SESSION_EV_CLOCK:
		session_clock_set(&n->clock, ev);
		break;
	case SESSION_EV_APP_DONE:
		n->app_done = true;
		n->app_status = ev->u.status;
		break;
	case SESSION_EV_ANSWER:
		answer(n, ev);
		break;
	default:
		break;
	}
}

/* --- Reading the nodes ----------------------------------------------------- */

static void node_complain(struct node *n, const char *what, const char *line,
			  size_t len)
{
	char esc[100];

	/* Enough of the line to recognise it. */
	size_t need = textesc_escape(esc, sizeof esc, line, len, 0);
	notice(n->s, "%s: %s: %s%s", n->name, what, esc,
	       need >= sizeof esc ? "..." : "");
}

/* A node's line as it is read: stamped, parsed, the model updated, and
 * queued to be handed on in its turn. */
static void on_line(void *user, enum ctlmsg_line_status st, char *line,
		    size_t len)
{
	struct node *n = user;
	struct session *s = n->s;
	struct session_event ev = { .node = n->index, .node_name = n->name };
	char raw[CTLMSG_LINE_MAX + 1];
	uint64_t stamp = 0;
	int r;

	if (st == CTLMSG_LINE_TOO_LONG) {
		node_complain(n, "over-long event line discarded", line, len);
		return;
	}
	r = ctlmsg_take_stamp(&line, &len, &stamp);
	if (r < 0) {
		node_complain(n, "malformed event (bad stamp)", line, len);
		return;
	}
	/* A line without a stamp happened at the latest when it was read. A
	 * stamp is never later than the read (a node cannot stamp the future)
	 * nor before the node's previous line (its lines stay in their order
	 * whatever it sends). */
	if (r == 0 || stamp > n->read_ns)
		stamp = n->read_ns;
	if (stamp < n->last_stamp)
		stamp = n->last_stamp;
	n->last_stamp = stamp;
	memcpy(raw, line, len);
	raw[len] = '\0';
	ev.stamp_ns = stamp;
	ev.raw = raw;
	ev.raw_len = len;
	evline_parse(&ev, line, len, s->text);
	update_model(n, &ev);
	if (wanted(s, ev.kind))
		queue_event(s, n->index, &ev);
}

static void close_node_fd(struct node *n)
{
	if (n->fd >= 0) {
		loop_del_fd(n->s->loop, n->fd);
		close(n->fd);
		n->fd = -1;
	}
}

/* Reads everything node n has written so far (until the socket would
 * block). False when the read budget ran out first (more may be waiting:
 * the round was not complete). */
static bool drain_node(struct session *s, struct node *n)
{
	char buf[16384];
	size_t total = 0;

	while (n->fd >= 0) {
		ssize_t r = recv(n->fd, buf, sizeof buf, MSG_DONTWAIT);

		if (r > 0) {
			n->read_ns = ctlmsg_now_ns();
			ctlmsg_reader_feed(&n->rd, buf, (size_t)r, on_line, n);
			total += (size_t)r;
			if (total >= SESSION_READ_BUDGET)
				return false;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (r < 0)
			notice(s, "node %s: control socket: %s", n->name,
			       strerror(errno));
		else if (ctlmsg_reader_pending(&n->rd))
			notice(s, "node %s: its last event was cut off (%zu bytes "
			       "without a newline, dropped)", n->name,
			       ctlmsg_reader_pending(&n->rd));
		close_node_fd(n);
		fail_pending(n);
		if (!n->quitting && !n->app_done && !s->cfg.survive_node_death) {
			notice(s, "node %s closed its control socket; ending the "
			       "session", n->name);
			session_stop(s, 1);
		}
	}
	return true;
}

/* --- The kernel peer's output ---------------------------------------------- */

/* peer_buf[0..len) as one event, stamped when read; dropped from the
 * buffer with `skip` bytes more (its newline). */
static void peer_line(struct session *s, size_t len, size_t skip)
{
	struct session_event ev = { .kind = SESSION_EV_PEER_OUT, .node = -1,
				    .node_name = "", .text = s->peer_buf,
				    .text_len = len };
	uint64_t now = ctlmsg_now_ns();

	ev.stamp_ns = now > s->peer_stamp ? now : s->peer_stamp;
	s->peer_stamp = ev.stamp_ns;
	if (wanted(s, ev.kind))
		queue_event(s, SESSION_SOURCE_PEER, &ev);
	memmove(s->peer_buf, s->peer_buf + len + skip, s->peer_len - len - skip);
	s->peer_len -= len + skip;
}

static void close_peer(struct session *s)
{
	if (s->peer_fd < 0)
		return;
	if (s->peer_len)
		peer_line(s, s->peer_len, 0);
	loop_del_fd(s->loop, s->peer_fd);
	close(s->peer_fd);
	s->peer_fd = -1;
}

/* Reads what the peer has written: its complete lines, and at its end the
 * last partial one too. */
static void drain_peer(struct session *s)
{
	while (s->peer_fd >= 0) {
		ssize_t r = read(s->peer_fd, s->peer_buf + s->peer_len,
				 sizeof s->peer_buf - s->peer_len);
		char *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0)
			s->peer_len += (size_t)r;
		while ((nl = memchr(s->peer_buf, '\n', s->peer_len)) != NULL)
			peer_line(s, (size_t)(nl - s->peer_buf), 1);
		if (s->peer_len == sizeof s->peer_buf)
			peer_line(s, s->peer_len, 0); /* a very long line */
		if (r == 0 || (r < 0 && errno != EAGAIN)) {
			close_peer(s);
			break;
		}
		if (r < 0)
			break;
	}
}

/* --- Processes ------------------------------------------------------------ */

static const char *exit_text(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "stopped");
	return buf;
}

static void node_died(struct session *s, struct node *n, int status)
{
	struct session_event ev = { .kind = SESSION_EV_NODE_DIED,
				    .node = n->index, .node_name = n->name };
	char why[96];

	n->died = true;
	ev.stamp_ns = ctlmsg_now_ns();
	ev.u.status = status;
	ev.text = exit_text(status, why, sizeof why);
	ev.text_len = strlen(why);
	/* At once, like a notice: the session ends (unless its front end
	 * shows the node dead and goes on). */
	deliver(s, &ev);
	fail_pending(n);
	if (!s->cfg.survive_node_death)
		session_stop(s, 1);
}

static void reap(struct session *s)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0)
			return;
		if (pid == s->cmd_pid) {
			/* Take the terminal back from the peer's job. */
			if (s->cmd_tty >= 0)
				tcsetpgrp(s->cmd_tty, getpgrp());
			s->cmd_tty = -1;
			s->cmd_pid = 0;
			s->cmd_done = true;
			s->cmd_status = WIFEXITED(status) ? WEXITSTATUS(status)
				      : 128 + WTERMSIG(status);
			continue;
		}
		for (int i = 0; i < s->nnodes; i++) {
			struct node *n = &s->nodes[i];

			if (n->pid != pid)
				continue;
			n->pid = 0;
			n->exit_status = status;
			/* A node whose app finished may exit on its own (the
			 * server's "once" mode); anything else is a death. */
			if (!n->quitting &&
			    !(n->app_done && WIFEXITED(status) &&
			      WEXITSTATUS(status) == 0))
				node_died(s, n, status);
		}
	}
}

/* --- The wire --------------------------------------------------------------- */

/* A frame's capture time (CLOCK_REALTIME ns) as a stamp: nothing was
 * captured in the future (a wall clock set back would say so, and hold the
 * event back for as long), and the capture's events stay in the order the
 * tracker made them (a segment moves both ends, in one order) whatever the
 * clocks' jitter. */
static uint64_t wire_stamp(struct session *s, int64_t realtime_ns)
{
	int64_t m = realtime_ns - s->real_minus_mono;
	uint64_t stamp = m > 0 ? (uint64_t)m : 0, now = ctlmsg_now_ns();

	if (stamp > now)
		stamp = now;
	if (stamp < s->last_wire_stamp)
		stamp = s->last_wire_stamp;
	s->last_wire_stamp = stamp;
	return stamp;
}

static void on_wire_segment(const struct segment *seg,
			    const struct tracker_seginfo *info, void *user)
{
	struct session *s = user;
	struct session_event ev = { .kind = SESSION_EV_WIRE_SEGMENT,
				    .node = -1, .node_name = "", .text = "" };

	if (!wanted(s, ev.kind))
		return;
	ev.stamp_ns = wire_stamp(s, seg->ts_ns);
	ev.u.wire_seg.seg = *seg;
	ev.u.wire_seg.seg.payload = NULL;
	ev.u.wire_seg.info = *info;
	/* The note's strings are static (tracker.h). */
	queue_event(s, SESSION_SOURCE_WIRE, &ev);
}

static void on_wire_state(const struct tracker_event *tev, uint64_t last_pkt,
			  void *user)
{
	struct session *s = user;
	struct session_event ev = { .kind = SESSION_EV_WIRE_STATE, .node = -1,
				    .node_name = "", .text = "" };

	if (!wanted(s, ev.kind))
		return;
	ev.stamp_ns = wire_stamp(s, tev->ts_ns);
	ev.u.wire_state.ev = *tev;
	ev.u.wire_state.last_pkt = last_pkt;
	queue_event(s, SESSION_SOURCE_WIRE, &ev);
}

/* Reads what the wire tap has captured. A failed recording or a lost capture
 * ends the session: the user asked for the file. */
static void drain_wire(struct session *s)
{
	char err[600];

	if (!s->wire || s->wire_failed)
		return;
	if (wiretap_poll(s->wire, err, sizeof err))
		return;
	s->wire_failed = true;
	if (s->stop_status) {
		notice(s, "%s", err);
		return;
	}
	notice(s, "%s; ending the session", err);
	session_stop(s, 1);
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, for the capture's stamps (wall time).
 * It moves only when the wall clock is set or slewed (NTP: at most 500
 * ppm), so a change under SESSION_CLOCK_JITTER_NS is the measurement's
 * own noise and is ignored: one frame's events convert alike. */
#define SESSION_CLOCK_JITTER_NS 2000
static int64_t measure_real_minus_mono(void)
{
	int64_t best = 0, gap = INT64_MAX;

	/* the reading with the shortest monotonic bracket */
	for (int i = 0; i < 3; i++) {
		int64_t m1 = (int64_t)ctlmsg_now_ns();
		int64_t r = source_now_ns();
		int64_t m2 = (int64_t)ctlmsg_now_ns();

		if (m2 - m1 < gap) {
			gap = m2 - m1;
			best = r - (m1 + (m2 - m1) / 2);
		}
	}
	return best;
}

static void sync_clocks(struct session *s)
{
	int64_t d = measure_real_minus_mono();

	if (d - s->real_minus_mono > SESSION_CLOCK_JITTER_NS ||
	    s->real_minus_mono - d > SESSION_CLOCK_JITTER_NS)
		s->real_minus_mono = d;
}

static uint64_t held_back(const struct session *s)
{
	/* The capture takes a frame before the bridge forwards it
	 * (wiretap.h), so a reaction is never read before the frame that
	 * caused it. But a frame's stamp is taken a little before it is
	 * readable in the capture's ring, and it is converted from
	 * CLOCK_REALTIME (sync_clocks, to 2 us): holding every event back
	 * 10 ms keeps a wire event among the nodes' by its stamp even then.
	 * Nodes alone need no such margin. */
	return s->wire ? SESSION_WIRE_HOLD_NS : 0;
}

/* --- The rounds ------------------------------------------------------------- */

/* Reads every source once, completely if it can, and hands on what that
 * makes safe. Returns how many events it read.
 *
 * Why this gives causal order (docs/control-protocol.md "Ordering"): a
 * node writes a step's events (blocking, so they are in our socket
 * buffer) before that step's frames leave, and the peer stamps its
 * reaction after it received the frame. So if an event E is stamped at T,
 * any event that led to it was already readable at T. A round that began
 * after T (t0 > T) and read every socket until it would block has read
 * them all; handing on in stamp order then puts them before E. */
static size_t read_round(struct session *s)
{
	size_t before = evqueue_len(s->q);
	uint64_t t0 = ctlmsg_now_ns();
	bool complete = true;

	sync_clocks(s);
	drain_wire(s);
	/* A TIME_WAIT the tracker ends on its own is stamped with its
	 * deadline: fire what is due before this round's horizon, so it is
	 * queued before anything it precedes is handed on. */
	if (s->wire) {
		int64_t real = (int64_t)(t0 - held_back(s)) + s->real_minus_mono;
		int64_t wire = session_wire_clock(s, NULL);

		wiretap_advance(s->wire, wire < real ? wire : real);
	}
	for (int i = 0; i < s->nnodes; i++)
		if (!drain_node(s, &s->nodes[i]))
			complete = false;
	drain_peer(s);
	if (complete && t0 > held_back(s) && t0 - held_back(s) > s->horizon)
		s->horizon = t0 - held_back(s);
	/* nothing was taken out since `before` */
	size_t got = evqueue_len(s->q) - before;

	release(s, s->horizon);
	return got;
}

/* Reads rounds until one reads nothing new (everything read before it is
 * then handed on, apart from what the capture's margin still holds back). */
static void collect(struct session *s)
{
	s->collected_pass = loop_pass(s->loop);
	for (int i = 0; i < SESSION_ROUNDS_MAX; i++)
		if (read_round(s) == 0)
			break;
}

/* Any of the session's fds is ready: read them all, once a pass (the order
 * comes from the stamps, not from which fd became ready first). */
static void on_ready(struct loop *l, int fd, unsigned mask, void *user)
{
	struct session *s = user;

	(void)l;
	(void)fd;
	(void)mask;
	if (s->collected_pass != loop_pass(s->loop))
		collect(s);
}

static void on_signal(struct loop *l, int fd, unsigned mask, void *user)
{
	struct session *s = user;
	struct signalfd_siginfo si;

	(void)l;
	(void)mask;
	/* Nodes before signals: events written before a node died are read
	 * before its death is reported. */
	collect(s);
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD) {
			reap(s);
		} else if (!s->stop_status) {
			notice(s, "%s, cleaning up", strsignal((int)si.ssi_signo));
			session_stop(s, 128 + (int)si.ssi_signo);
		}
	}
}

static int64_t on_wake(struct loop *l, long long id, void *user)
{
	struct session *s = user;

	(void)l;
	(void)id;
	s->wake_timer = 0;
	collect(s);
	return LOOP_TIMER_DONE;
}

int64_t session_wire_clock(struct session *s, double *rate)
{
	int64_t real = (int64_t)ctlmsg_now_ns() + s->real_minus_mono;
	const struct node *n = NULL;

	if (rate)
		*rate = 1.0;
	if (!s->cfg.wire_on_node_clock || !s->wire)
		return real;
	/* the nodes' clocks are in step (session_advance_all): the first
	 * living one's */
	for (int i = 0; i < s->nnodes && !n; i++)
		if (s->nodes[i].clock.known && s->nodes[i].pid)
			n = &s->nodes[i];
	int64_t frame = wiretap_last_frame(s->wire);
	if (!n || !frame)
		return s->wire_clock = real > s->wire_clock ? real : s->wire_clock;
	uint64_t vt = session_clock_now_ns(&n->clock, ctlmsg_now_ns());
	if (frame != s->anchor_frame || vt < s->anchor_vt_ns) {
		s->anchor_frame = frame;
		s->anchor_vt_ns = vt;
	}
	if (rate)
		*rate = n->clock.running ? n->clock.speed : 0.0;
	int64_t w = frame + (int64_t)(vt - s->anchor_vt_ns);
	return s->wire_clock = w > s->wire_clock ? w : s->wire_clock;
}

/* Before the loop sleeps: a timer for the next moment something is due
 * without any fd becoming ready (a held-back event comes of age, the
 * tracker's TIME_WAIT ends, the wire falls quiet). So nothing polls. */
static void arm_wake(struct loop *l, void *user)
{
	struct session *s = user;
	uint64_t due = UINT64_MAX, oldest, now = ctlmsg_now_ns();

	(void)l;
	if (evqueue_oldest(s->q, &oldest))
		due = oldest + held_back(s) + 1;
	if (s->wire && !s->wire_failed) {
		int64_t t[2] = { wiretap_next_deadline(s->wire),
				 wiretap_quiet_deadline(s->wire, source_now_ns()) };

		double rate;
		int64_t wire = session_wire_clock(s, &rate);

		for (int i = 0; i < 2; i++) {
			int64_t m;

			if (t[i] == INT64_MAX)
				continue;
			m = t[i] - s->real_minus_mono + (int64_t)held_back(s) + 1;
			/* on the nodes' clock: paused, a node's clock event
			 * (an advance, a run) brings the next round */
			if (i == 0 && s->cfg.wire_on_node_clock) {
				if (rate <= 0)
					continue;
				m = (int64_t)now + (int64_t)((double)(t[i] - wire) / rate) +
				    (int64_t)held_back(s) + 1;
			}
			/* A tracker timer past due is fired by the next
			 * round, which moves its deadline on. */
			if (m < (int64_t)now)
				m = (int64_t)now;
			if ((uint64_t)m < due)
				due = (uint64_t)m;
		}
	}
	if (s->wake_timer && s->wake_at == due)
		return;
	if (s->wake_timer)
		loop_del_timer(s->loop, s->wake_timer);
	s->wake_timer = 0;
	if (due == UINT64_MAX)
		return;
	s->wake_at = due;
	s->wake_timer = loop_add_timer(s->loop, due > now ? (int64_t)(due - now)
							  : 0, on_wake, s);
	if (s->wake_timer < 0)
		s->wake_timer = 0;
}

/* Before session_wait returns: hand on what has been read, as far as the
 * order allows (an event the capture's margin still holds back may wait a
 * few ms; one that cannot go yet stays for the next wait, or the end). So
 * a caller that goes on to something else (a script's next line) leaves
 * nothing read behind. */
static void settle(struct session *s)
{
	uint64_t end = ctlmsg_now_ns() + held_back(s) + SESSION_SETTLE_EXTRA_NS;

	collect(s);
	while (evqueue_len(s->q) > 0 && ctlmsg_now_ns() < end)
		loop_once(s->loop, (int64_t)(end - ctlmsg_now_ns()));
}

enum session_wait session_wait(struct session *s,
			       bool (*pred)(struct session *s, void *user),
			       void *user, int timeout_ms)
{
	uint64_t end = timeout_ms < 0 ? UINT64_MAX
			: ctlmsg_now_ns() + (uint64_t)timeout_ms * MS_NS;
	enum session_wait w;

	collect(s);
	for (;;) {
		uint64_t now;

		if (pred && pred(s, user)) {
			w = SESSION_WAIT_DONE;
			break;
		}
		if (s->stop_status)
			return SESSION_WAIT_STOPPED;
		now = ctlmsg_now_ns();
		if (now >= end) {
			w = SESSION_WAIT_TIMEOUT;
			break;
		}
		loop_once(s->loop, end == UINT64_MAX ? -1 : (int64_t)(end - now));
	}
	settle(s);
	return w;
}

/* --- Commands ----------------------------------------------------------------- */

static bool send_line(struct node *n, const char *line)
{
	size_t len = strlen(line);
	char buf[CTLMSG_LINE_MAX + 1];

	if (n->fd < 0 || len + 1 > CTLMSG_LINE_MAX)
		return false;
	memcpy(buf, line, len);
	buf[len] = '\n';
	return ctlmsg_write_all(n->fd, buf, len + 1) == 0;
}

bool session_send(struct session *s, int node, const char *line,
		  session_done_fn *done, void *user, char *err,
		  size_t errsize)
{
	struct node *n;
	struct pending *p;

	if (node < 0 || node >= s->nnodes) {
		errbuf_set(err, errsize, "no such node");
		return false;
	}
	n = &s->nodes[node];
	if (strlen(line) + 1 > CTLMSG_LINE_MAX) {
		errbuf_set(err, errsize, "command too long for the protocol");
		return false;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		errbuf_set(err, errsize, "out of memory");
		return false;
	}
	snprintf(p->verb, sizeof p->verb, "%.*s", (int)strcspn(line, " "), line);
	p->done = done;
	p->user = user;
	if (!send_line(n, line)) {
		errbuf_set(err, errsize, "cannot send to node %s: %s", n->name,
		       n->fd < 0 ? "it has gone" : strerror(errno));
		free(p);
		return false;
	}
	*n->pending_tail = p;
	n->pending_tail = &p->next;
	return true;
}

bool session_listen(struct session *s, int node, uint16_t port,
		    session_done_fn *done, void *user, char *err, size_t errsize)
{
	char line[32];

	snprintf(line, sizeof line, "listen %u", (unsigned)port);
	return session_send(s, node, line, done, user, err, errsize);
}

bool session_connect(struct session *s, int node, const char *ip,
		     uint16_t port, session_done_fn *done, void *user,
		     char *err, size_t errsize)
{
	char line[64];
	uint32_t a;

	/* Network safety: only the session network. */
	if (ctlmsg_parse_ipv4(ip, &a) < 0 || !ctlmsg_addr_on_test_net(a)) {
		errbuf_set(err, errsize, "%s is not on the session network "
			   "192.0.2.0/24", ip);
		return false;
	}
	snprintf(line, sizeof line, "connect %s:%u", ip, (unsigned)port);
	return session_send(s, node, line, done, user, err, errsize);
}

bool session_write(struct session *s, int node, uint32_t id, const void *text,
		   size_t len, session_done_fn *done, void *user, char *err,
		   size_t errsize)
{
	struct ctlmsg_out o;

	ctlmsg_out_init(&o, "send");
	ctlmsg_out_wordf(&o, "%u", id);
	ctlmsg_out_text(&o, text, len);
	if (ctlmsg_out_end(&o) < 0) {
		errbuf_set(err, errsize, "text too long for one command");
		return false;
	}
	o.buf[o.len - 1] = '\0'; /* session_send adds the newline */
	return session_send(s, node, o.buf, done, user, err, errsize);
}

bool session_conn_op(struct session *s, int node, uint32_t id,
		     enum session_conn_op op, session_done_fn *done, void *user,
		     char *err, size_t errsize)
{
	static const char *const verbs[] = { "shutdown", "close", "abort" };
	char line[48];

	if ((unsigned)op > SESSION_ABORT) {
		errbuf_set(err, errsize, "no such operation");
		return false;
	}
	snprintf(line, sizeof line, "%s %u", verbs[op], id);
	return session_send(s, node, line, done, user, err, errsize);
}

bool session_clock_op(struct session *s, int node, enum session_clock_op op,
		      session_done_fn *done, void *user, char *err,
		      size_t errsize)
{
	static const char *const verbs[] = { "run", "pause", "step", "advance",
					     "drop-next-in" };

	if ((unsigned)op > SESSION_DROP_NEXT) {
		errbuf_set(err, errsize, "no such operation");
		return false;
	}
	return session_send(s, node, verbs[op], done, user, err, errsize);
}

/* Several nodes' answers as one: the caller's completion once every node
 * has answered (ok if all did; the first error's key and text). */
struct joint {
	int left;
	int node;               /* what the completion names */
	bool ok;
	char key[32];
	char text[256];
	session_done_fn *done;
	void *user;
};

static void joint_done(struct session *s, int node, bool ok, const char *key,
		       const char *text, void *user)
{
	struct joint *j = user;

	(void)node;
	if (!ok && j->ok) {
		j->ok = false;
		snprintf(j->key, sizeof j->key, "%s", key);
		snprintf(j->text, sizeof j->text, "%s", text);
	}
	if (--j->left > 0)
		return;
	if (j->done)
		j->done(s, j->node, j->ok, j->key, j->text, j->user);
	free(j);
}

static struct joint *joint_new(int node, session_done_fn *done, void *user,
			       char *err, size_t errsize)
{
	struct joint *j = calloc(1, sizeof *j);

	if (!j) {
		errbuf_set(err, errsize, "out of memory");
		return NULL;
	}
	j->node = node;
	j->ok = true;
	j->done = done;
	j->user = user;
	return j;
}

/* Sends line_of(node) to every node still there, answered as one. */
static bool send_all(struct session *s, int node_named,
		     void (*line_of)(struct session *s, int node, char *line,
				     size_t size, void *arg),
		     void *arg, session_done_fn *done, void *user, char *err,
		     size_t errsize)
{
	struct joint *j = joint_new(node_named, done, user, err, errsize);
	int sent = 0;

	if (!j)
		return false;
	j->left = 1; /* held until every line is out */
	for (int i = 0; i < s->nnodes; i++) {
		char line[64];

		if (s->nodes[i].fd < 0)
			continue;
		line_of(s, i, line, sizeof line, arg);
		j->left++;
		if (!session_send(s, i, line, joint_done, j, err, errsize)) {
			j->left--;
			j->done = NULL; /* the caller hears it from the return */
			break;
		}
		sent++;
	}
	if (!sent && j->done) {
		errbuf_set(err, errsize, "no node is running");
		free(j);
		return false;
	}
	bool ok = j->done != NULL;
	joint_done(s, -1, true, "", "", j); /* the hold */
	return ok;
}

static void verb_line(struct session *s, int node, char *line, size_t size,
		      void *arg)
{
	(void)s;
	(void)node;
	snprintf(line, size, "%s", (const char *)arg);
}

bool session_clock_all(struct session *s, bool run, session_done_fn *done,
		       void *user, char *err, size_t errsize)
{
	return send_all(s, -1, verb_line, run ? "run" : "pause", done, user,
			err, errsize);
}

struct in_step {
	int first;              /* the node whose timer is next */
	uint64_t delta_ms;
};

static void step_line(struct session *s, int node, char *line, size_t size,
		      void *arg)
{
	const struct in_step *st = arg;

	if (node == st->first)
		snprintf(line, size, "advance");
	else
		snprintf(line, size, "advance-to %llu",
			 (unsigned long long)(s->nodes[node].clock.vtime_ms +
					      st->delta_ms));
}

int session_advance_all(struct session *s, session_done_fn *done, void *user,
			char *err, size_t errsize)
{
	struct in_step st = { .first = -1 };

	for (int i = 0; i < s->nnodes; i++) {
		const struct node *n = &s->nodes[i];
		uint64_t left;

		if (n->fd < 0)
			continue;
		if (!n->clock.known || n->clock.running) {
			errbuf_set(err, errsize, "node %s is not paused", n->name);
			return -1;
		}
		if (!n->clock.has_next)
			continue;
		left = n->clock.next_ms > n->clock.vtime_ms
			       ? n->clock.next_ms - n->clock.vtime_ms : 0;
		if (st.first < 0 || left < st.delta_ms) {
			st.first = i;
			st.delta_ms = left;
		}
	}
	if (st.first < 0) {
		errbuf_set(err, errsize, "no timer is pending on any node");
		return -1;
	}
	if (!send_all(s, st.first, step_line, &st, done, user, err, errsize))
		return -1;
	return st.first;
}

/* session_advance_until_event: advance after advance, in step, until
 * something shows (or SESSION_UNTIL_MAX steps: a minute of 100 ms ticks). */
#define SESSION_UNTIL_MAX 600
struct until {
	uint64_t visible;
	int steps;
	session_done_fn *done;
	void *user;
};

static void until_done(struct session *s, int node, bool ok, const char *key,
		       const char *text, void *user)
{
	struct until *u = user;
	char err[256];

	if (ok && s->visible == u->visible && ++u->steps < SESSION_UNTIL_MAX &&
	    !s->stop_status &&
	    session_advance_all(s, until_done, u, err, sizeof err) >= 0)
		return;
	if (u->done)
		u->done(s, node, ok, key, text, u->user);
	free(u);
}

int session_advance_until_event(struct session *s, session_done_fn *done,
				void *user, char *err, size_t errsize)
{
	struct until *u = calloc(1, sizeof *u);
	int node;

	if (!u) {
		errbuf_set(err, errsize, "out of memory");
		return -1;
	}
	u->visible = s->visible;
	u->done = done;
	u->user = user;
	node = session_advance_all(s, until_done, u, err, errsize);
	if (node < 0)
		free(u);
	return node;
}

int session_oldest_held(const struct session *s)
{
	int best = -1;

	for (int i = 0; i < s->nnodes; i++) {
		const struct node *n = &s->nodes[i];

		if (n->nheld_at && n->fd >= 0 &&
		    (best < 0 || n->held_at[0] < s->nodes[best].held_at[0]))
			best = i;
	}
	return best;
}

int session_step_oldest(struct session *s, session_done_fn *done, void *user,
			char *err, size_t errsize)
{
	int node = session_oldest_held(s);

	if (node < 0) {
		errbuf_set(err, errsize, "no node holds a segment");
		return -1;
	}
	if (!session_clock_op(s, node, SESSION_STEP, done, user, err, errsize))
		return -1;
	return node;
}

bool session_speed(struct session *s, int node, double factor,
		   session_done_fn *done, void *user, char *err,
		   size_t errsize)
{
	char line[48];

	if (!(factor >= 0.1 && factor <= 100)) {
		errbuf_set(err, errsize, "speed wants 0.1 to 100");
		return false;
	}
	/* The protocol's decimal has a '.', whatever LC_NUMERIC says. */
	int64_t milli = (int64_t)(factor * 1000 + 0.5);
	snprintf(line, sizeof line, "speed %lld.%03lld", (long long)(milli / 1000),
		 (long long)(milli % 1000));
	return session_send(s, node, line, done, user, err, errsize);
}

struct blocking {
	bool answered, ok, gone;
};

static void blocking_done(struct session *s, int node, bool ok,
			  const char *key, const char *text, void *user)
{
	struct blocking *b = user;

	(void)s;
	(void)node;
	(void)text;
	b->answered = true;
	b->ok = ok;
	b->gone = !ok && !strcmp(key, "node-gone");
}

static bool got_answer(struct session *s, void *user)
{
	(void)s;
	return ((struct blocking *)user)->answered;
}

/* A blocking command whose wait ended first leaves its completion behind
 * in the queue of the node's answers: it must not write into a caller's
 * stack frame that is gone, so it points at this. */
static void forgotten_done(struct session *s, int node, bool ok,
			   const char *key, const char *text, void *user)
{
	(void)s;
	(void)node;
	(void)ok;
	(void)key;
	(void)text;
	(void)user;
}

static void forget(struct session *s, int node, struct blocking *b)
{
	for (struct pending *p = s->nodes[node].pending; p; p = p->next)
		if (p->user == b) {
			p->done = forgotten_done;
			p->user = NULL;
		}
}

int session_command(struct session *s, int node, const char *line,
		    int timeout_ms, char *err, size_t errsize)
{
	struct blocking b = { 0 };

	if (!session_send(s, node, line, blocking_done, &b, err, errsize))
		return -1;
	switch (session_wait(s, got_answer, &b, timeout_ms)) {
	case SESSION_WAIT_DONE:
		if (b.ok)
			return 1;
		if (!b.gone)
			return 0;
		errbuf_set(err, errsize, "node %s has gone", s->nodes[node].name);
		return -1;
	case SESSION_WAIT_TIMEOUT:
		forget(s, node, &b);
		errbuf_set(err, errsize, "node %s did not answer '%s' within %d ms",
		       s->nodes[node].name, line, timeout_ms);
		return -1;
	default:
		forget(s, node, &b);
		errbuf_set(err, errsize, "session stopped");
		return -1;
	}
}

/* --- Life cycle ----------------------------------------------------------- */

static void stale_msg(const char *msg, void *user)
{
	notice(user, "removing a stale namespace: %s", msg);
}

static bool start_wire(struct session *s, char *err, size_t errsize)
{
	struct wiretap_config wc = {
		.write_path = s->cfg.pcap_path,
		/* The tracker's MSL is the nodes': --msl, or the node's
		 * default (2 s). */
		.msl_ns = s->cfg.msl_ns ? s->cfg.msl_ns : 2000000000LL,
		.on_segment = on_wire_segment,
		.on_state = on_wire_state,
		.user = s,
	};
	char werr[600];

	s->wire = wiretap_open(s->ns, &wc, werr, sizeof werr);
	if (s->wire)
		return loop_add_fd(s->loop, wiretap_fd(s->wire), LOOP_READ,
				   on_ready, s, err, errsize);
	/* The recording was asked for; the inference is a bonus the session
	 * can run without. */
	if (s->cfg.pcap_path) {
		errbuf_set(err, errsize, "%s", werr);
		return false;
	}
	notice(s, "%s; inferred states are not shown", werr);
	return true;
}

struct session *session_create(const struct session_config *cfg, char *err,
			       size_t errsize)
{
	struct session *s = calloc(1, sizeof *s);
	sigset_t set;
	struct sigaction ign = { .sa_handler = SIG_IGN };

	if (!s) {
		errbuf_set(err, errsize, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	if (s->cfg.nsinks < 0 || s->cfg.nsinks > SESSION_MAX_SINKS)
		s->cfg.nsinks = 0;
	for (int i = 0; i < s->cfg.nsinks; i++)
		s->wanted |= s->cfg.sinks[i].kinds ? s->cfg.sinks[i].kinds
						   : ~0ull;
	s->sigfd = -1;
	s->cmd_tty = -1;
	s->peer_fd = -1;
	s->real_minus_mono = measure_real_minus_mono();
	for (int i = 0; i < SESSION_MAX_NODES; i++)
		s->nodes[i].fd = -1;
	s->q = evqueue_create();
	s->loop = cfg->loop;
	if (!s->loop) {
		s->loop = loop_create(err, errsize);
		s->own_loop = true;
	}
	if (!s->q || !s->loop) {
		if (!s->q)
			errbuf_set(err, errsize, "out of memory");
		evqueue_destroy(s->q);
		if (s->own_loop)
			loop_destroy(s->loop);
		free(s);
		return NULL;
	}
	if (!find_node(s->node_path, sizeof s->node_path, err, errsize)) {
		evqueue_destroy(s->q);
		if (s->own_loop)
			loop_destroy(s->loop);
		free(s);
		return NULL;
	}
	/* Signals first, so an interrupt during set-up still cleans up. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &s->oldmask);
	sigaction(SIGPIPE, &ign, &s->oldpipe);
	/* Handing the terminal to the peer's job and back (tcsetpgrp from a
	 * background job) would stop us otherwise. */
	sigaction(SIGTTOU, &ign, &s->oldttou);
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigfd < 0) {
		errbuf_set(err, errsize, "signalfd: %s", strerror(errno));
		goto fail;
	}
	if (!loop_add_fd(s->loop, s->sigfd, LOOP_READ, on_signal, s, err,
			 errsize))
		goto fail;
	loop_add_hook(s->loop, arm_wake, s);
	netns_remove_stale(stale_msg, s);
	s->ns = netns_create(err, errsize);
	if (!s->ns)
		goto fail;
	if (!start_wire(s, err, errsize))
		goto fail;
	return s;
fail:
	session_destroy(s);
	return NULL;
}

struct loop *session_loop(const struct session *s)
{
	return s->loop;
}

static bool said_hello(struct session *s, void *user)
{
	struct node *n = user;

	(void)s;
	return n->hello;
}

/* Distinct per-node seeds from one --seed (splitmix64's finaliser): two
 * lwIP hosts seeded alike pick the same ISN and local port (docs/node.md).
 * Kept below 2^32 so any node-side seed type holds it. */
static uint64_t node_seed(uint64_t seed, int index)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(index + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z & 0xffffffffULL;
}

int session_spawn_node(struct session *s, const char *name, const char *ip,
		       const char *const extra[], char *err, size_t errsize)
{
	struct node *n;
	char ipcidr[24], seed[24], msl[CTLMSG_SECONDS_MAX];
	const char *argv[40];
	int argc = 0, sv[2], tapfd;
	pid_t pid;

	if (s->nnodes == SESSION_MAX_NODES || strlen(name) > 8 ||
	    strlen(ip) > 15) {
		errbuf_set(err, errsize, "bad node %s", name);
		return -1;
	}
	n = &s->nodes[s->nnodes];
	memset(n, 0, sizeof *n);
	n->s = s;
	n->index = s->nnodes;
	n->fd = -1;
	n->pending_tail = &n->pending;
	snprintf(n->name, sizeof n->name, "%s", name);
	snprintf(n->tap, sizeof n->tap, "tap-%s", name);
	snprintf(n->ip, sizeof n->ip, "%s", ip);
	ctlmsg_reader_init(&n->rd);
	if (!netns_add_tap(s->ns, n->tap, err, errsize))
		return -1;
	tapfd = netns_open_tap(s->ns, n->tap, err, errsize);
	if (tapfd < 0)
		return -1;

	snprintf(ipcidr, sizeof ipcidr, "%s/24", ip);
	argv[argc++] = s->node_path;
	argv[argc++] = "--name";
	argv[argc++] = n->name;
	/* The TAP, already attached and forwarding, is the node's fd 4
	 * (--frame-fd reads and writes one frame per call, as a TAP does). */
	argv[argc++] = "--frame-fd";
	argv[argc++] = "4";
	argv[argc++] = "--ip";
	argv[argc++] = ipcidr;
	argv[argc++] = "--gw";
	argv[argc++] = SESSION_KERNEL_IP;
	argv[argc++] = "--control-fd";
	argv[argc++] = "3";
	if (s->cfg.has_seed) {
		snprintf(seed, sizeof seed, "%llu",
			 (unsigned long long)node_seed(s->cfg.seed, n->index));
		argv[argc++] = "--seed";
		argv[argc++] = seed;
	}
	if (s->cfg.msl_ns) {
		ctlmsg_format_seconds(msl, s->cfg.msl_ns);
		argv[argc++] = "--msl";
		argv[argc++] = msl;
	}
	for (int i = 0; extra && extra[i] && argc < 39; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		errbuf_set(err, errsize, "socketpair: %s", strerror(errno));
		close(tapfd);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		errbuf_set(err, errsize, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		close(tapfd);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		/* Die with the controller even if it is SIGKILLed; a new
		 * process group, so the terminal's ^C reaches only the
		 * controller, which then stops the nodes in order. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setpgid(0, 0);
		sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
		sigaction(SIGPIPE, &s->oldpipe, NULL);
		sigaction(SIGTTOU, &s->oldttou, NULL);
		if (devnull >= 0)
			dup2(devnull, 0);
		/* Out of the way first, so neither lands on the other. */
		int ctl = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
		int tap = fcntl(tapfd, F_DUPFD_CLOEXEC, 10);

		if (ctl < 0 || tap < 0 || dup2(ctl, 3) < 0 || dup2(tap, 4) < 0)
			_exit(127);
		/* The child's own last words, on the stderr it inherited
		 * (there is no other channel before exec). */
		if (netns_enter(s->ns) < 0) {
			dprintf(2, "tcpstep: cannot enter the namespace: %s\n",
				strerror(errno));
			_exit(127);
		}
		close_range(5, ~0U, 0);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "tcpstep: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	close(tapfd);
	n->fd = sv[0];
	n->pid = pid;
	s->nnodes++;
	if (!loop_add_fd(s->loop, n->fd, LOOP_READ, on_ready, s, err, errsize))
		return -1;
	switch (session_wait(s, said_hello, n, SESSION_HELLO_MS)) {
	case SESSION_WAIT_DONE:
		return n->index;
	case SESSION_WAIT_TIMEOUT:
		errbuf_set(err, errsize, "node %s did not say hello within %d ms",
		       name, SESSION_HELLO_MS);
		return -1;
	default:
		errbuf_set(err, errsize, "node %s did not start", name);
		return -1;
	}
}

bool session_start_command(struct session *s, const char *command,
			   unsigned flags, char *err, size_t errsize)
{
	bool capture_output = flags & (SESSION_CMD_CAPTURE | SESSION_CMD_DETACHED);
	bool detached = flags & SESSION_CMD_DETACHED;
	int pfd[2] = { -1, -1 };
	int tty = -1;
	pid_t pid;

	if (s->cmd_pid) {
		errbuf_set(err, errsize, "a command is already running");
		return false;
	}
	if (capture_output) {
		if (s->peer_fd >= 0)
			close_peer(s);
		if (pipe2(pfd, O_CLOEXEC) < 0) {
			errbuf_set(err, errsize, "pipe: %s", strerror(errno));
			return false;
		}
	}
	/* The peer runs as its own job. When tcpstep is the terminal's
	 * foreground job, the peer becomes it, as a shell would do, so an
	 * interactive peer (a shell, nc) gets the keyboard and its ^C, and
	 * tcpstep takes the terminal back when it ends. */
	if (!detached && isatty(STDIN_FILENO) &&
	    tcgetpgrp(STDIN_FILENO) == getpgrp())
		tty = STDIN_FILENO;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		errbuf_set(err, errsize, "fork: %s", strerror(errno));
		if (pfd[0] >= 0) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return false;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setpgid(0, 0);
		if (tty >= 0)
			tcsetpgrp(tty, getpid()); /* SIGTTOU is ignored */
		sigaction(SIGTTOU, &s->oldttou, NULL);
		sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
		sigaction(SIGPIPE, &s->oldpipe, NULL);
		if (pfd[1] >= 0 && dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(127);
		if (detached) {
			int devnull = open("/dev/null", O_RDONLY);

			if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
			    dup2(pfd[1], STDERR_FILENO) < 0)
				_exit(127);
		}
		if (netns_enter(s->ns) < 0) {
			dprintf(2, "tcpstep: cannot enter the namespace: %s\n",
				strerror(errno));
			_exit(127);
		}
		close_range(3, ~0U, 0);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		dprintf(2, "tcpstep: cannot run /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	/* Both sides set the group and terminal, so neither order races. */
	setpgid(pid, pid);
	if (tty >= 0)
		tcsetpgrp(tty, pid);
	s->cmd_tty = tty;
	s->cmd_pid = pid;
	s->cmd_done = false;
	if (capture_output) {
		close(pfd[1]);
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
		s->peer_fd = pfd[0];
		s->peer_len = 0;
		if (!loop_add_fd(s->loop, s->peer_fd, LOOP_READ, on_ready, s,
				 err, errsize)) {
			close(s->peer_fd);
			s->peer_fd = -1;
			return false;
		}
	}
	return true;
}

static bool all_gone(struct session *s, void *user)
{
	(void)user;
	for (int i = 0; i < s->nnodes; i++)
		if (s->nodes[i].pid)
			return false;
	return !s->cmd_pid;
}

static void kill_all(struct session *s, int sig)
{
	for (int i = 0; i < s->nnodes; i++)
		if (s->nodes[i].pid)
			kill(s->nodes[i].pid, sig);
	if (s->cmd_pid)
		kill(-s->cmd_pid, sig);
}

/* The loop by hand until done(s, user) or the deadline (session_wait
 * returns at once once the session is stopped). */
static void run_until(struct session *s,
		      bool (*done)(struct session *s, void *user), void *user,
		      uint64_t end)
{
	while (!done(s, user) && ctlmsg_now_ns() < end)
		loop_once(s->loop, (int64_t)(end - ctlmsg_now_ns()));
}

static bool node_hung_up(struct session *s, void *user)
{
	const struct node *n = user;

	(void)s;
	return n->fd < 0 || !n->pid;
}

void session_destroy(struct session *s)
{
	if (!s)
		return;
	if (s->sigfd >= 0) {
		uint64_t end = ctlmsg_now_ns() + SESSION_QUIT_MS * MS_NS;

		/* Ask nicely, then insist. The loop keeps reaping. One node
		 * at a time, until it hung up: their last lines (`ok quit`)
		 * then come in one order, as everything else (--raw). */
		if (s->cmd_pid)
			kill(-s->cmd_pid, SIGTERM);
		s->stop_status = s->stop_status ? s->stop_status : -1;
		for (int i = 0; i < s->nnodes; i++) {
			struct node *n = &s->nodes[i];

			n->quitting = true;
			if (!send_line(n, "quit"))
				continue;
			run_until(s, node_hung_up, n, end);
		}
		run_until(s, all_gone, NULL, end);
		/* COMMAND's own children (a shell's pipeline) and anything
		 * else started inside get the same chance to exit. */
		if (s->ns && netns_signal_all(s->ns, SIGTERM) > 0)
			usleep(100 * 1000);
		if (!all_gone(s, NULL)) {
			kill_all(s, SIGKILL);
			run_until(s, all_gone, NULL,
				  ctlmsg_now_ns() + SESSION_QUIT_MS * MS_NS);
		}
	}
	/* What the nodes wrote before they went (they have, or were
	 * killed), the peer's last output, then the capture's last frames:
	 * everything is read, so everything may be handed on, in order. */
	for (int i = 0; i < s->nnodes; i++)
		drain_node(s, &s->nodes[i]);
	drain_peer(s);
	close_peer(s);
	if (s->wire) {
		char err[600];
		unsigned long long lost;

		drain_wire(s);
		lost = wiretap_dropped(s->wire);
		if (lost && s->cfg.pcap_path)
			notice(s, "the recording %s misses %llu frames (the "
			       "capture buffer overflowed)", s->cfg.pcap_path,
			       lost);
		else if (lost)
			notice(s, "the capture of the wire missed %llu frames (its "
			       "buffer overflowed); the inferred states may be "
			       "wrong", lost);
		loop_del_fd(s->loop, wiretap_fd(s->wire));
		if (!wiretap_close(s->wire, err, sizeof err))
			notice(s, "%s", err);
		s->wire = NULL;
	}
	release(s, UINT64_MAX);
	for (int i = 0; i < s->nnodes; i++) {
		close_node_fd(&s->nodes[i]);
		fail_pending(&s->nodes[i]);
		free(s->nodes[i].conns);
		free(s->nodes[i].log);
		free(s->nodes[i].held_at);
	}
	if (s->wake_timer)
		loop_del_timer(s->loop, s->wake_timer);
	loop_del_hook(s->loop, arm_wake, s);
	evqueue_destroy(s->q);
	netns_destroy(s->ns);
	if (s->sigfd >= 0) {
		loop_del_fd(s->loop, s->sigfd);
		close(s->sigfd);
	}
	if (s->own_loop)
		loop_destroy(s->loop);
	if (s->cmd_tty >= 0)
		tcsetpgrp(s->cmd_tty, getpgrp());
	sigaction(SIGPIPE, &s->oldpipe, NULL);
	sigaction(SIGTTOU, &s->oldttou, NULL);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	free(s);
}

/* --- The model, read ------------------------------------------------------------ */

bool session_wire_quiet(const struct session *s)
{
	return !s->wire || wiretap_quiet(s->wire, source_now_ns());
}

bool session_capture_stats(struct session *s, unsigned long long *frames,
			   unsigned long long *dropped)
{
	struct wiretap_stats st;

	if (!s || !s->wire)
		return false;
	wiretap_stats(s->wire, &st);
	*frames = st.frames;
	*dropped = st.dropped;
	return true;
}

uint64_t session_wire_frames(const struct session *s)
{
	return s->wire ? wiretap_frames(s->wire) : 0;
}

int session_stop_status(const struct session *s)
{
	return s->stop_status > 0 ? s->stop_status : 0;
}

int session_node_count(const struct session *s)
{
	return s->nnodes;
}

bool session_node_info(const struct session *s, int node,
		       struct session_node_info *out)
{
	const struct node *n;

	if (node < 0 || node >= s->nnodes)
		return false;
	n = &s->nodes[node];
	memset(out, 0, sizeof *out);
	out->name = n->name;
	out->ip = n->ip;
	out->started = n->hello;
	out->alive = n->pid != 0;
	out->died = n->died;
	out->exit_status = n->exit_status;
	out->app_done = n->app_done;
	out->app_status = n->app_status;
	out->held = n->held;
	out->conns = n->nconns_reported;
	out->clock = n->clock;
	out->nconns = n->nconns;
	out->conn = n->conns;
	return true;
}

bool session_node_listening(const struct session *s, int node)
{
	return session_node_entered(s, node, TCPSTATE_LISTEN);
}

bool session_node_app_done(const struct session *s, int node, int *status)
{
	if (node < 0 || node >= s->nnodes || !s->nodes[node].app_done)
		return false;
	if (status)
		*status = s->nodes[node].app_status;
	return true;
}

bool session_node_quiet(const struct session *s, int node)
{
	const struct node *n;

	if (node < 0 || node >= s->nnodes)
		return true;
	n = &s->nodes[node];
	for (size_t i = 0; i < n->nconns; i++)
		if (n->conns[i].state != TCPSTATE_LISTEN &&
		    n->conns[i].state != TCPSTATE_CLOSED)
			return false;
	return true;
}

bool session_command_done(const struct session *s, int *status)
{
	if (!s->cmd_done)
		return false;
	if (status)
		*status = s->cmd_status;
	return true;
}

bool session_node_entered(const struct session *s, int node, enum tcpstate to)
{
	const struct node *n;

	if (node < 0 || node >= s->nnodes)
		return false;
	n = &s->nodes[node];
	for (size_t i = 0; i < n->nlog; i++)
		if (n->log[i] == to)
			return true;
	return false;
}

bool session_consume_state(struct session *s, int node, enum tcpstate to)
{
	struct node *n;

	if (node < 0 || node >= s->nnodes)
		return false;
	n = &s->nodes[node];
	for (size_t i = n->cursor; i < n->nlog; i++)
		if (n->log[i] == to) {
			n->cursor = i + 1;
			return true;
		}
	return false;
}

const char *session_node_last_id(const struct session *s, int node,
				 bool listener)
{
	const struct node *n;

	if (node < 0 || node >= s->nnodes)
		return NULL;
	n = &s->nodes[node];
	if (listener)
		return n->last_listener[0] ? n->last_listener : NULL;
	return n->last_conn[0] ? n->last_conn : NULL;
}
