/* The controller's side of a live session: spawns tcpstep-node processes
 * inside the session namespace with their control socket as fd 3, reads
 * their events and prints them, and tears everything down in order.
 * Protocol: docs/control-protocol.md; codec: common/ctlmsg.h. */
#define _GNU_SOURCE /* signalfd, close_range, pipe2 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
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

#define SESSION_MAX_NODES 4
/* How long a node gets to say hello, and to exit after `quit`. */
#define SESSION_HELLO_MS 5000
#define SESSION_QUIT_MS 2000

/* Ordering (docs/control-protocol.md "Ordering"). A node's line may be
 * printed once a complete read of every source began after its stamp; the
 * capture's lines need a little more (SESSION_WIRE_HOLD_NS, see
 * release_lines). */
#define SESSION_WIRE_HOLD_NS (10 * 1000000ULL)
/* Read rounds per pass at most, and bytes per node per round: a flood
 * cannot keep the loop from signals; what is left waits for the next pass
 * (and a round cut short moves no horizon). */
#define SESSION_ROUNDS_MAX 8
#define SESSION_READ_BUDGET (256 * 1024)
/* How long session_wait may go on printing what it has read before it
 * returns (lines still held back: see settle). */
#define SESSION_SETTLE_EXTRA_MS 20
/* Sources of the merge queue: node indexes, then the others. */
#define SESSION_SOURCE_WIRE SESSION_MAX_NODES
#define SESSION_SOURCE_OTHER (SESSION_MAX_NODES + 1)

/* What an epoll event is about (epoll_event.data.u32). */
#define EPOLL_TAG_SIGNAL 0u
#define EPOLL_TAG_WIRE 1u
#define EPOLL_TAG_NODE 2u /* + node index */
#define EPOLL_TAG_OUT 0xffffffffu /* the events' reader went away */

struct conn {
	char local[32];
	char remote[32];
	enum tcpstate state;
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
	uint64_t last_stamp;    /* of its newest queued line */
	bool hello;
	bool app_done;
	bool app_done_read;     /* its app-done is read (maybe not yet printed) */
	int app_status;
	bool quitting;          /* we sent quit (or are tearing down) */
	/* Connections it reported, until they reach CLOSED. */
	struct conn *conns;
	size_t nconns, capconns;
	/* Every state it entered, in order, for session_consume_state. */
	enum tcpstate *log;
	size_t nlog, caplog, cursor;
	/* Ids of the newest connection and listener it reported (`conn`). */
	char last_conn[24], last_listener[24];
	struct evline ev;       /* the event being handled */
	/* The answer to the command in flight (verb `asked`): 0 none yet,
	 * 1 ok, -1 error. */
	int answer;
	char asked[16];
};

struct session {
	struct session_config cfg;
	struct netns *ns;
	int sigfd;
	int epfd;               /* signals, pcap and node sockets */
	sigset_t oldmask;
	struct sigaction oldpipe;
	struct node nodes[SESSION_MAX_NODES];
	int nnodes;
	pid_t cmd_pid;          /* 0: none or reaped; also its process group */
	bool cmd_done;
	int cmd_tty;            /* the terminal the peer was given, or -1 */
	struct sigaction oldttou;
	int cmd_status;         /* exit code (128 + signal if killed) */
	struct wiretap *wire;   /* the wire: recording and inferred states, or NULL */
	bool wire_failed;       /* its capture or recording failed (and was said) */
	struct evqueue *q;      /* read, not yet printed (in stamp order) */
	uint64_t horizon;       /* lines stamped before this may be printed */
	int64_t real_minus_mono; /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	uint64_t last_wire_stamp; /* of the capture's newest queued line */
	int stop_status;        /* see session_stop_status */
	char node_path[PATH_MAX];
};


