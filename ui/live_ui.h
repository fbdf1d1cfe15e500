/* The live commands (demo, live, play) on the terminal UI: one way in for
 * all three. It makes the session with the screen's sink, records the wire
 * to a private file (or --write's) that the screen follows, lets the
 * command start its nodes (paused: a lesson starts before the first
 * segment), runs the UI until q, and removes everything. Where a live
 * session cannot start (no privileges, no /dev/net/tun), it says why and
 * opens the bundled recording of the hello exchange instead. */
#ifndef TCPSTEP_LIVE_UI_H
#define TCPSTEP_LIVE_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "headless.h"
#include "tui.h"

/* Starts the command's nodes (with live_ui_spawn) and whatever else it
 * runs; false with the reason in err when it could not. */
typedef bool live_ui_start_fn(struct session *s, struct tui_feed *feed,
			      void *user, char *err, size_t errsize);

/* Called once the screen has closed (or start failed), before the
 * session ends: what start put on the session's loop comes off it. */
typedef void live_ui_stop_fn(struct session *s, void *user);

struct live_ui {
	const char *cmd;          /* "demo hello", for messages */
	const char *title;        /* the status line's ("live: hello") */
	live_ui_start_fn *start;
	void *user;
	live_ui_stop_fn *stop;    /* NULL: nothing to take off */
};

/* Returns the exit status (tui_run_live's, or 1 when the session did not
 * start and no recording could be shown). */
int live_ui_run(struct headless_opts *o, const struct live_ui *u);

/* A node of the session, known to the screen's model before its first
 * events come. Returns its index or -1 (err says why). */
int live_ui_spawn(struct session *s, struct tui_feed *feed, const char *name,
		  const char *ip, const char *const args[], char *err,
		  size_t errsize);

/* The article's server node (server_args: its app options), listening,
 * then paused: a lesson's first segment waits for n. Its index, or -1
 * with err. */
int live_ui_paused_server(struct session *s, struct tui_feed *feed,
			  const char *const server_args[], char *err,
			  size_t errsize);

/* Whether the terminal UI is for this run: no --headless, and standard
 * input and output are terminals. */
bool live_ui_wanted(const struct headless_opts *o);

#endif
