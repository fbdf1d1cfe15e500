/* The replay engine (see replay.h).
 *
 * Memory of the index, per frame of the file: 4 bytes of connection id,
 * 4 of marks (bits 0-8 the tracker's marks, bit 9 the sending endpoint,
 * bit 10 "a tracked segment", bits 11-13 the segment note's reason key,
 * bits 14-31 the dup-ack count, saturated at 262143) and
 * 8 of capture time: 16 bytes. Per tracked segment, in its connection's
 * frame list: 4 bytes of frame number and 4 of payload length, plus every
 * REPLAY_BLOCK entries a checkpoint of both directions' byte counts (16
 * bytes / 64 segments): about 8.3 bytes. Per REPLAY_BLOCK frames one file
 * offset (16 bytes / 64 frames). Per connection a struct replay_cn (about
 * 170 bytes) and 32 bytes per transition; per transition 4 more bytes in
 * the list of every connection's transitions.
 *
 * Two sources are open on the file: one is read forward by the indexer,
 * the other seeks for replay_frame, so showing a frame never disturbs
 * indexing. */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "source.h"

/* One file offset per REPLAY_BLOCK frames; a connection's byte counts are
 * checkpointed every REPLAY_BLOCK of its segments. */
#define REPLAY_BLOCK 64

#define FM_MARKS 0x1ffu
#define FM_ENDPOINT (1u << 9)
#define FM_SEGMENT (1u << 10)
#define FM_NOTE_SHIFT 11 /* 3 bits: 1 + index in replay.notes, 0 none */
#define FM_NOTE_MASK 7u
#define FM_DUP_SHIFT 14
#define FM_DUP_MAX ((1u << 18) - 1)

/* History letters, in the order one segment shows them. */
enum { H_SYN, H_SYNACK, H_ACK, H_DATA, H_FIN, H_RST, H_COUNT };
static const char hist_upper[H_COUNT] = { 'S', 'H', 'A', 'D', 'F', 'R' };

/* 8 bytes. A transition's time is its frame's, except a timer's (the
 * deadline), kept in its connection's timer_ts. */
struct replay_tr {
	uint32_t pkt;
	uint8_t ep_timer; /* bit 0 the endpoint, bit 1 by the timer */
	uint8_t from, to;
	uint8_t why;      /* index in replay.whys: the (cause, reason) pair */
};

/* The tracker's (cause, reason) pairs are few static strings: each
 * transition names its pair by index instead of two pointers. */
#define REPLAY_MAX_WHYS 256
struct replay_why {
	const char *cause, *reason;
};

struct replay_cn {
	uint8_t ip_version;
	uint8_t addr[2][16];
	uint16_t port[2];
	bool mid_stream;
	/* The relative-number bases: the tracker may set a direction's base
	 * again (a SYN-ACK re-bases it, a retried SYN reopens), so each change
	 * is kept with the frame from which it holds. Kind 2e: the base of
	 * endpoint e's seq numbers; kind 2e+1: the base of the acks e sends.
	 * A handful per connection. */
	struct replay_base *bases;
	uint32_t nbases, capbases;
	int64_t timer_ts[2];   /* deadline of each endpoint's timer transition */
	uint32_t first_letter[2][H_COUNT]; /* frame of each letter's first sight, 0 none */
	uint32_t *frames;      /* its frames, ascending */
	uint32_t *plen;        /* payload length of each */
	uint64_t (*cum)[2];    /* bytes per direction before entry k*REPLAY_BLOCK */
	uint64_t nframes, capframes;
	uint64_t dir_bytes[2]; /* running totals, for the checkpoints */
	struct replay_tr *log; /* sorted by pkt, stable */
	uint64_t nlog, caplog;
};

struct replay_base {
	uint32_t pkt;
	uint32_t base;
	uint8_t kind;
};

struct replay_ck {
	int64_t offset;   /* of frame pkt's record */
	uint64_t pkt;
};

struct replay {
	char path[64];      /* what the sources open ("/dev/fd/N" for a spool) */
	int spool_fd;       /* -1 unless standard input was spooled */
	struct source *ix, *rd;
	struct tracker *trk;
	bool done;
	bool follow, follow_ended, at_end;
	char damage[REPLAY_ERRBUF_SIZE];
	bool have_damage;
	int64_t file_size;

	uint64_t nframes, capf;
	uint32_t *f_conn, *f_marks;
	/* Capture time: per frame 1 + nanoseconds after its block's base
	 * (0: no time, a frame the filter hid; UINT32_MAX: in tsx). */
	uint32_t *f_tsd;
	int64_t *blk_ts;   /* per REPLAY_BLOCK frames; INT64_MIN: none yet */
	uint64_t nblk, capblk;
	struct replay_tsx { uint64_t pkt; int64_t ts; } *tsx; /* the rest, by pkt */
	uint64_t ntsx, captsx;

	struct replay_ck *cks;
	uint64_t ncks, capcks;

	struct replay_cn *conns; /* [0] unused */
	uint64_t nconns, capconns;

	uint32_t *all_tr; /* pkt of every transition, sorted */
	uint64_t nall, capall;

	uint64_t next_ck;   /* a frame >= this one records the next checkpoint */
	char *filter;       /* to reopen the reader at the file's start */
	char *open_path;

	struct replay_why whys[REPLAY_MAX_WHYS];
	const char *notes[FM_NOTE_MASK]; /* the tracker's segment note keys seen */
	unsigned nnotes;
	unsigned nwhys;

	uint8_t payload[256];
};

