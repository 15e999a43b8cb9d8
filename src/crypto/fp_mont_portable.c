/* Portable Montgomery multiplication for BLS12-381's Fp (fp_mont.h), CIOS method
 * (Koc, Acar, Kaliski, "Analyzing and Comparing Montgomery Multiplication
 * Algorithms", 1996): interleave one row of a*b with one reduction step per limb. */
#include <stdlib.h>
#include "crypto/arch.h"
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(SS_X86_CARRY_INTRINSICS)
#include <x86intrin.h>
#endif

#include "crypto/fp_mont.h"
#include "util/ct.h"

typedef unsigned __int128 u128;

const uint64_t FP_P[6] = {
	0xb9feffffffffaaabull, 0x1eabfffeb153ffffull, 0x6730d2a0f6b0f624ull,
	0x64774b84f38512bfull, 0x4b1ba7b6434bacd7ull, 0x1a0111ea397fe69aull,
};

bool fp_mont_asm;

/* Add and subtract with carry: the _addcarry_u64/_subborrow_u64 intrinsics where they
 * exist (compilers keep the carry in CF: one adc/sbb per limb), unsigned __int128
 * elsewhere. Both are plain C and branch-free. */
#if defined(SS_X86_CARRY_INTRINSICS)
static inline uint64_t adc64(uint64_t a, uint64_t b, unsigned char *c)
{
	unsigned long long r;
	*c = _addcarry_u64(*c, a, b, &r);
	return r;
}
static inline uint64_t sbb64(uint64_t a, uint64_t b, unsigned char *c)
{
	unsigned long long r;
	*c = _subborrow_u64(*c, a, b, &r);
	return r;
}
#else
static inline uint64_t adc64(uint64_t a, uint64_t b, unsigned char *c)
{
	u128 x = (u128)a + b + *c;
	*c = (unsigned char)(x >> 64);
	return (uint64_t)x;
}
static inline uint64_t sbb64(uint64_t a, uint64_t b, unsigned char *c)
{
	u128 x = (u128)a - b - *c;
	*c = (unsigned char)((x >> 64) & 1);
	return (uint64_t)x;
}
#endif

/* r = t - p if t >= p else t, without branching on t (t < 2p, 7 limbs with carry). */
static inline void final_sub(uint64_t r[6], const uint64_t t[6], uint64_t t_hi)
{
	uint64_t d[6];
	unsigned char borrow = 0;
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		d[i] = sbb64(t[i], FP_P[i], &borrow);
	/* keep t when the subtraction borrowed out of the 7th limb */
	uint64_t keep_t = ct_mask_u64((uint64_t)(borrow > t_hi)); /* borrow=1,t_hi=0 -> t < p */
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		r[i] = (t[i] & keep_t) | (d[i] & ~keep_t);
}

/* CIOS with the "no carry" refinement (Gnark's, ConsenSys/gnark-crypto, 2020): since
 * p's top limb is below 2^62, the running value t stays below 2p < 2^382 and the sum of
 * the two row carries A + C never overflows a word, so t needs no 7th and 8th limb.
 * Each round i adds a*b[i] (carry A) and m*p (carry C) in one pass and shifts by one
 * limb: t = (t + a*b[i] + m*p) / 2^64 with m = t[0]*n0 mod 2^64 chosen so the low word
 * vanishes. */
void fp_mul_mont_portable(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
	uint64_t t[6] = { 0 };
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++) {
		u128 x = (u128)a[0] * b[i] + t[0];
		uint64_t A = (uint64_t)(x >> 64);
		uint64_t t0 = (uint64_t)x;
		uint64_t m = t0 * FP_N0;
		u128 y = (u128)m * FP_P[0] + t0;
		uint64_t C = (uint64_t)(y >> 64);
#pragma GCC unroll 5
		for (int j = 1; j < 6; j++) {
			x = (u128)a[j] * b[i] + t[j] + A;
			A = (uint64_t)(x >> 64);
			y = (u128)m * FP_P[j] + (uint64_t)x + C;
			C = (uint64_t)(y >> 64);
			t[j - 1] = (uint64_t)y;
		}
		t[5] = C + A;
	}
	final_sub(r, t, 0);
}

void fp_sqr_mont_portable(uint64_t r[6], const uint64_t a[6])
{
	fp_mul_mont_portable(r, a, a);
}

