/* The pcapng reader (see pcapng.h). The file is read through a buffer of
 * our own, a whole block at a time, and parsed in place: one fread per
 * 256 KiB, where libpcap's reader makes two per block (header, body).
 *
 * Block layout (draft-ietf-opsawg-pcapng section 3.1): type(4) length(4)
 * body length(4), the length counting all of it and a multiple of 4. A
 * section header's byte-order magic says how every number of its section
 * is written. */
#include "pcapng.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "decode.h"

enum {
	BT_SHB = 0x0A0D0D0A, /* section header: the same in either byte order */
	BT_IDB = 1,          /* interface description */
	BT_OPB = 2,          /* (obsolete) packet block */
	BT_SPB = 3,          /* simple packet block */
	BT_EPB = 6,          /* enhanced packet block */
};

/* Blocks Wireshark (wiretap/pcapng.c, 4.0) shows as numbered records
 * though they hold no packet: custom blocks (copyable or not), systemd
 * journal entries and sysdig events. */
static bool is_record(uint32_t type)
{
	switch (type) {
	case 0x00000BAD: case 0x40000BAD: /* custom */
	case 0x00000009:                  /* systemd journal export */
	case 0x00000204: case 0x00000216: case 0x00000221: /* sysdig events */
		return true;
	default:
		return false;
	}
}

enum {
	OPT_ENDOFOPT = 0,
	OPT_IF_TSRESOL = 9,
	OPT_IF_TSOFFSET = 14,
};

/* Bounds on what a hostile file can make us keep. */
#define MAX_INTERFACES (1u << 20)
#define MAX_SECTIONS (1u << 20)

#define READ_CHUNK (256 * 1024)

struct iface {
	int linktype;      /* DLT_* */
	uint32_t snaplen;
	/* Timestamp units: 10^-exp (pow2 false) or 2^-exp seconds. */
	bool pow2;
	uint8_t exp;
	uint64_t mult;     /* pow10, exp <= 9: ns = units * mult */
	uint64_t div;      /* pow10, exp > 9: ns = units / div (0: always 0) */
	int64_t offset_s;  /* if_tsoffset: seconds added to every time stamp */
};

struct section {
	int64_t start;     /* file offset of its header */
	bool le;           /* little-endian numbers */
	uint32_t first_if; /* its interfaces: ifs[first_if .. first_if + nifs) */
	uint32_t nifs;
};

struct pcapng {
	FILE *fp;
	uint8_t *buf;
	size_t cap, len, pos; /* buf[pos..len) is unread */
	int64_t base;         /* file offset of buf[0] */
	bool read_failed;
	int read_errno;

	struct section *secs;
	uint32_t nsecs, capsecs, cur; /* cur: index into secs, valid if nsecs */
	struct iface *ifs;
	uint32_t nifs, capifs;
	int64_t scanned_end;  /* blocks ending at or before it were handled */
	int64_t last_ts;      /* for simple packet blocks, which have none */
	int64_t first_timed_end; /* end of the first packet with a time; -1 */

	int first_linktype;
	uint32_t first_snaplen;
};

bool pcapng_is_magic(const uint8_t *b)
{
	return b[0] == 0x0A && b[1] == 0x0D && b[2] == 0x0D && b[3] == 0x0A;
}

