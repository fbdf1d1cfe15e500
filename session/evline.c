/* Node events to headless text (README "Live sessions"):
 *   app output     exactly as the app printed it, control bytes escaped
 *   state change   <node> <local> <remote> <FROM> -> <TO> (<cause>)
 *   playground     <node> #<id> received: <text> / connected / ... */
#include "evline.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "textesc.h"

/* Decodes a free-text word and makes it terminal-safe; -1 if the word is
 * not valid protocol text. */
static int text_word(char *dst, size_t size, const char *word)
{
	char raw[CTLMSG_LINE_MAX + 1];
	size_t len;

	if (ctlmsg_text_decode(raw, sizeof raw, word, &len) < 0)
		return -1;
	textesc_escape(dst, size, raw, len, 0);
	return 0;
}

/* "-" (unspecified) is 0.0.0.0:0, the way the contract shows a listener's
 * remote end; anything else must be a valid a.b.c.d:port. */
static int addr_word(char *dst, size_t size, const char *w)
{
	uint32_t a;
	uint16_t p;

	if (!strcmp(w, "-")) {
		snprintf(dst, size, "0.0.0.0:0");
		return 0;
	}
	if (ctlmsg_parse_addrport(w, true, &a, &p) < 0)
		return -1;
	ctlmsg_format_addrport(dst, a, p);
	return 0;
}

static int id_word(char *dst, size_t size, const char *w)
{
	uint64_t v;

	if (ctlmsg_parse_uint(w, UINT32_MAX, &v) < 0)
		return -1;
	snprintf(dst, size, "%llu", (unsigned long long)v);
	return 0;
}

#define BAD(msg)                                                             \
	do {                                                                 \
		*why = (msg);                                                \
		return -1;                                                   \
	} while (0)

static int parse_state(struct evline *ev, const char *node, char **w, int nw,
		       const char **why)
{
	uint64_t t;
	char cause[EVLINE_TEXT_MAX / 2];

	if (nw != 7)
		BAD("a state event has 6 words");
	if (ctlmsg_parse_uint(w[1], UINT64_MAX, &t) < 0)
		BAD("bad time in a state event");
	if (addr_word(ev->local, sizeof ev->local, w[2]) < 0 ||
	    addr_word(ev->remote, sizeof ev->remote, w[3]) < 0)
		BAD("bad address in a state event");
	if (tcpstate_from_str(w[4], &ev->from) < 0 ||
	    tcpstate_from_str(w[5], &ev->to) < 0)
		BAD("unknown TCP state in a state event");
	if (text_word(cause, sizeof cause, w[6]) < 0)
		BAD("bad cause text in a state event");
	ev->kind = EVLINE_STATE;
	snprintf(ev->text, sizeof ev->text, "%s %s %s %s -> %s (%s)", node,
		 ev->local, ev->remote, tcpstate_to_str(ev->from),
		 tcpstate_to_str(ev->to), cause);
	return 0;
}

static int parse_play(struct evline *ev, const char *node, char **w, int nw,
		      const char **why)
{
	char id[16], text[EVLINE_TEXT_MAX / 2];
	bool with_text = !strcmp(w[0], "data") || !strcmp(w[0], "conn-error");

	if (nw != (with_text ? 3 : 2))
		BAD("wrong number of words in a connection event");
	if (id_word(id, sizeof id, w[1]) < 0)
		BAD("bad connection id");
	if (with_text && text_word(text, sizeof text, w[2]) < 0)
		BAD("bad text in a connection event");
	ev->kind = EVLINE_PLAY;
	if (!strcmp(w[0], "data"))
		snprintf(ev->text, sizeof ev->text, "%s #%s received: %s", node,
			 id, text);
	else if (!strcmp(w[0], "conn-error"))
		snprintf(ev->text, sizeof ev->text, "%s #%s error: %s", node,
			 id, text);
	else if (!strcmp(w[0], "eof"))
		snprintf(ev->text, sizeof ev->text,
			 "%s #%s end of stream (FIN received)", node, id);
	else
		snprintf(ev->text, sizeof ev->text, "%s #%s connected", node,
			 id);
	return 0;
}

int evline_parse(struct evline *ev, const char *node, char *line, size_t len,
		 const char **why)
{
	char *w[CTLMSG_MAX_WORDS];
	int nw = ctlmsg_split(line, len, w, CTLMSG_MAX_WORDS);
	uint64_t v;

	ev->kind = EVLINE_OTHER;
	ev->text[0] = '\0';
	if (nw < 1)
		BAD("not a protocol line (empty, bad spacing or a raw control "
		    "or non-ASCII byte)");
	if (!strcmp(w[0], "out")) {
		if (nw != 2)
			BAD("an out event has 1 word");
		if (text_word(ev->text, sizeof ev->text, w[1]) < 0)
			BAD("bad text in an out event");
		ev->kind = EVLINE_OUT;
	} else if (!strcmp(w[0], "state")) {
		return parse_state(ev, node, w, nw, why);
	} else if (!strcmp(w[0], "data") || !strcmp(w[0], "conn-error") ||
		   !strcmp(w[0], "eof") || !strcmp(w[0], "connected")) {
		return parse_play(ev, node, w, nw, why);
	} else if (!strcmp(w[0], "hello")) {
		ev->kind = EVLINE_HELLO;
	} else if (!strcmp(w[0], "app-done")) {
		if (nw != 2 || ctlmsg_parse_uint(w[1], 255, &v) < 0)
			BAD("app-done wants a status 0..255");
		ev->kind = EVLINE_APP_DONE;
		ev->status = (int)v;
	} else if (!strcmp(w[0], "conn")) {
		if (nw != 4 || id_word(ev->id, sizeof ev->id, w[1]) < 0)
			BAD("conn wants ID LOCAL REMOTE");
		ev->listener = !strcmp(w[3], "-");
		ev->kind = EVLINE_CONN;
	} else if (!strcmp(w[0], "ok")) {
		if (nw != 2 || strlen(w[1]) >= sizeof ev->verb)
			BAD("ok wants the VERB it answers");
		snprintf(ev->verb, sizeof ev->verb, "%s", w[1]);
		ev->kind = EVLINE_OK;
	} else if (!strcmp(w[0], "error")) {
		char text[EVLINE_TEXT_MAX / 2];

		if (nw < 2 || nw > 3)
			BAD("error wants KEY [TEXT]");
		if (nw == 3 && text_word(text, sizeof text, w[2]) < 0)
			BAD("bad text in an error event");
		snprintf(ev->text, sizeof ev->text, "%s%s%s", w[1],
			 nw == 3 ? ": " : "", nw == 3 ? text : "");
		ev->kind = EVLINE_ERROR;
	}
	/* Anything else (held, clock, conns, and events newer than this
	 * controller) is valid and prints nothing. */
	return 0;
}
