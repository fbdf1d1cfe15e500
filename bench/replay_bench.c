/* replay_bench: how long the replay index takes to build beside `decode
 * --summary`, how fast a jump is, and how many bytes the index holds per
 * packet. Each of the random jumps is also checked against a direct pass of
 * source -> decode -> tracker (states, rel seq/ack, marks), so a fast wrong
 * answer does not pass for a result.
 *
 *   replay_bench [--repeat R] [--seeks N] FILE
 *       decode --summary and the index R times each, taking turns (default
 *       3; the best CPU time of each, and the median of the turns' ratios),
 *       then N random jumps (default 1000); a last line "RESULT key=value
 *       ..." for bench/run.sh
 *   replay_bench --index-only FILE
 *       only builds the index (for the peak RSS under bench/runstat)
 *
 * Not part of the test suite; run it on a capture from gen_pcap:
 *   build/bench/gen_pcap --packets 1000000 --connections 40000 --output /tmp/b.pcap
 *   build/bench/replay_bench /tmp/b.pcap
 * bench/run.sh runs it on its 1M and 10M captures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "cmd_decode.h"
#include "replay.h"
#include "source.h"
#include "tracker.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ref_frame {
	uint32_t conn, rel_seq, rel_ack;
	uint16_t marks;
	uint8_t endpoint, seg;
};

struct ref_ev {
	uint32_t conn, pkt, order;
	uint8_t endpoint, from, to;
};

struct ref {
	struct ref_frame *f;
	uint64_t nframes, cap;
	struct ref_ev *ev;
	uint64_t nev, capev;
	uint64_t *conn_start; /* first event of each conn, after sorting */
	uint64_t nconns;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "replay_bench: out of memory\n");
		exit(1);
	}
	return q;
}

static void ref_drain(struct tracker *t, struct ref *x)
{
	struct tracker_event ev;
	while (tracker_next_event(t, &ev)) {
		if (ev.type != TRACKER_EV_STATE)
			continue;
		if (x->nev == x->capev) {
			x->capev = x->capev ? 2 * x->capev : 4096;
			x->ev = xrealloc(x->ev, x->capev * sizeof(*x->ev));
		}
		x->ev[x->nev] = (struct ref_ev){ (uint32_t)ev.conn, (uint32_t)ev.pkt,
						 (uint32_t)x->nev, (uint8_t)ev.u.state.endpoint,
						 (uint8_t)ev.u.state.from, (uint8_t)ev.u.state.to };
		x->nev++;
	}
}

static int ev_cmp(const void *a, const void *b)
{
	const struct ref_ev *x = a, *y = b;
	if (x->conn != y->conn)
		return x->conn < y->conn ? -1 : 1;
	if (x->pkt != y->pkt)
		return x->pkt < y->pkt ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void ref_build(const char *path, struct ref *x)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct source *s = source_open_file(path, NULL, err);
	struct source_frame fr;
	if (!s) {
		fprintf(stderr, "replay_bench: %s\n", err);
		exit(1);
	}
	struct tracker *t = tracker_create(NULL);
	while (source_next(s, &fr, err) == SOURCE_FRAME) {
		struct segment seg;
		struct tracker_seginfo info;
		if (fr.pkt >= x->cap) {
			x->cap = x->cap ? 2 * x->cap : 65536;
			x->f = xrealloc(x->f, x->cap * sizeof(*x->f));
		}
		memset(&x->f[fr.pkt], 0, sizeof(x->f[0]));
		x->nframes = fr.pkt;
		enum decode_result dr = decode_frame(fr.linktype, fr.data, fr.caplen,
						     fr.wirelen, &seg, NULL);
		seg.pkt = fr.pkt;
		seg.ts_ns = fr.ts_ns;
		tracker_advance(t, fr.ts_ns);
		ref_drain(t, x);
		if (dr != DECODE_OK || !tracker_input(t, &seg, &info))
			continue;
		x->f[fr.pkt] = (struct ref_frame){ (uint32_t)info.conn, info.rel_seq,
						   info.rel_ack, (uint16_t)info.marks,
						   (uint8_t)info.from_endpoint, 1 };
		if (info.conn > x->nconns)
			x->nconns = info.conn;
		ref_drain(t, x);
	}
	while (tracker_finish_step(t))
		ref_drain(t, x);
	tracker_destroy(t);
	source_close(s);
	qsort(x->ev, x->nev, sizeof(*x->ev), ev_cmp);
	x->conn_start = xrealloc(NULL, (x->nconns + 2) * sizeof(*x->conn_start));
	uint64_t j = 0;
	for (uint64_t c = 0; c <= x->nconns + 1; c++) {
		while (j < x->nev && x->ev[j].conn < c)
			j++;
		x->conn_start[c] = j;
	}
}

