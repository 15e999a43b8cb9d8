/* SSZ against the official consensus-spec-tests v1.0.0: every ssz_static case (root,
 * serialisation, and root from the serialisation) for the mainnet and minimal presets,
 * every ssz_generic case (valid: root and serialisation; invalid: must not decode), and
 * merkleisation edge cases. `test_ssz CASE` runs one case by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth2/containers.h"
#include "eth2/ssz.h"
#include "test.h"
#include "vectors.h"
#include "yaml_json.h"
#include "crypto/sha256.h"

#define STATIC_DIR "consensus-spec-tests-v1.0.0/%s/phase0/ssz_static"
#define GENERIC_DIR "consensus-spec-tests-v1.0.0/general/phase0/ssz_generic"

static bool root_from_yaml(const char *path, uint8_t root[32])
{
	json_t *j = yaml_load_as_json(path);
	bool ok = j && hex_to(root, 32, json_string_value(json_object_get(j, "root")));
	json_decref(j);
	return ok;
}

/* One valid case: value.yaml hashes to the root, serialises to serialized.ssz, and
 * serialized.ssz decodes to the same root. */
static bool check_valid_case(const char *name, const ssz_type *t, const char *dir,
			     const char *roots_file)
{
	char p[4096];
	uint8_t want[32], got[32];
	bool ok = true;
	pathf(p, sizeof p, "%s/%s", dir, roots_file);
	if (!root_from_yaml(p, want)) {
		CHECK_MSG(false, "%s: cannot read %s", name, p);
		return false;
	}
	pathf(p, sizeof p, "%s/serialized.ssz", dir);
	size_t slen = 0;
	uint8_t *ser = read_bytes(p, &slen);
	if (ser == NULL) {
		CHECK_MSG(false, "%s: cannot read serialized.ssz", name);
		return false;
	}
	ssz_error se;
	if (ssz_bytes_root(t, ser, slen, got, &se) != SS_OK) {
		CHECK_MSG(false, "%s: bytes rejected: %s: %s", name, se.path, se.message);
		ok = false;
	} else if (memcmp(got, want, 32) != 0) {
		CHECK_MSG(false, "%s: root from bytes differs", name);
		ok = false;
	}
	/* uint128/uint256 have no JSON form (beacon-API carries no such field). */
	if (!(t->kind == SSZ_UINT && t->size > 8)) {
		pathf(p, sizeof p, "%s/value.yaml", dir);
		json_t *v = yaml_load_as_json(p);
		if (v == NULL) {
			CHECK_MSG(false, "%s: cannot read value.yaml", name);
			free(ser);
			return false;
		}
		if (ssz_json_root(t, v, "", got, &se) != SS_OK) {
			CHECK_MSG(false, "%s: value rejected: %s: %s", name, se.path, se.message);
			ok = false;
		} else if (memcmp(got, want, 32) != 0) {
			CHECK_MSG(false, "%s: root from value differs", name);
			ok = false;
		}
		size_t cap = slen + 64, len = 0;
		uint8_t *buf = malloc(cap);
		if (ssz_json_serialize(t, v, buf, cap, &len, &se) != SS_OK) {
			CHECK_MSG(false, "%s: serialise failed: %s: %s", name, se.path, se.message);
			ok = false;
		} else if (len != slen || memcmp(buf, ser, slen) != 0) {
			CHECK_MSG(false, "%s: serialisation differs (%zu vs %zu bytes)", name, len, slen);
			ok = false;
		}
		free(buf);
		json_decref(v);
	} else {
		/* The value is a decimal; check the bytes equal it (little-endian). */
		pathf(p, sizeof p, "%s/value.yaml", dir);
		json_t *v = yaml_load_as_json(p);
		const char *dec = json_string_value(v);
		uint8_t le[32] = { 0 };
		for (const char *c = dec; c && *c; c++) {
			unsigned carry = (unsigned)(*c - '0');
			for (size_t i = 0; i < 32; i++) {
				unsigned x = le[i] * 10u + carry;
				le[i] = (uint8_t)x;
				carry = x >> 8;
			}
		}
		if (dec == NULL || slen != t->size || memcmp(le, ser, slen) != 0) {
			CHECK_MSG(false, "%s: bytes are not the value", name);
			ok = false;
		}
		json_decref(v);
	}
	free(ser);
	return ok;
}

