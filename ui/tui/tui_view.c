/* The replay UI's screen, drawn from the model into the cell grid. See
 * tui_view.h. The panes themselves are view_conns.c, view_ladder.c,
 * view_diagram.c; this file lays them out, fills their inputs from the
 * replay index, and draws the explanation, timers, status line and help. */
#include "tui_view.h"

#include "live_model.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explain.h"
#include "live_model.h"
#include "output.h"
#include "tcpstate.h"
#include "textesc.h"
#include "view_conns.h"
#include "view_diagram.h"
#include "view_ladder.h"

/* --- Layout ---------------------------------------------------------------- */

struct layout_sizes {
	struct grid_rect conns, ladder, diagram, explain, status;
	struct grid_rect output; /* live, where there is room: 0 x 0 otherwise */
};

/* Panes by size: the connection list on top; below it the ladder with the
 * explanation under it on the left, and the state diagram on the right, as
 * wide as the biggest of its layouts that fits (view_diagram.h: the full
 * figure on a projector terminal, the tall compact one at 80x24); the status
 * line at the bottom. */
static struct layout_sizes layout(int w, int h, uint64_t nconns)
{
	struct layout_sizes L;
	int conns_rows = (int)(nconns < 1 ? 1 : nconns);
	int conns_max = h >= 50 ? 12 : h >= 34 ? 6 : 3;
	if (conns_rows > conns_max)
		conns_rows = conns_max;
	int conns_h = conns_rows + 3; /* frame, header */
	int body = h - 1 - conns_h;
	/* the diagram's box: its layout plus the frame, on at most half the width
	 * at 80 columns and leaving the ladder 60 columns on wider screens */
	static const int cand[][2] = { { VIEW_DIAGRAM_FULL_W, VIEW_DIAGRAM_FULL_H }, { 38, 14 } };
	int diag_w = 0;
	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]) && !diag_w; i++) {
		int bw = cand[i][0] + 2, bh = cand[i][1] + 2;
		if (bh <= body && w - bw >= (w >= 120 ? 60 : 40) &&
		    view_diagram_layout_for(cand[i][0], cand[i][1]) != VIEW_DIAGRAM_LINE)
			diag_w = bw;
	}
	if (!diag_w)
		diag_w = w / 2;
	int left_w = w - diag_w;
	int explain_h = body >= 40 ? 12 : body * 4 / 9;
	if (explain_h < 5)
		explain_h = 5;
	L.conns = (struct grid_rect){ 0, 0, w, conns_h };
	L.ladder = (struct grid_rect){ 0, conns_h, left_w, body - explain_h };
	L.explain = (struct grid_rect){ 0, conns_h + body - explain_h, left_w, explain_h };
	L.diagram = (struct grid_rect){ left_w, conns_h, diag_w, body };
	L.status = (struct grid_rect){ 0, h - 1, w, 1 };
	L.output = (struct grid_rect){ 0, 0, 0, 0 };
	return L;
}

/* Live: the output pane under the diagram, in the rows its layout leaves
 * (4 lines at least; at 80x24 there are none, and the output stays at the
 * bottom of the explanation). */
static void layout_output(struct layout_sizes *L)
{
	int dw, dh;

	view_diagram_layout_size(view_diagram_layout_for(L->diagram.w - 2, L->diagram.h - 2),
				 &dw, &dh);
	if (!dh || L->diagram.h - (dh + 2) < 6)
		return;
	L->output = (struct grid_rect){ L->diagram.x, L->diagram.y + dh + 2, L->diagram.w,
					L->diagram.h - (dh + 2) };
	L->diagram.h = dh + 2;
}

static struct grid_rect inner(struct grid_rect r)
{
	return (struct grid_rect){ r.x + 1, r.y + 1, r.w > 2 ? r.w - 2 : 0,
				   r.h > 2 ? r.h - 2 : 0 };
}

static enum grid_role frame_role(const struct tui_model *m, enum tui_pane p)
{
	return m->pane == p ? GRID_ROLE_HIGHLIGHT : GRID_ROLE_BORDER;
}

/* --- Formatting helpers -------------------------------------------------------- */

