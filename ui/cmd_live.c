/* `tcpstep live --exec COMMAND`: the lwIP server listening on
 * 192.0.2.2:8888, a kernel peer COMMAND run inside the session namespace
 * (curl, nc, the article's Go programs...), and with --client-to the lwIP
 * client connecting to a kernel server that COMMAND starts. Exits with
 * COMMAND's status, or 1 if the client never connected. */
#include "cmd_live.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "headless.h"
#include "live_ui.h"

/* How long the client keeps retrying while the kernel server is not yet
 * listening (the 5 s). */
#define LIVE_CONNECT_RETRY_MS "5000"

/* When COMMAND ends, how long the client's events already on their way
 * (its ESTABLISHED may be read after COMMAND's exit, which can follow at
 * once: `nc -l` ends as soon as its peer closes) are waited for before the
 * client is judged. */
#define LIVE_CLIENT_GRACE_MS 500

struct live {
	const char *command;
	const char *client_to;
	const char *server_mode;
	bool wait_closed;
	int server, client;
	struct headless_opts *o;  /* --timeout bounds the whole run */
};

/* session_wait up to ms (-1: none) and what --timeout leaves. COMMAND's
 * standard output comes in as the session's kernel-peer events, printed
 * as "kernel LINE" among the others by stamp. */
static enum session_wait live_wait(struct session *s, struct live *l,
				   bool (*pred)(struct session *, void *),
				   int ms)
{
	return session_wait(s, pred, l, headless_budget(l->o, ms));
}

/* The lwIP client ended without its exchange (it could not connect). */
static bool client_failed(struct session *s, const struct live *l)
{
	int st;

	return l->client >= 0 && session_node_app_done(s, l->client, &st) &&
	       st != 0;
}

static int client_failure(const struct live *l)
{
	fprintf(stderr, "tcpstep live: the lwIP client gave up: it could not "
		"connect to %s (nothing accepted within %s ms of retries)\n",
		l->client_to, LIVE_CONNECT_RETRY_MS);
	return 1;
}

/* The lwIP client has connected at least once (its app only makes
 * outgoing connections, so an ESTABLISHED is its connect succeeding). */
static bool client_connected(struct session *s, const struct live *l)
{
	return session_node_entered(s, l->client, TCPSTATE_ESTABLISHED);
}

static bool client_settled(struct session *s, void *user)
{
	struct live *l = user;

	return client_connected(s, l) || session_node_app_done(s, l->client, NULL);
}

/* COMMAND ended (with status) and the client has not connected: the kernel
 * server was COMMAND's, so nothing will accept it any more. This is the
 * "could not connect" of the usage, not a success: 1, unless COMMAND's own
 * failure says more. */
static int client_never_connected(const struct live *l, int status)
{
	fprintf(stderr, "tcpstep live: the lwIP client never connected to %s: "
		"COMMAND ended (status %d) while it was still trying\n",
		l->client_to, status);
	return status ? status : 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpstep live [--headless] --exec 'COMMAND' [--client-to IP:PORT]\n"
		"                    [--server-mode once|sequential|concurrent]\n"
		"                    [--wait-closed] [options]\n"
		"\n"
		"Starts the article's server on an lwIP node listening on 192.0.2.2:8888,\n"
		"then runs COMMAND with /bin/sh inside the session namespace as a kernel\n"
		"peer (the kernel's address is 192.0.2.1), e.g.\n"
		"  --exec '(printf \"Hi\\n\"; sleep 2) | nc -q 0 192.0.2.2 8888'\n"
		"(nc's input stays open for 2 s so that the server closes first, as in\n"
		"the article; with 'nc -q N' alone nc sends its FIN when its input ends)\n"
		"and prints the same events as 'tcpstep demo hello'; COMMAND's standard\n"
		"output comes among them as 'kernel LINE' lines (escaped; its stdin and\n"
		"stderr stay tcpstep's). Exits with COMMAND's status when it ends (1 if\n"
		"a node died or the lwIP client could not connect: its retries ran out,\n"
		"or COMMAND ended before it connected; 124 after --timeout, which\n"
		"bounds the whole run; 128+N on signal N).\n"
		"\n"
		"  --exec COMMAND     the kernel peer (required)\n"
		"  --client-to IP:PORT  also start the lwIP client (192.0.2.3), connecting\n"
		"                     to a kernel server COMMAND starts (192.0.2.1, or an\n"
		"                     address it adds on 192.0.2.0/24; not .2 or .3, the\n"
		"                     nodes'), retrying while refused for up to 5 s;\n"
		"                     if it never connects, live exits 1 (or with\n"
		"                     COMMAND's failing status) and says why\n"
		"  --server-mode M    once, sequential or concurrent (default)\n"
		"  --wait-closed      after COMMAND ends, wait until every lwIP connection\n"
		"                     is CLOSED (TIME_WAIT included) before exiting\n"
		"%s", headless_help);
}

