/* tee/: the attestation-evidence verifier (issue 12). Parses Intel DCAP quotes (SGX v3/v4,
 * TDX v4/v5) and AMD SEV-SNP attestation reports, checks their signature chains against
 * roots pinned in the binary, optionally evaluates Intel collateral (TCB Info, QE Identity,
 * CRLs) and applies a relying-party policy. Offline: nothing here opens a socket, and the
 * time is always given by the caller so that old evidence can be checked at its own time.
 *
 * Byte layouts and the verification chain: ../shared/reference/tee.md §d and §e (Intel
 * SGXDataCenterAttestationPrimitives sgx_quote_3.h/4.h/5.h; AMD SEV-SNP ABI Table 22). */
#ifndef SS_TEE_TEE_H
#define SS_TEE_TEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/error.h"

#define TEE_REPORT_DATA_BYTES 64
#define TEE_SGX_REPORT_BYTES 384 /* sgx_report_body_t */
#define TEE_TD10_REPORT_BYTES 584 /* sgx_report2_body_t */
#define TEE_TD15_REPORT_BYTES 648 /* sgx_report2_body_v1_5_t */
#define TEE_QUOTE_HEADER_BYTES 48
#define TEE_SNP_REPORT_BYTES 0x4A0
#define TEE_SNP_SIGNED_BYTES 0x2A0

#define TEE_TYPE_SGX 0x00000000u
#define TEE_TYPE_TDX 0x00000081u

/* SGX attribute flag bits (Intel SDM Vol. 3D §38.7.1; Gramine sgx_arch.h). */
#define TEE_SGX_FLAG_DEBUG 0x02u
/* TD attributes (TDX module ABI; dcap-qvl validate_td10): bit 0 DEBUG (TUD), bit 28
 * SEPT_VE_DISABLE. */
#define TEE_TD_ATTR_DEBUG (1ull << 0)
#define TEE_TD_ATTR_SEPT_VE_DISABLE (1ull << 28)
/* SNP guest policy (SNP ABI §4.3): bit 19 DEBUG. */
#define TEE_SNP_POLICY_DEBUG (1ull << 19)

/* The SGX report body (quote body for SGX, and every QE report). */
typedef struct {
	uint8_t cpu_svn[16];
	uint32_t misc_select;
	uint8_t attributes[16]; /* flags u64 LE ‖ xfrm u64 LE */
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint8_t config_id[64];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t isv_family_id[16];
	uint8_t isv_ext_prod_id[16];
	uint8_t report_data[TEE_REPORT_DATA_BYTES];
} tee_sgx_report;

/* The TD report body, TDX 1.0 fields plus the two TDX 1.5 additions. */
typedef struct {
	uint8_t tee_tcb_svn[16];
	uint8_t mr_seam[48];
	uint8_t mrsigner_seam[48];
	uint64_t seam_attributes;
	uint64_t td_attributes;
	uint64_t xfam;
	uint8_t mr_td[48];
	uint8_t mr_config_id[48];
	uint8_t mr_owner[48];
	uint8_t mr_owner_config[48];
	uint8_t rtmr[4][48];
	uint8_t report_data[TEE_REPORT_DATA_BYTES];
	bool is_td15;
	uint8_t tee_tcb_svn2[16]; /* TD 1.5 only */
	uint8_t mr_servicetd[48]; /* TD 1.5 only */
} tee_td_report;

/* A parsed DCAP quote. The pointers point into the caller's buffer, which must outlive
 * the struct. Every length was checked against the quote's own length fields. */
typedef struct {
	uint16_t version;      /* 3, 4 or 5 */
	uint16_t att_key_type; /* 2 = ECDSA-256 with P-256 */
	uint32_t tee_type;     /* TEE_TYPE_SGX or TEE_TYPE_TDX */
	uint16_t qe_svn, pce_svn;
	uint8_t qe_vendor_id[16];
	uint16_t body_type; /* 1 SGX, 2 TD 1.0, 3 TD 1.5 (v5 field; derived for v3/v4) */
	tee_sgx_report sgx; /* when tee_type is SGX */
	tee_td_report td;   /* when tee_type is TDX */
	size_t signed_len;  /* the quote signature covers [0, signed_len) */
	const uint8_t *signature;  /* 64 bytes r ‖ s, big-endian */
	const uint8_t *att_key;    /* 64 bytes x ‖ y */
	const uint8_t *qe_report_raw; /* 384 bytes */
	tee_sgx_report qe_report;
	const uint8_t *qe_report_sig; /* 64 bytes r ‖ s */
	const uint8_t *qe_auth;
	uint16_t qe_auth_len;
	const uint8_t *pck_chain; /* PEM certificates, leaf first (cert type 5) */
	uint32_t pck_chain_len;
	size_t quote_len; /* bytes the quote occupies; anything after is padding */
	const uint8_t *raw; /* the caller's buffer (the signed range starts here) */
} tee_dcap_quote;

