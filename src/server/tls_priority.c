/* The TLS versions and cipher suites the listeners offer, as a GnuTLS priority string
 * (tls.h). Without one, libmicrohttpd hands GnuTLS its "NORMAL" set, which on Debian 12
 * still negotiates TLS 1.0/1.1, RSA key exchange and CBC-SHA1 suites.
 *
 * The default is TLS 1.3 and 1.2 with forward-secret (ECDHE) AEAD suites only
 * (RFC 8996 deprecates TLS 1.0 and 1.1; RFC 9325 §4.2 recommends exactly these suites).
 * Operators narrow it with --tls-protocols and --tls-cipher-suites, whose names are the
 * ones the Besu/Teku family of Ethereum clients use: "TLSv1.3,TLSv1.2" and IANA suite
 * names. GnuTLS selects algorithms rather than whole suites, so a list of suites enables
 * the key exchanges and ciphers it names; every combination of them is still ECDHE with
 * an AEAD cipher, since nothing else can be named. */
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "server/tls.h"
#include "util/log.h"

static const struct {
	const char *name, *gnutls;
} protocols[] = {
	{ "TLSv1.3", "+VERS-TLS1.3" },
	{ "TLSv1.2", "+VERS-TLS1.2" },
};

/* A suite is a key exchange (NULL for TLS 1.3, where it is always (EC)DHE) and an AEAD
 * cipher. */
static const struct {
	const char *iana, *kx, *cipher;
} suites[] = {
	{ "TLS_AES_128_GCM_SHA256", NULL, "+AES-128-GCM" },
	{ "TLS_AES_256_GCM_SHA384", NULL, "+AES-256-GCM" },
	{ "TLS_CHACHA20_POLY1305_SHA256", NULL, "+CHACHA20-POLY1305" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "+ECDHE-ECDSA", "+AES-128-GCM" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "+ECDHE-ECDSA", "+AES-256-GCM" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "+ECDHE-ECDSA", "+CHACHA20-POLY1305" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "+ECDHE-RSA", "+AES-128-GCM" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "+ECDHE-RSA", "+AES-256-GCM" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "+ECDHE-RSA", "+CHACHA20-POLY1305" },
};

#define N(a) (sizeof a / sizeof a[0])

/* Appends " item" unless it is already in out (the key exchange of several suites). */
static bool add(char *out, size_t cap, const char *item)
{
	char with_sep[64];
	snprintf(with_sep, sizeof with_sep, ":%s:", item);
	char probe[TLS_PRIORITY_MAX + 2];
	snprintf(probe, sizeof probe, "%s:", out);
	if (strstr(probe, with_sep))
		return true;
	size_t len = strlen(out);
	int n = snprintf(out + len, cap - len, ":%s", item);
	return n > 0 && (size_t)n < cap - len;
}

/* Calls fn on each trimmed, non-empty entry of a comma list; stops at the first false. */
typedef bool (*entry_fn)(const char *name, size_t len, void *ctx);
static bool each_entry(const char *list, entry_fn fn, void *ctx)
{
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ",");
		size_t m = n;
		while (m && p[m - 1] == ' ')
			m--;
		if (m && !fn(p, m, ctx))
			return false;
		p += n;
	}
	return true;
}

typedef struct {
	char *out;
	size_t cap;
	unsigned count;
} builder;

static bool add_protocol(const char *name, size_t len, void *ctx)
{
	builder *b = ctx;
	for (size_t i = 0; i < N(protocols); i++)
		if (strlen(protocols[i].name) == len && strncmp(protocols[i].name, name, len) == 0) {
			b->count++;
			return add(b->out, b->cap, protocols[i].gnutls);
		}
	log_error("--tls-protocols: '%.*s' is not supported; use TLSv1.3 and/or TLSv1.2 "
		  "(TLS 1.0 and 1.1 are deprecated, RFC 8996)", (int)len, name);
	return false;
}

static bool add_suite(const char *name, size_t len, void *ctx)
{
	builder *b = ctx;
	for (size_t i = 0; i < N(suites); i++)
		if (strlen(suites[i].iana) == len && strncmp(suites[i].iana, name, len) == 0) {
			b->count++;
			return (!suites[i].kx || add(b->out, b->cap, suites[i].kx)) &&
			       add(b->out, b->cap, suites[i].cipher);
		}
	log_error("--tls-cipher-suites: '%.*s' is not supported; only forward-secret AEAD "
		  "suites are (IANA names, e.g. TLS_AES_128_GCM_SHA256, "
		  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)", (int)len, name);
	return false;
}

ss_err http_tls_priority(const char *protocol_list, const char *suite_list, char *out,
			 size_t cap)
{
	if (!protocol_list || !*protocol_list)
		protocol_list = "TLSv1.3,TLSv1.2";
	if (!suite_list || !*suite_list)
		suite_list = "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,"
			     "TLS_CHACHA20_POLY1305_SHA256,"
			     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"
			     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"
			     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,"
			     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
			     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
			     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
	/* NORMAL keeps GnuTLS's groups, signature algorithms and compression; the versions,
	 * key exchanges, ciphers and MACs are then replaced by ours. AEAD is the only
	 * "MAC" of the suites above. The server's order wins (RFC 9325 §4.2). */
	int n = snprintf(out, cap, "NORMAL:-VERS-ALL:-KX-ALL:-CIPHER-ALL:-MAC-ALL:+AEAD");
	if (n < 0 || (size_t)n >= cap)
		return SS_ERR_INVALID;
	builder pb = { out, cap, 0 }, sb = { out, cap, 0 };
	if (!each_entry(protocol_list, add_protocol, &pb))
		return SS_ERR_INVALID;
	if (!each_entry(suite_list, add_suite, &sb))
		return SS_ERR_INVALID;
	if (pb.count == 0 || sb.count == 0) {
		log_error("--tls-protocols and --tls-cipher-suites must each name at least one");
		return SS_ERR_INVALID;
	}
	if (!add(out, cap, "%SERVER_PRECEDENCE"))
		return SS_ERR_INVALID;
	/* Let GnuTLS itself confirm the string before any listener starts. */
	gnutls_priority_t prio;
	const char *err_pos = NULL;
	if (gnutls_priority_init(&prio, out, &err_pos) != GNUTLS_E_SUCCESS) {
		log_error("TLS: GnuTLS refuses the priority string '%s' near '%s'", out,
			  err_pos ? err_pos : "?");
		return SS_ERR_INVALID;
	}
	gnutls_priority_deinit(prio);
	return SS_OK;
}
