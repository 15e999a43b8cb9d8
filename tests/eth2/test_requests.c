/* Request decoding: every sample request (requests.c) is valid, and every field of
 * every one is mutated — removed, wrong hex length, no 0x, bad digit, negative, float,
 * JSON number, out of range, empty — and each mutation must be refused with an error
 * naming exactly that field, leaving the output zeroed. Plus the request-level rules:
 * type names, version tags, signingRoot spellings, fork rules, list limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth2/eth2.h"
#include "requests.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

static const eth2_network *mainnet(void)
{
	return eth2_network_builtin("mainnet");
}

static ss_err parse_json(const json_t *req, eth2_signing_request *out, eth2_error *err)
{
	char *body = json_dumps(req, JSON_COMPACT);
	ss_err e = eth2_parse_signing_request(mainnet(), body, strlen(body), out, err);
	free(body);
	return e;
}

static bool zeroed(const eth2_signing_request *r)
{
	static const eth2_signing_request z;
	return memcmp(r, &z, sizeof z) == 0;
}

TEST(samples_are_valid)
{
	for (const sample_request *s = sample_requests; s->name; s++) {
		json_t *req = s->make();
		CHECK_MSG(req != NULL, "%s: cannot build", s->name);
		eth2_signing_request out;
		eth2_error err;
		ss_err e = parse_json(req, &out, &err);
		CHECK_MSG(e == SS_OK, "%s: %s: %s", s->name, err.field, err.message);
		json_decref(req);
	}
}

/* ---- Field mutations ---------------------------------------------------------------- */

typedef struct {
	const char *sample;
	int mutations;
	int failures;
} walk_ctx;

/* Replaces the value at (parent, key|index) with v (stolen), or removes it when v is NULL. */
static void replace(json_t *parent, const char *key, size_t index, json_t *v)
{
	if (key) {
		if (v)
			json_object_set_new(parent, key, v);
		else
			json_object_del(parent, key);
	} else {
		json_array_set_new(parent, index, v);
	}
}

static void expect_refused(walk_ctx *w, json_t *root, const char *path, const char *what,
			   ss_err want_code)
{
	eth2_signing_request out;
	eth2_error err;
	memset(&out, 0xAA, sizeof out);
	ss_err e = parse_json(root, &out, &err);
	w->mutations++;
	bool ok = e != SS_OK && strcmp(err.field, path) == 0 && zeroed(&out) &&
		  err.message[0] != '\0' && (want_code == SS_OK || e == want_code);
	if (!ok) {
		w->failures++;
		CHECK_MSG(false, "%s: %s %s: got %s (field '%s': %s)", w->sample, path, what,
			  ss_strerror(e), err.field, err.message);
	}
	test_count_case(ok);
}

static bool is_bitlist(const char *path, const char *key)
{
	return key && strcmp(key, "aggregation_bits") == 0 && strstr(path, "contribution") == NULL;
}

/* Mutates the scalar at (parent, key|index), whose JSON path is `path`. */
static void mutate_leaf(walk_ctx *w, json_t *root, json_t *parent, const char *key,
			size_t index, const char *path)
{
	json_t *orig = json_incref(key ? json_object_get(parent, key) : json_array_get(parent, index));
	const char *s = json_string_value(orig);
	if (s == NULL) {
		json_decref(orig);
		return;
	}
	size_t len = strlen(s);
	if (key) { /* removed (array elements are positional, not removable fields) */
		replace(parent, key, 0, NULL);
		expect_refused(w, root, path, "removed", SS_ERR_INVALID);
		replace(parent, key, 0, json_incref(orig));
	}
	char buf[8192];
	if (len >= 2 && s[0] == '0' && s[1] == 'x' && len + 3 < sizeof buf) {
		snprintf(buf, sizeof buf, "%s00", s); /* one byte too long / no delimiter */
		replace(parent, key, index, json_string(buf));
		expect_refused(w, root, path, "one byte longer", SS_OK);
		if (!is_bitlist(path, key) && len > 2) {
			snprintf(buf, sizeof buf, "%.*s", (int)(len - 2), s); /* one byte short */
			replace(parent, key, index, json_string(buf));
			expect_refused(w, root, path, "one byte shorter", SS_ERR_INVALID);
		}
		snprintf(buf, sizeof buf, "%s", s + 2); /* no prefix */
		replace(parent, key, index, json_string(buf));
		expect_refused(w, root, path, "without 0x", SS_ERR_INVALID);
		snprintf(buf, sizeof buf, "0x%.*szz", (int)(len - 4 > len ? 0 : len - 4), s + 2);
		replace(parent, key, index, json_string(buf));
		expect_refused(w, root, path, "with a bad digit", SS_ERR_INVALID);
		snprintf(buf, sizeof buf, "%s0", s); /* odd digit count */
		replace(parent, key, index, json_string(buf));
		expect_refused(w, root, path, "with an odd digit count", SS_OK);
	} else if (len > 0 && s[0] >= '0' && s[0] <= '9') {
		static const struct {
			const char *v;
			ss_err code;
			const char *what;
		} bad[] = {
			{ "-1", SS_ERR_INVALID, "negative" },
			{ "1.5", SS_ERR_INVALID, "a fraction" },
			{ "1e3", SS_ERR_INVALID, "an exponent" },
			{ "", SS_ERR_INVALID, "empty" },
			{ " 1", SS_ERR_INVALID, "with a space" },
			{ "0x10", SS_ERR_INVALID, "hex" },
			{ "18446744073709551616", SS_ERR_RANGE, "2^64" },
			{ "99999999999999999999999", SS_ERR_RANGE, "far out of range" },
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			replace(parent, key, index, json_string(bad[i].v));
			expect_refused(w, root, path, bad[i].what, bad[i].code);
		}
		replace(parent, key, index, json_integer(5)); /* a JSON number, not a string */
		expect_refused(w, root, path, "as a JSON number", SS_ERR_INVALID);
		replace(parent, key, index, json_true());
		expect_refused(w, root, path, "as a boolean", SS_ERR_INVALID);
	}
	replace(parent, key, index, orig);
}

