/* Fuzz target for the EIP-2335 keystore parser and password normalisation. The first
 * byte chooses: even -> keystore JSON (and, when its KDF is cheap, a decryption with a
 * fixed password), odd -> password normalisation. Neither may crash, leak or accept
 * an invalid structure. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "keys/keystore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	keys_error err;
	if ((data[0] & 1) == 0) {
		keys_keystore ks;
		if (keys_keystore_parse(&ks, body, len, &err) == SS_OK) {
			uint8_t secret[32];
			bool cheap = (ks.kdf == KEYS_KDF_PBKDF2 && ks.c <= 64) ||
				     (ks.kdf == KEYS_KDF_SCRYPT && (uint64_t)ks.n * ks.r <= 1024 && ks.p <= 2);
			if (cheap && keys_keystore_decrypt(&ks, "fuzz", 4, secret, &err) != SS_OK &&
			    err.msg[0] == '\0')
				__builtin_trap(); /* every failure explains itself */
		} else if (err.msg[0] == '\0') {
			__builtin_trap();
		}
	} else {
		uint8_t out[1024];
		size_t n;
		ss_err e = keys_password_normalize(out, sizeof out, &n, body, len);
		if (e == SS_OK && n > sizeof out)
			__builtin_trap();
	}
	return 0;
}
