/* The replay index against the tracker itself: for every frame of the demo
 * recordings, the generated test captures and a long capture made here by
 * chaining them, the states, counts and per-segment numbers the index gives
 * equal what feeding source -> decode -> tracker directly gives.
 * argv[1]: the generated captures; argv[2]: the demos folder. */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "decode.h"
#include "framebuild.h"
#include "replay.h"
#include "source.h"
#include "tracker.h"

static const char *capdir, *demodir;
static char tmpdir[] = "/tmp/tcpstep-test-replay-XXXXXX";

static void path_of(char *buf, size_t n, const char *d, const char *name)
{
	snprintf(buf, n, "%s/%s", d, name);
}

/* ---- The expected side: source, decode and tracker, no replay.c. ---- */

struct exp_frame {
	bool seg;
	uint64_t conn;
	int endpoint;
	uint32_t rel_seq, rel_ack, payload_len;
	unsigned marks, dup;
	uint8_t flags;
	int64_t ts_ns;
	const char *note, *note_reason;
};

struct exp_ev {
	uint64_t conn, pkt;
	int endpoint;
	enum tcpstate from, to;
	int64_t ts_ns;
	bool by_timer;
	const char *cause;
	uint8_t addr[2][16];
	uint16_t port[2];
	uint64_t decided; /* the frame fed when a decided-later one came out */
};

struct expect {
	uint64_t nframes, nconns;
	struct exp_frame *f; /* [1..nframes] */
	uint64_t capf;
	struct exp_ev *ev;
	size_t nev, capev;
	bool damaged;
};

/* Grows *p to hold need elements, doubling (one realloc a frame made the
 * sanitizer and valgrind runs quadratic on the big captures). */
static void *grow_to(void *p, uint64_t *cap, uint64_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	uint64_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *q = realloc(p, (size_t)(n * elem));
	CHECK(q != NULL);
	if (!q) {
		free(p);
		exit(1);
	}
	*cap = n;
	return q;
}

static void expect_free(struct expect *x)
{
	free(x->f);
	free(x->ev);
}

/* cur: the frame just fed to the tracker (0 after a timer advance or at
 * the end): an event stamped before it was decided by it. */
static void drain(struct tracker *t, struct expect *x, uint64_t cur)
{
	struct tracker_event ev;
	while (tracker_next_event(t, &ev)) {
		if (ev.type != TRACKER_EV_STATE)
			continue;
		x->ev = grow_to(x->ev, &x->capev, x->nev + 1, sizeof(*x->ev));
		x->ev[x->nev++] = (struct exp_ev){ ev.conn, ev.pkt, ev.u.state.endpoint,
						   ev.u.state.from, ev.u.state.to, ev.ts_ns,
						   ev.u.state.by_timer, ev.u.state.cause,
						   { { 0 } }, { ev.port[0], ev.port[1] },
						   cur && !ev.u.state.by_timer && ev.pkt < cur ? cur : 0 };
		memcpy(x->ev[x->nev - 1].addr, ev.addr, sizeof(ev.addr));
	}
}

static bool expect_build(const char *path, struct expect *x)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *s = source_open_file(path, NULL, err);
	struct source_frame fr;
	enum source_status st;
	struct tracker_config tc = { 0 };
	struct tracker *t;

	memset(x, 0, sizeof(*x));
	CHECK(s != NULL);
	if (!s)
		return false;
	t = tracker_create(&tc);
	while ((st = source_next(s, &fr, err)) == SOURCE_FRAME) {
		struct segment seg;
		struct tracker_seginfo info;
		/* Numbers no frame came with (a pcapng record Wireshark
		 * numbers) are zero. */
		x->f = grow_to(x->f, &x->capf, fr.pkt + 1, sizeof(*x->f));
		memset(&x->f[x->nframes + 1], 0, (fr.pkt - x->nframes) * sizeof(x->f[0]));
		x->nframes = fr.pkt;
		x->f[fr.pkt].ts_ns = fr.ts_ns;
		enum decode_result dr = decode_frame(fr.linktype, fr.data, fr.caplen,
						     fr.wirelen, &seg, NULL);
		seg.pkt = fr.pkt;
		seg.ts_ns = fr.ts_ns;
		tracker_advance(t, fr.ts_ns);
		drain(t, x, 0);
		if (dr != DECODE_OK)
			continue;
		CHECK(tracker_input(t, &seg, &info));
		struct exp_frame *e = &x->f[fr.pkt];
		e->seg = true;
		e->conn = info.conn;
		e->endpoint = info.from_endpoint;
		e->rel_seq = info.rel_seq;
		e->rel_ack = info.rel_ack;
		e->marks = info.marks;
		e->dup = info.dup_ack_count;
		e->payload_len = seg.payload_len;
		e->flags = seg.flags;
		e->note = info.note;
		e->note_reason = info.note_reason;
		if (info.conn > x->nconns)
			x->nconns = info.conn;
		/* A SYN-ACK that took a SYN given to an older connection: that
		 * SYN and its retransmissions are the new one's client's. */
		for (uint64_t p = info.syn_pkt; info.syn_pkt && p < fr.pkt; p++)
			if (x->f[p].seg && x->f[p].conn == info.syn_conn) {
				x->f[p].conn = info.conn;
				x->f[p].endpoint = 0;
			}
		drain(t, x, fr.pkt);
	}
	x->damaged = st == SOURCE_ERROR;
	tracker_finish(t);
	drain(t, x, 0);
	tracker_destroy(t);
	source_close(s);
	return true;
}

/* The state of conn's endpoint e at frame n: the last of its events, in
 * stable pkt order, with pkt <= n; before any, its first event's from. */
static enum tcpstate expect_state(const struct expect *x, uint64_t conn, int e, uint64_t n,
				  int64_t *tw_since)
{
	const struct exp_ev *best = NULL, *first = NULL;
	*tw_since = 0;
	for (size_t i = 0; i < x->nev; i++) {
		const struct exp_ev *v = &x->ev[i];
		if (v->conn != conn || v->endpoint != e)
			continue;
		if (!first || v->pkt < first->pkt)
			first = v;
		if (v->pkt <= n && (!best || v->pkt >= best->pkt))
			best = v;
	}
	if (best) {
		if (best->to == TCPSTATE_TIME_WAIT)
			*tw_since = best->ts_ns;
		return best->to;
	}
	return first ? first->from : TCPSTATE_CLOSED;
}

/* ---- The checks. ---- */

static struct replay *open_all(const char *path, char *err)
{
	struct replay_config cfg = { .filter = NULL };
	struct replay *r = replay_open(path, &cfg, err);
	if (!r)
		return NULL;
	/* Small steps: indexing resumes where a step stopped. */
	while (replay_index_step(r, 7))
		;
	return r;
}

