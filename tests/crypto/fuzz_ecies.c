/* Fuzz target for the ECIES ciphertext decoder (crypto/ecies.h), with a fixed test key
 * (the secret 0x01…01) in place of the signer's attested one. First byte even: the rest
 * is a ciphertext, split and decrypted as keys_aux_ecies_open does (ecies_ephemeral,
 * k1_ecdh_point, ecies_open); it must be refused or give exactly ct_len - ECIES_OVERHEAD
 * bytes, and a refusal leaves no plaintext. First byte odd: the rest is a plaintext,
 * sealed to the test key and opened again; it must come back unchanged, and flipping any
 * one byte of the ciphertext (chosen by the input) must make it fail. The seeds in
 * fuzz_corpus_ecies/ are ciphertexts to the test key (eciesjs's format). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecies.h"
#include "crypto/secp256k1_key.h"

static const uint8_t test_sk[K1_SECRET_BYTES] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* SS_OK and pt (pt_len) when ct decrypts with the test key. */
static ss_err open_with_test_key(const uint8_t *ct, size_t ct_len, uint8_t *pt, size_t pt_cap,
				 size_t *pt_len)
{
	*pt_len = 0;
	const uint8_t *r65;
	if (ecies_ephemeral(ct, ct_len, &r65) != SS_OK)
		return SS_ERR_INVALID;
	if (r65 != ct || r65[0] != 0x04)
		abort();
	uint8_t s65[ECIES_PUB_BYTES];
	if (k1_ecdh_point(test_sk, r65, ECIES_PUB_BYTES, s65) != SS_OK)
		return SS_ERR_INVALID;
	return ecies_open(s65, ct, ct_len, pt, pt_cap, pt_len);
}

static void decode(const uint8_t *ct, size_t n)
{
	size_t cap = n > ECIES_OVERHEAD ? n - ECIES_OVERHEAD : 0;
	uint8_t *pt = malloc(cap ? cap : 1);
	if (!pt)
		return;
	size_t pt_len = 99;
	ss_err e = open_with_test_key(ct, n, pt, cap, &pt_len);
	if (e == SS_OK ? pt_len != n - ECIES_OVERHEAD : pt_len != 0)
		abort();
	free(pt);
}

static void round_trip(const uint8_t *pt, size_t n, uint8_t flip_at)
{
	uint8_t pub33[K1_PUB_COMPRESSED_BYTES];
	if (k1_public(test_sk, pub33, NULL) != SS_OK)
		abort();
	uint8_t *ct = malloc(n + ECIES_OVERHEAD), *back = malloc(n ? n : 1);
	size_t ct_len = 0, back_len = 0;
	if (!ct || !back)
		goto out;
	if (ecies_seal(pub33, sizeof pub33, pt, n, ct, n + ECIES_OVERHEAD, &ct_len) != SS_OK ||
	    ct_len != n + ECIES_OVERHEAD)
		abort();
	if (open_with_test_key(ct, ct_len, back, n, &back_len) != SS_OK || back_len != n ||
	    memcmp(back, pt, n) != 0)
		abort();
	/* any changed byte after R's 0x04 is refused: the ephemeral key then is another
	 * point or none, the nonce, tag or ciphertext no longer authenticate */
	size_t at = 1 + (size_t)flip_at % (ct_len - 1);
	ct[at] ^= 0x01;
	if (open_with_test_key(ct, ct_len, back, n, &back_len) == SS_OK)
		abort();
out:
	free(ct);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0)
		decode(data + 1, size - 1);
	else if (size >= 2)
		round_trip(data + 2, size - 2, data[1]);
	return 0;
}
