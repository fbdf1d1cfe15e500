/* Draws the replay UI's model into the cell grid: the layout of the panes by
 * the grid's size, the connections, the ladder, the state diagram, the
 * explanation, the timers, the status line and the help screen. Pure: reads
 * the model and the replay index, writes the grid and the layout (what it
 * worked out that the model keeps is the layout's view, which the caller
 * stores with tui_model_viewed). tui.c copies the grid to the terminal; the
 * tests render it as text. */
#ifndef TCPSTEP_TUI_VIEW_H
#define TCPSTEP_TUI_VIEW_H

#include "grid.h"
#include "tui_model.h"

/* Below this the screen shows only a "terminal too small" notice. */
#define TUI_MIN_W 80
#define TUI_MIN_H 24

/* Where each pane was drawn, for mouse clicks, and the scroll positions
 * the drawing chose (filled by tui_view_draw). */
struct tui_layout {
	struct tui_view_state view; /* for tui_model_viewed */
	bool too_small;
	struct grid_rect pane[TUI_PANE_COUNT];
	struct grid_rect conn_rows;   /* the rows of the connection list */
	uint64_t conn_first;          /* visible index of its first row */
	struct grid_rect ladder_rows; /* the rows of the ladder */
	/* frame number drawn on each ladder row (0: none), by row offset */
	uint64_t ladder_pkt[256];
};

void tui_view_draw(struct grid *g, const struct tui_model *m, struct tui_layout *lay);

/* What a click at (x, y) means: a pane, a connection, a segment. Changes
 * the model; returns tui_result bits. */
unsigned tui_view_click(struct tui_model *m, const struct tui_layout *lay, int x, int y);
/* The wheel over (x, y): dir -1 up, 1 down. */
unsigned tui_view_wheel(struct tui_model *m, const struct tui_layout *lay, int x, int y,
			int dir);

#endif
