/* Fuzz target for Prysm's decrypted account store (keys/prysm.c keys_prysm_payload):
 * the hand-written reader of {"private_keys": [...], "public_keys": [...]}. It may
 * not crash or read out of bounds; a failure always explains itself, and a success
 * returns as many public keys as secrets. */
#include <stdlib.h>
#include <string.h>

#include "keys/keys_internal.h"
#include "util/secure_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *plain = malloc(size + 1);
	if (plain == NULL)
		return 0;
	memcpy(plain, data, size);
	plain[size] = '\0'; /* as keys_keystore_decrypt_payload returns it */
	uint8_t *sk = NULL;
	uint8_t(*pk)[KEYS_PUBKEY_BYTES] = NULL;
	size_t n = 0;
	keys_error err = { "" };
	ss_err e = keys_prysm_payload(plain, size, &sk, &pk, &n, &err);
	if (e == SS_OK && (n == 0 || sk == NULL || pk == NULL))
		__builtin_trap();
	if (e != SS_OK && (err.msg[0] == '\0' || sk != NULL || pk != NULL))
		__builtin_trap();
	secure_free(sk);
	free(pk);
	free(plain);
	return 0;
}
