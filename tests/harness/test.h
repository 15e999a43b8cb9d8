/* A small test runner: TEST(name) registers a case; main() runs every case, or those
 * whose names are given on the command line, and ends with "N passed, M failed" (the
 * line CI reads). A test executable returns 0 when all selected cases pass, 1 when any
 * fails, and 77 (ctest SKIP) when a needed resource such as the vectors is absent. */
#ifndef SS_TEST_H
#define SS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test_file.h"

typedef void (*test_fn)(void);

void test_register(const char *name, test_fn fn);

#define TEST(name)                                                            \
	static void test_##name(void);                                        \
	__attribute__((constructor)) static void test_register_##name(void)   \
	{                                                                     \
		test_register(#name, test_##name);                            \
	}                                                                     \
	static void test_##name(void)

/* Failure reporting: the current case is marked failed and the message printed; the
 * case goes on so one run shows every broken check. */
void test_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Counts a sub-case (a vector) under the current test, for the summary. */
void test_count_case(bool passed);
/* Marks the current test skipped with a reason (vectors folder absent, etc.). */
void test_skip(const char *reason);

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond))                                                  \
			test_fail_at(__FILE__, __LINE__, "CHECK(%s)", #cond); \
	} while (0)
#define CHECK_MSG(cond, ...)                                                  \
	do {                                                                  \
		if (!(cond))                                                  \
			test_fail_at(__FILE__, __LINE__, __VA_ARGS__);        \
	} while (0)
#define CHECK_EQ_U64(a, b)                                                    \
	do {                                                                  \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);              \
		if (a_ != b_)                                                 \
			test_fail_at(__FILE__, __LINE__, "%s == %s: %llu != %llu", #a, #b, \
				     (unsigned long long)a_, (unsigned long long)b_); \
	} while (0)
#define CHECK_MEM(a, b, n)                                                    \
	do {                                                                  \
		if (memcmp((a), (b), (n)) != 0)                               \
			test_fail_at(__FILE__, __LINE__, "%s and %s differ", #a, #b); \
	} while (0)

/* splitmix64 (Steele, Lea, Flood 2014): a small, well-mixed PRNG for deterministic
 * test inputs, so a failure reproduces from the seed. */
static inline uint64_t test_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
