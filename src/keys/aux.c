/* keys/keys_aux.h: auxiliary keys, sealed in one file next to the validator key shards.
 *
 * <dir>/aux.sealed:
 *   0   "SSAUXKS1"      8
 *   8   count           4  (u32 little-endian)
 *   12  zero            4
 *   16  records         count × AUX_REC
 *   end HMAC-SHA256     32 (aux MAC key, over every byte before it)
 * Record (AUX_REC bytes):
 *   0   "SKA1"          4
 *   4   kind            1
 *   5   pub_len         1
 *   6   has_delegator   1
 *   7   zero            1
 *   8   pub             48 (zero-padded)
 *   56  owner           64 (NUL-padded)
 *   120 delegator       48
 *   168 created         8  (u64 little-endian, Unix seconds)
 *   176 nonce           12 random per sealing
 *   188 ciphertext      32 AES-256-GCM of the secret, AAD = bytes [0, 176)
 *   220 tag             16
 * The whole-file MAC makes a dropped, reordered or replayed record visible, not only a
 * changed one. The file is small (a record per key) and rewritten whole with
 * file_write_atomic, so after a crash it is the old or the new file, never a mix. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/eip2333.h"
#include "crypto/keccak.h"
#include "crypto/secp256k1_key.h"
#include "crypto/sha256.h"
#include "keys/keys_aux.h"
#include "keys/keys_internal.h"
#include "util/ct.h"
#include "util/file.h"
#include "util/log.h"
#include "util/random.h"
#include "util/secure_mem.h"

#define AUX_REC 236
#define AUX_AAD 176
#define AUX_HDR 16
#define AUX_MAC 32
static const char FILE_MAGIC[8] = { 'S', 'S', 'A', 'U', 'X', 'K', 'S', '1' };
static const char REC_MAGIC[4] = { 'S', 'K', 'A', '1' };

struct keys_aux_state {
	pthread_mutex_t lock;
	char path[4096 + 16];
	bool broken;            /* the file did not authenticate: never overwrite it */
	uint8_t aead[32], mac[32]; /* derived from the store's sealing keys; secure memory */
	keys_aux_info *infos;
	uint8_t (*secrets)[32]; /* secure memory, parallel to infos */
	size_t n, cap;
};

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static size_t expected_pub_len(keys_aux_kind kind)
{
	switch (kind) {
	case KEYS_AUX_PROXY_BLS: return KEYS_PUBKEY_BYTES;
	case KEYS_AUX_SECP256K1:
	case KEYS_AUX_PROXY_ECDSA: return K1_PUB_COMPRESSED_BYTES;
	}
	return 0;
}

/* Fills in->address for a secp256k1 key: keccak256(X ‖ Y)[12..32] of the uncompressed
 * point. Once per key (generation, load), so that a lookup by address
 * (keys_aux_get_by_address) compares bytes instead of decompressing and hashing every
 * key on every request. SS_ERR_INVALID when the stored key is not on the curve. */
static ss_err set_address(keys_aux_info *in)
{
	memset(in->address, 0, sizeof in->address);
	if (in->kind != KEYS_AUX_SECP256K1 && in->kind != KEYS_AUX_PROXY_ECDSA)
		return SS_OK;
	uint8_t pub65[K1_PUB_UNCOMPRESSED_BYTES];
	if (k1_pub_parse(in->pub, in->pub_len, NULL, pub65) != SS_OK)
		return SS_ERR_INVALID;
	keccak_eth_address(in->address, pub65);
	return SS_OK;
}

static ss_err grow(struct keys_aux_state *a, size_t need)
{
	if (need <= a->cap)
		return SS_OK;
	size_t cap = a->cap ? a->cap * 2 : 16;
	while (cap < need)
		cap *= 2;
	keys_aux_info *infos = realloc(a->infos, cap * sizeof *infos);
	if (!infos)
		return SS_ERR_NOMEM;
	a->infos = infos;
	uint8_t(*secrets)[32] = secure_alloc(cap * 32);
	if (!secrets)
		return SS_ERR_NOMEM;
	if (a->n)
		memcpy(secrets, a->secrets, a->n * 32);
	secure_free(a->secrets);
	a->secrets = secrets;
	a->cap = cap;
	return SS_OK;
}

