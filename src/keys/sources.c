/* Key sources (keys.h keys_load_sources), with Web3Signer's semantics
 * (../shared/reference/web3signer.md §4):
 *  - a keystore directory (*.json) with either a passwords directory holding
 *    <same name>.txt, or one password file for every keystore; the whole password file
 *    is the password (EIP-2335 normalisation strips a trailing newline);
 *  - a key config directory of *.yaml / *.yml files, several documents per file:
 *    `type: file-raw` (privateKey) and `type: file-keystore` (keystoreFile,
 *    keystorePasswordFile: first line, not empty); relative paths resolve against the
 *    config directory; keyType defaults to BLS and SECP256K1 documents are skipped.
 * Every source becomes a job for keys_ingest(), which skips keys already sealed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "keys/keys_internal.h"
#include "keys/layout.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure_mem.h"

#define MAX_KEYSTORE_BYTES (1u << 20)
#define MAX_PASSWORD_FILE 65536
#define MAX_YAML_BYTES (16u << 20)

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n > m && strcmp(s + n - m, suf) == 0;
}

/* Sorted names in dir ending with one of the suffixes. */
static ss_err list_dir(const char *dir, const char *suf1, const char *suf2, char ***out,
		       size_t *n, keys_error *err)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return keys_fail(err, SS_ERR_NOT_FOUND, "cannot open directory %s", dir);
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    !(has_suffix(e->d_name, suf1) || (suf2 && has_suffix(e->d_name, suf2))))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(*out, cap * sizeof *p);
			if (p == NULL) {
				closedir(d);
				return SS_ERR_NOMEM;
			}
			*out = p;
		}
		(*out)[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_str);
	return SS_OK;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* A keystore job to be read by a worker: keystore path, and its own password file or
 * (pw_path NULL) the shared password. */
static ss_err keystore_job(keys_job *j, const char *path, const char *pw_path, bool first_line)
{
	j->is_keystore = true;
	j->path = strdup(path);
	j->pw_path = pw_path ? strdup(pw_path) : NULL;
	j->pw_first_line = first_line;
	return j->path && (!pw_path || j->pw_path) ? SS_OK : SS_ERR_NOMEM;
}

typedef struct {
	keys_jobs *b;
	const char *shared_pw; /* --keystores-password-file contents */
	size_t shared_len;
	keys_store *ks;
} read_ctx;

/* Worker: reads and parses one keystore and its password, so that a restart with
 * 100,000 keystores still in the directory spends its time on all cores. */
static void read_one(size_t i, void *arg)
{
	read_ctx *c = arg;
	keys_job *j = &c->b->jobs[i];
	if (j->path == NULL || j->result != SS_OK)
		return;
	char *text = NULL;
	size_t len = 0;
	j->result = keys_read_file(j->path, MAX_KEYSTORE_BYTES, &text, &len, &j->err);
	if (j->result == SS_OK)
		j->result = keys_keystore_parse(&j->ks, text, len, &j->err);
	free(text);
	if (j->result != SS_OK)
		return;
	/* A key already signable is not decrypted again (keys_ingest_decrypt), so its
	 * password is not read: a password file removed after the first load is no failure,
	 * and the key, whose keystore file is still here, is not unloaded for it. */
	if (j->ks.have_pubkey && keys_contains(c->ks, j->ks.pubkey))
		return;
	if (j->pw_path == NULL) {
		j->password = malloc(c->shared_len + 1);
		if (j->password == NULL) {
			j->result = keys_fail(&j->err, SS_ERR_NOMEM, "out of memory");
			return;
		}
		memcpy(j->password, c->shared_pw, c->shared_len + 1);
		j->password_len = c->shared_len;
		return;
	}
	keys_error perr;
	ss_err e = keys_read_file(j->pw_path, MAX_PASSWORD_FILE, &j->password, &len, &perr);
	if (e != SS_OK) {
		j->result = keys_fail(&j->err, e, "password file: %s", perr.msg);
		return;
	}
	j->password_len = j->pw_first_line ? strcspn(j->password, "\r\n") : len;
	if (j->pw_first_line) {
		secure_zero(j->password + j->password_len, len - j->password_len);
		if (j->password_len == 0)
			j->result = keys_fail(&j->err, SS_ERR_INVALID, "password file %s is empty",
					      j->pw_path);
	}
}

