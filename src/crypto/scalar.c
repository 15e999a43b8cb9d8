/* Scalars modulo the group order r: the range check of secret keys. */
#include "crypto/bls_internal.h"

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