static void run_static(const char *preset_name, eth2_preset preset, int *ncases)
{
	char rel[256], base[4096];
	pathf(rel, sizeof rel, STATIC_DIR, preset_name);
	if (!vectors_path(base, sizeof base, rel)) {
		CHECK_MSG(false, "no %s", rel);
		return;
	}
	size_t ntypes;
	char **types = list_dir(base, &ntypes);
	CHECK_MSG(ntypes == 14, "%s: %zu types", rel, ntypes);
	for (size_t i = 0; i < ntypes; i++) {
		const ssz_type *t = eth2_type_by_name(preset, types[i]);
		CHECK_MSG(t != NULL, "no type %s", types[i]);
		if (t == NULL)
			continue;
		char tdir[4096];
		pathf(tdir, sizeof tdir, "%s/%s", base, types[i]);
		size_t nh;
		char **handlers = list_dir(tdir, &nh);
		for (size_t h = 0; h < nh; h++) {
			char hdir[4096];
			pathf(hdir, sizeof hdir, "%s/%s", tdir, handlers[h]);
			size_t nc;
			char **cases = list_dir(hdir, &nc);
			for (size_t k = 0; k < nc; k++) {
				char name[512], cdir[4096];
				pathf(name, sizeof name, "%s_%s_%s_%s", preset_name, types[i],
					 handlers[h], cases[k]);
				if (!vectors_case_selected(name))
					continue;
				pathf(cdir, sizeof cdir, "%s/%s", hdir, cases[k]);
				test_count_case(check_valid_case(name, t, cdir, "roots.yaml"));
				(*ncases)++;
			}
			free_list(cases, nc);
		}
		free_list(handlers, nh);
	}
	free_list(types, ntypes);
}

TEST(ssz_static)
{
	if (!vectors_require())
		return;
	int n = 0;
	run_static("mainnet", ETH2_PRESET_MAINNET, &n);
	run_static("minimal", ETH2_PRESET_MINIMAL, &n);
	/* 70 mainnet + 448 minimal (vectors README §6) */
	if (test_selected_case() == NULL)
		CHECK_MSG(n == 518, "ran %d ssz_static cases, expected 518", n);
}

/* The type a generic case's name encodes: bitvec_N_*, bitlist_N_*, uint_BITS_*, and
 * the boolean folder. */
static bool generic_type(const char *handler, const char *name, ssz_type *t)
{
	memset(t, 0, sizeof *t);
	t->name = name;
	unsigned long n = 0;
	if (strcmp(handler, "boolean") == 0) {
		t->kind = SSZ_BOOL;
		t->size = 1;
		return true;
	}
	if (strcmp(handler, "bitvector") == 0 && sscanf(name, "bitvec_%lu", &n) == 1) {
		t->kind = SSZ_BITVECTOR;
		t->size = n;
		return true;
	}
	if (strcmp(handler, "bitlist") == 0) {
		t->kind = SSZ_BITLIST;
		t->size = sscanf(name, "bitlist_%lu", &n) == 1 ? n : 2048; /* no_delimiter_* */
		return true;
	}
	if (strcmp(handler, "uints") == 0 && sscanf(name, "uint_%lu", &n) == 1) {
		t->kind = SSZ_UINT;
		t->size = n / 8;
		return true;
	}
	return false;
}

