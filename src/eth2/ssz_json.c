/* hash_tree_root of beacon-API JSON values, walked by type descriptor
 * (simple-serialize.md "Merkleization"). Every list is checked against its limit before
 * its elements are read, byte strings are decoded a chunk at a time, so the work is
 * bounded by the type and nothing is allocated. */
#include "eth2/ssz.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/dec.h"
#include "util/hex.h"

void ssz_path_key(char *dst, size_t cap, const char *base, const char *key)
{
	if (base == NULL || base[0] == '\0')
		snprintf(dst, cap, "%s", key);
	else
		snprintf(dst, cap, "%s.%s", base, key);
}

void ssz_path_index(char *dst, size_t cap, const char *base, size_t index)
{
	snprintf(dst, cap, "%s[%zu]", base ? base : "", index);
}

void ssz_set_error(ssz_error *err, const char *path, const char *fmt, ...)
{
	if (err == NULL)
		return;
	snprintf(err->path, sizeof err->path, "%s", path ? path : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

ss_err ssz_json_u64(const json_t *j, const char *path, uint64_t *out, ssz_error *err)
{
	if (!json_is_string(j)) {
		ssz_set_error(err, path, "expected a decimal uint64 string");
		return SS_ERR_INVALID;
	}
	ss_err e = dec_parse_u64(json_string_value(j), json_string_length(j), out);
	if (e == SS_ERR_RANGE)
		ssz_set_error(err, path, "number out of range (uint64 is at most 18446744073709551615)");
	else if (e != SS_OK)
		ssz_set_error(err, path, "expected a decimal uint64 string (digits only)");
	return e;
}

ss_err ssz_json_hex(const json_t *j, const char *path, uint8_t *out, size_t n, ssz_error *err)
{
	if (!json_is_string(j)) {
		ssz_set_error(err, path, "expected a 0x-prefixed hex string of %zu bytes", n);
		return SS_ERR_INVALID;
	}
	if (hex_decode(out, n, json_string_value(j), json_string_length(j),
		       HEX_PREFIX_REQUIRED) != SS_OK) {
		ssz_set_error(err, path, "expected a 0x-prefixed hex string of %zu bytes", n);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

const json_t *ssz_json_member(const json_t *obj, const char *path, const char *key,
			      ssz_error *err)
{
	char p[96];
	ssz_path_key(p, sizeof p, path, key);
	if (!json_is_object(obj)) {
		ssz_set_error(err, path, "expected an object");
		return NULL;
	}
	const json_t *v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v)) {
		ssz_set_error(err, p, "missing field");
		return NULL;
	}
	return v;
}

/* A "0x" hex string's digits, after checking prefix and even length. */
static bool hex_digits(const json_t *j, const char **digits, size_t *nbytes)
{
	if (!json_is_string(j))
		return false;
	const char *s = json_string_value(j);
	size_t len = json_string_length(j);
	if (len < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || (len - 2) % 2 != 0)
		return false;
	*digits = s + 2;
	*nbytes = (len - 2) / 2;
	return true;
}

/* A decimal string as a little-endian unsigned of n bytes (uint128, uint256: the
 * beacon-API encodes every uint as a decimal string). Digits only, as dec_parse_u64. */
static ss_err wide_uint(const json_t *j, const char *path, uint8_t *out, size_t n,
			ssz_error *err)
{
	if (!json_is_string(j) || json_string_length(j) == 0) {
		ssz_set_error(err, path, "expected a decimal uint%zu string", 8 * n);
		return SS_ERR_INVALID;
	}
	const char *d = json_string_value(j);
	size_t len = json_string_length(j);
	memset(out, 0, n);
	bool overflow = false;
	for (size_t i = 0; i < len; i++) {
		if (d[i] < '0' || d[i] > '9') {
			ssz_set_error(err, path, "expected a decimal uint%zu string (digits only)", 8 * n);
			return SS_ERR_INVALID;
		}
		/* out = out * 10 + digit, byte by byte with carry */
		unsigned carry = (unsigned)(d[i] - '0');
		for (size_t k = 0; k < n; k++) {
			unsigned v = out[k] * 10u + carry;
			out[k] = (uint8_t)v;
			carry = v >> 8;
		}
		overflow |= carry != 0;
	}
	if (overflow) {
		ssz_set_error(err, path, "number out of range (uint%zu)", 8 * n);
		return SS_ERR_RANGE;
	}
	return SS_OK;
}

/* Little-endian bytes of a basic value from JSON (uint up to 256 bits, bool); out holds
 * SSZ_CHUNK bytes. */
static ss_err basic_bytes(const ssz_type *t, const json_t *j, const char *path, uint8_t *out,
			  ssz_error *err)
{
	if (t->kind == SSZ_BOOL) {
		if (!json_is_boolean(j)) {
			ssz_set_error(err, path, "expected true or false");
			return SS_ERR_INVALID;
		}
		out[0] = json_is_true(j) ? 1 : 0;
		return SS_OK;
	}
	if (t->size > 8)
		return wide_uint(j, path, out, (size_t)t->size, err);
	uint64_t v;
	ss_err e = ssz_json_u64(j, path, &v, err);
	if (e != SS_OK)
		return e;
	if (t->size < 8 && v >> (8 * t->size) != 0) {
		ssz_set_error(err, path, "number out of range (uint%u)", (unsigned)(t->size * 8));
		return SS_ERR_RANGE;
	}
	for (size_t i = 0; i < t->size; i++)
		out[i] = (uint8_t)(v >> (8 * i));
	return SS_OK;
}

/* List[byte, N] (ByteList: extra_data, transactions, Gloas block_access_list): the
 * beacon-API writes it as a 0x hex string, not an array. */
static bool is_byte_list(const ssz_type *t)
{
	return t->kind == SSZ_LIST && t->elem->kind == SSZ_UINT && t->elem->size == 1;
}

/* Streams nbytes of hex digits into a merkleizer, 32 bytes at a time. */
static ss_err stream_hex(ssz_merkleizer *mk, const char *digits, size_t nbytes)
{
	uint8_t buf[SSZ_CHUNK];
	while (nbytes > 0) {
		size_t n = nbytes < SSZ_CHUNK ? nbytes : SSZ_CHUNK;
		if (hex_decode(buf, n, digits, 2 * n, HEX_PREFIX_FORBIDDEN) != SS_OK)
			return SS_ERR_INVALID;
		ss_err e = ssz_mk_bytes(mk, buf, n);
		if (e != SS_OK)
			return e;
		digits += 2 * n;
		nbytes -= n;
	}
	return SS_OK;
}

static ss_err bitfield_root(const ssz_type *t, const json_t *j, const char *path,
			    uint8_t out[SSZ_CHUNK], ssz_error *err)
{
	const char *digits;
	size_t nbytes;
	bool list = t->kind == SSZ_BITLIST;
	size_t want = (size_t)((t->size + 7) / 8);
	if (!list && t->size == 0) {
		ssz_set_error(err, path, "Bitvector[0] is not a valid type");
		return SS_ERR_INVALID;
	}
	if (list && hex_digits(j, &digits, &nbytes) && nbytes > t->size / 8 + 1) {
		ssz_set_error(err, path, "bitlist of %zu bytes is longer than its limit of %llu bits",
			      nbytes, (unsigned long long)t->size);
		return SS_ERR_RANGE;
	}
	if (!hex_digits(j, &digits, &nbytes) || (list ? nbytes == 0 : nbytes != want)) {
		if (list)
			ssz_set_error(err, path, "expected a 0x-prefixed SSZ bitlist of at most %llu bits",
				      (unsigned long long)t->size);
		else
			ssz_set_error(err, path, "expected a 0x-prefixed hex string of %zu bytes (%llu bits)",
				      want, (unsigned long long)t->size);
		return SS_ERR_INVALID;
	}
	uint8_t last;
	if (hex_decode(&last, 1, digits + 2 * (nbytes - 1), 2, HEX_PREFIX_FORBIDDEN) != SS_OK) {
		ssz_set_error(err, path, "invalid hex digit");
		return SS_ERR_INVALID;
	}
	ssz_merkleizer mk;
	ssz_mk_init_type(&mk, t);
	if (!list) {
		unsigned used = (unsigned)(t->size % 8);
		if (used != 0 && (last >> used) != 0) {
			ssz_set_error(err, path, "bits beyond the bitvector's length %llu are set",
				      (unsigned long long)t->size);
			return SS_ERR_INVALID;
		}
		if (stream_hex(&mk, digits, nbytes) != SS_OK) {
			ssz_set_error(err, path, "invalid hex digit");
			return SS_ERR_INVALID;
		}
		ssz_mk_finish(&mk, out);
		return SS_OK;
	}
	/* Bitlist: the highest set bit of the last byte is the length delimiter. */
	if (last == 0) {
		ssz_set_error(err, path, "bitlist has no length delimiter bit (last byte is zero)");
		return SS_ERR_INVALID;
	}
	unsigned hi = 7;
	while (!((last >> hi) & 1))
		hi--;
	uint64_t nbits = (uint64_t)(nbytes - 1) * 8 + hi;
	if (nbits > t->size) {
		ssz_set_error(err, path, "bitlist has %llu bits, more than its limit %llu",
			      (unsigned long long)nbits, (unsigned long long)t->size);
		return SS_ERR_RANGE;
	}
	if (stream_hex(&mk, digits, nbytes - 1) != SS_OK) {
		ssz_set_error(err, path, "invalid hex digit");
		return SS_ERR_INVALID;
	}
	uint8_t rest = (uint8_t)(last & ((1u << hi) - 1));
	if (hi > 0 && ssz_mk_bytes(&mk, &rest, 1) != SS_OK) {
		ssz_set_error(err, path, "bitlist too long");
		return SS_ERR_RANGE;
	}
	uint8_t root[SSZ_CHUNK];
	ssz_mk_finish(&mk, root);
	ssz_mix_in_length(out, root, nbits);
	return SS_OK;
}

/* hash_tree_root of a ByteList from its hex string: the bytes packed, merkleized (with
 * the limit, or progressively), mixed with the length. */
static ss_err byte_list_root(const ssz_type *t, const json_t *j, const char *path,
			     uint8_t out[SSZ_CHUNK], ssz_error *err)
{
	const char *digits;
	size_t nbytes;
	if (!hex_digits(j, &digits, &nbytes)) {
		ssz_set_error(err, path, "expected a 0x-prefixed hex string of at most %llu bytes",
			      (unsigned long long)t->size);
		return SS_ERR_INVALID;
	}
	if (nbytes > t->size) {
		ssz_set_error(err, path, "%zu bytes, more than its limit %llu", nbytes,
			      (unsigned long long)t->size);
		return SS_ERR_RANGE;
	}
	ssz_merkleizer mk;
	ssz_mk_init_type(&mk, t);
	if (stream_hex(&mk, digits, nbytes) != SS_OK) {
		ssz_set_error(err, path, "invalid hex digit");
		return SS_ERR_INVALID;
	}
	uint8_t root[SSZ_CHUNK];
	ssz_mk_finish(&mk, root);
	ssz_mix_in_length(out, root, nbytes);
	return SS_OK;
}

static ss_err seq_root(const ssz_type *t, const json_t *j, const char *path,
		       uint8_t out[SSZ_CHUNK], ssz_error *err)
{
	bool list = t->kind == SSZ_LIST;
	if (is_byte_list(t))
		return byte_list_root(t, j, path, out, err);
	if (!json_is_array(j)) {
		ssz_set_error(err, path, "expected an array");
		return SS_ERR_INVALID;
	}
	size_t n = json_array_size(j);
	if (list ? n > t->size : n != t->size) {
		ssz_set_error(err, path, list ? "array has %zu elements, more than its limit %llu"
					       : "array has %zu elements, expected exactly %llu",
			      n, (unsigned long long)t->size);
		return list ? SS_ERR_RANGE : SS_ERR_INVALID;
	}
	ssz_merkleizer mk;
	ssz_mk_init_type(&mk, t);
	const ssz_type *et = t->elem;
	for (size_t i = 0; i < n; i++) {
		char p[96];
		ssz_path_index(p, sizeof p, path, i);
		const json_t *ej = json_array_get(j, i);
		ss_err e;
		if (et->kind == SSZ_UINT || et->kind == SSZ_BOOL) {
			uint8_t b[SSZ_CHUNK];
			e = basic_bytes(et, ej, p, b, err);
			if (e == SS_OK)
				e = ssz_mk_bytes(&mk, b, et->kind == SSZ_BOOL ? 1 : (size_t)et->size);
		} else {
			uint8_t r[SSZ_CHUNK];
			e = ssz_json_root(et, ej, p, r, err);
			if (e == SS_OK)
				e = ssz_mk_chunk(&mk, r);
		}
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

ss_err ssz_json_root(const ssz_type *t, const json_t *j, const char *path,
		     uint8_t out[SSZ_CHUNK], ssz_error *err)
{
	switch (t->kind) {
	case SSZ_UINT:
	case SSZ_BOOL: {
		uint8_t b[SSZ_CHUNK] = { 0 };
		ss_err e = basic_bytes(t, j, path, b, err);
		if (e != SS_OK)
			return e;
		memcpy(out, b, SSZ_CHUNK);
		return SS_OK;
	}
	case SSZ_BYTES: {
		const char *digits;
		size_t nbytes;
		ssz_merkleizer mk;
		if (!hex_digits(j, &digits, &nbytes) || nbytes != t->size) {
			ssz_set_error(err, path, "expected a 0x-prefixed hex string of %llu bytes",
				      (unsigned long long)t->size);
			return SS_ERR_INVALID;
		}
		ssz_mk_init(&mk, ssz_chunk_limit(t));
		if (stream_hex(&mk, digits, nbytes) != SS_OK) {
			ssz_set_error(err, path, "expected a 0x-prefixed hex string of %llu bytes",
				      (unsigned long long)t->size);
			return SS_ERR_INVALID;
		}
		ssz_mk_finish(&mk, out);
		return SS_OK;
	}
	case SSZ_BITVECTOR:
	case SSZ_BITLIST:
		return bitfield_root(t, j, path, out, err);
	case SSZ_VECTOR:
	case SSZ_LIST:
		return seq_root(t, j, path, out, err);
	case SSZ_CONTAINER: {
		if (!json_is_object(j)) {
			ssz_set_error(err, path, "expected an object (%s)", t->name);
			return SS_ERR_INVALID;
		}
		ssz_merkleizer mk;
		ssz_mk_init_type(&mk, t);
		for (size_t i = 0; i < t->nfields; i++) {
			char p[96];
			ssz_path_key(p, sizeof p, path, t->fields[i].name);
			const json_t *fj = ssz_json_member(j, path, t->fields[i].name, err);
			if (fj == NULL)
				return SS_ERR_INVALID;
			uint8_t r[SSZ_CHUNK];
			ss_err e = ssz_json_root(t->fields[i].type, fj, p, r, err);
			if (e != SS_OK)
				return e;
			if (ssz_mk_chunk(&mk, r) != SS_OK)
				return SS_ERR_INTERNAL;
		}
		ssz_container_finish(t, &mk, out);
		return SS_OK;
	}
	}
	return SS_ERR_INTERNAL;
}

/* ---- Serialisation ------------------------------------------------------------------ */

typedef struct {
	uint8_t *buf;
	size_t cap, len;
} out_buf;

static ss_err put(out_buf *o, const void *p, size_t n, const char *path, ssz_error *err)
{
	if (n > o->cap - o->len) {
		ssz_set_error(err, path, "serialisation does not fit the buffer");
		return SS_ERR_RANGE;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return SS_OK;
}

static void put_offset(out_buf *o, size_t at, size_t value)
{
	for (int i = 0; i < 4; i++)
		o->buf[at + i] = (uint8_t)(value >> (8 * i));
}

static ss_err ser(const ssz_type *t, const json_t *j, const char *path, out_buf *o,
		  ssz_error *err);

/* Serialises a sequence of parts (container fields or list/vector elements): fixed parts
 * inline, 4-byte offsets for variable ones, variable parts after (simple-serialize.md
 * "Variable-size and fixed-size"). */
static ss_err ser_parts(size_t n, const ssz_type *const *types, const json_t *const *vals,
			const char *const *paths, out_buf *o, ssz_error *err)
{
	size_t start = o->len;
	size_t off_at[SSZ_MAX_FIELDS] = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (ssz_is_fixed_size(types[i])) {
			ss_err e = ser(types[i], vals[i], paths[i], o, err);
			if (e != SS_OK)
				return e;
		} else {
			uint8_t z[4] = { 0 };
			off_at[i] = o->len;
			ss_err e = put(o, z, 4, paths[i], err);
			if (e != SS_OK)
				return e;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (ssz_is_fixed_size(types[i]))
			continue;
		put_offset(o, off_at[i], o->len - start);
		ss_err e = ser(types[i], vals[i], paths[i], o, err);
		if (e != SS_OK)
			return e;
	}
	return SS_OK;
}

static ss_err ser_bitfield(const ssz_type *t, const json_t *j, const char *path, out_buf *o,
			   ssz_error *err)
{
	uint8_t root[SSZ_CHUNK];
	ss_err e = bitfield_root(t, j, path, root, err); /* validates */
	if (e != SS_OK)
		return e;
	const char *digits;
	size_t nbytes;
	(void)hex_digits(j, &digits, &nbytes);
	if (nbytes > o->cap - o->len) {
		ssz_set_error(err, path, "serialisation does not fit the buffer");
		return SS_ERR_RANGE;
	}
	if (hex_decode(o->buf + o->len, nbytes, digits, 2 * nbytes, HEX_PREFIX_FORBIDDEN) != SS_OK)
		return SS_ERR_INVALID;
	o->len += nbytes;
	return SS_OK;
}

static ss_err ser(const ssz_type *t, const json_t *j, const char *path, out_buf *o,
		  ssz_error *err)
{
	switch (t->kind) {
	case SSZ_UINT:
	case SSZ_BOOL: {
		uint8_t b[SSZ_CHUNK] = { 0 };
		ss_err e = basic_bytes(t, j, path, b, err);
		if (e != SS_OK)
			return e;
		return put(o, b, t->kind == SSZ_BOOL ? 1 : (size_t)t->size, path, err);
	}
	case SSZ_BYTES: {
		uint8_t r[SSZ_CHUNK];
		ss_err e = ssz_json_root(t, j, path, r, err); /* validates */
		if (e != SS_OK)
			return e;
		if (t->size > o->cap - o->len) {
			ssz_set_error(err, path, "serialisation does not fit the buffer");
			return SS_ERR_RANGE;
		}
		if (hex_decode(o->buf + o->len, (size_t)t->size, json_string_value(j) + 2,
			       2 * (size_t)t->size, HEX_PREFIX_FORBIDDEN) != SS_OK)
			return SS_ERR_INVALID;
		o->len += (size_t)t->size;
		return SS_OK;
	}
	case SSZ_BITVECTOR:
	case SSZ_BITLIST:
		return ser_bitfield(t, j, path, o, err);
	case SSZ_VECTOR:
	case SSZ_LIST: {
		if (is_byte_list(t)) {
			uint8_t r[SSZ_CHUNK];
			ss_err e = byte_list_root(t, j, path, r, err); /* validates */
			if (e != SS_OK)
				return e;
			const char *digits;
			size_t nbytes;
			(void)hex_digits(j, &digits, &nbytes);
			if (nbytes > o->cap - o->len) {
				ssz_set_error(err, path, "serialisation does not fit the buffer");
				return SS_ERR_RANGE;
			}
			if (hex_decode(o->buf + o->len, nbytes, digits, 2 * nbytes,
				       HEX_PREFIX_FORBIDDEN) != SS_OK)
				return SS_ERR_INVALID;
			o->len += nbytes;
			return SS_OK;
		}
		if (!json_is_array(j)) {
			ssz_set_error(err, path, "expected an array");
			return SS_ERR_INVALID;
		}
		size_t n = json_array_size(j);
		if (t->kind == SSZ_LIST ? n > t->size : n != t->size) {
			ssz_set_error(err, path, "array has %zu elements (limit %llu)", n,
				      (unsigned long long)t->size);
			return SS_ERR_RANGE;
		}
		for (size_t i = 0; i < n; i++) {
			/* Parts are processed one element at a time to keep the stack bounded. */
			char p[96];
			ssz_path_index(p, sizeof p, path, i);
			if (ssz_is_fixed_size(t->elem)) {
				ss_err e = ser(t->elem, json_array_get(j, i), p, o, err);
				if (e != SS_OK)
					return e;
			}
		}
		if (ssz_is_fixed_size(t->elem))
			return SS_OK;
		size_t start = o->len;
		for (size_t i = 0; i < n; i++) {
			uint8_t z[4] = { 0 };
			ss_err e = put(o, z, 4, path, err);
			if (e != SS_OK)
				return e;
		}
		for (size_t i = 0; i < n; i++) {
			char p[96];
			ssz_path_index(p, sizeof p, path, i);
			put_offset(o, start + 4 * i, o->len - start);
			ss_err e = ser(t->elem, json_array_get(j, i), p, o, err);
			if (e != SS_OK)
				return e;
		}
		return SS_OK;
	}
	case SSZ_CONTAINER: {
		if (!json_is_object(j)) {
			ssz_set_error(err, path, "expected an object (%s)", t->name);
			return SS_ERR_INVALID;
		}
		size_t n = t->nfields;
		const ssz_type *types[SSZ_MAX_FIELDS];
		const json_t *vals[SSZ_MAX_FIELDS];
		char pbuf[SSZ_MAX_FIELDS][96];
		const char *paths[SSZ_MAX_FIELDS];
		if (n > SSZ_MAX_FIELDS)
			return SS_ERR_INTERNAL;
		for (size_t i = 0; i < n; i++) {
			types[i] = t->fields[i].type;
			vals[i] = ssz_json_member(j, path, t->fields[i].name, err);
			if (vals[i] == NULL)
				return SS_ERR_INVALID;
			ssz_path_key(pbuf[i], sizeof pbuf[i], path, t->fields[i].name);
			paths[i] = pbuf[i];
		}
		return ser_parts(n, types, vals, paths, o, err);
	}
	}
	return SS_ERR_INTERNAL;
}

ss_err ssz_json_serialize(const ssz_type *t, const json_t *json, uint8_t *buf, size_t cap,
			  size_t *len, ssz_error *err)
{
	out_buf o = { buf, cap, 0 };
	ss_err e = ser(t, json, "", &o, err);
	if (e == SS_OK)
		*len = o.len;
	return e;
}
