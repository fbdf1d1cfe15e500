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
#include "live_ui.h"
#include "loop.h"

#define PLAY_DEFAULT_WAIT_MS 5000

/* Exit status when --timeout ends the script (headless_help). */
#define PLAY_TIMEOUT_STATUS 124

struct state_wait {
	int node;
	enum tcpstate to;
};

struct play {
	const char *path;
	bool script_given;      /* --script (else stdin, headless) */
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
	/* On the terminal UI (run_ui): no line blocks the screen. The line
	 * being carried out waits here for what it needs (an answer, a
	 * state, the kernel peer's end, time, input), checked before every
	 * sleep of the loop; messages go to the output pane, not stderr. */
	struct tui_feed *feed;
	struct session *s;
	enum play_wait { PLAY_READY, PLAY_ANSWER, PLAY_STATE, PLAY_EXEC,
			 PLAY_SLEEP, PLAY_INPUT, PLAY_OVER } waiting;
	struct state_wait sw;
	int64_t deadline_ns;    /* of the wait (STATE, EXEC, SLEEP) */
	int wait_ms;            /* for its message */
	char wait_what[64];     /* "client ESTABLISHED", for its message */
	long long timer;        /* the loop's timer for the deadline, 0: none */
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

	va_start(ap, fmt);
	if (p->feed) {
		char msg[200];
		int n = snprintf(msg, sizeof msg, "line %ld: ", p->lineno);

		vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
		tui_feed_say(p->feed, "script", msg, strlen(msg));
	} else {
		fprintf(stderr, "tcpstep play: %s:%ld: ", p->name, p->lineno);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

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

/* A node command's line with $conn / $listener words replaced, in line;
 * false (said) if it cannot be made. */
static bool node_line(struct session *s, struct play *p, int node, char *rest,
		      char line[CTLMSG_LINE_MAX])
{
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
				return false;
			}
		}
		n = snprintf(line + len, CTLMSG_LINE_MAX - len, "%s%s",
			     len ? " " : "", word);
		if (n < 0 || (size_t)n >= CTLMSG_LINE_MAX - len) {
			bad(p, "%s", "line too long");
			return false;
		}
		len += (size_t)n;
	}
	if (!len) {
		bad(p, "%s", "a node command is missing");
		return false;
	}
	return true;
}

/* What one script line asks for. */
struct play_action {
	enum { ACT_NONE, ACT_EXEC, ACT_NODE, ACT_SLEEP, ACT_WAIT,
	       ACT_WAIT_EXEC } kind;
	char *text;             /* EXEC: the command; NODE: its words */
	int node;               /* NODE, WAIT */
	int ms;                 /* SLEEP, WAIT, WAIT_EXEC */
	struct state_wait w;    /* WAIT */
	const char *node_word, *state_word; /* WAIT, for its message */
	bool ms_given;          /* WAIT, WAIT_EXEC: MS was written */
};

/* Parses line into *a; false (said) if it is malformed. */
static bool parse_line(struct play *p, char *line, struct play_action *a)
{
	char *save = NULL, *verb, *b1, *b2, *b3;

	memset(a, 0, sizeof *a);
	a->ms = PLAY_DEFAULT_WAIT_MS;
	line[strcspn(line, "\r\n")] = '\0';
	for (char *q = line; *q; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t') {
			bad(p, "%s", "control character in the script");
			return false;
		}
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return true;
	if (!strncmp(line, "exec ", 5)) {
		a->kind = ACT_EXEC;
		a->text = line + 5;
		return true;
	}
	verb = strtok_r(line, " \t", &save);
	if ((a->node = node_of(p, verb)) >= 0) {
		a->kind = ACT_NODE;
		a->text = save ? save : (char *)"";
		return true;
	}
	b1 = strtok_r(NULL, " \t", &save);
	b2 = strtok_r(NULL, " \t", &save);
	b3 = strtok_r(NULL, " \t", &save);
	if (!strcmp(verb, "sleep")) {
		if (!b1 || b2) {
			bad(p, "%s", "usage: sleep MS");
			return false;
		}
		a->kind = ACT_SLEEP;
		return parse_ms(p, b1, &a->ms);
	}
	if (!strcmp(verb, "wait")) {
		if (!b1 || !b2 || (b3 && strtok_r(NULL, " \t", &save))) {
			bad(p, "%s", "usage: wait NODE STATE [MS]");
			return false;
		}
		a->w.node = node_of(p, b1);
		if (a->w.node < 0) {
			bad(p, "unknown node '%s' (server or client)", b1);
			return false;
		}
		if (tcpstate_from_str(b2, &a->w.to) < 0) {
			bad(p, "unknown state '%s' (CLOSED, LISTEN, ... TIME_WAIT)",
			    b2);
			return false;
		}
		a->kind = ACT_WAIT;
		a->node_word = b1;
		a->state_word = b2;
		a->ms_given = b3 != NULL;
		return parse_ms(p, b3, &a->ms);
	}
	if (!strcmp(verb, "wait-exec")) {
		if (b2) {
			bad(p, "%s", "usage: wait-exec [MS]");
			return false;
		}
		a->kind = ACT_WAIT_EXEC;
		a->ms_given = b1 != NULL;
		return parse_ms(p, b1, &a->ms);
	}
	bad(p, "unknown line '%s' (NODE COMMAND, wait, sleep, exec, wait-exec)",
	    verb);
	return false;
}

