/* tcpstep-node: one lwIP stack on one TAP, driven by the controller over the
 * control socket (docs/control-protocol.md). Started by tcpstep inside the
 * session's network namespace; not meant to be run by hand. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps.h"
#include "ctlmsg.h"
#include "node.h"
#include "port.h"
#include "textesc.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpstep-node --name NAME --tap IFNAME --ip A.B.C.D/NN\n"
		"         [--gw A.B.C.D] [--mac xx:xx:xx:xx:xx:xx] [--control-fd N]\n"
		"         [--seed N] [--msl SECONDS] [--paused] [--speed F]\n"
		"         --app server|client|manual\n"
		"         [--server-mode once|sequential|concurrent] [--port PORT]\n"
		"         [--connect IP:PORT] [--connect-retry-ms N]\n"
		"       (--frame-fd N instead of --tap: frames on an open fd, for tests)\n"
		"Started by tcpstep inside its network namespace (a --tap in the\n"
		"host's namespace is refused); see docs/control-protocol.md.\n");
}

static int bad(const char *opt, const char *value, const char *why)
{
	char esc[256];

	/* the value may hold anything: never raw bytes to a terminal */
	textesc_escape(esc, sizeof esc, value, strlen(value), 0);
	fprintf(stderr, "tcpstep-node: bad %s '%s': %s\n", opt, esc, why);
	return 2;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &end) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (s[i * 3] == ' ' || s[i * 3] == '+' || s[i * 3] == '-')
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	/* unicast only (a multicast source address is invalid) */
	return mac[0] & 1 ? -1 : 0;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	enum {
		O_NAME = 1, O_TAP, O_IP, O_GW, O_MAC, O_CONTROL_FD, O_SEED,
		O_MSL, O_PAUSED, O_SPEED, O_APP, O_SERVER_MODE, O_PORT,
		O_CONNECT, O_RETRY, O_FRAME_FD, O_HELP,
	};
	static const struct option opts[] = {
		{ "name", required_argument, NULL, O_NAME },
		{ "tap", required_argument, NULL, O_TAP },
		{ "ip", required_argument, NULL, O_IP },
		{ "gw", required_argument, NULL, O_GW },
		{ "mac", required_argument, NULL, O_MAC },
		{ "control-fd", required_argument, NULL, O_CONTROL_FD },
		{ "seed", required_argument, NULL, O_SEED },
		{ "msl", required_argument, NULL, O_MSL },
		{ "paused", no_argument, NULL, O_PAUSED },
		{ "speed", required_argument, NULL, O_SPEED },
		{ "app", required_argument, NULL, O_APP },
		{ "server-mode", required_argument, NULL, O_SERVER_MODE },
		{ "port", required_argument, NULL, O_PORT },
		{ "connect", required_argument, NULL, O_CONNECT },
		{ "connect-retry-ms", required_argument, NULL, O_RETRY },
		{ "frame-fd", required_argument, NULL, O_FRAME_FD },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct node_config cfg = {
		.control_fd = 3,
		.app_start = apps_start,
		.app_stop = apps_destroy,
		.frame_fd = -1,
		.msl_ms = 2000,
		.speed = 1.0,
		.server_mode = NODE_SERVER_CONCURRENT,
		.port = 8888,
		.connect_ip = 0xc0000202u, /* the server node, 192.0.2.2:8888 */
		.connect_port = 8888,
	};
	bool have_ip = false, have_seed = false, have_app = false, have_mac = false;
	int c;

	opterr = 0; /* our own messages, with the option escaped */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		uint64_t v;
		double f;
		int64_t msl_ns;
		unsigned prefix;

		switch (c) {
		case O_NAME:
			if (!valid_name(optarg))
				return bad("--name", optarg, "1-32 letters, digits, '-' or '_'");
			cfg.name = optarg;
			break;
		case O_TAP:
			if (strlen(optarg) == 0 || strlen(optarg) > 15)
				return bad("--tap", optarg, "an interface name of 1-15 bytes");
			cfg.tap = optarg;
			break;
		case O_IP:
			if (ctlmsg_parse_cidr(optarg, &cfg.ip, &prefix) < 0 ||
			    prefix < 8 || prefix > 30)
				return bad("--ip", optarg, "expected A.B.C.D/NN, NN 8..30");
			if (!ctlmsg_addr_on_test_net(cfg.ip) || (cfg.ip & 255) == 0 ||
			    (cfg.ip & 255) == 255)
				return bad("--ip", optarg, "must be a host in 192.0.2.0/24 (RFC 5737)");
			cfg.netmask = prefix ? 0xffffffffu << (32 - prefix) : 0;
			have_ip = true;
			break;
		case O_GW:
			if (ctlmsg_parse_ipv4(optarg, &cfg.gw) < 0 ||
			    !ctlmsg_addr_on_test_net(cfg.gw))
				return bad("--gw", optarg, "expected an address in 192.0.2.0/24");
			break;
		case O_MAC:
			if (parse_mac(optarg, cfg.mac) < 0)
				return bad("--mac", optarg, "expected a unicast xx:xx:xx:xx:xx:xx");
			have_mac = true;
			break;
		case O_CONTROL_FD:
		case O_FRAME_FD:
			if (ctlmsg_parse_uint(optarg, 1023, &v) < 0 || v < 3 ||
			    fcntl((int)v, F_GETFD) < 0)
				return bad(c == O_CONTROL_FD ? "--control-fd" : "--frame-fd",
					   optarg, "not an open file descriptor >= 3");
			if (c == O_CONTROL_FD)
				cfg.control_fd = (int)v;
			else
				cfg.frame_fd = (int)v;
			break;
		case O_SEED:
			if (ctlmsg_parse_uint(optarg, UINT64_MAX, &v) < 0)
				return bad("--seed", optarg, "expected a decimal number");
			cfg.seed = v;
			have_seed = true;
			break;
		case O_MSL:
			/* the range of `tcpstep decode --msl`; lwIP counts
			 * TIME_WAIT in 500 ms ticks (TCP_SLOW_INTERVAL) of a
			 * millisecond TCP_MSL, so under 1 ms is 1 ms */
			if (ctlmsg_parse_msl(optarg, &msl_ns) < 0)
				return bad("--msl", optarg,
					   "expected seconds, more than 0 and at most 86400");
			cfg.msl_ms = (unsigned long)((msl_ns + 500000) / 1000000);
			if (cfg.msl_ms == 0)
				cfg.msl_ms = 1;
			break;
		case O_PAUSED:
			cfg.paused = true;
			break;
		case O_SPEED:
			if (ctlmsg_parse_decimal(optarg, 0.1, 100, &f) < 0)
				return bad("--speed", optarg, "expected 0.1 to 100");
			cfg.speed = f;
			break;
		case O_APP:
			if (strcmp(optarg, "server") == 0)
				cfg.app = NODE_APP_SERVER;
			else if (strcmp(optarg, "client") == 0)
				cfg.app = NODE_APP_CLIENT;
			else if (strcmp(optarg, "manual") == 0)
				cfg.app = NODE_APP_MANUAL;
			else
				return bad("--app", optarg, "expected server, client or manual");
			have_app = true;
			break;
		case O_SERVER_MODE:
			if (strcmp(optarg, "once") == 0)
				cfg.server_mode = NODE_SERVER_ONCE;
			else if (strcmp(optarg, "sequential") == 0)
				cfg.server_mode = NODE_SERVER_SEQUENTIAL;
			else if (strcmp(optarg, "concurrent") == 0)
				cfg.server_mode = NODE_SERVER_CONCURRENT;
			else
				return bad("--server-mode", optarg,
					   "expected once, sequential or concurrent");
			break;
		case O_PORT:
			if (ctlmsg_parse_uint(optarg, 65535, &v) < 0 || v == 0)
				return bad("--port", optarg, "expected 1..65535");
			cfg.port = (uint16_t)v;
			break;
		case O_CONNECT:
			if (ctlmsg_parse_addrport(optarg, false, &cfg.connect_ip,
						  &cfg.connect_port) < 0 ||
			    !ctlmsg_addr_on_test_net(cfg.connect_ip))
				return bad("--connect", optarg,
					   "expected IP:PORT with IP in 192.0.2.0/24");
			break;
		case O_RETRY:
			if (ctlmsg_parse_uint(optarg, 3600000, &v) < 0)
				return bad("--connect-retry-ms", optarg, "expected 0..3600000");
			cfg.connect_retry_ms = (uint32_t)v;
			break;
		case O_HELP:
			usage(stdout);
			return 0;
		default: {
			const char *arg = argv[optind - 1 < argc ? optind - 1 : argc - 1];
			char esc[256];
			textesc_escape(esc, sizeof esc, arg, strlen(arg), 0);
			fprintf(stderr, "tcpstep-node: unknown option or missing value: '%s'\n", esc);
			usage(stderr);
			return 2;
		}
		}
	}
	if (optind < argc) {
		char esc[256];
		textesc_escape(esc, sizeof esc, argv[optind], strlen(argv[optind]), 0);
		fprintf(stderr, "tcpstep-node: unexpected argument '%s'\n", esc);
		return 2;
	}
	if (!cfg.name || !have_ip || !have_app || (!cfg.tap && cfg.frame_fd < 0)) {
		fprintf(stderr, "tcpstep-node: --name, --ip, --app and --tap are required\n");
		usage(stderr);
		return 2;
	}
	if (fcntl(cfg.control_fd, F_GETFD) < 0) {
		fprintf(stderr, "tcpstep-node: control fd %d is not open (the controller passes it)\n",
			cfg.control_fd);
		return 2;
	}
	if (cfg.control_fd == cfg.frame_fd) {
		fprintf(stderr, "tcpstep-node: --control-fd and --frame-fd must differ\n");
		return 2;
	}
	if (!have_mac) {
		/* stable MACs derived from the IP: 02:00:c0:00:02:XX (locally
		 * administered, unicast) */
		const uint8_t mac[6] = { 0x02, 0x00, (uint8_t)(cfg.ip >> 24),
					 (uint8_t)(cfg.ip >> 16), (uint8_t)(cfg.ip >> 8),
					 (uint8_t)cfg.ip };
		memcpy(cfg.mac, mac, 6);
	}
	if (!have_seed)
		cfg.seed = port_random_seed();

	/* a controller that hangs up must not kill us mid-write: write()
	 * then fails with EPIPE and the node exits cleanly */
	signal(SIGPIPE, SIG_IGN);

	char err[256];
	struct node *n = node_create(&cfg, err, sizeof err);
	if (!n) {
		fprintf(stderr, "tcpstep-node: %s\n", err);
		return 1;
	}
	int status = node_run(n);
	node_destroy(n);
	return status;
}
