/* The replay UI's loop. See tui.h.
 *
 * The session engine's loop (session/loop.c), with the terminal and a
 * signalfd registered on it (SIGINT, SIGTERM, SIGHUP, SIGWINCH are blocked
 * and read there, so no handler ever runs curses code); a live session
 * registers its own fds on the same loop. Before each sleep: index one
 * slice of the capture if it is not done (so a big file never freezes the
 * screen), move the play position when due, and redraw once if anything
 * changed and 50 ms have passed since the last redraw; then one timer for
 * the next of those moments. The loop sleeps until a key, a signal or that
 * timer; it never polls in slices when idle. */
#define _GNU_SOURCE
#include "tui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "explain.h"
#include "grid.h"
#include "live_model.h"
#include "loop.h"
#include "replay.h"
#include "session.h"
#include "term.h"
#include "textesc.h"
#include "tui_model.h"
#include "tui_view.h"

/* Redraws are at least this far apart. Replay: 50 ms, at most 20 a second.
 * Live, a frame captured must be on the screen within 50 ms; one arriving
 * just after a redraw waits one interval, then the capture's block timeout
 * (1 ms, rounded up to a jiffy), the indexing and the draw: in
 * bench/live_flood a 50 ms interval put the worst at 51.4 ms and 45 ms at
 * 49.0 ms, so live redraws are 40 ms apart (at most 25 a second). */
#define TUI_FRAME_NS 50000000LL
#define TUI_LIVE_FRAME_NS 40000000LL
#define TUI_INDEX_SLICE 20000       /* frames indexed before the screen opens */
#define TUI_INDEX_CHUNK 2000        /* frames per indexing call in the loop */
#define TUI_INDEX_BUDGET_NS 8000000LL /* indexing time per loop pass */
#define TUI_LIVE_MARGIN_NS 200000000LL /* live: frames captured, not yet recorded */

_Static_assert(TUI_FEED_OUTPUT_LINES == TUI_OUTPUT_LINES,
	       "the feed's output lines are the model's");

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void errmsg(const char *what, const char *msg)
{
	char esc[1024];
	textesc_escape(esc, sizeof(esc), msg, strlen(msg), 0);
	fprintf(stderr, "tcpstep %s: %s\n", what, esc);
}

/* Maps the backend's key to the model's key codes. */
static int model_key(const struct term_key *k)
{
	switch (k->kind) {
	case TERM_KEY_CHAR: return (int)k->ch;
	case TERM_KEY_UP: return TUI_KEY_UP;
	case TERM_KEY_DOWN: return TUI_KEY_DOWN;
	case TERM_KEY_LEFT: return TUI_KEY_LEFT;
	case TERM_KEY_RIGHT: return TUI_KEY_RIGHT;
	case TERM_KEY_HOME: return TUI_KEY_HOME;
	case TERM_KEY_END: return TUI_KEY_END;
	case TERM_KEY_PGUP: return TUI_KEY_PGUP;
	case TERM_KEY_PGDN: return TUI_KEY_PGDN;
	case TERM_KEY_TAB: return TUI_KEY_TAB;
	case TERM_KEY_BACKTAB: return TUI_KEY_BTAB;
	case TERM_KEY_ENTER: return TUI_KEY_ENTER;
	case TERM_KEY_BACKSPACE: return TUI_KEY_BACKSPACE;
	case TERM_KEY_ESC: return TUI_KEY_ESC;
	default: return -1;
	}
}

struct tui {
	struct tui_model m;
	struct tui_layout lay;
	struct grid *g;
	int sfd;
	bool dirty;
	int64_t last_draw, next_play;
	int64_t frame_ns;       /* TUI_FRAME_NS, or live TUI_LIVE_FRAME_NS */
	int exit_status;
	bool quit;
	struct loop *loop;
	long long wake;         /* the timer armed for the next tick, 0: none */
	/* Live: the session, what its events told (the recording has grown,
	 * ...), and the status text made from its nodes. */
	struct session *s;
	struct tui_feed *feed;
	uint64_t fed;           /* session_wire_frames when last indexed */
	bool following;         /* at the newest frame: new ones move it on */
	char live_banner[160];
	char op;                /* the live key whose answer is awaited */
	char side_for;          /* a socket key waiting for c(lient) or s(erver) */
	/* The command prompt's purpose: '!' a kernel peer, 'l' listen, 'c'
	 * connect, 's' send; on node prompt_node (and, to send, its
	 * connection prompt_id). */
	char prompt_op;
	bool peer_done;         /* the kernel peer's end has been said */
	int prompt_node;
	uint32_t prompt_id;
};

/* --- Live: the session's keys and status ---------------------------------- */

