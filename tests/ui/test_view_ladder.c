/* The ladder and connection-list views with hand-built rows: golden text
 * of the article's hello exchange, marks, roles, scrolling, clipping, and
 * the connection list's column dropping. Set TCPSTEP_UPDATE_GOLDEN=1 to
 * rewrite the golden files (then read them before committing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "grid.h"
#include "segment.h"
#include "tracker.h"
#include "view_conns.h"
#include "view_ladder.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void check_golden(const struct grid *g, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", VIEW_LADDER_GOLDEN_DIR, name);
	char *got = grid_render_text(g, false);
	CHECK(got != NULL);
	if (!got)
		return;
	if (getenv("TCPSTEP_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");
		CHECK(f != NULL);
		if (f) {
			fputs(got, f);
			fclose(f);
		}
	} else {
		const char *want = slurp(path);
		CHECK(want != NULL);
		if (want && strcmp(got, want)) {
			fprintf(stderr, "%s differs; got:\n%s", name, got);
			check_failures++;
		}
	}
	free(got);
}

static struct view_ladder_row seg(uint64_t pkt, int64_t us, int dir, uint8_t flags,
				  uint32_t seq, uint32_t ack, uint32_t len)
{
	struct view_ladder_row r = { .kind = VIEW_LADDER_SEGMENT };
	r.u.seg = (struct view_ladder_seg){ .pkt = pkt, .time_us = us, .dir = dir,
		.flags = flags, .seq = seq, .ack = ack, .len = len, .win = 64240 };
	return r;
}

static struct view_ladder_row st(int e, enum tcpstate from, enum tcpstate to)
{
	struct view_ladder_row r = { .kind = VIEW_LADDER_STATE };
	r.u.state = (struct view_ladder_state){ e, from, to };
	return r;
}

#define A TCPF_ACK
/* The hello exchange: the client sends "hello" (22 bytes), the server
 * answers (23 bytes) with its FIN, the client closes. */
static size_t hello(struct view_ladder_row *rows, size_t current)
{
	size_t n = 0;
	rows[n++] = seg(1, 0, 0, TCPF_SYN, 0, 0, 0);
	rows[n++] = st(0, TCPSTATE_CLOSED, TCPSTATE_SYN_SENT);
	rows[n++] = st(1, TCPSTATE_LISTEN, TCPSTATE_SYN_RCVD);
	rows[n++] = seg(2, 120, 1, TCPF_SYN | A, 0, 1, 0);
	rows[n++] = st(0, TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED);
	rows[n++] = seg(3, 250, 0, TCPF_PSH | A, 1, 1, 22);
	rows[n++] = st(1, TCPSTATE_SYN_RCVD, TCPSTATE_ESTABLISHED);
	rows[n++] = seg(4, 300, 1, A, 1, 23, 0);
	rows[n++] = seg(5, 1200, 1, TCPF_FIN | TCPF_PSH | A, 1, 23, 23);
	rows[n++] = st(1, TCPSTATE_ESTABLISHED, TCPSTATE_FIN_WAIT_1);
	rows[n++] = st(0, TCPSTATE_ESTABLISHED, TCPSTATE_CLOSE_WAIT);
	rows[n++] = seg(6, 1500, 0, TCPF_FIN | A, 23, 25, 0);
	rows[n++] = st(0, TCPSTATE_CLOSE_WAIT, TCPSTATE_LAST_ACK);
	rows[n++] = st(1, TCPSTATE_FIN_WAIT_1, TCPSTATE_TIME_WAIT);
	rows[n++] = seg(7, 1600, 1, A, 24, 24, 0);
	rows[n++] = st(0, TCPSTATE_LAST_ACK, TCPSTATE_CLOSED);
	for (size_t i = current + 1; i < n; i++)
		rows[i].future = true;
	/* The state changes of the current segment have happened too. */
	while (current + 1 < n && rows[current + 1].kind == VIEW_LADDER_STATE)
		rows[++current].future = false;
	return n;
}

static struct view_ladder_in hello_in(const struct view_ladder_row *rows, size_t n,
				      size_t current, enum view_ladder_future fut)
{
	return (struct view_ladder_in){
		.label = { "192.0.2.3:55104 client", "192.0.2.2:8888 server" },
		.rows = rows, .nrows = n, .current = current, .relative = true,
		.future = fut,
	};
}

static void draw_hello(int w, int h, bool ascii, enum view_ladder_future fut,
		       const char *golden)
{
	struct view_ladder_row rows[32];
	size_t n = hello(rows, 7); /* current: pkt 4, the server's ACK of the data */
	struct view_ladder_in in = hello_in(rows, n, 7, fut);
	struct grid *g = grid_create(w, h);
	grid_set_ascii(g, ascii);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, w, h }, &in, &out);
	check_golden(g, golden);
	CHECK_INT_EQ(out.scroll, 0);
	CHECK_INT_EQ(out.nlines, fut == VIEW_LADDER_FUTURE_HIDE ? 4 : 7);
	grid_destroy(g);
}