static void fmt_time(char *buf, size_t size, int64_t ts_ns)
{
	time_t s = (time_t)(ts_ns / 1000000000LL);
	long us = (long)((ts_ns % 1000000000LL) / 1000);
	if (us < 0) {
		us += 1000000;
		s--;
	}
	struct tm tm;
	if (!gmtime_r(&s, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec, us);
}

static void fmt_endpoint(char *buf, size_t size, const struct replay_conn *c, int e)
{
	output_format_endpoint(buf, size, c->ip_version, c->addr[e], c->port[e]);
}

/* --- The connection list ------------------------------------------------------- */

/* Live: lwIP's states of the row's connection, and how they compare with
 * the wire's; dim when the position is not the newest frame (lwIP's are
 * now's). A kernel end has none ("kernel"). */
static void live_truth(const struct tui_model *m, struct view_conns_row *row)
{
	row->truth[0] = row->truth[1] = "";
	row->truth_dim = m->pos < replay_frames(m->rp);
	for (size_t i = 0; i < live_model_conn_count(m->lm); i++) {
		const struct live_conn *c = live_model_conn(m->lm, i);
		if (c->wire_id != row->id)
			continue;
		for (int e = 0; e < 2; e++) {
			const struct live_endpoint *ep = &c->ep[e];
			if (ep->node < 0) {
				row->truth[e] = "kernel";
				continue;
			}
			row->truth[e] = ep->true_known ? tcpstate_to_str(ep->truth) : "-";
			row->mark[e] = ep->agree == LIVE_DIFFER ? VIEW_CONNS_DIFFER
				       : ep->agree == LIVE_IN_FLIGHT || ep->agree == LIVE_NOT_ON_WIRE
					       ? VIEW_CONNS_IN_FLIGHT : VIEW_CONNS_AGREE;
		}
		return;
	}
}

static void draw_conns(struct grid *g, const struct tui_model *m, struct grid_rect r,
		       struct tui_layout *lay)
{
	char title[96];
	snprintf(title, sizeof(title), " Connections (%" PRIu64 "%s) ", m->nvisible,
		 m->filter[0] ? ", filtered" : "");
	grid_box(g, r, frame_role(m, TUI_PANE_CONNS), title);
	struct grid_rect in = inner(r);
	int rows = in.h - 1; /* header */
	if (rows < 0)
		rows = 0;
	/* keep the selection in view */
	uint64_t seli = 0;
	for (uint64_t i = 0; i < m->nvisible; i++)
		if (m->visible[i] == m->sel)
			seli = i;
	uint64_t top = m->conn_top;
	if (seli < top)
		top = seli;
	if (rows > 0 && seli >= top + (uint64_t)rows)
		top = seli - (uint64_t)rows + 1;
	lay->view.conn_top = top;

	struct view_conns_row vr[64];
	char addr[64][2][64], ended[64][32], hist[64][24];
	int n = 0;
	for (uint64_t i = top; i < m->nvisible && n < rows && n < 64; i++, n++) {
		uint64_t id = m->visible[i];
		struct replay_conn c;
		struct replay_conn_at at;
		struct view_conns_row *row = &vr[n];
		memset(row, 0, sizeof(*row));
		row->id = id;
		addr[n][0][0] = addr[n][1][0] = ended[n][0] = hist[n][0] = 0;
		row->client = addr[n][0];
		row->server = addr[n][1];
		row->ended = ended[n];
		row->history = hist[n];
		if (!replay_conn_info(m->rp, id, &c))
			continue;
		fmt_endpoint(addr[n][0], sizeof(addr[n][0]), &c, 0);
		fmt_endpoint(addr[n][1], sizeof(addr[n][1]), &c, 1);
		if (m->pos < c.first_pkt) {
			row->state[0] = row->state[1] = TCPSTATE_CLOSED;
			snprintf(ended[n], sizeof(ended[n]), "not yet seen");
			continue;
		}
		if (!replay_conn_at(m->rp, id, m->pos, &at))
			continue;
		row->state[0] = at.state[0];
		row->state[1] = at.state[1];
		row->segments = at.segments;
		row->bytes[0] = at.bytes[0];
		row->bytes[1] = at.bytes[1];
		snprintf(ended[n], sizeof(ended[n]), "%s", at.ended ? at.ended : "");
		snprintf(hist[n], sizeof(hist[n]), "%s", at.history);
	}
	/* live: lwIP's own states now, beside the wire's (live_model.h) */
	for (int i = 0; m->lm && i < n; i++)
		live_truth(m, &vr[i]);
	size_t selrow = seli >= top && seli < top + (uint64_t)n
				? (size_t)(seli - top) : (size_t)n;
	struct view_conns_in ci = { .rows = vr, .nrows = (size_t)n, .selected = selrow,
				    .live = m->live };
	struct view_conns_out co;
	view_conns_draw(g, in, &ci, &co);
	lay->conn_rows = (struct grid_rect){ in.x, co.y0, in.w, co.nlines };
	lay->conn_first = top + co.first;
}

/* --- The ladder ---------------------------------------------------------------- */

#define LADDER_MAX_ROWS 256

static void state_row(struct view_ladder_row *s, const struct replay_transition *t,
		      uint64_t pos)
{
	s->kind = VIEW_LADDER_STATE;
	s->future = t->pkt > pos;
	s->u.state.endpoint = t->endpoint;
	s->u.state.from = t->from;
	s->u.state.to = t->to;
}

/* Live: the session's model of connection wire_id (0: one lwIP has that
 * has not crossed the wire yet, the newest), or NULL. */
static const struct live_conn *live_conn_of(const struct live_model *lm, uint64_t wire_id)
{
	for (size_t i = lm ? live_model_conn_count(lm) : 0; i-- > 0;) {
		const struct live_conn *c = live_model_conn(lm, i);
		if (c->wire_id != wire_id)
			continue;
		if (wire_id)
			return c;
		/* not on the wire: one that lwIP still has */
		for (int e = 0; e < 2; e++)
			if (c->ep[e].true_known && c->ep[e].truth != TCPSTATE_CLOSED)
				return c;
	}
	return NULL;
}

/* Live: the frames held at c's nodes, for the ladder: beside the
 * lifeline of the endpoint whose node holds them when they are c's (the
 * node's only open connection, live_model_held), else named without a
 * lifeline. */
static size_t live_held(const struct tui_model *m, const struct live_conn *c,
			struct view_ladder_held *h)
{
	size_t n = 0;
	for (int e = 0; c && e < 2; e++) {
		uint32_t count;
		bool mine = live_model_held(m->lm, c, e, &count);
		const struct live_node *node = live_model_node(m->lm, c->ep[e].node);
		if (!count || !node)
			continue;
		h[n++] = (struct view_ladder_held){ .endpoint = mine ? e : -1, .count = count,
						    .node = node->name };
	}
	return n;
}

/* Live, nothing of the session on the wire yet: the connection lwIP has
 * opened, with what waits at its nodes (the opening screen's SYN). */
static bool draw_ladder_unseen(struct grid *g, const struct tui_model *m, struct grid_rect in)
{
	const struct live_conn *c = live_conn_of(m->lm, 0);
	struct view_ladder_held held[2];
	size_t nheld = live_held(m, c, held);
	if (!c || !nheld)
		return false;
	char lc[80], ls[80];
	if (in.w < 60) {
		snprintf(lc, sizeof(lc), "client");
		snprintf(ls, sizeof(ls), "server");
	} else {
		snprintf(lc, sizeof(lc), "%s client", c->ep[0].addr);
		snprintf(ls, sizeof(ls), "%s server", c->ep[1].addr);
	}
	struct view_ladder_in li = {
		.label = { lc, ls }, .relative = !m->absolute,
		.future = VIEW_LADDER_FUTURE_DIM, .live = true, .held = held, .nheld = nheld,
	};
	struct view_ladder_out *lo = malloc(sizeof(*lo));
	if (!lo)
		return false;
	view_ladder_draw(g, in, &li, lo);
	free(lo);
	return true;
}

static void draw_ladder(struct grid *g, const struct tui_model *m, struct grid_rect r,
			struct tui_layout *lay)
{
	struct replay_conn c;
	char title[160];
	bool have = m->sel && replay_conn_info(m->rp, m->sel, &c);
	if (have) {
		char a[64], b[64];
		fmt_endpoint(a, sizeof(a), &c, 0);
		fmt_endpoint(b, sizeof(b), &c, 1);
		snprintf(title, sizeof(title), " Ladder: conn %" PRIu64 " %s ", m->sel,
			 m->absolute ? "(absolute seq/ack)" : "(relative seq/ack)");
	} else {
		snprintf(title, sizeof(title), " Ladder ");
	}
	grid_box(g, r, frame_role(m, TUI_PANE_LADDER), title);
	struct grid_rect in = inner(r);
	memset(lay->ladder_pkt, 0, sizeof(lay->ladder_pkt));
	lay->ladder_rows = in;
	if (!have && m->lm && !m->sel && draw_ladder_unseen(g, m, in))
		return;
	if (!have) {
		grid_text(g, in.x + 1, in.y, in.w - 1, GRID_ROLE_DIM,
			  replay_index_done(m->rp) ? "no TCP connection in this capture"
						   : "reading the capture...");
		return;
	}
	/* A window of the connection's segments around the position: enough
	 * rows for the pane, with the transitions of each segment as rows of
	 * their own. */
	uint64_t nf = replay_conn_frames(m->rp, m->sel);
	uint64_t at = replay_conn_frame_lower(m->rp, m->sel, m->pos);
	/* at: first segment >= pos; the current segment is the last <= pos */
	uint64_t cur = at < nf && replay_conn_frame(m->rp, m->sel, at) == m->pos
			       ? at : (at ? at - 1 : UINT64_MAX);
	int want = in.h > 0 ? in.h : 1;
	uint64_t first = cur == UINT64_MAX ? 0 : cur;
	uint64_t back = (uint64_t)(want / 3 > 0 ? want / 3 : 1);
	first = first > back ? first - back : 0;
	/* near the connection's end, the window reaches back as far as the
	 * pane has room (a short connection is drawn whole, from its SYN) */
	if (nf - first < (uint64_t)want)
		first = nf > (uint64_t)want ? (first < nf - (uint64_t)want ? first : nf - (uint64_t)want) : 0;

	static const int max_rows = LADDER_MAX_ROWS;
	struct view_ladder_row *rows = calloc((size_t)max_rows, sizeof(*rows));
	if (!rows)
		return;
	int n = 0, current = -1;
	uint64_t ntr = replay_conn_transitions(m->rp, m->sel);
	/* transitions are in pkt order; find the first one at or after first's frame */
	uint64_t ti = 0;
	uint64_t first_pkt = first < nf ? replay_conn_frame(m->rp, m->sel, first) : UINT64_MAX;
	while (ti < ntr) {
		struct replay_transition t;
		if (!replay_conn_transition(m->rp, m->sel, ti, &t) || t.pkt >= first_pkt)
			break;
		ti++;
	}
	uint64_t last = first;
	for (uint64_t i = first; i < nf && n < max_rows - 4 && n < want + 8; i++, last = i) {
		uint64_t pkt = replay_conn_frame(m->rp, m->sel, i);
		struct replay_frame f;
		char err[REPLAY_ERRBUF_SIZE];
		if (!replay_frame(m->rp, pkt, &f, err) || !f.is_segment)
			continue;
		struct view_ladder_row *row = &rows[n];
		struct view_ladder_seg *sg = &row->u.seg;
		row->kind = VIEW_LADDER_SEGMENT;
		row->future = pkt > m->pos;
		sg->pkt = pkt;
		sg->time_us = (f.ts_ns - replay_frame_time(m->rp, 1)) / 1000;
		sg->dir = f.info.from_endpoint;
		sg->flags = f.seg.flags;
		sg->seq = m->absolute ? f.seg.seq : f.info.rel_seq;
		sg->ack = m->absolute ? f.seg.ack : f.info.rel_ack;
		sg->len = f.seg.payload_len;
		sg->win = f.seg.win;
		sg->marks = f.info.marks;
		sg->dup_ack_count = f.info.dup_ack_count;
		if (m->lm) {
			const struct live_lost *l = live_model_lost(m->lm, pkt);
			sg->lost = l && l->conn == m->sel;
		}
		if (i == cur)
			current = n;
		n++;
		/* the state changes this segment caused */
		while (ti < ntr && n < max_rows) {
			struct replay_transition t;
			if (!replay_conn_transition(m->rp, m->sel, ti, &t) || t.pkt > pkt)
				break;
			ti++;
			if (t.pkt < pkt)
				continue;
			state_row(&rows[n++], &t, m->pos);
		}
	}
	/* timer transitions after the connection's last segment (TIME_WAIT ->
	 * CLOSED), when the window reached its end */
	while (last >= nf && ti < ntr && n < max_rows) {
		struct replay_transition t;
		if (!replay_conn_transition(m->rp, m->sel, ti++, &t))
			break;
		state_row(&rows[n++], &t, m->pos);
	}

	char ca[64], sa[64], lc[80], ls[80];
	fmt_endpoint(ca, sizeof(ca), &c, 0);
	fmt_endpoint(sa, sizeof(sa), &c, 1);
	if (in.w < 60) { /* the addresses are in the connection list */
		snprintf(lc, sizeof(lc), "client");
		snprintf(ls, sizeof(ls), "server");
	} else {
		snprintf(lc, sizeof(lc), "%s client", ca);
		snprintf(ls, sizeof(ls), "%s server", sa);
	}
	struct view_ladder_in li = {
		.label = { lc, ls },
		.rows = rows,
		.nrows = (size_t)n,
		.current = current >= 0 ? (size_t)current : (size_t)n,
		.relative = !m->absolute,
		.future = m->hide_future ? VIEW_LADDER_FUTURE_HIDE : VIEW_LADDER_FUTURE_DIM,
		.scroll = 0,
	};
	/* Live: what waits at the nodes, below the last arrow (when the
	 * window reaches the connection's end) */
	struct view_ladder_held held[2];
	if (m->lm) {
		li.live = true;
		if (last >= nf) {
			li.nheld = live_held(m, live_conn_of(m->lm, m->sel), held);
			li.held = held;
		}
	}
	struct view_ladder_out *lo = malloc(sizeof(*lo));
	if (lo) {
		view_ladder_draw(g, in, &li, lo);
		for (int y = 0; y < in.h && y < 256; y++) {
			long ri = view_ladder_row_at(lo, in.y + y);
			if (ri >= 0 && ri < n && rows[ri].kind == VIEW_LADDER_SEGMENT)
				lay->ladder_pkt[y] = rows[ri].u.seg.pkt;
		}
		free(lo);
	}
	free(rows);
}

/* --- The state diagram ------------------------------------------------------------ */

/* The last transition of the selected connection at or before the position. */
static bool last_transition(const struct tui_model *m, struct replay_transition *out)
{
	uint64_t n = replay_conn_transitions(m->rp, m->sel);
	bool have = false;
	for (uint64_t i = 0; i < n; i++) {
		struct replay_transition t;
		if (!replay_conn_transition(m->rp, m->sel, i, &t) || t.pkt > m->pos)
			break;
		*out = t;
		have = true;
	}
	return have;
}

static void draw_diagram(struct grid *g, const struct tui_model *m, struct grid_rect r)
{
	grid_box(g, r, frame_role(m, TUI_PANE_DIAGRAM), " TCP states (RFC 9293) ");
	struct grid_rect in = inner(r);
	struct view_diagram_input di = { .client = TCPSTATE_CLOSED, .server = TCPSTATE_CLOSED };
	struct replay_conn_at at;
	if (m->sel && m->pos && replay_conn_at(m->rp, m->sel, m->pos, &at)) {
		di.client = at.state[0];
		di.server = at.state[1];
	}
	struct replay_transition t = { 0 };
	if (m->sel && last_transition(m, &t)) {
		di.have_last = true;
		di.last_endpoint = t.endpoint;
		di.last_from = t.from;
		di.last_to = t.to;
	}
	view_diagram_draw(g, in, &di);
}

/* --- The explanation and the timers ------------------------------------------------- */

static void seg_of(const struct replay_frame *f, struct explain_seg *s)
{
	memset(s, 0, sizeof(*s));
	s->from_endpoint = f->info.from_endpoint;
	s->flags = f->seg.flags;
	s->rel_seq = f->info.rel_seq;
	s->rel_ack = f->info.rel_ack;
	s->len = f->seg.payload_len;
	s->window = f->seg.win;
	s->marks = f->info.marks;
	s->dup_ack_count = f->info.dup_ack_count;
	s->note_reason = f->info.note_reason;
}

/* One UTF-8 sequence at p: its length in bytes (1 for a bad byte, which the
 * grid draws as '?') and its code point. */
static int utf8_next(const char *p, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)p;
	int len = u[0] < 0x80 ? 1 : (u[0] >> 5) == 6 ? 2 : (u[0] >> 4) == 14 ? 3
		: (u[0] >> 3) == 30 ? 4 : 1;
	uint32_t c = len == 1 ? u[0] : len == 2 ? u[0] & 0x1f : len == 3 ? u[0] & 0x0f : u[0] & 0x07;
	for (int k = 1; k < len; k++) {
		if ((u[k] & 0xc0) != 0x80) {
			*cp = '?';
			return 1;
		}
		c = (c << 6) | (u[k] & 0x3f);
	}
	*cp = c;
	return len;
}

