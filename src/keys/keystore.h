/* EIP-2335 keystores, version 4: parse, decrypt, encrypt, and the password processing
 * the EIP requires. Used by the key sources, the Keymanager import, `keys import` and
 * `keys export-keystore`. The pubkey check (a decrypted secret must match the
 * keystore's "pubkey") needs BLS and lives in keys_internal.h.
 *
 * Messages written to keys_error name the field that is wrong and why; they never
 * contain the password, the derived key or the secret. */
#ifndef SS_KEYS_KEYSTORE_H
#define SS_KEYS_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "util/error.h"

#define KEYS_SECRET_BYTES 32          /* a BLS secret key, big-endian */
#define KEYS_PASSWORD_MAX 4096        /* raw password bytes accepted */
#define KEYS_SALT_MAX 256
/* Key-derivation limits (docs/keys.md "Key-derivation limits"). A keystore may come
 * from the network (Keymanager API) or from a file anyone with write access to a key
 * directory dropped there, and its KDF parameters choose how long and how much memory
 * its decryption takes; nothing above EIP-2335's recommended cost is accepted
 * (EIP-2335 "Test Cases" and every common tool use scrypt n=262144 r=8 p=1 and pbkdf2
 * c=262144): scrypt memory 128*n*r <= 256 MiB and work n*r*p <= 2^21, pbkdf2 c <= 2^18.
 * Anything above is refused before any derivation is run. */
#define KEYS_SCRYPT_MAX_NR (1u << 21)  /* n * r; 128 * n * r bytes of memory = 256 MiB */
#define KEYS_SCRYPT_MAX_NRP (1u << 21) /* n * r * p: the work */
#define KEYS_PBKDF2_MAX_C (1u << 18)

/* The cost of one keystore's key derivation, so that a request can be given one
 * budget (signer/keymanager.h SIGNER_KM_MAX_KDF_COST): scrypt counts n*r*p (ROMix runs
 * 2n BlockMix of 2r salsa20/8 cores per lane), PBKDF2 counts c (HMAC-SHA256 rounds, two
 * SHA-256 compressions each). Measured on one x86-64 core of a busy machine, a
 * recommended scrypt keystore (2^21 units) took 1.8 s and a recommended PBKDF2 one (2^18
 * units) 0.1 s: a PBKDF2 unit costs about half a scrypt unit, so PBKDF2 is over-counted,
 * erring on the side of refusing. scrypt's memory is bounded apart, per keystore. */
#define KEYS_KDF_COST_RECOMMENDED (1ull << 21)

typedef enum { KEYS_KDF_SCRYPT = 1, KEYS_KDF_PBKDF2 = 2 } keys_kdf;

/* A parsed keystore: public fields only (ciphertext is not secret without the
 * password). */
typedef struct {
	keys_kdf kdf;
	uint32_t n, r, p; /* scrypt */
	uint32_t c;       /* pbkdf2 */
	uint8_t salt[KEYS_SALT_MAX];
	size_t salt_len;
	uint8_t checksum[32];
	uint8_t iv[16];
	uint8_t ciphertext[KEYS_SECRET_BYTES];
	bool have_pubkey;
	uint8_t pubkey[KEYS_PUBKEY_BYTES];
	char path[128]; /* EIP-2334 path or "" */
} keys_keystore;

/* EIP-2335 "Password requirements": NFKD, then drop C0 (U+0000-U+001F), DEL (U+007F)
 * and C1 (U+0080-U+009F), then UTF-8. out holds cap bytes; *out_len gets the length.
 * SS_ERR_INVALID when pw is not valid UTF-8 or longer than KEYS_PASSWORD_MAX;
 * SS_ERR_RANGE when the result does not fit in cap. Temporary copies are wiped. */
ss_err keys_password_normalize(uint8_t *out, size_t cap, size_t *out_len, const char *pw,
			       size_t pw_len) SS_MUST_USE;

/* Parses and validates a keystore's JSON text (version 4, supported kdf, checksum and
 * cipher, exact hex lengths, cost ceilings). */
ss_err keys_keystore_parse(keys_keystore *ks, const char *json, size_t json_len,
			   keys_error *err) SS_MUST_USE;

/* The KDF cost of a parsed keystore (see KEYS_KDF_COST_RECOMMENDED). */
uint64_t keys_keystore_cost(const keys_keystore *ks);

/* Derives the decryption key from the normalised password, checks the checksum in
 * constant time (SS_ERR_CRYPTO "wrong password or corrupted keystore") and decrypts
 * the 32-byte secret. secret is wiped on failure. */
ss_err keys_keystore_decrypt(const keys_keystore *ks, const char *password, size_t password_len,
			     uint8_t secret[KEYS_SECRET_BYTES], keys_error *err) SS_MUST_USE;

/* Encrypts secret under password into a new keystore JSON (malloc'ed, NUL-terminated)
 * with random salt, IV and UUID. pubkey is written as the "pubkey" field; path may be
 * NULL (""). kdf NULL = scrypt n=262144, r=8, p=1. */
ss_err keys_keystore_encrypt(char **json_out, const uint8_t secret[KEYS_SECRET_BYTES],
			     const uint8_t pubkey[KEYS_PUBKEY_BYTES], const char *path,
			     const char *password, size_t password_len,
			     const keys_kdf_params *kdf, keys_error *err) SS_MUST_USE;

#endif
