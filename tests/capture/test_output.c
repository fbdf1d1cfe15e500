/* Output formatting without a capture: hand-made segments and events into
 * a memory stream, checked line by line. */
#include <arpa/inet.h>

#include "check.h"
#include "output.h"

static char mem[8192];

static FILE *open_mem(void)
{
	memset(mem, 0, sizeof(mem));
	return fmemopen(mem, sizeof(mem), "w");
}

static struct segment seg4(void)
{
	struct segment s;
	memset(&s, 0, sizeof(s));
	s.pkt = 7;
	s.ts_ns = 1767268800LL * 1000000000LL + 3723456789000LL; /* 13:02:03.000456 */
	s.ip_version = 4;
	s.src[0] = 192, s.src[2] = 2, s.src[3] = 3;
	s.dst[0] = 192, s.dst[2] = 2, s.dst[3] = 2;
	s.sport = 49152;
	s.dport = 8888;
	s.seq = 1000;
	s.ack = 5000;
	s.win = 100;
	return s;
}

static void test_text_flags_none_urg_and_sack_relative(void)
{
	FILE *f = open_mem();
	struct output_config c = { .format = OUTPUT_TEXT };
	struct output *o = output_create(f, &c);
	struct segment s = seg4();
	struct tracker_seginfo in = { .conn = 1, .rel_seq = 0, .rel_ack = 0 };

	output_segment(o, &s, &in); /* no flags at all */
	s.flags = TCPF_URG | TCPF_ACK | TCPF_PSH | TCPF_ECE | TCPF_CWR | TCPF_FIN;
	s.urp = 5;
	s.payload_len = 10;
	s.opts.nsack = 1;
	s.opts.sack[0].left = 5100; /* the peer's ISN is 5000 - 1 */
	s.opts.sack[0].right = 5200;
	s.opts.nother = 1;
	s.opts.other[0] = 30;
	s.opts.malformed = true;
	in.rel_seq = 1;
	in.rel_ack = 1;
	in.marks = TRACKER_MARK_DUP_ACK | TRACKER_MARK_RETRANSMISSION;
	in.dup_ack_count = 3;
	s.truncated = true;
	output_segment(o, &s, &in);
	fclose(f);
	output_destroy(o);
	CHECK_STR_EQ(mem,
		     "13:02:03.456789 192.0.2.3.49152 > 192.0.2.2.8888: Flags [none], win 100, length 0\n"
		     "13:02:03.456789 192.0.2.3.49152 > 192.0.2.2.8888: Flags [FP.UEW], seq 1:11, "
		     "ack 1, win 100, urg 5, options [sack 1 {101:201},opt-30,bad opts], length 10 "
		     "[retransmission] [dup-ack #3] [truncated]\n");
}

static void test_json_escapes_and_ipv6_endpoints(void)
{
	FILE *f = open_mem();
	struct output_config c = { .format = OUTPUT_JSON };
	struct output *o = output_create(f, &c);
	struct segment s = seg4();
	struct tracker_seginfo in = { .conn = 2, .rel_seq = 1, .rel_ack = 1 };

	s.ip_version = 6;
	memset(s.src, 0, 16);
	memset(s.dst, 0, 16);
	s.src[0] = 0x20, s.src[1] = 0x01, s.src[2] = 0x0d, s.src[3] = 0xb8, s.src[15] = 1;
	s.dst[15] = 1; /* ::1 */
	s.flags = TCPF_RST;
	in.marks = TRACKER_MARK_RST_IGNORED;
	in.note = "say \"why\"\\\n\x01";
	in.note_reason = "rst_out_of_window";
	output_segment(o, &s, &in);
	fclose(f);
	output_destroy(o);
	CHECK_STR_EQ(mem,
		     "{\"type\":\"segment\",\"pkt\":7,\"ts\":1767272523.456789,\"conn\":2,"
		     "\"src\":\"[2001:db8::1]:49152\",\"dst\":\"[::1]:8888\",\"flags\":\"R\","
		     "\"seq\":1,\"ack\":1,\"seq_abs\":1000,\"ack_abs\":5000,\"win\":100,\"len\":0,"
		     "\"options\":{},\"marks\":[\"rst-ignored\"],\"dup_ack_count\":0,"
		     "\"truncated\":false,\"ip_len_clamped\":false,\"note\":\"say \\\"why\\\"\\\\\\u000a\\u0001\","
		     "\"note_reason\":\"rst_out_of_window\"}\n");
}

/* A clamped IP length (docs/decode.md): a note of its own, and after the
 * tracker's note joined by "; ", the same in both formats; in JSON
 * note_reason is the first note's key. */
