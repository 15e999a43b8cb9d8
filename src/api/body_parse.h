/* Module-internal: the pure parsers of the original Secure-Signer API's request bodies
 * (issue 13), split from their handlers so that the fuzz targets of tests/api reach the
 * exact code the server runs without a server (CONVENTIONS.md "Tests": every parser has
 * a fuzz target). Each returns 0 with its result, or the HTTP status of the refusal
 * (400, or 500 when out of memory) with a message for the client in why. None of them
 * touches the key store or signs anything. */
#ifndef SS_API_BODY_PARSE_H
#define SS_API_BODY_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth2/eth2.h"
#include "tee/tee.h"

#define API_WHY_MAX 512

/* The request body as a JSON object (duplicate members refused), or NULL with why set
 * ("Invalid JSON at …" or "must be a JSON object") (api.c; api_parse_object replies it). */
json_t *api_json_object_parse(const char *body, size_t len, char *why, size_t cap);

/* POST /api/v1/eth2/deposit (deposit.c): every deposit checked, nothing signed. */
typedef struct {
	eth2_deposit_message *ms; /* n of them, malloc'ed: free() it */
	size_t n;
	bool many;                /* "deposits" (answered with a list) or "deposit" */
	uint8_t fork[ETH2_VERSION_BYTES];
	const char *network;      /* the network of fork: static or net's name */
} api_deposit_body;
int api_deposit_parse(json_t *root, const eth2_network *net, api_deposit_body *out, char *why,
		      size_t cap);

/* POST /eth/v1/keygen/{bls,secp256k1} (keygen.c): the optional body {count, nonce}.
 * count == NULL refuses a count (secp256k1: one key per call); blank is {}. */
int api_keygen_parse(const char *body, size_t len, size_t *count,
		     uint8_t nonce[TEE_KEYGEN_NONCE_BYTES], char *why, size_t cap);

/* POST /eth/v1/keystores (keymanager_import.c): the Keymanager body with "passwords" or
 * with "encrypted_passwords" + "encrypting_pk", or the original's one-keystore body
 * {keystore, ct_password_hex, encrypting_pk_hex, slashing_protection}, checked for shape
 * and limits. Nothing is decrypted here. */
typedef struct {
	json_t *keystores, *passwords; /* arrays of n; borrowed from root or owned below */
	json_t *one_ks, *one_ct;       /* owned: the original's body as lists of one */
	bool single, encrypted;
	size_t n;
	uint8_t encrypting_pk[33];     /* when encrypted and n > 0 */
	char *sp;                      /* the interchange, NUL-terminated, or NULL */
	size_t sp_len;
} api_import_body;
int api_import_parse(json_t *root, api_import_body *out, char *why, size_t cap);
void api_import_body_free(api_import_body *b);
/* The i-th encrypted password's ciphertext from hex (malloc'ed, *len bytes, longer than
 * ECIES_OVERHEAD, at most a 64 KiB password), or NULL with why set. */
uint8_t *api_import_ciphertext(const api_import_body *b, size_t i, size_t *len, char *why,
			       size_t cap);

#endif
