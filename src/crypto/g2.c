/* G2: points of the sextic M-twist E'(Fp2): y^2 = x^3 + 4(1 + u), the signature group.
 * Generic Jacobian arithmetic comes from ec_template.h; this file adds psi, the
 * psi-based subgroup test and the Budroni–Pintore cofactor clearing. */
#include "crypto/bls_internal.h"
#include "util/secure_mem.h"

#define FE fp2
#define PT g2_point
#define AFF g2_affine
#define EC(name) g2_##name
#define F(name) fp2_##name
#define F_ONE(r) fp2_set_one(r)
#define CURVE_B G2_B
#include "crypto/ec_template.h"

/* psi(x, y) = (conj(x) cx, conj(y) cy) on affine points; in Jacobian coordinates
 * conj(Z) carries the denominators (conj is a field automorphism). */
void g2_psi(g2_point *r, const g2_point *a)
{
	fp2_conj(&r->x, &a->x);
	fp2_mul(&r->x, &r->x, &PSI_CX);
	fp2_conj(&r->y, &a->y);
	fp2_mul(&r->y, &r->y, &PSI_CY);
	fp2_conj(&r->z, &a->z);
}

/* [x]P = -[|x|]P */
static void g2_mul_x(g2_point *r, const g2_point *a)
{
	static const uint64_t x_abs[1] = { BLS_X_ABS };
	g2_mul_vartime(r, a, x_abs, 64);
	g2_neg(r, r);
}

/* Scott (eprint 2021/1130) §4: on BLS12 curves P is in G2 iff psi(P) == [x]P. */
bool g2_in_subgroup_vartime(const g2_point *a)
{
	if (g2_is_infinity(a))
		return true;
	g2_point l, r;
	g2_psi(&l, a);
	g2_mul_x(&r, a);
	return g2_eq_vartime(&l, &r);
}

/* RFC 9380 Appendix G.3 (Budroni–Pintore, eprint 2017/419):
 * h_eff P = [x^2 - x - 1]P + [x - 1]psi(P) + psi^2(2P), as the RFC's 10 steps. The
 * input is a hash output (public), so the variable-time additions are fine. */
void g2_clear_cofactor(g2_point *r, const g2_point *p)
{
	g2_point t1, t2, t3;
	g2_mul_x(&t1, p);         /* t1 = [x]P */
	g2_psi(&t2, p);           /* t2 = psi(P) */
	g2_dbl(&t3, p);           /* t3 = 2P */
	g2_psi(&t3, &t3);
	g2_psi(&t3, &t3);         /* t3 = psi^2(2P) */
	g2_neg(&t2, &t2);
	g2_add_vartime(&t3, &t3, &t2); /* t3 = t3 - t2 */
	g2_neg(&t2, &t2);
	g2_add_vartime(&t2, &t1, &t2); /* t2 = t1 + t2 */
	g2_mul_x(&t2, &t2);            /* t2 = [x]t2 */
	g2_add_vartime(&t3, &t3, &t2); /* t3 = t3 + t2 */
	g2_neg(&t1, &t1);
	g2_add_vartime(&t3, &t3, &t1); /* t3 = t3 - t1 */
	g2_neg(&t1, p);
	g2_add_vartime(r, &t3, &t1);   /* Q = t3 - P */
}

/* -psi on an affine point: (conj(x) cx, -conj(y) cy), which acts as [|x|] on G2. */
static void neg_psi_affine(g2_affine *r, const g2_affine *a)
{
	fp2_conj(&r->x, &a->x);
	fp2_mul(&r->x, &r->x, &PSI_CX);
	fp2_conj(&r->y, &a->y);
	fp2_mul(&r->y, &r->y, &PSI_CY);
	fp2_neg(&r->y, &r->y);
}

/* [k]a for a in G2 with the GLS endomorphism (Galbraith, Lin, Scott, "Endomorphisms
 * for faster elliptic curve cryptography on a large class of curves", EUROCRYPT 2009):
 * write k = k0 + k1 z + k2 z^2 + k3 z^3 in base z = |x| (digits < z < 2^64, as
 * k < r < z^4), and since psi = [x] = [-z] on G2, [z^i]a = (-psi)^i(a). A joint 4-bit
 * fixed-window loop then needs 64 doublings instead of 255. Constant time in k.
 *
 * Exceptional additions cannot occur. The accumulator is [S]a with S = sum A_j z^j,
 * where each A_j (0 <= A_j < z) is a prefix of the digit k_j, and an addition adds
 * D = d z^i with 0 < d < 16. After it, S + D again has prefix digits, so
 * 0 < S + D <= k < r: never 0 mod r, so acc != -[D]a. And acc = [D]a would need
 * S = D exactly (|S - D| < r), i.e. base-z digits A = d e_i; but the digit about to be
 * updated is still a multiple of 16 (a prefix shifted by one window). S = 0, the
 * accumulator at infinity, is resolved by selection (ct_window_add). */
void g2_mul_gls_ct(g2_point *r, const g2_point *a, const uint64_t k[4])
{
	if (g2_is_infinity(a)) {
		g2_set_infinity(r);
		return;
	}
	g2_affine tab[4][16];
	g2_window_table(tab[0], a);
	for (int i = 1; i < 4; i++)
		for (int d = 1; d < 16; d++)
			neg_psi_affine(&tab[i][d], &tab[i - 1][d]);

	struct {
		uint64_t q[4], digit[4];
		g2_ct_scratch s;
	} sc;
	sc.digit[0] = fr_divrem_x_abs_ct(sc.q, k);
	sc.digit[1] = fr_divrem_x_abs_ct(sc.q, sc.q);
	sc.digit[2] = fr_divrem_x_abs_ct(sc.q, sc.q);
	sc.digit[3] = sc.q[0]; /* < z: k < z^4 */
	g2_set_infinity(&sc.s.acc);
	for (int w = 15; w >= 0; w--) {
		for (int j = 0; j < 4; j++)
			g2_dbl(&sc.s.acc, &sc.s.acc);
		for (int i = 0; i < 4; i++)
			g2_ct_window_add(&sc.s, tab[i], (sc.digit[i] >> (4 * w)) & 15);
	}
	*r = sc.s.acc;
	secure_zero(&sc, sizeof sc);
}
