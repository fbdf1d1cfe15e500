/* The replay UI's model: position, selection, options, and the one table of
 * key actions. See tui_model.h. */
#include "tui_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "tcpstate.h"

void tui_model_init(struct tui_model *m, struct replay *rp, const char *title,
		    int64_t msl_ns)
{
	memset(m, 0, sizeof(*m));
	m->rp = rp;
	m->title = title;
	m->msl_ns = msl_ns > 0 ? msl_ns : 60000000000LL;
	m->speed = 1.0;
	m->pane = TUI_PANE_LADDER;
	m->visible_for_pos_bucket = -1;
}

void tui_model_finish(struct tui_model *m)
{
	free(m->visible);
	m->visible = NULL;
	m->nvisible = m->cap_visible = 0;
}

static void say(struct tui_model *m, const char *msg)
{
	snprintf(m->message, sizeof(m->message), "%s", msg);
}

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

bool tui_model_conn_matches(const struct tui_model *m, uint64_t conn)
{
	if (!m->filter[0])
		return true;
	struct replay_conn c;
	if (!replay_conn_info(m->rp, conn, &c))
		return false;
	char buf[80];
	for (int e = 0; e < 2; e++) {
		output_format_endpoint(buf, sizeof(buf), c.ip_version, c.addr[e], c.port[e]);
		if (contains(buf, m->filter))
			return true;
	}
	struct replay_conn_at at;
	if (m->pos && replay_conn_at(m->rp, conn, m->pos, &at))
		for (int e = 0; e < 2; e++)
			if (contains(tcpstate_to_str(at.state[e]), m->filter))
				return true;
	char id[24];
	snprintf(id, sizeof(id), "%llu", (unsigned long long)conn);
	return strcmp(id, m->filter) == 0;
}

/* The list is rebuilt when connections were added, or (with a filter, which
 * matches states too) when the position moved. */
static void rebuild_visible(struct tui_model *m)
{
	uint64_t n = replay_conns(m->rp);
	int64_t bucket = m->filter[0] ? (int64_t)m->pos : 0;
	if (n == m->visible_for_conns && bucket == m->visible_for_pos_bucket)
		return;
	if (n > m->cap_visible) {
		uint64_t cap = m->cap_visible ? m->cap_visible : 64;
		while (cap < n)
			cap *= 2;
		uint64_t *v = realloc(m->visible, cap * sizeof(*v));
		if (!v)
			return; /* keep the old list; try again next time */
		m->visible = v;
		m->cap_visible = cap;
	}
	m->nvisible = 0;
	for (uint64_t id = 1; id <= n; id++)
		if (tui_model_conn_matches(m, id))
			m->visible[m->nvisible++] = id;
	m->visible_for_conns = n;
	m->visible_for_pos_bucket = bucket;
}

static uint64_t visible_index(const struct tui_model *m, uint64_t conn)
{
	for (uint64_t i = 0; i < m->nvisible; i++)
		if (m->visible[i] == conn)
			return i;
	return UINT64_MAX;
}

unsigned tui_model_indexed(struct tui_model *m)
{
	unsigned r = 0;
	uint64_t frames = replay_frames(m->rp);
	if (!m->pos && frames) {
		m->pos = 1;
		r |= TUI_REDRAW;
	}
	uint64_t before = m->nvisible;
	rebuild_visible(m);
	if (m->nvisible != before)
		r |= TUI_REDRAW;
	if (!m->sel && m->nvisible) {
		m->sel = m->visible[0];
		r |= TUI_REDRAW;
	}
	return r;
}

unsigned tui_model_goto(struct tui_model *m, uint64_t pkt)
{
	uint64_t frames = replay_frames(m->rp);
	if (!frames)
		return 0;
	if (pkt < 1)
		pkt = 1;
	if (pkt > frames)
		pkt = frames;
	if (pkt == m->pos)
		return TUI_HANDLED;
	m->pos = pkt;
	m->explain_top = 0;
	if (m->filter[0])
		rebuild_visible(m);
	return TUI_HANDLED | TUI_REDRAW;
}