/* Schoolbook 6x6-limb product, row by row. */
void fp_mul_wide_portable(uint64_t r[12], const uint64_t a[6], const uint64_t b[6])
{
	uint64_t t[12] = { 0 };
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++) {
		uint64_t c = 0;
#pragma GCC unroll 6
		for (int j = 0; j < 6; j++) {
			u128 x = (u128)a[j] * b[i] + t[i + j] + c;
			t[i + j] = (uint64_t)x;
			c = (uint64_t)(x >> 64);
		}
		t[i + 6] = c;
	}
	for (int i = 0; i < 12; i++)
		r[i] = t[i];
}

/* REDC(t) = (t_lo + M p) / 2^384 + t_hi: six reduction steps on the low half (after
 * each the value is below 2^320 + p, six limbs; it ends <= p), then the high half
 * (< p for t < pR) is added: < 2p, one conditional subtraction. */
void fp_redc_portable(uint64_t r[6], const uint64_t t[12])
{
	uint64_t u[6];
	for (int i = 0; i < 6; i++)
		u[i] = t[i];
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++) {
		/* u = (u + m p) / 2^64, m = u[0] n0: the low word cancels */
		uint64_t m = u[0] * FP_N0;
		u128 x = (u128)m * FP_P[0] + u[0];
		uint64_t c = (uint64_t)(x >> 64);
#pragma GCC unroll 5
		for (int j = 1; j < 6; j++) {
			x = (u128)m * FP_P[j] + u[j] + c;
			u[j - 1] = (uint64_t)x;
			c = (uint64_t)(x >> 64);
		}
		u[5] = c;
	}
	uint64_t s[6], c = 0;
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++) {
		u128 x = (u128)u[i] + t[6 + i] + c;
		s[i] = (uint64_t)x;
		c = (uint64_t)(x >> 64);
	}
	final_sub(r, s, c);
}

/* r = a + b mod p and r = a - b mod p, for fp2_mul_mont_portable only (the field code
 * has its own in fp.c). a, b < p < 2^381, so a + b does not carry out of 6 limbs. */
static inline void add_mod(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
	uint64_t t[6];
	unsigned char c = 0;
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		t[i] = adc64(a[i], b[i], &c);
	final_sub(r, t, c);
}

static inline void sub_mod(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
	uint64_t t[6];
	unsigned char borrow = 0, c = 0;
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		t[i] = sbb64(a[i], b[i], &borrow);
	uint64_t mask = ct_mask_u64((uint64_t)borrow); /* add p back when a < b */
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		r[i] = adc64(t[i], FP_P[i] & mask, &c);
}

/* Karatsuba: c0 = a0 b0 - a1 b1, c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1. */
void fp2_mul_mont_portable(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
	uint64_t t0[6], t1[6], s0[6], s1[6];
	fp_mul_mont_portable(t0, a, b);
	fp_mul_mont_portable(t1, a + 6, b + 6);
	add_mod(s0, a, a + 6);
	add_mod(s1, b, b + 6);
	fp_mul_mont_portable(s0, s0, s1);
	sub_mod(r, t0, t1);
	sub_mod(s0, s0, t0);
	sub_mod(r + 6, s0, t1);
}

/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u; a1 is read before r is written. */
void fp2_sqr_mont_portable(uint64_t *r, const uint64_t *a)
{
	uint64_t s[6], d[6], t[6];
	add_mod(s, a, a + 6);
	sub_mod(d, a, a + 6);
	add_mod(t, a, a);
	fp_mul_mont_portable(r + 6, t, a + 6);
	fp_mul_mont_portable(r, s, d);
}

/* CPUID leaf 7, sub-leaf 0, EBX: bit 8 = BMI2 (mulx), bit 19 = ADX (adcx, adox)
 * (Intel SDM vol. 2A, CPUID). Read directly: not every compiler's
 * __builtin_cpu_supports knows "adx". These are general-purpose-register instructions,
 * so no OS (XSAVE) support is involved. */
bool fp_mont_cpu_has_adx(void)
{
#if defined(__x86_64__)
	unsigned int eax, ebx, ecx, edx;
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return false;
	return (ebx & (1u << 8)) != 0 && (ebx & (1u << 19)) != 0;
#else
	return false;
#endif
}

void fp_mont_init(void)
{
#if defined(SS_HAVE_ADX_KERNEL)
	static bool done;
	if (done)
		return;
	done = true;
	const char *no_asm = getenv("SECURE_SIGNER_NO_ASM");
	if (no_asm != NULL && no_asm[0] != '\0' && no_asm[0] != '0')
		return;
	fp_mont_asm = fp_mont_cpu_has_adx();
#endif
}

bool fp_mont_using_asm(void)
{
	return fp_mont_asm;
}