/* The stamps' clock (ctlmsg_now_ns) in milliseconds. */
static long long now_ms(void)
{
	return (long long)(ctlmsg_now_ns() / 1000000);
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

/* --- Output ------------------------------------------------------------------ */

static bool shown(const struct session *s, const struct node *n)
{
	return !s->cfg.only || strcmp(s->cfg.only, n->name) == 0;
}

static void stop(struct session *s, int status)
{
	if (!s->stop_status)
		s->stop_status = status;
}

static void print_line(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void print_line(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(s->cfg.out, fmt, ap);
	va_end(ap);
	fputc('\n', s->cfg.out);
	fflush(s->cfg.out);
	/* Nobody reads any more (tcpstep ... | head): end the session the
	 * way SIGPIPE would have, quietly. */
	if (ferror(s->cfg.out) && !s->stop_status) {
		if (errno != EPIPE)
			fprintf(stderr, "tcpstep: writing events: %s\n",
				strerror(errno));
		stop(s, errno == EPIPE ? 128 + SIGPIPE : 1);
	}
}

/* --- Node bookkeeping ----------------------------------------------------- */

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

static void note_state(struct node *n, const char *local, const char *remote,
		       enum tcpstate to)
{
	size_t i;

	if (grow((void **)&n->log, &n->caplog, n->nlog + 1, sizeof *n->log))
		n->log[n->nlog++] = to;
	for (i = 0; i < n->nconns; i++)
		if (!strcmp(n->conns[i].local, local) &&
		    !strcmp(n->conns[i].remote, remote))
			break;
	if (to == TCPSTATE_CLOSED) {
		if (i < n->nconns)
			n->conns[i] = n->conns[--n->nconns];
		return;
	}
	if (i == n->nconns) {
		if (!grow((void **)&n->conns, &n->capconns, n->nconns + 1,
			  sizeof *n->conns))
			return;
		n->nconns++;
		snprintf(n->conns[i].local, sizeof n->conns[i].local, "%s",
			 local);
		snprintf(n->conns[i].remote, sizeof n->conns[i].remote, "%s",
			 remote);
	}
	n->conns[i].state = to;
}

static void node_complain(struct node *n, const char *what, const char *line,
			  size_t len)
{
	char esc[100];

	/* Enough of the line to recognise it. */
	size_t need = textesc_escape(esc, sizeof esc, line, len, 0);
	fprintf(stderr, "tcpstep: %s: %s: %s%s\n", n->name, what, esc,
		need >= sizeof esc ? "..." : "");
}

static void handle_event(struct node *n, const struct evline *ev)
{
	struct session *s = n->s;
	bool print = !s->cfg.raw && shown(s, n);

	switch (ev->kind) {
	case EVLINE_OUT:
	case EVLINE_PLAY:
		if (print && s->cfg.show_app)
			print_line(s, "%s", ev->text);
		break;
	case EVLINE_STATE:
		note_state(n, ev->local, ev->remote, ev->to);
		if (print && s->cfg.show_states)
			print_line(s, "%s", ev->text);
		break;
	case EVLINE_HELLO:
		n->hello = true;
		break;
	case EVLINE_APP_DONE:
		n->app_done = true;
		n->app_status = ev->status;
		break;
	case EVLINE_OK:
		/* Only the answer to the command in flight: a late answer to
		 * one that timed out must not answer the next. (An `error`
		 * names no verb, so it cannot be told apart this way.) */
		if (!strcmp(ev->verb, n->asked))
			n->answer = 1;
		break;
	case EVLINE_ERROR:
		n->answer = -1;
		if (!s->cfg.raw)
			fprintf(stderr, "tcpstep: %s: error %s\n", n->name,
				ev->text);
		break;
	case EVLINE_CONN:
		snprintf(ev->listener ? n->last_listener : n->last_conn,
			 sizeof n->last_conn, "%s", ev->id);
		break;
	case EVLINE_OTHER:
		/* held, clock, conns: state for the UI; --raw shows them. */
		break;
	}
}

/* A node's line as it is read: stamped and queued (nothing is handled or
 * printed before its turn, see release_lines). */
static void on_line(void *user, enum ctlmsg_line_status st, char *line,
		    size_t len)
{
	struct node *n = user;
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
	/* Whether the node may go away is known at once, not when the line
	 * is printed. */
	if (len >= 9 && !memcmp(line, "app-done ", 9))
		n->app_done_read = true;
	if (!evqueue_push(n->s->q, stamp, n->index, line, len))
		node_complain(n, "out of memory, event dropped", line, len);
}

/* A node's line when its turn comes: bookkeeping, then the headless text. */
static void release_node_line(struct node *n, char *line, size_t len)
{
	char copy[CTLMSG_LINE_MAX + 1];
	/* Big (4 x a line, escaped): one per node, not on the stack. */
	struct evline *ev = &n->ev;
	const char *why;

	memcpy(copy, line, len + 1);
	if (n->s->cfg.raw && shown(n->s, n)) {
		textesc_escape(ev->text, sizeof ev->text, line, len, 0);
		print_line(n->s, "%s %s", n->name, ev->text);
	}
	if (evline_parse(ev, n->name, line, len, &why) < 0) {
		char what[160];

		snprintf(what, sizeof what, "malformed event (%s)", why);
		node_complain(n, what, copy, len);
		return;
	}
	handle_event(n, ev);
}

/* A line of another source (the capture, session_emit): printed as is. */
static void queue_line(struct session *s, uint64_t stamp, int source,
		       const char *line)
{
	if (!evqueue_push(s->q, stamp, source, line, strlen(line)))
		fprintf(stderr, "tcpstep: out of memory, a line was dropped\n");
}

/* Prints (and handles) every queued line stamped before `horizon`, in
 * stamp order. */
static void release_lines(struct session *s, uint64_t horizon)
{
	struct evqueue_item it;

	while (evqueue_pop(s->q, horizon, &it)) {
		if (it.source >= 0 && it.source < s->nnodes)
			release_node_line(&s->nodes[it.source], it.line, it.len);
		else
			print_line(s, "%s", it.line);
	}
}

/* --- Processes ------------------------------------------------------------ */

static const char *node_state_text(int status, char *buf, size_t size)
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


static void close_node_fd(struct node *n)
{
	if (n->fd >= 0) {
		close(n->fd);
		n->fd = -1;
	}
}

static void reap(struct session *s)
{
	for (;;) {
		int status;
		char why[96];
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
			/* A node whose app finished may exit on its own (the
			 * server's "once" mode); anything else is a death. */
			if (!n->quitting &&
			    !(n->app_done_read && WIFEXITED(status) &&
			      WEXITSTATUS(status) == 0)) {
				fprintf(stderr,
					"tcpstep: node %s %s; ending the session\n",
					n->name,
					node_state_text(status, why, sizeof why));
				stop(s, 1);
			}
		}
	}
}

/* Reads everything node n has written so far (until the socket would
 * block), queueing its lines. False when the read budget ran out first
 * (more may be waiting: the round was not complete). */
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
			fprintf(stderr, "tcpstep: node %s: control socket: %s\n",
				n->name, strerror(errno));
		else if (ctlmsg_reader_pending(&n->rd))
			fprintf(stderr, "tcpstep: node %s: its last event was cut "
				"off (%zu bytes without a newline, dropped)\n",
				n->name, ctlmsg_reader_pending(&n->rd));
		close_node_fd(n);
		if (!n->quitting && !n->app_done_read) {
			fprintf(stderr,
				"tcpstep: node %s closed its control socket; "
				"ending the session\n", n->name);
			stop(s, 1);
		}
	}
	return true;
}

