/* Node event lines to typed events (evline.h). Every word is checked: a
 * node is another process, and what it sends is outside input. */
#include "evline.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A free-text word, decoded into text. */
static int text_word(struct session_event *ev, char *text, const char *word)
{
	size_t len;

	if (ctlmsg_text_decode(text, EVLINE_TEXT_MAX, word, &len) < 0)
		return -1;
	ev->text = text;
	ev->text_len = len;
	return 0;
}

/* "-" (unspecified) is 0.0.0.0:0, the way the contract shows a listener's
 * remote end; anything else must be a valid a.b.c.d:port. */
static int addr_word(char dst[SESSION_ADDR_MAX], const char *w)
{
	uint32_t a;
	uint16_t p;

	if (!strcmp(w, "-")) {
		snprintf(dst, SESSION_ADDR_MAX, "0.0.0.0:0");
		return 0;
	}
	if (ctlmsg_parse_addrport(w, true, &a, &p) < 0)
		return -1;
	ctlmsg_format_addrport(dst, a, p);
	return 0;
}

static int u32_word(const char *w, uint32_t *out)
{
	uint64_t v;

	if (ctlmsg_parse_uint(w, UINT32_MAX, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int time_word(const char *w, uint64_t *out)
{
	return ctlmsg_parse_uint(w, UINT64_MAX, out);
}

#define BAD(msg)                                                             \
	do {                                                                 \
		ev->kind = SESSION_EV_NODE_MALFORMED;                        \
		ev->text = (msg);                                            \
		ev->text_len = strlen(msg);                                  \
		return -1;                                                   \
	} while (0)

static int parse_state(struct session_event *ev, char **w, int nw, char *text)
{
	if (nw != 7)
		BAD("a state event has 6 words");
	if (time_word(w[1], &ev->vtime_ms) < 0)
		BAD("bad time in a state event");
	if (addr_word(ev->u.state.local, w[2]) < 0 ||
	    addr_word(ev->u.state.remote, w[3]) < 0)
		BAD("bad address in a state event");
	if (tcpstate_from_str(w[4], &ev->u.state.from) < 0 ||
	    tcpstate_from_str(w[5], &ev->u.state.to) < 0)
		BAD("unknown TCP state in a state event");
	if (text_word(ev, text, w[6]) < 0)
		BAD("bad cause text in a state event");
	ev->kind = SESSION_EV_NODE_STATE;
	return 0;
}

static int parse_play(struct session_event *ev, char **w, int nw, char *text)
{
	bool with_text = !strcmp(w[0], "data") || !strcmp(w[0], "conn-error");

	if (nw != (with_text ? 3 : 2))
		BAD("wrong number of words in a connection event");
	if (u32_word(w[1], &ev->u.play.id) < 0)
		BAD("bad connection id");
	if (with_text && text_word(ev, text, w[2]) < 0)
		BAD("bad text in a connection event");
	if (!strcmp(w[0], "data"))
		ev->u.play.what = SESSION_PLAY_DATA;
	else if (!strcmp(w[0], "conn-error"))
		ev->u.play.what = SESSION_PLAY_ERROR;
	else if (!strcmp(w[0], "eof"))
		ev->u.play.what = SESSION_PLAY_EOF;
	else
		ev->u.play.what = SESSION_PLAY_CONNECTED;
	ev->kind = SESSION_EV_PLAY;
	return 0;
}

/* clock T running|paused SPEED NEXT */
static int parse_clock(struct session_event *ev, char **w, int nw)
{
	if (nw != 5 || time_word(w[1], &ev->vtime_ms) < 0)
		BAD("clock wants T running|paused SPEED NEXT");
	if (!strcmp(w[2], "running"))
		ev->u.clock.running = true;
	else if (strcmp(w[2], "paused"))
		BAD("clock wants running or paused");
	if (ctlmsg_parse_decimal(w[3], 0, 1000, &ev->u.clock.speed) < 0)
		BAD("bad speed in a clock event");
	ev->u.clock.has_next = strcmp(w[4], "-") != 0;
	if (ev->u.clock.has_next && time_word(w[4], &ev->u.clock.next_ms) < 0)
		BAD("bad next deadline in a clock event");
	ev->kind = SESSION_EV_CLOCK;
	return 0;
}

/* A deadline word: node ms, or "-" (not armed). */
static int deadline_word(const char *w, int64_t *out)
{
	uint64_t v;

	if (!strcmp(w, "-")) {
		*out = -1;
		return 0;
	}
	if (ctlmsg_parse_uint(w, INT64_MAX, &v) < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* timers T LOCAL REMOTE RTO RTX PERSIST KEEPALIVE DELACK TIMEWAIT */
static int parse_timers(struct session_event *ev, char **w, int nw)
{
	struct session_timers *t = &ev->u.timers;

	if (nw != 10 || time_word(w[1], &ev->vtime_ms) < 0 ||
	    addr_word(t->local, w[2]) < 0 || addr_word(t->remote, w[3]) < 0 ||
	    u32_word(w[4], &t->rto_ms) < 0 || deadline_word(w[5], &t->rtx) < 0 ||
	    deadline_word(w[6], &t->persist) < 0 ||
	    deadline_word(w[7], &t->keepalive) < 0 ||
	    deadline_word(w[8], &t->delack) < 0 ||
	    deadline_word(w[9], &t->timewait) < 0)
		BAD("timers wants T LOCAL REMOTE RTO RTX PERSIST KEEPALIVE "
		    "DELACK TIMEWAIT");
	ev->kind = SESSION_EV_TIMERS;
	return 0;
}

static int parse_other(struct session_event *ev, char **w, int nw, char *text)
{
	if (!strcmp(w[0], "hello")) {
		/* NAME IP MAC: the name is the one the session gave. */
		if (nw != 4)
			BAD("hello wants NAME IP MAC");
		ev->kind = SESSION_EV_NODE_STARTED;
	} else if (!strcmp(w[0], "app-done")) {
		uint64_t v;

		if (nw != 2 || ctlmsg_parse_uint(w[1], 255, &v) < 0)
			BAD("app-done wants a status 0..255");
		ev->kind = SESSION_EV_APP_DONE;
		ev->u.status = (int)v;
	} else if (!strcmp(w[0], "conn")) {
		if (nw != 4 || u32_word(w[1], &ev->u.conn.id) < 0 ||
		    addr_word(ev->u.conn.local, w[2]) < 0 ||
		    addr_word(ev->u.conn.remote, w[3]) < 0)
			BAD("conn wants ID LOCAL REMOTE");
		ev->u.conn.listener = !strcmp(w[3], "-");
		ev->kind = SESSION_EV_CONN;
	} else if (!strcmp(w[0], "conns") || !strcmp(w[0], "held")) {
		if (nw != 2 || u32_word(w[1], &ev->u.count) < 0)
			BAD("conns and held want a count");
		ev->kind = w[0][0] == 'c' ? SESSION_EV_CONNS : SESSION_EV_HELD;
	} else if (!strcmp(w[0], "dropped")) {
		if (nw != 3 || time_word(w[1], &ev->vtime_ms) < 0 ||
		    text_word(ev, text, w[2]) < 0)
			BAD("dropped wants T WHAT");
		ev->kind = SESSION_EV_DROPPED;
	} else if (!strcmp(w[0], "fired")) {
		ev->u.count = 1;
		if (nw < 3 || nw > 4 || time_word(w[1], &ev->vtime_ms) < 0 ||
		    text_word(ev, text, w[2]) < 0 ||
		    (nw == 4 && u32_word(w[3], &ev->u.count) < 0))
			BAD("fired wants T NAME [COUNT]");
		ev->kind = SESSION_EV_FIRED;
	} else if (!strcmp(w[0], "clock")) {
		return parse_clock(ev, w, nw);
	} else if (!strcmp(w[0], "timers")) {
		return parse_timers(ev, w, nw);
	} else if (!strcmp(w[0], "ok")) {
		if (nw != 2 || strlen(w[1]) >= sizeof ev->u.answer.verb)
			BAD("ok wants the VERB it answers");
		snprintf(ev->u.answer.verb, sizeof ev->u.answer.verb, "%s", w[1]);
		ev->u.answer.ok = true;
		ev->kind = SESSION_EV_ANSWER;
	} else if (!strcmp(w[0], "error")) {
		if (nw < 2 || nw > 3 || strlen(w[1]) >= sizeof ev->u.answer.key)
			BAD("error wants KEY [TEXT]");
		if (nw == 3 && text_word(ev, text, w[2]) < 0)
			BAD("bad text in an error event");
		snprintf(ev->u.answer.key, sizeof ev->u.answer.key, "%s", w[1]);
		ev->kind = SESSION_EV_ANSWER;
	}
	/* Anything else (events newer than this controller) is valid and
	 * stays SESSION_EV_NODE_OTHER. */
	return 0;
}

int evline_parse(struct session_event *ev, char *line, size_t len,
		 char text[EVLINE_TEXT_MAX])
{
	char *w[CTLMSG_MAX_WORDS];
	int nw = ctlmsg_split(line, len, w, CTLMSG_MAX_WORDS);

	ev->kind = SESSION_EV_NODE_OTHER;
	ev->text = "";
	ev->text_len = 0;
	ev->vtime_ms = 0;
	memset(&ev->u, 0, sizeof ev->u);
	if (nw < 1)
		BAD("not a protocol line (empty, bad spacing or a raw control "
		    "or non-ASCII byte)");
	if (!strcmp(w[0], "out")) {
		if (nw != 2)
			BAD("an out event has 1 word");
		if (text_word(ev, text, w[1]) < 0)
			BAD("bad text in an out event");
		ev->kind = SESSION_EV_APP_OUT;
		return 0;
	}
	if (!strcmp(w[0], "state"))
		return parse_state(ev, w, nw, text);
	if (!strcmp(w[0], "data") || !strcmp(w[0], "conn-error") ||
	    !strcmp(w[0], "eof") || !strcmp(w[0], "connected"))
		return parse_play(ev, w, nw, text);
	return parse_other(ev, w, nw, text);
}
