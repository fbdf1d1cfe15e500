/* Driving tcpstep-node through the control protocol: stepping and advance,
 * malformed messages, and the socket playground reaching all eleven TCP
 * states (half-close, simultaneous close, abort, refused connect, data after
 * close). Two real nodes over a relayed wire (tests/stack/nodepair.h). */
#include "../check.h"
#include "nodepair.h"

static const char *node_exe;

static const char *ok_or_err(const char *answer)
{
	return answer ? answer : "(no answer)";
}

#define CMD_OK(p, who, line, verb)                                            \
	CHECK_STR_EQ(ok_or_err(np_cmd(p, who, line)), "ok " verb)

/* Pumps until n TCP segments crossed the wire (or 3 s passed). */
static void wait_segments(struct nodepair *p, int n)
{
	for (int i = 0; i < 300 && np_tcp_segments(p) < n; i++)
		np_pump(p, 10);
}

/* Pumps until node who's next "held N" event after *from is "held want". */
static bool wait_held(struct nodepair *p, int who, const char *want, int *from)
{
	const char *e;

	while ((e = np_wait(p, who, "held ", from, 3000)) != NULL)
		if (strcmp(e, want) == 0)
			return true;
	return false;
}

static void test_paused_steps_release_exactly_n_segments(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "server", "--paused", "--seed", "1", NULL };
	const char *client[] = { "--app", "client", "--paused", "--seed", "1", NULL };
	int from = 0;

	CHECK(np_start(&p, node_exe, server, client));
	/* ARP goes through (never held); the SYN waits in the client */
	CHECK(np_wait(&p, NP_CLIENT, "held 1", &from, 3000) != NULL);
	/* 1.5 s of real time while paused: nothing on the wire, no
	 * retransmission, the clock still at 0 */
	np_pump(&p, 1500);
	CHECK_INT_EQ(np_tcp_segments(&p), 0);
	CMD_OK(&p, NP_CLIENT, "status", "status");
	CHECK(np_wait(&p, NP_CLIENT, "clock 0 paused", &from, 100) != NULL);

	/* each step releases exactly one segment */
	int sfrom = 0;
	CMD_OK(&p, NP_CLIENT, "step", "step");
	wait_segments(&p, 1);
	CHECK_INT_EQ(np_tcp_segments(&p), 1);
	CHECK_INT_EQ(p.segs[0].flags, 0x02); /* SYN */
	CHECK_STR_EQ(ok_or_err(np_cmd(&p, NP_CLIENT, "step")),
		     "error nothing-held no%20frame%20is%20held");

	/* the server answered at once, but holds its SYN+ACK */
	CHECK(wait_held(&p, NP_SERVER, "held 1", &sfrom));
	np_pump(&p, 200);
	CHECK_INT_EQ(np_tcp_segments(&p), 1);
	CMD_OK(&p, NP_SERVER, "step", "step");
	wait_segments(&p, 2);
	CHECK_INT_EQ(np_tcp_segments(&p), 2);
	CHECK_INT_EQ(p.segs[1].flags, 0x12); /* SYN+ACK */
	CHECK_INT_EQ(p.segs[1].ack, p.segs[0].seq + 1);

	/* the client's ACK (with its message) */
	CHECK(wait_held(&p, NP_CLIENT, "held 1", &from));
	CMD_OK(&p, NP_CLIENT, "step", "step");
	wait_segments(&p, 3);
	np_pump(&p, 100);
	CHECK_INT_EQ(np_tcp_segments(&p), 3);
	CHECK(np_wait(&p, NP_SERVER, "out [Message]", &sfrom, 1000) != NULL);
	CHECK(np_stop(&p));
}