static void test_hello_80x24_future_hidden_ascii(void)
{
	draw_hello(80, 24, true, VIEW_LADDER_FUTURE_HIDE, "ladder_hello_80x24_hidden.txt");
}

static void test_hello_80x24_future_dimmed_ascii(void)
{
	draw_hello(80, 24, true, VIEW_LADDER_FUTURE_DIM, "ladder_hello_80x24_dimmed.txt");
}

static void test_hello_160x50_future_hidden_utf8(void)
{
	draw_hello(160, 50, false, VIEW_LADDER_FUTURE_HIDE, "ladder_hello_160x50_hidden.txt");
}

static void test_hello_160x50_future_dimmed_utf8(void)
{
	draw_hello(160, 50, false, VIEW_LADDER_FUTURE_DIM, "ladder_hello_160x50_dimmed.txt");
}

/* The x of the first cell on line y whose text starts with s, or -1. */
static int find(const struct grid *g, int y, const char *s)
{
	int n = (int)strlen(s);
	for (int x = 0; x + n <= grid_width(g); x++) {
		int k = 0;
		while (k < n && grid_get(g, x + k, y).ch == (uint32_t)(unsigned char)s[k])
			k++;
		if (k == n)
			return x;
	}
	return -1;
}

static int role_at(const struct grid *g, int x, int y)
{
	return grid_get(g, x, y).role;
}

static void test_hello_roles_of_arrows_states_and_position(void)
{
	struct view_ladder_row rows[32];
	size_t n = hello(rows, 7);
	struct view_ladder_in in = hello_in(rows, n, 7, VIEW_LADDER_FUTURE_DIM);
	struct grid *g = grid_create(80, 24);
	grid_set_ascii(g, true);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 24 }, &in, &out);
	int y_syn = out.y0, y_data = out.y0 + 2, y_ack = out.y0 + 3, y_fin = out.y0 + 4;

	CHECK_INT_EQ(role_at(g, find(g, y_syn, "SYN seq=0"), y_syn), GRID_ROLE_FLAG_SYN);
	CHECK_INT_EQ(role_at(g, find(g, y_syn, "-"), y_syn), GRID_ROLE_FLAG_SYN);
	CHECK(find(g, y_syn, "->|") > 0);                  /* head at the server */
	CHECK(find(g, out.y0 + 1, "|<-") > 0);              /* SYN-ACK back */
	CHECK_INT_EQ(role_at(g, find(g, y_data, "PSH,ACK seq=1 ack=1 len=22"), y_data),
		     GRID_ROLE_FLAG_DATA);
	/* The current line: '>' and its number and arrow highlighted. */
	CHECK_INT_EQ(grid_get(g, 0, y_ack).ch, '>');
	CHECK_INT_EQ(role_at(g, 5, y_ack), GRID_ROLE_HIGHLIGHT);
	CHECK_INT_EQ(role_at(g, find(g, y_ack, "ACK seq=1 ack=23 len=0"), y_ack),
		     GRID_ROLE_HIGHLIGHT);
	/* A future FIN is dimmed, not in its flag's role. */
	CHECK_INT_EQ(role_at(g, find(g, y_fin, "FIN,PSH,ACK"), y_fin), GRID_ROLE_DIM);
	CHECK_INT_EQ(role_at(g, find(g, y_fin, "CLOSE_WAIT"), y_fin), GRID_ROLE_DIM);
	/* States beside their lifelines, in their endpoint's role. */
	int xs = find(g, y_syn, "SYN_SENT"), xr = find(g, y_syn, "SYN_RCVD");
	int xcl = find(g, y_syn, "|"), xsl = find(g, y_data, "->|") + 2;
	CHECK(xs >= 0 && xs + 8 < xcl);
	CHECK(xr > xsl);
	CHECK_INT_EQ(role_at(g, xs, y_syn), GRID_ROLE_CLIENT);
	CHECK_INT_EQ(role_at(g, xr, y_syn), GRID_ROLE_SERVER);
	CHECK_INT_EQ(role_at(g, xcl, 20), GRID_ROLE_CLIENT);
	CHECK_INT_EQ(grid_get(g, xcl, 20).ch, '|');
	CHECK_INT_EQ(role_at(g, xsl, 20), GRID_ROLE_SERVER);
	/* Clicks: a line gives its segment row, the header nothing. */
	CHECK_INT_EQ(view_ladder_row_at(&out, 0), -1);
	CHECK_INT_EQ(view_ladder_row_at(&out, y_syn), 0);
	CHECK_INT_EQ(view_ladder_row_at(&out, y_ack), 7);
	CHECK_INT_EQ(view_ladder_row_at(&out, out.y0 + 6), 14);
	CHECK_INT_EQ(view_ladder_row_at(&out, out.y0 + 7), -1);
	grid_destroy(g);
}

