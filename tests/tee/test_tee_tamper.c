/* Tampering with real evidence is caught: one flipped bit in the report body, the report
 * data, the quote signature, the attestation key, the QE report, its signature, any
 * certificate of the PCK chain, the signed collateral JSON; an SNP report's measurement or
 * signature, its VCEK; and a chain that ends in a root other than the pinned ones. Also
 * the parsers' refusals of truncated and malformed input, and their indifference to
 * trailing padding. */
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "tee/tee_internal.h"
#include "test.h"
#include "vectors.h"

typedef struct {
	uint8_t *quote;
	size_t quote_len;
	char *coll;
	size_t coll_len;
	time_t now;
} sgx_case;

static bool load(const char *rel, uint8_t **buf, size_t *len)
{
	char path[1024];
	if (!vectors_path(path, sizeof path, rel))
		return false;
	*buf = (uint8_t *)test_read_file(path, len);
	CHECK_MSG(*buf != NULL, "cannot read %s", path);
	return *buf != NULL;
}

static bool load_sgx(sgx_case *c)
{
	if (!vectors_require())
		return false;
	if (!load("tee/sgx/phala-dcap-qvl/sgx_quote", &c->quote, &c->quote_len) ||
	    !load("tee/sgx/phala-dcap-qvl/sgx_quote_collateral.json", (uint8_t **)&c->coll,
		  &c->coll_len))
		return false;
	CHECK(tee_parse_time("2025-07-04T00:00:00Z", 20, &c->now));
	return true;
}

/* Verifies quote with collateral text coll, accepting the quote's real status; returns
 * the result. */
static tee_result verify_sgx(const uint8_t *quote, size_t len, const char *coll, size_t coll_len,
			     time_t now)
{
	tee_result res;
	memset(&res, 0, sizeof res);
	tee_dcap_quote q;
	const char *why;
	if (tee_dcap_parse(quote, len, &q, &why) != SS_OK) {
		tee_fail(&res, "parse", "%s", why);
		return res;
	}
	tee_collateral *c = NULL;
	if (coll != NULL && tee_collateral_parse(coll, coll_len, &c, &why) != SS_OK) {
		tee_fail(&res, "collateral_parse", "%s", why);
		return res;
	}
	tee_policy pol;
	tee_policy_default(&pol, now);
	pol.accept_tcb |= 1u << TEE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED;
	CHECK(tee_dcap_verify(&q, c, &pol, &res) == SS_OK);
	tee_collateral_free(c);
	return res;
}

static void free_sgx(sgx_case *c)
{
	free(c->quote);
	free(c->coll);
}