/* Writes text into r from row y0, wrapping at spaces (and between any two
 * characters for text without them, such as Japanese), counting cells as
 * the grid does (a wide character takes two). Returns the rows used. */
static int draw_wrapped_from(struct grid *g, struct grid_rect r, int y0, int skip,
			     enum grid_role role, const char *text);

static int draw_wrapped(struct grid *g, struct grid_rect r, int y0, enum grid_role role,
			const char *text)
{
	return draw_wrapped_from(g, r, y0, 0, role, text);
}

/* The same, leaving out the first skip rows of the wrapped text. Returns
 * the rows the whole text takes from y0, drawn or not, so the caller can
 * tell whether it all fitted. */
static int draw_wrapped_from(struct grid *g, struct grid_rect r, int y0, int skip,
			     enum grid_role role, const char *text)
{
	int y = y0 - skip;
	const char *p = text;
	while (*p) {
		/* a line may break at a space, and before or after a wide
		 * (Japanese) character, so "connect()" is not cut in two */
		const char *q = p, *brk = NULL;
		int cells = 0;
		bool prev_wide = false;
		while (*q && *q != '\n') {
			uint32_t cp;
			int len = utf8_next(q, &cp);
			int w = grid_cp_width(cp);
			if (w == 0)
				w = 1; /* drawn as '?' */
			if (cp == ' ' || ((w == 2 || prev_wide) && q > p))
				brk = q;
			if (cells + w > r.w)
				break;
			prev_wide = w == 2;
			q += len;
			cells += w;
		}
		const char *end = q;
		if (*q && *q != '\n' && brk && brk > p)
			end = brk;
		if (end == p && *p && *p != '\n') {
			uint32_t cp;
			end = p + utf8_next(p, &cp); /* a pane narrower than one character */
		}
		char line[1024];
		size_t n = (size_t)(end - p) < sizeof(line) - 1 ? (size_t)(end - p) : sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = 0;
		if (y >= y0 && y < r.y + r.h)
			grid_text(g, r.x, y, r.w, role, line);
		y++;
		p = end;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	return y - (y0 - skip);
}

/* 1 when draw_timers will use the explanation's last row (an endpoint of
 * the selected connection is in TIME_WAIT), else 0. */
static int timer_rows(const struct tui_model *m)
{
	struct replay_conn_at at;
	if (!m->sel || !m->pos || !replay_conn_at(m->rp, m->sel, m->pos, &at))
		return 0;
	return at.state[0] == TCPSTATE_TIME_WAIT || at.state[1] == TCPSTATE_TIME_WAIT;
}

static void draw_explain(struct grid *g, const struct tui_model *m, struct grid_rect r,
			 bool output_pane, struct tui_view_state *view)
{
	grid_box(g, r, frame_role(m, TUI_PANE_EXPLAIN),
		 m->ja ? " 説明 (L: English) "
		       : grid_ascii(g) ? " What happened (L: Japanese) " : " What happened (L: 日本語) ");
	struct grid_rect in = inner(r);
	in.x += 1;
	in.w -= 2;
	if (in.w <= 0 || in.h <= 0 || (!m->pos && !m->live))
		return;
	/* switching reloads the catalogue: only when the language changes */
	if (strcmp(explain_lang(), m->ja ? "ja" : "en") != 0)
		explain_set_lang(m->ja ? "ja" : "en");

	/* live, before any TCP segment: what the lesson is and what to press */
	if (m->live && !replay_conns(m->rp)) {
		draw_wrapped(g, in, in.y, GRID_ROLE_NORMAL,
			     m->ja ? "ライブ: 専用のネットワークの中で lwIP のノードが動いています。"
				     "最初のセグメントの前で一時停止中です。n を押すたびに、保留中の"
				     "一番古いセグメントが1つだけ送られ、各ペインにその結果が出ます。"
				     "スペースで全ノードを動かし、t で次のタイマーを発火させ、← で"
				     "戻れます。l で listen、c で connect、s で送信。? で全キーの一覧。"
				   : "Live: lwIP nodes in a private network, paused before the first "
				     "segment. Each n sends the oldest held segment, one at a time, "
				     "and the panes show what it did. Space runs every node, t fires "
				     "the next timer, Left goes back. l listens, c connects, s sends. "
				     "? lists every key.");
		return;
	}
	if (!m->pos)
		return;
	struct replay_frame f;
	char err[REPLAY_ERRBUF_SIZE];
	char text[2048];
	size_t used = 0;
	text[0] = 0;
	if (!replay_frame(m->rp, m->pos, &f, err)) {
		char esc[REPLAY_ERRBUF_SIZE * 2];
		textesc_escape(esc, sizeof(esc), err, strlen(err), 0);
		draw_wrapped(g, in, in.y, GRID_ROLE_ERROR, esc);
		return;
	}
	char head[160];
	char ts[32];
	fmt_time(ts, sizeof(ts), f.ts_ns);
	if (!f.is_segment) {
		char esc[256];
		textesc_escape(esc, sizeof(esc), f.note, strlen(f.note), 0);
		snprintf(head, sizeof(head), m->ja ? "フレーム %" PRIu64 ": TCP ではありません%s%s%s"
						   : "Frame %" PRIu64 ": not TCP%s%s%s",
			 f.pkt, esc[0] ? " (" : "", esc, esc[0] ? ")" : "");
		int rows = draw_wrapped(g, in, in.y, GRID_ROLE_TITLE, head);
		draw_wrapped(g, in, in.y + rows, GRID_ROLE_DIM,
			     m->ja ? "この画面は TCP の状態遷移だけを示します。n で次の TCP セグメントへ進みます。"
				   : "Only TCP segments change TCP states. Press n to go on to the next segment.");
		return;
	}
	struct replay_conn c;
	bool have_c = replay_conn_info(m->rp, f.info.conn, &c);
	/* who sent it to whom, in the explanation's language */
	const char *ends[2] = { m->ja ? "クライアント" : "client", m->ja ? "サーバー" : "server" };
	const char *from = ends[f.info.from_endpoint ? 1 : 0], *to = ends[f.info.from_endpoint ? 0 : 1];
	if (in.w >= 60)
		snprintf(head, sizeof(head), "%s %" PRIu64 " (%s), %s %" PRIu64 ": %s -> %s",
			 m->ja ? "フレーム" : "Frame", f.pkt, ts, m->ja ? "接続" : "conn",
			 f.info.conn, from, to);
	else
		snprintf(head, sizeof(head), "%s %" PRIu64 ": %s -> %s",
			 m->ja ? "フレーム" : "Frame", f.pkt, from, to);
	grid_text(g, in.x, in.y, in.w, GRID_ROLE_TITLE, head);
	/* Live: the apps' and the kernel peer's output at the bottom, last
	 * lines, as many as leave the explanation half the pane (one at
	 * least); above it, first what a node dropped here (d), then lwIP's
	 * own view, then the explanation, each cut at the output. */
	/* A small pane (80x24): the newest output line only, titled on its
	 * row, and lwIP's view after the explanation in the text that
	 * scrolls, so what happened comes first. */
	bool compact = in.h < 9;
	int out_n = 0, out_rows = 0;
	if (m->live && m->noutput && in.h > 4 && !output_pane) {
		int room = in.h / 2 - 1 > 1 ? in.h / 2 - 1 : 1;
		out_n = compact ? 1 : m->noutput < room ? m->noutput : room;
		out_rows = compact ? 1 : out_n + 1;
	}
	int bottom = in.y + in.h - out_rows - timer_rows(m); /* below the text */
	int ty = in.y + 1;
	const struct live_lost *lost = m->lm ? live_model_lost(m->lm, f.pkt) : NULL;
	if (lost && lost->conn == f.info.conn && ty < bottom) {
		const struct live_conn *lc = live_conn_of(m->lm, f.info.conn);
		const struct live_node *ln = live_model_node(m->lm, lost->node);
		bool sender_node = lc && lc->ep[lost->endpoint ? 0 : 1].node >= 0;
		char lt[1024];
		explain_lost(lt, sizeof(lt), lost->endpoint, ln ? ln->name : "?", sender_node);
		struct grid_rect lr = { in.x, ty, in.w, bottom - ty };
		int k = draw_wrapped(g, lr, ty, GRID_ROLE_TITLE, lt);
		ty = ty + k < bottom ? ty + k : bottom;
	}
	if (m->live && m->live_note[0] && ty < bottom && !compact) {
		struct grid_rect nr = { in.x, ty, in.w, bottom - ty };
		int k = draw_wrapped(g, nr, ty, GRID_ROLE_HIGHLIGHT, m->live_note);
		ty = ty + k < bottom ? ty + k : bottom;
	}

	struct explain_seg es;
	seg_of(&f, &es);
	unsigned unsure = have_c && c.mid_stream ? EXPLAIN_MID_STREAM : 0;
	/* the transitions this frame caused, of its own connection */
	uint64_t conn = f.info.conn;
	uint64_t ntr = replay_conn_transitions(m->rp, conn);
	bool any = false;
	for (uint64_t i = 0; i < ntr; i++) {
		struct replay_transition t;
		if (!replay_conn_transition(m->rp, conn, i, &t) || t.pkt > f.pkt)
			break;
		if (t.pkt != f.pkt)
			continue;
		struct explain_change ec = {
			.endpoint = t.endpoint, .from = t.from, .to = t.to, .reason = t.reason,
			.by_timer = t.by_timer, .has_seg = !t.by_timer, .seg = es, .unsure = unsure,
		};
		if (!strncmp(t.reason, "syn_not_captured", 16) ||
		    !strcmp(t.reason, "synack_not_captured"))
			ec.unsure |= EXPLAIN_LATE_START;
		/* the index keeps which later segment decided it */
		uint64_t later = t.decided_pkt;
		if (later) {
			ec.unsure |= EXPLAIN_DECIDED_LATER;
			ec.decided_pkt = later;
		}
		if (used + 2 < sizeof(text)) {
			if (used)
				text[used++] = ' ';
			used += explain_change(text + used, sizeof(text) - used, &ec);
			if (used >= sizeof(text))
				used = sizeof(text) - 1;
		}
		any = true;
	}
	if (any && es.len > 0 && used + 2 < sizeof(text)) {
		/* the change says what the segment did to a state; its data
		 * too (a FIN with the last bytes, the first request) */
		text[used++] = ' ';
		used += explain_data(text + used, sizeof(text) - used, &es);
		if (used >= sizeof(text))
			used = sizeof(text) - 1;
	}
	if (!any)
		explain_segment(text, sizeof(text), &es, unsure);
	else if (es.marks && used + 2 < sizeof(text)) {
		/* marks are told by explain_segment; a change already says the rest */
		for (unsigned b = 0; b < 16; b++) {
			if (!(es.marks & (1u << b)))
				continue;
			char mk[512];
			size_t k = explain_mark(mk, sizeof(mk), (enum tracker_mark)(1u << b), &es);
			if (k > 0 && k < sizeof(mk) && used + k + 2 < sizeof(text))
				used += (size_t)snprintf(text + used, sizeof(text) - used, " %s", mk);
		}
	}
	/* The text may be longer than the pane: Down / Up in this pane scroll
	 * it (tui_model.c), and the frame says there is more. */
	if (m->live && m->live_note[0] && compact) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof(text) - len, "%s%s", len ? "\n" : "", m->live_note);
	}
	if (out_rows && compact) {
		int x = in.x + grid_text(g, in.x, bottom, in.w, GRID_ROLE_TITLE,
					 m->ja ? "出力: " : "Output: ");
		grid_text(g, x, bottom, in.x + in.w - x, GRID_ROLE_DIM, m->output[m->noutput - 1]);
	} else if (out_rows) {
		int oy = bottom;
		grid_text(g, in.x, oy, in.w, GRID_ROLE_TITLE, m->ja ? "出力:" : "Output:");
		for (int i = 0; i < out_n; i++)
			grid_text(g, in.x + 1, oy + 1 + i, in.w - 1, GRID_ROLE_DIM,
				  m->output[m->noutput - out_n + i]);
	}
	struct grid_rect tr = { in.x, ty, in.w, bottom > ty ? bottom - ty : 0 };
	int top = m->explain_top;
	int rows = draw_wrapped_from(g, tr, tr.y, top, GRID_ROLE_NORMAL, text);
	if (top > 0 && top >= rows) {
		/* keep a line in view */
		top = rows > 0 ? rows - 1 : 0;
		draw_wrapped_from(g, tr, tr.y, top, GRID_ROLE_NORMAL, text);
	}
	view->explain_top = top;
	view->explain_more = rows - top > tr.h;
	if (view->explain_more || top)
		grid_text(g, r.x + r.w - 34, r.y + r.h - 1, 32, GRID_ROLE_KEY,
			  m->ja ? " Tab→説明, ↑↓で続き " : " more: Tab to here, then Up/Down ");
}

