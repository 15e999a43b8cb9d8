/* The Commit-Boost module configuration (docs/commit-boost.md "Modules"): a YAML file
 * listing each module's id, signing ID and guards, and the JWT secrets, either inline or
 * in a secrets file of MODULE_ID=secret lines (Commit-Boost's CB_JWTS format, one pair a
 * line). Read whole into an immutable registry; /reload and /revoke_jwt build a new one
 * and swap it in, so a request holds a consistent view for its whole life. The files are
 * read into secure memory, and libyaml parses the modules file with its inline secrets
 * masked (cb_yaml_secret.c). */
#include <ctype.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "api/cb_internal.h"
#include "keys/keys.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/secure_mem.h"

#define CB_FILE_MAX (1u << 20) /* the modules, secrets and admin secret files */

/* Why file_read_secret failed, for the message naming the file. */
static const char *read_error(ss_err e)
{
	switch (e) {
	case SS_ERR_NOT_FOUND: return "no such file";
	case SS_ERR_INVALID: return "not a regular file";
	case SS_ERR_RANGE: return "larger than 1 MiB";
	default: return ss_strerror(e);
	}
}

static void fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

static void module_free(cb_module *m)
{
	secure_free(m->secret);
	free(m->allowed);
	memset(m, 0, sizeof *m);
}

static void registry_free(cb_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		module_free(&r->mods[i]);
	free(r->mods);
	secure_free(r->admin_secret);
	free(r);
}

static char *secret_dup(const char *s, size_t len)
{
	char *p = secure_alloc(len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

/* Replaces the secret in *slot (a module's or the admin's) by a copy of s[0, len), or
 * drops it when s is NULL; false when out of memory (the slot is then empty). */
static bool put_secret(char **slot, size_t *slot_len, const char *s, size_t len)
{
	secure_free(*slot);
	*slot = s ? secret_dup(s, len) : NULL;
	*slot_len = *slot ? len : 0;
	return *slot || !s;
}

static bool set_secret(cb_module *m, const char *s, size_t len)
{
	return put_secret(&m->secret, &m->secret_len, s, len);
}

/* Module ids travel in JWTs and name proxy owners: printable, no '=' or ',' (the
 * separators of the secrets formats), shorter than the owner field. */
static bool valid_module_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n >= CB_MODULE_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("_-.", id[i]))
			return false;
	return true;
}

const cb_module *cb_registry_find(const cb_registry *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->mods[i].id, id) == 0)
			return &r->mods[i];
	return NULL;
}

/* ---- YAML -------------------------------------------------------------------------- */