static enum tcpstate ref_state(const struct ref *x, uint64_t c, int e, uint64_t n)
{
	const struct ref_ev *best = NULL, *first = NULL;
	for (uint64_t i = x->conn_start[c]; i < x->conn_start[c + 1]; i++) {
		const struct ref_ev *v = &x->ev[i];
		if (v->endpoint != e)
			continue;
		if (!first)
			first = v;
		if (v->pkt <= n)
			best = v;
	}
	return best ? (enum tcpstate)best->to
		    : first ? (enum tcpstate)first->from : TCPSTATE_CLOSED;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* decode --summary in this process, its output to /dev/null: its CPU
 * time, -1 on failure. */
static double time_summary(const char *path)
{
	char *argv[] = { "decode", "--summary", (char *)path, NULL };
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	if (saved < 0 || !freopen("/dev/null", "w", stdout))
		return -1;
	double t0 = cpu_s();
	int rc = cmd_decode_main(3, argv);
	fflush(stdout);
	double t = cpu_s() - t0;
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return rc == 0 ? t : -1;
}

/* Builds the whole index in 50k-frame steps, as the UI does; its CPU
 * time and the longest step (wall). */
static struct replay *time_index(const char *path, double *cpu, double *worst_step)
{
	char err[REPLAY_ERRBUF_SIZE];
	struct replay_config cfg = { .filter = NULL };
	double c0 = cpu_s();
	struct replay *r = replay_open(path, &cfg, err);
	if (!r) {
		fprintf(stderr, "replay_bench: %s\n", err);
		exit(1);
	}
	*worst_step = 0;
	for (;;) {
		double s0 = now_s();
		bool more = replay_index_step(r, 50000);
		double d = now_s() - s0;
		if (d > *worst_step)
			*worst_step = d;
		if (!more)
			break;
	}
	*cpu = cpu_s() - c0;
	return r;
}

static void usage(void)
{
	fprintf(stderr, "usage: replay_bench [--index-only] [--repeat R] [--seeks N] FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int seeks = 1000, repeat = 3;
	bool index_only = false;
	char err[REPLAY_ERRBUF_SIZE];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--index-only"))
			index_only = true;
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seeks") && i + 1 < argc)
			seeks = atoi(argv[++i]);
		else if (argv[i][0] == '-' || path)
			usage();
		else
			path = argv[i];
	}
	if (!path || seeks < 1 || repeat < 1)
		usage();

	double worst_step = 0, t_index = 0, t_sum = -1;
	double *turn = xrealloc(NULL, (size_t)repeat * sizeof(double));
	struct replay *r = NULL;
	if (index_only) {
		/* For runstat: the peak RSS of indexing alone. */
		r = time_index(path, &t_index, &worst_step);
		printf("RESULT frames=%llu conns=%llu index_cpu=%.4f mem_bytes=%llu\n",
		       (unsigned long long)replay_frames(r), (unsigned long long)replay_conns(r),
		       t_index, (unsigned long long)replay_memory(r));
		replay_close(r);
		return 0;
	}
	/* decode --summary and the index take turns, the best CPU time of
	 * each kept, so other work on the machine weighs on both alike. */
	for (int k = 0; k < repeat; k++) {
		double s = time_summary(path), ti, ws;
		if (s < 0) {
			fprintf(stderr, "replay_bench: decode --summary failed on %s\n", path);
			return 1;
		}
		if (t_sum < 0 || s < t_sum)
			t_sum = s;
		replay_close(r);
		r = time_index(path, &ti, &ws);
		if (k == 0 || ti < t_index)
			t_index = ti;
		if (ws > worst_step)
			worst_step = ws;
		turn[k] = ti / s;
		printf("turn %d             summary %.3f s, index %.3f s CPU: %.3fx\n", k + 1, s, ti,
		       turn[k]);
	}
	qsort(turn, (size_t)repeat, sizeof(double), dbl_cmp);
	double ratio_median = repeat % 2 ? turn[repeat / 2]
					 : (turn[repeat / 2 - 1] + turn[repeat / 2]) / 2;
	free(turn);
	uint64_t frames = replay_frames(r), mem = replay_memory(r);
	if (frames == 0) {
		fprintf(stderr, "replay_bench: %s has no frames\n", path);
		return 1;
	}

	struct ref x;
	memset(&x, 0, sizeof(x));
	ref_build(path, &x);

	double *lat = xrealloc(NULL, (size_t)seeks * sizeof(double));
	uint64_t bad = 0, rng = 88172645463325252ull;
	for (int i = 0; i < seeks; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		uint64_t n = rng % frames + 1;
		struct replay_frame f;
		struct replay_conn_at a;
		double s0 = now_s();
		bool ok = replay_frame(r, n, &f, err);
		uint64_t c = f.info.conn;
		if (ok && c)
			ok = replay_conn_at(r, c, n, &a);
		lat[i] = now_s() - s0;
		if (!ok) {
			bad++;
			continue;
		}
		const struct ref_frame *e = &x.f[n];
		if (f.is_segment != e->seg || (e->seg && (c != e->conn || f.info.rel_seq != e->rel_seq ||
							   f.info.rel_ack != e->rel_ack ||
							   f.info.marks != e->marks))) {
			bad++;
			continue;
		}
		if (c && (a.state[0] != ref_state(&x, c, 0, n) || a.state[1] != ref_state(&x, c, 1, n)))
			bad++;
	}
	qsort(lat, (size_t)seeks, sizeof(double), dbl_cmp);
	double ratio = t_sum > 0 ? t_index / t_sum : 0.0;
	printf("file %s: %llu frames, %llu connections%s%s\n", path,
	       (unsigned long long)frames, (unsigned long long)replay_conns(r),
	       replay_damage(r) ? ", damaged: " : "", replay_damage(r) ? replay_damage(r) : "");
	printf("decode --summary   %.3f s CPU (best of %d)\n", t_sum, repeat);
	printf("replay index       %.3f s CPU (best of %d, %.2fx summary), longest 50k-frame step %.1f ms\n",
	       t_index, repeat, ratio, worst_step * 1e3);
	printf("turns' ratios      median %.3fx (of %d)\n", ratio_median, repeat);
	printf("%d random jumps    median %.1f us, worst %.1f us (frame re-read + conn state)\n",
	       seeks, lat[seeks / 2] * 1e6, lat[seeks - 1] * 1e6);
	printf("index memory       %llu bytes, %.1f bytes per packet\n", (unsigned long long)mem,
	       (double)mem / (double)frames);
	printf("checked jumps      %llu of %d disagree with a direct tracker pass\n",
	       (unsigned long long)bad, seeks);
	printf("RESULT frames=%llu conns=%llu summary_cpu=%.4f index_cpu=%.4f ratio=%.3f "
	       "step_ms=%.1f seek_median_us=%.1f seek_worst_us=%.1f mem_bytes=%llu "
	       "mem_per_pkt=%.2f bad=%llu seeks=%d ratio_median=%.3f\n",
	       (unsigned long long)frames, (unsigned long long)replay_conns(r), t_sum, t_index,
	       ratio, worst_step * 1e3, lat[seeks / 2] * 1e6, lat[seeks - 1] * 1e6,
	       (unsigned long long)mem, (double)mem / (double)frames, (unsigned long long)bad,
	       seeks, ratio_median);
	free(lat);
	free(x.f);
	free(x.ev);
	free(x.conn_start);
	replay_close(r);
	return bad ? 1 : 0;
}
