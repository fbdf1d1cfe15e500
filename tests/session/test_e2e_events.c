/* Root: a real two-node session's typed events (session/event.h), recorded
 * by a test sink beside the headless sink of the same run:
 * - the article's hello exchange: kinds, order (stamps never go back),
 *   fields (the server's listener, the client's states in order, the wire's
 *   inference and its segments, SYN first), the model the accessors show,
 *   and exactly the headless lines of the same run when formatted;
 * - the typed asynchronous commands on two manual nodes (listen, connect,
 *   write, shutdown, close, abort, pause/step/run, drop-next), each
 *   completion called once with the node's answer, an error with its key.
 * TCPSTEP_NODE names the node binary (meson passes it). */
#define _GNU_SOURCE /* open_memstream */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../check.h"
#include "headless_sink.h"
#include "session.h"

#define MAX_EVENTS 4096

struct rec {
	enum session_event_kind kind;
	int node;
	uint64_t stamp;
	char line[512];         /* headless_format's line, if shown */
	bool shown;
	enum tcpstate from, to;
	char local[SESSION_ADDR_MAX];
	uint8_t flags;          /* WIRE_SEGMENT */
	bool ok;                /* ANSWER */
};

static struct rec recs[MAX_EVENTS];
static int nrecs;
static const struct headless_filter all = { .show_states = true,
					    .show_app = true,
					    .show_wire = true };

static void record(const struct session_event *ev, void *user)
{
	struct rec *r;

	(void)user;
	if (nrecs == MAX_EVENTS)
		return;
	r = &recs[nrecs++];
	memset(r, 0, sizeof *r);
	r->kind = ev->kind;
	r->node = ev->node;
	r->stamp = ev->stamp_ns;
	r->shown = headless_shown(&all, ev) &&
		   headless_format(r->line, sizeof r->line, ev, false);
	if (ev->kind == SESSION_EV_NODE_STATE) {
		r->from = ev->u.state.from;
		r->to = ev->u.state.to;
		snprintf(r->local, sizeof r->local, "%s", ev->u.state.local);
	} else if (ev->kind == SESSION_EV_WIRE_STATE) {
		r->from = ev->u.wire_state.ev.u.state.from;
		r->to = ev->u.wire_state.ev.u.state.to;
	} else if (ev->kind == SESSION_EV_WIRE_SEGMENT) {
		r->flags = ev->u.wire_seg.seg.flags;
	} else if (ev->kind == SESSION_EV_ANSWER) {
		r->ok = ev->u.answer.ok;
	}
}

static int count(enum session_event_kind kind, int node)
{
	int n = 0;

	for (int i = 0; i < nrecs; i++)
		n += recs[i].kind == kind && (node < -1 || recs[i].node == node);
	return n;
}

struct run {
	struct session *s;
	struct headless_sink hs;
	char *text;
	size_t len;
	FILE *out, *err;
};

static bool start(struct run *r)
{
	struct session_config cfg = { .has_seed = true, .seed = 1,
				      .msl_ns = 500000000 };
	char err[512];

	nrecs = 0;
	r->text = NULL;
	r->out = open_memstream(&r->text, &r->len);
	r->err = stderr;
	headless_sink_init(&r->hs, r->out, r->err, &all);
	cfg.sinks[0] = headless_sink_get(&r->hs);
	cfg.sinks[1].event = record;
	cfg.nsinks = 2;
	r->s = session_create(&cfg, err, sizeof err);
	if (!r->s) {
		fprintf(stderr, "session_create: %s\n", err);
		return false;
	}
	headless_sink_attach(&r->hs, r->s);
	return true;
}

static void finish(struct run *r)
{
	session_destroy(r->s);
	fclose(r->out);
}

static bool server_listening(struct session *s, void *user)
{
	(void)user;
	return session_node_listening(s, 0);
}

static bool hello_done(struct session *s, void *user)
{
	(void)user;
	return session_node_app_done(s, 1, NULL) && session_node_quiet(s, 0) &&
	       session_node_quiet(s, 1) && session_wire_quiet(s);
}