static const char *scalar(yaml_document_t *d, yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool parse_bool(const char *s, bool *out)
{
	if (s && (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0)) {
		*out = true;
		return true;
	}
	if (s && (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0)) {
		*out = false;
		return true;
	}
	return false;
}

static bool parse_allowed(yaml_document_t *d, yaml_node_t *v, cb_module *m, char *err,
			  size_t cap)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		fail(err, cap, "module %s: allowed_keys must be a list of public keys", m->id);
		return false;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	m->allowed = calloc(n ? n : 1, sizeof *m->allowed);
	if (!m->allowed) {
		fail(err, cap, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = scalar(d, yaml_document_get_node(d, v->data.sequence.items.start[i]));
		if (!s || hex_decode(m->allowed[i], 48, s, strlen(s), HEX_PREFIX_OPTIONAL) != SS_OK) {
			fail(err, cap, "module %s: allowed_keys[%zu] is not a 48-byte public key",
			     m->id, i);
			return false;
		}
	}
	m->n_allowed = n;
	return true;
}

/* A module's jwt_secret: from the secure original when it was masked (cb_yaml_secret.c). */
static bool parse_secret(const cb_yaml_source *src, yaml_node_t *vn, cb_module *m, char *err,
			 size_t cap)
{
	const char *v;
	size_t len;
	cb_yaml_secret(src, vn, &v, &len);
	if (!v || len == 0 || len >= CB_SECRET_MAX || memchr(v, 0, len) || !set_secret(m, v, len)) {
		fail(err, cap, "module %s: jwt_secret must be a non-empty string", m->id);
		return false;
	}
	return true;
}

static bool parse_module(yaml_document_t *d, const cb_yaml_source *src, yaml_node_t *node,
			 size_t index, cb_module *m, char *err, size_t cap)
{
	if (node->type != YAML_MAPPING_NODE) {
		fail(err, cap, "modules[%zu] must be a mapping", index);
		return false;
	}
	bool has_sid = false;
	snprintf(m->id, sizeof m->id, "modules[%zu]", index);
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(d, yaml_document_get_node(d, p->key));
		yaml_node_t *vn = yaml_document_get_node(d, p->value);
		const char *v = scalar(d, vn);
		if (!k) {
			fail(err, cap, "modules[%zu]: keys must be plain names", index);
			return false;
		}
		if (strcmp(k, "id") == 0) {
			if (!v || !valid_module_id(v)) {
				fail(err, cap, "modules[%zu]: id must be 1-63 characters of "
					       "A-Z a-z 0-9 _ - .", index);
				return false;
			}
			/* the legacy dialect's unauthenticated clients own the proxies of
			 * SIGNER_CB_LEGACY_OWNER: a module of that name would share them */
			if (strcmp(v, SIGNER_CB_LEGACY_OWNER) == 0) {
				fail(err, cap, "modules[%zu]: id %s is reserved (it owns the proxy keys "
					       "of the unauthenticated legacy dialect)", index, v);
				return false;
			}
			snprintf(m->id, sizeof m->id, "%s", v);
		} else if (strcmp(k, "signing_id") == 0) {
			static const uint8_t zero[32];
			if (!v || hex_decode(m->signing_id, 32, v, strlen(v), HEX_PREFIX_OPTIONAL) !=
					  SS_OK ||
			    memcmp(m->signing_id, zero, 32) == 0) {
				fail(err, cap, "module %s: signing_id must be 32 bytes of hex, not zero",
				     m->id);
				return false;
			}
			has_sid = true;
		} else if (strcmp(k, "jwt_secret") == 0) {
			if (!parse_secret(src, vn, m, err, cap))
				return false;
		} else if (strcmp(k, "allowed_keys") == 0) {
			if (!parse_allowed(d, vn, m, err, cap))
				return false;
		} else if (strcmp(k, "proxy_only") == 0) {
			if (!parse_bool(v, &m->proxy_only)) {
				fail(err, cap, "module %s: proxy_only must be true or false", m->id);
				return false;
			}
		} else if (strcmp(k, "replay_protection") == 0) {
			if (!parse_bool(v, &m->replay_protection)) {
				fail(err, cap, "module %s: replay_protection must be true or false",
				     m->id);
				return false;
			}
		} else {
			fail(err, cap, "module %s: unknown key %s", m->id, k);
			return false;
		}
	}
	if (strncmp(m->id, "modules[", 8) == 0) {
		fail(err, cap, "modules[%zu]: id is missing", index);
		return false;
	}
	if (!has_sid) {
		fail(err, cap, "module %s: signing_id is missing", m->id);
		return false;
	}
	return true;
}

/* The modules of the document's root mapping {modules: [...]} into r. */
static bool parse_modules(yaml_document_t *doc, const cb_yaml_source *src, const char *path,
			  cb_registry *r, char *err, size_t cap)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_t *list = NULL;
	if (root && root->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++) {
			const char *k = scalar(doc, yaml_document_get_node(doc, p->key));
			if (k && strcmp(k, "modules") == 0) {
				list = yaml_document_get_node(doc, p->value);
			} else {
				fail(err, cap, "%s: unknown key %s (expected modules)", path,
				     k ? k : "?");
				return false;
			}
		}
	}
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		fail(err, cap, "%s: expected a mapping with a list under modules", path);
		return false;
	}
	size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
	if (n > CB_MAX_MODULES) {
		fail(err, cap, "%s: more than %d modules", path, CB_MAX_MODULES);
		return false;
	}
	r->mods = calloc(n ? n : 1, sizeof *r->mods);
	if (!r->mods) {
		fail(err, cap, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *node = yaml_document_get_node(doc, list->data.sequence.items.start[i]);
		r->n = i + 1;
		if (!parse_module(doc, src, node, i, &r->mods[i], err, cap))
			return false;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(r->mods[j].id, r->mods[i].id) == 0) {
				fail(err, cap, "%s: module %s is listed twice", path, r->mods[i].id);
				return false;
			}
			/* signing IDs must be unique (reference §8.2): one module's signature
			 * must never be valid as another's */
			if (memcmp(r->mods[j].signing_id, r->mods[i].signing_id, 32) == 0) {
				fail(err, cap, "%s: modules %s and %s share a signing_id", path,
				     r->mods[j].id, r->mods[i].id);
				return false;
			}
		}
	}
	return true;
}

typedef enum { PARSE_OK, PARSE_REFUSED, PARSE_AGAIN } parse_result;

/* Parses input (the masked copy of src->text, or the text itself with no spans) into r's
 * modules; every copy libyaml made is wiped before it is freed. PARSE_AGAIN: the masked
 * copy does not parse as the original would (cb_yaml_exact), nothing was read from it. */
