/* Bringing keys in (keys_internal.h): the one path shared by key sources, Keymanager
 * imports, `keys import` and key generation. Decrypt in parallel, check, seal durably,
 * and only then make the key signable, so a crash leaves a key fully in or out. */
#define _GNU_SOURCE /* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/keys_internal.h"
#include "util/log.h"
#include "util/secure_mem.h"

ss_err keys_jobs_add(keys_jobs *b, keys_job **job)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		keys_job *j = realloc(b->jobs, cap * sizeof *j);
		if (j == NULL)
			return SS_ERR_NOMEM;
		b->jobs = j;
		b->cap = cap;
	}
	if (b->n == b->secrets_cap) {
		size_t cap = b->secrets_cap ? b->secrets_cap * 2 : 16;
		uint8_t *s = secure_alloc(cap * KEYS_SECRET_BYTES);
		if (s == NULL)
			return SS_ERR_NOMEM;
		if (b->secrets) {
			memcpy(s, b->secrets, b->n * KEYS_SECRET_BYTES);
			secure_free(b->secrets);
		}
		b->secrets = s;
		b->secrets_cap = cap;
	}
	*job = &b->jobs[b->n++];
	memset(*job, 0, sizeof **job);
	return SS_OK;
}

uint8_t *keys_jobs_secret(keys_jobs *b, size_t i)
{
	return b->secrets + i * KEYS_SECRET_BYTES;
}

void keys_jobs_free(keys_jobs *b)
{
	for (size_t i = 0; i < b->n; i++) {
		keys_free_wiped(b->jobs[i].password, b->jobs[i].password_len);
		free(b->jobs[i].path);
		free(b->jobs[i].pw_path);
	}
	free(b->jobs);
	secure_free(b->secrets);
	memset(b, 0, sizeof *b);
}

typedef struct {
	keys_store *ks;
	keys_jobs *b;
} work_ctx;

/* Worker: keystore -> secret, secret -> pubkey, EIP-2335 pubkey check. */
static void check_one(size_t i, void *arg)
{
	work_ctx *w = arg;
	keys_job *j = &w->b->jobs[i];
	uint8_t *secret = keys_jobs_secret(w->b, i);
	if (j->duplicate || j->result != SS_OK)
		return;
	if (j->is_keystore) {
		j->result = keys_keystore_decrypt(&j->ks, j->password, j->password_len, secret,
						  &j->err);
		if (j->result != SS_OK)
			return;
	}
	uint8_t pk[KEYS_PUBKEY_BYTES];
	if (keys_secret_to_pubkey(pk, secret) != SS_OK) {
		secure_zero(secret, KEYS_SECRET_BYTES);
		j->result = keys_fail(&j->err, SS_ERR_INVALID,
				      "the secret is not a valid BLS12-381 secret key (zero or >= r)");
		return;
	}
	if (j->is_keystore && j->ks.have_pubkey && memcmp(pk, j->ks.pubkey, sizeof pk) != 0) {
		char a[KEYS_PUBKEY_HEX], b[KEYS_PUBKEY_HEX];
		keys_pubkey_hex(a, j->ks.pubkey);
		keys_pubkey_hex(b, pk);
		secure_zero(secret, KEYS_SECRET_BYTES);
		j->result = keys_fail(&j->err, SS_ERR_INVALID,
				      "keystore pubkey %s does not match its key %s", a, b);
		return;
	}
	memcpy(j->meta.pubkey, pk, sizeof pk);
}

static int cmp_by_pubkey(const void *a, const void *b, void *arg)
{
	const keys_jobs *jb = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = memcmp(jb->jobs[x].meta.pubkey, jb->jobs[y].meta.pubkey, KEYS_PUBKEY_BYTES);
	return c ? c : (x < y ? -1 : x > y);
}

/* MemAvailable (free plus reclaimable cache), or free pages when /proc is absent. */
static uint64_t available_memory(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kib = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	if (kib > 0)
		return (uint64_t)kib * 1024;
	long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
}

void keys_ingest_decrypt(keys_store *ks, keys_jobs *b, unsigned threads, const char *what)
{
	/* A keystore whose "pubkey" is already signable is not decrypted again: restarts
	 * and re-imports cost nothing. */
	size_t todo = 0;
	for (size_t i = 0; i < b->n; i++) {
		keys_job *j = &b->jobs[i];
		if (j->result == SS_OK && j->is_keystore && j->ks.have_pubkey &&
		    keys_reg_get_meta(&ks->reg, j->ks.pubkey, NULL)) {
			memcpy(j->meta.pubkey, j->ks.pubkey, KEYS_PUBKEY_BYTES);
			j->duplicate = true;
		} else if (j->result == SS_OK) {
			todo++;
		}
	}
	/* scrypt needs 128 * n * r bytes per thread: with many cores and little memory,
	 * run fewer threads than cores rather than fail (or swap) */
	uint64_t need = 0, avail = available_memory();
	for (size_t i = 0; i < b->n; i++) {
		const keys_job *j = &b->jobs[i];
		if (j->result == SS_OK && !j->duplicate && j->is_keystore &&
		    j->ks.kdf == KEYS_KDF_SCRYPT && 128ull * j->ks.n * j->ks.r > need)
			need = 128ull * j->ks.n * j->ks.r;
	}
	if (need > 0 && avail > 0) {
		uint64_t fit = avail / 2 / need;
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		unsigned want = threads ? threads : (cores > 0 ? (unsigned)cores : 1);
		if (fit < want) {
			threads = fit > 0 ? (unsigned)fit : 1;
			log_info("%s: %u decryption thread(s), limited by free memory", what, threads);
		}
	}
	work_ctx w = { ks, b };
	if (todo > 0)
		log_info("%s: checking %zu key(s)", what, todo);
	keys_parallel(b->n, todo > 1 ? threads : 1, check_one, &w, what);
}