unsigned tui_model_step_any(struct tui_model *m, int dir)
{
	uint64_t frames = replay_frames(m->rp);
	if (!frames)
		return 0;
	uint64_t to = m->pos;
	if (dir > 0 && to < frames)
		to++;
	else if (dir < 0 && to > 1)
		to--;
	else
		return TUI_HANDLED;
	unsigned r = tui_model_goto(m, to);
	uint64_t c = replay_frame_conn(m->rp, to);
	if (c && c != m->sel)
		r |= tui_model_select_conn(m, c);
	return r;
}

unsigned tui_model_step(struct tui_model *m, int dir)
{
	if (!m->sel)
		return tui_model_step_any(m, dir);
	uint64_t n = replay_conn_frames(m->rp, m->sel);
	if (!n)
		return tui_model_step_any(m, dir);
	uint64_t i = replay_conn_frame_lower(m->rp, m->sel, m->pos);
	/* i: first frame of the connection at or after pos */
	if (dir > 0) {
		if (i < n && replay_conn_frame(m->rp, m->sel, i) == m->pos)
			i++;
		if (i >= n) {
			say(m, "last segment of this connection");
			return TUI_HANDLED | TUI_REDRAW;
		}
	} else {
		if (i == 0) {
			if (m->pos != 1)
				return tui_model_goto(m, 1);
			say(m, "first frame");
			return TUI_HANDLED | TUI_REDRAW;
		}
		i--;
	}
	return tui_model_goto(m, replay_conn_frame(m->rp, m->sel, i));
}

unsigned tui_model_transition(struct tui_model *m, int dir, bool any)
{
	uint64_t conn = any ? 0 : m->sel;
	uint64_t to = dir > 0 ? replay_next_transition(m->rp, conn, m->pos)
			      : replay_prev_transition(m->rp, conn, m->pos);
	if (!to) {
		say(m, dir > 0 ? "no later state change" : "no earlier state change");
		return TUI_HANDLED | TUI_REDRAW;
	}
	unsigned r = tui_model_goto(m, to);
	if (any) {
		uint64_t c = replay_frame_conn(m->rp, to);
		if (c)
			r |= tui_model_select_conn(m, c);
	}
	return r;
}

unsigned tui_model_select_conn(struct tui_model *m, uint64_t conn)
{
	if (conn == m->sel)
		return TUI_HANDLED;
	m->sel = conn;
	m->explain_top = 0;
	return TUI_HANDLED | TUI_REDRAW;
}

unsigned tui_model_select(struct tui_model *m, int delta)
{
	rebuild_visible(m);
	if (!m->nvisible)
		return TUI_HANDLED;
	uint64_t i = visible_index(m, m->sel);
	if (i == UINT64_MAX)
		i = 0;
	else if (delta < 0)
		i = (uint64_t)-delta > i ? 0 : i + (uint64_t)(int64_t)delta;
	else
		i = i + (uint64_t)delta >= m->nvisible ? m->nvisible - 1 : i + (uint64_t)delta;
	return tui_model_select_conn(m, m->visible[i]);
}

unsigned tui_model_set_filter(struct tui_model *m, const char *filter)
{
	snprintf(m->filter, sizeof(m->filter), "%s", filter);
	m->visible_for_conns = UINT64_MAX; /* force a rebuild */
	rebuild_visible(m);
	if (m->nvisible && visible_index(m, m->sel) == UINT64_MAX)
		m->sel = m->visible[0];
	m->conn_top = 0;
	if (filter[0] && !m->nvisible)
		say(m, "no connection matches the filter");
	return TUI_HANDLED | TUI_REDRAW;
}

int64_t tui_model_play_delay_ns(const struct tui_model *m)
{
	if (!m->playing || !m->pos || m->pos >= replay_frames(m->rp))
		return -1;
	int64_t gap = replay_frame_time(m->rp, m->pos + 1) - replay_frame_time(m->rp, m->pos);
	if (gap < 0)
		gap = 0; /* captures are not always in time order */
	double real = (double)gap / m->speed;
	if (real > (double)TUI_MAX_GAP_NS)
		real = (double)TUI_MAX_GAP_NS;
	return (int64_t)real;
}

