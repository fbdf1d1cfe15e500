/* Writes the test captures, deterministically (fixed addresses, ISNs and
 * times), into a directory: gen_captures OUTDIR [SEEDDIR]. Each scenario is
 * a TCP conversation written segment by segment, so the golden outputs and
 * the tshark comparison have known ground truth. With SEEDDIR it also
 * writes fuzz seeds (tests/fuzz/README.md describes their format). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode.h"
#include "framebuild.h"

/* 2026-01-01 12:00:00 UTC */
#define T0_NS (1767268800LL * 1000000000LL)

struct out {
	struct fb_pcap p;
	int lt;            /* link type to build */
	int ntags;         /* Ethernet VLAN tags */
	uint16_t tpid[2];
	const uint8_t *ext; /* IPv6 extension headers on every packet */
	size_t extlen;
	FILE *seed;        /* fuzz seed instead of a pcap */
	int lie;           /* added to each TCP packet's IP length field */
	int tunnel;        /* 4 or 6: each packet inside an outer IPv4 / IPv6 */
	int gre;           /* with tunnel: 1 GRE with a key, 2 GRE Ethernet */
	/* A pcapng file of several interfaces: frame i goes where route[i]
	 * says, in the link type of its interface. */
	struct fb_ng *ng;
	const struct ng_if *ifs;
	const struct ng_route *route;
	size_t iroute;
	int64_t t_shift;   /* ns added to every time stamp */
};

/* An interface of such a file: the link type to build (DLT) and the
 * file's number for it, snap length, if_tsresol (-1: none) and
 * if_tsoffset (seconds). */
struct ng_if {
	int dlt, file_lt;
	uint32_t snaplen;
	int tsresol;
	int64_t offset_s;
};

/* Where one frame goes: 'e' enhanced, 'o' obsolete, 's' simple packet
 * block, on interface ifid; before it, what: 0 nothing, 'u' a frame on
 * interface 3 (a link type tcpstep does not decode), 'b' blocks the
 * reader skips, 'i' interfaces 2 and 3 (described mid-section). */
struct ng_route {
	char block;
	uint32_t ifid;
	char before;
};

static const char *outdir;
static char pathbuf[4096];

static const char *path(const char *name)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", outdir, name);
	return pathbuf;
}

static void die(const char *what)
{
	fprintf(stderr, "gen_captures: %s\n", what);
	exit(1);
}

static void open_out(struct out *o, const char *name, int lt, int file_lt,
		     uint32_t snaplen, bool ng)
{
	memset(o, 0, sizeof(*o));
	o->lt = lt;
	if (!fb_pcap_open(&o->p, path(name), file_lt, snaplen, ng))
		die(name);
}

static void close_out(struct out *o)
{
	if (o->seed) {
		fclose(o->seed);
		o->seed = NULL;
		return;
	}
	if (!fb_pcap_close(&o->p))
		die("write failed");
}

/* ns since the epoch in an interface's units (if_tsresol), less its
 * offset. */
static uint64_t ng_units(const struct ng_if *i, int64_t ts)
{
	uint64_t ns = (uint64_t)(ts - i->offset_s * 1000000000LL);
	if (i->tsresol < 0)
		return ns / 1000;
	int e = i->tsresol & 0x7f;
	if (i->tsresol & 0x80)
		return (ns / 1000000000u << e) + ((ns % 1000000000u) << e) / 1000000000u;
	uint64_t d = 1;
	for (int k = e; k < 9; k++)
		d *= 10;
	return ns / d;
}

static void ng_put(struct out *o, int64_t ts, const uint8_t *fr, size_t n)
{
	const struct ng_route *r = &o->route[o->iroute++];
	if (r->before == 'i') {
		for (int k = 2; k < 4; k++)
			fb_ng_interface(o->ng, o->ifs[k].file_lt, o->ifs[k].snaplen,
					o->ifs[k].tsresol, o->ifs[k].offset_s);
	} else if (r->before == 'u') {
		static const uint8_t junk[24] = "not a frame tcpstep rea";
		fb_ng_packet(o->ng, false, 3, ng_units(&o->ifs[3], ts - 50000), junk,
			     sizeof(junk), sizeof(junk));
	} else if (r->before == 'b') {
		/* a name resolution block (an IPv4 record, the end record), an
		 * interface statistics block and a custom block */
		static const uint8_t nrb_le[16] = { 1, 0, 8, 0, 192, 0, 2, 2, 's', 'r', 'v', 0 };
		static const uint8_t nrb_be[16] = { 0, 1, 0, 8, 192, 0, 2, 2, 's', 'r', 'v', 0 };
		const uint8_t *nrb = o->ng->be ? nrb_be : nrb_le;
		static const uint8_t isb[16] = { 0 };
		static const uint8_t cb[8] = { 0, 0, 0x7e, 0x57, 'x', 'y', 'z', 0 };
		fb_ng_block(o->ng, 4, nrb, 16);
		fb_ng_block(o->ng, 5, isb, sizeof(isb));
		fb_ng_block(o->ng, 0x00000BAD, cb, sizeof(cb));
	}
	if (r->block == 's')
		fb_ng_simple(o->ng, fr, n);
	else
		fb_ng_packet(o->ng, r->block == 'o', r->ifid, ng_units(&o->ifs[r->ifid], ts),
			     fr, n, n);
}

static void put_frame(struct out *o, int64_t ts, const uint8_t *fr, size_t n)
{
	ts += o->t_shift;
	if (o->ng) {
		ng_put(o, ts, fr, n);
		return;
	}
	if (o->seed) {
		uint8_t l[2] = { (uint8_t)(n >> 8), (uint8_t)n };
		fwrite(l, 1, 2, o->seed);
		fwrite(fr, 1, n, o->seed);
		return;
	}
	fb_pcap_write(&o->p, ts, fr, n);
}