static bool grow(void **p, uint64_t *cap, uint64_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint64_t n = *cap ? *cap : 4;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, (size_t)n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

/* Standard input into an unlinked temporary file, so it can be seeked. */
static int spool_stdin(char *err)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/tcpstep-replay-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmpl);
	if (fd < 0) {
		snprintf(err, REPLAY_ERRBUF_SIZE, "standard input: cannot make a temporary file: %s",
			 strerror(errno));
		return -1;
	}
	unlink(tmpl);
	/* Private: a program the UI starts must not inherit it. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	char buf[65536];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, REPLAY_ERRBUF_SIZE, "standard input: %s", strerror(errno));
			close(fd);
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				snprintf(err, REPLAY_ERRBUF_SIZE,
					 "standard input: cannot spool: %s", strerror(errno));
				close(fd);
				return -1;
			}
			off += w;
		}
	}
	return fd;
}

/* A source's message names "/dev/fd/N" for the spool of standard input:
 * say "standard input", as `decode -` does. */
static void copy_msg(const struct replay *r, char *dst, size_t n, const char *msg)
{
	size_t k = strlen(r->path);
	if (r->spool_fd >= 0 && k && strncmp(msg, r->path, k) == 0)
		snprintf(dst, n, "standard input%s", msg + k);
	else
		snprintf(dst, n, "%s", msg);
}

struct replay *replay_open(const char *path, const struct replay_config *cfg,
			   char *err)
{
	struct replay *r = calloc(1, sizeof(*r));
	char serr[SOURCE_ERRBUF_SIZE];
	struct stat st;

	if (!r) {
		snprintf(err, REPLAY_ERRBUF_SIZE, "%s: out of memory", path);
		return NULL;
	}
	r->spool_fd = -1;
	const char *open_path = path;
	if (strcmp(path, "-") == 0) {
		r->spool_fd = spool_stdin(err);
		if (r->spool_fd < 0) {
			free(r);
			return NULL;
		}
		/* Each open of /dev/fd/N has its own offset (Linux reopens the
		 * file), so the two sources do not share one. */
		snprintf(r->path, sizeof(r->path), "/dev/fd/%d", r->spool_fd);
		open_path = r->path;
	}
	const char *filter = cfg ? cfg->filter : NULL;
	r->ix = source_open_file(open_path, filter, serr);
	if (r->ix)
		r->rd = source_open_file(open_path, filter, serr);
	if (!r->ix || !r->rd) {
		copy_msg(r, err, REPLAY_ERRBUF_SIZE, serr);
		replay_close(r);
		return NULL;
	}
	r->follow = cfg && cfg->follow;
	struct tracker_config tc = { .msl_ns = cfg ? cfg->msl_ns : 0 };
	r->trk = tracker_create(&tc);
	if (!r->trk || !grow((void **)&r->conns, &r->capconns, 1, sizeof(*r->conns))) {
		snprintf(err, REPLAY_ERRBUF_SIZE, "%s: out of memory", path);
		replay_close(r);
		return NULL;
	}
	memset(&r->conns[0], 0, sizeof(r->conns[0]));
	if (stat(open_path, &st) == 0)
		r->file_size = st.st_size;
	if ((filter && *filter && !(r->filter = strdup(filter))) ||
	    !(r->open_path = strdup(open_path))) {
		snprintf(err, REPLAY_ERRBUF_SIZE, "%s: out of memory", path);
		replay_close(r);
		return NULL;
	}
	/* Frames before the first recorded offset are read from the file's
	 * start (a pcapng's section and interface headers come first). */
	r->cks = malloc(sizeof(*r->cks));
	if (!r->cks) {
		snprintf(err, REPLAY_ERRBUF_SIZE, "%s: out of memory", path);
		replay_close(r);
		return NULL;
	}
	r->capcks = r->ncks = 1;
	r->cks[0].offset = -1;
	r->cks[0].pkt = 1;
	r->next_ck = REPLAY_BLOCK + 1;
	return r;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	source_close(r->ix);
	source_close(r->rd);
	tracker_destroy(r->trk);
	for (uint64_t i = 1; i <= r->nconns; i++) {
		free(r->conns[i].frames);
		free(r->conns[i].plen);
		free(r->conns[i].cum);
		free(r->conns[i].log);
		free(r->conns[i].bases);
	}
	free(r->conns);
	free(r->f_conn);
	free(r->f_marks);
	free(r->f_tsd);
	free(r->blk_ts);
	free(r->tsx);
	free(r->cks);
	free(r->all_tr);
	free(r->filter);
	free(r->open_path);
	if (r->spool_fd >= 0)
		close(r->spool_fd);
	free(r);
}

static void set_damage(struct replay *r, const char *why)
{
	if (r->have_damage)
		return;
	copy_msg(r, r->damage, sizeof(r->damage), why);
	r->have_damage = true;
	r->done = true;
}

/* Frames up to pkt get index slots (zero: not a segment). */
static bool frames_upto(struct replay *r, uint64_t pkt)
{
	if (pkt <= r->nframes)
		return true;
	if (pkt > UINT32_MAX) {
		set_damage(r, "more than 4294967295 frames: the rest is not indexed");
		return false;
	}
	uint64_t c1 = r->capf, c2 = r->capf, c3 = r->capf;
	if (!grow((void **)&r->f_conn, &c1, pkt + 1, sizeof(*r->f_conn)) ||
	    !grow((void **)&r->f_marks, &c2, pkt + 1, sizeof(*r->f_marks)) ||
	    !grow((void **)&r->f_tsd, &c3, pkt + 1, sizeof(*r->f_tsd))) {
		set_damage(r, "out of memory: the rest of the file is not indexed");
		return false;
	}
	/* All three grow by the same rule from the same capacity. */
	r->capf = c1;
	for (uint64_t i = r->nframes + 1; i <= pkt; i++) {
		r->f_conn[i] = 0;
		r->f_marks[i] = 0;
		r->f_tsd[i] = 0;
	}
	r->nframes = pkt;
	return true;
}

