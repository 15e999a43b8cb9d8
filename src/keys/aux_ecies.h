/* keys/: decrypting an ECIES ciphertext (crypto/ecies.h, the original Secure-Signer's
 * password format) with an attested KEYS_AUX_SECP256K1 key, so that neither the key's
 * secret nor the ECDH shared point leaves keys/ (issue 13 §3: the password exists in the
 * clear only inside the signer). */
#ifndef SS_KEYS_AUX_ECIES_H
#define SS_KEYS_AUX_ECIES_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys_aux.h"

/* Decrypts ct, which was encrypted to the signer's secp256k1 key pub33, into pt (pt_cap
 * at least ct_len - ECIES_OVERHEAD; secret: the caller wipes it). Errors:
 *  SS_ERR_NOT_FOUND  pub33 is not one of this signer's attested secp256k1 keys;
 *  SS_ERR_INVALID    ct is too short or its ephemeral key is not a curve point;
 *  SS_ERR_CRYPTO     the tag does not verify (encrypted to another key, or altered). */
ss_err keys_aux_ecies_open(keys_store *ks, const uint8_t pub33[33], const uint8_t *ct,
			   size_t ct_len, uint8_t *pt, size_t pt_cap, size_t *pt_len) SS_MUST_USE;

#endif
