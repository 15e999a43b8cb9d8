/* tee/ internal: the simulation provider's pieces shared by provider_sim.c (the
 * provider), sim_chain.c (its key chain in <data_dir>/tee-sim/) and sim_verify.c (the
 * verifier's check of simulated evidence). Not for other modules.
 *
 * Simulated evidence is an SGX DCAP quote v3, byte for byte in Intel's layout
 * (reference/tee.md §e), so every consumer of evidence parses it unchanged; what differs
 * is who vouches for it: a two-certificate chain (a self-signed "Secure-Signer
 * Simulation Root CA" and a PCK-like leaf) created per data directory, in place of
 * Intel's PCK chain, and a QE vendor id of its own so that a verifier can never mistake
 * it for Intel's. */
#ifndef SS_TEE_SIM_H
#define SS_TEE_SIM_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>

#include "tee/tee_internal.h"
#include "tee/tee_provider.h"

#define TEE_SIM_SECRET_BYTES 32
#define TEE_SIM_DIR "tee-sim"
#define TEE_SIM_ROOT_CN "Secure-Signer Simulation Root CA"
#define TEE_SIM_PCK_CN "Secure-Signer Simulation PCK Certificate"
/* Test-only override of the simulated MRENCLAVE (64 hex digits). */
#define TEE_SIM_MRENCLAVE_ENV "SECURE_SIGNER_SIM_MRENCLAVE"
/* The default simulated MRENCLAVE is SHA-256 of this label (docs/tee.md). */
#define TEE_SIM_MRENCLAVE_LABEL "secure-signer/tee/sim/mrenclave/v1"
#define TEE_SIM_MRSIGNER_LABEL "secure-signer/tee/sim/mrsigner/v1"
#define TEE_SIM_QE_LABEL "secure-signer/tee/sim/qe/v1"
#define TEE_SIM_SEAL_SALT "secure-signer/tee/sim/seal/v1"

/* The QE vendor id of simulated quotes ("ss-simulated-qe" and a NUL): never Intel's
 * 939a7233-f79c-4ca9-940a-0db3957f0607. */
extern const uint8_t tee_sim_qe_vendor_id[16];

/* The chain of one data directory: the per-directory secret the sealing key is derived
 * from (secure memory), the PCK-like leaf with its key, the root, and the chain as PEM
 * text ending in one NUL as Intel's certification data type 5 does. */
typedef struct {
	uint8_t *secret; /* TEE_SIM_SECRET_BYTES, secure_alloc'ed */
	EVP_PKEY *pck_key;
	X509 *pck, *root;
	char *chain_pem; /* leaf ‖ root, NUL-terminated; chain_len counts the NUL */
	size_t chain_len;
} tee_sim_chain;

/* Loads <data_dir>/tee-sim/, creating it on first use (a fresh secret, a root that signs
 * a leaf and is then forgotten; written to a temporary directory renamed into place, so
 * a crash leaves either nothing or all of it). */
ss_err tee_sim_chain_open(const char *data_dir, tee_sim_chain *c, char *why) SS_MUST_USE;
void tee_sim_chain_close(tee_sim_chain *c);

/* ECDSA P-256 / SHA-256 over msg, as raw r ‖ s (32 bytes each, big-endian). */
bool tee_sim_sign_raw(EVP_PKEY *k, const uint8_t *msg, size_t len, uint8_t out[64]);
/* The uncompressed public point x ‖ y of a P-256 key. */
bool tee_sim_pub_xy(EVP_PKEY *k, uint8_t out[64]);

#endif
