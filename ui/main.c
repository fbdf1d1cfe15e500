/* tcpstep: watch the TCP state machine happen. Dispatches to subcommands. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "cmd_decode.h"
#include "cmd_demo.h"
#include "cmd_live.h"
#include "cmd_play.h"
#include "cmd_replay.h"

static const struct command commands[] = {
	{ "demo", "run a classroom demo between two lwIP nodes (hello)", cmd_demo_main },
	{ "live", "lwIP server + a kernel peer command in a private namespace", cmd_live_main },
	{ "play", "drive two lwIP nodes with socket calls from a script", cmd_play_main },
	{ "replay", "replay a capture in the terminal UI: states, ladder, explanations",
	  cmd_replay_main },
	{ "decode", "decode a capture (file or live): segments and inferred TCP states",
	  cmd_decode_main },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tcpstep COMMAND [ARGS]\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\n'tcpstep COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		/* On a terminal, the live demo in the UI (or, where a live
		 * session cannot start, why, and the bundled recording);
		 * elsewhere (scripts, pipes) the usage. */
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
			char *demo[] = { "demo", "hello", NULL };

			return cmd_demo_main(2, demo);
		}
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("tcpstep %s\n", TCPSTEP_VERSION);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->main(argc - 1, argv + 1);
	fprintf(stderr, "tcpstep: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
