/* The hashed-message cache (hash_cache.h). */
#include <stdlib.h>
#include <string.h>

#include "signer/hash_cache.h"

ss_err hash_cache_init(hash_cache *c, size_t sets, size_t ways)
{
	memset(c, 0, sizeof *c);
	if (sets == 0)
		sets = HASH_CACHE_DEFAULT_SETS;
	if (ways == 0)
		ways = HASH_CACHE_DEFAULT_WAYS;
	if (sets > (1u << 20) || ways > 64)
		return SS_ERR_INVALID;
	size_t n = 1;
	while (n < sets)
		n <<= 1;
	c->sets = calloc(n, sizeof *c->sets);
	c->entries = calloc(n * ways, sizeof *c->entries);
	if (!c->sets || !c->entries) {
		free(c->sets);
		free(c->entries);
		memset(c, 0, sizeof *c);
		return SS_ERR_NOMEM;
	}
	c->n_sets = n;
	c->ways = ways;
	for (size_t i = 0; i < n; i++) {
		pthread_mutex_init(&c->sets[i].lock, NULL);
		c->sets[i].e = c->entries + i * ways;
	}
	return SS_OK;
}

void hash_cache_destroy(hash_cache *c)
{
	if (!c->sets)
		return;
	for (size_t i = 0; i < c->n_sets; i++)
		pthread_mutex_destroy(&c->sets[i].lock);
	free(c->sets);
	free(c->entries);
	memset(c, 0, sizeof *c);
}

/* Signing roots are SHA-256 outputs, so any 8 bytes are uniformly distributed; they are
 * public (the client can compute every one), so indexing by them leaks nothing. A
 * client that crafts colliding roots only evicts entries, which costs a rehash. */
size_t hash_cache_set_of(const hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES])
{
	uint64_t h;
	memcpy(&h, root, sizeof h);
	return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> 32) & (c->n_sets - 1);
}

static hash_cache_entry *find(hash_cache_set *s, size_t ways,
			      const uint8_t root[HASH_CACHE_ROOT_BYTES])
{
	for (size_t w = 0; w < ways; w++)
		if (s->e[w].valid && memcmp(s->e[w].root, root, HASH_CACHE_ROOT_BYTES) == 0)
			return &s->e[w];
	return NULL;
}

bool hash_cache_get(hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES],
		    bls_hashed_message *out)
{
	hash_cache_set *s = &c->sets[hash_cache_set_of(c, root)];
	pthread_mutex_lock(&s->lock);
	hash_cache_entry *e = find(s, c->ways, root);
	if (e) {
		e->used = ++s->clock;
		*out = e->h; /* a copy: the entry may be evicted once the lock is released */
		pthread_mutex_unlock(&s->lock);
		return true;
	}
	pthread_mutex_unlock(&s->lock);

	/* ~125 µs of hash_to_G2: outside the lock, so other roots of this set are served
	 * meanwhile. Two threads missing on one root both hash it; the second insert finds
	 * the first and only refreshes it. */
	bls_hash_message(out, root, HASH_CACHE_ROOT_BYTES);

	pthread_mutex_lock(&s->lock);
	e = find(s, c->ways, root);
	if (!e) {
		e = &s->e[0];
		for (size_t w = 0; w < c->ways; w++) {
			hash_cache_entry *x = &s->e[w];
			if (!x->valid) {
				e = x;
				break;
			}
			if (x->used < e->used)
				e = x;
		}
		memcpy(e->root, root, HASH_CACHE_ROOT_BYTES);
		e->h = *out;
		e->valid = true;
	}
	e->used = ++s->clock;
	pthread_mutex_unlock(&s->lock);
	return false;
}