TEST(sgx_untampered_is_valid)
{
	sgx_case c;
	if (!load_sgx(&c))
		return;
	tee_result r = verify_sgx(c.quote, c.quote_len, c.coll, c.coll_len, c.now);
	CHECK_MSG(r.valid, "%s: %s", r.n_failures ? r.failures[0].check : "",
		  r.n_failures ? r.failures[0].why : "");
	CHECK(r.tcb_status == TEE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
	free_sgx(&c);
}

/* Flips one bit at off and expects check among the failures. */
static void flip_expect(sgx_case *c, size_t off, const char *check)
{
	c->quote[off] ^= 0x01;
	tee_result r = verify_sgx(c->quote, c->quote_len, c->coll, c->coll_len, c->now);
	c->quote[off] ^= 0x01;
	CHECK_MSG(!r.valid && tee_failed(&r, check), "bit flip at %zu: expected %s to fail", off,
		  check);
}

TEST(sgx_bit_flips)
{
	sgx_case c;
	if (!load_sgx(&c))
		return;
	const size_t sig = 436; /* v3: signature data after the 4-byte length @432 */
	flip_expect(&c, 4 + 0, "quote_signature");         /* header */
	flip_expect(&c, 48 + 64 + 3, "quote_signature");   /* body: MRENCLAVE */
	flip_expect(&c, 368 + 5, "quote_signature");       /* report data */
	flip_expect(&c, sig + 10, "quote_signature");      /* quote signature r */
	flip_expect(&c, sig + 64 + 7, "qe_report_data");   /* attestation key */
	flip_expect(&c, sig + 128 + 64, "qe_report_signature"); /* QE report MRENCLAVE */
	flip_expect(&c, sig + 128 + 320, "qe_report_signature"); /* QE report data */
	flip_expect(&c, sig + 512 + 3, "qe_report_signature");   /* QE report signature */
	flip_expect(&c, sig + 576 + 2 + 4, "qe_report_data");    /* QE auth data */
	free_sgx(&c);
}

/* Each certificate of the PCK chain: a flipped bit in its signature (the last base64 line
 * before its END line keeps the PEM decodable) breaks the chain, the quote's copy of the
 * root included (it must be the pinned root byte for byte). */
TEST(sgx_certificate_flips)
{
	sgx_case c;
	if (!load_sgx(&c))
		return;
	tee_dcap_quote q;
	const char *why;
	CHECK(tee_dcap_parse(c.quote, c.quote_len, &q, &why) == SS_OK);
	size_t base = (size_t)(q.pck_chain - c.quote);
	const char *pem = (const char *)q.pck_chain;
	int n = 0;
	for (const char *p = pem; (p = strstr(p, "-----END CERTIFICATE-----")) != NULL; p++) {
		/* a character in the middle of the base64 line before END */
		size_t off = base + (size_t)(p - pem) - 30;
		char orig = (char)c.quote[off];
		c.quote[off] = orig == 'A' ? 'B' : 'A';
		tee_result r = verify_sgx(c.quote, c.quote_len, c.coll, c.coll_len, c.now);
		c.quote[off] = (uint8_t)orig;
		CHECK_MSG(!r.valid && tee_failed(&r, "pck_chain"),
			  "certificate %d tampered and not caught", n);
		n++;
	}
	CHECK(n == 3);
	free_sgx(&c);
}

/* The compiled-in roots parse and match their pins (a corrupted table aborts). */
TEST(pinned_roots_match_pins)
{
	STACK_OF(X509) *intel = tee_roots(TEE_ROOT_INTEL_SGX), *amd = tee_roots(TEE_ROOT_AMD_ARK);
	CHECK(sk_X509_num(intel) == 1 && sk_X509_num(amd) == 3);
	for (int i = 0; i < sk_X509_num(amd); i++) {
		X509 *x = sk_X509_value(amd, i);
		/* each ARK is self-signed with RSA-PSS */
		CHECK(X509_verify(x, X509_get0_pubkey(x)) == 1);
	}
	CHECK(X509_verify(sk_X509_value(intel, 0), X509_get0_pubkey(sk_X509_value(intel, 0))) == 1);
}

/* Replaces the first occurrence of from by to (same length) in the collateral text. */
static bool patch(char *text, const char *from, const char *to)
{
	char *p = strstr(text, from);
	if (p == NULL || strlen(from) != strlen(to))
		return false;
	memcpy(p, to, strlen(to));
	return true;
}

TEST(collateral_tampering)
{
	sgx_case c;
	if (!load_sgx(&c))
		return;
	char *t = malloc(c.coll_len + 1);
	/* A TCB Info whose evaluation number changed: its signature no longer holds, and no
	 * status is derived from it. */
	memcpy(t, c.coll, c.coll_len + 1);
	CHECK(patch(t, "\\\"tcbEvaluationDataNumber\\\":17", "\\\"tcbEvaluationDataNumber\\\":18"));
	tee_result r = verify_sgx(c.quote, c.quote_len, t, c.coll_len, c.now);
	CHECK(!r.valid && tee_failed(&r, "tcb_info_signature"));
	CHECK(r.tcb_status == TEE_TCB_UNKNOWN);
	/* The QE Identity: its MRSIGNER changed. */
	memcpy(t, c.coll, c.coll_len + 1);
	CHECK(patch(t, "8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF",
		    "8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFE"));
	r = verify_sgx(c.quote, c.quote_len, t, c.coll_len, c.now);
	CHECK(!r.valid && tee_failed(&r, "qe_identity_signature"));
	/* The TCB Info signature itself. */
	memcpy(t, c.coll, c.coll_len + 1);
	char *sig = strstr(t, "\"tcb_info_signature\"");
	CHECK(sig != NULL);
	if (sig != NULL) {
		char *v = strchr(sig + 21, '"') + 1;
		v[3] = v[3] == '0' ? '1' : '0';
		r = verify_sgx(c.quote, c.quote_len, t, c.coll_len, c.now);
		CHECK(!r.valid && tee_failed(&r, "tcb_info_signature"));
	}
	/* A NUL inside the signed JSON ("\u0000"): the collateral is refused as malformed
	 * (jansson rejects NUL in strings), never verified over a shortened copy. */
	memcpy(t, c.coll, c.coll_len + 1);
	CHECK(patch(t, "{\\\"id\\\":", "{\\u0000:"));
	r = verify_sgx(c.quote, c.quote_len, t, c.coll_len, c.now);
	CHECK(!r.valid && tee_failed(&r, "collateral_parse"));
	free(t);
	/* Outside the windows: before the TCB Info's issue date, after the QE Identity's
	 * nextUpdate (vectors/tee/README.md §2.1). */
	time_t before, after;
	CHECK(tee_parse_time("2025-06-19T10:00:00Z", 20, &before));
	CHECK(tee_parse_time("2025-07-20T00:00:00Z", 20, &after));
	r = verify_sgx(c.quote, c.quote_len, c.coll, c.coll_len, before);
	CHECK(!r.valid && tee_failed(&r, "tcb_info_window"));
	r = verify_sgx(c.quote, c.quote_len, c.coll, c.coll_len, after);
	CHECK(!r.valid && tee_failed(&r, "qe_identity_window"));
	free_sgx(&c);
}

/* Collateral signed under the Intel root by anything but the TCB Signing certificate (here
 * the quote's own PCK chain: genuine Intel certificates, valid at the time) is refused
 * for its signer, before any signature is tried. */
TEST(collateral_signer_must_be_tcb_signing)
{
	sgx_case c;
	if (!load_sgx(&c))
		return;
	tee_dcap_quote q;
	const char *why;
	CHECK(tee_dcap_parse(c.quote, c.quote_len, &q, &why) == SS_OK);
	json_error_t err;
	json_t *coll = json_loadb(c.coll, c.coll_len, 0, &err);
	/* the chain without its trailing NUL */
	json_object_set_new(coll, "tcb_info_issuer_chain",
			    json_stringn((const char *)q.pck_chain, q.pck_chain_len - 1));
	char *text = json_dumps(coll, JSON_PRESERVE_ORDER);
	tee_result r = verify_sgx(c.quote, c.quote_len, text, strlen(text), c.now);
	bool named = false;
	for (unsigned i = 0; i < r.n_failures; i++)
		named |= strcmp(r.failures[i].check, "tcb_info_signature") == 0 &&
			 strstr(r.failures[i].why, "not signed with the Intel SGX TCB Signing") != NULL;
	CHECK(!r.valid && named);
	CHECK(r.tcb_status == TEE_TCB_UNKNOWN);
	free(text);
	json_decref(coll);
	free_sgx(&c);
}

/* A chain that reaches a root whose fingerprint is not pinned is refused, even when every
 * signature in it holds and the root calls itself "Intel SGX Root CA". */
static X509 *make_cert(EVP_PKEY *key, EVP_PKEY *signer, X509 *issuer, const char *cn, bool ca)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
						  ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, signer, EVP_sha256());
	return x;
}

