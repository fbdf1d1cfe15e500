/* The replay UI without a terminal: the model (position, selection, seek,
 * keys) and the whole screen rendered as text at 80x24 and 160x50, compared
 * with golden screens of the recordings in demos/.
 *
 * usage: test_tui SOURCE_ROOT GOLDEN_DIR
 * TCPSTEP_UPDATE_GOLDEN=1 rewrites the golden screens (then look at them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "explain.h"
#include "grid.h"
#include "live_model.h"
#include "replay.h"
#include "tui_model.h"
#include "tui_view.h"

static const char *src_root, *golden_dir;

static struct replay *open_demo(const char *name)
{
	char path[1024], err[REPLAY_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/demos/%s/%s.pcap", src_root, name, name);
	struct replay_config rc = { .msl_ns = 1000000000LL };
	struct replay *r = replay_open(path, &rc, err);
	if (!r) {
		fprintf(stderr, "%s: %s\n", path, err);
		return NULL;
	}
	while (replay_index_step(r, 1000))
		;
	return r;
}

static char *render(struct tui_model *m, int w, int h, bool roles)
{
	struct grid *g = grid_create(w, h);
	struct tui_layout lay;
	tui_view_draw(g, m, &lay);
	tui_model_viewed(m, &lay.view);
	char *s = grid_render_text(g, roles);
	grid_destroy(g);
	return s;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	if (s)
		s[n] = 0;
	fclose(f);
	return s;
}

static void check_golden(const char *name, const char *got)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.txt", golden_dir, name);
	const char *upd = getenv("TCPSTEP_UPDATE_GOLDEN");
	if (upd && *upd == '1') {
		FILE *f = fopen(path, "wb");
		CHECK(f != NULL);
		if (f) {
			fputs(got, f);
			fclose(f);
		}
		return;
	}
	char *want = slurp(path);
	CHECK(want != NULL);
	if (want && strcmp(want, got)) {
		fprintf(stderr, "%s differs; got:\n%s\n", path, got);
		CHECK(!"golden screen differs");
	}
	free(want);
}

/* The states the connection list shows for conn 1 at the position. */
static void states_at(struct tui_model *m, enum tcpstate *c, enum tcpstate *s)
{
	struct replay_conn_at at;
	*c = *s = TCPSTATE_COUNT;
	if (replay_conn_at(m->rp, 1, m->pos, &at)) {
		*c = at.state[0];
		*s = at.state[1];
	}
}

/* n through the hello exchange: the states decode --json gives per frame
 * (demos/hello/expected.txt). */