/* Live: the apps', the kernel peer's and a script's lines, escaped when
 * they came (tui.c), newest at the bottom, wrapped. */
static void draw_output(struct grid *g, const struct tui_model *m, struct grid_rect r)
{
	grid_box(g, r, GRID_ROLE_BORDER, m->ja ? " 出力 (アプリ, カーネル側) "
					       : " Output (apps, kernel peer) ");
	struct grid_rect in = inner(r);
	in.x += 1;
	in.w -= 2;
	if (in.w <= 0 || in.h <= 0)
		return;
	if (!m->noutput) {
		draw_wrapped(g, in, in.y, GRID_ROLE_DIM,
			     m->ja ? "アプリとカーネル側のコマンド (!) の出力がここに出ます。"
				   : "What the apps and a kernel peer command (!) print comes here.");
		return;
	}
	/* the newest lines that fit, the oldest of them cut at its top */
	struct grid_rect measure = { in.x, 0, in.w, 0 };
	int first = m->noutput, rows = 0;
	while (first > 0 && rows < in.h)
		rows += draw_wrapped_from(g, measure, 0, 0, GRID_ROLE_NORMAL, m->output[--first]);
	int y = in.y, skip = rows > in.h ? rows - in.h : 0;
	for (int i = first; i < m->noutput && y < in.y + in.h; i++) {
		/* "server: ..." the source in its role, the line as it came */
		const char *line = m->output[i];
		enum grid_role role = !strncmp(line, "server:", 7) ? GRID_ROLE_SERVER
				      : !strncmp(line, "client:", 7) ? GRID_ROLE_CLIENT
				      : !strncmp(line, "script:", 7) ? GRID_ROLE_DIM
								      : GRID_ROLE_NORMAL;
		struct grid_rect lr = { in.x, y, in.w, in.y + in.h - y };
		y += draw_wrapped_from(g, lr, y, skip, role, line) - skip;
		skip = 0;
	}
}

