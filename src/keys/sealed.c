/* The sealed key store's on-disk format (keys_internal.h): 256 shard files, each a
 * MAC'ed header and fixed-size AES-256-GCM records. A shard is rewritten whole and
 * atomically, so after a crash every key is either fully sealed or absent. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "keys/keys_internal.h"
#include "util/file.h"
#include "util/random.h"
#include "util/ct.h"
#include "util/log.h"
#include "util/secure_mem.h"

static const char REC_MAGIC[4] = { 'S', 'K', 'R', '1' };
static const char HDR_MAGIC[8] = { 'S', 'S', 'K', 'E', 'Y', 'S', 'H', 'D' };

static void hmac_label(uint8_t out[32], const uint8_t *key, size_t key_len, const char *label)
{
	hmac_sha256(out, key, key_len, label, strlen(label)); /* allocation-free: cannot fail */
}

void keys_seal_derive(keys_seal_keys *sk, const uint8_t kek[KEYS_KEK_BYTES])
{
	uint8_t id[32];
	hmac_label(sk->aead, kek, KEYS_KEK_BYTES, "secure-signer/keys/v1/aead");
	hmac_label(sk->mac, kek, KEYS_KEK_BYTES, "secure-signer/keys/v1/header");
	hmac_label(id, kek, KEYS_KEK_BYTES, "secure-signer/keys/v1/id");
	memcpy(sk->id, id, sizeof sk->id);
}

const uint8_t *keys_rec_pubkey(const uint8_t rec[KEYS_REC_BYTES])
{
	return rec + 8;
}

/* AES-256-GCM (keys_internal.h). */
ss_err keys_gcm(int enc, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
		size_t aad_len, const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l = 0, ok = c != NULL &&
			EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
			EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1 &&
			EVP_CipherUpdate(c, NULL, &l, aad, (int)aad_len) == 1 &&
			EVP_CipherUpdate(c, out, &l, in, (int)len) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1;
	if (ok)
		ok = EVP_CipherFinal_ex(c, out + l, &l) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? SS_OK : SS_ERR_CRYPTO;
}

ss_err keys_seal_record(uint8_t rec[KEYS_REC_BYTES], const keys_seal_keys *sk,
			const keys_meta *meta, const uint8_t secret[32])
{
	memset(rec, 0, KEYS_REC_BYTES);
	memcpy(rec, REC_MAGIC, 4);
	rec[4] = meta->origin;
	rec[5] = meta->readonly;
	memcpy(rec + 8, meta->pubkey, KEYS_PUBKEY_BYTES);
	size_t pl = strnlen(meta->path, KEYS_PATH_MAX - 1);
	memcpy(rec + 56, meta->path, pl);
	ss_err e = random_bytes(rec + 120, 12);
	if (e == SS_OK)
		e = keys_gcm(1, sk->aead, rec + 120, rec, KEYS_REC_AAD, secret, rec + 132, 32, rec + 164);
	if (e != SS_OK)
		memset(rec, 0, KEYS_REC_BYTES);
	return e;
}

