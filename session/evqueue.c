/* The merge queue (evqueue.h): a binary min-heap on (stamp, source, push
 * order). Lines arrive nearly in order and leave within milliseconds, so
 * the heap stays small; a heap keeps any arrival order correct. */
#include "evqueue.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	uint64_t stamp;
	uint64_t seq;   /* push order: the last tie-break, so pops are stable */
	int source;
	size_t len;
	char *line;
};

struct evqueue {
	struct entry *heap;
	size_t n, cap;
	uint64_t seq;
	char *popped;   /* the line handed out by the last pop */
};

static bool before(const struct entry *a, const struct entry *b)
{
	if (a->stamp != b->stamp)
		return a->stamp < b->stamp;
	if (a->source != b->source)
		return a->source < b->source;
	return a->seq < b->seq;
}

static void swap(struct entry *a, struct entry *b)
{
	struct entry t = *a;

	*a = *b;
	*b = t;
}

struct evqueue *evqueue_create(void)
{
	return calloc(1, sizeof(struct evqueue));
}

void evqueue_destroy(struct evqueue *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		free(q->heap[i].line);
	free(q->heap);
	free(q->popped);
	free(q);
}

bool evqueue_push(struct evqueue *q, uint64_t stamp_ns, int source,
		  const char *line, size_t len)
{
	struct entry e = { stamp_ns, q->seq, source, len, NULL };
	size_t i;

	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 64;
		struct entry *h = realloc(q->heap, ncap * sizeof *h);

		if (!h)
			return false;
		q->heap = h;
		q->cap = ncap;
	}
	e.line = malloc(len + 1);
	if (!e.line)
		return false;
	memcpy(e.line, line, len);
	e.line[len] = '\0';
	q->seq++;
	i = q->n++;
	q->heap[i] = e;
	while (i > 0 && before(&q->heap[i], &q->heap[(i - 1) / 2])) {
		swap(&q->heap[i], &q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return true;
}

bool evqueue_pop(struct evqueue *q, uint64_t horizon, struct evqueue_item *out)
{
	size_t i = 0;

	if (q->n == 0 || (horizon != UINT64_MAX && q->heap[0].stamp >= horizon))
		return false;
	free(q->popped);
	q->popped = q->heap[0].line;
	out->stamp_ns = q->heap[0].stamp;
	out->source = q->heap[0].source;
	out->line = q->popped;
	out->len = q->heap[0].len;
	q->heap[0] = q->heap[--q->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < q->n && before(&q->heap[l], &q->heap[m]))
			m = l;
		if (r < q->n && before(&q->heap[r], &q->heap[m]))
			m = r;
		if (m == i)
			break;
		swap(&q->heap[i], &q->heap[m]);
		i = m;
	}
	return true;
}

size_t evqueue_len(const struct evqueue *q)
{
	return q->n;
}

bool evqueue_oldest(const struct evqueue *q, uint64_t *stamp_ns)
{
	if (q->n == 0)
		return false;
	*stamp_ns = q->heap[0].stamp;
	return true;
}
