/* Fuzz target for the point decoders (CONVENTIONS.md "every parser has a fuzz target").
 * The first byte picks the group; the rest is the encoding. Properties checked beyond
 * "no crash": a decoded point is on the curve by construction, so re-encoding it in the
 * same form must give back exactly the input bytes (the format has one encoding per
 * point), and the public API's KeyValidate/Verify must agree with decode + subgroup
 * check. Crashes found are kept in fuzz_corpus/ as regression inputs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		bls_init();
		init = 1;
	}
	if (size < 1)
		return 0;
	uint8_t which = data[0];
	const uint8_t *in = data + 1;
	size_t len = size - 1;
	uint8_t out[192];
	if (which & 1) {
		g2_point p;
		if (g2_deserialize_vartime(&p, in, len) != SS_OK)
			return 0;
		if (len == 96)
			g2_compress(out, &p);
		else
			g2_serialize(out, &p);
		if (memcmp(out, in, len) != 0)
			abort(); /* a second encoding of one point was accepted */
		if (len == 96) {
			bool in_g2 = g2_in_subgroup_vartime(&p);
			uint8_t agg[96];
			bool agg_ok = bls_aggregate_signatures_vartime(agg, (const uint8_t(*)[96])in, 1) == SS_OK;
			if (agg_ok != in_g2 || (agg_ok && memcmp(agg, in, 96) != 0))
				abort();
		}
	} else {
		g1_point p;
		if (g1_deserialize_vartime(&p, in, len) != SS_OK)
			return 0;
		if (len == 48)
			g1_compress(out, &p);
		else
			g1_serialize(out, &p);
		if (memcmp(out, in, len) != 0)
			abort();
		if (len == 48) {
			bool valid = !g1_is_infinity(&p) && g1_in_subgroup_vartime(&p);
			if (bls_key_validate_vartime(in) != valid)
				abort();
		}
	}
	return 0;
}
