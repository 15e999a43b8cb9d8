/* tee/ internals shared by its files: little-endian readers and writers, the failure
 * list, and the OpenSSL-facing helpers (certificates, chains, ECDSA). Not for other
 * modules. */
#ifndef SS_TEE_INTERNAL_H
#define SS_TEE_INTERNAL_H

#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdarg.h>

#include "tee/tee.h"

static inline uint16_t tee_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t tee_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}
static inline uint64_t tee_le64(const uint8_t *p)
{
	return (uint64_t)tee_le32(p) | ((uint64_t)tee_le32(p + 4) << 32);
}
/* The writers, for the providers that build quotes and key requests (sim, occlum). */
static inline void tee_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void tee_put_le32(uint8_t *p, uint32_t v)
{
	tee_put_le16(p, (uint16_t)v);
	tee_put_le16(p + 2, (uint16_t)(v >> 16));
}
static inline void tee_put_le64(uint8_t *p, uint64_t v)
{
	tee_put_le32(p, (uint32_t)v);
	tee_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Records a failed check in res (res->valid becomes false). */
void tee_fail(tee_result *res, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* True when a failure with this check name was recorded. */
bool tee_failed(const tee_result *res, const char *check);

/* Parses an SGX report body (384 bytes) at p. */
void tee_sgx_report_parse(const uint8_t *p, tee_sgx_report *r);

/* Certificates: loads every PEM certificate, or one DER certificate, from buf. The
 * caller frees the stack with sk_X509_pop_free(…, X509_free). NULL when none. */
STACK_OF(X509) *tee_x509_load(const uint8_t *buf, size_t len);

/* The certificate's subject (issuer) common name is exactly cn. */
bool tee_x509_cn_is(X509 *x, const char *cn);
bool tee_x509_issuer_cn_is(X509 *x, const char *cn);

/* notBefore <= now < notAfter (a certificate's or a CRL's lastUpdate/nextUpdate); false
 * when either is absent. */
bool tee_valid_at(const ASN1_TIME *nb, const ASN1_TIME *na, time_t now);

/* Which pinned roots a chain may end in. */
typedef enum { TEE_ROOT_INTEL_SGX, TEE_ROOT_AMD_ARK } tee_root_set;

/* Builds and checks the chain from leaf to a pinned root through the compiled-in roots
 * (searched first: a root carried by the evidence is never needed) and pool:
 * each link's signature (ECDSA or RSA-PSS, whatever the certificate says), each issuer a
 * CA, each certificate valid at now, the last one self-signed with a SHA-256 fingerprint
 * in the pinned set. crls (may be NULL) are checked: a CRL issued by a chain member must
 * verify under it, be current at now, and not list the member's child. On failure *why
 * is set (static text or buf). The chain found, leaf first, is returned in *chain when
 * chain is not NULL (caller frees with sk_X509_free: the certificates stay owned by
 * pool/leaf). */
bool tee_x509_chain_verify(X509 *leaf, STACK_OF(X509) *pool, tee_root_set roots,
			   time_t now, STACK_OF(X509_CRL) *crls, char *why, size_t why_cap);

/* True when fp is the SHA-256 of a compiled-in root of set. */
bool tee_root_pinned(tee_root_set set, const uint8_t fp[32], const char **name);
/* The compiled-in roots of set, parsed once and checked against their pins (owned by
 * pinned_roots.c, never freed). */
STACK_OF(X509) *tee_roots(tee_root_set set);

/* ECDSA verification of a raw r ‖ s signature (each half n bytes, big-endian) over msg
 * hashed with md, under pkey. */
bool tee_ecdsa_verify_raw(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *msg,
			  size_t msg_len, const uint8_t *r, const uint8_t *s, size_t n);

/* The QE report binds the attestation key (SHA-256(key ‖ QE auth data) ‖ 0^32), and the
 * attestation key signed header ‖ body: failures "qe_report_data", "quote_signature". */
void tee_dcap_check_att_key(const tee_dcap_quote *q, tee_result *res);

/* An EC P-256 public key from 64 bytes x ‖ y; NULL if not on the curve. */
EVP_PKEY *tee_p256_pubkey(const uint8_t xy[64]);

/* PCK certificate SGX extensions (OID 1.2.840.113741.1.13.1, Intel PCK Certificate and
 * CRL Profile §1.3.5). */
typedef struct {
	uint8_t comp_svn[16];
	uint16_t pcesvn;
	uint8_t cpusvn[16];
	uint8_t pceid[2];
	uint8_t fmspc[6];
	bool have_tcb, have_fmspc, have_pceid;
} tee_pck_ext;

bool tee_pck_ext_parse(X509 *pck, tee_pck_ext *out);

/* Collateral evaluation (collateral.c), called by tee_dcap_verify once the quote's own
 * signatures are checked. */
void tee_collateral_check(const tee_collateral *c, const tee_dcap_quote *q,
			  const tee_pck_ext *pck, X509 *pck_leaf, STACK_OF(X509) *pck_pool,
			  time_t now, tee_result *res);

/* The CRLs of the collateral, for the PCK chain check (NULL without collateral). */
STACK_OF(X509_CRL) *tee_collateral_crls(const tee_collateral *c);

/* Applies the relying-party policy to a verified result (policy.c). */
void tee_policy_apply_dcap(const tee_policy *p, const tee_dcap_quote *q, tee_result *res);
void tee_policy_apply_snp(const tee_policy *p, const tee_snp_report *r, tee_result *res);

#endif