static void test_rst_and_fin_arrows_in_their_roles(void)
{
	struct view_ladder_row rows[] = {
		seg(1, 0, 0, TCPF_FIN | A, 5, 5, 0),
		seg(2, 10, 1, TCPF_RST, 5, 0, 0),
	};
	/* No current row (the position is before this connection). */
	struct view_ladder_in in = hello_in(rows, 2, 2, VIEW_LADDER_FUTURE_HIDE);
	struct grid *g = grid_create(80, 6);
	grid_set_ascii(g, true);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 6 }, &in, &out);
	CHECK_INT_EQ(role_at(g, find(g, 1, "FIN,ACK seq=5 ack=5"), 1), GRID_ROLE_FLAG_FIN);
	int x = find(g, 2, "RST seq=5 len=0"); /* no ack= without the ACK flag */
	CHECK(x > 0);
	CHECK_INT_EQ(role_at(g, x, 2), GRID_ROLE_FLAG_RST);
	int head = find(g, 2, "|<-") + 1;
	CHECK_INT_EQ(grid_get(g, head, 2).ch, '<');
	CHECK_INT_EQ(role_at(g, head, 2), GRID_ROLE_FLAG_RST);
	CHECK_INT_EQ(grid_get(g, 0, 1).ch, ' ');
	CHECK_INT_EQ(grid_get(g, 0, 2).ch, ' ');
	CHECK_INT_EQ(role_at(g, 5, 2), GRID_ROLE_NORMAL);
	grid_destroy(g);
}

static void test_retransmission_and_dup_acks_marked(void)
{
	struct view_ladder_row rows[] = {
		seg(10, 0, 0, TCPF_PSH | A, 1, 1, 100),
		seg(11, 200000, 0, TCPF_PSH | A, 1, 1, 100),
		seg(12, 200100, 1, A, 1, 1, 0),
		seg(13, 200200, 1, A, 1, 1, 0),
		seg(14, 200300, 1, A, 1, 101, 0),
	};
	rows[1].u.seg.marks = TRACKER_MARK_RETRANSMISSION;
	rows[2].u.seg.marks = TRACKER_MARK_DUP_ACK;
	rows[2].u.seg.dup_ack_count = 1;
	rows[3].u.seg.marks = TRACKER_MARK_DUP_ACK | TRACKER_MARK_ZERO_WINDOW;
	rows[3].u.seg.dup_ack_count = 2;
	rows[3].u.seg.win = 0;
	struct view_ladder_in in = hello_in(rows, 5, 4, VIEW_LADDER_FUTURE_HIDE);
	struct grid *g = grid_create(80, 8);
	grid_set_ascii(g, true);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 8 }, &in, &out);
	check_golden(g, "ladder_retrans_80x8.txt");
	int x = find(g, 2, "RETRANS");
	CHECK(x > find(g, 2, "len=100"));
	CHECK_INT_EQ(role_at(g, x, 2), GRID_ROLE_MARK_RETRANS);
	CHECK_INT_EQ(role_at(g, find(g, 2, "PSH,ACK"), 2), GRID_ROLE_FLAG_DATA);
	x = find(g, 3, "DUP ACK #1");
	CHECK_INT_EQ(role_at(g, x, 3), GRID_ROLE_MARK_WARN);
	CHECK(find(g, 4, "DUP ACK #2 ZERO WIN") > 0);
	CHECK_INT_EQ(role_at(g, find(g, 4, "ZERO WIN"), 4), GRID_ROLE_MARK_WARN);
	CHECK_INT_EQ(find(g, 5, "DUP"), -1);
	grid_destroy(g);
}

/* Live: the retransmission lesson. The client's data (frame 8) was dropped
 * at the server; its retransmission (frame 9) came after the RTO. */
static size_t lesson(struct view_ladder_row *rows)
{
	size_t n = 0;
	rows[n++] = seg(5, 0, 0, TCPF_SYN, 0, 0, 0);
	rows[n++] = seg(6, 100, 1, TCPF_SYN | A, 0, 1, 0);
	rows[n++] = seg(7, 200, 0, A, 1, 1, 0);
	rows[n++] = seg(8, 300, 0, TCPF_PSH | A, 1, 1, 22);
	rows[n++] = seg(9, 3000300, 0, TCPF_PSH | A, 1, 1, 22);
	rows[3].u.seg.lost = true;
	rows[4].u.seg.marks = TRACKER_MARK_RETRANSMISSION;
	return n;
}

