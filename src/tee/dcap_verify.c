/* DCAP quote verification, the chain of reference/tee.md §e steps 1-4 (Intel's order, as
 * go-tdx-guest verify/verify.go and dcap-qvl src/verify.rs implement it), then the
 * collateral (steps 5-7, collateral.c) and the relying-party policy (step 8, policy.c).
 * Every check runs even after one fails, so the output lists every reason. */
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <stdio.h>
#include <string.h>

#include "crypto/sha256.h"
#include "tee/tee_internal.h"

/* Intel's Quoting Enclave vendor id (sgx_quote_3.h comment; every quote in
 * vectors/tee/ carries it). */
static const uint8_t INTEL_QE_VENDOR_ID[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
						0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };

static bool is_p256(EVP_PKEY *k)
{
	char group[32];
	size_t gl = 0;
	return k != NULL && EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group), &gl) == 1 &&
	       strcmp(group, "prime256v1") == 0;
}

/* Steps 3 and 4 of the chain (reference/tee.md §e), shared with the simulation verifier
 * (sim_verify.c): the QE report binds the attestation key, and the attestation key signed
 * header ‖ body. */
void tee_dcap_check_att_key(const tee_dcap_quote *q, tee_result *res)
{
	/* QE report_data = SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes: the QE
	 * vouches for the attestation key. */
	sha256_ctx h;
	uint8_t digest[32];
	static const uint8_t zero[32];
	sha256_init(&h);
	sha256_update(&h, q->att_key, 64);
	sha256_update(&h, q->qe_auth, q->qe_auth_len);
	sha256_final(&h, digest);
	if (memcmp(digest, q->qe_report.report_data, 32) != 0 ||
	    memcmp(q->qe_report.report_data + 32, zero, 32) != 0)
		tee_fail(res, "qe_report_data",
			 "the QE report does not bind the attestation key "
			 "(report_data != SHA-256(attestation key || QE auth data) || 0^32)");

	/* header ‖ body signed by the attestation key */
	EVP_PKEY *ak = tee_p256_pubkey(q->att_key);
	if (ak == NULL)
		tee_fail(res, "quote_signature", "the attestation key is not a P-256 point");
	else if (!tee_ecdsa_verify_raw(ak, EVP_sha256(), q->raw, q->signed_len, q->signature,
				       q->signature + 32, 32))
		tee_fail(res, "quote_signature",
			 "the quote is not signed by its attestation key");
	EVP_PKEY_free(ak);
}

ss_err tee_dcap_verify(const tee_dcap_quote *q, const tee_collateral *coll,
		       const tee_policy *policy, tee_result *res)
{
	memset(res, 0, sizeof(*res));
	res->valid = true;
	res->kind = q->tee_type == TEE_TYPE_TDX ? TEE_KIND_TDX : TEE_KIND_SGX;
	res->tcb_status = res->platform_tcb_status = res->qe_tcb_status = TEE_TCB_UNKNOWN;
	char why[256];

	if (memcmp(q->qe_vendor_id, INTEL_QE_VENDOR_ID, 16) != 0)
		tee_fail(res, "qe_vendor", "the quote was not made by Intel's Quoting Enclave");

	/* Step 1: PCK leaf <- Processor/Platform CA <- pinned Intel SGX Root CA. */
	STACK_OF(X509) *pool = tee_x509_load(q->pck_chain, q->pck_chain_len);
	X509 *leaf = pool ? sk_X509_value(pool, 0) : NULL;
	tee_pck_ext pck;
	memset(&pck, 0, sizeof(pck));
	if (leaf == NULL) {
		tee_fail(res, "pck_chain", "no certificate could be read from the quote's PCK chain");
	} else {
		/* Certification data type 5 is the chain itself, PCK leaf, Processor or
		 * Platform CA, Intel SGX Root CA (sgx_quote_3.h): all three are required and
		 * the root must be the pinned one byte for byte. The verification below uses
		 * the compiled-in root; this makes a tampered copy in the quote an error too,
		 * as Intel's QVL compares the chain's root with its trusted root. */
		uint8_t fp[32];
		unsigned fpl = 0;
		X509 *top = sk_X509_value(pool, sk_X509_num(pool) - 1);
		if (!tee_x509_cn_is(leaf, "Intel SGX PCK Certificate"))
			tee_fail(res, "pck_chain", "the first certificate of the quote's chain is "
				 "not an Intel SGX PCK Certificate");
		else if (sk_X509_num(pool) != 3)
			tee_fail(res, "pck_chain", "the quote's PCK chain holds %d certificates, "
				 "not 3 (PCK, its CA, Intel SGX Root CA)", sk_X509_num(pool));
		else if (X509_digest(top, EVP_sha256(), fp, &fpl) != 1 ||
			 !tee_root_pinned(TEE_ROOT_INTEL_SGX, fp, NULL))
			tee_fail(res, "pck_chain", "the quote's PCK chain does not end in the "
				 "pinned Intel SGX Root CA");
		else if (!tee_x509_chain_verify(leaf, pool, TEE_ROOT_INTEL_SGX, policy->now, NULL,
						why, sizeof(why)))
			tee_fail(res, "pck_chain", "%s", why);
		EVP_PKEY *pck_key = X509_get0_pubkey(leaf);
		if (!is_p256(pck_key)) {
			tee_fail(res, "qe_report_signature", "the PCK key is not an ECDSA P-256 key");
		} else if (!tee_ecdsa_verify_raw(pck_key, EVP_sha256(), q->qe_report_raw,
						 TEE_SGX_REPORT_BYTES, q->qe_report_sig,
						 q->qe_report_sig + 32, 32)) {
			/* Step 2: the QE report is signed by the PCK key. */
			tee_fail(res, "qe_report_signature",
				 "the QE report is not signed by the PCK certificate's key");
		}
		X509_NAME_get_text_by_NID(X509_get_issuer_name(leaf), NID_commonName,
					  res->pck_issuer, sizeof(res->pck_issuer));
		if (!tee_pck_ext_parse(leaf, &pck))
			tee_fail(res, "pck_extensions",
				 "the PCK certificate has no readable SGX extension (FMSPC, TCB)");
		else
			for (int i = 0; i < 6; i++)
				snprintf(res->fmspc + 2 * i, 3, "%02X", pck.fmspc[i]);
	}

	tee_dcap_check_att_key(q, res); /* steps 3 and 4 */

	/* Steps 5-7 with collateral; without it the TCB status stays unknown. */
	if (coll != NULL && leaf != NULL && !tee_failed(res, "pck_extensions")) {
		res->collateral_used = true;
		tee_collateral_check(coll, q, &pck, leaf, pool, policy->now, res);
	} else if (coll == NULL && policy->require_collateral) {
		tee_fail(res, "collateral", "collateral is required and none was given");
	}

	tee_policy_apply_dcap(policy, q, res);
	if (pool != NULL)
		sk_X509_pop_free(pool, X509_free);
	return SS_OK;
}
