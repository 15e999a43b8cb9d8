/* The hashed-message cache (hash_cache.h). */
#include <stdint.h>
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
	c->build_after = HASH_CACHE_DEFAULT_BUILD_AFTER;
	c->max_tables = HASH_CACHE_DEFAULT_MAX_TABLES;
	for (size_t i = 0; i < n; i++) {
		pthread_mutex_init(&c->sets[i].lock, NULL);
		c->sets[i].e = c->entries + i * ways;
	}
	return SS_OK;
}

void hash_cache_set_tables(hash_cache *c, unsigned build_after, unsigned max_tables)
{
	c->build_after = build_after ? build_after : 1;
	c->max_tables = max_tables;
}

/* Drops one reference; the last one frees the table and returns its budget. */
static void table_unref(hash_cache *c, hash_cache_table *t)
{
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	free(t->t);
	free(t);
	atomic_fetch_sub_explicit(&c->n_tables, 1, memory_order_relaxed);
}

/* Takes one unit of the table budget; false when max_tables are alive. */
static bool table_budget_take(hash_cache *c)
{
	unsigned n = atomic_load_explicit(&c->n_tables, memory_order_relaxed);
	while (n < c->max_tables)
		if (atomic_compare_exchange_weak_explicit(&c->n_tables, &n, n + 1,
							  memory_order_relaxed, memory_order_relaxed))
			return true;
	return false;
}

void hash_cache_destroy(hash_cache *c)
{
	if (!c->sets)
		return;
	for (size_t i = 0; i < c->n_sets * c->ways; i++)
		if (c->entries[i].table)
			table_unref(c, c->entries[i].table);
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

/* The entry for root in s, under s->lock, or NULL. */
static hash_cache_entry *lookup(hash_cache_set *s, size_t ways,
				const uint8_t root[HASH_CACHE_ROOT_BYTES], uint64_t id)
{
	hash_cache_entry *e = find(s, ways, root);
	return e && e->id == id ? e : NULL;
}

/* Builds the table of u->h for the entry inserted as `id` (the caller reserved the
 * budget and set e->building), outside the lock: ~0.7 ms during which the other signers
 * of this root go on with H(root). The builder signs with the table it built; the
 * entry takes its own reference unless it was evicted meanwhile (then the table lives
 * only as long as this signer's use). Without memory, nothing changes but the budget
 * and the flag. */
static void build_table(hash_cache *c, hash_cache_set *s,
			const uint8_t root[HASH_CACHE_ROOT_BYTES], uint64_t id, hash_cache_use *u)
{
	hash_cache_table *t = malloc(sizeof *t);
	bls_fixed_base_table *tab = malloc(BLS_FIXED_BASE_TABLE_BYTES);
	if (t && tab) {
		bls_fixed_base_build(tab, &u->h);
		t->t = tab;
		atomic_init(&t->refs, 1); /* the signer's */
		atomic_fetch_add_explicit(&c->tables_built, 1, memory_order_relaxed);
	} else {
		free(t);
		free(tab);
		t = NULL;
		atomic_fetch_sub_explicit(&c->n_tables, 1, memory_order_relaxed);
	}
	pthread_mutex_lock(&s->lock);
	hash_cache_entry *e = lookup(s, c->ways, root, id);
	if (e) {
		e->building = false;
		if (t) {
			atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
			e->table = t;
			atomic_fetch_add_explicit(&c->attached, 1, memory_order_relaxed);
		}
	}
	pthread_mutex_unlock(&s->lock);
	u->table = t;
}

/* Under e's set lock: e gives up its table (the signers using it keep it alive). */
static void detach_table(hash_cache *c, hash_cache_entry *e)
{
	if (!e->table)
		return;
	table_unref(c, e->table);
	e->table = NULL;
	atomic_fetch_sub_explicit(&c->attached, 1, memory_order_relaxed);
}

/* Under the set's lock: true when this signer is the one to build e's table (it has
 * reached build_after signers, has no table and no builder, and the budget allows one
 * more), and then marks e as being built. *evict: e qualifies but every unit of the
 * budget is held by an entry, so the least recently used table should be given up. */
static bool should_build(hash_cache *c, hash_cache_entry *e, bool *evict)
{
	bool wants = !e->table && !e->building && e->signers >= c->build_after &&
		     c->max_tables > 0;
	bool build = wants && table_budget_take(c);
	e->building |= build;
	*evict = wants && !build &&
		 atomic_load_explicit(&c->attached, memory_order_relaxed) >= c->max_tables;
	return build;
}

/* Without any lock held: gives up the table of the entry used least recently over the
 * whole cache, if it has not been used since root was inserted (at `first`), so that
 * root's next signer can build one once the table's current signers release it. One signer at a time does this; a scan of every set
 * (about 10 µs at the default 1,024 entries) happens once per root that needs a table
 * while the budget is full, next to that table's ~0.6 ms build. */
static void evict_lru_table(hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES],
			    uint64_t first)
{
	if (atomic_exchange_explicit(&c->evicting, true, memory_order_acquire))
		return;
	size_t victim = SIZE_MAX;
	uint64_t vid = 0, vlast = UINT64_MAX;
	for (size_t i = 0; i < c->n_sets; i++) {
		hash_cache_set *s = &c->sets[i];
		pthread_mutex_lock(&s->lock);
		for (size_t w = 0; w < c->ways; w++) {
			const hash_cache_entry *e = &s->e[w];
			if (e->valid && e->table && e->last < vlast && e->last < first &&
			    memcmp(e->root, root, HASH_CACHE_ROOT_BYTES) != 0) {
				victim = i;
				vid = e->id;
				vlast = e->last;
			}
		}
		pthread_mutex_unlock(&s->lock);
	}
	if (victim != SIZE_MAX) {
		hash_cache_set *s = &c->sets[victim];
		pthread_mutex_lock(&s->lock);
		for (size_t w = 0; w < c->ways; w++)
			if (s->e[w].valid && s->e[w].id == vid && s->e[w].last == vlast)
				detach_table(c, &s->e[w]);
		pthread_mutex_unlock(&s->lock);
	}
	atomic_store_explicit(&c->evicting, false, memory_order_release);
}

