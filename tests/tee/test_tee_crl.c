/* Revocation in the verifier's chain walk (tee_x509_chain_verify, x509_chain.c): a
 * generated look-alike chain (root → "Intel SGX PCK Processor CA" → PCK leaf) with CRLs
 * made here. The chain can never pass (its root is not pinned), so each case checks the
 * reason it stops at: the CRL step comes first for every link, and a chain whose CRLs are
 * all in order gets as far as the pin. Real Intel CRLs are exercised by the vectors
 * (test_tee_vectors); no real CRL revokes a certificate that signed a shipped quote. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <time.h>

#include "forge.h"
#include "tee/tee_internal.h"
#include "test.h"

typedef struct {
	EVP_PKEY *rk, *ck, *lk, *other;
	X509 *root, *ca, *leaf;
	STACK_OF(X509) *pool;
} chain;

static void chain_make(chain *c)
{
	c->rk = EVP_EC_gen("P-256");
	c->ck = EVP_EC_gen("P-256");
	c->lk = EVP_EC_gen("P-256");
	c->other = EVP_EC_gen("P-256");
	c->root = forge_cert(c->rk, c->rk, NULL, "Intel SGX Root CA", true, false);
	c->ca = forge_cert(c->ck, c->rk, c->root, "Intel SGX PCK Processor CA", true, false);
	c->leaf = forge_cert(c->lk, c->ck, c->ca, "Intel SGX PCK Certificate", false, true);
	c->pool = sk_X509_new_null();
	sk_X509_push(c->pool, c->ca);
	sk_X509_push(c->pool, c->root);
}

static void chain_free(chain *c)
{
	sk_X509_free(c->pool);
	X509_free(c->leaf);
	X509_free(c->ca);
	X509_free(c->root);
	EVP_PKEY_free(c->rk);
	EVP_PKEY_free(c->ck);
	EVP_PKEY_free(c->lk);
	EVP_PKEY_free(c->other);
}

/* A CRL named after issuer, signed by key, current from last_adj to next_adj seconds
 * around now, revoking serial (0: nothing). */
static X509_CRL *make_crl(X509 *issuer, EVP_PKEY *key, long serial, long last_adj, long next_adj)
{
	X509_CRL *crl = X509_CRL_new();
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
	ASN1_TIME *t = ASN1_TIME_adj(NULL, time(NULL), 0, last_adj);
	X509_CRL_set1_lastUpdate(crl, t);
	ASN1_TIME_free(t);
	t = ASN1_TIME_adj(NULL, time(NULL), 0, next_adj);
	X509_CRL_set1_nextUpdate(crl, t);
	ASN1_TIME_free(t);
	if (serial) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *s = ASN1_INTEGER_new();
		ASN1_INTEGER_set(s, serial);
		X509_REVOKED_set_serialNumber(r, s);
		ASN1_INTEGER_free(s);
		t = ASN1_TIME_adj(NULL, time(NULL), 0, -60);
		X509_REVOKED_set_revocationDate(r, t);
		ASN1_TIME_free(t);
		X509_CRL_add0_revoked(crl, r);
	}
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, key, EVP_sha256());
	return crl;
}

/* Runs the walk with the given CRLs (consumed); returns why it stopped ("" if it passed). */
static const char *walk(chain *c, X509_CRL *a, X509_CRL *b)
{
	static char why[256];
	why[0] = '\0';
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	if (a)
		sk_X509_CRL_push(crls, a);
	if (b)
		sk_X509_CRL_push(crls, b);
	bool ok = tee_x509_chain_verify(c->leaf, c->pool, TEE_ROOT_INTEL_SGX, time(NULL), crls, why,
					sizeof why);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	CHECK(!ok); /* the look-alike root is never pinned */
	return why;
}

#define STOPS_AT(why, text) CHECK_MSG(strstr((why), (text)) != NULL, "stopped at: %s", (why))

TEST(crls_in_order_reach_the_pin)
{
	chain c;
	chain_make(&c);
	const char *why = walk(&c, make_crl(c.ca, c.ck, 0, -60, 3600),
			       make_crl(c.root, c.rk, 0, -60, 3600));
	STOPS_AT(why, "not a pinned root");
	/* A CRL that revokes another serial changes nothing. */
	why = walk(&c, make_crl(c.ca, c.ck, 99, -60, 3600), make_crl(c.root, c.rk, 98, -60, 3600));
	STOPS_AT(why, "not a pinned root");
	chain_free(&c);
}

TEST(revoked_leaf_and_revoked_ca)
{
	chain c;
	chain_make(&c);
	/* forge_cert gives every certificate serial 7. */
	const char *why = walk(&c, make_crl(c.ca, c.ck, 7, -60, 3600),
			       make_crl(c.root, c.rk, 0, -60, 3600));
	STOPS_AT(why, "Intel SGX PCK Certificate is revoked by the CRL of Intel SGX PCK Processor CA");
	why = walk(&c, make_crl(c.ca, c.ck, 0, -60, 3600), make_crl(c.root, c.rk, 7, -60, 3600));
	STOPS_AT(why, "Intel SGX PCK Processor CA is revoked by the CRL of Intel SGX Root CA");
	chain_free(&c);
}

TEST(crl_not_signed_by_its_issuer)
{
	chain c;
	chain_make(&c);
	/* Named after the CA but signed by another key. */
	const char *why = walk(&c, make_crl(c.ca, c.other, 0, -60, 3600),
			       make_crl(c.root, c.rk, 0, -60, 3600));
	STOPS_AT(why, "the CRL of Intel SGX PCK Processor CA is not signed by it");
	/* A genuine CRL with one bit of its signature flipped. */
	X509_CRL *crl = make_crl(c.ca, c.ck, 0, -60, 3600);
	unsigned char *der = NULL;
	int n = i2d_X509_CRL(crl, &der);
	CHECK(n > 0);
	der[n - 3] ^= 0x01;
	const unsigned char *p = der;
	X509_CRL *bad = d2i_X509_CRL(NULL, &p, n);
	CHECK(bad != NULL);
	if (bad) {
		why = walk(&c, bad, make_crl(c.root, c.rk, 0, -60, 3600));
		STOPS_AT(why, "is not signed by it");
	}
	OPENSSL_free(der);
	X509_CRL_free(crl);
	chain_free(&c);
}

TEST(crl_outside_its_window_or_missing)
{
	chain c;
	chain_make(&c);
	const char *why = walk(&c, make_crl(c.ca, c.ck, 0, -7200, -3600),
			       make_crl(c.root, c.rk, 0, -60, 3600));
	STOPS_AT(why, "the CRL of Intel SGX PCK Processor CA is not current");
	why = walk(&c, make_crl(c.ca, c.ck, 0, 3600, 7200), make_crl(c.root, c.rk, 0, -60, 3600));
	STOPS_AT(why, "not current");
	/* With collateral, each issuer must have its CRL there. */
	why = walk(&c, make_crl(c.root, c.rk, 0, -60, 3600), NULL);
	STOPS_AT(why, "no CRL from Intel SGX PCK Processor CA");
	chain_free(&c);
}