static void test_advance_fires_exactly_the_next_timer(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "server", "--paused", "--seed", "1", NULL };
	const char *client[] = { "--app", "client", "--paused", "--seed", "1", NULL };
	char t[32], next[32], name[32];
	int from = 0;

	CHECK(np_start(&p, node_exe, server, client));
	CHECK(np_wait(&p, NP_CLIENT, "held 1", &from, 3000) != NULL);
	/* the status' NEXT is where advance goes */
	CMD_OK(&p, NP_CLIENT, "status", "status");
	const char *clock = np_wait(&p, NP_CLIENT, "clock ", &from, 100);
	CHECK(clock && np_word(clock, 4, next, sizeof next));
	CHECK_STR_EQ(next, "100"); /* the TCP timer, 100 ms (lwipopts.h) */
	CMD_OK(&p, NP_CLIENT, "advance", "advance");
	const char *fired = np_wait(&p, NP_CLIENT, "fired ", &from, 100);
	CHECK(fired && np_word(fired, 1, t, sizeof t) && np_word(fired, 2, name, sizeof name));
	CHECK_STR_EQ(t, "100");
	CHECK_STR_EQ(name, "tcp");
	clock = np_wait(&p, NP_CLIENT, "clock ", &from, 100);
	CHECK(clock && np_word(clock, 1, t, sizeof t));
	CHECK_STR_EQ(t, "100");

	/* the SYN's retransmission: advance until it is held too; every
	 * advance moves to the next deadline only */
	int advances = 1;
	while (advances < 100) {
		const char *r = np_cmd(&p, NP_CLIENT, "advance");
		CHECK(r && strcmp(r, "ok advance") == 0);
		advances++;
		const char *h = NULL;
		for (int i = p.n[NP_CLIENT].nevents - 1; i >= 0; i--)
			if (strncmp(p.n[NP_CLIENT].events[i], "held ", 5) == 0) {
				h = p.n[NP_CLIENT].events[i];
				break;
			}
		if (h && strcmp(h, "held 2") == 0)
			break;
	}
	/* The TCP timer ticks every 100 ms and runs the slow timer on odd
	 * ticks (tcp.c tcp_tmr): 100, 300, ... ms. The SYN's RTO is 15 slow
	 * ticks (3000 ms / 200 ms), so it is retransmitted at the 15th slow
	 * tick, 2900 ms: exactly 29 advances (ARP's ticks at 1000 and 2000 ms
	 * share the TCP timer's deadlines and fire with them). */
	CHECK_INT_EQ(advances, 29);
	CHECK_INT_EQ(np_tcp_segments(&p), 0); /* still held: nothing sent */
	from = p.n[NP_CLIENT].nevents;
	CMD_OK(&p, NP_CLIENT, "status", "status");
	clock = np_wait(&p, NP_CLIENT, "clock ", &from, 100);
	CHECK(clock && np_word(clock, 1, t, sizeof t));
	CHECK_STR_EQ(t, "2900");
	CHECK(np_stop(&p));
}

/* advance-until-event: deadline by deadline to the next thing a lesson
 * shows; here the SYN's retransmission at 2900 ms (29 deadlines). */
static void test_advance_until_event_stops_at_the_retransmission(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "server", "--paused", "--seed", "1", NULL };
	const char *client[] = { "--app", "client", "--paused", "--seed", "1", NULL };
	char t[32], name[32], count[32];
	int from = 0;

	CHECK(np_start(&p, node_exe, server, client));
	CHECK(np_wait(&p, NP_CLIENT, "held 1", &from, 3000) != NULL);
	CHECK_STR_EQ(ok_or_err(np_cmd(&p, NP_CLIENT, "advance-until-event")),
		     "ok advance-until-event");
	const char *fired = np_wait(&p, NP_CLIENT, "fired ", &from, 100);
	CHECK(fired && np_word(fired, 1, t, sizeof t) &&
	      np_word(fired, 2, name, sizeof name) && np_word(fired, 3, count, sizeof count));
	CHECK_STR_EQ(t, "2900");
	CHECK_STR_EQ(name, "tcp");
	CHECK_STR_EQ(count, "29");
	/* it stopped because the retransmitted SYN is held now */
	const char *last = NULL;
	for (int i = 0; i < p.n[NP_CLIENT].nevents; i++)
		if (strncmp(p.n[NP_CLIENT].events[i], "held ", 5) == 0)
			last = p.n[NP_CLIENT].events[i];
	CHECK_STR_EQ(last ? last : "(none)", "held 2");
	CHECK_INT_EQ(np_tcp_segments(&p), 0);
	CHECK(np_stop(&p));
}

