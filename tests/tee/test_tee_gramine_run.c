/* End to end under a fake Gramine: `secure-signer run --tee gramine --kek-source tee`, the
 * real binary, with SECURE_SIGNER_TEE_ROOT (tests only, docs/tee.md) pointing at a fake
 * /dev/attestation (fake_tree.h). A forked child plays Gramine's LibOS across processes:
 * each 64 bytes the signer writes to user_report_data come back in a real SGX quote
 * (../shared/vectors/tee/sgx/) patched to carry them. The patch breaks the quote's
 * signatures — expected: the provider's self-check, and this test, are about the report
 * data, and the quote's own verification is test_tee_vectors' business.
 *
 * Covered: a keystore imported over the Keymanager API signs; /healthcheck's "tee" says
 * sgx/gramine with the fake report's MRENCLAVE; a restart signs again; a restart as
 * another enclave (another _sgx_mrenclave key AND another MRENCLAVE in the report) is
 * refused, naming both measurements, with the data directory unchanged byte for byte;
 * the original enclave opens it again; POST /eth/v1/keygen/bls (count 2) answers with an
 * sgx-dcap-quote whose report data is tee_keygen_report_data(pubkeys, nonce), and the
 * generated keys sign, also after the restarts; under a hostile host (other report data in
 * the quote) keygen answers 500 and keeps none of the keys it made. */
#include <dirent.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "fake_tree.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "tee_run_util.h"
#include "tee/tee.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

#define BODY(r) ((r).body ? (r).body : "")
#define SGX_VECTOR "tee/sgx/phala-dcap-qvl/sgx_quote"
#define KS1_PK "0x98d083489b3b06b8740da2dfec5cc3c01b2086363fe023a9d7dc1f907633b1ff11f7b99b19e0533e969862270061d884"
#define MR_OFF (48 + 64) /* MRENCLAVE in the quote: header, then the report body's @64 */


/* A Gramine-with-SGX tree (tee.md §a): attestation_type "dcap", the enclave's report
 * (the quote's body, with MRENCLAVE's first byte xored with mr_xor), the 16-byte
 * _sgx_mrenclave key, and the two FIFOs. */
static char *gramine_tree(const uint8_t *quote, uint8_t mr_xor, const uint8_t key[16])
{
	char *root = fake_root_new();
	CHECK(root != NULL);
	if (!root)
		return NULL;
	uint8_t report[432] = { 0 };
	memcpy(report, quote + 48, 384);
	report[64] ^= mr_xor;
	CHECK(fake_write(root, "dev/attestation/attestation_type", "dcap", 4));
	CHECK(fake_write(root, "dev/attestation/report", report, sizeof report));
	CHECK(fake_write(root, "dev/attestation/keys/_sgx_mrenclave", key, 16));
	CHECK(fake_fifo(root, "dev/attestation/user_report_data"));
	CHECK(fake_fifo(root, "dev/attestation/quote"));
	return root;
}

/* How many keys GET /eth/v1/keystores lists (-1 on failure). */
static long km_count(const signer_proc *p)
{
	char auth[160];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", p->token);
	hc_response r;
	int code = hc_request(p->port, "GET", "/eth/v1/keystores", auth, NULL, 0, &r);
	json_t *o = code == 200 ? json_loads(BODY(r), 0, NULL) : NULL;
	long n = o ? (long)json_array_size(json_object_get(o, "data")) : -1;
	json_decref(o);
	hc_free(&r);
	return n;
}

/* A hostile host (the LibOS returns other report data than was asked for): keygen
 * answers 500, hands out no evidence, and keeps none of the keys it made. */
static void keygen_hostile_host_keeps_nothing(const signer_proc *p, const char *tree)
{
	char marker[1024], auth[160];
	snprintf(marker, sizeof marker, "%s/%s", tree, FAKE_LIBOS_HOSTILE);
	CHECK(test_write_text(marker, ""));
	long before = km_count(p);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
		 p->token);
	static const char body[] = "{\"count\": 3}";
	hc_response r;
	int code = hc_request(p->port, "POST", "/eth/v1/keygen/bls", auth, body, strlen(body), &r);
	CHECK_MSG(code == 500 && strstr(BODY(r), "no key was kept") && !strstr(BODY(r), "quote"),
		  "keygen under a hostile host: %d %s", code, BODY(r));
	hc_free(&r);
	CHECK_MSG(before > 0 && km_count(p) == before, "keys before %ld, after %ld", before,
		  km_count(p));
	unlink(marker);
}