static void test_hello_step_forward_and_back(void)
{
	struct replay *r = open_demo("hello");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	tui_model_indexed(&m);
	CHECK_INT_EQ(m.pos, 1);
	CHECK_INT_EQ(m.sel, 1);
	static const struct {
		uint64_t pkt;
		enum tcpstate c, s;
	} want[] = {
		{ 5, TCPSTATE_SYN_SENT, TCPSTATE_SYN_RCVD },
		{ 6, TCPSTATE_ESTABLISHED, TCPSTATE_SYN_RCVD },
		{ 7, TCPSTATE_ESTABLISHED, TCPSTATE_ESTABLISHED },
		{ 8, TCPSTATE_ESTABLISHED, TCPSTATE_ESTABLISHED },
		{ 9, TCPSTATE_CLOSE_WAIT, TCPSTATE_FIN_WAIT_1 },
		{ 10, TCPSTATE_LAST_ACK, TCPSTATE_TIME_WAIT },
		{ 11, TCPSTATE_CLOSED, TCPSTATE_TIME_WAIT },
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	for (size_t i = 0; i < n; i++) {
		tui_model_key(&m, 'n');
		CHECK_INT_EQ(m.pos, want[i].pkt);
		enum tcpstate c, s;
		states_at(&m, &c, &s);
		CHECK_STR_EQ(tcpstate_to_str(c), tcpstate_to_str(want[i].c));
		CHECK_STR_EQ(tcpstate_to_str(s), tcpstate_to_str(want[i].s));
	}
	/* past the end: stays, says so */
	tui_model_key(&m, 'n');
	CHECK_INT_EQ(m.pos, 11);
	CHECK(strstr(m.message, "last segment") != NULL);
	for (size_t i = n - 1; i-- > 0;) {
		tui_model_key(&m, TUI_KEY_LEFT);
		CHECK_INT_EQ(m.pos, want[i].pkt);
		enum tcpstate c, s;
		states_at(&m, &c, &s);
		CHECK_STR_EQ(tcpstate_to_str(c), tcpstate_to_str(want[i].c));
		CHECK_STR_EQ(tcpstate_to_str(s), tcpstate_to_str(want[i].s));
	}
	tui_model_finish(&m);
	replay_close(r);
}

static void test_goto_and_transition_keys(void)
{
	struct replay *r = open_demo("hello");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	tui_model_indexed(&m);
	tui_model_key(&m, 'g');
	CHECK_INT_EQ(m.prompt, TUI_PROMPT_GOTO);
	tui_model_key(&m, '1');
	tui_model_key(&m, 'x'); /* not a digit: ignored */
	tui_model_key(&m, '0');
	tui_model_key(&m, TUI_KEY_ENTER);
	CHECK_INT_EQ(m.prompt, TUI_PROMPT_NONE);
	CHECK_INT_EQ(m.pos, 10);
	/* a frame that does not exist: a message, no move */
	tui_model_key(&m, 'g');
	tui_model_key(&m, '9');
	tui_model_key(&m, '9');
	tui_model_key(&m, TUI_KEY_ENTER);
	CHECK_INT_EQ(m.pos, 10);
	CHECK(strstr(m.message, "1 to 11") != NULL);
	/* ] and [ : the frames with transitions, 5 6 7 9 10 11 */
	tui_model_key(&m, TUI_KEY_HOME);
	CHECK_INT_EQ(m.pos, 1);
	static const uint64_t tr[] = { 5, 6, 7, 9, 10, 11 };
	for (size_t i = 0; i < sizeof(tr) / sizeof(tr[0]); i++) {
		tui_model_key(&m, ']');
		CHECK_INT_EQ(m.pos, tr[i]);
	}
	tui_model_key(&m, ']');
	CHECK_INT_EQ(m.pos, 11);
	CHECK(strstr(m.message, "no later") != NULL);
	tui_model_key(&m, '[');
	CHECK_INT_EQ(m.pos, 10);
	tui_model_key(&m, TUI_KEY_END);
	CHECK_INT_EQ(m.pos, 11);
	/* q quits; other keys are not */
	CHECK(tui_model_key(&m, 'q') & TUI_QUIT);
	CHECK(!(tui_model_key(&m, 'z') & TUI_HANDLED));
	tui_model_finish(&m);
	replay_close(r);
}

/* The screen at a position is the same however it was reached. */
static void test_screen_same_by_jump_and_by_steps(void)
{
	struct replay *r = open_demo("halfclose");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model a, b;
	tui_model_init(&a, r, "halfclose", 1000000000LL);
	tui_model_init(&b, r, "halfclose", 1000000000LL);
	tui_model_indexed(&a);
	tui_model_indexed(&b);
	uint64_t frames = replay_frames(r);
	for (uint64_t pkt = frames; pkt >= 1; pkt--) {
		tui_model_goto(&a, 1);
		while (a.pos < pkt)
			tui_model_step_any(&a, 1);
		tui_model_goto(&b, frames);
		tui_model_goto(&b, pkt);
		char *sa = render(&a, 80, 24, true), *sb = render(&b, 80, 24, true);
		CHECK(sa && sb && strcmp(sa, sb) == 0);
		free(sa);
		free(sb);
	}
	tui_model_finish(&a);
	tui_model_finish(&b);
	replay_close(r);
}

static void golden_screens(const char *demo, const uint64_t *pkts, size_t n, bool ja)
{
	struct replay *r = open_demo(demo);
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, demo, 1000000000LL);
	tui_model_indexed(&m);
	m.ja = ja;
	static const int sizes[][2] = { { 80, 24 }, { 160, 50 } };
	for (size_t i = 0; i < n; i++) {
		tui_model_goto(&m, pkts[i]);
		for (size_t k = 0; k < 2; k++) {
			char name[128];
			snprintf(name, sizeof(name), "%s%s_pkt%llu_%dx%d", demo, ja ? "_ja" : "",
				 (unsigned long long)pkts[i], sizes[k][0], sizes[k][1]);
			char *s = render(&m, sizes[k][0], sizes[k][1], true);
			CHECK(s != NULL);
			if (s)
				check_golden(name, s);
			free(s);
		}
	}
	tui_model_finish(&m);
	replay_close(r);
}

static void test_golden_hello(void)
{
	static const uint64_t p[] = { 1, 5, 7, 10 };
	golden_screens("hello", p, sizeof(p) / sizeof(p[0]), false);
}

static void test_golden_hello_ja(void)
{
	static const uint64_t p[] = { 5 };
	golden_screens("hello", p, 1, true);
}

