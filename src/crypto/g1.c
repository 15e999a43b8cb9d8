/* G1: points of E(Fp): y^2 = x^3 + 4, the public-key group of the Ethereum ciphersuite.
 * Generic Jacobian arithmetic comes from ec_template.h; this file adds the G1-specific
 * endomorphism subgroup test and cofactor clearing. */
#include "crypto/bls_internal.h"
#include "util/secure_mem.h"

#define FE fp
#define PT g1_point
#define AFF g1_affine
#define EC(name) g1_##name
#define F(name) fp_##name
#define F_ONE(r) (*(r) = FP_ONE)
#define CURVE_B G1_B
#include "crypto/ec_template.h"

static void g1_mul_x_abs(g1_point *r, const g1_point *a)
{
	static const uint64_t x_abs[1] = { BLS_X_ABS };
	g1_mul_vartime(r, a, x_abs, 64);
}

/* Scott, "A note on group membership tests for G1, G2 and GT on BLS pairing-friendly
 * curves" (eprint 2021/1130) §3: with phi(x, y) = (beta x, y) for the cube root of
 * unity beta in G1_BETA, P is in G1 iff phi(P) == [-x^2]P. Costs two 64-bit scalar
 * multiplications instead of one by the 255-bit r. */
bool g1_in_subgroup_vartime(const g1_point *a)
{
	if (g1_is_infinity(a))
		return true;
	g1_point phi, t;
	fp_mul(&phi.x, &a->x, &G1_BETA);
	phi.y = a->y;
	phi.z = a->z;
	g1_mul_x_abs(&t, a);
	g1_mul_x_abs(&t, &t); /* [x^2]P */
	g1_neg(&t, &t);
	return g1_eq_vartime(&phi, &t);
}

/* RFC 9380 §8.8.1: h_eff = 1 - x = 1 + |x| (x < 0). */
void g1_clear_cofactor(g1_point *r, const g1_point *a)
{
	g1_point t;
	g1_mul_x_abs(&t, a);
	g1_add_vartime(r, &t, a);
}