/* Parses a DCAP quote from buf[0..len). Every offset is bounded by the quote's length
 * fields (body_size, signature_data_len, the certification-data sizes), never by len,
 * which may include trailing padding. On error *why names the first problem. */
ss_err tee_dcap_parse(const uint8_t *buf, size_t len, tee_dcap_quote *q,
		      const char **why) SS_MUST_USE;

/* A SEV-SNP TCB version, as reported (SNP ABI Table 3; Milan/Genoa byte layout). */
typedef struct {
	uint8_t bootloader, tee, snp, microcode;
	uint64_t raw;
} tee_snp_tcb;

/* A parsed SEV-SNP attestation report (versions 2 and 3). */
typedef struct {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t signature_algo;
	tee_snp_tcb current_tcb;
	uint64_t platform_info;
	uint32_t signer_info; /* bits 4:2 signing key: 0 VCEK, 1 VLEK */
	uint8_t report_data[TEE_REPORT_DATA_BYTES];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	tee_snp_tcb reported_tcb;
	uint8_t chip_id[64];
	tee_snp_tcb committed_tcb;
	tee_snp_tcb launch_tcb;
	uint8_t sig_r[72]; /* little-endian, as stored */
	uint8_t sig_s[72];
	const uint8_t *raw; /* the caller's buffer: the signature covers raw[0, 0x2A0) */
} tee_snp_report;

#define TEE_SNP_SIGNER_VCEK 0u
#define TEE_SNP_SIGNER_VLEK 1u

/* Parses an SNP report: exactly TEE_SNP_REPORT_BYTES bytes, or that many followed by
 * zero padding. */
ss_err tee_snp_parse(const uint8_t *buf, size_t len, tee_snp_report *r,
		     const char **why) SS_MUST_USE;

/* If buf holds hexadecimal text (optional 0x, surrounding whitespace), decodes it in
 * place and updates *len; binary input is left as it is. SS_ERR_INVALID for text that
 * starts like hex and is not. */
ss_err tee_evidence_unhex(uint8_t *buf, size_t *len, const char **why) SS_MUST_USE;

/* ---- Verification ------------------------------------------------------------ */

/* TCB statuses of Intel's TCB Info and QE Identity, best first. */
typedef enum {
	TEE_TCB_UP_TO_DATE = 0,
	TEE_TCB_SW_HARDENING_NEEDED,
	TEE_TCB_CONFIGURATION_NEEDED,
	TEE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	TEE_TCB_OUT_OF_DATE,
	TEE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
	TEE_TCB_REVOKED,
	TEE_TCB_UNKNOWN, /* no collateral, or no level matched */
	TEE_TCB__COUNT
} tee_tcb_status;

/* The status's name in Intel's JSON ("UpToDate", …; "Unknown"). */
const char *tee_tcb_status_name(tee_tcb_status s);
/* Parses a status name; false if unknown. */
bool tee_tcb_status_parse(const char *name, size_t len, tee_tcb_status *out);

/* Relying-party policy (issue 12 §4). Safe by default as tee_policy_default sets it:
 * debug refused, only UpToDate accepted, OutOfDate and Revoked never. */
typedef struct {
	time_t now;            /* the instant certificates and collateral must be valid at */
	unsigned accept_tcb;   /* bit (1 << tee_tcb_status) per accepted status */
	bool allow_debug;
	bool require_collateral; /* DCAP without collateral is then invalid */
	const uint8_t *expect_report_data; size_t expect_report_data_len; /* prefix match */
	const uint8_t *expect_mrenclave;   /* 32 bytes */
	const uint8_t *expect_mrsigner;    /* 32 bytes */
	const uint8_t *expect_mrtd;        /* 48 bytes */
	const uint8_t *expect_measurement; /* 48 bytes (SNP) */
	const uint8_t *expect_rtmr[4];     /* 48 bytes each (TDX) */
	bool check_isv_prod_id;            /* SGX: ISVPRODID == expect_isv_prod_id */
	uint16_t expect_isv_prod_id;
	bool check_min_isv_svn;            /* SGX: ISVSVN >= min_isv_svn */
	uint16_t min_isv_svn;
	bool check_snp_policy;             /* SNP: guest policy == expect_snp_policy */
	uint64_t expect_snp_policy;
} tee_policy;

