/* keys_store (keys.h): opening the sealed store, signing, listing, and the Keymanager
 * operations. Loading keys from operator sources is in sources.c; the shared ingest
 * path in ingest.c. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/eip2333.h"
#include "keys/keys_internal.h"
#include "util/random.h"
#include "util/log.h"
#include "util/secure_mem.h"

ss_err keys_secret_to_pubkey(uint8_t pubkey[KEYS_PUBKEY_BYTES],
			     const uint8_t secret[KEYS_SECRET_BYTES])
{
	bls_secret_key sk;
	if (bls_secret_key_from_bytes(&sk, secret) != SS_OK)
		return SS_ERR_INVALID;
	bls_sk_to_pk(pubkey, &sk);
	bls_secret_key_wipe(&sk);
	return SS_OK;
}

/* Opens every shard: records that authenticate go to the registry in one batch per
 * shard; each one that does not is reported with the pubkey it claims. */
static ss_err load_shards(keys_store *ks, keys_load_stats *st)
{
	bls_secret_key *sks = NULL;
	keys_meta *metas = NULL;
	size_t cap = 0;
	ss_err result = SS_OK;
	bool trace = log_get_level() >= LOG_TRACE;
	for (unsigned s = 0; s < KEYS_SHARDS; s++) {
		size_t lost = 0;
		ss_err e = keys_shard_read(&ks->shards[s], ks->dir, s, ks->seal, &lost);
		if (e != SS_OK) {
			log_error("sealed key store: cannot read shard %02x: %s", s, ss_strerror(e));
			result = e;
			continue;
		}
		st->sealed_failed += lost;
		keys_shard *sh = &ks->shards[s];
		if (sh->n > cap) {
			secure_free(sks);
			free(metas);
			cap = sh->n * 2;
			sks = secure_alloc(cap * sizeof *sks);
			metas = malloc(cap * sizeof *metas);
			if (!sks || !metas) {
				result = SS_ERR_NOMEM;
				break;
			}
		}
		size_t n = 0;
		for (size_t i = 0; i < sh->n; i++) {
			const uint8_t *rec = sh->recs + i * KEYS_REC_BYTES;
			uint8_t secret[32];
			ss_err re = keys_unseal_record(rec, ks->seal, &metas[n], secret);
			if (re == SS_OK && keys_shard_of(metas[n].pubkey) != s)
				re = SS_ERR_INVALID;
			if (re == SS_OK && bls_secret_key_from_bytes(&sks[n], secret) != SS_OK)
				re = SS_ERR_INVALID;
			secure_zero(secret, sizeof secret);
			char pk[KEYS_PUBKEY_HEX] = "";
			if (re != SS_OK || trace)
				keys_pubkey_hex(pk, keys_rec_pubkey(rec));
			if (re != SS_OK) {
				log_error("sealed key store: key %s (shard %02x record %zu) failed to open: %s",
					  pk, s, i,
					  re == SS_ERR_CRYPTO ? "authentication failed (tampered, or a different key-encryption key)"
							      : "malformed record");
				st->sealed_failed++;
				continue;
			}
			if (trace)
				log_trace("sealed key store: key %s loaded", pk);
			n++;
		}
		if (n > 0 && keys_reg_add(&ks->reg, metas, sks, n, NULL) != SS_OK) {
			result = SS_ERR_NOMEM;
			break;
		}
		st->sealed_loaded += n;
		secure_zero(sks, n * sizeof *sks);
	}
	secure_free(sks);
	free(metas);
	return result;
}

/* True when dir holds a sealed file, a shard or aux.sealed (keys/aux.c): a store with
 * keys, whose KEK therefore exists. aux.sealed counts too: without it, a store holding
 * only auxiliary keys would be "empty" to a reader, whose aux keys would then come from
 * an all-zero sealing key. */
static bool has_shards(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool yes = false;
	while (d && !yes && (e = readdir(d)) != NULL)
		yes = strncmp(e->d_name, "shard-", 6) == 0 || strcmp(e->d_name, "aux.sealed") == 0;
	if (d)
		closedir(d);
	return yes;
}

static ss_err store_open(keys_store **out, const char *data_dir, const keys_kek_provider *kek,
			 keys_load_stats *stats, keys_error *err, bool read_only);