static void on_event(const struct session_event *ev, void *user)
{
	struct tui_feed *f = user;

	f->events++;
	if (ev->kind == SESSION_EV_WIRE_SEGMENT) {
		/* A kernel peer's segment while the nodes are paused: it
		 * cannot be held (issue 10), so say so. Looked at only while
		 * paused: this runs for every segment. */
		const struct segment *sg = &ev->u.wire_seg.seg;

		if (f->paused && sg->ip_version == 4 && f->lm) {
			char src[16];
			bool node = false;

			snprintf(src, sizeof src, "%u.%u.%u.%u", sg->src[0],
				 sg->src[1], sg->src[2], sg->src[3]);
			for (int i = 0; i < LIVE_MAX_NODES; i++) {
				const struct live_node *n = live_model_node(f->lm, i);

				if (n && !strcmp(n->ip, src))
					node = true;
			}
			if (!node)
				snprintf(f->notice, sizeof f->notice,
					 "kernel %s sent: it cannot be paused", src);
		}
	}
	/* The timer the nearest node fired names itself; the others' clocks
	 * only moved on with it (advance-to). */
	if (ev->kind == SESSION_EV_FIRED && ev->node >= 0 &&
	    !(ev->text_len == 10 && !memcmp(ev->text, "advance-to", 10)))
		snprintf(f->fired, sizeof f->fired, "%s's %.*s timer", ev->node_name,
			 (int)(ev->text_len < 40 ? ev->text_len : 40), ev->text);
	if (ev->kind == SESSION_EV_APP_OUT || ev->kind == SESSION_EV_PEER_OUT)
		tui_feed_say(f, ev->node >= 0 ? ev->node_name : "kernel", ev->text,
			     ev->text_len);
	/* the playground's sockets: what the node's app would read */
	if (ev->kind == SESSION_EV_PLAY && ev->node >= 0) {
		char line[160];
		int n = snprintf(line, sizeof line, "conn %u ",
				 (unsigned)ev->u.play.id);
		size_t len;

		switch (ev->u.play.what) {
		case SESSION_PLAY_CONNECTED:
			snprintf(line + n, sizeof line - (size_t)n, "connected");
			break;
		case SESSION_PLAY_DATA:
			snprintf(line + n, sizeof line - (size_t)n, "read %zu bytes: ",
				 ev->text_len);
			break;
		case SESSION_PLAY_EOF:
			snprintf(line + n, sizeof line - (size_t)n,
				 "read the end (the peer's FIN)");
			break;
		case SESSION_PLAY_ERROR:
			snprintf(line + n, sizeof line - (size_t)n, "error: ");
			break;
		}
		len = strlen(line);
		/* the data or the error text, escaped with the rest */
		if (ev->u.play.what == SESSION_PLAY_DATA ||
		    ev->u.play.what == SESSION_PLAY_ERROR) {
			size_t room = sizeof line - 1 - len;
			size_t take = ev->text_len < room ? ev->text_len : room;

			memcpy(line + len, ev->text, take);
			len += take;
			line[len] = '\0';
		}
		tui_feed_say(f, ev->node_name, line, len);
	}
	if (f->lm)
		live_model_event(f->lm, ev);
}

void tui_feed_say(struct tui_feed *f, const char *who, const char *text,
		  size_t len)
{
	char esc[128];

	textesc_escape(esc, sizeof esc, text, len, 0);
	if (f->noutput == TUI_FEED_OUTPUT_LINES) {
		memmove(f->output[0], f->output[1],
			sizeof f->output[0] * (TUI_FEED_OUTPUT_LINES - 1));
		f->noutput = TUI_FEED_OUTPUT_LINES - 1;
	}
	snprintf(f->output[f->noutput++], sizeof f->output[0], "%.16s: %.108s",
		 who, esc);
	f->events++; /* something to show */
}

struct session_sink tui_feed_sink(struct tui_feed *f)
{
	struct session_sink k = { .event = on_event, .user = f, .kinds = 0 };

	return k;
}

static bool all_paused(const struct session *s)
{
	struct session_node_info info;

	for (int i = 0; i < session_node_count(s); i++)
		if (session_node_info(s, i, &info) && info.alive &&
		    (!info.clock.known || info.clock.running))
			return false;
	return true;
}

static const char *socket_verb(char key)
{
	switch (key) {
	case 'w': return "shutdown(write)";
	case 'x': return "close";
	case 'X': return "abort";
	case 'l': return "listen";
	case 'c': return "connect";
	case 's': return "send";
	default: return "drop the next segment arriving";
	}
}

/* The node called name ("client", "server"), or -1. */
static int node_named(const struct session *s, const char *name)
{
	struct session_node_info info;

	for (int i = 0; i < session_node_count(s); i++)
		if (session_node_info(s, i, &info) && !strcmp(info.name, name))
			return i;
	return -1;
}

/* The port of the node's first listener, or 0. */
static unsigned listener_port(const struct session *s, int node)
{
	struct session_node_info info;

	if (node < 0 || !session_node_info(s, node, &info))
		return 0;
	for (size_t i = 0; i < info.nconns; i++) {
		const char *colon = strrchr(info.conn[i].local, ':');

		if (info.conn[i].listener && colon)
			return (unsigned)strtoul(colon + 1, NULL, 10);
	}
	return 0;
}