void tee_policy_default(tee_policy *p, time_t now);

/* Intel collateral in dcap-qvl's QuoteCollateralV3 JSON shape (the shape of
 * ../shared/vectors/tee/ collateral files): the signed JSON strings are kept byte for
 * byte, because the signatures cover their exact bytes. */
typedef struct tee_collateral tee_collateral;
ss_err tee_collateral_parse(const char *json, size_t len, tee_collateral **out,
			    const char **why) SS_MUST_USE;
void tee_collateral_free(tee_collateral *c);

#define TEE_MAX_FAILURES 24
#define TEE_MAX_ADVISORIES 32

typedef struct {
	const char *check; /* stable name: "pck_chain", "quote_signature", "debug", … */
	char why[200];
} tee_failure;

/* TEE_KIND_SIM: simulated evidence (the sim provider's SGX-shaped quote under its own
 * simulation chain), valid only when the verifier is told to allow simulation. */
typedef enum { TEE_KIND_SGX, TEE_KIND_TDX, TEE_KIND_SNP, TEE_KIND_SIM } tee_kind;

/* The outcome of one verification. valid is true only when no check failed. */
typedef struct {
	bool valid;
	tee_kind kind;
	bool debug;
	bool collateral_used;
	tee_tcb_status tcb_status; /* final: worse of platform and QE (and TDX module) */
	tee_tcb_status platform_tcb_status, qe_tcb_status;
	char fmspc[13];      /* DCAP: the PCK's FMSPC, to fetch TCB Info with */
	char pck_issuer[48]; /* DCAP: "Intel SGX PCK Processor CA" or "… Platform CA" */
	char advisories[TEE_MAX_ADVISORIES][24];
	unsigned n_advisories;
	unsigned n_failures;
	tee_failure failures[TEE_MAX_FAILURES];
	bool simulated;          /* checked as simulated evidence (tee_sim_verify) */
	uint8_t sim_root_sha256[32]; /* simulated: the simulation root's fingerprint */
} tee_result;

/* Verifies a parsed DCAP quote: PCK chain to the pinned Intel SGX Root CA (valid at
 * policy->now), QE report signature, QE report data binding, quote signature; with
 * collateral (may be NULL) the CRLs, TCB Info and QE Identity signatures and windows, the
 * TCB level and final status; then the policy. Fills res; returns SS_OK when it could run
 * (res->valid says the verdict) or SS_ERR_NOMEM. */
ss_err tee_dcap_verify(const tee_dcap_quote *q, const tee_collateral *coll,
		       const tee_policy *policy, tee_result *res) SS_MUST_USE;

/* True when q was made by the sim provider (its QE vendor id is the simulation's, never
 * Intel's): such a quote is verified by tee_sim_verify, and only when allowed. */
bool tee_dcap_is_simulated(const tee_dcap_quote *q);

/* Verifies simulated evidence (issue 12 §4 --allow-simulated) with the same steps as a
 * DCAP quote, against the simulation chain it carries instead of Intel's: the PCK-like
 * leaf issued by the self-signed "Secure-Signer Simulation Root CA" (both valid at
 * policy->now; the root's fingerprint is reported, it is pinned by nothing), the QE
 * report signed by the leaf, the QE binding of the attestation key, the quote signature;
 * then the policy (debug, MRENCLAVE, report data, ...). certs (may be NULL) is the
 * evidence object's "certs": it must be the quote's own chain. res->simulated is set. */
ss_err tee_sim_verify(const tee_dcap_quote *q, const char *certs, size_t certs_len,
		      const tee_policy *policy, tee_result *res) SS_MUST_USE;