/* Wraps an IP packet for o's link and writes it. */
static void put_ip(struct out *o, int64_t ts, const uint8_t *ip, size_t n)
{
	uint8_t fr[2000], outer[2000], gre[2000];
	if (o->tunnel) {
		/* RFC 2003 / RFC 4213 / RFC 2473: protocol 4 for IPv4 inside,
		 * 41 for IPv6, between two tunnel endpoints */
		uint8_t a[16], b[16], proto = ip[0] >> 4 == 6 ? 41 : 4;
		if (o->gre) {
			/* RFC 2784/2890: flags (key present), protocol type,
			 * key; or transparent Ethernet bridging (0x6558) */
			struct fb f;
			uint16_t et = ip[0] >> 4 == 6 ? 0x86dd : 0x0800;
			fb_init(&f, gre, sizeof(gre));
			if (o->gre == 1) {
				fb_be16(&f, 0x2000);
				fb_be16(&f, et);
				fb_be32(&f, 0x00001234);
			} else {
				static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 3 };
				fb_be16(&f, 0);
				fb_be16(&f, 0x6558);
				fb_bytes(&f, macs, sizeof(macs));
				fb_be16(&f, et);
			}
			fb_bytes(&f, ip, n);
			if (f.overflow)
				die("GRE packet too big");
			ip = gre;
			n = f.n;
			proto = 47;
		}
		if (o->tunnel == 4) {
			fb_addr4(a, 198, 51, 100, 1);
			fb_addr4(b, 203, 0, 113, 1);
			n = fb_ipv4(outer, sizeof(outer), a, b, proto, 0, ip, n);
		} else {
			fb_addr6(a, "2001:db8:ffff::1");
			fb_addr6(b, "2001:db8:eeee::1");
			n = fb_ipv6(outer, sizeof(outer), a, b, proto, NULL, 0, ip, n);
		}
		ip = outer;
	}
	int lt = o->ng ? o->ifs[o->route[o->iroute].block == 's' ? 0
				: o->route[o->iroute].ifid].dlt : o->lt;
	size_t fn = o->ntags ? fb_eth_vlan(fr, sizeof(fr), o->tpid, o->ntags, ip, n)
			     : fb_link(fr, sizeof(fr), lt, ip, n);
	if (!fn)
		die("frame too big");
	put_frame(o, ts, fr, fn);
}

struct conv {
	struct out *o;
	int ipv;
	uint8_t a[2][16];
	uint16_t port[2];
	uint32_t isn[2];
	int64_t t; /* ns */
};

static void conv_init(struct conv *c, struct out *o, int ipv, uint16_t cport,
		      uint32_t cisn, uint32_t sisn)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->ipv = ipv;
	if (ipv == 4) {
		fb_addr4(c->a[0], 192, 0, 2, 3);
		fb_addr4(c->a[1], 192, 0, 2, 2);
	} else {
		fb_addr6(c->a[0], "2001:db8::3");
		fb_addr6(c->a[1], "2001:db8::2");
	}
	c->port[0] = cport;
	c->port[1] = 8888;
	c->isn[0] = cisn;
	c->isn[1] = sisn;
	c->t = T0_NS;
}

enum { C = 0, S = 1 };
enum { F = TCPF_FIN, SY = TCPF_SYN, R = TCPF_RST, P = TCPF_PSH, A = TCPF_ACK };

static const uint8_t opt_lwip[] = { 2, 4, 0x05, 0xb4 };
static const uint8_t opt_linux_syn[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0, 1, 3, 3, 7,
};

/* One segment from dir after dt_us; rseq/rack relative to the ISNs. */
static void seg(struct conv *c, int dir, int64_t dt_us, uint8_t flags, uint32_t rseq,
		uint32_t rack, const char *data, uint16_t win, const uint8_t *opts,
		size_t optlen)
{
	struct fb_seg s;
	uint8_t l4[1600], ip[2000];
	size_t n;

	memset(&s, 0, sizeof(s));
	s.ipv = c->ipv;
	memcpy(s.src, c->a[dir], 16);
	memcpy(s.dst, c->a[!dir], 16);
	s.sport = c->port[dir];
	s.dport = c->port[!dir];
	s.seq = c->isn[dir] + rseq;
	s.ack = (flags & A) ? c->isn[!dir] + rack : 0;
	s.flags = flags;
	s.win = win;
	s.opts = opts;
	s.optlen = optlen;
	s.data = data;
	s.len = data ? strlen(data) : 0;
	c->t += dt_us * 1000;
	if (c->ipv == 6 && c->o->extlen) {
		n = fb_tcp(l4, sizeof(l4), &s);
		uint8_t ext[64];
		memcpy(ext, c->o->ext, c->o->extlen);
		/* the last extension header's next header is TCP */
		n = fb_ipv6(ip, sizeof(ip), s.src, s.dst, 0, ext, c->o->extlen, l4, n);
	} else {
		n = fb_ip_tcp(ip, sizeof(ip), &s);
	}
	if (!n)
		die("segment too big");
	if (c->o->lie)
		fb_ip_lie_length(ip, n, c->o->lie);
	put_ip(c->o, c->t, ip, n);
}

#define REQ "Hello, 192.0.2.2:8888\n"   /* 22 bytes */
#define REP "Hello, 192.0.2.3:49152\n"  /* 23 bytes */

/* The article's exchange between two lwIP nodes: the client connects and
 * sends its greeting, the server answers a second later and closes first
 * (so the server ends in TIME_WAIT). */
/* Its start: the handshake, the greeting and the server's ACK of it. */
static void hello_start(struct conv *c, struct out *o, int ipv)
{
	conv_init(c, o, ipv, 49152, 6510, 6509);
	seg(c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);
	seg(c, C, 100, P | A, 1, 1, REQ, 2920, NULL, 0);
	seg(c, S, 250000, A, 1, 23, NULL, 2898, NULL, 0);
}