static bool server_listening(struct session *s, void *user)
{
	return session_node_listening(s, ((struct live *)user)->server);
}

static bool command_done(struct session *s, void *user)
{
	return session_command_done(s, NULL) || client_failed(s, user);
}

static bool all_quiet(struct session *s, void *user)
{
	struct live *l = user;

	return session_node_quiet(s, l->server) &&
	       (l->client < 0 || session_node_quiet(s, l->client)) &&
	       session_wire_quiet(s);
}

static int run(struct session *s, struct headless_opts *o, void *user)
{
	struct live *l = user;
	const char *server_args[] = { "--app", "server", "--server-mode",
				      l->server_mode, "--port", "8888", NULL };
	const char *client_args[] = { "--app", "client", "--connect",
				      l->client_to, "--connect-retry-ms",
				      LIVE_CONNECT_RETRY_MS, NULL };
	char err[512];
	enum session_wait w;
	int status = 0;
	bool no_client;
	const char *what = "the server is not listening yet";

	l->o = o;
	l->server = headless_spawn(s, "live", "server", SESSION_SERVER_IP,
				   server_args);
	if (l->server < 0)
		return 1;
	w = live_wait(s, l, server_listening, 5000);
	if (w != SESSION_WAIT_DONE) {
		if (w == SESSION_WAIT_TIMEOUT && headless_expired(o))
			goto timeout;
		if (w == SESSION_WAIT_TIMEOUT)
			fprintf(stderr, "tcpstep live: the server did not "
				"listen within 5 s\n");
		return 1;
	}
	if (!session_start_command(s, l->command, SESSION_CMD_CAPTURE, err, sizeof err)) {
		fprintf(stderr, "tcpstep live: %s\n", err);
		return 1;
	}
	if (l->client_to) {
		l->client = headless_spawn(s, "live", "client",
					   SESSION_CLIENT_IP, client_args);
		if (l->client < 0)
			return 1;
	}
	what = "COMMAND still running";
	w = live_wait(s, l, command_done, -1);
	if (w == SESSION_WAIT_TIMEOUT)
		goto timeout;
	if (w != SESSION_WAIT_DONE)
		return 1;
	if (!session_command_done(s, &status)) {
		/* The client gave up first: nothing will connect any more. */
		return client_failure(l);
	}
	/* Whether the client connected: its events may still be on their
	 * way (LIVE_CLIENT_GRACE_MS). */
	if (l->client >= 0 && !client_settled(s, l)) {
		what = "waiting for the lwIP client's events";
		w = live_wait(s, l, client_settled, LIVE_CLIENT_GRACE_MS);
		if (w == SESSION_WAIT_TIMEOUT && headless_expired(o))
			goto timeout;
		if (w != SESSION_WAIT_DONE && w != SESSION_WAIT_TIMEOUT)
			return 1;
	}
	no_client = l->client >= 0 && !client_connected(s, l);
	/* Events the nodes wrote as COMMAND ended are still in the sockets:
	 * collect them (briefly), or with --wait-closed wait for every
	 * connection to close, TIME_WAIT included (not for a client that
	 * never connected: its retries are not a connection to watch end). */
	what = "connections still open";
	w = live_wait(s, l, all_quiet, l->wait_closed && !no_client ? -1 : 300);
	if (w == SESSION_WAIT_TIMEOUT && l->wait_closed && !no_client)
		goto timeout;
	if (client_failed(s, l)) {
		client_failure(l);
		return status ? status : 1;
	}
	if (no_client)
		return client_never_connected(l, status);
	return status;
timeout:
	fprintf(stderr, "tcpstep live: gave up after %d s (--timeout): %s\n",
		o->timeout_s, what);
	return 124;
}

