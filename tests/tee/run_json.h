/* Runs the secure-signer binary (SS_SECURE_SIGNER_BIN) as the evidence tests do: shared
 * by test_tee_vectors and test_tee_crl_collateral. */
#ifndef SS_TESTS_TEE_RUN_JSON_H
#define SS_TESTS_TEE_RUN_JSON_H

#include <jansson.h>

/* The last run's standard output, for failure messages. */
extern char run_out[1 << 17];

/* Runs the binary with an argument string (paths come from the vectors folder, no
 * quoting needed; stderr is discarded); stdout parsed as JSON into *out (a failed check
 * when it is not JSON). Returns the exit status. */
__attribute__((format(printf, 2, 3))) int run_json(json_t **out, const char *fmt, ...);

#endif
