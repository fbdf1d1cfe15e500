/* A fixed-size object allocator for the tracker's connections: objects
 * come from 2 MiB chunks, aligned to 2 MiB and marked for transparent huge
 * pages (madvise MADV_HUGEPAGE). The tracker holds every connection
 * through its TIME_WAIT and one MSL more, tens of thousands on a busy
 * capture; from malloc each of their 4 KiB pages costs a page fault when
 * first written, and that was a tenth of `tcpstep decode --summary`'s
 * time on the benchmark capture. Where the kernel gives no huge pages
 * (THP set to never), the chunks are ordinary memory: same results.
 *
 * A freed object is reused before the next fresh one; a chunk whose
 * objects are all free is returned to the system (all but one chunk), so
 * memory follows the open connections down.
 *
 * Built with AddressSanitizer, the slab is plain calloc/free so that ASan
 * still sees every connection's lifetime; under valgrind the chunks tell
 * memcheck about each object (client requests), for the same reason. */
#ifndef TCPSTEP_SLAB_H
#define TCPSTEP_SLAB_H

#include <stddef.h>

struct slab;

/* Objects of objsize bytes (at most 64 KiB); NULL when memory ran out. */
struct slab *slab_create(size_t objsize);

/* Frees the chunks; objects still allocated are gone with them. NULL is
 * fine. */
void slab_destroy(struct slab *s);

/* A zeroed object; NULL when memory ran out. */
void *slab_alloc(struct slab *s);

/* p from slab_alloc of this slab, or NULL. */
void slab_free(struct slab *s, void *p);

/* Chunks held (0 in the calloc build), for the memory tests. */
size_t slab_chunks(const struct slab *s);

#endif
