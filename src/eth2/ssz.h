/* SSZ (consensus-specs ssz/simple-serialize.md): type descriptors, merkleisation,
 * hash_tree_root from beacon-API JSON and from serialised bytes, and serialisation.
 * Module-internal: the rest of the program calls eth2.h; tests include this too.
 *
 * Types are described by static tables (containers.c), so one generic walker hashes any
 * container, checks every list against its limit before touching it, and names the
 * offending field when the input is wrong. */
#ifndef SS_ETH2_SSZ_H
#define SS_ETH2_SSZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/error.h"

#define SSZ_CHUNK 32
/* Deep enough for any limit the signer uses (the largest is 2^17 bits); the table of
 * zero-subtree roots covers 64 levels so any uint64 limit is well defined. */
#define SSZ_MAX_DEPTH 64
#define SSZ_OFFSET_BYTES 4
/* Most fields any container here has (Gloas ExecutionPayload: 19). */
#define SSZ_MAX_FIELDS 24
/* EIP-7916: a progressive tree is a chain of subtrees of 1, 4, 16, … chunks; 33 of them
 * hold more than 2^64 chunks. */
#define SSZ_MAX_SUBTREES 33

typedef enum {
	SSZ_UINT,      /* little-endian unsigned of `size` bytes (1, 2, 4, 8, 16, 32) */
	SSZ_BOOL,      /* one byte, 0 or 1 */
	SSZ_BYTES,     /* Vector[byte, size] (Bytes4, Bytes32, BLSPubkey, …) */
	SSZ_BITVECTOR, /* Bitvector[size] */
	SSZ_BITLIST,   /* Bitlist[size] */
	SSZ_VECTOR,    /* Vector[elem, size] */
	SSZ_LIST,      /* List[elem, size] */
	SSZ_CONTAINER,
} ssz_kind;

typedef struct ssz_type ssz_type;

typedef struct {
	const char *name; /* the JSON key, as in the spec */
	const ssz_type *type;
} ssz_field;

struct ssz_type {
	const char *name; /* "AttestationData", for messages and tests */
	ssz_kind kind;
	uint64_t size;    /* bytes (UINT, BYTES), bits (BITVECTOR), length or limit */
	const ssz_type *elem;       /* VECTOR, LIST */
	const ssz_field *fields;    /* CONTAINER */
	size_t nfields;
	/* Gloas onwards: EIP-7916 ProgressiveList / ProgressiveBitlist / ProgressiveByteList
	 * (LIST, BITLIST) and EIP-7495 ProgressiveContainer with every field active
	 * (CONTAINER). Serialisation is unchanged; only merkleisation differs. A progressive
	 * list keeps `size` as the limit Lodestar validates (the hash has no limit). */
	bool progressive;
};

/* ---- Merkleisation (ssz_merkle.c) -------------------------------------------------- */

/* The root of a zero subtree of 2^depth chunks (depth <= SSZ_MAX_DEPTH). */
const uint8_t *ssz_zero_hash(unsigned depth);

/* Incremental merkleize(chunks, limit): chunks are added one at a time (or as packed
 * bytes), the tree is padded with zero chunks to the next power of two of the limit.
 * No allocation: one pending node per level.
 * In progressive mode (EIP-7916 merkleize_progressive) the chunks fill subtrees of 1, 4,
 * 16, … chunks in turn; `limit`/`depth` describe the subtree being filled and `sub`
 * holds the roots of the full ones. */
typedef struct {
	uint8_t layer[SSZ_MAX_DEPTH + 1][SSZ_CHUNK];
	uint8_t partial[SSZ_CHUNK]; /* packed bytes not yet making a whole chunk */
	size_t partial_len;
	uint64_t count; /* whole chunks added (to the current subtree if progressive) */
	uint64_t limit; /* in chunks */
	unsigned depth;
	bool progressive;
	unsigned nsub;
	uint8_t sub[SSZ_MAX_SUBTREES][SSZ_CHUNK];
} ssz_merkleizer;

void ssz_mk_init(ssz_merkleizer *mk, uint64_t limit_chunks);
/* merkleize_progressive (EIP-7916): no limit; callers check lengths first. */
void ssz_mk_init_progressive(ssz_merkleizer *mk);
/* The merkleizer for the contents of t: progressive or with t's chunk limit. */
void ssz_mk_init_type(ssz_merkleizer *mk, const ssz_type *t);
/* A container's root from its field-root merkleizer: for a ProgressiveContainer,
 * mix_in_active_fields (EIP-7495) with every field active. */
