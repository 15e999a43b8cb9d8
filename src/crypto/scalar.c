/* Scalars modulo the group order r: the range check of secret keys. */
#include "crypto/bls_internal.h"
#include "util/secure_mem.h"

typedef unsigned __int128 u128;

/* a < r <=> a - r borrows; computed over all limbs without branching. */
uint64_t fr_is_valid(const uint64_t a[4])
{
	uint64_t borrow = 0;
	for (int i = 0; i < 4; i++) {
		u128 t = (u128)a[i] - FR_R[i] - borrow;
		borrow = (uint64_t)(t >> 64) & 1;
	}
	return borrow;
}

/* q = k div z, returns k mod z, for z = |x|: restoring binary long division, constant
 * time (the remainder stays below 2z < 2^65; subtraction is selected by mask). Used to
 * split secret scalars for the GLV/GLS endomorphisms. q may alias k. */
uint64_t fr_divrem_x_abs_ct(uint64_t q[4], const uint64_t k[4])
{
	const u128 z = BLS_X_ABS;
	u128 rem = 0;
	uint64_t out[4] = { 0, 0, 0, 0 };
	for (int i = 255; i >= 0; i--) {
		rem = (rem << 1) | ((k[i / 64] >> (i % 64)) & 1);
		u128 d = rem - z;
		uint64_t ge = 1 ^ (uint64_t)(d >> 127); /* rem >= z */
		uint64_t m = ct_mask_u64(ge);
		u128 mask = ((u128)m << 64) | m;
		rem = (d & mask) | (rem & ~mask);
		out[i / 64] |= ge << (i % 64);
	}
	for (int i = 0; i < 4; i++)
		q[i] = out[i];
	uint64_t r = (uint64_t)rem;
	secure_zero(out, sizeof out); /* digits of a secret scalar */
	return r;
}
