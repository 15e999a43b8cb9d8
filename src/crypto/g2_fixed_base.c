/* Fixed-base scalar multiplication in G2, for a point known before the scalars: the
 * hashed message H(m) that many validators sign (bls.h, bls_sign_fixed_base).
 *
 * The scalar is split as in g2_mul_gls_ct (GLS, Galbraith–Lin–Scott, EUROCRYPT 2009):
 * k = k0 + k1 z + k2 z^2 + k3 z^3 in base z = |x|, each digit k_i < z < 2^64, and
 * [z]P = -psi(P) on G2. So one table of 64-bit multiples of H serves all four digits:
 *   [k]H = (-psi)^3(A3) + (-psi)^2(A2) + (-psi)(A1) + A0,  A_i = [k_i]H,
 * evaluated by Horner's rule (three psi maps and three additions). Each A_i is a sum of
 * table entries, one per W-bit window of k_i in signed digits (fixed windows, no
 * doublings: Brickell–Gordon–McCurley–Wilson, "Fast exponentiation with
 * precomputation", EUROCRYPT 1992, with signed digits halving the rows): row j holds
 * [d 2^(W j)]H for d = 1..2^(W-1), and the digit's sign is a masked negation of y.
 * With W = 6: 11 rows of 32 points (66 KiB), 44 mixed additions per signature instead
 * of 64 doublings, 64 additions and a 15-point table per signature (g2_mul_gls_ct).
 *
 * Constant time in k: the digits are recoded with masks, every lookup reads the whole
 * row (32 points) and keeps the wanted one by mask (select_row), and the exceptional cases of
 * the additions are excluded by construction (below) or resolved by selection. The
 * table is public: it depends on H(m) only. */
#include <string.h>

#include "crypto/bls_internal.h"
#include "util/ct.h"
#include "util/secure_mem.h"

#define W BLS_FIXED_BASE_WINDOW
#define ROWS BLS_FIXED_BASE_ROWS
#define ROW_POINTS BLS_FIXED_BASE_ROW_POINTS
#define N_POINTS (ROWS * ROW_POINTS)

/* Signed digits in [-(2^(W-1) - 1), 2^(W-1)] need one bit more than the 64-bit digit
 * k_i (the last carry), and every window must start inside the 64-bit word. */
_Static_assert(W * ROWS >= 65, "the windows must cover 65 bits");
_Static_assert(W * (ROWS - 1) < 64, "every window starts inside the digit");
_Static_assert(sizeof(struct bls_fixed_base_table) == BLS_FIXED_BASE_TABLE_BYTES,
	       "BLS_FIXED_BASE_TABLE_BYTES is the table's size");

/* out[i] holds Jacobian X, Y of a point whose Z is z[i] (none zero); makes each affine
 * with one inversion for all (Montgomery's trick): prefix[i] = z[0] ... z[i], then
 * walking back, 1/z[i] = prefix[i-1] / prefix[i] and 1/prefix[i-1] = z[i] / prefix[i]. */
static void to_affine_batch(g2_affine *out, const fp2 *z, fp2 *prefix, unsigned n)
{
	prefix[0] = z[0];
	for (unsigned i = 1; i < n; i++)
		fp2_mul(&prefix[i], &prefix[i - 1], &z[i]);
	fp2 inv, zi, zi2;
	fp2_inv(&inv, &prefix[n - 1]);
	for (unsigned i = n; i-- > 0;) {
		if (i > 0) {
			fp2_mul(&zi, &inv, &prefix[i - 1]);
			fp2_mul(&inv, &inv, &z[i]);
		} else {
			zi = inv;
		}
		fp2_sqr(&zi2, &zi);
		fp2_mul(&out[i].x, &out[i].x, &zi2); /* x = X / Z^2 */
		fp2_mul(&zi2, &zi2, &zi);
		fp2_mul(&out[i].y, &out[i].y, &zi2); /* y = Y / Z^3 */
	}
}

/* Row j = [d 2^(W j)]a, d = 1..2^(W-1). The row bases B_j = [2^(W j)]a come first (W
 * doublings each) and are made affine together, so that each row is then B_j, 2 B_j
 * and 30 mixed additions of B_j (cheaper than full Jacobian additions by about a
 * third); finally every point is made affine with one inversion. a is public, so
 * variable time is fine; a has order r and every multiple used is below 2^66 < r, so
 * no point is at infinity, and [d]B_j != +-B_j for 2 <= d < 2^(W-1) (r is prime and
 * larger), so no mixed addition meets an exceptional case. The Z coordinates and their
 * prefix products take 2 x 33 KiB of stack (the crypto core does not allocate). */
void g2_fixed_base_build_vartime(struct bls_fixed_base_table *t, const g2_point *a)
{
	t->infinity = g2_is_infinity(a);
	if (t->infinity) {
		for (unsigned j = 0; j < ROWS; j++)
			for (unsigned d = 0; d < ROW_POINTS; d++)
				t->row[j][d] = G2_GEN; /* never read: the sign gives infinity */
		return;
	}
	fp2 z[N_POINTS], prefix[N_POINTS];
	g2_affine base[ROWS];
	g2_point p = *a;
	for (unsigned j = 0; j < ROWS; j++) {
		if (j > 0)
			for (unsigned b = 0; b < W; b++)
				g2_dbl(&p, &p); /* B_j = [2^W]B_(j-1) */
		base[j].x = p.x;
		base[j].y = p.y;
		z[j] = p.z;
	}
	to_affine_batch(base, z, prefix, ROWS);
	for (unsigned j = 0; j < ROWS; j++) {
		g2_from_affine(&p, &base[j]);
		for (unsigned d = 0; d < ROW_POINTS; d++) {
			if (d == 1)
				g2_dbl(&p, &p); /* 2 B_j: the mixed addition B_j + B_j is exceptional */
			else if (d > 1)
				g2_madd_ct(&p, &p, &base[j], 0); /* [d + 1]B_j */
			unsigned i = j * ROW_POINTS + d;
			t->row[j][d].x = p.x;
			t->row[j][d].y = p.y;
			z[i] = p.z;
		}
	}
	to_affine_batch(&t->row[0][0], z, prefix, N_POINTS); /* the rows are contiguous */
}

