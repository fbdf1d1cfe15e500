/* The connection list. Columns are taken in order of what a lesson needs
 * (id, addresses, both states, segments, then how it ended, the history and
 * last the byte counts) while they fit; the addresses shrink before a state
 * is ever cut. */
#include "view_conns.h"

#include <stdio.h>
#include <string.h>

#define STATE_W 12 /* "ESTABLISHED", and the title "client state" */

enum col { C_ID, C_CLIENT, C_SERVER, C_CSTATE, C_CTRUE, C_SSTATE, C_STRUE,
	   C_SEGS, C_CBYTES, C_SBYTES, C_ENDED, C_HISTORY, C_COUNT };

static const char *const col_title[C_COUNT] = {
	"id", "client", "server", "client state", "client lwIP", "server state",
	"server lwIP", "segs", "bytes c->s", "bytes s->c", "ended", "history",
};
/* Live, the states inferred from the wire say so beside lwIP's. */
static const char *const live_state_title[2] = { "client wire", "server wire" };

static unsigned col_bit(enum col c)
{
	switch (c) {
	case C_ID: return VIEW_CONNS_COL_ID;
	case C_CLIENT: return VIEW_CONNS_COL_CLIENT;
	case C_SERVER: return VIEW_CONNS_COL_SERVER;
	case C_CSTATE: return VIEW_CONNS_COL_CSTATE;
	case C_CTRUE: case C_STRUE: return VIEW_CONNS_COL_TRUTH;
	case C_SSTATE: return VIEW_CONNS_COL_SSTATE;
	case C_SEGS: return VIEW_CONNS_COL_SEGS;
	case C_CBYTES: case C_SBYTES: return VIEW_CONNS_COL_BYTES;
	case C_ENDED: return VIEW_CONNS_COL_ENDED;
	default: return VIEW_CONNS_COL_HISTORY;
	}
}

static int max_text(const struct view_conns_in *in, size_t off, int lo, int hi)
{
	int w = lo;
	for (size_t i = 0; i < in->nrows; i++) {
		const char *s = *(const char *const *)((const char *)&in->rows[i] + off);
		int t = s ? grid_text_width(s) : 0;
		if (t > w)
			w = t;
	}
	return w < hi ? w : hi;
}

/* Widths of the columns drawn (0: dropped), for a pane w wide. */
static void choose(const struct view_conns_in *in, int w, int width[C_COUNT])
{
	int want[C_COUNT] = {
		[C_ID] = 4, [C_CSTATE] = STATE_W, [C_SSTATE] = STATE_W,
		[C_CTRUE] = STATE_W, [C_STRUE] = STATE_W,
		[C_SEGS] = 6, [C_CBYTES] = 10, [C_SBYTES] = 10,
	};
	want[C_CLIENT] = max_text(in, offsetof(struct view_conns_row, client), 15, 47);
	want[C_SERVER] = max_text(in, offsetof(struct view_conns_row, server), 15, 47);
	want[C_ENDED] = max_text(in, offsetof(struct view_conns_row, ended), 5, 24);
	want[C_HISTORY] = max_text(in, offsetof(struct view_conns_row, history), 7, 23);
	memset(width, 0, sizeof(int) * C_COUNT);

	/* The essentials; when even they do not fit, the addresses give way. */
	int used = 0;
	static const enum col must[] = { C_ID, C_CLIENT, C_SERVER, C_CSTATE, C_SSTATE };
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		used += want[must[i]] + 1;
	int addr[2] = { want[C_CLIENT], want[C_SERVER] };
	while (used > w && (addr[0] > 6 || addr[1] > 6)) {
		int k = addr[0] >= addr[1] ? 0 : 1;
		addr[k]--;
		used--;
	}
	want[C_CLIENT] = addr[0], want[C_SERVER] = addr[1];
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		width[must[i]] = want[must[i]];

	/* Live, lwIP's states next, both or neither (at 80 columns they do
	 * not fit: the explanation's "lwIP now" says them). */
	if (in->live && used + 2 * (STATE_W + 1) <= w) {
		width[C_CTRUE] = width[C_STRUE] = STATE_W;
		used += 2 * (STATE_W + 1);
	}
	/* Then, while they fit: segments, how it ended, history, bytes. */
	static const enum col extra[] = { C_SEGS, C_ENDED, C_HISTORY };
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (used + want[extra[i]] + 1 <= w) {
			width[extra[i]] = want[extra[i]];
			used += want[extra[i]] + 1;
		}
	if (used + want[C_CBYTES] + want[C_SBYTES] + 2 <= w) {
		width[C_CBYTES] = want[C_CBYTES];
		width[C_SBYTES] = want[C_SBYTES];
	}
}

static bool right_aligned(enum col c)
{
	return c == C_ID || c == C_SEGS || c == C_CBYTES || c == C_SBYTES;
}

