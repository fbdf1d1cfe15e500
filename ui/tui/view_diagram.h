/* The state-diagram view: RFC 9293 figure 5 (the TCP connection state
 * diagram) drawn into the cell grid, with the client's and the server's
 * current states lit and the arc of the selected connection's last
 * transition drawn in GRID_ROLE_ARC. Pure: it only writes cells.
 *
 * The layout is chosen by the rectangle: the full diagram with every arc
 * and its label (VIEW_DIAGRAM_FULL_W x VIEW_DIAGRAM_FULL_H or more), a
 * compact one (wide-short or tall-narrow) that fits the diagram pane of an
 * 80x24 screen, or a one-line fallback. Nothing is drawn outside r. */
#ifndef TCPSTEP_VIEW_DIAGRAM_H
#define TCPSTEP_VIEW_DIAGRAM_H

#include <stdbool.h>

#include "grid.h"
#include "tcpstate.h"

#define VIEW_DIAGRAM_FULL_W 90
#define VIEW_DIAGRAM_FULL_H 30

struct view_diagram_input {
	enum tcpstate client, server; /* current states */
	bool have_last;               /* the last transition of the selection */
	int last_endpoint;            /* 0 client, 1 server */
	enum tcpstate last_from, last_to;
};

enum view_diagram_layout {
	VIEW_DIAGRAM_NONE,    /* the rectangle is empty */
	VIEW_DIAGRAM_LINE,    /* one line: "client ESTABLISHED  server SYN_RCVD" */
	VIEW_DIAGRAM_TALL,    /* compact, tall and narrow */
	VIEW_DIAGRAM_WIDE,    /* compact, wide and short */
	VIEW_DIAGRAM_FULL,    /* every arc with its label */
};

/* The layout view_diagram_draw picks for a rectangle of w x h. */
enum view_diagram_layout view_diagram_layout_for(int w, int h);

/* Draws into r (clipped to it). Leaves the grid unclipped (grid_unclip),
 * since grid.h cannot restore an earlier clip. */
/* The cells a layout takes (0 x 0 for NONE and LINE, which take what they
 * are given). */
void view_diagram_layout_size(enum view_diagram_layout l, int *w, int *h);

void view_diagram_draw(struct grid *g, struct grid_rect r,
		       const struct view_diagram_input *in);

/* The label of a transition's arc ("rcv SYN / snd SYN,ACK"), "" for a
 * transition the diagram does not know. */
const char *view_diagram_arc_label(enum tcpstate from, enum tcpstate to);

#endif
