/* tcpstep decode FILE|- [-i IFACE] [--filter EXPR] [--json] [--summary]
 *                [--absolute] [--msl S] [-c COUNT] [--write FILE]
 *
 * One loop for both kinds of source: frame -> decode_frame -> tracker ->
 * output. A file is read to its end; a live interface is polled (with a
 * signalfd, so Ctrl-C ends the capture cleanly: summaries printed, the
 * recording flushed, drop counts reported). */
#include "cmd_decode.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "decode.h"
#include "output.h"
#include "recorder.h"
#include "source.h"
#include "tap.h"
#include "textesc.h"

struct decode_opts {
	const char *file, *iface, *filter, *write;
	bool json, summary, absolute;
	int64_t msl_ns;
	unsigned long long count; /* 0: no limit */
};

/* Everything one run holds, handed around instead of globals. */
struct decode_run {
	struct decode_opts opt;
	struct source *src;
	struct tap *tap;
	struct output *out;
	struct recorder *rec;
	bool rec_failed; /* the recording's failure was reported */
	int linktype;
	char err[SOURCE_ERRBUF_SIZE];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpstep decode FILE|- [--filter EXPR] [--json] [--summary]\n"
		"                      [--absolute] [--msl S]\n"
		"       tcpstep decode -i IFACE [--filter EXPR] [-c COUNT] [--write FILE] ...\n"
		"\n"
		"Decodes every TCP segment of a pcap/pcapng file ('-': standard input) or\n"
		"of a live interface, and infers both endpoints' TCP states (RFC 9293).\n"
		"\n"
		"  -i, --interface IFACE  capture live on IFACE (promiscuous)\n"
		"  -f, --filter EXPR      BPF filter in tcpdump syntax, e.g. 'tcp port 8888'\n"
		"      --json             JSON lines (schema: docs/decode.md)\n"
		"      --summary          only one line per connection\n"
		"      --absolute         absolute sequence numbers in text (JSON has both)\n"
		"      --msl S            maximum segment lifetime in seconds; TIME_WAIT\n"
		"                         lasts 2 x S of capture time (default 60)\n"
		"  -c, --count N          live: stop after N frames\n"
		"  -w, --write FILE       live: also record the frames to a pcap file\n"
		"\n"
		"Exit status: 0 decoded, 1 bad input (unreadable or damaged file),\n"
		"2 usage error.\n");
}

/* Prints a message that may carry user or file text, escaped. */
static void errmsg(const char *msg)
{
	char esc[2 * SOURCE_ERRBUF_SIZE];
	textesc_escape(esc, sizeof(esc), msg, strlen(msg), 0);
	fprintf(stderr, "tcpstep decode: %s\n", esc);
}

static int parse_args(int argc, char **argv, struct decode_opts *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "filter", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "absolute", no_argument, NULL, 'a' },
		{ "msl", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'c' },
		{ "write", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	memset(o, 0, sizeof(*o));
	o->msl_ns = 60000000000LL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:f:c:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'f': o->filter = optarg; break;
		case 'j': o->json = true; break;
		case 's': o->summary = true; break;
		case 'a': o->absolute = true; break;
		case 'w': o->write = optarg; break;
		case 'm':
			if (ctlmsg_parse_msl(optarg, &o->msl_ns) < 0) {
				errmsg("--msl wants seconds, more than 0 and at most 86400");
				return 2;
			}
			break;
		case 'c':
			errno = 0;
			o->count = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || !o->count) {
				errmsg("--count wants a positive number of frames");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			fprintf(stderr, "tcpstep decode: option needs an argument\n");
			usage(stderr);
			return 2;
		default:
			fprintf(stderr, "tcpstep decode: unknown option\n");
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		errmsg("one FILE at most");
		usage(stderr);
		return 2;
	}
	if (!o->file == !o->iface) {
		errmsg(o->file ? "give a FILE or -i IFACE, not both"
			       : "give a FILE ('-' for standard input) or -i IFACE");
		usage(stderr);
		return 2;
	}
	if (o->write && !o->iface) {
		errmsg("--write records a live capture: use it with -i IFACE");
		return 2;
	}
	if (o->count && !o->iface) {
		errmsg("--count applies to live captures (-i IFACE)");
		return 2;
	}
	return 0;
}

/* A filter with bad syntax is a usage error (exit 2), found before any
 * file is opened; one that does not fit the link type fails at open. */
static bool filter_syntax_ok(const char *filter, char *err)
{
	if (!filter || !*filter)
		return true;
	pcap_t *dead = pcap_open_dead(1 /* Ethernet */, SOURCE_DEFAULT_SNAPLEN);
	struct bpf_program prog;
	bool ok = false;

	if (!dead)
		return true; /* out of memory: let the real open report it */
	if (pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
		pcap_freecode(&prog);
		ok = true;
	} else {
		snprintf(err, SOURCE_ERRBUF_SIZE, "bad filter '%s': %s", filter,
			 pcap_geterr(dead));
	}
	pcap_close(dead);
	return ok;
}

static bool file_frame(const struct source_frame *f, void *user)
{
	struct decode_run *r = user;
	tap_frame(r->tap, f, r->err);
	return true;
}

static int run_file(struct decode_run *r)
{
	enum source_status st = source_each(r->src, file_frame, r, r->err);

	if (st == SOURCE_ERROR) {
		/* Report what was decoded before the damage, then fail. */
		tap_finish(r->tap);
		fflush(stdout);
		errmsg(r->err);
		return 1;
	}
	return 0;
}

