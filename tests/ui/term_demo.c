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
		while (term_read_key(&k)) {
			if (k.kind == TERM_KEY_CHAR && k.ch == 'q')
				quit = true;
			else if (k.kind == TERM_KEY_RESIZE)
				redraw = true;
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