/* TIME_WAIT countdowns of the selected connection, in capture time, with a
 * bar: drawn on the last row of the explanation pane. */
static void draw_timers(struct grid *g, const struct tui_model *m, struct grid_rect r)
{
	struct replay_conn_at at;
	if (!m->sel || !m->pos || !replay_conn_at(m->rp, m->sel, m->pos, &at))
		return;
	struct grid_rect in = inner(r);
	int y = in.y + in.h - 1;
	int x = in.x + 1;
	int64_t now = replay_frame_time(m->rp, m->pos);
	for (int e = 0; e < 2; e++) {
		if (at.state[e] != TCPSTATE_TIME_WAIT || !at.time_wait_since_ns[e])
			continue;
		int64_t total = 2 * m->msl_ns;
		int64_t left = total - (now - at.time_wait_since_ns[e]);
		if (left < 0)
			left = 0;
		char label[96];
		snprintf(label, sizeof(label), "%s TIME_WAIT 2xMSL: %.1f s of %.1f s left ",
			 e ? "server" : "client", (double)left / 1e9, (double)total / 1e9);
		grid_fill(g, (struct grid_rect){ in.x, y, in.w, 1 }, ' ', GRID_ROLE_NORMAL);
		int w = grid_text(g, x, y, in.w - 1, e ? GRID_ROLE_SERVER : GRID_ROLE_CLIENT, label);
		int barw = in.w - 2 - w;
		if (barw > 30)
			barw = 30;
		int full = total > 0 ? (int)((double)barw * (double)left / (double)total) : 0;
		for (int i = 0; i < barw; i++)
			grid_put(g, x + w + i, y,
				 grid_glyph(g, i < full ? GRID_G_BLOCK_FULL : GRID_G_BLOCK_LIGHT),
				 e ? GRID_ROLE_SERVER : GRID_ROLE_CLIENT);
		x += w + barw + 2;
		if (x >= in.x + in.w)
			break;
	}
}

