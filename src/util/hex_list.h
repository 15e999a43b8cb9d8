/* A comma-separated list of fixed-size hex items ("0xab…,0xcd…"), as operators give
 * validator keys: `slashing export --pubkeys` and GET /api/v1/eth2/slashing-protection
 * ?pubkey= read the same syntax through this one parser. */
#ifndef SS_UTIL_HEX_LIST_H
#define SS_UTIL_HEX_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Decodes every item of list (each exactly item_len bytes of hex, "0x" optional) into
 * *out, malloc'ed, n * item_len bytes; the caller frees it. An empty list or an empty
 * item is an error. SS_ERR_INVALID with *bad and *bad_len naming the first item that is
 * not item_len bytes of hex (a slice of list, for the caller's message), SS_ERR_NOMEM;
 * on error *out is NULL. Public data only. */
ss_err hex_decode_list(const char *list, size_t item_len, uint8_t **out, size_t *n,
		       const char **bad, size_t *bad_len) SS_MUST_USE;

#endif
