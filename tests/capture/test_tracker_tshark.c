/* The tracker's relative numbers and analysis marks against tshark's:
 * generated conversations (retransmissions, holes, reordering, zero
 * windows, keep-alives, duplicate ACKs, ACKs of unseen data, SYN and FIN
 * retransmissions, mid-stream starts, SYNs refused or met by a stale ACK
 * and tried again) are written to a pcap file and fed
 * to the tracker as segments; tshark reads the file; every frame must
 * agree. Skipped when tshark is not installed. */
#include "check.h"
#include "rng.h"
#include "tracker.h"

#include <stdbool.h>
#include <unistd.h>

#define NPKT 400

struct gen {
	struct rng r;
	FILE *pcap;
	struct tracker *t;
	uint64_t pkt;
	int64_t ts;
	uint32_t nxt[2];
	uint16_t win[2];
	char mine[NPKT + 16][96]; /* "seq ack len marks" per frame */
};

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

static void put_le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	fwrite(b, 1, 4, f);
}

/* One segment from e: written as Ethernet/IPv4/TCP into the file and fed
 * to the tracker. */
static void emit(struct gen *g, int e, uint8_t flags, uint32_t seq,
		 uint32_t ack, uint32_t len, uint16_t win, int64_t dt)
{
	static const uint8_t addr[2][4] = {{192, 0, 2, 3}, {192, 0, 2, 2}};
	static const uint16_t port[2] = {40001, 8888};
	uint8_t f[14 + 20 + 24 + 1500];
	size_t optlen = (flags & TCPF_SYN) ? 4 : 0;
	size_t tcplen = 20 + optlen;
	size_t iplen = 20 + tcplen + len;
	memset(f, 0, sizeof(f));
	f[5] = 1;
	f[11] = 2;
	put_be16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	put_be16(ip + 2, (uint32_t)iplen);
	put_be16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, addr[e], 4);
	memcpy(ip + 16, addr[1 - e], 4);
	uint8_t *tcp = ip + 20;
	put_be16(tcp, port[e]);
	put_be16(tcp + 2, port[1 - e]);
	put_be32(tcp + 4, seq);
	put_be32(tcp + 8, (flags & TCPF_ACK) ? ack : 0);
	tcp[12] = (uint8_t)((tcplen / 4) << 4);
	tcp[13] = flags;
	put_be16(tcp + 14, win);
	if (optlen) { /* NOP, window scale 7 */
		tcp[20] = 1;
		tcp[21] = 3;
		tcp[22] = 3;
		tcp[23] = 7;
	}
	memset(tcp + tcplen, 'x', len);
	size_t flen = 14 + iplen;

	g->ts += dt;
	put_le32(g->pcap, (uint32_t)(g->ts / 1000000000));
	put_le32(g->pcap, (uint32_t)(g->ts % 1000000000));
	put_le32(g->pcap, (uint32_t)flen);
	put_le32(g->pcap, (uint32_t)flen);
	fwrite(f, 1, flen, g->pcap);

	struct segment s;
	memset(&s, 0, sizeof(s));
	s.pkt = ++g->pkt;
	s.ts_ns = g->ts;
	s.ip_version = 4;
	memcpy(s.src, addr[e], 4);
	memcpy(s.dst, addr[1 - e], 4);
	s.sport = port[e];
	s.dport = port[1 - e];
	s.seq = seq;
	s.ack = (flags & TCPF_ACK) ? ack : 0;
	s.flags = flags;
	s.win = win;
	s.hdr_len = (uint8_t)tcplen;
	s.payload_len = len;
	if (optlen) {
		s.opts.has_wscale = true;
		s.opts.wscale = 7;
	}
	struct tracker_seginfo info;
	tracker_advance(g->t, g->ts);
	tracker_input(g->t, &s, &info);
	struct tracker_event ev;
	while (tracker_next_event(g->t, &ev))
		;
	char *out = g->mine[g->pkt];
	int n = snprintf(out, sizeof(g->mine[0]), "%u %u %u", info.rel_seq,
			 info.rel_ack, len);
	static const enum tracker_mark order[] = {
		TRACKER_MARK_RETRANSMISSION, TRACKER_MARK_OUT_OF_ORDER,
		TRACKER_MARK_DUP_ACK, TRACKER_MARK_ZERO_WINDOW,
		TRACKER_MARK_WINDOW_UPDATE, TRACKER_MARK_KEEP_ALIVE,
		TRACKER_MARK_ACKED_UNSEEN, TRACKER_MARK_PREV_NOT_CAPTURED,
	};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(info.marks & order[i]))
			continue;
		n += snprintf(out + n, sizeof(g->mine[0]) - (size_t)n, " %s",
			      tracker_mark_to_str(order[i]));
		if (order[i] == TRACKER_MARK_DUP_ACK)
			n += snprintf(out + n, sizeof(g->mine[0]) - (size_t)n,
				      "#%u", info.dup_ack_count);
	}
}