static parse_result parse_text(const char *input, size_t len, const cb_yaml_source *src,
			       const char *path, cb_registry *r, char *err, size_t cap)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)input, len);
	parse_result res;
	if (!yaml_parser_load(&parser, &doc)) {
		res = src->n ? PARSE_AGAIN : PARSE_REFUSED;
		fail(err, cap, "%s: line %zu: %s", path, parser.problem_mark.line + 1,
		     parser.problem ? parser.problem : "YAML error");
	} else {
		res = !cb_yaml_exact(src, &doc) ? PARSE_AGAIN
		      : parse_modules(&doc, src, path, r, err, cap) ? PARSE_OK
								     : PARSE_REFUSED;
		keys_yaml_wipe_document(&doc);
		yaml_document_delete(&doc);
	}
	keys_yaml_wipe_parser(&parser);
	yaml_parser_delete(&parser);
	return res;
}

static void clear_modules(cb_registry *r)
{
	for (size_t i = 0; i < r->n; i++)
		module_free(&r->mods[i]);
	free(r->mods);
	r->mods = NULL;
	r->n = 0;
}

/* The modules file, read with read(2) into secure memory (no stdio buffer) and parsed
 * with its inline jwt_secret values masked (cb_yaml_secret.c). If the masked copy does
 * not parse as the original would, the original is parsed instead: what is read, or
 * refused, never depends on the masking. */
static bool load_modules(const char *path, cb_registry *r, char *err, size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	ss_err e = file_read_secret(path, CB_FILE_MAX, &text, &len);
	if (e != SS_OK) {
		fail(err, cap, "cannot read the Commit-Boost modules file %s: %s", path,
		     read_error(e));
		return false;
	}
	cb_yaml_source src = { .text = text };
	char *masked = secure_alloc(len + 1);
	src.spans = secure_alloc(CB_MAX_MODULES * sizeof *src.spans);
	bool ok = false;
	if (!masked || !src.spans) {
		fail(err, cap, "out of memory");
	} else {
		src.n = cb_yaml_mask(text, len, masked, src.spans, CB_MAX_MODULES);
		parse_result res = parse_text(masked, len, &src, path, r, err, cap);
		if (res == PARSE_AGAIN) {
			const cb_yaml_source plain = { .text = text };
			clear_modules(r);
			res = parse_text(text, len, &plain, path, r, err, cap);
		}
		ok = res == PARSE_OK;
	}
	secure_free(src.spans);
	secure_free(masked);
	secure_free(text);
	return ok;
}

/* ---- secrets ----------------------------------------------------------------------- */

