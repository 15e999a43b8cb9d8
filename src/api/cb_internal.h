/* Module-internal: the Commit-Boost API's state shared by its files (cb_*.c). */
#ifndef SS_API_CB_INTERNAL_H
#define SS_API_CB_INTERNAL_H

#include <pthread.h>

#include <jansson.h>

#include "api/commit_boost.h"
#include "signer/commit_boost.h"

/* A module id is the owner of its proxy keys, so it has the owner field's size (NUL
 * included). */
#define CB_MODULE_ID_MAX KEYS_AUX_OWNER_MAX
#define CB_SECRET_MAX 512
#define CB_MAX_MODULES 256

typedef struct {
	char id[CB_MODULE_ID_MAX];
	uint8_t signing_id[32];
	char *secret;              /* secure memory; NULL: no secret (revoked or none) */
	size_t secret_len;
	uint8_t (*allowed)[48];    /* NULL: every consensus key */
	size_t n_allowed;
	bool proxy_only;
	bool replay_protection;
} cb_module;

/* One immutable configuration: replaced whole by /reload and /revoke_jwt. */
typedef struct {
	cb_module *mods;
	size_t n;
	char *admin_secret; /* secure memory; NULL: admin routes refuse everything */
	size_t admin_secret_len;
	_Atomic unsigned refs;
} cb_registry;

/* cb_lockout.c: the JWT lock-out per client address (docs/commit-boost.md
 * "Authentication"), a table of at most max addresses. */
#define CB_MAX_CLIENTS 4096

typedef struct {
	char addr[64];
	unsigned failures;
	int64_t last_failure; /* monotonic seconds */
} cb_client;

typedef struct {
	pthread_mutex_t lock; /* guards the rest */
	cb_client *clients;
	size_t n, cap, max;
	unsigned max_failures, lockout_seconds;
	bool full_warned; /* the log said every entry is a live lock-out */
} cb_lockout;

typedef enum {
	CB_LOCKOUT_PASS,   /* the token verified and the address is not locked out */
	CB_LOCKOUT_FAILED, /* 401: the failure is counted */
	CB_LOCKOUT_LOCKED, /* 429: whatever the token, nothing is counted */
} cb_lockout_verdict;

void cb_lockout_init(cb_lockout *t, size_t max_clients, unsigned max_failures,
		     unsigned lockout_seconds);
void cb_lockout_destroy(cb_lockout *t);
/* Before verifying a token: true when a request from addr is to be refused (429)
 * whatever it carries: addr is locked out, or it has no entry and every entry is a live
 * lock-out (a newcomer never takes a live lock-out's place). now: monotonic seconds. */
bool cb_lockout_refused(cb_lockout *t, const char *addr, int64_t now);
/* After verifying it: the answer, with the failure counted when it is one, in one step,
 * so that requests racing from one address get at most max_failures 401s. */
cb_lockout_verdict cb_lockout_settle(cb_lockout *t, const char *addr, bool verified,
				     int64_t now);

struct api_cb {
	api_cb_config cfg;
	signer_cb *svc;       /* the service that decides and signs (signer/commit_boost.h) */
	uint8_t chain_id[32]; /* big-endian, for the answers */
	pthread_mutex_t lock; /* guards reg */
	pthread_mutex_t admin_lock; /* one /reload or /revoke_jwt at a time: read-modify-swap */
	cb_registry *reg;
	cb_lockout lockout;
};

/* cb_config.c: reads the modules file and secrets into a new registry (refs 1). */
cb_registry *cb_registry_load(const api_cb_config *cfg, char *err, size_t cap);
void cb_registry_release(cb_registry *r);
/* A copy of r (refs 1) whose secrets are replaced by "A=x,B=y" pairs (jwt_secrets, may
 * be NULL) and admin_secret (may be NULL); modules named must exist. */
cb_registry *cb_registry_with(const cb_registry *r, const char *jwt_secrets,
			      const char *admin_secret, char *err, size_t cap);
/* A copy without module_id's secret; NULL with err when the module is unknown. */
cb_registry *cb_registry_revoke(const cb_registry *r, const char *module_id, char *err,
				size_t cap);
