/* The KEK sealed to the TEE (keys/kek_tee.c): the derivation against OpenSSL's own HKDF
 * (RFC 5869, an independent implementation), the store opened through the sim provider
 * with its seal record, another measurement refused before any key is read, and — run
 * under valgrind (ct label) — the derivation from a sealing key to the store's sealing
 * keys with the sealing key marked secret: no branch or index may depend on it. */
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/keys.h"
#include "keys/keys_internal.h"
#include "keys_test_util.h"
#include "tee/tee_provider.h"
#include "test.h"
#include "util/ct_check.h"
#include "util/hex.h"

static void openssl_hkdf(const uint8_t seal[32], uint8_t out[32])
{
	static const char label[] = "secure-signer/kek/tee/v1";
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM ps[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)seal, 32),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, sizeof label - 1),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)label, sizeof label - 1),
		OSSL_PARAM_construct_end(),
	};
	CHECK(ctx && EVP_KDF_derive(ctx, out, 32, ps) == 1);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

TEST(kek_is_rfc5869_hkdf_of_the_seal_key)
{
	for (int t = 0; t < 4; t++) {
		uint8_t seal[32], want[32], got[32];
		for (int i = 0; i < 32; i++)
			seal[i] = (uint8_t)(t * 77 + i * 13);
		openssl_hkdf(seal, want);
		keys_kek_from_seal_key(seal, got);
		CHECK_MEM(got, want, 32);
	}
}

/* A fixed answer, computed by the code that sealed the first stores: a change to the
 * derivation would make every TEE-sealed store on disk unreadable. */
TEST(kek_from_seal_key_known_answer)
{
	uint8_t seal[32], kek[32], want[32];
	for (int i = 0; i < 32; i++)
		seal[i] = (uint8_t)i;
	CHECK(hex_decode(want, sizeof want,
			 "6909fd5025746f20f59cf12adc86bc6d69846da1c6dba554829c24968daeaf4b", 64,
			 HEX_PREFIX_FORBIDDEN) == SS_OK);
	keys_kek_from_seal_key(seal, kek);
	CHECK_MEM(kek, want, 32);
}

static tee_provider *sim(const char *dir)
{
	tee_open_options o = { .data_dir = dir };
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	CHECK_MSG(tee_provider_open("sim", &o, &p, why) == SS_OK, "%s", why);
	return p;
}

TEST(store_sealed_to_sim_measurement)
{
	char dir[256];
	kt_tempdir(dir, "kektee");
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	tee_provider *p = sim(dir);
	keys_kek_provider kek;
	keys_store *ks = NULL;
	keys_error err = { "" };
	uint8_t pk[1][48];
	CHECK(p && keys_kek_tee(&kek, p) == SS_OK);
	CHECK_MSG(keys_store_open(&ks, dir, &kek, NULL, &err) == SS_OK, "%s", err.msg);
	CHECK(ks && keys_generate(ks, 1, pk, &err) == SS_OK);
	keys_store_close(ks);
	tee_provider_close(p);
	/* the same measurement: the key is back */
	p = sim(dir);
	keys_load_stats st;
	CHECK(p && keys_kek_tee(&kek, p) == SS_OK);
	CHECK(keys_store_open(&ks, dir, &kek, &st, &err) == SS_OK);
	CHECK_EQ_U64(st.sealed_loaded, 1);
	CHECK_EQ_U64(st.sealed_failed, 0);
	keys_store_close(ks);
	tee_provider_close(p);
	/* another: refused before any shard is read */
	setenv("SECURE_SIGNER_SIM_MRENCLAVE",
	       "3333333333333333333333333333333333333333333333333333333333333333", 1);
	p = sim(dir);
	CHECK(p && keys_kek_tee_check(dir, p, false, &err) == SS_ERR_REFUSED);
	CHECK(keys_kek_tee(&kek, p) == SS_OK);
	ks = NULL;
	CHECK(keys_store_open(&ks, dir, &kek, NULL, &err) == SS_ERR_REFUSED && ks == NULL);
	CHECK_MSG(strstr(err.msg, "no key loaded") != NULL, "%s", err.msg);
	tee_provider_close(p);
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	/* and the file KEK does not open a TEE-sealed store either */
	CHECK(keys_kek_file(&kek, NULL) == SS_OK);
	CHECK(keys_store_open(&ks, dir, &kek, NULL, &err) == SS_ERR_REFUSED);
	/* the none provider cannot seal: a clear error */
	tee_provider *none = NULL;
	char why[TEE_WHY_MAX];
	CHECK(tee_provider_open("none", NULL, &none, why) == SS_OK);
	CHECK(keys_kek_tee_check(dir, none, false, &err) == SS_ERR_UNSUPPORTED);
	CHECK(strstr(err.msg, "--kek-source tee needs a TEE") != NULL);
	kt_rmrf(dir);
}

/* Under valgrind: seal key -> KEK -> the store's AEAD, MAC and id keys, with the seal key
 * undefined; only the 8-byte key id (stored in every shard header in clear) is public. */
TEST(ct_kek_from_seal_key)
{
	uint8_t seal[32], kek[32];
	for (int i = 0; i < 32; i++)
		seal[i] = (uint8_t)(i * 29 + 3);
	CT_SECRET(seal, sizeof seal);
	keys_kek_from_seal_key(seal, kek);
	keys_seal_keys sk;
	keys_seal_derive(&sk, kek);
	CT_PUBLIC(sk.id, sizeof sk.id);
	CT_PUBLIC(kek, sizeof kek);
	CT_PUBLIC(&sk, sizeof sk);
	CT_PUBLIC(seal, sizeof seal);
	uint8_t want[32];
	openssl_hkdf(seal, want);
	CHECK_MEM(kek, want, 32);
}
