/* The occlum provider against an injected /dev/sgx (tee_open_options.ioctl_fn; issue 11
 * "Done when"), played by fake_sgx_dev.c: a report and a real SGX quote carrying the
 * fake enclave's identity and the caller's report data, EBUSY on demand, and an EGETKEY
 * that checks every field of the key request and binds MRENCLAVE and DEBUG. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sgx_dev.h"
#include "fake_tree.h"
#include "tee/occlum_dev.h"
#include "tee/provider_dev.h"
#include "tee/tee.h"
#include "tee/tee_provider.h"
#include "test.h"
#include "util/ct_check.h"
#include "util/hex.h"

#define SGX_VECTOR "tee/sgx/trustee/occlum_quote.dat"

/* A root with dev/sgx (a plain file: the fake ioctl stands for the driver), and a device
 * whose enclave has MRENCLAVE = measurement byte m. */
static char *occlum_root(uint8_t m)
{
	size_t len;
	uint8_t *quote = fake_vector(SGX_VECTOR, &len);
	fake_sgx_reset(quote, quote ? len : 0, m);
	if (!quote)
		return NULL;
	char *root = fake_root_new();
	CHECK(fake_write(root, "dev/sgx", "", 0));
	return root;
}

static tee_provider *open_occlum(const char *root, const char *name)
{
	tee_open_options o = {.root = root, .ioctl_fn = fake_sgx_ioctl};
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	ss_err err = tee_provider_open(name, &o, &p, why);
	CHECK_MSG(err == SS_OK, "open: %s (%s)", ss_strerror(err), why);
	return p;
}

TEST(occlum_absent_is_not_found)
{
	char *root = fake_root_new();
	tee_open_options o = {.root = root, .ioctl_fn = fake_sgx_ioctl};
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	CHECK(tee_provider_open("occlum", &o, &p, why) == SS_ERR_NOT_FOUND);
	CHECK_MSG(strstr(why, "dev/sgx") != NULL, "why: %s", why);
	fake_root_free(root);
}

TEST(occlum_evidence_carries_the_report_data)
{
	char *root = occlum_root(0x42);
	if (!root)
		return;
	tee_provider *p = open_occlum(root, "auto");
	uint8_t rd[64];
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)(200 - i);
	tee_evidence ev;
	char why[TEE_WHY_MAX];
	if (p) {
		ss_err err = tee_provider_evidence(p, rd, &ev, why);
		CHECK_MSG(err == SS_OK, "evidence: %s", why);
		if (err == SS_OK) {
			tee_dcap_quote q;
			const char *perr;
			CHECK(ev.type == TEE_EVIDENCE_SGX_DCAP_QUOTE);
			CHECK(tee_dcap_parse(ev.quote, ev.quote_len, &q, &perr) == SS_OK);
			CHECK_MEM(q.sgx.report_data, rd, 64);
			CHECK_MEM(q.sgx.mr_enclave, fake_sgx.mr_enclave, 32);
			tee_evidence_free(&ev);
		}
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(info.platform == TEE_PLATFORM_SGX && strcmp(info.provider, "occlum") == 0);
		CHECK(info.can_attest && info.can_seal && !info.debug);
		CHECK_EQ_U64(info.measurement_len, 32);
		CHECK_MEM(info.measurement, fake_sgx.mr_enclave, 32);
		CHECK_MSG(strstr(info.versions, "isv_svn=3") != NULL, "versions %s", info.versions);
	}
	tee_provider_close(p);
	fake_root_free(root);
}

TEST(occlum_ebusy_is_retried)
{
	char *root = occlum_root(0x42);
	if (!root)
		return;
	tee_provider *p = open_occlum(root, "occlum");
	uint8_t rd[64] = {7};
	tee_evidence ev;
	char why[TEE_WHY_MAX];
	if (p) {
		fake_sgx.busy = 5; /* the size call takes 5 EBUSY, then succeeds */
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_OK);
		CHECK_EQ_U64(fake_sgx.size_calls, 6);
		tee_evidence_free(&ev);
		/* EBUSY on every try: a clear, retryable error after Occlum's 20 tries */
		fake_sgx.busy = 1000;
		fake_sgx.size_calls = 0;
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_RETRY);
		CHECK_EQ_U64(fake_sgx.size_calls, 20);
		CHECK_MSG(strstr(why, "20 tries") && strstr(why, "busy"), "why: %s", why);
	}
	tee_provider_close(p);
	fake_root_free(root);
}

TEST(occlum_hostile_device_is_refused)
{
	char *root = occlum_root(0x42);
	if (!root)
		return;
	tee_provider *p = open_occlum(root, "occlum");
	uint8_t rd[64] = {1, 2, 3};
	tee_evidence ev;
	char why[TEE_WHY_MAX];
	if (p) {
		fake_sgx.hostile = true;
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_CRYPTO);
		CHECK_MSG(strstr(why, "other report data") != NULL, "why: %s", why);
	}
	tee_provider_close(p);
	fake_root_free(root);
}

static bool seal_as(uint8_t m, bool debug, uint8_t key[32])
{
	char *root = occlum_root(m);
	if (!root)
		return false;
	fake_sgx.debug = debug;
	tee_provider *p = open_occlum(root, "occlum");
	char why[TEE_WHY_MAX];
	bool ok = false;
	if (p) {
		ss_err err = tee_provider_seal_key(p, key, why);
		CHECK_MSG(err == SS_OK, "seal: %s", why);
		CHECK_MSG(fake_sgx.key_request_ok, "the key request is not the MRENCLAVE seal request");
		ok = err == SS_OK;
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(info.debug == debug);
	}
	tee_provider_close(p);
	fake_root_free(root);
	return ok;
}