static void handle_signals(struct session *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD) {
			reap(s);
		} else if (!s->stop_status) {
			fprintf(stderr, "tcpstep: %s, cleaning up\n",
				strsignal((int)si.ssi_signo));
			stop(s, 128 + (int)si.ssi_signo);
		}
	}
}

/* Reads what the wire tap has captured. A failed recording or a lost capture ends
 * the session: the user asked for the file. */
static void drain_wire(struct session *s)
{
	char err[600];

	if (!s->wire || s->wire_failed)
		return;
	if (wiretap_poll(s->wire, err, sizeof err))
		return;
	s->wire_failed = true;
	/* Said even when the session is already ending: wiretap_close does
	 * not repeat a failure wiretap_poll has returned. */
	if (s->stop_status) {
		fprintf(stderr, "tcpstep: %s\n", err);
		return;
	}
	fprintf(stderr, "tcpstep: %s; ending the session\n", err);
	stop(s, 1);
}

/* An inferred state change (wiretap.h): printed beside the nodes' true
 * ones unless filtered out (--no-states, --no-wire, --only NODE, --raw),
 * in its place by its capture time. */
static void on_wire_state(const char *line, const struct tracker_event *ev,
			  void *user)
{
	struct session *s = user;

	if (s->cfg.raw || !s->cfg.show_states || !s->cfg.show_wire ||
	    (s->cfg.only && strcmp(s->cfg.only, "wire")))
		return;
	uint64_t stamp = session_mono_from_realtime(s, ev->ts_ns);
	uint64_t now = ctlmsg_now_ns();

	/* Nothing was captured in the future (a wall clock set back would
	 * say so, and hold the line back for as long). The tracker's lines
	 * stay in the order it made them (a segment moves both ends, in one
	 * order) whatever the clocks' jitter. */
	if (stamp > now)
		stamp = now;
	if (stamp < s->last_wire_stamp)
		stamp = s->last_wire_stamp;
	s->last_wire_stamp = stamp;
	queue_line(s, stamp, SESSION_SOURCE_WIRE, line);
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, for the capture's stamps (wall time).
 * It moves only when the wall clock is set or slewed (NTP: at most 500
 * ppm), so a change under SESSION_CLOCK_JITTER_NS is the measurement's
 * own noise and is ignored: one frame's lines convert alike. */
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
	 * CLOCK_REALTIME (sync_clocks, to 2 us): holding every line back
	 * 10 ms keeps a wire line among the nodes' lines by its stamp even
	 * then. Nodes alone need no such margin. */
	return s->wire ? SESSION_WIRE_HOLD_NS : 0;
}