static void check_frame(struct replay *r, const struct expect *x, uint64_t n)
{
	struct replay_frame f;
	char err[REPLAY_ERRBUF_SIZE];
	CHECK(replay_frame(r, n, &f, err));
	CHECK_INT_EQ(f.pkt, n);
	CHECK_INT_EQ(f.ts_ns, x->f[n].ts_ns);
	CHECK_INT_EQ(replay_frame_time(r, n), x->f[n].ts_ns);
	CHECK_INT_EQ(f.is_segment, x->f[n].seg);
	CHECK_INT_EQ(replay_frame_conn(r, n), x->f[n].conn);
	CHECK_INT_EQ(replay_frame_marks(r, n), x->f[n].marks);
	if (!x->f[n].seg)
		return;
	CHECK_INT_EQ(f.info.conn, x->f[n].conn);
	CHECK_INT_EQ(f.info.from_endpoint, x->f[n].endpoint);
	CHECK_INT_EQ(f.info.rel_seq, x->f[n].rel_seq);
	CHECK_INT_EQ(f.info.rel_ack, x->f[n].rel_ack);
	CHECK_INT_EQ(f.info.marks, x->f[n].marks);
	CHECK_INT_EQ(f.info.dup_ack_count, x->f[n].dup);
	CHECK(f.info.note == x->f[n].note);
	CHECK(f.info.note_reason == x->f[n].note_reason);
	CHECK_INT_EQ(f.seg.flags, x->f[n].flags);
	CHECK_INT_EQ(f.seg.payload_len, x->f[n].payload_len);
}

static void check_conn_at(struct replay *r, const struct expect *x, uint64_t c, uint64_t n)
{
	struct replay_conn_at a;
	CHECK(replay_conn_at(r, c, n, &a));
	for (int e = 0; e < 2; e++) {
		int64_t tw;
		enum tcpstate want = expect_state(x, c, e, n, &tw);
		if (a.state[e] != want) {
			fprintf(stderr, "conn %llu endpoint %d frame %llu: %s, want %s\n",
				(unsigned long long)c, e, (unsigned long long)n,
				tcpstate_to_str(a.state[e]), tcpstate_to_str(want));
			check_failures++;
		}
		CHECK_INT_EQ(a.time_wait_since_ns[e], tw);
	}
	uint64_t segs = 0, bytes[2] = { 0, 0 };
	for (uint64_t i = 1; i <= n && i <= x->nframes; i++)
		if (x->f[i].seg && x->f[i].conn == c) {
			segs++;
			bytes[x->f[i].endpoint] += x->f[i].payload_len;
		}
	CHECK_INT_EQ(a.segments, segs);
	CHECK_INT_EQ(a.bytes[0], bytes[0]);
	CHECK_INT_EQ(a.bytes[1], bytes[1]);
}

/* The connection's log is its events in stable pkt order, each with the
 * event's time (a timer's deadline included), endpoint and cause. */
static void check_log(struct replay *r, const struct expect *x, uint64_t c)
{
	/* A stable insertion sort of c's events by pkt. */
	struct exp_ev *v = NULL;
	size_t nv = 0;
	for (size_t k = 0; k < x->nev; k++) {
		if (x->ev[k].conn != c)
			continue;
		v = realloc(v, (nv + 1) * sizeof(*v));
		size_t j = nv++;
		while (j > 0 && v[j - 1].pkt > x->ev[k].pkt) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x->ev[k];
	}
	CHECK_INT_EQ(replay_conn_transitions(r, c), nv);
	for (size_t i = 0; i < nv; i++) {
		struct replay_transition t;
		CHECK(replay_conn_transition(r, c, i, &t));
		CHECK_INT_EQ(t.pkt, v[i].pkt);
		CHECK_INT_EQ(t.endpoint, v[i].endpoint);
		CHECK_INT_EQ(t.from, v[i].from);
		CHECK_INT_EQ(t.to, v[i].to);
		CHECK_INT_EQ(t.ts_ns, v[i].ts_ns);
		CHECK_INT_EQ(t.by_timer, v[i].by_timer);
		CHECK(t.cause == v[i].cause);
		CHECK_INT_EQ(t.decided_pkt, v[i].decided);
		/* The endpoints, as every event of the connection names them. */
		struct replay_conn ci;
		CHECK(replay_conn_info(r, c, &ci));
		CHECK_INT_EQ(ci.port[0], v[i].port[0]);
		CHECK_INT_EQ(ci.port[1], v[i].port[1]);
		CHECK(memcmp(ci.addr, v[i].addr, sizeof(ci.addr)) == 0);
	}
	free(v);
}

/* Every frame, and every connection at every frame, read in an order
 * that seeks back and forth (the reader moves by checkpoints). */
static void check_file(const char *path)
{
	char err[REPLAY_ERRBUF_SIZE];
	struct expect x;

	if (!expect_build(path, &x))
		return;
	struct replay *r = open_all(path, err);
	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "%s: %s\n", path, err);
		expect_free(&x);
		return;
	}
	int before = check_failures;
	CHECK(replay_index_done(r));
	CHECK_INT_EQ(replay_frames(r), x.nframes);
	CHECK_INT_EQ(replay_conns(r), x.nconns);
	CHECK_INT_EQ(replay_damage(r) != NULL, x.damaged);
	/* Backwards, then a stride permutation (gcd(37, n) = 1 or not, every
	 * frame is reached by the backwards pass anyway). */
	for (uint64_t n = x.nframes; n >= 1; n--)
		check_frame(r, &x, n);
	for (uint64_t k = 0; k < x.nframes; k++)
		check_frame(r, &x, (k * 37) % x.nframes + 1);
	for (uint64_t c = 1; c <= x.nconns; c++) {
		for (uint64_t n = 0; n <= x.nframes + 1; n++)
			check_conn_at(r, &x, c, n);
		check_log(r, &x, c);
	}
	if (check_failures != before)
		fprintf(stderr, "  in %s\n", path);
	replay_close(r);
	expect_free(&x);
}

static const char *gen_names[] = {
	"hello.pcap", "hello.pcapng", "hello-sll2.pcap", "hello6.pcap", "halfclose.pcap",
	"abort.pcap", "refused.pcap", "simclose.pcap", "simopen.pcap", "retrans.pcap",
	"midstream.pcap", "reuse.pcap", "misc.pcap", "snaplen.pcap", "options.pcap",
	"reordered.pcap", "mixed-link.pcapng", "rebase.pcap", "newsyn.pcap",
};

static const char *demo_names[] = {
	"abort/abort.pcap", "abort-kernel/abort-kernel.pcap", "halfclose/halfclose.pcap",
	"halfclose-kernel/halfclose-kernel.pcap", "hello/hello.pcap",
	"hello-kernel/hello-kernel.pcap", "refused/refused.pcap",
	"refused-kernel/refused-kernel.pcap", "simclose/simclose.pcap",
	"simclose-kernel/simclose-kernel.pcap",
};

static void test_seek_equals_feeding_generated(void)
{
	char p[4096];
	for (size_t i = 0; i < sizeof(gen_names) / sizeof(gen_names[0]); i++) {
		path_of(p, sizeof(p), capdir, gen_names[i]);
		check_file(p);
	}
}

static void test_seek_equals_feeding_demos(void)
{
	char p[4096];
	for (size_t i = 0; i < sizeof(demo_names) / sizeof(demo_names[0]); i++) {
		path_of(p, sizeof(p), demodir, demo_names[i]);
		check_file(p);
	}
}

/* A long Ethernet capture: the generated ones one after the other, ten
 * times, each copy moved on in time (past any TIME_WAIT) and in port, so
 * there are many blocks of REPLAY_BLOCK frames and many connections. */
static char long_path[4200];