TEST(occlum_seal_key_is_bound_to_mrenclave_and_debug)
{
	uint8_t a1[32], a2[32], b[32], a_debug[32];
	if (!seal_as(0x42, false, a1))
		return;
	CHECK(seal_as(0x42, false, a2));
	CHECK(seal_as(0x43, false, b));
	CHECK(seal_as(0x42, true, a_debug));
	CHECK_MEM(a1, a2, 32);                /* same enclave, same key */
	CHECK(memcmp(a1, b, 32) != 0);        /* another MRENCLAVE, another key */
	CHECK(memcmp(a1, a_debug, 32) != 0);  /* DEBUG is bound by the attribute mask */
	/* the 16-byte EGETKEY result went through HKDF: the key is not it */
	static const uint8_t zero[16];
	CHECK(memcmp(a1 + 16, zero, 16) != 0);
}

TEST(occlum_device_errors_are_clear)
{
	char *root = occlum_root(0x42);
	if (!root)
		return;
	tee_provider *p = open_occlum(root, "occlum");
	char why[TEE_WHY_MAX];
	uint8_t key[32];
	if (p) {
		/* EGETKEY refuses (our fake refuses a request whose CPUSVN is not current) */
		fake_sgx.cpu_svn[0] ^= 1;
		CHECK(tee_provider_seal_key(p, key, why) == SS_ERR_IO);
		CHECK_MSG(strstr(why, "SGXIOC_GET_KEY") && strstr(why, "Invalid argument"),
			  "why: %s", why);
	}
	tee_provider_close(p);
	/* a /dev/sgx that knows no SGXIOC (ENOTTY from the real ioctl on a plain file): not
	 * Occlum's, so "not found" with the reason, and auto goes on to none */
	tee_open_options o = {.root = root};
	CHECK(tee_provider_open("occlum", &o, &p, why) == SS_ERR_NOT_FOUND);
	CHECK_MSG(strstr(why, "own report") && strstr(why, "not running under Occlum"), "why: %s",
		  why);
	CHECK(tee_provider_open("auto", &o, &p, why) == SS_OK);
	tee_info info;
	tee_provider_info(p, &info);
	CHECK(strcmp(info.provider, "none") == 0);
	tee_provider_close(p);
	/* an Occlum device that fails otherwise is an error, not "absent" */
	fake_sgx.fail_self_report = true;
	o.ioctl_fn = fake_sgx_ioctl;
	CHECK(tee_provider_open("auto", &o, &p, why) == SS_ERR_IO);
	CHECK_MSG(strstr(why, "own report"), "why: %s", why);
	fake_root_free(root);
	/* the host's DCAP driver directory /dev/sgx/ is not Occlum */
	root = fake_root_new();
	CHECK(fake_mkdirs(root, "dev/sgx/enclave"));
	o.root = root;
	CHECK(tee_provider_open("occlum", &o, &p, why) == SS_ERR_NOT_FOUND);
	CHECK_MSG(strstr(why, "driver directory"), "why: %s", why);
	fake_root_free(root);
	free(fake_sgx.quote);
	fake_sgx.quote = NULL;
}

/* tee_seal_kdf, the KDF of every hardware provider's sealing key, on a fixed input: a
 * fixed answer, computed by the code that sealed the first stores, since a change would
 * make every store sealed under a TEE unreadable. */
TEST(seal_kdf_known_answer)
{
	uint8_t raw[32], key[32], want[32];
	memset(raw, 0x5c, sizeof raw);
	CHECK(hex_decode(want, sizeof want,
			 "cea3a3fa53a5af44150634254a282a8d6ae8c9d547c826e1b05609b46c96a29f", 64,
			 HEX_PREFIX_FORBIDDEN) == SS_OK);
	tee_seal_kdf(key, raw, sizeof raw, "tsm/sev-snp/derived-key-vcek");
	CHECK_MEM(key, want, 32);
}

/* Run under valgrind as test_tee_occlum_ct (CONVENTIONS.md "Secrets"): the EGETKEY result
 * is marked undefined, so a branch or an index on it anywhere from the ioctl to the
 * sealing key (tee_seal_kdf's HKDF) is reported. */
TEST(occlum_seal_key_ct)
{
	char *root = occlum_root(0x42);
	if (!root)
		return;
	tee_provider *p = open_occlum(root, "occlum");
	uint8_t key[32];
	char why[TEE_WHY_MAX];
	if (p) {
		fake_sgx.secret_key = true;
		CHECK(tee_provider_seal_key(p, key, why) == SS_OK);
		CT_PUBLIC(key, sizeof key); /* the test may look at its result */
		static const uint8_t zero[32];
		CHECK(memcmp(key, zero, 32) != 0);
	}
	tee_provider_close(p);
	fake_root_free(root);
	/* tee_seal_kdf alone, on a secret of another length (SNP's 32-byte derived key) */
	uint8_t raw[32];
	memset(raw, 0x5c, sizeof raw);
	CT_SECRET(raw, sizeof raw);
	tee_seal_kdf(key, raw, sizeof raw, "tsm/sev-snp/derived-key-vcek");
	CT_PUBLIC(key, sizeof key);
	CT_PUBLIC(raw, sizeof raw);
	free(fake_sgx.quote);
	fake_sgx.quote = NULL;
}