/* Whether the node listens on port already. */
static bool listens_on(const struct session *s, int node, unsigned port)
{
	struct session_node_info info;
	char want[8];

	snprintf(want, sizeof want, ":%u", port);
	if (!session_node_info(s, node, &info))
		return false;
	for (size_t i = 0; i < info.nconns; i++) {
		size_t n = strlen(info.conn[i].local);

		if (info.conn[i].listener && n >= strlen(want) &&
		    !strcmp(info.conn[i].local + n - strlen(want), want))
			return true;
	}
	return false;
}

/* Typed text to bytes: \n, \r, \t and \\ as in C, the rest as typed.
 * Returns the length. */
static size_t unescape_text(char *out, size_t size, const char *in)
{
	size_t n = 0;

	for (; *in && n + 1 < size; in++) {
		char c = *in;

		if (c == '\\' && in[1]) {
			in++;
			c = *in == 'n' ? '\n' : *in == 'r' ? '\r' : *in == 't' ? '\t'
									: *in;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

static void live_done(struct session *s, int node, bool ok, const char *key,
		      const char *text, void *user)
{
	struct tui *t = user;
	struct session_node_info info;

	if (!ok)
		snprintf(t->m.message, sizeof t->m.message, "%.30s: %.120s", key, text);
	else if (t->op == 'n' && session_node_info(s, node, &info))
		snprintf(t->m.message, sizeof t->m.message,
			 "%s sent its oldest held segment", info.name);
	else if (t->op == 'w' || t->op == 'x' || t->op == 'X' || t->op == 'd' ||
		 t->op == 'l' || t->op == 'c' || t->op == 's')
		snprintf(t->m.message, sizeof t->m.message, "%s: %s done%s",
			 session_node_info(s, node, &info) ? info.name : "node",
			 socket_verb(t->op),
			 all_paused(s) && t->op != 'd' && t->op != 'l'
				 ? " (n sends what it sent)" : "");
	else if (t->op == '+')
		snprintf(t->m.message, sizeof t->m.message,
			 "every node's clock at %.4gx", t->m.speed);
	else if (t->op == ' ')
		snprintf(t->m.message, sizeof t->m.message, "%s",
			 all_paused(s) ? "every node paused: n sends one segment, "
					 "t fires the next timer"
				       : "every node running");
	/* t: the timer's own event says which it was (tick) */
	t->dirty = true;
}

/* A socket call on one end of the selected connection (the node's own id
 * for it, from its `conn` events), or d: drop the next frame arriving at
 * that end's node. */
static void socket_op(struct tui *t, char op, int e)
{
	const struct live_model *lm = t->feed ? t->feed->lm : NULL;
	const struct live_conn *c = NULL;
	struct session_node_info info;
	char err[256], dflt[64];
	uint32_t id = 0;

	if (op == 'l' || op == 'c') {
		/* on a node, not on a connection */
		int node = node_named(t->s, e ? "server" : "client");

		if (node < 0) {
			snprintf(t->m.message, sizeof t->m.message,
				 "there is no lwIP %s in this session",
				 e ? "server" : "client");
			return;
		}
		t->prompt_op = op;
		t->prompt_node = node;
		if (op == 'l') {
			/* the article's port, or the next free one */
			unsigned port = 8888;

			while (listens_on(t->s, node, port) && port < 8899)
				port++;
			snprintf(dflt, sizeof dflt, "%u", port);
			tui_model_command_prompt(&t->m, e ? "server: listen on port "
							     "(Enter): "
							   : "client: listen on port "
							     "(Enter): ", dflt);
		} else {
			/* to the other node, at its listener */
			int other = node_named(t->s, e ? "client" : "server");
			unsigned port = listener_port(t->s, other);

			snprintf(dflt, sizeof dflt, "%s:%u",
				 e ? SESSION_CLIENT_IP : SESSION_SERVER_IP,
				 port ? port : 8888);
			tui_model_command_prompt(&t->m, e ? "server: connect to "
							     "(Enter): "
							   : "client: connect to "
							     "(Enter): ", dflt);
		}
		return;
	}
	for (size_t i = 0; lm && i < live_model_conn_count(lm); i++)
		if (live_model_conn(lm, i)->wire_id == t->m.sel)
			c = live_model_conn(lm, i);
	if (!c || c->ep[e].node < 0) {
		snprintf(t->m.message, sizeof t->m.message,
			 "the %s of this connection is no lwIP node",
			 e ? "server" : "client");
		return;
	}
	int node = c->ep[e].node;
	if (op == 'd') {
		t->op = 'd';
		if (!session_clock_op(t->s, node, SESSION_DROP_NEXT, live_done, t,
				      err, sizeof err))
			snprintf(t->m.message, sizeof t->m.message, "%.150s", err);
		return;
	}
	if (session_node_info(t->s, node, &info))
		for (size_t i = 0; i < info.nconns; i++)
			if (!strcmp(info.conn[i].local, c->ep[e].addr) &&
			    !strcmp(info.conn[i].remote, c->ep[1 - e].addr))
				id = info.conn[i].id;
	if (!id) {
		snprintf(t->m.message, sizeof t->m.message,
			 "lwIP has no open socket at the %s any more",
			 e ? "server" : "client");
		return;
	}
	if (op == 's') {
		t->prompt_op = 's';
		t->prompt_node = node;
		t->prompt_id = id;
		tui_model_command_prompt(&t->m, e ? "server: send (\\n newline, "
						     "Enter): "
						   : "client: send (\\n newline, "
						     "Enter): ", "hello\\n");
		return;
	}
	t->op = op;
	if (!session_conn_op(t->s, node, id, op == 'w' ? SESSION_SHUTDOWN
					      : op == 'x' ? SESSION_CLOSE
							  : SESSION_ABORT,
			     live_done, t, err, sizeof err))
		snprintf(t->m.message, sizeof t->m.message, "%.150s", err);
}

/* The live keys (issue 10, "Stepping the whole exchange" and the socket
 * playground's w x X d); false for a key the replay model has. */
static bool live_key(struct tui *t, int key)
{
	char err[256];

	if (t->side_for) {
		char op = t->side_for;

		t->side_for = 0;
		if (key == 'c' || key == 's')
			socket_op(t, op, key == 's');
		else
			snprintf(t->m.message, sizeof t->m.message, "cancelled");
		return true;
	}
	if (key == 'n' || key == ' ' || key == 't')
		t->op = (char)key;
	switch (key) {
	case '!':
		/* the article's check: a kernel client to the lwIP server
		 * (which answers no HTTP: --http0.9 shows its reply) */
		t->prompt_op = '!';
		tui_model_command_prompt(&t->m, "kernel peer command (Enter runs): ",
					 "curl -sS --http0.9 http://192.0.2.2:8888/");
		return true;
	case 'l':
	case 'c':
	case 's':
	case 'w':
	case 'x':
	case 'X':
	case 'd':
		/* listen and connect are a node's; the rest a connection's */
		if (key != 'l' && key != 'c' && !t->m.sel) {
			snprintf(t->m.message, sizeof t->m.message,
				 "no connection selected yet");
			return true;
		}
		t->side_for = (char)key;
		snprintf(t->m.message, sizeof t->m.message,
			 "%s at: c client, s server (another key cancels)",
			 socket_verb((char)key));
		return true;
	case 'n':
		if (session_step_oldest(t->s, live_done, t, err, sizeof err) < 0)
			snprintf(t->m.message, sizeof t->m.message,
				 "nothing is held: Space runs the clocks, t fires "
				 "the next timer");
		return true;
	case ' ':
		if (!session_clock_all(t->s, all_paused(t->s), live_done, t, err,
				       sizeof err))
			snprintf(t->m.message, sizeof t->m.message, "%.150s", err);
		return true;
	case '+':
	case '-': {
		/* every node's clock together, the replay's steps (0.1x to
		 * 100x) from the first living node's speed */
		struct session_node_info info;
		int sent = 0;

		for (int i = 0; i < session_node_count(t->s); i++)
			if (session_node_info(t->s, i, &info) && info.alive &&
			    info.clock.known) {
				t->m.speed = info.clock.speed;
				break;
			}
		tui_model_speed(&t->m, key == '+' ? 1 : -1);
		t->op = '+';
		for (int i = 0; i < session_node_count(t->s); i++)
			if (session_node_info(t->s, i, &info) && info.alive &&
			    session_speed(t->s, i, t->m.speed, live_done, t, err,
					  sizeof err))
				sent++;
		if (!sent)
			snprintf(t->m.message, sizeof t->m.message, "%.150s", err);
		return true;
	}
	case 't':
		if (session_advance_until_event(t->s, live_done, t, err,
						sizeof err) < 0)
			snprintf(t->m.message, sizeof t->m.message, "%.150s", err);
		return true;
	default:
		return false;
	}
}

/* The status line's live part: the clocks and what waits where. */
static void live_status(struct tui *t)
{
	struct session_node_info info;
	char held[96] = "";
	size_t n = 0;
	bool paused = all_paused(t->s);

	t->feed->paused = paused;

	for (int i = 0; i < session_node_count(t->s); i++) {
		if (!session_node_info(t->s, i, &info))
			continue;
		if (info.died)
			n += (size_t)snprintf(held + n, n < sizeof held ? sizeof held - n : 0,
					      "%s%s DEAD", n ? ", " : "", info.name);
		else if (info.held)
			n += (size_t)snprintf(held + n, n < sizeof held ? sizeof held - n : 0,
					      "%s%u held at %s", n ? ", " : "",
					      (unsigned)info.held, info.name);
	}
	double speed = 1.0;

	for (int i = 0; i < session_node_count(t->s); i++)
		if (session_node_info(t->s, i, &info) && info.alive && info.clock.known) {
			speed = info.clock.speed;
			break;
		}
	char sp[16] = "";
	if (speed < 0.999 || speed > 1.001)
		snprintf(sp, sizeof sp, " %.4gx", speed);
	snprintf(t->live_banner, sizeof t->live_banner, "LIVE %s%s%s%s",
		 paused ? "paused" : "running", sp, held[0] ? ": " : "", held);
	if (t->feed->fired[0]) {
		snprintf(t->m.message, sizeof t->m.message, "fired: %s",
			 t->feed->fired);
		t->feed->fired[0] = '\0';
	}
	if (t->feed->notice[0]) {
		snprintf(t->m.message, sizeof t->m.message, "%.150s", t->feed->notice);
		t->feed->notice[0] = '\0';
	}
	t->m.banner = t->live_banner;
}

/* Enter at a live prompt: what it asked for, with what was typed. */
static void prompt_answered(struct tui *t)
{
	const char *in = t->m.input;
	char err[256], text[160];
	unsigned long long port;
	char *end;
	bool sent = false;

	err[0] = '\0';
	t->op = t->prompt_op;
	switch (t->prompt_op) {
	case '!':
		if (session_start_command(t->s, in, SESSION_CMD_DETACHED, err,
					  sizeof err))
			snprintf(t->m.message, sizeof t->m.message,
				 "kernel peer started: %.100s%s", in,
				 all_paused(t->s) ? " (it cannot be paused: the "
						    "nodes can)" : "");
		else
			snprintf(t->m.message, sizeof t->m.message, "%.150s", err);
		return;
	case 'l':
		port = strtoull(in, &end, 10);
		if (in[0] < '1' || in[0] > '9' || *end || port > 65535) {
			snprintf(t->m.message, sizeof t->m.message,
				 "listen: '%.20s' is not a port (1 to 65535)", in);
			return;
		}
		sent = session_listen(t->s, t->prompt_node, (uint16_t)port,
				      live_done, t, err, sizeof err);
		break;
	case 'c': {
		uint32_t addr;
		uint16_t p;
		char ip[16];

		/* the protocol's parser; session_connect refuses addresses
		 * off the test network */
		if (ctlmsg_parse_addrport(in, false, &addr, &p) < 0) {
			snprintf(t->m.message, sizeof t->m.message,
				 "connect: '%.40s' is not IP:PORT", in);
			return;
		}
		snprintf(ip, sizeof ip, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
			 (addr >> 8) & 0xff, addr & 0xff);
		sent = session_connect(t->s, t->prompt_node, ip, p, live_done, t, err,
				       sizeof err);
		break;
	}
	case 's': {
		size_t len = unescape_text(text, sizeof text, in);

		sent = session_write(t->s, t->prompt_node, t->prompt_id, text, len,
				     live_done, t, err, sizeof err);
		break;
	}
	default:
		return;
	}
	if (!sent)
		snprintf(t->m.message, sizeof t->m.message, "%.150s", err);
}

static void handle_key(struct tui *t, const struct term_key *k)
{
	unsigned r = 0;
	switch (k->kind) {
	case TERM_KEY_CTRL:
		if (k->ch == 'c') /* ^C when the terminal sends it as a key */
			t->quit = true;
		return;
	case TERM_KEY_RESIZE: /* not sent while SIGWINCH is read here; kept for safety */
		term_resized();
		t->dirty = true;
		return;
	case TERM_KEY_CLICK:
		r = tui_view_click(&t->m, &t->lay, k->x, k->y);
		break;
	case TERM_KEY_WHEEL_UP:
		r = tui_view_wheel(&t->m, &t->lay, k->x, k->y, -1);
		break;
	case TERM_KEY_WHEEL_DOWN:
		r = tui_view_wheel(&t->m, &t->lay, k->x, k->y, 1);
		break;
	default: {
		int key = model_key(k);
		/* a prompt or the help screen takes the key first */
		if (key >= 0 && t->s && t->m.prompt == TUI_PROMPT_NONE &&
		    !t->m.help && live_key(t, key)) {
			r = TUI_REDRAW;
			break;
		}
		if (key >= 0) {
			bool was_playing = t->m.playing;
			r = tui_model_key(&t->m, key);
			if (t->s && t->m.command_ready) {
				t->m.command_ready = false;
				prompt_answered(t);
			}
			/* live: back to the newest frame, the screen follows
			 * again; anywhere else, it stays where the teacher is */
			t->following = t->m.pos >= replay_frames(t->m.rp);
			if (t->m.playing && !was_playing)
				t->next_play = mono_ns() + tui_model_play_delay_ns(&t->m);
		}
		break;
	}
	}
	if (r & TUI_REDRAW)
		t->dirty = true;
	if (r & TUI_QUIT)
		t->quit = true;
}

static void handle_signals(struct tui *t)
{
	struct signalfd_siginfo si;
	while (read(t->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			term_resized(); /* the size now, and a full repaint */
			t->dirty = true;
		} else {
			t->quit = true;
			t->exit_status = 128 + (int)si.ssi_signo;
		}
	}
}

/* Live: lwIP's view of the selected connection, for the explanation. */
static void live_note(struct tui *t)
{
	const struct live_model *lm = t->feed ? t->feed->lm : NULL;
	char *p = t->m.live_note;
	size_t size = sizeof t->m.live_note, n = 0;

	p[0] = '\0';
	if (!lm)
		return;
	for (size_t i = 0; i < live_model_conn_count(lm); i++) {
		const struct live_conn *c = live_model_conn(lm, i);
		const char *why = NULL;

		if (c->wire_id != t->m.sel)
			continue;
		n += (size_t)snprintf(p + n, n < size ? size - n : 0, "lwIP now:");
		for (int e = 0; e < 2; e++) {
			const struct live_endpoint *ep = &c->ep[e];

			if (ep->node < 0)
				continue;
			n += (size_t)snprintf(p + n, n < size ? size - n : 0,
					      " %s %s%s", e ? "server" : "client",
					      ep->true_known ? tcpstate_to_str(ep->truth) : "-",
					      e == 0 && c->ep[1].node >= 0 ? "," : ".");
			if (ep->agree != LIVE_SAME && ep->agree != LIVE_KERNEL && !why)
				why = live_agree_text(ep->agree);
		}
		if (why && t->following)
			n += (size_t)snprintf(p + n, n < size ? size - n : 0, " %s", why);
		for (int e = 0; e < 2; e++) {
			const struct live_endpoint *ep = &c->ep[e];
			char timers[160];

			if (ep->node < 0 || !ep->timers_known ||
			    (ep->true_known && ep->truth == TCPSTATE_CLOSED) ||
			    !live_timer_text(timers, sizeof timers, &ep->timers,
					     live_model_node_time(lm, ep->node,
								  (uint64_t)mono_ns())))
				continue;
			n += (size_t)snprintf(p + n, n < size ? size - n : 0,
					      " %s: %s.", e ? "Server" : "Client", timers);
		}
		break;
	}
}

static void redraw(struct tui *t)
{
	if (t->s) {
		t->m.lm = t->feed->lm;
		t->m.live_now_ns = (uint64_t)mono_ns();
		live_note(t);
		memcpy(t->m.output, t->feed->output, sizeof t->m.output);
		t->m.noutput = t->feed->noutput;
	}
	int w, h;
	term_size(&w, &h);
	if (w != grid_width(t->g) || h != grid_height(t->g))
		grid_resize(t->g, w, h);
	tui_view_draw(t->g, &t->m, &t->lay);
	tui_model_viewed(&t->m, &t->lay.view);
	term_draw(t->g);
	t->last_draw = mono_ns();
	t->dirty = false;
}

static void on_signals(struct loop *l, int fd, unsigned mask, void *user)
{
	struct tui *t = user;

	(void)l;
	(void)fd;
	(void)mask;
	handle_signals(t);
}

static void on_term(struct loop *l, int fd, unsigned mask, void *user)
{
	struct tui *t = user;
	struct term_key k;
	int got = 0;

	(void)l;
	(void)fd;
	(void)mask;
	while (!t->quit && term_read_key(&k)) {
		handle_key(t, &k);
		got++;
	}
	/* Nothing read: an event ncurses keeps for itself (a mouse button
	 * the UI ignores), or the terminal went away, which only a hang-up
	 * or an error on the fd tells apart. */
	if (!got && !t->quit) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) {
			t->quit = true;
			t->exit_status = 1;
		}
	}
}

static int64_t on_wake(struct loop *l, long long id, void *user)
{
	struct tui *t = user;

	(void)l;
	(void)id;
	t->wake = 0;
	return LOOP_TIMER_DONE; /* the next pass's tick does the work */
}

/* Before every sleep: index, play, redraw when due; then a timer for the
 * next moment one of them is due. */
static void tick(struct loop *l, void *user)
{
	struct tui *t = user;
	int64_t now = mono_ns();

	if (t->s && session_stop_status(t->s)) {
		t->quit = true;
		t->exit_status = session_stop_status(t->s);
	}
	if (t->quit) {
		loop_stop(l);
		return;
	}
	/* index one slice while the file is not done; live, only when the
	 * recording has grown: the capture says so at once (its frames'
	 * events come 10 ms later, held back for their order) */
	bool indexing = !replay_index_done(t->m.rp);
	uint64_t frames_before = replay_frames(t->m.rp);
	if (t->s) {
		uint64_t captured = session_wire_frames(t->s);

		if (captured != t->fed)
			t->fed = captured;
		else if (replay_at_end(t->m.rp))
			indexing = false;
		int st;
		bool peer_done = session_command_done(t->s, &st);

		if (peer_done && !t->peer_done) {
			char what[48];

			snprintf(what, sizeof what, "(ended, exit status %d)", st);
			tui_feed_say(t->feed, "kernel", what, strlen(what));
		}
		t->peer_done = peer_done;
		if (t->feed->events) {
			t->feed->events = 0;
			live_status(t);
			t->dirty = true;
		}
	}
	if (indexing) {
		/* bounded by time, not frames: a key waits at most this long
		 * (a 50k-frame step can take half a second on a big file) */
		while (replay_index_step(t->m.rp, TUI_INDEX_CHUNK) &&
		       mono_ns() - now < TUI_INDEX_BUDGET_NS)
			;
		if (tui_model_indexed(&t->m) & TUI_REDRAW)
			t->dirty = true;
		/* the status line shows the progress */
		if (now - t->last_draw >= 200000000LL)
			t->dirty = true;
		/* live: the screen follows the newest frame, unless the
		 * teacher went back */
		if (t->s && t->following &&
		    replay_frames(t->m.rp) > frames_before) {
			tui_model_goto(&t->m, replay_frames(t->m.rp));
			t->dirty = true;
		}
	}
	if (t->m.playing && now >= t->next_play) {
		if (tui_model_play_tick(&t->m) & TUI_REDRAW)
			t->dirty = true;
		int64_t d = tui_model_play_delay_ns(&t->m);
		t->next_play = d >= 0 ? now + d : now + t->frame_ns;
	}
	if (t->dirty && now - t->last_draw >= t->frame_ns)
		redraw(t);

	int64_t wake = -1; /* ns from now; -1 forever */
	if (indexing || (!replay_index_done(t->m.rp) && !t->s))
		wake = 0;
	if (t->s && !replay_at_end(t->m.rp))
		wake = 0;
	/* live: the capture's clock is the wall clock; a TIME_WAIT ends on
	 * screen when its 2 x MSL is over, though no frame follows it (a
	 * margin for frames captured but not yet recorded) */
	if (t->s && replay_at_end(t->m.rp)) {
		/* the classroom clock (session_wire_clock): paused, no
		 * TIME_WAIT ends on the wire, as none ends in lwIP */
		double speed;
		int64_t wire = session_wire_clock(t->s, &speed);
		bool running = speed > 0;
		int64_t was_due = replay_next_deadline(t->m.rp);

		replay_advance(t->m.rp, wire - TUI_LIVE_MARGIN_NS);
		int64_t due = replay_next_deadline(t->m.rp);
		if (due != was_due) /* a timer fired: a state changed */
			t->dirty = true;
		/* paused, the wire's clock stands still: the nodes' clock
		 * events (t, Space) bring the next pass */
		if (due != INT64_MAX && running) {
			int64_t d = (int64_t)((double)(due + TUI_LIVE_MARGIN_NS - wire) / speed);
			d = d < 0 ? 0 : d;
			wake = wake < 0 || d < wake ? d : wake;
		}
	}
	if (t->dirty) {
		int64_t d = t->last_draw + t->frame_ns - now;
		wake = wake < 0 || d < wake ? (d < 0 ? 0 : d) : wake;
	}
	if (t->m.playing) {
		int64_t d = t->next_play - now;
		wake = wake < 0 || d < wake ? (d < 0 ? 0 : d) : wake;
	}
	if (t->wake)
		loop_del_timer(l, t->wake);
	t->wake = 0;
	if (wake >= 0) {
		t->wake = loop_add_timer(l, wake, on_wake, t);
		if (t->wake < 0)
			t->wake = 0;
	}
}

/* The loop: the UI's own, or, live, the session's (whose fds are on it). */
static bool run_loop(struct tui *t, char *err, size_t errsize)
{
	bool own = !t->s;

	t->loop = own ? loop_create(err, errsize) : session_loop(t->s);
	if (!t->loop)
		return false;
	bool ok = loop_add_fd(t->loop, term_fd(), LOOP_READ, on_term, t, err,
			      errsize) &&
		  loop_add_fd(t->loop, t->sfd, LOOP_READ, on_signals, t, err,
			      errsize) &&
		  loop_add_hook(t->loop, tick, t);
	if (ok)
		loop_run(t->loop);
	loop_del_fd(t->loop, term_fd());
	loop_del_fd(t->loop, t->sfd);
	loop_del_hook(t->loop, tick, t);
	if (t->wake)
		loop_del_timer(t->loop, t->wake);
	t->wake = 0;
	if (own)
		loop_destroy(t->loop);
	t->loop = NULL;
	return ok;
}

static bool env_says_utf8(void)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8") ||
			       strstr(v, "utf-8");
	}
	return false;
}

