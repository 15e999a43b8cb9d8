/* The writer's in-memory view of each validator it has checked: the stored row plus the
 * highest slot, source and target recorded. With them the common case, a message newer
 * than anything signed, is decided without a single lookup: no record can exist at a
 * slot or target above the maximum, nothing recorded can surround (s, t) when t is at
 * or above every recorded target, and (s, t) can surround nothing when s is at or above
 * every recorded source. Then a check costs one INSERT.
 *
 * The cache only ever describes committed state plus the writer's own open transaction:
 * it is emptied on every rollback and before every administrative change (import,
 * enabled flag), all of which run under conn_lock like the writer; pruning, which must
 * not stall signing, updates the one entry it changed instead. Pruning only deletes
 * below the maxima, so they stay exact. */
#include <stdlib.h>
#include <string.h>

#include "slashing/slashing_internal.h"

#define INITIAL_CAP 256u

static uint64_t key_hash(const uint8_t pk[SLASH_PUBKEY_BYTES])
{
	/* public keys are uniformly distributed apart from the first byte's flag bits */
	uint64_t h;
	memcpy(&h, pk + 8, sizeof h);
	return h * 0x9E3779B97F4A7C15ULL;
}

void slash_vcache_clear(slash_db *db)
{
	free(db->vcache);
	db->vcache = NULL;
	db->vcache_cap = db->vcache_len = 0;
}

static bool grow(slash_db *db)
{
	size_t cap = db->vcache_cap ? 2 * db->vcache_cap : INITIAL_CAP;
	slash_vstate *t = calloc(cap, sizeof *t);
	if (t == NULL)
		return false;
	for (size_t i = 0; i < db->vcache_cap; i++) {
		if (!db->vcache[i].used)
			continue;
		size_t j = key_hash(db->vcache[i].pubkey) & (cap - 1);
		while (t[j].used)
			j = (j + 1) & (cap - 1);
		t[j] = db->vcache[i];
	}
	free(db->vcache);
	db->vcache = t;
	db->vcache_cap = cap;
	return true;
}

/* Fills a fresh entry from the store, registering the validator if it is new. */
static slash_store_result load(slash_db *db, slash_vstate *e)
{
	bool found;
	slash_store_result r = db->ops->get_validator(db->store, e->pubkey, true, &e->v, &found);
	if (r == SLASH_STORE_OK)
		r = db->ops->max_block_slot(db->store, e->v.id, &e->max_slot, &e->has_max_slot);
	if (r == SLASH_STORE_OK)
		r = db->ops->max_att_target(db->store, e->v.id, &e->max_target, &e->has_max_att);
	if (r == SLASH_STORE_OK && e->has_max_att)
		r = db->ops->max_source_upto(db->store, e->v.id, UINT64_MAX, &e->max_source, &found);
	return r;
}

slash_store_result slash_vcache_get(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
				    slash_vstate **out)
{
	if (db->vcache_cap == 0 || 2 * (db->vcache_len + 1) > db->vcache_cap)
		if (!grow(db))
			return SLASH_STORE_FAIL;
	size_t i = key_hash(pubkey) & (db->vcache_cap - 1);
	while (db->vcache[i].used) {
		if (memcmp(db->vcache[i].pubkey, pubkey, SLASH_PUBKEY_BYTES) == 0) {
			slash_vstate *e = &db->vcache[i];
			if (e->stale) {
				slash_store_result r = load(db, e);
				if (r != SLASH_STORE_OK)
					return r; /* stays stale */
				e->stale = false;
			}
			*out = e;
			return SLASH_STORE_OK;
		}
		i = (i + 1) & (db->vcache_cap - 1);
	}
	slash_vstate *e = &db->vcache[i];
	memset(e, 0, sizeof *e);
	memcpy(e->pubkey, pubkey, SLASH_PUBKEY_BYTES);
	slash_store_result r = load(db, e);
	if (r != SLASH_STORE_OK)
		return r; /* entry stays unused */
	e->used = true;
	db->vcache_len++;
	*out = e;
	return SLASH_STORE_OK;
}

void slash_vcache_refresh(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
			  const slash_validator *v)
{
	if (db->vcache_cap == 0)
		return;
	size_t i = key_hash(pubkey) & (db->vcache_cap - 1);
	while (db->vcache[i].used) {
		if (memcmp(db->vcache[i].pubkey, pubkey, SLASH_PUBKEY_BYTES) == 0) {
			db->vcache[i].v = *v;
			return;
		}
		i = (i + 1) & (db->vcache_cap - 1);
	}
}

void slash_vcache_forget(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES])
{
	if (db->vcache_cap == 0)
		return;
	size_t i = key_hash(pubkey) & (db->vcache_cap - 1);
	while (db->vcache[i].used) {
		if (memcmp(db->vcache[i].pubkey, pubkey, SLASH_PUBKEY_BYTES) == 0) {
			db->vcache[i].stale = true;
			return;
		}
		i = (i + 1) & (db->vcache_cap - 1);
	}
}
