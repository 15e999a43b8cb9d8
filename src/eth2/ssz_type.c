/* Static properties of SSZ types (simple-serialize.md "Typing", "Serialization"). */
#include "eth2/ssz.h"

static bool is_basic(const ssz_type *t)
{
	return t->kind == SSZ_UINT || t->kind == SSZ_BOOL;
}

static size_t basic_size(const ssz_type *t)
{
	return t->kind == SSZ_BOOL ? 1 : (size_t)t->size;
}

bool ssz_is_fixed_size(const ssz_type *t)
{
	switch (t->kind) {
	case SSZ_LIST:
	case SSZ_BITLIST:
		return false;
	case SSZ_VECTOR:
		return ssz_is_fixed_size(t->elem);
	case SSZ_CONTAINER:
		for (size_t i = 0; i < t->nfields; i++)
			if (!ssz_is_fixed_size(t->fields[i].type))
				return false;
		return true;
	default:
		return true;
	}
}

size_t ssz_fixed_size(const ssz_type *t)
{
	switch (t->kind) {
	case SSZ_UINT:
	case SSZ_BYTES:
		return (size_t)t->size;
	case SSZ_BOOL:
		return 1;
	case SSZ_BITVECTOR:
		return (size_t)((t->size + 7) / 8);
	case SSZ_VECTOR:
		return ssz_is_fixed_size(t->elem) ? (size_t)t->size * ssz_fixed_size(t->elem) : 0;
	case SSZ_CONTAINER: {
		size_t n = 0;
		for (size_t i = 0; i < t->nfields; i++) {
			if (!ssz_is_fixed_size(t->fields[i].type))
				return 0;
			n += ssz_fixed_size(t->fields[i].type);
		}
		return n;
	}
	default:
		return 0;
	}
}

uint64_t ssz_chunk_limit(const ssz_type *t)
{
	switch (t->kind) {
	case SSZ_UINT:
	case SSZ_BOOL:
		return 1;
	case SSZ_BYTES:
		return (t->size + SSZ_CHUNK - 1) / SSZ_CHUNK;
	case SSZ_BITVECTOR:
	case SSZ_BITLIST:
		return (t->size + 255) / 256;
	case SSZ_VECTOR:
	case SSZ_LIST:
		if (is_basic(t->elem))
			return (t->size * basic_size(t->elem) + SSZ_CHUNK - 1) / SSZ_CHUNK;
		return t->size;
	case SSZ_CONTAINER:
		return t->nfields;
	}
	return 0;
}

static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t sat_mul(size_t a, uint64_t b)
{
	if (a != 0 && b > SIZE_MAX / a)
		return SIZE_MAX;
	return a * (size_t)b;
}

size_t ssz_max_size(const ssz_type *t)
{
	switch (t->kind) {
	case SSZ_BITLIST:
		return (size_t)(t->size / 8 + 1);
	case SSZ_LIST: {
		size_t per = ssz_max_size(t->elem);
		if (!ssz_is_fixed_size(t->elem))
			per = sat_add(per, SSZ_OFFSET_BYTES);
		return sat_mul(per, t->size);
	}
	case SSZ_VECTOR:
		if (ssz_is_fixed_size(t))
			return ssz_fixed_size(t);
		return sat_mul(sat_add(ssz_max_size(t->elem), SSZ_OFFSET_BYTES), t->size);
	case SSZ_CONTAINER: {
		size_t n = 0;
		for (size_t i = 0; i < t->nfields; i++) {
			const ssz_type *f = t->fields[i].type;
			n = sat_add(n, ssz_max_size(f));
			if (!ssz_is_fixed_size(f))
				n = sat_add(n, SSZ_OFFSET_BYTES);
		}
		return n;
	}
	default:
		return ssz_fixed_size(t);
	}
}
