/* Client keystore layouts (layout.h): detection and the scan of a client's validator
 * directory into keystore + password file pairs, with a reason for everything left
 * out. Files only; nothing is decrypted here. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keys/keys_internal.h"
#include "keys/layout.h"

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n > m && strcmp(s + n - m, suf) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of dir except . and ..; NULL (and *n 0) when unreadable. */
static char **list(const char *dir, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return NULL;
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			char **p = realloc(v, cap * sizeof *p);
			if (p == NULL)
				break;
			v = p;
		}
		if ((v[*n] = strdup(e->d_name)) != NULL)
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *path2(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

static ss_err add_key(keys_layout_result *r, char *label, char *ks, char *pw)
{
	keys_layout_key *k = realloc(r->keys, (r->n_keys + 1) * sizeof *k);
	if (k)
		r->keys = k;
	if (k == NULL || label == NULL || ks == NULL) {
		free(label);
		free(ks);
		free(pw);
		return SS_ERR_NOMEM;
	}
	r->keys[r->n_keys++] = (keys_layout_key){ label, ks, pw };
	return SS_OK;
}

static ss_err add_skip(keys_layout_result *r, char *label, const char *reason)
{
	keys_layout_skip *s = realloc(r->skips, (r->n_skips + 1) * sizeof *s);
	if (s)
		r->skips = s;
	if (s == NULL || label == NULL) {
		free(label);
		return SS_ERR_NOMEM;
	}
	r->skips[r->n_skips++] = (keys_layout_skip){ label, reason };
	return SS_OK;
}

/* "0x" followed by 96 hex digits: a validator directory or password file name. */
static bool pubkey_name(const char *s)
{
	if (strncmp(s, "0x", 2) != 0 || strlen(s) != 2 + 2 * KEYS_PUBKEY_BYTES)
		return false;
	for (const char *p = s + 2; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
			return false;
	return true;
}

/* Lighthouse, Lodestar, Nimbus: <vdir>/0x<pk>/<file> with the password in
 * <secrets>/0x<pk>. */
static ss_err scan_pubkey_dirs(keys_layout_result *r, const char *dir, const char *vdir_name,
			       const char *file, const char *secrets, const char *no_password)
{
	char *vdir = path2(dir, vdir_name);
	size_t n = 0;
	char **ents = vdir ? list(vdir, &n) : NULL;
	ss_err e = vdir ? SS_OK : SS_ERR_NOMEM;
	for (size_t i = 0; i < n && e == SS_OK; i++) {
		char *sub = path2(vdir, ents[i]);
		char label[600];
		snprintf(label, sizeof label, "%s/%s", vdir_name, ents[i]);
		if (sub == NULL) {
			e = SS_ERR_NOMEM;
		} else if (!is_dir(sub) || !pubkey_name(ents[i])) {
			/* validator_definitions.yml, slashing_protection.sqlite, a cache... */
			e = add_skip(r, strdup(label),
				     has_suffix(ents[i], ".lock") ? "lock file"
				     : strstr(ents[i], "cache") ? "client cache file, not a key"
								  : "not a validator directory (0x<pubkey>/)");
		} else {
			size_t m = 0;
			char **files = list(sub, &m);
			bool found = false;
			for (size_t j = 0; j < m && e == SS_OK; j++) {
				char fl[800];
				snprintf(fl, sizeof fl, "%s/%s", label, files[j]);
				if (strcmp(files[j], file) == 0) {
					found = true;
					char *pw = path2(secrets, ents[i]);
					if (pw && !is_file(pw)) {
						free(pw);
						e = add_skip(r, strdup(fl), no_password);
					} else {
						e = add_key(r, strdup(fl), path2(sub, files[j]), pw);
					}
				} else if (has_suffix(files[j], ".lock")) {
					e = add_skip(r, strdup(fl), "lock file");
				} else if (strcmp(files[j], "remote_keystore.json") == 0) {
					e = add_skip(r, strdup(fl), "remote signer key, not a local keystore");
				} else {
					e = add_skip(r, strdup(fl), "not a keystore of this layout");
				}
			}
			if (e == SS_OK && !found) {
				char what[700];
				snprintf(what, sizeof what, "%s/%s", label, file);
				e = add_skip(r, strdup(what), "missing");
			}
			free_list(files, m);
		}
		free(sub);
	}
	free_list(ents, n);
	free(vdir);
	return e;
}

/* Teku and Web3Signer: <keys>/<name>.json with <passwords>/<name>.txt (passwords NULL:
 * one password file, the caller's). */
static ss_err scan_flat(keys_layout_result *r, const char *keys, const char *label_dir,
			const char *passwords)
{
	size_t n = 0;
	char **ents = list(keys, &n);
	ss_err e = SS_OK;
	for (size_t i = 0; i < n && e == SS_OK; i++) {
		char label[600];
		snprintf(label, sizeof label, "%s%s%s", label_dir, *label_dir ? "/" : "", ents[i]);
		char *p = path2(keys, ents[i]);
		if (p == NULL) {
			e = SS_ERR_NOMEM;
		} else if (!has_suffix(ents[i], ".json") || !is_file(p)) {
			e = add_skip(r, strdup(label),
				     has_suffix(ents[i], ".lock") ? "lock file" : "not a .json keystore file");
			free(p);
		} else if (passwords == NULL) {
			e = add_key(r, strdup(label), p, NULL);
		} else {
			char pwn[600];
			snprintf(pwn, sizeof pwn, "%.*s.txt", (int)(strlen(ents[i]) - 5), ents[i]);
			char *pw = path2(passwords, pwn);
			if (pw && !is_file(pw)) {
				free(pw);
				free(p);
				e = add_skip(r, strdup(label), "no password file <name>.txt");
			} else {
				e = add_key(r, strdup(label), p, pw);
			}
		}
	}
	free_list(ents, n);
	return e;
}

/* Lodestar keeps decrypted-keystore caches (imported_keystores.cache, with a .lock)
 * in DIR/cache (lodestar cli validator/signers: cacheFilePath under
 * accountPaths.cacheDir): reported as skipped, never read. */
static ss_err skip_cache_dir(keys_layout_result *r, const char *dir)
{
	char *cache = path2(dir, "cache");
	size_t n = 0;
	char **ents = cache ? list(cache, &n) : NULL;
	ss_err e = cache ? SS_OK : SS_ERR_NOMEM;
	for (size_t i = 0; i < n && e == SS_OK; i++) {
		char label[600];
		snprintf(label, sizeof label, "cache/%s", ents[i]);
		e = add_skip(r, strdup(label), has_suffix(ents[i], ".lock")
						       ? "lock file"
						       : "client cache file, not a key");
	}
	free_list(ents, n);
	free(cache);
	return e;
}

/* True when <dir>/<vdir>/0x.../<file> exists for some validator directory (file NULL:
 * when some 0x<pubkey> directory exists). */
static bool has_pubkey_dir_with(const char *dir, const char *vdir_name, const char *file)
{
	char *vdir = path2(dir, vdir_name);
	size_t n = 0;
	char **ents = vdir ? list(vdir, &n) : NULL;
	bool yes = false;
	for (size_t i = 0; i < n && !yes; i++) {
		if (!pubkey_name(ents[i]))
			continue;
		char p[8192];
		snprintf(p, sizeof p, "%s/%s%s%s", vdir, ents[i], file ? "/" : "", file ? file : "");
		yes = file ? is_file(p) : is_dir(p);
	}
	free_list(ents, n);
	free(vdir);
	return yes;
}

static char *prysm_wallet(const char *dir)
{
	static const char *const where[] = { "direct/accounts/all-accounts.keystore.json",
					     "accounts/all-accounts.keystore.json",
					     "all-accounts.keystore.json" };
	for (size_t i = 0; i < 3; i++) {
		char *p = path2(dir, where[i]);
		if (p && is_file(p))
			return p;
		free(p);
	}
	return NULL;
}

static bool has_json(const char *dir)
{
	size_t n = 0;
	char **ents = list(dir, &n);
	bool yes = false;
	for (size_t i = 0; i < n && !yes; i++)
		yes = has_suffix(ents[i], ".json");
	free_list(ents, n);
	return yes;
}

/* Which layouts dir looks like: one bit per keys_layout. */
static unsigned detect(const char *dir)
{
	unsigned m = 0;
	char *w = prysm_wallet(dir);
	if (w)
		m |= 1u << KEYS_LAYOUT_PRYSM;
	free(w);
	char p[8192], q[8192];
	snprintf(p, sizeof p, "%s/keys", dir);
	snprintf(q, sizeof q, "%s/passwords", dir);
	if (is_dir(p) && is_dir(q))
		m |= 1u << KEYS_LAYOUT_TEKU;
	snprintf(p, sizeof p, "%s/validator/key-manager/local", dir);
	if (is_dir(p))
		m |= 1u << KEYS_LAYOUT_TEKU;
	if (has_pubkey_dir_with(dir, "validators", "voting-keystore.json"))
		m |= 1u << KEYS_LAYOUT_LIGHTHOUSE;
	if (has_pubkey_dir_with(dir, "validators", "keystore.json") ||
	    has_pubkey_dir_with(dir, "validators", "remote_keystore.json"))
		m |= 1u << KEYS_LAYOUT_NIMBUS;
	if (has_pubkey_dir_with(dir, "keystores", NULL))
		m |= 1u << KEYS_LAYOUT_LODESTAR;
	if (has_json(dir))
		m |= 1u << KEYS_LAYOUT_WEB3SIGNER;
	return m;
}

void keys_layout_free(keys_layout_result *r)
{
	for (size_t i = 0; i < r->n_keys; i++) {
		free(r->keys[i].label);
		free(r->keys[i].keystore);
		free(r->keys[i].password);
	}
	for (size_t i = 0; i < r->n_skips; i++)
		free(r->skips[i].label);
	free(r->keys);
	free(r->skips);
	free(r->wallet);
	memset(r, 0, sizeof *r);
}

ss_err keys_layout_scan(keys_layout_result *r, const char *dir, keys_layout want,
			const char *secrets_dir, keys_error *err)
{
	memset(r, 0, sizeof *r);
	if (!is_dir(dir))
		return keys_fail(err, SS_ERR_NOT_FOUND, "%s is not a directory", dir);
	if (want == KEYS_LAYOUT_AUTO) {
		unsigned m = detect(dir);
		/* a Web3Signer directory of *.json is also what a client layout's data
		 * directory may hold next to its own folders: the client layout wins */
		if (m & ~(1u << KEYS_LAYOUT_WEB3SIGNER))
			m &= ~(1u << KEYS_LAYOUT_WEB3SIGNER);
		if (m == 0)
			return keys_fail(err, SS_ERR_INVALID,
					 "no keystore layout recognised in %s (looked for: *.json keystores; validators/0x<pubkey>/voting-keystore.json (lighthouse) or keystore.json (nimbus); keystores/0x<pubkey>/ (lodestar); keys/ with passwords/ or validator/key-manager/local/ (teku); direct/accounts/all-accounts.keystore.json (prysm)); pass --layout to name one",
					 dir);
		if (m & (m - 1)) {
			char list_s[128] = "";
			for (unsigned l = KEYS_LAYOUT_WEB3SIGNER; l <= KEYS_LAYOUT_PRYSM; l++)
				if (l != KEYS_LAYOUT_AUTO)
					if (m & (1u << l)) {
						strcat(list_s, list_s[0] ? ", " : "");
						strcat(list_s, keys_layout_name((keys_layout)l));
					}
			return keys_fail(err, SS_ERR_INVALID,
					 "%s looks like several keystore layouts (%s); pass --layout to choose",
					 dir, list_s);
		}
		want = (keys_layout)__builtin_ctz(m);
	}
	r->layout = want;
	char def_secrets[8192];
	snprintf(def_secrets, sizeof def_secrets, "%s/secrets", dir);
	const char *sec = secrets_dir ? secrets_dir : def_secrets;
	ss_err e = SS_OK;
	switch (want) {
	case KEYS_LAYOUT_LIGHTHOUSE:
		/* Lighthouse may keep a key's password in validator_definitions.yml
		 * (voting_keystore_password) instead: that file is not read */
		e = scan_pubkey_dirs(r, dir, "validators", "voting-keystore.json", sec,
				     "no password file in the secrets directory (a password kept in validator_definitions.yml is not read: write it to secrets/0x<pubkey>)");
		break;
	case KEYS_LAYOUT_LODESTAR:
		e = scan_pubkey_dirs(r, dir, "keystores", "voting-keystore.json", sec,
				     "no password file in the secrets directory");
		if (e == SS_OK)
			e = skip_cache_dir(r, dir);
		break;
	case KEYS_LAYOUT_NIMBUS:
		e = scan_pubkey_dirs(r, dir, "validators", "keystore.json", sec,
				     "no password file in the secrets directory");
		break;
	case KEYS_LAYOUT_TEKU: {
		char k[8192], p[8192];
		snprintf(k, sizeof k, "%s/keys", dir);
		bool km = !is_dir(k);
		if (km)
			snprintf(k, sizeof k, "%s/validator/key-manager/local", dir);
		snprintf(p, sizeof p, "%s/%s", dir,
			 km ? "validator/key-manager/local-passwords" : "passwords");
		e = scan_flat(r, k, km ? "validator/key-manager/local" : "keys",
			      secrets_dir ? secrets_dir : p);
		break;
	}
	case KEYS_LAYOUT_WEB3SIGNER:
		e = scan_flat(r, dir, "", secrets_dir);
		break;
	case KEYS_LAYOUT_PRYSM:
		r->wallet = prysm_wallet(dir);
		break;
	case KEYS_LAYOUT_AUTO:
		break;
	}
	if (e != SS_OK) {
		keys_layout_free(r);
		return keys_fail(err, e, "out of memory scanning %s", dir);
	}
	if (r->n_keys == 0 && r->n_skips == 0 && r->wallet == NULL) {
		keys_layout_free(r);
		return keys_fail(err, SS_ERR_NOT_FOUND,
				 "nothing of the %s layout found in %s", keys_layout_name(want), dir);
	}
	return SS_OK;
}