/* Verifies a parsed SNP report: VCEK (or VLEK) ← ASK (or ASVK) ← ARK (RSA-PSS), the ARK
 * pinned (Milan, Genoa, Turin), each valid at policy->now; the report signature; the
 * VCEK's TCB extensions equal to reported_tcb and its hwID equal to chip_id; then the
 * policy. certs are files holding the VEK and its CA certificates (each PEM, or one DER
 * certificate). */
typedef struct {
	const uint8_t *data;
	size_t len;
} tee_blob;
ss_err tee_snp_verify(const tee_snp_report *r, const tee_blob *certs, size_t n_certs,
		      const tee_policy *policy, tee_result *res) SS_MUST_USE;

/* ---- Attested key generation ----------------------------------------------------- */

#define TEE_BLS_PUBKEY_BYTES 48
#define TEE_MAX_BOUND_KEYS 1000 /* POST /eth/v1/keygen/bls: count 1..1000 */
#define TEE_KEYGEN_NONCE_BYTES 32
/* The binding of attested key generation (issue "The original Secure-Signer's API"). */
#define TEE_KEYGEN_BINDING "secure-signer/keygen/bls/v1"

/* The report data that binds BLS public keys and a nonce into evidence:
 * SHA-256(TEE_KEYGEN_BINDING ‖ nonce (32 bytes) ‖ pk_1 ‖ … ‖ pk_n) ‖ 32 zero bytes. Every
 * field but the binding label has a fixed length, so keys and nonce cannot be confused.
 * The signer's attested keygen puts this in its evidence; the verifier recomputes it
 * (evidence_object.c). */
void tee_keygen_report_data(const uint8_t (*pubkeys)[TEE_BLS_PUBKEY_BYTES], size_t n,
			    const uint8_t nonce[TEE_KEYGEN_NONCE_BYTES], uint8_t out[64]);

/* The binding of the attested secp256k1 encryption key (POST /eth/v1/keygen/secp256k1),
 * made the same way: SHA-256(TEE_KEYGEN_K1_BINDING ‖ nonce (32) ‖ pk (33, compressed)) ‖
 * 32 zero bytes. */
#define TEE_KEYGEN_K1_BINDING "secure-signer/keygen/secp256k1/v1"
#define TEE_K1_PUBKEY_BYTES 33
void tee_keygen_k1_report_data(const uint8_t pub33[TEE_K1_PUBKEY_BYTES],
			       const uint8_t nonce[TEE_KEYGEN_NONCE_BYTES], uint8_t out[64]);

/* The JSON evidence object of attested keygen (shape in evidence_object.c and
 * docs/tee.md): the evidence, its type, the SNP certificates, the keys it binds in order
 * and the nonce (32 zero bytes when absent). Large: allocate it, do not put it on a
 * small stack. */
typedef struct {
	tee_kind kind;
	uint8_t *quote;
	size_t quote_len;
	char *certs; /* PEM or NULL */
	size_t certs_len;
	uint8_t pubkeys[TEE_MAX_BOUND_KEYS][TEE_BLS_PUBKEY_BYTES];
	size_t n_pubkeys;
	/* binding TEE_KEYGEN_K1_BINDING: the one secp256k1 key (n_pubkeys is then 0) */
	bool k1;
	uint8_t k1_pub[TEE_K1_PUBKEY_BYTES];
	uint8_t nonce[TEE_KEYGEN_NONCE_BYTES];
	bool has_report_data; /* the object's own "report_data", checked against the binding */
	uint8_t report_data[64];
} tee_evidence_object;

ss_err tee_evidence_object_parse(const char *json, size_t len, tee_evidence_object *o,
				 const char **why) SS_MUST_USE;
/* The same; with allow_simulated an object of type "simulated" is parsed (kind
 * TEE_KIND_SIM) instead of refused. */
ss_err tee_evidence_object_parse_ex(const char *json, size_t len, bool allow_simulated,
				    tee_evidence_object *o, const char **why) SS_MUST_USE;
void tee_evidence_object_free(tee_evidence_object *o);

/* Records a "key_binding" failure in res unless report_data is the binding of o's keys
 * and nonce. */
void tee_check_key_binding(const tee_evidence_object *o,
			   const uint8_t report_data[TEE_REPORT_DATA_BYTES], tee_result *res);

/* Parses an RFC 3339 UTC instant ("2025-07-04T00:00:00Z", optional fraction, "Z" or
 * "+00:00") into seconds since the epoch. */
bool tee_parse_time(const char *s, size_t len, time_t *out);

#endif
