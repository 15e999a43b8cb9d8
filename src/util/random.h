/* Randomness from the kernel (getrandom(2), blocking until the pool is initialised),
 * the only source for keys, seeds, tokens and batch-verification scalars. */
#ifndef SS_UTIL_RANDOM_H
#define SS_UTIL_RANDOM_H

#include <stddef.h>

#include "util/error.h"

/* Fills out with n random bytes, retrying short reads and EINTR; SS_ERR_IO when the
 * kernel refuses (out is wiped then). */
ss_err random_bytes(void *out, size_t n) SS_MUST_USE;

#endif