/* The secret temporaries of one multiplication, wiped before return (CONVENTIONS.md
 * "Secrets"). */
typedef struct {
	uint64_t q[4], digit[4];
	uint64_t c, neg, abs, carry;
	g2_affine sel;
	fp2 neg_y;
	g2_point acc[4], r;
} fixed_base_scratch;

/* The 24 limbs of an affine point (x and y, two Fp each): the row is read as plain
 * words so that the masked selection below is one loop the compiler vectorises. */
#define POINT_LIMBS (sizeof(g2_affine) / sizeof(uint64_t))
_Static_assert(sizeof(g2_affine) == 4 * sizeof(fp), "g2_affine is x, y in Fp2, no padding");

static const uint64_t *limbs(const g2_affine *a)
{
	return (const uint64_t *)(const void *)a;
}

/* s->sel = sign * row[|d| - 1] for the signed digit (abs, neg): every word of every
 * point of the row is read, and OR-ed in under a mask that is all ones for the wanted
 * point only; |d| = 0 selects nothing (all zeros: the caller skips the addition by
 * mask). A mask per point and a branch-free inner loop over 24 words: selecting field
 * element by field element (fp2_cmov per coordinate) made the whole multiplication
 * 104-107 us instead of 86-92 us on the same loaded machine, in a one-off timing program
 * not kept in the tree (docs/benchmarks.md). */
static void select_row(fixed_base_scratch *s, const g2_affine row[ROW_POINTS])
{
	uint64_t acc[POINT_LIMBS] = { 0 }; /* a local, so that it stays in registers */
	for (uint64_t d = 0; d < ROW_POINTS; d++) {
		const uint64_t hit = ct_mask_u64(ct_eq_u64(d + 1, s->abs));
		const uint64_t *p = limbs(&row[d]);
		for (size_t w = 0; w < POINT_LIMBS; w++)
			acc[w] |= p[w] & hit;
	}
	memcpy(&s->sel, acc, sizeof s->sel);
	secure_zero(acc, sizeof acc);
	fp2_neg(&s->neg_y, &s->sel.y);
	fp2_cmov(&s->sel.y, &s->neg_y, s->neg);
}

/* [k]a from a's table, k < r. Exceptional additions cannot occur:
 *  - Inside A_i: after windows 0..j-1 the accumulator is [S]a with
 *    S = (k_i mod 2^(W j)) - carry 2^(W j), so |S| < 2^(W j), while the next term is
 *    D = d 2^(W j) with |d| >= 1: S != +-D, and |S + D| < 2^66 < r. Only S = 0 (the
 *    accumulator at infinity) and d = 0 remain, both resolved by g2_madd_ct's masks.
 *  - In Horner's rule, [z X]a + [k_i]a with X = k3 .. k_(i+1) in base z: both
 *    multipliers and their sum are below k < r, and k_i < z, so z X = +-k_i (mod r)
 *    only when X = k_i = 0; g2_add_ct resolves the operands at infinity. */
void g2_mul_fixed_base_ct(g2_point *r, const struct bls_fixed_base_table *t, const uint64_t k[4])
{
	if (t->infinity) { /* public: a property of the table */
		g2_set_infinity(r);
		return;
	}
	fixed_base_scratch s;
	s.digit[0] = fr_divrem_x_abs_ct(s.q, k);
	s.digit[1] = fr_divrem_x_abs_ct(s.q, s.q);
	s.digit[2] = fr_divrem_x_abs_ct(s.q, s.q);
	s.digit[3] = s.q[0]; /* < z: k < r < z^4 */
	for (int i = 0; i < 4; i++) {
		g2_set_infinity(&s.acc[i]);
		s.carry = 0;
		for (unsigned j = 0; j < ROWS; j++) {
			/* signed window recoding: c in [0, 2^W]; c > 2^(W-1) becomes c - 2^W
			 * with a carry into the next window */
			s.c = ((s.digit[i] >> (W * j)) & ((1u << W) - 1)) + s.carry;
			s.neg = ((uint64_t)ROW_POINTS - s.c) >> 63;
			s.abs = ct_select_u64(s.neg, (1u << W) - s.c, s.c);
			s.carry = s.neg;
			select_row(&s, t->row[j]);
			g2_madd_ct(&s.acc[i], &s.acc[i], &s.sel, ct_is_zero_u64(s.abs));
		}
	}
	/* Horner: r = -psi(r) + A_i, i = 2, 1, 0 ([z] = -psi on G2) */
	s.r = s.acc[3];
	for (int i = 2; i >= 0; i--) {
		g2_psi(&s.r, &s.r);
		g2_neg(&s.r, &s.r);
		g2_add_ct(&s.r, &s.r, &s.acc[i]);
	}
	*r = s.r;
	secure_zero(&s, sizeof s);
}