static void make_long_capture(void)
{
	static const char *eth[] = { "hello.pcap", "halfclose.pcap", "abort.pcap",
				     "refused.pcap", "simclose.pcap", "retrans.pcap",
				     "midstream.pcap", "reuse.pcap", "misc.pcap",
				     "reordered.pcap", "simopen.pcap" };
	char err[PCAP_ERRBUF_SIZE], p[4096];
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							    PCAP_TSTAMP_PRECISION_NANO);
	snprintf(long_path, sizeof(long_path), "%s/long.pcap", tmpdir);
	pcap_dumper_t *d = pcap_dump_open(dead, long_path);
	CHECK(d != NULL);
	if (!d) {
		pcap_close(dead);
		return;
	}
	int64_t shift = 0;
	for (int round = 0; round < 10; round++)
		for (size_t i = 0; i < sizeof(eth) / sizeof(eth[0]); i++) {
			path_of(p, sizeof(p), capdir, eth[i]);
			pcap_t *in = pcap_open_offline_with_tstamp_precision(
				p, PCAP_TSTAMP_PRECISION_NANO, err);
			CHECK(in != NULL);
			if (!in)
				continue;
			CHECK_INT_EQ(pcap_datalink(in), DLT_EN10MB);
			struct pcap_pkthdr *h;
			const u_char *data;
			while (pcap_next_ex(in, &h, &data) == 1) {
				struct pcap_pkthdr hh = *h;
				u_char buf[65536];
				memcpy(buf, data, h->caplen);
				/* IPv4 TCP: nudge both ports by the round so
				 * copies are new connections. */
				if (h->caplen >= 38 && buf[12] == 0x08 && buf[13] == 0 &&
				    buf[23] == 6) {
					size_t t = 14 + (size_t)(buf[14] & 15) * 4;
					if (t + 4 <= h->caplen) {
						buf[t + 1] = (u_char)(buf[t + 1] + round);
						buf[t + 3] = (u_char)(buf[t + 3] + round);
					}
				}
				int64_t ns = (int64_t)hh.ts.tv_sec * 1000000000 + hh.ts.tv_usec +
					     shift;
				hh.ts.tv_sec = ns / 1000000000;
				hh.ts.tv_usec = ns % 1000000000;
				pcap_dump((u_char *)d, &hh, buf);
			}
			pcap_close(in);
			shift += 1000LL * 1000000000;
		}
	pcap_dump_close(d);
	pcap_close(dead);
}

/* The same frames as pcapng (section header, one interface with
 * nanosecond stamps, an enhanced packet block per frame), so seeking is
 * tried past pcapng's headers too. */
static char long_ng_path[4200];

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }

static void make_long_pcapng(void)
{
	char err[PCAP_ERRBUF_SIZE];
	snprintf(long_ng_path, sizeof(long_ng_path), "%s/long.pcapng", tmpdir);
	pcap_t *in = pcap_open_offline_with_tstamp_precision(long_path,
							     PCAP_TSTAMP_PRECISION_NANO, err);
	FILE *f = fopen(long_ng_path, "wb");
	CHECK(in && f);
	if (!in || !f) {
		if (in)
			pcap_close(in);
		if (f)
			fclose(f);
		return;
	}
	/* SHB: type, length, byte-order magic, version 1.0, section length -1. */
	put32(f, 0x0A0D0D0A); put32(f, 28); put32(f, 0x1A2B3C4D);
	put32(f, 0x00000001); put32(f, 0xffffffff); put32(f, 0xffffffff); put32(f, 28);
	/* IDB: Ethernet, snaplen 65535, if_tsresol = 9 (nanoseconds). */
	put32(f, 1); put32(f, 32); put32(f, 1u | (0u << 16)); put32(f, 65535);
	put32(f, 9u | (1u << 16)); put32(f, 9); put32(f, 0); put32(f, 32);
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(in, &h, &data) == 1) {
		uint32_t pad = (4 - h->caplen % 4) % 4, len = 32 + h->caplen + pad;
		uint64_t ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		put32(f, 6); put32(f, len); put32(f, 0);
		put32(f, (uint32_t)(ns >> 32)); put32(f, (uint32_t)ns);
		put32(f, h->caplen); put32(f, h->len);
		static const uint8_t zero[4];
		fwrite(data, 1, h->caplen, f);
		fwrite(zero, 1, pad, f);
		put32(f, len);
	}
	fclose(f);
	pcap_close(in);
}

static void test_seek_equals_feeding_long_capture(void)
{
	check_file(long_path);
}

static void test_seek_equals_feeding_long_pcapng(void)
{
	make_long_pcapng();
	check_file(long_ng_path);
	/* Long enough for many blocks of frames: seeks, not rereads. */
	struct expect x;
	if (expect_build(long_ng_path, &x)) {
		CHECK(!x.damaged);
		CHECK(x.nframes >= 1000);
		expect_free(&x);
	}
}

/* mixed-link.pcapng again and again: a pcapng file of many sections, each
 * with its own byte order and interfaces of different link types, so the
 * reader seeks into sections it has not read yet (the index and the reader
 * are two sources) and back into ones it has. */
static char long_mixed_path[4200];

static void test_seek_equals_feeding_many_sections(void)
{
	char p[4096];
	static uint8_t buf[65536];
	path_of(p, sizeof(p), capdir, "mixed-link.pcapng");
	FILE *in = fopen(p, "rb");
	size_t n = in ? fread(buf, 1, sizeof(buf), in) : 0;
	if (in)
		fclose(in);
	CHECK(n > 0 && n < sizeof(buf));
	snprintf(long_mixed_path, sizeof(long_mixed_path), "%s/mixed.pcapng", tmpdir);
	FILE *f = fopen(long_mixed_path, "wb");
	CHECK(f != NULL);
	if (!f || !n) {
		if (f)
			fclose(f);
		return;
	}
	for (int k = 0; k < 100; k++)
		fwrite(buf, 1, n, f);
	CHECK(fclose(f) == 0);
	check_file(long_mixed_path);
	struct expect x;
	if (expect_build(long_mixed_path, &x)) {
		CHECK(!x.damaged);
		CHECK_INT_EQ(x.nframes, 2400);
		expect_free(&x);
	}
}

