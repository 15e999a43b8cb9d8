/* Decimal unsigned integers as Ethereum JSON carries them: strings of ASCII digits up
 * to 2^64-1 ("18446744073709551615"); no sign, no fraction, no exponent, no spaces. */
#ifndef SS_UTIL_DEC_H
#define SS_UTIL_DEC_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Longest decimal uint64 plus NUL. */
#define DEC_U64_MAX_CHARS 21

/* Parses s[0..len). SS_ERR_INVALID for an empty string or a non-digit, SS_ERR_RANGE for
 * a value above 2^64-1. Leading zeros are accepted ("007" = 7). *out unchanged on error. */
ss_err dec_parse_u64(const char *s, size_t len, uint64_t *out) SS_MUST_USE;

/* Writes v in decimal with a NUL into out (DEC_U64_MAX_CHARS bytes); returns length. */
size_t dec_format_u64(char out[DEC_U64_MAX_CHARS], uint64_t v);

#endif
