/* The connection list, drawn into a grid: one line per connection, the
 * columns chosen by the width (the two states are never cut). A pure view:
 * the app fills the rows. */
#ifndef TCPSTEP_VIEW_CONNS_H
#define TCPSTEP_VIEW_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"
#include "tcpstate.h"

struct view_conns_row {
	uint64_t id;
	const char *client, *server; /* "192.0.2.3:55104" */
	enum tcpstate state[2];      /* client, server at the position */
	uint64_t segments;
	uint64_t bytes[2];           /* payload sent by client, by server */
	const char *ended;           /* "" or NULL while open */
	const char *history;         /* Zeek-style, uppercase the client */
	/* Live (view_conns_in.live): lwIP's own state of each end ("" for a
	 * kernel peer's end or one not known), and how it compares with the
	 * wire's. */
	const char *truth[2];
	enum view_conns_mark {
		VIEW_CONNS_AGREE,     /* or a documented difference of models */
		VIEW_CONNS_IN_FLIGHT, /* a held segment explains it: '*' */
		VIEW_CONNS_DIFFER,    /* a disagreement: '!' */
	} mark[2];
	bool truth_dim;              /* the position is in the past: lwIP's is now */
};

struct view_conns_in {
	const struct view_conns_row *rows;
	size_t nrows;
	size_t selected;             /* >= nrows: none */
	int scroll;                  /* first row shown, as last returned */
	bool live;                   /* lwIP's states beside the wire's, where they fit */
};

struct view_conns_out {
	int scroll;                  /* keep it: the selected row stays visible */
	int y0;                      /* screen row of the first connection */
	int nlines;
	size_t first;                /* input row drawn at y0 */
	unsigned columns;            /* VIEW_CONNS_COL_* bits drawn */
};

enum view_conns_col {
	VIEW_CONNS_COL_ID = 1u << 0,
	VIEW_CONNS_COL_CLIENT = 1u << 1,
	VIEW_CONNS_COL_SERVER = 1u << 2,
	VIEW_CONNS_COL_CSTATE = 1u << 3,
	VIEW_CONNS_COL_SSTATE = 1u << 4,
	VIEW_CONNS_COL_SEGS = 1u << 5,
	VIEW_CONNS_COL_BYTES = 1u << 6,   /* both directions */
	VIEW_CONNS_COL_ENDED = 1u << 7,
	VIEW_CONNS_COL_HISTORY = 1u << 8,
	VIEW_CONNS_COL_TRUTH = 1u << 9,   /* live: lwIP's, both ends */
};

void view_conns_draw(struct grid *g, struct grid_rect r,
		     const struct view_conns_in *in, struct view_conns_out *out);

/* The input row drawn at screen row y, or -1 (header, empty line). */
long view_conns_row_at(const struct view_conns_out *out, int y);

#endif
