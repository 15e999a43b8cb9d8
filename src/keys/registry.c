/* The key registry (keys_internal.h): pubkey -> secret in O(1), safe for concurrent
 * lookups with adds and removes. */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#include <stdlib.h>
#include <string.h>

#include "keys/keys_internal.h"
#include "util/secure_mem.h"

#define EMPTY UINT32_MAX

/* Pubkeys are compressed G1 x-coordinates: bytes 1..47 are uniformly distributed, so
 * any 8 of them make a good hash. They are public. */
static size_t hash_pk(const uint8_t pk[KEYS_PUBKEY_BYTES])
{
	uint64_t h;
	memcpy(&h, pk + 8, sizeof h);
	return (size_t)(h * 0x9e3779b97f4a7c15ULL >> 17);
}

static bls_secret_key *secret_at(keys_registry *r, size_t i)
{
	return &r->slabs[i / KEYS_SLAB_KEYS][i % KEYS_SLAB_KEYS];
}

ss_err keys_reg_init(keys_registry *r)
{
	memset(r, 0, sizeof *r);
	pthread_rwlockattr_t attr;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	int rc = pthread_rwlock_init(&r->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (rc != 0)
		return SS_ERR_NOMEM;
	r->table_cap = 64;
	r->table = malloc(r->table_cap * sizeof *r->table);
	if (r->table == NULL)
		return SS_ERR_NOMEM;
	memset(r->table, 0xff, r->table_cap * sizeof *r->table);
	return SS_OK;
}

void keys_reg_destroy(keys_registry *r)
{
	for (size_t i = 0; i < r->n_slabs; i++)
		secure_free(r->slabs[i]);
	free(r->slabs);
	free(r->entries);
	free(r->table);
	pthread_rwlock_destroy(&r->lock);
	memset(r, 0, sizeof *r);
}

/* Slot of pubkey in the table: where it is, or the empty slot where it would go. */
static size_t probe(const keys_registry *r, const uint8_t pk[KEYS_PUBKEY_BYTES], bool *found)
{
	size_t mask = r->table_cap - 1;
	for (size_t s = hash_pk(pk) & mask;; s = (s + 1) & mask) {
		uint32_t e = r->table[s];
		if (e == EMPTY) {
			*found = false;
			return s;
		}
		if (memcmp(r->entries[e].pubkey, pk, KEYS_PUBKEY_BYTES) == 0) {
			*found = true;
			return s;
		}
	}
}

static ss_err grow_table(keys_registry *r, size_t need)
{
	if (need * 2 <= r->table_cap)
		return SS_OK;
	size_t cap = r->table_cap;
	while (need * 2 > cap)
		cap *= 2;
	uint32_t *t = malloc(cap * sizeof *t);
	if (t == NULL)
		return SS_ERR_NOMEM;
	memset(t, 0xff, cap * sizeof *t);
	free(r->table);
	r->table = t;
	r->table_cap = cap;
	for (size_t i = 0; i < r->count; i++) {
		bool found;
		r->table[probe(r, r->entries[i].pubkey, &found)] = (uint32_t)i;
	}
	return SS_OK;
}

static ss_err reserve(keys_registry *r, size_t need)
{
	if (need >= EMPTY)
		return SS_ERR_RANGE;
	if (need > r->entries_cap) {
		size_t cap = r->entries_cap ? r->entries_cap : 256;
		while (cap < need)
			cap *= 2;
		keys_meta *e = realloc(r->entries, cap * sizeof *e);
		if (e == NULL)
			return SS_ERR_NOMEM;
		r->entries = e;
		r->entries_cap = cap;
	}
	size_t slabs = (need + KEYS_SLAB_KEYS - 1) / KEYS_SLAB_KEYS;
	if (slabs > r->n_slabs) {
		bls_secret_key **s = realloc(r->slabs, slabs * sizeof *s);
		if (s == NULL)
			return SS_ERR_NOMEM;
		r->slabs = s;
		while (r->n_slabs < slabs) {
			s[r->n_slabs] = secure_alloc(KEYS_SLAB_KEYS * sizeof(bls_secret_key));
			if (s[r->n_slabs] == NULL)
				return SS_ERR_NOMEM;
			r->n_slabs++;
		}
	}
	return grow_table(r, need);
}

ss_err keys_reg_add(keys_registry *r, const keys_meta *meta, const bls_secret_key *sks,
		    size_t n, bool *added)
{
	pthread_rwlock_wrlock(&r->lock);
	ss_err e = reserve(r, r->count + n);
	for (size_t i = 0; e == SS_OK && i < n; i++) {
		bool found;
		size_t s = probe(r, meta[i].pubkey, &found);
		if (added)
			added[i] = !found;
		if (found)
			continue;
		r->entries[r->count] = meta[i];
		*secret_at(r, r->count) = sks[i];
		r->table[s] = (uint32_t)r->count;
		r->count++;
	}
	pthread_rwlock_unlock(&r->lock);
	return e;
}

bool keys_reg_remove(keys_registry *r, const uint8_t pubkey[KEYS_PUBKEY_BYTES])
{
	pthread_rwlock_wrlock(&r->lock);
	bool found;
	size_t s = probe(r, pubkey, &found);
	if (found) {
		size_t idx = r->table[s], last = r->count - 1, mask = r->table_cap - 1;
		/* backward-shift deletion keeps every probe chain unbroken */
		r->table[s] = EMPTY;
		for (size_t j = (s + 1) & mask; r->table[j] != EMPTY; j = (j + 1) & mask) {
			uint32_t e = r->table[j];
			size_t home = hash_pk(r->entries[e].pubkey) & mask;
			/* e may move into the hole when its home is not in (s, j] cyclically */
			bool between = s <= j ? (home > s && home <= j) : (home > s || home <= j);
			if (!between) {
				r->table[s] = e;
				r->table[j] = EMPTY;
				s = j;
			}
		}
		/* move the last entry (and its secret) into the freed index */
		if (idx != last) {
			bool f2;
			size_t ls = probe(r, r->entries[last].pubkey, &f2);
			r->entries[idx] = r->entries[last];
			*secret_at(r, idx) = *secret_at(r, last);
			r->table[ls] = (uint32_t)idx;
		}
		secure_zero(secret_at(r, last), sizeof(bls_secret_key));
		r->count--;
	}
	pthread_rwlock_unlock(&r->lock);
	return found;
}

bool keys_reg_get_secret(keys_registry *r, const uint8_t pubkey[KEYS_PUBKEY_BYTES],
			 bls_secret_key *sk)
{
	pthread_rwlock_rdlock(&r->lock);
	bool found;
	size_t s = probe(r, pubkey, &found);
	if (found)
		*sk = *secret_at(r, r->table[s]);
	pthread_rwlock_unlock(&r->lock);
	if (!found)
		secure_zero(sk, sizeof *sk);
	return found;
}

bool keys_reg_get_meta(keys_registry *r, const uint8_t pubkey[KEYS_PUBKEY_BYTES],
		       keys_meta *meta)
{
	pthread_rwlock_rdlock(&r->lock);
	bool found;
	size_t s = probe(r, pubkey, &found);
	if (found && meta)
		*meta = r->entries[r->table[s]];
	pthread_rwlock_unlock(&r->lock);
	return found;
}

size_t keys_reg_count(keys_registry *r)
{
	pthread_rwlock_rdlock(&r->lock);
	size_t n = r->count;
	pthread_rwlock_unlock(&r->lock);
	return n;
}

size_t keys_reg_list(keys_registry *r, keys_meta *out, size_t cap)
{
	pthread_rwlock_rdlock(&r->lock);
	size_t n = r->count;
	for (size_t i = 0; i < n && i < cap; i++)
		out[i] = r->entries[i];
	pthread_rwlock_unlock(&r->lock);
	return n;
}

/* keys_sign_many (keys.h). Here rather than in store.c so that it sits next to the
 * lookup it relies on: each secret is copied out under the read lock, used outside it
 * (a signature never holds up an add or a delete), then wiped, BLS_SIGN_MANY_MAX at a
 * time. */
void keys_sign_many(keys_store *ks, keys_sign_request *reqs, size_t n)
{
	bls_secret_key sk[BLS_SIGN_MANY_MAX];
	bls_sign_job job[BLS_SIGN_MANY_MAX];
	while (n > 0) {
		size_t m = 0, take = n < BLS_SIGN_MANY_MAX ? n : BLS_SIGN_MANY_MAX;
		for (size_t i = 0; i < take; i++) {
			keys_sign_request *q = &reqs[i];
			if (!keys_reg_get_secret(&ks->reg, q->pubkey, &sk[m])) {
				q->err = SS_ERR_NOT_FOUND;
				continue;
			}
			q->err = SS_OK;
			job[m] = (bls_sign_job){ .sk = &sk[m], .table = q->table, .h = q->h, .sig = q->sig };
			m++;
		}
		bls_sign_many(job, m);
		secure_zero(sk, m * sizeof sk[0]);
		reqs += take;
		n -= take;
	}
}