static void test_live_lost_segment_and_its_retransmission(void)
{
	struct view_ladder_row rows[8];
	size_t n = lesson(rows);
	struct view_ladder_in in = hello_in(rows, n, n - 1, VIEW_LADDER_FUTURE_DIM);
	in.live = true;
	struct grid *g = grid_create(80, 8);
	grid_set_ascii(g, true);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 8 }, &in, &out);
	check_golden(g, "ladder_live_lost_80x8.txt");
	int y = out.y0 + 3, yr = out.y0 + 4;
	/* short of the server's lifeline: an x, a gap, the lifeline; no head */
	int x = find(g, y, "x |");
	CHECK(x > 0);
	CHECK_INT_EQ(role_at(g, x, y), GRID_ROLE_LOST);
	CHECK_INT_EQ(find(g, y, ">"), -1);
	CHECK_INT_EQ(x + 2, find(g, yr, "->|") + 2); /* the lifeline both lines */
	int w = find(g, y, "LOST");
	CHECK(w > find(g, y, "len=22"));
	CHECK_INT_EQ(role_at(g, w, y), GRID_ROLE_LOST);
	CHECK_INT_EQ(role_at(g, find(g, y, "PSH,ACK"), y), GRID_ROLE_FLAG_DATA);
	/* the retransmission: a whole arrow, its mark kept */
	CHECK(find(g, yr, "RETRANS") > find(g, yr, "len=22"));
	CHECK_INT_EQ(find(g, yr, "LOST"), -1);
	CHECK_INT_EQ(role_at(g, find(g, yr, "RETRANS"), yr), GRID_ROLE_MARK_RETRANS);
	/* the server's answer lost at the client: the x by the client's
	 * lifeline, in UTF-8 a multiplication sign */
	struct view_ladder_row back[] = { seg(6, 100, 1, TCPF_SYN | A, 0, 1, 0) };
	back[0].u.seg.lost = true;
	in = hello_in(back, 1, 0, VIEW_LADDER_FUTURE_DIM);
	in.live = true;
	grid_set_ascii(g, false);
	grid_clear(g);
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 8 }, &in, &out);
	int cl = -1;
	for (int i = 0; i < 80 && cl < 0; i++)
		if (grid_get(g, i, out.y0 + 1).ch == 0x2502) /* the lifeline below */
			cl = i;
	CHECK(cl > 0);
	CHECK_INT_EQ(grid_get(g, cl + 1, out.y0).ch, ' ');
	CHECK_INT_EQ(grid_get(g, cl + 2, out.y0).ch, 0x00D7);
	CHECK_INT_EQ(role_at(g, cl + 2, out.y0), GRID_ROLE_LOST);
	CHECK_INT_EQ(grid_get(g, cl + 3, out.y0).ch, 0x2500);
	grid_destroy(g);
}

/* The ladder pane of the live screen at 80x24 (38 columns inside its
 * frame, 7 lines): fields go whole so that LOST and RETRANS stay. */
static void test_live_narrow_pane_keeps_lost_and_retrans(void)
{
	struct view_ladder_row rows[8];
	size_t n = lesson(rows);
	struct view_ladder_in in = hello_in(rows, n, n - 1, VIEW_LADDER_FUTURE_DIM);
	in.label[0] = "client";
	in.label[1] = "server";
	in.live = true;
	static const struct view_ladder_held held[] = { { 0, 1, "client" } };
	in.held = held;
	in.nheld = 1;
	struct grid *g = grid_create(38, 7);
	grid_set_ascii(g, true);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 38, 7 }, &in, &out);
	check_golden(g, "ladder_live_narrow_38x7.txt");
	/* 6 lines: five arrows and the held line below them, all in view */
	CHECK_INT_EQ(out.scroll, 0);
	int y = out.y0 + 3, yr = out.y0 + 4;
	CHECK(find(g, y, "LOST") > 0);
	CHECK(find(g, y, "x |") > 0);
	CHECK(find(g, yr, "RETRANS") > 0);
	/* no number cut short: a field is there whole or not at all */
	CHECK_INT_EQ(find(g, y, "len=2 "), -1);
	CHECK_INT_EQ(find(g, yr, "ack=1 "), -1);
	/* the same rows in a replay: the mark may be cut, the fields kept */
	in.live = false;
	rows[3].u.seg.lost = false;
	grid_clear(g);
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 38, 7 }, &in, &out);
	CHECK(find(g, yr, "ack=1") > 0);
	CHECK_INT_EQ(find(g, out.y0 + 5, "held"), -1);
	grid_destroy(g);
}

