/* The occlum provider against an injected /dev/sgx (tee_open_options.ioctl_fn; issue 11
 * "Done when"): the fake device answers SGXIOC_SELF_TARGET and SGXIOC_CREATE_REPORT with
 * a report made from a real SGX quote's body and the fake enclave's MRENCLAVE, gives out
 * that real quote with the caller's report data patched in, answers EBUSY as many times
 * as a test asks, and plays EGETKEY: it checks every field of the key request (name,
 * policy, CPUSVN, ISVSVN, CONFIGSVN, attribute and misc masks, KEYID) and derives the key
 * from the enclave's MRENCLAVE and masked attributes, so that the same enclave gets the
 * same key and another enclave (or a debug build of it) another key. */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "fake_tree.h"
#include "tee/occlum_dev.h"
#include "tee/provider_dev.h"
#include "tee/tee.h"
#include "tee/tee_provider.h"
#include "test.h"
#include "util/ct_check.h"
#include "util/hex.h"

#define SGX_VECTOR "tee/sgx/trustee/occlum_quote.dat"

static struct {
	uint8_t *quote;
	size_t quote_len;
	uint8_t mr_enclave[32];
	uint8_t cpu_svn[16];
	uint16_t isv_svn, config_svn;
	bool debug;
	int busy;     /* EBUSY answers left */
	bool hostile; /* a quote with other report data */
	bool fail_self_report; /* SGXIOC_CREATE_REPORT fails (EIO) */
	int quote_calls, size_calls, key_calls;
	bool secret_key; /* mark the EGETKEY result secret for valgrind (CT_SECRET) */
	uint8_t last_key_request[OCCLUM_KEY_REQUEST_BYTES];
	bool key_request_ok;
} dev;

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The fake enclave's report body (384 bytes): the vector's, with our identity. */
static void self_body(uint8_t body[384])
{
	memcpy(body, dev.quote + 48, 384);
	memcpy(body + 0, dev.cpu_svn, 16);
	memcpy(body + 64, dev.mr_enclave, 32);
	body[48] = (uint8_t)((body[48] & ~0x02) | (dev.debug ? 0x02 : 0));
	body[258] = (uint8_t)dev.isv_svn;
	body[259] = (uint8_t)(dev.isv_svn >> 8);
	body[260] = (uint8_t)dev.config_svn;
	body[261] = (uint8_t)(dev.config_svn >> 8);
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	switch (req) {
	case OCCLUM_SGXIOC_SELF_TARGET: {
		uint8_t *ti = arg; /* sgx_target_info_t: mr_enclave @0, attributes @32 */
		memset(ti, 0, OCCLUM_TARGET_INFO_BYTES);
		memcpy(ti, dev.mr_enclave, 32);
		return 0;
	}
	case OCCLUM_SGXIOC_CREATE_REPORT: {
		occlum_create_report_arg *a = arg;
		if (dev.fail_self_report) {
			errno = EIO;
			return -1;
		}
		if (!a->target_info || memcmp(a->target_info, dev.mr_enclave, 32) != 0) {
			errno = EINVAL; /* a report for another target is not a self report */
			return -1;
		}
		memset(a->report, 0, OCCLUM_REPORT_BYTES);
		self_body(a->report);
		if (a->report_data)
			memcpy(a->report + 320, a->report_data, 64);
		return 0;
	}
	case OCCLUM_SGXIOC_GET_DCAP_QUOTE_SIZE:
		dev.size_calls++;
		if (dev.busy > 0) {
			dev.busy--;
			errno = EBUSY;
			return -1;
		}
		*(uint32_t *)arg = (uint32_t)dev.quote_len;
		return 0;
	case OCCLUM_SGXIOC_GEN_DCAP_QUOTE: {
		occlum_gen_quote_arg *a = arg;
		dev.quote_calls++;
		if (dev.busy > 0) {
			dev.busy--;
			errno = EBUSY;
			return -1;
		}
		if (*a->quote_len < dev.quote_len) {
			errno = EINVAL;
			return -1;
		}
		memcpy(a->quote_buf, dev.quote, dev.quote_len);
		self_body(a->quote_buf + 48);
		memcpy(a->quote_buf + 368, a->report_data, 64);
		if (dev.hostile)
			a->quote_buf[368 + 63] ^= 1;
		*a->quote_len = (uint32_t)dev.quote_len;
		return 0;
	}
	case OCCLUM_SGXIOC_GET_KEY: {
		occlum_get_key_arg *a = arg;
		const uint8_t *r = a->key_request;
		dev.key_calls++;
		memcpy(dev.last_key_request, r, OCCLUM_KEY_REQUEST_BYTES);
		static const uint8_t zero[434];
		dev.key_request_ok =
			le16(r + SGX_KEYREQ_KEY_NAME) == SGX_KEYSELECT_SEAL &&
			le16(r + SGX_KEYREQ_KEY_POLICY) == SGX_KEYPOLICY_MRENCLAVE &&
			le16(r + SGX_KEYREQ_ISV_SVN) == dev.isv_svn && le16(r + 6) == 0 &&
			memcmp(r + SGX_KEYREQ_CPU_SVN, dev.cpu_svn, 16) == 0 &&
			le64(r + SGX_KEYREQ_ATTR_FLAGS) == 0xFF0000000000000Bull &&
			le64(r + SGX_KEYREQ_ATTR_XFRM) == 0 &&
			memcmp(r + SGX_KEYREQ_KEY_ID, zero, 32) == 0 &&
			(uint32_t)le16(r + SGX_KEYREQ_MISC_MASK) +
					((uint32_t)le16(r + SGX_KEYREQ_MISC_MASK + 2) << 16) ==
				0xF0000000u &&
			le16(r + SGX_KEYREQ_CONFIG_SVN) == dev.config_svn &&
			memcmp(r + 78, zero, 434) == 0;
		if (!dev.key_request_ok) {
			errno = EINVAL;
			return -1;
		}
		/* EGETKEY: a key from the CPU's secret and, per KEYPOLICY_MRENCLAVE, the
		 * enclave's MRENCLAVE and its attributes under the request's mask. */
		uint8_t body[384], msg[32 + 8 + 16 + 2], mac[32];
		unsigned mac_len = 32;
		self_body(body);
		uint64_t flags = le64(body + 48) & le64(r + SGX_KEYREQ_ATTR_FLAGS);
		memcpy(msg, dev.mr_enclave, 32);
		for (int i = 0; i < 8; i++)
			msg[32 + i] = (uint8_t)(flags >> (8 * i));
		memcpy(msg + 40, r + SGX_KEYREQ_CPU_SVN, 16);
		memcpy(msg + 56, r + SGX_KEYREQ_ISV_SVN, 2);
		HMAC(EVP_sha256(), "fake cpu fuse key", 17, msg, sizeof msg, mac, &mac_len);
		memcpy(a->key, mac, 16);
		if (dev.secret_key)
			CT_SECRET(a->key, 16);
		return 0;
	}
	}
	errno = ENOTTY;
	return -1;
}

