/* The state-diagram view (view_diagram.h). Each layout is a table: where
 * every state's name sits and, for every arc, a polyline of grid cells and
 * where its label goes. Lines are first collected as a mask of directions
 * per cell, so where arcs meet or share a stretch the glyph is the right
 * corner or tee, and the lit arc is repainted over its own cells only. */
#include "view_diagram.h"

#include <string.h>

#include "grid.h"

#define S_(x) TCPSTATE_##x

/* The RFC 9293 figure 5 labels, shortened to one line; the tracker's
 * transitions from the event-processing text (RST, FIN with our FIN acked)
 * and its mid-stream join have labels of their own. */
const char *view_diagram_arc_label(enum tcpstate from, enum tcpstate to)
{
	static const char *const label[TCPSTATE_COUNT][TCPSTATE_COUNT] = {
		[S_(CLOSED)] = {[S_(LISTEN)] = "passive OPEN",
				[S_(SYN_SENT)] = "active OPEN / snd SYN",
				[S_(ESTABLISHED)] = "joined mid-stream (tcpstep)"},
		[S_(LISTEN)] = {[S_(SYN_RCVD)] = "rcv SYN / snd SYN,ACK",
				[S_(SYN_SENT)] = "SEND / snd SYN",
				[S_(CLOSED)] = "CLOSE"},
		[S_(SYN_SENT)] = {[S_(SYN_RCVD)] = "rcv SYN / snd SYN,ACK (both opened)",
				  [S_(ESTABLISHED)] = "rcv SYN,ACK / snd ACK",
				  [S_(CLOSED)] = "CLOSE or rcv RST"},
		[S_(SYN_RCVD)] = {[S_(ESTABLISHED)] = "rcv ACK of SYN",
				  [S_(FIN_WAIT_1)] = "CLOSE / snd FIN",
				  [S_(LISTEN)] = "rcv RST",
				  [S_(CLOSED)] = "rcv RST"},
		[S_(ESTABLISHED)] = {[S_(FIN_WAIT_1)] = "CLOSE / snd FIN",
				     [S_(CLOSE_WAIT)] = "rcv FIN / snd ACK",
				     [S_(CLOSED)] = "rcv RST"},
		[S_(FIN_WAIT_1)] = {[S_(FIN_WAIT_2)] = "rcv ACK of FIN",
				    [S_(CLOSING)] = "rcv FIN / snd ACK",
				    [S_(TIME_WAIT)] = "rcv FIN,ACK / snd ACK",
				    [S_(CLOSED)] = "rcv RST"},
		[S_(FIN_WAIT_2)] = {[S_(TIME_WAIT)] = "rcv FIN / snd ACK",
				    [S_(CLOSED)] = "rcv RST"},
		[S_(CLOSE_WAIT)] = {[S_(LAST_ACK)] = "CLOSE / snd FIN",
				    [S_(CLOSED)] = "rcv RST"},
		[S_(CLOSING)] = {[S_(TIME_WAIT)] = "rcv ACK of FIN",
				 [S_(CLOSED)] = "rcv RST"},
		[S_(LAST_ACK)] = {[S_(CLOSED)] = "rcv ACK of FIN"},
		[S_(TIME_WAIT)] = {[S_(CLOSED)] = "timeout 2MSL"},
	};
	if ((unsigned)from >= TCPSTATE_COUNT || (unsigned)to >= TCPSTATE_COUNT ||
	    !label[from][to])
		return "";
	return label[from][to];
}

/* ---- layout tables --------------------------------------------------- */

#define MAXPTS 6
#define MAXW VIEW_DIAGRAM_FULL_W
#define MAXH VIEW_DIAGRAM_FULL_H

/* A state's name: "[NAME]" centred on cx, with a cell either side for the
 * "C" / "S" markers. CLOSED may appear twice, as in the RFC's figure. */
struct node {
	enum tcpstate s;
	signed char cx, y;
};

/* An arc: a polyline through pts (horizontal and vertical runs), the arrow
 * head on the last point; a point may lie on a name (the name is drawn
 * over it), so short arcs between neighbouring rows still have a head.
 * lx < 0: no label drawn. */