TEST(ssz_generic)
{
	if (!vectors_require())
		return;
	static const char *const handlers[] = { "bitvector", "bitlist", "boolean", "uints" };
	int valid = 0, invalid = 0;
	for (size_t h = 0; h < 4; h++) {
		for (int v = 0; v < 2; v++) {
			char rel[256], dir[4096];
			pathf(rel, sizeof rel, GENERIC_DIR "/%s/%s", handlers[h], v ? "invalid" : "valid");
			if (!vectors_path(dir, sizeof dir, rel)) {
				CHECK_MSG(false, "no %s", rel);
				continue;
			}
			size_t nc;
			char **cases = list_dir(dir, &nc);
			for (size_t k = 0; k < nc; k++) {
				char name[512], cdir[4096];
				pathf(name, sizeof name, "generic_%s_%s_%s", handlers[h],
					 v ? "invalid" : "valid", cases[k]);
				if (!vectors_case_selected(name))
					continue;
				pathf(cdir, sizeof cdir, "%s/%s", dir, cases[k]);
				ssz_type t;
				if (!generic_type(handlers[h], cases[k], &t)) {
					CHECK_MSG(false, "%s: cannot tell the type", name);
					test_count_case(false);
					continue;
				}
				if (!v) {
					test_count_case(check_valid_case(name, &t, cdir, "meta.yaml"));
					valid++;
					continue;
				}
				char p[4096];
				size_t len = 0;
				pathf(p, sizeof p, "%s/serialized.ssz", cdir);
				uint8_t *b = read_bytes(p, &len);
				uint8_t root[32];
				ssz_error se;
				bool refused = b != NULL && ssz_bytes_root(&t, b, len, root, &se) != SS_OK;
				CHECK_MSG(refused, "%s: invalid serialisation accepted", name);
				test_count_case(refused);
				invalid++;
				free(b);
			}
			free_list(cases, nc);
		}
	}
	if (test_selected_case() == NULL) {
		CHECK_MSG(valid == 378, "ran %d valid generic cases", valid);
		CHECK_MSG(invalid == 67, "ran %d invalid generic cases", invalid);
	}
}

/* merkleize against a direct recursive definition for every count up to a limit. */
static void naive_merkleize(uint8_t out[32], uint8_t (*chunks)[32], size_t count, size_t width)
{
	if (width == 1) {
		memcpy(out, count ? chunks[0] : (const uint8_t *)ssz_zero_hash(0), 32);
		return;
	}
	uint8_t l[32], r[32];
	size_t half = width / 2;
	naive_merkleize(l, chunks, count < half ? count : half, half);
	naive_merkleize(r, chunks + half, count > half ? count - half : 0, half);
	sha256_pair(out, l, r);
}

TEST(merkleize_matches_definition)
{
	uint8_t chunks[64][32];
	for (int i = 0; i < 64; i++)
		for (int j = 0; j < 32; j++)
			chunks[i][j] = (uint8_t)(i * 31 + j + 1);
	for (uint64_t limit = 1; limit <= 64; limit++) {
		size_t width = 1;
		while (width < limit)
			width *= 2;
		for (uint64_t count = 0; count <= limit; count++) {
			ssz_merkleizer mk;
			ssz_mk_init(&mk, limit);
			for (uint64_t i = 0; i < count; i++)
				CHECK(ssz_mk_chunk(&mk, chunks[i]) == SS_OK);
			uint8_t got[32], want[32];
			ssz_mk_finish(&mk, got);
			naive_merkleize(want, chunks, count, width);
			CHECK_MSG(memcmp(got, want, 32) == 0, "limit %llu count %llu",
				  (unsigned long long)limit, (unsigned long long)count);
		}
		ssz_merkleizer mk;
		ssz_mk_init(&mk, limit);
		for (uint64_t i = 0; i < limit; i++)
			CHECK(ssz_mk_chunk(&mk, chunks[i % 64]) == SS_OK);
		CHECK(ssz_mk_chunk(&mk, chunks[0]) == SS_ERR_RANGE); /* over the limit */
	}
}

