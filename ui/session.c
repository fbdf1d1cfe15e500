/* The controller's side of a live session: spawns tcpstep-node processes
 * inside the session namespace with their control socket as fd 3, reads
 * their events and prints them, and tears everything down in order.
 * Protocol: docs/control-protocol.md; codec: stack/ctlmsg.h. */
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
#include <time.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "evline.h"
#include "netns.h"
#include "textesc.h"
#include "wiretap.h"

#define SESSION_MAX_NODES 4
/* How long a node gets to say hello, and to exit after `quit`. */
#define SESSION_HELLO_MS 5000
#define SESSION_QUIT_MS 2000

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
	bool hello;
	bool app_done;
	int app_status;
	bool quitting;          /* we sent quit (or are tearing down) */
	bool listening;
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
	struct wiretap *wire;   /* br0: recording and inferred states, or NULL */
	int stop_status;        /* see session_stop_status */
	char node_path[PATH_MAX];
};

static void seterr(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsize)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
			seterr(err, errsize,
			       "TCPSTEP_NODE=%s is not an executable file", env);
			return false;
		}
		snprintf(dst, size, "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		seterr(err, errsize, "cannot find my own executable: %s",
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
	seterr(err, errsize,
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
	if (to == TCPSTATE_LISTEN)
		n->listening = true;
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

static void on_line(void *user, enum ctlmsg_line_status st, char *line,
		    size_t len)
{
	struct node *n = user;
	char copy[CTLMSG_LINE_MAX + 1];
	/* Big (4 x a line, escaped): one per node, not on the stack. */
	struct evline *ev = &n->ev;
	const char *why;

	if (st == CTLMSG_LINE_TOO_LONG) {
		node_complain(n, "over-long event line discarded", line, len);
		return;
	}
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
			    !(n->app_done && WIFEXITED(status) &&
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

static void read_node(struct session *s, struct node *n)
{
	long r = ctlmsg_reader_read_fd(&n->rd, n->fd, on_line, n);

	if (r > 0 || (r < 0 && (errno == EINTR || errno == EAGAIN)))
		return;
	if (r < 0)
		fprintf(stderr, "tcpstep: node %s: control socket: %s\n",
			n->name, strerror(errno));
	else if (ctlmsg_reader_pending(&n->rd))
		fprintf(stderr, "tcpstep: node %s: its last event was cut off "
			"(%zu bytes without a newline, dropped)\n", n->name,
			ctlmsg_reader_pending(&n->rd));
	close_node_fd(n);
	if (!n->quitting && !n->app_done) {
		fprintf(stderr,
			"tcpstep: node %s closed its control socket; ending the "
			"session\n", n->name);
		stop(s, 1);
	}
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

/* Reads what br0 has captured. A failed recording or a lost capture ends
 * the session: the user asked for the file. */
static void drain_wire(struct session *s)
{
	char err[600];

	if (!s->wire)
		return;
	if (!wiretap_poll(s->wire, err, sizeof err) && !s->stop_status) {
		fprintf(stderr, "tcpstep: %s; ending the session\n", err);
		stop(s, 1);
	}
}

/* An inferred state change (wiretap.h): printed beside the nodes' true
 * ones unless filtered out (--no-states, --no-wire, --only NODE, --raw). */
static void on_wire_state(const char *line, const struct tracker_event *ev,
			  void *user)
{
	struct session *s = user;

	if (s->cfg.raw || !s->cfg.show_states || !s->cfg.show_wire ||
	    (s->cfg.only && strcmp(s->cfg.only, "wire")))
		return;
	print_line(s, "%s", line);
}

/* One pass: waits up to timeout_ms for something to happen and handles it.
 * epoll lists ready descriptors in the order they became ready
 * (fs/eventpoll.c appends to its ready list), so when two nodes have
 * written, the one that wrote first is read first: the client's
 * SYN_SENT -> ESTABLISHED comes out before the server's [Message] that
 * its ACK caused. */
static void pass(struct session *s, int timeout_ms)
{
	struct epoll_event ev[SESSION_MAX_NODES + 2];
	bool sig = false;
	int n = epoll_wait(s->epfd, ev, SESSION_MAX_NODES + 2, timeout_ms);

	if (n < 0) {
		if (errno != EINTR)
			fprintf(stderr, "tcpstep: epoll_wait: %s\n", strerror(errno));
		return;
	}
	/* The wire first, again before each node's read: a node writes its
	 * event after the frames it sent (tun's write has taken the frame
	 * through br0, and so into the capture, before it returns) and after
	 * the frame it received, so the capture read just before a node's
	 * read holds every frame behind the events that read returns. A
	 * segment's inferred changes are then printed before the true ones it
	 * caused. Nodes before signals: events already written before a node
	 * died are read before its death is reported. */
	if (n > 0)
		drain_wire(s);
	for (int i = 0; i < n; i++) {
		uint32_t tag = ev[i].data.u32;

		if (tag == EPOLL_TAG_SIGNAL) {
			sig = true;
		} else if (tag == EPOLL_TAG_OUT) {
			if (!s->stop_status)
				stop(s, 128 + SIGPIPE);
		} else if (tag - EPOLL_TAG_NODE < (uint32_t)s->nnodes &&
			   s->nodes[tag - EPOLL_TAG_NODE].fd >= 0) {
			drain_wire(s);
			read_node(s, &s->nodes[tag - EPOLL_TAG_NODE]);
		}
	}
	/* Capture time is the wall clock: a TIME_WAIT ends on time even
	 * when the wire is quiet. */
	if (s->wire)
		wiretap_advance(s->wire, wiretap_now_ns());
	if (sig)
		handle_signals(s);
}

static bool watch(struct session *s, int fd, uint32_t tag, char *err,
		  size_t errsize)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		seterr(err, errsize, "epoll_ctl: %s", strerror(errno));
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

enum session_wait session_wait(struct session *s,
			       bool (*pred)(struct session *s, void *user),
			       void *user, int timeout_ms)
{
	long long end = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		int left = -1;

		if (pred && pred(s, user))
			return SESSION_WAIT_DONE;
		if (s->stop_status)
			return SESSION_WAIT_STOPPED;
		if (end >= 0) {
			long long l = end - now_ms();
			if (l <= 0)
				return SESSION_WAIT_TIMEOUT;
			left = l > INT_MAX ? INT_MAX : (int)l;
		}
		/* Wake at least every 100 ms to re-check the predicate. */
		pass(s, left < 0 || left > 100 ? 100 : left);
	}
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
		seterr(err, errsize, "no such node");
		return -1;
	}
	n = &s->nodes[node];
	n->answer = 0;
	snprintf(n->asked, sizeof n->asked, "%.*s", (int)strcspn(line, " "),
		 line);
	if (!send_line(n, line)) {
		seterr(err, errsize, "cannot send to node %s: %s", n->name,
		       n->fd < 0 ? "it has gone" : strerror(errno));
		return -1;
	}
	switch (session_wait(s, got_answer, n, timeout_ms)) {
	case SESSION_WAIT_DONE:
		if (n->answer)
			return n->answer > 0 ? 1 : 0;
		seterr(err, errsize, "node %s has gone", n->name);
		return -1;
	case SESSION_WAIT_TIMEOUT:
		seterr(err, errsize, "node %s did not answer '%s' within %d ms",
		       n->name, line, timeout_ms);
		return -1;
	default:
		seterr(err, errsize, "session stopped");
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
		seterr(err, errsize, "%s", werr);
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
		seterr(err, errsize, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->sigfd = -1;
	s->epfd = -1;
	s->cmd_tty = -1;
	if (!find_node(s->node_path, sizeof s->node_path, err, errsize)) {
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
		seterr(err, errsize, "signalfd: %s", strerror(errno));
		goto fail;
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		seterr(err, errsize, "epoll_create1: %s", strerror(errno));
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
		seterr(err, errsize, "bad node %s", name);
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
		seterr(err, errsize, "socketpair: %s", strerror(errno));
		close(tapfd);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		seterr(err, errsize, "fork: %s", strerror(errno));
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
		seterr(err, errsize, "node %s did not say hello within %d ms",
		       name, SESSION_HELLO_MS);
		return -1;
	default:
		seterr(err, errsize, "node %s did not start", name);
		return -1;
	}
}

int session_find_node(const struct session *s, const char *name)
{
	for (int i = 0; i < s->nnodes; i++)
		if (!strcmp(s->nodes[i].name, name))
			return i;
	return -1;
}

bool session_start_command(struct session *s, const char *command, char *err,
			   size_t errsize)
{
	pid_t pid;

	int tty = -1;

	if (s->cmd_pid) {
		seterr(err, errsize, "a command is already running");
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
		seterr(err, errsize, "fork: %s", strerror(errno));
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
		/* Ask nicely, then insist. The loop keeps reaping. */
		for (int i = 0; i < s->nnodes; i++) {
			s->nodes[i].quitting = true;
			send_line(&s->nodes[i], "quit");
		}
		if (s->cmd_pid)
			kill(-s->cmd_pid, SIGTERM);
		s->stop_status = s->stop_status ? s->stop_status : -1;
		/* session_wait returns at once once stopped: loop by hand. */
		for (long long end = now_ms() + SESSION_QUIT_MS;
		     !all_gone(s, NULL) && now_ms() < end;)
			pass(s, 50);
		/* COMMAND's own children (a shell's pipeline) and anything
		 * else started inside get the same chance to exit. */
		if (s->ns && netns_signal_all(s->ns, SIGTERM) > 0)
			usleep(100 * 1000);
		if (!all_gone(s, NULL)) {
			kill_all(s, SIGKILL);
			for (long long end = now_ms() + SESSION_QUIT_MS;
			     !all_gone(s, NULL) && now_ms() < end;)
				pass(s, 50);
		}
	}
	for (int i = 0; i < s->nnodes; i++) {
		close_node_fd(&s->nodes[i]);
		free(s->nodes[i].conns);
		free(s->nodes[i].log);
	}
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
			fprintf(stderr, "tcpstep: the capture of br0 missed %llu "
				"frames (its buffer overflowed); the inferred "
				"states may be wrong\n", lost);
		if (!wiretap_close(s->wire, err, sizeof err))
			fprintf(stderr, "tcpstep: %s\n", err);
	}
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
	return !s->wire || wiretap_quiet(s->wire, wiretap_now_ns());
}

int session_stop_status(const struct session *s)
{
	return s->stop_status > 0 ? s->stop_status : 0;
}

bool session_node_listening(const struct session *s, int node)
{
	return node >= 0 && node < s->nnodes && s->nodes[node].listening;
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

const char *session_netns_name(const struct session *s)
{
	return netns_name(s->ns);
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