/* The locale: the user's; but where it names a UTF-8 locale that is not
 * generated (LANG=ja_JP.UTF-8 on a fresh Debian), or Japanese was asked for
 * with --lang ja, the character set is UTF-8 anyway (C.UTF-8 is always
 * there on Debian), so box drawing and Japanese text are not lost. */
static void set_locale(bool want_ja)
{
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return;
	if (env_says_utf8() || want_ja)
		setlocale(LC_CTYPE, "C.UTF-8");
}

/* Live, once the terminal is restored: what the capture saw and what the
 * kernel dropped (libpcap's counters). The session's own notice of lost
 * frames comes as an event the screen has closed for. */
static void say_capture(struct session *s)
{
	unsigned long long frames, dropped;

	if (session_capture_stats(s, &frames, &dropped))
		fprintf(stderr, "tcpstep: the capture saw %llu frames, the kernel "
			"dropped %llu\n", frames, dropped);
}

static int run_ui(const struct tui_opts *o, struct session *s,
		  struct tui_feed *feed)
{
	set_locale(o->lang && strcmp(o->lang, "ja") == 0);
	if (!isatty(STDOUT_FILENO)) {
		errmsg("replay", "standard output is not a terminal (tcpstep decode prints text)");
		return 2;
	}
	char err[REPLAY_ERRBUF_SIZE];
	struct replay_config rc = { .filter = o->filter, .msl_ns = o->msl_ns,
				    .follow = s != NULL };
	struct replay *rp = replay_open(o->path, &rc, err);
	if (!rp) {
		errmsg("replay", err);
		return 1;
	}
	explain_init(explain_localedir());

