/* Batch verification of n independent (pk_i, msg_i, sig_i) triples with a random linear
 * combination (Bellare, Garay, Rabin, "Fast batch verification for modular
 * exponentiation and digital signatures", EUROCRYPT 1998; as in the Ethereum
 * consensus specs' bls.batch_verify): with fresh random 64-bit r_i,
 *   prod_i e(r_i pk_i, H(m_i)) * e(-G1, sum_i r_i sig_i) == 1.
 * An unweighted product would accept forged sets whose errors cancel (the
 * batch_verify_invalid_forged_signature_set vector); random weights make that
 * succeed with probability about 2^-64. */
#include "crypto/bls.h"
#include "crypto/bls_internal.h"
#include "util/random.h"

bool bls_batch_verify_vartime(const uint8_t (*pks)[48], const uint8_t *const *msgs,
			      const size_t *msg_lens, const uint8_t (*sigs)[96], size_t n)
{
	if (n == 0)
		return false;
	bls_pairing_acc acc;
	g1_point p;
	g2_point s, sum, h;
	bls_pairing_acc_init(&acc);
	g2_set_infinity(&sum);
	for (size_t i = 0; i < n; i++) {
		uint64_t r;
		if (!bls_pubkey_decode_vartime(&p, pks[i]) || !bls_signature_decode_vartime(&s, sigs[i]))
			return false;
		do {
			if (random_bytes(&r, sizeof r) != SS_OK)
				return false;
		} while (r == 0);
		g1_mul_vartime(&p, &p, &r, 64);
		g2_mul_vartime(&s, &s, &r, 64);
		g2_add_vartime(&sum, &sum, &s);
		bls_hash_to_g2(&h, msgs[i], msg_lens[i], BLS_DST_POP_G2, sizeof BLS_DST_POP_G2);
		bls_pairing_acc_add_vartime(&acc, &p, &h);
	}
	g1_from_affine(&p, &G1_GEN);
	g1_neg(&p, &p);
	bls_pairing_acc_add_vartime(&acc, &p, &sum);
	return bls_pairing_acc_is_one_vartime(&acc);
}
