/* Helpers for the hardware providers' tests (issue 11): a temporary directory standing
 * in for / (tee_open_options.root), files and FIFOs inside it, and real evidence from
 * ../shared/vectors/tee/ with its report data patched, the way a LibOS, a driver or the
 * kernel would put the caller's report data into it. */
#ifndef SS_TESTS_TEE_FAKE_TREE_H
#define SS_TESTS_TEE_FAKE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fake_evidence.h"

/* A fresh temporary root ("/tmp/ss-tee-XXXXXX"); NULL on failure. */
char *fake_root_new(void);
/* Removes the tree and frees the name. */
void fake_root_free(char *root);

/* root ‖ rel into a static-free buffer out (cap bytes). */
void fake_path(char *out, size_t cap, const char *root, const char *rel);
/* mkdir -p of root ‖ rel. */
bool fake_mkdirs(const char *root, const char *rel);
/* Writes a whole file root ‖ rel (parents created). */
bool fake_write(const char *root, const char *rel, const void *data, size_t len);
/* mkfifo root ‖ rel. */
bool fake_fifo(const char *root, const char *rel);

/* A vector file (relative to the vectors folder, e.g. "tee/sgx/phala-dcap-qvl/sgx_quote");
 * NULL (and the test skipped) when the vectors are absent. */
uint8_t *fake_vector(const char *rel, size_t *len);

/* Gramine's LibOS for another process (a real signer started with
 * SECURE_SIGNER_TEE_ROOT=root): a forked child that, for as long as it lives, answers each
 * 64-byte write of <root>/dev/attestation/user_report_data by writing quote (len bytes, an
 * SGX DCAP quote) with those 64 bytes as its report data to <root>/dev/attestation/quote.
 * Both FIFOs must exist. The patch breaks the quote's signature: what it carries is the
 * report data asked for, which is what the provider checks. -1 on failure. */
pid_t fake_libos_start(const char *root, const uint8_t *quote, size_t len);
/* While a file of this name exists under root, the child plays a hostile host: the quote
 * it writes carries other report data than was asked for. */
#define FAKE_LIBOS_HOSTILE "libos-hostile"
/* Kills and reaps the child (it may be blocked on a FIFO; nothing else to stop). */
void fake_libos_stop(pid_t pid);

#endif
