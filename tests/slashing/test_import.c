/* Interchange import/export: precise errors, all-or-nothing, merging, filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slash_test_util.h"
#include "test.h"
#include "util/hex.h"

#define GVR_HEX "0x1111111111111111111111111111111111111111111111111111111111111111"
#define PK_A "0xa1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0"
#define PK_B "0xb1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0"
#define ROOT1 "0x0100000000000000000000000000000000000000000000000000000000000000"
#define ROOT2 "0x0200000000000000000000000000000000000000000000000000000000000000"

#define DOC(gvr, data) "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":\"" gvr "\"},\"data\":[" data "]}"
#define ENTRY(pk, blocks, atts) "{\"pubkey\":\"" pk "\",\"signed_blocks\":[" blocks "],\"signed_attestations\":[" atts "]}"
#define BLOCK(slot, root) "{\"slot\":\"" slot "\",\"signing_root\":\"" root "\"}"
#define ATT(s, t, root) "{\"source_epoch\":\"" s "\",\"target_epoch\":\"" t "\",\"signing_root\":\"" root "\"}"

typedef struct {
	char dir[256];
	slash_db *db;
	uint8_t gvr[32], a[48], b[48];
} fixture;

static bool setup(fixture *f)
{
	memset(f, 0, sizeof *f);
	if (hex_decode(f->gvr, 32, GVR_HEX, strlen(GVR_HEX), HEX_PREFIX_REQUIRED) != SS_OK ||
	    hex_decode(f->a, 48, PK_A, strlen(PK_A), HEX_PREFIX_REQUIRED) != SS_OK ||
	    hex_decode(f->b, 48, PK_B, strlen(PK_B), HEX_PREFIX_REQUIRED) != SS_OK || !tdb_mkdir(f->dir))
		return false;
	f->db = tdb_open(f->dir);
	return f->db != NULL;
}

static void teardown(fixture *f)
{
	slash_close(f->db);
	tdb_rmdir(f->dir);
}

static ss_err import(fixture *f, const char *doc, slash_reason *why)
{
	return slash_import_interchange(f->db, doc, strlen(doc), NULL, 0, why);
}

/* The export, or "" when nothing is pinned; caller frees. */
static char *snapshot(fixture *f)
{
	char *out = NULL;
	ss_err err = slash_export_interchange(f->db, NULL, 0, &out);
	if (err == SS_ERR_NOT_FOUND)
		return strdup("");
	CHECK(err == SS_OK);
	return out ? out : strdup("?");
}

/* Imports a bad document: the error code and a message fragment must match, and the
 * store must be exactly as before. */
static void expect_rejected(fixture *f, const char *doc, ss_err code, const char *fragment)
{
	char *before = snapshot(f);
	slash_reason why = { "" };
	ss_err err = import(f, doc, &why);
	CHECK_MSG(err == code, "expected %s, got %s (%s)", ss_strerror(code), ss_strerror(err), why.message);
	CHECK_MSG(strstr(why.message, fragment) != NULL, "message \"%s\" lacks \"%s\"", why.message, fragment);
	char *after = snapshot(f);
	CHECK_MSG(strcmp(before, after) == 0, "a failed import changed the store");
	free(before);
	free(after);
}

static const char *good = DOC(GVR_HEX, ENTRY(PK_A, BLOCK("10", ROOT1), ATT("2", "3", ROOT1)));

