/* The JWT lock-out of the Commit-Boost listener (reference/signing-apis-2026.md §8.1,
 * from Commit-Boost's signer/src/service.rs): per client address, max_failures (3)
 * authentication failures lock the address out for lockout_seconds (300) after the last
 * one; failures older than that are forgotten, whether or not they reached the limit.
 *
 * cb_authenticate asks twice. Before verifying a token, cb_lockout_refused: an address
 * already locked out costs no verification. After verifying it, cb_lockout_settle
 * decides the answer and counts the failure in one hold of the lock. The second step is
 * the one that bounds guessing: were the check and the count separate, requests racing
 * from one address could all pass the check before any of them was counted, and each
 * would learn whether its token was good. Settled under one lock, at most max_failures
 * of them are answered 401; the others get 429 and learn nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/cb_internal.h"

void cb_lockout_init(cb_lockout *t, size_t max_clients, unsigned max_failures,
		     unsigned lockout_seconds)
{
	memset(t, 0, sizeof *t);
	pthread_mutex_init(&t->lock, NULL);
	t->max = max_clients;
	t->max_failures = max_failures;
	t->lockout_seconds = lockout_seconds;
}

void cb_lockout_destroy(cb_lockout *t)
{
	free(t->clients);
	pthread_mutex_destroy(&t->lock);
	memset(t, 0, sizeof *t);
}

/* The client's entry, or NULL. Called with the lock held. */
static cb_client *find_client(cb_lockout *t, const char *addr)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->clients[i].addr, addr) == 0)
			return &t->clients[i];
	return NULL;
}

static bool expired(const cb_lockout *t, const cb_client *c, int64_t now)
{
	return now - c->last_failure >= (int64_t)t->lockout_seconds;
}

/* The client's entry, its failures forgotten when the last one is older than the
 * lock-out period (Commit-Boost's rule); NULL when the address has none. Called with
 * the lock held. */
static cb_client *current_entry(cb_lockout *t, const char *addr, int64_t now)
{
	cb_client *c = find_client(t, addr);
	if (c && expired(t, c, now))
		c->failures = 0;
	return c;
}

/* A new entry for addr (the table is bounded: entries whose lock-out has ended are
 * reused). Called with the lock held. */
static cb_client *new_entry(cb_lockout *t, const char *addr, int64_t now)
{
	cb_client *slot = NULL;
	if (t->n < t->cap) {
		slot = &t->clients[t->n++];
	} else if (t->cap < t->max) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		if (cap > t->max)
			cap = t->max;
		cb_client *c = realloc(t->clients, cap * sizeof *c);
		if (!c)
			return NULL;
		t->clients = c;
		t->cap = cap;
		slot = &t->clients[t->n++];
	} else {
		for (size_t i = 0; i < t->n; i++)
			if (expired(t, &t->clients[i], now)) {
				slot = &t->clients[i];
				break;
			}
		if (!slot)
			slot = &t->clients[0]; /* table full of live lock-outs: forget one */
	}
	memset(slot, 0, sizeof *slot);
	snprintf(slot->addr, sizeof slot->addr, "%s", addr);
	return slot;
}

bool cb_lockout_refused(cb_lockout *t, const char *addr, int64_t now)
{
	pthread_mutex_lock(&t->lock);
	cb_client *c = current_entry(t, addr, now);
	bool refused = c && c->failures >= t->max_failures;
	pthread_mutex_unlock(&t->lock);
	return refused;
}

cb_lockout_verdict cb_lockout_settle(cb_lockout *t, const char *addr, bool verified,
				     int64_t now)
{
	pthread_mutex_lock(&t->lock);
	cb_lockout_verdict v;
	cb_client *c = current_entry(t, addr, now);
	if (c && c->failures >= t->max_failures) {
		v = CB_LOCKOUT_LOCKED; /* even a good token: the address is locked out */
	} else if (verified) {
		v = CB_LOCKOUT_PASS;
	} else {
		if (!c)
			c = new_entry(t, addr, now);
		if (c) {
			c->failures++;
			c->last_failure = now;
		}
		v = CB_LOCKOUT_FAILED;
	}
	pthread_mutex_unlock(&t->lock);
	return v;
}
