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
	/* 3. attested keygen through the LibOS child */
	char marker[1024];
	snprintf(marker, sizeof marker, "%s/%s", tree_a, FAKE_LIBOS_HOSTILE);
	const tee_run_expect e = { "sgx", "gramine", "sgx-dcap-quote", mr_a, true, marker, NULL };
	tee_first_run(&p, &e, ks, gen);
	check_seal_record(&p, &e);

	/* 2. a restart as the same enclave: the keys still sign */
	if (!sp_start(&p, GRAMINE_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not restart (dir %s)", p.dir);
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 101), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[0], 101), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* another enclave (other key, other MRENCLAVE): refused, nothing changed */
	setenv("SECURE_SIGNER_TEE_ROOT", tree_b, 1);
	check_refused_restart(&p, GRAMINE_FLAGS, NULL, mr_a, mr_b);

	/* the original enclave opens it again */
	setenv("SECURE_SIGNER_TEE_ROOT", tree_a, 1);
	if (!sp_start(&p, GRAMINE_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not start again as enclave A");
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 102), 200);
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