/* Seals entry i into rec. */
static ss_err seal_rec(const struct keys_aux_state *a, size_t i, uint8_t rec[AUX_REC])
{
	const keys_aux_info *in = &a->infos[i];
	memset(rec, 0, AUX_REC);
	memcpy(rec, REC_MAGIC, 4);
	rec[4] = (uint8_t)in->kind;
	rec[5] = (uint8_t)in->pub_len;
	rec[6] = in->has_delegator;
	memcpy(rec + 8, in->pub, in->pub_len);
	memcpy(rec + 56, in->owner, strnlen(in->owner, KEYS_AUX_OWNER_MAX - 1));
	if (in->has_delegator)
		memcpy(rec + 120, in->delegator, KEYS_PUBKEY_BYTES);
	put_le64(rec + 168, in->created);
	ss_err e = random_bytes(rec + 176, 12);
	if (e == SS_OK)
		e = keys_gcm(1, a->aead, rec + 176, rec, AUX_AAD, a->secrets[i], rec + 188, 32,
			     rec + 220);
	return e;
}

/* Opens rec into entry a->n (which grow() made room for). */
static ss_err open_rec(struct keys_aux_state *a, const uint8_t rec[AUX_REC])
{
	keys_aux_info *out = &a->infos[a->n];
	memset(out, 0, sizeof *out);
	if (memcmp(rec, REC_MAGIC, 4) != 0 || rec[7] != 0)
		return SS_ERR_INVALID;
	out->kind = (keys_aux_kind)rec[4];
	out->pub_len = rec[5];
	if (expected_pub_len(out->kind) == 0 || out->pub_len != expected_pub_len(out->kind) ||
	    rec[6] > 1 || rec[56 + KEYS_AUX_OWNER_MAX - 1] != 0)
		return SS_ERR_INVALID;
	uint8_t tag[16];
	memcpy(tag, rec + 220, 16);
	ss_err e = keys_gcm(0, a->aead, rec + 176, rec, AUX_AAD, rec + 188, a->secrets[a->n], 32,
			    tag);
	if (e != SS_OK) {
		secure_zero(a->secrets[a->n], 32);
		return e;
	}
	memcpy(out->pub, rec + 8, out->pub_len);
	memcpy(out->owner, rec + 56, KEYS_AUX_OWNER_MAX);
	out->has_delegator = rec[6];
	if (out->has_delegator)
		memcpy(out->delegator, rec + 120, KEYS_PUBKEY_BYTES);
	out->created = get_le64(rec + 168);
	/* authenticated, so a key off the curve is our bug or a wrong KEK's luck: refused
	 * like any record that is not what write_file writes */
	if (set_address(out) != SS_OK) {
		secure_zero(a->secrets[a->n], 32);
		return SS_ERR_INVALID;
	}
	a->n++;
	return SS_OK;
}

/* Writes the file for the entries [0, n) except skip (SIZE_MAX: none), durably. */
static ss_err write_file(struct keys_aux_state *a, size_t n, size_t skip, keys_error *err)
{
	size_t count = n - (skip < n);
	size_t len = AUX_HDR + count * AUX_REC + AUX_MAC;
	uint8_t *buf = calloc(1, len);
	if (!buf)
		return keys_fail(err, SS_ERR_NOMEM, "out of memory");
	memcpy(buf, FILE_MAGIC, 8);
	for (int i = 0; i < 4; i++)
		buf[8 + i] = (uint8_t)(count >> (8 * i));
	ss_err e = SS_OK;
	uint8_t *p = buf + AUX_HDR;
	for (size_t i = 0; i < n && e == SS_OK; i++) {
		if (i == skip)
			continue;
		e = seal_rec(a, i, p);
		p += AUX_REC;
	}
	if (e == SS_OK) {
		hmac_sha256(p, a->mac, sizeof a->mac, buf, (size_t)(p - buf));
		e = file_write_atomic(a->path, buf, len, 0600);
		if (e != SS_OK)
			keys_fail(err, e, "cannot write %s", a->path);
	} else {
		keys_fail(err, e, "cannot seal an auxiliary key: %s", ss_strerror(e));
	}
	free(buf);
	return e;
}