static void test_live_held_segments_wait_at_the_senders_lifeline(void)
{
	struct view_ladder_row rows[8];
	size_t n = lesson(rows);
	struct view_ladder_in in = hello_in(rows, n, n - 1, VIEW_LADDER_FUTURE_DIM);
	static const struct view_ladder_held held[] = {
		{ 0, 1, "client" }, { 1, 2, "server" }, { -1, 3, "server" },
	};
	in.live = true;
	in.held = held;
	in.nheld = 3;
	struct grid *g = grid_create(80, 10);
	grid_set_ascii(g, true);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 10 }, &in, &out);
	int y = out.y0 + 5;
	int cl = find(g, out.y0, "|"), sl = find(g, out.y0 + 4, "->|") + 2;
	/* below the last arrow, beside the client's lifeline, its words */
	int x = find(g, y, "|| 1 held at client (n sends it)");
	CHECK_INT_EQ(x, cl + 2);
	CHECK_INT_EQ(role_at(g, x, y), GRID_ROLE_HELD);
	CHECK_INT_EQ(grid_get(g, cl, y).ch, '|'); /* the lifeline goes on */
	/* the server's, ending by its lifeline */
	const char *sv = "|| 2 held at server (n sends the oldest)";
	x = find(g, y + 1, sv);
	CHECK(x > 0);
	CHECK_INT_EQ(x + (int)strlen(sv), sl - 1);
	/* not known to be this connection's: between the lifelines, named */
	CHECK(find(g, y + 2, "|| 3 held at server (connection unknown)") > cl);
	/* the lines below the arrows are no rows to click */
	CHECK_INT_EQ(view_ladder_row_at(&out, y), -1);
	CHECK_INT_EQ(out.nlines, 5);
	/* UTF-8: a double bar */
	grid_set_ascii(g, false);
	grid_clear(g);
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 10 }, &in, &out);
	CHECK_INT_EQ(grid_get(g, cl + 2, y).ch, 0x2016);
	/* a replay never draws them */
	in.live = false;
	grid_clear(g);
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 10 }, &in, &out);
	CHECK_INT_EQ(grid_get(g, cl + 2, y).ch, ' ');
	/* nothing on the wire yet (the opening screen): the SYN waits at the
	 * client, on the first line */
	in = hello_in(rows, 0, 0, VIEW_LADDER_FUTURE_DIM);
	in.live = true;
	in.held = held;
	in.nheld = 1;
	grid_set_ascii(g, true);
	grid_clear(g);
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 10 }, &in, &out);
	CHECK(find(g, out.y0, "|| 1 held at client (n sends it)") > 0);
	grid_destroy(g);
}

static void test_live_held_line_follows_the_last_arrow_when_scrolled(void)
{
	static struct view_ladder_row rows[40];
	for (int i = 0; i < 40; i++)
		rows[i] = seg((uint64_t)i + 1, i * 10, i % 2, A, 1, 1, 0);
	static const struct view_ladder_held held[] = { { 1, 1, "server" } };
	struct view_ladder_in in = hello_in(rows, 40, 39, VIEW_LADDER_FUTURE_DIM);
	in.live = true;
	in.held = held;
	in.nheld = 1;
	struct grid *g = grid_create(80, 11);
	grid_set_ascii(g, true);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 11 }, &in, &out);
	/* 10 lines: the last 9 arrows and the held line */
	CHECK_INT_EQ(out.scroll, 31);
	CHECK(find(g, 10, "|| 1 held at server") > 0);
	CHECK(find(g, 9, "40") >= 0);
	/* back at an earlier arrow: it is in view, the held line may not be */
	in.current = 5;
	in.scroll = out.scroll;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 11 }, &in, &out);
	CHECK_INT_EQ(out.scroll, 5);
	/* a pane of two lines: the current arrow wins over the held line */
	in.current = 39;
	grid_clear(g);
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 2 }, &in, &out);
	CHECK_INT_EQ(out.scroll, 39);
	CHECK(find(g, 1, "40") >= 0);
	grid_destroy(g);
}

static void test_every_mark_has_a_word(void)
{
	static const struct { unsigned bit; const char *word; } m[] = {
		{ TRACKER_MARK_OUT_OF_ORDER, "OUT OF ORDER" },
		{ TRACKER_MARK_PREV_NOT_CAPTURED, "PREV NOT CAPTURED" },
		{ TRACKER_MARK_RST_IGNORED, "RST IGNORED" },
		{ TRACKER_MARK_KEEP_ALIVE, "KEEP-ALIVE" },
		{ TRACKER_MARK_WINDOW_UPDATE, "WIN UPDATE" },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct view_ladder_row r = seg(1, 0, 0, A, 1, 1, 0);
		r.u.seg.marks = m[i].bit;
		struct view_ladder_in in = hello_in(&r, 1, 0, VIEW_LADDER_FUTURE_HIDE);
		struct grid *g = grid_create(80, 3);
		static struct view_ladder_out out;
		view_ladder_draw(g, (struct grid_rect){ 0, 0, 80, 3 }, &in, &out);
		CHECK(find(g, 1, m[i].word) > 0);
		grid_destroy(g);
	}
}