/* --- Status line, help, too small --------------------------------------------------- */

static void draw_status(struct grid *g, const struct tui_model *m, struct grid_rect r)
{
	grid_fill(g, r, ' ', GRID_ROLE_STATUS);
	char left[320], ts[32] = "";
	if (m->pos)
		fmt_time(ts, sizeof(ts), replay_frame_time(m->rp, m->pos));
	char frames[48];
	if (replay_index_done(m->rp))
		snprintf(frames, sizeof(frames), "%" PRIu64, replay_frames(m->rp));
	else
		snprintf(frames, sizeof(frames), "%" PRIu64 "+ (reading %d%%)", replay_frames(m->rp),
			 (int)(replay_index_progress(m->rp) * 100));
	char esc_title[128];
	textesc_escape(esc_title, sizeof(esc_title), m->title, strlen(m->title), 0);
	/* on 80 columns a message or the damage needs the room of the time */
	bool say_more = m->message[0] || replay_damage(m->rp) || m->prompt != TUI_PROMPT_NONE;
	if (say_more && r.w < 100)
		ts[0] = 0;
	if (m->live)
		/* the nodes' clocks are the banner's: no replay speed */
		snprintf(left, sizeof(left), " %s  pkt %" PRIu64 "/%" PRIu64 "  ", esc_title,
			 m->pos, replay_frames(m->rp));
	else
		snprintf(left, sizeof(left), " %s  pkt %" PRIu64 "/%s  %s%s%s %.4gx ", esc_title,
			 m->pos, frames, ts, ts[0] ? "  " : "", m->playing ? "playing" : "paused",
			 m->speed);
	/* a live key's question takes the whole line: a command is long */
	int x = m->prompt == TUI_PROMPT_COMMAND ? grid_text(g, 0, r.y, r.w, GRID_ROLE_STATUS, " ")
						: grid_text(g, 0, r.y, r.w, GRID_ROLE_STATUS, left);
	if (m->prompt != TUI_PROMPT_NONE) {
		char p[256];
		const char *label = m->prompt == TUI_PROMPT_GOTO ? "go to frame: "
				    : m->prompt == TUI_PROMPT_COMMAND ? m->prompt_label
								      : "filter: ";
		/* what is typed is ASCII (prompt_key): where it does not fit,
		 * its end is shown, where the cursor is */
		const char *in = m->input;
		int room = r.w - x - (int)strlen(label) - 1;
		if (room > 4 && (int)strlen(in) > room)
			in += strlen(in) - (size_t)(room - 3);
		snprintf(p, sizeof(p), "%s%s%s_", label, in != m->input ? "..." : "", in);
		grid_text(g, x, r.y, r.w - x, GRID_ROLE_KEY, p);
		return;
	}
	const char *msg = m->message[0] ? m->message : NULL;
	const char *damage = replay_damage(m->rp);
	char buf[320];
	if (m->live && m->banner) {
		/* what waits where, then what the last key did */
		snprintf(buf, sizeof(buf), "%s%s%s", m->banner, msg ? "  " : "", msg ? msg : "");
	} else if (msg) {
		snprintf(buf, sizeof(buf), "%s", msg);
	} else if (damage) {
		/* the file's name is on the left already: "damaged: cut short after frame
		 * 10 (truncated dump file ...)" */
		const char *why = strstr(damage, m->title);
		why = why ? why + strlen(m->title) : damage;
		while (*why == ':' || *why == ' ')
			why++;
		char esc[256];
		textesc_escape(esc, sizeof(esc), why, strlen(why), 0);
		snprintf(buf, sizeof(buf), "damaged: %s", esc);
	} else if (m->banner) {
		snprintf(buf, sizeof(buf), "%s", m->banner);
	} else {
		buf[0] = 0;
	}
	if (buf[0]) {
		x += grid_text(g, x, r.y, r.w - x, damage && !msg ? GRID_ROLE_ERROR : GRID_ROLE_STATUS, buf);
		x += grid_text(g, x, r.y, r.w - x, GRID_ROLE_STATUS, "  ");
	}
	static const char *const keys[][2] = {
		{ "n/p", "step" }, { "space", "play" }, { "]", "next change" },
		{ "Tab", "pane" }, { "?", "help" }, { "q", "quit" },
	};
	static const char *const live_keys[][2] = {
		{ "n", "send one" }, { "space", "run/pause" }, { "t", "next timer" },
		{ "Left", "back" }, { "q", "quit" },
	};
	size_t nkeys = m->live ? sizeof(live_keys) / sizeof(live_keys[0])
			       : sizeof(keys) / sizeof(keys[0]);
	for (size_t i = 0; i < nkeys; i++) {
		const char *const *k = m->live ? live_keys[i] : keys[i];
		int need = grid_text_width(k[0]) + grid_text_width(k[1]) + 2;
		if (x + need > r.w)
			break;
		x += grid_text(g, x, r.y, r.w - x, GRID_ROLE_KEY, k[0]);
		x += grid_text(g, x, r.y, r.w - x, GRID_ROLE_STATUS, " ");
		x += grid_text(g, x, r.y, r.w - x, GRID_ROLE_STATUS, k[1]);
		x += grid_text(g, x, r.y, r.w - x, GRID_ROLE_STATUS, " ");
	}
}