unsigned tui_model_play_tick(struct tui_model *m)
{
	if (!m->playing)
		return 0;
	uint64_t frames = replay_frames(m->rp);
	if (m->pos >= frames) {
		m->playing = replay_index_done(m->rp) ? false : m->playing;
		if (!m->playing)
			say(m, "end of capture");
		return TUI_REDRAW;
	}
	int64_t gap = replay_frame_time(m->rp, m->pos + 1) - replay_frame_time(m->rp, m->pos);
	m->gap_cut = (double)gap / m->speed > (double)TUI_MAX_GAP_NS;
	unsigned r = tui_model_step_any(m, 1);
	if (m->gap_cut) {
		snprintf(m->message, sizeof(m->message),
			 "a gap of %.1f s in the capture was shortened to %.0f s",
			 (double)gap / 1e9, (double)TUI_MAX_GAP_NS / 1e9);
	}
	return r | TUI_REDRAW;
}

unsigned tui_model_toggle_play(struct tui_model *m)
{
	m->playing = !m->playing;
	if (m->playing && m->pos >= replay_frames(m->rp) && replay_index_done(m->rp))
		m->pos = 1; /* play again from the start */
	return TUI_HANDLED | TUI_REDRAW;
}

static const double speeds[] = { 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100 };

unsigned tui_model_speed(struct tui_model *m, int dir)
{
	size_t n = sizeof(speeds) / sizeof(speeds[0]), i = 0;
	while (i + 1 < n && speeds[i] < m->speed - 1e-9)
		i++;
	if (dir > 0 && i + 1 < n && speeds[i] <= m->speed + 1e-9)
		i++;
	else if (dir < 0 && i > 0)
		i--;
	m->speed = speeds[i];
	return TUI_HANDLED | TUI_REDRAW;
}

/* --- Keys ---------------------------------------------------------------- */

