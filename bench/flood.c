/* flood: a bounded TCP flood from the kernel side of a tcpstep session's
 * namespace (issue 10, "Fast and steady"), run there as the kernel peer:
 *
 *   tcpstep live --exec 'build/bench/flood'      (or ! in the live UI)
 *
 *   flood [--count N] [--rate R] [--src IP] [--dst IP] [--sport P]
 *         [--dport P] [--payload B] [--rst] [--probe-ms M] [--report FILE]
 *         [--pcap FILE]
 *
 * Sends exactly N TCP segments (default 500,000) at R a second (default
 * 50,000: 10 s) from 192.0.2.1 to 192.0.2.2 through a raw socket
 * (IPPROTO_RAW, so IP_HDRINCL: both checksums computed here). They are the
 * segments of one made-up connection, 192.0.2.1:40000 -> 192.0.2.2:9, a
 * port nobody listens on: PSH-ACK data segments of B bytes (default 32,
 * the sequence moving on by B each), which lwIP answers each with a RST
 * (tcp_input.c: no pcb, tcp_rst), so the wire carries about twice N
 * frames; with --rst the segments are RSTs, which nothing answers. Every M
 * ms (default 200) the next segment is instead a probe: an ACK from a new
 * source port (40001, 40002, ...), so a new connection on the wire; its
 * send time (CLOCK_MONOTONIC) goes to the report, for the benchmark's
 * frame-to-screen latency (bench/live_flood.c).
 *
 * Pacing: the i-th segment is due at t0 + i / R; every millisecond
 * (clock_nanosleep, absolute) what is due is sent with sendmmsg, in
 * batches of at most 64. It prints what it sent, how long that took, the
 * rate achieved and how far it fell behind its schedule.
 *
 * Safety: the destination and the source must be in 192.0.2.0/24 (TEST-NET-1,
 * RFC 5737), the socket is bound to the interface that holds the source
 * address, and it refuses to run in the init network namespace (PID 1's,
 * when readable) and wherever a route leads anywhere but 192.0.2.0/24 on
 * that interface (a default route: a host's, a container's): its frames
 * stay on a tcpstep session's bridge. Bounded: at most 10M
 * segments, at most 1M a second, at most 120 s.
 *
 * --pcap FILE writes the segments to FILE (raw IPv4 pcap, stamped on the
 * schedule) instead of sending them: nothing leaves, no privilege is
 * needed, and the bytes can be checked (bench/test_flood.sh).
 *
 * The report (--report FILE, and the last lines on standard output):
 *   flood: sent N TCP segments ... R/s achieved ...
 *   RESULT sent=N probes=P seconds=S rate=R asked=A worst_lag_ms=L retries=E
 * and in FILE only, one line per probe: PROBE K SPORT MONO_NS.
 * Exit status: 0 all sent; 1 a send failed; 2 usage or refusal. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_MAX_COUNT 10000000ULL
#define FLOOD_MAX_RATE 1000000ULL
#define FLOOD_MAX_SECONDS 120.0
#define FLOOD_MAX_PAYLOAD 1400
#define FLOOD_BATCH 64           /* segments per sendmmsg */
#define FLOOD_TICK_NS 1000000LL  /* wake every 1 ms */
#define FLOOD_HDR 40             /* IPv4 + TCP, no options */
#define FLOOD_RETRY_LIMIT_NS 1000000000LL /* give up after 1 s of ENOBUFS */

#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

struct flood_opts {
	uint64_t count, rate;
	struct in_addr src, dst;
	uint16_t sport, dport;
	unsigned payload;
	bool rst;
	unsigned probe_ms;
	const char *report;
	const char *pcap;
};

struct flood {
	struct flood_opts o;
	uint32_t seq, ack;      /* the flood connection's next numbers */
	uint16_t ip_id;
	uint64_t probes;
	int64_t next_probe_ns;  /* schedule time of the next probe */
	FILE *report;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: flood [--count N] [--rate R] [--src IP] [--dst IP] [--sport P]\n"
		"             [--dport P] [--payload B] [--rst] [--probe-ms M]\n"
		"             [--report FILE] [--pcap FILE]\n"
		"Sends exactly N TCP segments (default 500000) at R a second (default\n"
		"50000) from --src (192.0.2.1) to --dst (192.0.2.2:9), inside a tcpstep\n"
		"session's namespace only (both in 192.0.2.0/24). See bench/README.md.\n");
}