static void hello(struct out *o, int ipv)
{
	struct conv c;
	hello_start(&c, o, ipv);
	seg(&c, S, 750000, P | A, 1, 23, REP, 2898, NULL, 0);
	seg(&c, S, 100, F | A, 24, 23, NULL, 2898, NULL, 0);
	seg(&c, C, 100, A, 23, 25, NULL, 2897, NULL, 0);
	seg(&c, C, 100, F | A, 23, 25, NULL, 2897, NULL, 0);
	seg(&c, S, 100, A, 25, 24, NULL, 2898, NULL, 0);
}

static void write_hello(const char *name, int lt, int file_lt, int ipv)
{
	struct out o;
	open_out(&o, name, lt, file_lt, 65535, false);
	hello(&o, ipv);
	close_out(&o);
}

/* The article's ending captured out of order, as a capture on br0 can
 * (docs/states.md, "A FIN whose ACK was captured first"): the server's
 * last ACK before the client's FIN it acknowledges. */
static void reordered(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "reordered.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	hello_start(&c, &o, 4);
	seg(&c, S, 750000, F | P | A, 1, 23, REP, 2898, NULL, 0);
	seg(&c, S, 100, A, 25, 24, NULL, 2898, NULL, 0);
	seg(&c, C, 5, F | A, 23, 25, NULL, 2897, NULL, 0);
	close_out(&o);
}

/* Half-close: the client (a kernel) sends its request and shuts down its
 * write side; the server keeps sending, then closes. */
static void halfclose(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "halfclose.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 40000, 3000000000u, 17);
	seg(&c, C, 100, SY, 0, 0, NULL, 64240, opt_linux_syn, sizeof(opt_linux_syn));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 502, NULL, 0);
	seg(&c, C, 100, P | A, 1, 1, REQ, 502, NULL, 0);
	seg(&c, C, 100, F | A, 23, 1, NULL, 502, NULL, 0);
	seg(&c, S, 100, A, 1, 24, NULL, 2897, NULL, 0);
	seg(&c, S, 1000, P | A, 1, 24, "part one\n", 2897, NULL, 0);
	seg(&c, C, 100, A, 24, 10, NULL, 502, NULL, 0);
	seg(&c, S, 1000, P | A, 10, 24, "part two\n", 2897, NULL, 0);
	seg(&c, C, 100, A, 24, 19, NULL, 502, NULL, 0);
	seg(&c, S, 100, F | A, 19, 24, NULL, 2897, NULL, 0);
	seg(&c, C, 100, A, 24, 20, NULL, 502, NULL, 0);
	close_out(&o);
}

/* Abort: after the exchange the client resets (SO_LINGER 0). */
static void abortive(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "abort.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 49153, 100, 200);
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);
	seg(&c, C, 100, P | A, 1, 1, REQ, 2920, NULL, 0);
	seg(&c, S, 100, A, 1, 23, NULL, 2898, NULL, 0);
	seg(&c, C, 100, R | A, 23, 1, NULL, 0, NULL, 0);
	close_out(&o);
}

/* Refused: nobody listens, the SYN is answered by RST-ACK; the client
 * tries again from the same port (a new connection on a CLOSED tuple). */
static void refused(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "refused.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 49154, 5000, 0);
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	c.isn[1] = 0;
	seg(&c, S, 100, R | A, 0, 1, NULL, 0, NULL, 0);
	c.isn[0] = 9000;
	seg(&c, C, 1000000, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, R | A, 0, 1, NULL, 0, NULL, 0);
	close_out(&o);
}

/* Simultaneous close: both FINs cross; both endpoints go through
 * CLOSING into TIME_WAIT (RFC 9293 section 3.6, case 3). */
static void simclose(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "simclose.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 49155, 1000, 2000);
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);
	seg(&c, C, 100, F | A, 1, 1, NULL, 2920, NULL, 0);
	seg(&c, S, 1, F | A, 1, 1, NULL, 2920, NULL, 0);
	seg(&c, C, 100, A, 2, 2, NULL, 2920, NULL, 0);
	seg(&c, S, 1, A, 2, 2, NULL, 2920, NULL, 0);
	close_out(&o);
}

/* Simultaneous open: both send SYN, both answer SYN-ACK (RFC 9293
 * section 3.5, figure 7). */
static void simopen(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "simopen.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 7000, 100, 300);
	c.port[1] = 7001;
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 1, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 1, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, P | A, 1, 1, "x", 2920, NULL, 0);
	seg(&c, S, 100, A, 1, 2, NULL, 2920, NULL, 0);
	close_out(&o);
}

/* Loss and recovery: a lost segment (not captured), duplicate ACKs with
 * SACK, the retransmission, a zero window and its update, a keep-alive, an
 * out-of-window RST (ignored), and a normal close by the client. */
