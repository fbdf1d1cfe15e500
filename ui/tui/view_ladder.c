/* The ladder diagram: a header with both endpoints, two lifelines, one
 * line per segment with an arrow in its direction, and each endpoint's new
 * state written on the line of the segment that caused it. */
#include "view_ladder.h"

#include <stdio.h>
#include <string.h>

#include "segment.h"
#include "tracker.h"

/* One screen line: a segment and the state changes it caused (one slot per
 * endpoint), or state changes with no segment before them. */
struct line {
	long seg;               /* row index, -1 if none */
	long state[2];          /* row index, -1 if none */
};

struct layout {
	int x0, x1;             /* rect columns [x0, x1) */
	int pktw, timew, statew;
	int cl, sl;             /* lifeline columns */
	bool show_win, show_from;
};

static bool row_hidden(const struct view_ladder_in *in, size_t i)
{
	return in->rows[i].future && in->future == VIEW_LADDER_FUTURE_HIDE;
}

/* Fills ln with the line starting at row i (skipping hidden rows); returns
 * the index after it, or nrows when no line is left (ln->seg and both state
 * slots then -1). */
static size_t next_line(const struct view_ladder_in *in, size_t i, struct line *ln)
{
	ln->seg = ln->state[0] = ln->state[1] = -1;
	while (i < in->nrows && row_hidden(in, i))
		i++;
	if (i >= in->nrows)
		return i;
	if (in->rows[i].kind == VIEW_LADDER_SEGMENT)
		ln->seg = (long)i++;
	for (; i < in->nrows; i++) {
		const struct view_ladder_row *r = &in->rows[i];
		if (row_hidden(in, i))
			continue;
		if (r->kind != VIEW_LADDER_STATE)
			break;
		int e = r->u.state.endpoint ? 1 : 0;
		if (ln->state[e] >= 0) /* a second change: a line of its own */
			break;
		ln->state[e] = (long)i;
	}
	return i;
}

static bool line_has(const struct line *ln, size_t row)
{
	long r = (long)row;
	return ln->seg == r || ln->state[0] == r || ln->state[1] == r;
}

static long line_first_row(const struct line *ln)
{
	if (ln->seg >= 0)
		return ln->seg;
	return ln->state[0] >= 0 ? ln->state[0] : ln->state[1];
}

static void layout_for(struct grid_rect r, struct layout *L)
{
	L->x0 = r.x;
	L->x1 = r.x + r.w;
	/* A projector terminal has room for the time, the window and the
	 * state each endpoint came from; 80 columns keep the essentials. */
	bool wide = r.w >= 120;
	L->pktw = 7;                     /* ">123456" */
	L->timew = wide ? 11 : 0;        /* "  0.000123" seconds */
	L->statew = wide ? 26 : 12;      /* "ESTABLISHED -> FIN_WAIT_1" */
	/* A narrow pane (a split screen) gives the state columns what is
	 * left after a short arrow, so the lifelines never cross. */
	int spare = (r.w - L->pktw - L->timew - 12) / 2;
	if (L->statew > spare)
		L->statew = spare > 0 ? spare : 0;
	/* Below 60 columns (the ladder beside the diagram at 80x24) the
	 * arrows and their numbers matter most: the new states are in the
	 * connection list, the diagram and the explanation already, so the
	 * state columns go and the arrow gets the room. */
	if (r.w < 60) {
		L->pktw = 5;
		L->statew = 1;
	}
	L->show_win = wide;
	L->show_from = wide;
	L->cl = L->x0 + L->pktw + L->timew + L->statew;
	L->sl = L->x1 - 1 - L->statew;
}

static void flags_text(uint8_t f, char *buf, size_t n)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ TCPF_SYN, "SYN" }, { TCPF_FIN, "FIN" }, { TCPF_RST, "RST" },
		{ TCPF_PSH, "PSH" }, { TCPF_URG, "URG" }, { TCPF_ACK, "ACK" },
		{ TCPF_ECE, "ECE" }, { TCPF_CWR, "CWR" },
	};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(f & names[i].bit))
			continue;
		int k = snprintf(buf + used, n - used, "%s%s", used ? "," : "",
				 names[i].name);
		if (k < 0 || (size_t)k >= n - used)
			return;
		used += (size_t)k;
	}
	if (!used)
		snprintf(buf, n, "(none)");
}

/* The arrow's role: what a student should notice first. */
static enum grid_role seg_role(const struct view_ladder_seg *s)
{
	if (s->flags & TCPF_RST)
		return GRID_ROLE_FLAG_RST;
	if (s->flags & TCPF_FIN)
		return GRID_ROLE_FLAG_FIN;
	if (s->flags & TCPF_SYN)
		return GRID_ROLE_FLAG_SYN;
	if (s->len)
		return GRID_ROLE_FLAG_DATA;
	return s->dir ? GRID_ROLE_SERVER : GRID_ROLE_CLIENT;
}

