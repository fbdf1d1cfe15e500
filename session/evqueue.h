/* The headless output's merge queue: lines from several sources (the
 * nodes' event streams, the wire tap), each stamped with the CLOCK_MONOTONIC
 * time it happened, come out merged by stamp. The session decides when a
 * line may come out (its "horizon", docs/control-protocol.md "Ordering");
 * this queue only keeps them in order. No I/O, so it is unit-tested alone.
 *
 * Order: by stamp; equal stamps by source number, then by the order they
 * were pushed. So one source's lines of equal stamp keep their order, and
 * the same inputs always give the same output. */
#ifndef TCPSTEP_EVQUEUE_H
#define TCPSTEP_EVQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evqueue;

/* A line taken out of the queue. `line` (NUL-terminated, `len` bytes; it may
 * contain NULs) is owned by the queue and valid until the next call on it. */
struct evqueue_item {
	uint64_t stamp_ns;
	int source;
	char *line;
	size_t len;
};

/* NULL when out of memory. */
struct evqueue *evqueue_create(void);
/* Frees the queue and every line still in it. NULL is harmless. */
void evqueue_destroy(struct evqueue *q);

/* Copies line[0..len) in. False (nothing queued) when out of memory. */
bool evqueue_push(struct evqueue *q, uint64_t stamp_ns, int source,
		  const char *line, size_t len);

/* Takes out the first line in order if its stamp is below `horizon` (pass
 * UINT64_MAX to take whatever is first: flushing at the end). False when
 * the queue is empty or its first line is not old enough. */
bool evqueue_pop(struct evqueue *q, uint64_t horizon, struct evqueue_item *out);

/* Lines in the queue. */
size_t evqueue_len(const struct evqueue *q);

/* The stamp of the first line in order; false when empty. */
bool evqueue_oldest(const struct evqueue *q, uint64_t *stamp_ns);

#endif