/* Applies "ID=secret" pairs separated by sep ('\n' for the file, ',' for /reload) to r. */
static bool apply_pairs(cb_registry *r, const char *text, char sep, const char *what,
			char *err, size_t cap)
{
	const char *p = text;
	size_t lineno = 0;
	while (*p) {
		lineno++;
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		while (len && *p == ' ') {
			p++;
			len--;
		}
		if (len && *p != '#') {
			const char *eq = memchr(p, '=', len);
			if (!eq || eq == p || eq + 1 == p + len) {
				fail(err, cap, "%s: entry %zu is not MODULE_ID=secret", what, lineno);
				return false;
			}
			char id[CB_MODULE_ID_MAX];
			size_t idl = (size_t)(eq - p);
			if (idl >= sizeof id) {
				fail(err, cap, "%s: entry %zu: module id too long", what, lineno);
				return false;
			}
			memcpy(id, p, idl);
			id[idl] = 0;
			cb_module *m = (cb_module *)cb_registry_find(r, id);
			if (!m) {
				/* the text before '=' is not shown: in a line that is a secret
				 * alone (base64 with its '=' padding, the id forgotten) or with a
				 * wrong separator, it is the secret */
				fail(err, cap, "%s: entry %zu names no module of the modules file (its "
					       "signing_id is needed)", what, lineno);
				return false;
			}
			size_t sl = len - idl - 1;
			if (sl >= CB_SECRET_MAX || !set_secret(m, eq + 1, sl)) {
				fail(err, cap, "%s: module %s: secret too long", what, id);
				return false;
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
	return true;
}

/* A secrets file, read with read(2) into secure memory; free it with wipe_text. */
static char *read_small_file(const char *path, char *err, size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	ss_err e = file_read_secret(path, CB_FILE_MAX, &text, &len);
	if (e != SS_OK) {
		fail(err, cap, "cannot read %s: %s", path, read_error(e));
		return NULL;
	}
	if (strlen(text) != len) {
		secure_free(text);
		fail(err, cap, "%s holds a NUL byte", path);
		return NULL;
	}
	return text;
}

static void wipe_text(char *t)
{
	secure_free(t); /* wipes all of it */
}

cb_registry *cb_registry_load(const api_cb_config *cfg, char *err, size_t cap)
{
	cb_registry *r = calloc(1, sizeof *r);
	if (!r) {
		fail(err, cap, "out of memory");
		return NULL;
	}
	r->refs = 1;
	if (!cfg->modules_file) {
		fail(err, cap, "the Commit-Boost API needs --commit-boost-modules-file");
		goto bad;
	}
	if (!load_modules(cfg->modules_file, r, err, cap))
		goto bad;
	if (cfg->jwt_secrets_file) {
		char *t = read_small_file(cfg->jwt_secrets_file, err, cap);
		bool ok = t && apply_pairs(r, t, '\n', cfg->jwt_secrets_file, err, cap);
		wipe_text(t);
		if (!ok)
			goto bad;
	}
	if (cfg->admin_secret_file) {
		char *t = read_small_file(cfg->admin_secret_file, err, cap);
		if (!t)
			goto bad;
		size_t n = strcspn(t, "\r\n");
		if (n == 0 || n >= CB_SECRET_MAX) {
			wipe_text(t);
			fail(err, cap, "%s: the first line must hold the admin JWT secret",
			     cfg->admin_secret_file);
			goto bad;
		}
		bool ok = put_secret(&r->admin_secret, &r->admin_secret_len, t, n);
		wipe_text(t);
		if (!ok) {
			fail(err, cap, "out of memory");
			goto bad;
		}
	}
	return r;
bad:
	registry_free(r);
	return NULL;
}

static cb_registry *registry_copy(const cb_registry *src)
{
	cb_registry *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->refs = 1;
	r->mods = calloc(src->n ? src->n : 1, sizeof *r->mods);
	if (!r->mods) {
		free(r);
		return NULL;
	}
	r->n = src->n;
	for (size_t i = 0; i < src->n; i++) {
		const cb_module *s = &src->mods[i];
		cb_module *m = &r->mods[i];
		*m = *s;
		m->secret = NULL;
		m->allowed = NULL;
		if (!set_secret(m, s->secret, s->secret_len))
			goto bad;
		if (s->allowed) {
			m->allowed = malloc(s->n_allowed ? s->n_allowed * 48 : 1);
			if (!m->allowed)
				goto bad;
			memcpy(m->allowed, s->allowed, s->n_allowed * 48);
		}
	}
	if (!put_secret(&r->admin_secret, &r->admin_secret_len, src->admin_secret,
			src->admin_secret_len))
		goto bad;
	return r;
bad:
	registry_free(r);
	return NULL;
}

cb_registry *cb_registry_with(const cb_registry *src, const char *jwt_secrets,
			      const char *admin_secret, char *err, size_t cap)
{
	cb_registry *r = registry_copy(src);
	if (!r) {
		fail(err, cap, "out of memory");
		return NULL;
	}
	if (jwt_secrets) {
		/* Commit-Boost replaces the whole map: modules not named lose their secret */
		for (size_t i = 0; i < r->n; i++)
			set_secret(&r->mods[i], NULL, 0);
		if (!apply_pairs(r, jwt_secrets, ',', "jwt_secrets", err, cap)) {
			registry_free(r);
			return NULL;
		}
	}
	if (admin_secret) {
		size_t n = strlen(admin_secret);
		if (n == 0 || n >= CB_SECRET_MAX) {
			fail(err, cap, "admin_secret must be a non-empty string");
			registry_free(r);
			return NULL;
		}
		if (!put_secret(&r->admin_secret, &r->admin_secret_len, admin_secret, n)) {
			fail(err, cap, "out of memory");
			registry_free(r);
			return NULL;
		}
	}
	return r;
}

cb_registry *cb_registry_revoke(const cb_registry *src, const char *module_id, char *err,
				size_t cap)
{
	if (!cb_registry_find(src, module_id)) {
		fail(err, cap, "unknown module");
		return NULL;
	}
	cb_registry *r = registry_copy(src);
	if (!r) {
		fail(err, cap, "out of memory");
		return NULL;
	}
	set_secret((cb_module *)cb_registry_find(r, module_id), NULL, 0);
	return r;
}

cb_registry *cb_registry_get(api_cb *cb)
{
	pthread_mutex_lock(&cb->lock);
	cb_registry *r = cb->reg;
	r->refs++;
	pthread_mutex_unlock(&cb->lock);
	return r;
}

void cb_registry_release(cb_registry *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1)
		registry_free(r);
}

void cb_registry_swap(api_cb *cb, cb_registry *r)
{
	pthread_mutex_lock(&cb->lock);
	cb_registry *old = cb->reg;
	cb->reg = r;
	pthread_mutex_unlock(&cb->lock);
	cb_registry_release(old);
}
