/* A very small test harness: each test executable is one meson test made of
 * named cases; CHECK records a failure with file:line and goes on. Exit code
 * 0 = all passed, 1 = a failure, 77 = skipped (meson's convention). */
#ifndef TCPSTEP_CHECK_H
#define TCPSTEP_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static const char *check_case = "";

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: [%s] CHECK(%s) failed\n",   \
				__FILE__, __LINE__, check_case, #cond);      \
			check_failures++;                                    \
		}                                                            \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                   \
	do {                                                                 \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
		if (check_a_ != check_b_) {                                  \
			fprintf(stderr, "%s:%d: [%s] %s == %s: %lld != %lld\n", \
				__FILE__, __LINE__, check_case, #a, #b,      \
				check_a_, check_b_);                         \
			check_failures++;                                    \
		}                                                            \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                   \
	do {                                                                 \
		const char *check_a_ = (a), *check_b_ = (b);                 \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {  \
			fprintf(stderr, "%s:%d: [%s] %s == %s:\n  got  \"%s\"\n  want \"%s\"\n", \
				__FILE__, __LINE__, check_case, #a, #b,      \
				check_a_ ? check_a_ : "(null)",              \
				check_b_ ? check_b_ : "(null)");             \
			check_failures++;                                    \
		}                                                            \
	} while (0)

/* Runs one named case: RUN(test_syn_sent_to_established). */
#define RUN(fn)                                                              \
	do {                                                                 \
		int check_before_ = check_failures;                          \
		check_case = #fn;                                            \
		fn();                                                        \
		printf("%s %s\n", check_failures == check_before_ ? "ok  " : "FAIL", #fn); \
	} while (0)

#define CHECK_EXIT() return check_failures ? 1 : 0

#define CHECK_SKIP(reason)                                                   \
	do {                                                                 \
		printf("SKIP: %s\n", reason);                                \
		exit(77);                                                    \
	} while (0)

#endif