static void retrans_fill(struct out *op, int ipv)
{
	static const uint8_t sack1[] = { 1, 1, 5, 10, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct conv c;
	uint8_t sk[12];
	conv_init(&c, op, ipv, 50000, 1000000, 2000000);
	seg(&c, C, 100, SY, 0, 0, NULL, 64240, opt_linux_syn, sizeof(opt_linux_syn));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 65160, opt_linux_syn, sizeof(opt_linux_syn));
	seg(&c, C, 100, A, 1, 1, NULL, 502, NULL, 0);
	seg(&c, C, 100, P | A, 1, 1, "aaaaaaaaaa", 502, NULL, 0);
	c.t += 100000; /* "bbbbbbbbbb" (seq 11:21) is lost: not in the capture */
	seg(&c, C, 100, P | A, 21, 1, "cccccccccc", 502, NULL, 0);
	seg(&c, S, 100, A, 1, 11, NULL, 509, NULL, 0);
	memcpy(sk, sack1, sizeof(sk));
	uint32_t l = c.isn[0] + 21, r = c.isn[0] + 31;
	sk[4] = (uint8_t)(l >> 24); sk[5] = (uint8_t)(l >> 16); sk[6] = (uint8_t)(l >> 8); sk[7] = (uint8_t)l;
	sk[8] = (uint8_t)(r >> 24); sk[9] = (uint8_t)(r >> 16); sk[10] = (uint8_t)(r >> 8); sk[11] = (uint8_t)r;
	seg(&c, S, 100, A, 1, 11, NULL, 509, sk, sizeof(sk));
	seg(&c, S, 100, A, 1, 11, NULL, 509, sk, sizeof(sk));
	seg(&c, C, 200000, P | A, 11, 1, "bbbbbbbbbb", 502, NULL, 0);
	seg(&c, S, 100, A, 1, 31, NULL, 0, NULL, 0);     /* zero window */
	seg(&c, S, 500000, A, 1, 31, NULL, 509, NULL, 0); /* window update */
	seg(&c, C, 1000000, A, 30, 1, NULL, 502, NULL, 0); /* keep-alive */
	seg(&c, S, 100, A, 1, 31, NULL, 509, NULL, 0);
	seg(&c, S, 100, R, 900000, 0, NULL, 0, NULL, 0);   /* far outside the window */
	seg(&c, C, 100, F | A, 31, 1, NULL, 502, NULL, 0);
	seg(&c, S, 100, F | A, 1, 32, NULL, 509, NULL, 0);
	seg(&c, C, 100, A, 32, 2, NULL, 502, NULL, 0);
}

