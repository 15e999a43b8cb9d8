/* Revocation in the evidence verifier (issue 12) over the command, with real evidence:
 * the SGX quote and collateral of ../shared/vectors/tee/sgx/phala-dcap-qvl/. The original
 * CRLs pass; a PCK CRL that lists the quote's own PCK certificate, re-signed by a key other
 * than Intel's Processor CA (anyone can write such a file; only Intel can sign it), is
 * refused as unsigned and the quote is invalid. The chain walk's own revocation cases
 * (listed serials on a generated chain) are test_tee_crl. */
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tee/tee_internal.h"
#include "run_json.h"
#include "test.h"
#include "vectors.h"

#define SGX_QUOTE "tee/sgx/phala-dcap-qvl/sgx_quote"
#define SGX_COLL "tee/sgx/phala-dcap-qvl/sgx_quote_collateral.json"
#define SGX_NOW "2025-07-04T00:00:00Z"

/* The reason of the failure whose reason contains needle, or NULL. */
static const char *failure_with(json_t *out, const char *needle)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(out, "failures"), i, f) {
		const char *r = json_string_value(json_object_get(f, "reason"));
		if (r && strstr(r, needle))
			return r;
	}
	return NULL;
}

static EVP_PKEY *p256_key(void)
{
	return EVP_EC_gen("P-256");
}

static X509_CRL *crl_from_hex(const char *hex)
{
	size_t n = strlen(hex) / 2;
	uint8_t *der = malloc(n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		der[i] = (uint8_t)v;
	}
	const uint8_t *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)n);
	free(der);
	return crl;
}

static char *crl_to_hex(X509_CRL *crl)
{
	uint8_t *der = NULL;
	int n = i2d_X509_CRL(crl, &der);
	char *hex = malloc((size_t)n * 2 + 1);
	for (int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", der[i]);
	OPENSSL_free(der);
	return hex;
}

static void add_revoked(X509_CRL *crl, const ASN1_INTEGER *serial, time_t when)
{
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, when);
	X509_REVOKED_set_serialNumber(r, (ASN1_INTEGER *)serial);
	X509_REVOKED_set_revocationDate(r, t);
	X509_CRL_add0_revoked(crl, r);
	X509_CRL_sort(crl);
	ASN1_TIME_free(t);
}

TEST(crl_resigned_listing_the_pck_is_refused)
{
	if (!vectors_require())
		return;
	char qpath[1024], cpath[1024];
	CHECK(vectors_path(qpath, sizeof qpath, SGX_QUOTE));
	CHECK(vectors_path(cpath, sizeof cpath, SGX_COLL));
	json_t *out = NULL;
	/* the original collateral: its CRLs pass (the status is the quote's real one) */
	int rc = run_json(&out, "evidence verify --evidence %s --collateral %s --now %s "
			   "--accept-tcb ConfigurationAndSWHardeningNeeded",
		     qpath, cpath, SGX_NOW);
	CHECK_MSG(rc == 0 && json_is_true(json_object_get(out, "valid")), "original: %s",
		  run_out);
	json_decref(out);

	/* the quote's PCK leaf, and the collateral's PCK CRL with its serial added */
	size_t qlen;
	uint8_t *quote = (uint8_t *)test_read_file(qpath, &qlen);
	tee_dcap_quote q;
	const char *perr;
	CHECK(quote && tee_dcap_parse(quote, qlen, &q, &perr) == SS_OK);
	STACK_OF(X509) *chain = tee_x509_load(q.pck_chain, q.pck_chain_len);
	CHECK(chain && sk_X509_num(chain) >= 2);
	json_error_t jerr;
	json_t *coll = json_load_file(cpath, 0, &jerr);
	CHECK(coll != NULL);
	X509_CRL *crl = crl_from_hex(json_string_value(json_object_get(coll, "pck_crl")));
	CHECK(crl != NULL);
	if (!chain || !crl || !coll) {
		free(quote);
		return;
	}
	X509 *leaf = sk_X509_value(chain, 0);
	CHECK(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(leaf)) == 0);
	add_revoked(crl, X509_get0_serialNumber(leaf), 1750000000);
	EVP_PKEY *forger = p256_key();
	CHECK(X509_CRL_sign(crl, forger, EVP_sha256()) > 0);
	char *hex = crl_to_hex(crl);
	json_object_set_new(coll, "pck_crl", json_string(hex));
	char *text = json_dumps(coll, 0);
	/* the signed JSON strings (tcb_info, qe_identity) are kept byte for byte by
	 * jansson: they are string values, re-escaped identically */
	char tmp[] = "/tmp/ss-tee-crl-XXXXXX";
	int fd = mkstemp(tmp);
	CHECK(fd >= 0);
	close(fd);
	CHECK(test_write_text(tmp, text));
	rc = run_json(&out, "evidence verify --evidence %s --collateral %s --now %s "
		       "--accept-tcb ConfigurationAndSWHardeningNeeded",
		 qpath, tmp, SGX_NOW);
	CHECK_EQ_U64(rc, 1);
	CHECK(json_is_false(json_object_get(out, "valid")));
	CHECK_MSG(failure_with(out, "the CRL of Intel SGX PCK Processor CA is not signed by it") != NULL, "re-signed: %s", run_out);
	json_decref(out);
	unlink(tmp);
	free(text);
	free(hex);
	EVP_PKEY_free(forger);
	X509_CRL_free(crl);
	json_decref(coll);
	sk_X509_pop_free(chain, X509_free);
	free(quote);
}