static void test_transitions_next_prev_and_frames(void)
{
	char err[REPLAY_ERRBUF_SIZE];
	struct expect x;
	struct replay *r = open_all(long_path, err);
	CHECK(r != NULL);
	if (!r || !expect_build(long_path, &x)) {
		replay_close(r);
		return;
	}
	CHECK(replay_conns(r) > 50);
	/* The any-connection walk visits every transition pkt, in order. */
	uint64_t n = 0, visits = 0;
	while ((n = replay_next_transition(r, 0, n)) != 0) {
		bool found = false;
		for (size_t i = 0; i < x.nev && !found; i++)
			found = x.ev[i].pkt == n;
		CHECK(found);
		visits++;
	}
	uint64_t distinct = 0;
	for (uint64_t p = 0; p <= x.nframes; p++) {
		bool any = false;
		for (size_t i = 0; i < x.nev && !any; i++)
			any = x.ev[i].pkt == p;
		distinct += any;
	}
	CHECK_INT_EQ(visits, distinct);
	for (uint64_t c = 1; c <= x.nconns; c++) {
		uint64_t nt = replay_conn_transitions(r, c), last = 0, cnt = 0;
		for (uint64_t i = 0; i < nt; i++) {
			struct replay_transition t;
			CHECK(replay_conn_transition(r, c, i, &t));
			CHECK(t.pkt >= last);
			CHECK(t.cause != NULL && t.reason != NULL);
			last = t.pkt;
		}
		for (size_t i = 0; i < x.nev; i++)
			cnt += x.ev[i].conn == c;
		CHECK_INT_EQ(nt, cnt);
		/* next from 0 is the first transition, prev past the end the last. */
		struct replay_transition t0, tl;
		if (nt && replay_conn_transition(r, c, 0, &t0) &&
		    replay_conn_transition(r, c, nt - 1, &tl)) {
			CHECK_INT_EQ(replay_next_transition(r, c, t0.pkt > 0 ? t0.pkt - 1 : 0), t0.pkt);
			CHECK_INT_EQ(replay_prev_transition(r, c, tl.pkt + 1), tl.pkt);
			CHECK_INT_EQ(replay_next_transition(r, c, tl.pkt), 0);
			CHECK_INT_EQ(replay_prev_transition(r, c, t0.pkt), 0);
		}
		/* Frames: exactly the frames whose segment belongs to c. */
		uint64_t k = 0;
		for (uint64_t p = 1; p <= x.nframes; p++)
			if (x.f[p].seg && x.f[p].conn == c) {
				CHECK_INT_EQ(replay_conn_frame(r, c, k), p);
				CHECK_INT_EQ(replay_conn_frame_lower(r, c, p), k);
				k++;
			}
		CHECK_INT_EQ(replay_conn_frames(r, c), k);
		struct replay_conn ci;
		CHECK(replay_conn_info(r, c, &ci));
		CHECK_INT_EQ(ci.first_pkt, replay_conn_frame(r, c, 0));
		CHECK_INT_EQ(ci.last_pkt, replay_conn_frame(r, c, k - 1));
	}
	CHECK(replay_memory(r) > 0);
	replay_close(r);
	expect_free(&x);
}

