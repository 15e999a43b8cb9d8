/* TLS: PEM certificate and key handed to libmicrohttpd (which runs GnuTLS), and the
 * client-certificate policy of Web3Signer (reference/web3signer.md §5.3): a client is
 * accepted when its certificate's SHA-256 fingerprint is listed in the known-clients
 * file, or when it chains to a trusted CA, or when any client is allowed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "server/tls.h"
#include "util/log.h"

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (16u << 20)) { /* no PEM bundle is this large */
				free(buf);
				fclose(f);
				return NULL;
			}
			char *n = realloc(buf, cap);
			if (!n) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = n;
		}
		size_t r = fread(buf + len, 1, 4096, f);
		len += r;
		if (r < 4096)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
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
		memset(st->key_pem, 0, strlen(st->key_pem));
		free(st->key_pem);
	}
	free(st->cert_pem);
	free(st->trust_pem);
	memset(st, 0, sizeof *st);
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