static int run_live(struct decode_run *r)
{
	sigset_t mask;
	int sfd, rc = 0;
	bool stop = false;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	/* A closed output pipe (`... | head`) ends the capture like Ctrl-C,
	 * instead of killing the process before the recording is flushed. */
	sigaddset(&mask, SIGPIPE);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		errmsg("signalfd failed");
		return 1;
	}
	char esc[512];
	textesc_escape(esc, sizeof(esc), source_name(r->src), strlen(source_name(r->src)), 0);
	fprintf(stderr, "tcpstep decode: listening on %s, link type %s\n", esc,
		decode_link_name(r->linktype));
	while (!stop) {
		struct pollfd p[2] = {
			{ .fd = source_fd(r->src), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		if (poll(p, 2, 250) < 0 && errno != EINTR) {
			errmsg("poll failed");
			rc = 1;
			break;
		}
		if (p[1].revents & POLLIN)
			break;
		for (;;) {
			struct source_frame f;
			enum source_status st = source_next(r->src, &f, r->err);
			if (st == SOURCE_AGAIN)
				break;
			if (st != SOURCE_FRAME) {
				if (st == SOURCE_ERROR) {
					errmsg(r->err);
					rc = 1;
				}
				stop = true;
				break;
			}
			if (!tap_frame(r->tap, &f, r->err)) {
				errmsg(r->err); /* the recording failed */
				r->rec_failed = true;
				rc = 1;
				stop = true;
				break;
			}
			if (r->opt.count && tap_get_stats(r->tap)->frames >= r->opt.count) {
				stop = true;
				break;
			}
		}
		/* Live, the wall clock is capture time: TIME_WAIT ends on
		 * schedule even when no frame arrives. */
		tap_advance(r->tap, source_now_ns());
		if (r->rec && !recorder_flush(r->rec, r->err)) {
			errmsg(r->err);
			r->rec_failed = true;
			rc = 1;
			stop = true;
		}
		fflush(stdout);
	}
	/* The signals stay blocked (this command ends right after): a second
	 * Ctrl-C, or the SIGPIPE of a last write to a closed pipe, must not
	 * kill the process before the recording is closed and the drop counts
	 * are reported. */
	close(sfd);
	return rc;
}

int cmd_decode_main(int argc, char **argv)
{
	struct decode_run r;
	struct tap_config tc;
	struct output_config oc;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = parse_args(argc, argv, &r.opt);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!filter_syntax_ok(r.opt.filter, r.err)) {
		errmsg(r.err);
		return 2;
	}
	if (r.opt.iface)
		r.src = source_open_live(r.opt.iface, r.opt.filter, 0, r.err);
	else
		r.src = source_open_file(r.opt.file, r.opt.filter, r.err);
	if (!r.src) {
		errmsg(r.err);
		return 1;
	}
	r.linktype = source_linktype(r.src);
	/* Files: big output blocks (a million lines is common); live: each
	 * loop pass flushes, so lines appear as segments cross. The buffer
	 * is ours: given NULL, glibc ignores the size and allocates
	 * st_blksize bytes (4 KiB for a pipe or /dev/null). */
	if (!r.opt.iface) {
		static char outbuf[1 << 16];
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	}

	memset(&oc, 0, sizeof(oc));
	oc.format = r.opt.json ? OUTPUT_JSON : OUTPUT_TEXT;
	oc.summary = r.opt.summary;
	oc.absolute = r.opt.absolute;
	r.out = output_create(stdout, &oc);
	if (!r.out) {
		errmsg("out of memory");
		rc = 1;
		goto out;
	}
	if (r.opt.write) {
		r.rec = recorder_open(r.opt.write, r.linktype, source_snaplen(r.src), r.err);
		if (!r.rec) {
			errmsg(r.err);
			rc = 1;
			goto out;
		}
	}
	memset(&tc, 0, sizeof(tc));
	tc.linktype = r.linktype;
	tc.msl_ns = r.opt.msl_ns;
	/* --summary prints the connection summaries and nothing else. */
	tc.summaries_only = r.opt.summary;
	tc.out = r.out;
	tc.rec = r.rec;
	r.tap = tap_create(&tc);
	if (!r.tap) {
		errmsg("out of memory");
		rc = 1;
		goto out;
	}

	rc = r.opt.iface ? run_live(&r) : run_file(&r);
	if (rc == 0)
		tap_finish(r.tap);
	if (r.opt.iface) {
		struct source_stats st;
		source_get_stats(r.src, &st);
		fprintf(stderr, "%llu frames captured, %llu TCP segments",
			(unsigned long long)st.matched,
			(unsigned long long)tap_get_stats(r.tap)->by_result[DECODE_OK]);
		if (st.have_drops)
			fprintf(stderr, ", %llu dropped by kernel, %llu dropped by interface",
				(unsigned long long)st.dropped,
				(unsigned long long)st.if_dropped);
		fprintf(stderr, "\n");
	}
	if (r.rec) {
		unsigned long long n = recorder_frames(r.rec);
		if (!recorder_close(r.rec, r.err)) {
			/* A failed recorder fails again with the same reason
			 * (recorder.h): say it once. */
			if (!r.rec_failed)
				errmsg(r.err);
			rc = 1;
		} else {
			char esc[512];
			textesc_escape(esc, sizeof(esc), r.opt.write, strlen(r.opt.write), 0);
			fprintf(stderr, "%llu frames written to %s\n", n, esc);
		}
		r.rec = NULL;
	}
out:
	if (fflush(stdout) != 0 && rc == 0) {
		errmsg("cannot write standard output");
		rc = 1;
	}
	tap_destroy(r.tap);
	recorder_close(r.rec, r.err);
	output_destroy(r.out);
	source_close(r.src);
	return rc;
}
