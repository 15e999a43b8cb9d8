/* Which arithmetic the build uses. On x86-64 the carry chains use the
 * _addcarry_u64/_subborrow_u64 intrinsics and the Fp kernels may use the ADX assembly;
 * every other architecture gets plain C with unsigned __int128. -DSS_GENERIC_C
 * (cmake -DSS_GENERIC_C=ON) forces the plain C on x86-64 too, so CI builds and tests the
 * code other architectures compile (`make test-generic`) and it cannot rot unseen. */
#ifndef SS_CRYPTO_ARCH_H
#define SS_CRYPTO_ARCH_H

#if defined(__x86_64__) && !defined(SS_GENERIC_C)
#define SS_X86_CARRY_INTRINSICS 1
#endif

#endif
