/* Test helper for the npm cross-check (npm-keystore/cross.mjs), never installed:
 *   keystore_tool pubkey SECRET_HEX
 *   keystore_tool decrypt KEYSTORE_FILE PASSWORD_FILE    -> secret hex (exit 3 if the
 *                                                           keystore pubkey mismatches)
 *   keystore_tool encrypt SECRET_HEX PASSWORD_FILE scrypt|pbkdf2 COST -> keystore JSON
 * Password files are used byte for byte (no trimming), so the script controls every
 * character, control characters included. It prints secrets: test use only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "keys/keys_internal.h"
#include "keys/keystore.h"
#include "util/hex.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = malloc(1 << 20);
	*len = fread(b, 1, (1 << 20) - 1, f);
	b[*len] = '\0';
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	bls_init();
	keys_error err = { "" };
	uint8_t secret[32], pk[48];
	char hex[2 * 48 + 3];
	if (argc == 3 && strcmp(argv[1], "pubkey") == 0) {
		if (hex_decode(secret, 32, argv[2], strlen(argv[2]), HEX_PREFIX_OPTIONAL) != SS_OK ||
		    keys_secret_to_pubkey(pk, secret) != SS_OK)
			return 2;
		hex_encode(hex, pk, 48, false);
		printf("%s\n", hex);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "decrypt") == 0) {
		size_t kl, pl;
		char *ks = slurp(argv[2], &kl), *pw = slurp(argv[3], &pl);
		keys_keystore k;
		bool ok = ks && pw && keys_keystore_parse(&k, ks, kl, &err) == SS_OK &&
			  keys_keystore_decrypt(&k, pw, pl, secret, &err) == SS_OK;
		free(ks);
		free(pw);
		if (!ok) {
			fprintf(stderr, "decrypt: %s\n", err.msg);
			return 1;
		}
		if (keys_secret_to_pubkey(pk, secret) != SS_OK ||
		    (k.have_pubkey && memcmp(pk, k.pubkey, 48) != 0))
			return 3;
		hex_encode(hex, secret, 32, false);
		printf("%s\n", hex);
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "encrypt") == 0) {
		size_t pl;
		char *pw = slurp(argv[3], &pl);
		if (!pw || hex_decode(secret, 32, argv[2], strlen(argv[2]), HEX_PREFIX_OPTIONAL) != SS_OK ||
		    keys_secret_to_pubkey(pk, secret) != SS_OK) {
			free(pw);
			return 2;
		}
		bool pbkdf2 = strcmp(argv[4], "pbkdf2") == 0;
		uint32_t cost = (uint32_t)strtoul(argv[5], NULL, 10);
		keys_kdf_params kdf = { pbkdf2, pbkdf2 ? 0 : cost, pbkdf2 ? cost : 0 };
		char *json = NULL;
		ss_err e = keys_keystore_encrypt(&json, secret, pk, "m/12381/3600/0/0/0", pw, pl, &kdf, &err);
		free(pw);
		if (e != SS_OK) {
			fprintf(stderr, "encrypt: %s\n", err.msg);
			return 1;
		}
		printf("%s\n", json);
		free(json);
		return 0;
	}
	fprintf(stderr, "usage: keystore_tool pubkey|decrypt|encrypt ...\n");
	return 2;
}