static void test_hello_exchange_events(void)
{
	static const char *const server_args[] = {
		"--app", "server", "--port", "8888", NULL };
	static const char *const client_args[] = {
		"--app", "client", "--connect", "192.0.2.2:8888", NULL };
	static const enum tcpstate client_path[] = {
		TCPSTATE_SYN_SENT, TCPSTATE_ESTABLISHED, TCPSTATE_CLOSE_WAIT,
		TCPSTATE_LAST_ACK, TCPSTATE_CLOSED };
	struct session_node_info info;
	struct run r;
	char err[512];
	int k = 0, first_state = -1;

	if (!start(&r)) {
		CHECK(0);
		return;
	}
	CHECK_INT_EQ(session_spawn_node(r.s, "server", "192.0.2.2", server_args,
					err, sizeof err), 0);
	CHECK_INT_EQ(session_wait(r.s, server_listening, NULL, 5000),
		     SESSION_WAIT_DONE);
	/* The model as it is read: the listener, with its id. */
	CHECK(session_node_info(r.s, 0, &info));
	CHECK(info.started && info.alive && !info.died);
	CHECK_INT_EQ(info.nconns, 1);
	if (info.nconns == 1) {
		CHECK_INT_EQ(info.conn[0].state, TCPSTATE_LISTEN);
		CHECK(info.conn[0].listener);
		CHECK(info.conn[0].id > 0);
		CHECK_STR_EQ(info.conn[0].local, "192.0.2.2:8888");
	}
	CHECK(info.clock.known && info.clock.running);
	CHECK_INT_EQ(session_spawn_node(r.s, "client", "192.0.2.3", client_args,
					err, sizeof err), 1);
	CHECK_INT_EQ(session_wait(r.s, hello_done, NULL, 20000),
		     SESSION_WAIT_DONE);
	CHECK(session_node_info(r.s, 1, &info));
	CHECK(info.app_done && info.app_status == 0);
	finish(&r);

	/* Kinds. */
	CHECK_INT_EQ(count(SESSION_EV_NODE_STARTED, 0), 1);
	CHECK_INT_EQ(count(SESSION_EV_NODE_STARTED, 1), 1);
	CHECK(count(SESSION_EV_APP_OUT, 0) >= 2);
	CHECK(count(SESSION_EV_APP_OUT, 1) >= 2);
	CHECK(count(SESSION_EV_CLOCK, -2) >= 2);
	CHECK(count(SESSION_EV_CONN, 0) >= 2);  /* listener, accepted */
	CHECK_INT_EQ(count(SESSION_EV_APP_DONE, 1), 1);
	CHECK(count(SESSION_EV_WIRE_STATE, -1) >= 8);
	CHECK(count(SESSION_EV_WIRE_SEGMENT, -1) >= 7);
	CHECK(count(SESSION_EV_TIMERS, 1) >= 1);
	CHECK(count(SESSION_EV_TIMERS, 0) >= 1);
	CHECK_INT_EQ(count(SESSION_EV_NODE_DIED, -2), 0);
	CHECK_INT_EQ(count(SESSION_EV_NODE_MALFORMED, -2), 0);

	/* Order: stamps never go back; the first wire segment is the SYN. */
	for (int i = 1; i < nrecs; i++)
		if (recs[i].kind != SESSION_EV_NOTICE &&
		    recs[i].stamp < recs[i - 1].stamp) {
			fprintf(stderr, "event %d (%s) stamped before event %d\n",
				i, session_event_kind_name(recs[i].kind), i - 1);
			CHECK(0);
			break;
		}
	for (int i = 0; i < nrecs; i++)
		if (recs[i].kind == SESSION_EV_WIRE_SEGMENT) {
			CHECK_INT_EQ(recs[i].flags & (TCPF_SYN | TCPF_ACK), TCPF_SYN);
			break;
		}

	/* Fields: the server's first state is its listen; the client goes
	 * the article's way. */
	for (int i = 0; i < nrecs; i++) {
		if (recs[i].kind != SESSION_EV_NODE_STATE)
			continue;
		if (recs[i].node == 0 && first_state < 0) {
			first_state = i;
			CHECK_INT_EQ(recs[i].from, TCPSTATE_CLOSED);
			CHECK_INT_EQ(recs[i].to, TCPSTATE_LISTEN);
			CHECK_STR_EQ(recs[i].local, "192.0.2.2:8888");
		}
		if (recs[i].node == 1 && k < 5) {
			CHECK_INT_EQ(recs[i].to, client_path[k]);
			k++;
		}
	}
	CHECK_INT_EQ(k, 5);

	/* The headless lines of the same run are these events, formatted. */
	{
		char *p = r.text, *nl;
		int i = 0, lines = 0;

		while (p && (nl = strchr(p, '\n')) != NULL) {
			*nl = '\0';
			while (i < nrecs && !recs[i].shown)
				i++;
			if (i == nrecs) {
				fprintf(stderr, "headless line without an event: %s\n", p);
				CHECK(0);
				break;
			}
			CHECK_STR_EQ(recs[i].line, p);
			i++;
			lines++;
			p = nl + 1;
		}
		while (i < nrecs && !recs[i].shown)
			i++;
		CHECK_INT_EQ(i, nrecs);
		CHECK(lines >= 20);
	}
	free(r.text);
}

