/* Formatting for `tcpstep decode`: each line is built in a buffer with the
 * small sb_* helpers (no printf in the per-segment path, which is the hot
 * loop of a million-packet decode) and written with one fwrite. Only our
 * own constant strings and numbers reach the output; nothing is copied from
 * the wire, and the few strings that are (none today) would go through
 * textesc_escape or sb_json_str. */
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpstate.h"

struct output {
	FILE *f;
	struct output_config cfg;
	uint64_t last_pkt; /* frame of the last segment printed */
};

/* A line being built; output is cut (never overrun) if it would not fit. */
struct sb {
	char b[1536];
	size_t n;
};

/* The clamp is kept out of the common path: with the length left a
 * constant there, a string literal's copy compiles to a few moves. */
static inline void sb_mem(struct sb *s, const char *p, size_t n)
{
	size_t room = sizeof(s->b) - 1 - s->n;
	if (n <= room) {
		memcpy(s->b + s->n, p, n);
		s->n += n;
	} else {
		memcpy(s->b + s->n, p, room);
		s->n += room;
	}
}

/* The same for a short local buffer: one copy of at most n bytes, so that
 * GCC, inlining sb_mem at link time, does not see a path that reads the
 * whole line's room from it (-Wstringop-overread). Not on IPv4's path. */
static inline void sb_mem_short(struct sb *s, const char *p, size_t n)
{
	size_t room = sizeof(s->b) - 1 - s->n;
	size_t k = n < room ? n : room;
	memcpy(s->b + s->n, p, k);
	s->n += k;
}

static inline void sb_str(struct sb *s, const char *p) { sb_mem(s, p, strlen(p)); }
static inline void sb_ch(struct sb *s, char c) { sb_mem(s, &c, 1); }

/* Decimal digits, two at a time, written straight into the line (this
 * runs ~15 times per JSON line and per summary line; sb_u64 below takes
 * the counts of 0 to 9, most of them, without a call). */
static void __attribute__((noinline)) sb_u64_digits(struct sb *s, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";

	size_t len;
	if (v < 10)
		len = 1;
	else if (v < 100)
		len = 2;
	else if (v < 1000000)
		len = v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : 6;
	else {
		len = 7;
		for (uint64_t x = v / 1000000; x >= 10; x /= 10)
			len++;
	}
	char t[24];
	/* The line's own buffer when there is room (nearly always), else a
	 * temporary that sb_mem cuts to fit. */
	bool direct = len <= sizeof(s->b) - 1 - s->n;
	char *end = (direct ? s->b + s->n : t) + len;
	while (v > UINT32_MAX) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		*--end = pairs[2 * r + 1];
		*--end = pairs[2 * r];
	}
	uint32_t w = (uint32_t)v; /* 32-bit division is cheaper */
	while (w >= 100) {
		unsigned r = w % 100;
		w /= 100;
		*--end = pairs[2 * r + 1];
		*--end = pairs[2 * r];
	}
	if (w >= 10) {
		*--end = pairs[2 * w + 1];
		*--end = pairs[2 * w];
	} else {
		*--end = (char)('0' + w);
	}
	if (direct)
		s->n += len;
	else
		sb_mem(s, t, len);
}

static inline void sb_u64(struct sb *s, uint64_t v)
{
	/* Most numbers printed are counts of 0 to 9. */
	if (v < 10 && s->n < sizeof(s->b) - 1)
		s->b[s->n++] = (char)('0' + v);
	else
		sb_u64_digits(s, v);
}

static void sb_i64(struct sb *s, int64_t v)
{
	if (v < 0) {
		sb_ch(s, '-');
		sb_u64(s, (uint64_t)0 - (uint64_t)v);
	} else {
		sb_u64(s, (uint64_t)v);
	}
}

/* v as exactly `digits` decimal digits, zero-padded. */
static void sb_fixed(struct sb *s, uint64_t v, int digits)
{
	char t[24];
	for (int i = digits - 1; i >= 0; i--) {
		t[i] = (char)('0' + v % 10);
		v /= 10;
	}
	sb_mem(s, t, (size_t)digits);
}

/* A JSON string: quotes, backslash and control characters escaped; runs
 * of plain characters are copied in one go. */