TEST(import_errors_are_precise_and_change_nothing)
{
	fixture f;
	if (!setup(&f))
		return;
	/* on an empty store (nothing pinned), then on one with history */
	for (int round = 0; round < 2; round++) {
		expect_rejected(&f, "{\"metadata\": {", SS_ERR_INVALID, "malformed JSON at line 1");
		expect_rejected(&f, "[]", SS_ERR_INVALID, "must be a JSON object");
		expect_rejected(&f, "{\"data\":[]}", SS_ERR_INVALID, "metadata");
		expect_rejected(&f,
				"{\"metadata\":{\"interchange_format_version\":\"4\",\"genesis_validators_root\":\"" GVR_HEX
				"\"},\"data\":[]}",
				SS_ERR_UNSUPPORTED, "interchange_format_version");
		expect_rejected(&f, DOC("0x11", ""), SS_ERR_INVALID, "metadata.genesis_validators_root");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, BLOCK("10", ROOT1), "") "," ENTRY("0x12", "", "")),
				SS_ERR_INVALID, "data[1].pubkey");
		/* a key given twice is ambiguous: which value counts? */
		expect_rejected(&f, DOC(GVR_HEX, "{\"pubkey\":\"" PK_A "\",\"pubkey\":\"" PK_B "\",\"signed_blocks\":[],\"signed_attestations\":[]}"),
				SS_ERR_INVALID, "duplicate object key");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, "{\"slot\":\"10\",\"slot\":\"11\"}", "")), SS_ERR_INVALID,
				"duplicate object key");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, BLOCK("18446744073709551616", ROOT1), "")),
				SS_ERR_RANGE, "data[0].signed_blocks[0].slot");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, "", ATT("-1", "3", ROOT1))), SS_ERR_INVALID,
				"data[0].signed_attestations[0].source_epoch");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, "{\"slot\":10}", "")), SS_ERR_INVALID,
				"data[0].signed_blocks[0].slot: must be a string");
		expect_rejected(&f, DOC(GVR_HEX, "{\"pubkey\":\"" PK_A "\",\"signed_blocks\":[]}"),
				SS_ERR_INVALID, "data[0]: missing \"signed_attestations\"");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, BLOCK("1", "0x01"), "")), SS_ERR_INVALID,
				"data[0].signed_blocks[0].signing_root");
		/* slashable within the file: an earlier valid entry must not stay behind */
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_B, BLOCK("5", ROOT1), "") "," ENTRY(PK_A, BLOCK("50", ROOT1) "," BLOCK("50", ROOT2), "")),
				SS_ERR_REFUSED, "data[1].signed_blocks[1]: slashable");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, "", ATT("20", "30", ROOT1)) "," ENTRY(PK_A, "", ATT("21", "29", ROOT1))),
				SS_ERR_REFUSED, "data[1].signed_attestations[0]: slashable");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, "", ATT("20", "30", ROOT1) "," ATT("21", "30", ROOT1))),
				SS_ERR_REFUSED, "double vote");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, "", ATT("31", "30", ROOT1))), SS_ERR_REFUSED,
				"source epoch 31 is greater than target epoch 30");
		expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, "{\"slot\":\"10\"}" "," BLOCK("10", ROOT1), "") "," ENTRY(PK_A, BLOCK("11", ROOT1) "," BLOCK("11", ROOT2), "")),
				SS_ERR_REFUSED, "data[1].signed_blocks[1]");
		if (round == 0) {
			bool pinned = true;
			uint8_t g[32];
			CHECK(slash_get_gvr(f.db, g, &pinned) == SS_OK && !pinned);
			slash_reason why;
			CHECK_MSG(import(&f, good, &why) == SS_OK, "%s", why.message);
		}
	}
	/* slashable against the stored history (the good import above) */
	expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, BLOCK("10", ROOT2), "")), SS_ERR_REFUSED,
			"data[0].signed_blocks[0]: slashable");
	expect_rejected(&f, DOC(GVR_HEX, ENTRY(PK_A, "", ATT("1", "4", ROOT2))), SS_ERR_REFUSED, "surround");
	expect_rejected(&f,
			DOC("0x2222222222222222222222222222222222222222222222222222222222222222",
			    ENTRY(PK_A, BLOCK("11", ROOT1), "")),
			SS_ERR_REFUSED, "genesis_validators_root");
	teardown(&f);
}