static void test_golden_abort(void)
{
	struct replay *r = open_demo("abort");
	CHECK(r != NULL);
	if (!r)
		return;
	uint64_t last = replay_frames(r);
	replay_close(r);
	uint64_t p[] = { last };
	golden_screens("abort", p, 1, false);
}

/* Live: the hello recording read as if a session were running, its model
 * fed by hand: the client's data (frame 7) dropped at the server, and a
 * frame held at the client. The ladder draws the lost arrow, the
 * explanation says where it was dropped and what comes, the held frame
 * waits below the last arrow; without the model the screen is a replay's. */
static void test_live_lost_frame_and_held_frame(void)
{
	struct replay *r = open_demo("hello");
	struct live_model *lm = live_model_create();
	CHECK(r != NULL && lm != NULL);
	if (!r || !lm) {
		live_model_destroy(lm);
		return;
	}
	CHECK(live_model_add_node(lm, 0, "server", "192.0.2.2"));
	CHECK(live_model_add_node(lm, 1, "client", "192.0.2.3"));
	struct session_event ev = { .kind = SESSION_EV_WIRE_STATE, .node = -1, .node_name = "" };
	struct tracker_event *t = &ev.u.wire_state.ev;
	static const uint8_t c[4] = { 192, 0, 2, 3 }, sv[4] = { 192, 0, 2, 2 };
	t->type = TRACKER_EV_STATE;
	t->conn = 1;
	t->ip_version = 4;
	memcpy(t->addr[0], c, 4);
	memcpy(t->addr[1], sv, 4);
	t->port[0] = 55104;
	t->port[1] = 8888;
	t->u.state.to = TCPSTATE_SYN_SENT;
	live_model_event(lm, &ev);
	ev = (struct session_event){ .kind = SESSION_EV_WIRE_SEGMENT, .node = -1, .node_name = "" };
	ev.u.wire_seg.seg.pkt = 7;
	ev.u.wire_seg.seg.ip_version = 4;
	memcpy(ev.u.wire_seg.seg.src, c, 4);
	memcpy(ev.u.wire_seg.seg.dst, sv, 4);
	ev.u.wire_seg.seg.flags = TCPF_PSH | TCPF_ACK;
	ev.u.wire_seg.info.conn = 1;
	live_model_event(lm, &ev);
	ev = (struct session_event){ .kind = SESSION_EV_DROPPED, .node = 0, .node_name = "server",
				     .text = "ACK", .text_len = 3 };
	live_model_event(lm, &ev);
	ev = (struct session_event){ .kind = SESSION_EV_HELD, .node = 1, .node_name = "client" };
	ev.u.count = 1;
	live_model_event(lm, &ev);

	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	tui_model_indexed(&m);
	tui_model_goto(&m, 7);
	char *replay7 = render(&m, 80, 24, false);
	m.live = true;
	m.lm = lm;
	char *s = render(&m, 80, 24, false);
	CHECK(s && replay7 && strcmp(s, replay7) != 0);
	if (s) {
		CHECK(strstr(s, "LOST") != NULL);
		CHECK(strstr(s, "\u00d7 \u2502") != NULL); /* the x short of the lifeline */
		CHECK(strstr(s, "Dropped at server by d") != NULL);
		CHECK(strstr(s, "(drop-next-in)") != NULL);
		if (!strstr(s, "Dropped at server by d"))
			fprintf(stderr, "%s", s);
	}
	free(s);
	/* with lwIP's note and the apps' output, the drop is said first, and
	 * neither the note nor the output writes over another line */
	snprintf(m.live_note, sizeof(m.live_note), "lwIP now: client ESTABLISHED, server "
		 "SYN_RCVD. Client: retransmission in 2.9 s (RTO 3.0 s). Server: "
		 "retransmission in 2.9 s (RTO 3.0 s).");
	m.noutput = 1;
	snprintf(m.output[0], sizeof(m.output[0]), "server: listening");
	s = render(&m, 80, 24, false);
	CHECK(s && strstr(s, "Dropped at server by d"));
	/* 80x24: the newest output line on one row, titled on it */
	CHECK(s && strstr(s, "│ Output: server: listening"));
	free(s);
	s = render(&m, 160, 50, false);
	CHECK(s && strstr(s, "Dropped at server by d"));
	CHECK(s && strstr(s, "lwIP now: client ESTABLISHED"));
	char *d = s ? strstr(s, "Dropped at server") : NULL, *l = s ? strstr(s, "lwIP now:") : NULL;
	CHECK(d && l && d < l);
	free(s);
	m.live_note[0] = 0;
	m.noutput = 0;
	/* another frame is not lost, and says nothing of it */
	tui_model_goto(&m, 8);
	s = render(&m, 80, 24, false);
	CHECK(s && !strstr(s, "dropped at") && strstr(s, "LOST"));
	free(s);
	/* at the end: the held frame below the last arrow, at the client */
	tui_model_goto(&m, 11);
	s = render(&m, 160, 50, false);
	CHECK(s && strstr(s, "\u2016 1 held at client (n sends it)"));
	free(s);
	/* the model gone: as a replay draws it */
	m.lm = NULL;
	m.live = false;
	tui_model_goto(&m, 7);
	s = render(&m, 80, 24, false);
	CHECK(s && replay7 && !strcmp(s, replay7));
	free(s);
	free(replay7);
	tui_model_finish(&m);
	replay_close(r);
	live_model_destroy(lm);
}

