/* ECIES decryption with an attested secp256k1 key (aux_ecies.h): the shared point comes
 * from keys_aux_ecdh and is wiped here. */
#include <string.h>

#include "crypto/ecies.h"
#include "keys/aux_ecies.h"
#include "util/secure_mem.h"

ss_err keys_aux_ecies_open(keys_store *ks, const uint8_t pub33[33], const uint8_t *ct,
			   size_t ct_len, uint8_t *pt, size_t pt_cap, size_t *pt_len)
{
	*pt_len = 0;
	keys_aux_info info;
	if (!keys_aux_get(ks, KEYS_AUX_SECP256K1, pub33, 33, &info))
		return SS_ERR_NOT_FOUND;
	const uint8_t *r65;
	if (ecies_ephemeral(ct, ct_len, &r65) != SS_OK)
		return SS_ERR_INVALID;
	uint8_t s65[ECIES_PUB_BYTES];
	ss_err e = keys_aux_ecdh(ks, pub33, r65, ECIES_PUB_BYTES, s65);
	if (e == SS_OK)
		e = ecies_open(s65, ct, ct_len, pt, pt_cap, pt_len);
	else if (e != SS_ERR_NOT_FOUND)
		e = SS_ERR_INVALID; /* the ephemeral key is not a point */
	secure_zero(s65, sizeof s65);
	return e;
}