/* --- Arguments ------------------------------------------------------------ */

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* An address of 192.0.2.0/24 that can be a host's (not .0, not .255). */
static bool test_net_host(const char *s, struct in_addr *a)
{
	uint32_t h;

	if (inet_pton(AF_INET, s, a) != 1)
		return false;
	h = ntohl(a->s_addr);
	return (h & 0xffffff00u) == 0xc0000200u && (h & 0xff) != 0 &&
	       (h & 0xff) != 255;
}

static int parse_args(int argc, char **argv, struct flood_opts *o)
{
	memset(o, 0, sizeof *o);
	o->count = 500000;
	o->rate = 50000;
	inet_pton(AF_INET, "192.0.2.1", &o->src);
	inet_pton(AF_INET, "192.0.2.2", &o->dst);
	o->sport = 40000;
	o->dport = 9;
	o->payload = 32;
	o->probe_ms = 200;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--rst")) {
			o->rst = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "flood: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (!strcmp(a, "--count") && parse_u64(v, 1, FLOOD_MAX_COUNT, &n)) {
			o->count = n;
		} else if (!strcmp(a, "--rate") && parse_u64(v, 1, FLOOD_MAX_RATE, &n)) {
			o->rate = n;
		} else if (!strcmp(a, "--sport") && parse_u64(v, 1, 65000, &n)) {
			o->sport = (uint16_t)n;
		} else if (!strcmp(a, "--dport") && parse_u64(v, 1, 65535, &n)) {
			o->dport = (uint16_t)n;
		} else if (!strcmp(a, "--payload") &&
			   parse_u64(v, 0, FLOOD_MAX_PAYLOAD, &n)) {
			o->payload = (unsigned)n;
		} else if (!strcmp(a, "--probe-ms") && parse_u64(v, 0, 60000, &n)) {
			o->probe_ms = (unsigned)n;
		} else if (!strcmp(a, "--report")) {
			o->report = v;
		} else if (!strcmp(a, "--pcap")) {
			o->pcap = v;
		} else if (!strcmp(a, "--src") || !strcmp(a, "--dst")) {
			struct in_addr *d = a[2] == 's' ? &o->src : &o->dst;

			if (!test_net_host(v, d)) {
				fprintf(stderr, "flood: %s must be a host address "
					"of 192.0.2.0/24 (a tcpstep session's "
					"network), not '%s'\n", a, v);
				return -2;
			}
		} else {
			fprintf(stderr, "flood: bad option or value: %s %s\n", a, v);
			usage(stderr);
			return -1;
		}
	}
	if (o->src.s_addr == o->dst.s_addr) {
		fprintf(stderr, "flood: --src and --dst are the same address\n");
		return -1;
	}
	if ((double)o->count / (double)o->rate > FLOOD_MAX_SECONDS) {
		fprintf(stderr, "flood: %" PRIu64 " segments at %" PRIu64 "/s take "
			"more than %.0f s: refused\n", o->count, o->rate,
			FLOOD_MAX_SECONDS);
		return -2;
	}
	return 1;
}

/* --- Segments --------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 1071 sum of len bytes (big-endian 16-bit words), not folded. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t acc)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		acc += (uint32_t)p[i] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* One IPv4 + TCP segment in buf (FLOOD_HDR + payload bytes); its length. */
static size_t build(uint8_t *buf, const struct flood_opts *o, uint16_t ip_id,
		    uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags,
		    unsigned payload)
{
	uint8_t *ip = buf, *tcp = buf + 20;
	size_t tcplen = 20 + payload;
	uint32_t acc;

	memset(buf, 0, FLOOD_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + tcplen));
	put16(ip + 4, ip_id);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, &o->src, 4);
	memcpy(ip + 16, &o->dst, 4);
	put16(ip + 10, fold(sum16(ip, 20, 0)));

	put16(tcp, sport);
	put16(tcp + 2, o->dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, (flags & TCPF_ACK) ? ack : 0);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 502);
	for (unsigned i = 0; i < payload; i++)
		tcp[20 + i] = (uint8_t)('a' + i % 26);
	/* pseudo-header: source, destination, zero, protocol, TCP length */
	acc = sum16(ip + 12, 8, 0) + IPPROTO_TCP + (uint32_t)tcplen;
	put16(tcp + 16, fold(sum16(tcp, tcplen, acc)));
	return 20 + tcplen;
}

/* Probe K's source port: 1 + K above the flood's, wrapping after 25,000. */
static uint16_t probe_port(const struct flood_opts *o, uint64_t k)
{
	return (uint16_t)(o->sport + (k - 1) % 25000 + 1);
}

/* The i-th segment: a probe when one is due by the schedule, else the
 * flood connection's next. */