/* Marks as short words, in the order a student reads their importance. */
static void marks_text(const struct view_ladder_seg *s, char *buf, size_t n,
		       enum grid_role *role)
{
	static const struct { unsigned bit; const char *word; bool retrans; } m[] = {
		{ TRACKER_MARK_RETRANSMISSION, "RETRANS", true },
		{ TRACKER_MARK_OUT_OF_ORDER, "OUT OF ORDER", true },
		{ TRACKER_MARK_PREV_NOT_CAPTURED, "PREV NOT CAPTURED", true },
		{ TRACKER_MARK_DUP_ACK, "DUP ACK", false },
		{ TRACKER_MARK_ZERO_WINDOW, "ZERO WIN", false },
		{ TRACKER_MARK_RST_IGNORED, "RST IGNORED", false },
		{ TRACKER_MARK_KEEP_ALIVE, "KEEP-ALIVE", false },
		{ TRACKER_MARK_WINDOW_UPDATE, "WIN UPDATE", false },
		{ TRACKER_MARK_ACKED_UNSEEN, "ACKED UNSEEN", false },
	};
	size_t used = 0;
	bool retrans = false;
	buf[0] = '\0';
	if (s->lost) /* first: what a student must see before the rest */
		used = (size_t)snprintf(buf, n, "LOST");
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (!(s->marks & m[i].bit))
			continue;
		int k;
		if (m[i].bit == TRACKER_MARK_DUP_ACK && s->dup_ack_count)
			k = snprintf(buf + used, n - used, "%sDUP ACK #%u",
				     used ? " " : "", s->dup_ack_count);
		else
			k = snprintf(buf + used, n - used, "%s%s",
				     used ? " " : "", m[i].word);
		if (k < 0 || (size_t)k >= n - used)
			break;
		used += (size_t)k;
		retrans = retrans || m[i].retrans;
	}
	*role = s->lost ? GRID_ROLE_LOST
		: retrans ? GRID_ROLE_MARK_RETRANS : GRID_ROLE_MARK_WARN;
}

static void draw_header(struct grid *g, int y, const struct layout *L,
			const struct view_ladder_in *in)
{
	grid_text(g, L->x0, y, L->pktw, GRID_ROLE_TITLE, " pkt");
	if (L->timew)
		grid_text(g, L->x0 + L->pktw, y, L->timew, GRID_ROLE_TITLE, "    time");
	const char *c = in->label[0] ? in->label[0] : "client";
	const char *s = in->label[1] ? in->label[1] : "server";
	int cw = grid_text_width(c), sw = grid_text_width(s);
	/* Each label centred on its lifeline, kept off the pkt column and
	 * inside the pane. */
	int cx = L->cl - cw / 2;
	if (cx < L->x0 + L->pktw + L->timew)
		cx = L->x0 + L->pktw + L->timew;
	int sx = L->sl - sw / 2;
	if (sx + sw > L->x1)
		sx = L->x1 - sw;
	if (sx < cx + cw + 1)
		sx = cx + cw + 1;
	grid_text(g, cx, y, cw, GRID_ROLE_CLIENT, c);
	grid_text(g, sx, y, -1, GRID_ROLE_SERVER, s);
	const char *mode = in->relative ? "relative seq/ack" : "absolute seq/ack";
	int mw = grid_text_width(mode);
	int gap0 = cx + cw + 1, gap1 = sx - 1;
	if (gap1 - gap0 >= mw)
		grid_text(g, gap0 + (gap1 - gap0 - mw) / 2, y, mw, GRID_ROLE_DIM, mode);
}