struct arc {
	enum tcpstate from, to;
	signed char npts;
	signed char pts[MAXPTS][2];
	signed char lx, ly;
};

/* The one line of the full layout that stands for the RST arcs into
 * CLOSED: drawing six more lines across the figure would bury it. */
struct rst_line {
	signed char x, y; /* y < 0: none */
};

struct layout {
	signed char w, h;
	const struct node *nodes;
	int nnodes;
	const struct arc *arcs;
	int narcs;
	struct rst_line rst;
	signed char caption_y; /* the last transition in words; < 0: none */
	signed char legend_y;  /* "C client  S server" at x 0; tall: two lines */
	bool legend_stacked;
};

static const struct node full_nodes[] = {
	{S_(CLOSED), 45, 0},       {S_(LISTEN), 45, 5},
	{S_(SYN_RCVD), 10, 11},    {S_(SYN_SENT), 80, 11},
	{S_(ESTABLISHED), 45, 15}, {S_(FIN_WAIT_1), 10, 19},
	{S_(CLOSE_WAIT), 80, 19},  {S_(FIN_WAIT_2), 10, 24},
	{S_(CLOSING), 45, 24},     {S_(LAST_ACK), 80, 24},
	{S_(TIME_WAIT), 45, 28},   {S_(CLOSED), 80, 28},
};

#define P(...) {__VA_ARGS__}
static const struct arc full_arcs[] = {
	{S_(CLOSED), S_(LISTEN), 2, P({43, 1}, {43, 4}), 30, 2},
	{S_(LISTEN), S_(CLOSED), 2, P({47, 4}, {47, 1}), 49, 3},
	{S_(CLOSED), S_(SYN_SENT), 3, P({50, 0}, {82, 0}, {82, 10}), 58, 1},
	{S_(SYN_SENT), S_(CLOSED), 4, P({80, 10}, {80, 2}, {47, 2}, {47, 1}), 63, 3},
	{S_(LISTEN), S_(SYN_RCVD), 4, P({42, 6}, {42, 8}, {12, 8}, {12, 10}), 18, 7},
	{S_(LISTEN), S_(SYN_SENT), 4, P({47, 6}, {47, 8}, {78, 8}, {78, 10}), 52, 7},
	{S_(SYN_RCVD), S_(LISTEN), 3, P({8, 10}, {8, 5}, {39, 5}), 20, 4},
	{S_(SYN_SENT), S_(SYN_RCVD), 2, P({73, 11}, {16, 11}), 27, 12},
	{S_(SYN_RCVD), S_(ESTABLISHED), 4, P({10, 12}, {10, 13}, {42, 13}, {42, 14}), 24, 14},
	{S_(SYN_SENT), S_(ESTABLISHED), 4, P({78, 12}, {78, 13}, {48, 13}, {48, 14}), 54, 14},
	{S_(CLOSED), S_(ESTABLISHED), 2, P({61, 15}, {53, 15}), 63, 15},
	{S_(SYN_RCVD), S_(FIN_WAIT_1), 2, P({7, 12}, {7, 18}), 9, 15},
	{S_(ESTABLISHED), S_(FIN_WAIT_1), 4, P({42, 16}, {42, 17}, {12, 17}, {12, 18}), 20, 18},
	{S_(ESTABLISHED), S_(CLOSE_WAIT), 4, P({48, 16}, {48, 17}, {80, 17}, {80, 18}), 56, 18},
	{S_(FIN_WAIT_1), S_(FIN_WAIT_2), 2, P({8, 20}, {8, 23}), 10, 22},
	{S_(FIN_WAIT_1), S_(CLOSING), 3, P({17, 19}, {43, 19}, {43, 23}), 45, 21},
	{S_(FIN_WAIT_1), S_(TIME_WAIT), 5, P({13, 20}, {13, 21}, {30, 21}, {30, 28}, {38, 28}), 16, 20},
	{S_(FIN_WAIT_2), S_(TIME_WAIT), 3, P({10, 25}, {10, 28}, {38, 28}), 12, 27},
	{S_(CLOSING), S_(TIME_WAIT), 2, P({45, 25}, {45, 27}), 47, 25},
	{S_(CLOSE_WAIT), S_(LAST_ACK), 2, P({80, 20}, {80, 23}), 64, 22},
	{S_(LAST_ACK), S_(CLOSED), 2, P({80, 25}, {80, 27}), 65, 26},
	{S_(TIME_WAIT), S_(CLOSED), 2, P({52, 28}, {74, 28}), 57, 27},
};