static void walk(walk_ctx *w, json_t *root, json_t *node, const char *path, int depth)
{
	if (json_is_object(node)) {
		/* Keys first: a removed and restored key moves to the end of the object, so
		 * iterating while mutating would visit it again. */
		const char *keys[64];
		size_t nk = 0;
		const char *k;
		json_t *v;
		json_object_foreach(node, k, v) {
			if (nk < 64)
				keys[nk++] = k;
		}
		char *owned[64];
		for (size_t i = 0; i < nk; i++)
			owned[i] = strdup(keys[i]);
		for (size_t i = 0; i < nk; i++) {
			k = owned[i];
			v = json_object_get(node, k);
			char p[192];
			if ((depth == 0 && (strcmp(k, "type") == 0 || strcmp(k, "signingRoot") == 0)) ||
			    strcmp(k, "version") == 0) /* version tags: wrong_version_tags */
				continue;
			snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", k);
			if (json_is_string(v))
				mutate_leaf(w, root, node, k, 0, p);
			else
				walk(w, root, v, p, depth + 1);
		}
		for (size_t i = 0; i < nk; i++)
			free(owned[i]);
	} else if (json_is_array(node)) {
		for (size_t i = 0; i < json_array_size(node); i++) {
			char p[192];
			snprintf(p, sizeof p, "%s[%zu]", path, i);
			json_t *v = json_array_get(node, i);
			if (json_is_string(v))
				mutate_leaf(w, root, node, NULL, i, p);
			else
				walk(w, root, v, p, depth + 1);
		}
	}
}

TEST(every_field_mutated)
{
	int total = 0;
	for (const sample_request *s = sample_requests; s->name; s++) {
		if (!vectors_case_selected(s->name))
			continue;
		json_t *req = s->make();
		walk_ctx w = { s->name, 0, 0 };
		walk(&w, req, req, "", 0);
		CHECK_MSG(w.mutations > 10, "%s: only %d mutations", s->name, w.mutations);
		total += w.mutations;
		json_decref(req);
	}
	printf("     %d mutations\n", total);
}

/* Removing a whole per-type object or fork_info, or a container inside. */
TEST(missing_objects)
{
	static const struct {
		const char *sample, *remove, *field;
		eth2_error_kind kind;
	} cases[] = {
		{ "attestation", "attestation", "attestation", ETH2_ERR_SEMANTIC },
		{ "attestation", "fork_info", "fork_info", ETH2_ERR_SEMANTIC },
		{ "randao_reveal", "randao_reveal", "randao_reveal", ETH2_ERR_SEMANTIC },
		{ "block", "block", "block", ETH2_ERR_SEMANTIC },
		{ "block_v2_deneb", "beacon_block", "beacon_block", ETH2_ERR_SEMANTIC },
		{ "deposit", "deposit", "deposit", ETH2_ERR_SEMANTIC },
		{ "validator_registration", "validator_registration", "validator_registration", ETH2_ERR_SEMANTIC },
		{ "contribution_and_proof", "contribution_and_proof", "contribution_and_proof", ETH2_ERR_SEMANTIC },
		{ "sync_committee_message", "sync_committee_message", "sync_committee_message", ETH2_ERR_SEMANTIC },
		{ "aggregate_and_proof_phase0", "aggregate_and_proof", "aggregate_and_proof", ETH2_ERR_SEMANTIC },
		{ "voluntary_exit", "fork_info", "fork_info", ETH2_ERR_SEMANTIC },
		{ "aggregation_slot", "aggregation_slot", "aggregation_slot", ETH2_ERR_SEMANTIC },
		{ "sync_committee_selection_proof", "sync_aggregator_selection_data",
		  "sync_aggregator_selection_data", ETH2_ERR_SEMANTIC },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const sample_request *s = sample_requests;
		while (s->name && strcmp(s->name, cases[i].sample) != 0)
			s++;
		json_t *req = s->make();
		json_object_del(req, cases[i].remove);
		eth2_signing_request out;
		eth2_error err;
		ss_err e = parse_json(req, &out, &err);
		CHECK_MSG(e != SS_OK && strcmp(err.field, cases[i].field) == 0 && err.kind == cases[i].kind,
			  "%s without %s: field '%s' kind %d", cases[i].sample, cases[i].remove,
			  err.field, err.kind);
		json_decref(req);
	}
	/* Nested containers: the error names the container. */
	json_t *req = sample_requests[4].make(); /* attestation */
	json_object_del(json_object_get(req, "attestation"), "source");
	eth2_signing_request out;
	eth2_error err;
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID);
	CHECK(strcmp(err.field, "attestation.source") == 0);
	json_object_set_new(json_object_get(req, "attestation"), "source", json_string("x"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID);
	CHECK(strcmp(err.field, "attestation.source") == 0);
	json_decref(req);
}