ss_err keys_store_open(keys_store **out, const char *data_dir, const keys_kek_provider *kek,
		       keys_load_stats *stats, keys_error *err)
{
	return store_open(out, data_dir, kek, stats, err, false);
}

ss_err keys_store_open_readonly(keys_store **out, const char *data_dir,
				const keys_kek_provider *kek, keys_load_stats *stats,
				keys_error *err)
{
	return store_open(out, data_dir, kek, stats, err, true);
}

/* read_only (keys.h keys_store_open_readonly): nothing is created (no keys/ directory,
 * no KEK file: a store without shards or aux.sealed is empty and asks the provider
 * nothing), no interrupted commit is finished (that is the writer's; the reader sees the shards as
 * they are, each one whole thanks to the atomic renames), and every change refuses. */
static ss_err store_open(keys_store **out, const char *data_dir, const keys_kek_provider *kek,
			 keys_load_stats *stats, keys_error *err, bool read_only)
{
	*out = NULL;
	bls_init();
	keys_load_stats local;
	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	keys_store *ks = calloc(1, sizeof *ks);
	if (ks == NULL)
		return keys_fail(err, SS_ERR_NOMEM, "out of memory");
	if (snprintf(ks->dir, sizeof ks->dir, "%s/keys", data_dir) >= (int)sizeof ks->dir - 32) {
		free(ks);
		return keys_fail(err, SS_ERR_INVALID, "data directory path too long");
	}
	ks->read_only = read_only;
	bool empty = read_only && !has_shards(ks->dir);
	if (!read_only && mkdir(ks->dir, 0700) != 0 && errno != EEXIST) {
		ss_err e = keys_fail(err, SS_ERR_IO, "cannot create %s: %s", ks->dir, strerror(errno));
		free(ks);
		return e;
	}
	pthread_mutex_init(&ks->write_lock, NULL);
	ss_err e = keys_reg_init(&ks->reg);
	ks->seal = secure_alloc(sizeof *ks->seal);
	if (e != SS_OK || ks->seal == NULL) {
		keys_store_close(ks);
		return keys_fail(err, SS_ERR_NOMEM, "out of memory");
	}
	uint8_t *kekbuf = secure_alloc(KEYS_KEK_BYTES);
	if (kekbuf == NULL) {
		keys_store_close(ks);
		return keys_fail(err, SS_ERR_NOMEM, "out of memory");
	}
	e = empty ? SS_OK : kek->get(kek, data_dir, kekbuf, err);
	if (e == SS_OK)
		keys_seal_derive(ks->seal, kekbuf);
	secure_free(kekbuf);
	if (e != SS_OK) {
		keys_store_close(ks);
		return e;
	}
	e = read_only ? SS_OK : keys_journal_recover(ks->dir);
	if (e != SS_OK) {
		keys_store_close(ks);
		return keys_fail(err, e, "cannot recover an interrupted commit in %s/keys", data_dir);
	}
	e = empty ? SS_OK : load_shards(ks, stats);
	if (e != SS_OK) {
		keys_store_close(ks);
		return keys_fail(err, e, "cannot load the sealed key store in %s", data_dir);
	}
	e = keys_aux_open(ks, err);
	if (e != SS_OK) {
		keys_store_close(ks);
		return e;
	}
	log_info("sealed key store: %zu key(s) loaded (key-encryption key: %s)%s",
		 stats->sealed_loaded, kek->name,
		 stats->sealed_failed ? "; some keys FAILED to open, see above" : "");
	*out = ks;
	return SS_OK;
}

void keys_store_close(keys_store *ks)
{
	if (ks == NULL)
		return;
	keys_aux_close(ks); /* before seal: it derived its keys from it */
	keys_reg_destroy(&ks->reg);
	for (unsigned s = 0; s < KEYS_SHARDS; s++)
		free(ks->shards[s].recs);
	secure_free(ks->seal);
	pthread_mutex_destroy(&ks->write_lock);
	free(ks);
}

ss_err keys_sign(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES], const uint8_t *msg,
		 size_t msg_len, uint8_t sig[KEYS_SIGNATURE_BYTES])
{
	/* The secret is copied out under the read lock and used outside it, so a long
	 * signature never holds up an add or a delete. */
	bls_secret_key sk;
	if (!keys_reg_get_secret(&ks->reg, pubkey, &sk))
		return SS_ERR_NOT_FOUND;
	bls_sign(sig, &sk, msg, msg_len);
	bls_secret_key_wipe(&sk);
	return SS_OK;
}

