/* Fuzz target for the body of POST /eth/v1/keystores with ECIES-encrypted passwords
 * (api/body_parse.h api_import_parse, api_import_ciphertext): the Keymanager body with
 * "encrypted_passwords" and "encrypting_pk", the original Secure-Signer's one-keystore
 * body {keystore, ct_password_hex, encrypting_pk_hex, slashing_protection}, and the plain
 * Keymanager body. Each ciphertext the parser accepts is then decrypted as
 * keys_aux_ecies_open does, with a fixed test key instead of the store's (the secret
 * 0x01…01; the seeds in fuzz_corpus_import/ are encrypted to its public key, so the
 * fuzzer reaches a successful decryption too). Nothing is imported. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/body_parse.h"
#include "crypto/ecies.h"
#include "crypto/secp256k1_key.h"

static void decrypt_like_the_store(const uint8_t *ct, size_t ct_len)
{
	static const uint8_t sk[K1_SECRET_BYTES] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	};
	const uint8_t *r65;
	if (ecies_ephemeral(ct, ct_len, &r65) != SS_OK)
		return;
	uint8_t s65[ECIES_PUB_BYTES];
	if (k1_ecdh_point(sk, r65, ECIES_PUB_BYTES, s65) != SS_OK)
		return;
	uint8_t *pt = malloc(ct_len - ECIES_OVERHEAD + 1);
	size_t pt_len = 0;
	if (!pt)
		return;
	ss_err e = ecies_open(s65, ct, ct_len, pt, ct_len - ECIES_OVERHEAD, &pt_len);
	if ((e == SS_OK) != (pt_len == ct_len - ECIES_OVERHEAD) || (e != SS_OK && pt_len))
		abort();
	free(pt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[API_WHY_MAX] = "";
	json_t *root = api_json_object_parse((const char *)data, size, why, sizeof why);
	if (!root)
		return 0;
	api_import_body b;
	int status = api_import_parse(root, &b, why, sizeof why);
	if (status != 0) {
		if (status != 400 || !why[0])
			abort();
	} else {
		if (b.n > 512 || json_array_size(b.keystores) != b.n ||
		    json_array_size(b.passwords) != b.n || (b.single && (!b.encrypted || b.n != 1)))
			abort();
		if (b.sp && strlen(b.sp) != b.sp_len)
			abort();
		for (size_t i = 0; b.encrypted && i < b.n; i++) {
			size_t ct_len;
			uint8_t *ct = api_import_ciphertext(&b, i, &ct_len, why, sizeof why);
			if (!ct) {
				if (!why[0])
					abort();
				continue;
			}
			if (ct_len <= ECIES_OVERHEAD || ct_len > ECIES_OVERHEAD + (1u << 16) + 1)
				abort();
			decrypt_like_the_store(ct, ct_len);
			free(ct);
		}
	}
	api_import_body_free(&b);
	json_decref(root);
	return 0;
}
