/* tee/: the "none" provider — no TEE. Evidence and sealing are unavailable, and it says
 * so rather than pretending (issue 11 §1). */
#include <stdio.h>
#include <stdlib.h>

#include "tee/tee_provider.h"

static ss_err none_open(const tee_open_options *o, tee_provider **out, char *why)
{
	(void)o;
	(void)why;
	static tee_provider the_none = {&tee_provider_none};
	*out = &the_none;
	return SS_OK;
}

static ss_err none_evidence(tee_provider *p, const uint8_t rd[64], tee_evidence *out, char *why)
{
	(void)p;
	(void)rd;
	(void)out;
	snprintf(why, TEE_WHY_MAX, "no TEE: the signer runs with --tee none and has no evidence");
	return SS_ERR_UNSUPPORTED;
}

static ss_err none_seal_key(tee_provider *p, uint8_t key[TEE_SEAL_KEY_BYTES], char *why)
{
	(void)p;
	(void)key;
	snprintf(why, TEE_WHY_MAX, "no TEE: the signer runs with --tee none and has no sealing key");
	return SS_ERR_UNSUPPORTED;
}

static void none_info(const tee_provider *p, tee_info *out)
{
	(void)p;
	out->platform = TEE_PLATFORM_NONE;
	out->provider = "none";
	snprintf(out->note, sizeof(out->note), "no TEE: keys are protected by the host only");
}

static void none_close(tee_provider *p)
{
	(void)p; /* static */
}

const tee_provider_ops tee_provider_none = {
	.name = "none",
	.open = none_open,
	.evidence = none_evidence,
	.seal_key = none_seal_key,
	.info = none_info,
	.close = none_close,
};