/* p's characters, escaped for inside a JSON string. */
static void sb_json_chars(struct sb *s, const char *p)
{
	static const char hex[] = "0123456789abcdef";
	for (;;) {
		const char *run = p;
		while (*p && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
		       *p != 0x7f)
			p++;
		sb_mem(s, run, (size_t)(p - run));
		if (!*p)
			break;
		unsigned char c = (unsigned char)*p++;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			sb_mem(s, e, 2);
		} else {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sb_mem(s, e, 6);
		}
	}
}

static void sb_json_str(struct sb *s, const char *p)
{
	sb_ch(s, '"');
	sb_json_chars(s, p);
	sb_ch(s, '"');
}

static void sb_key(struct sb *s, const char *k, bool first)
{
	if (!first)
		sb_ch(s, ',');
	sb_ch(s, '"');
	sb_str(s, k);
	sb_str(s, "\":");
}

static void sb_end(struct output *o, struct sb *s)
{
	s->b[s->n++] = '\n'; /* sb_mem always leaves one byte free */
	fwrite(s->b, 1, s->n, o->f);
}

struct output *output_create(FILE *f, const struct output_config *cfg)
{
	struct output *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->f = f;
	o->cfg = *cfg;
	return o;
}

void output_destroy(struct output *o)
{
	free(o);
}

/* 12:00:00.000100, UTC so that golden output does not depend on TZ. */
/* Whole seconds (rounded down, also before 1970) and microseconds. */
static void split_us(int64_t ts_ns, int64_t *sec, int64_t *us)
{
	*sec = ts_ns / 1000000000;
	*us = (ts_ns % 1000000000) / 1000;
	if (*us < 0) {
		(*sec)--;
		*us += 1000000;
	}
}

static void sb_time(struct sb *s, int64_t ts_ns)
{
	int64_t sec, us;
	split_us(ts_ns, &sec, &us);
	int64_t day = sec % 86400;
	if (day < 0)
		day += 86400;
	sb_fixed(s, (uint64_t)(day / 3600), 2);
	sb_ch(s, ':');
	sb_fixed(s, (uint64_t)(day / 60 % 60), 2);
	sb_ch(s, ':');
	sb_fixed(s, (uint64_t)(day % 60), 2);
	sb_ch(s, '.');
	sb_fixed(s, (uint64_t)us, 6);
}

/* JSON seconds: 1700000000.000100 */
static void sb_json_ts(struct sb *s, int64_t ts_ns)
{
	int64_t sec, us;
	split_us(ts_ns, &sec, &us);
	sb_i64(s, sec);
	sb_ch(s, '.');
	sb_fixed(s, (uint64_t)us, 6);
}

/* One IPv4 address, dotted decimal, without division loops. */
static void sb_ipv4(struct sb *s, const uint8_t *a)
{
	char t[16];
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (i)
			t[n++] = '.';
		if (v >= 100) {
			t[n++] = (char)('0' + v / 100);
			v %= 100;
			t[n++] = (char)('0' + v / 10);
		} else if (v >= 10) {
			t[n++] = (char)('0' + v / 10);
		}
		t[n++] = (char)('0' + v % 10);
	}
	sb_mem(s, t, n);
}

/* One IPv6 address in the text inet_ntop gives (glibc's inet_ntop6,
 * RFC 5952 section 4): lowercase hex without leading zeros, the longest
 * run of two or more zero groups (the first of equal runs) as "::", and
 * the IPv4 forms ::a.b.c.d and ::ffff:a.b.c.d. Written out here because
 * inet_ntop formats each group with sprintf: --summary prints two
 * addresses per connection. */
static void sb_ipv6(struct sb *s, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, bestlen = 0, cur = -1, curlen = 0;
	char t[48];
	size_t n = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 1;
			} else {
				curlen++;
			}
		} else if (cur >= 0) {
			if (curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
			cur = -1;
		}
	}
	if (cur >= 0 && curlen > bestlen) {
		best = cur;
		bestlen = curlen;
	}
	if (bestlen < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best)
				t[n++] = ':';
			continue;
		}
		if (i)
			t[n++] = ':';
		if (i == 6 && best == 0 &&
		    (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			sb_mem_short(s, t, n);
			sb_ipv4(s, a + 12);
			return;
		}
		unsigned v = w[i];
		if (v >= 0x1000)
			t[n++] = hex[v >> 12];
		if (v >= 0x100)
			t[n++] = hex[(v >> 8) & 15];
		if (v >= 0x10)
			t[n++] = hex[(v >> 4) & 15];
		t[n++] = hex[v & 15];
	}
	if (best >= 0 && best + bestlen == 8)
		t[n++] = ':';
	sb_mem_short(s, t, n);
}