static size_t next_segment(struct flood *f, uint8_t *buf, int64_t sched_ns,
			   bool *probe)
{
	const struct flood_opts *o = &f->o;
	uint16_t id = f->ip_id++;

	*probe = o->probe_ms && sched_ns >= f->next_probe_ns;
	if (*probe) {
		f->probes++;
		f->next_probe_ns += (int64_t)o->probe_ms * 1000000LL;
		return build(buf, o, id, probe_port(o, f->probes),
			     0x10000000u + (uint32_t)f->probes * 7919u, 0x20000000u,
			     TCPF_ACK, 0);
	}
	if (o->rst) {
		size_t n = build(buf, o, id, o->sport, f->seq, 0, TCPF_RST, 0);

		f->seq += 1;
		return n;
	}
	size_t n = build(buf, o, id, o->sport, f->seq, f->ack,
			 o->payload ? TCPF_PSH | TCPF_ACK : TCPF_ACK, o->payload);
	f->seq += o->payload;
	return n;
}

/* --- Where it runs ------------------------------------------------------------ */

/* True in PID 1's network namespace, when that can be told (in a
 * container /proc/1/ns may not be readable even for root). */
static bool in_init_netns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self) < 0 || stat("/proc/1/ns/net", &init) < 0)
		return false;
	return self.st_ino == init.st_ino && self.st_dev == init.st_dev;
}

/* True when every IPv4 route here is to (a part of) 192.0.2.0/24 through
 * ifname, as in a tcpstep session's namespace (one route, br0's). A host,
 * or a container, has a default route: the flood could leave it (the
 * machine this was written on has its own uplink on 192.0.2.0/24, so the
 * addresses alone prove nothing). */
static bool routes_stay_inside(const char *ifname, char *why, size_t whysize)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[512];
	int routes = 0;
	bool ok = true;

	if (!f) {
		snprintf(why, whysize, "/proc/net/route: %s", strerror(errno));
		return false;
	}
	if (!fgets(line, sizeof line, f)) /* the header */
		line[0] = '\0';
	while (ok && fgets(line, sizeof line, f)) {
		char dev[64];
		unsigned dst, gw, flags, refcnt, use, metric, mask;

		if (sscanf(line, "%63s %x %x %x %u %u %u %x", dev, &dst, &gw, &flags,
			   &refcnt, &use, &metric, &mask) != 8)
			continue;
		/* printed as the in-memory words: s_addr values */
		uint32_t d = ntohl(dst), m = ntohl(mask);

		routes++;
		if (strcmp(dev, ifname) || gw || m < 0xffffff00u ||
		    (d & 0xffffff00u) != 0xc0000200u) {
			struct in_addr a = { .s_addr = dst };

			snprintf(why, whysize, "a route to %s/%d via %s leads out of "
				 "192.0.2.0/24 on %s", inet_ntoa(a),
				 __builtin_popcount(m), dev, ifname);
			ok = false;
		}
	}
	fclose(f);
	if (ok && !routes) {
		snprintf(why, whysize, "no IPv4 route at all");
		ok = false;
	}
	return ok;
}

/* The interface that holds addr, in ifname (IF_NAMESIZE). */
static bool iface_of(struct in_addr addr, char *ifname)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr ==
		    addr.s_addr) {
			snprintf(ifname, IF_NAMESIZE, "%s", i->ifa_name);
			found = true;
		}
	}
	freeifaddrs(ifa);
	return found;
}

/* The kernel knows dst's MAC address (ARP complete): a flood does not
 * start into the neighbour queue, which drops all but a few packets. */
static bool arp_complete(struct in_addr dst)
{
	char want[INET_ADDRSTRLEN], line[256];
	FILE *f = fopen("/proc/net/arp", "r");
	bool ok = false;

	if (!f)
		return false;
	inet_ntop(AF_INET, &dst, want, sizeof want);
	while (!ok && fgets(line, sizeof line, f)) {
		char ip[64];
		unsigned hw, flags;

		if (sscanf(line, "%63s 0x%x 0x%x", ip, &hw, &flags) == 3 &&
		    !strcmp(ip, want) && (flags & 0x2))
			ok = true;
	}
	fclose(f);
	return ok;
}

/* One UDP datagram to dst's discard port makes the kernel resolve it;
 * waits up to 1 s for the answer. */
static bool resolve(const struct flood_opts *o, const char *ifname)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = o->dst,
				  .sin_port = htons(9) };
	int fd;

	if (arp_complete(o->dst))
		return true;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname));
	sendto(fd, "flood: arp", 10, 0, (struct sockaddr *)&sa, sizeof sa);
	close(fd);
	for (int i = 0; i < 200; i++) {
		struct timespec d = { 0, 5000000 };

		if (arp_complete(o->dst))
			return true;
		nanosleep(&d, NULL);
	}
	return false;
}

