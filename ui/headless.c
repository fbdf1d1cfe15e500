/* Shared options of the headless live-session commands. */
#include "headless.h"

#include "ctlmsg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char headless_help[] =
	"  --headless         print events as text lines (the default where standard\n"
	"                     input or output is not a terminal; demo hello opens the\n"
	"                     terminal UI otherwise)\n"
	"  --seed N           reproducible run: same ISNs, ports and events\n"
	"  --msl S            maximum segment lifetime in seconds (TIME_WAIT = 2 x S),\n"
	"                     more than 0, at most 86400 (as for decode); default 2\n"
	"  --only NODE        print only NODE's events (server or client), or\n"
	"                     with 'wire' only the states inferred from the wire\n"
	"  --no-states        do not print state changes (true nor inferred)\n"
	"  --no-wire          do not print the states inferred from the wire\n"
	"                     ('wire conn N ip:port FROM -> TO (cause)' lines)\n"
	"  --no-app           do not print app output lines\n"
	"  --raw              print every control event as 'NODE <protocol line>'\n"
	"                     (docs/control-protocol.md; without the stamp) instead\n"
	"  --write FILE       record every frame on the session's wire to FILE\n"
	"                     (pcap, flushed as it goes and on exit or Ctrl-C);\n"
	"                     --pcap is the same\n"
	"  --timeout S        give up after S seconds (exit 124), 1..86400\n";

void headless_init(struct headless_opts *o)
{
	memset(o, 0, sizeof *o);
	o->filter.show_states = true;
	o->filter.show_app = true;
	o->filter.show_wire = true;
	o->deadline = UINT64_MAX;
}

bool headless_parse_uint(const char *s, unsigned long long min,
			 unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static const char *value(const char *cmd, int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "tcpstep %s: %s needs a value\n", cmd, argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int headless_parse(struct headless_opts *o, const char *cmd, int argc,
		   char **argv, int *i)
{
	const char *a = argv[*i], *v;
	unsigned long long n;

	/* Text lines even on a terminal (demo opens the UI there). */
	if (!strcmp(a, "--headless")) {
		o->headless = true;
		return 1;
	}
	if (!strcmp(a, "--no-states")) {
		o->filter.show_states = false;
		return 1;
	}
	if (!strcmp(a, "--no-app")) {
		o->filter.show_app = false;
		return 1;
	}
	if (!strcmp(a, "--no-wire")) {
		o->filter.show_wire = false;
		return 1;
	}
	if (!strcmp(a, "--raw")) {
		o->filter.raw = true;
		return 1;
	}
	if (strcmp(a, "--seed") && strcmp(a, "--msl") && strcmp(a, "--only") &&
	    strcmp(a, "--pcap") && strcmp(a, "--write") &&
	    strcmp(a, "--timeout"))
		return 0;
	if (!(v = value(cmd, argc, argv, i)))
		return -1;
	if (!strcmp(a, "--seed")) {
		if (!headless_parse_uint(v, 0, 0xffffffffULL, &n)) {
			fprintf(stderr, "tcpstep %s: --seed wants a whole number "
				"0..4294967295, not '%s'\n", cmd, v);
			return -1;
		}
		o->cfg.has_seed = true;
		o->cfg.seed = n;
	} else if (!strcmp(a, "--msl")) {
		/* Parsed once, into ns, as `tcpstep decode --msl` does; the
		 * node keeps milliseconds, at least 1. */
		if (ctlmsg_parse_msl(v, &o->cfg.msl_ns) < 0) {
			fprintf(stderr, "tcpstep %s: --msl wants seconds, more "
				"than 0 and at most 86400 (such as 2 or 0.5), not "
				"'%s'\n", cmd, v);
			return -1;
		}
	} else if (!strcmp(a, "--timeout")) {
		if (!headless_parse_uint(v, 1, 86400, &n)) {
			fprintf(stderr, "tcpstep %s: --timeout wants seconds "
				"1..86400, not '%s'\n", cmd, v);
			return -1;
		}
		o->timeout_s = (int)n;
	} else if (!strcmp(a, "--only")) {
		o->filter.only = v;
	} else {
		if (!*v) {
			fprintf(stderr, "tcpstep %s: %s wants a file name\n",
				cmd, a);
			return -1;
		}
		/* The recorder takes "-" for stdout, where the events go. */
		if (!strcmp(v, "-")) {
			fprintf(stderr, "tcpstep %s: %s - would mix the capture "
				"with the event lines on standard output; give "
				"a file name\n", cmd, a);
			return -1;
		}
		o->cfg.pcap_path = v;
	}
	return 1;
}

bool headless_check(const struct headless_opts *o, const char *cmd,
		    const char *const nodes[])
{
	if (o->filter.only) {
		/* The wire is not a node, but its lines can be picked too. */
		if (!strcmp(o->filter.only, "wire"))
			return true;
		for (int i = 0; nodes[i]; i++)
			if (!strcmp(nodes[i], o->filter.only))
				return true;
		fprintf(stderr, "tcpstep %s: --only wants one of:", cmd);
		for (int i = 0; nodes[i]; i++)
			fprintf(stderr, " %s", nodes[i]);
		fprintf(stderr, " wire (not '%s')\n", o->filter.only);
		return false;
	}
	return true;
}

int headless_spawn(struct session *s, const char *cmd, const char *name,
		   const char *ip, const char *const args[])
{
	char err[512];
	int node = session_spawn_node(s, name, ip, args, err, sizeof err);

	/* Stopped: its reason (a signal, ...) has been said. */
	if (node < 0 && !session_stop_status(s))
		fprintf(stderr, "tcpstep %s: %s\n", cmd, err);
	return node;
}

bool headless_server_mode(const char *cmd, const char *v)
{
	if (!strcmp(v, "once") || !strcmp(v, "sequential") ||
	    !strcmp(v, "concurrent"))
		return true;
	fprintf(stderr, "tcpstep %s: --server-mode wants once, sequential or "
		"concurrent, not '%s'\n", cmd, v);
	return false;
}

int headless_budget(const struct headless_opts *o, int ms)
{
	uint64_t now = ctlmsg_now_ns(), left;

	if (o->deadline == UINT64_MAX)
		return ms;
	left = o->deadline > now ? (o->deadline - now + 999999) / 1000000 : 0;
	if (left > INT_MAX)
		left = INT_MAX;
	return ms < 0 || (uint64_t)ms > left ? (int)left : ms;
}

bool headless_expired(const struct headless_opts *o)
{
	return o->deadline != UINT64_MAX && ctlmsg_now_ns() >= o->deadline;
}

int headless_run(struct headless_opts *o, const char *cmd,
		 int (*fn)(struct session *s, struct headless_opts *o,
			   void *user),
		 void *user)
{
	struct headless_sink sink;
	char err[1024];
	struct session *s;
	int rc;

	if (o->timeout_s)
		o->deadline = ctlmsg_now_ns() +
			      (uint64_t)o->timeout_s * 1000000000ULL;
	/* Lines reach a pipe as they happen, interleaved correctly with the
	 * kernel peer's own output. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	headless_sink_init(&sink, stdout, stderr, &o->filter);
	o->cfg.sinks[0] = headless_sink_get(&sink);
	o->cfg.nsinks = 1;
	s = session_create(&o->cfg, err, sizeof err);
	if (!s) {
		fprintf(stderr, "tcpstep %s: %s\n", cmd, err);
		return 1;
	}
	headless_sink_attach(&sink, s);
	rc = fn(s, o, user);
	if (session_stop_status(s))
		rc = session_stop_status(s);
	session_destroy(s);
	return rc;
}