static void test_scroll_keeps_current_visible_in_10_lines(void)
{
	static struct view_ladder_row rows[100];
	for (int i = 0; i < 100; i++)
		rows[i] = seg((uint64_t)i + 1, i * 10, i % 2, A, 1, 1, 0);
	struct grid *g = grid_create(80, 30);
	struct grid_rect r = { 0, 5, 80, 10 };
	static struct view_ladder_out out;
	static const struct { size_t cur; int scroll_in, scroll_out; } steps[] = {
		{ 0, 0, 0 }, { 8, 0, 0 }, { 9, 0, 1 }, { 50, 1, 42 }, { 45, 42, 42 },
		{ 99, 42, 91 }, { 5, 91, 5 }, { 0, 500, 0 }, { 97, 500, 91 },
	};
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		grid_clear(g);
		struct view_ladder_in in = hello_in(rows, 100, steps[k].cur,
						    VIEW_LADDER_FUTURE_DIM);
		in.scroll = steps[k].scroll_in;
		view_ladder_draw(g, r, &in, &out);
		CHECK_INT_EQ(out.scroll, steps[k].scroll_out);
		CHECK_INT_EQ(out.nlines, 9);
		int y = out.y0 + (int)steps[k].cur - out.scroll;
		CHECK(y >= r.y + 1 && y < r.y + r.h);
		CHECK_INT_EQ(view_ladder_row_at(&out, y), (long)steps[k].cur);
		CHECK_INT_EQ(grid_get(g, 0, y).ch, '>');
		CHECK_INT_EQ(view_ladder_row_at(&out, r.y + r.h), -1);
	}
	grid_destroy(g);
}

static void test_narrow_pane_keeps_lifelines_apart(void)
{
	struct view_ladder_row rows[32];
	size_t n = hello(rows, 7);
	struct view_ladder_in in = hello_in(rows, n, 7, VIEW_LADDER_FUTURE_HIDE);
	struct grid *g = grid_create(40, 8);
	grid_set_ascii(g, true);
	static struct view_ladder_out out;
	view_ladder_draw(g, (struct grid_rect){ 0, 0, 40, 8 }, &in, &out);
	/* Both lifelines on an empty line, the client's left of the server's,
	 * an arrow between them and the label cut rather than the arrow. Below
	 * 60 columns the state columns give way to the arrow: the lifeline
	 * follows the 5-cell pkt column. */
	int cl = find(g, 6, "|");
	CHECK_INT_EQ(cl, 6);
	int sl = cl + 1;
	while (sl < 40 && grid_get(g, sl, 6).ch != '|')
		sl++;
	CHECK(sl > cl + 5 && sl < 40);
	CHECK_INT_EQ(role_at(g, sl, 6), GRID_ROLE_SERVER);
	CHECK(find(g, 1, "->|") > cl);
	CHECK(find(g, 1, "SYN s") > cl);
	CHECK(find(g, 2, "|<-") == cl);
	grid_destroy(g);
}

/* Fills g with '#' and checks that only cells inside r changed. */
static void check_inside_only(struct grid *g, struct grid_rect r, const char *what)
{
	for (int y = 0; y < grid_height(g); y++)
		for (int x = 0; x < grid_width(g); x++) {
			bool in = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
			if (!in && grid_get(g, x, y).ch != '#') {
				fprintf(stderr, "%s: cell %d,%d drawn outside\n", what, x, y);
				check_failures++;
				return;
			}
		}
}

static const struct grid_rect tiny[] = {
	{ 5, 3, 4, 2 }, { 0, 0, 1, 1 }, { 5, 5, 0, 0 }, { 7, 2, 30, 1 },
	{ 25, 8, 20, 20 }, { -3, -2, 6, 4 }, { 2, 1, 12, 7 },
};

static void test_tiny_rectangles_draw_nothing_outside(void)
{
	struct view_ladder_row rows[32];
	size_t n = hello(rows, 7);
	struct view_ladder_in in = hello_in(rows, n, 7, VIEW_LADDER_FUTURE_DIM);
	struct grid *g = grid_create(30, 10);
	static struct view_ladder_out out;
	for (size_t i = 0; i < sizeof(tiny) / sizeof(tiny[0]); i++) {
		grid_fill(g, (struct grid_rect){ 0, 0, 30, 10 }, '#', GRID_ROLE_NORMAL);
		view_ladder_draw(g, tiny[i], &in, &out);
		check_inside_only(g, tiny[i], "ladder");
		CHECK(out.nlines <= (tiny[i].h > 1 ? tiny[i].h - 1 : 0));
	}
	grid_destroy(g);
}