static const sample_request *sample(const char *name)
{
	for (const sample_request *s = sample_requests; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

static ss_err parse_text(const char *body, eth2_error *err)
{
	eth2_signing_request out;
	return eth2_parse_signing_request(mainnet(), body, strlen(body), &out, err);
}

TEST(type_names)
{
	eth2_error err;
	json_t *req = sample("randao_reveal")->make();
	static const char *const ok_names[] = { "RANDAO_REVEAL", "randao_reveal", "Randao_Reveal" };
	for (size_t i = 0; i < 3; i++) {
		json_object_set_new(req, "type", json_string(ok_names[i]));
		eth2_signing_request out;
		CHECK_MSG(parse_json(req, &out, &err) == SS_OK, "%s refused", ok_names[i]);
		CHECK(out.type == ETH2_SIGN_RANDAO_REVEAL);
	}
	static const char *const bad_names[] = { "RANDAO", "RANDAO_REVEAL ", "BLOCK_V3", "", "UNKNOWN" };
	for (size_t i = 0; i < 5; i++) {
		json_object_set_new(req, "type", json_string(bad_names[i]));
		eth2_signing_request out;
		CHECK_MSG(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, "type") == 0 &&
				  err.kind == ETH2_ERR_MALFORMED,
			  "'%s' accepted", bad_names[i]);
	}
	json_object_set_new(req, "type", json_integer(6));
	eth2_signing_request out;
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, "type") == 0);
	json_object_del(req, "type");
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, "type") == 0);
	json_decref(req);
	/* An embedded NUL is refused by the JSON loader itself, before any field is read
	 * (request.c relies on it). The body has no randao_reveal object either, so only
	 * the empty field of a JSON-level refusal shows that the NUL was what failed: a
	 * truncated RANDAO_REVEAL would be refused for field "randao_reveal". */
	const char nul[] = "{\"type\":\"RANDAO_REVEAL\\u0000x\"}";
	CHECK(parse_text(nul, &err) == SS_ERR_INVALID && err.kind == ETH2_ERR_MALFORMED &&
	      err.field[0] == '\0');
	const char nul_version[] = "{\"type\":\"BLOCK_V2\",\"beacon_block\":{\"version\":\"PHASE0\\u0000x\"}}";
	CHECK(parse_text(nul_version, &err) == SS_ERR_INVALID && err.field[0] == '\0');
	for (int t = 0; t < ETH2_SIGN__COUNT; t++)
		CHECK(strcmp(eth2_sign_type_name((eth2_sign_type)t), "UNKNOWN") != 0);
	CHECK(strcmp(eth2_sign_type_name(ETH2_SIGN__COUNT), "UNKNOWN") == 0);
}

TEST(bodies)
{
	eth2_error err;
	static const char *const bad[] = { "", "null", "[]", "\"BLOCK\"", "{", "{\"type\":\"RANDAO_REVEAL\"}x",
					   "{\"type\":\"RANDAO_REVEAL\",\"type\":\"BLOCK\"}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_MSG(parse_text(bad[i], &err) == SS_ERR_INVALID && err.kind == ETH2_ERR_MALFORMED,
			  "body '%s' accepted", bad[i]);
		CHECK(err.message[0] != '\0');
	}
	eth2_signing_request out;
	CHECK(eth2_parse_signing_request(mainnet(), NULL, 0, &out, &err) == SS_ERR_INVALID);
	CHECK(eth2_parse_signing_request(NULL, "{}", 2, &out, &err) == SS_ERR_INVALID);
	/* Body length is honoured: the text after len is not read. */
	const char *two = "{\"type\":\"x\"}{\"type\":\"y\"}";
	CHECK(eth2_parse_signing_request(mainnet(), two, 12, &out, &err) == SS_ERR_INVALID &&
	      strcmp(err.field, "type") == 0);
}

TEST(unknown_fields_ignored_and_root_spellings)
{
	for (const sample_request *s = sample_requests; s->name; s++) {
		json_t *req = s->make();
		eth2_signing_request a, b;
		eth2_error err;
		CHECK(parse_json(req, &a, &err) == SS_OK);
		json_object_set_new(req, "extra", json_pack("{s:[i,i]}", "x", 1, 2));
		json_object_set_new(json_object_get(req, "fork_info"), "extra", json_string("y"));
		CHECK_MSG(parse_json(req, &b, &err) == SS_OK, "%s: extra field refused", s->name);
		CHECK_MEM(a.signing_root, b.signing_root, 32);
		char h[67];
		snprintf(h, 3, "0x");
		for (int i = 0; i < 32; i++)
			snprintf(h + 2 + 2 * i, 3, "%02x", a.signing_root[i]);
		static const char *const keys[] = { "signing_root", "signingRoot" };
		for (int k = 0; k < 2; k++) {
			json_object_set_new(req, keys[k], json_string(h));
			CHECK_MSG(parse_json(req, &b, &err) == SS_OK, "%s: %s refused", s->name, keys[k]);
		}
		/* Both present and different: refused. */
		h[10] = h[10] == '0' ? '1' : '0';
		json_object_set_new(req, "signingRoot", json_string(h));
		CHECK(parse_json(req, &b, &err) == SS_ERR_INVALID);
		/* Only a wrong one: a mismatch, naming the field. */
		json_object_del(req, "signing_root");
		CHECK(parse_json(req, &b, &err) == SS_ERR_INVALID && err.kind == ETH2_ERR_ROOT_MISMATCH &&
		      strcmp(err.field, "signingRoot") == 0);
		json_object_set_new(req, "signingRoot", json_string("0x1234"));
		CHECK(parse_json(req, &b, &err) == SS_ERR_INVALID && err.kind == ETH2_ERR_MALFORMED &&
		      strcmp(err.field, "signingRoot") == 0);
		json_object_set_new(req, "signingRoot", json_null()); /* null = absent */
		CHECK(parse_json(req, &b, &err) == SS_OK);
		json_decref(req);
	}
}