/* Reads every source once, completely if it can, and prints what that
 * makes safe to print. Returns how many lines it read.
 *
 * Why this gives causal order (docs/control-protocol.md "Ordering"): a
 * node writes a step's events (blocking, so they are in our socket
 * buffer) before that step's frames leave, and the peer stamps its
 * reaction after it received the frame. So if a line L is stamped at T, any
 * line that led to it was already readable at T. A round that began after
 * T (t0 > T) and read every socket until it would block has read them
 * all; printing in stamp order then puts them before L. */
static size_t read_round(struct session *s)
{
	size_t before = evqueue_len(s->q);
	uint64_t t0 = ctlmsg_now_ns();
	bool complete = true;

	sync_clocks(s);
	drain_wire(s);
	/* A TIME_WAIT the tracker ends on its own is stamped with its
	 * deadline: fire what is due before this round's horizon, so it is
	 * queued before anything it precedes is printed. */
	if (s->wire)
		wiretap_advance(s->wire, (int64_t)(t0 - held_back(s)) +
				s->real_minus_mono);
	for (int i = 0; i < s->nnodes; i++)
		if (!drain_node(s, &s->nodes[i]))
			complete = false;
	if (complete && t0 > held_back(s) && t0 - held_back(s) > s->horizon)
		s->horizon = t0 - held_back(s);
	/* nothing was taken out since `before` */
	size_t got = evqueue_len(s->q) - before;

	release_lines(s, s->horizon);
	return got;
}

/* Reads rounds until one reads nothing new (everything read before it is
 * then printed, apart from what the capture's margin still holds back). */
