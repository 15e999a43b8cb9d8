/* The verifier's side of simulated evidence (issue 12 §4 `--allow-simulated`): the
 * steps of tee_dcap_verify (reference/tee.md §e steps 1-4), against the simulation chain
 * the quote carries instead of Intel's, then the same policy. Nothing pins the
 * simulation root — every data directory has its own — so its fingerprint is reported
 * for the caller to compare; what this proves is that the quote is internally
 * consistent and made by the holder of that chain, never that hardware was involved. */
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "crypto/sha256.h"
#include "tee/sim.h"

bool tee_dcap_is_simulated(const tee_dcap_quote *q)
{
	return memcmp(q->qe_vendor_id, tee_sim_qe_vendor_id, 16) == 0;
}

static void check_chain(const tee_dcap_quote *q, const tee_policy *policy, tee_result *res,
			X509 **leaf_out, STACK_OF(X509) **pool_out)
{
	STACK_OF(X509) *pool = tee_x509_load(q->pck_chain, q->pck_chain_len);
	*pool_out = pool;
	*leaf_out = NULL;
	if (pool == NULL || sk_X509_num(pool) != 2) {
		tee_fail(res, "pck_chain", "the simulated quote's chain is not two certificates "
			 "(simulation PCK, simulation root)");
		return;
	}
	X509 *leaf = sk_X509_value(pool, 0), *root = sk_X509_value(pool, 1);
	unsigned n = 0;
	X509_digest(root, EVP_sha256(), res->sim_root_sha256, &n);
	if (!tee_x509_cn_is(leaf, TEE_SIM_PCK_CN) || !tee_x509_cn_is(root, TEE_SIM_ROOT_CN) ||
	    !tee_x509_issuer_cn_is(leaf, TEE_SIM_ROOT_CN) ||
	    !tee_x509_issuer_cn_is(root, TEE_SIM_ROOT_CN)) {
		tee_fail(res, "pck_chain", "the chain is not a Secure-Signer simulation chain");
		return;
	}
	if (X509_verify(root, X509_get0_pubkey(root)) != 1 || X509_check_ca(root) < 1) {
		ERR_clear_error();
		tee_fail(res, "pck_chain", "the simulation root is not a self-signed CA");
		return;
	}
	if (X509_verify(leaf, X509_get0_pubkey(root)) != 1) {
		ERR_clear_error();
		tee_fail(res, "pck_chain", "the simulation PCK certificate is not signed by the "
			 "simulation root");
		return;
	}
	if (!tee_valid_at(X509_get0_notBefore(leaf), X509_get0_notAfter(leaf), policy->now) ||
	    !tee_valid_at(X509_get0_notBefore(root), X509_get0_notAfter(root), policy->now)) {
		tee_fail(res, "pck_chain", "a certificate of the simulation chain is not valid at "
			 "the verification time");
		return;
	}
	*leaf_out = leaf;
}

ss_err tee_sim_verify(const tee_dcap_quote *q, const char *certs, size_t certs_len,
		      const tee_policy *policy, tee_result *res)
{
	memset(res, 0, sizeof(*res));
	res->valid = true;
	res->simulated = true;
	res->kind = TEE_KIND_SIM;
	res->tcb_status = res->platform_tcb_status = res->qe_tcb_status = TEE_TCB_UNKNOWN;
	if (!tee_dcap_is_simulated(q))
		tee_fail(res, "qe_vendor", "the quote was not made by the simulation provider");
	if (q->version != 3 || q->tee_type != TEE_TYPE_SGX)
		tee_fail(res, "quote_version", "simulated evidence is an SGX quote v3");

	/* Step 1: the chain; the object's certs, when given, are the quote's own chain. */
	X509 *leaf = NULL;
	STACK_OF(X509) *pool = NULL;
	check_chain(q, policy, res, &leaf, &pool);
	size_t chain_text = q->pck_chain_len;
	while (chain_text > 0 && q->pck_chain[chain_text - 1] == 0)
		chain_text--;
	if (certs != NULL &&
	    (certs_len != chain_text || memcmp(certs, q->pck_chain, certs_len) != 0))
		tee_fail(res, "certs", "evidence.certs is not the chain inside the quote");

	/* Step 2: the QE report is signed by the leaf's key. */
	if (leaf != NULL &&
	    !tee_ecdsa_verify_raw(X509_get0_pubkey(leaf), EVP_sha256(), q->qe_report_raw,
				  TEE_SGX_REPORT_BYTES, q->qe_report_sig, q->qe_report_sig + 32, 32))
		tee_fail(res, "qe_report_signature",
			 "the QE report is not signed by the simulation PCK certificate's key");

	/* Steps 3 and 4: the QE report binds the attestation key, which signed the quote. */
	tee_dcap_check_att_key(q, res);

	/* No collateral exists for a simulation: the TCB status stays Unknown. */
	if (policy->require_collateral)
		tee_fail(res, "collateral", "simulated evidence has no collateral");
	tee_policy_apply_dcap(policy, q, res);
	if (pool != NULL)
		sk_X509_pop_free(pool, X509_free);
	return SS_OK;
}
