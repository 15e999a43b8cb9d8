/* util/hex_list.h: the comma list of keys that `slashing export --pubkeys` and
 * GET /api/v1/eth2/slashing-protection?pubkey= share. */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util/hex_list.h"

TEST(list_decodes_in_order_with_or_without_prefix)
{
	uint8_t *v = NULL;
	size_t n = 0, bad_len = 1;
	const char *bad = "";
	CHECK(hex_decode_list("0x0102,a0B0,0xffee", 2, &v, &n, &bad, &bad_len) == SS_OK);
	CHECK_EQ_U64(n, 3);
	static const uint8_t want[] = { 0x01, 0x02, 0xa0, 0xb0, 0xff, 0xee };
	CHECK(v != NULL && memcmp(v, want, sizeof want) == 0);
	CHECK(bad == NULL && bad_len == 0);
	free(v);
	CHECK(hex_decode_list("0xabcd", 2, &v, &n, &bad, &bad_len) == SS_OK);
	CHECK(n == 1 && v[0] == 0xab && v[1] == 0xcd);
	free(v);
}

TEST(list_names_the_first_bad_item)
{
	static const struct {
		const char *list, *bad;
	} cases[] = {
		{ "0x0102,0x12,0x0304", "0x12" },  /* too short */
		{ "0x0102,0x010203", "0x010203" }, /* too long */
		{ "0x0102,zz00", "zz00" },         /* not hex */
		{ "0x0102,,0x0304", "" },          /* empty item */
		{ "0x0102,", "" },                 /* trailing comma */
		{ "", "" },                        /* empty list */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t *v = (uint8_t *)"not set";
		size_t n = 9, bad_len = 0;
		const char *bad = NULL;
		CHECK_MSG(hex_decode_list(cases[i].list, 2, &v, &n, &bad, &bad_len) ==
				  SS_ERR_INVALID, "case %zu", i);
		CHECK_MSG(v == NULL && n == 0, "case %zu: nothing returned", i);
		CHECK_MSG(bad && bad_len == strlen(cases[i].bad) &&
				  strncmp(bad, cases[i].bad, bad_len) == 0,
			  "case %zu: %.*s", i, (int)bad_len, bad ? bad : "");
	}
}
