/* TLS: PEM certificate and key (or Web3Signer's PKCS#12 keystore, converted) handed
 * to libmicrohttpd (which runs GnuTLS), and the
 * client-certificate policy of Web3Signer (reference/web3signer.md §5.3): a client is
 * accepted when its certificate's SHA-256 fingerprint is listed in the known-clients
 * file, or when it chains to a trusted CA, or when any client is allowed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "server/tls.h"
#include "util/file.h"
#include "util/log.h"
#include "util/secure_mem.h"

/* No PEM bundle or PKCS#12 keystore is this large. */
#define TLS_FILE_MAX (16u << 20)

static char *read_bytes(const char *path, size_t *len_out)
{
	char *buf;
	size_t len;
	if (file_read_all(path, TLS_FILE_MAX, &buf, &len) != SS_OK)
		return NULL;
	if (len_out)
		*len_out = len;
	return buf;
}

static char *read_text(const char *path) { return read_bytes(path, NULL); }

/* PEM text of a GnuTLS datum export, malloc'ed and NUL-terminated. */
static char *datum_to_string(gnutls_datum_t *d)
{
	char *s = malloc(d->size + 1);
	if (s) {
		memcpy(s, d->data, d->size);
		s[d->size] = '\0';
	}
	secure_zero(d->data, d->size); /* not memset: dead before the free, it may be dropped */
	gnutls_free(d->data);
	d->data = NULL;
	return s;
}

/* Web3Signer's TLS input (reference/web3signer.md §5.3): a PKCS#12 keystore with its
 * password. The key and the certificate chain are converted to the PEM that
 * libmicrohttpd takes. */
static ss_err load_pkcs12(http_tls_state *st, const char *path, const char *password)
{
	size_t len = 0;
	char *raw = read_bytes(path, &len);
	if (!raw) {
		log_error("cannot read the TLS keystore %s", path);
		return SS_ERR_IO;
	}
	gnutls_pkcs12_t p12 = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t *chain = NULL;
	unsigned int chain_len = 0;
	ss_err e = SS_ERR_INVALID;
	gnutls_datum_t in = { (unsigned char *)raw, (unsigned int)len };
	if (gnutls_pkcs12_init(&p12) < 0 ||
	    gnutls_pkcs12_import(p12, &in, GNUTLS_X509_FMT_DER, 0) < 0) {
		log_error("%s is not a PKCS#12 keystore", path);
		goto out;
	}
	if (gnutls_pkcs12_verify_mac(p12, password) < 0 ||
	    gnutls_pkcs12_simple_parse(p12, password, &key, &chain, &chain_len, NULL, NULL, NULL,
				       0) < 0 ||
	    chain_len == 0) {
		log_error("cannot open the TLS keystore %s: wrong password or no key and "
			  "certificate in it", path);
		goto out;
	}
	gnutls_datum_t d;
	/* PKCS#8 ("BEGIN PRIVATE KEY"): it names the curve of an EC key, which GnuTLS's
	 * plain EC export can leave out and then fail to read back. */
	if (gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
					      &d) < 0)
		goto out;
	st->key_pem = datum_to_string(&d);
	size_t total = 0;
	char *pem = NULL;
	for (unsigned int i = 0; i < chain_len; i++) {
		if (gnutls_x509_crt_export2(chain[i], GNUTLS_X509_FMT_PEM, &d) < 0)
			goto out;
		char *one = datum_to_string(&d);
		char *grown = one ? realloc(pem, total + strlen(one) + 1) : NULL;
		if (!grown) {
			free(one);
			goto out;
		}
		pem = grown;
		memcpy(pem + total, one, strlen(one) + 1);
		total += strlen(one);
		free(one);
	}
	st->cert_pem = pem;
	e = st->key_pem && st->cert_pem ? SS_OK : SS_ERR_NOMEM;
out:
	if (chain) {
		for (unsigned int i = 0; i < chain_len; i++)
			gnutls_x509_crt_deinit(chain[i]);
		gnutls_free(chain);
	}
	if (key)
		gnutls_x509_privkey_deinit(key);
	if (p12)
		gnutls_pkcs12_deinit(p12);
	secure_zero(raw, len);
	free(raw);
	return e;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