/* advance-to keeps clocks in step: every deadline on the way fires at its
 * time, the clock rests at the target. The client's timers event said
 * when its SYN would be sent again (2900): advancing to it retransmits. */
static void test_advance_to_fires_on_the_way_and_rests_at_target(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "server", "--paused", "--seed", "1", NULL };
	const char *client[] = { "--app", "client", "--paused", "--seed", "1", NULL };
	char t[32], name[32], count[32], rtx[32], rto[32];
	int from = 0;

	CHECK(np_start(&p, node_exe, server, client));
	CHECK(np_wait(&p, NP_CLIENT, "held 1", &from, 3000) != NULL);
	from = 0;
	const char *timers = np_wait(&p, NP_CLIENT, "timers ", &from, 100);
	CHECK(timers && np_word(timers, 4, rto, sizeof rto) &&
	      np_word(timers, 5, rtx, sizeof rtx));
	CHECK_STR_EQ(rto, "3000");
	CHECK_STR_EQ(rtx, "2900");
	CMD_OK(&p, NP_CLIENT, "advance-to 2899", "advance-to");
	CHECK_INT_EQ(np_tcp_segments(&p), 0);
	const char *last = NULL;
	for (int i = 0; i < p.n[NP_CLIENT].nevents; i++)
		if (strncmp(p.n[NP_CLIENT].events[i], "held ", 5) == 0)
			last = p.n[NP_CLIENT].events[i];
	CHECK_STR_EQ(last ? last : "(none)", "held 1"); /* not yet */
	from = p.n[NP_CLIENT].nevents;
	CMD_OK(&p, NP_CLIENT, "advance-to 2950", "advance-to");
	const char *fired = np_wait(&p, NP_CLIENT, "fired ", &from, 100);
	CHECK(fired && np_word(fired, 1, t, sizeof t) &&
	      np_word(fired, 2, name, sizeof name) &&
	      np_word(fired, 3, count, sizeof count));
	CHECK_STR_EQ(t, "2950");
	CHECK_STR_EQ(name, "advance-to");
	CHECK_STR_EQ(count, "1"); /* the 2900 tick */
	const char *clock = np_wait(&p, NP_CLIENT, "clock ", &from, 100);
	CHECK(clock && np_word(clock, 1, t, sizeof t));
	CHECK_STR_EQ(t, "2950");
	/* the retransmitted SYN, held too */
	from = 0;
	CHECK(np_wait(&p, NP_CLIENT, "held 2", &from, 100) != NULL);
	CHECK_STR_EQ(ok_or_err(np_cmd(&p, NP_CLIENT, "advance-to 100")),
		     "error in-the-past the%20clock%20does%20not%20go%20back");
	CHECK_STR_EQ(ok_or_err(np_cmd(&p, NP_CLIENT, "advance-to 99999999")),
		     "error too-far advance-to%20goes%20at%20most%2010%20minutes%20on");
	CMD_OK(&p, NP_CLIENT, "run", "run");
	CHECK(strncmp(ok_or_err(np_cmd(&p, NP_CLIENT, "advance-to 99999")),
		      "error not-paused", 16) == 0);
	CHECK(np_stop(&p));
}