static void test_history_ended_and_time_wait(void)
{
	char err[REPLAY_ERRBUF_SIZE], p[4096];
	struct replay_conn_at a;
	path_of(p, sizeof(p), capdir, "hello.pcap");
	struct replay *r = open_all(p, err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT_EQ(replay_conns(r), 1);
	uint64_t end = replay_frames(r);
	/* The server's LISTEN -> SYN_RCVD: at the SYN (frame 1), decided by
	 * its SYN-ACK (frame 2); the client's SYN_SENT decided at once. */
	bool saw_listen = false;
	for (uint64_t i = 0; i < replay_conn_transitions(r, 1); i++) {
		struct replay_transition t;
		CHECK(replay_conn_transition(r, 1, i, &t));
		if (t.endpoint == 1 && t.from == TCPSTATE_LISTEN && t.to == TCPSTATE_SYN_RCVD) {
			saw_listen = true;
			CHECK_INT_EQ(t.pkt, 1);
			CHECK_INT_EQ(t.decided_pkt, 2);
		}
		if (t.endpoint == 0 && t.to == TCPSTATE_SYN_SENT)
			CHECK_INT_EQ(t.decided_pkt, 0);
	}
	CHECK(saw_listen);
	/* Before the first frame: nothing sent yet. */
	CHECK(replay_conn_at(r, 1, 0, &a));
	CHECK_STR_EQ(a.history, "");
	CHECK_STR_EQ(a.ended, "");
	/* After the SYN only the client's S; after the SYN-ACK its h. */
	CHECK(replay_conn_at(r, 1, 1, &a));
	CHECK_STR_EQ(a.history, "S");
	CHECK(replay_conn_at(r, 1, 2, &a));
	CHECK_STR_EQ(a.history, "Sh");
	CHECK(replay_conn_at(r, 1, 3, &a));
	CHECK_STR_EQ(a.history, "ShA");
	CHECK(replay_conn_at(r, 1, end, &a));
	CHECK(strchr(a.history, 'F') && strchr(a.history, 'f'));
	CHECK(strchr(a.history, 'D') || strchr(a.history, 'd'));
	/* The active closer is in TIME_WAIT since its transition's time. */
	int tw = a.state[0] == TCPSTATE_TIME_WAIT ? 0 : 1;
	CHECK_INT_EQ(a.state[tw], TCPSTATE_TIME_WAIT);
	CHECK_INT_EQ(a.state[1 - tw], TCPSTATE_CLOSED);
	uint64_t nt = replay_conn_transitions(r, 1);
	int64_t since = 0;
	for (uint64_t i = 0; i < nt; i++) {
		struct replay_transition t;
		replay_conn_transition(r, 1, i, &t);
		if (t.to == TCPSTATE_TIME_WAIT && t.pkt <= end)
			since = t.ts_ns;
	}
	CHECK(since != 0);
	CHECK_INT_EQ(a.time_wait_since_ns[tw], since);
	CHECK_INT_EQ(a.time_wait_since_ns[1 - tw], 0);
	CHECK_STR_EQ(a.ended, ""); /* TIME_WAIT: not over yet */
	replay_close(r);

	path_of(p, sizeof(p), capdir, "abort.pcap");
	r = open_all(p, err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(replay_conn_at(r, 1, replay_frames(r), &a));
	CHECK(strncmp(a.ended, "reset by ", 9) == 0);
	CHECK(strchr(a.history, 'R') || strchr(a.history, 'r'));
	replay_close(r);

	/* newsyn.pcap: conn 1 (frames 1-5) superseded at the SYN of frame 6,
	 * which, with its retransmission (7), opens conn 2 */
	path_of(p, sizeof(p), capdir, "newsyn.pcap");
	r = open_all(p, err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(replay_conn_at(r, 1, 5, &a));
	CHECK_STR_EQ(a.ended, "");
	CHECK_INT_EQ(a.state[0], TCPSTATE_ESTABLISHED);
	CHECK(replay_conn_at(r, 1, 6, &a));
	CHECK_STR_EQ(a.ended, "superseded");
	CHECK_INT_EQ(a.state[0], TCPSTATE_CLOSED);
	CHECK_INT_EQ(a.state[1], TCPSTATE_CLOSED);
	CHECK_INT_EQ(a.segments, 5);
	CHECK_STR_EQ(a.history, "ShADa"); /* not the new SYN */
	struct replay_conn ci;
	CHECK(replay_conn_info(r, 2, &ci));
	CHECK_INT_EQ(ci.first_pkt, 6);
	CHECK_INT_EQ(replay_conn_frame(r, 2, 1), 7);
	CHECK(replay_conn_at(r, 2, 7, &a));
	CHECK_INT_EQ(a.state[0], TCPSTATE_SYN_SENT);
	CHECK_STR_EQ(a.history, "S");
	CHECK_INT_EQ(a.segments, 2);
	replay_close(r);
}

static void test_out_of_range_frames_rejected(void)
{
	char err[REPLAY_ERRBUF_SIZE], p[4096];
	struct replay_frame f;
	struct replay_conn_at a;
	struct replay_conn ci;
	path_of(p, sizeof(p), capdir, "hello.pcap");
	struct replay *r = open_all(p, err);
	CHECK(r != NULL);
	if (!r)
		return;
	err[0] = 0;
	CHECK(!replay_frame(r, 0, &f, err));
	CHECK(strstr(err, "no frame 0") != NULL);
	CHECK(!replay_frame(r, replay_frames(r) + 1, &f, err));
	CHECK(!replay_frame(r, UINT64_MAX, &f, err));
	CHECK(replay_frame(r, replay_frames(r), &f, err));
	CHECK_INT_EQ(replay_frame_conn(r, replay_frames(r) + 1), 0);
	CHECK_INT_EQ(replay_frame_time(r, 0), 0);
	CHECK(!replay_conn_at(r, 0, 1, &a));
	CHECK(!replay_conn_at(r, 2, 1, &a));
	CHECK(!replay_conn_info(r, 2, &ci));
	CHECK_INT_EQ(replay_conn_frames(r, 9), 0);
	replay_close(r);
}

static void test_cut_short_file_indexed_up_to_damage(void)
{
	char err[REPLAY_ERRBUF_SIZE], src[4096], dst[4200];
	struct expect x;
	/* A copy of a demo cut in the middle of a record. */
	path_of(src, sizeof(src), demodir, "halfclose/halfclose.pcap");
	snprintf(dst, sizeof(dst), "%s/cut.pcap", tmpdir);
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	CHECK(in && out);
	if (!in || !out) {
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return;
	}
	char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf), in);
	fwrite(buf, 1, n > 300 ? n - 37 : n, out);
	fclose(in);
	fclose(out);
	check_file(dst); /* frames before the cut: as the tracker */
	struct replay *r = open_all(dst, err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(replay_damage(r) != NULL);
	CHECK(replay_damage(r) && strstr(replay_damage(r), "truncated") != NULL);
	CHECK(expect_build(dst, &x));
	CHECK_INT_EQ(replay_frames(r), x.nframes);
	CHECK(x.damaged);
	expect_free(&x);
	replay_close(r);

	path_of(src, sizeof(src), capdir, "cut-short.pcap");
	r = open_all(src, err);
	CHECK(r != NULL);
	if (r) {
		CHECK_INT_EQ(replay_frames(r), 6);
		CHECK(replay_damage(r) && strstr(replay_damage(r), "after frame 6") != NULL);
	}
	replay_close(r);
}

static void test_stdin_spooled_and_seekable(void)
{
	char err[REPLAY_ERRBUF_SIZE], p[4096];
	path_of(p, sizeof(p), demodir, "simclose/simclose.pcap");
	struct expect x;
	if (!expect_build(p, &x))
		return;
	int saved = dup(STDIN_FILENO), fd = open(p, O_RDONLY);
	CHECK(saved >= 0 && fd >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	struct replay *r = open_all("-", err);
	dup2(saved, STDIN_FILENO);
	close(saved);
	CHECK(r != NULL);
	if (r) {
		CHECK_INT_EQ(replay_frames(r), x.nframes);
		CHECK(replay_damage(r) == NULL);
		for (uint64_t n = x.nframes; n >= 1; n--)
			check_frame(r, &x, n);
		for (uint64_t c = 1; c <= x.nconns; c++)
			for (uint64_t n = 0; n <= x.nframes; n++)
				check_conn_at(r, &x, c, n);
	}
	replay_close(r);
	expect_free(&x);
}

/* A filter hides frames from the tracker but not their numbers. */
static void test_filter_keeps_frame_numbers(void)
{
	char err[REPLAY_ERRBUF_SIZE], p[4096];
	struct replay_config cfg = { .filter = "tcp[tcpflags] & tcp-fin != 0" };
	struct replay_frame f;
	struct expect x;
	path_of(p, sizeof(p), capdir, "hello.pcap");
	if (!expect_build(p, &x))
		return;
	struct replay *r = replay_open(p, &cfg, err);
	CHECK(r != NULL);
	if (!r) {
		expect_free(&x);
		return;
	}
	while (replay_index_step(r, 3))
		;
	CHECK_INT_EQ(replay_frames(r), x.nframes);
	int fins = 0;
	for (uint64_t n = 1; n <= x.nframes; n++) {
		CHECK(replay_frame(r, n, &f, err));
		bool fin = (x.f[n].flags & TCPF_FIN) != 0;
		CHECK_INT_EQ(f.is_segment, fin);
		CHECK_INT_EQ(replay_frame_conn(r, n) != 0, fin);
		if (!fin)
			CHECK_STR_EQ(f.note, "hidden by the filter");
		fins += fin;
	}
	CHECK_INT_EQ(fins, 2);
	replay_close(r);
	expect_free(&x);
}

/* A damaged standard input says so under that name. */
static void test_stdin_damage_named_standard_input(void)
{
	char err[REPLAY_ERRBUF_SIZE], p[4096];
	struct replay *r;
	path_of(p, sizeof(p), capdir, "cut-short.pcap");
	int saved = dup(STDIN_FILENO);
	int fd = open(p, O_RDONLY);
	CHECK(saved >= 0 && fd >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	r = open_all("-", err);
	dup2(saved, STDIN_FILENO);
	close(saved);
	CHECK(r != NULL);
	if (r) {
		CHECK_INT_EQ(replay_frames(r), 6);
		CHECK(replay_damage(r) &&
		      strncmp(replay_damage(r), "standard input: cut short after frame 6 (", 41) == 0);
	}
	replay_close(r);
}


/* ---- Edge cases of the index's encoding (capture/replay.c). ---- */

/* A nanosecond pcap of frames built here; ts in ns. */
struct edge_writer {
	pcap_t *dead;
	pcap_dumper_t *d;
};

static bool edge_open(struct edge_writer *w, const char *path)
{
	w->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
						       PCAP_TSTAMP_PRECISION_NANO);
	w->d = w->dead ? pcap_dump_open(w->dead, path) : NULL;
	CHECK(w->d != NULL);
	return w->d != NULL;
}

static void edge_frame(struct edge_writer *w, int64_t ts, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = ts / 1000000000;
	h.ts.tv_usec = ts % 1000000000; /* nanoseconds with this precision */
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->d, &h, frame);
}

/* A TCP segment from client (10.a.b.c):cport to server 192.0.2.2:80. */
static void edge_seg(struct edge_writer *w, int64_t ts, uint32_t client, uint16_t cport,
		     bool from_server, uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
	static const uint8_t data[1400];
	struct fb_seg sg;
	memset(&sg, 0, sizeof(sg));
	sg.ipv = 4;
	uint8_t c[16], srv[16];
	fb_addr4(c, 10, (uint8_t)(client >> 16), (uint8_t)(client >> 8), (uint8_t)client);
	fb_addr4(srv, 192, 0, 2, 2);
	memcpy(sg.src, from_server ? srv : c, 16);
	memcpy(sg.dst, from_server ? c : srv, 16);
	sg.sport = from_server ? 80 : cport;
	sg.dport = from_server ? cport : 80;
	sg.seq = seq;
	sg.ack = ack;
	sg.flags = flags;
	sg.win = 65535;
	sg.data = data;
	sg.len = len;
	uint8_t ip[2048], fr[2100];
	size_t n = fb_ip_tcp(ip, sizeof(ip), &sg);
	size_t m = fb_link(fr, sizeof(fr), DECODE_LINK_ETHERNET, ip, n);
	edge_frame(w, ts, fr, m);
}

static void edge_close(struct edge_writer *w)
{
	if (w->d)
		pcap_dump_close(w->d);
	if (w->dead)
		pcap_close(w->dead);
}

/* A capture that reaches the encoding's edges: 66,000 connections (ids
 * past 2^16, so frame codes of 3 bytes, and differences of -65,000 when an
 * old one speaks again), one connection of 300 segments (five checkpoints
 * of its byte counts), frames that are not TCP, times in nanoseconds that
 * are not whole microseconds, a jump of hours and one backwards. */
static void make_edge_capture(const char *path, uint64_t *long_conn_frames)
{
	struct edge_writer w;
	if (!edge_open(&w, path))
		return;
	int64_t t = 1700000000LL * 1000000000LL;
	/* The long connection: handshake first (conn 1). */
	uint32_t cs = 1000, ss = 5000;
	edge_seg(&w, t += 1000, 1, 40000, false, TCPF_SYN, cs, 0, 0);
	edge_seg(&w, t += 1000, 1, 40000, true, TCPF_SYN | TCPF_ACK, ss, cs + 1, 0);
	edge_seg(&w, t += 1000, 1, 40000, false, TCPF_ACK, cs + 1, ss + 1, 0);
	cs++;
	ss++;
	*long_conn_frames = 3;
	static const uint8_t junk[60] = { [12] = 0x08, [13] = 0x06 }; /* ARP: not IP */
	for (uint32_t i = 0; i < 66000; i++) {
		/* Mostly microseconds; stretches of odd nanoseconds. */
		t += (i / 5000) % 2 ? 1237 : 2000;
		if (i == 30000)
			t += 5LL * 3600 * 1000000000LL; /* hours later */
		if (i == 40000)
			t -= 3LL * 1000000000LL; /* a step back */
		edge_seg(&w, t, 2 + i, (uint16_t)(1024 + i % 60000), false, TCPF_SYN,
			 7 * i, 0, 0);
		if (i % 220 == 0 && *long_conn_frames < 300) {
			/* The long connection speaks again: a far smaller id. */
			size_t len = (i / 220) % 3 ? 100 + i % 1000 : 0;
			edge_seg(&w, t += 500, 1, 40000, false, TCPF_ACK, cs, ss, len);
			cs += (uint32_t)len;
			edge_seg(&w, t += 500, 1, 40000, true, TCPF_ACK, ss, cs, 7);
			ss += 7;
			*long_conn_frames += 2;
		}
		if (i % 997 == 0)
			edge_frame(&w, t += 3, junk, sizeof(junk));
	}
	edge_close(&w);
}

static void test_encoding_edges(void)
{
	char err[REPLAY_ERRBUF_SIZE], path[4200];
	struct expect x;
	uint64_t nlong = 0;
	snprintf(path, sizeof(path), "%s/edges.pcap", tmpdir);
	make_edge_capture(path, &nlong);
	if (!expect_build(path, &x))
		return;
	CHECK(x.nconns > 65536 + 100);
	struct replay *r = open_all(path, err);
	CHECK(r != NULL);
	if (!r) {
		expect_free(&x);
		return;
	}
	CHECK_INT_EQ(replay_frames(r), x.nframes);
	CHECK_INT_EQ(replay_conns(r), x.nconns);
	/* Frames in order (the reader reads on): every one of the first
	 * blocks, around the 2^16th connection and the time jumps, and the
	 * last ones; every 13th between (valgrind runs this too). Then the
	 * first and the last again after a jump. */
	int before = check_failures;
	for (uint64_t n = 1; n <= x.nframes && check_failures - before < 20; n++)
		if (n < 1000 || n % 13 == 0 || (n > 30000 && n < 31000) ||
		    (n > 40000 && n < 41000) || (n > 65000 && n < 67000) || n + 1000 > x.nframes)
			check_frame(r, &x, n);
	check_frame(r, &x, x.nframes);
	check_frame(r, &x, 1);
	check_frame(r, &x, x.nframes);
	/* The long connection (1): every segment in order, its counts at each
	 * of its frames and between blocks of its segment list. */
	CHECK_INT_EQ(replay_conn_frames(r, 1), nlong);
	uint64_t k = 0, segs = 0, bytes[2] = { 0, 0 };
	for (uint64_t n = 1; n <= x.nframes; n++) {
		if (!x.f[n].seg || x.f[n].conn != 1)
			continue;
		CHECK_INT_EQ(replay_conn_frame(r, 1, k), n);
		CHECK_INT_EQ(replay_conn_frame_lower(r, 1, n), k);
		CHECK_INT_EQ(replay_conn_frame_lower(r, 1, n + 1), k + 1);
		k++;
		segs++;
		bytes[x.f[n].endpoint] += x.f[n].payload_len;
		struct replay_conn_at a;
		CHECK(replay_conn_at(r, 1, n, &a));
		CHECK_INT_EQ(a.segments, segs);
		CHECK_INT_EQ(a.bytes[0], bytes[0]);
		CHECK_INT_EQ(a.bytes[1], bytes[1]);
	}
	CHECK_INT_EQ(k, nlong);
	check_log(r, &x, 1);
	/* Connections around 2^16 and the last one: their frame and state. */
	uint64_t probe[] = { 65535, 65536, 65537, x.nconns };
	for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		uint64_t c = probe[i];
		CHECK_INT_EQ(replay_conn_frames(r, c), 1);
		uint64_t f = replay_conn_frame(r, c, 0);
		CHECK(f >= 1 && f <= x.nframes && x.f[f].conn == c);
		CHECK_INT_EQ(replay_frame_conn(r, f), c);
		check_conn_at(r, &x, c, f - 1);
		check_conn_at(r, &x, c, f);
		check_log(r, &x, c);
		struct replay_conn ci;
		CHECK(replay_conn_info(r, c, &ci));
		CHECK_INT_EQ(ci.first_pkt, f);
		CHECK_INT_EQ(ci.ip_version, 4);
	}
	/* A 48-byte record and a few bytes of buffers a connection (here
	 * nearly one a frame), a few bytes a frame. */
	CHECK(replay_memory(r) < 80 * x.nconns + 16 * x.nframes + 512 * 1024);
	replay_close(r);
	expect_free(&x);
	unlink(path);
}

/* Files of 1, 127, 128, 129 and 257 frames: the last block is full,
 * partly full or holds one frame; every frame and connection checked. */
static void test_block_boundaries(void)
{
	static const uint64_t sizes[] = { 1, 127, 128, 129, 257 };
	char path[4200];
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct edge_writer w;
		snprintf(path, sizeof(path), "%s/blocks-%llu.pcap", tmpdir,
			 (unsigned long long)sizes[i]);
		if (!edge_open(&w, path))
			continue;
		int64_t t = 1700000000LL * 1000000000LL;
		for (uint64_t n = 0; n < sizes[i]; n++) {
			/* Three connections taking turns: handshakes, then data. */
			uint32_t c = (uint32_t)(n % 3);
			uint32_t round = (uint32_t)(n / 3);
			uint8_t fl = round == 0 ? TCPF_SYN : round == 1 ? TCPF_SYN | TCPF_ACK : TCPF_ACK;
			bool srv = round == 1 || (round > 2 && round % 2);
			edge_seg(&w, t += 999 + (int64_t)n, c, (uint16_t)(2000 + c), srv, fl,
				 srv ? 9000 + round : 100 + round, round ? 101 : 0,
				 round > 2 ? 10 : 0);
		}
		edge_close(&w);
		check_file(path);
		unlink(path);
	}
}

