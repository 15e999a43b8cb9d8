/* The gramine provider against a fake /dev/attestation (issue 11 "Done when"): a temp
 * directory is the root, and a helper thread plays Gramine's LibOS — user_report_data and
 * quote are FIFOs, and when 64 bytes of report data arrive the thread answers with a real
 * SGX quote (../shared/vectors/tee/sgx/) carrying them (its signature then breaks; the
 * provider's self-check parses the quote and compares the report data, which is what is
 * tested here). Also: gramine-direct detected and refused, attestation type "none", the
 * seal key derived through HKDF (checked against OpenSSL's HKDF), short and missing files,
 * and a hostile LibOS answering with other report data. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_tree.h"
#include "tee/tee.h"
#include "tee/tee_provider.h"
#include "test.h"

#define SGX_VECTOR "tee/sgx/phala-dcap-qvl/sgx_quote"
#define SGX_DEBUG_VECTOR "tee/sgx/mobilecoin-sgx/hw_quote.dat"

/* The LibOS side of user_report_data → quote. */
typedef struct {
	char rd_path[1024], quote_path[1024];
	const uint8_t *quote;
	size_t quote_len;
	int requests;
	bool hostile; /* answer with other report data */
	uint8_t last_rd[64];
	int served;
} libos;

static void *libos_main(void *arg)
{
	libos *l = arg;
	for (int i = 0; i < l->requests; i++) {
		int fd = open(l->rd_path, O_RDONLY);
		if (fd < 0)
			return NULL;
		uint8_t rd[64];
		size_t got = 0;
		ssize_t r;
		while ((r = read(fd, rd + got, sizeof rd - got)) > 0 && got < sizeof rd)
			got += (size_t)r;
		close(fd);
		memcpy(l->last_rd, rd, 64);
		uint8_t *q = malloc(l->quote_len);
		memcpy(q, l->quote, l->quote_len);
		size_t off = fake_report_data_offset(q, l->quote_len);
		memcpy(q + off, rd, 64);
		if (l->hostile)
			q[off + 5] ^= 0x40;
		fd = open(l->quote_path, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, q, l->quote_len) != (ssize_t)l->quote_len)
				l->served = -1000;
			close(fd);
		}
		free(q);
		l->served++;
	}
	return NULL;
}

/* A Gramine-with-SGX tree: attestation_type, report (the quote's own body), the 16-byte
 * MRENCLAVE key, and the two FIFOs. */
static char *sgx_tree(const char *type, const uint8_t *quote, const uint8_t key[16])
{
	char *root = fake_root_new();
	CHECK(root != NULL);
	uint8_t report[432] = {0};
	memcpy(report, quote + 48, 384);
	CHECK(fake_write(root, "dev/attestation/attestation_type", type, strlen(type)));
	CHECK(fake_write(root, "dev/attestation/report", report, sizeof report));
	if (key)
		CHECK(fake_write(root, "dev/attestation/keys/_sgx_mrenclave", key, 16));
	CHECK(fake_fifo(root, "dev/attestation/user_report_data"));
	CHECK(fake_fifo(root, "dev/attestation/quote"));
	return root;
}

static void libos_init(libos *l, const char *root, const uint8_t *quote, size_t len, int n)
{
	memset(l, 0, sizeof *l);
	fake_path(l->rd_path, sizeof l->rd_path, root, "dev/attestation/user_report_data");
	fake_path(l->quote_path, sizeof l->quote_path, root, "dev/attestation/quote");
	l->quote = quote;
	l->quote_len = len;
	l->requests = n;
}

static tee_provider *open_at(const char *name, const char *root, ss_err want)
{
	tee_open_options o = {.root = root};
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	ss_err err = tee_provider_open(name, &o, &p, why);
	CHECK_MSG(err == want, "open %s: %s (%s)", name, ss_strerror(err), why);
	return err == SS_OK ? p : NULL;
}