static const struct view_conns_row conns[] = {
	{ 1, "192.0.2.3:55104", "192.0.2.2:8888", { TCPSTATE_CLOSED, TCPSTATE_TIME_WAIT },
	  7, { 22, 23 }, "closed", "ShADadFf",
	  { NULL, NULL }, { VIEW_CONNS_AGREE, VIEW_CONNS_AGREE }, false },
	{ 2, "192.0.2.3:55106", "192.0.2.2:8888", { TCPSTATE_ESTABLISHED, TCPSTATE_ESTABLISHED },
	  3, { 0, 0 }, "", "ShA",
	  { NULL, NULL }, { VIEW_CONNS_AGREE, VIEW_CONNS_AGREE }, false },
	{ 3, "[2001:db8::3]:40000", "[2001:db8::2]:8888", { TCPSTATE_SYN_SENT, TCPSTATE_CLOSED },
	  2, { 0, 0 }, "reset by server", "Sr",
	  { NULL, NULL }, { VIEW_CONNS_AGREE, VIEW_CONNS_AGREE }, false },
};

static void draw_conns(int w, int h, const char *golden, struct view_conns_out *out)
{
	struct view_conns_in in = { conns, 3, 1, 0, false };
	struct grid *g = grid_create(w, h);
	view_conns_draw(g, (struct grid_rect){ 0, 0, w, h }, &in, out);
	check_golden(g, golden);
	/* Roles: states by endpoint even on the selected row, the rest lit. */
	int x = find(g, 2, "ESTABLISHED");
	CHECK_INT_EQ(role_at(g, x, 2), GRID_ROLE_CLIENT);
	x = find(g, 2, "ESTABLISHED  ESTABLISHED");
	CHECK_INT_EQ(role_at(g, x + 13, 2), GRID_ROLE_SERVER);
	CHECK_INT_EQ(role_at(g, find(g, 2, "192.0.2.3:55106"), 2), GRID_ROLE_HIGHLIGHT);
	CHECK_INT_EQ(role_at(g, find(g, 1, "192.0.2.3:55104"), 1), GRID_ROLE_NORMAL);
	CHECK_INT_EQ(role_at(g, find(g, 0, "client state"), 0), GRID_ROLE_TITLE);
	CHECK_INT_EQ(view_conns_row_at(out, 0), -1);
	CHECK_INT_EQ(view_conns_row_at(out, 3), 2);
	CHECK_INT_EQ(view_conns_row_at(out, 4), -1);
	grid_destroy(g);
}

static void test_conns_80_drops_bytes_history_ended(void)
{
	struct view_conns_out out;
	draw_conns(80, 24, "conns_80x24.txt", &out);
	CHECK(!(out.columns & (VIEW_CONNS_COL_BYTES | VIEW_CONNS_COL_HISTORY |
			       VIEW_CONNS_COL_ENDED)));
	CHECK(out.columns & VIEW_CONNS_COL_CSTATE);
	CHECK(out.columns & VIEW_CONNS_COL_SSTATE);
	CHECK(out.columns & VIEW_CONNS_COL_SEGS);
}

static void test_conns_160_shows_every_column(void)
{
	struct view_conns_out out;
	draw_conns(160, 50, "conns_160x50.txt", &out);
	CHECK_INT_EQ(out.columns, 0x1ff);
}

static void test_conns_narrow_cuts_addresses_not_states(void)
{
	struct view_conns_in in = { conns, 3, 0, 0, false };
	struct grid *g = grid_create(50, 5);
	struct view_conns_out out;
	view_conns_draw(g, (struct grid_rect){ 0, 0, 50, 5 }, &in, &out);
	CHECK(find(g, 2, "ESTABLISHED  ESTABLISHED") > 0);
	CHECK(find(g, 1, "CLOSED       TIME_WAIT") > 0);
	CHECK_INT_EQ(find(g, 3, "[2001:db8::3]:40000"), -1); /* cut */
	CHECK(find(g, 3, "[2001") > 0);
	grid_destroy(g);
}

static void test_conns_scroll_and_tiny_rectangles(void)
{
	static struct view_conns_row many[40];
	for (int i = 0; i < 40; i++) {
		many[i] = conns[i % 3];
		many[i].id = (uint64_t)i + 1;
	}
	struct grid *g = grid_create(30, 10);
	struct view_conns_out out;
	struct view_conns_in in = { many, 40, 30, 0, false };
	view_conns_draw(g, (struct grid_rect){ 0, 0, 30, 10 }, &in, &out);
	CHECK_INT_EQ(out.scroll, 22);
	CHECK_INT_EQ(view_conns_row_at(&out, 9), 30);
	in.selected = 3;
	in.scroll = out.scroll;
	view_conns_draw(g, (struct grid_rect){ 0, 0, 30, 10 }, &in, &out);
	CHECK_INT_EQ(out.scroll, 3);
	for (size_t i = 0; i < sizeof(tiny) / sizeof(tiny[0]); i++) {
		grid_fill(g, (struct grid_rect){ 0, 0, 30, 10 }, '#', GRID_ROLE_NORMAL);
		view_conns_draw(g, tiny[i], &in, &out);
		check_inside_only(g, tiny[i], "conns");
	}
	grid_destroy(g);
}