static ss_err keystore_dir(keys_jobs *b, const keys_sources *src, keys_error *err)
{
	char **names;
	size_t n;
	ss_err e = list_dir(src->keystores_dir, ".json", NULL, &names, &n, err);
	if (e != SS_OK)
		return e;
	for (size_t i = 0; i < n && e == SS_OK; i++) {
		keys_job *j;
		if ((e = keys_jobs_add(b, &j)) != SS_OK)
			break;
		char path[8192];
		snprintf(j->label, sizeof j->label, "%.255s", names[i]);
		snprintf(path, sizeof path, "%s/%s", src->keystores_dir, names[i]);
		j->meta.origin = KEYS_ORIGIN_KEYSTORE_DIR;
		/* Web3Signer reports no derivation_path for bulk-loaded keystores. */
		char pw[8192];
		snprintf(pw, sizeof pw, "%s/%.*s.txt", src->keystores_passwords_dir ? src->keystores_passwords_dir : "",
			 (int)(strlen(names[i]) - 5), names[i]);
		e = keystore_job(j, path, src->keystores_password_file ? NULL : pw, false);
	}
	free_list(names, n);
	return e;
}

/* A keystore directory in a client's layout (layout.h): each keystore with the password
 * file the layout names, Prysm's wallet opened here with the shared password (its keys
 * become raw-secret jobs). What the layout leaves out is logged with the reason. A
 * directory in which the layout finds nothing fails the load. */
static ss_err layout_dir(keys_jobs *b, const keys_sources *src, const char *shared,
			 size_t shared_len, keys_error *err)
{
	keys_layout_result lr;
	ss_err e = keys_layout_scan(&lr, src->keystores_dir, (keys_layout)src->keystores_layout,
				    src->keystores_passwords_dir, err);
	if (e != SS_OK)
		return e;
	if ((lr.layout == KEYS_LAYOUT_PRYSM && !shared) ||
	    (lr.layout == KEYS_LAYOUT_WEB3SIGNER && !src->keystores_passwords_dir && !shared)) {
		e = keys_fail(err, SS_ERR_INVALID, "the %s layout in %s needs %s",
			      keys_layout_name(lr.layout), src->keystores_dir,
			      lr.layout == KEYS_LAYOUT_PRYSM
				      ? "the wallet password in --keystores-password-file"
				      : "--keystores-passwords-path or --keystores-password-file");
		keys_layout_free(&lr);
		return e;
	}
	log_info("keystores in %s: %s layout, %zu keystore(s)%s, %zu skipped",
		 src->keystores_dir, keys_layout_name(lr.layout), lr.n_keys,
		 lr.wallet ? " and a Prysm wallet" : "", lr.n_skips);
	for (size_t i = 0; i < lr.n_skips; i++)
		log_warn("keystores in %s: skipped %s: %s", src->keystores_dir, lr.skips[i].label,
			 lr.skips[i].reason);
	for (size_t i = 0; i < lr.n_keys && e == SS_OK; i++) {
		keys_job *j;
		if ((e = keys_jobs_add(b, &j)) != SS_OK)
			break;
		snprintf(j->label, sizeof j->label, "%.255s", lr.keys[i].label);
		j->meta.origin = KEYS_ORIGIN_KEYSTORE_DIR;
		e = keystore_job(j, lr.keys[i].keystore, lr.keys[i].password, false);
	}
	if (e == SS_OK && lr.wallet) {
		char *w = NULL;
		size_t wl = 0, n = 0;
		uint8_t *sk = NULL;
		uint8_t(*pk)[KEYS_PUBKEY_BYTES] = NULL;
		keys_error werr = { "" };
		e = keys_read_file(lr.wallet, 8u << 20, &w, &wl, &werr);
		if (e == SS_OK)
			e = keys_prysm_wallet_open(w, wl, shared, shared_len, &sk, &pk, &n, &werr);
		free(w); /* the wallet file is encrypted */
		if (e != SS_OK)
			e = keys_fail(err, e, "Prysm wallet %s: %s", lr.wallet, werr.msg);
		for (size_t i = 0; i < n && e == SS_OK; i++) {
			keys_job *j;
			if ((e = keys_jobs_add(b, &j)) != SS_OK)
				break;
			snprintf(j->label, sizeof j->label, "all-accounts.keystore.json #%zu", i + 1);
			j->meta.origin = KEYS_ORIGIN_KEYSTORE_DIR;
			memcpy(keys_jobs_secret(b, b->n - 1), sk + i * KEYS_SECRET_BYTES,
			       KEYS_SECRET_BYTES);
		}
		secure_free(sk);
		free(pk);
	}
	keys_layout_free(&lr);
	return e;
}

static const char *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return (const char *)v->data.scalar.value;
	}
	return NULL;
}

static void resolve(char *out, size_t cap, const char *dir, const char *p)
{
	if (p[0] == '/')
		snprintf(out, cap, "%s", p);
	else
		snprintf(out, cap, "%s/%s", dir, p);
}

/* The secure original of a YAML key file and the places of its masked privateKeys
 * (yaml_secret.c). */
typedef struct {
	const char *text;
	const keys_yaml_span *spans;
	size_t n;
} yaml_original;

