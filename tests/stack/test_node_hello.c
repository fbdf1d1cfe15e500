/* Two tcpstep-node processes (the article's server and client) over a
 * relayed socketpair "wire": exact app output, the true state sequences of
 * the hello flow on both ends, TIME_WAIT = 2 x MSL, and --seed
 * reproducibility. No root needed (tests/stack/nodepair.h). */
#include "../check.h"
#include "ctlmsg.h"
#include "nodepair.h"

static const char *node_exe;

/* Runs the hello exchange at 10x speed (the 1 s wait takes 0.1 s of real
 * time) and waits until the client is done and the server's TIME_WAIT
 * ended. */
static bool run_hello(struct nodepair *p, const char *seed)
{
	/* seed NULL: no --seed (the list ends before it) */
	const char *server[] = { "--app", "server", "--msl", "1", "--speed", "10",
				 seed ? "--seed" : NULL, seed, NULL };
	const char *client[] = { "--app", "client", "--msl", "1", "--speed", "10",
				 seed ? "--seed" : NULL, seed, NULL };
	int from = 0, sfrom = 0;

	if (!np_start(p, node_exe, server, client))
		return false;
	bool ok = np_wait(p, NP_CLIENT, "app-done 0", &from, 10000) != NULL;
	/* the server's connection count drops to 0 once TIME_WAIT is over */
	ok = ok && np_wait(p, NP_SERVER, "conns 1", &sfrom, 5000) != NULL;
	ok = ok && np_wait(p, NP_SERVER, "conns 0", &sfrom, 10000) != NULL;
	return ok;
}

static uint16_t client_port(const struct nodepair *p)
{
	for (int i = 0; i < p->nsegs; i++)
		if (p->segs[i].from == NP_CLIENT && p->segs[i].flags == 0x02)
			return p->segs[i].sport;
	return 0;
}

static void test_hello_output_is_the_articles(void)
{
	static struct nodepair p;
	char outs[4096], want[4096];

	CHECK(run_hello(&p, "7"));
	uint16_t port = client_port(&p);
	CHECK(port >= 0xc000);

	np_outs(&p, NP_SERVER, outs, sizeof outs);
	snprintf(want, sizeof want,
		 "192.0.2.2:8888で受付開始しました\n"
		 "[Remote Address]\n"
		 "192.0.2.3:%u\n"
		 "[Message]\n"
		 "Hello, 192.0.2.2:8888\n", port);
	CHECK_STR_EQ(outs, want);

	np_outs(&p, NP_CLIENT, outs, sizeof outs);
	snprintf(want, sizeof want, "Hello, 192.0.2.3:%u\n\n", port);
	CHECK_STR_EQ(outs, want);
	CHECK(np_stop(&p));
}

static void test_hello_true_states_both_ends(void)
{
	static struct nodepair p;
	char states[2048];

	CHECK(run_hello(&p, "7"));
	uint16_t port = client_port(&p);

	/* The server is the active closer; its FIN carries the reply, and the
	 * client's FIN+ACK answers both, so FIN_WAIT_1 goes straight to
	 * TIME_WAIT (RFC 9293 figure 5 allows both paths). */
	np_states(&p, NP_SERVER, port, states, sizeof states);
	CHECK_STR_EQ(states,
		     "CLOSED>SYN_RCVD(rcvd SYN) SYN_RCVD>ESTABLISHED(rcvd ACK) "
		     "ESTABLISHED>FIN_WAIT_1(close() called) "
		     "FIN_WAIT_1>TIME_WAIT(rcvd FIN+ACK) TIME_WAIT>CLOSED(2MSL timer)");
	/* The client reads the reply in CLOSE_WAIT and closes inside its recv
	 * callback: CLOSE_WAIT is seen only because states are walked at the
	 * callback's entry. */
	np_states(&p, NP_CLIENT, port, states, sizeof states);
	CHECK_STR_EQ(states,
		     "CLOSED>SYN_SENT(connect() called) "
		     "SYN_SENT>ESTABLISHED(rcvd SYN-ACK) "
		     "ESTABLISHED>CLOSE_WAIT(rcvd FIN) "
		     "CLOSE_WAIT>LAST_ACK(close() called) "
		     "LAST_ACK>CLOSED(rcvd ACK of FIN)");
	np_states(&p, NP_SERVER, 8888, states, sizeof states);
	CHECK(strncmp(states, "CLOSED>LISTEN(listen() called)", 30) == 0);

	/* the 1 s wait and TIME_WAIT = 2 x MSL (MSL 1 s), on the node clock */
	long est = np_state_time(&p, NP_SERVER, "SYN_RCVD", "ESTABLISHED");
	long fw1 = np_state_time(&p, NP_SERVER, "ESTABLISHED", "FIN_WAIT_1");
	long tw = np_state_time(&p, NP_SERVER, "FIN_WAIT_1", "TIME_WAIT");
	long closed = np_state_time(&p, NP_SERVER, "TIME_WAIT", "CLOSED");
	/* at least the 1 s wait; the upper bound allows for the message's
	 * trip after the handshake, which follows real-time jitter (x10) */
	CHECK(fw1 - est >= 1000 && fw1 - est <= 1500);
	CHECK(closed - tw >= 2000 && closed - tw <= 2200);
	CHECK(np_stop(&p));
}

