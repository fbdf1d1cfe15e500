/* `tcpstep live --exec COMMAND`: the lwIP server listening on
 * 192.0.2.2:8888, a kernel peer COMMAND run inside the session namespace
 * (curl, nc, the article's Go programs...), and with --client-to the lwIP
 * client connecting to a kernel server that COMMAND starts. Exits with
 * COMMAND's status. */
#include "live_cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctlmsg.h"
#include "headless.h"

/* How long the client keeps retrying while the kernel server is not yet
 * listening (the 5 s). */
#define LIVE_CONNECT_RETRY_MS "5000"

struct live {
	const char *command;
	const char *client_to;
	const char *server_mode;
	bool wait_closed;
	int server, client;
};

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
		"  --exec 'printf \"Hi\\n\" | nc -q 3 192.0.2.2 8888'\n"
		"and prints the same events as 'tcpstep demo hello'. Exits with COMMAND's\n"
		"status when it ends (1 if a node died, 128+N on signal N).\n"
		"\n"
		"  --exec COMMAND     the kernel peer (required)\n"
		"  --client-to IP:PORT  also start the lwIP client (192.0.2.3), connecting\n"
		"                     to a kernel server COMMAND starts on 192.0.2.0/24,\n"
		"                     retrying while refused for up to 5 s\n"
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
	return session_command_done(s, NULL);
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
	int limit = o->timeout_s ? o->timeout_s * 1000 : -1;
	char err[512];
	enum session_wait w;
	int status = 0;

	l->server = session_spawn_node(s, "server", SESSION_SERVER_IP,
				       server_args, err, sizeof err);
	if (l->server < 0) {
		fprintf(stderr, "tcpstep live: %s\n", err);
		return 1;
	}
	w = session_wait(s, server_listening, l, 5000);
	if (w != SESSION_WAIT_DONE) {
		if (w == SESSION_WAIT_TIMEOUT)
			fprintf(stderr, "tcpstep live: the server did not "
				"listen within 5 s\n");
		return 1;
	}
	if (!session_start_command(s, l->command, err, sizeof err)) {
		fprintf(stderr, "tcpstep live: %s\n", err);
		return 1;
	}
	if (l->client_to) {
		l->client = session_spawn_node(s, "client", SESSION_CLIENT_IP,
					       client_args, err, sizeof err);
		if (l->client < 0) {
			fprintf(stderr, "tcpstep live: %s\n", err);
			return 1;
		}
	}
	w = session_wait(s, command_done, l, limit);
	if (w == SESSION_WAIT_TIMEOUT) {
		fprintf(stderr, "tcpstep live: COMMAND still running after "
			"%d s (--timeout)\n", o->timeout_s);
		return 124;
	}
	if (w != SESSION_WAIT_DONE)
		return 1;
	session_command_done(s, &status);
	/* Events the nodes wrote as COMMAND ended are still in the sockets:
	 * collect them (briefly), or with --wait-closed wait for every
	 * connection to close, TIME_WAIT included. */
	w = session_wait(s, all_quiet, l, l->wait_closed ? limit : 300);
	if (w == SESSION_WAIT_TIMEOUT && l->wait_closed) {
		fprintf(stderr, "tcpstep live: connections still open after "
			"%d s (--timeout)\n", o->timeout_s);
		return 124;
	}
	return status;
}

int live_cmd_main(int argc, char **argv)
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
			    (addr & 0xffffff00u) != 0xc0000200u ||
			    (addr & 0xff) == 0 || (addr & 0xff) == 255) {
				fprintf(stderr, "tcpstep live: --client-to wants "
					"IP:PORT on the session network "
					"192.0.2.0/24 (the kernel is 192.0.2.1), "
					"not '%s'\n", l.client_to);
				return 2;
			}
		} else {
			l.server_mode = argv[++i];
			if (strcmp(l.server_mode, "once") &&
			    strcmp(l.server_mode, "sequential") &&
			    strcmp(l.server_mode, "concurrent")) {
				fprintf(stderr, "tcpstep live: --server-mode wants "
					"once, sequential or concurrent, not "
					"'%s'\n", l.server_mode);
				return 2;
			}
		}
	}
	if (!l.command) {
		fprintf(stderr, "tcpstep live: --exec 'COMMAND' is required\n");
		usage(stderr);
		return 2;
	}
	if (!headless_check(&o, "live", nodes))
		return 2;
	return headless_run(&o, "live", run, &l);
}