/* One YAML document -> at most one job. */
static ss_err yaml_doc(keys_jobs *b, yaml_document_t *doc, const char *dir, const char *file,
		       int index, const yaml_original *orig)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	if (root == NULL || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
		return SS_OK; /* empty document (e.g. a trailing ---) */
	keys_job *j;
	ss_err e = keys_jobs_add(b, &j);
	if (e != SS_OK)
		return e;
	snprintf(j->label, sizeof j->label, "%.200s (document %d)", file, index);
	j->meta.origin = KEYS_ORIGIN_KEY_CONFIG;
	if (root->type != YAML_MAPPING_NODE) {
		j->result = keys_fail(&j->err, SS_ERR_INVALID, "not a YAML mapping");
		return SS_OK;
	}
	const char *type = map_get(doc, root, "type");
	const char *key_type = map_get(doc, root, "keyType");
	if (key_type && strcmp(key_type, "SECP256K1") == 0) {
		b->n--; /* Web3Signer eth2 mode skips SECP256K1 keys silently */
		return SS_OK;
	}
	if (key_type && strcmp(key_type, "BLS") != 0) {
		j->result = keys_fail(&j->err, SS_ERR_INVALID, "keyType \"%.40s\" is not BLS", key_type);
		return SS_OK;
	}
	if (type == NULL) {
		j->result = keys_fail(&j->err, SS_ERR_INVALID, "no \"type\"");
	} else if (strcmp(type, "file-raw") == 0) {
		const char *pk = map_get(doc, root, "privateKey");
		j->meta.readonly = 1;
		if (pk == NULL || keys_yaml_private_key(keys_jobs_secret(b, b->n - 1), pk, orig->text,
							orig->spans, orig->n) != SS_OK)
			j->result = keys_fail(&j->err, SS_ERR_INVALID,
					      "file-raw needs \"privateKey\": 32 bytes of hex");
	} else if (strcmp(type, "file-keystore") == 0) {
		const char *kf = map_get(doc, root, "keystoreFile");
		const char *pf = map_get(doc, root, "keystorePasswordFile");
		if (kf == NULL || pf == NULL) {
			j->result = keys_fail(&j->err, SS_ERR_INVALID,
					      "file-keystore needs \"keystoreFile\" and \"keystorePasswordFile\"");
			return SS_OK;
		}
		char path[8192], pw[8192];
		resolve(path, sizeof path, dir, kf);
		resolve(pw, sizeof pw, dir, pf);
		j->meta.readonly = 0;
		return keystore_job(j, path, pw, true);
	} else {
		j->result = keys_fail(&j->err, SS_ERR_UNSUPPORTED,
				      "key type \"%.40s\" is not supported (file-raw, file-keystore)",
				      type);
	}
	return SS_OK;
}

/* At most this many privateKey values per file are masked; a file with more (no real
 * one has) has the rest parsed by libyaml directly. */
#define MAX_MASKED_KEYS 256

ss_err keys_yaml_parse(keys_jobs *b, const char *dir, const char *name, const char *text,
		       size_t len)
{
	ss_err e = SS_OK;
	keys_yaml_span *spans = secure_alloc(MAX_MASKED_KEYS * sizeof *spans);
	char *masked = secure_alloc(len + 1);
	if (spans == NULL || masked == NULL) {
		secure_free(spans);
		secure_free(masked);
		return SS_ERR_NOMEM;
	}
	yaml_original orig = { .text = text, .spans = spans };
	orig.n = keys_yaml_mask(text, len, masked, spans, MAX_MASKED_KEYS);
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)masked, len);
	for (int index = 1; e == SS_OK; index++) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc)) {
			keys_job *j;
			if ((e = keys_jobs_add(b, &j)) != SS_OK)
				break;
			snprintf(j->label, sizeof j->label, "%.255s", name);
			j->result = keys_fail(&j->err, SS_ERR_INVALID,
					      "YAML error at line %zu: %.100s",
					      parser.problem_mark.line + 1,
					      parser.problem ? parser.problem : "?");
			break;
		}
		bool end = yaml_document_get_root_node(&doc) == NULL;
		if (!end)
			e = yaml_doc(b, &doc, dir, name, index, &orig);
		keys_yaml_wipe_document(&doc);
		yaml_document_delete(&doc);
		if (end)
			break;
	}
	keys_yaml_wipe_parser(&parser);
	yaml_parser_delete(&parser);
	secure_free(masked);
	secure_free(spans);
	return e;
}

