/* The replay UI: opens the terminal, runs the loop (terminal input, signals,
 * indexing in slices, play timing, redraws at most 20 times a second), and
 * restores the terminal on every way out. */
#ifndef TCPSTEP_TUI_H
#define TCPSTEP_TUI_H

#include <stdbool.h>
#include <stdint.h>

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

#endif
