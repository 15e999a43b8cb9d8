/* Validating SSZ deserialisation with hash_tree_root (simple-serialize.md
 * "Deserialization"): every offset, length, delimiter and padding bit is checked, so a
 * byte string either is the one serialisation of a value of the type or is refused. */
#include "eth2/ssz.h"

#include <string.h>

static uint32_t rd_offset(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static ss_err part_root(const ssz_type *t, const uint8_t *d, size_t len, const char *path,
			uint8_t out[SSZ_CHUNK], ssz_error *err);

/* The parts of a container or composite sequence: fixed parts inline, variable parts
 * located by offsets that must start right after the fixed part, never decrease and
 * stay within len. Each part's root is added to mk. */
static ss_err parts_root(size_t n, const ssz_type *(*type_of)(const void *, size_t),
			 const void *ctx, const char *(*name_of)(const void *, size_t),
			 const uint8_t *d, size_t len, const char *path, ssz_merkleizer *mk,
			 ssz_error *err)
{
	size_t fixed = 0;
	for (size_t i = 0; i < n; i++) {
		const ssz_type *t = type_of(ctx, i);
		fixed += ssz_is_fixed_size(t) ? ssz_fixed_size(t) : SSZ_OFFSET_BYTES;
	}
	if (fixed > len) {
		ssz_set_error(err, path, "%zu bytes, fewer than the fixed part (%zu)", len, fixed);
		return SS_ERR_INVALID;
	}
	size_t pos = 0, prev_off = 0;
	bool any_var = false;
	/* First pass: find each variable part's [start, end). */
	for (size_t i = 0; i < n; i++) {
		const ssz_type *t = type_of(ctx, i);
		char p[96];
		ssz_path_key(p, sizeof p, path, name_of(ctx, i));
		uint8_t r[SSZ_CHUNK];
		if (ssz_is_fixed_size(t)) {
			size_t sz = ssz_fixed_size(t);
			ss_err e = part_root(t, d + pos, sz, p, r, err);
			if (e != SS_OK)
				return e;
			pos += sz;
		} else {
			size_t off = rd_offset(d + pos);
			if (!any_var ? off != fixed : off < prev_off) {
				ssz_set_error(err, p, "bad offset %zu", off);
				return SS_ERR_INVALID;
			}
			if (off > len) {
				ssz_set_error(err, p, "offset %zu beyond the end (%zu)", off, len);
				return SS_ERR_INVALID;
			}
			/* The end is the next variable part's offset, or len. */
			size_t end = len, q = pos + SSZ_OFFSET_BYTES;
			for (size_t k = i + 1; k < n; k++) {
				const ssz_type *tk = type_of(ctx, k);
				if (!ssz_is_fixed_size(tk)) {
					end = rd_offset(d + q);
					break;
				}
				q += ssz_fixed_size(tk);
			}
			if (end < off || end > len) {
				ssz_set_error(err, p, "bad offset %zu", end);
				return SS_ERR_INVALID;
			}
			ss_err e = part_root(t, d + off, end - off, p, r, err);
			if (e != SS_OK)
				return e;
			any_var = true;
			prev_off = off;
			pos += SSZ_OFFSET_BYTES;
		}
		if (ssz_mk_chunk(mk, r) != SS_OK) {
			ssz_set_error(err, path, "too many elements");
			return SS_ERR_RANGE;
		}
	}
	if (!any_var && fixed != len) {
		ssz_set_error(err, path, "%zu bytes, expected %zu", len, fixed);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

static const ssz_type *field_type(const void *ctx, size_t i)
{
	return ((const ssz_type *)ctx)->fields[i].type;
}
static const char *field_name(const void *ctx, size_t i)
{
	return ((const ssz_type *)ctx)->fields[i].name;
}
static const ssz_type *elem_type(const void *ctx, size_t i)
{
	(void)i;
	return ((const ssz_type *)ctx)->elem;
}
static const char *elem_name(const void *ctx, size_t i)
{
	(void)ctx;
	(void)i;
	return "[]";
}

static ss_err seq_root(const ssz_type *t, const uint8_t *d, size_t len, const char *path,
		       uint8_t out[SSZ_CHUNK], ssz_error *err)
{
	const ssz_type *et = t->elem;
	bool list = t->kind == SSZ_LIST;
	uint64_t n;
	if (ssz_is_fixed_size(et)) {
		size_t es = ssz_fixed_size(et);
		if (len % es != 0) {
			ssz_set_error(err, path, "%zu bytes is not a multiple of the element size %zu", len, es);
			return SS_ERR_INVALID;
		}
		n = len / es;
	} else if (len == 0) {
		n = 0;
	} else {
		if (len < SSZ_OFFSET_BYTES) {
			ssz_set_error(err, path, "truncated offset");
			return SS_ERR_INVALID;
		}
		uint32_t first = rd_offset(d);
		if (first % SSZ_OFFSET_BYTES != 0 || first == 0 || first > len) {
			ssz_set_error(err, path, "bad first offset %u", (unsigned)first);
			return SS_ERR_INVALID;
		}
		n = first / SSZ_OFFSET_BYTES;
	}
	if (list ? n > t->size : n != t->size) {
		ssz_set_error(err, path, "%llu elements, %s %llu", (unsigned long long)n,
			      list ? "more than the limit" : "expected", (unsigned long long)t->size);
		return list ? SS_ERR_RANGE : SS_ERR_INVALID;
	}
	ssz_merkleizer mk;
	ssz_mk_init_type(&mk, t);
	if (et->kind == SSZ_UINT || et->kind == SSZ_BOOL) {
		if (et->kind == SSZ_BOOL)
			for (size_t i = 0; i < len; i++)
				if (d[i] > 1) {
					ssz_set_error(err, path, "boolean byte %u is not 0 or 1", d[i]);
					return SS_ERR_INVALID;
				}
		if (ssz_mk_bytes(&mk, d, len) != SS_OK)
			return SS_ERR_RANGE;
	} else if (n > 0) {
		if (!ssz_is_fixed_size(et) && n > SIZE_MAX / SSZ_OFFSET_BYTES)
			return SS_ERR_RANGE;
		ss_err e = parts_root((size_t)n, elem_type, t, elem_name, d, len, path, &mk, err);
		if (e != SS_OK)
			return e;
	}
	uint8_t root[SSZ_CHUNK];
	ssz_mk_finish(&mk, root);
	if (list)
		ssz_mix_in_length(out, root, n);
	else
		memcpy(out, root, SSZ_CHUNK);
	return SS_OK;
}

static ss_err part_root(const ssz_type *t, const uint8_t *d, size_t len, const char *path,
			uint8_t out[SSZ_CHUNK], ssz_error *err)
{
	switch (t->kind) {
	case SSZ_UINT:
	case SSZ_BOOL:
	case SSZ_BYTES:
	case SSZ_BITVECTOR: {
		/* Fixed-size and packed: checked per kind, then merkleized as they are. */
		if (t->kind == SSZ_BITVECTOR && t->size == 0) {
			ssz_set_error(err, path, "Bitvector[0] is not a valid type");
			return SS_ERR_INVALID;
		}
		size_t want = ssz_fixed_size(t);
		if (len != want) {
			ssz_set_error(err, path, "%zu bytes, expected %zu", len, want);
			return SS_ERR_INVALID;
		}
		if (t->kind == SSZ_BOOL && d[0] > 1) {
			ssz_set_error(err, path, "boolean byte %u is not 0 or 1", d[0]);
			return SS_ERR_INVALID;
		}
		unsigned used = (unsigned)(t->size % 8);
		if (t->kind == SSZ_BITVECTOR && used != 0 && (d[len - 1] >> used) != 0) {
			ssz_set_error(err, path, "bits beyond the bitvector's length are set");
			return SS_ERR_INVALID;
		}
		ssz_merkleizer mk;
		ssz_mk_init(&mk, ssz_chunk_limit(t));
		if (ssz_mk_bytes(&mk, d, len) != SS_OK)
			return SS_ERR_INTERNAL;
		ssz_mk_finish(&mk, out);
		return SS_OK;
	}
	case SSZ_BITLIST: {
		if (len == 0 || d[len - 1] == 0) {
			ssz_set_error(err, path, "bitlist has no length delimiter bit");
			return SS_ERR_INVALID;
		}
		uint8_t last = d[len - 1];
		unsigned hi = 7;
		while (!((last >> hi) & 1))
			hi--;
		uint64_t nbits = (uint64_t)(len - 1) * 8 + hi;
		if (nbits > t->size) {
			ssz_set_error(err, path, "bitlist has %llu bits, more than its limit %llu",
				      (unsigned long long)nbits, (unsigned long long)t->size);
			return SS_ERR_RANGE;
		}
		ssz_merkleizer mk;
		ssz_mk_init_type(&mk, t);
		uint8_t rest = (uint8_t)(last & ((1u << hi) - 1));
		if (ssz_mk_bytes(&mk, d, len - 1) != SS_OK ||
		    (hi > 0 && ssz_mk_bytes(&mk, &rest, 1) != SS_OK)) {
			ssz_set_error(err, path, "bitlist too long");
			return SS_ERR_RANGE;
		}
		uint8_t root[SSZ_CHUNK];
		ssz_mk_finish(&mk, root);
		ssz_mix_in_length(out, root, nbits);
		return SS_OK;
	}
	case SSZ_VECTOR:
	case SSZ_LIST:
		return seq_root(t, d, len, path, out, err);
	case SSZ_CONTAINER: {
		ssz_merkleizer mk;
		ssz_mk_init_type(&mk, t);
		ss_err e = parts_root(t->nfields, field_type, t, field_name, d, len, path, &mk, err);
		if (e != SS_OK)
			return e;
		ssz_container_finish(t, &mk, out);
		return SS_OK;
	}
	}
	return SS_ERR_INTERNAL;
}

ss_err ssz_bytes_root(const ssz_type *t, const uint8_t *data, size_t len,
		      uint8_t out[SSZ_CHUNK], ssz_error *err)
{
	if (data == NULL && len != 0)
		return SS_ERR_INVALID;
	static const uint8_t empty[1];
	return part_root(t, data ? data : empty, len, t->name, out, err);
}