/* One row of the help screen: a key and what it does, or a note (key NULL). */
struct help_row {
	const char *key, *what;
};

static void draw_help(struct grid *g, const struct tui_model *m, struct tui_view_state *view)
{
	int w = grid_width(g), h = grid_height(g);
	struct grid_rect r = { w / 2 - 36, 1, 72, h - 2 };
	if (r.x < 0) {
		r.x = 0;
		r.w = w;
	}
	/* the live session's own keys first (tui.c), then the table's */
	static const struct help_row live[] = {
		{ "n", "send the oldest held segment (of any node)" },
		{ "Space", "pause / run every node" },
		{ "t", "fire timers, clocks in step, until one does something" },
		{ "+ -", "every node's clock faster / slower (0.1x to 100x)" },
		{ "l c", "then c or s: listen on a port, connect to IP:PORT" },
		{ "s", "then c or s: send text on the selected connection" },
		{ "w x X", "then c or s: shutdown(write), close, abort that end" },
		{ "d", "then c or s: drop the next segment arriving there" },
		{ "!", "run a kernel peer command in the namespace (curl, nc)" },
		{ "lwIP * !", "a held segment explains the difference / they disagree" },
	};
	struct help_row rows[64];
	int n = 0;
	for (size_t i = 0; m->live && i < sizeof(live) / sizeof(live[0]); i++)
		rows[n++] = live[i];
	struct tui_keyhelp k;
	for (unsigned i = 0; tui_model_keyhelp(i, &k) && n < 60; i++) {
		/* live, n, Space and + - are the session's (above) */
		if (m->live && (!strcmp(k.keys, "Space") || !strcmp(k.keys, "+ -")))
			continue;
		rows[n++] = (struct help_row){ m->live && !strcmp(k.keys, "Right n") ? "Right" : k.keys,
					       k.what };
	}
	rows[n++] = (struct help_row){ NULL, "Mouse: click a connection, a pane or a segment; the wheel scrolls." };
	rows[n++] = (struct help_row){ NULL, "history: S SYN, H SYN-ACK, A ACK, D data, F FIN, R RST (client" };
	rows[n++] = (struct help_row){ NULL, "  in capitals, server in small letters; each letter once a side)" };

	int room = r.h - 2 > 0 ? r.h - 2 : 0;
	int top = m->help_top;
	if (top > n - room)
		top = n - room > 0 ? n - room : 0;
	view->help_top = top;
	view->help_more = top + room < n;
	grid_fill(g, r, ' ', GRID_ROLE_NORMAL);
	grid_box(g, r, GRID_ROLE_HIGHLIGHT, top || view->help_more
			 ? " Keys (Up/Down scroll, any other key closes) " : " Keys (any key closes this) ");
	for (int i = top, y = r.y + 1; i < n && y < r.y + r.h - 1; i++, y++) {
		if (rows[i].key) {
			grid_text(g, r.x + 2, y, 12, GRID_ROLE_KEY, rows[i].key);
			grid_text(g, r.x + 15, y, r.w - 17, GRID_ROLE_NORMAL, rows[i].what);
		} else {
			grid_text(g, r.x + 2, y, r.w - 4, GRID_ROLE_DIM, rows[i].what);
		}
	}
	if (view->help_more)
		grid_text(g, r.x + r.w - 12, r.y + r.h - 1, 10, GRID_ROLE_KEY, " more ");
}