/* One line, headless: carried out before the next is read. */
static int do_line(struct session *s, struct play *p, char *line)
{
	struct play_action a;
	char err[512], cmd[CTLMSG_LINE_MAX];

	if (!parse_line(p, line, &a))
		return 1;
	switch (a.kind) {
	case ACT_NONE:
		return 0;
	case ACT_EXEC:
		if (!session_start_command(s, a.text, 0, err, sizeof err)) {
			bad(p, "%s", err);
			return 1;
		}
		return 0;
	case ACT_NODE:
		if (!node_line(s, p, a.node, a.text, cmd))
			return 1;
		if (session_command(s, a.node, cmd,
				    headless_budget(p->o, PLAY_DEFAULT_WAIT_MS),
				    err, sizeof err) < 0) {
			if (headless_expired(p->o))
				return timed_out(p);
			bad(p, "%s", err);
			return 1;
		}
		return 0;
	case ACT_SLEEP:
		session_wait(s, NULL, NULL, headless_budget(p->o, a.ms));
		return headless_expired(p->o) ? timed_out(p) : 0;
	case ACT_WAIT:
		if (session_wait(s, entered, &a.w, headless_budget(p->o, a.ms)) ==
		    SESSION_WAIT_TIMEOUT) {
			if (headless_expired(p->o))
				return timed_out(p);
			fprintf(stderr, "tcpstep play: %s:%ld: %s did not enter "
				"%s within %d ms\n", p->name, p->lineno,
				a.node_word, a.state_word, a.ms);
			return 1;
		}
		return 0;
	case ACT_WAIT_EXEC:
		if (session_wait(s, command_done, NULL, headless_budget(p->o, a.ms)) ==
		    SESSION_WAIT_TIMEOUT) {
			if (headless_expired(p->o))
				return timed_out(p);
			fprintf(stderr, "tcpstep play: %s:%ld: the kernel peer "
				"still runs after %d ms\n", p->name, p->lineno,
				a.ms);
			return 1;
		}
		return 0;
	}
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

enum line_got { LINE_OK, LINE_AGAIN, LINE_END, LINE_FAIL };

/* The next whole line of what was read, in *line (NUL-terminated, without
 * its '\n'); LINE_AGAIN when more must be read first (read_more); LINE_FAIL
 * after saying why. */
static enum line_got take_line(struct play *p, char **line)
{
	memmove(p->buf, p->buf + p->used, p->len - p->used);
	p->len -= p->used;
	p->used = 0;

	char *nl = memchr(p->buf, '\n', p->len);
	size_t n = nl ? (size_t)(nl - p->buf) : p->len;

	if (n >= CTLMSG_LINE_MAX) {
		p->lineno++;
		bad(p, "line too long (a line holds at most %d bytes)",
		    CTLMSG_LINE_MAX - 1);
		return LINE_FAIL;
	}
	if (nl || (p->eof && p->len)) {
		p->lineno++;
		p->buf[n] = '\0';
		p->used = nl ? n + 1 : n;
		if (memchr(p->buf, '\0', n)) {
			bad(p, "%s", "NUL byte in the script");
			return LINE_FAIL;
		}
		*line = p->buf;
		return LINE_OK;
	}
	return p->eof ? LINE_END : LINE_AGAIN;
}

/* One read(2) of the script; false (said) on a failure. */
static bool read_more(struct play *p)
{
	ssize_t r = read(p->fd, p->buf + p->len, sizeof p->buf - 1 - p->len);

	if (r > 0)
		p->len += (size_t)r;
	else if (r == 0)
		p->eof = true;
	else if (errno != EINTR && errno != EAGAIN) {
		if (p->feed) {
			char msg[300];

			snprintf(msg, sizeof msg, "reading %s: %s", p->name,
				 strerror(errno));
			tui_feed_say(p->feed, "script", msg, strlen(msg));
		} else {
			fprintf(stderr, "tcpstep play: reading %s: %s\n",
				p->name, strerror(errno));
		}
		return false;
	}
	return true;
}

/* The next script line in *line (NUL-terminated, without its '\n'); false
 * at the end of the script or on a failure, with the exit status in
 * *status (0 at the end; a message was printed otherwise). */
static bool next_line(struct session *s, struct play *p, char **line,
		      int *status)
{
	*status = 1;
	for (;;) {
		switch (take_line(p, line)) {
		case LINE_OK:
			return true;
		case LINE_END:
			*status = 0;
			return false;
		case LINE_FAIL:
			return false;
		case LINE_AGAIN:
			break;
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
		if (!read_more(p))
			return false;
	}
}

/* --- The script on the terminal UI ------------------------------------------ */

static int64_t now_ns(void)
{
	return (int64_t)ctlmsg_now_ns();
}

static void say(struct play *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct play *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tui_feed_say(p->feed, "script", msg, strlen(msg));
}

static int64_t ui_wake(struct loop *l, long long id, void *user)
{
	struct play *p = user;

	(void)l;
	(void)id;
	p->timer = 0;
	return LOOP_TIMER_DONE; /* the next pass's hook looks */
}

/* A pass of the loop again in ms (-1: none, the events will say). */
static void ui_arm(struct play *p, int ms)
{
	if (p->timer)
		loop_del_timer(session_loop(p->s), p->timer);
	p->timer = 0;
	p->deadline_ns = ms < 0 ? INT64_MAX : now_ns() + (int64_t)ms * 1000000;
	if (ms >= 0) {
		p->timer = loop_add_timer(session_loop(p->s), (int64_t)ms * 1000000,
					  ui_wake, p);
		if (p->timer < 0)
			p->timer = 0;
	}
}

static void ui_answer(struct session *s, int node, bool ok, const char *key,
		      const char *text, void *user)
{
	struct play *p = user;

	(void)s;
	(void)node;
	if (!ok)
		say(p, "line %ld: %s %s", p->lineno, key, text);
	if (p->waiting == PLAY_ANSWER)
		p->waiting = !ok && !strcmp(key, "node-gone") ? PLAY_OVER
							      : PLAY_READY;
}

/* Starts one line; what it waits for is in p->waiting. */
static void ui_line(struct play *p, char *line)
{
	struct play_action a;
	char err[512], cmd[CTLMSG_LINE_MAX];

	if (!parse_line(p, line, &a)) {
		p->waiting = PLAY_OVER;
		return;
	}
	switch (a.kind) {
	case ACT_NONE:
		return;
	case ACT_EXEC:
		say(p, "line %ld: exec %.150s", p->lineno, a.text);
		if (!session_start_command(p->s, a.text, SESSION_CMD_CAPTURE |
					   SESSION_CMD_DETACHED, err, sizeof err)) {
			bad(p, "%s", err);
			p->waiting = PLAY_OVER;
		}
		return;
	case ACT_NODE:
		if (!node_line(p->s, p, a.node, a.text, cmd)) {
			p->waiting = PLAY_OVER;
			return;
		}
		say(p, "line %ld: %s %.150s", p->lineno,
		    a.node == p->server ? "server" : "client", cmd);
		if (session_send(p->s, a.node, cmd, ui_answer, p, err, sizeof err))
			p->waiting = PLAY_ANSWER;
		else {
			bad(p, "%s", err);
			p->waiting = PLAY_OVER;
		}
		return;
	case ACT_SLEEP:
		p->waiting = PLAY_SLEEP;
		ui_arm(p, a.ms);
		return;
	case ACT_WAIT:
		/* the teacher steps at their own pace: no limit but the
		 * line's own */
		p->waiting = PLAY_STATE;
		p->sw = a.w;
		p->wait_ms = a.ms_given ? a.ms : -1;
		snprintf(p->wait_what, sizeof p->wait_what, "%.15s %.20s",
			 a.node_word, a.state_word);
		say(p, "line %ld: waiting for %s", p->lineno, p->wait_what);
		ui_arm(p, p->wait_ms);
		return;
	case ACT_WAIT_EXEC:
		p->waiting = PLAY_EXEC;
		p->wait_ms = a.ms_given ? a.ms : -1;
		say(p, "line %ld: waiting for the kernel peer to end", p->lineno);
		ui_arm(p, p->wait_ms);
		return;
	}
}

/* Before every sleep of the loop: the script goes on as far as it can
 * without waiting (at most a few lines a pass: the screen stays live). */
static void ui_hook(struct loop *l, void *user)
{
	struct play *p = user;
	char *line;

	(void)l;
	for (int lines = 0; lines < 32;) {
		bool timed_out = now_ns() >= p->deadline_ns;

		switch (p->waiting) {
		case PLAY_OVER:
		case PLAY_ANSWER:
			return;
		case PLAY_INPUT:
			if (!p->ready)
				return;
			loop_del_fd(session_loop(p->s), p->fd);
			p->watched = false;
			p->waiting = read_more(p) ? PLAY_READY : PLAY_OVER;
			continue;
		case PLAY_STATE:
		case PLAY_EXEC:
			if (p->waiting == PLAY_STATE
				    ? session_consume_state(p->s, p->sw.node, p->sw.to)
				    : session_command_done(p->s, NULL)) {
				ui_arm(p, -1);
				p->waiting = PLAY_READY;
				continue;
			}
			if (!timed_out)
				return;
			if (p->waiting == PLAY_STATE)
				say(p, "line %ld: %s did not come within %d ms: the "
				    "script stops here", p->lineno, p->wait_what,
				    p->wait_ms);
			else
				say(p, "line %ld: the kernel peer still runs after "
				    "%d ms: the script stops here", p->lineno,
				    p->wait_ms);
			p->waiting = PLAY_OVER;
			return;
		case PLAY_SLEEP:
			if (!timed_out)
				return;
			p->waiting = PLAY_READY;
			continue;
		case PLAY_READY:
			break;
		}
		switch (take_line(p, &line)) {
		case LINE_OK:
			lines++;
			ui_line(p, line);
			continue;
		case LINE_END:
			say(p, "the end of %s (%ld lines)", p->name, p->lineno);
			p->waiting = PLAY_OVER;
			return;
		case LINE_FAIL:
			p->waiting = PLAY_OVER;
			return;
		case LINE_AGAIN:
			break;
		}
		/* a pipe or a terminal is watched; a file is always ready */
		p->ready = false;
		p->watched = loop_add_fd(session_loop(p->s), p->fd, LOOP_READ,
					 on_script, p, NULL, 0);
		if (p->watched) {
			p->waiting = PLAY_INPUT;
			return;
		}
		if (!read_more(p)) {
			p->waiting = PLAY_OVER;
			return;
		}
	}
	ui_arm(p, 0); /* more lines: the next pass, after the screen's */
}

static void stop_ui(struct session *s, void *user)
{
	struct play *p = user;

	loop_del_hook(session_loop(s), ui_hook, p);
	if (p->watched)
		loop_del_fd(session_loop(s), p->fd);
	p->watched = false;
	if (p->timer)
		loop_del_timer(session_loop(s), p->timer);
	p->timer = 0;
	p->waiting = PLAY_OVER;
}

/* On a terminal (live_ui.h): both nodes in manual mode, paused, and the
 * script (if any) carried out line by line as the lesson goes: a wait for
 * a state waits for the teacher's n. Without a script: the playground. */
static bool start_ui(struct session *s, struct tui_feed *feed, void *user,
		     char *err, size_t errsize)
{
	struct play *p = user;
	const char *args[] = { "--app", "manual", "--paused", NULL };

	p->feed = feed;
	p->s = s;
	p->server = live_ui_spawn(s, feed, "server", SESSION_SERVER_IP, args,
				  err, errsize);
	if (p->server < 0)
		return false;
	p->client = live_ui_spawn(s, feed, "client", SESSION_CLIENT_IP, args,
				  err, errsize);
	if (p->client < 0)
		return false;
	p->deadline_ns = INT64_MAX;
	if (p->fd < 0) {
		p->waiting = PLAY_OVER;
		static const char hint[] = "l listen, c connect, s send, w x X "
					   "shutdown close abort (then c or s; ? keys)";

		tui_feed_say(feed, "playground", hint, strlen(hint));
		return true;
	}
	p->waiting = PLAY_READY;
	say(p, "running %.150s", p->name);
	if (!loop_add_hook(session_loop(s), ui_hook, p)) {
		snprintf(err, errsize, "the script cannot be run (out of memory)");
		return false;
	}
	return true;
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
			p.script_given = true;
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
	if (live_ui_wanted(&o)) {
		struct live_ui u = { "play", "play", start_ui, &p, stop_ui };

		/* the terminal is the screen's: no script from it */
		if (p.script_given && !strcmp(p.path, "-")) {
			fprintf(stderr, "tcpstep play: on a terminal the UI reads "
				"the keyboard: give the script as a file (or "
				"--headless to read it from the terminal)\n");
			return 2;
		}
		p.fd = -1;
		p.name = p.script_given ? p.path : "";
		if (p.script_given) {
			p.fd = open(p.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (p.fd < 0) {
				fprintf(stderr, "tcpstep play: cannot read %s: %s\n",
					p.path, strerror(errno));
				return 1;
			}
		}
		rc = live_ui_run(&o, &u);
		if (p.fd >= 0)
			close(p.fd);
		return rc;
	}
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