static ss_err load_file(struct keys_aux_state *a, keys_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	ss_err e = file_read_all(a->path, AUX_HDR + (size_t)KEYS_AUX_MAX * AUX_REC + AUX_MAC, &buf,
				 &len);
	if (e == SS_ERR_NOT_FOUND)
		return SS_OK; /* no auxiliary key yet */
	if (e != SS_OK)
		return keys_fail(err, e, "cannot read %s", a->path);
	const uint8_t *b = (const uint8_t *)buf;
	size_t count = len >= AUX_HDR ? (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 |
						(size_t)b[11] << 24
				      : 0;
	uint8_t mac[32];
	bool ok = len >= AUX_HDR + AUX_MAC && memcmp(b, FILE_MAGIC, 8) == 0 &&
		  count <= KEYS_AUX_MAX && len == AUX_HDR + count * AUX_REC + AUX_MAC;
	if (ok) {
		hmac_sha256(mac, a->mac, sizeof a->mac, b, len - AUX_MAC);
		ok = ct_memeq(mac, b + len - AUX_MAC, AUX_MAC);
	}
	if (ok && (e = grow(a, count)) != SS_OK) {
		free(buf);
		return keys_fail(err, e, "out of secure memory");
	}
	for (size_t i = 0; ok && i < count; i++)
		ok = open_rec(a, b + AUX_HDR + i * AUX_REC) == SS_OK;
	free(buf);
	if (!ok) {
		/* Keep the file: a later start with the right KEK may open it. */
		for (size_t i = 0; i < a->n; i++)
			secure_zero(a->secrets[i], 32);
		a->n = 0;
		a->broken = true;
		log_error("sealed key store: %s failed to authenticate (tampered, or a different "
			  "key-encryption key); auxiliary keys are not loaded and cannot be added or "
			  "deleted until it opens",
			  a->path);
	}
	return SS_OK;
}

ss_err keys_aux_open(keys_store *ks, keys_error *err)
{
	struct keys_aux_state *a = calloc(1, sizeof *a);
	if (!a)
		return keys_fail(err, SS_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&a->lock, NULL);
	snprintf(a->path, sizeof a->path, "%s/aux.sealed", ks->dir);
	/* Keys of their own, so that an auxiliary record can never be read as a validator
	 * record or the other way round. */
	hmac_sha256(a->aead, ks->seal->aead, 32, "secure-signer/keys/v1/aux-aead", 30);
	hmac_sha256(a->mac, ks->seal->mac, 32, "secure-signer/keys/v1/aux-file", 30);
	ks->aux = a;
	ss_err e = load_file(a, err);
	if (e != SS_OK) {
		keys_aux_close(ks);
		return e;
	}
	if (a->n)
		log_info("sealed key store: %zu auxiliary key(s) loaded", a->n);
	return SS_OK;
}

void keys_aux_close(keys_store *ks)
{
	struct keys_aux_state *a = ks->aux;
	if (!a)
		return;
	secure_free(a->secrets);
	secure_zero(a->aead, sizeof a->aead);
	secure_zero(a->mac, sizeof a->mac);
	free(a->infos);
	pthread_mutex_destroy(&a->lock);
	free(a);
	ks->aux = NULL;
}

static ss_err refuse_broken(const struct keys_aux_state *a, keys_error *err)
{
	return keys_fail(err, SS_ERR_CRYPTO,
			 "%s did not authenticate at start (see the log); auxiliary keys cannot "
			 "change until it opens",
			 a->path);
}

static bool matches(const keys_aux_info *in, keys_aux_kind kind, const char *owner)
{
	return (kind == 0 || in->kind == kind) && (owner == NULL || strcmp(in->owner, owner) == 0);
}

/* How many entries owner holds, of every kind. Called with the lock held. */
static size_t owner_count(const struct keys_aux_state *a, const char *owner)
{
	size_t m = 0;
	for (size_t i = 0; i < a->n; i++)
		m += matches(&a->infos[i], 0, owner);
	return m;
}

ss_err keys_aux_generate(keys_store *ks, keys_aux_kind kind, const char *owner,
			 const uint8_t *delegator, keys_aux_info *out, keys_error *err)
{
	return keys_aux_generate_capped(ks, kind, owner, delegator, 0, out, err);
}

ss_err keys_aux_generate_capped(keys_store *ks, keys_aux_kind kind, const char *owner,
				const uint8_t *delegator, size_t owner_max, keys_aux_info *out,
				keys_error *err)
{
	struct keys_aux_state *a = ks->aux;
	if (expected_pub_len(kind) == 0)
		return keys_fail(err, SS_ERR_INVALID, "unknown auxiliary key kind %d", (int)kind);
	if (owner && strlen(owner) >= KEYS_AUX_OWNER_MAX)
		return keys_fail(err, SS_ERR_INVALID, "owner longer than %d bytes",
				 KEYS_AUX_OWNER_MAX - 1);
	if (ks->read_only)
		return keys_fail(err, SS_ERR_REFUSED, "the key store is open read-only");
	pthread_mutex_lock(&a->lock);
	ss_err e;
	if (a->broken) {
		e = refuse_broken(a, err);
		goto out;
	}
	if (a->n >= KEYS_AUX_MAX) {
		e = keys_fail(err, SS_ERR_RANGE, "the store already holds %d auxiliary keys",
			      KEYS_AUX_MAX);
		goto out;
	}
	/* counted under the lock that the insertion below holds: no other generation can
	 * come between the count and the new entry */
	if (owner_max && owner_count(a, owner ? owner : "") >= owner_max) {
		e = keys_fail(err, SS_ERR_REFUSED, "owner %s already holds %zu auxiliary keys",
			      owner ? owner : "\"\"", owner_max);
		goto out;
	}
	if ((e = grow(a, a->n + 1)) != SS_OK) {
		keys_fail(err, e, "out of secure memory");
		goto out;
	}
	keys_aux_info *in = &a->infos[a->n];
	uint8_t *secret = a->secrets[a->n];
	memset(in, 0, sizeof *in);
	in->kind = kind;
	in->pub_len = expected_pub_len(kind);
	if (owner)
		memcpy(in->owner, owner, strlen(owner));
	if (delegator) {
		in->has_delegator = true;
		memcpy(in->delegator, delegator, KEYS_PUBKEY_BYTES);
	}
	in->created = (uint64_t)time(NULL);
	if (kind == KEYS_AUX_PROXY_BLS) {
		/* EIP-2333 master key from a fresh 32-byte seed, as keys_generate does. */
		uint8_t *seed = secure_alloc(32);
		e = seed ? random_bytes(seed, 32) : SS_ERR_NOMEM;
		if (e == SS_OK)
			e = eip2333_derive_master_sk(secret, seed, 32);
		secure_free(seed);
		if (e == SS_OK)
			e = keys_secret_to_pubkey(in->pub, secret);
	} else {
		e = k1_generate(secret, in->pub);
	}
	if (e == SS_OK)
		e = set_address(in);
	if (e != SS_OK) {
		secure_zero(secret, 32);
		keys_fail(err, e, "key generation failed: %s", ss_strerror(e));
		goto out;
	}
	/* Durable before it exists for anyone: the caller may hand the key out at once. */
	e = write_file(a, a->n + 1, SIZE_MAX, err);
	if (e != SS_OK) {
		secure_zero(secret, 32);
		goto out;
	}
	if (out)
		*out = *in;
	a->n++;
out:
	pthread_mutex_unlock(&a->lock);
	return e;
}

size_t keys_aux_list(keys_store *ks, keys_aux_kind kind, const char *owner, keys_aux_info *out,
		     size_t cap)
{
	struct keys_aux_state *a = ks->aux;
	size_t m = 0;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->n; i++) {
		if (!matches(&a->infos[i], kind, owner))
			continue;
		if (m < cap)
			out[m] = a->infos[i];
		m++;
	}
	pthread_mutex_unlock(&a->lock);
	return m;
}

