/* A tiny program for the tmux test (test_term.sh): opens the terminal,
 * draws a box with a title and some roles, and exits 0 on 'q'; exit 2 with
 * a message when the terminal cannot be opened. With an argument "crash"
 * it aborts after drawing, to check the crash handler restores the tty. */
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"
#include "term.h"

static const char *const key_names[] = {
	[TERM_KEY_NONE] = "none", [TERM_KEY_CHAR] = "char",
	[TERM_KEY_UP] = "up", [TERM_KEY_DOWN] = "down",
	[TERM_KEY_LEFT] = "left", [TERM_KEY_RIGHT] = "right",
	[TERM_KEY_HOME] = "home", [TERM_KEY_END] = "end",
	[TERM_KEY_PGUP] = "pgup", [TERM_KEY_PGDN] = "pgdn",
	[TERM_KEY_TAB] = "tab", [TERM_KEY_BACKTAB] = "backtab",
	[TERM_KEY_ENTER] = "enter", [TERM_KEY_BACKSPACE] = "backspace",
	[TERM_KEY_ESC] = "esc", [TERM_KEY_CTRL] = "ctrl",
	[TERM_KEY_RESIZE] = "resize", [TERM_KEY_CLICK] = "click",
	[TERM_KEY_WHEEL_UP] = "wheel_up", [TERM_KEY_WHEEL_DOWN] = "wheel_down",
};

/* The events of the last batch read, shown on line 7 so the test can check
 * the decoding. */
static char seen[200];

static void note(const struct term_key *k)
{
	size_t n = strlen(seen);
	if (n > sizeof(seen) - 40)
		n = 0, seen[0] = '\0';
	const char *name = (unsigned)k->kind < sizeof(key_names) / sizeof(key_names[0])
		? key_names[k->kind] : "?";
	if (k->kind == TERM_KEY_CHAR || k->kind == TERM_KEY_CTRL)
		snprintf(seen + n, sizeof(seen) - n, "%s:U+%04X ", name, (unsigned)k->ch);
	else if (k->kind == TERM_KEY_CLICK || k->kind == TERM_KEY_WHEEL_UP ||
		 k->kind == TERM_KEY_WHEEL_DOWN)
		snprintf(seen + n, sizeof(seen) - n, "%s@%d,%d ", name, k->x, k->y);
	else
		snprintf(seen + n, sizeof(seen) - n, "%s ", name);
}

static void draw(struct grid *g)
{
	int w, h;
	term_size(&w, &h);
	if (w != grid_width(g) || h != grid_height(g))
		grid_resize(g, w, h);
	grid_set_ascii(g, !term_utf8());
	grid_clear(g);
	grid_box(g, (struct grid_rect){ 0, 0, w < 40 ? w : 40, 6 }, GRID_ROLE_BORDER, "tcpstep");
	grid_text(g, 2, 1, 36, GRID_ROLE_CLIENT, "client SYN_SENT");
	grid_put(g, 18, 1, grid_glyph(g, GRID_G_ARROW_R), GRID_ROLE_FLAG_SYN);
	grid_text(g, 20, 1, 18, GRID_ROLE_SERVER, "server LISTEN");
	grid_text(g, 2, 2, 36, GRID_ROLE_HIGHLIGHT, "pkt 1/3 \x1b[31mwire");
	grid_textf(g, 2, 3, 36, GRID_ROLE_STATUS, "size %dx%d color %d", w, h, term_color());
	grid_text(g, 2, 4, 36, GRID_ROLE_KEY, "q: quit");
	grid_textf(g, 0, 7, -1, GRID_ROLE_NORMAL, "keys: %s", seen);
	term_draw(g);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	char err[256];
	if (!term_open(err, sizeof(err))) {
		fprintf(stderr, "term_demo: %s\n", err);
		return 2;
	}
	atexit(term_close);
	term_install_signal_handlers();
	struct grid *g = grid_create(0, 0);
	if (!g)
		return 1;
	draw(g);
	if (argc > 1 && !strcmp(argv[1], "crash"))
		abort();
	for (;;) {
		struct pollfd p = { .fd = term_fd(), .events = POLLIN };
		poll(&p, 1, 1000);
		struct term_key k;
		bool redraw = false, quit = false;
		bool first = true;
		while (term_read_key(&k)) {
			if (first)
				seen[0] = '\0', first = false;
			if (k.kind == TERM_KEY_CHAR && k.ch == 'q')
				quit = true;
			else if (k.kind != TERM_KEY_NONE)
				note(&k), redraw = true;
		}
		if (quit)
			break;
		if (redraw)
			draw(g);
	}
	grid_destroy(g);
	term_close();
	term_close(); /* twice is harmless; atexit calls it again */
	return 0;
}