static void test_ip_length_clamped_note(void)
{
	FILE *f = open_mem();
	struct output_config c = { .format = OUTPUT_TEXT };
	struct output *o = output_create(f, &c);
	struct segment s = seg4();
	struct tracker_seginfo in = { .conn = 1, .rel_seq = 1, .rel_ack = 1 };

	s.flags = TCPF_ACK;
	s.payload_len = 3;
	s.ip_len_clamped = true;
	output_segment(o, &s, &in);
	s.flags = TCPF_RST;
	s.payload_len = 0;
	s.ip_version = 6;
	memset(s.src, 0, 16);
	memset(s.dst, 0, 16);
	s.src[15] = 1;
	s.dst[15] = 2;
	in.marks = TRACKER_MARK_RST_IGNORED;
	in.note = "out of window";
	in.note_reason = "rst_out_of_window";
	output_segment(o, &s, &in);
	fclose(f);
	output_destroy(o);
	CHECK_STR_EQ(mem,
		     "13:02:03.456789 192.0.2.3.49152 > 192.0.2.2.8888: Flags [.], seq 1:4, ack 1, "
		     "win 100, length 3 -- IPv4 total length larger than the frame; length taken from the frame\n"
		     "13:02:03.456789 ::1.49152 > ::2.8888: Flags [R], seq 1, win 100, length 0 "
		     "[rst-ignored] -- out of window; IPv6 payload length larger than the frame; "
		     "length taken from the frame\n");

	f = open_mem();
	c.format = OUTPUT_JSON;
	o = output_create(f, &c);
	s = seg4();
	s.flags = TCPF_ACK;
	s.ip_len_clamped = true;
	in.marks = 0;
	in.note = NULL;
	in.note_reason = NULL;
	output_segment(o, &s, &in);
	in.marks = TRACKER_MARK_RST_IGNORED;
	in.note = "out of window";
	in.note_reason = "rst_out_of_window";
	output_segment(o, &s, &in);
	fclose(f);
	output_destroy(o);
	CHECK(strstr(mem, "\"truncated\":false,\"ip_len_clamped\":true,"
		     "\"note\":\"IPv4 total length larger than the frame; length taken from the frame\","
		     "\"note_reason\":\"ip_length_exceeds_frame\"}\n") != NULL);
	CHECK(strstr(mem, "\"ip_len_clamped\":true,\"note\":\"out of window; IPv4 total length "
		     "larger than the frame; length taken from the frame\","
		     "\"note_reason\":\"rst_out_of_window\"}\n") != NULL);
}

static void test_summary_mode_prints_only_connections(void)
{
	FILE *f = open_mem();
	struct output_config c = { .format = OUTPUT_TEXT, .summary = true };
	struct output *o = output_create(f, &c);
	struct segment s = seg4();
	struct tracker_seginfo in = { .conn = 1 };
	struct tracker_event ev;

	output_segment(o, &s, &in);
	memset(&ev, 0, sizeof(ev));
	ev.type = TRACKER_EV_STATE;
	ev.conn = 1;
	ev.ip_version = 4;
	ev.u.state.from = TCPSTATE_CLOSED;
	ev.u.state.to = TCPSTATE_SYN_SENT;
	ev.u.state.cause = "sent SYN";
	output_event(o, &ev);
	ev.type = TRACKER_EV_CONN;
	ev.addr[0][0] = 10, ev.addr[0][3] = 1;
	ev.addr[1][0] = 10, ev.addr[1][3] = 2;
	ev.port[0] = 1;
	ev.port[1] = 2;
	ev.u.conn_summary.closed_by = -1;
	ev.u.conn_summary.reset_by = -1;
	ev.u.conn_summary.syn[0] = 2;
	ev.u.conn_summary.retransmissions[0] = 1;
	ev.u.conn_summary.final_state[0] = TCPSTATE_SYN_SENT;
	ev.u.conn_summary.first_pkt = 1;
	ev.u.conn_summary.last_pkt = 9;
	output_event(o, &ev);
	fclose(f);
	output_destroy(o);
	CHECK_STR_EQ(mem,
		     "conn 1 10.0.0.1:1 > 10.0.0.2:2: client SYN_SENT, server CLOSED; syn 2/0, "
		     "synack 0/0, fin 0/0, rst 0/0, bytes 0/0, retrans 1/0; no handshake; "
		     "SYN unanswered; frames 1-9\n");
}

/* Numbers of every length, to the largest a uint64_t holds, printed as
 * printf("%llu") would. */
static void test_numbers_of_every_length(void)
{
	/* 0, then 10^k - 1 and 10^k for k = 1..19 (every length from 1 to
	 * 20 digits, both ends), the 32-bit edge and 2^64 - 1 */
	uint64_t v[44];
	size_t nv = 0;
	v[nv++] = 0;
	for (uint64_t p = 10, k = 1; k <= 19; k++, p *= 10) {
		v[nv++] = p - 1;
		v[nv++] = p;
	}
	v[nv++] = 4294967295ULL;
	v[nv++] = 4294967296ULL;
	v[nv++] = 18446744073709551615ULL;
	for (size_t i = 0; i < nv; i++) {
		FILE *f = open_mem();
		struct output_config c = { .format = OUTPUT_TEXT, .summary = true };
		struct output *o = output_create(f, &c);
		struct tracker_event ev;
		char want[512];

		memset(&ev, 0, sizeof(ev));
		ev.type = TRACKER_EV_CONN;
		ev.conn = v[i];
		ev.ip_version = 4;
		ev.u.conn_summary.closed_by = -1;
		ev.u.conn_summary.reset_by = -1;
		ev.u.conn_summary.bytes[0] = v[i];
		ev.u.conn_summary.bytes[1] = v[nv - 1 - i];
		ev.u.conn_summary.first_pkt = v[i];
		ev.u.conn_summary.last_pkt = v[i];
		output_event(o, &ev);
		fclose(f);
		output_destroy(o);
		snprintf(want, sizeof(want),
			 "conn %llu 0.0.0.0:0 > 0.0.0.0:0: client CLOSED, server CLOSED; "
			 "syn 0/0, synack 0/0, fin 0/0, rst 0/0, bytes %llu/%llu, retrans 0/0; "
			 "no handshake; open at end of capture; frames %llu-%llu\n",
			 (unsigned long long)v[i], (unsigned long long)v[i],
			 (unsigned long long)v[nv - 1 - i],
			 (unsigned long long)v[i], (unsigned long long)v[i]);
		CHECK_STR_EQ(mem, want);
	}
}