/* --- The typed commands ---------------------------------------------------- */

struct done {
	int calls;
	bool ok;
	char key[32];
};

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void on_done(struct session *s, int node, bool ok, const char *key,
		    const char *text, void *user)
{
	struct done *d = user;

	(void)s;
	(void)node;
	(void)text;
	d->calls++;
	d->ok = ok;
	snprintf(d->key, sizeof d->key, "%s", key);
}

static bool answered(struct session *s, void *user)
{
	(void)s;
	return ((struct done *)user)->calls > 0;
}

/* Runs the loop until d's completion came (or 5 s). */
static bool wait_done(struct session *s, struct done *d)
{
	return session_wait(s, answered, d, 5000) == SESSION_WAIT_DONE &&
	       d->calls == 1;
}

struct entered {
	int node;
	enum tcpstate to;
};

static bool has_entered(struct session *s, void *user)
{
	struct entered *e = user;

	return session_consume_state(s, e->node, e->to);
}

static bool wait_state(struct session *s, int node, enum tcpstate to)
{
	struct entered e = { node, to };

	return session_wait(s, has_entered, &e, 5000) == SESSION_WAIT_DONE;
}

static uint32_t last_id(struct session *s, int node)
{
	const char *id = session_node_last_id(s, node, false);

	return id ? (uint32_t)strtoul(id, NULL, 10) : 0;
}

