/* Test helper: a complete SGX v3 quote whose every signature and binding holds, under a
 * freshly generated chain that imitates Intel's ("Intel SGX Root CA", "Intel SGX PCK
 * Processor CA", a PCK leaf with an SGX extension). Only the pin can refuse it. */
#ifndef SS_TESTS_TEE_FORGE_H
#define SS_TESTS_TEE_FORGE_H

#include <stddef.h>
#include <stdint.h>

/* Writes the quote, carrying report_data, into q (cap bytes, 8 KiB is enough); returns
 * its length. */
size_t forge_sgx_quote(const uint8_t report_data[64], uint8_t *q, size_t cap);

#endif