/* The address in its usual text form, without printf (hot path). */
static void sb_ip(struct sb *s, int ipv, const uint8_t *a)
{
	if (ipv == 6)
		sb_ipv6(s, a);
	else
		sb_ipv4(s, a);
}

/* "ip:port", IPv6 as "[addr]:port" */
static void sb_endpoint(struct sb *s, int ipv, const uint8_t *a, uint16_t port)
{
	if (ipv == 6)
		sb_ch(s, '[');
	sb_ip(s, ipv, a);
	if (ipv == 6)
		sb_ch(s, ']');
	sb_ch(s, ':');
	sb_u64(s, port);
}

void output_format_endpoint(char *buf, size_t size, int ip_version,
			    const uint8_t *addr, uint16_t port)
{
	struct sb s;
	s.n = 0;
	sb_endpoint(&s, ip_version, addr, port);
	snprintf(buf, size, "%.*s", (int)s.n, s.b);
}

/* tcpdump's "addr.port" */
static void sb_tcpdump_endpoint(struct sb *s, int ipv, const uint8_t *a, uint16_t port)
{
	sb_ip(s, ipv, a);
	sb_ch(s, '.');
	sb_u64(s, port);
}

/* tcpdump's flag letters, in print-tcp.c's order; "none" for no flags. */
static void sb_flags(struct sb *s, uint8_t flags)
{
	static const struct {
		uint8_t bit;
		char c;
	} tab[] = {
		{ TCPF_FIN, 'F' }, { TCPF_SYN, 'S' }, { TCPF_RST, 'R' }, { TCPF_PSH, 'P' },
		{ TCPF_ACK, '.' }, { TCPF_URG, 'U' }, { TCPF_ECE, 'E' }, { TCPF_CWR, 'W' },
	};
	if (!flags) {
		sb_str(s, "none");
		return;
	}
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (flags & tab[i].bit)
			sb_ch(s, tab[i].c);
}

static const enum tracker_mark all_marks[] = {
	TRACKER_MARK_RETRANSMISSION, TRACKER_MARK_OUT_OF_ORDER, TRACKER_MARK_DUP_ACK,
	TRACKER_MARK_ZERO_WINDOW, TRACKER_MARK_WINDOW_UPDATE, TRACKER_MARK_KEEP_ALIVE,
	TRACKER_MARK_ACKED_UNSEEN, TRACKER_MARK_PREV_NOT_CAPTURED, TRACKER_MARK_RST_IGNORED,
};

static void text_options(struct sb *s, const struct segment *seg, uint32_t sack_base)
{
	const struct segment_options *op = &seg->opts;
	bool first = true;

#define SEP() do { sb_str(s, first ? ", options [" : ","); first = false; } while (0)
	if (op->has_mss) {
		SEP();
		sb_str(s, "mss ");
		sb_u64(s, op->mss);
	}
	if (op->sack_permitted) {
		SEP();
		sb_str(s, "sackOK");
	}
	if (op->has_timestamp) {
		SEP();
		sb_str(s, "TS val ");
		sb_u64(s, op->tsval);
		sb_str(s, " ecr ");
		sb_u64(s, op->tsecr);
	}
	if (op->has_wscale) {
		SEP();
		sb_str(s, "wscale ");
		sb_u64(s, op->wscale);
	}
	if (op->nsack) {
		SEP();
		sb_str(s, "sack ");
		sb_u64(s, op->nsack);
		sb_ch(s, ' ');
		for (int i = 0; i < op->nsack; i++) {
			sb_ch(s, '{');
			sb_u64(s, (uint32_t)(op->sack[i].left - sack_base));
			sb_ch(s, ':');
			sb_u64(s, (uint32_t)(op->sack[i].right - sack_base));
			sb_ch(s, '}');
		}
	}
	for (int i = 0; i < op->nother; i++) {
		SEP();
		sb_str(s, "opt-");
		sb_u64(s, op->other[i]);
	}
	if (op->malformed) {
		SEP();
		sb_str(s, "bad opts");
	}
#undef SEP
	if (!first)
		sb_ch(s, ']');
}

