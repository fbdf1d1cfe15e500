/* tcpstep replay FILE|- [--filter EXPR] [--msl S] [--conn N] [--at PKT]
 *                [--lang en|ja]
 * Options are checked here; the UI is ui/tui/tui.c. */
#include "cmd_replay.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "tui.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpstep replay FILE|- [--filter EXPR] [--msl S] [--conn N] [--at PKT]\n"
		"                      [--lang en|ja]\n"
		"\n"
		"Replays a pcap/pcapng file ('-': standard input) in the terminal UI: the\n"
		"connections with both endpoints' TCP states, a ladder diagram, the RFC 9293\n"
		"state diagram and an explanation of every step. Starts paused at the first\n"
		"frame (or --at). Press ? in the UI for the keys.\n"
		"\n"
		"  -f, --filter EXPR  BPF filter in tcpdump syntax, e.g. 'tcp port 8888'\n"
		"      --msl S        maximum segment lifetime in seconds (default 60)\n"
		"      --conn N       select connection N\n"
		"      --at PKT       start at frame PKT\n"
		"      --lang L       explanations in English (en) or Japanese (ja)\n"
		"\n"
		"Exit status: 0, 1 unreadable file, 2 usage error or no usable terminal.\n");
}

static int bad(const char *msg)
{
	fprintf(stderr, "tcpstep replay: %s\n", msg);
	return 2;
}

int cmd_replay_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "msl", required_argument, NULL, 'm' },
		{ "conn", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ "lang", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_opts o = { .msl_ns = 60000000000LL };
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		uint64_t n;
		switch (c) {
		case 'f':
			o.filter = optarg;
			break;
		case 'm':
			/* locale-independent: the UI runs under setlocale(LC_ALL, "") */
			if (ctlmsg_parse_msl(optarg, &o.msl_ns) != 0)
				return bad("--msl wants seconds, more than 0 and at most 86400");
			break;
		case 'c':
			if (ctlmsg_parse_uint(optarg, UINT32_MAX, &n) != 0 || n == 0)
				return bad("--conn wants a connection number (1, 2, ...)");
			o.conn = n;
			break;
		case 'a':
			if (ctlmsg_parse_uint(optarg, UINT64_MAX / 2, &n) != 0 || n == 0)
				return bad("--at wants a frame number (1, 2, ...)");
			o.at = n;
			break;
		case 'l':
			if (strcmp(optarg, "en") && strcmp(optarg, "ja"))
				return bad("--lang wants en or ja");
			o.lang = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	o.path = argv[optind];
	return tui_run(&o);
}

/* The bundled recording: $TCPSTEP_DEMOS, the install's data directory, or
 * the source tree this binary was built from. */
static bool find_hello(char *buf, size_t size)
{
	const char *dirs[] = { getenv("TCPSTEP_DEMOS"), TCPSTEP_DATADIR "/demos",
			       TCPSTEP_SOURCE_DEMOS };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct stat st;
		if (!dirs[i] || !*dirs[i])
			continue;
		snprintf(buf, size, "%s/hello/hello.pcap", dirs[i]);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

int cmd_replay_default(void)
{
	return cmd_replay_bundled(NULL);
}

int cmd_replay_bundled(const char *why)
{
	char path[4096], banner[200];
	if (!find_hello(path, sizeof(path))) {
		fprintf(stderr, "tcpstep: the bundled recording demos/hello/hello.pcap was not "
				"found (set TCPSTEP_DEMOS to the demos folder)\n");
		return 1;
	}
	if (why)
		snprintf(banner, sizeof banner, "recording (no live demo: %.140s)", why);
	else
		snprintf(banner, sizeof banner, "bundled recording of the article's "
			 "hello exchange (live: tcpstep demo hello)");
	struct tui_opts o = {
		.path = path,
		.title = "demos/hello",
		.banner = banner,
		.msl_ns = 1000000000LL, /* recorded with --msl 1 (demos/README.md) */
	};
	return tui_run(&o);
}
