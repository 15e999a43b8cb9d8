/* Revocation in the evidence verifier (issue 12): the CRLs of Intel collateral are
 * consulted for every link of a PCK chain.
 *
 * - Over the command, with the real SGX quote and collateral of
 *   ../shared/vectors/tee/sgx/phala-dcap-qvl/: the original CRLs pass; a PCK CRL that
 *   lists the quote's own PCK certificate but is re-signed by a key other than Intel's
 *   Processor CA (anyone can write such a file; only Intel can sign it) is refused as
 *   unsigned, and the quote is invalid.
 * - At the chain level (tee_x509_chain_verify), on a chain built here whose private keys
 *   the test holds, so that correctly signed CRLs can be made: a listed serial is
 *   revoked, at the leaf and at the intermediate; an unlisted one passes the CRL check
 *   and the chain then stops at the pin (the look-alike root is not Intel's); a CRL with
 *   a broken signature or outside its validity window is refused; a missing CRL is. */
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tee/tee_internal.h"
#include "test.h"
#include "vectors.h"

#define SGX_QUOTE "tee/sgx/phala-dcap-qvl/sgx_quote"
#define SGX_COLL "tee/sgx/phala-dcap-qvl/sgx_quote_collateral.json"
#define SGX_NOW "2025-07-04T00:00:00Z"

static char out_buf[1 << 17];

__attribute__((format(printf, 2, 3))) static int run(json_t **out, const char *fmt, ...)
{
	char args[4096], cmd[4600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", SS_SECURE_SIGNER_BIN, args);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out_buf, 1, sizeof out_buf - 1, p) : 0;
	out_buf[n] = '\0';
	int st = p ? pclose(p) : -1;
	json_error_t err;
	*out = json_loads(out_buf, 0, &err);
	CHECK_MSG(*out != NULL, "not JSON: %.200s (%s)", out_buf, args);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

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

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
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
	int rc = run(&out, "evidence verify --evidence %s --collateral %s --now %s "
			   "--accept-tcb ConfigurationAndSWHardeningNeeded",
		     qpath, cpath, SGX_NOW);
	CHECK_MSG(rc == 0 && json_is_true(json_object_get(out, "valid")), "original: %s",
		  out_buf);
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
	CHECK(write_file(tmp, text, strlen(text)));
	rc = run(&out, "evidence verify --evidence %s --collateral %s --now %s "
		       "--accept-tcb ConfigurationAndSWHardeningNeeded",
		 qpath, tmp, SGX_NOW);
	CHECK_EQ_U64(rc, 1);
	CHECK(json_is_false(json_object_get(out, "valid")));
	CHECK_MSG(failure_with(out, "is not signed by it") != NULL, "re-signed: %s", out_buf);
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

/* ---- a chain the test holds the keys of ------------------------------------------- */

typedef struct {
	EVP_PKEY *key;
	X509 *cert;
} ca;

static X509 *make_cert(const char *cn, long serial, EVP_PKEY *key, const ca *issuer, bool is_ca)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME *name = X509_NAME_new();
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->cert) : name);
	X509_NAME_free(name);
	ASN1_TIME_set(X509_getm_notBefore(x), 1600000000);
	ASN1_TIME_set(X509_getm_notAfter(x), 2000000000);
	X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer->cert : x, x, NULL, NULL, 0);
	X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
						 is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	X509_add_ext(x, bc, -1);
	X509_EXTENSION_free(bc);
	X509_sign(x, issuer ? issuer->key : key, EVP_sha256());
	return x;
}

/* A CRL of issuer listing the given serials (0 terminates), valid [from, to). */
static X509_CRL *make_crl(const ca *issuer, const long *serials, time_t from, time_t to)
{
	X509_CRL *crl = X509_CRL_new();
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->cert));
	ASN1_TIME *a = ASN1_TIME_set(NULL, from), *b = ASN1_TIME_set(NULL, to);
	X509_CRL_set1_lastUpdate(crl, a);
	X509_CRL_set1_nextUpdate(crl, b);
	ASN1_TIME_free(a);
	ASN1_TIME_free(b);
	for (; serials && *serials; serials++) {
		ASN1_INTEGER *s = ASN1_INTEGER_new();
		ASN1_INTEGER_set(s, *serials);
		add_revoked(crl, s, from);
		ASN1_INTEGER_free(s);
	}
	X509_CRL_sign(crl, issuer->key, EVP_sha256());
	return crl;
}

