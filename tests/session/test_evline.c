/* Unit tests of the controller's event lines (session/evline.c): the headless
 * text of each node event, and malformed events rejected with a reason. */
#include <string.h>

#include "../check.h"
#include "evline.h"

static struct evline ev;

/* Parses a copy of text as node "server"; returns evline_parse's result. */
static int parse(const char *text, const char **why)
{
	static char line[CTLMSG_LINE_MAX + 1];
	const char *dummy;

	snprintf(line, sizeof line, "%s", text);
	return evline_parse(&ev, "server", line, strlen(line),
			    why ? why : &dummy);
}

static void test_state_line_is_node_local_remote_from_to_cause(void)
{
	CHECK_INT_EQ(parse("state 1234 192.0.2.2:8888 192.0.2.3:49153 "
			   "FIN_WAIT_1 TIME_WAIT rcvd%20FIN", NULL), 0);
	CHECK_INT_EQ(ev.kind, EVLINE_STATE);
	CHECK_STR_EQ(ev.text, "server 192.0.2.2:8888 192.0.2.3:49153 "
			      "FIN_WAIT_1 -> TIME_WAIT (rcvd FIN)");
	CHECK_STR_EQ(ev.local, "192.0.2.2:8888");
	CHECK_INT_EQ(ev.from, TCPSTATE_FIN_WAIT_1);
	CHECK_INT_EQ(ev.to, TCPSTATE_TIME_WAIT);
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
	CHECK_INT_EQ(ev.kind, EVLINE_OUT);
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
	CHECK_INT_EQ(ev.kind, EVLINE_PLAY);
	CHECK_STR_EQ(ev.text, "server #2 received: still here\\n");
	CHECK_INT_EQ(parse("eof 2", NULL), 0);
	CHECK_STR_EQ(ev.text, "server #2 end of stream (FIN received)");
	CHECK_INT_EQ(parse("conn-error 3 connection%20reset%20(RST%20received)",
			   NULL), 0);
	CHECK_STR_EQ(ev.text, "server #3 error: connection reset (RST received)");
	CHECK_INT_EQ(parse("connected 1", NULL), 0);
	CHECK_STR_EQ(ev.text, "server #1 connected");
	CHECK_INT_EQ(parse("conn 4 192.0.2.2:8888 192.0.2.3:5000", NULL), 0);
	CHECK_INT_EQ(ev.kind, EVLINE_CONN);
	CHECK_STR_EQ(ev.id, "4");
	CHECK(!ev.listener);
	CHECK_INT_EQ(parse("conn 1 192.0.2.2:8888 -", NULL), 0);
	CHECK(ev.listener);
}

static void test_answers_and_quiet_events(void)
{
	CHECK_INT_EQ(parse("ok listen", NULL), 0);
	CHECK_INT_EQ(ev.kind, EVLINE_OK);
	CHECK_STR_EQ(ev.verb, "listen");
	CHECK_INT_EQ(parse("error nothing-held no%20frame%20is%20held", NULL), 0);
	CHECK_INT_EQ(ev.kind, EVLINE_ERROR);
	CHECK_STR_EQ(ev.text, "nothing-held: no frame is held");
	CHECK_INT_EQ(parse("app-done 1", NULL), 0);
	CHECK_INT_EQ(ev.kind, EVLINE_APP_DONE);
	CHECK_INT_EQ(ev.status, 1);
	CHECK_INT_EQ(parse("held 3", NULL), 0);
	CHECK_INT_EQ(ev.kind, EVLINE_OTHER);
	CHECK_INT_EQ(parse("clock 100 paused 1 200", NULL), 0);
	CHECK_INT_EQ(ev.kind, EVLINE_OTHER);
	/* A newer node's event this controller does not know is not an error. */
	CHECK_INT_EQ(parse("frobnicate 1 2", NULL), 0);
	CHECK_INT_EQ(ev.kind, EVLINE_OTHER);
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
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = NULL;

		if (parse(bad[i], &why) != -1 || !why || !*why) {
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
}

static void test_longest_text_fits_escaped(void)
{
	static char line[CTLMSG_LINE_MAX + 1];
	size_t n = 0;

	/* A full line of bytes that each escape to four characters. */
	n += (size_t)snprintf(line, sizeof line, "out ");
	while (n + 3 < CTLMSG_LINE_MAX - 1)
		n += (size_t)snprintf(line + n, sizeof line - n, "%%01");
	CHECK_INT_EQ(evline_parse(&ev, "server", line, n, &(const char *){ 0 }), 0);
	CHECK_INT_EQ(strlen(ev.text), (n - 4) / 3 * 4);
}

int main(void)
{
	RUN(test_state_line_is_node_local_remote_from_to_cause);
	RUN(test_listener_remote_is_printed_as_zero_address);
	RUN(test_app_output_is_exact_utf8_kept_controls_escaped);
	RUN(test_playground_events);
	RUN(test_answers_and_quiet_events);
	RUN(test_malformed_events_rejected_with_reason);
	RUN(test_longest_text_fits_escaped);
	CHECK_EXIT();
}