static unsigned act_next(struct tui_model *m) { return tui_model_step(m, 1); }
static unsigned act_prev(struct tui_model *m) { return tui_model_step(m, -1); }
static unsigned act_next_any(struct tui_model *m) { return tui_model_step_any(m, 1); }
static unsigned act_prev_any(struct tui_model *m) { return tui_model_step_any(m, -1); }
static unsigned act_play(struct tui_model *m) { return tui_model_toggle_play(m); }
static unsigned act_faster(struct tui_model *m) { return tui_model_speed(m, 1); }
static unsigned act_slower(struct tui_model *m) { return tui_model_speed(m, -1); }
static unsigned act_first(struct tui_model *m) { return tui_model_goto(m, 1); }
static unsigned act_last(struct tui_model *m) { return tui_model_goto(m, replay_frames(m->rp)); }
static unsigned act_next_tr(struct tui_model *m) { return tui_model_transition(m, 1, false); }
static unsigned act_prev_tr(struct tui_model *m) { return tui_model_transition(m, -1, false); }
static unsigned act_next_tr_any(struct tui_model *m) { return tui_model_transition(m, 1, true); }
static unsigned act_prev_tr_any(struct tui_model *m) { return tui_model_transition(m, -1, true); }
/* Up / Down select a connection, or scroll the explanation in its pane. */
static unsigned act_up(struct tui_model *m)
{
	if (m->pane != TUI_PANE_EXPLAIN)
		return tui_model_select(m, -1);
	if (m->explain_top > 0)
		m->explain_top--;
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_down(struct tui_model *m)
{
	if (m->pane != TUI_PANE_EXPLAIN)
		return tui_model_select(m, 1);
	if (m->explain_more)
		m->explain_top++;
	return TUI_HANDLED | TUI_REDRAW;
}
static unsigned act_pgup(struct tui_model *m) { return tui_model_select(m, -10); }
static unsigned act_pgdn(struct tui_model *m) { return tui_model_select(m, 10); }

static unsigned act_pane(struct tui_model *m)
{
	m->pane = (enum tui_pane)((m->pane + 1) % TUI_PANE_COUNT);
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_pane_back(struct tui_model *m)
{
	m->pane = (enum tui_pane)((m->pane + TUI_PANE_COUNT - 1) % TUI_PANE_COUNT);
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_absolute(struct tui_model *m)
{
	m->absolute = !m->absolute;
	say(m, m->absolute ? "absolute sequence numbers" : "relative sequence numbers");
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_future(struct tui_model *m)
{
	m->hide_future = !m->hide_future;
	say(m, m->hide_future ? "segments after the position hidden"
			      : "segments after the position dimmed");
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_lang(struct tui_model *m)
{
	if (!m->ja && m->ascii) {
		say(m, "Japanese needs a UTF-8 terminal: LANG=C.UTF-8, or --lang ja");
		return TUI_HANDLED | TUI_REDRAW;
	}
	m->ja = !m->ja;
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_help(struct tui_model *m)
{
	m->help = !m->help;
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_goto(struct tui_model *m)
{
	m->prompt = TUI_PROMPT_GOTO;
	m->input[0] = 0;
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_filter(struct tui_model *m)
{
	m->prompt = TUI_PROMPT_FILTER;
	snprintf(m->input, sizeof(m->input), "%s", m->filter);
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_quit(struct tui_model *m)
{
	(void)m;
	return TUI_HANDLED | TUI_QUIT;
}

struct tui_action {
	int key, key2, key3;
	unsigned (*fn)(struct tui_model *m);
	const char *keys, *what;
};

/* The one table of keys (htop's Action.c): the help screen is made from it. */
static const struct tui_action actions[] = {
	{ TUI_KEY_RIGHT, 'n', 0, act_next, "Right n", "one segment forward (selected connection)" },
	{ TUI_KEY_LEFT, 'p', 0, act_prev, "Left p", "one segment back" },
	{ TUI_KEY_SRIGHT, 'N', 0, act_next_any, "N", "one frame forward (any connection)" },
	{ TUI_KEY_SLEFT, 'P', 0, act_prev_any, "P", "one frame back (any connection)" },
	{ ' ', 0, 0, act_play, "Space", "play / pause in capture time" },
	{ '+', '=', 0, act_faster, "+ -", "play faster / slower (0.1x to 100x)" },
	{ '-', '_', 0, act_slower, NULL, NULL },
	{ TUI_KEY_HOME, 0, 0, act_first, "Home End", "first / last frame" },
	{ TUI_KEY_END, 0, 0, act_last, NULL, NULL },
	{ 'g', 0, 0, act_goto, "g", "go to frame N" },
	{ ']', 0, 0, act_next_tr, "] [", "next / previous state change of the connection" },
	{ '[', 0, 0, act_prev_tr, NULL, NULL },
	{ '}', 0, 0, act_next_tr_any, "} {", "next / previous state change of any connection" },
	{ '{', 0, 0, act_prev_tr_any, NULL, NULL },
	{ TUI_KEY_UP, 'k', 0, act_up, "Up Down", "select a connection (in the explanation: scroll it)" },
	{ TUI_KEY_DOWN, 'j', 0, act_down, NULL, NULL },
	{ TUI_KEY_PGUP, 0, 0, act_pgup, "PgUp PgDn", "select ten connections up / down" },
	{ TUI_KEY_PGDN, 0, 0, act_pgdn, NULL, NULL },
	{ TUI_KEY_TAB, 0, 0, act_pane, "Tab", "next pane" },
	{ TUI_KEY_BTAB, 0, 0, act_pane_back, NULL, NULL },
	{ 'a', 0, 0, act_absolute, "a", "absolute / relative sequence numbers" },
	{ 'f', 0, 0, act_future, "f", "segments after the position: dimmed / hidden" },
	{ '/', 0, 0, act_filter, "/", "filter connections (address, port, state)" },
	{ 'L', 0, 0, act_lang, "L", "English / Japanese explanations" },
	{ '?', 'h', 0, act_help, "? h", "this help" },
	{ 'q', 'Q', 0, act_quit, "q", "quit" },
};

bool tui_model_keyhelp(unsigned i, struct tui_keyhelp *out)
{
	for (size_t k = 0; k < sizeof(actions) / sizeof(actions[0]); k++) {
		if (!actions[k].keys)
			continue;
		if (i-- == 0) {
			*out = (struct tui_keyhelp){ actions[k].keys, actions[k].what };
			return true;
		}
	}
	return false;
}

static unsigned prompt_key(struct tui_model *m, int key)
{
	size_t len = strlen(m->input);
	if (key == TUI_KEY_ESC) {
		m->prompt = TUI_PROMPT_NONE;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_BACKSPACE || key == 127 || key == 8) {
		if (len)
			m->input[len - 1] = 0;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_ENTER || key == '\n' || key == '\r') {
		enum tui_prompt p = m->prompt;
		m->prompt = TUI_PROMPT_NONE;
		if (p == TUI_PROMPT_FILTER)
			return tui_model_set_filter(m, m->input);
		if (p == TUI_PROMPT_COMMAND) {
			m->command_ready = m->input[0] != 0;
			return TUI_HANDLED | TUI_REDRAW;
		}
		char *end;
		unsigned long long n = strtoull(m->input, &end, 10);
		if (!m->input[0] || *end || m->input[0] == '-' || n == 0 ||
		    n > replay_frames(m->rp)) {
			snprintf(m->message, sizeof(m->message),
				 "no frame '%.20s': give a number from 1 to %llu", m->input,
				 (unsigned long long)replay_frames(m->rp));
			return TUI_HANDLED | TUI_REDRAW;
		}
		unsigned r = tui_model_goto(m, n);
		uint64_t c = replay_frame_conn(m->rp, n);
		if (c)
			r |= tui_model_select_conn(m, c);
		return r | TUI_REDRAW;
	}
	bool ok = m->prompt == TUI_PROMPT_GOTO ? (key >= '0' && key <= '9')
					       : (key >= 0x20 && key < 0x7f);
	if (ok && len + 1 < sizeof(m->input)) {
		m->input[len] = (char)key;
		m->input[len + 1] = 0;
	}
	return TUI_HANDLED | TUI_REDRAW;
}

unsigned tui_model_command_prompt(struct tui_model *m, const char *label,
				  const char *initial)
{
	m->prompt = TUI_PROMPT_COMMAND;
	snprintf(m->prompt_label, sizeof(m->prompt_label), "%s", label);
	snprintf(m->input, sizeof(m->input), "%s", initial);
	m->command_ready = false;
	return TUI_HANDLED | TUI_REDRAW;
}

unsigned tui_model_key(struct tui_model *m, int key)
{
	m->message[0] = 0;
	if (m->prompt != TUI_PROMPT_NONE)
		return prompt_key(m, key);
	if (m->help && key != 'q' && key != 'Q') {
		/* Up / Down / PgUp / PgDn scroll a help taller than the
		 * terminal; any other key closes it */
		int step = key == TUI_KEY_DOWN ? 1 : key == TUI_KEY_PGDN ? 10
			   : key == TUI_KEY_UP ? -1 : key == TUI_KEY_PGUP ? -10 : 0;
		if (step > 0 && m->help_more)
			m->help_top += step;
		else if (step < 0)
			m->help_top = m->help_top + step > 0 ? m->help_top + step : 0;
		else if (!step) {
			m->help = false;
			m->help_top = 0;
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		const struct tui_action *a = &actions[i];
		if (key == a->key || (a->key2 && key == a->key2) || (a->key3 && key == a->key3))
			return a->fn(m) | TUI_HANDLED;
	}
	return TUI_IGNORED;
}

void tui_model_viewed(struct tui_model *m, const struct tui_view_state *v)
{
	m->conn_top = v->conn_top;
	m->explain_top = v->explain_top;
	m->explain_more = v->explain_more;
	m->help_top = v->help_top;
	m->help_more = v->help_more;
}
