/* Module-internal state of the key lifecycle (keymanager.h), shared by keymanager.c and
 * keymanager_delete.c. */
#ifndef SS_SIGNER_KEYMANAGER_INTERNAL_H
#define SS_SIGNER_KEYMANAGER_INTERNAL_H

#include <pthread.h>

#include "signer/keymanager.h"

/* A key deleted while imports were pending: imports whose ticket is below `after` were
 * received before the delete and must not bring the key back. */
typedef struct {
	uint8_t pubkey[KEYS_PUBKEY_BYTES];
	uint64_t after;
} km_tomb;

struct signer_km {
	keys_store *keys;
	slash_db *slashing;
	/* One lifecycle change at a time: an import's commit (history, seal, enable) or a
	 * delete (disable, remove, export); never held during a key derivation. */
	pthread_mutex_t lock;
	/* Under tickets_mu: the tickets of pending imports and the deletions they must
	 * honour (keymanager.c). */
	pthread_mutex_t tickets_mu;
	uint64_t next_ticket;
	uint64_t *live;
	size_t n_live, cap_live;
	km_tomb *tombs;
	size_t n_tombs, cap_tombs;
	uint64_t lost_tombs_after; /* a deletion could not be recorded (out of memory) */
};

/* Records that pk was deleted now, for the imports pending (keymanager.c). */
void km_record_delete(signer_km *km, const uint8_t pk[KEYS_PUBKEY_BYTES]);

#endif
