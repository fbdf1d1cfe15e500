/* `tcpstep demo hello`: the article's exchange between the lwIP server
 * (192.0.2.2:8888) and the lwIP client (192.0.2.3), printed as events; exits
 * once both apps have finished and every TIME_WAIT has ended. */
#include "cmd_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "headless.h"
#include "live_ui.h"

struct demo {
	const char *server_mode;
	int server, client;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpstep demo hello [--headless] [--seed N] [--msl S]\n"
		"                          [--server-mode once|sequential|concurrent] [options]\n"
		"\n"
		"Runs the article's server on an lwIP node (192.0.2.2:8888) and its client on\n"
		"another (192.0.2.3) in a private network namespace. On a terminal it opens\n"
		"the UI, paused before the first segment (n sends one, space runs, t fires the\n"
		"next timer, ? lists the keys; docs/ui.md). With --headless, or when standard\n"
		"input or output is not a terminal, it prints one event per\n"
		"line: the apps' output exactly as they print it, and every true TCP state\n"
		"change as '<node> <local> <remote> <FROM> -> <TO> (<cause>)'; beside them,\n"
		"the states inferred from the capture of the wire as\n"
		"'wire conn <N> <ip:port> <FROM> -> <TO> (<cause>)'. Exits 0 once\n"
		"both apps have finished and TIME_WAIT has ended; 1 if an app failed or a\n"
		"node died; 128+N on signal N. Needs root or unprivileged user namespaces.\n"
		"\n"
		"  --server-mode M    the article's server steps: once (one connection, then\n"
		"                     exit), sequential (5 s handler), concurrent (default)\n"
		"%s", headless_help);
}

static bool server_listening(struct session *s, void *user)
{
	return session_node_listening(s, ((struct demo *)user)->server);
}

static bool finished(struct session *s, void *user)
{
	struct demo *d = user;

	if (!session_node_app_done(s, d->client, NULL))
		return false;
	/* "once" ends its app; the other modes serve forever. */
	if (!strcmp(d->server_mode, "once") &&
	    !session_node_app_done(s, d->server, NULL))
		return false;
	return session_node_quiet(s, d->server) &&
	       session_node_quiet(s, d->client) && session_wire_quiet(s);
}

static int timed_out(struct headless_opts *o, const char *what)
{
	fprintf(stderr, "tcpstep demo hello: %s after %d s (--timeout)\n", what,
		o->timeout_s);
	return 124;
}

/* The two nodes' options: the article's server on 8888, its client
 * connecting to it (paused: its SYN waits for the UI's first step). */
static void node_args(const struct demo *d, bool paused, const char *server[7],
		      const char *client[6])
{
	const char *sv[7] = { "--app", "server", "--server-mode", d->server_mode,
			      "--port", "8888", NULL };
	const char *cl[6] = { "--app", "client", "--connect",
			      SESSION_SERVER_IP ":8888", paused ? "--paused" : NULL,
			      NULL };

	memcpy(server, sv, sizeof sv);
	memcpy(client, cl, sizeof cl);
}

static int run(struct session *s, struct headless_opts *o, void *user)
{
	struct demo *d = user;
	const char *server_args[7], *client_args[6];
	int cs = 0, ss = 0;

	node_args(d, false, server_args, client_args);
	enum session_wait w;

	d->server = headless_spawn(s, "demo hello", "server", SESSION_SERVER_IP,
				   server_args);
	if (d->server < 0)
		return 1;
	/* --timeout bounds the whole run (headless_run counts from its
	 * start), every wait included. */
	w = session_wait(s, server_listening, d, headless_budget(o, 5000));
	if (w == SESSION_WAIT_TIMEOUT && headless_expired(o))
		return timed_out(o, "the server is not listening yet");
	if (w == SESSION_WAIT_TIMEOUT) {
		fprintf(stderr, "tcpstep demo hello: the server did not listen "
			"within 5 s\n");
		return 1;
	}
	if (w != SESSION_WAIT_DONE)
		return 1;
	d->client = headless_spawn(s, "demo hello", "client", SESSION_CLIENT_IP,
				   client_args);
	if (d->client < 0)
		return 1;
	w = session_wait(s, finished, d, headless_budget(o, -1));
	if (w == SESSION_WAIT_TIMEOUT)
		return timed_out(o, "not finished");
	if (w != SESSION_WAIT_DONE)
		return 1;
	session_node_app_done(s, d->client, &cs);
	session_node_app_done(s, d->server, &ss);
	return cs || ss ? 1 : 0;
}

/* On a terminal (live_ui.h): the exchange live in the UI, paused before
 * the first segment: the server listening, the client's SYN held at it. */
static bool start_ui(struct session *s, struct tui_feed *feed, void *user,
		     char *err, size_t errsize)
{
	struct demo *d = user;
	const char *server_args[7], *client_args[6];

	node_args(d, true, server_args, client_args);
	d->server = live_ui_paused_server(s, feed, server_args, err, errsize);
	if (d->server < 0)
		return false;
	d->client = live_ui_spawn(s, feed, "client", SESSION_CLIENT_IP,
				  client_args, err, errsize);
	return d->client >= 0;
}

int cmd_demo_main(int argc, char **argv)
{
	static const char *const nodes[] = { "server", "client", NULL };
	struct headless_opts o;
	struct demo d = { .server_mode = "concurrent" };
	int i;

	headless_init(&o);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "tcpstep demo: which demo? (hello)\n");
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "hello") != 0) {
		fprintf(stderr, "tcpstep demo: unknown demo '%s' (there is: hello)\n",
			argv[1]);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		int r = headless_parse(&o, "demo hello", argc, argv, &i);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--server-mode")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tcpstep demo hello: --server-mode "
					"needs a value\n");
				return 2;
			}
			d.server_mode = argv[++i];
			if (!headless_server_mode("demo hello", d.server_mode))
				return 2;
			continue;
		}
		fprintf(stderr, "tcpstep demo hello: unknown option '%s'\n",
			argv[i]);
		usage(stderr);
		return 2;
	}
	if (!headless_check(&o, "demo hello", nodes))
		return 2;
	if (live_ui_wanted(&o)) {
		struct live_ui u = { "demo hello", "live: hello", start_ui, &d, NULL };

		return live_ui_run(&o, &u);
	}
	return headless_run(&o, "demo hello", run, &d);
}
