/* The curses backend: the only module that includes curses (ncursesw).
 * It opens the terminal, reads keys and mouse events, and copies a grid to
 * the screen with each role's style (grid_style.h).
 *
 * curses is one per process, so this module's state is too (a file-static
 * in term.c, not a handle): term_close() must be callable from an atexit
 * handler, which takes no argument, and the crash handler needs the reset
 * sequence without a pointer.
 *
 * Signals: term_install_signal_handlers() handles the crash signals only
 * (SIGSEGV, SIGABRT, SIGBUS, SIGFPE): it restores the terminal with
 * async-signal-safe calls and re-raises. SIGINT, SIGTERM, SIGHUP and
 * SIGWINCH belong to the caller's loop (a signalfd): on SIGINT/SIGTERM/SIGHUP
 * it leaves the loop and calls term_close(); on SIGWINCH it calls
 * term_resized(). ncurses installs its own handlers for SIGINT, SIGTERM,
 * SIGTSTP and SIGWINCH at open when they are at their default: blocking
 * them for a signalfd (before term_open) keeps them out of the way, and
 * without that (the test demo) SIGINT restores the terminal and exits and
 * SIGWINCH makes term_read_key() report TERM_KEY_RESIZE. */
#ifndef TCPSTEP_TERM_H
#define TCPSTEP_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"

enum term_key_kind {
	TERM_KEY_NONE = 0,  /* nothing to read (or a key the UI has no use for) */
	TERM_KEY_CHAR,      /* ch: a printable character (ASCII or not) */
	TERM_KEY_UP, TERM_KEY_DOWN, TERM_KEY_LEFT, TERM_KEY_RIGHT,
	TERM_KEY_HOME, TERM_KEY_END, TERM_KEY_PGUP, TERM_KEY_PGDN,
	TERM_KEY_TAB, TERM_KEY_BACKTAB, TERM_KEY_ENTER, TERM_KEY_BACKSPACE,
	TERM_KEY_ESC,
	TERM_KEY_CTRL,      /* ch: the letter of a control key ('c' for ^C) */
	TERM_KEY_RESIZE,    /* the size changed: call term_size() and redraw */
	TERM_KEY_CLICK,     /* button 1 at x, y (0-based cells) */
	TERM_KEY_WHEEL_UP,  /* at x, y */
	TERM_KEY_WHEEL_DOWN,
};

struct term_key {
	enum term_key_kind kind;
	uint32_t ch;
	int x, y;
};

/* Opens the terminal (/dev/tty, or standard input and output when there
 * is none): cbreak, no echo, keypad, mouse clicks and wheel, no cursor,
 * colours when the terminal has them and NO_COLOR is unset. The caller has
 * called setlocale(LC_ALL, ""). False with a message in err when TERM is
 * unset, unknown or cannot address the cursor (dumb): nothing has been
 * written to the terminal then. Opening twice is refused. */
bool term_open(char *err, size_t errlen);
/* Restores the terminal (endwin) and frees curses. Safe when not open,
 * twice, and from an atexit handler. */
void term_close(void);
bool term_is_open(void);
/* The descriptor to poll for input; -1 when not open. */
int term_fd(void);
/* One event without waiting; false (kind NONE) when there is none. */
bool term_read_key(struct term_key *k);
/* Cells of the screen. */
void term_size(int *w, int *h);
/* After SIGWINCH seen by the caller: asks the kernel for the size, resizes
 * curses' screen, and makes the next term_draw repaint every cell. */
void term_resized(void);
/* Copies the whole grid (its top-left part if larger than the screen)
 * with each role's style and updates the screen; curses sends only the
 * cells that changed. Code points the locale cannot show (anything but
 * ASCII when it is not UTF-8) are drawn as '?'. */
void term_draw(const struct grid *g);
/* Whether colours are in use (false: the monochrome scheme). */
bool term_color(void);
/* Whether the locale's codeset is UTF-8 (else the caller sets the grid to
 * ASCII glyphs). Reads LC_CTYPE as set by the caller's setlocale. */
bool term_utf8(void);
/* Crash signals restore the terminal; see the top of this file. */
void term_install_signal_handlers(void);

#endif