/* A root with dev/sgx (a plain file: the fake ioctl stands for the driver), and a device
 * whose enclave has MRENCLAVE = measurement byte m. */
static char *occlum_root(uint8_t m)
{
	size_t len;
	free(dev.quote);
	memset(&dev, 0, sizeof dev);
	dev.quote = fake_vector(SGX_VECTOR, &len);
	if (!dev.quote)
		return NULL;
	dev.quote_len = len;
	memset(dev.mr_enclave, m, 32);
	memset(dev.cpu_svn, 0x0b, 16);
	dev.isv_svn = 3;
	dev.config_svn = 1;
	char *root = fake_root_new();
	CHECK(fake_write(root, "dev/sgx", "", 0));
	return root;
}

static tee_provider *open_occlum(const char *root, const char *name)
{
	tee_open_options o = {.root = root, .ioctl_fn = fake_ioctl};
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	ss_err err = tee_provider_open(name, &o, &p, why);
	CHECK_MSG(err == SS_OK, "open: %s (%s)", ss_strerror(err), why);
	return p;
}

TEST(occlum_absent_is_not_found)
{
	char *root = fake_root_new();
	tee_open_options o = {.root = root, .ioctl_fn = fake_ioctl};
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
			CHECK_MEM(q.sgx.mr_enclave, dev.mr_enclave, 32);
			tee_evidence_free(&ev);
		}
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(info.platform == TEE_PLATFORM_SGX && strcmp(info.provider, "occlum") == 0);
		CHECK(info.can_attest && info.can_seal && !info.debug);
		CHECK_EQ_U64(info.measurement_len, 32);
		CHECK_MEM(info.measurement, dev.mr_enclave, 32);
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
		dev.busy = 5; /* the size call takes 5 EBUSY, then succeeds */
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_OK);
		CHECK_EQ_U64(dev.size_calls, 6);
		tee_evidence_free(&ev);
		/* EBUSY on every try: a clear, retryable error after Occlum's 20 tries */
		dev.busy = 1000;
		dev.size_calls = 0;
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_RETRY);
		CHECK_EQ_U64(dev.size_calls, 20);
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
		dev.hostile = true;
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
	dev.debug = debug;
	tee_provider *p = open_occlum(root, "occlum");
	char why[TEE_WHY_MAX];
	bool ok = false;
	if (p) {
		ss_err err = tee_provider_seal_key(p, key, why);
		CHECK_MSG(err == SS_OK, "seal: %s", why);
		CHECK_MSG(dev.key_request_ok, "the key request is not the MRENCLAVE seal request");
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
		dev.cpu_svn[0] ^= 1;
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
	dev.fail_self_report = true;
	o.ioctl_fn = fake_ioctl;
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
	free(dev.quote);
	dev.quote = NULL;
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
		dev.secret_key = true;
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
	free(dev.quote);
	dev.quote = NULL;
}