static void draw_segment(struct grid *g, int y, const struct layout *L,
			 const struct view_ladder_seg *s, enum grid_role dim,
			 bool current, bool live)
{
	enum grid_role role = dim ? dim : seg_role(s);
	if (current)
		role = GRID_ROLE_HIGHLIGHT;
	int a = L->cl + 1, b = L->sl - 1; /* the arrow spans [a, b] */
	if (b - a < 2)
		return;
	/* A lost segment stops short of its receiver's lifeline: a gap, and
	 * an x where the head would be. */
	bool lost = s->lost && b - a >= 4;
	if (lost && s->dir == 0)
		b--;
	else if (lost)
		a++;
	grid_hline(g, a, y, b - a + 1, role);
	if (lost)
		grid_put(g, s->dir == 0 ? b : a, y, grid_glyph(g, GRID_G_LOST),
			 dim ? dim : GRID_ROLE_LOST);
	else if (s->dir == 0)
		grid_put(g, b, y, grid_glyph(g, GRID_G_ARROW_R), role);
	else
		grid_put(g, a, y, grid_glyph(g, GRID_G_ARROW_L), role);

	char fl[48], field[5][48], label[160], marks[96];
	enum grid_role mrole;
	int nf = 0;
	flags_text(s->flags, fl, sizeof(fl));
	snprintf(field[nf++], sizeof(field[0]), " %s", fl);
	snprintf(field[nf++], sizeof(field[0]), " seq=%u", s->seq);
	if (s->flags & TCPF_ACK)
		snprintf(field[nf++], sizeof(field[0]), " ack=%u", s->ack);
	/* a narrow pane leaves out what says nothing: len=0 */
	if (s->len || L->statew >= 4)
		snprintf(field[nf++], sizeof(field[0]), " len=%u", s->len);
	if (L->show_win)
		snprintf(field[nf++], sizeof(field[0]), " win=%u", s->win);
	marks_text(s, marks, sizeof(marks), &mrole);
	int mw = marks[0] ? grid_text_width(marks) + 1 : 0;

	/* The label sits on the shaft, a dash of shaft and the head kept
	 * visible on each side; marks follow it. Where it does not fit, whole
	 * fields go from the end (win, len, ack): a number cut short would
	 * tell a student a wrong one (ack=2 for ack=23). Live, the marks
	 * count too: a field goes before LOST or RETRANS does (a lost one
	 * keeps its flags alone if it must). */
	int room = b - a + 1 - 4;
	int lw;
	int min_nf = live && s->lost ? 1 : 2;
	for (;;) {
		int k = 0;
		for (int i = 0; i < nf; i++)
			k += snprintf(label + k, sizeof(label) - (size_t)k, "%s", field[i]);
		lw = grid_text_width(label) + 1; /* trailing space */
		if (lw + (live ? mw : 0) <= room || nf <= min_nf)
			break;
		nf--;
	}
	if (lw + mw > room)
		mw = room - lw > 0 ? room - lw : 0;
	if (lw > room)
		lw = room;
	if (lw <= 1)
		return;
	int x = a + 2 + (room - lw - mw) / 2;
	grid_text(g, x, y, lw - 1, role, label);
	grid_put(g, x + lw - 1, y, ' ', role);
	if (mw > 1) {
		grid_text(g, x + lw, y, mw - 1, dim ? dim : mrole, marks);
		grid_put(g, x + lw + mw - 1, y, ' ', role);
	}
}

/* Live: frames held at a paused node, on a line of their own below the
 * last arrow, beside the sender's lifeline (or between the lifelines when
 * they are not known to be this connection's). The longest text that
 * fits: the hint, then the node's name, go first. */
static void draw_held(struct grid *g, int y, const struct layout *L,
		      const struct view_ladder_held *h)
{
	const char *pause = grid_ascii(g) ? "||" : "‖";
	const char *node = h->node ? h->node : "?";
	char v[4][128];
	unsigned n = h->count;
	int room = L->sl - L->cl - 3; /* a space from each lifeline */

	if (h->endpoint >= 0)
		snprintf(v[0], sizeof v[0], "%s %u held at %s (n sends %s)", pause, n,
			 node, n == 1 ? "it" : "the oldest");
	else
		snprintf(v[0], sizeof v[0], "%s %u held at %s (connection unknown)",
			 pause, n, node);
	snprintf(v[1], sizeof v[1], "%s %u held at %s", pause, n, node);
	snprintf(v[2], sizeof v[2], "%s %u held", pause, n);
	snprintf(v[3], sizeof v[3], "%s%u", pause, n);
	for (int i = 0; i < 4; i++) {
		int w = grid_text_width(v[i]);
		/* between the lifelines, "held" is said with the node's name */
		if (w > room || (h->endpoint < 0 && i >= 2))
			continue;
		int x = h->endpoint == 0 ? L->cl + 2
			: h->endpoint == 1 ? L->sl - 1 - w
					   : L->cl + 2 + (room - w) / 2;
		grid_text(g, x, y, w, GRID_ROLE_HELD, v[i]);
		return;
	}
}

static void draw_state(struct grid *g, int y, const struct layout *L,
		       const struct view_ladder_state *st, enum grid_role dim)
{
	if (L->statew < 4)
		return; /* no state columns in a narrow pane */
	int e = st->endpoint ? 1 : 0;
	enum grid_role role = dim ? dim : (e ? GRID_ROLE_SERVER : GRID_ROLE_CLIENT);
	char buf[48];
	if (L->show_from)
		snprintf(buf, sizeof(buf), "%s -> %s", tcpstate_to_str(st->from),
			 tcpstate_to_str(st->to));
	else
		snprintf(buf, sizeof(buf), "%s", tcpstate_to_str(st->to));
	int w = grid_text_width(buf);
	if (w > L->statew - 1)
		w = L->statew - 1;
	if (e == 0)
		grid_text(g, L->cl - 1 - w, y, w, role, buf);
	else
		grid_text(g, L->sl + 2, y, w, role, buf);
}

