/* A small bounded cache of messages already hashed to G2, keyed by the 32-byte signing
 * root. In a slot's burst many validators sign the same root (every attestation of one
 * committee shares AttestationData, every AGGREGATION_SLOT selection proof of a slot
 * shares the slot, sync-committee messages share the block root), and hash_to_G2 is
 * about half of bls_sign's time (docs/bls.md). H(m) depends on public data only, so
 * sharing it between keys and threads leaks nothing; the secret scalar multiplication
 * (bls_sign_hashed) stays constant time.
 *
 * Set-associative: `sets` sets of `ways` entries, each set under its own mutex, so
 * threads signing different roots rarely meet. Entries are compared on all 32 bytes;
 * a set evicts its least recently used entry. The hash is computed outside any lock.
 * Never grows. Thread safe.
 *
 * Fixed-base tables (bls_fixed_base_build, docs/bls.md): once an entry has been asked
 * for by `build_after` signers, the thread that makes that request builds the table of
 * H(root) (about 0.7 ms, outside any lock) while later signers keep signing with H(root)
 * as before; from then on the entry's signers sign with table additions only (about
 * half the work). A root signed by fewer keys never pays for a table. At most
 * `max_tables` tables (BLS_FIXED_BASE_TABLE_BYTES each, 66 KiB) are alive at a time, so
 * the memory stays bounded; a table is freed when its entry is evicted and the last
 * signer using it is done (a reference count). When every unit of that budget is held by
 * an entry and another root reaches `build_after` signers, the table of the entry used
 * least recently (over all sets) is given up for it, provided that entry has not been
 * used since the new root first came (so roots that are signed at the same time never
 * take tables from each other, which would rebuild them over and over): its entry keeps
 * H(root), the table is freed once its last signer releases it, and the new root's next
 * signer builds one.
 * Without this a long-running signer would keep the tables of its first `max_tables`
 * shared roots until their entries happened to be evicted (hundreds of slots later)
 * and sign every later root without one. */
#ifndef SS_SIGNER_HASH_CACHE_H
#define SS_SIGNER_HASH_CACHE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/bls.h"
#include "util/error.h"

#define HASH_CACHE_ROOT_BYTES 32
/* Default geometry: 256 sets x 4 ways = 1024 roots (about 330 KiB). A burst needs a
 * few hundred distinct roots at most (64 committees per slot, one aggregation-slot
 * root, one sync-committee root), so the cache holds a whole slot's worth. */
#define HASH_CACHE_DEFAULT_SETS 256u
#define HASH_CACHE_DEFAULT_WAYS 4u
/* A table costs what 6-7 table signatures save (build 570-660 µs, each table signature
 * saves ~96 µs against bls_sign_hashed: docs/benchmarks.md). Building at the 8th
 * signer is the ski-rental rule, rounded up for the noise of those numbers: by then the
 * root has cost about as much extra as the table would, so a root's total cost stays
 * within about twice what hindsight would have chosen, and roots with fewer signers pay
 * nothing. */
#define HASH_CACHE_DEFAULT_BUILD_AFTER 8u
/* 16 tables, about 1.1 MiB: since Electra (EIP-7549) a slot's attesters share one
 * AttestationData, plus an aggregation-slot root and a sync-committee root. */
#define HASH_CACHE_DEFAULT_MAX_TABLES 16u

/* A fixed-base table shared by an entry and the signers using it. */
typedef struct {
	_Atomic unsigned refs;
	bls_fixed_base_table *t; /* BLS_FIXED_BASE_TABLE_BYTES */
} hash_cache_table;

typedef struct {
	uint8_t root[HASH_CACHE_ROOT_BYTES];
	bool valid;
	bool building;     /* a signer is building this entry's table */
	uint64_t used; /* the set's clock at the last use: least recently used goes first */
	uint64_t id;       /* unique per insertion: a table built for an evicted entry is dropped */
	uint64_t signers;  /* requests for this root since it was inserted */
	uint64_t first;    /* hash_cache.uses when inserted */
	uint64_t last;     /* hash_cache.uses at the last use: tables go least recent first */
	hash_cache_table *table; /* NULL until built; the entry holds one reference */
	bls_hashed_message h;
} hash_cache_entry;

typedef struct {
	pthread_mutex_t lock;
	uint64_t clock;
	hash_cache_entry *e; /* ways entries */
} hash_cache_set;

typedef struct {
	hash_cache_set *sets;
	hash_cache_entry *entries;
	size_t n_sets; /* a power of two */
	size_t ways;
	unsigned build_after, max_tables; /* max_tables = 0: no tables */
	_Atomic unsigned n_tables;        /* alive or being built, <= max_tables */
	_Atomic unsigned attached;        /* tables held by an entry, <= n_tables */
	_Atomic uint64_t uses;            /* acquisitions so far: the cache-wide clock */
	_Atomic bool evicting;            /* a signer is giving up a table for a new root */
	_Atomic uint64_t next_id;
	_Atomic uint64_t tables_built;    /* for tests and benchmarks */
} hash_cache;

/* What one signer of a root uses: H(root), and its table when one is built. */
typedef struct {
	bls_hashed_message h;
	hash_cache_table *table; /* NULL: sign with h (bls_sign_hashed) */
	bool hit;                /* H(root) came from the cache */
} hash_cache_use;

/* sets is rounded up to a power of two; 0 picks the defaults (tables too). */
ss_err hash_cache_init(hash_cache *c, size_t sets, size_t ways) SS_MUST_USE;
/* Changes the table policy before first use: build_after >= 1 (signers of a root before
 * its table is built), max_tables = 0 disables tables. */
void hash_cache_set_tables(hash_cache *c, unsigned build_after, unsigned max_tables);
/* No acquired use may be outstanding. */
void hash_cache_destroy(hash_cache *c);

/* The set a root belongs to (exposed so tests can build colliding roots). */
size_t hash_cache_set_of(const hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES]);

/* For a signer of root: fills *u with H(root) (bls_hash_message of the 32 bytes, from
 * the cache when present: u->hit) and, when the root's table is
 * built, a reference to it, which the caller gives back with hash_cache_release after
 * signing. The request that makes `build_after` signers builds the table first (the
 * others meanwhile get H(root) only). Never fails: without memory or table budget the
 * signer just gets H(root). */
void hash_cache_acquire(hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES],
			hash_cache_use *u);
void hash_cache_release(hash_cache *c, hash_cache_use *u);

#endif