static int open_raw(const struct flood_opts *o, char *ifname)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = o->src };
	char why[160];
	int fd;

	if (in_init_netns()) {
		fprintf(stderr, "flood: refusing to run in the host's network "
			"namespace: run it as a tcpstep session's kernel peer "
			"(tcpstep live --exec, or ! in the live UI)\n");
		return -2;
	}
	if (!iface_of(o->src, ifname)) {
		fprintf(stderr, "flood: no interface here has %s: not a tcpstep "
			"session's namespace\n", inet_ntoa(o->src));
		return -2;
	}
	if (!routes_stay_inside(ifname, why, sizeof why)) {
		fprintf(stderr, "flood: refusing to run: %s; run it as a tcpstep "
			"session's kernel peer (tcpstep live --exec, or ! in the "
			"live UI)\n", why);
		return -2;
	}
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0) {
		fprintf(stderr, "flood: raw socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "flood: bind to %s on %s: %s\n", inet_ntoa(o->src),
			ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* --- The dry run: a pcap file ----------------------------------------------------- */

static bool pcap_put(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n;
}

static int write_pcap(struct flood *fl)
{
	const struct flood_opts *o = &fl->o;
	FILE *f = fopen(o->pcap, "wb");
	/* little-endian classic pcap, LINKTYPE_RAW (101) */
	uint32_t gh[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 101 };
	uint8_t buf[FLOOD_HDR + FLOOD_MAX_PAYLOAD];
	bool ok;

	if (!f) {
		fprintf(stderr, "flood: %s: %s\n", o->pcap, strerror(errno));
		return 1;
	}
	ok = pcap_put(f, gh, sizeof gh);
	for (uint64_t i = 0; ok && i < o->count; i++) {
		int64_t t = (int64_t)(i * 1000000000ULL / o->rate);
		bool probe;
		size_t n = next_segment(fl, buf, t, &probe);
		uint32_t rh[4] = { (uint32_t)(1700000000 + t / 1000000000LL),
				   (uint32_t)(t % 1000000000LL / 1000), (uint32_t)n,
				   (uint32_t)n };

		ok = pcap_put(f, rh, sizeof rh) && pcap_put(f, buf, n);
	}
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "flood: writing %s failed\n", o->pcap);
		return 1;
	}
	printf("flood: wrote %" PRIu64 " TCP segments (%" PRIu64 " probes) to %s\n",
	       o->count, fl->probes, o->pcap);
	return 0;
}

/* --- The flood -------------------------------------------------------------------- */

struct slot {
	uint8_t buf[FLOOD_HDR + FLOOD_MAX_PAYLOAD];
	struct iovec iov;
	bool probe;
	uint64_t probe_no;
};

static void say(struct flood *fl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct flood *fl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fl->report) {
		va_start(ap, fmt);
		vfprintf(fl->report, fmt, ap);
		va_end(ap);
	}
}