keys_aux_info *keys_aux_list_alloc(keys_store *ks, keys_aux_kind kind, const char *owner,
				   size_t *n)
{
	struct keys_aux_state *a = ks->aux;
	size_t m = 0;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->n; i++)
		m += matches(&a->infos[i], kind, owner);
	keys_aux_info *out = calloc(m ? m : 1, sizeof *out);
	if (out) {
		m = 0;
		for (size_t i = 0; i < a->n; i++)
			if (matches(&a->infos[i], kind, owner))
				out[m++] = a->infos[i];
	}
	pthread_mutex_unlock(&a->lock);
	*n = out ? m : 0;
	return out;
}

/* Index of the entry, or SIZE_MAX. Called with the lock held. */
static size_t find(const struct keys_aux_state *a, keys_aux_kind kind, const uint8_t *pub,
		   size_t pub_len)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->infos[i].kind == kind && a->infos[i].pub_len == pub_len &&
		    memcmp(a->infos[i].pub, pub, pub_len) == 0)
			return i;
	return SIZE_MAX;
}

bool keys_aux_get(keys_store *ks, keys_aux_kind kind, const uint8_t *pub, size_t pub_len,
		  keys_aux_info *out)
{
	struct keys_aux_state *a = ks->aux;
	pthread_mutex_lock(&a->lock);
	size_t i = find(a, kind, pub, pub_len);
	if (i != SIZE_MAX && out)
		*out = a->infos[i];
	pthread_mutex_unlock(&a->lock);
	return i != SIZE_MAX;
}

