/* The tests' one pseudo-random generator: xorshift64* (Vigna), seeded by
 * the test so every run draws the same numbers. Not for anything but
 * tests. */
#ifndef TCPSTEP_TEST_RNG_H
#define TCPSTEP_TEST_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s; /* never 0 */
};

/* A number in [0, n), n > 0. */
static inline uint32_t rnd(struct rng *r, uint32_t n)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 2685821657736338717ULL) >> 32) % n;
}

#endif