ss_err keys_ingest_commit(keys_store *ks, keys_jobs *b, const char *what)
{
	pthread_mutex_lock(&ks->write_lock);
	ss_err e = SS_OK;
	size_t *order = malloc((b->n ? b->n : 1) * sizeof *order);
	uint8_t *recs = malloc((b->n ? b->n : 1) * KEYS_REC_BYTES);
	bool *ok = calloc(b->n ? b->n : 1, sizeof *ok);
	size_t *rec_job = malloc((b->n ? b->n : 1) * sizeof *rec_job);
	bls_secret_key *sks = secure_alloc((b->n ? b->n : 1) * sizeof *sks);
	keys_meta *metas = malloc((b->n ? b->n : 1) * sizeof *metas);
	if (!order || !recs || !ok || !rec_job || !sks || !metas) {
		e = SS_ERR_NOMEM;
		goto out;
	}
	/* duplicates: against the registry, and within the batch (first one wins) */
	size_t m = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->jobs[i].result == SS_OK && !b->jobs[i].duplicate)
			order[m++] = i;
	qsort_r(order, m, sizeof *order, cmp_by_pubkey, b);
	size_t n_recs = 0;
	for (size_t k = 0; k < m; k++) {
		keys_job *j = &b->jobs[order[k]];
		if ((k > 0 && memcmp(b->jobs[order[k - 1]].meta.pubkey, j->meta.pubkey,
				     KEYS_PUBKEY_BYTES) == 0) ||
		    keys_reg_get_meta(&ks->reg, j->meta.pubkey, NULL)) {
			j->duplicate = true;
			continue;
		}
		j->result = keys_seal_record(recs + n_recs * KEYS_REC_BYTES, ks->seal, &j->meta,
					     keys_jobs_secret(b, order[k]));
		if (j->result != SS_OK) {
			keys_fail(&j->err, j->result, "sealing failed");
			continue;
		}
		rec_job[n_recs++] = order[k];
	}
	e = keys_commit(ks, recs, n_recs, ok, NULL, 0);
	size_t n_add = 0;
	for (size_t r = 0; r < n_recs; r++) {
		keys_job *j = &b->jobs[rec_job[r]];
		if (!ok[r]) {
			j->result = keys_fail(&j->err, SS_ERR_IO,
					      "could not write the sealed key store");
			continue;
		}
		if (bls_secret_key_from_bytes(&sks[n_add], keys_jobs_secret(b, rec_job[r])) != SS_OK) {
			j->result = keys_fail(&j->err, SS_ERR_INTERNAL, "secret key rejected");
			continue;
		}
		metas[n_add++] = j->meta;
	}
	if (n_add > 0) {
		ss_err ae = keys_reg_add(&ks->reg, metas, sks, n_add, NULL);
		if (ae != SS_OK)
			e = ae;
	}
	for (size_t i = 0; i < b->n; i++) {
		keys_job *j = &b->jobs[i];
		char pk[KEYS_PUBKEY_HEX];
		keys_pubkey_hex(pk, j->meta.pubkey);
		if (j->result != SS_OK)
			log_warn("%s: %s: %s", what, j->label, j->err.msg);
		else if (j->duplicate)
			log_debug("%s: %s: key %s already present", what, j->label, pk);
		else
			log_debug("%s: %s: key %s sealed and signable", what, j->label, pk);
	}
out:
	pthread_mutex_unlock(&ks->write_lock);
	free(order);
	free(recs);
	free(ok);
	free(rec_job);
	free(metas);
	secure_free(sks);
	return e;
}

ss_err keys_ingest(keys_store *ks, keys_jobs *b, unsigned threads, const char *what)
{
	keys_ingest_decrypt(ks, b, threads, what);
	return keys_ingest_commit(ks, b, what);
}

/* True when pk is among the pubkeys of this shard's new records or deletions (the
 * indices of both, per shard, are precomputed so a rewrite costs old x new of one
 * shard, not of the whole batch). */