TEST(import_merges_duplicates_and_is_idempotent)
{
	fixture f;
	if (!setup(&f))
		return;
	const char *dup = DOC(GVR_HEX, ENTRY(PK_A, BLOCK("10", ROOT1) "," BLOCK("10", ROOT1) ",{\"slot\":\"12\"}",
					     ATT("2", "3", ROOT1)) "," ENTRY(PK_A, BLOCK("10", ROOT1), ATT("2", "3", ROOT1) ",{\"source_epoch\":\"3\",\"target_epoch\":\"4\"}"));
	slash_reason why;
	CHECK_MSG(import(&f, dup, &why) == SS_OK, "%s", why.message);
	char *one = snapshot(&f);
	CHECK_MSG(import(&f, dup, &why) == SS_OK, "%s", why.message);
	char *two = snapshot(&f);
	CHECK(strcmp(one, two) == 0);
	free(one);
	free(two);
	uint8_t r1[32] = { 1 }, r2[32] = { 2 };
	CHECK(slash_check_block(f.db, f.a, f.gvr, 10, r1, NULL) == SLASH_ALLOWED);  /* identical */
	CHECK(slash_check_block(f.db, f.a, f.gvr, 12, r1, NULL) == SLASH_REFUSED);  /* no root: any */
	CHECK(slash_check_block(f.db, f.a, f.gvr, 11, r2, NULL) == SLASH_ALLOWED);  /* gap */
	CHECK(slash_check_block(f.db, f.a, f.gvr, 9, r2, NULL) == SLASH_REFUSED);   /* below history */
	CHECK(slash_check_attestation(f.db, f.a, f.gvr, 3, 4, r1, NULL) == SLASH_REFUSED);
	CHECK(slash_check_attestation(f.db, f.a, f.gvr, 4, 5, r1, NULL) == SLASH_ALLOWED);
	/* "signing_root": null reads as absent */
	CHECK(import(&f, DOC(GVR_HEX, ENTRY(PK_A, "{\"slot\":\"30\",\"signing_root\":null}", "")), &why) == SS_OK);
	CHECK(slash_check_block(f.db, f.a, f.gvr, 30, r1, NULL) == SLASH_REFUSED);
	/* an imported record without root replaces a known root: the stronger protection */
	CHECK(import(&f, DOC(GVR_HEX, ENTRY(PK_A, "{\"slot\":\"10\"}", "")), &why) == SS_OK);
	CHECK(slash_check_block(f.db, f.a, f.gvr, 10, r1, NULL) == SLASH_REFUSED);
	teardown(&f);
}

/* The largest uint64 values are valid and survive the round trip exactly. */
TEST(import_max_values)
{
	fixture f;
	if (!setup(&f))
		return;
	const char *doc = DOC(GVR_HEX, ENTRY(PK_A, BLOCK("18446744073709551615", ROOT1),
					     ATT("18446744073709551614", "18446744073709551615", ROOT1)));
	slash_reason why;
	CHECK_MSG(import(&f, doc, &why) == SS_OK, "%s", why.message);
	char *out = snapshot(&f);
	CHECK(strstr(out, "\"18446744073709551615\"") != NULL && strstr(out, "\"18446744073709551614\"") != NULL);
	free(out);
	uint8_t r1[32] = { 1 }, r2[32] = { 2 };
	CHECK(slash_check_block(f.db, f.a, f.gvr, UINT64_MAX, r1, NULL) == SLASH_ALLOWED);
	CHECK(slash_check_block(f.db, f.a, f.gvr, UINT64_MAX, r2, NULL) == SLASH_REFUSED);
	CHECK(slash_check_block(f.db, f.a, f.gvr, UINT64_MAX - 1, r2, NULL) == SLASH_REFUSED);
	CHECK(slash_check_attestation(f.db, f.a, f.gvr, UINT64_MAX - 1, UINT64_MAX, r1, NULL) == SLASH_ALLOWED);
	teardown(&f);
}

