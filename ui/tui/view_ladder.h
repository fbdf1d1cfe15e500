/* The ladder (sequence) diagram of one connection, drawn into a grid.
 * A pure view: the app fills the rows (from the replay index), the view
 * never asks the replay or the tracker anything, so it is tested with
 * hand-built rows. */
#ifndef TCPSTEP_VIEW_LADDER_H
#define TCPSTEP_VIEW_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"
#include "tcpstate.h"

struct view_ladder_seg {
	uint64_t pkt;
	int64_t time_us;        /* since the capture's first frame */
	int dir;                /* 0 client -> server, 1 server -> client */
	uint8_t flags;          /* TCPF_* (segment.h) */
	uint32_t seq, ack;      /* relative or absolute: view_ladder_in.relative */
	uint32_t len, win;
	unsigned marks;         /* enum tracker_mark bits (tracker.h) */
	unsigned dup_ack_count; /* with TRACKER_MARK_DUP_ACK */
	bool lost;              /* live: dropped at its receiver (drop-next-in):
				 * the arrow ends in an x short of its
				 * lifeline, "LOST" first among its marks */
};

struct view_ladder_state {
	int endpoint;           /* 0 client, 1 server */
	enum tcpstate from, to;
};

enum view_ladder_kind { VIEW_LADDER_SEGMENT, VIEW_LADDER_STATE };

/* A state row belongs to the segment row before it (the one that caused
 * it) and is drawn on that segment's line, beside its endpoint's lifeline. */
struct view_ladder_row {
	enum view_ladder_kind kind;
	bool future;            /* after the current position */
	union {
		struct view_ladder_seg seg;
		struct view_ladder_state state;
	} u;
};

enum view_ladder_future { VIEW_LADDER_FUTURE_HIDE, VIEW_LADDER_FUTURE_DIM };

/* Live: frames held at a paused node (sent by lwIP, not yet on the wire),
 * one line each below the last arrow: "|| 1 held at client (n sends it)". */
struct view_ladder_held {
	int endpoint;           /* beside this endpoint's lifeline (0 client,
				 * 1 server); -1: the node's frames are not
				 * known to be this connection's, said
				 * between the lifelines */
	uint32_t count;
	const char *node;       /* the node's name */
};

#define VIEW_LADDER_MAX_HELD 4

struct view_ladder_in {
	const char *label[2];   /* "192.0.2.3:55104 client", "192.0.2.2:8888 server" */
	const struct view_ladder_row *rows;
	size_t nrows;
	size_t current;         /* index of the current row; >= nrows: none */
	bool relative;          /* seq/ack are relative (said in the header) */
	enum view_ladder_future future;
	int scroll;             /* first line shown, as last returned in out */
	/* Live (all zero in a replay, which draws as without them): the
	 * held lines, and marks kept visible (fields of a label go before
	 * its LOST or RETRANS does). */
	bool live;
	const struct view_ladder_held *held;
	size_t nheld;           /* at most VIEW_LADDER_MAX_HELD are drawn */
};

/* Lines beyond this many in one pane are not mapped for clicks. */
#define VIEW_LADDER_MAX_LINES 512

struct view_ladder_out {
	int scroll;             /* keep it for the next draw (current row visible) */
	int y0;                 /* screen row of the first diagram line */
	int nlines;             /* diagram lines drawn */
	size_t row[VIEW_LADDER_MAX_LINES]; /* input row of each line drawn */
};

/* Draws the diagram in r (nothing outside it) and fills out. */
void view_ladder_draw(struct grid *g, struct grid_rect r,
		      const struct view_ladder_in *in, struct view_ladder_out *out);

/* The input row drawn at screen row y (a segment, or the state row when a
 * line holds only that), or -1 for the header and empty lines. */
long view_ladder_row_at(const struct view_ladder_out *out, int y);

#endif
