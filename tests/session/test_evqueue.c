/* Unit tests of the headless output's merge queue (session/evqueue.c): lines
 * of several sources come out by stamp whatever order they arrive in, ties
 * by source and then arrival, nothing at or past the horizon, and
 * everything when flushed at the end. */
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "evqueue.h"

/* Pops everything below horizon as "source:line" words joined by ' '. */
static const char *drain(struct evqueue *q, uint64_t horizon)
{
	static char out[4096];
	struct evqueue_item it;
	size_t len = 0;

	out[0] = '\0';
	while (evqueue_pop(q, horizon, &it) && len < sizeof out - 64)
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%d:%s",
					len ? " " : "", it.source, it.line);
	return out;
}

static void push(struct evqueue *q, uint64_t stamp, int source,
		 const char *line)
{
	CHECK(evqueue_push(q, stamp, source, line, strlen(line)));
}

/* The bug this queue fixes: the server's reaction arrives (is read)
 * before the client's line that caused it. */
static void test_out_of_order_arrival_across_two_sources(void)
{
	struct evqueue *q = evqueue_create();
	uint64_t oldest = 0;

	CHECK(q != NULL);
	push(q, 300, 0, "server-established");
	push(q, 310, 0, "server-message");
	push(q, 200, 1, "client-established");
	push(q, 305, 1, "client-out");
	CHECK_INT_EQ(evqueue_len(q), 4);
	CHECK(evqueue_oldest(q, &oldest));
	CHECK_INT_EQ(oldest, 200);
	CHECK_STR_EQ(drain(q, UINT64_MAX),
		     "1:client-established 0:server-established 1:client-out "
		     "0:server-message");
	CHECK_INT_EQ(evqueue_len(q), 0);
	CHECK(!evqueue_oldest(q, &oldest));
	evqueue_destroy(q);
}

static void test_ties_by_source_then_arrival(void)
{
	struct evqueue *q = evqueue_create();

	/* one source's lines of one stamp keep their order; between
	 * sources the lower number goes first, whichever came first */
	push(q, 50, 4, "wire-a");
	push(q, 50, 1, "client-a");
	push(q, 50, 4, "wire-b");
	push(q, 50, 0, "server-a");
	push(q, 50, 1, "client-b");
	push(q, 50, 4, "wire-c");
	push(q, 49, 4, "wire-early");
	CHECK_STR_EQ(drain(q, UINT64_MAX),
		     "4:wire-early 0:server-a 1:client-a 1:client-b 4:wire-a "
		     "4:wire-b 4:wire-c");
	evqueue_destroy(q);
}

static void test_only_below_the_horizon(void)
{
	struct evqueue *q = evqueue_create();
	struct evqueue_item it;

	push(q, 100, 0, "a");
	push(q, 200, 1, "b");
	push(q, 300, 0, "c");
	CHECK_STR_EQ(drain(q, 100), "");        /* strictly below */
	CHECK_STR_EQ(drain(q, 101), "0:a");
	CHECK_STR_EQ(drain(q, 250), "1:b");
	/* a late line older than what was printed still comes out next */
	push(q, 150, 1, "late");
	CHECK_STR_EQ(drain(q, 250), "1:late");
	CHECK(!evqueue_pop(q, 300, &it));
	CHECK_INT_EQ(evqueue_len(q), 1);
	/* the end: everything, even a line stamped at the last instant */
	push(q, UINT64_MAX, 1, "last");
	CHECK_STR_EQ(drain(q, UINT64_MAX), "0:c 1:last");
	CHECK(!evqueue_pop(q, UINT64_MAX, &it));
	evqueue_destroy(q);
}

static void test_lines_are_copied_whole(void)
{
	struct evqueue *q = evqueue_create();
	struct evqueue_item it;
	char line[] = "out a\0b";

	CHECK(evqueue_push(q, 1, 0, line, sizeof line - 1));
	line[0] = 'X'; /* the queue has its own copy */
	CHECK(evqueue_push(q, 2, 0, "", 0));
	CHECK(evqueue_pop(q, UINT64_MAX, &it));
	CHECK_INT_EQ(it.len, 7);
	CHECK(memcmp(it.line, "out a\0b", 8) == 0);
	CHECK_INT_EQ(it.stamp_ns, 1);
	CHECK(evqueue_pop(q, UINT64_MAX, &it));
	CHECK_INT_EQ(it.len, 0);
	CHECK_STR_EQ(it.line, "");
	evqueue_destroy(q);
	evqueue_destroy(NULL);
}

/* Many lines of three sources in a scrambled order (each source's own in
 * order, as from a node) come out sorted; lines left at the end are freed
 * by evqueue_destroy (valgrind and ASan run this test). */
static void test_many_scrambled(void)
{
	struct evqueue *q = evqueue_create();
	struct evqueue_item it;
	uint64_t next[3] = { 0, 0, 0 }, x = 12345, last = 0;
	int n = 0, seq[3] = { 0, 0, 0 }, lastseq[3] = { -1, -1, -1 };
	bool sorted = true, fifo = true;

	for (int i = 0; i < 3000; i++) {
		char line[32];
		int src;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		src = (int)((x >> 33) % 3);
		next[src] += (x >> 40) % 7; /* may repeat: ties */
		snprintf(line, sizeof line, "%d", seq[src]++);
		push(q, next[src], src, line);
		/* now and then, print what is safely old */
		if (i % 97 == 0) {
			uint64_t h = next[0] < next[1] ? next[0] : next[1];

			h = h < next[2] ? h : next[2];
			while (evqueue_pop(q, h, &it)) {
				if (it.stamp_ns < last)
					sorted = false;
				last = it.stamp_ns;
				if (atoi(it.line) != lastseq[it.source] + 1)
					fifo = false;
				lastseq[it.source] = atoi(it.line);
				n++;
			}
		}
	}
	CHECK(n > 1000);
	CHECK(sorted);
	CHECK(fifo);
	CHECK(evqueue_len(q) > 0);
	evqueue_destroy(q);
}

int main(void)
{
	RUN(test_out_of_order_arrival_across_two_sources);
	RUN(test_ties_by_source_then_arrival);
	RUN(test_only_below_the_horizon);
	RUN(test_lines_are_copied_whole);
	RUN(test_many_scrambled);
	CHECK_EXIT();
}