static void test_too_small_shows_only_the_notice(void)
{
	struct replay *r = open_demo("hello");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	tui_model_indexed(&m);
	static const int sizes[][2] = { { 79, 24 }, { 80, 23 }, { 20, 5 }, { 1, 1 }, { 0, 0 } };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *s = render(&m, sizes[i][0], sizes[i][1], false);
		CHECK(s != NULL);
		if (s && sizes[i][0] >= 30)
			CHECK(strstr(s, "terminal too small") != NULL);
		if (s)
			CHECK(strstr(s, "Connections") == NULL);
		free(s);
	}
	tui_model_finish(&m);
	replay_close(r);
}

static void test_filter_selects_matching_connections(void)
{
	struct replay *r = open_demo("hello");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	tui_model_indexed(&m);
	CHECK_INT_EQ(m.nvisible, 1);
	tui_model_set_filter(&m, "8888");
	CHECK_INT_EQ(m.nvisible, 1);
	tui_model_set_filter(&m, "192.0.2.99");
	CHECK_INT_EQ(m.nvisible, 0);
	CHECK(strstr(m.message, "no connection") != NULL);
	tui_model_set_filter(&m, "");
	CHECK_INT_EQ(m.nvisible, 1);
	tui_model_goto(&m, 10);
	tui_model_set_filter(&m, "TIME_WAIT");
	CHECK_INT_EQ(m.nvisible, 1);
	tui_model_goto(&m, 5);
	CHECK_INT_EQ(m.nvisible, 0); /* no endpoint in TIME_WAIT at the SYN */
	tui_model_finish(&m);
	replay_close(r);
}

/* The explanation is longer than its pane at 80x24: Down in that pane
 * scrolls it, a move of the position starts it at the top again. */
static void test_explanation_scrolls_in_its_pane(void)
{
	struct replay *r = open_demo("hello");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	tui_model_indexed(&m);
	tui_model_goto(&m, 5);
	char *before = render(&m, 80, 24, false);
	CHECK(m.explain_more);
	CHECK(before && strstr(before, "more: Tab to here") != NULL);
	while (m.pane != TUI_PANE_EXPLAIN)
		tui_model_key(&m, TUI_KEY_TAB);
	tui_model_key(&m, TUI_KEY_DOWN);
	CHECK_INT_EQ(m.explain_top, 1);
	CHECK_INT_EQ(m.sel, 1); /* Down scrolled, it did not select */
	char *after = render(&m, 80, 24, false);
	CHECK(before && after && strcmp(before, after) != 0);
	tui_model_key(&m, TUI_KEY_UP);
	CHECK_INT_EQ(m.explain_top, 0);
	tui_model_key(&m, TUI_KEY_DOWN);
	tui_model_goto(&m, 6);
	CHECK_INT_EQ(m.explain_top, 0);
	free(before);
	free(after);
	tui_model_finish(&m);
	replay_close(r);
}

static void test_japanese_refused_on_an_ascii_terminal(void)
{
	struct replay *r = open_demo("hello");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	m.ascii = true;
	tui_model_key(&m, 'L');
	CHECK(!m.ja);
	CHECK(strstr(m.message, "UTF-8") != NULL);
	m.ascii = false;
	tui_model_key(&m, 'L');
	CHECK(m.ja);
	tui_model_finish(&m);
	replay_close(r);
}

/* true when the explanation pane's last text row has text (frame 5 of
 * hello: no timer row). */
static bool explain_bottom_row_used(const struct grid *g, const struct tui_layout *lay)
{
	struct grid_rect r = lay->pane[TUI_PANE_EXPLAIN];
	int y = r.y + r.h - 2;
	for (int x = r.x + 2; x < r.x + r.w - 2; x++)
		if (grid_get(g, x, y).ch != ' ')
			return true;
	return false;
}

