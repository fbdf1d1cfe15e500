/* The capture pipeline: callbacks in capture order, decode statistics,
 * recording of every frame (TCP or not), printing through output. */
#include <unistd.h>

#include "check.h"
#include "tap.h"

static const char *dir;
static char pbuf[4096];

static const char *cap(const char *name)
{
	snprintf(pbuf, sizeof(pbuf), "%s/%s", dir, name);
	return pbuf;
}

struct seen {
	int segments, states, conns;
	uint64_t last_pkt;
	bool in_order;
	char log[4096];
	size_t n;
};

static void on_segment(const struct segment *seg, const struct tracker_seginfo *info,
		       void *user)
{
	struct seen *s = user;
	s->segments++;
	if (seg->pkt < s->last_pkt)
		s->in_order = false;
	s->last_pkt = seg->pkt;
	CHECK(info->conn >= 1);
}

static void on_event(const struct tracker_event *ev, void *user)
{
	struct seen *s = user;
	if (ev->type == TRACKER_EV_STATE) {
		s->states++;
		s->n += (size_t)snprintf(s->log + s->n, sizeof(s->log) - s->n, "%d:%s>%s ",
					 ev->u.state.endpoint, tcpstate_to_str(ev->u.state.from),
					 tcpstate_to_str(ev->u.state.to));
	} else {
		s->conns++;
	}
}

static void run(const char *name, struct tap_config *c, struct seen *s, char *err)
{
	struct source *src = source_open_file(cap(name), NULL, err);
	struct source_frame f;
	CHECK(src != NULL);
	if (!src)
		return;
	c->linktype = source_linktype(src);
	c->on_segment = on_segment;
	c->on_event = on_event;
	c->user = s;
	struct tap *t = tap_create(c);
	CHECK(t != NULL);
	while (source_next(src, &f, err) == SOURCE_FRAME)
		CHECK(tap_frame(t, &f, err));
	tap_finish(t);
	const struct tap_stats *st = tap_get_stats(t);
	if (strcmp(name, "misc.pcap") == 0) {
		CHECK_INT_EQ(st->frames, 7);
		CHECK_INT_EQ(st->by_result[DECODE_NOT_IP], 1);      /* ARP */
		CHECK_INT_EQ(st->by_result[DECODE_NOT_TCP], 1);     /* UDP */
		CHECK_INT_EQ(st->by_result[DECODE_ICMP_ERROR], 1);
		CHECK_INT_EQ(st->by_result[DECODE_MALFORMED], 1);
		CHECK_INT_EQ(st->by_result[DECODE_FRAGMENT], 1);
		CHECK_INT_EQ(st->by_result[DECODE_OK], 2);          /* SYN, first fragment */
	}
	CHECK_INT_EQ(st->untracked, 0);
	CHECK(tap_tracker(t) != NULL);
	tap_destroy(t);
	source_close(src);
}

static void test_hello_callbacks_in_capture_order(void)
{
	char err[SOURCE_ERRBUF_SIZE];
	struct seen s = { .in_order = true };
	struct tap_config c = { 0 };
	run("hello.pcap", &c, &s, err);
	CHECK_INT_EQ(s.segments, 10);
	CHECK(s.in_order);
	CHECK_INT_EQ(s.conns, 1);
	/* the article's exchange, both endpoints, as the tracker infers it */
	CHECK_STR_EQ(s.log,
		     "0:CLOSED>SYN_SENT 1:CLOSED>LISTEN 1:LISTEN>SYN_RCVD 0:SYN_SENT>ESTABLISHED "
		     "1:SYN_RCVD>ESTABLISHED 1:ESTABLISHED>FIN_WAIT_1 0:ESTABLISHED>CLOSE_WAIT "
		     "1:FIN_WAIT_1>FIN_WAIT_2 0:CLOSE_WAIT>LAST_ACK 1:FIN_WAIT_2>TIME_WAIT "
		     "0:LAST_ACK>CLOSED ");
}

static void test_misc_stats_and_recording_keeps_every_frame(void)
{
	char err[SOURCE_ERRBUF_SIZE], out[4096];
	struct seen s = { .in_order = true };
	struct tap_config c = { 0 };
	snprintf(out, sizeof(out), "%s/tap-%d.pcap", dir, (int)getpid());
	c.rec = recorder_open(out, DECODE_LINK_ETHERNET, 65535, err);
	CHECK(c.rec != NULL);
	FILE *devnull = fopen("/dev/null", "w");
	struct output_config oc = { .format = OUTPUT_TEXT };
	c.out = output_create(devnull, &oc);
	run("misc.pcap", &c, &s, err);
	CHECK(recorder_close(c.rec, err));
	output_destroy(c.out);
	fclose(devnull);
	CHECK_INT_EQ(s.segments, 2);

	/* all 7 frames were recorded, the ARP and the ICMP error too */
	struct source *src = source_open_file(out, NULL, err);
	struct source_frame f;
	int n = 0;
	CHECK(src != NULL);
	while (src && source_next(src, &f, err) == SOURCE_FRAME)
		n++;
	CHECK_INT_EQ(n, 7);
	source_close(src);
	unlink(out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_tap CAPTURE_DIR\n");
		return 2;
	}
	dir = argv[1];
	RUN(test_hello_callbacks_in_capture_order);
	RUN(test_misc_stats_and_recording_keeps_every_frame);
	CHECK_EXIT();
}