static void test_malformed_messages_get_errors_not_crashes(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "manual", NULL };
	const char *client[] = { "--app", "manual", NULL };
	static const struct {
		const char *line, *key;
	} cases[] = {
		{ "", "bad-message" },
		{ "  ", "bad-message" },
		{ "run ", "bad-message" },
		{ "bogus", "unknown-command" },
		{ "RUN", "unknown-command" },
		{ "speed", "bad-message" },
		{ "speed abc", "bad-message" },
		{ "speed 1000", "bad-message" },
		{ "speed 0.01", "bad-message" },
		{ "speed -1", "bad-message" },
		{ "pause now", "bad-message" },
		{ "send 1", "bad-message" },
		{ "send x hello", "bad-message" },
		{ "send 99 hello", "unknown-id" },
		{ "close 0", "unknown-id" },
		{ "abort 4294967296", "bad-message" },
		{ "connect 192.0.2", "bad-message" },
		{ "connect 192.0.2.2:0", "bad-message" },
		{ "connect 10.0.0.1:80", "outside-test-net" },
		{ "listen 0", "bad-message" },
		{ "listen 70000", "bad-message" },
		{ "listen 08", "bad-message" },
		{ "advance now", "bad-message" },
		{ "step", "nothing-held" },
		{ "caf\xc3\xa9", "bad-message" },
		{ "run\r", "bad-message" },
	};
	char key[64];

	CHECK(np_start(&p, node_exe, server, client));
	CMD_OK(&p, NP_SERVER, "pause", "pause");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *r = np_cmd(&p, NP_SERVER, cases[i].line);
		CHECK(r != NULL);
		if (!r)
			continue;
		CHECK(strncmp(r, "error ", 6) == 0 && np_word(r, 1, key, sizeof key));
		if (strcmp(key, cases[i].key) != 0)
			fprintf(stderr, "line '%s': got '%s'\n", cases[i].line, r);
		CHECK_STR_EQ(key, cases[i].key);
	}
	/* a NUL byte, and a line over 4096 bytes */
	np_send_raw(&p, NP_SERVER, "ru\0n\n", 5);
	int from = p.n[NP_SERVER].nevents;
	CHECK(np_wait(&p, NP_SERVER, "error bad-message", &from, 1000) != NULL);
	static char big[10000];
	memset(big, 'a', sizeof big);
	np_send_raw(&p, NP_SERVER, big, sizeof big);
	np_send_raw(&p, NP_SERVER, "\n", 1);
	CHECK(np_wait(&p, NP_SERVER, "error line-too-long", &from, 1000) != NULL);
	/* a bad percent-escape in send's text */
	CMD_OK(&p, NP_SERVER, "listen 7000", "listen");
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:7000", "connect");
	CMD_OK(&p, NP_SERVER, "run", "run");
	int cfrom = 0;
	CHECK(np_wait(&p, NP_CLIENT, "connected 1", &cfrom, 2000) != NULL);
	const char *r = np_cmd(&p, NP_CLIENT, "send 1 abc%4");
	CHECK(r && strncmp(r, "error bad-message", 17) == 0);
	/* and the node still works */
	CMD_OK(&p, NP_CLIENT, "send 1 still%20alive", "send");
	int sfrom = 0;
	CHECK(np_wait(&p, NP_SERVER, "data 2 still%20alive", &sfrom, 2000) != NULL);
	CHECK(np_stop(&p));
}