/* The decoder's note on a segment whose IP length field claimed more than
 * the frame carried (seg->ip_len_clamped; docs/decode.md). */
#define IP_LEN_NOTE_REASON "ip_length_exceeds_frame"

static const char *ip_len_note(const struct segment *seg)
{
	return seg->ip_version == 6 ?
		       "IPv6 payload length larger than the frame; length taken from the frame" :
		       "IPv4 total length larger than the frame; length taken from the frame";
}

/* A segment's notes, one rule for text and JSON: the tracker's (why a RST
 * was ignored, a SYN with a new ISN) first, then the decoder's clamp
 * note; shown joined by "; ". Returns how many (0 to 2) are in n. */
static int seg_notes(const struct segment *seg, const struct tracker_seginfo *in,
		     const char *n[2])
{
	int k = 0;
	if (in->note)
		n[k++] = in->note;
	if (seg->ip_len_clamped)
		n[k++] = ip_len_note(seg);
	return k;
}

static void text_segment(struct output *o, const struct segment *seg,
			 const struct tracker_seginfo *in)
{
	struct sb s;
	bool abs = o->cfg.absolute;
	uint32_t seq = abs ? seg->seq : in->rel_seq;
	uint32_t ack = abs ? seg->ack : in->rel_ack;
	/* SACK blocks name the peer's bytes: relative to the same base as ack */
	uint32_t sack_base = !abs && (seg->flags & TCPF_ACK) ? seg->ack - in->rel_ack : 0;

	s.n = 0;
	sb_time(&s, seg->ts_ns);
	sb_ch(&s, ' ');
	sb_tcpdump_endpoint(&s, seg->ip_version, seg->src, seg->sport);
	sb_str(&s, " > ");
	sb_tcpdump_endpoint(&s, seg->ip_version, seg->dst, seg->dport);
	sb_str(&s, ": Flags [");
	sb_flags(&s, seg->flags);
	sb_ch(&s, ']');
	/* print-tcp.c: seq when there is data or SYN/FIN/RST; "seq a:b" with data */
	if (seg->payload_len || (seg->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST))) {
		sb_str(&s, ", seq ");
		sb_u64(&s, seq);
		if (seg->payload_len) {
			sb_ch(&s, ':');
			sb_u64(&s, (uint32_t)(seq + seg->payload_len));
		}
	}
	if (seg->flags & TCPF_ACK) {
		sb_str(&s, ", ack ");
		sb_u64(&s, ack);
	}
	sb_str(&s, ", win ");
	sb_u64(&s, seg->win);
	if (seg->flags & TCPF_URG) {
		sb_str(&s, ", urg ");
		sb_u64(&s, seg->urp);
	}
	text_options(&s, seg, sack_base);
	sb_str(&s, ", length ");
	sb_u64(&s, seg->payload_len);
	for (size_t i = 0; i < sizeof(all_marks) / sizeof(all_marks[0]); i++) {
		if (!(in->marks & all_marks[i]))
			continue;
		sb_str(&s, " [");
		sb_str(&s, tracker_mark_to_str(all_marks[i]));
		if (all_marks[i] == TRACKER_MARK_DUP_ACK) {
			sb_str(&s, " #");
			sb_u64(&s, in->dup_ack_count);
		}
		sb_ch(&s, ']');
	}
	if (seg->truncated)
		sb_str(&s, " [truncated]");
	const char *notes[2];
	int nnotes = seg_notes(seg, in, notes);
	for (int i = 0; i < nnotes; i++) {
		sb_str(&s, i ? "; " : " -- ");
		sb_str(&s, notes[i]);
	}
	sb_end(o, &s);
}

static void json_endpoint(struct sb *s, int ipv, const uint8_t *a, uint16_t port)
{
	sb_ch(s, '"'); /* digits, dots, colons, brackets: nothing to escape */
	sb_endpoint(s, ipv, a, port);
	sb_ch(s, '"');
}