/* POST /eth/v1/keygen/bls {count 2, nonce}: the evidence is an SGX DCAP quote whose
 * report data binds the two keys returned and the nonce; the keys into pks (hex). */
static void keygen_checks(const signer_proc *p, const uint8_t *vector_quote, char pks[2][99])
{
	uint8_t nonce[TEE_KEYGEN_NONCE_BYTES];
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)(0xC0 + i);
	char nonce_hex[2 * sizeof nonce + 3], body[200], auth[160];
	hex_encode(nonce_hex, nonce, sizeof nonce, true);
	snprintf(body, sizeof body, "{\"count\": 2, \"nonce\": \"%s\"}", nonce_hex);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
		 p->token);
	hc_response r;
	int code = hc_request(p->port, "POST", "/eth/v1/keygen/bls", auth, body, strlen(body), &r);
	CHECK_MSG(code == 200, "keygen: %d %s", code, BODY(r));
	json_t *o = json_loads(BODY(r), 0, NULL);
	json_t *ev = json_object_get(o, "evidence"), *data = json_object_get(o, "data");
	const char *type = json_string_value(json_object_get(ev, "type"));
	CHECK_MSG(type && strcmp(type, "sgx-dcap-quote") == 0, "type %s", type ? type : "(none)");
	CHECK_EQ_U64(json_array_size(data), 2);
	uint8_t pub[2][TEE_BLS_PUBKEY_BYTES];
	memset(pub, 0, sizeof pub);
	for (size_t i = 0; i < 2; i++) {
		const char *pk = json_string_value(json_object_get(json_array_get(data, i), "pubkey"));
		CHECK(pk && hex_decode(pub[i], sizeof pub[i], pk, strlen(pk), HEX_PREFIX_REQUIRED) ==
				    SS_OK);
		snprintf(pks[i], 99, "%s", pk ? pk : "");
	}
	const char *b64 = json_string_value(json_object_get(ev, "quote"));
	size_t b64_len = b64 ? strlen(b64) : 0;
	uint8_t *quote = malloc(b64_len + 1);
	int n = b64 && quote ? EVP_DecodeBlock(quote, (const unsigned char *)b64, (int)b64_len) : -1;
	CHECK_MSG(n > 0, "the evidence's quote is not base64");
	if (n > 0) {
		size_t qlen = (size_t)n;
		for (size_t i = b64_len; i > 0 && b64[i - 1] == '='; i--)
			qlen--; /* EVP_DecodeBlock counts the padding as zero bytes */
		tee_dcap_quote q;
		const char *perr = NULL;
		bool parsed = tee_dcap_parse(quote, qlen, &q, &perr) == SS_OK;
		CHECK_MSG(parsed, "the quote does not parse: %s", perr ? perr : "?");
		if (parsed) {
			uint8_t want[64];
			tee_keygen_report_data((const uint8_t(*)[TEE_BLS_PUBKEY_BYTES])pub, 2, nonce,
					       want);
			CHECK_MEM(q.sgx.report_data, want, 64);
			CHECK_MEM(q.sgx.mr_enclave, vector_quote + MR_OFF, 32);
		}
	}
	free(quote);
	json_decref(o);
	hc_free(&r);
}

static const char *const GRAMINE_FLAGS[] = { "--tee=gramine", "--kek-source=tee",
					     "--key-manager-api-enabled", NULL };