TEST(gramine_absent_is_not_found)
{
	char *root = fake_root_new();
	tee_open_options o = {.root = root};
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	CHECK(tee_provider_open("gramine", &o, &p, why) == SS_ERR_NOT_FOUND);
	CHECK_MSG(strstr(why, "/dev/attestation") != NULL, "why: %s", why);
	/* auto goes on to the next platform, and ends at none on a plain host */
	CHECK(tee_provider_open("auto", &o, &p, why) == SS_OK);
	tee_info info;
	tee_provider_info(p, &info);
	CHECK(strcmp(info.provider, "none") == 0);
	tee_provider_close(p);
	fake_root_free(root);
}

TEST(gramine_dcap_evidence_carries_the_report_data)
{
	size_t qlen;
	uint8_t *quote = fake_vector(SGX_VECTOR, &qlen);
	if (!quote)
		return;
	uint8_t key[16] = {1, 2, 3};
	char *root = sgx_tree("dcap", quote, key);
	libos l;
	libos_init(&l, root, quote, qlen, 2);
	pthread_t th;
	pthread_create(&th, NULL, libos_main, &l);
	/* auto detects Gramine first */
	tee_provider *p = open_at("auto", root, SS_OK);
	for (int i = 0; p && i < 2; i++) {
		uint8_t rd[64];
		for (int k = 0; k < 64; k++)
			rd[k] = (uint8_t)(k * 7 + i * 31 + 1);
		tee_evidence ev;
		char why[TEE_WHY_MAX];
		ss_err err = tee_provider_evidence(p, rd, &ev, why);
		CHECK_MSG(err == SS_OK, "evidence: %s", why);
		if (err != SS_OK)
			continue;
		CHECK_MEM(l.last_rd, rd, 64); /* exactly 64 bytes reached user_report_data */
		CHECK(ev.type == TEE_EVIDENCE_SGX_DCAP_QUOTE);
		CHECK_EQ_U64(ev.quote_len, qlen);
		tee_dcap_quote q;
		const char *perr;
		CHECK(tee_dcap_parse(ev.quote, ev.quote_len, &q, &perr) == SS_OK);
		CHECK_MEM(q.sgx.report_data, rd, 64);
		CHECK_MEM(q.sgx.mr_enclave, quote + 112, 32);
		tee_evidence_free(&ev);
	}
	pthread_join(th, NULL);
	CHECK_EQ_U64(l.served, 2);
	if (p) {
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(info.platform == TEE_PLATFORM_SGX);
		CHECK(strcmp(info.provider, "gramine") == 0);
		CHECK(info.can_attest && info.can_seal && !info.debug && !info.simulated);
		CHECK_EQ_U64(info.measurement_len, 32);
		CHECK_MEM(info.measurement, quote + 112, 32);
		CHECK(info.has_signer);
		CHECK_MEM(info.signer, quote + 176, 32);
		CHECK_MSG(strcmp(info.versions, "isv_prod_id=0 isv_svn=0") == 0, "versions %s",
			  info.versions);
	}
	tee_provider_close(p);
	fake_root_free(root);
	free(quote);
}

TEST(gramine_hostile_libos_is_refused)
{
	size_t qlen;
	uint8_t *quote = fake_vector(SGX_VECTOR, &qlen);
	if (!quote)
		return;
	char *root = sgx_tree("dcap", quote, NULL);
	libos l;
	libos_init(&l, root, quote, qlen, 1);
	l.hostile = true;
	pthread_t th;
	pthread_create(&th, NULL, libos_main, &l);
	tee_provider *p = open_at("gramine", root, SS_OK);
	uint8_t rd[64];
	memset(rd, 0xA5, sizeof rd);
	tee_evidence ev;
	char why[TEE_WHY_MAX];
	if (p) {
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_CRYPTO);
		CHECK_MSG(strstr(why, "other report data") != NULL, "why: %s", why);
		CHECK(ev.quote == NULL); /* nothing handed out */
	}
	pthread_join(th, NULL);
	tee_provider_close(p);
	fake_root_free(root);
	free(quote);
}

