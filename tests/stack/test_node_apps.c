/* The article's earlier server steps (once, sequential with a 5 s
 * handler), the client's failure and retry, and a dropped inbound frame
 * being retransmitted. Two real nodes over a relayed wire
 * (tests/stack/nodepair.h), at 10x speed where waits are long. */
#include "../check.h"
#include "nodepair.h"

#include <regex.h>

static const char *node_exe;

#define CMD_OK(p, who, line, verb)                                            \
	do {                                                                  \
		const char *r_ = np_cmd(p, who, line);                        \
		CHECK_STR_EQ(r_ ? r_ : "(no answer)", "ok " verb);            \
	} while (0)

/* Sequential: the second connection is accepted by TCP at once but handled
 * only after the first handler's 5 s; the handler does not reply. */
static void test_sequential_server_delays_the_second_client(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "server", "--server-mode", "sequential",
				 "--speed", "10", "--seed", "2", NULL };
	const char *client[] = { "--app", "manual", "--speed", "10", "--seed", "2", NULL };
	int sfrom = 0, cfrom = 0;
	char outs[4096];

	CHECK(np_start(&p, node_exe, server, client));
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:8888", "connect");
	CHECK(np_wait(&p, NP_CLIENT, "connected 1", &cfrom, 2000) != NULL);
	CMD_OK(&p, NP_CLIENT, "send 1 first%0A", "send");
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:8888", "connect");
	CHECK(np_wait(&p, NP_CLIENT, "connected 2", &cfrom, 2000) != NULL);
	CMD_OK(&p, NP_CLIENT, "send 2 second%0A", "send");

	/* both handshakes done, one handled */
	CHECK(np_wait(&p, NP_SERVER, "out first", &sfrom, 2000) != NULL);
	np_pump(&p, 100);
	np_outs(&p, NP_SERVER, outs, sizeof outs);
	CHECK(strstr(outs, "second") == NULL);

	/* the first handler closes after 5 s (0.5 s real): EOF, no reply */
	CHECK(np_wait(&p, NP_CLIENT, "eof 1", &cfrom, 3000) != NULL);
	CHECK(np_wait(&p, NP_SERVER, "out second", &sfrom, 2000) != NULL);
	CHECK(np_wait(&p, NP_CLIENT, "eof 2", &cfrom, 3000) != NULL);
	for (int i = 0; i < p.n[NP_CLIENT].nevents; i++)
		CHECK(strncmp(p.n[NP_CLIENT].events[i], "data ", 5) != 0);

	np_outs(&p, NP_SERVER, outs, sizeof outs);
	regex_t re;
	CHECK_INT_EQ(regcomp(&re,
			     "^192\\.0\\.2\\.2:8888で受付開始しました\n"
			     "\\[Remote Address\\]\n192\\.0\\.2\\.3:[0-9]+\n\\[Message\\]\nfirst\n"
			     "\\[Remote Address\\]\n192\\.0\\.2\\.3:[0-9]+\n\\[Message\\]\nsecond\n$",
			     REG_EXTENDED), 0);
	CHECK_INT_EQ(regexec(&re, outs, 0, NULL, 0), 0);
	regfree(&re);

	/* the second was handled 5 s (node clock) after the first */
	long c1 = -1, c2 = -1;
	for (int i = 0; i < p.n[NP_SERVER].nevents; i++) {
		const char *e = p.n[NP_SERVER].events[i];
		char t[24], from[16], to[16];
		if (strncmp(e, "state ", 6) == 0 && np_word(e, 1, t, sizeof t) &&
		    np_word(e, 4, from, sizeof from) && np_word(e, 5, to, sizeof to) &&
		    strcmp(from, "ESTABLISHED") == 0 && strcmp(to, "FIN_WAIT_1") == 0) {
			if (c1 < 0)
				c1 = atol(t);
			else
				c2 = atol(t);
		}
	}
	CHECK(c1 >= 5000);
	CHECK(c2 - c1 >= 5000 && c2 - c1 <= 5300);
	CHECK(np_stop(&p));
}

