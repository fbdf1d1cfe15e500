/* Fixed-size objects from 2 MiB chunks (see slab.h). */
#include "slab.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_PLAIN 1
#endif
#endif

#ifdef SLAB_PLAIN

/* ASan: every object its own allocation, so ASan tracks each lifetime. */
struct slab {
	size_t objsize;
};

struct slab *slab_create(size_t objsize)
{
	struct slab *s = calloc(1, sizeof(*s));
	if (s)
		s->objsize = objsize;
	return s;
}

void slab_destroy(struct slab *s) { free(s); }
void *slab_alloc(struct slab *s) { return calloc(1, s->objsize); }
void slab_free(struct slab *s, void *p) { (void)s; free(p); }
size_t slab_chunks(const struct slab *s) { (void)s; return 0; }

#else

#include <sys/mman.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define SLAB_VALGRIND 1
#endif
#endif
#ifndef SLAB_VALGRIND
#define VALGRIND_MALLOCLIKE_BLOCK(addr, size, rz, zeroed) ((void)0)
#define VALGRIND_FREELIKE_BLOCK(addr, rz) ((void)0)
#define VALGRIND_MAKE_MEM_NOACCESS(addr, size) ((void)0)
#endif

#define CHUNK_SIZE ((size_t)2 << 20) /* one x86-64 huge page */

/* A chunk: this header, the indexes of its free objects, then the objects
 * (64-byte aligned). The free list is kept out of the objects, so a free
 * object is never written (memcheck sees it as freed). */
struct chunk {
	struct chunk *prev, *next; /* in slab.room while it has room */
	struct chunk *aprev, *anext; /* in slab.all, always */
	uint32_t used;             /* objects handed out, not freed */
	uint32_t fresh;            /* objects [fresh, per_chunk) never used */
	uint32_t nfree;            /* free[0..nfree) were freed */
	bool in_room;
	uint32_t free[];
};

struct slab {
	size_t objsize;
	uint32_t per_chunk;
	size_t objs_off;      /* where the objects start in a chunk */
	struct chunk *room;   /* chunks with a free or fresh object */
	struct chunk *all;    /* every chunk */
	size_t nchunks;
};

struct slab *slab_create(size_t objsize)
{
	if (objsize == 0 || objsize > 65536)
		return NULL;
	struct slab *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->objsize = (objsize + 63) & ~(size_t)63;
	/* header + 4 bytes of free index per object + the objects */
	size_t n = (CHUNK_SIZE - sizeof(struct chunk) - 64) / (s->objsize + 4);
	s->per_chunk = (uint32_t)n;
	s->objs_off = (sizeof(struct chunk) + 4 * n + 63) & ~(size_t)63;
	return s;
}

static void room_remove(struct slab *s, struct chunk *c);

static void chunk_unmap(struct slab *s, struct chunk *c)
{
	if (c->in_room)
		room_remove(s, c);
	if (c->aprev)
		c->aprev->anext = c->anext;
	else
		s->all = c->anext;
	if (c->anext)
		c->anext->aprev = c->aprev;
	munmap(c, CHUNK_SIZE);
	s->nchunks--;
}

static struct chunk *chunk_of(const void *p)
{
	return (struct chunk *)((uintptr_t)p & ~(uintptr_t)(CHUNK_SIZE - 1));
}

static void room_add(struct slab *s, struct chunk *c)
{
	c->prev = NULL;
	c->next = s->room;
	if (s->room)
		s->room->prev = c;
	s->room = c;
	c->in_room = true;
}

static void room_remove(struct slab *s, struct chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->room = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	c->in_room = false;
}

/* A 2 MiB-aligned chunk: map twice the size, keep the aligned middle. */
static struct chunk *chunk_new(struct slab *s)
{
	char *m = mmap(NULL, 2 * CHUNK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)m + CHUNK_SIZE - 1) & ~(uintptr_t)(CHUNK_SIZE - 1);
	char *base = (char *)a;
	if (base > m)
		munmap(m, (size_t)(base - m));
	if (base + CHUNK_SIZE < m + 2 * CHUNK_SIZE)
		munmap(base + CHUNK_SIZE, (size_t)(m + 2 * CHUNK_SIZE - (base + CHUNK_SIZE)));
#ifdef MADV_HUGEPAGE
	/* Advice only: where THP is off this fails, and nothing changes. */
	(void)madvise(base, CHUNK_SIZE, MADV_HUGEPAGE);
#endif
	struct chunk *c = (struct chunk *)(void *)base; /* fresh pages are zero */
	VALGRIND_MAKE_MEM_NOACCESS(base + s->objs_off, CHUNK_SIZE - s->objs_off);
	c->anext = s->all;
	if (s->all)
		s->all->aprev = c;
	s->all = c;
	s->nchunks++;
	room_add(s, c);
	return c;
}

void *slab_alloc(struct slab *s)
{
	struct chunk *c = s->room;
	if (!c && !(c = chunk_new(s)))
		return NULL;
	uint32_t i;
	if (c->nfree)
		i = c->free[--c->nfree];
	else
		i = c->fresh++;
	c->used++;
	if (!c->nfree && c->fresh == s->per_chunk)
		room_remove(s, c); /* full */
	void *p = (char *)c + s->objs_off + (size_t)i * s->objsize;
	VALGRIND_MALLOCLIKE_BLOCK(p, s->objsize, 0, 0);
	memset(p, 0, s->objsize);
	return p;
}

void slab_free(struct slab *s, void *p)
{
	if (!p)
		return;
	struct chunk *c = chunk_of(p);
	size_t off = (size_t)((char *)p - (char *)c) - s->objs_off;
	VALGRIND_FREELIKE_BLOCK(p, 0);
	c->free[c->nfree++] = (uint32_t)(off / s->objsize);
	c->used--;
	if (c->used == 0 && s->nchunks > 1) {
		/* Empty: back to the system (one chunk is always kept). */
		chunk_unmap(s, c);
		return;
	}
	if (!c->in_room)
		room_add(s, c);
}

void slab_destroy(struct slab *s)
{
	if (!s)
		return;
#ifdef SLAB_VALGRIND
	/* Objects still allocated go with their chunk: tell memcheck, or
	 * it would call them leaked. */
	if (RUNNING_ON_VALGRIND) {
		for (struct chunk *c = s->all; c; c = c->anext) {
			unsigned char *isfree = calloc(c->fresh ? c->fresh : 1, 1);
			if (!isfree)
				break;
			for (uint32_t k = 0; k < c->nfree; k++)
				isfree[c->free[k]] = 1;
			for (uint32_t i = 0; i < c->fresh; i++)
				if (!isfree[i])
					VALGRIND_FREELIKE_BLOCK((char *)c + s->objs_off +
								(size_t)i * s->objsize, 0);
			free(isfree);
		}
	}
#endif
	while (s->all)
		chunk_unmap(s, s->all);
	free(s);
}

size_t slab_chunks(const struct slab *s)
{
	return s ? s->nchunks : 0;
}

#endif
