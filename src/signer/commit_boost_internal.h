/* Module-internal: the Commit-Boost service's state (commit_boost.c, commit_boost_nonce.c). */
#ifndef SS_SIGNER_COMMIT_BOOST_INTERNAL_H
#define SS_SIGNER_COMMIT_BOOST_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "signer/commit_boost.h"

struct signer_cb {
	keys_store *keys;
	uint8_t domain[32];
	uint8_t chain_id[32];
	pthread_mutex_t nonce_lock;
	sqlite3 *nonce_db; /* NULL: no nonce store */
};

/* Per (module, key) nonces of modules with replay protection, durable in
 * <data_dir>/commit-boost.sqlite. check_and_record records nonce for (module, key) if
 * it is above every nonce signed before for them: SS_OK, SS_ERR_REFUSED (reused or
 * lower), SS_ERR_IO. */
ss_err signer_cb_nonce_open(signer_cb *s, const char *data_dir, char *err, size_t cap);
void signer_cb_nonce_close(signer_cb *s);
ss_err signer_cb_nonce_check_and_record(signer_cb *s, const char *module, const uint8_t *key,
					size_t key_len, uint64_t nonce);

#endif