static void test_frame_notes_only_in_text(void)
{
	FILE *f = open_mem();
	struct output_config c = { .format = OUTPUT_TEXT };
	struct output *o = output_create(f, &c);
	struct segment s = seg4();
	struct decode_detail d = { .why = "TCP header cut by the snap length",
				   .have_addrs = true, .have_ports = true };
	output_frame_note(o, 3, s.ts_ns, DECODE_TRUNCATED, &s, &d);
	output_frame_note(o, 4, s.ts_ns, DECODE_NOT_TCP, &s, &d); /* silent */
	d.have_ports = false;
	d.why = "ICMP error quoting a packet";
	output_frame_note(o, 5, s.ts_ns, DECODE_ICMP_ERROR, &s, &d);
	fclose(f);
	output_destroy(o);
	CHECK_STR_EQ(mem,
		     "13:02:03.456789 192.0.2.3.49152 > 192.0.2.2.8888: [|tcp] [frame 3: TCP header "
		     "cut by the snap length]\n"
		     "13:02:03.456789 192.0.2.3 > 192.0.2.2: [frame 5: ICMP error quoting a packet; "
		     "a quoted TCP header is not a segment]\n");
}

static void test_endpoint_format_never_overruns(void)
{
	char small[8];
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	output_format_endpoint(small, sizeof(small), 6, a, 65535);
	CHECK_STR_EQ(small, "[2001:d");
	char big[80];
	output_format_endpoint(big, sizeof(big), 6, a, 65535);
	CHECK_STR_EQ(big, "[2001:db8:102:304:506:708:90a:b0c]:65535");
}

/* The addresses are formatted without inet_ntop (it is slow): the text
 * must still be exactly inet_ntop's, for IPv6 zero runs of every length and
 * place, ties, and the IPv4-embedding forms. */
static void test_addresses_match_inet_ntop(void)
{
	static const uint16_t pick[] = { 0, 0, 0, 0xffff, 1, 0x10, 0xabc, 0x2001 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int bad = 0;

	for (int n = 0; n < 200000; n++) {
		uint8_t a[16];
		char want[INET6_ADDRSTRLEN + 16], got[80], ip[INET6_ADDRSTRLEN];
		for (int g = 0; g < 8; g++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
			uint16_t v = (x >> 8) & 1 ? (uint16_t)(x >> 16) : pick[x >> 61];
			if (n < 256) /* every pattern of zero and non-zero groups */
				v = (n >> g) & 1 ? (uint16_t)(x >> 16 | 1) : 0;
			a[2 * g] = (uint8_t)(v >> 8);
			a[2 * g + 1] = (uint8_t)v;
		}
		if (n % 7 == 0) { /* ::ffff:a.b.c.d and ::a.b.c.d */
			memset(a, 0, 10);
			a[10] = a[11] = (n % 14 == 0) ? 0xff : 0;
		}
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
		snprintf(want, sizeof(want), "[%s]:%u", ip, (unsigned)(n & 0xffff));
		output_format_endpoint(got, sizeof(got), 6, a, (uint16_t)(n & 0xffff));
		if (strcmp(got, want) != 0 && bad++ < 5)
			CHECK_STR_EQ(got, want);
		inet_ntop(AF_INET, a, ip, sizeof(ip));
		snprintf(want, sizeof(want), "%s:%u", ip, (unsigned)(n & 0xffff));
		output_format_endpoint(got, sizeof(got), 4, a, (uint16_t)(n & 0xffff));
		if (strcmp(got, want) != 0 && bad++ < 5)
			CHECK_STR_EQ(got, want);
	}
	CHECK_INT_EQ(bad, 0);
}

int main(void)
{
	RUN(test_text_flags_none_urg_and_sack_relative);
	RUN(test_json_escapes_and_ipv6_endpoints);
	RUN(test_ip_length_clamped_note);
	RUN(test_summary_mode_prints_only_connections);
	RUN(test_numbers_of_every_length);
	RUN(test_frame_notes_only_in_text);
	RUN(test_endpoint_format_never_overruns);
	RUN(test_addresses_match_inet_ntop);
	CHECK_EXIT();
}
