/* Merkleisation (consensus-specs ssz/simple-serialize.md "Merkleization"): merkleize
 * with a limit, mix_in_length, and the zero-subtree roots the padding uses; EIP-7916
 * merkleize_progressive and EIP-7495 mix_in_active_fields for the Gloas types. */
#include "eth2/ssz.h"

#include <pthread.h>
#include <string.h>

#include "crypto/sha256.h"

static uint8_t zero_hashes[SSZ_MAX_DEPTH + 1][SSZ_CHUNK];
static pthread_once_t zero_once = PTHREAD_ONCE_INIT;

/* zero_hashes[0] = 0^32, zero_hashes[i+1] = H(zero_hashes[i] ‖ zero_hashes[i]). */
static void zero_hashes_init(void)
{
	memset(zero_hashes[0], 0, SSZ_CHUNK);
	for (unsigned i = 0; i < SSZ_MAX_DEPTH; i++)
		sha256_pair(zero_hashes[i + 1], zero_hashes[i], zero_hashes[i]);
}

const uint8_t *ssz_zero_hash(unsigned depth)
{
	pthread_once(&zero_once, zero_hashes_init);
	return zero_hashes[depth > SSZ_MAX_DEPTH ? SSZ_MAX_DEPTH : depth];
}

/* The tree depth for a limit: ceil(log2(limit)), 0 for limits 0 and 1. */
static unsigned depth_for(uint64_t limit)
{
	unsigned d = 0;
	while (d < SSZ_MAX_DEPTH && ((uint64_t)1 << d) < limit)
		d++;
	return d;
}

void ssz_mk_init(ssz_merkleizer *mk, uint64_t limit_chunks)
{
	mk->count = 0;
	mk->partial_len = 0;
	mk->limit = limit_chunks;
	mk->depth = depth_for(limit_chunks);
	mk->progressive = false;
	mk->nsub = 0;
	(void)ssz_zero_hash(0);
}

void ssz_mk_init_progressive(ssz_merkleizer *mk)
{
	ssz_mk_init(mk, 1); /* the first subtree holds one chunk */
	mk->progressive = true;
}

void ssz_mk_init_type(ssz_merkleizer *mk, const ssz_type *t)
{
	if (t->progressive)
		ssz_mk_init_progressive(mk);
	else
		ssz_mk_init(mk, ssz_chunk_limit(t));
}

static void fixed_root(ssz_merkleizer *mk, uint8_t out[SSZ_CHUNK]);

ss_err ssz_mk_chunk(ssz_merkleizer *mk, const uint8_t chunk[SSZ_CHUNK])
{
	if (mk->progressive && mk->count == mk->limit) {
		/* EIP-7916: the current subtree is full; the next one is four times larger. */
		if (mk->nsub + 1 >= SSZ_MAX_SUBTREES)
			return SS_ERR_RANGE;
		fixed_root(mk, mk->sub[mk->nsub++]);
		mk->count = 0;
		mk->limit *= 4;
		mk->depth += 2;
	}
	if (mk->count >= mk->limit)
		return SS_ERR_RANGE;
	/* Carry upwards while the level already holds a left sibling (bit j of count). */
	uint8_t h[SSZ_CHUNK];
	memcpy(h, chunk, SSZ_CHUNK);
	unsigned j = 0;
	while (j < mk->depth && (mk->count >> j) & 1) {
		sha256_pair(h, mk->layer[j], h);
		j++;
	}
	memcpy(mk->layer[j], h, SSZ_CHUNK);
	mk->count++;
	return SS_OK;
}

ss_err ssz_mk_bytes(ssz_merkleizer *mk, const uint8_t *data, size_t len)
{
	while (len > 0) {
		size_t take = SSZ_CHUNK - mk->partial_len;
		if (take > len)
			take = len;
		memcpy(mk->partial + mk->partial_len, data, take);
		mk->partial_len += take;
		data += take;
		len -= take;
		if (mk->partial_len == SSZ_CHUNK) {
			ss_err e = ssz_mk_chunk(mk, mk->partial);
			if (e != SS_OK)
				return e;
			mk->partial_len = 0;
		}
	}
	return SS_OK;
}

void ssz_mk_finish(ssz_merkleizer *mk, uint8_t out[SSZ_CHUNK])
{
	if (mk->partial_len > 0) {
		memset(mk->partial + mk->partial_len, 0, SSZ_CHUNK - mk->partial_len);
		mk->partial_len = 0;
		/* Cannot exceed the limit: callers size the limit for the packed bytes. */
		if (ssz_mk_chunk(mk, mk->partial) != SS_OK) {
			memset(out, 0, SSZ_CHUNK);
			return;
		}
	}
	if (!mk->progressive) {
		fixed_root(mk, out);
		return;
	}
	/* EIP-7916 merkleize_progressive(chunks, n) =
	 *   hash(merkleize(chunks[:n], n), merkleize_progressive(chunks[n:], 4n)),
	 * and Bytes32() for no chunks: fold the subtree roots from the last one. */
	if (mk->count > 0)
		fixed_root(mk, mk->sub[mk->nsub++]);
	uint8_t acc[SSZ_CHUNK] = { 0 };
	for (unsigned i = mk->nsub; i-- > 0;)
		sha256_pair(acc, mk->sub[i], acc);
	memcpy(out, acc, SSZ_CHUNK);
}

void ssz_container_finish(const ssz_type *t, ssz_merkleizer *mk, uint8_t out[SSZ_CHUNK])
{
	if (!t->progressive) {
		ssz_mk_finish(mk, out);
		return;
	}
	/* EIP-7495 ProgressiveContainer: mix_in_active_fields(merkleize_progressive(field
	 * roots), active_fields), the active_fields Bitvector packed into one chunk (every
	 * field of the containers here is active; at most 256 fields). */
	uint8_t root[SSZ_CHUNK], bits[SSZ_CHUNK] = { 0 };
	ssz_mk_finish(mk, root);
	for (size_t i = 0; i < t->nfields && i < 8 * SSZ_CHUNK; i++)
		bits[i / 8] |= (uint8_t)(1u << (i % 8));
	sha256_pair(out, root, bits);
}

/* The root of the fixed-depth tree being filled (the whole tree, or in progressive mode
 * the current subtree). */
static void fixed_root(ssz_merkleizer *mk, uint8_t out[SSZ_CHUNK])
{
	if (mk->depth < 64 && mk->count == ((uint64_t)1 << mk->depth)) {
		memcpy(out, mk->layer[mk->depth], SSZ_CHUNK);
		return;
	}
	/* Fold the pending left siblings with zero subtrees, bottom to top. `have` says
	 * whether h already holds a non-zero partial subtree at level j. */
	uint8_t h[SSZ_CHUNK];
	bool have = false;
	for (unsigned j = 0; j < mk->depth; j++) {
		if ((mk->count >> j) & 1) {
			sha256_pair(h, mk->layer[j], have ? h : ssz_zero_hash(j));
			have = true;
		} else if (have) {
			sha256_pair(h, h, ssz_zero_hash(j));
		}
	}
	memcpy(out, have ? h : ssz_zero_hash(mk->depth), SSZ_CHUNK);
}

void ssz_mix_in_length(uint8_t out[SSZ_CHUNK], const uint8_t root[SSZ_CHUNK], uint64_t len)
{
	uint8_t l[SSZ_CHUNK];
	ssz_uint64_root(l, len);
	sha256_pair(out, root, l);
}

void ssz_uint64_root(uint8_t out[SSZ_CHUNK], uint64_t v)
{
	memset(out, 0, SSZ_CHUNK);
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}
