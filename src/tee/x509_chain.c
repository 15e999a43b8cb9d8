/* Certificates, chains and raw ECDSA signatures with OpenSSL, for both Intel DCAP (PCK
 * and TCB-signing chains, ECDSA P-256) and AMD SEV-SNP (VCEK/VLEK chains, RSA-PSS
 * SHA-384). The chain walk is done here rather than by X509_verify_cert so that its rules
 * are the ones of reference/tee.md §e step 1 and §d, stated once: each link's signature,
 * each issuer a CA, each certificate valid at the caller's instant (never the system
 * clock: old evidence is checked at its own time), a top that is self-signed and pinned
 * by fingerprint, and the CRLs the collateral brings. */
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "tee/tee_internal.h"

#define MAX_CHAIN_DEPTH 5

STACK_OF(X509) *tee_x509_load(const uint8_t *buf, size_t len)
{
	if (buf == NULL || len == 0 || len > INT32_MAX)
		return NULL;
	STACK_OF(X509) *sk = sk_X509_new_null();
	if (sk == NULL)
		return NULL;
	/* DER: one certificate, the whole input. */
	if (buf[0] == 0x30) {
		const unsigned char *p = buf;
		X509 *x = d2i_X509(NULL, &p, (long)len);
		if (x != NULL && p == buf + len && sk_X509_push(sk, x) > 0)
			return sk;
		X509_free(x);
		sk_X509_free(sk);
		return NULL;
	}
	/* PEM: every certificate in order; the PCK chain of a quote ends in one NUL. */
	size_t n = len;
	while (n > 0 && buf[n - 1] == 0)
		n--;
	BIO *bio = BIO_new_mem_buf(buf, (int)n);
	if (bio == NULL) {
		sk_X509_free(sk);
		return NULL;
	}
	X509 *x;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(sk, x) <= 0) {
			X509_free(x);
			break;
		}
	ERR_clear_error();
	BIO_free(bio);
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return NULL;
	}
	return sk;
}

static void cn_of(const X509_NAME *n, char *out, size_t cap)
{
	if (X509_NAME_get_text_by_NID((X509_NAME *)n, NID_commonName, out, (int)cap) < 0)
		snprintf(out, cap, "(no CN)");
}

static bool name_cn_is(const X509_NAME *n, const char *cn)
{
	char buf[96];
	int len = X509_NAME_get_text_by_NID((X509_NAME *)n, NID_commonName, buf, sizeof(buf));
	return len > 0 && (size_t)len == strlen(cn) && strcmp(buf, cn) == 0;
}

bool tee_x509_cn_is(X509 *x, const char *cn)
{
	return name_cn_is(X509_get_subject_name(x), cn);
}

bool tee_x509_issuer_cn_is(X509 *x, const char *cn)
{
	return name_cn_is(X509_get_issuer_name(x), cn);
}

bool tee_valid_at(const ASN1_TIME *nb, const ASN1_TIME *na, time_t now)
{
	time_t t = now;
	return nb != NULL && na != NULL && X509_cmp_time(nb, &t) < 0 && X509_cmp_time(na, &t) > 0;
}

/* Checks child against the CRLs issued by issuer: such a CRL must exist when crls is
 * given, verify under the issuer's key, be current at now, and not list child. */
static bool crl_check(X509 *child, X509 *issuer, STACK_OF(X509_CRL) *crls, time_t now,
		      char *why, size_t cap)
{
	char icn[96];
	cn_of(X509_get_subject_name(issuer), icn, sizeof(icn));
	bool found = false;
	for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(crls, i);
		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
			continue;
		found = true;
		if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
			ERR_clear_error();
			snprintf(why, cap, "the CRL of %s is not signed by it", icn);
			return false;
		}
		if (!tee_valid_at(X509_CRL_get0_lastUpdate(crl), X509_CRL_get0_nextUpdate(crl),
				  now)) {
			snprintf(why, cap, "the CRL of %s is not current at the verification time "
				 "(thisUpdate..nextUpdate)", icn);
			return false;
		}
		X509_REVOKED *rev = NULL;
		if (X509_CRL_get0_by_cert(crl, &rev, child) == 1) {
			char ccn[96];
			cn_of(X509_get_subject_name(child), ccn, sizeof(ccn));
			snprintf(why, cap, "%s is revoked by the CRL of %s", ccn, icn);
			return false;
		}
	}
	if (!found) {
		snprintf(why, cap, "no CRL from %s in the collateral", icn);
		return false;
	}
	return true;
}