/* Live: lwIP's states beside the wire's where they fit (both or neither),
 * the wire's columns saying so, '*' for a difference a held segment
 * explains and '!' for a disagreement (in the error role), dim when the
 * position is in the past; at 80 columns not drawn. */
static void test_conns_live_true_states(void)
{
	struct view_conns_row rows[2] = { conns[1], conns[2] };
	rows[0].truth[0] = "FIN_WAIT_1";
	rows[0].mark[0] = VIEW_CONNS_IN_FLIGHT;
	rows[0].truth[1] = "ESTABLISHED";
	rows[1].truth[0] = "kernel";
	rows[1].truth[1] = "LISTEN";
	rows[1].mark[1] = VIEW_CONNS_DIFFER;
	struct view_conns_in in = { rows, 2, 5, 0, true };
	struct grid *g = grid_create(100, 4);
	struct view_conns_out out;
	view_conns_draw(g, (struct grid_rect){ 0, 0, 100, 4 }, &in, &out);
	CHECK(out.columns & VIEW_CONNS_COL_TRUTH);
	CHECK(find(g, 0, "client wire  client lwIP  server wire  server lwIP") > 0);
	CHECK(find(g, 1, "ESTABLISHED  FIN_WAIT_1*  ESTABLISHED  ESTABLISHED") > 0);
	int x = find(g, 2, "LISTEN!");
	CHECK(x > 0);
	CHECK_INT_EQ(role_at(g, x, 2), GRID_ROLE_ERROR);
	x = find(g, 1, "FIN_WAIT_1*");
	CHECK_INT_EQ(role_at(g, x, 1), GRID_ROLE_CLIENT);
	CHECK(find(g, 2, "kernel") > 0);
	rows[0].truth_dim = true;
	view_conns_draw(g, (struct grid_rect){ 0, 0, 100, 4 }, &in, &out);
	CHECK_INT_EQ(role_at(g, find(g, 1, "FIN_WAIT_1*"), 1), GRID_ROLE_DIM);
	grid_destroy(g);
	/* 80 columns: the wire's states only, titled as in a replay */
	g = grid_create(80, 4);
	view_conns_draw(g, (struct grid_rect){ 0, 0, 80, 4 }, &in, &out);
	CHECK(!(out.columns & VIEW_CONNS_COL_TRUTH));
	CHECK(find(g, 0, "client state") > 0);
	CHECK_INT_EQ(find(g, 1, "FIN_WAIT_1"), -1);
	grid_destroy(g);
	/* not live: never drawn, however wide */
	in.live = false;
	g = grid_create(160, 4);
	view_conns_draw(g, (struct grid_rect){ 0, 0, 160, 4 }, &in, &out);
	CHECK(!(out.columns & VIEW_CONNS_COL_TRUTH));
	grid_destroy(g);
}

int main(void)
{
	RUN(test_hello_80x24_future_hidden_ascii);
	RUN(test_hello_80x24_future_dimmed_ascii);
	RUN(test_hello_160x50_future_hidden_utf8);
	RUN(test_hello_160x50_future_dimmed_utf8);
	RUN(test_hello_roles_of_arrows_states_and_position);
	RUN(test_rst_and_fin_arrows_in_their_roles);
	RUN(test_retransmission_and_dup_acks_marked);
	RUN(test_every_mark_has_a_word);
	RUN(test_live_lost_segment_and_its_retransmission);
	RUN(test_live_narrow_pane_keeps_lost_and_retrans);
	RUN(test_live_held_segments_wait_at_the_senders_lifeline);
	RUN(test_live_held_line_follows_the_last_arrow_when_scrolled);
	RUN(test_scroll_keeps_current_visible_in_10_lines);
	RUN(test_narrow_pane_keeps_lifelines_apart);
	RUN(test_tiny_rectangles_draw_nothing_outside);
	RUN(test_conns_80_drops_bytes_history_ended);
	RUN(test_conns_160_shows_every_column);
	RUN(test_conns_narrow_cuts_addresses_not_states);
	RUN(test_conns_scroll_and_tiny_rectangles);
	RUN(test_conns_live_true_states);
	CHECK_EXIT();
}
