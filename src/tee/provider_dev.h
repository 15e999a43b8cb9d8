/* tee/ internals for the hardware providers (gramine, occlum, tsm): device paths under
 * the test root, bounded reads and exact writes of pseudo-files, the ioctl seam, and
 * tee_seal_kdf, which turns a platform's raw sealing key into the provider's sealing key
 * (with crypto/'s hkdf_sha256_32, as the sim provider derives its own). Not for other
 * modules. */
#ifndef SS_TEE_PROVIDER_DEV_H
#define SS_TEE_PROVIDER_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tee/tee_provider.h"

#define TEE_DEV_PATH_MAX 512

/* Writes root ‖ abs (abs starts with '/') into out; false (and a sentence in why) when
 * it does not fit. A NULL or empty root means the real file system. */
bool tee_dev_path(char out[TEE_DEV_PATH_MAX], const char *root, const char *abs, char *why);

/* True when path exists (any type). */
bool tee_dev_exists(const char *path);

/* Reads path from its start to end of file (pseudo-files and FIFOs have no size, so it
 * reads until read(2) returns 0) into buf[0..cap). SS_ERR_NOT_FOUND when absent,
 * SS_ERR_RANGE when it holds more than cap bytes, SS_ERR_IO otherwise; why names the
 * file. */
ss_err tee_dev_read(const char *path, uint8_t *buf, size_t cap, size_t *len,
		    char *why) SS_MUST_USE;

/* The same into a malloc'ed buffer of at most max bytes (caller frees). */
ss_err tee_dev_read_alloc(const char *path, size_t max, uint8_t **out, size_t *len,
			  char *why) SS_MUST_USE;

/* Reads exactly n bytes (a fixed-size pseudo-file such as a 16-byte Gramine key); a
 * shorter or longer file is SS_ERR_INVALID with a sentence saying how many bytes came. */
ss_err tee_dev_read_exact(const char *path, uint8_t *buf, size_t n, char *why) SS_MUST_USE;

/* Writes data[0..len) to path with one open (O_WRONLY, no O_CREAT: a pseudo-file must
 * already exist) and write(2) calls until every byte is taken. */
ss_err tee_dev_write(const char *path, const void *data, size_t len, char *why) SS_MUST_USE;

/* ioctl(2), or the test seam when fn is set. Returns what ioctl returns; errno set. */
int tee_dev_ioctl(tee_ioctl_fn fn, int fd, unsigned long request, void *arg);

/* The provider's sealing key from a platform key (Gramine's _sgx_mrenclave, Occlum's
 * EGETKEY seal key, SNP's derived key): HKDF-SHA256 (RFC 5869) with salt
 * "secure-signer/v1/tee-seal" and info = label, L = 32. A raw platform key is never used
 * as it is (Gramine's attestation.rst warns against reusing an encrypted-mount key;
 * the label keeps each provider's key separate). */
void tee_seal_kdf(uint8_t out[TEE_SEAL_KEY_BYTES], const uint8_t *ikm, size_t ikm_len,
		  const char *label);

#endif