static void json_options(struct sb *s, const struct segment_options *op)
{
	bool first = true;
	sb_ch(s, '{');
	if (op->has_mss) {
		sb_key(s, "mss", first);
		sb_u64(s, op->mss);
		first = false;
	}
	if (op->has_wscale) {
		sb_key(s, "wscale", first);
		sb_u64(s, op->wscale);
		first = false;
	}
	if (op->sack_permitted) {
		sb_key(s, "sack_permitted", first);
		sb_str(s, "true");
		first = false;
	}
	if (op->has_timestamp) {
		sb_key(s, "ts_val", first);
		sb_u64(s, op->tsval);
		sb_key(s, "ts_ecr", false);
		sb_u64(s, op->tsecr);
		first = false;
	}
	if (op->nsack) {
		sb_key(s, "sack", first);
		sb_ch(s, '[');
		for (int i = 0; i < op->nsack; i++) {
			sb_str(s, i ? ",[" : "[");
			sb_u64(s, op->sack[i].left);
			sb_ch(s, ',');
			sb_u64(s, op->sack[i].right);
			sb_ch(s, ']');
		}
		sb_ch(s, ']');
		first = false;
	}
	if (op->nother) {
		sb_key(s, "other", first);
		sb_ch(s, '[');
		for (int i = 0; i < op->nother; i++) {
			if (i)
				sb_ch(s, ',');
			sb_u64(s, op->other[i]);
		}
		sb_ch(s, ']');
		first = false;
	}
	if (op->malformed) {
		sb_key(s, "malformed", first);
		sb_str(s, "true");
	}
	sb_ch(s, '}');
}

static void json_segment(struct output *o, const struct segment *seg,
			 const struct tracker_seginfo *in)
{
	struct sb s;

	s.n = 0;
	sb_str(&s, "{\"type\":\"segment\",\"pkt\":");
	sb_u64(&s, seg->pkt);
	sb_str(&s, ",\"ts\":");
	sb_json_ts(&s, seg->ts_ns);
	sb_str(&s, ",\"conn\":");
	sb_u64(&s, in->conn);
	sb_str(&s, ",\"src\":");
	json_endpoint(&s, seg->ip_version, seg->src, seg->sport);
	sb_str(&s, ",\"dst\":");
	json_endpoint(&s, seg->ip_version, seg->dst, seg->dport);
	/* tcpdump's letters or "none": nothing a JSON string must escape */
	sb_str(&s, ",\"flags\":\"");
	sb_flags(&s, seg->flags);
	sb_ch(&s, '"');
	sb_str(&s, ",\"seq\":");
	sb_u64(&s, in->rel_seq);
	sb_str(&s, ",\"ack\":");
	sb_u64(&s, in->rel_ack);
	sb_str(&s, ",\"seq_abs\":");
	sb_u64(&s, seg->seq);
	sb_str(&s, ",\"ack_abs\":");
	sb_u64(&s, seg->ack);
	sb_str(&s, ",\"win\":");
	sb_u64(&s, seg->win);
	sb_str(&s, ",\"len\":");
	sb_u64(&s, seg->payload_len);
	sb_str(&s, ",\"options\":");
	json_options(&s, &seg->opts);
	sb_str(&s, ",\"marks\":[");
	bool first = true;
	for (size_t i = 0; i < sizeof(all_marks) / sizeof(all_marks[0]); i++) {
		if (!(in->marks & all_marks[i]))
			continue;
		if (!first)
			sb_ch(&s, ',');
		sb_json_str(&s, tracker_mark_to_str(all_marks[i]));
		first = false;
	}
	sb_str(&s, "],\"dup_ack_count\":");
	sb_u64(&s, (in->marks & TRACKER_MARK_DUP_ACK) ? in->dup_ack_count : 0);
	sb_str(&s, ",\"truncated\":");
	sb_str(&s, seg->truncated ? "true" : "false");
	sb_str(&s, ",\"ip_len_clamped\":");
	sb_str(&s, seg->ip_len_clamped ? "true" : "false");
	/* The notes as text shows them; note_reason is the first one's key
	 * (ip_len_clamped says whether the clamp note is there). */
	const char *notes[2];
	int nnotes = seg_notes(seg, in, notes);
	const char *reason = in->note ? in->note_reason
			     : nnotes ? IP_LEN_NOTE_REASON : NULL;
	sb_str(&s, ",\"note\":");
	if (nnotes) {
		sb_ch(&s, '"');
		for (int i = 0; i < nnotes; i++) {
			if (i)
				sb_str(&s, "; ");
			sb_json_chars(&s, notes[i]);
		}
		sb_ch(&s, '"');
	} else {
		sb_str(&s, "null");
	}
	sb_str(&s, ",\"note_reason\":");
	if (reason)
		sb_json_str(&s, reason);
	else
		sb_str(&s, "null");
	if (in->syn_pkt) { /* this SYN-ACK took a SYN given to an older connection */
		sb_str(&s, ",\"syn_pkt\":");
		sb_u64(&s, in->syn_pkt);
		sb_str(&s, ",\"syn_conn\":");
		sb_u64(&s, in->syn_conn);
	}
	sb_ch(&s, '}');
	sb_end(o, &s);
}