const cb_module *cb_registry_find(const cb_registry *r, const char *id);
/* The registry in force, with a reference (release it). */
cb_registry *cb_registry_get(api_cb *cb);
void cb_registry_swap(api_cb *cb, cb_registry *r);

/* cb_yaml_secret.c: inline jwt_secret values of the modules file masked before libyaml
 * parses it. A span: where a masked value's scalar starts as libyaml marks count
 * (characters), and the value's bytes in the text. */
typedef struct {
	size_t mark, off, len;
} cb_yaml_span;

/* The secure original of the modules file and its masked spans. */
typedef struct {
	const char *text;
	cb_yaml_span *spans;
	size_t n;
} cb_yaml_source;

/* Copies text (len bytes) into masked (len + 1 bytes, NUL-terminated) with up to max
 * jwt_secret values replaced by 'x's; their places into spans. Returns how many. */
size_t cb_yaml_mask(const char *text, size_t len, char *masked, cb_yaml_span *spans,
		    size_t max);
struct yaml_document_s;
struct yaml_node_s;
/* Whether doc, parsed from the masked copy, has every masked value back exactly as
 * masked, so that it is the original's document but for them. If not, the original
 * must be parsed instead. */
bool cb_yaml_exact(const cb_yaml_source *src, const struct yaml_document_s *doc);
/* The secret of a jwt_secret value node of an exact document: the original's bytes
 * when it was masked, libyaml's value when not; NULL when it is not a scalar. */
void cb_yaml_secret(const cb_yaml_source *src, const struct yaml_node_s *node,
		    const char **value, size_t *len);

/* cb_jwt.c: checks the request's bearer JWT (reference §8.1). On success returns the
 * module (admin: NULL and *is_admin) with a registry reference in *reg; otherwise has
 * replied 401 or 429 and returns false. */
bool cb_authenticate(api_cb *cb, http_request *req, bool admin, cb_registry **reg,
		     const cb_module **mod);
/* Decodes base64url without padding; false on a bad digit. */
bool cb_base64url_decode(const char *in, size_t len, uint8_t *out, size_t cap,
			 size_t *out_len);

/* cb_json_u64.c: the exact uint64 value of a top-level member of a JSON object body
 * that jansson has already accepted (jansson stops at 2^63-1). */
enum { CB_U64_OK = 0, CB_U64_ABSENT = -1, CB_U64_INVALID = -2 };
int cb_json_u64_member(const char *body, size_t len, const char *name, uint64_t *out);

/* Answers shared by both dialects (cb_api.c). cb_pubkeys_json: get_pubkeys' {"keys":
 * [{consensus, proxy_bls, proxy_ecdsa}]} for the consensus keys the policy allows and the
 * proxies its module owns, ECDSA proxies by address (v0.2.0) or by 33-byte key (legacy);
 * NULL when out of memory. cb_delegation_json: generate_proxy_key's SignedProxyDelegation. */
json_t *cb_hex_json(const uint8_t *b, size_t n);
json_t *cb_pubkeys_json(keys_store *ks, const signer_cb_policy *p, bool ecdsa_address);
json_t *cb_delegation_json(const uint8_t pk[48], const uint8_t *proxy, size_t proxy_len,
			   const uint8_t sig[96]);

/* Text replies as Commit-Boost gives them (reference §8.1: errors are text/plain). */
void cb_reply_text(http_request *req, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Handlers (cb_handlers.c, cb_legacy.c). */
void cb_handle_get_pubkeys(http_request *req, void *app);
void cb_handle_sign_bls(http_request *req, void *app);
void cb_handle_sign_proxy_bls(http_request *req, void *app);
void cb_handle_sign_proxy_ecdsa(http_request *req, void *app);
void cb_handle_generate_proxy(http_request *req, void *app);
void cb_handle_reload(http_request *req, void *app);
void cb_handle_revoke(http_request *req, void *app);
void cb_handle_status(http_request *req, void *app);
void cb_legacy_get_pubkeys(http_request *req, void *app);
void cb_legacy_generate_proxy(http_request *req, void *app);
void cb_legacy_sign(http_request *req, void *app);

/* A module's configuration as the service's policy (valid while the registry is held). */
void cb_policy_of(const cb_module *m, signer_cb_policy *p);

#endif