static void cell(struct grid *g, int x, int y, int w, enum col c,
		 enum grid_role role, const char *text)
{
	int tw = grid_text_width(text);
	if (right_aligned(c) && tw < w)
		x += w - tw;
	grid_text(g, x, y, w, role, text);
}

static void row_text(const struct view_conns_row *r, enum col c, char *buf, size_t n)
{
	switch (c) {
	case C_ID: snprintf(buf, n, "%llu", (unsigned long long)r->id); break;
	case C_CLIENT: snprintf(buf, n, "%s", r->client ? r->client : ""); break;
	case C_SERVER: snprintf(buf, n, "%s", r->server ? r->server : ""); break;
	case C_CSTATE: snprintf(buf, n, "%s", tcpstate_to_str(r->state[0])); break;
	case C_SSTATE: snprintf(buf, n, "%s", tcpstate_to_str(r->state[1])); break;
	case C_CTRUE:
	case C_STRUE: {
		int e = c == C_STRUE;
		snprintf(buf, n, "%s%s", r->truth[e] ? r->truth[e] : "",
			 r->mark[e] == VIEW_CONNS_DIFFER ? "!"
			 : r->mark[e] == VIEW_CONNS_IN_FLIGHT ? "*" : "");
		break;
	}
	case C_SEGS: snprintf(buf, n, "%llu", (unsigned long long)r->segments); break;
	case C_CBYTES: snprintf(buf, n, "%llu", (unsigned long long)r->bytes[0]); break;
	case C_SBYTES: snprintf(buf, n, "%llu", (unsigned long long)r->bytes[1]); break;
	case C_ENDED: snprintf(buf, n, "%s", r->ended ? r->ended : ""); break;
	default: snprintf(buf, n, "%s", r->history ? r->history : ""); break;
	}
}

void view_conns_draw(struct grid *g, struct grid_rect r,
		     const struct view_conns_in *in, struct view_conns_out *out)
{
	memset(out, 0, sizeof(*out));
	out->y0 = r.y + 1;
	if (r.w <= 0 || r.h <= 0)
		return;
	grid_clip(g, r);
	int width[C_COUNT];
	choose(in, r.w, width);
	for (int c = 0; c < C_COUNT; c++)
		if (width[c])
			out->columns |= col_bit((enum col)c);

	int x = r.x;
	for (int c = 0; c < C_COUNT; c++) {
		if (!width[c])
			continue;
		const char *title = col_title[c];
		if (in->live && width[C_CTRUE] && (c == C_CSTATE || c == C_SSTATE))
			title = live_state_title[c == C_SSTATE];
		cell(g, x, r.y, width[c], (enum col)c, GRID_ROLE_TITLE, title);
		x += width[c] + 1;
	}

	int vh = r.h - 1;
	long scroll = in->scroll;
	long sel = in->selected < in->nrows ? (long)in->selected : -1;
	if (sel >= 0 && sel < scroll)
		scroll = sel;
	if (sel >= 0 && vh > 0 && sel >= scroll + vh)
		scroll = sel - vh + 1;
	if (scroll > (long)in->nrows - vh)
		scroll = (long)in->nrows - vh;
	if (scroll < 0)
		scroll = 0;
	out->scroll = (int)scroll;
	out->first = (size_t)scroll;

	for (long i = scroll; i < (long)in->nrows && i < scroll + vh; i++) {
		int y = r.y + 1 + (int)(i - scroll);
		const struct view_conns_row *row = &in->rows[i];
		bool s = i == sel;
		if (s)
			grid_paint(g, r.x, y, r.w, GRID_ROLE_HIGHLIGHT);
		x = r.x;
		for (int c = 0; c < C_COUNT; c++) {
			if (!width[c])
				continue;
			char buf[64];
			row_text(row, (enum col)c, buf, sizeof(buf));
			enum grid_role role = s ? GRID_ROLE_HIGHLIGHT : GRID_ROLE_NORMAL;
			if (c == C_CSTATE)
				role = GRID_ROLE_CLIENT;
			else if (c == C_SSTATE)
				role = GRID_ROLE_SERVER;
			else if (c == C_CTRUE || c == C_STRUE) {
				int e = c == C_STRUE;
				role = row->mark[e] == VIEW_CONNS_DIFFER ? GRID_ROLE_ERROR
				       : row->truth_dim ? GRID_ROLE_DIM
				       : e ? GRID_ROLE_SERVER : GRID_ROLE_CLIENT;
			}
			cell(g, x, y, width[c], (enum col)c, role, buf);
			x += width[c] + 1;
		}
		out->nlines++;
	}
	grid_unclip(g);
}

long view_conns_row_at(const struct view_conns_out *out, int y)
{
	int i = y - out->y0;
	if (i < 0 || i >= out->nlines)
		return -1;
	return (long)(out->first + (size_t)i);
}