static void collect(struct session *s)
{
	for (int i = 0; i < SESSION_ROUNDS_MAX; i++)
		if (read_round(s) == 0)
			break;
}

/* One pass: waits up to timeout_ms for something to happen (or for a
 * held-back line to come of age), reads everything, prints what is safe. */
static void pass(struct session *s, int timeout_ms)
{
	struct epoll_event ev[SESSION_MAX_NODES + 3];
	bool sig = false;
	uint64_t oldest;
	int n;

	if (evqueue_oldest(s->q, &oldest)) {
		uint64_t due = oldest + held_back(s) + 1, now = ctlmsg_now_ns();
		uint64_t ms = due > now ? (due - now + 999999) / 1000000 : 0;

		if (timeout_ms < 0 || ms < (uint64_t)timeout_ms)
			timeout_ms = (int)ms;
	}
	n = epoll_wait(s->epfd, ev, SESSION_MAX_NODES + 3, timeout_ms);
	if (n < 0) {
		if (errno != EINTR)
			fprintf(stderr, "tcpstep: epoll_wait: %s\n", strerror(errno));
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		uint32_t tag = ev[i].data.u32;

		if (tag == EPOLL_TAG_SIGNAL) {
			sig = true;
		} else if (tag == EPOLL_TAG_OUT) {
			/* Level-triggered EPOLLERR would wake every pass of
			 * the teardown: stop watching once it has said it. */
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, fileno(s->cfg.out),
				  NULL);
			stop(s, 128 + SIGPIPE);
		}
	}
	/* Every source, whichever woke us: the order comes from the stamps,
	 * not from which socket became readable first. Nodes before signals:
	 * events written before a node died are read before its death is
	 * reported. */
	collect(s);
	if (sig)
		handle_signals(s);
}

static bool watch(struct session *s, int fd, uint32_t tag, char *err,
		  size_t errsize)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		errbuf_set(err, errsize, "epoll_ctl: %s", strerror(errno));
		return false;
	}
	return true;
}

/* A pipe's write end reports EPOLLERR once its reader has gone (tcpstep
 * ... | head): without this, a session whose events have all been written
 * would never learn it, and would wait for its peer command forever. Files
 * cannot be watched (EPERM) and need not be. */