bool keys_aux_get_by_address(keys_store *ks, keys_aux_kind kind, const char *owner,
			     const uint8_t address[20], keys_aux_info *out)
{
	struct keys_aux_state *a = ks->aux;
	bool found = false;
	if (kind != KEYS_AUX_SECP256K1 && kind != KEYS_AUX_PROXY_ECDSA)
		return false; /* BLS keys have no address (theirs is zero) */
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->n && !found; i++) {
		const keys_aux_info *in = &a->infos[i];
		if (matches(in, kind, owner) && memcmp(in->address, address, 20) == 0) {
			if (out)
				*out = *in;
			found = true;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return found;
}

ss_err keys_aux_delete(keys_store *ks, keys_aux_kind kind, const uint8_t *pub, size_t pub_len,
		       keys_error *err)
{
	struct keys_aux_state *a = ks->aux;
	if (ks->read_only)
		return keys_fail(err, SS_ERR_REFUSED, "the key store is open read-only");
	pthread_mutex_lock(&a->lock);
	ss_err e;
	size_t i = find(a, kind, pub, pub_len);
	if (a->broken)
		e = refuse_broken(a, err);
	else if (i == SIZE_MAX)
		e = keys_fail(err, SS_ERR_NOT_FOUND, "no such auxiliary key");
	else if ((e = write_file(a, a->n, i, err)) == SS_OK) {
		/* Keep the order (oldest first): shift the tail down. */
		memmove(&a->infos[i], &a->infos[i + 1], (a->n - i - 1) * sizeof *a->infos);
		memmove(a->secrets[i], a->secrets[i + 1], (a->n - i - 1) * 32);
		a->n--;
		secure_zero(a->secrets[a->n], 32);
	}
	pthread_mutex_unlock(&a->lock);
	return e;
}

/* Copies the secret of the entry out under the lock (SS_ERR_NOT_FOUND when absent). */
static ss_err secret_of(keys_store *ks, keys_aux_kind kind, const uint8_t *pub, size_t pub_len,
			uint8_t secret[32])
{
	struct keys_aux_state *a = ks->aux;
	pthread_mutex_lock(&a->lock);
	size_t i = find(a, kind, pub, pub_len);
	if (i != SIZE_MAX)
		memcpy(secret, a->secrets[i], 32);
	pthread_mutex_unlock(&a->lock);
	return i == SIZE_MAX ? SS_ERR_NOT_FOUND : SS_OK;
}

ss_err keys_aux_sign_bls(keys_store *ks, const uint8_t pub[KEYS_PUBKEY_BYTES],
			 const uint8_t *msg, size_t msg_len, uint8_t sig[KEYS_SIGNATURE_BYTES])
{
	uint8_t secret[32];
	ss_err e = secret_of(ks, KEYS_AUX_PROXY_BLS, pub, KEYS_PUBKEY_BYTES, secret);
	if (e == SS_OK) {
		bls_secret_key sk;
		e = bls_secret_key_from_bytes(&sk, secret);
		if (e == SS_OK)
			bls_sign(sig, &sk, msg, msg_len);
		bls_secret_key_wipe(&sk);
	}
	secure_zero(secret, sizeof secret);
	return e;
}

ss_err keys_aux_sign_ecdsa(keys_store *ks, keys_aux_kind kind, const uint8_t pub33[33],
			   const uint8_t hash[32], uint8_t out[65])
{
	if (kind != KEYS_AUX_SECP256K1 && kind != KEYS_AUX_PROXY_ECDSA)
		return SS_ERR_INVALID;
	uint8_t secret[32];
	ss_err e = secret_of(ks, kind, pub33, K1_PUB_COMPRESSED_BYTES, secret);
	if (e == SS_OK)
		e = k1_sign_recoverable(secret, hash, out);
	secure_zero(secret, sizeof secret);
	return e;
}

ss_err keys_aux_ecdh(keys_store *ks, const uint8_t pub33[33], const uint8_t *peer,
		     size_t peer_len, uint8_t point65[65])
{
	uint8_t secret[32];
	ss_err e = secret_of(ks, KEYS_AUX_SECP256K1, pub33, K1_PUB_COMPRESSED_BYTES, secret);
	if (e == SS_OK)
		e = k1_ecdh_point(secret, peer, peer_len, point65);
	secure_zero(secret, sizeof secret);
	return e;
}