static int run_flood(struct flood *fl, int fd, const char *ifname)
{
	const struct flood_opts *o = &fl->o;
	static struct slot slots[FLOOD_BATCH];
	struct mmsghdr msgs[FLOOD_BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = o->dst };
	uint64_t sent = 0, retries = 0, batches = 0;
	unsigned first = 0, npend = 0; /* slots built, not yet sent */
	int64_t t0, worst_lag = 0, stuck_since = 0, end;
	int rc = 0;

	if (!resolve(o, ifname)) {
		fprintf(stderr, "flood: %s does not answer ARP on %s: is the "
			"session's node up?\n", inet_ntoa(o->dst), ifname);
		return 1;
	}
	memset(msgs, 0, sizeof msgs);
	for (int i = 0; i < FLOOD_BATCH; i++) {
		slots[i].iov.iov_base = slots[i].buf;
		msgs[i].msg_hdr.msg_iov = &slots[i].iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof to;
	}
	t0 = mono_ns();
	while (sent < o->count) {
		int64_t now = mono_ns();
		/* segments due by now: the i-th at t0 + i / rate */
		uint64_t due = (uint64_t)((double)(now - t0) * (double)o->rate / 1e9) + 1;

		if (due > o->count)
			due = o->count;
		if (due > sent) {
			/* lag: how late the oldest segment sent now is */
			int64_t lag = now - (t0 + (int64_t)((double)sent * 1e9 / (double)o->rate));

			if (lag > worst_lag)
				worst_lag = lag;
		}
		while (sent < due) {
			int got;

			/* build the next batch, unless one is still unsent */
			if (!npend) {
				unsigned n = due - sent < FLOOD_BATCH ? (unsigned)(due - sent)
								      : FLOOD_BATCH;

				for (unsigned i = 0; i < n; i++) {
					int64_t sched = (int64_t)((double)(sent + i) * 1e9 /
								  (double)o->rate);

					slots[i].iov.iov_len = next_segment(fl, slots[i].buf, sched,
									    &slots[i].probe);
					slots[i].probe_no = fl->probes;
				}
				first = 0;
				npend = n;
			}
			got = sendmmsg(fd, msgs + first, npend, 0);
			if (got < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)) {
				int64_t t = mono_ns();

				if (!stuck_since)
					stuck_since = t;
				if (t - stuck_since > FLOOD_RETRY_LIMIT_NS) {
					fprintf(stderr, "flood: sendmmsg: %s for 1 s: giving up\n",
						strerror(errno));
					rc = 1;
					goto out;
				}
				retries++;
				got = 0;
			} else if (got < 0) {
				fprintf(stderr, "flood: sendmmsg: %s\n", strerror(errno));
				rc = 1;
				goto out;
			} else {
				stuck_since = 0;
			}
			batches++;
			int64_t ts = mono_ns();
			for (unsigned i = first; i < first + (unsigned)got; i++)
				if (slots[i].probe && fl->report)
					fprintf(fl->report, "PROBE %" PRIu64 " %u %" PRId64 "\n",
						slots[i].probe_no, probe_port(o, slots[i].probe_no),
						ts);
			first += (unsigned)got;
			npend -= (unsigned)got;
			sent += (uint64_t)got;
			if (npend) { /* the rest is sent again on the next tick */
				break;
			}
		}
		if (sent >= o->count)
			break;
		struct timespec wake;
		int64_t next = now + FLOOD_TICK_NS;
		wake.tv_sec = next / 1000000000LL;
		wake.tv_nsec = next % 1000000000LL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL);
	}
out:
	end = mono_ns();
	double secs = (double)(end - t0) / 1e9;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &o->src, src, sizeof src);
	inet_ntop(AF_INET, &o->dst, dst, sizeof dst);
	say(fl, "flood: sent %" PRIu64 " of %" PRIu64 " TCP segments (%" PRIu64
	    " probes) %s:%u -> %s:%u in %.3f s: %.0f/s achieved, %" PRIu64
	    "/s asked; worst %.1f ms behind schedule; %" PRIu64 " sendmmsg calls, %"
	    PRIu64 " retried (ENOBUFS)\n", sent, o->count, fl->probes, src,
	    (unsigned)o->sport, dst, (unsigned)o->dport, secs,
	    secs > 0 ? (double)sent / secs : 0.0, o->rate, (double)worst_lag / 1e6,
	    batches, retries);
	say(fl, "RESULT sent=%" PRIu64 " probes=%" PRIu64 " seconds=%.3f rate=%.0f asked=%"
	    PRIu64 " worst_lag_ms=%.1f retries=%" PRIu64 "\n", sent, fl->probes, secs,
	    secs > 0 ? (double)sent / secs : 0.0, o->rate, (double)worst_lag / 1e6,
	    retries);
	return rc;
}

int main(int argc, char **argv)
{
	struct flood fl;
	char ifname[IF_NAMESIZE] = "";
	int r = parse_args(argc, argv, &fl.o), fd, rc;

	if (r <= 0)
		return r == 0 ? 0 : 2;
	fl.seq = 0x01000000u;
	fl.ack = 0x02000000u;
	fl.ip_id = 1;
	fl.probes = 0;
	fl.next_probe_ns = (int64_t)fl.o.probe_ms * 1000000LL; /* none at t0 */
	fl.report = NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fl.o.pcap)
		return write_pcap(&fl);
	fd = open_raw(&fl.o, ifname);
	if (fd < 0)
		return fd == -2 ? 2 : 1;
	if (fl.o.report) {
		fl.report = fopen(fl.o.report, "w");
		if (!fl.report) {
			fprintf(stderr, "flood: %s: %s\n", fl.o.report, strerror(errno));
			close(fd);
			return 1;
		}
	}
	rc = run_flood(&fl, fd, ifname);
	close(fd);
	if (fl.report && fclose(fl.report) != 0) {
		fprintf(stderr, "flood: writing %s failed\n", fl.o.report);
		rc = 1;
	}
	return rc;
}
