/* tee/: the "tsm" provider — PLACEHOLDER while issue 11 is being built: it reports its
 * platform as absent. Replaced by the real provider in the same change series. */
#include <stdio.h>

#include "tee/tee_provider.h"

static ss_err tsm_open(const tee_open_options *o, tee_provider **out, char *why)
{
	(void)o;
	*out = NULL;
	snprintf(why, TEE_WHY_MAX, "the tsm provider is not built yet");
	return SS_ERR_NOT_FOUND;
}

const tee_provider_ops tee_provider_tsm = {
	.name = "tsm",
	.open = tsm_open,
};