bool keys_contains(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES])
{
	return keys_reg_get_meta(&ks->reg, pubkey, NULL);
}

size_t keys_count(keys_store *ks)
{
	return keys_reg_count(&ks->reg);
}

static void info_of(keys_info *info, const keys_meta *m)
{
	memcpy(info->pubkey, m->pubkey, KEYS_PUBKEY_BYTES);
	info->origin = (keys_origin)m->origin;
	info->readonly = m->readonly != 0;
	memcpy(info->derivation_path, m->path, KEYS_PATH_MAX);
	info->derivation_path[KEYS_PATH_MAX - 1] = '\0';
}

bool keys_get_info(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES], keys_info *info)
{
	keys_meta m;
	if (!keys_reg_get_meta(&ks->reg, pubkey, &m))
		return false;
	info_of(info, &m);
	return true;
}

size_t keys_list(keys_store *ks, keys_info *out, size_t cap)
{
	if (cap == 0)
		return keys_reg_count(&ks->reg);
	keys_meta *m = malloc(cap * sizeof *m);
	if (m == NULL)
		return 0;
	size_t n = keys_reg_list(&ks->reg, m, cap);
	for (size_t i = 0; i < n && i < cap; i++)
		info_of(&out[i], &m[i]);
	free(m);
	return n;
}

struct keys_import {
	keys_jobs b;
};

/* results[i] from job i as it stands. */
static void import_results(keys_jobs *b, size_t n, keys_import_result *results)
{
	for (size_t i = 0; i < n; i++) {
		keys_job *j = &b->jobs[i];
		keys_import_result *r = &results[i];
		memset(r, 0, sizeof *r);
		r->have_pubkey = j->result == SS_OK || j->ks.have_pubkey;
		memcpy(r->pubkey, j->result == SS_OK ? j->meta.pubkey : j->ks.pubkey,
		       KEYS_PUBKEY_BYTES);
		if (j->result != SS_OK) {
			r->status = KEYS_IMPORT_ERROR;
			snprintf(r->message, sizeof r->message, "%s", j->err.msg);
		} else {
			r->status = j->duplicate ? KEYS_IMPORT_DUPLICATE : KEYS_IMPORT_IMPORTED;
		}
	}
}

ss_err keys_import_prepare(keys_store *ks, const char *const *keystores,
			   const size_t *keystore_lens, const char *const *passwords,
			   const size_t *password_lens, size_t n, uint64_t max_cost,
			   keys_import **out, keys_import_result *results, keys_error *err)
{
	*out = NULL;
	keys_import *im = calloc(1, sizeof *im);
	if (im == NULL)
		return keys_fail(err, SS_ERR_NOMEM, "out of memory");
	keys_jobs *b = &im->b;
	ss_err e = SS_OK;
	uint64_t cost = 0;
	for (size_t i = 0; i < n && e == SS_OK; i++) {
		keys_job *j;
		if ((e = keys_jobs_add(b, &j)) != SS_OK)
			break;
		j->is_keystore = true;
		snprintf(j->label, sizeof j->label, "keystore #%zu", i);
		j->meta.origin = KEYS_ORIGIN_IMPORTED;
		j->result = keys_keystore_parse(&j->ks, keystores[i], keystore_lens[i], &j->err);
		if (j->result != SS_OK)
			continue;
		/* cannot overflow: at most 2^21 per keystore, n below 2^43 */
		cost += keys_keystore_cost(&j->ks);
		memcpy(j->meta.path, j->ks.path, KEYS_PATH_MAX - 1);
		j->password = malloc(password_lens[i] + 1);
		if (j->password == NULL) {
			e = SS_ERR_NOMEM;
			break;
		}
		memcpy(j->password, passwords[i], password_lens[i]);
		j->password[password_lens[i]] = '\0';
		j->password_len = password_lens[i];
	}
	if (e != SS_OK) {
		keys_import_free(im);
		return keys_fail(err, e, "out of memory");
	}
	/* docs/keys.md "Key-derivation limits": the whole request is refused before any
	 * derivation runs, so an over-budget request costs only its parsing */
	if (max_cost > 0 && cost > max_cost) {
		keys_import_free(im);
		return keys_fail(err, SS_ERR_RANGE,
				 "the keystores' key derivations cost %llu units, above this signer's limit of %llu per request (%llu recommended scrypt keystores); split the import",
				 (unsigned long long)cost, (unsigned long long)max_cost,
				 (unsigned long long)(max_cost / KEYS_KDF_COST_RECOMMENDED));
	}
	keys_ingest_decrypt(ks, b, 0, "import");
	/* a key twice in this call: the first copy that decrypted is the one imported */
	for (size_t i = 0; i < b->n; i++)
		for (size_t k = 0; k < i && b->jobs[i].result == SS_OK && !b->jobs[i].duplicate; k++)
			if (b->jobs[k].result == SS_OK &&
			    memcmp(b->jobs[k].meta.pubkey, b->jobs[i].meta.pubkey, KEYS_PUBKEY_BYTES) == 0)
				b->jobs[i].duplicate = true;
	import_results(b, n, results);
	*out = im;
	return SS_OK;
}

