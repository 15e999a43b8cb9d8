/* The expiry of a listener's certificate, for the metric an alert watches
 * (deploy/prometheus/secure-signer.rules.yml): a certificate that lapses takes every
 * validator client offline at once. */
#include <gnutls/x509.h>
#include <string.h>

#include "server/tls.h"

int64_t http_tls_cert_not_after(const http_tls_state *st)
{
	if (!st->cert_pem)
		return 0;
	gnutls_x509_crt_t crt;
	if (gnutls_x509_crt_init(&crt) < 0)
		return 0;
	/* The first certificate of the PEM chain is the server's own (RFC 8446 §4.4.2). */
	gnutls_datum_t d = { (unsigned char *)st->cert_pem, (unsigned int)strlen(st->cert_pem) };
	int64_t t = 0;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) >= 0) {
		time_t na = gnutls_x509_crt_get_expiration_time(crt);
		if (na != (time_t)-1)
			t = (int64_t)na;
	}
	gnutls_x509_crt_deinit(crt);
	return t;
}
