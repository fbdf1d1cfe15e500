/* `tcpstep play --script FILE`: both lwIP nodes in manual mode (they do only
 * what control commands say), driven line by line by a script, so a lesson
 * (half-close, abort, simultaneous close, stepping...) can be replayed and
 * tested. The script's node commands are the control protocol's
 * (docs/control-protocol.md), sent as written; a few directives of its own
 * wait for events or run a kernel peer. */
#include "cmd_play.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "headless.h"

#define PLAY_DEFAULT_WAIT_MS 5000

/* Exit status when --timeout ends the script (headless_help). */
#define PLAY_TIMEOUT_STATUS 124

struct play {
	const char *path;
	bool paused;
	int fd;                 /* the script, read with read(2) only */
	int server, client;
	/* For messages: "FILE:LINE". */
	const char *name;
	long lineno;
	/* The script as read so far: at most one line longer than any the
	 * protocol allows (CTLMSG_LINE_MAX), so an endless line (/dev/zero)
	 * costs no more memory than that. */
	char buf[CTLMSG_LINE_MAX + 2];
	size_t len;             /* bytes in buf */
	size_t used;            /* of which the line returned last */
	bool eof;
	/* --timeout: one deadline for the whole run, headless_run's; every
	 * wait below is cut short by it (headless_budget). */
	const struct headless_opts *o;
	/* While the next line is awaited, the script's fd is watched on the
	 * session's loop (only then: a readable fd watched during a `sleep`
	 * line would wake the loop at once, over and over): ready when a read
	 * will not block (it has data, or has ended). A regular file cannot
	 * be watched, and is always ready. */
	bool watched, ready;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpstep play [--headless] [--script FILE|-] [--paused] [options]\n"
		"\n"
		"Starts two lwIP nodes in manual mode, 'server' (192.0.2.2) and 'client'\n"
		"(192.0.2.3); the kernel is 192.0.2.1. Reads a script (default: stdin),\n"
		"one line each, and prints events like 'tcpstep demo hello':\n"
		"  NODE COMMAND ...    a control command sent to node server or client and\n"
		"                      answered before the next line: listen PORT, connect\n"
		"                      IP:PORT, send ID TEXT (percent-encoded: %%20 space,\n"
		"                      %%0A newline), shutdown ID, close ID, abort ID, run,\n"
		"                      pause, step, advance, speed F, drop-next-in, status\n"
		"                      (docs/control-protocol.md). In ID, $conn is the\n"
		"                      node's newest connection, $listener its newest\n"
		"                      listener.\n"
		"  wait NODE STATE [MS]  wait until NODE enters STATE (each entry counts\n"
		"                      once), up to MS ms (default 5000)\n"
		"  sleep MS            let MS milliseconds of real time pass\n"
		"  exec COMMAND        start a kernel peer (/bin/sh -c) in the namespace\n"
		"  wait-exec [MS]      wait until it ends (default 5000 ms)\n"
		"  # ...               a comment; blank lines are ignored\n"
		"Exits 0 at the end of the script, 1 if a line is malformed (or over\n"
		"4095 bytes) or a wait times out (node errors are printed, and the\n"
		"script goes on), 124 if --timeout S passes first: S bounds the whole\n"
		"run, waiting for script lines included.\n"
		"\n"
		"  --script FILE       the script ('-' for stdin, the default)\n"
		"  --paused            start both nodes paused (clock stopped, frames held)\n"
		"%s", headless_help);
}

static int timed_out(const struct play *p)
{
	fprintf(stderr, "tcpstep play: %s:%ld: gave up after %d s (--timeout)\n",
		p->name, p->lineno, p->o->timeout_s);
	return PLAY_TIMEOUT_STATUS;
}

static void bad(struct play *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct play *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tcpstep play: %s:%ld: ", p->name, p->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct state_wait {
	int node;
	enum tcpstate to;
};

static bool entered(struct session *s, void *user)
{
	struct state_wait *w = user;

	return session_consume_state(s, w->node, w->to);
}

static bool command_done(struct session *s, void *user)
{
	return session_command_done(s, NULL);
}

/* Optional milliseconds argument. */
static bool parse_ms(struct play *p, const char *word, int *ms)
{
	unsigned long long v;

	if (!word)
		return true;
	if (!headless_parse_uint(word, 0, 3600 * 1000, &v)) {
		bad(p, "'%s' is not a number of milliseconds (0..3600000)", word);
		return false;
	}
	*ms = (int)v;
	return true;
}

static int node_of(const struct play *p, const char *word)
{
	if (!strcmp(word, "server"))
		return p->server;
	if (!strcmp(word, "client"))
		return p->client;
	return -1;
}