static void watch_reader(struct session *s)
{
	struct epoll_event ev = { .events = 0, .data.u32 = EPOLL_TAG_OUT };
	struct stat st;
	int fd = fileno(s->cfg.out);

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Before session_wait returns: print what has been read, as far as the
 * order allows (a line the capture's margin still holds back may wait a
 * few ms; one that cannot be printed yet stays for the next wait, or the
 * end). So a caller that goes on to something else (a script's next line,
 * a blocking read of its input) leaves nothing read unprinted behind. */
static void settle(struct session *s)
{
	long long end = now_ms() + (long long)(held_back(s) / 1000000) +
			SESSION_SETTLE_EXTRA_MS;

	collect(s);
	while (evqueue_len(s->q) > 0 && now_ms() < end)
		pass(s, (int)(end - now_ms()));
}

enum session_wait session_wait(struct session *s,
			       bool (*pred)(struct session *s, void *user),
			       void *user, int timeout_ms)
{
	long long end = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	enum session_wait w;

	for (;;) {
		int left = -1;

		if (pred && pred(s, user)) {
			w = SESSION_WAIT_DONE;
			break;
		}
		if (s->stop_status)
			return SESSION_WAIT_STOPPED;
		if (end >= 0) {
			long long l = end - now_ms();
			if (l <= 0) {
				w = SESSION_WAIT_TIMEOUT;
				break;
			}
			left = l > INT_MAX ? INT_MAX : (int)l;
		}
		/* Wake at least every 100 ms to re-check the predicate. */
		pass(s, left < 0 || left > 100 ? 100 : left);
	}
	settle(s);
	return w;
}

void session_emit(struct session *s, uint64_t stamp_ns, const char *line)
{
	queue_line(s, stamp_ns, SESSION_SOURCE_OTHER, line);
}

uint64_t session_mono_from_realtime(const struct session *s,
				    int64_t realtime_ns)
{
	int64_t m = realtime_ns - s->real_minus_mono;

	return m > 0 ? (uint64_t)m : 0;
}

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

static bool got_answer(struct session *s, void *user)
{
	return ((struct node *)user)->answer != 0 || ((struct node *)user)->fd < 0;
}

int session_command(struct session *s, int node, const char *line,
		    int timeout_ms, char *err, size_t errsize)
{
	struct node *n;

	if (node < 0 || node >= s->nnodes) {
		errbuf_set(err, errsize, "no such node");
		return -1;
	}
	n = &s->nodes[node];
	n->answer = 0;
	snprintf(n->asked, sizeof n->asked, "%.*s", (int)strcspn(line, " "),
		 line);
	if (!send_line(n, line)) {
		errbuf_set(err, errsize, "cannot send to node %s: %s", n->name,
		       n->fd < 0 ? "it has gone" : strerror(errno));
		return -1;
	}
	switch (session_wait(s, got_answer, n, timeout_ms)) {
	case SESSION_WAIT_DONE:
		if (n->answer)
			return n->answer > 0 ? 1 : 0;
		errbuf_set(err, errsize, "node %s has gone", n->name);
		return -1;
	case SESSION_WAIT_TIMEOUT:
		errbuf_set(err, errsize, "node %s did not answer '%s' within %d ms",
		       n->name, line, timeout_ms);
		return -1;
	default:
		errbuf_set(err, errsize, "session stopped");
		return -1;
	}
}

/* --- Life cycle ----------------------------------------------------------- */

static void stale_msg(const char *msg, void *user)
{
	fprintf(stderr, "tcpstep: removing a stale namespace: %s\n", msg);
}

/* The tracker's MSL is the nodes': --msl, or the node's default (2 s). */
static int64_t session_msl_ns(const struct session_config *cfg)
{
	double msl = cfg->msl ? strtod(cfg->msl, NULL) : 2.0;

	return (int64_t)(msl * 1e9 + 0.5);
}

static bool start_wire(struct session *s, char *err, size_t errsize)
{
	struct wiretap_config wc = {
		.write_path = s->cfg.pcap_path,
		.msl_ns = session_msl_ns(&s->cfg),
		.on_state = on_wire_state,
		.user = s,
	};
	char werr[600];

	s->wire = wiretap_open(s->ns, &wc, werr, sizeof werr);
	if (s->wire)
		return watch(s, wiretap_fd(s->wire), EPOLL_TAG_WIRE, err,
			     errsize);
	/* The recording was asked for; the inferred lines are a bonus the
	 * session can run without. */
	if (s->cfg.pcap_path) {
		errbuf_set(err, errsize, "%s", werr);
		return false;
	}
	fprintf(stderr, "tcpstep: %s; inferred states are not shown\n", werr);
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
	s->sigfd = -1;
	s->epfd = -1;
	s->cmd_tty = -1;
	s->real_minus_mono = measure_real_minus_mono();
	s->q = evqueue_create();
	if (!s->q) {
		errbuf_set(err, errsize, "out of memory");
		free(s);
		return NULL;
	}
	if (!find_node(s->node_path, sizeof s->node_path, err, errsize)) {
		evqueue_destroy(s->q);
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
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		errbuf_set(err, errsize, "epoll_create1: %s", strerror(errno));
		goto fail;
	}
	if (!watch(s, s->sigfd, EPOLL_TAG_SIGNAL, err, errsize))
		goto fail;
	watch_reader(s);
	netns_remove_stale(stale_msg, NULL);
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

static bool said_hello(struct session *s, void *user)
{
	struct node *n = user;

	return n->hello;
}

/* Distinct per-node seeds from one --seed (splitmix64's finaliser): two
 * lwIP hosts seeded alike pick the same ISN and local port (DESIGN.md).
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
	char ipcidr[24], seed[24];
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
	if (s->cfg.msl) {
		argv[argc++] = "--msl";
		argv[argc++] = s->cfg.msl;
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
	if (!watch(s, n->fd, EPOLL_TAG_NODE + (uint32_t)n->index, err,
		   errsize))
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

bool session_start_command(struct session *s, const char *command, char *err,
			   size_t errsize)
{
	pid_t pid;

	int tty = -1;

	if (s->cmd_pid) {
		errbuf_set(err, errsize, "a command is already running");
		return false;
	}
	/* The peer runs as its own job. When tcpstep is the terminal's
	 * foreground job, the peer becomes it, as a shell would do, so an
	 * interactive peer (a shell, nc) gets the keyboard and its ^C, and
	 * tcpstep takes the terminal back when it ends. */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp())
		tty = STDIN_FILENO;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		errbuf_set(err, errsize, "fork: %s", strerror(errno));
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
	return true;
}