	struct tui t;
	memset(&t, 0, sizeof(t));
	t.sfd = -1;
	t.s = s;
	t.frame_ns = s ? TUI_LIVE_FRAME_NS : TUI_FRAME_NS;
	t.feed = feed;
	t.following = true;
	const char *base = strrchr(o->path, '/');
	base = base && base[1] ? base + 1 : o->path;
	if (strcmp(o->path, "-") == 0)
		base = "standard input";
	tui_model_init(&t.m, rp, o->title ? o->title : base, o->msl_ns);
	t.m.banner = o->banner;
	const char *lang = o->lang ? o->lang : explain_env_lang();
	t.m.ja = lang && strncmp(lang, "ja", 2) == 0;

	/* Index a first slice before the screen opens, so --at and --conn can
	 * be honoured at once on ordinary files. */
	replay_index_step(rp, TUI_INDEX_SLICE);
	tui_model_indexed(&t.m);
	while (o->at && replay_frames(rp) < o->at && !replay_index_done(rp))
		replay_index_step(rp, TUI_INDEX_SLICE);
	while (o->conn && replay_conns(rp) < o->conn && !replay_index_done(rp))
		replay_index_step(rp, TUI_INDEX_SLICE);
	tui_model_indexed(&t.m);
	if (o->at)
		tui_model_goto(&t.m, o->at);
	if (o->conn) {
		if (o->conn <= replay_conns(rp))
			tui_model_select_conn(&t.m, o->conn);
		else
			snprintf(t.m.message, sizeof(t.m.message), "no connection %llu in this capture",
				 (unsigned long long)o->conn);
	}