static bool pubkey_in(const uint8_t *pk, const uint8_t *recs, const size_t *rec_idx, size_t n_r,
		      const uint8_t (*dels)[KEYS_PUBKEY_BYTES], const size_t *del_idx, size_t n_d)
{
	for (size_t i = 0; i < n_r; i++)
		if (memcmp(keys_rec_pubkey(recs + rec_idx[i] * KEYS_REC_BYTES), pk, KEYS_PUBKEY_BYTES) == 0)
			return true;
	for (size_t i = 0; i < n_d; i++)
		if (memcmp(dels[del_idx[i]], pk, KEYS_PUBKEY_BYTES) == 0)
			return true;
	return false;
}

/* Indices of the items of one shard, grouped: idx[start[s] .. start[s+1]). */
static size_t *group_by_shard(size_t n, size_t start[KEYS_SHARDS + 1],
			      unsigned (*shard_of)(const void *, size_t), const void *items)
{
	size_t *idx = malloc((n ? n : 1) * sizeof *idx);
	size_t fill[KEYS_SHARDS] = { 0 };
	if (idx == NULL)
		return NULL;
	memset(start, 0, (KEYS_SHARDS + 1) * sizeof *start);
	for (size_t i = 0; i < n; i++)
		start[shard_of(items, i) + 1]++;
	for (unsigned s = 0; s < KEYS_SHARDS; s++)
		start[s + 1] += start[s];
	for (size_t i = 0; i < n; i++) {
		unsigned s = shard_of(items, i);
		idx[start[s] + fill[s]++] = i;
	}
	return idx;
}

static unsigned rec_shard(const void *recs, size_t i)
{
	return keys_shard_of(keys_rec_pubkey((const uint8_t *)recs + i * KEYS_REC_BYTES));
}

static unsigned del_shard(const void *dels, size_t i)
{
	return keys_shard_of(((const uint8_t(*)[KEYS_PUBKEY_BYTES])dels)[i]);
}

ss_err keys_commit(keys_store *ks, const uint8_t *recs, size_t n_recs, bool *ok_rec,
		   const uint8_t (*dels)[KEYS_PUBKEY_BYTES], size_t n_dels)
{
	if (ks->read_only) /* keys_store_open_readonly: a reader never writes the store */
		return SS_ERR_UNSUPPORTED;
	size_t rs[KEYS_SHARDS + 1], ds[KEYS_SHARDS + 1];
	size_t *ri = group_by_shard(n_recs, rs, rec_shard, recs);
	size_t *di = group_by_shard(n_dels, ds, del_shard, dels);
	uint8_t **nr = calloc(KEYS_SHARDS, sizeof *nr);
	size_t nn[KEYS_SHARDS] = { 0 };
	bool touched[KEYS_SHARDS] = { false }, empty[KEYS_SHARDS] = { false };
	ss_err e = ri && di && nr ? SS_OK : SS_ERR_NOMEM;
	/* 1. stage every new shard */
	for (unsigned s = 0; e == SS_OK && s < KEYS_SHARDS; s++) {
		size_t n_r = rs[s + 1] - rs[s], n_d = ds[s + 1] - ds[s];
		if (n_r == 0 && n_d == 0)
			continue;
		keys_shard *sh = &ks->shards[s];
		size_t cap = sh->n + n_r;
		nr[s] = malloc(cap ? cap * KEYS_REC_BYTES : 1);
		if (nr[s] == NULL) {
			e = SS_ERR_NOMEM;
			break;
		}
		touched[s] = true;
		size_t n = 0;
		for (size_t i = 0; i < sh->n; i++) {
			const uint8_t *rec = sh->recs + i * KEYS_REC_BYTES;
			if (!pubkey_in(keys_rec_pubkey(rec), recs, ri + rs[s], n_r, dels, di + ds[s], n_d))
				memcpy(nr[s] + n++ * KEYS_REC_BYTES, rec, KEYS_REC_BYTES);
		}
		for (size_t i = 0; i < n_r; i++)
			memcpy(nr[s] + n++ * KEYS_REC_BYTES, recs + ri[rs[s] + i] * KEYS_REC_BYTES,
			       KEYS_REC_BYTES);
		nn[s] = n;
		empty[s] = n == 0;
		e = keys_shard_stage(ks->dir, s, ks->seal, nr[s], n);
		if (e != SS_OK)
			log_error("sealed key store: writing shard %02x failed: %s", s, ss_strerror(e));
	}
	/* 2 and 3: the journal is the commit point */
	if (e == SS_OK)
		e = keys_journal_commit(ks->dir, touched, empty);
	if (e != SS_OK) {
		keys_stage_abort(ks->dir, touched);
	} else {
		for (unsigned s = 0; s < KEYS_SHARDS; s++) {
			if (!touched[s])
				continue;
			free(ks->shards[s].recs);
			ks->shards[s].recs = nr[s];
			ks->shards[s].n = ks->shards[s].cap = nn[s];
			nr[s] = NULL;
		}
		for (size_t i = 0; ok_rec && i < n_recs; i++)
			ok_rec[i] = true;
	}
	for (unsigned s = 0; nr && s < KEYS_SHARDS; s++)
		free(nr[s]);
	free(nr);
	free(ri);
	free(di);
	return e;
}