static void test_eleven_states_in_the_playground(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "manual", "--msl", "0.5", "--seed", "3", NULL };
	const char *client[] = { "--app", "manual", "--msl", "0.5", "--seed", "3", NULL };
	char states[4096];
	int sfrom = 0, cfrom = 0;

	CHECK(np_start(&p, node_exe, server, client));

	/* LISTEN; SYN_SENT, SYN_RCVD, ESTABLISHED */
	CMD_OK(&p, NP_SERVER, "listen 9000", "listen");
	/* a second listen on the port: lwIP's ERR_USE, said in words (not
	 * lwip_strerr's "" without LWIP_DEBUG) */
	CHECK_STR_EQ(ok_or_err(np_cmd(&p, NP_SERVER, "listen 9000")),
		     "error listen-failed address%20in%20use%20(lwIP%20ERR_USE,%20EADDRINUSE)");
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:9000", "connect");
	CHECK(np_wait(&p, NP_CLIENT, "connected 1", &cfrom, 2000) != NULL);
	CHECK(np_wait(&p, NP_SERVER, "conn 2 ", &sfrom, 2000) != NULL);

	/* half-close: the client shuts down writing (FIN_WAIT_1 ->
	 * FIN_WAIT_2), the server sees EOF (CLOSE_WAIT) and can still send */
	CMD_OK(&p, NP_CLIENT, "shutdown 1", "shutdown");
	CHECK(np_wait(&p, NP_SERVER, "eof 2", &sfrom, 2000) != NULL);
	/* the client shut down writing: tcp_write refuses (ERR_CONN, as
	 * send() after shutdown(SHUT_WR) fails) */
	CHECK_STR_EQ(ok_or_err(np_cmd(&p, NP_CLIENT, "send 1 more")),
		     "error send-failed not%20connected%20(lwIP%20ERR_CONN,%20ENOTCONN)");
	CMD_OK(&p, NP_SERVER, "send 2 bye%0A", "send");
	CHECK(np_wait(&p, NP_CLIENT, "data 1 bye%0A", &cfrom, 2000) != NULL);
	/* the server closes: LAST_ACK; the client TIME_WAIT, 2 x 0.5 s */
	CMD_OK(&p, NP_SERVER, "close 2", "close");
	CHECK(np_wait(&p, NP_CLIENT, "conns 0", &cfrom, 4000) != NULL);
	/* the client only shut down writing: lwIP freed its pcb at the end of
	 * TIME_WAIT without a callback; the id is gone, not dangling */
	const char *r = np_cmd(&p, NP_CLIENT, "send 1 x");
	CHECK(r && strncmp(r, "error unknown-id", 16) == 0);
	np_states(&p, NP_CLIENT, 9000, states, sizeof states);
	CHECK_STR_EQ(states,
		     "CLOSED>SYN_SENT(connect() called) SYN_SENT>ESTABLISHED(rcvd SYN-ACK) "
		     "ESTABLISHED>FIN_WAIT_1(shutdown() called) "
		     "FIN_WAIT_1>FIN_WAIT_2(rcvd ACK of FIN) "
		     "FIN_WAIT_2>TIME_WAIT(rcvd FIN) "
		     "TIME_WAIT>CLOSED(2MSL timer)");
	np_states(&p, NP_SERVER, 0, states, sizeof states);
	CHECK(strstr(states, "CLOSED>LISTEN(listen() called) "
			     "CLOSED>SYN_RCVD(rcvd SYN) SYN_RCVD>ESTABLISHED(rcvd ACK) "
			     "ESTABLISHED>CLOSE_WAIT(rcvd FIN) "
			     "CLOSE_WAIT>LAST_ACK(close() called) "
			     "LAST_ACK>CLOSED(rcvd ACK of FIN)") != NULL);

	/* simultaneous close: both paused, both close, the FINs cross */
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:9000", "connect");
	CHECK(np_wait(&p, NP_CLIENT, "connected 2", &cfrom, 2000) != NULL);
	CHECK(np_wait(&p, NP_SERVER, "conn 3 ", &sfrom, 2000) != NULL);
	np_pump(&p, 300); /* let the handshake's last ACK settle */
	CMD_OK(&p, NP_SERVER, "pause", "pause");
	CMD_OK(&p, NP_CLIENT, "pause", "pause");
	int shf = p.n[NP_SERVER].nevents, chf = p.n[NP_CLIENT].nevents;
	CMD_OK(&p, NP_SERVER, "close 3", "close");
	CMD_OK(&p, NP_CLIENT, "close 2", "close");
	CHECK(wait_held(&p, NP_SERVER, "held 1", &shf));
	CHECK(wait_held(&p, NP_CLIENT, "held 1", &chf));
	/* both FINs cross; each side answers the other's FIN with an ACK */
	CMD_OK(&p, NP_SERVER, "step", "step");
	CMD_OK(&p, NP_CLIENT, "step", "step");
	CHECK(wait_held(&p, NP_SERVER, "held 1", &shf));
	CHECK(wait_held(&p, NP_CLIENT, "held 1", &chf));
	CMD_OK(&p, NP_SERVER, "step", "step");
	CMD_OK(&p, NP_CLIENT, "step", "step");
	CMD_OK(&p, NP_SERVER, "run", "run");
	CMD_OK(&p, NP_CLIENT, "run", "run");
	CHECK(np_wait(&p, NP_CLIENT, "conns 0", &cfrom, 4000) != NULL);
	np_states(&p, NP_CLIENT, 9000, states, sizeof states);
	CHECK(strstr(states, "ESTABLISHED>FIN_WAIT_1(close() called) "
			     "FIN_WAIT_1>CLOSING(rcvd FIN) "
			     "CLOSING>TIME_WAIT(rcvd ACK of FIN) "
			     "TIME_WAIT>CLOSED(2MSL timer)") != NULL);

	/* abort: RST, no TIME_WAIT on either side */
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:9000", "connect");
	CHECK(np_wait(&p, NP_CLIENT, "connected 3", &cfrom, 2000) != NULL);
	CHECK(np_wait(&p, NP_SERVER, "conn 4 ", &sfrom, 2000) != NULL);
	CMD_OK(&p, NP_CLIENT, "abort 3", "abort");
	CHECK(np_wait(&p, NP_SERVER, "conn-error 4 connection%20reset", &sfrom, 2000) != NULL);
	np_states(&p, NP_CLIENT, 0, states, sizeof states);
	CHECK(strstr(states, "ESTABLISHED>CLOSED(abort() called)") != NULL);
	np_states(&p, NP_SERVER, 0, states, sizeof states);
	CHECK(strstr(states, "ESTABLISHED>CLOSED(rcvd RST)") != NULL);

	/* a closed port answers RST: SYN_SENT -> CLOSED */
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:9999", "connect");
	CHECK(np_wait(&p, NP_CLIENT, "conn-error 4 connection%20reset", &cfrom, 2000) != NULL);
	np_states(&p, NP_CLIENT, 9999, states, sizeof states);
	CHECK_STR_EQ(states, "CLOSED>SYN_SENT(connect() called) SYN_SENT>CLOSED(rcvd RST)");

	/* data after close: the server closed, the client sends: RST */
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:9000", "connect");
	CHECK(np_wait(&p, NP_CLIENT, "connected 5", &cfrom, 2000) != NULL);
	CHECK(np_wait(&p, NP_SERVER, "conn 5 ", &sfrom, 2000) != NULL);
	CMD_OK(&p, NP_SERVER, "close 5", "close");
	CHECK(np_wait(&p, NP_CLIENT, "eof 5", &cfrom, 2000) != NULL);
	CMD_OK(&p, NP_CLIENT, "send 5 late", "send");
	CHECK(np_wait(&p, NP_CLIENT, "conn-error 5 connection%20reset", &cfrom, 2000) != NULL);
	np_states(&p, NP_SERVER, 0, states, sizeof states);
	CHECK(strstr(states, "FIN_WAIT_2>CLOSED(rcvd ACK)") != NULL);
	np_states(&p, NP_CLIENT, 0, states, sizeof states);
	CHECK(strstr(states, "CLOSE_WAIT>CLOSED(rcvd RST)") != NULL);

	/* all eleven states were reported, on one node or the other */
	static const char *const all[] = {
		"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
		"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
		"TIME_WAIT",
	};
	char both[8192];
	np_states(&p, NP_SERVER, 0, states, sizeof states);
	snprintf(both, sizeof both, "%s ", states);
	np_states(&p, NP_CLIENT, 0, states, sizeof states);
	strncat(both, states, sizeof both - strlen(both) - 1);
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		char want[32];
		snprintf(want, sizeof want, ">%s(", all[i]);
		if (!strstr(both, want))
			fprintf(stderr, "state %s never reported\n", all[i]);
		CHECK(strstr(both, want) != NULL);
	}
	CHECK(np_stop(&p));
}

int main(int argc, char **argv)
{
	node_exe = np_node_exe_arg(argc, argv);
	RUN(test_paused_steps_release_exactly_n_segments);
	RUN(test_advance_fires_exactly_the_next_timer);
	RUN(test_advance_until_event_stops_at_the_retransmission);
	RUN(test_advance_to_fires_on_the_way_and_rests_at_target);
	RUN(test_malformed_messages_get_errors_not_crashes);
	RUN(test_eleven_states_in_the_playground);
	CHECK_EXIT();
}
