/* libFuzzer target over the pcapng reader (capture/pcapng.c) and the
 * decoder behind it: one input is a whole pcapng file, read from memory
 * (fmemopen), so every block length, option, interface number and byte
 * order a hostile file can hold is tried.
 *
 * Each frame is copied into its own heap block of exactly its length and
 * decoded with its link type, so ASan sees a read past it. Then every
 * offset pcapng_tell gave between frames is sought, in a second reader
 * that has not read the file (as the replay's two sources do) and backwards,
 * and the frame there must be the one read in order: same link type,
 * time, lengths and bytes. A difference is a bug: abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 256

struct seen {
	int64_t after; /* pcapng_tell just past it */
	int64_t ts_ns;
	uint32_t caplen, wirelen;
	int linktype;
	uint32_t sum; /* of the bytes */
};

static uint32_t checksum(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void decode_copy(const struct pcapng_frame *f)
{
	struct segment seg;
	struct decode_detail d;
	uint8_t *copy = malloc(f->caplen ? f->caplen : 1);
	if (!copy)
		return;
	if (f->caplen)
		memcpy(copy, f->data, f->caplen);
	decode_frame(f->linktype, copy, f->caplen, f->wirelen, &seg, &d);
	free(copy);
}

static bool same(const struct pcapng_frame *f, const struct seen *s)
{
	return f->linktype == s->linktype && f->ts_ns == s->ts_ns && f->caplen == s->caplen &&
	       f->wirelen == s->wirelen &&
	       (f->linktype == PCAPNG_NOT_A_FRAME || checksum(f->data, f->caplen) == s->sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen seen[MAX_FRAMES];
	char err[PCAPNG_ERRBUF_SIZE];
	struct pcapng_frame f;
	size_t n = 0;

	if (size == 0)
		return 0;
	uint8_t *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	FILE *fp = fmemopen(buf, size, "rb");
	if (!fp) {
		free(buf);
		return 0;
	}
	struct pcapng *ng = pcapng_open(fp, NULL, 0, err);
	if (!ng)
		goto out;
	pcapng_first_linktype(ng);
	pcapng_first_snaplen(ng);
	int64_t start = pcapng_tell(ng);
	enum pcapng_status st;
	while ((st = pcapng_next(ng, &f, err)) == PCAPNG_FRAME) {
		if (f.linktype != PCAPNG_NOT_A_FRAME) {
			if (f.caplen > f.wirelen)
				abort(); /* the reader promises wirelen >= caplen */
			decode_copy(&f);
		}
		if (n < MAX_FRAMES) {
			seen[n] = (struct seen){ pcapng_tell(ng), f.ts_ns, f.caplen, f.wirelen,
						 f.linktype, 0 };
			if (f.linktype != PCAPNG_NOT_A_FRAME)
				seen[n].sum = checksum(f.data, f.caplen);
			n++;
		}
	}
	if (st != PCAPNG_EOF && st != PCAPNG_CUT_SHORT && st != PCAPNG_DAMAGED)
		abort();
	/* A fresh reader: seeks forwards into blocks it has not read. */
	FILE *fp2 = fmemopen(buf, size, "rb");
	struct pcapng *ng2 = fp2 ? pcapng_open(fp2, NULL, 0, err) : NULL;
	if (fp2 && !ng2)
		abort(); /* it opened once */
	for (size_t k = 0; ng2 && k + 1 < n; k++) {
		if (!pcapng_seek(ng2, seen[k].after, err))
			abort();
		if (pcapng_next(ng2, &f, err) != PCAPNG_FRAME || !same(&f, &seen[k + 1]))
			abort();
	}
	/* Then backwards in the first, which has read everything. */
	for (size_t k = n; k-- > 1;) {
		if (!pcapng_seek(ng, seen[k - 1].after, err))
			abort();
		if (pcapng_next(ng, &f, err) != PCAPNG_FRAME || !same(&f, &seen[k]))
			abort();
	}
	if (n && (!pcapng_seek(ng, start, err) || pcapng_next(ng, &f, err) != PCAPNG_FRAME ||
		  !same(&f, &seen[0])))
		abort();
	pcapng_close(ng2);
	if (fp2)
		fclose(fp2);
out:
	pcapng_close(ng);
	fclose(fp);
	free(buf);
	return 0;
}