void output_segment(struct output *o, const struct segment *seg,
		    const struct tracker_seginfo *info)
{
	if (o->cfg.summary)
		return;
	o->last_pkt = seg->pkt;
	if (o->cfg.format == OUTPUT_JSON)
		json_segment(o, seg, info);
	else
		text_segment(o, seg, info);
}

static const char *side(int e)
{
	return e == 0 ? "client" : e == 1 ? "server" : NULL;
}

/* "client", "server", or null for no endpoint (-1) */
static void sb_json_side(struct sb *s, int e)
{
	if (side(e))
		sb_json_str(s, side(e));
	else
		sb_str(s, "null");
}

/* "conn 1 192.0.2.3:49152 SYN_SENT -> ESTABLISHED (rcvd SYN-ACK)";
 * last_pkt: the frame of the newest segment printed. */
static void sb_state_text(struct sb *s, const struct tracker_event *ev,
			  uint64_t last_pkt)
{
	const struct tracker_state_change *c = &ev->u.state;
	int e = c->endpoint == 1 ? 1 : 0;

	sb_str(s, "conn ");
	sb_u64(s, ev->conn);
	sb_ch(s, ' ');
	sb_endpoint(s, ev->ip_version, ev->addr[e], ev->port[e]);
	sb_ch(s, ' ');
	sb_str(s, tcpstate_to_str(c->from));
	sb_str(s, " -> ");
	sb_str(s, tcpstate_to_str(c->to));
	sb_str(s, " (");
	/* The cause is one of the tracker's static strings, never wire text. */
	sb_str(s, c->cause ? c->cause : "");
	/* A transition the tracker could only decide from a later segment
	 * (docs/states.md: a SYN to an unknown endpoint, a FIN to an
	 * ESTABLISHED one) is printed after that segment; name the frame
	 * that caused it so the reader is not misled. */
	if (!c->by_timer && ev->pkt != last_pkt) {
		sb_str(s, " in frame ");
		sb_u64(s, ev->pkt);
	}
	sb_ch(s, ')');
}

void output_format_state(char *buf, size_t size, const struct tracker_event *ev,
			 uint64_t last_pkt)
{
	struct sb s;
	s.n = 0;
	sb_state_text(&s, ev, last_pkt);
	snprintf(buf, size, "%.*s", (int)s.n, s.b);
}

static void state_event(struct output *o, const struct tracker_event *ev)
{
	const struct tracker_state_change *c = &ev->u.state;
	int e = c->endpoint == 1 ? 1 : 0;
	struct sb s;

	s.n = 0;
	if (o->cfg.format == OUTPUT_TEXT) {
		sb_state_text(&s, ev, o->last_pkt);
	} else {
		sb_str(&s, "{\"type\":\"state\",\"pkt\":");
		sb_u64(&s, ev->pkt);
		sb_str(&s, ",\"ts\":");
		sb_json_ts(&s, ev->ts_ns);
		sb_str(&s, ",\"conn\":");
		sb_u64(&s, ev->conn);
		sb_str(&s, ",\"endpoint\":");
		sb_json_str(&s, side(e));
		sb_str(&s, ",\"addr\":");
		json_endpoint(&s, ev->ip_version, ev->addr[e], ev->port[e]);
		sb_str(&s, ",\"from\":");
		sb_json_str(&s, tcpstate_to_str(c->from));
		sb_str(&s, ",\"to\":");
		sb_json_str(&s, tcpstate_to_str(c->to));
		sb_str(&s, ",\"cause\":");
		sb_json_str(&s, c->cause ? c->cause : "");
		sb_str(&s, ",\"reason\":");
		sb_json_str(&s, c->reason ? c->reason : "");
		sb_str(&s, ",\"timer\":");
		sb_str(&s, c->by_timer ? "true}" : "false}");
	}
	sb_end(o, &s);
}

