/* keys/: auxiliary keys — keys the signer generates for its own protocols rather than
 * validator keys: the attested secp256k1 encryption keys of the original Secure-Signer API
 * (issue 13) and the Commit-Boost proxy keys (BLS and ECDSA, issue 17). They are sealed
 * under the same KEK as validator keys (so under the TEE's sealing when one is used), in
 * one file <data_dir>/keys/aux.sealed rewritten atomically and durably on every change,
 * so a key a caller was told about survives kill -9. Secrets never leave this module:
 * callers sign or derive through it. Thread-safe. */
#ifndef SS_KEYS_AUX_H
#define SS_KEYS_AUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

typedef enum {
	KEYS_AUX_SECP256K1 = 1,   /* attested encryption key (ECIES import) */
	KEYS_AUX_PROXY_BLS = 2,   /* Commit-Boost BLS proxy */
	KEYS_AUX_PROXY_ECDSA = 3, /* Commit-Boost ECDSA proxy (secp256k1) */
} keys_aux_kind;

#define KEYS_AUX_PUBLIC_MAX 48 /* BLS pubkey 48; secp256k1 compressed 33 */
#define KEYS_AUX_OWNER_MAX 64  /* a Commit-Boost module id, NUL-terminated */
#define KEYS_AUX_MAX 65536     /* keys of all kinds together */

typedef struct {
	keys_aux_kind kind;
	uint8_t pub[KEYS_AUX_PUBLIC_MAX];
	size_t pub_len;                /* 48 (BLS) or 33 (secp256k1 compressed) */
	char owner[KEYS_AUX_OWNER_MAX]; /* the module a proxy belongs to; "" when none */
	bool has_delegator;
	uint8_t delegator[KEYS_PUBKEY_BYTES]; /* the consensus key a proxy was delegated by */
	uint64_t created;              /* Unix seconds */
	/* secp256k1 kinds: the Ethereum address keccak256(X ‖ Y)[12..32], computed once
	 * when the key is generated or loaded; zero for BLS */
	uint8_t address[20];
} keys_aux_info;

/* Generates a key of kind from fresh randomness (BLS: EIP-2333 from a 32-byte seed;
 * secp256k1: libsecp256k1), seals it durably, and only then returns its public facts in
 * out. owner may be NULL ("" then); delegator may be NULL. SS_ERR_RANGE when the store
 * already holds KEYS_AUX_MAX auxiliary keys. */
ss_err keys_aux_generate(keys_store *ks, keys_aux_kind kind, const char *owner,
			 const uint8_t *delegator, keys_aux_info *out,
			 keys_error *err) SS_MUST_USE;

/* keys_aux_generate for an owner that may hold at most owner_max keys (of every kind
 * together): the count and the insertion happen under one lock, so concurrent callers
 * never take the owner past owner_max (a count read before generating could be stale
 * by then). SS_ERR_REFUSED when owner already holds owner_max keys (as for any refusal
 * of keys_aux_generate: a read-only store). owner_max 0: no limit. */
ss_err keys_aux_generate_capped(keys_store *ks, keys_aux_kind kind, const char *owner,
				const uint8_t *delegator, size_t owner_max, keys_aux_info *out,
				keys_error *err) SS_MUST_USE;

/* Copies up to cap entries of kind (0 = every kind) whose owner is owner (NULL = any) into
 * out, oldest first; returns how many match (call with cap 0 to size). */
size_t keys_aux_list(keys_store *ks, keys_aux_kind kind, const char *owner,
		     keys_aux_info *out, size_t cap);

/* The same entries as keys_aux_list, counted and copied under one lock into a new array
 * (free it; its length in *n): a key generated meanwhile cannot overrun it, as it can
 * between a sizing call and a copying call. NULL when out of memory. */
keys_aux_info *keys_aux_list_alloc(keys_store *ks, keys_aux_kind kind, const char *owner,
				   size_t *n);

/* The entry of kind with this public key; false when absent. */
bool keys_aux_get(keys_store *ks, keys_aux_kind kind, const uint8_t *pub, size_t pub_len,
		  keys_aux_info *out);

/* The entry of kind (a secp256k1 kind) whose owner is owner (NULL = any) and whose
 * Ethereum address is address; false when absent. It compares the addresses kept in the
 * entries, so a lookup hashes nothing however many keys there are (Commit-Boost names
 * ECDSA proxies by address, on every request). */
bool keys_aux_get_by_address(keys_store *ks, keys_aux_kind kind, const char *owner,
			     const uint8_t address[20], keys_aux_info *out);

/* Removes the key durably and wipes its secret. SS_ERR_NOT_FOUND when absent. */
ss_err keys_aux_delete(keys_store *ks, keys_aux_kind kind, const uint8_t *pub, size_t pub_len,
		       keys_error *err) SS_MUST_USE;

/* BLS signature (POP ciphersuite, as keys_sign) with a KEYS_AUX_PROXY_BLS key. */
ss_err keys_aux_sign_bls(keys_store *ks, const uint8_t pub[KEYS_PUBKEY_BYTES],
			 const uint8_t *msg, size_t msg_len,
			 uint8_t sig[KEYS_SIGNATURE_BYTES]) SS_MUST_USE;

/* ECDSA over a 32-byte prehash with a secp256k1 key (either secp256k1 kind), out =
 * r ‖ s ‖ recovery id (0/1), as k1_sign_recoverable. */
ss_err keys_aux_sign_ecdsa(keys_store *ks, keys_aux_kind kind, const uint8_t pub33[33],
			   const uint8_t hash[32], uint8_t out[65]) SS_MUST_USE;

/* The ECDH point ecies-rs needs ([sk]peer uncompressed, 65 bytes; secret, the caller
 * wipes it) with a KEYS_AUX_SECP256K1 key. peer is 33 or 65 bytes. */
ss_err keys_aux_ecdh(keys_store *ks, const uint8_t pub33[33], const uint8_t *peer,
		     size_t peer_len, uint8_t point65[65]) SS_MUST_USE;

#endif
