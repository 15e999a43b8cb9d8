/* Constant-time helpers (CONVENTIONS.md "Names": ct_ functions take 0/1 controls and
 * neither branch nor index on their inputs). */
#ifndef SS_UTIL_CT_H
#define SS_UTIL_CT_H

#include <stddef.h>
#include <stdint.h>

/* All ones when bit is 1, zero when bit is 0 (bit must be 0 or 1). The empty asm is a
 * value barrier, as blst's: it hides from the optimiser that bit is 0 or 1, so that the
 * mask, and whatever is selected with it, cannot be turned back into a branch on bit.
 * Every constant-time mask in the tree is made here. */
static inline uint64_t ct_mask_u64(uint64_t bit)
{
	__asm__("" : "+r"(bit));
	return 0 - bit;
}

/* 1 when x == 0, else 0. */
static inline uint64_t ct_is_zero_u64(uint64_t x)
{
	return ((~x & (x - 1)) >> 63);
}

/* 1 when a == b, else 0. */
static inline uint64_t ct_eq_u64(uint64_t a, uint64_t b)
{
	return ct_is_zero_u64(a ^ b);
}

/* bit ? a : b, for bit in {0,1}. */
static inline uint64_t ct_select_u64(uint64_t bit, uint64_t a, uint64_t b)
{
	uint64_t mask = ct_mask_u64(bit);
	return (a & mask) | (b & ~mask);
}

/* 1 when the n bytes at a and b are equal, else 0; time depends on n only. */
static inline int ct_memeq(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= (uint8_t)(x[i] ^ y[i]);
	return (int)ct_is_zero_u64(acc);
}

/* Copies src over dst when bit is 1, leaves dst when 0; n bytes, no branch on bit. */
static inline void ct_cmov(void *dst, const void *src, size_t n, uint64_t bit)
{
	uint8_t mask = (uint8_t)ct_mask_u64(bit);
	uint8_t *d = dst;
	const uint8_t *s = src;
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(d[i] ^ ((d[i] ^ s[i]) & mask));
}

#endif