static bool all_gone(struct session *s, void *user)
{
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

void session_destroy(struct session *s)
{
	if (!s)
		return;
	if (s->sigfd >= 0 && s->epfd >= 0) {
		long long end = now_ms() + SESSION_QUIT_MS;

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
			while (n->fd >= 0 && n->pid && now_ms() < end)
				pass(s, 50);
		}
		/* session_wait returns at once once stopped: loop by hand. */
		while (!all_gone(s, NULL) && now_ms() < end)
			pass(s, 50);
		/* COMMAND's own children (a shell's pipeline) and anything
		 * else started inside get the same chance to exit. */
		if (s->ns && netns_signal_all(s->ns, SIGTERM) > 0)
			usleep(100 * 1000);
		if (!all_gone(s, NULL)) {
			kill_all(s, SIGKILL);
			end = now_ms() + SESSION_QUIT_MS;
			while (!all_gone(s, NULL) && now_ms() < end)
				pass(s, 50);
		}
	}
	/* What the nodes wrote before they went (they have, or were
	 * killed), then the capture's last frames: everything is read, so
	 * everything may be printed, in order. */
	for (int i = 0; i < s->nnodes; i++)
		drain_node(s, &s->nodes[i]);
	if (s->wire) {
		char err[600];
		unsigned long long lost;

		drain_wire(s);
		lost = wiretap_dropped(s->wire);
		if (lost && s->cfg.pcap_path)
			fprintf(stderr, "tcpstep: the recording %s misses %llu "
				"frames (the capture buffer overflowed)\n",
				s->cfg.pcap_path, lost);
		else if (lost)
			fprintf(stderr, "tcpstep: the capture of the wire missed %llu "
				"frames (its buffer overflowed); the inferred "
				"states may be wrong\n", lost);
		if (!wiretap_close(s->wire, err, sizeof err))
			fprintf(stderr, "tcpstep: %s\n", err);
		s->wire = NULL;
	}
	release_lines(s, UINT64_MAX);
	for (int i = 0; i < s->nnodes; i++) {
		close_node_fd(&s->nodes[i]);
		free(s->nodes[i].conns);
		free(s->nodes[i].log);
	}
	evqueue_destroy(s->q);
	netns_destroy(s->ns);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->cmd_tty >= 0)
		tcsetpgrp(s->cmd_tty, getpgrp());
	sigaction(SIGPIPE, &s->oldpipe, NULL);
	sigaction(SIGTTOU, &s->oldttou, NULL);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	free(s);
}

bool session_wire_quiet(const struct session *s)
{
	return !s->wire || wiretap_quiet(s->wire, source_now_ns());
}

int session_stop_status(const struct session *s)
{
	return s->stop_status > 0 ? s->stop_status : 0;
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
		if (n->conns[i].state != TCPSTATE_LISTEN)
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