static void retrans(void)
{
	struct out o;
	open_out(&o, "retrans.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	retrans_fill(&o, 4);
	close_out(&o);
}

/* The capture begins after the handshake: data both ways, then a close. */
static void midstream(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "midstream.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 51000, 70000, 80000);
	seg(&c, C, 100, P | A, 500, 900, "more data\n", 502, NULL, 0);
	seg(&c, S, 100, A, 900, 510, NULL, 509, NULL, 0);
	seg(&c, S, 100, P | A, 900, 510, "reply\n", 509, NULL, 0);
	seg(&c, C, 100, A, 510, 906, NULL, 502, NULL, 0);
	seg(&c, C, 100, F | A, 510, 906, NULL, 502, NULL, 0);
	seg(&c, S, 100, F | A, 906, 511, NULL, 509, NULL, 0);
	seg(&c, C, 100, A, 511, 907, NULL, 502, NULL, 0);
	close_out(&o);
}

/* TIME_WAIT ends (2 x MSL, default MSL 60 s) and the client reuses its
 * port for a new connection; an unanswered SYN on another port follows. */
static void reuse(void)
{
	struct out o;
	struct conv c, u;
	open_out(&o, "reuse.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	hello(&o, 4);
	conv_init(&c, &o, 4, 49152, 777777, 888888);
	c.t = T0_NS + 130LL * 1000000000;
	seg(&c, C, 0, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);
	conv_init(&u, &o, 4, 49999, 4242, 0);
	u.t = c.t;
	seg(&u, C, 1000, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&u, C, 1000000, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&u, C, 2000000, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	close_out(&o);
}

/* Frames that are not segments: ARP, UDP, an ICMP error quoting a TCP
 * header, a malformed TCP header, and a TCP SYN split into two IPv4
 * fragments (only the first carries the TCP header). */
static void misc_fill(struct out *op, int ipv)
{
	struct fb_seg s;
	uint8_t l4[200], ip[400], fr[400], icmp[300];
	size_t n, tl, in;
	int64_t t = T0_NS;
	uint8_t r4[4] = { 192, 0, 2, 1 };

	(void)ipv;
	/* ARP request */
	memset(fr, 0, 60);
	memset(fr, 0xff, 6);
	fr[6] = 2;
	fr[11] = 3;
	fr[12] = 0x08;
	fr[13] = 0x06;
	put_frame(op, t += 100000, fr, 60);
	/* UDP */
	uint8_t udp[12] = { 0x30, 0x39, 0, 53, 0, 12, 0, 0, 't', 'e', 's', 't' };
	memset(&s, 0, sizeof(s));
	s.ipv = 4;
	fb_addr4(s.src, 192, 0, 2, 3);
	fb_addr4(s.dst, 192, 0, 2, 2);
	n = fb_ipv4(ip, sizeof(ip), s.src, s.dst, 17, 0, udp, sizeof(udp));
	put_ip(op, t += 100000, ip, n);
	/* a SYN to a closed port ... */
	s.sport = 49200;
	s.dport = 9;
	s.seq = 123456;
	s.flags = SY;
	s.win = 2920;
	s.opts = opt_lwip;
	s.optlen = sizeof(opt_lwip);
	in = fb_ip_tcp(ip, sizeof(ip), &s);
	put_ip(op, t += 100000, ip, in);
	/* ... answered by a router's ICMP port unreachable quoting it */
	icmp[0] = 3;
	icmp[1] = 3;
	memset(icmp + 2, 0, 6);
	memcpy(icmp + 8, ip, 28);
	n = fb_ipv4(fr, sizeof(fr), r4, s.src, 1, 0, icmp, 36);
	put_ip(op, t += 100000, fr, n);
	/* TCP with data offset 3 */
	s.sport = 49201;
	s.opts = NULL;
	s.optlen = 0;
	n = fb_ip_tcp(ip, sizeof(ip), &s);
	ip[20 + 12] = 0x30;
	put_ip(op, t += 100000, ip, n);
	/* a fragmented SYN with 32 bytes of data: fragment 1 holds the TCP
	 * header and 8 data bytes, fragment 2 the remaining 24 */
	s.sport = 49202;
	s.dport = 8888;
	s.data = "0123456789abcdef0123456789abcdef";
	s.len = 32;
	tl = fb_tcp(l4, sizeof(l4), &s);
	n = fb_ipv4(ip, sizeof(ip), s.src, s.dst, 6, 0x2000, l4, 32);
	put_ip(op, t += 100000, ip, n);
	n = fb_ipv4(ip, sizeof(ip), s.src, s.dst, 6, 4, l4 + 32, tl - 32);
	put_ip(op, t += 100000, ip, n);
}

static void misc(void)
{
	struct out o;
	open_out(&o, "misc.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	misc_fill(&o, 4);
	close_out(&o);
}

/* IP length fields that lie (docs/decode.md, "Length fields that lie"):
 * in an IPv4 and an IPv6 conversation, data segments whose IP header
 * claims more bytes than the frame carried, as a broken middlebox or a
 * capture of a mangled packet shows them. The payload is what the wire
 * carried, as in Wireshark; snap length 65535, so nothing is truncated.
 * One IPv4 total length is shorter than the headers: still malformed. */
static void badlen(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "badlen.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 49170, 70000, 80000);
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);
	o.lie = 1000;
	seg(&c, C, 100, P | A, 1, 1, REQ, 2920, NULL, 0);
	o.lie = 0;
	seg(&c, S, 100, A, 1, 23, NULL, 2898, NULL, 0);
	o.lie = 8;
	seg(&c, S, 100, P | A, 1, 23, REP, 2898, NULL, 0);
	o.lie = 0;
	seg(&c, C, 100, A, 23, 24, NULL, 2897, NULL, 0);
	/* a total length shorter than the IP and TCP headers: malformed, no
	 * segment, as before */
	o.lie = -30;
	seg(&c, C, 100, A, 23, 24, NULL, 2897, NULL, 0);
	o.lie = 0;
	int64_t t = c.t;
	conv_init(&c, &o, 6, 49171, 90000, 100000);
	c.t = t;
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);
	o.lie = 500;
	seg(&c, C, 100, P | A, 1, 1, REQ, 2920, NULL, 0);
	o.lie = 0;
	seg(&c, S, 100, A, 1, 23, NULL, 2898, NULL, 0);
	/* both notes on one segment: a RST outside the window whose
	 * payload length lies too */
	o.lie = 40;
	seg(&c, S, 100, R, 50000, 0, NULL, 0, NULL, 0);
	o.lie = 0;
	close_out(&o);
}

/* After the client's SYN, 100 us apart: the SYN-ACK, the ACK, the
 * greeting and the server's ACK of it. */
static void answer_and_greeting(struct conv *c)
{
	seg(c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);
	seg(c, C, 100, P | A, 1, 1, REQ, 2920, NULL, 0);
	seg(c, S, 100, A, 1, 23, NULL, 2898, NULL, 0);
}

/* The same with the client's SYN first. */
static void handshake_and_greeting(struct conv *c)
{
	seg(c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	answer_and_greeting(c);
}

/* Then the client closes, 100 us apart: FIN, the server's FIN, ACK. */
static void client_closes(struct conv *c)
{
	seg(c, C, 100, F | A, 23, 1, NULL, 2920, NULL, 0);
	seg(c, S, 100, F | A, 1, 24, NULL, 2898, NULL, 0);
	seg(c, C, 100, A, 24, 2, NULL, 2920, NULL, 0);
}

/* Relative numbers re-based by the SYN-ACK (docs/states.md, "Per-segment
 * analysis"), in two conversations where the server's first captured
 * segment is not its SYN-ACK:
 * - refused, then retried: the SYN answered by a RST-ACK with SEQ=0 (RFC
 *   9293 3.10.7.1), the same SYN (same ISN) sent again a second later and
 *   this time answered by a SYN-ACK; the connection reopens;
 * - RFC 9293 figure 11, half-open connection discovery: the SYN answered
 *   by the old connection's ACK, which the client resets; its
 *   retransmitted SYN (same ISN) gets a SYN-ACK. */
static void rebase(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "rebase.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 49180, 5000, 0);
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, R | A, 0, 1, NULL, 0, NULL, 0);
	seg(&c, C, 1000000, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	c.isn[1] = 7000;
	answer_and_greeting(&c);
	client_closes(&c);

	int64_t t = c.t;
	conv_init(&c, &o, 4, 49181, 400, 300);
	c.t = t;
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	/* the old connection's ACK: seq 300, ack 100 */
	seg(&c, S, 100, A, 0, (uint32_t)(100 - 400), NULL, 2920, NULL, 0);
	seg(&c, C, 100, R, (uint32_t)(100 - 400), 0, NULL, 0, NULL, 0);
	seg(&c, C, 3000000, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	c.isn[1] = 900000;
	answer_and_greeting(&c);
	close_out(&o);
}

/* A SYN with a TCP header longer than its IP payload: data offset 15
 * (60 bytes) in a 20-byte segment. Malformed: no segment, nothing starts. */
static void seg_syn_header_too_long(struct conv *c, int64_t dt_us, uint32_t seq)
{
	struct fb_seg s;
	uint8_t l4[64], ip[128];

	memset(&s, 0, sizeof(s));
	s.ipv = c->ipv;
	memcpy(s.src, c->a[C], 16);
	memcpy(s.dst, c->a[S], 16);
	s.sport = c->port[C];
	s.dport = c->port[S];
	s.seq = seq;
	s.flags = SY;
	s.win = 2920;
	size_t n = fb_tcp(l4, sizeof(l4), &s);
	l4[12] = 0xf0;
	n = fb_ipv4(ip, sizeof(ip), s.src, s.dst, 6, 0, l4, n);
	if (!n)
		die("segment too big");
	c->t += dt_us * 1000;
	put_ip(c->o, c->t, ip, n);
}

/* A new handshake on ports whose connection never closed (docs/states.md):
 * - 49200: the connection is left open (the client restarted); a SYN with
 *   a new ISN, sent twice, is answered by a SYN-ACK acknowledging it: a
 *   new connection, the old one superseded; it then closes normally;
 * - 49201: RFC 9293 figure 11 on an established connection: the SYN with
 *   a new ISN is answered by the old connection's ACK (a challenge ACK),
 *   the client resets it, and its retried SYN is answered;
 * - 49202: a SYN with a new ISN whose TCP header is longer than its IP
 *   payload is malformed and starts nothing: the old connection goes on. */
static void newsyn(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "newsyn.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);

	conv_init(&c, &o, 4, 49200, 1000, 2000);
	handshake_and_greeting(&c);
	c.isn[0] = 3000000;
	c.isn[1] = 4000000;
	seg(&c, C, 5000000, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 1000000, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	answer_and_greeting(&c);
	client_closes(&c);

	int64_t t = c.t;
	conv_init(&c, &o, 4, 49201, 5000, 6000);
	c.t = t;
	handshake_and_greeting(&c);
	/* the client restarted: new ISN 7000; the server's challenge ACK
	 * carries the old numbers, the client's RST takes its ack as seq */
	seg(&c, C, 5000000, SY, 7000 - 5000, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, A, 1, 23, NULL, 2898, NULL, 0);
	seg(&c, C, 100, R, 23, 0, NULL, 0, NULL, 0);
	seg(&c, C, 1000000, SY, 7000 - 5000, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	c.isn[0] = 7000;
	c.isn[1] = 8000;
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);

	t = c.t;
	conv_init(&c, &o, 4, 49202, 9000, 10000);
	c.t = t;
	seg(&c, C, 100, SY, 0, 0, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 2920, NULL, 0);
	seg_syn_header_too_long(&c, 1000000, 11000);
	seg(&c, C, 100, P | A, 1, 1, REQ, 2920, NULL, 0);
	seg(&c, S, 100, A, 1, 23, NULL, 2898, NULL, 0);
	close_out(&o);
}

/* The hello exchange through an IP tunnel (outer IPv4 or IPv6, inner
 * IPv4 or IPv6; IP-in-IP, or GRE with a key or carrying Ethernet): decoded, keyed and printed by the inner packet, so the
 * output is hello.txt's or hello6.txt's. */
static void write_tunnel(const char *name, int outer, int inner, int gre)
{
	struct out o;
	open_out(&o, name, DECODE_LINK_ETHERNET, 1, 65535, false);
	o.tunnel = outer;
	o.gre = gre;
	hello(&o, inner);
	close_out(&o);
}

/* IPv6 with extension headers (hop-by-hop, destination options) on every
 * packet. */
static const uint8_t ext6[] = {
	60, 0, 1, 4, 0, 0, 0, 0, /* hop-by-hop: next destination options */
	6, 0, 1, 4, 0, 0, 0, 0,  /* destination options: next TCP */
};

static void write_hello6(const char *name, int lt, int file_lt)
{
	struct out o;
	open_out(&o, name, lt, file_lt, 65535, false);
	o.ext = ext6;
	o.extlen = sizeof(ext6);
	hello(&o, 6);
	close_out(&o);
}

/* The hello exchange with Linux-style SYN options, captured with a
 * 60-byte snap length: options and payloads cut. */
static void snaplen(void)
{
	struct out o;
	struct conv c;
	open_out(&o, "snaplen.pcap", DECODE_LINK_ETHERNET, 1, 60, false);
	conv_init(&c, &o, 4, 49160, 1, 2);
	seg(&c, C, 100, SY, 0, 0, NULL, 64240, opt_linux_syn, sizeof(opt_linux_syn));
	seg(&c, S, 100, SY | A, 0, 1, NULL, 2920, opt_lwip, sizeof(opt_lwip));
	seg(&c, C, 100, A, 1, 1, NULL, 502, NULL, 0);
	seg(&c, C, 100, P | A, 1, 1, REQ, 502, NULL, 0);
	seg(&c, S, 100, A, 1, 23, NULL, 2898, NULL, 0);
	close_out(&o);
}

/* Options of every sort: MSS, SACK permitted, timestamps, window scale,
 * kinds decoded only by number (TFO cookie request 34, MPTCP 30), URG
 * and ECN flags, and a SYN-ACK whose MSS option has a wrong length. */
static void options(void)
{
	static const uint8_t syn[] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0,
		3, 3, 8, 34, 2, 30, 4, 0x00, 0x81,
	};
	static const uint8_t bad[] = { 2, 3, 0x05, 1, 1, 1 }; /* MSS of length 3 */
	struct out o;
	struct conv c;
	open_out(&o, "options.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
	conv_init(&c, &o, 4, 52000, 10, 20);
	seg(&c, C, 100, SY | TCPF_ECE | TCPF_CWR, 0, 0, NULL, 64240, syn, sizeof(syn));
	seg(&c, S, 100, SY | A | TCPF_ECE, 0, 1, NULL, 2920, bad, sizeof(bad));
	seg(&c, C, 100, A, 1, 1, NULL, 502, NULL, 0);
	{
		/* urgent data: URG with the urgent pointer 1 */
		struct fb_seg s;
		uint8_t ip[200];
		memset(&s, 0, sizeof(s));
		s.ipv = 4;
		memcpy(s.src, c.a[C], 16);
		memcpy(s.dst, c.a[S], 16);
		s.sport = c.port[C];
		s.dport = c.port[S];
		s.seq = c.isn[C] + 1;
		s.ack = c.isn[S] + 1;
		s.flags = TCPF_URG | P | A;
		s.win = 502;
		s.urp = 1;
		s.data = "!";
		s.len = 1;
		c.t += 100000;
		size_t n = fb_ip_tcp(ip, sizeof(ip), &s);
		put_ip(&o, c.t, ip, n);
	}
	seg(&c, S, 100, A, 1, 2, NULL, 2920, NULL, 0);
	close_out(&o);
}

/* A pcapng file libpcap refuses: a capture on several interfaces of
 * different link types (docs/decode.md, "pcapng files"). Section 1,
 * little-endian: the hello exchange across Ethernet (microseconds), raw IP
 * (nanoseconds) and Linux cooked v2 (2^-20 s, with an if_tsoffset), an
 * obsolete packet block, two interfaces described mid-section, blocks to
 * skip, and a frame on a fourth interface of a link type tcpstep does not
 * decode (USER0). Section 2, big-endian, 10 s later: the hello exchange over
 * IPv6 across Linux cooked v2, Ethernet (explicit microseconds, an offset)
 * and raw IPv6 (100 ns units), in simple, enhanced and obsolete blocks. */
static void mixed_link(void)
{
	static const struct ng_if s1[] = {
		{ DECODE_LINK_ETHERNET, 1, 65535, -1, 0 },
		{ DECODE_LINK_RAW, 101, 65535, 9, 0 },
		{ DECODE_LINK_SLL2, 276, 65535, 0x94, 1767268000 },
		{ 147, 147, 65535, -1, 0 },
	};
	static const struct ng_route r1[] = {
		{ 'e', 0, 0 }, { 'e', 1, 'i' }, { 'e', 2, 'u' }, { 'o', 0, 0 },
		{ 'e', 1, 'b' }, { 'e', 2, 0 }, { 'e', 0, 0 }, { 'o', 1, 0 },
		{ 'e', 2, 'u' }, { 'e', 0, 0 },
	};
	static const struct ng_if s2[] = {
		{ DECODE_LINK_SLL2, 276, 65535, -1, 0 },
		{ DECODE_LINK_ETHERNET, 1, 65535, 6, 3600 },
		{ DECODE_LINK_IPV6, 229, 65535, 7, 0 },
	};
	static const struct ng_route r2[] = {
		{ 's', 0, 0 }, { 'e', 1, 0 }, { 'e', 2, 'b' }, { 'o', 0, 0 },
		{ 'e', 1, 0 }, { 's', 0, 0 }, { 'e', 2, 0 }, { 'e', 1, 0 },
		{ 'o', 0, 0 }, { 'e', 2, 0 },
	};
	struct fb_ng w;
	struct out o;

	if (!fb_ng_open(&w, path("mixed-link.pcapng")))
		die("mixed-link.pcapng");
	memset(&o, 0, sizeof(o));
	o.ng = &w;
	fb_ng_section(&w, false);
	for (int k = 0; k < 2; k++)
		fb_ng_interface(&w, s1[k].file_lt, s1[k].snaplen, s1[k].tsresol, s1[k].offset_s);
	o.ifs = s1;
	o.route = r1;
	hello(&o, 4);
	fb_ng_section(&w, true);
	for (int k = 0; k < 3; k++)
		fb_ng_interface(&w, s2[k].file_lt, s2[k].snaplen, s2[k].tsresol, s2[k].offset_s);
	o.ifs = s2;
	o.route = r2;
	o.iroute = 0;
	o.t_shift = 10000000000LL;
	hello(&o, 6);
	if (!fb_ng_close(&w))
		die("mixed-link.pcapng");
}

/* Copies of hello.pcapng: cut in the middle of its 8th block (the 6th
 * packet), and with its 6th block's length impossible (13). */
static void damaged_pcapng(void)
{
	char src[4096];
	snprintf(src, sizeof(src), "%s/hello.pcapng", outdir);
	FILE *in = fopen(src, "rb");
	if (!in)
		die("hello.pcapng");
	uint8_t buf[8192];
	size_t n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	size_t off = 0, at[10];
	for (int b = 0; b < 10 && off + 8 <= n; b++) {
		uint32_t len;
		at[b] = off;
		memcpy(&len, buf + off + 4, 4); /* written in host order */
		off += len;
	}
	FILE *out = fopen(path("cut-short.pcapng"), "wb");
	if (!out || fwrite(buf, 1, at[7] + 20, out) != at[7] + 20 || fclose(out))
		die("cut-short.pcapng");
	uint32_t bad = 13;
	memcpy(buf + at[5] + 4, &bad, 4);
	out = fopen(path("damaged.pcapng"), "wb");
	if (!out || fwrite(buf, 1, n, out) != n || fclose(out))
		die("damaged.pcapng");
}

/* A copy of hello.pcap cut in the middle of its 7th record. */
static void cut_short(void)
{
	char src[4096];
	snprintf(src, sizeof(src), "%s/hello.pcap", outdir);
	FILE *in = fopen(src, "rb");
	if (!in)
		die("hello.pcap");
	uint8_t buf[8192];
	size_t n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	/* walk records: 24-byte header, then 16-byte record headers */
	size_t off = 24;
	for (int rec = 0; rec < 6 && off + 16 <= n; rec++) {
		uint32_t cl;
		memcpy(&cl, buf + off + 8, 4);
		off += 16 + cl;
	}
	FILE *out = fopen(path("cut-short.pcap"), "wb");
	if (!out || fwrite(buf, 1, off + 16 + 20, out) != off + 36 || fclose(out))
		die("cut-short.pcap");
	/* valid pcap files libpcap reads but tcpstep cannot use, or empty */
	struct fb_pcap w;
	if (!fb_pcap_open(&w, path("wifi.pcap"), 105 /* IEEE 802.11 */, 65535, false) ||
	    !fb_pcap_close(&w))
		die("wifi.pcap");
	out = fopen(path("empty.pcap"), "wb");
	if (!out || fclose(out))
		die("empty.pcap");
	out = fopen(path("garbage.pcap"), "wb");
	if (!out || fputs("this is not a capture file\n", out) < 0 || fclose(out))
		die("garbage.pcap");
}

/* Fuzz seeds: byte 0 picks the link type (tests/fuzz/fuzz_decode.c), then
 * frames as a 2-byte big-endian length and the bytes. */
/* Fills for fuzz seeds: the hello exchange tunnelled, or lying about its
 * IP lengths. */
static void hello_in_ipv4(struct out *o, int ipv)
{
	o->tunnel = 4;
	hello(o, ipv);
}

static void hello_in_ipv6(struct out *o, int ipv)
{
	o->tunnel = 6;
	hello(o, ipv);
}

static void hello_lying(struct out *o, int ipv)
{
	o->lie = 300;
	hello(o, ipv);
}

static void seed(const char *dir, const char *name, uint8_t sel, int lt, int ntags,
		 bool v6ext, void (*fill)(struct out *, int), int ipv)
{
	struct out o;
	char p[4096];
	memset(&o, 0, sizeof(o));
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	o.seed = fopen(p, "wb");
	if (!o.seed)
		die(p);
	fputc(sel, o.seed);
	o.lt = lt;
	o.ntags = ntags;
	o.tpid[0] = 0x88a8;
	o.tpid[1] = 0x8100;
	if (v6ext) {
		o.ext = ext6;
		o.extlen = sizeof(ext6);
	}
	fill(&o, ipv);
	close_out(&o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gen_captures OUTDIR [SEEDDIR]\n");
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0777);

	write_hello("hello.pcap", DECODE_LINK_ETHERNET, 1, 4);
	write_hello("hello-sll.pcap", DECODE_LINK_SLL, 113, 4);
	write_hello("hello-sll2.pcap", DECODE_LINK_SLL2, 276, 4);
	write_hello("hello-raw.pcap", DECODE_LINK_RAW, 101, 4);
	write_hello("hello-ipv4.pcap", DECODE_LINK_IPV4, 228, 4);
	write_hello("hello-null.pcap", DECODE_LINK_NULL, 0, 4);
	write_hello("hello-loop.pcap", DECODE_LINK_LOOP, 108, 4);
	{
		struct out o;
		open_out(&o, "hello-vlan.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
		o.ntags = 1;
		o.tpid[0] = 0x8100;
		hello(&o, 4);
		close_out(&o);
		open_out(&o, "hello-qinq.pcap", DECODE_LINK_ETHERNET, 1, 65535, false);
		o.ntags = 2;
		o.tpid[0] = 0x88a8;
		o.tpid[1] = 0x8100;
		hello(&o, 4);
		close_out(&o);
		open_out(&o, "hello.pcapng", DECODE_LINK_ETHERNET, 1, 65535, true);
		hello(&o, 4);
		close_out(&o);
	}
	write_hello6("hello6.pcap", DECODE_LINK_ETHERNET, 1);
	write_hello6("hello6-sll2.pcap", DECODE_LINK_SLL2, 276);
	write_hello6("hello6-ipv6.pcap", DECODE_LINK_IPV6, 229);
	write_hello6("hello6-loop.pcap", DECODE_LINK_LOOP, 108);
	halfclose();
	reordered();
	abortive();
	refused();
	simclose();
	simopen();
	retrans();
	midstream();
	reuse();
	misc();
	snaplen();
	options();
	badlen();
	rebase();
	newsyn();
	write_tunnel("tunnel-4in4.pcap", 4, 4, 0);
	write_tunnel("tunnel-6in4.pcap", 4, 6, 0);
	write_tunnel("tunnel-4in6.pcap", 6, 4, 0);
	write_tunnel("tunnel-6in6.pcap", 6, 6, 0);
	write_tunnel("tunnel-gre.pcap", 4, 4, 1);
	write_tunnel("tunnel-gre-eth.pcap", 6, 6, 2);
	cut_short();
	mixed_link();
	damaged_pcapng();

	if (argc > 2) {
		mkdir(argv[2], 0777);
		seed(argv[2], "hello-eth", 0, DECODE_LINK_ETHERNET, 0, false, hello, 4);
		seed(argv[2], "hello-sll", 1, DECODE_LINK_SLL, 0, false, hello, 4);
		seed(argv[2], "hello6-sll2", 2, DECODE_LINK_SLL2, 0, true, hello, 6);
		seed(argv[2], "hello-raw", 3, DECODE_LINK_RAW, 0, false, hello, 4);
		seed(argv[2], "hello-null", 6, DECODE_LINK_NULL, 0, false, hello, 4);
		seed(argv[2], "hello6-loop", 7, DECODE_LINK_LOOP, 0, true, hello, 6);
		seed(argv[2], "hello-qinq", 0, DECODE_LINK_ETHERNET, 2, false, hello, 4);
		seed(argv[2], "retrans-eth", 0, DECODE_LINK_ETHERNET, 0, false, retrans_fill, 4);
		seed(argv[2], "retrans6-raw", 3, DECODE_LINK_RAW, 0, false, retrans_fill, 6);
		seed(argv[2], "misc-eth", 0, DECODE_LINK_ETHERNET, 0, false, misc_fill, 4);
		seed(argv[2], "hello6-in4-eth", 0, DECODE_LINK_ETHERNET, 0, false,
		     hello_in_ipv4, 6);
		seed(argv[2], "hello-in6-raw", 3, DECODE_LINK_RAW, 0, false, hello_in_ipv6, 4);
		seed(argv[2], "hello6-badlen-eth", 0, DECODE_LINK_ETHERNET, 0, false,
		     hello_lying, 6);
	}
	return 0;
}
