/* The base field Fp of BLS12-381: addition, subtraction, exponentiation-based inversion
 * and square root, and conversions. Multiplication is the Montgomery kernel of
 * fp_mont.h. Every function here is constant time: carries are propagated with
 * add-with-carry chains and selections use masks. */
#include <string.h>

#include "crypto/bls_internal.h"

/* r = a - b over 6 limbs; returns the borrow (0/1). FP_SBB/FP_ADC (fp_inline.h) pick
 * the adc/sbb intrinsics on x86-64 and unsigned __int128 elsewhere. */
static inline uint64_t sub6(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
	fp_carry c = 0;
	for (int i = 0; i < 6; i++)
		FP_SBB(c, a[i], b[i], &r[i]);
	return c;
}

/* r = a + b over 6 limbs; returns the carry (0/1). */
static inline uint64_t add6(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
	fp_carry c = 0;
	for (int i = 0; i < 6; i++)
		FP_ADC(c, a[i], b[i], &r[i]);
	return c;
}

/* r = a / 2: add p when a is odd (p is odd, so the sum is even), then shift. */
void fp_half(fp *r, const fp *a)
{
	uint64_t mask = ct_mask_u64(a->l[0] & 1), q[6], t[6];
	for (int i = 0; i < 6; i++)
		q[i] = FP_P[i] & mask;
	uint64_t c = add6(t, a->l, q);
	for (int i = 0; i < 5; i++)
		r->l[i] = (t[i] >> 1) | (t[i + 1] << 63);
	r->l[5] = (t[5] >> 1) | (c << 63);
}

void fp_set_zero(fp *r)
{
	memset(r, 0, sizeof *r);
}

uint64_t fp_eq(const fp *a, const fp *b)
{
	uint64_t acc = 0;
	for (int i = 0; i < 6; i++)
		acc |= a->l[i] ^ b->l[i];
	return (~acc & (acc - 1)) >> 63;
}

void fp_cmov(fp *r, const fp *a, uint64_t bit)
{
	uint64_t mask = ct_mask_u64(bit);
	for (int i = 0; i < 6; i++)
		r->l[i] ^= (r->l[i] ^ a->l[i]) & mask;
}

/* Left-to-right sliding-window exponentiation (window 5, odd powers a, a^3, .., a^31):
 * about 380 squarings and 80 multiplications for a 381-bit exponent. Every branch and
 * table index depends on the public exponent only, so the time and memory access
 * pattern reveal nothing about a. */
static inline unsigned exp_bit(const uint64_t e[6], int i)
{
	return (unsigned)(e[i / 64] >> (i % 64)) & 1;
}

void fp_pow(fp *r, const fp *a, const uint64_t e[6])
{
	fp tab[16], a2, acc;
	tab[0] = *a;
	fp_sqr(&a2, a);
	for (int i = 1; i < 16; i++)
		fp_mul(&tab[i], &tab[i - 1], &a2);
	int i = 383;
	while (i >= 0 && !exp_bit(e, i))
		i--;
	if (i < 0) {
		*r = FP_ONE;
		return;
	}
	bool first = true;
	while (i >= 0) {
		if (!exp_bit(e, i)) {
			fp_sqr(&acc, &acc);
			i--;
			continue;
		}
		/* the longest window e[i..j] of at most 5 bits that ends in a 1 */
		int j = i - 4 < 0 ? 0 : i - 4;
		while (!exp_bit(e, j))
			j++;
		unsigned v = 0;
		for (int b = i; b >= j; b--)
			v = (v << 1) | exp_bit(e, b);
		if (first) {
			acc = tab[v >> 1];
			first = false;
		} else {
			for (int b = i; b >= j; b--)
				fp_sqr(&acc, &acc);
			fp_mul(&acc, &acc, &tab[v >> 1]);
		}
		i = j - 1;
	}
	*r = acc;
}

void fp_inv(fp *r, const fp *a)
{
	fp_pow(r, a, FP_EXP_P_MINUS_2);
}

/* p = 3 mod 4, so a^((p+1)/4) is a square root of every square a. */
uint64_t fp_sqrt(fp *r, const fp *a)
{
	fp s, c;
	fp_pow(&s, a, FP_EXP_SQRT);
	fp_sqr(&c, &s);
	*r = s;
	return fp_eq(&c, a);
}

uint64_t fp_is_square(const fp *a)
{
	fp s;
	fp_pow(&s, a, FP_EXP_LEGENDRE);
	return fp_eq(&s, &FP_ONE) | fp_is_zero(a);
}

void fp_to_raw(uint64_t out[6], const fp *a)
{
	static const fp one_raw = { { 1, 0, 0, 0, 0, 0 } };
	fp t;
	fp_mul(&t, a, &one_raw);
	memcpy(out, t.l, sizeof t.l);
}

void fp_from_raw(fp *r, const uint64_t in[6])
{
	fp t;
	memcpy(t.l, in, sizeof t.l);
	fp_mul(r, &t, &FP_R2);
}

uint64_t fp_sgn0(const fp *a)
{
	uint64_t t[6];
	fp_to_raw(t, a);
	return t[0] & 1;
}

uint64_t fp_is_lex_largest(const fp *a)
{
	uint64_t t[6], d[6];
	fp_to_raw(t, a);
	/* (p-1)/2 - t borrows exactly when t > (p-1)/2 */
	return sub6(d, FP_P_MINUS_1_HALF, t);
}

void fp_to_bytes(uint8_t out[48], const fp *a)
{
	uint64_t t[6];
	fp_to_raw(t, a);
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 8; j++)
			out[47 - 8 * i - j] = (uint8_t)(t[i] >> (8 * j));
}

static void load_be(uint64_t *out, const uint8_t *in, size_t limbs)
{
	for (size_t i = 0; i < limbs; i++) {
		uint64_t v = 0;
		for (size_t j = 0; j < 8; j++)
			v = (v << 8) | in[8 * (limbs - 1 - i) + j];
		out[i] = v;
	}
}

uint64_t fp_from_bytes(fp *r, const uint8_t in[48])
{
	uint64_t t[6], d[6];
	load_be(t, in, 6);
	uint64_t ok = sub6(d, t, FP_P); /* borrow <=> t < p */
	/* written in full either way (callers check ok): a masked merge into an
	 * uninitialised r would leave it undefined for valgrind */
	fp_from_raw(r, t);
	return ok;
}

void fp_from_bytes64_reduce(fp *r, const uint8_t in[64])
{
	fp hi = { { 0 } }, lo = { { 0 } }, a, b;
	/* both halves are 256-bit numbers, below p, so valid kernel inputs */
	load_be(hi.l, in, 4);
	load_be(lo.l, in + 32, 4);
	fp_mul(&a, &hi, &FP_R2_2POW256); /* hi * 2^256 * R */
	fp_mul(&b, &lo, &FP_R2);         /* lo * R */
	fp_add(r, &a, &b);
}