/* issue 11 class 4 across the index's blocks: a new handshake on the
 * ports of an open connection, its SYN (frame syn) and the SYN's
 * retransmission given to the old connection when fed and moved to the new
 * one by the SYN-ACK, gap frames later, whether the SYN's block is still
 * being filled or already encoded (frames that cannot change in place). */
static void test_superseded_across_blocks(void)
{
	static const uint64_t syns[] = { 6, 127, 128, 129, 200 };
	static const uint64_t gaps[] = { 0, 1, 130 };
	static const uint8_t arp[60] = { [12] = 0x08, [13] = 0x06 }; /* not IP */
	char path[4200], err[REPLAY_ERRBUF_SIZE];
	for (size_t i = 0; i < sizeof(syns) / sizeof(syns[0]); i++)
		for (size_t j = 0; j < sizeof(gaps) / sizeof(gaps[0]); j++) {
			struct edge_writer w;
			uint64_t n = 0, syn = syns[i];
			snprintf(path, sizeof(path), "%s/supersede.pcap", tmpdir);
			if (!edge_open(&w, path))
				return;
			int64_t t = 1700000000LL * 1000000000LL;
			edge_seg(&w, t += 1000, 1, 3000, false, TCPF_SYN, 100, 0, 0);
			edge_seg(&w, t += 1000, 1, 3000, true, TCPF_SYN | TCPF_ACK, 9000, 101, 0);
			edge_seg(&w, t += 1000, 1, 3000, false, TCPF_ACK, 101, 9001, 0);
			edge_seg(&w, t += 1000, 1, 3000, false, TCPF_ACK, 101, 9001, 10);
			edge_seg(&w, t += 1000, 1, 3000, true, TCPF_ACK, 9001, 111, 0);
			for (n = 5; n < syn - 1; n++)
				edge_frame(&w, t += 1000, arp, sizeof(arp));
			edge_seg(&w, t += 1000, 1, 3000, false, TCPF_SYN, 5000, 0, 0);
			edge_seg(&w, t += 1000, 1, 3000, false, TCPF_SYN, 5000, 0, 0);
			for (n = 0; n < gaps[j]; n++)
				edge_frame(&w, t += 1000, arp, sizeof(arp));
			uint64_t synack = syn + 2 + gaps[j];
			edge_seg(&w, t += 1000, 1, 3000, true, TCPF_SYN | TCPF_ACK, 7000, 5001, 0);
			edge_seg(&w, t += 1000, 1, 3000, false, TCPF_ACK, 5001, 7001, 0);
			edge_seg(&w, t += 1000, 1, 3000, false, TCPF_ACK, 5001, 7001, 20);
			edge_close(&w);
			check_file(path);
			struct replay *r = open_all(path, err);
			CHECK(r != NULL);
			if (r) {
				struct replay_conn_at a;
				struct replay_frame f;
				CHECK_INT_EQ(replay_conns(r), 2);
				CHECK_INT_EQ(replay_frame_conn(r, syn), 2);
				CHECK_INT_EQ(replay_frame_conn(r, syn + 1), 2);
				CHECK_INT_EQ(replay_frame_conn(r, synack), 2);
				CHECK_INT_EQ(replay_frame_conn(r, 5), 1);
				CHECK_INT_EQ(replay_conn_frames(r, 1), 5);
				CHECK_INT_EQ(replay_conn_frames(r, 2), 5);
				CHECK_INT_EQ(replay_conn_frame(r, 2, 0), syn);
				CHECK(replay_conn_at(r, 1, synack, &a));
				CHECK_STR_EQ(a.ended, "superseded");
				CHECK_STR_EQ(a.history, "ShADa");
				CHECK_INT_EQ(a.bytes[0], 10);
				CHECK(replay_conn_at(r, 2, synack + 2, &a));
				CHECK_STR_EQ(a.history, "ShAD");
				CHECK_INT_EQ(a.bytes[0], 20);
				CHECK(replay_frame(r, syn + 1, &f, err));
				CHECK_INT_EQ(f.info.conn, 2);
				CHECK_INT_EQ(f.info.from_endpoint, 0);
				CHECK_INT_EQ(f.info.rel_seq, 0);
				CHECK(replay_frame(r, synack + 2, &f, err));
				CHECK_INT_EQ(f.info.rel_seq, 1);
				CHECK_INT_EQ(f.info.rel_ack, 1);
				replay_close(r);
			}
			unlink(path);
		}
}