/* Compact, wide and short (a wide terminal too short for the full figure,
 * 78x12): no labels, the caption says them; every arc of the tall layout
 * but the simultaneous open, which has no room between the two rows of the
 * handshake. The three ways into TIME_WAIT from the left join before its
 * name. */
static const struct node wide_nodes[] = {
	{S_(CLOSED), 39, 0},       {S_(LISTEN), 39, 2},
	{S_(SYN_RCVD), 12, 2},     {S_(SYN_SENT), 66, 2},
	{S_(ESTABLISHED), 39, 4},  {S_(FIN_WAIT_1), 12, 6},
	{S_(CLOSE_WAIT), 66, 6},   {S_(FIN_WAIT_2), 7, 8},
	{S_(CLOSING), 24, 8},      {S_(LAST_ACK), 60, 8},
	{S_(TIME_WAIT), 24, 10},   {S_(CLOSED), 60, 10},
};
static const struct arc wide_arcs[] = {
	{S_(CLOSED), S_(LISTEN), 2, P({39, 0}, {39, 1}), -1, 0},
	{S_(CLOSED), S_(SYN_SENT), 3, P({44, 0}, {66, 0}, {66, 1}), -1, 0},
	{S_(LISTEN), S_(SYN_RCVD), 2, P({34, 2}, {19, 2}), -1, 0},
	{S_(LISTEN), S_(SYN_SENT), 2, P({44, 2}, {59, 2}), -1, 0},
	{S_(SYN_RCVD), S_(ESTABLISHED), 3, P({12, 2}, {12, 4}, {31, 4}), -1, 0},
	{S_(SYN_SENT), S_(ESTABLISHED), 3, P({66, 2}, {66, 4}, {47, 4}), -1, 0},
	{S_(SYN_RCVD), S_(FIN_WAIT_1), 2, P({9, 2}, {9, 5}), -1, 0},
	{S_(ESTABLISHED), S_(FIN_WAIT_1), 3, P({36, 4}, {36, 6}, {19, 6}), -1, 0},
	{S_(ESTABLISHED), S_(CLOSE_WAIT), 3, P({42, 4}, {42, 6}, {58, 6}), -1, 0},
	{S_(FIN_WAIT_1), S_(FIN_WAIT_2), 2, P({7, 6}, {7, 7}), -1, 0},
	{S_(FIN_WAIT_1), S_(CLOSING), 3, P({14, 6}, {14, 8}, {18, 8}), -1, 0},
	{S_(FIN_WAIT_1), S_(TIME_WAIT), 3, P({14, 6}, {14, 10}, {17, 10}), -1, 0},
	{S_(FIN_WAIT_2), S_(TIME_WAIT), 3, P({7, 8}, {7, 10}, {17, 10}), -1, 0},
	{S_(CLOSING), S_(TIME_WAIT), 2, P({24, 8}, {24, 9}), -1, 0},
	{S_(CLOSE_WAIT), S_(LAST_ACK), 2, P({62, 6}, {62, 7}), -1, 0},
	{S_(LAST_ACK), S_(CLOSED), 2, P({60, 8}, {60, 9}), -1, 0},
	{S_(TIME_WAIT), S_(CLOSED), 2, P({31, 10}, {54, 10}), -1, 0},
};

/* Compact, tall and narrow (the diagram pane of an 80x24 screen, 38x15):
 * every arc of the figure but those the caption tells well enough (CLOSE
 * and RST into CLOSED or LISTEN, the mid-stream join), among them the
 * simultaneous open and the three ways out of FIN_WAIT_1 into TIME_WAIT.
 * Arcs that end in one state share their last stretch (LISTEN -> SYN_SENT
 * joins the active OPEN; FIN_WAIT_1 -> CLOSING leaves the way to
 * TIME_WAIT with a tee). Each marker has its cell ("C" before a name, "S"
 * after), except CLOSING's S and LAST_ACK's C, which no connection shows
 * together. */