static uint16_t rd16(const uint8_t *p, bool le)
{
	return le ? (uint16_t)(p[0] | p[1] << 8) : (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p, bool le)
{
	return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			    (uint32_t)p[3] << 24
		  : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
			    (uint32_t)p[3];
}

static uint64_t rd64(const uint8_t *p, bool le)
{
	uint64_t a = rd32(p, le), b = rd32(p + 4, le);
	return le ? b << 32 | a : a << 32 | b;
}

/* Makes n bytes available at buf[pos]; returns how many are (fewer at
 * the end of the file or on a read error, read_failed set then). */
static size_t ensure(struct pcapng *ng, size_t n)
{
	if (ng->len - ng->pos >= n)
		return n;
	if (ng->pos > 0) {
		memmove(ng->buf, ng->buf + ng->pos, ng->len - ng->pos);
		ng->base += (int64_t)ng->pos;
		ng->len -= ng->pos;
		ng->pos = 0;
	}
	if (n > ng->cap) {
		size_t c = ng->cap * 2 > n ? ng->cap * 2 : n;
		uint8_t *b = realloc(ng->buf, c);
		if (!b) {
			ng->read_failed = true;
			ng->read_errno = ENOMEM;
			return ng->len;
		}
		ng->buf = b;
		ng->cap = c;
	}
	while (ng->len < n) {
		size_t want = ng->cap - ng->len;
		size_t got = fread(ng->buf + ng->len, 1, want, ng->fp);
		ng->len += got;
		if (got < want) {
			if (ferror(ng->fp)) {
				ng->read_failed = true;
				ng->read_errno = errno;
			}
			break;
		}
	}
	return ng->len >= n ? n : ng->len;
}

static enum pcapng_status damaged(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum pcapng_status damaged(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, PCAPNG_ERRBUF_SIZE, fmt, ap);
	va_end(ap);
	return PCAPNG_DAMAGED;
}

static enum pcapng_status short_read(struct pcapng *ng, char *err, const char *what)
{
	if (ng->read_failed) {
		snprintf(err, PCAPNG_ERRBUF_SIZE, "cannot read it: %s",
			 strerror(ng->read_errno));
		return PCAPNG_DAMAGED;
	}
	snprintf(err, PCAPNG_ERRBUF_SIZE, "the file ends inside %s", what);
	return PCAPNG_CUT_SHORT;
}

/* if_tsresol (section 4.2): the top bit picks base 2, the rest is the
 * exponent; the default is microseconds. */
static void set_resolution(struct iface *i, uint8_t v)
{
	i->pow2 = (v & 0x80) != 0;
	i->exp = v & 0x7f;
	i->mult = 0;
	i->div = 0;
	if (i->pow2)
		return;
	if (i->exp <= 9) {
		i->mult = 1;
		for (int k = i->exp; k < 9; k++)
			i->mult *= 10;
	} else if (i->exp - 9 <= 19) {
		i->div = 1;
		for (int k = 9; k < i->exp; k++)
			i->div *= 10;
	}
}

/* Units since the epoch to nanoseconds, plus the interface's offset;
 * wraps (unsigned) rather than overflow on absurd values. */
static int64_t to_ns(const struct iface *i, uint64_t t)
{
	uint64_t ns;

	if (!i->pow2) {
		ns = i->mult ? t * i->mult : i->div ? t / i->div : 0;
	} else if (i->exp == 0) {
		ns = t * 1000000000u;
	} else {
		unsigned e = i->exp;
		uint64_t sec = e >= 64 ? 0 : t >> e;
		uint64_t frac = e >= 64 ? t : t & ((UINT64_C(1) << e) - 1);
		/* frac < 2^e, and frac * 10^9 must fit in 64 bits. */
		unsigned drop = e > 34 ? e - 34 : 0;
		ns = sec * 1000000000u +
		     (drop >= 64 ? 0 : ((frac >> drop) * 1000000000u) >> (e - drop));
	}
	ns += (uint64_t)i->offset_s * 1000000000u;
	return (int64_t)ns;
}

static bool add_section(struct pcapng *ng, int64_t start, bool le)
{
	if (ng->nsecs == ng->capsecs) {
		uint32_t c = ng->capsecs ? ng->capsecs * 2 : 4;
		struct section *s = realloc(ng->secs, c * sizeof(*s));
		if (!s)
			return false;
		ng->secs = s;
		ng->capsecs = c;
	}
	ng->secs[ng->nsecs] = (struct section){ start, le, ng->nifs, 0 };
	ng->cur = ng->nsecs++;
	return true;
}

static bool add_iface(struct pcapng *ng, const struct iface *i)
{
	if (ng->nifs == ng->capifs) {
		uint32_t c = ng->capifs ? ng->capifs * 2 : 4;
		struct iface *n = realloc(ng->ifs, c * sizeof(*n));
		if (!n)
			return false;
		ng->ifs = n;
		ng->capifs = c;
	}
	ng->ifs[ng->nifs++] = *i;
	ng->secs[ng->cur].nifs++;
	return true;
}

/* LINKTYPE_* numbers of a file that libpcap's DLT_* numbers differ from
 * (libpcap's linktype_to_dlt, the ones that matter here). */
static int to_dlt(unsigned lt)
{
	switch (lt) {
	case 100: return 11;            /* ATM RFC 1483 */
	case DECODE_LINK_RAW_LT: return DECODE_LINK_RAW;
	default: return (int)lt;
	}
}

static enum pcapng_status read_idb(struct pcapng *ng, const uint8_t *b, uint32_t n,
				   char *err)
{
	bool le = ng->secs[ng->cur].le;
	struct iface i;

	if (n < 8)
		return damaged(err, "an interface description block of %llu bytes is too short "
			       "for its fields (20)", n + 12ull);
	memset(&i, 0, sizeof(i));
	i.linktype = to_dlt(rd16(b, le));
	i.snaplen = rd32(b + 4, le);
	set_resolution(&i, 6);
	/* Options: code(2) length(2) value, padded to 4. One that runs past
	 * the block ends the list (Wireshark reads the interface too). */
	for (uint32_t o = 8; o + 4 <= n;) {
		uint16_t code = rd16(b + o, le), len = rd16(b + o + 2, le);
		if (code == OPT_ENDOFOPT || len > n - o - 4)
			break;
		const uint8_t *v = b + o + 4;
		if (code == OPT_IF_TSRESOL && len == 1)
			set_resolution(&i, v[0]);
		else if (code == OPT_IF_TSOFFSET && len == 8)
			i.offset_s = (int64_t)rd64(v, le);
		o += 4 + (((uint32_t)len + 3) & ~3u);
	}
	if (ng->nifs >= MAX_INTERFACES)
		return damaged(err, "more than %llu interfaces", (unsigned long long)MAX_INTERFACES);
	if (!add_iface(ng, &i))
		return damaged(err, "out of memory");
	if (ng->first_linktype < 0) {
		ng->first_linktype = i.linktype;
		ng->first_snaplen = i.snaplen;
	}
	return PCAPNG_FRAME;
}

static enum pcapng_status read_shb(struct pcapng *ng, int64_t off, bool le,
				   const uint8_t *b, uint32_t n, bool known, char *err)
{
	if (n < 16)
		return damaged(err, "a section header block of %llu bytes is too short "
			       "for its fields (28)", n + 12ull);
	uint16_t major = rd16(b + 4, le), minor = rd16(b + 6, le);
	if (major != 1)
		return damaged(err, "a section is pcapng version %llu.%llu; tcpstep reads "
			       "version 1", (unsigned long long)major, (unsigned long long)minor);
	if (known) {
		for (uint32_t k = ng->nsecs; k-- > 0;)
			if (ng->secs[k].start == off) {
				ng->cur = k;
				return PCAPNG_FRAME;
			}
	}
	if (ng->nsecs >= MAX_SECTIONS)
		return damaged(err, "more than %llu sections", (unsigned long long)MAX_SECTIONS);
	if (!add_section(ng, off, le))
		return damaged(err, "out of memory");
	return PCAPNG_FRAME;
}

/* A packet block's frame. */
static enum pcapng_status read_packet(struct pcapng *ng, uint32_t type, const uint8_t *b,
				      uint32_t n, struct pcapng_frame *f, char *err)
{
	const struct section *s = &ng->secs[ng->cur];
	bool le = s->le;
	uint32_t id, caplen, wirelen, hdr;
	uint64_t t;

	if (type == BT_SPB) {
		/* original length(4) data: the capture is what the block holds,
		 * up to interface 0's snap length; no time stamp. */
		if (n < 4)
			return damaged(err, "a simple packet block of %llu bytes is too short "
				       "for its fields (16)", n + 12ull);
		id = 0;
		hdr = 4;
		wirelen = rd32(b, le);
		caplen = n - 4 < wirelen ? n - 4 : wirelen;
		if (s->nifs > 0) {
			uint32_t snap = ng->ifs[s->first_if].snaplen;
			if (snap && caplen > snap)
				caplen = snap;
		}
	} else {
		/* EPB: interface(4) ts high(4) ts low(4) captured(4) original(4);
		 * the obsolete packet block: interface(2) drops(2), the rest the
		 * same. */
		if (n < 20)
			return damaged(err, "a packet block of %llu bytes is too short for its "
				       "fields (32)", n + 12ull);
		id = type == BT_EPB ? rd32(b, le) : rd16(b, le);
		t = (uint64_t)rd32(b + 4, le) << 32 | rd32(b + 8, le);
		caplen = rd32(b + 12, le);
		wirelen = rd32(b + 16, le);
		hdr = 20;
		if (caplen > n - 20)
			return damaged(err, "a packet block says %llu bytes were captured "
				       "but holds %llu", (unsigned long long)caplen,
				       (unsigned long long)(n - 20));
	}
	if (id >= s->nifs)
		return damaged(err, "a packet names interface %llu, but its section "
			       "describes %llu interfaces before it", (unsigned long long)id,
			       (unsigned long long)s->nifs);
	const struct iface *i = &ng->ifs[s->first_if + id];
	f->ts_ns = type == BT_SPB ? ng->last_ts : to_ns(i, t);
	ng->last_ts = f->ts_ns;
	f->caplen = caplen;
	f->wirelen = wirelen < caplen ? caplen : wirelen;
	f->linktype = i->linktype;
	f->interface = id;
	f->data = b + hdr;
	return PCAPNG_FRAME;
}

/* Reads the block at the current position and handles it. PCAPNG_FRAME:
 * *is_packet says whether *f holds a frame (else a header, an interface
 * or a block skipped). stop_before_packet: leave a packet block unread. */
static enum pcapng_status step(struct pcapng *ng, struct pcapng_frame *f, bool *is_packet,
			       bool stop_before_packet, char *err)
{
	int64_t off = ng->base + (int64_t)ng->pos;
	size_t have = ensure(ng, 12);

	*is_packet = false;
	if (have == 0 && !ng->read_failed)
		return PCAPNG_EOF;
	if (have < 12)
		return short_read(ng, err, "a block's header");
	const uint8_t *p = ng->buf + ng->pos;
	bool le = ng->nsecs ? ng->secs[ng->cur].le : true;
	uint32_t type = rd32(p, le);
	if (type == BT_SHB) {
		/* The byte-order magic 0x1A2B3C4D, in the section's order. */
		if (p[8] == 0x4D && p[9] == 0x3C && p[10] == 0x2B && p[11] == 0x1A)
			le = true;
		else if (p[8] == 0x1A && p[9] == 0x2B && p[10] == 0x3C && p[11] == 0x4D)
			le = false;
		else
			return damaged(err, "a section header has no byte-order magic "
				       "(at offset %llu)", (unsigned long long)off);
	} else if (!ng->nsecs) {
		return damaged(err, "the file does not begin with a section header");
	}
	uint32_t total = rd32(p + 4, le);
	if (total < 12 || total % 4)
		return damaged(err, "a block at offset %llu says it is %llu bytes long, "
			       "where a length is a multiple of 4 and at least 12",
			       (unsigned long long)off, (unsigned long long)total);
	if (total > PCAPNG_MAX_BLOCK)
		return damaged(err, "a block at offset %llu says it is %llu bytes long, "
			       "more than the 16 MiB a capture uses", (unsigned long long)off,
			       (unsigned long long)total);
	bool packet = type == BT_EPB || type == BT_SPB || type == BT_OPB || is_record(type);
	if (packet && stop_before_packet)
		return PCAPNG_FRAME;
	if (ensure(ng, total) < total)
		return short_read(ng, err, type == BT_SHB ? "a section header"
				  : packet ? "a packet block" : "a block");
	p = ng->buf + ng->pos;
	/* The trailing copy of the length, which lets a reader walk back;
	 * Wireshark checks it too. */
	if (rd32(p + total - 4, le) != total)
		return damaged(err, "a block at offset %llu says it is %llu bytes long at "
			       "its start and %llu at its end", (unsigned long long)off,
			       (unsigned long long)total,
			       (unsigned long long)rd32(p + total - 4, le));
	const uint8_t *body = p + 8;
	uint32_t n = total - 12;
	bool known = off + (int64_t)total <= ng->scanned_end;
	enum pcapng_status st = PCAPNG_FRAME;
	if (type == BT_SHB)
		st = read_shb(ng, off, le, body, n, known, err);
	else if (type == BT_IDB && !known)
		st = read_idb(ng, body, n, err);
	else if (is_record(type)) {
		memset(f, 0, sizeof(*f));
		f->linktype = PCAPNG_NOT_A_FRAME;
		f->ts_ns = ng->last_ts;
		f->data = body;
		*is_packet = true;
	} else if (packet) {
		st = read_packet(ng, type, body, n, f, err);
		*is_packet = st == PCAPNG_FRAME;
		if (*is_packet && type != BT_SPB && ng->first_timed_end < 0)
			ng->first_timed_end = off + (int64_t)total;
	}
	if (st != PCAPNG_FRAME)
		return st;
	ng->pos += total;
	if (off + (int64_t)total > ng->scanned_end)
		ng->scanned_end = off + (int64_t)total;
	return PCAPNG_FRAME;
}

struct pcapng *pcapng_open(FILE *fp, const uint8_t *prefix, size_t nprefix, char *errbuf)
{
	struct pcapng *ng = calloc(1, sizeof(*ng));

	if (!ng || !(ng->buf = malloc(READ_CHUNK))) {
		free(ng);
		snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	ng->fp = fp;
	ng->cap = READ_CHUNK;
	ng->first_linktype = -1;
	ng->first_timed_end = -1;
	if (nprefix > ng->cap)
		nprefix = ng->cap;
	if (nprefix)
		memcpy(ng->buf, prefix, nprefix);
	ng->len = nprefix;
	if (ensure(ng, 4) == 4 && !pcapng_is_magic(ng->buf)) {
		snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "not a pcapng file");
		goto fail;
	}
	/* The header, then whatever comes before the first interface. */
	for (;;) {
		struct pcapng_frame f;
		bool is_packet;
		int64_t at = pcapng_tell(ng);
		enum pcapng_status st = step(ng, &f, &is_packet, true, errbuf);
		if (st == PCAPNG_EOF && !ng->nsecs) {
			snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "the file is empty");
			goto fail;
		}
		if (st == PCAPNG_CUT_SHORT && !ng->nsecs) {
			snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "the file ends inside its "
				 "section header");
			goto fail;
		}
		if (st != PCAPNG_FRAME && !ng->nsecs)
			goto fail;
		/* Later trouble is reported by pcapng_next, after the frames
		 * before it. */
		if (st != PCAPNG_FRAME || ng->nifs > 0 || pcapng_tell(ng) == at)
			break;
	}
	return ng;
