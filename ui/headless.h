/* Options shared by the headless live-session commands (demo, live, play):
 * parsing and checking them, and the help text that describes them. */
#ifndef TCPSTEP_HEADLESS_H
#define TCPSTEP_HEADLESS_H

#include <stdbool.h>
#include <stdint.h>

#include "headless_sink.h"
#include "session.h"

struct headless_opts {
	struct session_config cfg;
	struct headless_filter filter;
	int timeout_s;          /* 0: none */
	bool headless;          /* --headless: text lines even on a terminal */
	uint64_t deadline;      /* --timeout's end (ctlmsg_now_ns), set by
				 * headless_run; UINT64_MAX for none */
};

/* Fills defaults (everything shown, output on stdout). */
void headless_init(struct headless_opts *o);

/* If argv[*i] is one of the shared options, consumes it (and its value),
 * advancing *i, and returns 1; returns 0 if it is not one of them; -1 after
 * printing a clear message for a bad value. cmd names the command in
 * messages ("demo hello"). */
int headless_parse(struct headless_opts *o, const char *cmd, int argc,
		   char **argv, int *i);

/* Checks combinations after parsing (--only names a node that exists...).
 * nodes is a NULL-terminated list of the command's node names. Prints and
 * returns false when wrong. */
bool headless_check(const struct headless_opts *o, const char *cmd,
		    const char *const nodes[]);

/* The shared options' help lines. */
extern const char headless_help[];

/* Strict parsing of a decimal in [min, max]; false if not. */
bool headless_parse_uint(const char *s, unsigned long long min,
			 unsigned long long max, unsigned long long *out);

/* session_spawn_node, printing "tcpstep CMD: reason" when it fails (unless
 * the session was stopped: its reason, a signal..., has been said).
 * Returns the node's index or -1. */
int headless_spawn(struct session *s, const char *cmd, const char *name,
		   const char *ip, const char *const args[]);

/* Whether v is a --server-mode of the article's server (once, sequential,
 * concurrent); prints why not. */
bool headless_server_mode(const char *cmd, const char *v);

/* ms (-1: no limit of its own) cut to what --timeout leaves of the whole
 * run; 0 once it has passed. */
int headless_budget(const struct headless_opts *o, int ms);

/* Whether --timeout has passed. */
bool headless_expired(const struct headless_opts *o);

/* Runs fn with a session made from o, its events printed by the headless
 * sink, destroys it, and returns fn's exit status (or the stop status, or 1
 * if the session could not start, with the reason printed). --timeout
 * counts from here: it bounds the whole run. */
int headless_run(struct headless_opts *o, const char *cmd,
		 int (*fn)(struct session *s, struct headless_opts *o,
			   void *user),
		 void *user);

#endif
