/* slash_check_async: answers by callback exactly once, with the same rules as the
 * blocking checks, and held checks gather into one transaction until released (or
 * until the hold limit), never longer, and never delay an unheld check behind them. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slash_test_util.h"
#include "test.h"

#define N_HELD 6

typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned answered[N_HELD + 1];
	slash_decision d[N_HELD + 1];
	char why[N_HELD + 1][256];
} answers;

typedef struct {
	answers *a;
	unsigned i;
} slot;

static void on_done(void *ctx, slash_decision d, const slash_reason *why)
{
	slot *s = ctx;
	pthread_mutex_lock(&s->a->mu);
	s->a->answered[s->i]++;
	s->a->d[s->i] = d;
	snprintf(s->a->why[s->i], sizeof s->a->why[s->i], "%s", why ? why->message : "");
	pthread_cond_broadcast(&s->a->cv);
	pthread_mutex_unlock(&s->a->mu);
}

static void answers_init(answers *a)
{
	memset(a, 0, sizeof *a);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
}

static unsigned count_answered(answers *a, unsigned n)
{
	pthread_mutex_lock(&a->mu);
	unsigned c = 0;
	for (unsigned i = 0; i < n; i++)
		c += a->answered[i] ? 1 : 0;
	pthread_mutex_unlock(&a->mu);
	return c;
}

/* Waits up to 10 s for the first n slots to be answered. */
static bool wait_answered(answers *a, unsigned n)
{
	for (int i = 0; i < 1000; i++) {
		if (count_answered(a, n) == n)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static slash_check att_check(unsigned key, uint64_t source, uint64_t target, uint64_t root)
{
	slash_check c = { .attestation = true, .source = source, .target = target };
	memset(c.gvr, 0x11, sizeof c.gvr);
	tdb_key(c.pubkey, key);
	tdb_root(c.signing_root, root);
	return c;
}

static uint64_t batches(slash_db *db)
{
	slash_stats st;
	slash_get_stats(db, &st);
	return st.batches;
}

/* A store in a fresh directory whose held checks wait at most hold_us (0: the default
 * options); NULL (reported) when it cannot be opened, with dir already removed. */
static slash_db *open_store(char dir[256], unsigned hold_us)
{
	if (!tdb_mkdir(dir))
		return NULL;
	slash_options o;
	slash_options_default(&o);
	if (hold_us)
		o.hold_max_us = hold_us;
	slash_db *db = tdb_open_with(dir, hold_us ? &o : NULL);
	if (!db)
		tdb_rmdir(dir);
	return db;
}

/* One held attestation check (key 1, source 3, target 4) answered into slot 0 of a. */
static slash_check submit_held(slash_db *db, answers *a, slot *s0)
{
	answers_init(a);
	*s0 = (slot){ a, 0 };
	slash_check c = att_check(1, 3, 4, 1);
	CHECK(slash_check_async(db, &c, true, on_done, s0) != 0);
	return c;
}

TEST(async_held_checks_share_one_transaction)
{
	char dir[256];
	slash_db *db = open_store(dir, 60u * 1000000u); /* only the release lets them go */
	if (!db)
		return;
	answers a;
	answers_init(&a);
	slot slots[N_HELD];
	uint64_t tickets[N_HELD];
	uint64_t b0 = batches(db);
	for (unsigned i = 0; i < N_HELD; i++) {
		slots[i] = (slot){ &a, i };
		slash_check c = att_check(i + 1, 10, 11, 100 + i);
		tickets[i] = slash_check_async(db, &c, true, on_done, &slots[i]);
		CHECK(tickets[i] != 0);
		if (i)
			CHECK(tickets[i] > tickets[i - 1]);
	}
	usleep(100 * 1000);
	CHECK_EQ_U64(count_answered(&a, N_HELD), 0); /* all held */
	/* Releasing the first lets every queued check into one transaction. */
	slash_release(db, tickets[0]);
	CHECK(wait_answered(&a, N_HELD));
	for (unsigned i = 0; i < N_HELD; i++) {
		CHECK_EQ_U64(a.answered[i], 1);
		CHECK_MSG(a.d[i] == SLASH_ALLOWED, "check %u: %s", i, a.why[i]);
	}
	/* The writer counts a batch after answering it: wait for the count, then it must
	 * be one transaction (one per check would show 6 by now). */
	for (int i = 0; i < 200 && batches(db) == b0; i++)
		usleep(10 * 1000);
	CHECK_EQ_U64(batches(db) - b0, 1);
	/* They were recorded: a double vote of any of them is refused, through both forms. */
	slot again = { &a, N_HELD };
	slash_check dv = att_check(3, 10, 11, 999);
	uint64_t t = slash_check_async(db, &dv, false, on_done, &again);
	CHECK(t > tickets[N_HELD - 1]);
	CHECK(wait_answered(&a, N_HELD + 1));
	CHECK(a.d[N_HELD] == SLASH_REFUSED);
	CHECK(strstr(a.why[N_HELD], "double vote") != NULL);
	uint8_t pk[SLASH_PUBKEY_BYTES], root[SLASH_ROOT_BYTES];
	tdb_key(pk, 5);
	tdb_root(root, 998);
	CHECK(slash_check_attestation(db, pk, dv.gvr, 10, 11, root, NULL) == SLASH_REFUSED);
	usleep(20 * 1000);
	for (unsigned i = 0; i <= N_HELD; i++)
		CHECK_EQ_U64(a.answered[i], 1); /* exactly once */
	slash_close(db);
	tdb_rmdir(dir);
}

TEST(async_hold_is_bounded)
{
	char dir[256];
	slash_db *db = open_store(dir, 200u * 1000u);
	if (!db)
		return;
	answers a;
	slot s0;
	double t0 = now_s();
	submit_held(db, &a, &s0);
	CHECK(wait_answered(&a, 1)); /* never released, answered all the same */
	double waited = now_s() - t0;
	CHECK_MSG(waited >= 0.19, "answered after %.3f s, before the 0.2 s hold", waited);
	CHECK(a.d[0] == SLASH_ALLOWED);
	slash_close(db);
	tdb_rmdir(dir);
}

TEST(async_unheld_check_is_not_delayed_by_held_ones)
{
	char dir[256];
	slash_db *db = open_store(dir, 60u * 1000000u);
	if (!db)
		return;
	answers a;
	slot s0;
	slash_check c = submit_held(db, &a, &s0);
	/* A blocking check queued behind the held one returns promptly, and takes the held
	 * one into its transaction. */
	uint8_t pk[SLASH_PUBKEY_BYTES], root[SLASH_ROOT_BYTES];
	tdb_key(pk, 2);
	tdb_root(root, 2);
	double t0 = now_s();
	CHECK(slash_check_block(db, pk, c.gvr, 40, root, NULL) == SLASH_ALLOWED);
	CHECK_MSG(now_s() - t0 < 30, "a blocking check waited %.1f s", now_s() - t0);
	CHECK(wait_answered(&a, 1));
	CHECK(a.d[0] == SLASH_ALLOWED);
	slash_close(db);
	tdb_rmdir(dir);
}

TEST(async_close_answers_held_checks)
{
	char dir[256];
	slash_db *db = open_store(dir, 60u * 1000000u);
	if (!db)
		return;
	answers a;
	slot s0;
	slash_check c = submit_held(db, &a, &s0);
	double t0 = now_s();
	slash_close(db); /* commits what is queued, held or not, then stops */
	CHECK_MSG(now_s() - t0 < 30, "close waited %.1f s for a held check", now_s() - t0);
	CHECK_EQ_U64(a.answered[0], 1);
	CHECK(a.d[0] == SLASH_ALLOWED);
	/* After close it was durable: reopened, the same target with another root is a
	 * double vote. */
	db = tdb_open(dir);
	if (db) {
		uint8_t root[SLASH_ROOT_BYTES];
		tdb_root(root, 77);
		CHECK(slash_check_attestation(db, c.pubkey, c.gvr, 3, 4, root, NULL) == SLASH_REFUSED);
		slash_close(db);
	}
	tdb_rmdir(dir);
}

TEST(async_default_hold_is_bounded)
{
	slash_options o;
	memset(&o, 0xa5, sizeof o); /* whatever was there before */
	slash_options_default(&o);
	CHECK_EQ_U64(o.hold_max_us, SLASH_HOLD_DEFAULT_MAX_US);
	char dir[256];
	slash_db *db = open_store(dir, 0); /* NULL options: the defaults */
	if (!db)
		return;
	answers a;
	slot s0;
	double t0 = now_s();
	submit_held(db, &a, &s0);
	CHECK(wait_answered(&a, 1)); /* never released: the default bound answers it */
	CHECK_MSG(now_s() - t0 < 5, "a held check waited %.1f s with the default options",
		  now_s() - t0);
	CHECK(a.d[0] == SLASH_ALLOWED);
	slash_close(db);
	tdb_rmdir(dir);
}