static ss_err yaml_file(keys_jobs *b, const char *dir, const char *name)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	char *text = NULL;
	size_t len = 0;
	keys_error rerr;
	/* read(2) straight into locked memory: no stdio buffer, no heap copy */
	ss_err e = keys_read_secret_file(path, MAX_YAML_BYTES, &text, &len, &rerr);
	if (e != SS_OK) {
		keys_job *j;
		if (keys_jobs_add(b, &j) != SS_OK)
			return SS_ERR_NOMEM;
		snprintf(j->label, sizeof j->label, "%.255s", name);
		j->result = e;
		j->err = rerr;
		return SS_OK;
	}
	e = keys_yaml_parse(b, dir, name, text, len);
	secure_free(text);
	return e;
}

static ss_err key_config_dir(keys_jobs *b, const char *dir, keys_error *err)
{
	char **names;
	size_t n;
	ss_err e = list_dir(dir, ".yaml", ".yml", &names, &n, err);
	for (size_t i = 0; e == SS_OK && i < n; i++)
		e = yaml_file(b, dir, names[i]);
	free_list(names, n);
	return e;
}

ss_err keys_load_sources(keys_store *ks, const keys_sources *src, keys_load_stats *stats,
			 keys_error *err)
{
	keys_load_stats local = { 0 };
	if (stats == NULL)
		stats = &local;
	stats->sources_seen = stats->sources_new = stats->sources_failed = 0;
	stats->keystores_seen = stats->keystores_failed = stats->sources_removed = 0;
	bool flat = src->keystores_layout == KEYS_LAYOUT_WEB3SIGNER;
	if (src->keystores_dir && flat &&
	    !src->keystores_passwords_dir == !src->keystores_password_file)
		return keys_fail(err, SS_ERR_INVALID,
				 "a keystore directory needs exactly one of a passwords directory or a password file");
	keys_jobs b = { 0 };
	read_ctx rc = { &b, NULL, 0, ks };
	char *shared = NULL;
	size_t shared_len = 0;
	ss_err e = SS_OK;
	if (src->keystores_dir && src->keystores_password_file) {
		/* the whole file is the password (Web3Signer); read once for all keystores */
		e = keys_read_file(src->keystores_password_file, MAX_PASSWORD_FILE, &shared,
				   &shared_len, err);
		rc.shared_pw = shared;
		rc.shared_len = shared_len;
	}
	if (e == SS_OK && src->keystores_dir)
		e = flat ? keystore_dir(&b, src, err) : layout_dir(&b, src, shared, shared_len, err);
	if (e == SS_OK && src->key_config_dir)
		e = key_config_dir(&b, src->key_config_dir, err);
	if (e == SS_OK) {
		keys_parallel(b.n, src->threads, read_one, &rc, "reading key sources");
		/* the keystore's own path becomes derivation_path for file-keystore configs */
		for (size_t i = 0; i < b.n; i++)
			if (b.jobs[i].meta.origin == KEYS_ORIGIN_KEY_CONFIG && b.jobs[i].is_keystore)
				memcpy(b.jobs[i].meta.path, b.jobs[i].ks.path, KEYS_PATH_MAX - 1);
		e = keys_ingest(ks, &b, src->threads, "loading keys");
	}
	keys_free_wiped(shared, shared_len);
	uint8_t(*keep)[KEYS_PUBKEY_BYTES] = NULL;
	if (e == SS_OK) {
		/* the keys the sources yield now (loaded or already present); every other
		 * source key has lost its file (keys.h keys_load_sources) */
		keep = malloc((b.n ? b.n : 1) * sizeof *keep);
		size_t n_keep = 0;
		if (keep == NULL)
			e = SS_ERR_NOMEM;
		for (size_t i = 0; keep && i < b.n; i++)
			if (b.jobs[i].result == SS_OK)
				memcpy(keep[n_keep++], b.jobs[i].meta.pubkey, KEYS_PUBKEY_BYTES);
		if (e == SS_OK)
			e = keys_prune_sources(ks, keep, n_keep, &stats->sources_removed);
	}
	free(keep);
	if (e == SS_OK) {
		stats->sources_seen += b.n;
		for (size_t i = 0; i < b.n; i++) {
			bool dir = b.jobs[i].meta.origin == KEYS_ORIGIN_KEYSTORE_DIR;
			stats->keystores_seen += dir;
			if (b.jobs[i].result != SS_OK) {
				stats->sources_failed++;
				stats->keystores_failed += dir;
			} else if (!b.jobs[i].duplicate) {
				stats->sources_new++;
			}
		}
		log_info("key sources: %zu found, %zu newly sealed, %zu failed, %zu unloaded (file gone); %zu key(s) signable",
			 b.n, stats->sources_new, stats->sources_failed, stats->sources_removed,
			 keys_count(ks));
	} else if (err && err->msg[0] == '\0') {
		keys_fail(err, e, "loading key sources failed: %s", ss_strerror(e));
	}
	keys_jobs_free(&b);
	return e;
}