static int64_t pick_dt(struct gen *g)
{
	static const int64_t dts[] = {100000, 1000000, 5000000, 200000000};
	return dts[rnd(&g->r, 4)];
}

static void send_next(struct gen *g, int e, uint8_t flags, uint32_t len,
		      int64_t dt)
{
	emit(g, e, flags, g->nxt[e], g->nxt[1 - e], len, g->win[e], dt);
	g->nxt[e] += len + ((flags & (TCPF_SYN | TCPF_FIN)) ? 1 : 0);
}

/* A conversation in the style of a lossy, reordering network. */
static void generate(struct gen *g, unsigned seed)
{
	g->nxt[0] = rnd(&g->r, 0xffffffffu);
	g->nxt[1] = rnd(&g->r, 0xffffffffu);
	g->win[0] = g->win[1] = 65535;
	if (seed % 3) {
		int64_t retry = 0;
		uint32_t isn = g->nxt[0];
		if (seed % 8 == 2) {
			/* refused by a RST-ACK with SEQ=0 (RFC 9293 3.10.7.1),
			 * the same SYN tried again a second later */
			emit(g, 0, TCPF_SYN, isn, 0, 0, 65535, 0);
			emit(g, 1, TCPF_RST | TCPF_ACK, 0, isn + 1, 0, 0, 100000);
			retry = 1000000000;
		} else if (seed % 8 == 5) {
			/* RFC 9293 figure 11: the old connection's ACK, reset
			 * by the client, which sends its SYN again */
			emit(g, 0, TCPF_SYN, isn, 0, 0, 65535, 0);
			emit(g, 1, TCPF_ACK, g->nxt[1] - 123456, isn - 5000, 0,
			     65535, 100000);
			emit(g, 0, TCPF_RST, isn - 5000, 0, 0, 0, 100000);
			retry = 1000000000;
		}
		send_next(g, 0, TCPF_SYN, 0, retry);
		if (seed % 2)
			emit(g, 0, TCPF_SYN, g->nxt[0] - 1, 0, 0, 65535,
			     1000000000);
		send_next(g, 1, TCPF_SYN | TCPF_ACK, 0, 1000000);
		if (seed % 5 == 0)
			emit(g, 1, TCPF_SYN | TCPF_ACK, g->nxt[1] - 1,
			     g->nxt[0], 0, 65535, 300000000);
		send_next(g, 0, TCPF_ACK, 0, 1000000);
	}
	struct {
		int e;
		uint32_t seq, len;
	} hist[8];
	unsigned nhist = 0;
	static const uint32_t lens[] = {1, 100, 1000, 1448};
	static const uint16_t wins[] = {501, 501, 0, 1000, 250};
	while (g->pkt < NPKT - 8) {
		int e = (int)rnd(&g->r, 2);
		uint32_t r = rnd(&g->r, 100);
		if (r < 45) {
			uint32_t len = lens[rnd(&g->r, 4)];
			if (rnd(&g->r, 10) == 0) { /* lost before the capture */
				g->nxt[e] += len;
				continue;
			}
			hist[nhist % 8].e = e;
			hist[nhist % 8].seq = g->nxt[e];
			hist[nhist % 8].len = len;
			nhist++;
			send_next(g, e, TCPF_PSH | TCPF_ACK, len, pick_dt(g));
		} else if (r < 65) {
			g->win[e] = wins[rnd(&g->r, 5)];
			send_next(g, e, TCPF_ACK, 0, pick_dt(g));
		} else if (r < 75 && nhist) {
			unsigned back = rnd(&g->r, nhist < 5 ? nhist : 5);
			unsigned i = (nhist - 1 - back) % 8;
			emit(g, hist[i].e, TCPF_PSH | TCPF_ACK, hist[i].seq,
			     g->nxt[1 - hist[i].e], hist[i].len,
			     g->win[hist[i].e], pick_dt(g));
		} else if (r < 80) {
			emit(g, e, TCPF_ACK, g->nxt[e] - 1, g->nxt[1 - e],
			     rnd(&g->r, 2), g->win[e], pick_dt(g));
		} else if (r < 85) {
			emit(g, e, TCPF_ACK, g->nxt[e],
			     g->nxt[1 - e] + (rnd(&g->r, 2) ? 500 : 0), 0,
			     g->win[e], pick_dt(g));
		} else {
			send_next(g, e, TCPF_ACK, 0, 1000000);
		}
	}
	if (seed % 6 == 1) {
		/* The client restarted without closing: a SYN with a new ISN,
		 * sent twice, and the server's SYN-ACK acknowledging it start
		 * a new connection on the same ports (docs/states.md). */
		g->nxt[0] += 0x40000000u;
		g->nxt[1] += 0x50000000u;
		send_next(g, 0, TCPF_SYN, 0, 5000000000LL);
		emit(g, 0, TCPF_SYN, g->nxt[0] - 1, 0, 0, 65535, 1000000000);
		send_next(g, 1, TCPF_SYN | TCPF_ACK, 0, 1000000);
		send_next(g, 0, TCPF_ACK, 0, 1000000);
		send_next(g, 0, TCPF_PSH | TCPF_ACK, 100, 1000000);
		send_next(g, 1, TCPF_ACK, 0, 1000000);
	}
	send_next(g, 0, TCPF_FIN | TCPF_ACK, 0, pick_dt(g));
	if (seed % 4 == 0)
		emit(g, 0, TCPF_FIN | TCPF_ACK, g->nxt[0] - 1, g->nxt[1], 0,
		     g->win[0], 200000000);
	send_next(g, 1, TCPF_FIN | TCPF_ACK, 0, pick_dt(g));
	if (seed % 7 == 0)
		emit(g, 1, TCPF_RST, g->nxt[1], 0, 0, 0, 1000000);
	send_next(g, 0, TCPF_ACK, 0, pick_dt(g));
}