TEST(gramine_direct_is_detected_and_refuses)
{
	char *root = fake_root_new();
	CHECK(fake_mkdirs(root, "dev/attestation/keys"));
	tee_provider *p = open_at("gramine", root, SS_OK);
	if (p) {
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(strcmp(info.provider, "gramine") == 0);
		CHECK(!info.can_attest && !info.can_seal);
		CHECK_EQ_U64(info.measurement_len, 0);
		CHECK_MSG(strstr(info.note, "gramine-direct") != NULL, "note: %s", info.note);
		uint8_t rd[64] = {0}, key[32];
		tee_evidence ev;
		char why[TEE_WHY_MAX];
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_UNSUPPORTED);
		CHECK_MSG(strstr(why, "gramine-direct") != NULL, "why: %s", why);
		CHECK(tee_provider_seal_key(p, key, why) == SS_ERR_UNSUPPORTED);
		CHECK_MSG(strstr(why, "gramine-direct") != NULL, "why: %s", why);
	}
	tee_provider_close(p);
	fake_root_free(root);
}

TEST(gramine_attestation_type_none_seals_but_has_no_quote)
{
	size_t qlen;
	uint8_t *quote = fake_vector(SGX_VECTOR, &qlen);
	if (!quote)
		return;
	uint8_t key[16] = {9};
	char *root = sgx_tree("none\n", quote, key);
	tee_provider *p = open_at("gramine", root, SS_OK);
	if (p) {
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(!info.can_attest && info.can_seal);
		uint8_t rd[64] = {0}, k[32];
		tee_evidence ev;
		char why[TEE_WHY_MAX];
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_UNSUPPORTED);
		CHECK_MSG(strstr(why, "remote_attestation") != NULL, "why: %s", why);
		CHECK(tee_provider_seal_key(p, k, why) == SS_OK);
	}
	tee_provider_close(p);
	fake_root_free(root);
	free(quote);
}

TEST(gramine_debug_enclave_is_reported)
{
	size_t qlen;
	uint8_t *quote = fake_vector(SGX_DEBUG_VECTOR, &qlen);
	if (!quote)
		return;
	char *root = sgx_tree("dcap", quote, NULL);
	tee_provider *p = open_at("gramine", root, SS_OK);
	if (p) {
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(info.debug);
		CHECK(!info.can_seal); /* no keys/_sgx_mrenclave in this tree */
	}
	tee_provider_close(p);
	fake_root_free(root);
	free(quote);
}

/* RFC 5869 HKDF-SHA256 by OpenSSL, an implementation independent of the provider's. */
static void openssl_hkdf(uint8_t out[32], const uint8_t *ikm, size_t ikm_len, const char *info)
{
	static const char salt[] = "secure-signer/v1/tee-seal";
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t n = 32;
	CHECK(c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_CTX_set_hkdf_md(c, EVP_sha256()) > 0 &&
	      EVP_PKEY_CTX_set1_hkdf_salt(c, (const unsigned char *)salt, sizeof salt - 1) > 0 &&
	      EVP_PKEY_CTX_set1_hkdf_key(c, ikm, (int)ikm_len) > 0 &&
	      EVP_PKEY_CTX_add1_hkdf_info(c, (const unsigned char *)info, (int)strlen(info)) > 0 &&
	      EVP_PKEY_derive(c, out, &n) > 0 && n == 32);
	EVP_PKEY_CTX_free(c);
}

static bool seal_with(const uint8_t *quote, const uint8_t *key, size_t key_len, uint8_t out[32],
		      ss_err want, const char *why_has)
{
	char *root = sgx_tree("dcap", quote, NULL);
	CHECK(fake_write(root, "dev/attestation/keys/_sgx_mrenclave", key, key_len));
	tee_provider *p = open_at("gramine", root, SS_OK);
	bool ok = false;
	if (p) {
		char why[TEE_WHY_MAX];
		ss_err err = tee_provider_seal_key(p, out, why);
		CHECK_MSG(err == want, "seal: %s (%s)", ss_strerror(err), why);
		if (why_has)
			CHECK_MSG(strstr(why, why_has) != NULL, "why: %s", why);
		ok = err == SS_OK;
	}
	tee_provider_close(p);
	fake_root_free(root);
	return ok;
}

