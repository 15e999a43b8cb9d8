/* The 38 EIP-3076 interchange tests (eth-clients/slashing-protection-interchange-tests
 * v5.3.0) with the runner semantics of ../shared/vectors/README.md §1. We keep complete
 * history, so each attempt must match should_succeed_complete. An import of a step with
 * contains_slashable_data may be refused; the rest of that test is then skipped, as the
 * README allows. Every test additionally checks that export -> import into an empty
 * store -> export reproduces the same interchange.
 *
 * `test_slashing_vectors single_validator_resign_block` runs one case. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slash_test_util.h"
#include "test.h"
#include "util/dec.h"
#include "util/hex.h"
#include "vectors.h"

#define VECTOR_DIR "eip3076-slashing-protection/tests/generated"

/* How much of the suite ran: attempts checked, and tests ended early because we
 * refused a slashable import (README §1 rule 3). */
static unsigned n_attempts, n_refused_imports;

static bool hex_field(json_t *obj, const char *key, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) &&
	       hex_decode(out, n, json_string_value(v), json_string_length(v), HEX_PREFIX_REQUIRED) == SS_OK;
}

static bool u64_field(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) && dec_parse_u64(json_string_value(v), json_string_length(v), out) == SS_OK;
}

/* Attempts one block or attestation; true when our decision matches the vector. */
static bool attempt(const char *name, size_t step, slash_db *db, const uint8_t gvr[32], json_t *item,
		    bool is_block, size_t idx)
{
	uint8_t pk[SLASH_PUBKEY_BYTES], root[SLASH_ROOT_BYTES];
	uint64_t a = 0, b = 0;
	json_t *expect = json_object_get(item, "should_succeed_complete");
	bool ok = hex_field(item, "pubkey", pk, sizeof pk) && hex_field(item, "signing_root", root, sizeof root) &&
		  json_is_boolean(expect);
	ok = ok && (is_block ? u64_field(item, "slot", &a)
			     : u64_field(item, "source_epoch", &a) && u64_field(item, "target_epoch", &b));
	if (!ok) {
		CHECK_MSG(false, "%s: step %zu item %zu: unreadable vector", name, step, idx);
		return false;
	}
	slash_reason why;
	slash_decision d = is_block ? slash_check_block(db, pk, gvr, a, root, &why)
				    : slash_check_attestation(db, pk, gvr, a, b, root, &why);
	bool want = json_is_true(expect);
	n_attempts++;
	CHECK_MSG(d != SLASH_ERROR, "%s: step %zu: store error: %s", name, step, why.message);
	CHECK_MSG((d == SLASH_ALLOWED) == want, "%s: step %zu %s %zu (%llu, %llu): expected %s, got %s (%s)",
		  name, step, is_block ? "block" : "attestation", idx, (unsigned long long)a,
		  (unsigned long long)b, want ? "allowed" : "refused",
		  d == SLASH_ALLOWED ? "allowed" : "refused", why.message);
	return d != SLASH_ERROR && (d == SLASH_ALLOWED) == want;
}

/* export -> fresh store -> import -> export: the two exports must be equal. */
static bool round_trip(const char *name, slash_db *db, const uint8_t gvr[32])
{
	char *first = NULL, *second = NULL, dir[256];
	ss_err err = slash_export_interchange(db, NULL, 0, &first);
	if (err != SS_OK) {
		CHECK_MSG(false, "%s: export: %s", name, ss_strerror(err));
		return false;
	}
	bool ok = false;
	if (tdb_mkdir(dir)) {
		slash_db *copy = tdb_open(dir);
		slash_reason why = { "" };
		if (copy != NULL && slash_pin_gvr(copy, gvr) == SS_OK &&
		    slash_import_interchange(copy, first, strlen(first), NULL, 0, &why) == SS_OK &&
		    slash_export_interchange(copy, NULL, 0, &second) == SS_OK)
			ok = strcmp(first, second) == 0;
		CHECK_MSG(ok, "%s: export/import round trip differs (%s)", name, why.message);
		slash_close(copy);
		tdb_rmdir(dir);
	}
	free(first);
	free(second);
	return ok;
}

static bool run_steps(const char *name, json_t *root, slash_db *db, const uint8_t gvr[32], bool *stopped)
{
	json_t *steps = json_object_get(root, "steps");
	bool passed = json_is_array(steps);
	for (size_t s = 0; passed && s < json_array_size(steps); s++) {
		json_t *step = json_array_get(steps, s);
		bool should = json_is_true(json_object_get(step, "should_succeed"));
		bool slashable = json_is_true(json_object_get(step, "contains_slashable_data"));
		char *text = json_dumps(json_object_get(step, "interchange"), JSON_COMPACT);
		slash_reason why = { "" };
		ss_err err = text ? slash_import_interchange(db, text, strlen(text), NULL, 0, &why) : SS_ERR_NOMEM;
		free(text);
		if (!should) {
			CHECK_MSG(err != SS_OK, "%s: step %zu: import should have failed", name, s);
			passed = err != SS_OK;
		} else if (err != SS_OK) {
			/* README §1 rule 3: refusing slashable data ends the test */
			CHECK_MSG(slashable, "%s: step %zu: import failed: %s (%s)", name, s,
				  ss_strerror(err), why.message);
			*stopped = true;
			n_refused_imports++;
			return slashable;
		}
		json_t *blocks = json_object_get(step, "blocks"), *atts = json_object_get(step, "attestations");
		for (size_t i = 0; i < json_array_size(blocks); i++)
			passed &= attempt(name, s, db, gvr, json_array_get(blocks, i), true, i);
		for (size_t i = 0; i < json_array_size(atts); i++)
			passed &= attempt(name, s, db, gvr, json_array_get(atts, i), false, i);
	}
	return passed;
}

static bool run_case(const char *name, json_t *root, void *ctx)
{
	int *count = ctx;
	uint8_t gvr[32];
	char dir[256];
	(*count)++;
	if (!hex_field(root, "genesis_validators_root", gvr, sizeof gvr)) {
		CHECK_MSG(false, "%s: no genesis_validators_root", name);
		return false;
	}
	if (!tdb_mkdir(dir))
		return false;
	slash_db *db = tdb_open(dir);
	bool passed = false, stopped = false;
	/* README §1 rule 1: an empty database bound to the test's root */
	if (db != NULL && slash_pin_gvr(db, gvr) == SS_OK) {
		passed = run_steps(name, root, db, gvr, &stopped);
		if (passed)
			passed = round_trip(name, db, gvr);
	}
	slash_close(db);
	tdb_rmdir(dir);
	return passed;
}

TEST(eip3076_interchange)
{
	if (!vectors_require())
		return;
	int count = 0;
	int ran = vectors_for_each_file(VECTOR_DIR, run_case, &count);
	printf("%u signing attempts checked; %u tests ended at a refused slashable import\n", n_attempts,
	       n_refused_imports);
	if (test_selected_case() == NULL)
		CHECK_MSG(ran == 38, "expected the 38 EIP-3076 tests, ran %d", ran);
	else
		CHECK_MSG(ran == 1, "no EIP-3076 test named %s", test_selected_case());
}
