/* End to end under a fake Occlum: `secure-signer run --tee occlum --kek-source tee`, the
 * real binary, with SECURE_SIGNER_TEE_ROOT (tests only, docs/tee.md) pointing at a tree
 * whose dev/sgx is a plain file, and tee_dev_preload (LD_PRELOAD) playing Occlum's
 * /dev/sgx ioctls inside the signer with fake_sgx_dev.c — the device test_tee_occlum
 * injects: the enclave's own report, a real SGX quote (../shared/vectors/tee/sgx/trustee/
 * occlum_quote.dat) carrying the fake enclave's MRENCLAVE and the report data asked for
 * (its signatures no longer verify: this test is about the report data and the sealing,
 * the quote's own verification is test_tee_vectors' business), and an EGETKEY that checks
 * the key request and derives the key from MRENCLAVE.
 *
 * Covered: a keystore imported over the Keymanager API signs; /healthcheck's "tee" says
 * sgx/occlum with the fake enclave's MRENCLAVE; POST /eth/v1/keygen/bls (count 2) answers
 * with an sgx-dcap-quote whose report data is tee_keygen_report_data(pubkeys, nonce) and
 * whose MRENCLAVE is the enclave's, and the generated keys sign; under a hostile device
 * (other report data in the quote) keygen answers 500 and keeps none of the keys it made;
 * a restart signs again; a restart as another enclave (another MRENCLAVE, so another
 * EGETKEY key) is refused, naming both measurements, with the data directory unchanged
 * byte for byte; the original enclave opens it again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_tree.h"
#include "signer_proc.h"
#include "tee_run_util.h"
#include "test.h"
#include "vectors.h"

#define SGX_VECTOR "tee/sgx/trustee/occlum_quote.dat"

static const char *const OCCLUM_FLAGS[] = { "--tee=occlum", "--kek-source=tee",
					    "--key-manager-api-enabled", NULL };

/* Starts the signer as the enclave whose MRENCLAVE is 32 bytes of m. */
static bool start_as(signer_proc *p, uint8_t m)
{
	char mb[8];
	snprintf(mb, sizeof mb, "%02x", m);
	setenv("SS_FAKE_TEE_MEASUREMENT", mb, 1);
	return sp_start_preloaded(p, OCCLUM_FLAGS, TEE_DEV_PRELOAD);
}

TEST(occlum_sealed_store_over_http_across_processes)
{
	char vec[1024];
	if (!vectors_require() || !vectors_path(vec, sizeof vec, SGX_VECTOR))
		return;
	char *ks = web3signer_keystore();
	char *root = fake_root_new();
	CHECK(root && fake_write(root, "dev/sgx", "", 0));
	signer_proc p;
	CHECK(sp_init(&p));
	char gen[2][99] = { "", "" }, mr_a[65], mr_b[65];
	memset(mr_a, '4', 64);
	memset(mr_b, '4', 64);
	for (int i = 1; i < 64; i += 2) {
		mr_a[i] = '2';
		mr_b[i] = '3';
	}
	mr_a[64] = mr_b[64] = '\0';
	if (!ks || !root)
		goto out;
	setenv("SECURE_SIGNER_TEE_ROOT", root, 1);
	setenv("SS_FAKE_TEE_DEVICE", "occlum", 1);
	setenv("SS_FAKE_TEE_EVIDENCE", vec, 1);

	/* the first start seals the new store to enclave A (MRENCLAVE 42…) */
	if (!start_as(&p, 0x42)) {
		CHECK_MSG(0, "secure-signer --tee occlum did not start (dir %s)", p.dir);
		goto out;
	}
	/* attested keygen through the device */
	char marker[1024];
	snprintf(marker, sizeof marker, "%s/%s", root, FAKE_LIBOS_HOSTILE);
	const tee_run_expect e = { "sgx", "occlum", "sgx-dcap-quote", mr_a, true, marker, NULL };
	tee_first_run(&p, &e, ks, gen);
	check_seal_record(&p, &e);

	/* a restart as the same enclave: the keys still sign */
	if (!start_as(&p, 0x42)) {
		CHECK_MSG(0, "secure-signer did not restart (dir %s)", p.dir);
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 101), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[0], 101), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* another enclave (MRENCLAVE 43…, so another EGETKEY key): refused, nothing changed */
	setenv("SS_FAKE_TEE_MEASUREMENT", "43", 1);
	check_refused_restart(&p, OCCLUM_FLAGS, TEE_DEV_PRELOAD, mr_a, mr_b);

	/* the original enclave opens it again */
	if (!start_as(&p, 0x42)) {
		CHECK_MSG(0, "secure-signer did not start again as enclave A");
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 102), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[1], 102), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	unsetenv("SECURE_SIGNER_TEE_ROOT");
	unsetenv("SS_FAKE_TEE_DEVICE");
	unsetenv("SS_FAKE_TEE_EVIDENCE");
	unsetenv("SS_FAKE_TEE_MEASUREMENT");
	sp_cleanup(&p);
	fake_root_free(root);
	free(ks);
}