ss_err keys_unseal_record(const uint8_t rec[KEYS_REC_BYTES], const keys_seal_keys *sk,
			  keys_meta *meta, uint8_t secret[32])
{
	static const uint8_t zero[12];
	if (memcmp(rec, REC_MAGIC, 4) != 0 || rec[6] || rec[7] || memcmp(rec + 180, zero, 12) != 0 ||
	    rec[56 + KEYS_PATH_MAX - 1] != 0) {
		secure_zero(secret, 32);
		return SS_ERR_INVALID;
	}
	uint8_t tag[16];
	memcpy(tag, rec + 164, 16);
	ss_err e = keys_gcm(0, sk->aead, rec + 120, rec, KEYS_REC_AAD, rec + 132, secret, 32, tag);
	if (e != SS_OK) {
		secure_zero(secret, 32);
		return e;
	}
	memset(meta, 0, sizeof *meta);
	meta->origin = rec[4];
	meta->readonly = rec[5];
	memcpy(meta->pubkey, rec + 8, KEYS_PUBKEY_BYTES);
	memcpy(meta->path, rec + 56, KEYS_PATH_MAX);
	return SS_OK;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void header_mac(uint8_t out[16], const keys_seal_keys *sk, const uint8_t hdr[32])
{
	uint8_t full[32];
	hmac_sha256(full, sk->mac, 32, hdr, 32); /* allocation-free: cannot fail */
	memcpy(out, full, 16);
}

static void shard_path(char *out, size_t cap, const char *dir, unsigned idx)
{
	int n = snprintf(out, cap, "%s/", dir);
	snprintf(out + n, cap - (size_t)n, KEYS_SHARD_FMT, idx);
}

ss_err keys_shard_read(keys_shard *sh, const char *dir, unsigned idx, const keys_seal_keys *sk,
		       size_t *lost)
{
	memset(sh, 0, sizeof *sh);
	*lost = 0;
	char path[4200];
	shard_path(path, sizeof path, dir, idx);
	/* Shards are bounded only by the u32 record count of their header, not by a file
	 * size limit; SIZE_MAX / 2 keeps the reader's size arithmetic from wrapping. */
	keys_error kerr;
	char *file;
	size_t got;
	ss_err re = keys_read_file(path, SIZE_MAX / 2, &file, &got, &kerr);
	if (re == SS_ERR_NOT_FOUND)
		return SS_OK; /* an absent shard is an empty one */
	if (re != SS_OK) {
		log_error("sealed key store: %s", kerr.msg);
		return re;
	}
	uint8_t *buf = (uint8_t *)file;
	if (got < KEYS_HDR_BYTES || memcmp(buf, HDR_MAGIC, 8) != 0) {
		log_error("sealed key store: %s has no valid header (%zu bytes); its keys cannot be loaded",
			  path, got);
		*lost = 1;
		free(buf);
		return SS_OK;
	}
	uint8_t mac[16];
	header_mac(mac, sk, buf);
	uint32_t count = get_u32(buf + 16);
	bool kek_ok = ct_memeq(buf + 24, sk->id, 8);
	if (!kek_ok)
		log_error("sealed key store: %s was last written under a different key-encryption key; its records are checked one by one",
			  path);
	else if (!ct_memeq(mac, buf + 32, 16))
		log_error("sealed key store: %s header failed authentication (tampered)", path);
	if (get_u32(buf + 12) != idx || get_u32(buf + 20) != KEYS_REC_BYTES)
		log_error("sealed key store: %s header does not describe this shard", path);
	size_t present = (got - KEYS_HDR_BYTES) / KEYS_REC_BYTES;
	size_t partial = (got - KEYS_HDR_BYTES) % KEYS_REC_BYTES;
	if (present < count || partial) {
		log_error("sealed key store: %s is truncated or damaged: header says %u keys, %zu complete records present",
			  path, count, present);
		if (present < count)
			*lost = count - present;
	}
	/* The records are kept in the file's own buffer, moved over the header. */
	memmove(buf, buf + KEYS_HDR_BYTES, present * KEYS_REC_BYTES);
	sh->recs = buf;
	sh->n = sh->cap = present;
	return SS_OK;
}

ss_err keys_shard_stage(const char *dir, unsigned idx, const keys_seal_keys *sk,
			const uint8_t *recs, size_t n)
{
	if (n == 0)
		return SS_OK; /* removal: nothing to stage */
	char path[4200];
	shard_path(path, sizeof path, dir, idx);
	strcat(path, ".tmp");
	size_t size = KEYS_HDR_BYTES + n * KEYS_REC_BYTES;
	uint8_t *buf = malloc(size);
	if (buf == NULL)
		return SS_ERR_NOMEM;
	memset(buf, 0, KEYS_HDR_BYTES);
	memcpy(buf, HDR_MAGIC, 8);
	put_u32(buf + 8, 1);
	put_u32(buf + 12, idx);
	put_u32(buf + 16, (uint32_t)n);
	put_u32(buf + 20, KEYS_REC_BYTES);
	memcpy(buf + 24, sk->id, 8);
	header_mac(buf + 32, sk, buf);
	memcpy(buf + KEYS_HDR_BYTES, recs, n * KEYS_REC_BYTES);
	ss_err e = file_write_durable(path, buf, size, 0600);
	free(buf);
	return e;
}

void keys_stage_abort(const char *dir, const bool touched[KEYS_SHARDS])
{
	for (unsigned s = 0; s < KEYS_SHARDS; s++) {
		if (!touched[s])
			continue;
		char path[4200];
		shard_path(path, sizeof path, dir, s);
		strcat(path, ".tmp");
		unlink(path);
	}
}

/* Step 3: install or remove every shard the journal names. Idempotent, so recovery
 * may run it again after a crash in the middle. */
static ss_err journal_apply(const char *dir, const char *journal, size_t len)
{
	ss_err result = SS_OK;
	for (size_t i = 0; i + 5 <= len && strncmp(journal + i, "END\n", 4) != 0; i += 5) {
		char op = journal[i];
		unsigned s;
		if (sscanf(journal + i + 2, "%2x", &s) != 1 || s >= KEYS_SHARDS || journal[i + 4] != '\n')
			return SS_ERR_INVALID;
		char path[4200], tmp[4300];
		shard_path(path, sizeof path, dir, s);
		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		if (op == 'R') {
			if (rename(tmp, path) != 0 && !(errno == ENOENT && access(path, F_OK) == 0))
				result = SS_ERR_IO;
		} else if (op == 'D') {
			if (unlink(path) != 0 && errno != ENOENT)
				result = SS_ERR_IO;
		} else {
			return SS_ERR_INVALID;
		}
	}
	if (result == SS_OK)
		result = file_fsync_dir(dir);
	if (result == SS_OK) {
		char jp[4200];
		snprintf(jp, sizeof jp, "%s/commit.journal", dir);
		if (unlink(jp) != 0)
			result = SS_ERR_IO;
		else
			result = file_fsync_dir(dir);
	}
	return result;
}

ss_err keys_journal_commit(const char *dir, const bool touched[KEYS_SHARDS],
			   const bool empty[KEYS_SHARDS])
{
	char journal[KEYS_SHARDS * 5 + 8];
	size_t len = 0;
	for (unsigned s = 0; s < KEYS_SHARDS; s++)
		if (touched[s])
			len += (size_t)snprintf(journal + len, sizeof journal - len, "%c %02x\n",
						empty[s] ? 'D' : 'R', s);
	len += (size_t)snprintf(journal + len, sizeof journal - len, "END\n");
	char jp[4200];
	snprintf(jp, sizeof jp, "%s/commit.journal", dir);
	ss_err e = file_write_atomic(jp, journal, len, 0600);
	if (e != SS_OK) {
		unlink(jp);
		return e; /* not committed */
	}
	ss_err ae = journal_apply(dir, journal, len);
	if (ae != SS_OK)
		log_error("sealed key store: finishing a commit in %s failed (%s); it will be completed at the next start",
			  dir, ss_strerror(ae));
	return SS_OK;
}

ss_err keys_journal_recover(const char *dir)
{
	char jp[4200];
	snprintf(jp, sizeof jp, "%s/commit.journal", dir);
	char *journal = NULL;
	size_t len = 0;
	keys_error err;
	ss_err e = keys_read_file(jp, KEYS_SHARDS * 5 + 8, &journal, &len, &err);
	if (e == SS_OK) {
		/* written atomically: a journal without its END line is not ours */
		if (len < 4 || strcmp(journal + len - 4, "END\n") != 0) {
			log_error("sealed key store: %s is malformed; not applied", jp);
			free(journal);
			return SS_ERR_INVALID;
		}
		log_warn("sealed key store: completing an interrupted commit");
		e = journal_apply(dir, journal, len);
		free(journal);
		if (e != SS_OK)
			return e;
	} else if (e != SS_ERR_NOT_FOUND) {
		return e;
	}
	/* every committed temp file is renamed by now: the rest are leftovers of an
	 * aborted stage */
	for (unsigned s = 0; s < KEYS_SHARDS; s++) {
		char path[4200];
		shard_path(path, sizeof path, dir, s);
		strcat(path, ".tmp");
		unlink(path);
	}
	return SS_OK;
}