TEST(wrong_version_tags)
{
	static const char *const bad[] = { "phase0", "Deneb", "FOO", "", "DENEB ", "PHASE_0" };
	static const char *const samples[] = { "block_v2_deneb", "block_v2_phase0", "aggregate_and_proof_v2_electra" };
	for (size_t s = 0; s < 3; s++) {
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			json_t *req = sample(samples[s])->make();
			bool block = strncmp(samples[s], "block", 5) == 0;
			json_t *holder = json_object_get(req, block ? "beacon_block" : "aggregate_and_proof");
			json_object_set_new(holder, "version", json_string(bad[i]));
			eth2_signing_request out;
			eth2_error err;
			const char *field = block ? "beacon_block.version" : "aggregate_and_proof.version";
			CHECK_MSG(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, field) == 0 &&
					  err.kind == ETH2_ERR_MALFORMED,
				  "%s version '%s': field '%s'", samples[s], bad[i], err.field);
			json_object_set_new(holder, "version", json_integer(3));
			CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, field) == 0);
			json_decref(req);
		}
	}
	/* BLOCK_V2 without version; PHASE0 with a header only; DENEB with a block only. */
	json_t *req = sample("block_v2_deneb")->make();
	json_t *bb = json_object_get(req, "beacon_block");
	eth2_signing_request out;
	eth2_error err;
	json_object_del(bb, "version");
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, "beacon_block.version") == 0);
	json_object_set_new(bb, "version", json_string("PHASE0"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, "beacon_block.block") == 0);
	json_decref(req);
	req = sample("block_v2_phase0")->make();
	json_object_set_new(json_object_get(req, "beacon_block"), "version", json_string("DENEB"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID &&
	      strcmp(err.field, "beacon_block.block_header") == 0);
	json_decref(req);
	/* Wrapped aggregate without data. */
	req = sample("aggregate_and_proof_v2_electra")->make();
	json_object_del(json_object_get(req, "aggregate_and_proof"), "data");
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID &&
	      strcmp(err.field, "aggregate_and_proof.data") == 0);
	json_decref(req);
}

/* Fork rules: schemas by slot, sync committees from Altair, EIP-7044, deposit and
 * registration domains. */
