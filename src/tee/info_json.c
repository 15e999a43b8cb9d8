/* tee_info as JSON: the one shape `secure-signer tee info` prints and /healthcheck
 * carries under "tee" (docs/tee.md), so that an operator reads the same fields in both. */
#include <jansson.h>

#include "tee/tee_provider.h"
#include "util/hex.h"

struct json_t *tee_info_json(const tee_info *ti)
{
	char m[2 * TEE_MEASUREMENT_MAX + 1], s[2 * 32 + 1];
	hex_encode(m, ti->measurement, ti->measurement_len, false);
	hex_encode(s, ti->signer, sizeof ti->signer, false);
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "platform", json_string(tee_platform_name(ti->platform)));
	json_object_set_new(o, "provider", json_string(ti->provider ? ti->provider : "none"));
	json_object_set_new(o, "simulated", json_boolean(ti->simulated));
	json_object_set_new(o, "measurement", ti->measurement_len ? json_string(m) : json_null());
	json_object_set_new(o, "signer", ti->has_signer ? json_string(s) : json_null());
	json_object_set_new(o, "debug", json_boolean(ti->debug));
	json_object_set_new(o, "can_attest", json_boolean(ti->can_attest));
	json_object_set_new(o, "can_seal", json_boolean(ti->can_seal));
	json_object_set_new(o, "versions", json_string(ti->versions));
	json_object_set_new(o, "note", json_string(ti->note));
	return o;
}