/* How a connection ended, in a few words, for the summary. */
static const char *ending(const struct tracker_conn_summary *c)
{
	bool closed0 = c->final_state[0] == TCPSTATE_CLOSED ||
		       c->final_state[0] == TCPSTATE_TIME_WAIT;
	bool closed1 = c->final_state[1] == TCPSTATE_CLOSED ||
		       c->final_state[1] == TCPSTATE_TIME_WAIT;

	if (c->superseded)
		return "superseded by a new handshake";
	if (c->reset_by >= 0) {
		if (!c->handshake && c->syn[0] && c->reset_by == 1 && !c->synack[1])
			return "refused (SYN answered by RST)";
		return c->reset_by == 0 ? "reset by client" : "reset by server";
	}
	if (c->closed_by >= 0) {
		if (closed0 && closed1)
			return c->closed_by == 0 ? "closed by client" : "closed by server";
		return c->closed_by == 0 ? "closing, started by client"
					 : "closing, started by server";
	}
	if (c->syn[0] && !c->synack[1] && !c->handshake)
		return "SYN unanswered";
	return "open at end of capture";
}

/* Inlined: the key is then a literal, its length a constant. */
static inline __attribute__((always_inline)) void
sb_pair(struct sb *s, const char *key, const uint64_t v[2], bool text)
{
	if (text) {
		sb_str(s, key);
		sb_ch(s, ' ');
		sb_u64(s, v[0]);
		sb_ch(s, '/');
		sb_u64(s, v[1]);
		return;
	}
	sb_key(s, key, false);
	sb_str(s, "{\"client\":");
	sb_u64(s, v[0]);
	sb_str(s, ",\"server\":");
	sb_u64(s, v[1]);
	sb_ch(s, '}');
}

/* One line per connection: --summary prints one for every connection, so
 * this is built with the sb_* helpers too (no printf). */
