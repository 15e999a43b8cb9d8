/* hex_list.h: a comma-separated list of fixed-size hex items. */
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/hex_list.h"

ss_err hex_decode_list(const char *list, size_t item_len, uint8_t **out, size_t *n,
		       const char **bad, size_t *bad_len)
{
	*n = 0;
	*bad = NULL;
	*bad_len = 0;
	size_t cap = 1;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	*out = calloc(cap, item_len);
	if (*out == NULL)
		return SS_ERR_NOMEM;
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		if (hex_decode(*out + *n * item_len, item_len, p, len, HEX_PREFIX_OPTIONAL) != SS_OK) {
			free(*out);
			*out = NULL;
			*n = 0;
			*bad = p;
			*bad_len = len;
			return SS_ERR_INVALID;
		}
		(*n)++;
		p += len;
		if (*p == '\0')
			return SS_OK;
	}
}
