/* Test support for constant-time checks under valgrind memcheck (CONVENTIONS.md
 * "Secrets"). CT_SECRET marks a buffer as undefined, so memcheck reports every
 * conditional jump or memory index that depends on it; CT_PUBLIC declassifies a value
 * the algorithm is allowed to reveal (a public key, a signature). Outside valgrind
 * both are no-ops costing a few instructions. */
#ifndef SS_UTIL_CT_CHECK_H
#define SS_UTIL_CT_CHECK_H

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define SS_HAVE_MEMCHECK 1
#endif
#endif

#ifdef SS_HAVE_MEMCHECK
#define CT_SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define CT_PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#define CT_UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#else
#define CT_SECRET(p, n) ((void)(p), (void)(n))
#define CT_PUBLIC(p, n) ((void)(p), (void)(n))
#define CT_UNDER_VALGRIND() 0
#endif

#endif
