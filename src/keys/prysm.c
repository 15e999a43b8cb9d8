/* Prysm's wallet (layout.h keys_prysm_wallet_open): direct/accounts/
 * all-accounts.keystore.json is one EIP-2335 crypto section (keystorev4) whose payload
 * is Go's encoding of prysm's account store,
 *     {"private_keys": [<base64>, ...], "public_keys": [<base64>, ...]}
 * (prysm validator/keymanager/local: accountStore, AccountsKeystoreRepresentation;
 * [][]byte marshals as standard base64 with padding). The payload is read by hand,
 * not by jansson, so the private keys go from the decrypted buffer (secure memory)
 * straight into secure memory without a heap copy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys_internal.h"
#include "keys/layout.h"
#include "util/base64.h"
#include "util/secure_mem.h"

/* Upper bound on the keys of one wallet: the payload is at most 8 MiB. */
#define MAX_WALLET_KEYS 100000

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Decodes the base64 string at p (after its opening quote) into out, exactly want
 * bytes, and returns the character after the closing quote, or NULL. Go writes []byte
 * as padded standard base64, which is all util/base64 accepts; it decodes straight
 * into out (secure memory for a private key) in constant time. */
static const char *b64_string(const char *p, uint8_t *out, size_t want)
{
	const char *end = strchr(p, '"');
	size_t n;
	if (end == NULL || base64_decode(out, want, &n, p, (size_t)(end - p)) != SS_OK ||
	    n != want)
		return NULL;
	return end + 1;
}

/* The array of member name in the payload: each element decoded into out + i * size
 * (room for cap elements); *n gets the count. false when malformed. */
static bool b64_array(const char *json, const char *name, uint8_t *out, size_t size,
		      size_t cap, size_t *n)
{
	*n = 0;
	char key[32];
	snprintf(key, sizeof key, "\"%s\"", name);
	const char *p = strstr(json, key);
	if (p == NULL)
		return false;
	p = skip_ws(p + strlen(key));
	if (*p++ != ':')
		return false;
	p = skip_ws(p);
	if (strncmp(p, "null", 4) == 0)
		return true;
	if (*p++ != '[')
		return false;
	p = skip_ws(p);
	if (*p == ']')
		return true;
	for (;;) {
		if (*p++ != '"' || *n == cap)
			return false;
		p = b64_string(p, out + *n * size, size);
		if (p == NULL)
			return false;
		(*n)++;
		p = skip_ws(p);
		if (*p == ']')
			return true;
		if (*p++ != ',')
			return false;
		p = skip_ws(p);
	}
}

ss_err keys_prysm_payload(const char *plain, size_t plain_len, uint8_t **secrets,
			  uint8_t (**pubkeys)[KEYS_PUBKEY_BYTES], size_t *n, keys_error *err)
{
	*secrets = NULL;
	*pubkeys = NULL;
	*n = 0;
	/* a 32-byte key is 44 base64 characters: the payload bounds the count */
	size_t cap = plain_len / 44 + 1;
	if (cap > MAX_WALLET_KEYS)
		cap = MAX_WALLET_KEYS;
	uint8_t *sk = secure_alloc(cap * KEYS_SECRET_BYTES);
	uint8_t(*pk)[KEYS_PUBKEY_BYTES] = malloc(cap * KEYS_PUBKEY_BYTES);
	size_t n_sk = 0, n_pk = 0;
	ss_err e = SS_OK;
	if (sk == NULL || pk == NULL) {
		e = keys_fail(err, SS_ERR_NOMEM, "out of memory");
	} else if (!b64_array(plain, "private_keys", sk, KEYS_SECRET_BYTES, cap, &n_sk) ||
		   !b64_array(plain, "public_keys", (uint8_t *)pk, KEYS_PUBKEY_BYTES, cap, &n_pk)) {
		e = keys_fail(err, SS_ERR_INVALID,
			      "the wallet's account store is not {\"private_keys\": [base64 of 32 bytes], \"public_keys\": [base64 of 48 bytes]}");
	} else if (n_sk != n_pk) {
		e = keys_fail(err, SS_ERR_INVALID,
			      "the wallet lists %zu private keys but %zu public keys", n_sk, n_pk);
	} else if (n_sk == 0) {
		e = keys_fail(err, SS_ERR_NOT_FOUND, "the wallet holds no keys");
	}
	if (e != SS_OK) {
		secure_free(sk);
		free(pk);
		return e;
	}
	*secrets = sk;
	*pubkeys = pk;
	*n = n_sk;
	return SS_OK;
}

ss_err keys_prysm_wallet_open(const char *wallet_json, size_t json_len, const char *password,
			      size_t password_len, uint8_t **secrets,
			      uint8_t (**pubkeys)[KEYS_PUBKEY_BYTES], size_t *n, keys_error *err)
{
	*secrets = NULL;
	*pubkeys = NULL;
	*n = 0;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	ss_err e = keys_keystore_decrypt_payload(wallet_json, json_len, password, password_len,
						 &plain, &plain_len, err);
	if (e != SS_OK)
		return e;
	e = keys_prysm_payload((const char *)plain, plain_len, secrets, pubkeys, n, err);
	secure_free(plain);
	return e;
}