static void test_incremental_progress(void)
{
	char err[REPLAY_ERRBUF_SIZE];
	struct replay_config cfg = { .filter = NULL };
	struct replay *r = replay_open(long_path, &cfg, err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT_EQ(replay_frames(r), 0);
	CHECK(replay_index_step(r, 100));
	CHECK_INT_EQ(replay_frames(r), 100);
	/* Frames of the block still being filled answer as the others. */
	struct expect x;
	if (expect_build(long_path, &x)) {
		for (uint64_t n = 1; n <= 100; n++) {
			CHECK_INT_EQ(replay_frame_time(r, n), x.f[n].ts_ns);
			CHECK_INT_EQ(replay_frame_conn(r, n), x.f[n].conn);
			CHECK_INT_EQ(replay_frame_marks(r, n), x.f[n].marks);
		}
		expect_free(&x);
	}
	double p1 = replay_index_progress(r);
	CHECK(p1 > 0.0 && p1 < 1.0);
	CHECK(replay_index_step(r, 100));
	CHECK_INT_EQ(replay_frames(r), 200);
	CHECK(replay_index_progress(r) > p1);
	while (replay_index_step(r, 1000))
		;
	CHECK(replay_index_done(r));
	CHECK(replay_index_progress(r) == 1.0);
	CHECK(!replay_index_step(r, 10));
	replay_close(r);
}

/* A file still being written (follow: a live session's recording): indexed
 * as it grows, and then the same, frame for frame and state for state, as
 * the whole file indexed at once. */
static void test_follow_a_growing_file(void)
{
	char err[REPLAY_ERRBUF_SIZE], ebuf[PCAP_ERRBUF_SIZE], src[4300], dst[4300];
	struct replay_config fcfg = { .follow = true }, cfg = { .filter = NULL };
	const u_char *data;
	struct pcap_pkthdr *h;
	pcap_t *in;
	pcap_dumper_t *d;
	struct replay *r, *whole;
	int n = 0;

	snprintf(src, sizeof src, "%s/hello/hello.pcap", demodir);
	snprintf(dst, sizeof dst, "%s/growing.pcap", tmpdir);
	in = pcap_open_offline(src, ebuf);
	CHECK(in != NULL);
	if (!in)
		return;
	d = pcap_dump_open(in, dst);
	CHECK(d != NULL);
	pcap_dump_flush(d);
	r = replay_open(dst, &fcfg, err);
	CHECK(r != NULL);
	if (!r || !d)
		return;
	/* Nothing yet: not the end of indexing. */
	CHECK(!replay_index_step(r, 100));
	CHECK(!replay_index_done(r));
	CHECK(replay_at_end(r));
	CHECK_INT_EQ(replay_frames(r), 0);
	/* Three frames at a time, each batch flushed, as the wire tap does. */
	while (pcap_next_ex(in, &h, &data) == 1) {
		pcap_dump((u_char *)d, h, data);
		if (++n % 3)
			continue;
		pcap_dump_flush(d);
		while (replay_index_step(r, 2))
			;
		CHECK(!replay_index_done(r));
		CHECK_INT_EQ(replay_frames(r), n);
	}
	pcap_dump_flush(d);
	while (replay_index_step(r, 100))
		;
	CHECK_INT_EQ(replay_frames(r), n);
	CHECK(!replay_index_done(r));
	replay_follow_end(r);
	CHECK(!replay_index_step(r, 100));
	CHECK(replay_index_done(r));
	pcap_dump_close(d);
	pcap_close(in);

	whole = replay_open(src, &cfg, err);
	CHECK(whole != NULL);
	if (whole) {
		while (replay_index_step(whole, 1000))
			;
		CHECK_INT_EQ(replay_frames(whole), replay_frames(r));
		CHECK_INT_EQ(replay_conns(whole), replay_conns(r));
		for (uint64_t c = 1; c <= replay_conns(whole); c++)
			for (uint64_t pkt = 1; pkt <= replay_frames(whole); pkt++) {
				struct replay_conn_at a, b;

				CHECK(replay_conn_at(whole, c, pkt, &a));
				CHECK(replay_conn_at(r, c, pkt, &b));
				CHECK_INT_EQ(a.state[0], b.state[0]);
				CHECK_INT_EQ(a.state[1], b.state[1]);
				CHECK_INT_EQ(a.segments, b.segments);
				CHECK_STR_EQ(a.history, b.history);
			}
		replay_close(whole);
	}
	replay_close(r);
	unlink(dst);
}

/* A big realistic capture (gen_pcap: reordering, losses, mid-stream
 * joins, aborts): every frame, and each connection at each of its frames
 * and transitions and the frame before each, computed per connection so
 * the check stays linear. */
static const char *big_path;

static void test_seek_equals_feeding_big_capture(void)
{
	char err[REPLAY_ERRBUF_SIZE];
	struct expect x;
	if (!expect_build(big_path, &x))
		return;
	struct replay *r = open_all(big_path, err);
	CHECK(r != NULL);
	if (!r) {
		expect_free(&x);
		return;
	}
	CHECK_INT_EQ(replay_frames(r), x.nframes);
	CHECK_INT_EQ(replay_conns(r), x.nconns);
	CHECK(x.nconns > 500);
	for (uint64_t k = 0; k < x.nframes; k++)
		check_frame(r, &x, (k * 7919) % x.nframes + 1);
	/* Events by (conn, pkt), emission order kept among equal pkts: a
	 * counting sort by conn, then a stable insertion by pkt in each. */
	struct exp_ev *ev = malloc((x.nev + 1) * sizeof(*ev));
	uint64_t *start = calloc(x.nconns + 2, sizeof(*start));
	for (size_t i = 0; i < x.nev; i++)
		start[x.ev[i].conn + 1]++;
	for (uint64_t c = 1; c <= x.nconns + 1; c++)
		start[c] += start[c - 1];
	uint64_t *fill = calloc(x.nconns + 2, sizeof(*fill));
	for (size_t i = 0; i < x.nev; i++) {
		uint64_t c = x.ev[i].conn;
		size_t j = start[c] + fill[c]++;
		while (j > start[c] && ev[j - 1].pkt > x.ev[i].pkt) {
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = x.ev[i];
	}
	/* Per conn: its frames in order, with running segment and byte counts. */
	uint64_t *nseg = calloc(x.nconns + 1, sizeof(*nseg));
	uint64_t (*bytes)[2] = calloc(x.nconns + 1, sizeof(*bytes));
	struct replay_conn_at a;
	for (uint64_t n = 1; n <= x.nframes; n++) {
		if (!x.f[n].seg)
			continue;
		uint64_t c = x.f[n].conn;
		nseg[c]++;
		bytes[c][x.f[n].endpoint] += x.f[n].payload_len;
		CHECK(replay_conn_at(r, c, n, &a));
		CHECK_INT_EQ(a.segments, nseg[c]);
		CHECK_INT_EQ(a.bytes[0], bytes[c][0]);
		CHECK_INT_EQ(a.bytes[1], bytes[c][1]);
	}
	uint64_t bad = 0;
	for (uint64_t c = 1; c <= x.nconns; c++) {
		const struct exp_ev *v = ev + start[c];
		size_t nv = (size_t)(start[c + 1] - start[c]);
		CHECK_INT_EQ(replay_conn_transitions(r, c), nv);
		/* Probe points: 0, each transition's pkt and the frame before,
		 * the conn's first and last frame, the end. */
		uint64_t probes[2];
		for (size_t i = 0; i <= nv; i++) {
			size_t np = 0;
			if (i < nv) {
				probes[np++] = v[i].pkt;
				probes[np++] = v[i].pkt ? v[i].pkt - 1 : 0;
			} else {
				probes[np++] = 0;
				probes[np++] = x.nframes;
			}
			for (size_t p = 0; p < np; p++) {
				uint64_t n = probes[p];
				CHECK(replay_conn_at(r, c, n, &a));
				for (int e = 0; e < 2; e++) {
					const struct exp_ev *best = NULL, *first = NULL;
					for (size_t k = 0; k < nv; k++) {
						if (v[k].endpoint != e)
							continue;
						if (!first)
							first = &v[k];
						if (v[k].pkt <= n)
							best = &v[k];
					}
					enum tcpstate want = best ? best->to
							: first ? first->from : TCPSTATE_CLOSED;
					bad += a.state[e] != want;
				}
			}
		}
	}
	CHECK_INT_EQ(bad, 0);
	free(nseg);
	free(bytes);
	free(start);
	free(fill);
	free(ev);
	replay_close(r);
	expect_free(&x);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test_replay CAPTURES_DIR DEMOS_DIR [BIG_CAPTURE]\n");
		return 2;
	}
	capdir = argv[1];
	demodir = argv[2];
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	make_long_capture();
	RUN(test_seek_equals_feeding_generated);
	RUN(test_seek_equals_feeding_demos);
	RUN(test_seek_equals_feeding_long_capture);
	RUN(test_seek_equals_feeding_long_pcapng);
	RUN(test_seek_equals_feeding_many_sections);
	RUN(test_transitions_next_prev_and_frames);
	RUN(test_history_ended_and_time_wait);
	RUN(test_out_of_range_frames_rejected);
	RUN(test_cut_short_file_indexed_up_to_damage);
	RUN(test_stdin_spooled_and_seekable);
	RUN(test_stdin_damage_named_standard_input);
	RUN(test_filter_keeps_frame_numbers);
	RUN(test_incremental_progress);
	RUN(test_block_boundaries);
	RUN(test_encoding_edges);
	RUN(test_superseded_across_blocks);
	RUN(test_follow_a_growing_file);
	if (argc > 3) {
		big_path = argv[3];
		RUN(test_seek_equals_feeding_big_capture);
	}
	char p[4300];
	snprintf(p, sizeof(p), "%s/long.pcap", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/long.pcapng", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/cut.pcap", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/mixed.pcapng", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	CHECK_EXIT();
}
