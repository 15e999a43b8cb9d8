/* Fuzz target for util/hex_list.h hex_decode_list, the key list of `slashing export
 * --pubkeys` and GET /api/v1/eth2/slashing-protection?pubkey=. The first byte picks the
 * item size (1..8 bytes), the rest up to a NUL is the list. Beyond "no crash": an
 * accepted list has one item per comma-separated slice and each item re-encodes to its
 * slice (up to case and "0x"); a refused one names a slice of the list that is not an
 * item, and returns nothing. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/hex_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t item = (size_t)(data[0] % 8) + 1;
	char *list = malloc(size);
	if (!list)
		return 0;
	memcpy(list, data + 1, size - 1);
	list[size - 1] = '\0';
	uint8_t *v = NULL;
	size_t n = 0, bad_len = 0;
	const char *bad = NULL;
	ss_err e = hex_decode_list(list, item, &v, &n, &bad, &bad_len);
	if (e == SS_OK) {
		const char *p = list;
		char enc[2 * 8 + 1];
		for (size_t i = 0; i < n; i++) {
			size_t len = strcspn(p, ",");
			const char *digits = p + len - 2 * item;
			hex_encode(enc, v + i * item, item, false);
			if (len < 2 * item || bad != NULL)
				abort();
			for (size_t k = 0; k < 2 * item; k++)
				if (enc[k] != tolower((unsigned char)digits[k]))
					abort();
			p += len;
			if ((*p == '\0') != (i + 1 == n))
				abort();
			p += *p == ',';
		}
		free(v);
	} else if (e == SS_ERR_INVALID) {
		if (v != NULL || n != 0 || bad < list || bad > list + strlen(list) ||
		    bad_len != strcspn(bad, ",") || (bad != list && bad[-1] != ','))
			abort();
		uint8_t one[8];
		if (hex_decode(one, item, bad, bad_len, HEX_PREFIX_OPTIONAL) == SS_OK)
			abort();
	} else if (e != SS_ERR_NOMEM) {
		abort();
	}
	free(list);
	return 0;
}