ss_err http_tls_parse_known_clients(http_tls_state *st, const char *text)
{
	unsigned line_no = 0;
	const char *p = text;
	while (*p) {
		line_no++;
		size_t n = strcspn(p, "\n");
		const char *line = p, *end = p + n;
		p = *end ? end + 1 : end;
		while (line < end && isspace((unsigned char)*line))
			line++;
		if (line == end || *line == '#')
			continue;
		/* "<name> <fingerprint>": the fingerprint is the last field. */
		const char *fp = end;
		while (fp > line && isspace((unsigned char)fp[-1]))
			fp--;
		const char *fp_end = fp;
		while (fp > line && !isspace((unsigned char)fp[-1]))
			fp--;
		if (fp == line) {
			log_error("known-clients file line %u: expected '<name> <fingerprint>'",
				  line_no);
			return SS_ERR_INVALID;
		}
		if (st->n_known == HTTP_TLS_MAX_CLIENTS) {
			log_error("known-clients file: more than %d clients", HTTP_TLS_MAX_CLIENTS);
			return SS_ERR_RANGE;
		}
		unsigned char *out = st->known[st->n_known];
		size_t k = 0;
		const char *q = fp;
		while (q < fp_end) {
			if (k == 32 || fp_end - q < 2 || hexval(q[0]) < 0 || hexval(q[1]) < 0) {
				k = 33;
				break;
			}
			out[k++] = (unsigned char)(hexval(q[0]) << 4 | hexval(q[1]));
			q += 2;
			if (q < fp_end) {
				if (*q != ':') {
					k = 33;
					break;
				}
				q++;
			}
		}
		if (k != 32) {
			log_error("known-clients file line %u: the fingerprint must be 32 "
				  "colon-separated hex bytes (SHA-256)", line_no);
			return SS_ERR_INVALID;
		}
		st->n_known++;
	}
	return SS_OK;
}

ss_err http_tls_load(http_tls_state *st, const http_tls_config *cfg)
{
	memset(st, 0, sizeof *st);
	if (cfg->pkcs12_file) {
		if (cfg->cert_file || cfg->key_file) {
			log_error("TLS: give either a PKCS#12 keystore or PEM certificate and key "
				  "files, not both");
			return SS_ERR_INVALID;
		}
		ss_err e = load_pkcs12(st, cfg->pkcs12_file,
				       cfg->pkcs12_password ? cfg->pkcs12_password : "");
		if (e != SS_OK) {
			http_tls_free(st);
			return e;
		}
	} else {
		if (!cfg->cert_file || !cfg->key_file) {
			log_error("TLS needs both a certificate and a key file");
			return SS_ERR_INVALID;
		}
		st->cert_pem = read_text(cfg->cert_file);
		st->key_pem = read_text(cfg->key_file);
		if (!st->cert_pem || !st->key_pem) {
			log_error("cannot read the TLS certificate or key file");
			http_tls_free(st);
			return SS_ERR_IO;
		}
	}
	if (http_tls_priority(cfg->protocols, cfg->cipher_suites, st->priorities,
			      sizeof st->priorities) != SS_OK) {
		http_tls_free(st);
		return SS_ERR_INVALID;
	}
	st->allow_any = cfg->allow_any_client;
	if (cfg->known_clients_file) {
		char *text = read_text(cfg->known_clients_file);
		if (!text) {
			log_error("cannot read the known-clients file %s", cfg->known_clients_file);
			http_tls_free(st);
			return SS_ERR_IO;
		}
		ss_err e = http_tls_parse_known_clients(st, text);
		free(text);
		if (e != SS_OK) {
			http_tls_free(st);
			return e;
		}
		st->check_clients = true;
	}
	if (cfg->ca_file) {
		st->trust_pem = read_text(cfg->ca_file);
		if (!st->trust_pem) {
			log_error("cannot read the client CA file %s", cfg->ca_file);
			http_tls_free(st);
			return SS_ERR_IO;
		}
		st->use_ca = true;
		st->check_clients = true;
	} else if (st->check_clients) {
		/* libmicrohttpd asks clients for a certificate only when it has a trust
		 * list; our own certificate serves as one, and the fingerprint decides. */
		st->trust_pem = strdup(st->cert_pem);
		if (!st->trust_pem) {
			http_tls_free(st);
			return SS_ERR_NOMEM;
		}
	}
	if (st->allow_any)
		st->check_clients = false;
	return SS_OK;
}

void http_tls_free(http_tls_state *st)
{
	if (st->key_pem) {
		/* The private key was in this buffer. */
		secure_zero(st->key_pem, strlen(st->key_pem));
		free(st->key_pem);
	}
	free(st->cert_pem);
	free(st->trust_pem);
	secure_zero(st, sizeof *st);
}

bool http_tls_client_allowed(const http_tls_state *st, struct MHD_Connection *conn)
{
	if (!st || !st->check_clients)
		return true;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return false;
	gnutls_session_t session = (gnutls_session_t)ci->tls_session;
	unsigned int n = 0;
	const gnutls_datum_t *certs = gnutls_certificate_get_peers(session, &n);
	if (!certs || n == 0)
		return false;
	unsigned char fp[32];
	size_t fp_len = sizeof fp;
	if (gnutls_fingerprint(GNUTLS_DIG_SHA256, &certs[0], fp, &fp_len) == 0 && fp_len == 32)
		for (size_t i = 0; i < st->n_known; i++)
			if (memcmp(fp, st->known[i], 32) == 0)
				return true;
	if (st->use_ca) {
		unsigned int status = 0;
		if (gnutls_certificate_verify_peers2(session, &status) == 0 && status == 0)
			return true;
	}
	return false;
}
