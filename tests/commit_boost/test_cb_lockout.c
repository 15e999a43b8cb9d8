/* The Commit-Boost JWT lock-out table (src/api/cb_lockout.c) in-process, on a clock the
 * test sets and with a table of 4 addresses (its size is a parameter; the listener's is
 * CB_MAX_CLIENTS): failures racing from one address are answered 401 at most
 * max_failures times; a newcomer never takes a live lock-out's place. The HTTP side is
 * tests/commit_boost/cb_client.mjs. */
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

/* Fails from addr until it is locked out (MAX_FAILURES 401s). */
static void lock_out(cb_lockout *t, const char *addr, int64_t now)
{
	for (int i = 0; i < MAX_FAILURES; i++)
		CHECK(cb_lockout_settle(t, addr, false, now) == CB_LOCKOUT_FAILED);
	CHECK(cb_lockout_refused(t, addr, now));
}

/* A table of 4 addresses, all live lock-outs: a newcomer takes none of their places,
 * however many addresses it fails from, and is refused (429) whatever its token until a
 * lock-out ends. Before, it took clients[0]'s place, which freed that address. */
TEST(a_newcomer_never_evicts_a_live_lockout)
{
	cb_lockout t;
	cb_lockout_init(&t, 4, MAX_FAILURES, LOCKOUT);
	const char *held[4] = { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4" };
	for (int i = 0; i < 4; i++)
		lock_out(&t, held[i], 100 + i);
	char addr[32];
	for (int i = 0; i < 50; i++) {
		snprintf(addr, sizeof addr, "10.1.0.%d", i);
		CHECK(cb_lockout_refused(&t, addr, 200));
		CHECK(cb_lockout_settle(&t, addr, false, 200) == CB_LOCKOUT_LOCKED);
		CHECK(cb_lockout_settle(&t, addr, true, 200) == CB_LOCKOUT_LOCKED);
	}
	for (int i = 0; i < 4; i++)
		CHECK_MSG(cb_lockout_refused(&t, held[i], 200), "%s was freed", held[i]);
	/* the first lock-out ends (LOCKOUT after its last failure): its place is free */
	CHECK(!cb_lockout_refused(&t, "10.1.0.0", 100 + LOCKOUT));
	CHECK(cb_lockout_settle(&t, "10.1.0.0", false, 100 + LOCKOUT) == CB_LOCKOUT_FAILED);
	for (int i = 1; i < 4; i++)
		CHECK(cb_lockout_refused(&t, held[i], 100 + LOCKOUT));
	cb_lockout_destroy(&t);
}

/* Once the table is full, a newcomer takes an entry whose lock-out has ended first,
 * then the entry with the fewest failures (the oldest of those) that is not locked
 * out; an address that passes (a good token) needs no entry at all. */
TEST(a_newcomer_takes_an_expired_entry_then_the_least_failed)
{
	cb_lockout t;
	cb_lockout_init(&t, 4, MAX_FAILURES, LOCKOUT);
	lock_out(&t, "a", 1000);
	CHECK(cb_lockout_settle(&t, "b", false, 1000) == CB_LOCKOUT_FAILED); /* 1 failure */
	CHECK(cb_lockout_settle(&t, "b", false, 1001) == CB_LOCKOUT_FAILED); /* 2 */
	CHECK(cb_lockout_settle(&t, "c", false, 1002) == CB_LOCKOUT_FAILED); /* 1, newer */
	CHECK(cb_lockout_settle(&t, "d", false, 1000 - LOCKOUT) == CB_LOCKOUT_FAILED); /* old */
	CHECK(cb_lockout_settle(&t, "pass", true, 1003) == CB_LOCKOUT_PASS);
	/* d's failure is older than the lock-out period: its place goes first */
	CHECK(cb_lockout_settle(&t, "e", false, 1003) == CB_LOCKOUT_FAILED);
	/* then c's (1 failure), not b's (2) and never a's (locked out) */
	CHECK(cb_lockout_settle(&t, "f", false, 1004) == CB_LOCKOUT_FAILED);
	CHECK(cb_lockout_settle(&t, "b", false, 1005) == CB_LOCKOUT_FAILED); /* b's third */
	CHECK(cb_lockout_refused(&t, "b", 1005));
	CHECK(cb_lockout_refused(&t, "a", 1005));
	/* e (1 failure, 1003) goes before f (1 failure, 1004): the oldest of the fewest */
	CHECK(cb_lockout_settle(&t, "g", false, 1006) == CB_LOCKOUT_FAILED);
	CHECK(cb_lockout_settle(&t, "f", false, 1006) == CB_LOCKOUT_FAILED);
	CHECK(cb_lockout_settle(&t, "f", false, 1006) == CB_LOCKOUT_FAILED);
	CHECK(cb_lockout_refused(&t, "f", 1006)); /* f kept its first failure: 3 */
	cb_lockout_destroy(&t);
}