/* The events with virtual times removed (they follow real-time jitter while
 * the clock runs: clock and timers events, whose deadlines move with the
 * TCP timer's phase, are left out whole) and the ISNs seen on the wire. */
static void fingerprint(struct nodepair *p, char *dst, size_t dstsize)
{
	size_t len = 0;

	for (int who = 0; who < 2; who++) {
		for (int i = 0; i < p->n[who].nevents; i++) {
			const char *e = p->n[who].events[i];
			char w[64];
			if (strncmp(e, "clock ", 6) == 0 ||
			    strncmp(e, "timers ", 7) == 0)
				continue;
			if (strncmp(e, "state ", 6) == 0 && np_word(e, 1, w, sizeof w))
				e += 6 + strlen(w) + 1; /* drop "state T " */
			len += (size_t)snprintf(dst + len, len < dstsize ? dstsize - len : 0,
						"%d %s\n", who, e);
		}
	}
	for (int i = 0; i < p->nsegs; i++)
		if (p->segs[i].flags & 0x02) /* SYN: the ISN */
			len += (size_t)snprintf(dst + len, len < dstsize ? dstsize - len : 0,
						"isn %d %u\n", p->segs[i].from,
						p->segs[i].seq);
}

static void test_same_seed_same_run(void)
{
	static struct nodepair p;
	static char a[32768], b[32768], c[32768];

	CHECK(run_hello(&p, "42"));
	fingerprint(&p, a, sizeof a);
	CHECK(np_stop(&p));
	CHECK(run_hello(&p, "42"));
	fingerprint(&p, b, sizeof b);
	CHECK(np_stop(&p));
	CHECK(strlen(a) > 500);
	CHECK_STR_EQ(a, b);

	/* another seed: other port and ISNs */
	CHECK(run_hello(&p, "43"));
	fingerprint(&p, c, sizeof c);
	CHECK(np_stop(&p));
	CHECK(strcmp(a, c) != 0);

	/* no seed: /dev/urandom, so two runs differ (ports, ISNs) */
	CHECK(run_hello(&p, NULL));
	fingerprint(&p, b, sizeof b);
	CHECK(np_stop(&p));
	CHECK(run_hello(&p, NULL));
	fingerprint(&p, c, sizeof c);
	CHECK(np_stop(&p));
	CHECK(strcmp(b, c) != 0);
}

/* docs/control-protocol.md "Ordering": every event is stamped with
 * CLOCK_MONOTONIC, never earlier than the node's previous one, and a
 * reaction to a segment is stamped after the events of the step that sent
 * the segment, on the other node. */
static void test_events_are_stamped_causally(void)
{
	static struct nodepair p;
	uint64_t start = ctlmsg_now_ns();

	CHECK(run_hello(&p, "7"));
	uint64_t end = ctlmsg_now_ns();

	for (int who = 0; who < 2; who++) {
		CHECK_INT_EQ(p.n[who].bad_stamps, 0);
		CHECK(p.n[who].nevents > 5);
		CHECK(p.n[who].stamps[0] >= start);
		CHECK(p.n[who].stamps[p.n[who].nevents - 1] <= end);
	}
	/* cause (one node) before effect (the other) */
	struct { int a; const char *af, *at; int b; const char *bf, *bt; } pairs[] = {
		{ NP_CLIENT, "CLOSED", "SYN_SENT", NP_SERVER, "CLOSED", "SYN_RCVD" },
		{ NP_SERVER, "CLOSED", "SYN_RCVD", NP_CLIENT, "SYN_SENT", "ESTABLISHED" },
		{ NP_CLIENT, "SYN_SENT", "ESTABLISHED", NP_SERVER, "SYN_RCVD", "ESTABLISHED" },
		{ NP_SERVER, "ESTABLISHED", "FIN_WAIT_1", NP_CLIENT, "ESTABLISHED", "CLOSE_WAIT" },
		{ NP_CLIENT, "CLOSE_WAIT", "LAST_ACK", NP_SERVER, "FIN_WAIT_1", "TIME_WAIT" },
		{ NP_SERVER, "FIN_WAIT_1", "TIME_WAIT", NP_CLIENT, "LAST_ACK", "CLOSED" },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		uint64_t a = np_state_stamp(&p, pairs[i].a, pairs[i].af, pairs[i].at);
		uint64_t b = np_state_stamp(&p, pairs[i].b, pairs[i].bf, pairs[i].bt);

		CHECK(a != 0 && b != 0);
		if (!(a < b))
			fprintf(stderr, "  pair %zu: %s>%s at %llu, %s>%s at %llu\n",
				i, pairs[i].af, pairs[i].at, (unsigned long long)a,
				pairs[i].bf, pairs[i].bt, (unsigned long long)b);
		CHECK(a < b);
	}
	CHECK(np_stop(&p));
}

int main(int argc, char **argv)
{
	node_exe = np_node_exe_arg(argc, argv);
	RUN(test_hello_output_is_the_articles);
	RUN(test_hello_true_states_both_ends);
	RUN(test_same_seed_same_run);
	RUN(test_events_are_stamped_causally);
	CHECK_EXIT();
}
