/* Module-internal: TLS material for libmicrohttpd (PEM in memory) and the client
 * certificate check done on each request of a TLS connection. */
#ifndef SS_SERVER_TLS_H
#define SS_SERVER_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/http.h"

struct MHD_Connection;

#define HTTP_TLS_MAX_CLIENTS 256
#define TLS_PRIORITY_MAX 512

typedef struct {
	char *cert_pem;
	char *key_pem;
	char *trust_pem; /* CA bundle, or the server's own cert to make GnuTLS ask for one */
	bool check_clients;
	bool use_ca;
	bool allow_any;
	char priorities[TLS_PRIORITY_MAX]; /* GnuTLS priority string (tls_priority.c) */
	size_t n_known;
	unsigned char known[HTTP_TLS_MAX_CLIENTS][32]; /* SHA-256 fingerprints */
} http_tls_state;

/* Reads the files named in cfg. SS_ERR_IO for unreadable files, SS_ERR_INVALID for a
 * malformed known-clients file (the line number is logged). */
ss_err http_tls_load(http_tls_state *st, const http_tls_config *cfg) SS_MUST_USE;
void http_tls_free(http_tls_state *st);

/* Builds the GnuTLS priority string for the comma lists of protocol names ("TLSv1.3,
 * TLSv1.2") and IANA cipher-suite names; NULL or "" selects the default (TLS 1.3 and
 * 1.2, forward-secret AEAD suites). An unknown or refused name is logged and gives
 * SS_ERR_INVALID. */
ss_err http_tls_priority(const char *protocols, const char *cipher_suites, char *out,
			 size_t cap) SS_MUST_USE;

/* Parses a known-clients file's text: "<name> <fingerprint>" per line, fingerprint as
 * 32 colon-separated hex bytes; blank lines and '#' comments are skipped. */
ss_err http_tls_parse_known_clients(http_tls_state *st, const char *text) SS_MUST_USE;

/* The notAfter time (Unix seconds) of the first certificate of st->cert_pem; 0 when
 * there is none or it cannot be parsed (tls_expiry.c). */
int64_t http_tls_cert_not_after(const http_tls_state *st);

/* True when the connection's client may talk to us: TLS off or client checks off, or a
 * certificate that is known by fingerprint or verifies against the CA. */
bool http_tls_client_allowed(const http_tls_state *st, struct MHD_Connection *conn);

#endif
