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
#include "util/log.h"

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

static bool live_lockout(const cb_lockout *t, const cb_client *c, int64_t now)
{
	return c->failures >= t->max_failures && !expired(t, c, now);
}

/* Which entry a newcomer may take once the table is full, or NULL. First an entry whose
 * last failure is older than the lock-out period (it means nothing any more), then the
 * entry with the fewest failures, the oldest of those, that is not locked out: its
 * address loses at most max_failures - 1 failures, no more than it could spend anyway.
 * Never a live lock-out: if a newcomer could take one, an attacker could free its own
 * locked-out address by failing from enough other addresses. Called with the lock
 * held. */
static cb_client *victim(cb_lockout *t, int64_t now)
{
	cb_client *best = NULL;
	for (size_t i = 0; i < t->n; i++) {
		cb_client *c = &t->clients[i];
		if (expired(t, c, now))
			return c;
		if (live_lockout(t, c, now))
			continue;
		if (!best || c->failures < best->failures ||
		    (c->failures == best->failures && c->last_failure < best->last_failure))
			best = c;
	}
	return best;
}

/* Whether an address without an entry could be given one now. Called with the lock
 * held. */
static bool has_room(cb_lockout *t, int64_t now)
{
	return t->n < t->max || victim(t, now) != NULL;
}

/* A new entry for addr: a free place (growing the table up to max entries), else
 * victim()'s. NULL when every entry is a live lock-out (or memory is short). Called with
 * the lock held. */
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
		if (c) {
			t->clients = c;
			t->cap = cap;
			slot = &t->clients[t->n++];
		}
	}
	if (!slot)
		slot = victim(t, now);
	if (slot) {
		memset(slot, 0, sizeof *slot);
		snprintf(slot->addr, sizeof slot->addr, "%s", addr);
	}
	return slot;
}

/* Whether addr is refused whatever its token: locked out itself, or without an entry
 * while every entry is a live lock-out. That second case fails closed (docs/
 * commit-boost.md "Authentication"): admitting the newcomer untracked would give an
 * attacker who holds the whole table an address whose guesses nobody counts, and a
 * 429 only for its bad tokens would still tell it which one was good. Called with the
 * lock held. */
static bool refused_locked(cb_lockout *t, const char *addr, int64_t now)
{
	cb_client *c = current_entry(t, addr, now);
	if (c)
		return c->failures >= t->max_failures;
	bool room = has_room(t, now);
	if (!room && !t->full_warned)
		log_warn("commit-boost: all %zu client addresses the JWT lock-out tracks are locked "
			 "out; requests from any other address are refused (429) until one of "
			 "those lock-outs ends",
			 t->max);
	t->full_warned = !room;
	return !room;
}

bool cb_lockout_refused(cb_lockout *t, const char *addr, int64_t now)
{
	pthread_mutex_lock(&t->lock);
	bool refused = refused_locked(t, addr, now);
	pthread_mutex_unlock(&t->lock);
	return refused;
}

cb_lockout_verdict cb_lockout_settle(cb_lockout *t, const char *addr, bool verified,
				     int64_t now)
{
	pthread_mutex_lock(&t->lock);
	cb_lockout_verdict v = CB_LOCKOUT_LOCKED; /* even a good token */
	if (!refused_locked(t, addr, now)) {
		cb_client *c = verified ? NULL : current_entry(t, addr, now);
		if (!verified && !c)
			c = new_entry(t, addr, now);
		if (c) {
			c->failures++;
			c->last_failure = now;
		}
		/* a failure with nowhere to count it (out of memory) is refused like one
		 * over the limit */
		v = verified ? CB_LOCKOUT_PASS : c ? CB_LOCKOUT_FAILED : CB_LOCKOUT_LOCKED;
	}
	pthread_mutex_unlock(&t->lock);
	return v;
}
