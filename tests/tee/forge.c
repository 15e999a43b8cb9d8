/* A forged but self-consistent SGX v3 quote under a generated look-alike Intel root, for
 * the tests that need one (forge.h). */
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "forge.h"
#include "test.h"

/* DER helpers: a TLV with a short or one/two-byte length. */
static size_t tlv(uint8_t *out, uint8_t tag, const uint8_t *v, size_t n)
{
	size_t h = 0;
	out[h++] = tag;
	if (n < 128) {
		out[h++] = (uint8_t)n;
	} else if (n < 256) {
		out[h++] = 0x81;
		out[h++] = (uint8_t)n;
	} else {
		out[h++] = 0x82;
		out[h++] = (uint8_t)(n >> 8);
		out[h++] = (uint8_t)n;
	}
	memmove(out + h, v, n);
	return h + n;
}

/* SEQUENCE { OID 1.2.840.113741.1.13.1.<arcs>, value } */
static size_t entry(uint8_t *out, const uint8_t *arcs, size_t n_arcs, uint8_t vtag,
		    const uint8_t *v, size_t vn)
{
	uint8_t oid[16] = { 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01 }, body[512];
	memcpy(oid + 9, arcs, n_arcs);
	size_t n = tlv(body, 0x06, oid, 9 + n_arcs);
	n += tlv(body + n, vtag, v, vn);
	return tlv(out, 0x30, body, n);
}

/* The SGX extension: TCB components all 20, PCESVN 20, CPUSVN, PCEID, FMSPC. */
static size_t sgx_extension(uint8_t *out)
{
	uint8_t tcb[1024], all[1200];
	size_t n = 0;
	uint8_t twenty = 20;
	for (uint8_t i = 1; i <= 17; i++) {
		const uint8_t arcs[] = { 2, i };
		n += entry(tcb + n, arcs, 2, 0x02, &twenty, 1);
	}
	uint8_t cpusvn[16];
	memset(cpusvn, 20, 16);
	const uint8_t a18[] = { 2, 18 };
	n += entry(tcb + n, a18, 2, 0x04, cpusvn, 16);
	uint8_t tcbseq[1100];
	size_t tn = tlv(tcbseq, 0x30, tcb, n);
	size_t m = 0;
	uint8_t tmp[1200];
	const uint8_t a3[] = { 3 }, a4[] = { 4 };
	/* SEQUENCE { OID .2, SEQUENCE { the TCB entries } } */
	uint8_t oid[10] = { 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01, 2 };
	size_t k = tlv(tmp, 0x06, oid, 10);
	memcpy(tmp + k, tcbseq, tn);
	m += tlv(all + m, 0x30, tmp, k + tn);
	const uint8_t pceid[2] = { 0, 0 }, fmspc[6] = { 0x00, 0x90, 0x6e, 0xd5, 0, 0 };
	m += entry(all + m, a3, 1, 0x04, pceid, 2);
	m += entry(all + m, a4, 1, 0x04, fmspc, 6);
	return tlv(out, 0x30, all, m);
}

X509 *forge_cert(EVP_PKEY *key, EVP_PKEY *signer, X509 *issuer, const char *cn, bool ca,
		 bool sgx_ext)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Intel Corporation",
				   -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
						  ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (sgx_ext) {
		uint8_t der[1400];
		size_t dn = sgx_extension(der);
		ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(os, der, (int)dn);
		ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(obj);
	}
	X509_sign(x, signer, EVP_sha256());
	return x;
}

/* ECDSA P-256/SHA-256 over msg as raw r ‖ s. */
static void sign_raw(EVP_PKEY *k, const uint8_t *msg, size_t n, uint8_t out[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[80];
	size_t dl = sizeof der;
	CHECK(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
	      EVP_DigestSign(ctx, der, &dl, msg, n) == 1);
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	memset(out, 0, 64);
	BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

size_t forge_sgx_quote(const uint8_t report_data[64], uint8_t *q, size_t cap)
{
	EVP_PKEY *rk = EVP_EC_gen("P-256"), *ik = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256"),
		 *ak = EVP_EC_gen("P-256");
	X509 *root = forge_cert(rk, rk, NULL, "Intel SGX Root CA", true, false);
	X509 *inter = forge_cert(ik, rk, root, "Intel SGX PCK Processor CA", true, false);
	X509 *leaf = forge_cert(lk, ik, inter, "Intel SGX PCK Certificate", false, true);
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, leaf);
	PEM_write_bio_X509(bio, inter);
	PEM_write_bio_X509(bio, root);
	char *pem;
	long pem_len = BIO_get_mem_data(bio, &pem);

	memset(q, 0, cap);
	put16(q, 3);
	put16(q + 2, 2);
	static const uint8_t intel[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
					   0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };
	memcpy(q + 12, intel, 16);
	memcpy(q + 368, report_data, 64);
	q[48 + 48] = 0x05; /* INIT | MODE64BIT: not debug */
	memset(q + 48 + 64, 0xab, 32); /* MRENCLAVE */
	uint8_t *sd = q + 436;
	/* attestation key x ‖ y */
	uint8_t pub[65];
	size_t pl = sizeof pub;
	CHECK(EVP_PKEY_get_octet_string_param(ak, "pub", pub, sizeof pub, &pl) == 1 && pl == 65);
	memcpy(sd + 64, pub + 1, 64);
	/* QE report: report_data = SHA-256(attestation key ‖ auth data) ‖ 0 */
	uint8_t *qe = sd + 128, auth[32];
	memset(auth, 0x11, 32);
	sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, sd + 64, 64);
	sha256_update(&h, auth, 32);
	sha256_final(&h, qe + 320);
	sign_raw(lk, qe, 384, sd + 512);
	put16(sd + 576, 32);
	memcpy(sd + 578, auth, 32);
	put16(sd + 610, 5);
	put32(sd + 612, (uint32_t)pem_len + 1);
	memcpy(sd + 616, pem, (size_t)pem_len);
	uint32_t sig_len = 616 + (uint32_t)pem_len + 1;
	put32(q + 432, sig_len);
	sign_raw(ak, q, 432, sd);
	size_t total = 436 + sig_len;
	CHECK(total <= cap);
	BIO_free(bio);
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
	EVP_PKEY_free(ak);
	return total;
}
