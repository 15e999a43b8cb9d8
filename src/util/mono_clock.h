/* The monotonic clock in nanoseconds, for latencies, deadlines and timeouts: never
 * stepped by NTP or the operator, unlike the wall clock. */
#ifndef SS_UTIL_MONO_CLOCK_H
#define SS_UTIL_MONO_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A mono_ns() value as a timespec, for pthread_cond_timedwait on a CLOCK_MONOTONIC
 * condition variable. */
static inline struct timespec mono_timespec(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };
	return ts;
}

#endif