fail:
	pcapng_close(ng);
	return NULL;
}

void pcapng_close(struct pcapng *ng)
{
	if (!ng)
		return;
	free(ng->buf);
	free(ng->secs);
	free(ng->ifs);
	free(ng);
}

enum pcapng_status pcapng_next(struct pcapng *ng, struct pcapng_frame *frame, char *errbuf)
{
	for (;;) {
		bool is_packet;
		enum pcapng_status st = step(ng, frame, &is_packet, false, errbuf);
		if (st != PCAPNG_FRAME || is_packet)
			return st;
	}
}

int64_t pcapng_tell(const struct pcapng *ng)
{
	return ng->base + (int64_t)ng->pos;
}

/* The section a file offset is in: the last one starting before it. */
static uint32_t section_at(const struct pcapng *ng, int64_t off)
{
	for (uint32_t k = ng->nsecs; k-- > 0;)
		if (ng->secs[k].start < off)
			return k;
	return 0;
}

static bool read_at(struct pcapng *ng, int64_t off, uint8_t *b, size_t n)
{
	return fseeko(ng->fp, (off_t)off, SEEK_SET) == 0 && fread(b, 1, n, ng->fp) == n;
}

/* What a simple packet block at offset would get read in order: the time
 * of the last packet with one before it (0 if none). Found by walking back
 * over the blocks by their trailing lengths (which pcapng has for this), at
 * most 65536 of them (0 past that: a file of 786 KB of blocks without a
 * time stamp between two that have one). Only for offsets already read,
 * whose sections and interfaces are known. */