ss_err keys_import_commit(keys_store *ks, keys_import *im, const bool *skip,
			  keys_import_result *results)
{
	keys_jobs *b = &im->b;
	for (size_t i = 0; skip && i < b->n; i++)
		if (skip[i] && b->jobs[i].result == SS_OK && results[i].status == KEYS_IMPORT_DUPLICATE) {
			b->jobs[i].duplicate = true;
		} else if (skip[i] && b->jobs[i].result == SS_OK) {
			b->jobs[i].result = SS_ERR_REFUSED;
			snprintf(b->jobs[i].err.msg, sizeof b->jobs[i].err.msg, "%s",
				 results[i].message);
		}
	ss_err e = keys_ingest_commit(ks, b, "import");
	if (e == SS_OK)
		import_results(b, b->n, results);
	return e;
}

void keys_import_free(keys_import *im)
{
	if (im == NULL)
		return;
	keys_jobs_free(&im->b);
	free(im);
}

ss_err keys_import_keystores(keys_store *ks, const char *const *keystores,
			     const size_t *keystore_lens, const char *const *passwords,
			     const size_t *password_lens, size_t n, keys_import_result *results)
{
	keys_import *im;
	keys_error err;
	ss_err e = keys_import_prepare(ks, keystores, keystore_lens, passwords, password_lens, n, 0,
				       &im, results, &err);
	if (e == SS_OK)
		e = keys_import_commit(ks, im, NULL, results);
	keys_import_free(im);
	return e;
}

static int cmp_pubkey(const void *a, const void *b)
{
	return memcmp(a, b, KEYS_PUBKEY_BYTES);
}

ss_err keys_prune_sources(keys_store *ks, uint8_t (*keep)[KEYS_PUBKEY_BYTES], size_t n_keep,
			  size_t *removed)
{
	*removed = 0;
	pthread_mutex_lock(&ks->write_lock);
	size_t n = keys_reg_count(&ks->reg);
	keys_meta *m = malloc((n ? n : 1) * sizeof *m);
	uint8_t(*dels)[KEYS_PUBKEY_BYTES] = malloc((n ? n : 1) * sizeof *dels);
	ss_err e = m && dels ? SS_OK : SS_ERR_NOMEM;
	size_t n_del = 0;
	if (e == SS_OK) {
		qsort(keep, n_keep, sizeof *keep, cmp_pubkey);
		/* the registry cannot change: every writer holds write_lock */
		n = keys_reg_list(&ks->reg, m, n);
		for (size_t i = 0; i < n; i++) {
			if (m[i].origin != KEYS_ORIGIN_KEYSTORE_DIR && m[i].origin != KEYS_ORIGIN_KEY_CONFIG)
				continue;
			if (!bsearch(m[i].pubkey, keep, n_keep, sizeof *keep, cmp_pubkey))
				memcpy(dels[n_del++], m[i].pubkey, KEYS_PUBKEY_BYTES);
		}
	}
	/* durable first, as keys_delete: a crash after the commit leaves them removed */
	if (e == SS_OK && n_del > 0)
		e = keys_commit(ks, NULL, 0, NULL, (const uint8_t(*)[KEYS_PUBKEY_BYTES])dels, n_del);
	if (e == SS_OK) {
		for (size_t i = 0; i < n_del; i++) {
			char pk[KEYS_PUBKEY_HEX];
			keys_pubkey_hex(pk, dels[i]);
			keys_reg_remove(&ks->reg, dels[i]);
			log_info("key %s unloaded: its source file is gone", pk);
		}
		*removed = n_del;
	} else {
		log_error("unloading keys whose source file is gone failed: %s", ss_strerror(e));
	}
	pthread_mutex_unlock(&ks->write_lock);
	free(m);
	free(dels);
	return e;
}