void view_ladder_draw(struct grid *g, struct grid_rect r,
		      const struct view_ladder_in *in, struct view_ladder_out *out)
{
	out->scroll = 0;
	out->y0 = r.y + 1;
	out->nlines = 0;
	if (r.w <= 0 || r.h <= 0)
		return;
	grid_clip(g, r);
	struct layout L;
	layout_for(r, &L);
	draw_header(g, r.y, &L, in);
	int vh = r.h - 1;

	/* Which line holds the current row, and how many lines there are. */
	struct line ln;
	long cur_line = -1, total = 0;
	for (size_t i = next_line(in, 0, &ln); line_first_row(&ln) >= 0;
	     i = next_line(in, i, &ln), total++)
		if (in->current < in->nrows && line_has(&ln, in->current))
			cur_line = total;

	/* Live: the held lines follow the last arrow; with the position at
	 * the last line (the screen following the session) they are kept in
	 * view with it. */
	long nheld = in->live && in->held ? (long)in->nheld : 0;
	if (nheld > VIEW_LADDER_MAX_HELD)
		nheld = VIEW_LADDER_MAX_HELD;
	long cur_end = cur_line >= 0 && cur_line == total - 1 ? cur_line + nheld : cur_line;
	total += nheld;

	long scroll = in->scroll;
	if (cur_line >= 0 && cur_line < scroll)
		scroll = cur_line;
	if (cur_line >= 0 && vh > 0 && cur_end >= scroll + vh)
		scroll = cur_end - vh + 1;
	if (cur_line >= 0 && cur_line < scroll) /* a pane too short for both */
		scroll = cur_line;
	if (scroll > total - vh)
		scroll = total - vh;
	if (scroll < 0)
		scroll = 0;
	out->scroll = (int)scroll;

	if (vh > 0) {
		if (L.cl >= L.x0)
			grid_vline(g, L.cl, r.y + 1, vh, GRID_ROLE_CLIENT);
		if (L.sl > L.cl)
			grid_vline(g, L.sl, r.y + 1, vh, GRID_ROLE_SERVER);
	}
	long n = 0;
	for (size_t i = next_line(in, 0, &ln); line_first_row(&ln) >= 0 && n < scroll + vh;
	     i = next_line(in, i, &ln), n++) {
		if (n < scroll)
			continue;
		int y = r.y + 1 + (int)(n - scroll);
		long first = line_first_row(&ln);
		bool cur = in->current < in->nrows && line_has(&ln, in->current);
		enum grid_role dim = in->rows[first].future ? GRID_ROLE_DIM : GRID_ROLE_NORMAL;
		if (ln.seg >= 0) {
			const struct view_ladder_seg *s = &in->rows[ln.seg].u.seg;
			enum grid_role pr = cur ? GRID_ROLE_HIGHLIGHT : (dim ? dim : GRID_ROLE_NORMAL);
			/* '>' shows the position without colour too. */
			grid_textf(g, L.x0, y, L.pktw - 1, pr, "%c%*llu", cur ? '>' : ' ',
				   L.pktw - 2, (unsigned long long)s->pkt);
			if (L.timew)
				grid_textf(g, L.x0 + L.pktw, y, L.timew - 1, pr, "%10.6f",
					   (double)s->time_us / 1e6);
			draw_segment(g, y, &L, s, dim, cur, in->live);
		}
		for (int e = 0; e < 2; e++)
			if (ln.state[e] >= 0)
				draw_state(g, y, &L, &in->rows[ln.state[e]].u.state,
					   in->rows[ln.state[e]].future ? GRID_ROLE_DIM : GRID_ROLE_NORMAL);
		if (out->nlines < VIEW_LADDER_MAX_LINES)
			out->row[out->nlines++] = (size_t)first;
	}
	/* n: lines drawn or scrolled past; the held lines are the last */
	for (long k = 0; k < nheld; k++, n++) {
		if (n < scroll)
			continue;
		if (n >= scroll + vh)
			break;
		draw_held(g, r.y + 1 + (int)(n - scroll), &L, &in->held[k]);
	}
	grid_unclip(g);
}

long view_ladder_row_at(const struct view_ladder_out *out, int y)
{
	int i = y - out->y0;
	if (i < 0 || i >= out->nlines)
		return -1;
	return (long)out->row[i];
}