TEST(chain_to_unpinned_root_refused)
{
	EVP_PKEY *rk = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
	X509 *root = make_cert(rk, rk, NULL, "Intel SGX Root CA", true);
	X509 *leaf = make_cert(lk, rk, root, "Intel SGX PCK Certificate", false);
	STACK_OF(X509) *pool = sk_X509_new_null();
	sk_X509_push(pool, leaf);
	sk_X509_push(pool, root);
	char why[256] = "";
	CHECK(!tee_x509_chain_verify(leaf, pool, TEE_ROOT_INTEL_SGX, time(NULL), NULL, why,
				     sizeof why));
	CHECK_MSG(strstr(why, "not a pinned root") != NULL, "%s", why);
	/* The same chain is otherwise sound: it is the pin that refuses it. */
	CHECK(X509_verify(leaf, rk) == 1);
	sk_X509_pop_free(pool, X509_free);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(lk);
}

/* The AMD chain of a real report, with its ARK replaced by a look-alike: refused. */
TEST(snp_tampering)
{
	if (!vectors_require())
		return;
	uint8_t *rep, *vcek, *ca;
	size_t rl, vl, cl;
	if (!load("tee/sev-snp/trustee/test-report.bin", &rep, &rl) ||
	    !load("tee/sev-snp/trustee/test-vcek.der", &vcek, &vl) ||
	    !load("tee/sev-snp/trustee/milan_ask_ark_asvk.pem", &ca, &cl))
		return;
	time_t now;
	CHECK(tee_parse_time("2025-01-01T00:00:00Z", 20, &now));
	tee_policy pol;
	tee_policy_default(&pol, now);
	tee_blob certs[2] = { { vcek, vl }, { ca, cl } };
	tee_snp_report r;
	tee_result res;
	const char *why;
	CHECK(tee_snp_parse(rep, rl, &r, &why) == SS_OK);
	CHECK(tee_snp_verify(&r, certs, 2, &pol, &res) == SS_OK && res.valid);
	/* measurement, report data, signature, reported TCB */
	const size_t offs[] = { 0x90 + 7, 0x50 + 1, 0x2A0 + 3, 0x2E8 + 40, 0x180 + 7 };
	for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
		rep[offs[i]] ^= 0x10;
		CHECK(tee_snp_parse(rep, rl, &r, &why) == SS_OK);
		CHECK(tee_snp_verify(&r, certs, 2, &pol, &res) == SS_OK);
		CHECK_MSG(!res.valid && tee_failed(&res, "report_signature"), "offset 0x%zx", offs[i]);
		rep[offs[i]] ^= 0x10;
	}
	/* The VCEK's signature bytes (its last byte): the chain breaks. */
	vcek[vl - 1] ^= 0x01;
	CHECK(tee_snp_parse(rep, rl, &r, &why) == SS_OK);
	CHECK(tee_snp_verify(&r, certs, 2, &pol, &res) == SS_OK);
	CHECK(!res.valid && tee_failed(&res, "vek_chain"));
	vcek[vl - 1] ^= 0x01;
	/* Without the CA chain there is no path to a pinned ARK. */
	CHECK(tee_snp_verify(&r, certs, 1, &pol, &res) == SS_OK);
	CHECK(!res.valid && tee_failed(&res, "vek_chain"));
	/* An expected measurement that differs. */
	uint8_t m[48] = { 0 };
	pol.expect_measurement = m;
	CHECK(tee_snp_verify(&r, certs, 2, &pol, &res) == SS_OK);
	CHECK(!res.valid && tee_failed(&res, "measurement"));
	free(rep);
	free(vcek);
	free(ca);
}