bool tee_x509_chain_verify(X509 *leaf, STACK_OF(X509) *pool, tee_root_set roots,
			   time_t now, STACK_OF(X509_CRL) *crls, char *why, size_t cap)
{
	X509 *cur = leaf;
	char cn[96];
	for (int depth = 0; depth <= MAX_CHAIN_DEPTH; depth++) {
		cn_of(X509_get_subject_name(cur), cn, sizeof(cn));
		if (!tee_valid_at(X509_get0_notBefore(cur), X509_get0_notAfter(cur), now)) {
			snprintf(why, cap, "certificate %s is not valid at the verification time", cn);
			return false;
		}
		bool self_issued = X509_NAME_cmp(X509_get_subject_name(cur),
						 X509_get_issuer_name(cur)) == 0;
		if (self_issued) {
			if (X509_verify(cur, X509_get0_pubkey(cur)) != 1) {
				ERR_clear_error();
				snprintf(why, cap, "root %s: bad self-signature", cn);
				return false;
			}
			uint8_t fp[32];
			unsigned fpl = 0;
			if (X509_digest(cur, EVP_sha256(), fp, &fpl) != 1 || fpl != 32) {
				snprintf(why, cap, "cannot hash root %s", cn);
				return false;
			}
			if (!tee_root_pinned(roots, fp, NULL)) {
				snprintf(why, cap, "chain ends in %s, which is not a pinned root "
					 "(its SHA-256 fingerprint is not compiled in)", cn);
				return false;
			}
			return true;
		}
		/* Compiled-in roots first, then the certificates that came with the evidence. */
		X509 *issuer = NULL;
		STACK_OF(X509) *pinned = tee_roots(roots);
		int n_pinned = sk_X509_num(pinned);
		for (int i = 0; i < n_pinned + sk_X509_num(pool) && issuer == NULL; i++) {
			X509 *c = i < n_pinned ? sk_X509_value(pinned, i)
					       : sk_X509_value(pool, i - n_pinned);
			if (c == cur || X509_NAME_cmp(X509_get_subject_name(c),
						      X509_get_issuer_name(cur)) != 0)
				continue;
			if (X509_verify(cur, X509_get0_pubkey(c)) == 1)
				issuer = c;
			ERR_clear_error();
		}
		if (issuer == NULL) {
			char icn[96];
			cn_of(X509_get_issuer_name(cur), icn, sizeof(icn));
			snprintf(why, cap, "no certificate named %s verifies the signature of %s",
				 icn, cn);
			return false;
		}
		/* RFC 5280 §4.2.1.9: only a CA certificate may issue. */
		if (X509_check_ca(issuer) < 1) {
			snprintf(why, cap, "the issuer of %s is not a CA certificate", cn);
			return false;
		}
		if (crls != NULL && !crl_check(cur, issuer, crls, now, why, cap))
			return false;
		cur = issuer;
	}
	snprintf(why, cap, "certificate chain longer than %d", MAX_CHAIN_DEPTH);
	return false;
}

bool tee_ecdsa_verify_raw(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *msg,
			  size_t msg_len, const uint8_t *r, const uint8_t *s, size_t n)
{
	bool ok = false;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *br = BN_bin2bn(r, (int)n, NULL), *bs = BN_bin2bn(s, (int)n, NULL);
	unsigned char *der = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (sig == NULL || br == NULL || bs == NULL || ctx == NULL || pkey == NULL)
		goto out;
	if (ECDSA_SIG_set0(sig, br, bs) != 1)
		goto out;
	br = bs = NULL;
	int der_len = i2d_ECDSA_SIG(sig, &der);
	if (der_len <= 0)
		goto out;
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, der, (size_t)der_len, msg, msg_len) == 1;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	return ok;
}

EVP_PKEY *tee_p256_pubkey(const uint8_t xy[64])
{
	/* SubjectPublicKeyInfo for id-ecPublicKey / prime256v1 (RFC 5480 §2) around the
	 * uncompressed point 04 ‖ x ‖ y; OpenSSL refuses a point not on the curve. */
	static const uint8_t prefix[] = { 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
					  0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
					  0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04 };
	uint8_t der[sizeof(prefix) + 64];
	memcpy(der, prefix, sizeof(prefix));
	memcpy(der + sizeof(prefix), xy, 64);
	const unsigned char *p = der;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)sizeof(der));
	ERR_clear_error();
	return k;
}
