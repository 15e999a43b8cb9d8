/* Test helper: a complete SGX v3 quote whose every signature and binding holds, under a
 * freshly generated chain that imitates Intel's ("Intel SGX Root CA", "Intel SGX PCK
 * Processor CA", a PCK leaf with an SGX extension). Only the pin can refuse it. */
#ifndef SS_TESTS_TEE_FORGE_H
#define SS_TESTS_TEE_FORGE_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the quote, carrying report_data, into q (cap bytes, 8 KiB is enough); returns
 * its length. */
size_t forge_sgx_quote(const uint8_t report_data[64], uint8_t *q, size_t cap);

/* A certificate for key named cn (O=Intel Corporation), serial 7, valid from a day ago to
 * a day ahead, signed by signer as issuer (NULL: self-signed); ca sets basicConstraints,
 * sgx_ext adds an SGX PCK extension. */
X509 *forge_cert(EVP_PKEY *key, EVP_PKEY *signer, X509 *issuer, const char *cn, bool ca,
		 bool sgx_ext);

#endif
