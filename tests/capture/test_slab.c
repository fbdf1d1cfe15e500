/* The connection slab (capture/slab.h): zeroed, distinct objects; freed
 * ones reused; chunks returned to the system when empty (all but one);
 * nothing overlaps, whatever the order of frees. In the ASan build the
 * slab is calloc/free (slab_chunks() is 0 there) and the chunk counts are
 * not checked: the rest still is, and ASan watches every object. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "rng.h"
#include "slab.h"

#define OBJ 480
#define N 20000 /* 9.6 MB of 480-byte objects: several 2 MiB chunks */
#define CHUNK ((size_t)2 << 20)

/* Enough chunks for n objects, and no more than a dense packing needs. */
static bool chunks_fit(size_t chunks, size_t n)
{
	return chunks * CHUNK >= n * OBJ && (chunks - 1) * CHUNK < n * (OBJ + 8);
}

static void *objs[N];

/* Each live object holds its index in every byte-sized slot: an overlap
 * or a reuse of a live object shows as a wrong stamp. */
static void stamp(unsigned char *p, size_t i)
{
	for (size_t k = 0; k < OBJ; k++)
		p[k] = (unsigned char)(i * 31 + k);
}

static bool stamped(const unsigned char *p, size_t i)
{
	for (size_t k = 0; k < OBJ; k++)
		if (p[k] != (unsigned char)(i * 31 + k))
			return false;
	return true;
}

static bool zeroed(const unsigned char *p)
{
	for (size_t k = 0; k < OBJ; k++)
		if (p[k])
			return false;
	return true;
}

static void test_objects_are_zeroed_distinct_and_reused(void)
{
	struct slab *s = slab_create(OBJ);
	CHECK(s != NULL);
	if (!s)
		return;
	bool ok = true;
	for (size_t i = 0; i < N; i++) {
		objs[i] = slab_alloc(s);
		if (!objs[i] || !zeroed(objs[i]) || (uintptr_t)objs[i] % 16)
			ok = false;
		else
			stamp(objs[i], i);
	}
	CHECK(ok);
	size_t chunks = slab_chunks(s);
	if (chunks) { /* the chunked build */
		CHECK(chunks_fit(chunks, N));
		for (size_t i = 0; i < N; i++)
			if ((uintptr_t)objs[i] % 64)
				ok = false; /* its objects are cache-line aligned */
		CHECK(ok);
		/* A freed object is reused before a fresh one, even where the
		 * chunk still has fresh ones (the last chunk is not full). */
		void *last = objs[N - 1];
		slab_free(s, last);
		objs[N - 1] = slab_alloc(s);
		CHECK(objs[N - 1] == last);
		stamp(objs[N - 1], N - 1);
	}
	for (size_t i = 0; i < N; i++)
		if (!stamped(objs[i], i))
			ok = false;
	CHECK(ok); /* no object overlapped another */

	/* Free every other one, then allocate as many: freed slots come
	 * back zeroed, live ones keep their stamps, no chunk is added. */
	for (size_t i = 0; i < N; i += 2)
		slab_free(s, objs[i]);
	for (size_t i = 0; i < N; i += 2) {
		objs[i] = slab_alloc(s);
		if (!objs[i] || !zeroed(objs[i]))
			ok = false;
		else
			stamp(objs[i], i);
	}
	for (size_t i = 0; i < N; i++)
		if (!stamped(objs[i], i))
			ok = false;
	CHECK(ok);
	CHECK_INT_EQ(slab_chunks(s), chunks);

	/* All freed, in a shuffled order: one chunk is left. */
	struct rng r = { 0x9e3779b97f4a7c15ULL };
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = rnd(&r, (uint32_t)i + 1);
		void *t = objs[i];
		objs[i] = objs[j];
		objs[j] = t;
	}
	for (size_t i = 0; i < N; i++)
		slab_free(s, objs[i]);
	if (chunks)
		CHECK_INT_EQ(slab_chunks(s), 1);
	slab_destroy(s);
}

static void test_random_churn_never_overlaps(void)
{
	struct slab *s = slab_create(OBJ);
	struct rng r = { 12345 };
	static size_t tag[N];
	size_t live = 0, peak_chunks = 0;
	bool ok = true;
	CHECK(s != NULL);
	if (!s)
		return;
	for (size_t i = 0; i < N; i++)
		objs[i] = NULL;
	for (unsigned step = 0; step < 200000; step++) {
		size_t i = rnd(&r, N);
		if (objs[i]) {
			if (!stamped(objs[i], tag[i]))
				ok = false;
			slab_free(s, objs[i]);
			objs[i] = NULL;
			live--;
		} else {
			objs[i] = slab_alloc(s);
			if (!objs[i] || !zeroed(objs[i])) {
				ok = false;
				continue;
			}
			tag[i] = step;
			stamp(objs[i], step);
			live++;
		}
		if (slab_chunks(s) > peak_chunks)
			peak_chunks = slab_chunks(s);
	}
	CHECK(ok);
	CHECK(live > 1000);
	if (peak_chunks) /* never more than the objects live need */
		CHECK(peak_chunks * CHUNK < N * (OBJ + 8) + CHUNK);
	slab_destroy(s); /* with objects still live: nothing leaks (valgrind) */
}

int main(void)
{
	RUN(test_objects_are_zeroed_distinct_and_reused);
	RUN(test_random_churn_never_overlaps);
	CHECK_EXIT();
}