static bool have_tshark(void)
{
	return system("tshark --version >/dev/null 2>&1") == 0;
}

/* Reads tshark's view of the same fields into the same format. */
static int tshark_lines(const char *path, char out[][96], unsigned max)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r '%s' -o tcp.relative_sequence_numbers:TRUE "
		 "-o tcp.analyze_sequence_numbers:TRUE -T fields -E separator=, "
		 "-e frame.number -e tcp.seq -e tcp.ack -e tcp.len "
		 "-e tcp.analysis.retransmission "
		 "-e tcp.analysis.fast_retransmission "
		 "-e tcp.analysis.spurious_retransmission "
		 "-e tcp.analysis.out_of_order -e tcp.analysis.duplicate_ack_num "
		 "-e tcp.analysis.zero_window -e tcp.analysis.window_update "
		 "-e tcp.analysis.keep_alive -e tcp.analysis.ack_lost_segment "
		 "-e tcp.analysis.lost_segment 2>/dev/null",
		 path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), p)) {
		/* 14 comma-separated fields, empty ones kept */
		char *fld[14] = {0};
		char *cur = line;
		int nf = 0;
		while (nf < 14) {
			fld[nf++] = cur;
			char *c = strpbrk(cur, ",\n");
			if (!c)
				break;
			bool last = *c == '\n';
			*c = '\0';
			cur = c + 1;
			if (last)
				break;
		}
		if (nf < 14)
			continue;
		unsigned fr = (unsigned)strtoul(fld[0], NULL, 10);
		if (fr == 0 || fr >= max)
			continue;
		char *o = out[fr];
		int k = snprintf(o, 96, "%s %s %s", fld[1],
				 fld[2][0] ? fld[2] : "0", fld[3]);
		if (fld[4][0] || fld[5][0] || fld[6][0])
			k += snprintf(o + k, 96 - (size_t)k, " retransmission");
		if (fld[7][0])
			k += snprintf(o + k, 96 - (size_t)k, " out-of-order");
		if (fld[8][0])
			k += snprintf(o + k, 96 - (size_t)k, " dup-ack#%s", fld[8]);
		if (fld[9][0])
			k += snprintf(o + k, 96 - (size_t)k, " zero-window");
		if (fld[10][0])
			k += snprintf(o + k, 96 - (size_t)k, " window-update");
		if (fld[11][0])
			k += snprintf(o + k, 96 - (size_t)k, " keep-alive");
		if (fld[12][0])
			k += snprintf(o + k, 96 - (size_t)k, " acked-unseen");
		if (fld[13][0])
			k += snprintf(o + k, 96 - (size_t)k, " prev-not-captured");
		n++;
	}
	pclose(p);
	return n;
}