static int64_t time_before(struct pcapng *ng, int64_t offset)
{
	int64_t pos = offset;

	if (ng->first_timed_end < 0 || offset < ng->first_timed_end)
		return 0; /* no packet with a time before it: no walk */
	for (int steps = 0; steps < 65536 && ng->nsecs && pos > ng->secs[0].start; steps++) {
		const struct section *sec = &ng->secs[section_at(ng, pos)];
		uint8_t b[28];
		if (!read_at(ng, pos - 4, b, 4))
			return 0;
		uint32_t len = rd32(b, sec->le);
		if (len < 12 || len % 4 || (int64_t)len > pos - sec->start)
			return 0;
		pos -= len;
		if (!read_at(ng, pos, b, len >= 28 ? 28 : 8))
			return 0;
		uint32_t type = rd32(b, sec->le);
		if ((type != BT_EPB && type != BT_OPB) || len < 32)
			continue;
		uint32_t id = type == BT_EPB ? rd32(b + 8, sec->le) : rd16(b + 8, sec->le);
		if (id >= sec->nifs)
			return 0;
		uint64_t t = (uint64_t)rd32(b + 12, sec->le) << 32 | rd32(b + 16, sec->le);
		return to_ns(&ng->ifs[sec->first_if + id], t);
	}
	return 0;
}

