/* The relying party's policy (issue 12 §4; reference/tee.md §e step 8), applied after
 * the cryptographic checks: what hardware says is one thing, whether this verifier
 * accepts it is another. Safe by default: debug enclaves, TDs and guests refused; only
 * UpToDate accepted; OutOfDate, OutOfDateConfigurationNeeded and Revoked never, whatever
 * the flags say (the platform is known vulnerable or its key compromised). */
#include <string.h>

#include "tee/tee_internal.h"
#include "util/hex.h"

static const char *const status_names[TEE_TCB__COUNT] = {
	[TEE_TCB_UP_TO_DATE] = "UpToDate",
	[TEE_TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
	[TEE_TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
	[TEE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
	[TEE_TCB_OUT_OF_DATE] = "OutOfDate",
	[TEE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
	[TEE_TCB_REVOKED] = "Revoked",
	[TEE_TCB_UNKNOWN] = "Unknown",
};

const char *tee_tcb_status_name(tee_tcb_status s)
{
	return (unsigned)s < TEE_TCB__COUNT ? status_names[s] : "Unknown";
}

bool tee_tcb_status_parse(const char *name, size_t len, tee_tcb_status *out)
{
	for (int i = 0; i < TEE_TCB__COUNT; i++)
		if (strlen(status_names[i]) == len && memcmp(status_names[i], name, len) == 0) {
			*out = (tee_tcb_status)i;
			return true;
		}
	return false;
}

void tee_policy_default(tee_policy *p, time_t now)
{
	memset(p, 0, sizeof(*p));
	p->now = now;
	p->accept_tcb = 1u << TEE_TCB_UP_TO_DATE;
}

static bool never_acceptable(tee_tcb_status s)
{
	return s == TEE_TCB_OUT_OF_DATE || s == TEE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED ||
	       s == TEE_TCB_REVOKED;
}

static void check_tcb(const tee_policy *p, tee_result *res)
{
	if (!res->collateral_used || res->tcb_status == TEE_TCB_UNKNOWN)
		return; /* unknown is reported as such; a missing level already failed */
	const char *name = tee_tcb_status_name(res->tcb_status);
	if (never_acceptable(res->tcb_status))
		tee_fail(res, "tcb_status", "TCB status %s is never accepted", name);
	else if (!(p->accept_tcb & (1u << res->tcb_status)))
		tee_fail(res, "tcb_status", "TCB status %s is not accepted (see --accept-tcb)", name);
}

static void check_bytes(tee_result *res, const char *check, const uint8_t *want,
			const uint8_t *got, size_t n)
{
	if (want == NULL || memcmp(want, got, n) == 0)
		return;
	char hw[2 * 64 + 1], hg[2 * 64 + 1];
	hex_encode(hw, want, n, false);
	hex_encode(hg, got, n, false);
	tee_fail(res, check, "expected %.96s, evidence has %.96s", hw, hg);
}

static void check_report_data(const tee_policy *p, const uint8_t rd[64], tee_result *res)
{
	if (p->expect_report_data == NULL)
		return;
	/* A shorter expectation is a prefix (32-byte hashes padded with zeros count as the
	 * 64-byte value with zeros): the rest must then be zero, so nothing is ignored. */
	uint8_t want[64] = { 0 };
	memcpy(want, p->expect_report_data, p->expect_report_data_len);
	check_bytes(res, "report_data", want, rd, 64);
}

static void not_applicable(tee_result *res, const char *check, bool wanted, const char *what)
{
	if (wanted)
		tee_fail(res, check, "the evidence is not %s", what);
}

static bool any_rtmr(const tee_policy *p)
{
	for (int i = 0; i < 4; i++)
		if (p->expect_rtmr[i] != NULL)
			return true;
	return false;
}

void tee_policy_apply_dcap(const tee_policy *p, const tee_dcap_quote *q, tee_result *res)
{
	if (q->tee_type == TEE_TYPE_SGX) {
		res->debug = (q->sgx.attributes[0] & TEE_SGX_FLAG_DEBUG) != 0;
		check_bytes(res, "mrenclave", p->expect_mrenclave, q->sgx.mr_enclave, 32);
		check_bytes(res, "mrsigner", p->expect_mrsigner, q->sgx.mr_signer, 32);
		if (p->check_isv_prod_id && q->sgx.isv_prod_id != p->expect_isv_prod_id)
			tee_fail(res, "isv_prod_id", "expected ISVPRODID %u, the enclave has %u",
				 p->expect_isv_prod_id, q->sgx.isv_prod_id);
		/* ISVSVN is the enclave's security version: below the minimum is a build
		 * known to be vulnerable. */
		if (p->check_min_isv_svn && q->sgx.isv_svn < p->min_isv_svn)
			tee_fail(res, "isv_svn", "the enclave's ISVSVN %u is below the minimum %u",
				 q->sgx.isv_svn, p->min_isv_svn);
		check_report_data(p, q->sgx.report_data, res);
		not_applicable(res, "mrtd", p->expect_mrtd != NULL || any_rtmr(p), "a TDX quote");
		not_applicable(res, "measurement", p->expect_measurement != NULL || p->check_snp_policy,
			       "an SEV-SNP report");
	} else {
		res->debug = (q->td.td_attributes & TEE_TD_ATTR_DEBUG) != 0;
		/* Without SEPT_VE_DISABLE the host can inject #VE on EPT violations into the
		 * TD (dcap-qvl validate_td10; reference/tee.md §e step 8). */
		if (!(q->td.td_attributes & TEE_TD_ATTR_SEPT_VE_DISABLE))
			tee_fail(res, "sept_ve_disable", "the TD does not set SEPT_VE_DISABLE");
		/* A TD 1.5 bound to a service TD (MRSERVICETD not zero) is bound to whatever
		 * that TD does: refused, as dcap-qvl's validate_td15 does, until a policy can
		 * name the expected service TD. */
		static const uint8_t zero48[48];
		if (q->td.is_td15 && memcmp(q->td.mr_servicetd, zero48, 48) != 0)
			tee_fail(res, "mr_servicetd", "the TD is bound to a service TD (MRSERVICETD "
						      "is not zero)");
		check_bytes(res, "mrtd", p->expect_mrtd, q->td.mr_td, 48);
		static const char *const rtmr_check[4] = { "rtmr0", "rtmr1", "rtmr2", "rtmr3" };
		for (int i = 0; i < 4; i++)
			check_bytes(res, rtmr_check[i], p->expect_rtmr[i], q->td.rtmr[i], 48);
		check_report_data(p, q->td.report_data, res);
		not_applicable(res, "mrenclave", p->expect_mrenclave != NULL || p->expect_mrsigner != NULL ||
					   p->check_isv_prod_id || p->check_min_isv_svn, "an SGX quote");
		not_applicable(res, "measurement", p->expect_measurement != NULL || p->check_snp_policy,
			       "an SEV-SNP report");
	}
	if (res->debug && !p->allow_debug)
		tee_fail(res, "debug", "the %s runs in debug mode: its memory is readable by the host",
			 q->tee_type == TEE_TYPE_SGX ? "enclave" : "TD");
	check_tcb(p, res);
}

void tee_policy_apply_snp(const tee_policy *p, const tee_snp_report *r, tee_result *res)
{
	res->debug = (r->policy & TEE_SNP_POLICY_DEBUG) != 0;
	if (res->debug && !p->allow_debug)
		tee_fail(res, "debug", "the guest policy allows debugging: its memory is readable "
				       "by the host");
	check_bytes(res, "measurement", p->expect_measurement, r->measurement, 48);
	if (p->check_snp_policy && r->policy != p->expect_snp_policy)
		tee_fail(res, "snp_policy", "expected guest policy 0x%llx, the report has 0x%llx",
			 (unsigned long long)p->expect_snp_policy, (unsigned long long)r->policy);
	check_report_data(p, r->report_data, res);
	not_applicable(res, "mrenclave", p->expect_mrenclave != NULL || p->expect_mrsigner != NULL ||
				   p->check_isv_prod_id || p->check_min_isv_svn, "an SGX quote");
	not_applicable(res, "mrtd", p->expect_mrtd != NULL || any_rtmr(p), "a TDX quote");
}