void ssz_container_finish(const ssz_type *t, ssz_merkleizer *mk, uint8_t out[SSZ_CHUNK]);
/* Adds one chunk; SS_ERR_RANGE if the limit is reached. */
ss_err ssz_mk_chunk(ssz_merkleizer *mk, const uint8_t chunk[SSZ_CHUNK]) SS_MUST_USE;
/* Packs bytes into chunks (basic-type lists and vectors, byte vectors, bitfields). */
ss_err ssz_mk_bytes(ssz_merkleizer *mk, const uint8_t *data, size_t len) SS_MUST_USE;
void ssz_mk_finish(ssz_merkleizer *mk, uint8_t out[SSZ_CHUNK]);

/* mix_in_length(root, length). */
void ssz_mix_in_length(uint8_t out[SSZ_CHUNK], const uint8_t root[SSZ_CHUNK], uint64_t len);
/* hash_tree_root(uint64 v): v little-endian, zero-padded to a chunk. */
void ssz_uint64_root(uint8_t out[SSZ_CHUNK], uint64_t v);

/* ---- Type properties (ssz_type.c) --------------------------------------------------- */

bool ssz_is_fixed_size(const ssz_type *t);
/* Serialised size of a fixed-size type (0 for a variable-size one). */
size_t ssz_fixed_size(const ssz_type *t);
/* Chunk count limit used by merkleize for a type's contents. */
uint64_t ssz_chunk_limit(const ssz_type *t);
/* Largest serialisation a value of t can have (saturating at SIZE_MAX). */
size_t ssz_max_size(const ssz_type *t);

/* ---- Errors with a field path ------------------------------------------------------- */

typedef struct {
	char path[96];     /* "block.body.attestations[3].aggregation_bits" */
	char message[256];
} ssz_error;

/* ---- From beacon-API JSON (ssz_json.c) ----------------------------------------------
 * JSON form: uint64 as a decimal string (full 64-bit range; no sign, fraction or JSON
 * number), uint8..uint32 likewise, bool as true/false, byte vectors and bitfields as
 * "0x" hex of the exact length (bitlists in SSZ form with the delimiter bit), lists and
 * vectors as arrays, containers as objects (unknown keys ignored, missing keys refused).
 * path is the JSON path of `json`, used to prefix error paths. */
ss_err ssz_json_root(const ssz_type *t, const json_t *json, const char *path,
		     uint8_t out[SSZ_CHUNK], ssz_error *err) SS_MUST_USE;

/* Serialises JSON into buf (cap bytes); *len receives the size. For tests and tools. */
ss_err ssz_json_serialize(const ssz_type *t, const json_t *json, uint8_t *buf, size_t cap,
			  size_t *len, ssz_error *err) SS_MUST_USE;

/* ---- From serialised SSZ (ssz_bytes.c) ----------------------------------------------
 * Validates data[0..len) as a serialisation of t (offsets in order and in range, no
 * trailing bytes, bitlist delimiter present and within the limit, bitvector padding
 * zero, bool 0/1, list lengths within limits) and computes its hash_tree_root. */
ss_err ssz_bytes_root(const ssz_type *t, const uint8_t *data, size_t len,
		      uint8_t out[SSZ_CHUNK], ssz_error *err) SS_MUST_USE;

/* ---- Small helpers shared by the JSON code (ssz_json.c) ---------------------------- */

/* Appends ".key" or "[i]" to a path (truncating safely). */
void ssz_path_key(char *dst, size_t cap, const char *base, const char *key);
void ssz_path_index(char *dst, size_t cap, const char *base, size_t index);
void ssz_set_error(ssz_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Strict JSON scalars: a decimal uint64 string, "0x" hex of exactly n bytes. */
ss_err ssz_json_u64(const json_t *j, const char *path, uint64_t *out, ssz_error *err) SS_MUST_USE;
ss_err ssz_json_hex(const json_t *j, const char *path, uint8_t *out, size_t n,
		    ssz_error *err) SS_MUST_USE;
/* Member `key` of object `obj` (path is obj's path); missing -> error naming it. */
const json_t *ssz_json_member(const json_t *obj, const char *path, const char *key,
			      ssz_error *err);

#endif