bool pcapng_seek(struct pcapng *ng, int64_t offset, char *errbuf)
{
	int64_t to = offset <= ng->scanned_end ? offset : ng->scanned_end;

	if (offset < 0 || fseeko(ng->fp, (off_t)to, SEEK_SET) != 0) {
		snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "cannot seek to offset %lld%s%s",
			 (long long)offset, offset < 0 ? "" : ": ",
			 offset < 0 ? "" : strerror(errno));
		return false;
	}
	clearerr(ng->fp);
	ng->base = to;
	ng->pos = ng->len = 0;
	ng->read_failed = false;
	ng->cur = section_at(ng, to);
	ng->last_ts = time_before(ng, to);
	/* A block read before starts there: a section header we know, or a
	 * block whose trailing length agrees with its length. */
	if (to < ng->scanned_end) {
		uint8_t b[8];
		bool le = ng->secs[ng->cur].le, ok = false;
		if (read_at(ng, to, b, 8) && rd32(b, le) == BT_SHB) {
			ok = ng->secs[section_at(ng, to + 1)].start == to;
		} else {
			uint32_t len = rd32(b + 4, le);
			ok = len >= 12 && len % 4 == 0 && to + len <= ng->scanned_end &&
			     read_at(ng, to + len - 4, b, 4) && rd32(b, le) == len;
		}
		if (!ok) {
			snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "cannot seek to offset %lld: not "
				 "the start of a block", (long long)offset);
			return false;
		}
	}
	clearerr(ng->fp);
	if (fseeko(ng->fp, (off_t)to, SEEK_SET) != 0) {
		snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "cannot seek to offset %lld: %s",
			 (long long)offset, strerror(errno));
		return false;
	}
	/* Past what was read: read the headers and interfaces on the way. */
	while (pcapng_tell(ng) < offset) {
		struct pcapng_frame f;
		bool is_packet;
		char why[PCAPNG_ERRBUF_SIZE];
		if (step(ng, &f, &is_packet, false, why) != PCAPNG_FRAME) {
			snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "cannot seek to offset %lld: %s",
				 (long long)offset, why);
			return false;
		}
	}
	if (pcapng_tell(ng) != offset) {
		snprintf(errbuf, PCAPNG_ERRBUF_SIZE, "cannot seek to offset %lld: not "
			 "the start of a block", (long long)offset);
		return false;
	}
	return true;
}

int pcapng_first_linktype(const struct pcapng *ng) { return ng->first_linktype; }
uint32_t pcapng_first_snaplen(const struct pcapng *ng) { return ng->first_snaplen; }
