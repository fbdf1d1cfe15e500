/* The replay engine (see replay.h).
 *
 * Layout of the index (sized for 10M frames and 400k connections; the
 * budget is 16 bytes a packet, issue 9):
 *
 *  - Frames, in blocks of REPLAY_BLOCK: while a block is being filled its
 *    frames are kept raw (struct pending); once full it is encoded into one
 *    byte stream: a header byte (bit 0: times in microseconds), then per
 *    frame a varint code (0: a frame that is not a tracked segment; 2: a
 *    frame the filter hid, no time; else bit 0 set, bit 1 "extra word
 *    follows", the rest the zigzag difference of its connection id from the
 *    previous segment's in the block), the zigzag time difference from the
 *    previous frame of the block (in the block's unit) and, with bit 1, the
 *    extra word (marks, note key, dup-ack count). Per block its first time
 *    and where its bytes start (16 bytes). About 3.1 bytes a frame.
 *  - One file offset per REPLAY_BLOCK frames (16 bytes), for seeking.
 *  - A bit per frame: a transition of some connection is stamped there.
 *  - Per connection a 48-byte struct replay_cn and three byte buffers in one
 *    pool: its segments (per segment the varint frame difference from its
 *    previous one and the varint payload length * 2 + sending endpoint;
 *    about 2.8 bytes), every CN_CK segments a checkpoint (stream offset,
 *    frame, byte counts: 24 bytes), and its log: transitions (3 bytes + the
 *    varint frame difference from its first frame, a timer's deadline, the
 *    frame that decided a decided-later one), relative-number base changes
 *    and the first sight of each history letter.
 *  - IPv4 addresses are kept in the record; IPv6 ones are interned (the
 *    record names two by index).
 *  - A small table, by frame, of segment frames in encoded blocks whose
 *    connection is no longer the one their block names: the SYNs a new
 *    handshake on an open connection's ports moved to the new connection
 *    (issue 11 class 4, move_syns; 8 bytes each, a handful a file).
 *
 * A connection's buffers grow through size classes (16, 24, 32, 48, 64...
 * bytes) with free lists; when the tracker releases it (its summary), they
 * are copied to exact size into a packed pool and the class blocks go back
 * to the free lists, so the slack is only that of connections still open.
 * (The segment list and checkpoints of a connection closed through
 * TIME_WAIT go at its last ACK, 2 MSL before its summary: see
 * add_transition.)
 * (A timer transition's frame is written whole, not as a difference: it
 * comes when the connection's segments are out of the cache.)
 *
 * Two sources are open on the file: one is read forward by the indexer,
 * the other seeks for replay_frame, so showing a frame never disturbs
 * indexing. */
#include "replay.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "source.h"

/* Frames per block (of encoded frames and of file offsets). */
#define REPLAY_BLOCK 128
/* A connection's segments per checkpoint of its byte counts. */
#define CN_CK 64

/* The extra word of a segment frame. */
#define FX_MARKS 0x1ffu
#define FX_NOTE_SHIFT 9 /* 3 bits: 1 + index in replay.notes, 0 none */
#define FX_NOTE_MASK 7u
#define FX_DUP_SHIFT 12
#define FX_DUP_MAX ((1u << 18) - 1)

/* Frame kinds in a pending block. */
enum { FK_HIDDEN, FK_PLAIN, FK_SEG };

/* History letters, in the order one segment shows them. */
enum { H_SYN, H_SYNACK, H_ACK, H_DATA, H_FIN, H_RST, H_COUNT };
static const char hist_upper[H_COUNT] = { 'S', 'H', 'A', 'D', 'F', 'R' };

/* Log records: the low 2 bits of the first byte. */
enum { LR_TRANS, LR_BASE, LR_LETTER };
#define LT_EP 0x04u
#define LT_TIMER 0x08u
#define LT_DECIDED 0x10u
#define LT_ABS 0x20u /* frame absolute (no segment yet, or a timer's) */

/* The tracker's (cause, reason) pairs are few static strings: each
 * transition names its pair by index instead of two pointers. */
#define REPLAY_MAX_WHYS 256
struct replay_why {
	const char *cause, *reason;
};

#define NCLS 56
#define CLS_NONE 0xffu  /* no buffer */
#define CLS_EXACT 0xfeu /* copied to exact size: immutable */

#define CNF_IP6 0x01u
#define CNF_MID 0x02u
#define CNF_BASE0 0x04u /* the base of endpoint 0's seq numbers is known */
#define CNF_BASE1 0x08u
#define CNF_V4 0x10u /* addr[] hold the IPv4 addresses, not indexes */
#define CNF_TW 0x20u /* an endpoint went to TIME_WAIT (see add_transition) */

enum { BUF_SEG, BUF_LOG, BUF_CK, BUF_COUNT };

/* 48 bytes. Buffers are pool offsets in 4-byte units. */
struct replay_cn {
	uint32_t off[BUF_COUNT];
	uint32_t len[BUF_COUNT - 1]; /* BUF_CK's length follows from nseg */
	uint32_t nseg;
	uint32_t last;       /* frame of its last segment */
	uint32_t addr[2];    /* [0] client, [1] server: indexes in replay.addrs, or
			      * with CNF_V4 the IPv4 addresses themselves */
	uint16_t port[2];
	uint16_t letters;    /* bit 6e + l: history letter l seen from e */
	uint8_t cls[BUF_COUNT];
	uint8_t flags;
};

/* A connection's checkpoint, every CN_CK segments (unaligned in the pool). */
struct replay_cnck {
	uint32_t off;        /* of segment k's entry in its stream */
	uint32_t prev;       /* frame of segment k - 1 */
	uint64_t bytes[2];   /* payload bytes of segments 0..k-1 by sender */
};

struct replay_blk {
	int64_t base_ts;     /* first time of the block's frames */
	uint64_t pos;        /* its bytes in fstream */
};

struct replay_ck {
	int64_t offset;   /* of frame pkt's record */
	uint64_t pkt;
};

struct replay_moved {
	uint32_t pkt, conn;
};

struct pending {
	uint32_t conn[REPLAY_BLOCK], extra[REPLAY_BLOCK];
	int64_t ts[REPLAY_BLOCK];
	uint8_t kind[REPLAY_BLOCK];
};

/* A transition as the tracker hands it (tracker_config.on_state), kept
 * until the segment that caused it is in the index (drain). */
struct rtr {
	int64_t ts;
	uint32_t conn, pkt;
	uint8_t why, ep, from, to, timer;
};

struct pool {
	uint8_t *mem;
	uint64_t top, cap; /* bytes */
};

struct replay_addr {
	uint8_t a[16];
	uint8_t v;
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

	uint64_t nframes;    /* frames 1..nframes; the last nframes % BLOCK pending */
	uint8_t *fs;         /* encoded blocks */
	uint64_t nfs, capfs;
	struct replay_blk *blk;
	uint64_t nblk, capblk;
	struct pending pend; /* frames nblk*BLOCK+1 .. nframes */
	uint64_t *trbits;    /* bit pkt: some transition is stamped at frame pkt */
	uint64_t captr;      /* in words */

	struct replay_ck *cks;
	uint64_t ncks, capcks;

	struct replay_cn *conns; /* [0] unused */
	uint64_t nconns, capconns;

	/* Segment frames in encoded blocks that moved to another connection
	 * (a superseding handshake's SYNs, see move_syns), by frame. */
	struct replay_moved *moved;
	uint64_t nmoved, capmoved;

	struct pool live, fin; /* connection buffers (see "the pools") */
	uint32_t freel[NCLS]; /* free blocks of live per size class */

	struct replay_addr *addrs;
	uint64_t naddrs, capaddrs;
	uint32_t *ahash;     /* 1 + index in addrs, 0 empty */
	uint64_t capahash;

	struct rtr *tq;      /* transitions not yet logged */
	uint64_t ntq, captq;
	bool tq_fail;        /* one could not be kept: out of memory */

	uint64_t cur;        /* frame whose segment is being fed (decided-later) */
	uint64_t max_tr;     /* the newest transition frame recorded so far */
	uint64_t next_ck;    /* a frame >= this one records the next checkpoint */
	char *filter;        /* to reopen the reader at the file's start */
	char *open_path;