/* On a terminal (live_ui.h): the server listening and paused, the client
 * (with --client-to) started paused, and COMMAND run at once, its output
 * in the screen's output pane: it cannot be paused, the nodes can (the
 * server's answers wait for n or Space). */
static bool start_ui(struct session *s, struct tui_feed *feed, void *user,
		     char *err, size_t errsize)
{
	struct live *l = user;
	const char *server_args[] = { "--app", "server", "--server-mode",
				      l->server_mode, "--port", "8888", NULL };
	const char *client_args[] = { "--app", "client", "--connect",
				      l->client_to, "--connect-retry-ms",
				      LIVE_CONNECT_RETRY_MS, "--paused", NULL };

	l->server = live_ui_paused_server(s, feed, server_args, err, errsize);
	if (l->server < 0)
		return false;
	if (l->client_to) {
		l->client = live_ui_spawn(s, feed, "client", SESSION_CLIENT_IP,
					  client_args, err, errsize);
		if (l->client < 0)
			return false;
	}
	return session_start_command(s, l->command,
				     SESSION_CMD_CAPTURE | SESSION_CMD_DETACHED,
				     err, errsize);
}

int cmd_live_main(int argc, char **argv)
{
	static const char *const nodes[] = { "server", "client", NULL };
	struct headless_opts o;
	struct live l = { .server_mode = "concurrent", .client = -1 };

	headless_init(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = headless_parse(&o, "live", argc, argv, &i);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--wait-closed")) {
			l.wait_closed = true;
			continue;
		}
		if (strcmp(a, "--exec") && strcmp(a, "--client-to") &&
		    strcmp(a, "--server-mode")) {
			fprintf(stderr, "tcpstep live: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "tcpstep live: %s needs a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--exec")) {
			l.command = argv[++i];
			if (!*l.command) {
				fprintf(stderr, "tcpstep live: --exec wants a "
					"command\n");
				return 2;
			}
		} else if (!strcmp(a, "--client-to")) {
			uint32_t addr;
			uint16_t port;

			l.client_to = argv[++i];
			/* Only the session network exists in the namespace;
			 * say so rather than let the client time out. */
			if (ctlmsg_parse_addrport(l.client_to, false, &addr,
						  &port) < 0 ||
			    !ctlmsg_addr_on_test_net(addr) ||
			    (addr & 0xff) == 0 || (addr & 0xff) == 255) {
				fprintf(stderr, "tcpstep live: --client-to wants "
					"IP:PORT on the session network "
					"192.0.2.0/24 (the kernel is 192.0.2.1), "
					"not '%s'\n", l.client_to);
				return 2;
			}
			/* It is for a kernel server: the nodes' own
			 * addresses are not one. */
			if ((addr & 0xff) == 2 || (addr & 0xff) == 3) {
				fprintf(stderr, "tcpstep live: --client-to wants "
					"a kernel server (192.0.2.1, or an address "
					"COMMAND adds), not the lwIP %s node's "
					"own %s\n", (addr & 0xff) == 2 ? "server"
					: "client", l.client_to);
				return 2;
			}
		} else {
			l.server_mode = argv[++i];
			if (!headless_server_mode("live", l.server_mode))
				return 2;
		}
	}
	if (!l.command) {
		fprintf(stderr, "tcpstep live: --exec 'COMMAND' is required\n");
		usage(stderr);
		return 2;
	}
	if (!headless_check(&o, "live", nodes))
		return 2;
	if (live_ui_wanted(&o)) {
		struct live_ui u = { "live", "live", start_ui, &l, NULL };

		return live_ui_run(&o, &u);
	}
	return headless_run(&o, "live", run, &l);
}