TEST(gramine_sealed_store_over_http_across_processes)
{
	size_t qlen = 0;
	uint8_t *quote = fake_vector(SGX_VECTOR, &qlen);
	if (!quote)
		return;
	char *ks = web3signer_keystore();
	uint8_t key_a[16], key_b[16];
	for (int i = 0; i < 16; i++)
		key_a[i] = key_b[i] = (uint8_t)(0x30 + i);
	key_b[0] ^= 0x80;
	char *tree_a = gramine_tree(quote, 0, key_a), *tree_b = gramine_tree(quote, 0x01, key_b);
	char mr_a[65], mr_b[65];
	hex_encode(mr_a, quote + MR_OFF, 32, false);
	uint8_t mb[32];
	memcpy(mb, quote + MR_OFF, 32);
	mb[0] ^= 0x01;
	hex_encode(mr_b, mb, 32, false);
	pid_t libos = tree_a ? fake_libos_start(tree_a, quote, qlen) : -1;
	CHECK(libos > 0);
	signer_proc p;
	CHECK(sp_init(&p));
	char gen[2][99] = { "", "" };
	if (!ks || !tree_a || !tree_b || libos <= 0)
		goto out;

	/* 1. the first start seals the new store to enclave A */
	setenv("SECURE_SIGNER_TEE_ROOT", tree_a, 1);
	if (!sp_start(&p, GRAMINE_FLAGS)) {
		CHECK_MSG(0, "secure-signer --tee gramine did not start (dir %s)", p.dir);
		goto out;
	}
	char st[512];
	CHECK_EQ_U64(km_import(&p, ks, "somepassword", st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "import: %s", st);
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 100), 200);
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/healthcheck", NULL, NULL, 0, &r), 200);
	json_t *h = json_loads(BODY(r), 0, NULL);
	json_t *tee = json_object_get(h, "tee");
	const char *plat = json_string_value(json_object_get(tee, "platform"));
	const char *prov = json_string_value(json_object_get(tee, "provider"));
	const char *meas = json_string_value(json_object_get(tee, "measurement"));
	CHECK_MSG(plat && strcmp(plat, "sgx") == 0, "%s", BODY(r));
	CHECK_MSG(prov && strcmp(prov, "gramine") == 0, "%s", BODY(r));
	CHECK_MSG(meas && strcmp(meas, mr_a) == 0, "measurement %s, want %s", meas ? meas : "-",
		  mr_a);
	CHECK(json_is_false(json_object_get(tee, "simulated")));
	CHECK(json_is_true(json_object_get(tee, "can_attest")));
	CHECK(json_is_true(json_object_get(tee, "can_seal")));
	json_decref(h);
	hc_free(&r);

	/* 3. attested keygen through the LibOS child */
	keygen_checks(&p, quote, gen);
	keygen_hostile_host_keeps_nothing(&p, tree_a);
	CHECK_EQ_U64(sign_slot(&p, gen[0], 100), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[1], 100), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);

	char rec_path[400];
	snprintf(rec_path, sizeof rec_path, "%s/keys/tee-seal", p.data_dir);
	char *rec = test_read_file(rec_path, NULL);
	CHECK_MSG(rec && strstr(rec, "platform=sgx") && strstr(rec, "provider=gramine") &&
			  strstr(rec, mr_a), "seal record: %s", rec ? rec : "(none)");
	free(rec);

	/* 2. a restart as the same enclave: the keys still sign */
	if (!sp_start(&p, GRAMINE_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not restart (dir %s)", p.dir);
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 101), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[0], 101), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* another enclave (other key, other MRENCLAVE): refused, nothing changed */
	snap before = { 0 }, after = { 0 };
	snapshot(p.data_dir, &before);
	setenv("SECURE_SIGNER_TEE_ROOT", tree_b, 1);
	if (sp_start(&p, GRAMINE_FLAGS)) {
		CHECK_MSG(0, "a signer as another enclave started");
		sp_stop(&p);
	}
	char m[80];
	snprintf(m, sizeof m, "measurement %s", mr_a);
	CHECK(log_has(&p, m));
	snprintf(m, sizeof m, "measurement %s", mr_b);
	CHECK(log_has(&p, m));
	CHECK(log_has(&p, "no key loaded or changed"));
	snapshot(p.data_dir, &after);
	CHECK_MSG(snap_equal(&before, &after),
		  "the data directory changed under a refused start (%zu vs %zu bytes)", before.n,
		  after.n);
	free(before.b);
	free(after.b);

	/* the original enclave opens it again */
	setenv("SECURE_SIGNER_TEE_ROOT", tree_a, 1);
	if (!sp_start(&p, GRAMINE_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not start again as enclave A");
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 102), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[1], 102), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	unsetenv("SECURE_SIGNER_TEE_ROOT");
	fake_libos_stop(libos);
	sp_cleanup(&p);
	fake_root_free(tree_a);
	fake_root_free(tree_b);
	free(ks);
	free(quote);
}