/* Once: one connection, then the program exits (listener closed). */
static void test_once_server_handles_one_and_exits(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "server", "--server-mode", "once", NULL };
	const char *client[] = { "--app", "client", NULL };
	int sfrom = 0, cfrom = 0;
	char outs[4096];

	CHECK(np_start(&p, node_exe, server, client));
	CHECK(np_wait(&p, NP_SERVER, "app-done 0", &sfrom, 3000) != NULL);
	/* no reply: the Go client reads EOF and prints an empty line */
	CHECK(np_wait(&p, NP_CLIENT, "app-done 0", &cfrom, 3000) != NULL);
	np_outs(&p, NP_CLIENT, outs, sizeof outs);
	CHECK_STR_EQ(outs, "\n");
	char states[1024];
	np_states(&p, NP_SERVER, 8888, states, sizeof states);
	CHECK(strstr(states, "LISTEN>CLOSED(close() called)") != NULL);
	/* the program exited; the node keeps running (TIME_WAIT etc.) */
	const char *r = np_cmd(&p, NP_SERVER, "status");
	CHECK(r && strcmp(r, "ok status") == 0);
	CHECK(np_stop(&p));
}

/* Closing the server's listener from the controller: Go's Accept fails,
 * log.Fatal ends the program, and the kernel closes its connections (FIN,
 * no reply: the handler was still in its 1 s wait). */
static void test_closing_the_listener_ends_the_server_like_go(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "server", NULL };
	const char *client[] = { "--app", "manual", NULL };
	int sfrom = 0, cfrom = 0;
	char outs[1024];

	CHECK(np_start(&p, node_exe, server, client));
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:8888", "connect");
	CHECK(np_wait(&p, NP_CLIENT, "connected 1", &cfrom, 2000) != NULL);
	CMD_OK(&p, NP_CLIENT, "send 1 hi%0A", "send");
	CHECK(np_wait(&p, NP_SERVER, "out hi", &sfrom, 2000) != NULL);
	CMD_OK(&p, NP_SERVER, "close 1", "close"); /* the listener's id */
	CHECK(np_wait(&p, NP_SERVER, "app-done 1", &sfrom, 1000) != NULL);
	CHECK(np_wait(&p, NP_CLIENT, "eof 1", &cfrom, 1000) != NULL);
	np_pump(&p, 1200); /* past the 1 s wait: no reply comes */
	for (int i = 0; i < p.n[NP_CLIENT].nevents; i++)
		CHECK(strncmp(p.n[NP_CLIENT].events[i], "data ", 5) != 0);
	np_outs(&p, NP_SERVER, outs, sizeof outs);
	regex_t re;
	CHECK_INT_EQ(regcomp(&re, "\\[Message\\]\nhi\n[0-9]{4}/[0-9]{2}/[0-9]{2} "
			     "[0-9]{2}:[0-9]{2}:[0-9]{2} コネクションを確立できませんでした\n$",
			     REG_EXTENDED), 0);
	CHECK_INT_EQ(regexec(&re, outs, 0, NULL, 0), 0);
	regfree(&re);
	char states[1024];
	np_states(&p, NP_SERVER, 8888, states, sizeof states);
	CHECK(strstr(states, "LISTEN>CLOSED(close() called)") != NULL);
	CHECK(strstr(states, "ESTABLISHED>FIN_WAIT_1(close() called)") != NULL);
	CHECK(np_stop(&p));
}

/* The client cannot connect: Go's log.Fatal line, status 1. */
static void test_client_refused_prints_go_fatal(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "manual", NULL };
	const char *client[] = { "--app", "client", NULL };
	int cfrom = 0;
	char outs[1024];

	CHECK(np_start(&p, node_exe, server, client));
	CHECK(np_wait(&p, NP_CLIENT, "app-done 1", &cfrom, 3000) != NULL);
	np_outs(&p, NP_CLIENT, outs, sizeof outs);
	regex_t re;
	CHECK_INT_EQ(regcomp(&re,
			     "^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
			     "tcp://192\\.0\\.2\\.2:8888に接続できませんでした\n$",
			     REG_EXTENDED), 0);
	CHECK_INT_EQ(regexec(&re, outs, 0, NULL, 0), 0);
	regfree(&re);
	char states[512];
	np_states(&p, NP_CLIENT, 8888, states, sizeof states);
	CHECK_STR_EQ(states, "CLOSED>SYN_SENT(connect() called) SYN_SENT>CLOSED(rcvd RST)");
	CHECK(np_stop(&p));
}