static void draw_too_small(struct grid *g)
{
	int w = grid_width(g), h = grid_height(g);
	char a[64], b[64];
	snprintf(a, sizeof(a), "terminal too small: %dx%d", w, h);
	snprintf(b, sizeof(b), "tcpstep needs %dx%d", TUI_MIN_W, TUI_MIN_H);
	int y = h / 2 - 1 < 0 ? 0 : h / 2 - 1;
	int wa = grid_text_width(a), wb = grid_text_width(b);
	grid_text(g, (w - wa) / 2 > 0 ? (w - wa) / 2 : 0, y, w, GRID_ROLE_ERROR, a);
	grid_text(g, (w - wb) / 2 > 0 ? (w - wb) / 2 : 0, y + 1, w, GRID_ROLE_NORMAL, b);
}

void tui_view_draw(struct grid *g, const struct tui_model *m, struct tui_layout *lay)
{
	memset(lay, 0, sizeof(*lay));
	/* what is not drawn keeps its scroll */
	lay->view = (struct tui_view_state){ .conn_top = m->conn_top,
					     .explain_top = m->explain_top,
					     .explain_more = m->explain_more,
					     .help_top = m->help_top,
					     .help_more = m->help_more };
	grid_clear(g);
	int w = grid_width(g), h = grid_height(g);
	if (w < TUI_MIN_W || h < TUI_MIN_H) {
		lay->too_small = true;
		draw_too_small(g);
		return;
	}
	struct layout_sizes L = layout(w, h, m->nvisible);
	if (m->live)
		layout_output(&L);
	lay->pane[TUI_PANE_CONNS] = L.conns;
	lay->pane[TUI_PANE_LADDER] = L.ladder;
	lay->pane[TUI_PANE_DIAGRAM] = L.diagram;
	lay->pane[TUI_PANE_EXPLAIN] = L.explain;
	draw_conns(g, m, L.conns, lay);
	draw_ladder(g, m, L.ladder, lay);
	draw_diagram(g, m, L.diagram);
	draw_explain(g, m, L.explain, L.output.h > 0, &lay->view);
	if (L.output.h)
		draw_output(g, m, L.output);
	draw_timers(g, m, L.explain);
	draw_status(g, m, L.status);
	if (m->help)
		draw_help(g, m, &lay->view);
}

static bool inside(struct grid_rect r, int x, int y)
{
	return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

unsigned tui_view_click(struct tui_model *m, const struct tui_layout *lay, int x, int y)
{
	if (lay->too_small)
		return 0;
	if (m->help) {
		m->help = false;
		return TUI_HANDLED | TUI_REDRAW;
	}
	unsigned r = 0;
	for (int p = 0; p < TUI_PANE_COUNT; p++)
		if (inside(lay->pane[p], x, y) && m->pane != (enum tui_pane)p) {
			m->pane = (enum tui_pane)p;
			r |= TUI_HANDLED | TUI_REDRAW;
		}
	if (inside(lay->conn_rows, x, y)) {
		uint64_t i = lay->conn_first + (uint64_t)(y - lay->conn_rows.y);
		if (i < m->nvisible)
			r |= tui_model_select_conn(m, m->visible[i]);
	}
	if (inside(lay->ladder_rows, x, y)) {
		int row = y - lay->ladder_rows.y;
		if (row >= 0 && row < 256 && lay->ladder_pkt[row])
			r |= tui_model_goto(m, lay->ladder_pkt[row]);
	}
	return r;
}

unsigned tui_view_wheel(struct tui_model *m, const struct tui_layout *lay, int x, int y,
			int dir)
{
	if (lay->too_small)
		return 0;
	if (inside(lay->pane[TUI_PANE_CONNS], x, y))
		return tui_model_select(m, dir);
	return tui_model_step(m, dir);
}