	sigset_t mask, old;
	sigemptyset(&mask);
	/* Live, the session reads SIGINT, SIGTERM and SIGHUP (and stops):
	 * two signalfds for one signal would race for it. */
	if (!s) {
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGHUP);
	}
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, &old);
	t.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

	char terr[256];
	bool opened = t.sfd >= 0 && term_open(terr, sizeof(terr));
	if (opened) {
		atexit(term_close); /* an exit() from anywhere still restores it */
		term_install_signal_handlers();
	}
	if (s) {
		t.m.live = true;
		live_status(&t);
		if (replay_frames(rp))
			tui_model_goto(&t.m, replay_frames(rp));
	}
	t.g = grid_create(0, 0);
	int status;
	if (t.sfd < 0) {
		errmsg("replay", "cannot read signals (signalfd failed)");
		status = 1;
	} else if (!opened) {
		errmsg("replay", terr);
		status = 2;
	} else if (!t.g) {
		term_close();
		errmsg("replay", "out of memory");
		status = 1;
	} else {
		grid_set_ascii(t.g, !term_utf8());
		t.m.ascii = !term_utf8();
		t.dirty = true;
		if (run_loop(&t, terr, sizeof terr)) {
			status = t.exit_status;
		} else {
			term_close();
			errmsg("replay", terr);
			status = 1;
		}
	}
	term_close();
	if (s && opened)
		say_capture(s);
	grid_destroy(t.g);
	if (t.sfd >= 0)
		close(t.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	tui_model_finish(&t.m);
	replay_close(rp);
	return status;
}

int tui_run(const struct tui_opts *o)
{
	return run_ui(o, NULL, NULL);
}

int tui_run_live(const struct tui_opts *o, struct session *s,
		 struct tui_feed *feed)
{
	return run_ui(o, s, feed);
}