ss_err keys_delete(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES], keys_error *err)
{
	pthread_mutex_lock(&ks->write_lock);
	ss_err e = SS_OK;
	if (!keys_reg_get_meta(&ks->reg, pubkey, NULL)) {
		e = keys_fail(err, SS_ERR_NOT_FOUND, "no such key");
	} else {
		/* durable first: a crash after this point leaves the key deleted */
		const uint8_t(*dels)[KEYS_PUBKEY_BYTES] = (const uint8_t(*)[KEYS_PUBKEY_BYTES])pubkey;
		e = keys_commit(ks, NULL, 0, NULL, dels, 1);
		if (e != SS_OK)
			keys_fail(err, e, "could not update the sealed key store");
		else
			keys_reg_remove(&ks->reg, pubkey);
	}
	pthread_mutex_unlock(&ks->write_lock);
	if (e == SS_OK) {
		char pk[KEYS_PUBKEY_HEX];
		keys_pubkey_hex(pk, pubkey);
		log_info("key %s deleted", pk);
	}
	return e;
}

ss_err keys_generate(keys_store *ks, size_t n, uint8_t (*pubkeys)[KEYS_PUBKEY_BYTES],
		     keys_error *err)
{
	keys_jobs b = { 0 };
	ss_err e = SS_OK;
	uint8_t *seed = secure_alloc(32);
	if (seed == NULL)
		return keys_fail(err, SS_ERR_NOMEM, "out of secure memory");
	for (size_t i = 0; i < n && e == SS_OK; i++) {
		keys_job *j;
		if ((e = keys_jobs_add(&b, &j)) != SS_OK)
			break;
		snprintf(j->label, sizeof j->label, "generated key #%zu", i);
		j->meta.origin = KEYS_ORIGIN_GENERATED;
		/* EIP-2333: a fresh random seed per key, the master key derived from it; the
		 * seed is wiped here and never stored. */
		if ((e = random_bytes(seed, 32)) != SS_OK)
			break;
		e = eip2333_derive_master_sk(keys_jobs_secret(&b, i), seed, 32);
	}
	secure_free(seed);
	if (e == SS_OK)
		e = keys_ingest(ks, &b, 0, "generate");
	for (size_t i = 0; i < b.n && e == SS_OK; i++) {
		if (b.jobs[i].result != SS_OK) {
			e = keys_fail(err, b.jobs[i].result, "%s", b.jobs[i].err.msg);
			break;
		}
		if (pubkeys)
			memcpy(pubkeys[i], b.jobs[i].meta.pubkey, KEYS_PUBKEY_BYTES);
	}
	if (e != SS_OK && err && err->msg[0] == '\0')
		keys_fail(err, e, "key generation failed: %s", ss_strerror(e));
	keys_jobs_free(&b);
	return e;
}

ss_err keys_export_keystore(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES],
			    const char *password, size_t password_len,
			    const keys_kdf_params *kdf, char **json_out, keys_error *err)
{
	*json_out = NULL;
	keys_meta m;
	bls_secret_key sk;
	if (!keys_reg_get_meta(&ks->reg, pubkey, &m) || !keys_reg_get_secret(&ks->reg, pubkey, &sk))
		return keys_fail(err, SS_ERR_NOT_FOUND, "no such key");
	uint8_t *secret = secure_alloc(32);
	if (secret == NULL) {
		bls_secret_key_wipe(&sk);
		return keys_fail(err, SS_ERR_NOMEM, "out of secure memory");
	}
	bls_secret_key_to_bytes(secret, &sk);
	bls_secret_key_wipe(&sk);
	ss_err e = keys_keystore_encrypt(json_out, secret, pubkey, m.path, password, password_len,
					 kdf, err);
	secure_free(secret);
	if (e == SS_OK) {
		char pk[KEYS_PUBKEY_HEX];
		keys_pubkey_hex(pk, pubkey);
		log_warn("key %s exported as an EIP-2335 keystore", pk);
	}
	return e;
}