/* Sends a node command, replacing $conn / $listener words. */
static int node_command(struct session *s, struct play *p, int node,
			char *rest)
{
	char line[CTLMSG_LINE_MAX], err[512];
	size_t len = 0;
	char *save = NULL;

	line[0] = '\0';
	for (char *w = strtok_r(rest, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		const char *word = w;
		int n;

		if (!strcmp(w, "$conn") || !strcmp(w, "$listener")) {
			word = session_node_last_id(s, node, w[1] == 'l');
			if (!word) {
				bad(p, "no %s known yet", w);
				return 1;
			}
		}
		n = snprintf(line + len, sizeof line - len, "%s%s",
			     len ? " " : "", word);
		if (n < 0 || (size_t)n >= sizeof line - len) {
			bad(p, "%s", "line too long");
			return 1;
		}
		len += (size_t)n;
	}
	if (!len) {
		bad(p, "%s", "a node command is missing");
		return 1;
	}
	if (session_command(s, node, line, headless_budget(p->o, PLAY_DEFAULT_WAIT_MS),
			    err, sizeof err) < 0) {
		if (headless_expired(p->o))
			return timed_out(p);
		bad(p, "%s", err);
		return 1;
	}
	return 0;
}

static int do_line(struct session *s, struct play *p, char *line)
{
	char *save = NULL, *verb, *a, *b, *c;
	int node, ms = PLAY_DEFAULT_WAIT_MS;
	char err[512];

	line[strcspn(line, "\r\n")] = '\0';
	for (char *q = line; *q; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t') {
			bad(p, "%s", "control character in the script");
			return 1;
		}
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return 0;
	if (!strncmp(line, "exec ", 5)) {
		if (!session_start_command(s, line + 5, 0, err, sizeof err)) {
			bad(p, "%s", err);
			return 1;
		}
		return 0;
	}
	verb = strtok_r(line, " \t", &save);
	if ((node = node_of(p, verb)) >= 0)
		return node_command(s, p, node, save ? save : (char *)"");
	a = strtok_r(NULL, " \t", &save);
	b = strtok_r(NULL, " \t", &save);
	c = strtok_r(NULL, " \t", &save);
	if (!strcmp(verb, "sleep")) {
		if (!a || b) {
			bad(p, "%s", "usage: sleep MS");
			return 1;
		}
		if (!parse_ms(p, a, &ms))
			return 1;
		session_wait(s, NULL, NULL, headless_budget(p->o, ms));
		return headless_expired(p->o) ? timed_out(p) : 0;
	}
	if (!strcmp(verb, "wait")) {
		struct state_wait w;

		if (!a || !b || (c && strtok_r(NULL, " \t", &save))) {
			bad(p, "%s", "usage: wait NODE STATE [MS]");
			return 1;
		}
		w.node = node_of(p, a);
		if (w.node < 0) {
			bad(p, "unknown node '%s' (server or client)", a);
			return 1;
		}
		if (tcpstate_from_str(b, &w.to) < 0) {
			bad(p, "unknown state '%s' (CLOSED, LISTEN, ... TIME_WAIT)",
			    b);
			return 1;
		}
		if (!parse_ms(p, c, &ms))
			return 1;
		if (session_wait(s, entered, &w, headless_budget(p->o, ms)) ==
		    SESSION_WAIT_TIMEOUT) {
			if (headless_expired(p->o))
				return timed_out(p);
			fprintf(stderr, "tcpstep play: %s:%ld: %s did not enter "
				"%s within %d ms\n", p->name, p->lineno, a, b, ms);
			return 1;
		}
		return 0;
	}
	if (!strcmp(verb, "wait-exec")) {
		if (b) {
			bad(p, "%s", "usage: wait-exec [MS]");
			return 1;
		}
		if (!parse_ms(p, a, &ms))
			return 1;
		if (session_wait(s, command_done, NULL, headless_budget(p->o, ms)) ==
		    SESSION_WAIT_TIMEOUT) {
			if (headless_expired(p->o))
				return timed_out(p);
			fprintf(stderr, "tcpstep play: %s:%ld: the kernel peer "
				"still runs after %d ms\n", p->name, p->lineno,
				ms);
			return 1;
		}
		return 0;
	}
	bad(p, "unknown line '%s' (NODE COMMAND, wait, sleep, exec, wait-exec)",
	    verb);
	return 1;
}

static void on_script(struct loop *l, int fd, unsigned mask, void *user)
{
	struct play *p = user;

	(void)l;
	(void)fd;
	(void)mask;
	p->ready = true;
}

/* True when a read(2) of the script will not block: the loop said so (it
 * sleeps until then, handing on events and signals meanwhile). */
static bool input_ready(struct session *s, void *user)
{
	struct play *p = user;

	(void)s;
	return !p->watched || p->ready;
}

/* The next script line in *line (NUL-terminated, without its '\n'); false
 * at the end of the script or on a failure, with the exit status in
 * *status (0 at the end; a message was printed otherwise). */
static bool next_line(struct session *s, struct play *p, char **line,
		      int *status)
{
	*status = 1;
	memmove(p->buf, p->buf + p->used, p->len - p->used);
	p->len -= p->used;
	p->used = 0;
	for (;;) {
		char *nl = memchr(p->buf, '\n', p->len);
		size_t n = nl ? (size_t)(nl - p->buf) : p->len;
		ssize_t r;

		if (n >= CTLMSG_LINE_MAX) {
			p->lineno++;
			bad(p, "line too long (a line holds at most %d bytes)",
			    CTLMSG_LINE_MAX - 1);
			return false;
		}
		if (nl || (p->eof && p->len)) {
			p->lineno++;
			p->buf[n] = '\0';
			p->used = nl ? n + 1 : n;
			if (memchr(p->buf, '\0', n)) {
				bad(p, "%s", "NUL byte in the script");
				return false;
			}
			*line = p->buf;
			return true;
		}
		if (p->eof) {
			*status = 0;
			return false;
		}
		p->ready = false;
		p->watched = loop_add_fd(session_loop(s), p->fd, LOOP_READ,
					 on_script, p, NULL, 0);
		enum session_wait w = session_wait(s, input_ready, p,
						   headless_budget(p->o, -1));
		if (p->watched)
			loop_del_fd(session_loop(s), p->fd);
		switch (w) {
		case SESSION_WAIT_DONE:
			break;
		case SESSION_WAIT_TIMEOUT:
			fprintf(stderr, "tcpstep play: %s: gave up after %d s "
				"(--timeout) waiting for line %ld\n", p->name,
				p->o->timeout_s, p->lineno + 1);
			*status = PLAY_TIMEOUT_STATUS;
			return false;
		default:
			return false; /* stopped: headless_run has the status */
		}
		r = read(p->fd, p->buf + p->len, sizeof p->buf - 1 - p->len);
		if (r > 0) {
			p->len += (size_t)r;
		} else if (r == 0) {
			p->eof = true;
		} else if (errno != EINTR && errno != EAGAIN) {
			fprintf(stderr, "tcpstep play: reading %s: %s\n",
				p->name, strerror(errno));
			return false;
		}
	}
}

static int run(struct session *s, struct headless_opts *o, void *user)
{
	struct play *p = user;
	const char *server_args[] = { "--app", "manual", NULL, NULL };
	const char *client_args[] = { "--app", "manual", NULL, NULL };
	char *line;
	int rc;

	p->o = o;
	if (p->paused)
		server_args[2] = client_args[2] = "--paused";
	p->server = headless_spawn(s, "play", "server", SESSION_SERVER_IP,
				   server_args);
	if (p->server < 0)
		return 1;
	p->client = headless_spawn(s, "play", "client", SESSION_CLIENT_IP,
				   client_args);
	if (p->client < 0)
		return 1;
	while (next_line(s, p, &line, &rc)) {
		if ((rc = do_line(s, p, line)) != 0 || session_stop_status(s))
			break;
	}
	return rc;
}

int cmd_play_main(int argc, char **argv)
{
	static const char *const nodes[] = { "server", "client", NULL };
	struct headless_opts o;
	struct play p = { .path = "-" };
	int rc;

	headless_init(&o);
	for (int i = 1; i < argc; i++) {
		int r = headless_parse(&o, "play", argc, argv, &i);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--paused")) {
			p.paused = true;
		} else if (!strcmp(argv[i], "--script") && i + 1 < argc) {
			p.path = argv[++i];
		} else {
			fprintf(stderr, "tcpstep play: %s '%s'\n",
				strcmp(argv[i], "--script") ? "unknown option"
							   : "a value is needed after",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!headless_check(&o, "play", nodes))
		return 2;
	if (!strcmp(p.path, "-")) {
		p.fd = STDIN_FILENO;
		p.name = "stdin";
	} else {
		p.fd = open(p.path, O_RDONLY | O_CLOEXEC);
		p.name = p.path;
		if (p.fd < 0) {
			fprintf(stderr, "tcpstep play: cannot read %s: %s\n",
				p.path, strerror(errno));
			return 1;
		}
	}
	rc = headless_run(&o, "play", run, &p);
	if (p.fd != STDIN_FILENO)
		close(p.fd);
	return rc;
}