/* Down in the explanation scrolls to its very end, not half way: where it
 * stops, one row more would leave the pane's last row empty. */
static void test_explanation_scrolls_to_its_end(void)
{
	struct replay *r = open_demo("hello");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	tui_model_indexed(&m);
	tui_model_goto(&m, 5);
	while (m.pane != TUI_PANE_EXPLAIN)
		tui_model_key(&m, TUI_KEY_TAB);
	struct grid *g = grid_create(80, 24);
	struct tui_layout lay;
	CHECK(g != NULL);
	if (!g) {
		replay_close(r);
		return;
	}
	int last = -1;
	for (int i = 0; i < 100 && m.explain_top != last; i++) {
		last = m.explain_top;
		tui_view_draw(g, &m, &lay);
		tui_model_viewed(&m, &lay.view);
		tui_model_key(&m, TUI_KEY_DOWN);
	}
	CHECK(m.explain_top > 1);
	tui_view_draw(g, &m, &lay);
	CHECK(explain_bottom_row_used(g, &lay)); /* the end, on the last row */
	CHECK(!lay.view.explain_more);
	m.explain_top++;
	tui_view_draw(g, &m, &lay);
	CHECK(!explain_bottom_row_used(g, &lay)); /* nothing was left below */
	grid_destroy(g);
	tui_model_finish(&m);
	replay_close(r);
}

/* The view is pure: drawing leaves the model as it was, and what it worked
 * out (the scrolls, kept in range; more text below) comes back in the
 * layout, which tui_model_viewed stores. Also on a too-small screen, where
 * nothing is drawn: the scrolls are kept. */
static void test_view_leaves_the_model_alone(void)
{
	struct replay *r = open_demo("hello");
	CHECK(r != NULL);
	if (!r)
		return;
	struct tui_model m;
	tui_model_init(&m, r, "hello", 1000000000LL);
	tui_model_indexed(&m);
	tui_model_goto(&m, 5);
	m.conn_top = 7;      /* past the only connection, which is selected */
	m.explain_top = 99;  /* past the end of the explanation */
	m.explain_more = true;
	struct tui_model before;
	memcpy(&before, &m, sizeof(m)); /* padding too, for the memcmp below */
	struct grid *g = grid_create(80, 24);
	struct tui_layout lay;
	CHECK(g != NULL);
	if (!g) {
		replay_close(r);
		return;
	}
	tui_view_draw(g, &m, &lay);
	CHECK(memcmp(&before, &m, sizeof(m)) == 0);
	CHECK_INT_EQ(lay.view.conn_top, 0);  /* the selection back in view */
	CHECK(lay.view.explain_top > 0 && lay.view.explain_top < 99);
	CHECK(!lay.view.explain_more);       /* at its last line */
	char *first = grid_render_text(g, false);
	tui_model_viewed(&m, &lay.view);
	CHECK_INT_EQ(m.conn_top, 0);
	CHECK_INT_EQ(m.explain_top, lay.view.explain_top);
	CHECK(!m.explain_more);
	/* drawn again from the stored scrolls: the same screen */
	tui_view_draw(g, &m, &lay);
	char *second = grid_render_text(g, false);
	CHECK(first && second && strcmp(first, second) == 0);
	/* too small: nothing drawn, the scrolls kept */
	grid_resize(g, 60, 20);
	m.explain_top = 3;
	tui_view_draw(g, &m, &lay);
	CHECK(lay.too_small);
	CHECK_INT_EQ(lay.view.explain_top, 3);
	free(first);
	free(second);
	grid_destroy(g);
	tui_model_finish(&m);
	replay_close(r);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s SOURCE_ROOT GOLDEN_DIR\n", argv[0]);
		return 2;
	}
	src_root = argv[1];
	golden_dir = argv[2];
	explain_init(explain_localedir());
	explain_set_lang("en");
	RUN(test_hello_step_forward_and_back);
	RUN(test_goto_and_transition_keys);
	RUN(test_screen_same_by_jump_and_by_steps);
	RUN(test_golden_hello);
	RUN(test_golden_hello_ja);
	RUN(test_golden_abort);
	RUN(test_too_small_shows_only_the_notice);
	RUN(test_filter_selects_matching_connections);
	RUN(test_explanation_scrolls_in_its_pane);
	RUN(test_japanese_refused_on_an_ascii_terminal);
	RUN(test_view_leaves_the_model_alone);
	RUN(test_explanation_scrolls_to_its_end);
	RUN(test_live_lost_frame_and_held_frame);
	CHECK_EXIT();
}
