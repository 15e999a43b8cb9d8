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
 * Never grows. Thread safe. */
#ifndef SS_SIGNER_HASH_CACHE_H
#define SS_SIGNER_HASH_CACHE_H

#include <pthread.h>
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

typedef struct {
	uint8_t root[HASH_CACHE_ROOT_BYTES];
	bool valid;
	uint64_t used; /* the set's clock at the last use: least recently used goes first */
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
} hash_cache;

/* sets is rounded up to a power of two; 0 picks the defaults. */
ss_err hash_cache_init(hash_cache *c, size_t sets, size_t ways) SS_MUST_USE;
void hash_cache_destroy(hash_cache *c);

/* The set a root belongs to (exposed so tests can build colliding roots). */
size_t hash_cache_set_of(const hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES]);

/* Writes H(root) (bls_hash_message of the 32 bytes) into *out: from the cache when
 * present (returns true, a hit), else computed outside the lock, inserted, and false
 * returned (a miss). Either way *out is exactly bls_hash_message's result. */
bool hash_cache_get(hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES],
		    bls_hashed_message *out);

#endif