static void test_numbers_and_marks_match_tshark(void)
{
	static struct gen g;
	static char theirs[NPKT + 16][96];
	unsigned compared = 0, marked = 0;
	for (unsigned seed = 1; seed <= 24; seed++) {
		memset(&g, 0, sizeof(g));
		memset(theirs, 0, sizeof(theirs));
		g.r.s = 0x9e3779b97f4a7c15ULL * seed;
		g.ts = 1700000000LL * 1000000000LL;
		char path[] = "/tmp/tcpstep-tracker-XXXXXX";
		int fd = mkstemp(path);
		CHECK(fd >= 0);
		if (fd < 0)
			return;
		g.pcap = fdopen(fd, "wb");
		/* pcap header, nanosecond magic, Ethernet */
		put_le32(g.pcap, 0xa1b23c4d);
		fputc(2, g.pcap); fputc(0, g.pcap);
		fputc(4, g.pcap); fputc(0, g.pcap);
		put_le32(g.pcap, 0);
		put_le32(g.pcap, 0);
		put_le32(g.pcap, 65535);
		put_le32(g.pcap, 1);
		g.t = tracker_create(NULL);
		generate(&g, seed);
		tracker_finish(g.t);
		tracker_destroy(g.t);
		fclose(g.pcap);
		int n = tshark_lines(path, theirs, NPKT + 16);
		unlink(path);
		CHECK_INT_EQ(n, (long long)g.pkt);
		for (uint64_t i = 1; i <= g.pkt; i++) {
			if (strcmp(g.mine[i], theirs[i]) != 0) {
				fprintf(stderr, "seed %u frame %llu: tracker \"%s\", "
					"tshark \"%s\"\n", seed,
					(unsigned long long)i, g.mine[i],
					theirs[i]);
				CHECK(0);
			}
			compared++;
			if (strchr(g.mine[i], '-') || strstr(g.mine[i], "retrans"))
				marked++;
		}
	}
	/* the captures really exercise the marks */
	CHECK(compared > 9000);
	CHECK(marked > 1000);
}

int main(void)
{
	if (!have_tshark())
		CHECK_SKIP("tshark not installed");
	RUN(test_numbers_and_marks_match_tshark);
	CHECK_EXIT();
}
