/* The headless output (ui/headless_sink.c) of node events parsed by
 * session/evline.c: the text of each kind, exactly as the headless commands
 * have always printed it; the filters of --only, --no-states, --no-app,
 * --no-wire and --raw in their one place; the stderr lines; and malformed
 * events rejected with a reason. */
#include <string.h>

#include "../check.h"
#include "evline.h"
#include "headless_sink.h"

/* The parsed event, and its headless line in ev.text (as the old parser
 * had it), so the cases below read as they always have. */
static struct {
	enum session_event_kind kind;
	const char *text;
	struct session_event e;
} ev;
static char line_out[HEADLESS_LINE_MAX];
static char decoded[EVLINE_TEXT_MAX];
static char rawcopy[CTLMSG_LINE_MAX + 1];

/* Parses a copy of text as node "server"; returns evline_parse's result,
 * with the event's headless line (or, for kinds without one, its decoded
 * text) in ev.text. */
static int parse(const char *text, const char **why)
{
	static char line[CTLMSG_LINE_MAX + 1];
	int r;

	snprintf(line, sizeof line, "%s", text);
	snprintf(rawcopy, sizeof rawcopy, "%s", text);
	memset(&ev.e, 0, sizeof ev.e);
	ev.e.node = 0;
	ev.e.node_name = "server";
	ev.e.raw = rawcopy;
	ev.e.raw_len = strlen(rawcopy);
	r = evline_parse(&ev.e, line, strlen(line), decoded);
	ev.kind = ev.e.kind;
	if (why)
		*why = r < 0 ? ev.e.text : NULL;
	if (headless_format(line_out, sizeof line_out, &ev.e, false))
		ev.text = line_out;
	else if (headless_format_err(line_out, sizeof line_out, &ev.e, false))
		ev.text = line_out;
	else
		ev.text = ev.e.text;
	return r;
}