TEST(fork_rules)
{
	eth2_signing_request out, out2;
	eth2_error err;
	/* Sync-committee types before Altair are refused, naming the slot. */
	static const char *const sync[][2] = {
		{ "sync_committee_message", "sync_committee_message" },
		{ "sync_committee_selection_proof", "sync_aggregator_selection_data" },
	};
	for (int i = 0; i < 2; i++) {
		json_t *req = sample(sync[i][0])->make();
		json_object_set_new(json_object_get(req, sync[i][1]), "slot", json_string("2375679"));
		CHECK(parse_json(req, &out, &err) == SS_ERR_UNSUPPORTED && err.kind == ETH2_ERR_SEMANTIC);
		char f[96];
		snprintf(f, sizeof f, "%s.slot", sync[i][1]);
		CHECK_MSG(strcmp(err.field, f) == 0, "field %s", err.field);
		json_object_set_new(json_object_get(req, sync[i][1]), "slot", json_string("2375680"));
		CHECK(parse_json(req, &out, &err) == SS_OK && out.fork == ETH2_FORK_ALTAIR);
		json_decref(req);
	}
	json_t *req = sample("contribution_and_proof")->make();
	json_object_set_new(json_object_get(json_object_get(req, "contribution_and_proof"), "contribution"),
			    "slot", json_string("31"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_UNSUPPORTED &&
	      strcmp(err.field, "contribution_and_proof.contribution.slot") == 0);
	json_decref(req);
	/* Contribution bits are a Bitvector[128] on mainnet. */
	req = sample("contribution_and_proof")->make();
	json_object_set_new(json_object_get(json_object_get(req, "contribution_and_proof"), "contribution"),
			    "aggregation_bits", json_string("0x0f"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID &&
	      strcmp(err.field, "contribution_and_proof.contribution.aggregation_bits") == 0);
	json_decref(req);

	/* BLOCK (deprecated) from Bellatrix on is refused; BLOCK_V2 ALTAIR before Altair too. */
	req = sample("block")->make();
	json_object_set_new(json_object_get(req, "block"), "slot", json_string("4636672"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_UNSUPPORTED && strcmp(err.field, "block.slot") == 0);
	json_decref(req);
	req = sample("block_v2_altair")->make();
	json_object_set_new(json_object_get(json_object_get(req, "beacon_block"), "block"), "slot",
			    json_string("100"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_UNSUPPORTED &&
	      strcmp(err.field, "beacon_block.block.slot") == 0);
	json_decref(req);
	/* BLOCK at an Altair slot takes the Altair schema: sync_aggregate is required. */
	req = sample("block")->make();
	json_object_set_new(json_object_get(req, "block"), "slot", json_string("2375690"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID &&
	      strcmp(err.field, "block.body.sync_aggregate") == 0);
	json_decref(req);
	/* BLOCK and BLOCK_V2 PHASE0 hash the same block identically; BLOCK_V2 reports the
	 * slot; the full block's root equals its header's (body_root = htr(body)). */
	json_t *a = sample("block")->make(), *b = sample("block_v2_phase0")->make();
	CHECK(parse_json(a, &out, &err) == SS_OK && parse_json(b, &out2, &err) == SS_OK);
	CHECK_MEM(out.signing_root, out2.signing_root, 32);
	CHECK_EQ_U64(out.slot, 100);
	json_decref(a);
	json_decref(b);

	/* Aggregates: the schema follows the slot, not the version tag. */
	req = sample("aggregate_and_proof_v2_electra")->make();
	json_t *data = json_object_get(json_object_get(req, "aggregate_and_proof"), "data");
	json_object_set_new(json_object_get(json_object_get(data, "aggregate"), "data"), "slot",
			    json_string("100"));
	CHECK(parse_json(req, &out, &err) == SS_OK && out.fork == ETH2_FORK_PHASE0);
	json_object_del(json_object_get(data, "aggregate"), "committee_bits");
	CHECK(parse_json(req, &out2, &err) == SS_OK); /* phase0 layout ignores it */
	CHECK_MEM(out.signing_root, out2.signing_root, 32);
	json_object_set_new(json_object_get(json_object_get(data, "aggregate"), "data"), "slot",
			    json_string("11649024"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID &&
	      strcmp(err.field, "aggregate_and_proof.data.aggregate.committee_bits") == 0);
	json_decref(req);

	/* EIP-7044: from Deneb the exit domain ignores fork_info's versions. */
	req = sample("voluntary_exit")->make();
	CHECK(parse_json(req, &out, &err) == SS_OK);
	json_t *fork = json_object_get(json_object_get(req, "fork_info"), "fork");
	json_object_set_new(fork, "current_version", json_string("0x12345678"));
	json_object_set_new(fork, "previous_version", json_string("0x12345678"));
	CHECK(parse_json(req, &out2, &err) == SS_OK);
	CHECK_MEM(out.signing_root, out2.signing_root, 32);
	uint8_t capella[4], dom[32];
	eth2_network_fork_version(mainnet(), ETH2_FORK_CAPELLA, capella);
	eth2_compute_domain(dom, (const uint8_t *)"\x04\0\0\0", capella, out.genesis_validators_root);
	CHECK_MEM(dom, out.domain, 32);
	/* ... and before Deneb it follows fork_info. */
	json_object_set_new(json_object_get(req, "voluntary_exit"), "epoch", json_string("269567"));
	CHECK(parse_json(req, &out2, &err) == SS_OK);
	eth2_compute_domain(dom, (const uint8_t *)"\x04\0\0\0", (const uint8_t *)"\x12\x34\x56\x78",
			    out.genesis_validators_root);
	CHECK_MEM(dom, out2.domain, 32);
	json_decref(req);

	/* get_domain: previous_version strictly before fork.epoch. */
	req = sample("attestation")->make();
	fork = json_object_get(json_object_get(req, "fork_info"), "fork");
	json_object_set_new(fork, "previous_version", json_string("0x0000000a"));
	json_object_set_new(fork, "current_version", json_string("0x0000000b"));
	json_object_set_new(fork, "epoch", json_string("3")); /* target epoch is 3 */
	CHECK(parse_json(req, &out, &err) == SS_OK);
	eth2_compute_domain(dom, (const uint8_t *)"\x01\0\0\0", (const uint8_t *)"\0\0\0\x0b",
			    out.genesis_validators_root);
	CHECK_MEM(dom, out.domain, 32);
	json_object_set_new(fork, "epoch", json_string("4"));
	CHECK(parse_json(req, &out, &err) == SS_OK);
	eth2_compute_domain(dom, (const uint8_t *)"\x01\0\0\0", (const uint8_t *)"\0\0\0\x0a",
			    out.genesis_validators_root);
	CHECK_MEM(dom, out.domain, 32);
	CHECK(out.has_gvr && out.source_epoch == 2 && out.target_epoch == 3 && out.slot == 100);
	json_decref(req);

	/* DEPOSIT and VALIDATOR_REGISTRATION ignore fork_info and report no GVR. */
	req = sample("deposit")->make();
	CHECK(parse_json(req, &out, &err) == SS_OK && !out.has_gvr);
	json_object_set_new(req, "fork_info", json_pack("{s:{s:s,s:s,s:s},s:s}", "fork", "previous_version",
							"0x01020304", "current_version", "0x01020304",
							"epoch", "0", "genesis_validators_root",
							"0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95"));
	CHECK(parse_json(req, &out2, &err) == SS_OK && !out2.has_gvr);
	CHECK_MEM(out.signing_root, out2.signing_root, 32);
	json_decref(req);
	req = sample("validator_registration")->make();
	CHECK(parse_json(req, &out, &err) == SS_OK && !out.has_gvr);
	char *body = json_dumps(req, JSON_COMPACT);
	CHECK(eth2_parse_signing_request(eth2_network_builtin("hoodi"), body, strlen(body), &out2, &err) == SS_OK);
	CHECK(memcmp(out.signing_root, out2.signing_root, 32) != 0); /* network genesis version */
	free(body);
	json_decref(req);
}

TEST(list_limits)
{
	eth2_signing_request out;
	eth2_error err;
	json_t *req = sample("block")->make();
	json_t *body = json_object_get(json_object_get(req, "block"), "body");
	json_t *atts = json_object_get(body, "attestations");
	while (json_array_size(atts) < 128)
		json_array_append(atts, json_array_get(atts, 0));
	CHECK(parse_json(req, &out, &err) == SS_OK);
	json_array_append(atts, json_array_get(atts, 0));
	CHECK(parse_json(req, &out, &err) == SS_ERR_RANGE && strcmp(err.field, "block.body.attestations") == 0);
	json_decref(req);
	req = sample("block")->make();
	body = json_object_get(json_object_get(req, "block"), "body");
	json_t *proof = json_object_get(json_array_get(json_object_get(body, "deposits"), 0), "proof");
	json_array_remove(proof, 0);
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID &&
	      strcmp(err.field, "block.body.deposits[0].proof") == 0);
	json_decref(req);
	req = sample("block")->make();
	body = json_object_get(json_object_get(req, "block"), "body");
	json_t *sl = json_object_get(body, "attester_slashings");
	json_array_append(sl, json_array_get(sl, 0));
	CHECK(parse_json(req, &out, &err) == SS_OK);
	json_array_append(sl, json_array_get(sl, 0));
	CHECK(parse_json(req, &out, &err) == SS_ERR_RANGE &&
	      strcmp(err.field, "block.body.attester_slashings") == 0);
	json_decref(req);
	/* attesting_indices: at most 2048. */
	req = sample("block")->make();
	body = json_object_get(json_object_get(req, "block"), "body");
	json_t *idx = json_object_get(json_object_get(json_array_get(json_object_get(body, "attester_slashings"), 0),
						      "attestation_1"), "attesting_indices");
	while (json_array_size(idx) < 2049)
		json_array_append_new(idx, json_string("1"));
	CHECK(parse_json(req, &out, &err) == SS_ERR_RANGE &&
	      strcmp(err.field, "block.body.attester_slashings[0].attestation_1.attesting_indices") == 0);
	json_decref(req);
	/* A list given as an object, an object given as a list. */
	req = sample("block")->make();
	body = json_object_get(json_object_get(req, "block"), "body");
	json_object_set_new(body, "deposits", json_object());
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, "block.body.deposits") == 0);
	json_object_set_new(body, "eth1_data", json_array());
	json_object_set_new(body, "deposits", json_array());
	CHECK(parse_json(req, &out, &err) == SS_ERR_INVALID && strcmp(err.field, "block.body.eth1_data") == 0);
	json_decref(req);
	/* Electra aggregation bits: up to 131072 bits; the phase0 layout up to 2048. */
	req = sample("aggregate_and_proof_v2_electra")->make();
	json_t *agg = json_object_get(json_object_get(json_object_get(req, "aggregate_and_proof"), "data"), "aggregate");
	char *bits = malloc(2 + 2 * 16385 + 1);
	strcpy(bits, "0x");
	for (int i = 0; i < 16384; i++)
		strcat(bits + 2 * i, "ff");
	strcat(bits, "01"); /* exactly 131072 bits */
	json_object_set_new(agg, "aggregation_bits", json_string(bits));
	CHECK(parse_json(req, &out, &err) == SS_OK);
	strcpy(bits + 2 + 2 * 16384, "03"); /* 131073 bits */
	json_object_set_new(agg, "aggregation_bits", json_string(bits));
	CHECK(parse_json(req, &out, &err) == SS_ERR_RANGE &&
	      strcmp(err.field, "aggregate_and_proof.data.aggregate.aggregation_bits") == 0);
	free(bits);
	json_decref(req);
}

TEST(networks)
{
	static const char *const names[] = { "mainnet", "sepolia", "holesky", "hoodi", "gnosis", "minimal", "MAINNET" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_MSG(eth2_network_builtin(names[i]) != NULL, "%s", names[i]);
	CHECK(eth2_network_builtin("goerli") == NULL);
	CHECK(eth2_network_builtin(NULL) == NULL);
	const eth2_network *g = eth2_network_builtin("gnosis");
	CHECK_EQ_U64(eth2_network_slots_per_epoch(g), 16);
	CHECK_EQ_U64(eth2_network_slots_per_epoch(eth2_network_builtin("minimal")), 8);
	const eth2_network *m = mainnet();
	CHECK(eth2_network_fork_at_epoch(m, 0) == ETH2_FORK_PHASE0);
	CHECK(eth2_network_fork_at_epoch(m, 74239) == ETH2_FORK_PHASE0);
	CHECK(eth2_network_fork_at_epoch(m, 74240) == ETH2_FORK_ALTAIR);
	CHECK(eth2_network_fork_at_epoch(m, 364032) == ETH2_FORK_ELECTRA);
	CHECK(eth2_network_fork_at_epoch(m, UINT64_MAX) == ETH2_FORK_FULU);
	CHECK(eth2_network_fork_at_epoch(eth2_network_builtin("minimal"), UINT64_MAX - 1) == ETH2_FORK_PHASE0);
	CHECK(strcmp(eth2_fork_name(ETH2_FORK_DENEB), "DENEB") == 0);
	eth2_network_free((eth2_network *)m); /* a no-op for built-ins */
	CHECK(eth2_network_builtin("mainnet") != NULL);
}

/* The genesis facts the network checks rest on (docs/signing.md "Network checks"),
 * against ../shared/vectors/CONSTANTS.md §6: each public network's root is the one in
 * its genesis table, and its genesis time lies within a week after its
 * MIN_GENESIS_TIME (phase0: genesis_time >= MIN_GENESIS_TIME; mainnet's GENESIS_DELAY,
 * the longest, is 7 days). minimal knows neither. */
TEST(network_genesis)
{
	const eth2_network *mini = eth2_network_builtin("minimal");
	uint8_t root[32];
	uint64_t t;
	CHECK(!eth2_network_genesis_validators_root(mini, root) && !eth2_network_genesis_time(mini, &t));
	CHECK_EQ_U64(eth2_network_slot_duration_ms(mini), 6000);
	CHECK_EQ_U64(eth2_network_slot_duration_ms(eth2_network_builtin("gnosis")), 5000);
	CHECK(eth2_network_genesis_validators_root(eth2_network_builtin("gnosis"), root) &&
	      eth2_network_genesis_time(eth2_network_builtin("gnosis"), &t));
	char path[512];
	if (!vectors_require() || !vectors_path(path, sizeof path, "CONSTANTS.md"))
		return;
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	static const char *const nets[] = { "mainnet", "sepolia", "holesky", "hoodi" };
	bool root_seen[4] = { false }, time_seen[4] = { false };
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		for (int i = 0; i < 4; i++) {
			char head[32];
			snprintf(head, sizeof head, "| %s | ", nets[i]);
			if (strncmp(line, head, strlen(head)) != 0)
				continue;
			const eth2_network *n = eth2_network_builtin(nets[i]);
			/* the genesis table: | net | `version` | `0x<root>` | source | */
			char *r = strstr(line, "` | `0x");
			if (r != NULL && strlen(r) > 5 + 66) {
				uint8_t want[32];
				CHECK(hex_decode(want, 32, r + 5, 66, HEX_PREFIX_REQUIRED) == SS_OK);
				CHECK_MSG(eth2_network_genesis_validators_root(n, root) && memcmp(root, want, 32) == 0,
					  "%s: root", nets[i]);
				root_seen[i] = true;
				continue;
			}
			/* the per-network table: its last cell is MIN_GENESIS_TIME */
			line[strcspn(line, "\n")] = '\0';
			char *end = strrchr(line, '|');
			if (end == NULL)
				continue;
			*end = '\0';
			char *cell = strrchr(line, '|');
			unsigned long long min_time;
			if (cell && sscanf(cell + 1, " %llu", &min_time) == 1 && min_time > 1500000000ull) {
				CHECK_MSG(eth2_network_genesis_time(n, &t) && t >= min_time &&
					  t <= min_time + 7 * 86400,
					  "%s: genesis time %llu, MIN_GENESIS_TIME %llu", nets[i],
					  (unsigned long long)t, min_time);
				time_seen[i] = true;
			}
		}
	}
	fclose(f);
	for (int i = 0; i < 4; i++)
		CHECK_MSG(root_seen[i] && time_seen[i], "%s missing from CONSTANTS.md", nets[i]);
}

/* config.yaml loading: good files, and every kind of bad one. */
static ss_err load_text(const char *text, eth2_network **out, char *err, size_t cap)
{
	char path[] = "/tmp/ss-eth2-cfg-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return SS_ERR_IO;
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	ss_err e = eth2_network_load(path, out, err, cap);
	remove(path);
	return e;
}

TEST(network_config_files)
{
	eth2_network *n = NULL;
	char err[256];
	const char *hoodi = "# hoodi\nPRESET_BASE: 'mainnet'\nCONFIG_NAME: 'hoodi'\n"
			    "GENESIS_FORK_VERSION: 0x10000910\nALTAIR_FORK_VERSION: 0x20000910\n"
			    "ALTAIR_FORK_EPOCH: 0\nBELLATRIX_FORK_VERSION: 0x30000910\nBELLATRIX_FORK_EPOCH: 0\n"
			    "CAPELLA_FORK_VERSION: 0x40000910\nCAPELLA_FORK_EPOCH: 0\n"
			    "DENEB_FORK_VERSION: 0x50000910\nDENEB_FORK_EPOCH: 0\n"
			    "ELECTRA_FORK_VERSION: 0x60000910\nELECTRA_FORK_EPOCH: 2048\n"
			    "FULU_FORK_VERSION: 0x70000910\nFULU_FORK_EPOCH: 50688\n"
			    "BLOB_SCHEDULE:\n  - EPOCH: 1\n    MAX_BLOBS_PER_BLOCK: 9\n"
			    "DEPOSIT_CONTRACT_ADDRESS: 0x00000000219ab540356cBB839Cbe05303d7705Fa\n";
	CHECK(load_text(hoodi, &n, err, sizeof err) == SS_OK);
	const eth2_network *b = eth2_network_builtin("hoodi");
	if (n) {
		CHECK(strcmp(eth2_network_name(n), "hoodi") == 0);
		for (int f = 0; f <= ETH2_FORK_FULU; f++) {
			uint8_t v1[4], v2[4];
			eth2_network_fork_version(n, (eth2_fork)f, v1);
			eth2_network_fork_version(b, (eth2_fork)f, v2);
			CHECK_MEM(v1, v2, 4);
			CHECK_EQ_U64(eth2_network_fork_epoch(n, (eth2_fork)f), eth2_network_fork_epoch(b, (eth2_fork)f));
		}
		CHECK_EQ_U64(eth2_network_fork_epoch(n, ETH2_FORK_GLOAS), ETH2_FAR_FUTURE_EPOCH);
		/* Same roots as the built-in for a sample request. */
		json_t *req = sample("aggregate_and_proof_v2_electra")->make();
		char *body = json_dumps(req, JSON_COMPACT);
		eth2_signing_request r1, r2;
		eth2_error e1;
		CHECK(eth2_parse_signing_request(n, body, strlen(body), &r1, &e1) == SS_OK);
		CHECK(eth2_parse_signing_request(b, body, strlen(body), &r2, &e1) == SS_OK);
		CHECK_MEM(r1.signing_root, r2.signing_root, 32);
		free(body);
		json_decref(req);
	}
	eth2_network_free(n);
	n = NULL;
	CHECK(load_text("PRESET_BASE: gnosis\nGENESIS_FORK_VERSION: '0x00000064'\n", &n, err, sizeof err) == SS_OK);
	CHECK(n && eth2_network_slots_per_epoch(n) == 16);
	eth2_network_free(n);
	/* the clock: SECONDS_PER_SLOT and MIN_GENESIS_TIME; never a root */
	n = NULL;
	CHECK(load_text("GENESIS_FORK_VERSION: 0x00000000\nSECONDS_PER_SLOT: 6\nMIN_GENESIS_TIME: 1742212800\n"
			"GENESIS_DELAY: 600\n", &n, err, sizeof err) == SS_OK);
	uint64_t gt = 0;
	uint8_t gvr[32];
	CHECK(n && eth2_network_slot_duration_ms(n) == 6000 && eth2_network_genesis_time(n, &gt) &&
	      gt == 1742212800 && !eth2_network_genesis_validators_root(n, gvr));
	eth2_network_free(n);
	n = NULL;
	CHECK(load_text("GENESIS_FORK_VERSION: 0x00000000\n", &n, err, sizeof err) == SS_OK);
	CHECK(n && eth2_network_slot_duration_ms(n) == 12000 && !eth2_network_genesis_time(n, &gt));
	eth2_network_free(n);
	/* today's consensus-specs configs give SLOT_DURATION_MS only; both must agree */
	n = NULL;
	CHECK(load_text("GENESIS_FORK_VERSION: 0x00000000\nSLOT_DURATION_MS: 6000\nSECONDS_PER_SLOT: 6\n", &n, err,
			sizeof err) == SS_OK);
	CHECK(n && eth2_network_slot_duration_ms(n) == 6000);
	eth2_network_free(n);
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "PRESET_BASE: mainnet\n", "GENESIS_FORK_VERSION" },
		{ "GENESIS_FORK_VERSION: 0x000000\n", "GENESIS_FORK_VERSION" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nGENESIS_FORK_VERSION: 0x00000001\n", "duplicate" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nALTAIR_FORK_EPOCH: -1\nALTAIR_FORK_VERSION: 0x01000000\n", "ALTAIR_FORK_EPOCH" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nALTAIR_FORK_EPOCH: 18446744073709551616\n", "ALTAIR_FORK_EPOCH" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nALTAIR_FORK_EPOCH: 5\n", "ALTAIR_FORK_VERSION" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nALTAIR_FORK_VERSION: 0x01000000\nALTAIR_FORK_EPOCH: 10\n"
		  "BELLATRIX_FORK_VERSION: 0x02000000\nBELLATRIX_FORK_EPOCH: 5\n", "BELLATRIX" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nBELLATRIX_FORK_VERSION: 0x02000000\nBELLATRIX_FORK_EPOCH: 5\n", "BELLATRIX" },
		{ "PRESET_BASE: custom\nGENESIS_FORK_VERSION: 0x00000000\n", "PRESET_BASE" },
		{ "GENESIS_FORK_VERSION: [1, 2]\n", "GENESIS" },
		{ "- a\n- b\n", "mapping" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nkey: [unclosed\n", "YAML" },
		{ "SLOTS_PER_EPOCH: 0\nGENESIS_FORK_VERSION: 0x00000000\n", "SLOTS_PER_EPOCH" },
		{ "GENESIS_FORK_VERSION: &a 0x00000000\nALTAIR_FORK_VERSION: *a\n", "alias" },
		{ "? [GENESIS_FORK_VERSION]\n: x\nGENESIS_FORK_VERSION: 0x00000000\n", "scalars" },
		{ "", "GENESIS_FORK_VERSION" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nSECONDS_PER_SLOT: 0\n", "SECONDS_PER_SLOT" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nSLOT_DURATION_MS: 0\n", "SLOT_DURATION_MS" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nSECONDS_PER_SLOT: 12\nSLOT_DURATION_MS: 6000\n", "disagrees" },
		{ "GENESIS_FORK_VERSION: 0x00000000\nMIN_GENESIS_TIME: soon\n", "MIN_GENESIS_TIME" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = NULL;
		err[0] = '\0';
		ss_err e = load_text(bad[i].text, &n, err, sizeof err);
		CHECK_MSG(e != SS_OK && n == NULL && strstr(err, bad[i].needle) != NULL,
			  "config %zu accepted or unclear: '%s'", i, err);
		eth2_network_free(n);
	}
	CHECK(eth2_network_load("/nonexistent/config.yaml", &n, err, sizeof err) == SS_ERR_IO && n == NULL);
}