	struct replay_why whys[REPLAY_MAX_WHYS];
	uint16_t whyslot[2 * REPLAY_MAX_WHYS]; /* 1 + index in whys, 0 empty */
	const char *notes[FX_NOTE_MASK]; /* the tracker's segment note keys seen */
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

/* The big arrays (encoded frames, connections, the two pools) are plain
 * realloc'd memory: glibc grows large blocks with mremap already
 * (anonymous mappings with huge pages measured no faster here). The size
 * of an array of cap elements is cap * elem. */
static uint64_t big_bytes(uint64_t cap, size_t elem) { return cap * elem; }

static bool big_grow(void **p, uint64_t *cap, uint64_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint64_t n = *cap ? *cap : 65536 / elem;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, (size_t)(n * elem));
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

/* Cuts an array to n elements. */
static void big_trim(void **p, uint64_t *cap, uint64_t n, size_t elem)
{
	if (!*p || n >= *cap || n == 0)
		return;
	void *q = realloc(*p, (size_t)(n * elem));
	if (q) {
		*p = q;
		*cap = n;
	}
}

static void big_free(void *p, uint64_t cap, size_t elem)
{
	(void)cap;
	(void)elem;
	free(p);
}

/* Arrays grown by doubling are cut to their length at the end. */
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

/* ---- varints (LEB128) and zigzag ---- */

static inline uint8_t *put_uv(uint8_t *p, uint64_t v)
{
	if (v < 0x80) {
		*p = (uint8_t)v;
		return p + 1;
	}
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint64_t get_uv(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint64_t v = *p & 0x7f;
	unsigned sh = 7;
	while (*p++ & 0x80) {
		v |= (uint64_t)(*p & 0x7f) << sh;
		sh += 7;
	}
	*pp = p;
	return v;
}

static inline uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t unzz(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* ---- the pools: connection buffers ---- */

/* Two pools: "live" holds the buffers of connections still open, in size
 * classes of 16, 24, 32, 48, 64, ... bytes (each about 1.41 times the one
 * before) with a free list per class; "fin" holds, packed end to end, the
 * buffers of connections the tracker has released (copied there at their
 * summary, or at the end of the file). Offsets are in 4-byte units. */

#define CLS_SIZE(c) ((uint64_t)(((c) & 1) ? 24 : 16) << ((c) >> 1))
static const uint64_t cls_sizes[NCLS] = {
#define C4(c) CLS_SIZE(c), CLS_SIZE(c + 1), CLS_SIZE(c + 2), CLS_SIZE(c + 3)
	C4(0), C4(4), C4(8), C4(12), C4(16), C4(20), C4(24),
	C4(28), C4(32), C4(36), C4(40), C4(44), C4(48), C4(52),
#undef C4
};

static inline uint64_t cls_size(unsigned c) { return cls_sizes[c]; }

static unsigned cls_for(uint64_t n)
{
	unsigned c = 0;
	while (cls_size(c) < n)
		c++;
	return c;
}

/* A block of n bytes (n a multiple of 4) from the top of p; 0 when out
 * of memory or past 16 GiB (offset 0 is never handed out). */
static uint32_t pool_top(struct pool *p, uint64_t n)
{
	if (p->top == 0)
		p->top = 4;
	if (p->top + n > ((uint64_t)UINT32_MAX) * 4)
		return 0;
	if (!big_grow((void **)&p->mem, &p->cap, p->top + n, 1))
		return 0;
	uint32_t off = (uint32_t)(p->top / 4);
	p->top += n;
	return off;
}

static uint8_t *live_at(const struct replay *r, uint32_t off)
{
	return r->live.mem + (uint64_t)off * 4;
}

static uint32_t live_alloc(struct replay *r, unsigned c)
{
	uint32_t off = r->freel[c];
	if (off) {
		r->freel[c] = get32(live_at(r, off));
		return off;
	}
	return pool_top(&r->live, cls_size(c));
}

static void live_free(struct replay *r, uint32_t off, unsigned c)
{
	memcpy(live_at(r, off), &r->freel[c], 4);
	r->freel[c] = off;
}

static uint64_t buf_cap(unsigned cls, uint64_t len)
{
	return cls == CLS_NONE ? 0 : cls == CLS_EXACT ? len : cls_size(cls);
}

static uint8_t *buf_at(const struct replay *r, uint32_t off, unsigned cls)
{
	return (cls == CLS_EXACT ? r->fin.mem : r->live.mem) + (uint64_t)off * 4;
}

/* Makes room for need bytes in a connection buffer holding len. */
static bool buf_reserve(struct replay *r, uint32_t *off, uint8_t *cls, uint64_t len,
			uint64_t need)
{
	if (need <= buf_cap(*cls, len))
		return true;
	/* A new buffer starts at 96 bytes: most connections fill 40 to 100, so
	 * most never grow (a growth is a copy, and a free block's link read
	 * from memory long unused; 8 alternating runs of the 10M index gave a
	 * median a tenth lower than starting at 64, on a noisy machine). Only
	 * open connections carry the slack. */
	unsigned c = cls_for(need < 96 ? 96 : need);
	if (c >= NCLS)
		return false;
	uint32_t n = live_alloc(r, c);
	if (!n)
		return false;
	if (len) { /* short: word by word beats a call */
		uint8_t *d = live_at(r, n);
		const uint8_t *sp = buf_at(r, *off, *cls);
		for (uint64_t i = 0; i < len; i += 4)
			memcpy(d + i, sp + i, 4);
	}
	if (*cls != CLS_NONE && *cls != CLS_EXACT)
		live_free(r, *off, *cls);
	/* A packed buffer given up (data after the summary: not seen from
	 * this tracker) stays where it is until replay_close. */
	*off = n;
	*cls = (uint8_t)c;
	return true;
}

/* Copies a finished buffer to the packed pool; false when it had to stay
 * in its class block (out of memory). */
static bool buf_settle(struct replay *r, uint32_t *off, uint8_t *cls, uint64_t len)
{
	if (*cls == CLS_NONE || *cls == CLS_EXACT)
		return true;
	if (len == 0) {
		live_free(r, *off, *cls);
		*cls = CLS_NONE;
		*off = 0;
		return true;
	}
	uint32_t n = pool_top(&r->fin, (len + 3) & ~3ull);
	if (!n)
		return false;
	memcpy(r->fin.mem + (uint64_t)n * 4, live_at(r, *off), (size_t)len);
	live_free(r, *off, *cls);
	*off = n;
	*cls = CLS_EXACT;
	return true;
}

/* ---- interned addresses ---- */

static uint64_t addr_hash(const uint8_t *a, uint8_t v)
{
	uint64_t h = 1469598103934665603ull ^ v;
	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

/* The index of address a (version v), added when new; UINT32_MAX when out
 * of memory. */
static uint32_t addr_intern(struct replay *r, const uint8_t *a, uint8_t v)
{
	if (2 * (r->naddrs + 1) > r->capahash) {
		uint64_t cap = r->capahash ? 2 * r->capahash : 1024;
		uint32_t *h = calloc((size_t)cap, sizeof(*h));
		if (!h)
			return UINT32_MAX;
		for (uint64_t i = 0; i < r->naddrs; i++) {
			uint64_t j = addr_hash(r->addrs[i].a, r->addrs[i].v) & (cap - 1);
			while (h[j])
				j = (j + 1) & (cap - 1);
			h[j] = (uint32_t)(i + 1);
		}
		free(r->ahash);
		r->ahash = h;
		r->capahash = cap;
	}
	uint64_t j = addr_hash(a, v) & (r->capahash - 1);
	while (r->ahash[j]) {
		const struct replay_addr *e = &r->addrs[r->ahash[j] - 1];
		if (e->v == v && memcmp(e->a, a, 16) == 0)
			return r->ahash[j] - 1;
		j = (j + 1) & (r->capahash - 1);
	}
	if (r->naddrs >= UINT32_MAX - 1 ||
	    !grow((void **)&r->addrs, &r->capaddrs, r->naddrs + 1, sizeof(*r->addrs)))
		return UINT32_MAX;
	memcpy(r->addrs[r->naddrs].a, a, 16);
	r->addrs[r->naddrs].v = v;
	r->ahash[j] = (uint32_t)(r->naddrs + 1);
	return (uint32_t)r->naddrs++;
}

/* ---- frames ---- */

static void set_damage(struct replay *r, const char *why);

/* Encodes the full pending block and starts the next one. */
static bool flush_block(struct replay *r)
{
	const struct pending *p = &r->pend;
	int i0 = 0;
	while (i0 < REPLAY_BLOCK && p->kind[i0] == FK_HIDDEN)
		i0++;
	int64_t base = i0 < REPLAY_BLOCK ? p->ts[i0] : 0;
	/* At most 1 + 3 varints of 10 bytes a frame. */
	if (!big_grow((void **)&r->fs, &r->capfs, r->nfs + 1 + REPLAY_BLOCK * 30, 1) ||
	    !grow((void **)&r->blk, &r->capblk, r->nblk + 1, sizeof(*r->blk)))
		return false;
	r->blk[r->nblk].base_ts = base;
	r->blk[r->nblk].pos = r->nfs;
	/* In microseconds when every time difference is a multiple of 1000 ns
	 * (any pcap but a nanosecond one): encoded so until one is not, then
	 * again in nanoseconds. */
	bool us = true;
	uint8_t *o;
again:
	o = r->fs + r->nfs;
	*o++ = us ? 1 : 0;
	int64_t prev_ts = base;
	uint32_t prev_conn = 0;
	for (int i = 0; i < REPLAY_BLOCK; i++) {
		switch (p->kind[i]) {
		case FK_HIDDEN:
			*o++ = 2;
			continue;
		case FK_PLAIN:
			*o++ = 0;
			break;
		default: {
			int64_t d = (int64_t)p->conn[i] - (int64_t)prev_conn;
			o = put_uv(o, zz(d) << 2 | (p->extra[i] ? 2u : 0u) | 1u);
			prev_conn = p->conn[i];
		}
		}
		int64_t dt = p->ts[i] - prev_ts;
		if (us) {
			int64_t q = dt / 1000;
			if (q * 1000 != dt) {
				us = false;
				goto again;
			}
			dt = q;
		}
		o = put_uv(o, zz(dt));
		prev_ts = p->ts[i];
		if (p->kind[i] == FK_SEG && p->extra[i])
			o = put_uv(o, p->extra[i]);
	}
	r->nfs = (uint64_t)(o - r->fs);
	r->nblk++;
	return true;
}

/* Frames up to pkt get index slots (hidden until set). */
static bool frames_upto_slow(struct replay *r, uint64_t pkt)
{
	if (pkt > UINT32_MAX) {
		set_damage(r, "more than 4294967295 frames: the rest is not indexed");
		return false;
	}
	uint64_t oldw = r->captr;
	if (!grow((void **)&r->trbits, &r->captr, pkt / 64 + 1, sizeof(*r->trbits))) {
		set_damage(r, "out of memory: the rest of the file is not indexed");
		return false;
	}
	if (r->captr > oldw)
		memset(r->trbits + oldw, 0, (size_t)(r->captr - oldw) * sizeof(*r->trbits));
	while (r->nframes < pkt) {
		uint64_t i = r->nframes % REPLAY_BLOCK;
		if (i == 0 && r->nframes && !flush_block(r)) {
			set_damage(r, "out of memory: the rest of the file is not indexed");
			return false;
		}
		r->pend.kind[i] = FK_HIDDEN;
		r->pend.conn[i] = 0;
		r->pend.extra[i] = 0;
		r->pend.ts[i] = 0;
		r->nframes++;
	}
	return true;
}

static inline bool frames_upto(struct replay *r, uint64_t pkt)
{
	if (pkt <= r->nframes)
		return true;
	/* The common case: the next frame, inside the block and the bits. */
	uint64_t i = r->nframes % REPLAY_BLOCK;
	if (pkt == r->nframes + 1 && i != 0 && pkt / 64 < r->captr) {
		r->pend.kind[i] = FK_HIDDEN;
		r->pend.conn[i] = 0;
		r->pend.extra[i] = 0;
		r->pend.ts[i] = 0;
		r->nframes = pkt;
		return true;
	}
	return frames_upto_slow(r, pkt);
}

static void set_time(struct replay *r, uint64_t pkt, int64_t ts)
{
	uint64_t i = (pkt - 1) % REPLAY_BLOCK;
	r->pend.kind[i] = FK_PLAIN;
	r->pend.ts[i] = ts;
}

struct finfo {
	uint8_t kind;
	uint32_t conn, extra;
	int64_t ts;
};

static void frame_get(const struct replay *r, uint64_t pkt, struct finfo *fi)
{
	uint64_t b = (pkt - 1) / REPLAY_BLOCK, i = (pkt - 1) % REPLAY_BLOCK;
	if (b >= r->nblk) {
		fi->kind = r->pend.kind[i];
		fi->conn = r->pend.conn[i];
		fi->extra = r->pend.extra[i];
		fi->ts = r->pend.ts[i];
		return;
	}
	const uint8_t *p = r->fs + r->blk[b].pos;
	int64_t unit = (*p++ & 1) ? 1000 : 1, ts = r->blk[b].base_ts;
	uint32_t conn = 0, extra = 0;
	uint8_t kind = FK_HIDDEN;
	for (uint64_t k = 0; k <= i; k++) {
		uint64_t code = get_uv(&p);
		extra = 0;
		if (code == 2) {
			kind = FK_HIDDEN;
			continue;
		}
		kind = (code & 1) ? FK_SEG : FK_PLAIN;
		if (code & 1)
			conn = (uint32_t)((int64_t)conn + unzz(code >> 2));
		ts += unzz(get_uv(&p)) * unit;
		if (code & 2)
			extra = (uint32_t)get_uv(&p);
	}
	if (kind == FK_SEG && r->nmoved) {
		uint64_t lo = 0, hi = r->nmoved;
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;
			if (r->moved[mid].pkt < pkt)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->nmoved && r->moved[lo].pkt == pkt)
			conn = r->moved[lo].conn;
	}
	fi->kind = kind;
	fi->conn = kind == FK_SEG ? conn : 0;
	fi->extra = extra;
	fi->ts = kind == FK_HIDDEN ? 0 : ts;
}

/* Frame pkt, a segment, is now connection conn's: in the pending block
 * its slot changes; an encoded block cannot, so the table says it. */
static bool frame_set_conn(struct replay *r, uint64_t pkt, uint32_t conn)
{
	if ((pkt - 1) / REPLAY_BLOCK >= r->nblk) {
		r->pend.conn[(pkt - 1) % REPLAY_BLOCK] = conn;
		return true;
	}
	uint64_t i = r->nmoved;
	while (i > 0 && r->moved[i - 1].pkt >= pkt)
		i--;
	if (i < r->nmoved && r->moved[i].pkt == pkt) {
		r->moved[i].conn = conn;
		return true;
	}
	if (!grow((void **)&r->moved, &r->capmoved, r->nmoved + 1, sizeof(*r->moved)))
		return false;
	memmove(r->moved + i + 1, r->moved + i, (size_t)(r->nmoved - i) * sizeof(*r->moved));
	r->moved[i] = (struct replay_moved){ (uint32_t)pkt, conn };
	r->nmoved++;
	return true;
}

static int64_t frame_time(const struct replay *r, uint64_t pkt)
{
	struct finfo fi;
	frame_get(r, pkt, &fi);
	return fi.ts;
}

static void trbit_set(struct replay *r, uint64_t pkt)
{
	r->trbits[pkt / 64] |= 1ull << (pkt % 64);
}

static void on_state(void *user, const struct tracker_transition *tr);

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
	struct tracker_config tc = { .msl_ns = cfg ? cfg->msl_ns : 0, .on_state = on_state,
				     .on_state_user = r };
	r->trk = tracker_create(&tc);
	/* Pool offset 0 means "no buffer": the first 4 bytes are never used. */
	if (!r->trk || !big_grow((void **)&r->conns, &r->capconns, 1, sizeof(*r->conns)) ||
	    !pool_top(&r->live, 4) || !pool_top(&r->fin, 4)) {
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
	big_free(r->conns, r->capconns, sizeof(*r->conns));
	big_free(r->live.mem, r->live.cap, 1);
	big_free(r->fin.mem, r->fin.cap, 1);
	big_free(r->fs, r->capfs, 1);
	free(r->blk);
	free(r->moved);
	free(r->tq);
	free(r->trbits);
	free(r->cks);
	free(r->addrs);
	free(r->ahash);
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

/* ---- connections ---- */

static struct replay_cn *conn_new(struct replay *r, uint64_t id)
{
	if (id == 0 || id > UINT32_MAX)
		return NULL;
	while (r->nconns < id) {
		if (!big_grow((void **)&r->conns, &r->capconns, r->nconns + 2, sizeof(*r->conns)))
			return NULL;
		r->nconns++;
		struct replay_cn *c = &r->conns[r->nconns];
		memset(c, 0, sizeof(*c));
		memset(c->cls, CLS_NONE, sizeof(c->cls));
	}
	return &r->conns[id];
}

static inline struct replay_cn *conn_get(struct replay *r, uint64_t id)
{
	return id && id <= r->nconns ? &r->conns[id] : conn_new(r, id);
}

static const uint8_t *cn_buf(const struct replay *r, const struct replay_cn *c, int b)
{
	return buf_at(r, c->off[b], c->cls[b]);
}

static uint32_t cn_ncks(const struct replay_cn *c) { return c->nseg ? (c->nseg - 1) / CN_CK : 0; }

static inline uint32_t cn_first(const struct replay *r, const struct replay_cn *c)
{
	if (!c->nseg)
		return 0;
	const uint8_t *p = buf_at(r, c->off[BUF_SEG], c->cls[BUF_SEG]);
	return (uint32_t)get_uv(&p);
}

/* A walk along a connection's segments: after seg_next, frame, sender and
 * payload length are those of segment i - 1 and bytes count segments
 * 0..i-1. */
struct segcur {
	const uint8_t *p;
	uint32_t i, frame, plen;
	int e;
	uint64_t bytes[2];
};

static void seg_at_ck(const struct replay *r, const struct replay_cn *c, uint32_t j,
		      struct segcur *s)
{
	const uint8_t *base = buf_at(r, c->off[BUF_SEG], c->cls[BUF_SEG]);
	s->e = 0;
	s->plen = 0;
	if (j == 0) {
		s->p = base;
		s->frame = 0;
		s->bytes[0] = s->bytes[1] = 0;
	} else {
		struct replay_cnck k;
		memcpy(&k, buf_at(r, c->off[BUF_CK], c->cls[BUF_CK]) + (uint64_t)(j - 1) * sizeof(k),
		       sizeof(k));
		s->p = base + k.off;
		s->frame = k.prev;
		s->bytes[0] = k.bytes[0];
		s->bytes[1] = k.bytes[1];
	}
	s->i = j * CN_CK;
}

static inline void seg_next(struct segcur *s)
{
	s->frame += (uint32_t)get_uv(&s->p);
	uint64_t v = get_uv(&s->p);
	s->e = (int)(v & 1);
	s->plen = (uint32_t)(v >> 1);
	s->bytes[s->e] += s->plen;
	s->i++;
}

/* s at the first segment with frame >= pkt (s->i of them are before). */
static void seg_below(const struct replay *r, const struct replay_cn *c, uint64_t pkt,
		      struct segcur *s)
{
	uint32_t lo = 0, hi = cn_ncks(c);
	const uint8_t *ck = c->cls[BUF_CK] != CLS_NONE ? buf_at(r, c->off[BUF_CK], c->cls[BUF_CK])
						       : NULL;
	while (lo < hi) { /* the last checkpoint whose previous frame is < pkt */
		uint32_t mid = lo + (hi - lo + 1) / 2, prev;
		memcpy(&prev, ck + (uint64_t)(mid - 1) * sizeof(struct replay_cnck) +
				      offsetof(struct replay_cnck, prev), 4);
		if (prev < pkt)
			lo = mid;
		else
			hi = mid - 1;
	}
	if (c->nseg == 0) {
		memset(s, 0, sizeof(*s));
		return;
	}
	seg_at_ck(r, c, lo, s);
	while (s->i < c->nseg) {
		struct segcur t = *s;
		seg_next(&t);
		if (t.frame >= pkt)
			break;
		*s = t;
	}
}

/* Segment i's frame and sender. */
static void seg_get(const struct replay *r, const struct replay_cn *c, uint32_t i,
		    struct segcur *s)
{
	seg_at_ck(r, c, i / CN_CK, s);
	while (s->i <= i)
		seg_next(s);
}

/* One record of a connection's log. */
struct lrec {
	unsigned type;
	uint8_t b0;
	/* LR_TRANS */
	uint64_t pkt, decided;
	int64_t tsd;
	uint8_t from, to, why;
	/* LR_BASE, LR_LETTER */
	uint32_t k, base;
	unsigned what; /* base: endpoint; letter: 6e + l */
};

static const uint8_t *log_next(const uint8_t *p, uint32_t first, struct lrec *x)
{
	uint8_t b0 = *p++;
	x->b0 = b0;
	x->type = b0 & 3;
	switch (x->type) {
	case LR_TRANS:
		x->from = p[0] & 15;
		x->to = p[0] >> 4;
		x->why = p[1];
		p += 2;
		x->pkt = get_uv(&p);
		if (!(b0 & LT_ABS))
			x->pkt = (uint64_t)((int64_t)first + unzz(x->pkt));
		x->tsd = (b0 & LT_TIMER) ? unzz(get_uv(&p)) : 0;
		x->decided = (b0 & LT_DECIDED) ? x->pkt + get_uv(&p) : 0;
		break;
	case LR_BASE:
		x->what = (b0 >> 2) & 1;
		x->k = (uint32_t)get_uv(&p);
		x->base = get32(p);
		p += 4;
		break;
	default:
		x->what = (b0 >> 2) & 15;
		x->k = (uint32_t)get_uv(&p);
		break;
	}
	return p;
}

#define LOG_EACH(r, c, p, end, first)                                                       \
	const uint8_t *p = (c)->len[BUF_LOG] ? cn_buf((r), (c), BUF_LOG) : NULL,           \
		      *end = p ? p + (c)->len[BUF_LOG] : NULL;                             \
	uint32_t first = cn_first((r), (c))

/* Room for need more bytes at the end of buffer b. */
static uint8_t *cn_room_slow(struct replay *r, struct replay_cn *c, int b, uint64_t need)
{
	uint64_t len = c->len[b];
	if (len + need > UINT32_MAX ||
	    !buf_reserve(r, &c->off[b], &c->cls[b], len, len + need))
		return NULL;
	return live_at(r, c->off[b]) + len;
}

static inline uint8_t *cn_room(struct replay *r, struct replay_cn *c, int b, uint64_t need)
{
	unsigned cls = c->cls[b];
	if (cls < NCLS && c->len[b] + need <= cls_size(cls))
		return live_at(r, c->off[b]) + c->len[b];
	return cn_room_slow(r, c, b, need);
}

/* A log record is built in a LOG_REC-byte buffer: with that much room
 * left in the log, it is copied whole (one fixed-size copy, the bytes
 * past n are slack the next record overwrites). */
#define LOG_REC 32

static bool log_put(struct replay *r, struct replay_cn *c, const uint8_t *rec, size_t n);

static inline bool log_put_rec(struct replay *r, struct replay_cn *c,
			       const uint8_t rec[static LOG_REC], size_t n)
{
	unsigned cls = c->cls[BUF_LOG];
	if (cls < NCLS && c->len[BUF_LOG] + LOG_REC <= cls_size(cls)) {
		memcpy(live_at(r, c->off[BUF_LOG]) + c->len[BUF_LOG], rec, LOG_REC);
		c->len[BUF_LOG] += (uint32_t)n;
		return true;
	}
	return log_put(r, c, rec, n);
}

static bool log_put(struct replay *r, struct replay_cn *c, const uint8_t *rec, size_t n)
{
	uint8_t *o = cn_room(r, c, BUF_LOG, n);
	if (!o)
		return false;
	for (size_t i = 0; i < n; i++) /* a few bytes */
		o[i] = rec[i];
	c->len[BUF_LOG] += (uint32_t)n;
	return true;
}

/* The base of endpoint e's seq numbers at segment i (0: none recorded). */
static uint32_t base_at(const struct replay *r, const struct replay_cn *c, int e, uint32_t i)
{
	struct lrec x;
	uint32_t b = 0;
	LOG_EACH(r, c, p, end, first);
	while (p && p < end) {
		p = log_next(p, first, &x);
		if (x.type == LR_BASE && x.what == (unsigned)e && x.k <= i)
			b = x.base;
	}
	return b;
}

static bool base_put(struct replay *r, struct replay_cn *c, int e, uint32_t k, uint32_t base)
{
	uint8_t rec[LOG_REC], *o = rec; /* 1 + 5 + 4 */
	*o++ = (uint8_t)(LR_BASE | (e ? 4u : 0u));
	o = put_uv(o, k);
	memcpy(o, &base, 4);
	o += 4;
	return log_put_rec(r, c, rec, (size_t)(o - rec));
}

/* The tracker (tracker.c, "Relative numbers") keeps one base per direction:
 * set by the direction's first segment or by the first ACK of the other,
 * and again by a SYN-ACK; acks are relative to the other direction's base.
 * A change is logged with the segment from which it holds. A bare SYN
 * never changes it, but one with a new ISN that the tracker holds (a
 * possible new handshake, tracker_seginfo.syn_pkt) is numbered from its
 * own ISN: its base is logged for that segment alone, and the one in
 * force again from the next. fl: the segment's flags (0: an ACK's base). */
static bool note_base_slow(struct replay *r, struct replay_cn *c, int e, uint32_t base,
			   uint8_t fl)
{
	uint8_t flag = e ? CNF_BASE1 : CNF_BASE0;
	uint32_t k = c->nseg;
	if (!(c->flags & flag)) {
		c->flags |= flag;
		return base_put(r, c, e, k, base);
	}
	if (!(fl & TCPF_SYN))
		return true;
	uint32_t cur = base_at(r, c, e, k);
	if (cur == base)
		return true;
	if (!base_put(r, c, e, k, base))
		return false;
	return (fl & (TCPF_ACK | TCPF_RST)) == TCPF_ACK || base_put(r, c, e, k + 1, cur);
}

static inline bool note_base(struct replay *r, struct replay_cn *c, int e, uint32_t base,
			     uint8_t fl)
{
	if ((c->flags & (e ? CNF_BASE1 : CNF_BASE0)) && !(fl & TCPF_SYN))
		return true;
	return note_base_slow(r, c, e, base, fl);
}

static bool cn_endpoints(struct replay *r, struct replay_cn *c, uint8_t v,
			 const uint8_t *client, const uint8_t *server, uint16_t cport,
			 uint16_t sport)
{
	static const uint8_t zero[12];
	uint8_t fl = (uint8_t)(c->flags & ~(CNF_IP6 | CNF_V4));
	if (v == 4 && !memcmp(client + 4, zero, 12) && !memcmp(server + 4, zero, 12)) {
		/* An IPv4 address is as small as an index: kept as it is. */
		memcpy(&c->addr[0], client, 4);
		memcpy(&c->addr[1], server, 4);
		fl |= CNF_V4;
	} else {
		uint32_t a = addr_intern(r, client, v), b = addr_intern(r, server, v);
		if (a == UINT32_MAX || b == UINT32_MAX)
			return false;
		c->addr[0] = a;
		c->addr[1] = b;
	}
	c->port[0] = cport;
	c->port[1] = sport;
	c->flags = (uint8_t)(fl | (v == 6 ? CNF_IP6 : 0));
	return true;
}

/* Appends segment pkt, plen payload bytes sent by endpoint e, to c's
 * list (and a checkpoint every CN_CK segments). */
/* A checkpoint before segment k (a multiple of CN_CK): the previous
 * one's counts and CN_CK lengths. */
static bool seg_ck(struct replay *r, struct replay_cn *c, uint32_t k)
{
	struct segcur w;
	seg_at_ck(r, c, k / CN_CK - 1, &w);
	while (w.i < k)
		seg_next(&w);
	struct replay_cnck ck = { c->len[BUF_SEG], c->last, { w.bytes[0], w.bytes[1] } };
	uint64_t have = (uint64_t)(k / CN_CK - 1) * sizeof(ck);
	if (!buf_reserve(r, &c->off[BUF_CK], &c->cls[BUF_CK], have, have + sizeof(ck)))
		return false;
	memcpy(live_at(r, c->off[BUF_CK]) + have, &ck, sizeof(ck));
	return true;
}

static inline __attribute__((always_inline)) bool
seg_append(struct replay *r, struct replay_cn *c, uint32_t pkt, uint32_t plen, int e)
{
	uint32_t k = c->nseg;
	if (k == UINT32_MAX || (k && k % CN_CK == 0 && !seg_ck(r, c, k)))
		return false;
	/* Two varints of at most 5 bytes each (a frame difference below 2^32,
	 * a length below 2^31 doubled). */
	uint8_t *o = cn_room(r, c, BUF_SEG, 10);
	if (!o)
		return false;
	uint8_t *o0 = o;
	o = put_uv(o, pkt - c->last);
	o = put_uv(o, (uint64_t)plen << 1 | (unsigned)e);
	c->len[BUF_SEG] += (uint32_t)(o - o0);
	c->last = pkt;
	c->nseg++;
	return true;
}

/* Logs the first sight of letters let (bits of H_*) from endpoint e, at
 * segment k. */
static bool letters_put(struct replay *r, struct replay_cn *c, int e, unsigned let, uint32_t k)
{
	uint8_t rec[LOG_REC + 8], *q = rec; /* at most H_COUNT * 6 = 36 */
	uint16_t seen = c->letters;
	for (int l = 0; let && l < H_COUNT; l++) {
		unsigned bit = (unsigned)(6 * e + l);
		if (!(let & (1u << l)))
			continue;
		let &= ~(1u << l);
		*q++ = (uint8_t)(LR_LETTER | bit << 2);
		q = put_uv(q, k);
		seen = (uint16_t)(seen | 1u << bit);
	}
	size_t n = (size_t)(q - rec);
	if (!(n <= LOG_REC ? log_put_rec(r, c, rec, n) : log_put(r, c, rec, n)))
		return false;
	c->letters = seen;
	return true;
}

/* Cuts c's log to what holds for its first cut segments, now that the
 * others moved away: base changes and letters from segment cut on go
 * (and their flags); when no segment stays, a transition's frame, which
 * was a difference from the first one's (first), is written whole. */
static bool log_cut(struct replay *r, struct replay_cn *c, uint32_t cut, uint32_t first)
{
	uint32_t len = c->len[BUF_LOG];
	if (!len)
		return true;
	/* A record is at least 3 bytes; written whole, its frame takes at
	 * most 4 more. */
	uint8_t *tmp = malloc((size_t)len * 3 + 16), *o = tmp;
	if (!tmp)
		return false;
	const uint8_t *p = cn_buf(r, c, BUF_LOG), *end = p + len;
	uint8_t flags = (uint8_t)(c->flags & ~(CNF_BASE0 | CNF_BASE1));
	uint16_t letters = 0;
	while (p < end) {
		struct lrec x;
		const uint8_t *q = log_next(p, first, &x);
		if (x.type == LR_TRANS && cut == 0 && !(x.b0 & LT_ABS)) {
			*o++ = (uint8_t)(x.b0 | LT_ABS);
			*o++ = p[1];
			*o++ = p[2];
			o = put_uv(o, x.pkt);
			if (x.b0 & LT_TIMER)
				o = put_uv(o, zz(x.tsd));
			if (x.b0 & LT_DECIDED)
				o = put_uv(o, x.decided - x.pkt);
		} else if (x.type == LR_TRANS || x.k < cut) {
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
			if (x.type == LR_BASE)
				flags |= x.what ? CNF_BASE1 : CNF_BASE0;
			else if (x.type == LR_LETTER)
				letters = (uint16_t)(letters | 1u << x.what);
		}
		p = q;
	}
	c->flags = flags;
	c->letters = letters;
	c->len[BUF_LOG] = 0;
	bool ok = o == tmp || log_put(r, c, tmp, (size_t)(o - tmp));
	free(tmp);
	return ok;
}

/* The SYN-ACK s proved that the SYN in frame info->syn_pkt (and its
 * retransmissions), given to connection info->syn_conn when it was seen,
 * opened c, connection info->conn (tracker.h): those segments, the last of
 * syn_conn's, move to c as its client's, numbered from that SYN's ISN.
 * syn_conn's list is cut where they start (its checkpoints follow from its
 * count) and so is its log; the frames' blocks name c (frame_set_conn). */
static bool move_syns(struct replay *r, struct replay_cn *c, const struct segment *s,
		      const struct tracker_seginfo *info)
{
	if (info->syn_conn == 0 || info->syn_conn > r->nconns || info->syn_conn == info->conn)
		return true;
	struct replay_cn *from = &r->conns[info->syn_conn];
	struct segcur w;
	seg_below(r, from, info->syn_pkt, &w);
	uint32_t cut = w.i, n = from->nseg - cut;
	if (n == 0)
		return true;
	uint32_t *mv = malloc((size_t)n * 2 * sizeof(*mv)); /* frame, length */
	if (!mv)
		return false;
	struct segcur t = w;
	for (uint32_t i = 0; i < n; i++) {
		seg_next(&t);
		mv[2 * i] = t.frame;
		mv[2 * i + 1] = t.plen;
	}
	uint32_t first = cn_first(r, from);
	from->len[BUF_SEG] = (uint32_t)(w.p - cn_buf(r, from, BUF_SEG));
	from->last = w.frame;
	from->nseg = cut;
	bool ok = log_cut(r, from, cut, first);
	/* from is not used past here: c's buffers may move the pool */
	ok = ok && cn_endpoints(r, c, s->ip_version, s->dst, s->src, s->dport, s->sport);
	/* the SYN-ACK acknowledges the client's ISN + 1: rel_ack is from it */
	ok = ok && note_base(r, c, 0, s->ack - info->rel_ack, TCPF_SYN | TCPF_ACK);
	uint32_t k0 = c->nseg;
	for (uint32_t i = 0; ok && i < n; i++)
		ok = seg_append(r, c, mv[2 * i], mv[2 * i + 1], 0) &&
		     frame_set_conn(r, mv[2 * i], (uint32_t)info->conn);
	if (ok && !(c->letters & (1u << H_SYN)))
		ok = letters_put(r, c, 0, 1u << H_SYN, k0);
	free(mv);
	return ok;
}

/* A segment's history letters (bits of H_*) by its flags that name one
 * (FIN, SYN, RST, ACK) and whether it carries data (SL_DATA, PSH's bit,
 * which names none). */
#define SL_FLAGS (TCPF_FIN | TCPF_SYN | TCPF_RST | TCPF_ACK)
#define SL_DATA TCPF_PSH
#define SL_LET(i)                                                                    \
	((unsigned)(((i) & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) << H_SYN |            \
	 (unsigned)(((i) & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK)) << H_SYNACK | \
	 (unsigned)(((i) & (SL_FLAGS | SL_DATA)) == TCPF_ACK) << H_ACK |              \
	 (unsigned)(((i) & SL_DATA) != 0) << H_DATA |                                 \
	 (unsigned)(((i) & TCPF_FIN) != 0) << H_FIN |                                 \
	 (unsigned)(((i) & TCPF_RST) != 0) << H_RST)
#define SL_LET4(i) SL_LET(i), SL_LET((i) + 1), SL_LET((i) + 2), SL_LET((i) + 3)
static const uint8_t seg_letters[32] = {
	SL_LET4(0), SL_LET4(4), SL_LET4(8), SL_LET4(12),
	SL_LET4(16), SL_LET4(20), SL_LET4(24), SL_LET4(28),
};

static bool add_segment(struct replay *r, const struct segment *s,
			const struct tracker_seginfo *info)
{
	struct replay_cn *c = conn_get(r, info->conn);
	if (!c)
		return false;
	int e = info->from_endpoint ? 1 : 0;
	uint32_t pkt = (uint32_t)s->pkt;
	if (info->syn_pkt && !move_syns(r, c, s, info))
		return false;
	if (c->nseg == 0 &&
	    !(e ? cn_endpoints(r, c, s->ip_version, s->dst, s->src, s->dport, s->sport)
		: cn_endpoints(r, c, s->ip_version, s->src, s->dst, s->sport, s->dport)))
		return false;
	/* Both bases known and no SYN (nearly every segment): one test. */
	uint8_t need = (s->flags & TCPF_ACK) ? CNF_BASE0 | CNF_BASE1 : e ? CNF_BASE1 : CNF_BASE0;
	if (((c->flags & need) != need || (s->flags & TCPF_SYN)) &&
	    (!note_base(r, c, e, s->seq - info->rel_seq, s->flags) ||
	     ((s->flags & TCPF_ACK) && !note_base(r, c, 1 - e, s->ack - info->rel_ack, 0))))
		return false;
	if (!seg_append(r, c, pkt, s->payload_len, e))
		return false;
	uint32_t k = c->nseg - 1;

	/* History letters: the first sight of each, per direction. */
	unsigned let = seg_letters[(s->flags & SL_FLAGS) | (s->payload_len ? SL_DATA : 0)];
	let &= ~((unsigned)c->letters >> (6 * e)) & 63u;
	if (let && !letters_put(r, c, e, let, k))
		return false;

	unsigned dup = info->dup_ack_count > FX_DUP_MAX ? FX_DUP_MAX : info->dup_ack_count;
	unsigned note = 0;
	if (info->note_reason) {
		/* A handful of keys (today three RST ones and syn_new_isn);
		 * an eighth would be shown without its note. */
		while (note < r->nnotes && r->notes[note] != info->note_reason)
			note++;
		if (note == r->nnotes && note < FX_NOTE_MASK)
			r->notes[r->nnotes++] = info->note_reason;
		note = note < r->nnotes ? note + 1 : 0;
	}
	uint64_t i = (s->pkt - 1) % REPLAY_BLOCK;
	r->pend.kind[i] = FK_SEG;
	r->pend.conn[i] = (uint32_t)info->conn;
	r->pend.extra[i] = (info->marks & FX_MARKS) | (note << FX_NOTE_SHIFT) | (dup << FX_DUP_SHIFT);
	return true;
}

/* The index of a (cause, reason) pair in whys, added when new;
 * REPLAY_MAX_WHYS when there is no room. */
static unsigned why_index(struct replay *r, const char *cause, const char *reason)
{
	/* An open-addressing table of the pairs seen (never fuller than half):
	 * a hash and, nearly always, one comparison. */
	uint64_t h = ((uint64_t)(uintptr_t)reason ^ (uint64_t)(uintptr_t)cause * 3) *
		     0x9e3779b97f4a7c15ull;
	unsigned mask = 2 * REPLAY_MAX_WHYS - 1, j = (unsigned)(h >> 40) & mask;
	for (;; j = (j + 1) & mask) {
		unsigned v = r->whyslot[j];
		if (!v)
			break;
		if (r->whys[v - 1].reason == reason && r->whys[v - 1].cause == cause)
			return v - 1;
	}
	unsigned w = r->nwhys;
	if (w == REPLAY_MAX_WHYS)
		return w; /* not from this tracker: its set is small */
	r->whys[w].cause = cause;
	r->whys[w].reason = reason;
	r->nwhys++;
	r->whyslot[j] = (uint16_t)(w + 1);
	return w;
}

/* tracker_config.on_state: called while the tracker works, before the
 * segment that caused the change is added, so the transition waits in
 * tq (in order) for drain. A connection the index has no segment of yet
 * gets its endpoints now: the tracker's copy is gone by then when the
 * connection was freed. */
static void on_state(void *user, const struct tracker_transition *tr)
{
	struct replay *r = user;
	if (r->tq_fail)
		return;
	struct replay_cn *c = tr->pkt <= UINT32_MAX ? conn_get(r, tr->conn) : NULL;
	unsigned w = c ? why_index(r, tr->state.cause, tr->state.reason) : REPLAY_MAX_WHYS;
	/* A timer's transition (TIME_WAIT's end) follows one a segment made,
	 * which set the endpoints: its record, long out of the cache, is not
	 * read here. */
	if (w == REPLAY_MAX_WHYS ||
	    (!tr->state.by_timer && c->nseg == 0 &&
	     !cn_endpoints(r, c, tr->ip_version, tr->addr[0], tr->addr[1], tr->port[0],
			   tr->port[1])) ||
	    !grow((void **)&r->tq, &r->captq, r->ntq + 1, sizeof(*r->tq))) {
		r->tq_fail = true;
		return;
	}
	r->tq[r->ntq++] = (struct rtr){ tr->ts_ns, (uint32_t)tr->conn, (uint32_t)tr->pkt,
					(uint8_t)w, (uint8_t)(tr->state.endpoint ? 1 : 0),
					(uint8_t)tr->state.from, (uint8_t)tr->state.to,
					tr->state.by_timer };
}

static bool add_transition(struct replay *r, const struct rtr *ev)
{
	struct replay_cn *c = &r->conns[ev->conn]; /* made by on_state */
	unsigned w = ev->why;
	bool timer = ev->timer;
	/* Decided later: stamped at an older frame than the segment being
	 * fed, whose arrival decided it (docs/states.md). */
	bool decided = !timer && r->cur && ev->pkt < r->cur;
	uint8_t rec[LOG_REC + 8], *o = rec; /* at most 3 + 5 + 10 + 5 */
	*o++ = (uint8_t)(LR_TRANS | (ev->ep ? LT_EP : 0) | (timer ? LT_TIMER : 0) |
			 (decided ? LT_DECIDED : 0) | (c->nseg && !timer ? 0 : LT_ABS));
	*o++ = (uint8_t)((unsigned)ev->from | (unsigned)ev->to << 4);
	*o++ = (uint8_t)w;
	/* A timer's transition comes long after the connection's last
	 * segment, when its segment list is out of the cache: its frame is
	 * written whole rather than as a difference from the list's first. */
	if (c->nseg && !timer)
		o = put_uv(o, zz((int64_t)ev->pkt - (int64_t)cn_first(r, c)));
	else
		o = put_uv(o, ev->pkt);
	if (timer) {
		int64_t ft = ev->pkt >= 1 && ev->pkt <= r->nframes ? frame_time(r, ev->pkt) : 0;
		o = put_uv(o, zz(ev->ts - ft));
	}
	if (decided)
		o = put_uv(o, r->cur - ev->pkt);
	size_t n = (size_t)(o - rec);
	if (ev->pkt >= r->max_tr) {
		if (!log_put_rec(r, c, rec, n))
			return false;
	} else {
		/* Older than a transition already logged (a decided-later one):
		 * before the first transition of a later frame, so the log
		 * stays in stable pkt order. Logs are short. */
		uint8_t *at = cn_room(r, c, BUF_LOG, n);
		if (!at)
			return false;
		const uint8_t *p = live_at(r, c->off[BUF_LOG]), *end = p + c->len[BUF_LOG];
		uint32_t first = cn_first(r, c);
		while (p < end) {
			struct lrec x;
			const uint8_t *q = log_next(p, first, &x);
			if (x.type == LR_TRANS && x.pkt > ev->pkt)
				break;
			p = q;
		}
		uint8_t *ins = (uint8_t *)p;
		memmove(ins + n, ins, (size_t)(end - p));
		memcpy(ins, rec, n);
		c->len[BUF_LOG] += (uint32_t)n;
	}
	if (ev->pkt > r->max_tr)
		r->max_tr = ev->pkt;
	if (ev->pkt <= r->nframes)
		trbit_set(r, ev->pkt);
	/* One endpoint in TIME_WAIT and the other closed by a segment (the
	 * last ACK): no more segments are expected, but the summary waits
	 * for TIME_WAIT's end, 2 MSL later, when the lists are long out of
	 * the cache. The segment list and its checkpoints are copied to
	 * exact size now, while they are in it; the log waits for the
	 * timer's transition. A late segment (a retransmitted FIN, a few
	 * percent of connections) moves them back to a class block (the
	 * packed copy is then lost until replay_close). */
	if (ev->to == TCPSTATE_TIME_WAIT) {
		c->flags |= CNF_TW;
	} else if (ev->to == TCPSTATE_CLOSED && !timer && (c->flags & CNF_TW)) {
		buf_settle(r, &c->off[BUF_SEG], &c->cls[BUF_SEG], c->len[BUF_SEG]);
		buf_settle(r, &c->off[BUF_CK], &c->cls[BUF_CK],
			   (uint64_t)cn_ncks(c) * sizeof(struct replay_cnck));
	}
	return true;
}

static bool conn_settle(struct replay *r, struct replay_cn *c)
{
	bool a = buf_settle(r, &c->off[BUF_SEG], &c->cls[BUF_SEG], c->len[BUF_SEG]);
	bool b = buf_settle(r, &c->off[BUF_LOG], &c->cls[BUF_LOG], c->len[BUF_LOG]);
	bool k = buf_settle(r, &c->off[BUF_CK], &c->cls[BUF_CK],
			    (uint64_t)cn_ncks(c) * sizeof(struct replay_cnck));
	return a && b && k;
}

/* The transitions in tq, then the summaries the tracker queued: a
 * connection's summary comes after its transitions (tracker.h), and the
 * two orders differ only between connections. */
static bool drain_events(struct replay *r)
{
	if (r->tq_fail)
		return false;
	for (uint64_t i = 0; i < r->ntq; i++)
		if (!add_transition(r, &r->tq[i]))
			return false;
	r->ntq = 0;
	struct tracker_event ev;
	while (tracker_next_event(r->trk, &ev)) {
		if (ev.type == TRACKER_EV_STATE)
			continue; /* not made: on_state has them */
		if (ev.conn) {
			struct replay_cn *c = conn_get(r, ev.conn);
			if (!c)
				return false;
			if (ev.u.conn_summary.mid_stream)
				c->flags |= CNF_MID;
			conn_settle(r, c);
		}
	}
	return true;
}

/* Most frames make no event: one cheap test. */
static inline bool drain(struct replay *r)
{
	return (!r->ntq && !r->tq_fail && !tracker_has_event(r->trk)) || drain_events(r);
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
	set_time(r, f->pkt, f->ts_ns);
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
		r->cur = f->pkt;
		bool ok = drain(r);
		r->cur = 0;
		if (!ok) {
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
	while (tracker_finish_step(r->trk))
		if (!drain(r)) {
			set_damage(r, "out of memory while indexing");
			break;
		}
	bool packed = true;
	for (uint64_t i = 1; i <= r->nconns; i++)
		packed &= conn_settle(r, &r->conns[i]);
	big_trim((void **)&r->fs, &r->capfs, r->nfs, 1);
	shrink((void **)&r->blk, &r->capblk, r->nblk, sizeof(*r->blk));
	shrink((void **)&r->cks, &r->capcks, r->ncks, sizeof(*r->cks));
	big_trim((void **)&r->conns, &r->capconns, r->nconns + 1, sizeof(*r->conns));
	shrink((void **)&r->addrs, &r->capaddrs, r->naddrs, sizeof(*r->addrs));
	big_trim((void **)&r->fin.mem, &r->fin.cap, r->fin.top, 1);
	if (packed) { /* the live pool holds nothing now */
		big_free(r->live.mem, r->live.cap, 1);
		memset(&r->live, 0, sizeof(r->live));
		memset(r->freel, 0, sizeof(r->freel));
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
	struct finfo fi;
	frame_get(r, pkt, &fi);
	out->pkt = pkt;
	out->ts_ns = fi.ts;
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
	const struct replay_cn *c = fi.kind == FK_SEG ? cn(r, fi.conn) : NULL;
	struct segcur sc;
	if (c) {
		seg_below(r, c, pkt, &sc);
		if (sc.i < c->nseg)
			seg_next(&sc);
		if (sc.frame != pkt)
			c = NULL; /* not in its list: cannot be from this index */
	}
	if (dr == DECODE_OK && c) {
		uint32_t m = fi.extra;
		uint32_t i = sc.i - 1;
		int e = sc.e;
		out->is_segment = true;
		out->info.conn = fi.conn;
		out->info.from_endpoint = e;
		out->info.marks = m & FX_MARKS;
		out->info.dup_ack_count = m >> FX_DUP_SHIFT;
		unsigned note = (m >> FX_NOTE_SHIFT) & FX_NOTE_MASK;
		if (note) {
			out->info.note_reason = r->notes[note - 1];
			out->info.note = tracker_reason_explain(out->info.note_reason);
		}
		out->info.rel_seq = out->seg.seq - base_at(r, c, e, i);
		out->info.rel_ack = (out->seg.flags & TCPF_ACK)
					    ? out->seg.ack - base_at(r, c, 1 - e, i) : 0;
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
	struct finfo fi;
	if (pkt < 1 || pkt > r->nframes)
		return 0;
	frame_get(r, pkt, &fi);
	return fi.conn;
}

unsigned replay_frame_marks(const struct replay *r, uint64_t pkt)
{
	struct finfo fi;
	if (pkt < 1 || pkt > r->nframes)
		return 0;
	frame_get(r, pkt, &fi);
	return fi.extra & FX_MARKS;
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
	if (c->nseg || c->len[BUF_LOG]) {
		out->ip_version = (c->flags & CNF_IP6) ? 6 : 4;
		for (int e = 0; e < 2; e++)
			if (c->flags & CNF_V4)
				memcpy(out->addr[e], &c->addr[e], 4);
			else
				memcpy(out->addr[e], r->addrs[c->addr[e]].a, 16);
		memcpy(out->port, c->port, sizeof(out->port));
	}
	out->first_pkt = cn_first(r, c);
	out->last_pkt = c->nseg ? c->last : 0;
	/* The summary says so at the end; before, a first transition
	 * CLOSED -> ESTABLISHED does (the mid-stream join). */
	out->mid_stream = (c->flags & CNF_MID) != 0;
	LOG_EACH(r, c, p, end, first);
	while (!out->mid_stream && p && p < end) {
		struct lrec x;
		p = log_next(p, first, &x);
		if (x.type != LR_TRANS)
			continue;
		out->mid_stream = x.from == TCPSTATE_CLOSED && x.to == TCPSTATE_ESTABLISHED;
		break;
	}
	return true;
}

/* A transition's time: its frame's (the causing segment's, as the
 * tracker stamps it), or the timer's deadline. */
static int64_t tr_time(const struct replay *r, const struct lrec *x)
{
	int64_t ft = x->pkt >= 1 && x->pkt <= r->nframes ? frame_time(r, x->pkt) : 0;
	return ft + x->tsd;
}

bool replay_conn_at(const struct replay *r, uint64_t conn, uint64_t pkt,
		    struct replay_conn_at *out)
{
	const struct replay_cn *c = cn(r, conn);
	memset(out, 0, sizeof(*out));
	out->ended = "";
	if (!c)
		return false;
	struct segcur sc;
	seg_below(r, c, pkt + 1, &sc);
	uint32_t k = sc.i;
	out->segments = k;
	out->bytes[0] = sc.bytes[0];
	out->bytes[1] = sc.bytes[1];
	/* One pass over the log: each endpoint's last transition at or before
	 * pkt gives its state; before its first one an endpoint is in that
	 * one's from state (a server LISTENs before the SYN). */
	bool seen[2] = { false, false }, later[2] = { false, false };
	const struct lrec *last[2] = { NULL, NULL };
	struct lrec lastrec[2];
	const char *rst = NULL; /* the first reason that names an ending */
	int rst_e = 0;
	uint64_t n = 0;
	int nh = 0;
	LOG_EACH(r, c, p, end, first);
	while (p && p < end) {
		struct lrec x;
		p = log_next(p, first, &x);
		if (x.type == LR_LETTER) {
			if (x.k < k && nh < (int)sizeof(out->history) - 1) {
				char ch = hist_upper[x.what % 6];
				out->history[nh++] = x.what >= 6 ? (char)(ch - 'A' + 'a') : ch;
			}
			continue;
		}
		if (x.type != LR_TRANS)
			continue;
		int e = (x.b0 & LT_EP) ? 1 : 0;
		if (x.pkt <= pkt) {
			n++;
			seen[e] = true;
			lastrec[e] = x;
			last[e] = &lastrec[e];
			out->state[e] = (enum tcpstate)x.to;
			const char *why = r->whys[x.why].reason;
			if (!rst && why &&
			    (!strcmp(why, "superseded") || !strcmp(why, "rst_sent") ||
			     !strncmp(why, "rst_rcvd", 8))) {
				rst = why;
				rst_e = e;
			}
		} else if (!seen[e] && !later[e]) {
			later[e] = true;
			out->state[e] = (enum tcpstate)x.from;
		}
	}
	out->history[nh] = '\0';
	for (int e = 0; e < 2; e++)
		if (last[e] && last[e]->to == TCPSTATE_TIME_WAIT)
			out->time_wait_since_ns[e] = tr_time(r, last[e]);
	if (n && out->state[0] == TCPSTATE_CLOSED && out->state[1] == TCPSTATE_CLOSED) {
		out->ended = "closed";
		if (rst && !strcmp(rst, "superseded"))
			out->ended = "superseded"; /* by a new handshake */
		else if (rst && !strcmp(rst, "rst_sent"))
			out->ended = rst_e ? "reset by server" : "reset by client";
		else if (rst)
			out->ended = rst_e ? "reset by client" : "reset by server";
	}
	return true;
}

uint64_t replay_conn_frames(const struct replay *r, uint64_t conn)
{
	const struct replay_cn *c = cn(r, conn);
	return c ? c->nseg : 0;
}

uint64_t replay_conn_frame(const struct replay *r, uint64_t conn, uint64_t i)
{
	const struct replay_cn *c = cn(r, conn);
	if (!c || i >= c->nseg)
		return 0;
	struct segcur s;
	seg_get(r, c, (uint32_t)i, &s);
	return s.frame;
}

uint64_t replay_conn_frame_lower(const struct replay *r, uint64_t conn, uint64_t pkt)
{
	const struct replay_cn *c = cn(r, conn);
	if (!c)
		return 0;
	struct segcur s;
	seg_below(r, c, pkt, &s);
	return s.i;
}

uint64_t replay_conn_transitions(const struct replay *r, uint64_t conn)
{
	const struct replay_cn *c = cn(r, conn);
	uint64_t n = 0;
	if (!c)
		return 0;
	LOG_EACH(r, c, p, end, first);
	while (p && p < end) {
		struct lrec x;
		p = log_next(p, first, &x);
		n += x.type == LR_TRANS;
	}
	return n;
}

/* The i-th transition record of c; false past the end. */
static bool tr_get(const struct replay *r, const struct replay_cn *c, uint64_t i,
		   struct lrec *x)
{
	LOG_EACH(r, c, p, end, first);
	while (p && p < end) {
		p = log_next(p, first, x);
		if (x->type == LR_TRANS && i-- == 0)
			return true;
	}
	return false;
}

bool replay_conn_transition(const struct replay *r, uint64_t conn, uint64_t i,
			    struct replay_transition *out)
{
	const struct replay_cn *c = cn(r, conn);
	struct lrec x;
	memset(out, 0, sizeof(*out));
	if (!c || !tr_get(r, c, i, &x))
		return false;
	out->pkt = x.pkt;
	out->ts_ns = tr_time(r, &x);
	out->endpoint = (x.b0 & LT_EP) ? 1 : 0;
	out->from = (enum tcpstate)x.from;
	out->to = (enum tcpstate)x.to;
	out->cause = r->whys[x.why].cause;
	out->reason = r->whys[x.why].reason;
	out->by_timer = (x.b0 & LT_TIMER) != 0;
	out->decided_pkt = x.decided;
	return true;
}

/* The next set bit of trbits after pkt (0: none). */
static uint64_t trbit_next(const struct replay *r, uint64_t pkt)
{
	uint64_t i = pkt + 1;
	if (i > r->nframes)
		return 0;
	uint64_t w = i / 64, last = r->nframes / 64;
	uint64_t v = r->trbits[w] & (~0ull << (i % 64));
	while (!v && w < last)
		v = r->trbits[++w];
	if (!v)
		return 0;
	uint64_t b = w * 64 + (uint64_t)__builtin_ctzll(v);
	return b <= r->nframes ? b : 0;
}

/* The last set bit of trbits before pkt (0: none). */
static uint64_t trbit_prev(const struct replay *r, uint64_t pkt)
{
	if (pkt <= 1 || r->nframes == 0)
		return 0;
	uint64_t i = pkt - 1 > r->nframes ? r->nframes : pkt - 1;
	uint64_t w = i / 64;
	uint64_t v = r->trbits[w] & (~0ull >> (63 - i % 64));
	while (!v && w > 0)
		v = r->trbits[--w];
	if (!v)
		return 0;
	uint64_t b = w * 64 + 63 - (uint64_t)__builtin_clzll(v);
	return b;
}

uint64_t replay_next_transition(const struct replay *r, uint64_t conn, uint64_t pkt)
{
	if (conn == 0)
		return trbit_next(r, pkt);
	const struct replay_cn *c = cn(r, conn);
	if (!c)
		return 0;
	LOG_EACH(r, c, p, end, first);
	while (p && p < end) { /* the log is in pkt order */
		struct lrec x;
		p = log_next(p, first, &x);
		if (x.type == LR_TRANS && x.pkt > pkt)
			return x.pkt;
	}
	return 0;
}

uint64_t replay_prev_transition(const struct replay *r, uint64_t conn, uint64_t pkt)
{
	if (pkt == 0)
		return 0;
	if (conn == 0)
		return trbit_prev(r, pkt);
	const struct replay_cn *c = cn(r, conn);
	if (!c)
		return 0;
	uint64_t best = 0;
	LOG_EACH(r, c, p, end, first);
	while (p && p < end) {
		struct lrec x;
		p = log_next(p, first, &x);
		if (x.type == LR_TRANS && x.pkt < pkt)
			best = x.pkt;
	}
	return best;
}

uint64_t replay_memory(const struct replay *r)
{
	uint64_t m = sizeof(*r);
	m += big_bytes(r->capfs, 1) + r->capblk * sizeof(*r->blk) + r->captr * sizeof(*r->trbits);
	m += r->capcks * sizeof(*r->cks) + r->capmoved * sizeof(*r->moved);
	m += big_bytes(r->capconns, sizeof(*r->conns));
	m += big_bytes(r->live.cap, 1) + big_bytes(r->fin.cap, 1);
	m += r->capaddrs * sizeof(*r->addrs) + r->capahash * sizeof(*r->ahash);
	return m;
}