/* ---- parsers ------------------------------------------------------------------- */

TEST(parse_truncation_and_padding)
{
	if (!vectors_require())
		return;
	uint8_t *b;
	size_t len;
	/* The COS quote is 8000 bytes, 3065 of them padding after the signature data. */
	if (!load("tee/tdx/go-tdx-guest/ccel/cos-113-tdx-quote.dat", &b, &len))
		return;
	tee_dcap_quote q;
	const char *why;
	CHECK(tee_dcap_parse(b, len, &q, &why) == SS_OK);
	CHECK(q.quote_len == len - 3065);
	/* Every strict prefix of the quote itself is refused with a reason. */
	for (size_t n = 0; n < q.quote_len; n++) {
		tee_dcap_quote q2;
		why = NULL;
		if (tee_dcap_parse(b, n, &q2, &why) == SS_OK || why == NULL) {
			CHECK_MSG(false, "prefix of %zu bytes accepted", n);
			break;
		}
	}
	/* A signature_data_len one larger than the data reaches into the padding: the
	 * certification data sizes no longer add up. */
	uint32_t sl = tee_le32(b + 632);
	b[632] = (uint8_t)(sl + 1);
	CHECK(tee_dcap_parse(b, len, &q, &why) != SS_OK);
	b[632] = (uint8_t)sl;
	/* Unknown version, key type, TEE type. */
	b[0] = 6;
	CHECK(tee_dcap_parse(b, len, &q, &why) == SS_ERR_UNSUPPORTED);
	b[0] = 4;
	b[2] = 3;
	CHECK(tee_dcap_parse(b, len, &q, &why) == SS_ERR_UNSUPPORTED);
	b[2] = 2;
	b[4] = 0x82;
	CHECK(tee_dcap_parse(b, len, &q, &why) == SS_ERR_INVALID);
	b[4] = 0x81;
	free(b);

	/* SNP: short, versions, padding, as hex. */
	if (!load("tee/sev-snp/trustee/test-report.bin", &b, &len))
		return;
	tee_snp_report r;
	CHECK(tee_snp_parse(b, len - 1, &r, &why) == SS_ERR_INVALID);
	b[0] = 4;
	CHECK(tee_snp_parse(b, len, &r, &why) == SS_ERR_UNSUPPORTED);
	b[0] = 2;
	uint8_t *padded = calloc(1, len + 16);
	memcpy(padded, b, len);
	CHECK(tee_snp_parse(padded, len + 16, &r, &why) == SS_OK);
	padded[len + 3] = 1;
	CHECK(tee_snp_parse(padded, len + 16, &r, &why) == SS_ERR_INVALID);
	free(padded);
	char *hex = malloc(2 * len + 4);
	strcpy(hex, "0x");
	for (size_t i = 0; i < len; i++)
		sprintf(hex + 2 + 2 * i, "%02x", b[i]);
	size_t hl = strlen(hex);
	strcat(hex, "\n");
	hl++;
	CHECK(tee_evidence_unhex((uint8_t *)hex, &hl, &why) == SS_OK && hl == len);
	CHECK(memcmp(hex, b, len) == 0);
	free(hex);
	free(b);
}

TEST(parse_time)
{
	time_t t;
	CHECK(tee_parse_time("2025-07-04T00:00:00Z", 20, &t) && t == 1751587200);
	CHECK(tee_parse_time("2025-07-04T00:00:00.5+00:00", 27, &t) && t == 1751587200);
	CHECK(!tee_parse_time("2025-07-04T00:00:00+01:00", 25, &t));
	CHECK(!tee_parse_time("2025-02-29T00:00:00Z", 20, &t));
	CHECK(!tee_parse_time("2025-07-04 00:00:00Z", 20, &t));
}