static const struct node tall_nodes[] = {
	{S_(CLOSED), 19, 0},       {S_(LISTEN), 19, 2},
	{S_(SYN_RCVD), 7, 4},      {S_(SYN_SENT), 31, 4},
	{S_(ESTABLISHED), 19, 6},  {S_(FIN_WAIT_1), 7, 8},
	{S_(CLOSE_WAIT), 31, 8},   {S_(FIN_WAIT_2), 7, 10},
	{S_(CLOSING), 21, 10},     {S_(LAST_ACK), 32, 10},
	{S_(TIME_WAIT), 14, 12},   {S_(CLOSED), 31, 12},
};
static const struct arc tall_arcs[] = {
	{S_(CLOSED), S_(LISTEN), 2, P({19, 0}, {19, 1}), -1, 0},
	{S_(LISTEN), S_(SYN_RCVD), 3, P({13, 2}, {7, 2}, {7, 3}), -1, 0},
	{S_(CLOSED), S_(SYN_SENT), 3, P({24, 0}, {31, 0}, {31, 3}), -1, 0},
	{S_(LISTEN), S_(SYN_SENT), 3, P({24, 2}, {31, 2}, {31, 3}), -1, 0},
	{S_(SYN_SENT), S_(SYN_RCVD), 2, P({24, 4}, {13, 4}), -1, 0},
	{S_(SYN_RCVD), S_(ESTABLISHED), 3, P({7, 4}, {7, 6}, {11, 6}), -1, 0},
	{S_(SYN_SENT), S_(ESTABLISHED), 3, P({31, 4}, {31, 6}, {27, 6}), -1, 0},
	{S_(SYN_RCVD), S_(FIN_WAIT_1), 2, P({3, 4}, {3, 7}), -1, 0},
	{S_(ESTABLISHED), S_(FIN_WAIT_1), 3, P({16, 6}, {16, 8}, {14, 8}), -1, 0},
	{S_(ESTABLISHED), S_(CLOSE_WAIT), 3, P({22, 6}, {22, 8}, {23, 8}), -1, 0},
	{S_(FIN_WAIT_1), S_(FIN_WAIT_2), 2, P({7, 8}, {7, 9}), -1, 0},
	{S_(FIN_WAIT_1), S_(TIME_WAIT), 4, P({11, 8}, {11, 9}, {14, 9}, {14, 11}), -1, 0},
	{S_(FIN_WAIT_1), S_(CLOSING), 5, P({11, 8}, {11, 9}, {14, 9}, {14, 10}, {15, 10}), -1, 0},
	{S_(CLOSE_WAIT), S_(LAST_ACK), 2, P({32, 8}, {32, 9}), -1, 0},
	{S_(FIN_WAIT_2), S_(TIME_WAIT), 2, P({10, 10}, {10, 11}), -1, 0},
	{S_(CLOSING), S_(TIME_WAIT), 2, P({18, 10}, {18, 11}), -1, 0},
	{S_(TIME_WAIT), S_(CLOSED), 2, P({21, 12}, {25, 12}), -1, 0},
	{S_(LAST_ACK), S_(CLOSED), 2, P({32, 10}, {32, 11}), -1, 0},
};
#undef P

#define N_(a) ((int)(sizeof(a) / sizeof((a)[0])))
static const struct layout layout_full = {
	VIEW_DIAGRAM_FULL_W, VIEW_DIAGRAM_FULL_H, full_nodes, N_(full_nodes),
	full_arcs, N_(full_arcs), {0, 29}, -1, 0, false};
static const struct layout layout_wide = {
	78, 12, wide_nodes, N_(wide_nodes), wide_arcs, N_(wide_arcs), {0, -1}, 11, 0, false};
static const struct layout layout_tall = {
	38, 15, tall_nodes, N_(tall_nodes), tall_arcs, N_(tall_arcs), {0, -1}, 13, 0, true};

/* ---- drawing --------------------------------------------------------- */

enum { D_N = 1, D_E = 2, D_S = 4, D_W = 8 };

struct canvas {
	struct grid *g;
	int ox, oy;
	unsigned char mask[MAXH][MAXW];
	unsigned char head[MAXH][MAXW]; /* arrow glyph + 1, 0 for none */
};