static void test_typed_commands(void)
{
	static const char *const manual[] = { "--app", "manual", NULL };
	struct run r;
	struct done d;
	char err[512];
	uint32_t cid, sid;

	if (!start(&r)) {
		CHECK(0);
		return;
	}
	CHECK_INT_EQ(session_spawn_node(r.s, "server", "192.0.2.2", manual, err,
					sizeof err), 0);
	CHECK_INT_EQ(session_spawn_node(r.s, "client", "192.0.2.3", manual, err,
					sizeof err), 1);
	CHECK_INT_EQ(session_node_count(r.s), 2);
	/* The speed, with the protocol's '.' */
	memset(&d, 0, sizeof d);
	CHECK(session_speed(r.s, 0, 2.5, on_done, &d, err, sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	{
		struct session_node_info info;

		CHECK(session_node_info(r.s, 0, &info));
		CHECK(info.clock.speed == 2.5);
	}
	CHECK(!session_speed(r.s, 0, 1000, on_done, &d, err, sizeof err));
	/* The raw command line, as scripts send it. */
	memset(&d, 0, sizeof d);
	CHECK(session_send(r.s, 0, "speed 1", on_done, &d, err, sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	memset(&d, 0, sizeof d);
	CHECK(session_listen(r.s, 0, 8888, on_done, &d, err, sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	/* Not on the session network: refused before anything is sent. */
	CHECK(!session_connect(r.s, 1, "10.0.0.1", 80, on_done, &d, err,
			       sizeof err));
	CHECK(strstr(err, "192.0.2.0/24") != NULL);
	/* Paused: the SYN waits at the client until a step. */
	memset(&d, 0, sizeof d);
	CHECK(session_clock_op(r.s, 1, SESSION_PAUSE, on_done, &d, err,
			       sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	memset(&d, 0, sizeof d);
	CHECK(session_connect(r.s, 1, "192.0.2.2", 8888, on_done, &d, err,
			      sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	CHECK(wait_state(r.s, 1, TCPSTATE_SYN_SENT));
	CHECK(!session_node_entered(r.s, 0, TCPSTATE_SYN_RCVD));
	{
		struct session_node_info info;

		CHECK(session_node_info(r.s, 1, &info));
		CHECK_INT_EQ(info.held, 1);
		CHECK(info.clock.known && !info.clock.running);
	}
	/* The whole exchange, one segment a step: the server is paused too,
	 * so its SYN-ACK waits at it and is then the oldest held of all. */
	memset(&d, 0, sizeof d);
	CHECK(session_clock_op(r.s, 0, SESSION_PAUSE, on_done, &d, err,
			       sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	CHECK_INT_EQ(session_oldest_held(r.s), 1);
	memset(&d, 0, sizeof d);
	CHECK_INT_EQ(session_step_oldest(r.s, on_done, &d, err, sizeof err), 1);
	CHECK(wait_done(r.s, &d) && d.ok);
	CHECK(wait_state(r.s, 0, TCPSTATE_SYN_RCVD));
	CHECK(session_wait(r.s, NULL, NULL, 200) == SESSION_WAIT_TIMEOUT);
	CHECK_INT_EQ(session_oldest_held(r.s), 0);
	CHECK(!session_node_entered(r.s, 1, TCPSTATE_ESTABLISHED));
	memset(&d, 0, sizeof d);
	CHECK_INT_EQ(session_step_oldest(r.s, on_done, &d, err, sizeof err), 0);
	CHECK(wait_done(r.s, &d) && d.ok);
	/* The SYN-ACK is processed at once though the client is paused; its
	 * ACK is held in turn: the next step sends it. */
	CHECK(wait_state(r.s, 1, TCPSTATE_ESTABLISHED));
	CHECK(session_wait(r.s, NULL, NULL, 200) == SESSION_WAIT_TIMEOUT);
	CHECK_INT_EQ(session_oldest_held(r.s), 1);
	memset(&d, 0, sizeof d);
	CHECK_INT_EQ(session_step_oldest(r.s, on_done, &d, err, sizeof err), 1);
	CHECK(wait_done(r.s, &d) && d.ok);
	CHECK(wait_state(r.s, 0, TCPSTATE_ESTABLISHED));
	CHECK(session_wait(r.s, NULL, NULL, 200) == SESSION_WAIT_TIMEOUT);
	CHECK_INT_EQ(session_oldest_held(r.s), -1);
	CHECK_INT_EQ(session_step_oldest(r.s, on_done, &d, err, sizeof err), -1);
	memset(&d, 0, sizeof d);
	CHECK(session_clock_op(r.s, 0, SESSION_RUN, on_done, &d, err,
			       sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	/* Nothing held: an error, with its key. */
	memset(&d, 0, sizeof d);
	CHECK(session_clock_op(r.s, 1, SESSION_STEP, on_done, &d, err,
			       sizeof err));
	CHECK(wait_done(r.s, &d) && !d.ok);
	CHECK_STR_EQ(d.key, "nothing-held");
	memset(&d, 0, sizeof d);
	CHECK(session_clock_op(r.s, 1, SESSION_RUN, on_done, &d, err,
			       sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	cid = last_id(r.s, 1);
	sid = last_id(r.s, 0);
	CHECK(cid > 0 && sid > 0);
	memset(&d, 0, sizeof d);
	CHECK(session_write(r.s, 1, cid, "hi\n", 3, on_done, &d, err,
			    sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	/* An open connection, silent for longer than 2 x MSL + 1 s (the wire
	 * falls quiet by silence then): the loop sleeps; it does not spin. */
	{
		uint64_t w0 = loop_wakeups(session_loop(r.s));
		double c0 = cpu_seconds();

		CHECK(session_wait(r.s, NULL, NULL, 3000) == SESSION_WAIT_TIMEOUT);
		fprintf(stderr, "3 s idle: %llu wake-ups, %.3f s CPU\n",
			(unsigned long long)(loop_wakeups(session_loop(r.s)) - w0),
			cpu_seconds() - c0);
		CHECK(loop_wakeups(session_loop(r.s)) - w0 < 200);
		CHECK(cpu_seconds() - c0 < 0.3);
	}
	/* half-close, then the server closes: the client ends in TIME_WAIT */
	memset(&d, 0, sizeof d);
	CHECK(session_conn_op(r.s, 1, cid, SESSION_SHUTDOWN, on_done, &d, err,
			      sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	CHECK(wait_state(r.s, 0, TCPSTATE_CLOSE_WAIT));
	memset(&d, 0, sizeof d);
	CHECK(session_conn_op(r.s, 0, sid, SESSION_CLOSE, on_done, &d, err,
			      sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	CHECK(wait_state(r.s, 1, TCPSTATE_TIME_WAIT));
	/* The model has the client's TIME_WAIT deadline: 2 x MSL (1 s) on,
	 * to within a slow tick. */
	CHECK(session_wait(r.s, NULL, NULL, 100) == SESSION_WAIT_TIMEOUT);
	{
		struct session_node_info info;
		bool found = false;

		CHECK(session_node_info(r.s, 1, &info));
		for (size_t i = 0; i < info.nconns; i++)
			if (info.conn[i].state == TCPSTATE_TIME_WAIT) {
				found = true;
				CHECK(info.conn[i].timers_known);
				CHECK(info.conn[i].timers.timewait >= 1000);
				CHECK_INT_EQ(info.conn[i].timers.rtx, -1);
			}
		CHECK(found);
	}
	/* An id that does not exist: an error, not a crash. */
	memset(&d, 0, sizeof d);
	CHECK(session_conn_op(r.s, 0, 999, SESSION_ABORT, on_done, &d, err,
			      sizeof err));
	CHECK(wait_done(r.s, &d) && !d.ok);
	CHECK(d.key[0] != '\0');
	finish(&r);
	CHECK(count(SESSION_EV_HELD, 1) >= 2);
	CHECK(count(SESSION_EV_PLAY, 0) >= 2); /* data, eof */
	CHECK(strstr(r.text, "server #") != NULL);
	CHECK(strstr(r.text, " received: hi\\n") != NULL);
	free(r.text);
}

/* The classroom clock: both nodes paused at once; the next timer of any
 * node fired with the clocks in step, deadline after deadline, until the
 * client's SYN (held at it, never released) is sent again, exactly at the
 * deadline its timers event gave. */
static void test_classroom_clock(void)
{
	static const char *const manual[] = { "--app", "manual", NULL };
	struct session_node_info a0, a1, b0, b1;
	struct run r;
	struct done d;
	char err[512];
	int64_t rtx = -1;
	int steps = 0;

	if (!start(&r)) {
		CHECK(0);
		return;
	}
	CHECK_INT_EQ(session_spawn_node(r.s, "server", "192.0.2.2", manual, err,
					sizeof err), 0);
	CHECK_INT_EQ(session_spawn_node(r.s, "client", "192.0.2.3", manual, err,
					sizeof err), 1);
	memset(&d, 0, sizeof d);
	CHECK(session_listen(r.s, 0, 8888, on_done, &d, err, sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	/* running: advance refuses */
	CHECK_INT_EQ(session_advance_all(r.s, on_done, &d, err, sizeof err), -1);
	CHECK(strstr(err, "not paused") != NULL);
	memset(&d, 0, sizeof d);
	CHECK(session_clock_all(r.s, false, on_done, &d, err, sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	memset(&d, 0, sizeof d);
	CHECK(session_connect(r.s, 1, "192.0.2.2", 8888, on_done, &d, err,
			      sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	CHECK(wait_state(r.s, 1, TCPSTATE_SYN_SENT));
	CHECK(session_wait(r.s, NULL, NULL, 100) == SESSION_WAIT_TIMEOUT);
	CHECK(session_node_info(r.s, 1, &a1));
	for (size_t i = 0; i < a1.nconns; i++)
		if (a1.conn[i].timers_known)
			rtx = a1.conn[i].timers.rtx;
	CHECK(rtx > 0);
	while (steps < 100) {
		struct session_node_info n1;

		CHECK(session_node_info(r.s, 0, &a0));
		CHECK(session_node_info(r.s, 1, &a1));
		memset(&d, 0, sizeof d);
		CHECK(session_advance_all(r.s, on_done, &d, err, sizeof err) >= 0);
		CHECK(wait_done(r.s, &d) && d.ok);
		CHECK(session_wait(r.s, NULL, NULL, 20) == SESSION_WAIT_TIMEOUT);
		CHECK(session_node_info(r.s, 0, &b0));
		CHECK(session_node_info(r.s, 1, &b1));
		/* in step: both clocks moved on by as much */
		CHECK_INT_EQ(b0.clock.vtime_ms - a0.clock.vtime_ms, b1.clock.vtime_ms - a1.clock.vtime_ms);
		CHECK(b1.clock.vtime_ms > a1.clock.vtime_ms);
		steps++;
		CHECK(session_node_info(r.s, 1, &n1));
		if (n1.held >= 2)
			break;
	}
	CHECK(b1.held >= 2);
	CHECK_INT_EQ((int64_t)b1.clock.vtime_ms, rtx);
	CHECK(steps > 5);
	memset(&d, 0, sizeof d);
	CHECK(session_clock_all(r.s, true, on_done, &d, err, sizeof err));
	CHECK(wait_done(r.s, &d) && d.ok);
	CHECK(wait_state(r.s, 1, TCPSTATE_ESTABLISHED));
	finish(&r);
	CHECK(count(SESSION_EV_FIRED, 1) >= 1);
	free(r.text);
}

int main(void)
{
	if (geteuid() != 0)
		CHECK_SKIP("needs root: creates network namespaces and TAPs");
	signal(SIGPIPE, SIG_IGN);
	RUN(test_hello_exchange_events);
	RUN(test_typed_commands);
	RUN(test_classroom_clock);
	CHECK_EXIT();
}