static void test_state_line_is_node_local_remote_from_to_cause(void)
{
	CHECK_INT_EQ(parse("state 1234 192.0.2.2:8888 192.0.2.3:49153 "
			   "FIN_WAIT_1 TIME_WAIT rcvd%20FIN", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_NODE_STATE);
	CHECK_STR_EQ(ev.text, "server 192.0.2.2:8888 192.0.2.3:49153 "
			      "FIN_WAIT_1 -> TIME_WAIT (rcvd FIN)");
	CHECK_STR_EQ(ev.e.u.state.local, "192.0.2.2:8888");
	CHECK_INT_EQ(ev.e.u.state.from, TCPSTATE_FIN_WAIT_1);
	CHECK_INT_EQ(ev.e.u.state.to, TCPSTATE_TIME_WAIT);
	CHECK_INT_EQ(ev.e.vtime_ms, 1234);
	CHECK_STR_EQ(ev.e.text, "rcvd FIN");
}

static void test_listener_remote_is_printed_as_zero_address(void)
{
	CHECK_INT_EQ(parse("state 0 192.0.2.2:8888 - CLOSED LISTEN "
			   "listen()%20called", NULL), 0);
	CHECK_STR_EQ(ev.text, "server 192.0.2.2:8888 0.0.0.0:0 CLOSED -> "
			      "LISTEN (listen() called)");
}

static void test_app_output_is_exact_utf8_kept_controls_escaped(void)
{
	CHECK_INT_EQ(parse("out 192.0.2.2:8888%E3%81%A7%E5%8F%97%E4%BB%98%E9"
			   "%96%8B%E5%A7%8B%E3%81%97%E3%81%BE%E3%81%97%E3%81%9F",
			   NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_APP_OUT);
	CHECK_STR_EQ(ev.text, "192.0.2.2:8888で受付開始しました");
	CHECK_INT_EQ(parse("out [Message]", NULL), 0);
	CHECK_STR_EQ(ev.text, "[Message]");
	/* curl's request line ends in \r; an escape sequence never reaches
	 * the terminal raw. */
	CHECK_INT_EQ(parse("out GET%20/%20HTTP/1.1%0D", NULL), 0);
	CHECK_STR_EQ(ev.text, "GET / HTTP/1.1\\r");
	CHECK_INT_EQ(parse("out %1B[2Jgone", NULL), 0);
	CHECK_STR_EQ(ev.text, "\\x1b[2Jgone");
	/* The empty line Go's Println adds after the client's reply. */
	CHECK_INT_EQ(parse("out -", NULL), 0);
	CHECK_STR_EQ(ev.text, "");
	CHECK_INT_EQ(parse("out %2D", NULL), 0);
	CHECK_STR_EQ(ev.text, "-");
}

static void test_playground_events(void)
{
	CHECK_INT_EQ(parse("data 2 still%20here%0A", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_PLAY);
	CHECK_STR_EQ(ev.text, "server #2 received: still here\\n");
	CHECK_INT_EQ(parse("eof 2", NULL), 0);
	CHECK_STR_EQ(ev.text, "server #2 end of stream (FIN received)");
	CHECK_INT_EQ(parse("conn-error 3 connection%20reset%20(RST%20received)",
			   NULL), 0);
	CHECK_STR_EQ(ev.text, "server #3 error: connection reset (RST received)");
	CHECK_INT_EQ(parse("connected 1", NULL), 0);
	CHECK_STR_EQ(ev.text, "server #1 connected");
	CHECK_INT_EQ(parse("conn 4 192.0.2.2:8888 192.0.2.3:5000", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_CONN);
	CHECK_INT_EQ(ev.e.u.conn.id, 4);
	CHECK(!ev.e.u.conn.listener);
	CHECK_STR_EQ(ev.e.u.conn.remote, "192.0.2.3:5000");
	CHECK_INT_EQ(parse("conn 1 192.0.2.2:8888 -", NULL), 0);
	CHECK(ev.e.u.conn.listener);
}

static void test_answers_and_quiet_events(void)
{
	CHECK_INT_EQ(parse("ok listen", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_ANSWER);
	CHECK(ev.e.u.answer.ok);
	CHECK_STR_EQ(ev.e.u.answer.verb, "listen");
	/* ok prints nothing, anywhere */
	CHECK(!headless_format(line_out, sizeof line_out, &ev.e, false));
	CHECK(!headless_format_err(line_out, sizeof line_out, &ev.e, false));
	CHECK_INT_EQ(parse("error nothing-held no%20frame%20is%20held", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_ANSWER);
	CHECK(!ev.e.u.answer.ok);
	CHECK_STR_EQ(ev.e.u.answer.key, "nothing-held");
	/* on stderr, after "tcpstep: " */
	CHECK_STR_EQ(ev.text, "server: error nothing-held: no frame is held");
	CHECK(!headless_format_err(line_out, sizeof line_out, &ev.e, true));
	CHECK_INT_EQ(parse("error no-timer", NULL), 0);
	CHECK_STR_EQ(ev.text, "server: error no-timer");
	CHECK_INT_EQ(parse("app-done 1", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_APP_DONE);
	CHECK_INT_EQ(ev.e.u.status, 1);
	CHECK_INT_EQ(parse("held 3", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_HELD);
	CHECK_INT_EQ(ev.e.u.count, 3);
	CHECK(!headless_format(line_out, sizeof line_out, &ev.e, false));
	CHECK_INT_EQ(parse("clock 100 paused 1 200", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_CLOCK);
	CHECK(!ev.e.u.clock.running);
	CHECK(ev.e.u.clock.has_next);
	CHECK_INT_EQ(ev.e.u.clock.next_ms, 200);
	CHECK_INT_EQ(ev.e.vtime_ms, 100);
	CHECK_INT_EQ(parse("clock 7 running 0.5 -", NULL), 0);
	CHECK(ev.e.u.clock.running);
	CHECK(!ev.e.u.clock.has_next);
	CHECK(ev.e.u.clock.speed == 0.5);
	CHECK_INT_EQ(parse("conns 2", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_CONNS);
	CHECK_INT_EQ(ev.e.u.count, 2);
	CHECK_INT_EQ(parse("fired 3000 tcp", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_FIRED);
	CHECK_STR_EQ(ev.e.text, "tcp");
	CHECK_INT_EQ(ev.e.u.count, 1);
	CHECK_INT_EQ(parse("fired 9000 server%201%20s%20wait 4", NULL), 0);
	CHECK_STR_EQ(ev.e.text, "server 1 s wait");
	CHECK_INT_EQ(ev.e.u.count, 4);
	CHECK_INT_EQ(parse("timers 78 192.0.2.2:8888 192.0.2.3:5000 3000 2978 "
			   "- - 178 -", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_TIMERS);
	CHECK_INT_EQ(ev.e.vtime_ms, 78);
	CHECK_STR_EQ(ev.e.u.timers.remote, "192.0.2.3:5000");
	CHECK_INT_EQ(ev.e.u.timers.rto_ms, 3000);
	CHECK_INT_EQ(ev.e.u.timers.rtx, 2978);
	CHECK_INT_EQ(ev.e.u.timers.persist, -1);
	CHECK_INT_EQ(ev.e.u.timers.delack, 178);
	CHECK_INT_EQ(ev.e.u.timers.timewait, -1);
	CHECK(!headless_format(line_out, sizeof line_out, &ev.e, false));
	CHECK_INT_EQ(parse("dropped 12 SYN", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_DROPPED);
	CHECK_STR_EQ(ev.e.text, "SYN");
	CHECK_INT_EQ(parse("hello server 192.0.2.2 02:00:c0:00:02:02", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_NODE_STARTED);
	/* A newer node's event this controller does not know is not an error. */
	CHECK_INT_EQ(parse("frobnicate 1 2", NULL), 0);
	CHECK_INT_EQ(ev.kind, SESSION_EV_NODE_OTHER);
	/* --raw: every node event as NODE and its protocol line, escaped */
	CHECK(headless_format(line_out, sizeof line_out, &ev.e, true));
	CHECK_STR_EQ(line_out, "server frobnicate 1 2");
}

static void test_malformed_events_rejected_with_reason(void)
{
	static const char *const bad[] = {
		"",
		"state",
		"state 1 192.0.2.2:8888 - CLOSED LISTEN",
		"state x 192.0.2.2:8888 - CLOSED LISTEN c",
		"state 1 192.0.2.2 - CLOSED LISTEN c",
		"state 1 192.0.2.256:1 - CLOSED LISTEN c",
		"state 1 192.0.2.2:8888 - CLOSED listen c",
		"state 1 192.0.2.2:8888 - CLOSED LISTEN bad%G0",
		"out",
		"out a b",
		"out 50%",
		"out \x1b[2J",
		"out caf\xc3\xa9",
		"out  two-spaces",
		"app-done",
		"app-done -1",
		"app-done 256",
		"conn x 192.0.2.2:8888 -",
		"data 1",
		"data one text",
		"eof",
		"error",
		"error key text extra",
		"ok",
		"ok listen extra",
		"held",
		"held -1",
		"conns x",
		"clock 1 paused 1",
		"clock 1 sleeping 1 -",
		"clock 1 paused fast -",
		"clock 1 paused 1 soon",
		"fired 1",
		"fired x tcp",
		"dropped 1",
		"hello server",
		"timers 1 192.0.2.2:8888 192.0.2.3:5000 3000 - - - -",
		"timers 1 192.0.2.2:8888 192.0.2.3:5000 x - - - - -",
		"timers 1 192.0.2.2:8888 192.0.2.3:5000 3000 soon - - - -",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = NULL;

		if (parse(bad[i], &why) != -1 || !why || !*why ||
		    ev.kind != SESSION_EV_NODE_MALFORMED) {
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
	/* The complaint on stderr names the reason and shows the line,
	 * escaped. */
	CHECK_INT_EQ(parse("out \x1b[2J", NULL), -1);
	CHECK_STR_EQ(ev.text, "server: malformed event (not a protocol line "
		     "(empty, bad spacing or a raw control or non-ASCII byte)): "
		     "out \\x1b[2J");
}

static void test_longest_text_fits_escaped(void)
{
	static char line[CTLMSG_LINE_MAX + 1];
	size_t n = 0;

	/* A full line of bytes that each escape to four characters. */
	n += (size_t)snprintf(line, sizeof line, "out ");
	while (n + 3 < CTLMSG_LINE_MAX - 1)
		n += (size_t)snprintf(line + n, sizeof line - n, "%%01");
	CHECK_INT_EQ(parse(line, NULL), 0);
	CHECK_INT_EQ(strlen(ev.text), (n - 4) / 3 * 4);
}

/* The filters, in their one place: each option on each kind. */
static void test_filters(void)
{
	struct headless_filter all = { .show_states = true, .show_app = true,
				       .show_wire = true };
	struct headless_filter f;
	struct session_event st = { .kind = SESSION_EV_NODE_STATE, .node = 0,
				    .node_name = "server", .raw = "state" };
	struct session_event out = st, peer = { .kind = SESSION_EV_PEER_OUT,
						.node = -1, .node_name = "" };
	struct session_event wire = peer, held = st;

	out.kind = SESSION_EV_APP_OUT;
	wire.kind = SESSION_EV_WIRE_STATE;
	held.kind = SESSION_EV_HELD;
	CHECK(headless_shown(&all, &st) && headless_shown(&all, &out) &&
	      headless_shown(&all, &peer) && headless_shown(&all, &wire));
	CHECK(!headless_shown(&all, &held));
	f = all;
	f.show_states = false;
	CHECK(!headless_shown(&f, &st) && !headless_shown(&f, &wire) &&
	      headless_shown(&f, &out));
	f = all;
	f.show_app = false;
	CHECK(!headless_shown(&f, &out) && !headless_shown(&f, &peer) &&
	      headless_shown(&f, &st));
	f = all;
	f.show_wire = false;
	CHECK(!headless_shown(&f, &wire) && headless_shown(&f, &st));
	f = all;
	f.only = "client";
	CHECK(!headless_shown(&f, &st) && !headless_shown(&f, &peer) &&
	      !headless_shown(&f, &wire));
	f.only = "server";
	CHECK(headless_shown(&f, &st) && !headless_shown(&f, &wire));
	f.only = "wire";
	CHECK(!headless_shown(&f, &st) && headless_shown(&f, &wire));
	f = all;
	f.raw = true;
	/* raw: every node event with its line, the peer, never the wire */
	CHECK(headless_shown(&f, &st) && headless_shown(&f, &held) &&
	      headless_shown(&f, &peer) && !headless_shown(&f, &wire));
	f.show_app = false;
	CHECK(headless_shown(&f, &peer));
}

static void test_peer_and_notices(void)
{
	struct session_event e = { .kind = SESSION_EV_PEER_OUT, .node = -1,
				   .node_name = "", .text = "HTTP/1.1 200\r",
				   .text_len = 13 };

	CHECK(headless_format(line_out, sizeof line_out, &e, false));
	CHECK_STR_EQ(line_out, "kernel HTTP/1.1 200\\r");
	e.kind = SESSION_EV_NOTICE;
	e.text = "Interrupt, cleaning up";
	e.text_len = strlen(e.text);
	CHECK(!headless_format(line_out, sizeof line_out, &e, false));
	CHECK(headless_format_err(line_out, sizeof line_out, &e, false));
	CHECK_STR_EQ(line_out, "Interrupt, cleaning up");
	e.kind = SESSION_EV_NODE_DIED;
	e.node = 1;
	e.node_name = "client";
	e.text = "killed by signal 9 (Killed)";
	e.text_len = strlen(e.text);
	CHECK(headless_format_err(line_out, sizeof line_out, &e, false));
	CHECK_STR_EQ(line_out, "node client killed by signal 9 (Killed); "
		     "ending the session");
}

int main(void)
{
	RUN(test_filters);
	RUN(test_peer_and_notices);
	RUN(test_state_line_is_node_local_remote_from_to_cause);
	RUN(test_listener_remote_is_printed_as_zero_address);
	RUN(test_app_output_is_exact_utf8_kept_controls_escaped);
	RUN(test_playground_events);
	RUN(test_answers_and_quiet_events);
	RUN(test_malformed_events_rejected_with_reason);
	RUN(test_longest_text_fits_escaped);
	CHECK_EXIT();
}
