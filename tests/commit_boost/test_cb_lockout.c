/* The Commit-Boost JWT lock-out table (src/api/cb_lockout.c) in-process, on a clock the
 * test sets: failures racing from one address are answered 401 at most max_failures
 * times. The HTTP side is tests/commit_boost/cb_client.mjs. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "api/cb_internal.h"
#include "test.h"

#define MAX_FAILURES 3
#define LOCKOUT 300

/* The worst interleaving of requests from one address, written out: every request is
 * past the check made before verifying (cb_lockout_refused) before the first of them is
 * settled. Only MAX_FAILURES of them may learn that their token was bad. */
TEST(racing_failures_from_one_address_get_at_most_max_401s)
{
	cb_lockout t;
	cb_lockout_init(&t, 16, MAX_FAILURES, LOCKOUT);
	const int64_t now = 1000;
	enum { N = 10 };
	for (int i = 0; i < N; i++)
		CHECK(!cb_lockout_refused(&t, "10.0.0.1", now));
	size_t failed = 0, locked = 0;
	for (int i = 0; i < N; i++) {
		cb_lockout_verdict v = cb_lockout_settle(&t, "10.0.0.1", false, now);
		failed += v == CB_LOCKOUT_FAILED;
		locked += v == CB_LOCKOUT_LOCKED;
	}
	CHECK_EQ_U64(failed, MAX_FAILURES);
	CHECK_EQ_U64(locked, N - MAX_FAILURES);
	/* a good token that was verified meanwhile is refused too: the address is locked */
	CHECK(cb_lockout_settle(&t, "10.0.0.1", true, now) == CB_LOCKOUT_LOCKED);
	CHECK(cb_lockout_refused(&t, "10.0.0.1", now + LOCKOUT - 1));
	/* another address is not affected */
	CHECK(!cb_lockout_refused(&t, "10.0.0.2", now));
	CHECK(cb_lockout_settle(&t, "10.0.0.2", true, now) == CB_LOCKOUT_PASS);
	/* the lock-out ends LOCKOUT seconds after the last failure, and starts from zero */
	CHECK(!cb_lockout_refused(&t, "10.0.0.1", now + LOCKOUT));
	CHECK(cb_lockout_settle(&t, "10.0.0.1", true, now + LOCKOUT) == CB_LOCKOUT_PASS);
	CHECK(cb_lockout_settle(&t, "10.0.0.1", false, now + LOCKOUT) == CB_LOCKOUT_FAILED);
	cb_lockout_destroy(&t);
}

/* The same with threads: RACERS bad requests from one address, released together. */
#define RACERS 16
typedef struct {
	cb_lockout *t;
	pthread_barrier_t start;
	atomic_size_t failed, locked;
} race;

static void *bad_request(void *arg)
{
	race *r = arg;
	pthread_barrier_wait(&r->start);
	if (cb_lockout_refused(r->t, "192.0.2.7", 5)) {
		atomic_fetch_add(&r->locked, 1);
		return NULL;
	}
	/* (the token would be verified here, and found bad) */
	if (cb_lockout_settle(r->t, "192.0.2.7", false, 5) == CB_LOCKOUT_FAILED)
		atomic_fetch_add(&r->failed, 1);
	else
		atomic_fetch_add(&r->locked, 1);
	return NULL;
}

TEST(concurrent_failures_from_one_address_get_at_most_max_401s)
{
	cb_lockout t;
	cb_lockout_init(&t, 16, MAX_FAILURES, LOCKOUT);
	race r = { .t = &t };
	pthread_barrier_init(&r.start, NULL, RACERS);
	pthread_t th[RACERS];
	for (int i = 0; i < RACERS; i++)
		CHECK(pthread_create(&th[i], NULL, bad_request, &r) == 0);
	for (int i = 0; i < RACERS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&r.start);
	CHECK_EQ_U64(r.failed, MAX_FAILURES);
	CHECK_EQ_U64(r.locked, RACERS - MAX_FAILURES);
	cb_lockout_destroy(&t);
}