static uint32_t mask_glyph(const struct grid *g, unsigned m)
{
	static const signed char map[16] = {
		[D_N] = GRID_G_VLINE, [D_S] = GRID_G_VLINE,
		[D_N | D_S] = GRID_G_VLINE,
		[D_E] = GRID_G_HLINE, [D_W] = GRID_G_HLINE,
		[D_E | D_W] = GRID_G_HLINE,
		[D_S | D_E] = GRID_G_TL, [D_S | D_W] = GRID_G_TR,
		[D_N | D_E] = GRID_G_BL, [D_N | D_W] = GRID_G_BR,
		[D_N | D_S | D_E] = GRID_G_TEE_L, [D_N | D_S | D_W] = GRID_G_TEE_R,
		[D_E | D_W | D_S] = GRID_G_TEE_T, [D_E | D_W | D_N] = GRID_G_TEE_B,
		[D_N | D_E | D_S | D_W] = GRID_G_CROSS,
	};
	return grid_glyph(g, (enum grid_glyph)map[m & 15]);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Calls back for every cell of the arc's polyline, in order. */
static void arc_mark(struct canvas *c, const struct arc *a)
{
	for (int i = 0; i + 1 < a->npts; i++) {
		int x = a->pts[i][0], y = a->pts[i][1];
		int dx = sign(a->pts[i + 1][0] - x), dy = sign(a->pts[i + 1][1] - y);
		unsigned fwd = dx > 0 ? D_E : dx < 0 ? D_W : dy > 0 ? D_S : D_N;
		unsigned back = fwd == D_E ? D_W : fwd == D_W ? D_E : fwd == D_S ? D_N : D_S;
		while (x != a->pts[i + 1][0] || y != a->pts[i + 1][1]) {
			c->mask[y][x] |= fwd;
			x += dx;
			y += dy;
			c->mask[y][x] |= back;
		}
	}
	int n = a->npts - 1;
	int dx = sign(a->pts[n][0] - a->pts[n - 1][0]);
	int dy = sign(a->pts[n][1] - a->pts[n - 1][1]);
	enum grid_glyph h = dx > 0 ? GRID_G_ARROW_R : dx < 0 ? GRID_G_ARROW_L :
			    dy > 0 ? GRID_G_ARROW_D : GRID_G_ARROW_U;
	c->head[a->pts[n][1]][a->pts[n][0]] = (unsigned char)(h + 1);
}

static void cell_draw(struct canvas *c, int x, int y, enum grid_role role)
{
	uint32_t ch = c->head[y][x] ?
		grid_glyph(c->g, (enum grid_glyph)(c->head[y][x] - 1)) :
		mask_glyph(c->g, c->mask[y][x]);
	grid_put(c->g, c->ox + x, c->oy + y, ch, role);
}

/* Repaints the lit arc's own cells (the glyphs stay those of the merged
 * mask, so a shared stretch still joins its neighbours). */
static void arc_light(struct canvas *c, const struct arc *a)
{
	for (int i = 0; i + 1 < a->npts; i++) {
		int x = a->pts[i][0], y = a->pts[i][1];
		int dx = sign(a->pts[i + 1][0] - x), dy = sign(a->pts[i + 1][1] - y);
		cell_draw(c, x, y, GRID_ROLE_ARC);
		while (x != a->pts[i + 1][0] || y != a->pts[i + 1][1]) {
			x += dx;
			y += dy;
			cell_draw(c, x, y, GRID_ROLE_ARC);
		}
	}
}

static void node_draw(struct canvas *c, const struct node *n,
		      const struct view_diagram_input *in)
{
	const char *name = tcpstate_to_str(n->s);
	int len = grid_text_width(name);
	int x0 = c->ox + n->cx - (len + 2) / 2, y = c->oy + n->y;
	bool cl = in->client == n->s, sv = in->server == n->s;
	/* Both here: the name in the client's role, each marker in its own. */
	enum grid_role role = cl ? GRID_ROLE_STATE_CLIENT :
			      sv ? GRID_ROLE_STATE_SERVER : GRID_ROLE_NORMAL;
	grid_put(c->g, x0, y, '[', role);
	grid_text(c->g, x0 + 1, y, len, role, name);
	grid_put(c->g, x0 + len + 1, y, ']', role);
	if (cl)
		grid_put(c->g, x0 - 1, y, 'C', GRID_ROLE_STATE_CLIENT);
	if (sv)
		grid_put(c->g, x0 + len + 2, y, 'S', GRID_ROLE_STATE_SERVER);
}

/* An arrow in running text: the glyph, or "->" in ASCII, where a lone '>'
 * reads as punctuation. Returns the cells written. */
static int text_arrow(struct grid *g, int x, int y, enum grid_role role)
{
	if (grid_ascii(g))
		return grid_text(g, x, y, -1, role, "->");
	grid_put(g, x, y, grid_glyph(g, GRID_G_ARROW_R), role);
	return 1;
}

static bool resets_to_closed(enum tcpstate s)
{
	switch (s) {
	case S_(SYN_RCVD): case S_(ESTABLISHED): case S_(FIN_WAIT_1):
	case S_(FIN_WAIT_2): case S_(CLOSE_WAIT): case S_(CLOSING):
		return true;
	default:
		return false;
	}
}

/* "rcv RST: SYN_RCVD ESTABLISHED ... -> CLOSED", the lit source's name and
 * the words of the arc in GRID_ROLE_ARC. */
static void rst_draw(struct canvas *c, const struct layout *l, bool lit,
		     enum tcpstate from)
{
	int x = c->ox + l->rst.x, y = c->oy + l->rst.y;
	enum grid_role arole = lit ? GRID_ROLE_ARC : GRID_ROLE_NORMAL;
	x += grid_text(c->g, x, y, -1, arole, "rcv RST:");
	for (int s = 0; s < TCPSTATE_COUNT; s++) {
		if (!resets_to_closed((enum tcpstate)s))
			continue;
		x++;
		x += grid_text(c->g, x, y, -1,
			       lit && s == (int)from ? GRID_ROLE_ARC : GRID_ROLE_NORMAL,
			       tcpstate_to_str((enum tcpstate)s));
	}
	x += 2 + text_arrow(c->g, x + 1, y, lit ? GRID_ROLE_ARC : GRID_ROLE_DIM);
	grid_text(c->g, x, y, -1, arole, "CLOSED");
}

/* What the markers beside a lit name mean, in their own roles. */
static void legend_draw(struct canvas *c, const struct layout *l)
{
	int x = c->ox, y = c->oy + l->legend_y;
	grid_put(c->g, x, y, 'C', GRID_ROLE_STATE_CLIENT);
	grid_text(c->g, x + 2, y, -1, GRID_ROLE_NORMAL, "client");
	if (l->legend_stacked)
		y++;
	else
		x += 10;
	grid_put(c->g, x, y, 'S', GRID_ROLE_STATE_SERVER);
	grid_text(c->g, x + 2, y, -1, GRID_ROLE_NORMAL, "server");
}

static void caption_draw(struct canvas *c, const struct layout *l,
			 const struct view_diagram_input *in)
{
	int x = c->ox, y = c->oy + l->caption_y;
	x += grid_text(c->g, x, y, -1, GRID_ROLE_ARC,
		       in->last_endpoint ? "server " : "client ");
	x += grid_text(c->g, x, y, -1, GRID_ROLE_ARC, tcpstate_to_str(in->last_from));
	x += 2 + text_arrow(c->g, x + 1, y, GRID_ROLE_ARC);
	x += grid_text(c->g, x, y, -1, GRID_ROLE_ARC, tcpstate_to_str(in->last_to));
	const char *lab = view_diagram_arc_label(in->last_from, in->last_to);
	if (!*lab)
		return;
	/* The label on the same line if it fits, else on the next one when
	 * the layout has it (the tall one). */
	if (x + 2 + grid_text_width(lab) <= l->w || l->caption_y + 1 >= l->h)
		grid_textf(c->g, x, y, -1, GRID_ROLE_ARC, ": %s", lab);
	else
		grid_text(c->g, c->ox + 2, y + 1, -1, GRID_ROLE_ARC, lab);
}

static void layout_draw(struct grid *g, struct grid_rect r, const struct layout *l,
			const struct view_diagram_input *in)
{
	/* About 8 KiB: the full layout's masks, kept off the heap so drawing
	 * cannot fail. */
	struct canvas c;
	memset(&c, 0, sizeof(c));
	c.g = g;
	c.ox = r.x + (r.w - l->w) / 2;
	c.oy = r.y + (r.h - l->h) / 2;

	const struct arc *lit = NULL;
	bool rst_lit = false;
	for (int i = 0; i < l->narcs; i++) {
		arc_mark(&c, &l->arcs[i]);
		if (in->have_last && l->arcs[i].from == in->last_from &&
		    l->arcs[i].to == in->last_to)
			lit = &l->arcs[i];
	}
	if (in->have_last && !lit && l->rst.y >= 0 && in->last_to == S_(CLOSED) &&
	    resets_to_closed(in->last_from))
		rst_lit = true;

	for (int y = 0; y < l->h; y++)
		for (int x = 0; x < l->w; x++)
			if (c.mask[y][x] || c.head[y][x])
				cell_draw(&c, x, y, GRID_ROLE_DIM);
	if (lit)
		arc_light(&c, lit);
	for (int i = 0; i < l->narcs; i++) {
		const struct arc *a = &l->arcs[i];
		if (a->lx >= 0)
			grid_text(g, c.ox + a->lx, c.oy + a->ly, -1,
				  a == lit ? GRID_ROLE_ARC : GRID_ROLE_NORMAL,
				  view_diagram_arc_label(a->from, a->to));
	}
	if (l->rst.y >= 0)
		rst_draw(&c, l, rst_lit, in->last_from);
	legend_draw(&c, l);
	for (int i = 0; i < l->nnodes; i++)
		node_draw(&c, &l->nodes[i], in);
	if (l->caption_y >= 0 && in->have_last)
		caption_draw(&c, l, in);
}

/* "client ESTABLISHED  server SYN_RCVD", each name in its endpoint's role. */
static void line_draw(struct grid *g, struct grid_rect r,
		      const struct view_diagram_input *in)
{
	int x = r.x;
	x += grid_text(g, x, r.y, -1, GRID_ROLE_NORMAL, "client ");
	x += grid_text(g, x, r.y, -1, GRID_ROLE_STATE_CLIENT, tcpstate_to_str(in->client));
	x += grid_text(g, x, r.y, -1, GRID_ROLE_NORMAL, "  server ");
	grid_text(g, x, r.y, -1, GRID_ROLE_STATE_SERVER, tcpstate_to_str(in->server));
}

enum view_diagram_layout view_diagram_layout_for(int w, int h)
{
	if (w <= 0 || h <= 0)
		return VIEW_DIAGRAM_NONE;
	if (w >= layout_full.w && h >= layout_full.h)
		return VIEW_DIAGRAM_FULL;
	if (w >= layout_wide.w && h >= layout_wide.h)
		return VIEW_DIAGRAM_WIDE;
	if (w >= layout_tall.w && h >= layout_tall.h)
		return VIEW_DIAGRAM_TALL;
	return VIEW_DIAGRAM_LINE;
}

void view_diagram_layout_size(enum view_diagram_layout l, int *w, int *h)
{
	const struct layout *L = l == VIEW_DIAGRAM_FULL ? &layout_full
				 : l == VIEW_DIAGRAM_WIDE ? &layout_wide
				 : l == VIEW_DIAGRAM_TALL ? &layout_tall : NULL;

	*w = L ? L->w : 0;
	*h = L ? L->h : 0;
}

void view_diagram_draw(struct grid *g, struct grid_rect r,
		       const struct view_diagram_input *in)
{
	enum view_diagram_layout which = view_diagram_layout_for(r.w, r.h);
	if (!g || !in || which == VIEW_DIAGRAM_NONE)
		return;
	grid_clip(g, r);
	switch (which) {
	case VIEW_DIAGRAM_FULL: layout_draw(g, r, &layout_full, in); break;
	case VIEW_DIAGRAM_WIDE: layout_draw(g, r, &layout_wide, in); break;
	case VIEW_DIAGRAM_TALL: layout_draw(g, r, &layout_tall, in); break;
	default: line_draw(g, r, in); break;
	}
	grid_unclip(g);
}