static bool set_time(struct replay *r, uint64_t pkt, int64_t ts)
{
	uint64_t b = pkt / REPLAY_BLOCK;
	if (b >= r->nblk) {
		if (!grow((void **)&r->blk_ts, &r->capblk, b + 1, sizeof(*r->blk_ts)))
			return false;
		while (r->nblk <= b)
			r->blk_ts[r->nblk++] = INT64_MIN;
	}
	if (r->blk_ts[b] == INT64_MIN)
		r->blk_ts[b] = ts;
	/* Frames out of time order, or 4.3 s apart in one block: exact. */
	if (ts >= r->blk_ts[b] && ts - r->blk_ts[b] < (int64_t)UINT32_MAX - 1) {
		r->f_tsd[pkt] = (uint32_t)(ts - r->blk_ts[b]) + 1;
		return true;
	}
	if (!grow((void **)&r->tsx, &r->captsx, r->ntsx + 1, sizeof(*r->tsx)))
		return false;
	r->tsx[r->ntsx].pkt = pkt;
	r->tsx[r->ntsx].ts = ts;
	r->ntsx++;
	r->f_tsd[pkt] = UINT32_MAX;
	return true;
}

static int64_t frame_time(const struct replay *r, uint64_t pkt)
{
	uint32_t v = r->f_tsd[pkt];
	if (v == 0)
		return 0;
	if (v != UINT32_MAX)
		return r->blk_ts[pkt / REPLAY_BLOCK] + (int64_t)(v - 1);
	uint64_t lo = 0, hi = r->ntsx; /* tsx is in pkt order: frames come so */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (r->tsx[mid].pkt < pkt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->ntsx && r->tsx[lo].pkt == pkt ? r->tsx[lo].ts : 0;
}

/* A transition's time: its frame's (the causing segment's, as the
 * tracker stamps it), or the timer's deadline. */
static int64_t tr_time(const struct replay *r, const struct replay_cn *c,
		       const struct replay_tr *t)
{
	return (t->ep_timer & 2) ? c->timer_ts[t->ep_timer & 1] : frame_time(r, t->pkt);
}

static struct replay_cn *conn_get(struct replay *r, uint64_t id)
{
	while (r->nconns < id) {
		if (!grow((void **)&r->conns, &r->capconns, r->nconns + 2, sizeof(*r->conns)))
			return NULL;
		r->nconns++;
		memset(&r->conns[r->nconns], 0, sizeof(r->conns[0]));
	}
	return &r->conns[id];
}

static bool add_transition(struct replay *r, const struct tracker_event *ev)
{
	struct replay_cn *c = conn_get(r, ev->conn);
	if (!c || !grow((void **)&c->log, &c->caplog, c->nlog + 1, sizeof(*c->log)) ||
	    !grow((void **)&r->all_tr, &r->capall, r->nall + 1, sizeof(*r->all_tr)))
		return false;
	if (c->nframes == 0) { /* an event before its first segment: take its endpoints */
		c->ip_version = ev->ip_version;
		memcpy(c->addr, ev->addr, sizeof(c->addr));
		memcpy(c->port, ev->port, sizeof(c->port));
	}
	unsigned w = 0;
	while (w < r->nwhys && (r->whys[w].cause != ev->u.state.cause ||
				r->whys[w].reason != ev->u.state.reason))
		w++;
	if (w == r->nwhys) {
		if (w == REPLAY_MAX_WHYS)
			return false; /* not from this tracker: its set is small */
		r->whys[w].cause = ev->u.state.cause;
		r->whys[w].reason = ev->u.state.reason;
		r->nwhys++;
	}
	struct replay_tr t = {
		.pkt = (uint32_t)ev->pkt,
		.ep_timer = (uint8_t)((ev->u.state.endpoint ? 1 : 0) | (ev->u.state.by_timer ? 2 : 0)),
		.from = (uint8_t)ev->u.state.from,
		.to = (uint8_t)ev->u.state.to,
		.why = (uint8_t)w,
	};
	if (ev->u.state.by_timer)
		c->timer_ts[ev->u.state.endpoint ? 1 : 0] = ev->ts_ns;
	/* A transition decided later carries an older pkt: insert after
	 * every entry with pkt <= its own (stable: same-pkt order kept).
	 * Late ones are only a few entries back, so this is short. */
	uint64_t i = c->nlog;
	while (i > 0 && c->log[i - 1].pkt > t.pkt) {
		c->log[i] = c->log[i - 1];
		i--;
	}
	c->log[i] = t;
	c->nlog++;
	uint64_t j = r->nall;
	while (j > 0 && r->all_tr[j - 1] > t.pkt) {
		r->all_tr[j] = r->all_tr[j - 1];
		j--;
	}
	r->all_tr[j] = t.pkt;
	r->nall++;
	return true;
}

/* Arrays grown by doubling are cut to their length when a connection's
 * summary comes (it rarely grows after) and at the end. */
static void shrink(void **p, uint64_t *cap, uint64_t n, size_t elem)
{
	if (n == *cap || n == 0)
		return;
	void *q = realloc(*p, (size_t)n * elem);
	if (q) {
		*p = q;
		*cap = n;
	}
}

static void conn_shrink(struct replay_cn *c)
{
	uint64_t cap2 = c->capframes;
	shrink((void **)&c->frames, &c->capframes, c->nframes, sizeof(*c->frames));
	shrink((void **)&c->plen, &cap2, c->nframes, sizeof(*c->plen));
	shrink((void **)&c->log, &c->caplog, c->nlog, sizeof(*c->log));
}

static bool drain(struct replay *r)
{
	struct tracker_event ev;
	while (tracker_next_event(r->trk, &ev)) {
		if (ev.type == TRACKER_EV_STATE) {
			if (!add_transition(r, &ev))
				return false;
		} else if (ev.conn) {
			struct replay_cn *c = conn_get(r, ev.conn);
			if (!c)
				return false;
			c->mid_stream = ev.u.conn_summary.mid_stream;
			conn_shrink(c);
		}
	}
	return true;
}

static void note_letters(struct replay_cn *c, const struct segment *s, int e, uint32_t pkt)
{
	uint8_t fl = s->flags;
	bool let[H_COUNT] = { false };
	let[H_SYN] = (fl & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
	let[H_SYNACK] = (fl & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK);
	let[H_ACK] = (fl & (TCPF_SYN | TCPF_FIN | TCPF_RST | TCPF_ACK)) == TCPF_ACK &&
		     s->payload_len == 0;
	let[H_DATA] = s->payload_len > 0;
	let[H_FIN] = (fl & TCPF_FIN) != 0;
	let[H_RST] = (fl & TCPF_RST) != 0;
	for (int k = 0; k < H_COUNT; k++)
		if (let[k] && !c->first_letter[e][k])
			c->first_letter[e][k] = pkt;
}

/* Records base as kind's base from frame pkt on, if it is not already. */
static bool note_base(struct replay_cn *c, uint32_t pkt, uint8_t kind, uint32_t base)
{
	for (uint32_t i = c->nbases; i-- > 0;)
		if (c->bases[i].kind == kind) {
			if (c->bases[i].base == base)
				return true;
			break;
		}
	if (c->nbases == c->capbases) {
		uint32_t cap = c->capbases ? c->capbases * 2 : 4;
		void *q = realloc(c->bases, cap * sizeof(*c->bases));
		if (!q)
			return false;
		c->bases = q;
		c->capbases = cap;
	}
	c->bases[c->nbases++] = (struct replay_base){ pkt, base, kind };
	return true;
}

/* kind's base at frame pkt: the last change at or before it. */
static uint32_t base_at(const struct replay_cn *c, uint64_t pkt, uint8_t kind)
{
	for (uint32_t i = c->nbases; i-- > 0;)
		if (c->bases[i].kind == kind && c->bases[i].pkt <= pkt)
			return c->bases[i].base;
	return 0;
}

static struct replay_cn *cn_mut(struct replay *r, uint64_t conn)
{
	return conn >= 1 && conn <= r->nconns ? &r->conns[conn] : NULL;
}

/* Appends frame pkt, plen payload bytes sent by endpoint e, to c. */
static bool append_frame(struct replay_cn *c, uint32_t pkt, uint32_t plen, int e)
{
	uint64_t cap2 = c->capframes;
	if (!grow((void **)&c->frames, &c->capframes, c->nframes + 1, sizeof(*c->frames)) ||
	    !grow((void **)&c->plen, &cap2, c->nframes + 1, sizeof(*c->plen)))
		return false;
	c->capframes = cap2;
	if (c->nframes % REPLAY_BLOCK == 0) {
		uint64_t k = c->nframes / REPLAY_BLOCK, capk = k; /* cum grows exactly */
		void *q = realloc(c->cum, (size_t)(capk + 1) * sizeof(*c->cum));
		if (!q)
			return false;
		c->cum = q;
		c->cum[k][0] = c->dir_bytes[0];
		c->cum[k][1] = c->dir_bytes[1];
	}
	c->frames[c->nframes] = pkt;
	c->plen[c->nframes] = plen;
	c->nframes++;
	c->dir_bytes[e] += plen;
	return true;
}

/* The SYN-ACK s proved that the SYN in frame info->syn_pkt (and its
 * retransmissions), given to connection info->syn_conn when it was seen,
 * opened info->conn (tracker.h): those frames, the last of syn_conn's,
 * move to c as its client's, numbered from that SYN's ISN. */
static bool move_syns(struct replay *r, struct replay_cn *c, const struct segment *s,
		      const struct tracker_seginfo *info)
{
	struct replay_cn *from = cn_mut(r, info->syn_conn);
	if (!from || from == c)
		return true;
	uint64_t k = from->nframes;
	while (k > 0 && from->frames[k - 1] >= info->syn_pkt)
		k--;
	c->ip_version = s->ip_version;
	memcpy(c->addr[1], s->src, 16);
	memcpy(c->addr[0], s->dst, 16);
	c->port[1] = s->sport;
	c->port[0] = s->dport;
	for (uint64_t i = k; i < from->nframes; i++) {
		uint32_t pkt = from->frames[i];
		int e = (r->f_marks[pkt] & FM_ENDPOINT) ? 1 : 0;
		from->dir_bytes[e] -= from->plen[i];
		if (from->first_letter[e][H_SYN] == pkt)
			from->first_letter[e][H_SYN] = 0;
		if (!append_frame(c, pkt, from->plen[i], 0))
			return false;
		if (!c->first_letter[0][H_SYN])
			c->first_letter[0][H_SYN] = pkt;
		r->f_conn[pkt] = (uint32_t)info->conn;
		r->f_marks[pkt] &= ~(uint32_t)FM_ENDPOINT;
	}
	from->nframes = k;
	/* the SYN-ACK acknowledges the client's ISN + 1: rel_ack is from it */
	return note_base(c, (uint32_t)info->syn_pkt, 0, s->ack - info->rel_ack);
}

static bool add_segment(struct replay *r, const struct segment *s,
			const struct tracker_seginfo *info)
{
	struct replay_cn *c = conn_get(r, info->conn);
	if (!c)
		return false;
	int e = info->from_endpoint ? 1 : 0;
	if (info->syn_pkt && !move_syns(r, c, s, info))
		return false;
	if (c->nframes == 0) {
		c->ip_version = s->ip_version;
		memcpy(c->addr[e], s->src, 16);
		memcpy(c->addr[1 - e], s->dst, 16);
		c->port[e] = s->sport;
		c->port[1 - e] = s->dport;
	}
	if (!note_base(c, (uint32_t)s->pkt, 2 * e, s->seq - info->rel_seq) ||
	    ((s->flags & TCPF_ACK) &&
	     !note_base(c, (uint32_t)s->pkt, 2 * e + 1, s->ack - info->rel_ack)))
		return false;
	if (!append_frame(c, (uint32_t)s->pkt, s->payload_len, e))
		return false;
	note_letters(c, s, e, (uint32_t)s->pkt);

	unsigned dup = info->dup_ack_count > FM_DUP_MAX ? FM_DUP_MAX : info->dup_ack_count;
	unsigned note = 0;
	if (info->note_reason) {
		/* A handful of keys (today three RST ones and syn_new_isn);
		 * an eighth would be shown without its note. */
		while (note < r->nnotes && r->notes[note] != info->note_reason)
			note++;
		if (note == r->nnotes && note < FM_NOTE_MASK)
			r->notes[r->nnotes++] = info->note_reason;
		note = note < r->nnotes ? note + 1 : 0;
	}
	r->f_conn[s->pkt] = (uint32_t)info->conn;
	r->f_marks[s->pkt] = (info->marks & FM_MARKS) | (e ? FM_ENDPOINT : 0) | FM_SEGMENT |
			     (note << FM_NOTE_SHIFT) | (dup << FM_DUP_SHIFT);
	return true;
}

struct step {
	struct replay *r;
	uint64_t left;
	bool oom;
};

static bool index_frame(const struct source_frame *f, void *user)
{
	struct step *x = user;
	struct replay *r = x->r;
	struct segment seg;

	if (!frames_upto(r, f->pkt))
		return false;
	if (!set_time(r, f->pkt, f->ts_ns)) {
		x->oom = true;
		return false;
	}
	/* The tracker reads options only from SYNs (decode.h), so the index
	 * skips the others' options, as `decode --summary` does; the marks
	 * are those of `decode --json` (test_replay feeds the tracker fully
	 * decoded segments and compares). replay_frame decodes everything. */
	enum decode_result dr = decode_frame_flags(f->linktype, f->data, f->caplen,
						   f->wirelen, DECODE_SYN_OPTIONS_ONLY,
						   &seg, NULL);
	seg.pkt = f->pkt;
	seg.ts_ns = f->ts_ns;
	tracker_advance(r->trk, f->ts_ns);
	if (!drain(r)) {
		x->oom = true;
		return false;
	}
	if (dr == DECODE_OK) {
		struct tracker_seginfo info;
		if (tracker_input(r->trk, &seg, &info) && info.conn &&
		    !add_segment(r, &seg, &info)) {
			x->oom = true;
			return false;
		}
		if (!drain(r)) {
			x->oom = true;
			return false;
		}
	}
	/* Between records: the offset just past this frame is where frame
	 * pkt + 1 starts. A filter may hide the frame that ends a block, so
	 * the test is >=, not ==. */
	if (f->pkt + 1 >= r->next_ck) {
		int64_t off = source_tell(r->ix);
		if (off >= 0 && grow((void **)&r->cks, &r->capcks, r->ncks + 1, sizeof(*r->cks))) {
			r->cks[r->ncks].offset = off;
			r->cks[r->ncks].pkt = f->pkt + 1;
			r->ncks++;
		}
		r->next_ck = f->pkt + 1 + REPLAY_BLOCK;
	}
	return --x->left > 0;
}

static void finish(struct replay *r)
{
	struct source_stats st;
	/* Frames a filter hid at the end still have numbers. */
	source_get_stats(r->ix, &st);
	frames_upto(r, st.frames);
	for (uint64_t i = 1; i <= r->nconns; i++)
		conn_shrink(&r->conns[i]);
	uint64_t c1 = r->capf, c2 = r->capf, c3 = r->capf;
	shrink((void **)&r->f_conn, &c1, r->nframes + 1, sizeof(*r->f_conn));
	shrink((void **)&r->f_marks, &c2, r->nframes + 1, sizeof(*r->f_marks));
	shrink((void **)&r->f_tsd, &c3, r->nframes + 1, sizeof(*r->f_tsd));
	shrink((void **)&r->blk_ts, &r->capblk, r->nblk, sizeof(*r->blk_ts));
	shrink((void **)&r->tsx, &r->captsx, r->ntsx, sizeof(*r->tsx));
	if (c1 == c2 && c2 == c3)
		r->capf = c1;
	shrink((void **)&r->cks, &r->capcks, r->ncks, sizeof(*r->cks));
	shrink((void **)&r->all_tr, &r->capall, r->nall, sizeof(*r->all_tr));
	shrink((void **)&r->conns, &r->capconns, r->nconns + 1, sizeof(*r->conns));
	while (tracker_finish_step(r->trk))
		if (!drain(r)) {
			set_damage(r, "out of memory while indexing");
			break;
		}
	r->done = true;
}

bool replay_index_step(struct replay *r, uint64_t max_frames)
{
	char serr[SOURCE_ERRBUF_SIZE];
	if (r->done)
		return false;
	if (max_frames == 0)
		return true;
	struct step x = { r, max_frames, false };
	enum source_status st = source_each(r->ix, index_frame, &x, serr);
	if (x.oom) {
		set_damage(r, "out of memory while indexing: the rest is not indexed");
		finish(r);
		r->done = true;
		return false;
	}
	r->at_end = false;
	if (st == SOURCE_FRAME && !r->have_damage)
		return true;
	if (st == SOURCE_EOF && r->follow && !r->follow_ended) {
		/* Nothing more yet: clear the end of file where it stopped, so
		 * the next step reads what the writer adds. */
		struct source_stats ss;
		int64_t off = source_tell(r->ix);

		source_get_stats(r->ix, &ss);
		r->at_end = true;
		if (off >= 0 && source_seek(r->ix, off, ss.frames, serr))
			return false;
		st = SOURCE_ERROR;
	}
	if (st == SOURCE_ERROR)
		set_damage(r, serr);
	finish(r);
	return false;
}

bool replay_index_done(const struct replay *r) { return r->done; }

void replay_follow_end(struct replay *r) { r->follow_ended = true; }

bool replay_at_end(const struct replay *r) { return r->at_end || r->done; }

void replay_advance(struct replay *r, int64_t now_ns)
{
	if (r->done || !r->follow || !r->at_end)
		return;
	tracker_advance(r->trk, now_ns);
	if (!drain(r)) {
		set_damage(r, "out of memory while indexing: the rest is not indexed");
		finish(r);
	}
}

int64_t replay_next_deadline(const struct replay *r)
{
	return r->done ? INT64_MAX : tracker_next_deadline(r->trk);
}

double replay_index_progress(const struct replay *r)
{
	if (r->done)
		return 1.0;
	if (r->file_size <= 0)
		return 0.0;
	int64_t off = source_tell(r->ix);
	double p = off < 0 ? 0.0 : (double)off / (double)r->file_size;
	return p > 1.0 ? 1.0 : p;
}

const char *replay_damage(const struct replay *r) { return r->have_damage ? r->damage : NULL; }
uint64_t replay_frames(const struct replay *r) { return r->nframes; }
uint64_t replay_conns(const struct replay *r) { return r->nconns; }

static const struct replay_cn *cn(const struct replay *r, uint64_t conn)
{
	return conn >= 1 && conn <= r->nconns ? &r->conns[conn] : NULL;
}

/* Puts the reader where the next frame it reads is at most pkt, as close
 * as the checkpoints allow; it may already be there. */
static bool position_reader(struct replay *r, uint64_t pkt, char *serr)
{
	uint64_t lo = 0, hi = r->ncks;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (r->cks[mid].pkt <= pkt)
			lo = mid;
		else
			hi = mid;
	}
	const struct replay_ck *ck = &r->cks[lo];
	struct source_stats st;
	source_get_stats(r->rd, &st);
	uint64_t next = st.frames + 1;
	if (next <= pkt && next >= ck->pkt)
		return true; /* reading on is no longer than seeking */
	if (ck->offset >= 0)
		return source_seek(r->rd, ck->offset, ck->pkt - 1, serr);
	struct source *s = source_open_file(r->open_path, r->filter, serr);
	if (!s)
		return false;
	source_close(r->rd);
	r->rd = s;
	return true;
}

static void rel_numbers(const struct replay *r, struct replay_frame *out)
{
	const struct replay_cn *c = cn(r, out->info.conn);
	int e = out->info.from_endpoint;
	if (!c)
		return;
	out->info.rel_seq = out->seg.seq - base_at(c, out->pkt, (uint8_t)(2 * e));
	out->info.rel_ack = (out->seg.flags & TCPF_ACK)
				    ? out->seg.ack - base_at(c, out->pkt, (uint8_t)(2 * e + 1)) : 0;
}

bool replay_frame(struct replay *r, uint64_t pkt, struct replay_frame *out, char *err)
{
	char serr[SOURCE_ERRBUF_SIZE];
	struct source_frame f;
	enum source_status st;

	memset(out, 0, sizeof(*out));
	if (pkt < 1 || pkt > r->nframes) {
		snprintf(err, REPLAY_ERRBUF_SIZE, "no frame %llu (frames 1 to %llu)",
			 (unsigned long long)pkt, (unsigned long long)r->nframes);
		return false;
	}
	out->pkt = pkt;
	out->ts_ns = frame_time(r, pkt);
	if (!position_reader(r, pkt, serr)) {
		copy_msg(r, err, REPLAY_ERRBUF_SIZE, serr);
		return false;
	}
	while ((st = source_next(r->rd, &f, serr)) == SOURCE_FRAME && f.pkt < pkt)
		;
	if (st == SOURCE_ERROR) {
		copy_msg(r, err, REPLAY_ERRBUF_SIZE, serr);
		return false;
	}
	if (st != SOURCE_FRAME || f.pkt != pkt) {
		/* The filter hid it, or a pcapng record that is no packet has
		 * the number (it was indexed as a number only). */
		snprintf(out->note, sizeof(out->note), "%s",
			 r->filter ? "hidden by the filter"
				   : "not a packet (a pcapng record Wireshark numbers)");
		return true;
	}
	struct decode_detail d;
	enum decode_result dr = decode_frame(f.linktype, f.data, f.caplen, f.wirelen,
					     &out->seg, &d);
	out->seg.pkt = pkt;
	out->seg.ts_ns = f.ts_ns;
	uint32_t m = r->f_marks[pkt];
	if (dr == DECODE_OK && (m & FM_SEGMENT)) {
		out->is_segment = true;
		out->info.conn = r->f_conn[pkt];
		out->info.from_endpoint = (m & FM_ENDPOINT) ? 1 : 0;
		out->info.marks = m & FM_MARKS;
		out->info.dup_ack_count = m >> FM_DUP_SHIFT;
		unsigned note = (m >> FM_NOTE_SHIFT) & FM_NOTE_MASK;
		if (note) {
			out->info.note_reason = r->notes[note - 1];
			out->info.note = tracker_reason_explain(out->info.note_reason);
		}
		rel_numbers(r, out);
	} else if (dr == DECODE_OK) {
		snprintf(out->note, sizeof(out->note), "TCP, not tracked (out of memory)");
	} else if (dr == DECODE_NOT_IP) {
		snprintf(out->note, sizeof(out->note), "not IP");
	} else {
		snprintf(out->note, sizeof(out->note), "%s%s%s", decode_result_to_str(dr),
			 d.why && *d.why ? ": " : "", d.why ? d.why : "");
	}
	if (dr == DECODE_OK) {
		uint32_t n = out->seg.payload_caplen;
		if (n > sizeof(r->payload))
			n = sizeof(r->payload);
		if (n)
			memcpy(r->payload, out->seg.payload, n);
		out->payload = r->payload;
		out->payload_len = n;
		/* seg.payload pointed into the reader's buffer: point it at ours. */
		out->seg.payload = r->payload;
		out->seg.payload_caplen = n;
	}
	return true;
}

uint64_t replay_frame_conn(const struct replay *r, uint64_t pkt)
{
	return pkt >= 1 && pkt <= r->nframes ? r->f_conn[pkt] : 0;
}

unsigned replay_frame_marks(const struct replay *r, uint64_t pkt)
{
	return pkt >= 1 && pkt <= r->nframes ? (r->f_marks[pkt] & FM_MARKS) : 0;
}

int64_t replay_frame_time(const struct replay *r, uint64_t pkt)
{
	return pkt >= 1 && pkt <= r->nframes ? frame_time(r, pkt) : 0;
}

bool replay_conn_info(const struct replay *r, uint64_t conn, struct replay_conn *out)
{
	const struct replay_cn *c = cn(r, conn);
	memset(out, 0, sizeof(*out));
	if (!c)
		return false;
	out->id = conn;
	out->ip_version = c->ip_version;
	memcpy(out->addr, c->addr, sizeof(out->addr));
	memcpy(out->port, c->port, sizeof(out->port));
	out->first_pkt = c->nframes ? c->frames[0] : 0;
	out->last_pkt = c->nframes ? c->frames[c->nframes - 1] : 0;
	/* The summary says so at the end; before, a first transition
	 * CLOSED -> ESTABLISHED does (the mid-stream join). */
	out->mid_stream = c->mid_stream ||
			  (c->nlog && c->log[0].from == TCPSTATE_CLOSED &&
			   c->log[0].to == TCPSTATE_ESTABLISHED);
	return true;
}

/* Entries of the log with pkt <= pkt. */
static uint64_t log_upto(const struct replay_cn *c, uint64_t pkt)
{
	uint64_t lo = 0, hi = c->nlog;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (c->log[mid].pkt <= pkt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Entries of the frame list with frame < pkt. */
static uint64_t frames_below(const struct replay_cn *c, uint64_t pkt)
{
	uint64_t lo = 0, hi = c->nframes;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (c->frames[mid] < pkt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool replay_conn_at(const struct replay *r, uint64_t conn, uint64_t pkt,
		    struct replay_conn_at *out)
{
	const struct replay_cn *c = cn(r, conn);
	memset(out, 0, sizeof(*out));
	out->ended = "";
	if (!c)
		return false;
	uint64_t n = log_upto(c, pkt);
	bool seen[2] = { false, false };
	/* Each endpoint's last transition at or before pkt: transitions per
	 * connection are few (a dozen), so the walk back is short. */
	for (uint64_t i = n; i-- > 0 && !(seen[0] && seen[1]);) {
		int e = c->log[i].ep_timer & 1;
		if (seen[e])
			continue;
		seen[e] = true;
		out->state[e] = (enum tcpstate)c->log[i].to;
		if (c->log[i].to == TCPSTATE_TIME_WAIT)
			out->time_wait_since_ns[e] = tr_time(r, c, &c->log[i]);
	}
	/* Before its first transition an endpoint is in that one's from
	 * state (a server LISTENs before the SYN). */
	for (uint64_t i = n; i < c->nlog && !(seen[0] && seen[1]); i++) {
		int e = c->log[i].ep_timer & 1;
		if (seen[e])
			continue;
		seen[e] = true;
		out->state[e] = (enum tcpstate)c->log[i].from;
	}
	if (n && out->state[0] == TCPSTATE_CLOSED && out->state[1] == TCPSTATE_CLOSED) {
		out->ended = "closed";
		for (uint64_t i = 0; i < n; i++) {
			const char *why = r->whys[c->log[i].why].reason;
			int e = c->log[i].ep_timer & 1;
			if (!why)
				continue;
			if (!strcmp(why, "superseded")) {
				out->ended = "superseded"; /* by a new handshake */
				break;
			}
			if (!strcmp(why, "rst_sent")) {
				out->ended = e ? "reset by server" : "reset by client";
				break;
			}
			if (!strncmp(why, "rst_rcvd", 8)) {
				out->ended = e ? "reset by client" : "reset by server";
				break;
			}
		}
	}
	uint64_t k = frames_below(c, pkt + 1);
	out->segments = k;
	if (k) {
		/* The checkpoint of the block holding entry k - 1, then at most
		 * REPLAY_BLOCK - 1 lengths. */
		uint64_t b = (k - 1) / REPLAY_BLOCK;
		out->bytes[0] = c->cum[b][0];
		out->bytes[1] = c->cum[b][1];
		for (uint64_t i = b * REPLAY_BLOCK; i < k; i++) {
			int e = (r->f_marks[c->frames[i]] & FM_ENDPOINT) ? 1 : 0;
			out->bytes[e] += c->plen[i];
		}
	}
	/* History: each letter and direction once, in order of first sight;
	 * letters of one segment in S H A D F R order. */
	struct { uint32_t f; int l, e; } hs[2 * H_COUNT];
	int nh = 0;
	for (int e = 0; e < 2; e++)
		for (int l = 0; l < H_COUNT; l++) {
			uint32_t f = c->first_letter[e][l];
			if (!f || f > pkt)
				continue;
			int j = nh++;
			while (j > 0 && (hs[j - 1].f > f || (hs[j - 1].f == f && hs[j - 1].l > l))) {
				hs[j] = hs[j - 1];
				j--;
			}
			hs[j].f = f;
			hs[j].l = l;
			hs[j].e = e;
		}
	for (int j = 0; j < nh; j++) {
		char ch = hist_upper[hs[j].l];
		out->history[j] = hs[j].e ? (char)(ch - 'A' + 'a') : ch;
	}
	out->history[nh] = '\0';
	return true;
}

uint64_t replay_conn_frames(const struct replay *r, uint64_t conn)
{
	const struct replay_cn *c = cn(r, conn);
	return c ? c->nframes : 0;
}

uint64_t replay_conn_frame(const struct replay *r, uint64_t conn, uint64_t i)
{
	const struct replay_cn *c = cn(r, conn);
	return c && i < c->nframes ? c->frames[i] : 0;
}

uint64_t replay_conn_frame_lower(const struct replay *r, uint64_t conn, uint64_t pkt)
{
	const struct replay_cn *c = cn(r, conn);
	return c ? frames_below(c, pkt) : 0;
}

uint64_t replay_conn_transitions(const struct replay *r, uint64_t conn)
{
	const struct replay_cn *c = cn(r, conn);
	return c ? c->nlog : 0;
}

bool replay_conn_transition(const struct replay *r, uint64_t conn, uint64_t i,
			    struct replay_transition *out)
{
	const struct replay_cn *c = cn(r, conn);
	memset(out, 0, sizeof(*out));
	if (!c || i >= c->nlog)
		return false;
	const struct replay_tr *t = &c->log[i];
	out->pkt = t->pkt;
	out->ts_ns = tr_time(r, c, t);
	out->endpoint = t->ep_timer & 1;
	out->from = (enum tcpstate)t->from;
	out->to = (enum tcpstate)t->to;
	out->cause = r->whys[t->why].cause;
	out->reason = r->whys[t->why].reason;
	out->by_timer = (t->ep_timer & 2) != 0;
	return true;
}

/* Entries of a sorted pkt array with value <= pkt. */
static uint64_t pkts_upto(const uint32_t *a, uint64_t n, uint64_t pkt)
{
	uint64_t lo = 0, hi = n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (a[mid] <= pkt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t replay_next_transition(const struct replay *r, uint64_t conn, uint64_t pkt)
{
	if (conn == 0) {
		uint64_t i = pkts_upto(r->all_tr, r->nall, pkt);
		return i < r->nall ? r->all_tr[i] : 0;
	}
	const struct replay_cn *c = cn(r, conn);
	if (!c)
		return 0;
	uint64_t i = log_upto(c, pkt);
	return i < c->nlog ? c->log[i].pkt : 0;
}

uint64_t replay_prev_transition(const struct replay *r, uint64_t conn, uint64_t pkt)
{
	if (pkt == 0)
		return 0;
	if (conn == 0) {
		uint64_t i = pkts_upto(r->all_tr, r->nall, pkt - 1);
		return i ? r->all_tr[i - 1] : 0;
	}
	const struct replay_cn *c = cn(r, conn);
	if (!c)
		return 0;
	uint64_t i = log_upto(c, pkt - 1);
	return i ? c->log[i - 1].pkt : 0;
}

uint64_t replay_memory(const struct replay *r)
{
	uint64_t m = sizeof(*r);
	m += r->capf * (sizeof(*r->f_conn) + sizeof(*r->f_marks) + sizeof(*r->f_tsd));
	m += r->capblk * sizeof(*r->blk_ts) + r->captsx * sizeof(*r->tsx);
	m += r->capcks * sizeof(*r->cks);
	m += r->capconns * sizeof(*r->conns);
	m += r->capall * sizeof(*r->all_tr);
	for (uint64_t i = 1; i <= r->nconns; i++) {
		const struct replay_cn *c = &r->conns[i];
		m += c->capframes * (sizeof(*c->frames) + sizeof(*c->plen));
		m += (c->nframes + REPLAY_BLOCK - 1) / REPLAY_BLOCK * sizeof(*c->cum);
		m += c->caplog * sizeof(*c->log);
		m += c->capbases * sizeof(*c->bases);
	}
	return m;
}