TEST(gramine_seal_key_is_hkdf_of_the_mrenclave_key)
{
	size_t qlen;
	uint8_t *quote = fake_vector(SGX_VECTOR, &qlen);
	if (!quote)
		return;
	/* Gramine's _sgx_mrenclave is EGETKEY(MRENCLAVE): the same enclave gets the same 16
	 * bytes, another enclave other bytes. */
	uint8_t enclave_a[16], enclave_b[16];
	for (int i = 0; i < 16; i++) {
		enclave_a[i] = (uint8_t)(0x10 + i);
		enclave_b[i] = (uint8_t)(0x10 + i);
	}
	enclave_b[15] ^= 1;
	uint8_t k1[32], k2[32], k3[32], want[32];
	CHECK(seal_with(quote, enclave_a, 16, k1, SS_OK, NULL));
	CHECK(seal_with(quote, enclave_a, 16, k2, SS_OK, NULL));
	CHECK(seal_with(quote, enclave_b, 16, k3, SS_OK, NULL));
	CHECK_MEM(k1, k2, 32);
	CHECK(memcmp(k1, k3, 32) != 0);
	openssl_hkdf(want, enclave_a, 16, "gramine/_sgx_mrenclave");
	CHECK_MEM(k1, want, 32);
	uint8_t raw_padded[32] = {0};
	memcpy(raw_padded, enclave_a, 16);
	CHECK(memcmp(k1, raw_padded, 32) != 0); /* never the raw key */
	/* a short read is an error, never a weaker key */
	CHECK(!seal_with(quote, enclave_a, 15, k1, SS_ERR_INVALID, "short read"));
	CHECK(!seal_with(quote, enclave_a, 0, k1, SS_ERR_INVALID, "short read"));
	/* and a longer key file is not cut to 16 bytes */
	CHECK(!seal_with(quote, raw_padded, 17, k1, SS_ERR_INVALID,
			 "more than the 16 bytes expected"));
	free(quote);
}

TEST(gramine_broken_tree_errors_are_clear)
{
	size_t qlen;
	uint8_t *quote = fake_vector(SGX_VECTOR, &qlen);
	if (!quote)
		return;
	/* SGX Gramine without the report file: present but broken, not "absent" */
	char *root = fake_root_new();
	CHECK(fake_write(root, "dev/attestation/attestation_type", "dcap", 4));
	tee_open_options o = {.root = root};
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	CHECK(tee_provider_open("auto", &o, &p, why) == SS_ERR_IO);
	CHECK_MSG(strstr(why, "dev/attestation/report") != NULL, "why: %s", why);
	/* a truncated report */
	CHECK(fake_write(root, "dev/attestation/report", quote + 48, 100));
	CHECK(tee_provider_open("gramine", &o, &p, why) == SS_ERR_INVALID);
	CHECK_MSG(strstr(why, "100 bytes where 432") != NULL, "why: %s", why);
	/* a report but no quote file: evidence fails with the file named */
	uint8_t report[432] = {0};
	memcpy(report, quote + 48, 384);
	CHECK(fake_write(root, "dev/attestation/report", report, sizeof report));
	CHECK(fake_write(root, "dev/attestation/user_report_data", "", 0));
	CHECK(tee_provider_open("gramine", &o, &p, why) == SS_OK);
	uint8_t rd[64] = {0};
	tee_evidence ev;
	CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_IO);
	CHECK_MSG(strstr(why, "dev/attestation/quote") != NULL, "why: %s", why);
	tee_provider_close(p);
	fake_root_free(root);
	free(quote);
}