static int count_rsts(const struct nodepair *p)
{
	int rsts = 0;

	for (int i = 0; i < p->nsegs; i++)
		if (p->segs[i].from == NP_SERVER && (p->segs[i].flags & 0x04))
			rsts++;
	return rsts;
}

/* --connect-retry-ms: refused attempts are retried until the server
 * listens. */
static void test_client_retries_while_refused(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "manual", NULL };
	const char *client[] = { "--app", "client", "--connect-retry-ms", "5000", NULL };
	int sfrom = 0, cfrom = 0;

	CHECK(np_start(&p, node_exe, server, client));
	/* wait for two refused attempts (RSTs from the server), 200 ms apart */
	for (int i = 0; i < 300 && count_rsts(&p) < 2; i++)
		np_pump(&p, 10);
	CHECK(count_rsts(&p) >= 2);
	CMD_OK(&p, NP_SERVER, "listen 8888", "listen");
	CHECK(np_wait(&p, NP_SERVER, "data 2 Hello,%20192.0.2.2:8888%0A", &sfrom, 3000) != NULL);
	CMD_OK(&p, NP_SERVER, "send 2 pong%0A", "send");
	CHECK(np_wait(&p, NP_CLIENT, "app-done 0", &cfrom, 3000) != NULL);
	char outs[256];
	np_outs(&p, NP_CLIENT, outs, sizeof outs);
	CHECK_STR_EQ(outs, "pong\n\n");
	CHECK(np_stop(&p));
}

/* drop-next-in: the server drops the client's SYN; the client retransmits
 * it after its RTO (3 s; 0.3 s real at 10x) and the handshake completes. */
static void test_dropped_syn_is_retransmitted(void)
{
	static struct nodepair p;
	const char *server[] = { "--app", "manual", "--speed", "10", NULL };
	const char *client[] = { "--app", "manual", "--speed", "10", NULL };
	int sfrom = 0, cfrom = 0;

	CHECK(np_start(&p, node_exe, server, client));
	CMD_OK(&p, NP_SERVER, "listen 8888", "listen");
	CMD_OK(&p, NP_SERVER, "drop-next-in", "drop-next-in");
	/* the client's ARP request would be the next inbound frame: resolve
	 * ARP first with a connection to a closed port */
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:9", "connect");
	const char *d = np_wait(&p, NP_SERVER, "dropped ", &sfrom, 2000);
	CHECK(d != NULL);
	char what[32];
	CHECK(d && np_word(d, 2, what, sizeof what));
	/* (that was the ARP request; ARP retries at its next tick) */
	CHECK(np_wait(&p, NP_CLIENT, "conn-error 1", &cfrom, 5000) != NULL);

	CMD_OK(&p, NP_SERVER, "drop-next-in", "drop-next-in");
	CMD_OK(&p, NP_CLIENT, "connect 192.0.2.2:8888", "connect");
	d = np_wait(&p, NP_SERVER, "dropped ", &sfrom, 2000);
	CHECK(d && np_word(d, 2, what, sizeof what));
	CHECK_STR_EQ(what, "SYN");
	CHECK(np_wait(&p, NP_CLIENT, "connected 2", &cfrom, 3000) != NULL);
	int syns = 0;
	for (int i = 0; i < p.nsegs; i++)
		if (p.segs[i].from == NP_CLIENT && p.segs[i].flags == 0x02 &&
		    p.segs[i].dport == 8888)
			syns++;
	CHECK_INT_EQ(syns, 2);
	CHECK(np_stop(&p));
}

int main(int argc, char **argv)
{
	node_exe = np_node_exe_arg(argc, argv);
	RUN(test_sequential_server_delays_the_second_client);
	RUN(test_once_server_handles_one_and_exits);
	RUN(test_closing_the_listener_ends_the_server_like_go);
	RUN(test_client_refused_prints_go_fatal);
	RUN(test_client_retries_while_refused);
	RUN(test_dropped_syn_is_retransmitted);
	CHECK_EXIT();
}