static bool verify_with(X509 *leaf, STACK_OF(X509) *pool, X509_CRL *c1, X509_CRL *c2,
			time_t now, char *why)
{
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	if (c1)
		sk_X509_CRL_push(crls, c1);
	if (c2)
		sk_X509_CRL_push(crls, c2);
	bool ok = tee_x509_chain_verify(leaf, pool, TEE_ROOT_INTEL_SGX, now, crls, why, 256);
	sk_X509_CRL_free(crls);
	return ok;
}

TEST(crl_listed_serial_is_revoked)
{
	ca root = {p256_key(), NULL}, pca = {p256_key(), NULL};
	root.cert = make_cert("Intel SGX Root CA", 1, root.key, NULL, true);
	pca.cert = make_cert("Intel SGX PCK Processor CA", 2, pca.key, &root, true);
	EVP_PKEY *leaf_key = p256_key();
	X509 *leaf = make_cert("Intel SGX PCK Certificate", 0x1234567, leaf_key, &pca, false);
	STACK_OF(X509) *pool = sk_X509_new_null();
	sk_X509_push(pool, pca.cert);
	sk_X509_push(pool, root.cert);
	const time_t now = 1750000000, from = now - 86400, to = now + 86400;
	static const long leaf_serial[] = {0x99, 0x1234567, 0}, other[] = {0x99, 0},
			  pca_serial[] = {2, 0};
	char why[256];
	X509_CRL *root_crl = make_crl(&root, NULL, from, to);

	/* the leaf's serial in the Processor CA's CRL: revoked */
	X509_CRL *c = make_crl(&pca, leaf_serial, from, to);
	CHECK(!verify_with(leaf, pool, root_crl, c, now, why));
	CHECK_MSG(strstr(why, "Intel SGX PCK Certificate is revoked by the CRL of Intel SGX PCK "
			      "Processor CA"),
		  "why: %s", why);
	X509_CRL_free(c);

	/* other serials only: the CRL check passes and the chain goes on to the root, where
	 * the pin (not Intel's key) is what stops it */
	c = make_crl(&pca, other, from, to);
	CHECK(!verify_with(leaf, pool, root_crl, c, now, why));
	CHECK_MSG(strstr(why, "not a pinned root"), "why: %s", why);

	/* the intermediate's serial in the root's CRL: revoked */
	X509_CRL *rc = make_crl(&root, pca_serial, from, to);
	CHECK(!verify_with(leaf, pool, rc, c, now, why));
	CHECK_MSG(strstr(why, "Intel SGX PCK Processor CA is revoked by the CRL of Intel SGX Root CA"),
		  "why: %s", why);
	X509_CRL_free(rc);

	/* a CRL outside its thisUpdate..nextUpdate window */
	CHECK(!verify_with(leaf, pool, root_crl, c, to + 10, why));
	CHECK_MSG(strstr(why, "not current"), "why: %s", why);

	/* no CRL from the Processor CA at all */
	CHECK(!verify_with(leaf, pool, root_crl, NULL, now, why));
	CHECK_MSG(strstr(why, "no CRL from Intel SGX PCK Processor CA"), "why: %s", why);
	X509_CRL_free(c);

	/* a correctly named CRL whose signature is broken (one bit of the signature) */
	c = make_crl(&pca, other, from, to);
	const ASN1_BIT_STRING *sig;
	const X509_ALGOR *alg;
	X509_CRL_get0_signature(c, &sig, &alg);
	((ASN1_BIT_STRING *)sig)->data[10] ^= 0x01;
	CHECK(!verify_with(leaf, pool, root_crl, c, now, why));
	CHECK_MSG(strstr(why, "CRL of Intel SGX PCK Processor CA is not signed by it"), "why: %s",
		  why);
	X509_CRL_free(c);

	/* a CRL by another key under the same name (re-signed): the same refusal */
	ca impostor = {p256_key(), NULL};
	impostor.cert = make_cert("Intel SGX PCK Processor CA", 3, impostor.key, &root, true);
	c = make_crl(&impostor, other, from, to);
	CHECK(!verify_with(leaf, pool, root_crl, c, now, why));
	CHECK_MSG(strstr(why, "not signed by it"), "why: %s", why);
	X509_CRL_free(c);

	X509_CRL_free(root_crl);
	sk_X509_free(pool);
	X509_free(leaf);
	X509_free(pca.cert);
	X509_free(root.cert);
	X509_free(impostor.cert);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(root.key);
	EVP_PKEY_free(pca.key);
	EVP_PKEY_free(impostor.key);
}