TEST(import_and_export_filters)
{
	fixture f;
	if (!setup(&f))
		return;
	const char *both = DOC(GVR_HEX, ENTRY(PK_A, BLOCK("10", ROOT1), "") "," ENTRY(PK_B, BLOCK("20", ROOT1), ""));
	slash_reason why;
	CHECK_MSG(slash_import_interchange(f.db, both, strlen(both), (const uint8_t(*)[48])f.b, 1, &why) == SS_OK,
		  "%s", why.message);
	char *all = snapshot(&f);
	CHECK(strstr(all, PK_B) != NULL && strstr(all, PK_A) == NULL);
	free(all);
	CHECK(import(&f, both, &why) == SS_OK);
	char *only_a = NULL;
	CHECK(slash_export_interchange(f.db, (const uint8_t(*)[48])f.a, 1, &only_a) == SS_OK);
	CHECK(only_a != NULL && strstr(only_a, PK_A) != NULL && strstr(only_a, PK_B) == NULL);
	CHECK(only_a != NULL && strstr(only_a, "\"interchange_format_version\": \"5\"") != NULL);
	free(only_a);
	teardown(&f);
}

/* Random histories survive export -> import -> export unchanged, and the copy refuses
 * exactly what the original refuses. */
TEST(export_import_round_trip)
{
	fixture f, g;
	if (!setup(&f))
		return;
	if (!setup(&g)) {
		teardown(&f);
		return;
	}
	uint64_t seed = 0x1234567;
	unsigned recorded = 0;
	for (int i = 0; i < 400; i++) {
		uint8_t pk[48], root[32];
		tdb_key(pk, (unsigned)(tdb_rand(&seed) % 5));
		tdb_root(root, tdb_rand(&seed) % 3);
		uint64_t s = tdb_rand(&seed) % 60, t = s + tdb_rand(&seed) % 4;
		slash_decision d = tdb_rand(&seed) % 2 ? slash_check_block(f.db, pk, f.gvr, s * 3, root, NULL)
						       : slash_check_attestation(f.db, pk, f.gvr, s, t, root, NULL);
		CHECK(d != SLASH_ERROR);
		recorded += d == SLASH_ALLOWED;
	}
	/* an empty history would round-trip trivially */
	CHECK_MSG(recorded >= 20, "only %u messages recorded", recorded);
	char *one = snapshot(&f), *two;
	slash_reason why;
	CHECK_MSG(import(&g, one, &why) == SS_OK, "%s", why.message);
	two = snapshot(&g);
	CHECK(strcmp(one, two) == 0);
	for (int i = 0; i < 300; i++) {
		uint8_t pk[48], root[32];
		tdb_key(pk, (unsigned)(tdb_rand(&seed) % 5));
		tdb_root(root, tdb_rand(&seed) % 3);
		uint64_t s = tdb_rand(&seed) % 70, t = s + tdb_rand(&seed) % 4;
		slash_decision a = slash_check_attestation(f.db, pk, f.gvr, s, t, root, NULL);
		slash_decision b = slash_check_attestation(g.db, pk, g.gvr, s, t, root, NULL);
		/* both erroring would also be equal */
		CHECK_MSG(a == b && a != SLASH_ERROR, "original %d and copy %d on (%llu, %llu)", a, b,
			  (unsigned long long)s, (unsigned long long)t);
	}
	free(one);
	free(two);
	teardown(&f);
	teardown(&g);
}

TEST(import_never_lowers_pruned_watermark)
{
	fixture f;
	if (!setup(&f))
		return;
	for (uint64_t e = 100; e < 200; e++)
		CHECK(slash_check_attestation(f.db, f.a, f.gvr, e, e + 1, f.gvr, NULL) == SLASH_ALLOWED);
	CHECK(slash_prune(f.db, 10, 32, NULL) == SS_OK);
	slash_reason why;
	CHECK_MSG(import(&f, DOC(GVR_HEX, ENTRY(PK_A, "", ATT("2", "3", ROOT1))), &why) == SS_OK, "%s",
		  why.message);
	uint8_t r[32] = { 9 };
	CHECK(slash_check_attestation(f.db, f.a, f.gvr, 150, 151, r, NULL) == SLASH_REFUSED);
	CHECK(slash_check_attestation(f.db, f.a, f.gvr, 3, 4, r, NULL) == SLASH_REFUSED);
	teardown(&f);
}