static void conn_event(struct output *o, const struct tracker_event *ev)
{
	const struct tracker_conn_summary *c = &ev->u.conn_summary;
	struct sb s;
	bool text = o->cfg.format == OUTPUT_TEXT;

	s.n = 0;
	if (text) {
		sb_str(&s, "conn ");
		sb_u64(&s, ev->conn);
		sb_ch(&s, ' ');
		sb_endpoint(&s, ev->ip_version, ev->addr[0], ev->port[0]);
		sb_str(&s, " > ");
		sb_endpoint(&s, ev->ip_version, ev->addr[1], ev->port[1]);
		sb_str(&s, ": client ");
		sb_str(&s, tcpstate_to_str(c->final_state[0]));
		sb_str(&s, ", server ");
		sb_str(&s, tcpstate_to_str(c->final_state[1]));
		sb_str(&s, "; ");
		sb_pair(&s, "syn", c->syn, true);
		sb_str(&s, ", ");
		sb_pair(&s, "synack", c->synack, true);
		sb_str(&s, ", ");
		sb_pair(&s, "fin", c->fin, true);
		sb_str(&s, ", ");
		sb_pair(&s, "rst", c->rst, true);
		sb_str(&s, ", ");
		sb_pair(&s, "bytes", c->bytes, true);
		sb_str(&s, ", ");
		sb_pair(&s, "retrans", c->retransmissions, true);
		sb_str(&s, "; ");
		sb_str(&s, c->handshake ? "handshake seen" : "no handshake");
		if (c->mid_stream)
			sb_str(&s, ", joined mid-stream");
		sb_str(&s, "; ");
		sb_str(&s, ending(c));
		sb_str(&s, "; frames ");
		sb_u64(&s, c->first_pkt);
		sb_ch(&s, '-');
		sb_u64(&s, c->last_pkt);
		sb_end(o, &s);
		return;
	}
	sb_str(&s, "{\"type\":\"conn\",\"conn\":");
	sb_u64(&s, ev->conn);
	sb_str(&s, ",\"client\":");
	json_endpoint(&s, ev->ip_version, ev->addr[0], ev->port[0]);
	sb_str(&s, ",\"server\":");
	json_endpoint(&s, ev->ip_version, ev->addr[1], ev->port[1]);
	sb_pair(&s, "syn", c->syn, false);
	sb_pair(&s, "synack", c->synack, false);
	sb_pair(&s, "fin", c->fin, false);
	sb_pair(&s, "rst", c->rst, false);
	sb_pair(&s, "bytes", c->bytes, false);
	sb_pair(&s, "retransmissions", c->retransmissions, false);
	sb_str(&s, ",\"handshake\":");
	sb_str(&s, c->handshake ? "true" : "false");
	sb_str(&s, ",\"closed_by\":");
	sb_json_side(&s, c->closed_by);
	sb_str(&s, ",\"reset_by\":");
	sb_json_side(&s, c->reset_by);
	sb_str(&s, ",\"mid_stream\":");
	sb_str(&s, c->mid_stream ? "true" : "false");
	sb_str(&s, ",\"client_state\":");
	sb_json_str(&s, tcpstate_to_str(c->final_state[0]));
	sb_str(&s, ",\"server_state\":");
	sb_json_str(&s, tcpstate_to_str(c->final_state[1]));
	sb_str(&s, ",\"first_pkt\":");
	sb_u64(&s, c->first_pkt);
	sb_str(&s, ",\"last_pkt\":");
	sb_u64(&s, c->last_pkt);
	sb_str(&s, ",\"ended\":");
	sb_json_str(&s, ending(c));
	sb_ch(&s, '}');
	sb_end(o, &s);
}

void output_event(struct output *o, const struct tracker_event *ev)
{
	if (ev->type == TRACKER_EV_CONN) {
		/* Text shows summaries only with --summary; JSON always has them. */
		if (o->cfg.summary || o->cfg.format == OUTPUT_JSON)
			conn_event(o, ev);
	} else if (!o->cfg.summary) {
		state_event(o, ev);
	}
}

void output_frame_note(struct output *o, uint64_t pkt, int64_t ts_ns,
		       enum decode_result r, const struct segment *seg,
		       const struct decode_detail *d)
{
	struct sb s;

	if (o->cfg.summary || o->cfg.format != OUTPUT_TEXT)
		return;
	/* A frame of a link type not decoded is noted too: in a pcapng file
	 * of several interfaces, the others' frames still are. */
	if (r != DECODE_MALFORMED && r != DECODE_TRUNCATED && r != DECODE_ICMP_ERROR &&
	    r != DECODE_UNSUPPORTED_LINK)
		return;
	s.n = 0;
	sb_time(&s, ts_ns);
	sb_ch(&s, ' ');
	if (d->have_addrs && d->have_ports && r != DECODE_ICMP_ERROR) {
		sb_tcpdump_endpoint(&s, seg->ip_version, seg->src, seg->sport);
		sb_str(&s, " > ");
		sb_tcpdump_endpoint(&s, seg->ip_version, seg->dst, seg->dport);
		sb_str(&s, ": ");
	} else if (d->have_addrs) {
		sb_ip(&s, seg->ip_version, seg->src);
		sb_str(&s, " > ");
		sb_ip(&s, seg->ip_version, seg->dst);
		sb_str(&s, ": ");
	}
	if (r == DECODE_TRUNCATED)
		sb_str(&s, "[|tcp] ");
	sb_ch(&s, '[');
	sb_str(&s, "frame ");
	sb_u64(&s, pkt);
	sb_str(&s, ": ");
	sb_str(&s, d->why);
	if (r == DECODE_ICMP_ERROR)
		sb_str(&s, "; a quoted TCP header is not a segment");
	sb_ch(&s, ']');
	sb_end(o, &s);
}
