/* The replay UI: opens the terminal, runs the loop (terminal input, signals,
 * indexing in slices, play timing, redraws at most 20 times a second), and
 * restores the terminal on every way out. */
#ifndef TCPSTEP_TUI_H
#define TCPSTEP_TUI_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

struct tui_opts {
	const char *path;    /* capture file, "-" for standard input */
	const char *title;   /* shown in the status line (NULL: path) */
	const char *banner;  /* extra status text, or NULL */
	const char *filter;  /* BPF */
	int64_t msl_ns;
	uint64_t conn;       /* --conn: connection to select (0: first) */
	uint64_t at;         /* --at: frame to start at (0: first) */
	const char *lang;    /* "en", "ja" or NULL (the locale's) */
};

/* Returns the process exit status: 0, 1 (the file could not be opened),
 * 2 (no usable terminal), 128+N for a signal. */
int tui_run(const struct tui_opts *o);

/* Live: what the session's events tell the screen, through the sink that
 * tui_feed_sink gives (put it in the session's config before the session
 * exists). lm (may be NULL) is fed every event too. */
struct live_model;
struct session;
#define TUI_FEED_OUTPUT_LINES 32
struct tui_feed {
	struct live_model *lm;
	uint64_t events;        /* any event: the status may have changed */
	char notice[256];       /* the last notice (or death), for the status line */
	char fired[64];         /* the last timer fired */
	/* The apps' and the kernel peer's output lines, escaped, newest last. */
	char output[TUI_FEED_OUTPUT_LINES][128];
	int noutput;
	bool paused;            /* every node paused (kept by the screen's loop) */
};
struct session_sink tui_feed_sink(struct tui_feed *f);

/* A line for the output pane from the command itself (a script's
 * progress), escaped here; who names its source ("script"). */
void tui_feed_say(struct tui_feed *f, const char *who, const char *text,
		  size_t len);

/* The same screen over a live session: o->path is the session's recording,
 * followed as it grows (the session must be running on its loop, recording
 * there). Keys of the session: n releases the oldest held segment of all
 * nodes, Space pauses or runs every node, t fires the next timer of any
 * node with the clocks in step; the rest are the replay's (Left goes back
 * through what has happened, the screen follows the newest frame when at
 * it). Returns as tui_run; the caller destroys the session. */
int tui_run_live(const struct tui_opts *o, struct session *s,
		 struct tui_feed *feed);

#endif
