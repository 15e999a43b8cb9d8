/* The key lifecycle (DESIGN.md §3 "signer/"): importing, deleting, generating and
 * reloading keys, with the slashing-protection steps that must go with each, in one
 * place for every door: the Keymanager API handlers (api/keymanager_*.c, api/reload.c)
 * and the `secure-signer keys` command (cli/cmd_keys.c) call these functions and only
 * parse and answer. keys/ holds the keys, slashing/ their history; only here are the
 * two changed together (spec/keymanager/flows/README.md, Web3Signer §3.7: DELETE
 * disables the validator in the slashing store, an import enables it).
 *
 * Concurrency: imports run their key derivations (the slow part) without a lock, then
 * take the lifecycle lock for the short commit (history merge, seal, enable); a delete
 * takes the same lock, so it waits for at most one commit, never for a derivation, and
 * the HTTP layer runs deletes on their own thread so they overtake queued imports. A
 * delete and an import of the same key stay ordered as they were received: an import
 * takes a ticket when its request arrives (signer_km_ticket), and a key deleted by a
 * DELETE received after that ticket is not imported by it (reported as an error), as if
 * the import had run first and the delete after it. */
#ifndef SS_SIGNER_KEYMANAGER_H
#define SS_SIGNER_KEYMANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "slashing/slashing.h"
#include "util/error.h"

/* Request limits of a Keymanager import (docs/keys.md "Key-derivation limits"): the
 * number of keystores, and their summed KDF cost (keys/keystore.h keys_keystore_cost):
 * 64 keystores at EIP-2335's recommended scrypt cost (512 at its PBKDF2 cost). */
#define SIGNER_KM_MAX_KEYSTORES 512u
#define SIGNER_KM_MAX_KDF_COST (64ull << 21)

typedef struct signer_km signer_km;

/* slashing NULL: slashing protection is off, and only keys change. */
ss_err signer_km_new(signer_km **out, keys_store *keys, slash_db *slashing) SS_MUST_USE;
void signer_km_free(signer_km *km);

/* Keymanager "readonly": the key belongs to the operator's files (keystore directory,
 * YAML key file) and follows them (keys.h keys_load_sources), so a delete here would be
 * undone by the next reload or start (the Prysm #12281 trap); file-raw keys are
 * readonly whatever their source. */
bool signer_km_readonly(const keys_info *k);

/* ---- import ------------------------------------------------------------------------ */

/* Taken when an import request is received, before it waits for its turn; passed to
 * signer_km_import, which releases it. 0 when out of memory (signer_km_import then
 * refuses with SS_ERR_NOMEM). */
uint64_t signer_km_ticket(signer_km *km);
/* Releases a ticket whose import will not run. */
void signer_km_ticket_release(signer_km *km, uint64_t ticket);

typedef struct {
	const char *const *keystores; /* EIP-2335 JSON texts */
	const size_t *keystore_lens;
	const char *const *passwords;
	const size_t *password_lens;
	size_t n;
	const char *interchange; /* EIP-3076 interchange for the imported keys, or NULL */
	size_t interchange_len;
	bool limit; /* apply the request limits above (the network door) */
} signer_km_import_req;

/* Imports the keystores (keys.h keys_import_prepare/commit): the request's history is
 * merged for exactly the keys this call adds, before they are added (no imported key
 * can sign before its history is known) and never for a key that fails, is already
 * present (duplicates and readonly keys) or is not imported; an imported key is then
 * enabled in the slashing store (a key deleted before was disabled). results[i] for
 * keystores[i]. Returns:
 *  SS_OK          every result computed (some may be errors);
 *  SS_ERR_RANGE   over the request limits: nothing decrypted, nothing changed;
 *  SS_ERR_INVALID / SS_ERR_REFUSED  the interchange is malformed or conflicts with the
 *                 history (why set): nothing imported, nothing changed;
 *  another error  the key store failed (why set).
 * Releases ticket. */
ss_err signer_km_import(signer_km *km, uint64_t ticket, const signer_km_import_req *rq,
			keys_import_result *results, char *why, size_t why_cap) SS_MUST_USE;

/* ---- delete ------------------------------------------------------------------------ */

typedef enum {
	SIGNER_KM_DELETED = 0,
	SIGNER_KM_NOT_ACTIVE = 1, /* not here, but history is (spec: "not_active") */
	SIGNER_KM_NOT_FOUND = 2,
	SIGNER_KM_DELETE_ERROR = 3
} signer_km_delete_status;

typedef struct {
	signer_km_delete_status status;
	char message[160]; /* for SIGNER_KM_DELETE_ERROR */
} signer_km_delete_result;

/* Deletes keys (spec/keymanager/flows/README.md "Delete"): each one is first disabled
 * durably in the slashing store (from then on no block or attestation is signed with
 * it, even after a restart or if the next step fails), then removed from the sealed
 * store and the registry. Readonly keys are refused. *interchange gets the EIP-3076
 * export of the deleted and not_active keys (malloc'ed; an empty interchange when there
 * is none or slashing protection is off). SS_OK unless out of memory. */
ss_err signer_km_delete(signer_km *km, const uint8_t (*pubkeys)[KEYS_PUBKEY_BYTES], size_t n,
			signer_km_delete_result *results, char **interchange) SS_MUST_USE;

/* ---- generate and reload --------------------------------------------------------- */

/* keys_generate, then each new key enabled in the slashing store (a generated key is an
 * imported key). */
ss_err signer_km_generate(signer_km *km, size_t n, uint8_t (*pubkeys)[KEYS_PUBKEY_BYTES],
			  keys_error *err) SS_MUST_USE;

/* One load of every key source (keys.h keys_load_sources: new files are loaded, keys
 * whose file is gone are unloaded). Runs beside imports and deletes (the key store
 * orders their commits); stats as there. */
ss_err signer_km_reload(signer_km *km, const keys_sources *src, keys_load_stats *stats,
			keys_error *err) SS_MUST_USE;

#endif
