/* `tcpstep play --script FILE`: both lwIP nodes in manual mode (they do only
 * what control commands say), driven line by line by a script, so a lesson
 * (half-close, abort, simultaneous close, stepping...) can be replayed and
 * tested. The script's node commands are the control protocol's
 * (docs/control-protocol.md), sent as written; a few directives of its own
 * wait for events or run a kernel peer. */
#include "play_cmd.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "headless.h"

#define PLAY_DEFAULT_WAIT_MS 5000

struct play {
	const char *path;
	bool paused;
	FILE *in;
	int server, client;
	/* For messages: "FILE:LINE". */
	const char *name;
	long lineno;
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
		"Exits 0 at the end of the script, 1 if a line is malformed or a wait\n"
		"times out (node errors are printed, and the script goes on).\n"
		"\n"
		"  --script FILE       the script ('-' for stdin, the default)\n"
		"  --paused            start both nodes paused (clock stopped, frames held)\n"
		"%s", headless_help);
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

static int node_of(struct session *s, struct play *p, const char *word)
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
	if (session_command(s, node, line, PLAY_DEFAULT_WAIT_MS, err,
			    sizeof err) < 0) {
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
		if (!session_start_command(s, line + 5, err, sizeof err)) {
			bad(p, "%s", err);
			return 1;
		}
		return 0;
	}
	verb = strtok_r(line, " \t", &save);
	if ((node = node_of(s, p, verb)) >= 0)
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
		session_wait(s, NULL, NULL, ms);
		return 0;
	}
	if (!strcmp(verb, "wait")) {
		struct state_wait w;

		if (!a || !b || (c && strtok_r(NULL, " \t", &save))) {
			bad(p, "%s", "usage: wait NODE STATE [MS]");
			return 1;
		}
		w.node = node_of(s, p, a);
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
		if (session_wait(s, entered, &w, ms) == SESSION_WAIT_TIMEOUT) {
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
		if (session_wait(s, command_done, NULL, ms) ==
		    SESSION_WAIT_TIMEOUT) {
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

static bool input_ready(struct session *s, void *user)
{
	struct pollfd pfd = { .fd = fileno(((struct play *)user)->in),
			      .events = POLLIN };

	return poll(&pfd, 1, 0) != 0;
}

static int run(struct session *s, struct headless_opts *o, void *user)
{
	struct play *p = user;
	const char *server_args[] = { "--app", "manual", NULL, NULL };
	const char *client_args[] = { "--app", "manual", NULL, NULL };
	char err[512];
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (p->paused)
		server_args[2] = client_args[2] = "--paused";
	p->server = session_spawn_node(s, "server", SESSION_SERVER_IP,
				       server_args, err, sizeof err);
	if (p->server >= 0)
		p->client = session_spawn_node(s, "client", SESSION_CLIENT_IP,
					       client_args, err, sizeof err);
	if (p->server < 0 || p->client < 0) {
		fprintf(stderr, "tcpstep play: %s\n", err);
		return 1;
	}
	/* Typed at a terminal: keep showing events while the user thinks
	 * (the loop runs until a line is ready). Unbuffered, so no typed
	 * line can hide in stdio's buffer where poll cannot see it. */
	if (isatty(fileno(p->in)))
		setvbuf(p->in, NULL, _IONBF, 0);
	while ((!isatty(fileno(p->in)) ||
		session_wait(s, input_ready, p, -1) == SESSION_WAIT_DONE) &&
	       getline(&line, &cap, p->in) > 0) {
		p->lineno++;
		if (strlen(line) > CTLMSG_LINE_MAX) {
			bad(p, "%s", "line too long");
			rc = 1;
			break;
		}
		if ((rc = do_line(s, p, line)) != 0 || session_stop_status(s))
			break;
	}
	free(line);
	return rc;
}

int play_cmd_main(int argc, char **argv)
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
		p.in = stdin;
		p.name = "stdin";
	} else {
		p.in = fopen(p.path, "r");
		p.name = p.path;
		if (!p.in) {
			fprintf(stderr, "tcpstep play: cannot read %s: %s\n",
				p.path, strerror(errno));
			return 1;
		}
	}
	rc = headless_run(&o, "play", run, &p);
	if (p.in != stdin)
		fclose(p.in);
	return rc;
}