void hash_cache_acquire(hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES],
			hash_cache_use *u)
{
	hash_cache_set *s = &c->sets[hash_cache_set_of(c, root)];
	u->table = NULL;
	bool evict;
	uint64_t now = atomic_fetch_add_explicit(&c->uses, 1, memory_order_relaxed);
	pthread_mutex_lock(&s->lock);
	hash_cache_entry *e = find(s, c->ways, root);
	if (e) {
		e->used = ++s->clock;
		e->last = now;
		e->signers++;
		u->h = e->h; /* a copy: the entry may be evicted once the lock is released */
		u->hit = true;
		if (e->table) {
			atomic_fetch_add_explicit(&e->table->refs, 1, memory_order_relaxed);
			u->table = e->table;
		}
		bool build = should_build(c, e, &evict);
		uint64_t id = e->id, first = e->first;
		pthread_mutex_unlock(&s->lock);
		if (build)
			build_table(c, s, root, id, u);
		else if (evict)
			evict_lru_table(c, root, first);
		return;
	}
	pthread_mutex_unlock(&s->lock);

	/* ~125 µs of hash_to_G2: outside the lock, so other roots of this set are served
	 * meanwhile. Two threads missing on one root both hash it; the second insert finds
	 * the first and only refreshes it. */
	bls_hash_message(&u->h, root, HASH_CACHE_ROOT_BYTES);
	u->hit = false;

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
		/* Evicted with its entry: signers still using the table hold references, a
		 * table being built for it is dropped by its builder (the id changes). */
		detach_table(c, e);
		memcpy(e->root, root, HASH_CACHE_ROOT_BYTES);
		e->h = u->h;
		e->valid = true;
		e->building = false;
		e->table = NULL;
		e->signers = 0;
		e->first = now;
		e->id = atomic_fetch_add_explicit(&c->next_id, 1, memory_order_relaxed) + 1;
	}
	e->signers++;
	e->used = ++s->clock;
	e->last = now;
	if (e->table) { /* another thread inserted the root, and its table is built */
		atomic_fetch_add_explicit(&e->table->refs, 1, memory_order_relaxed);
		u->table = e->table;
	}
	bool build = should_build(c, e, &evict); /* build_after = 1: the first signer builds */
	uint64_t id = e->id, first = e->first;
	pthread_mutex_unlock(&s->lock);
	if (build)
		build_table(c, s, root, id, u);
	else if (evict)
		evict_lru_table(c, root, first);
}

void hash_cache_release(hash_cache *c, hash_cache_use *u)
{
	if (u->table)
		table_unref(c, u->table);
	u->table = NULL;
}