TEST(list_limits_enforced)
{
	/* A Bitlist[2048] of 2049 bits and an attestations list of 129 are refused. */
	ssz_error se;
	uint8_t root[32];
	char hex[2 + 2 * 258 + 1] = "0x";
	for (int i = 0; i < 256; i++)
		strcat(hex, "ff");
	strcat(hex, "ff03"); /* 2048 + 9 bits... delimiter in the last byte */
	json_t *bits = json_string(hex);
	const ssz_type *att = &eth2_t_attestation;
	const ssz_type *bl = att->fields[0].type;
	CHECK(ssz_json_root(bl, bits, "aggregation_bits", root, &se) == SS_ERR_RANGE);
	CHECK(strcmp(se.path, "aggregation_bits") == 0);
	json_decref(bits);
	/* Exactly 2048 bits: 256 bytes of data plus the delimiter byte 0x01. */
	hex[2 + 512] = '\0';
	strcat(hex, "01");
	bits = json_string(hex);
	CHECK(ssz_json_root(bl, bits, "aggregation_bits", root, &se) == SS_OK);
	json_decref(bits);
	/* Bitvector[0] is not a type: nothing decodes as one. */
	ssz_type bv0 = { "Bitvector[0]", SSZ_BITVECTOR, 0, NULL, NULL, 0, false };
	CHECK(ssz_bytes_root(&bv0, (const uint8_t *)"", 0, root, &se) != SS_OK);
}

TEST(type_sizes)
{
	/* Sizes from the spec's layouts: AttestationData 8+8+32+2*(8+32) = 128 bytes;
	 * Attestation = offset + data + signature, plus at most 2048 bits + delimiter. */
	CHECK(ssz_is_fixed_size(&eth2_t_attestation_data));
	CHECK_EQ_U64(ssz_fixed_size(&eth2_t_attestation_data), 128);
	CHECK_EQ_U64(ssz_fixed_size(&eth2_t_beacon_block_header), 112);
	CHECK_EQ_U64(ssz_fixed_size(&eth2_t_deposit_data), 184);
	CHECK_EQ_U64(ssz_fixed_size(&eth2_t_deposit), 33 * 32 + 184);
	CHECK_EQ_U64(ssz_fixed_size(&eth2_t_validator_registration_v1), 84);
	CHECK(!ssz_is_fixed_size(&eth2_t_attestation));
	CHECK_EQ_U64(ssz_fixed_size(&eth2_t_attestation), 0);
	CHECK_EQ_U64(ssz_max_size(&eth2_t_attestation), 4 + 128 + 96 + 257);
	const eth2_preset_types *m = eth2_preset_types_get(ETH2_PRESET_MAINNET);
	const eth2_preset_types *n = eth2_preset_types_get(ETH2_PRESET_MINIMAL);
	/* Electra: 131072-bit aggregation bits and 8 bytes of committee bits on mainnet;
	 * 8192 bits and 1 byte on minimal. */
	CHECK_EQ_U64(ssz_max_size(m->attestation_electra), 4 + 128 + 96 + 8 + 16385);
	CHECK_EQ_U64(ssz_max_size(n->attestation_electra), 4 + 128 + 96 + 1 + 1025);
	CHECK_EQ_U64(ssz_fixed_size(m->sync_aggregate), 64 + 96);
	CHECK_EQ_U64(ssz_fixed_size(n->sync_aggregate), 4 + 96);
	CHECK_EQ_U64(ssz_fixed_size(m->sync_committee_contribution), 8 + 32 + 8 + 16 + 96);
	CHECK_EQ_U64(ssz_fixed_size(n->sync_committee_contribution), 8 + 32 + 8 + 1 + 96);
	CHECK(eth2_type_by_name(ETH2_PRESET_MAINNET, "ElectraAggregateAndProof") == m->aggregate_and_proof_electra);
	CHECK(eth2_type_by_name(ETH2_PRESET_MINIMAL, "BeaconBlockAltair") == n->beacon_block_altair);
	CHECK(eth2_type_by_name(ETH2_PRESET_MAINNET, "NoSuchType") == NULL);
	/* The phase0 block is bounded: its largest JSON walk is finite and its largest
	 * serialisation is well under the CLI's 4 MiB body cap. */
	CHECK(ssz_max_size(&eth2_t_beacon_block_phase0) < (1u << 22));
}
