/* Test-only helper for the eciesjs cross-check (npm-secure-signer/ecies.mjs): the C side
 * of crypto/ecies.h on the command line, with raw keys the test makes.
 *   ecies_tool encrypt PUB_HEX PLAINTEXT_HEX   -> ciphertext hex (ecies_seal)
 *   ecies_tool decrypt SK_HEX CIPHERTEXT_HEX   -> plaintext hex (k1_ecdh_point, ecies_open)
 * Exit 1 with a message when the ciphertext does not decrypt. Never built into the
 * signer: the signer's own secrets stay in keys/ (keys_aux_ecies_open). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecies.h"
#include "crypto/secp256k1_key.h"
#include "util/hex.h"

static uint8_t *from_hex(const char *s, size_t *len)
{
	size_t n = strlen(s);
	uint8_t *b = malloc(n / 2 + 1);
	if (!b || hex_decode_var(b, n / 2 + 1, len, s, n, HEX_PREFIX_OPTIONAL) != SS_OK) {
		fprintf(stderr, "not hex: %s\n", s);
		exit(2);
	}
	return b;
}

static void print_hex(const uint8_t *b, size_t n)
{
	char *s = malloc(2 * n + 1);
	hex_encode(s, b, n, false);
	puts(s);
	free(s);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ecies_tool encrypt PUB PT | decrypt SK CT\n");
		return 2;
	}
	size_t kl, dl, ol = 0;
	uint8_t *k = from_hex(argv[2], &kl), *d = from_hex(argv[3], &dl);
	uint8_t *out = malloc(dl + ECIES_OVERHEAD + 1);
	if (strcmp(argv[1], "encrypt") == 0) {
		if (ecies_seal(k, kl, d, dl, out, dl + ECIES_OVERHEAD, &ol) != SS_OK) {
			fprintf(stderr, "encrypt failed\n");
			return 1;
		}
	} else {
		const uint8_t *r65;
		uint8_t s65[65];
		if (kl != 32 || ecies_ephemeral(d, dl, &r65) != SS_OK ||
		    k1_ecdh_point(k, r65, 65, s65) != SS_OK ||
		    ecies_open(s65, d, dl, out, dl, &ol) != SS_OK) {
			fprintf(stderr, "does not decrypt\n");
			return 1;
		}
	}
	print_hex(out, ol);
	free(k);
	free(d);
	free(out);
	return 0;
}
