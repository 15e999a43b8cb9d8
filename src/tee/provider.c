/* tee/: the provider dispatcher (issue 11 §1–§3): picks a provider by name or by detection,
 * and checks every piece of evidence it hands out against the report data it was asked
 * for, parsed the way a verifier parses it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tee/tee.h"
#include "tee/tee_provider.h"

const char *tee_platform_name(tee_platform p)
{
	switch (p) {
	case TEE_PLATFORM_NONE: return "none";
	case TEE_PLATFORM_SIM: return "sim";
	case TEE_PLATFORM_SGX: return "sgx";
	case TEE_PLATFORM_TDX: return "tdx";
	case TEE_PLATFORM_SEV_SNP: return "sev-snp";
	}
	return "unknown";
}

const char *tee_evidence_type_name(tee_evidence_type t)
{
	switch (t) {
	case TEE_EVIDENCE_SGX_DCAP_QUOTE: return "sgx-dcap-quote";
	case TEE_EVIDENCE_TDX_QUOTE: return "tdx-quote";
	case TEE_EVIDENCE_SEV_SNP_REPORT: return "sev-snp-report";
	case TEE_EVIDENCE_SIMULATED: return "simulated";
	}
	return "unknown";
}

void tee_evidence_free(tee_evidence *e)
{
	if (!e)
		return;
	free(e->quote);
	free(e->certs);
	memset(e, 0, sizeof(*e));
}

static const tee_provider_ops *const detect_order[] = {
	&tee_provider_gramine, &tee_provider_occlum, &tee_provider_tsm,
};

/* Every provider that can be named. */
static const tee_provider_ops *const named[] = {
	&tee_provider_none,   &tee_provider_sim, &tee_provider_gramine,
	&tee_provider_occlum, &tee_provider_tsm,
};

static const tee_provider_ops *find_named(const char *name)
{
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(name, named[i]->name) == 0)
			return named[i];
	return NULL;
}

bool tee_provider_known(const char *name)
{
	return name == NULL || strcmp(name, "auto") == 0 || find_named(name) != NULL;
}

ss_err tee_provider_open(const char *name, const tee_open_options *o, tee_provider **out,
			 char *why)
{
	static const tee_open_options defaults = {0};
	if (!o)
		o = &defaults;
	*out = NULL;
	why[0] = '\0';
	if (!name || strcmp(name, "auto") == 0) {
		for (size_t i = 0; i < sizeof(detect_order) / sizeof(detect_order[0]); i++) {
			ss_err err = detect_order[i]->open(o, out, why);
			if (err != SS_ERR_NOT_FOUND)
				return err; /* found (SS_OK), or present but broken */
		}
		why[0] = '\0';
		return tee_provider_none.open(o, out, why);
	}
	const tee_provider_ops *ops = find_named(name);
	if (ops != NULL)
		return ops->open(o, out, why);
	snprintf(why, TEE_WHY_MAX, "unknown TEE provider \"%.40s\" (" TEE_PROVIDER_NAMES ")", name);
	return SS_ERR_INVALID;
}

/* The report data inside the evidence, located the way the verifier parses it. */
static ss_err embedded_report_data(const tee_evidence *e, uint8_t rd[64], char *why)
{
	const char *perr = NULL;
	if (e->type == TEE_EVIDENCE_SEV_SNP_REPORT) {
		tee_snp_report r;
		if (tee_snp_parse(e->quote, e->quote_len, &r, &perr) != SS_OK) {
			snprintf(why, TEE_WHY_MAX, "the platform returned a malformed SNP report: %s",
				 perr ? perr : "unparsable");
			return SS_ERR_INVALID;
		}
		memcpy(rd, r.report_data, 64);
		return SS_OK;
	}
	tee_dcap_quote *q = calloc(1, sizeof(*q));
	if (!q)
		return SS_ERR_NOMEM;
	ss_err err = tee_dcap_parse(e->quote, e->quote_len, q, &perr);
	if (err != SS_OK) {
		snprintf(why, TEE_WHY_MAX, "the platform returned a malformed quote: %s",
			 perr ? perr : "unparsable");
		free(q);
		return SS_ERR_INVALID;
	}
	bool want_tdx = e->type == TEE_EVIDENCE_TDX_QUOTE;
	if ((q->tee_type == TEE_TYPE_TDX) != want_tdx) {
		snprintf(why, TEE_WHY_MAX, "the platform returned a %s quote where a %s quote was expected",
			 q->tee_type == TEE_TYPE_TDX ? "TDX" : "SGX", want_tdx ? "TDX" : "SGX");
		free(q);
		return SS_ERR_INVALID;
	}
	memcpy(rd, want_tdx ? q->td.report_data : q->sgx.report_data, 64);
	free(q);
	return SS_OK;
}

ss_err tee_provider_evidence(tee_provider *p, const uint8_t report_data[64],
			     tee_evidence *out, char *why)
{
	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	ss_err err = p->ops->evidence(p, report_data, out, why);
	if (err != SS_OK) {
		tee_evidence_free(out);
		return err;
	}
	uint8_t rd[64];
	err = embedded_report_data(out, rd, why);
	if (err == SS_OK && memcmp(rd, report_data, 64) != 0) {
		snprintf(why, TEE_WHY_MAX,
			 "the evidence the platform returned carries other report data than was "
			 "asked for (a broken or hostile host); refused");
		err = SS_ERR_CRYPTO;
	}
	if (err != SS_OK)
		tee_evidence_free(out);
	return err;
}

ss_err tee_provider_seal_key(tee_provider *p, uint8_t key[TEE_SEAL_KEY_BYTES], char *why)
{
	why[0] = '\0';
	return p->ops->seal_key(p, key, why);
}

void tee_provider_info(const tee_provider *p, tee_info *out)
{
	memset(out, 0, sizeof(*out));
	p->ops->info(p, out);
}

void tee_provider_close(tee_provider *p)
{
	if (p)
		p->ops->close(p);
}
