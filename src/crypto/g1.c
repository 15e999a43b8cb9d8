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

/* [k]a for a in G1 with the GLV endomorphism (Gallant, Lambert, Vanstone, CRYPTO 2001):
 * phi(x, y) = (beta x, y) acts as [-z^2] on G1 (z = |x|), so with k = k0 + k1 z^2
 * (k0 = k mod z^2 and k1 = k div z^2, both below z^2 < 2^128 since k < r < z^4) and
 * [z^2]a = -phi(a), a joint 4-bit fixed window over the two 128-bit halves needs 128
 * doublings instead of 255. Constant time in k.
 *
 * No exceptional addition (see g2_mul_gls_ct for the argument, with base z^2 and two
 * digits). */
void g1_glv_table(g1_affine tab[2][16], const g1_point *a)
{
	g1_window_table(tab[0], a);
	for (int d = 1; d < 16; d++) {
		fp_mul(&tab[1][d].x, &tab[0][d].x, &G1_BETA);
		fp_neg(&tab[1][d].y, &tab[0][d].y);
	}
}

void g1_mul_glv_table_ct(g1_point *r, const g1_affine tab[2][16], const uint64_t k[4])
{
	typedef unsigned __int128 u128;
	struct {
		uint64_t q[4], r0, r1;
		u128 half[2];
		g1_ct_scratch s;
	} sc;
	sc.r0 = fr_divrem_x_abs_ct(sc.q, k);
	sc.r1 = fr_divrem_x_abs_ct(sc.q, sc.q);
	sc.half[0] = (u128)sc.r1 * BLS_X_ABS + sc.r0;       /* k mod z^2 */
	sc.half[1] = ((u128)sc.q[1] << 64) | sc.q[0];       /* k div z^2 < z^2 */
	g1_set_infinity(&sc.s.acc);
	for (int w = 31; w >= 0; w--) {
		for (int j = 0; j < 4; j++)
			g1_dbl(&sc.s.acc, &sc.s.acc);
		for (int i = 0; i < 2; i++)
			g1_ct_window_add(&sc.s, tab[i], (uint64_t)(sc.half[i] >> (4 * w)) & 15);
	}
	*r = sc.s.acc;
	secure_zero(&sc, sizeof sc);
}

void g1_mul_glv_ct(g1_point *r, const g1_point *a, const uint64_t k[4])
{
	if (g1_is_infinity(a)) {
		g1_set_infinity(r);
		return;
	}
	g1_affine tab[2][16];
	g1_glv_table(tab, a);
	g1_mul_glv_table_ct(r, (const g1_affine(*)[16])tab, k);
}
