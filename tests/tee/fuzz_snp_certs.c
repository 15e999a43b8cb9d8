/* Fuzz target for the SEV-SNP certificate table of the configfs-tsm auxblob (the host's
 * GHCB table, untrusted input to the tsm provider): a clean error with a sentence, or PEM
 * text of at most four certificates that OpenSSL reads back — never a crash, never an
 * offset past the blob. */
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tee/sev_guest_dev.h"
#include "tee/tee_provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[TEE_WHY_MAX] = "";
	char *pem = NULL;
	size_t pem_len = 0;
	ss_err err = tee_snp_certs_to_pem(data, size, &pem, &pem_len, why);
	if (err != SS_OK) {
		if (pem != NULL || why[0] == '\0')
			abort();
		return 0;
	}
	if (pem == NULL)
		return pem_len == 0 ? 0 : (abort(), 0);
	if (strlen(pem) != pem_len)
		abort();
	BIO *b = BIO_new_mem_buf(pem, (int)pem_len);
	int n = 0;
	X509 *x;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	BIO_free(b);
	if (n < 1 || n > 4)
		abort();
	free(pem);
	return 0;
}
