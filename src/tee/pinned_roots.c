/* The roots of trust compiled into the verifier: their certificates (root_certs.inc) and
 * the SHA-256 of each certificate's DER encoding. A chain is accepted only when it ends in
 * one of these: the verifier looks for an issuer among the compiled-in roots first, so a
 * copy of the root carried by the evidence (every DCAP PCK chain carries one) is never
 * needed and never trusted, and a look-alike root with the same subject is refused by its
 * fingerprint.
 *
 * Intel SGX Root CA: CN=Intel SGX Root CA, serial 22650CD6…06AC, 2018-05-21 to
 *   2049-12-31 (reference/tee.md §e step 1; vectors/tee/README.md §7).
 * AMD ARKs for Milan, Genoa and Turin (AMD KDS https://kdsintf.amd.com/vcek/v1/<product>/
 *   cert_chain), RSA-4096, self-signed with RSA-PSS SHA-384 (reference/tee.md §d). */
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tee/tee_internal.h"

#include "tee/root_certs.inc"

typedef struct {
	tee_root_set set;
	const char *name;
	const uint8_t *der;
	size_t der_len;
	uint8_t sha256[32];
} pinned_root;

static const pinned_root roots[] = {
	{ TEE_ROOT_INTEL_SGX, "Intel SGX Root CA", intel_sgx_root_der, sizeof(intel_sgx_root_der),
	  { 0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49, 0xe9, 0x5b, 0x80, 0x7a, 0x35,
	    0x0e, 0x74, 0x24, 0x96, 0x43, 0x99, 0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3 } },
	{ TEE_ROOT_AMD_ARK, "ARK-Milan", ark_milan_der, sizeof(ark_milan_der),
	  { 0x69, 0xd0, 0x63, 0xb4, 0x53, 0x44, 0xd2, 0x6a, 0x2e, 0x94, 0xe1, 0xf4, 0x21, 0x0d, 0xe4, 0x9e,
	    0xf5, 0x55, 0x30, 0x82, 0x87, 0xd4, 0xc1, 0x74, 0x44, 0x5c, 0x95, 0x63, 0x9a, 0x54, 0x0b, 0xcd } },
	{ TEE_ROOT_AMD_ARK, "ARK-Genoa", ark_genoa_der, sizeof(ark_genoa_der),
	  { 0x4c, 0x65, 0x98, 0xd1, 0x9c, 0x18, 0x71, 0x9c, 0x5d, 0xfd, 0x4a, 0x7d, 0x33, 0x5f, 0x67, 0x4e,
	    0x5b, 0xfe, 0x1d, 0x8f, 0x80, 0x0c, 0xea, 0x2c, 0xf2, 0x70, 0xc1, 0x0d, 0x10, 0x3d, 0xb2, 0xf1 } },
	{ TEE_ROOT_AMD_ARK, "ARK-Turin", ark_turin_der, sizeof(ark_turin_der),
	  { 0x1f, 0x08, 0x41, 0x61, 0xa4, 0x4b, 0xb6, 0xd9, 0x37, 0x78, 0xa9, 0x04, 0x87, 0x7d, 0x48, 0x19,
	    0xca, 0xfa, 0x5d, 0x05, 0xef, 0x41, 0x93, 0xb2, 0xde, 0xd9, 0xdd, 0x9c, 0x73, 0xdd, 0x3f, 0x6a } },
};
#define N_ROOTS (sizeof(roots) / sizeof(roots[0]))

bool tee_root_pinned(tee_root_set set, const uint8_t fp[32], const char **name)
{
	for (size_t i = 0; i < N_ROOTS; i++)
		if (roots[i].set == set && memcmp(roots[i].sha256, fp, 32) == 0) {
			if (name)
				*name = roots[i].name;
			return true;
		}
	return false;
}

static STACK_OF(X509) *parsed[2];
static pthread_once_t parse_once = PTHREAD_ONCE_INIT;

/* Parses every compiled-in root once. A root that does not parse or does not match its
 * pin is our bug (a corrupted table), not bad input: abort. */
static void parse_roots(void)
{
	for (int s = 0; s < 2; s++)
		if ((parsed[s] = sk_X509_new_null()) == NULL)
			abort();
	for (size_t i = 0; i < N_ROOTS; i++) {
		const unsigned char *p = roots[i].der;
		X509 *x = d2i_X509(NULL, &p, (long)roots[i].der_len);
		uint8_t fp[32];
		unsigned n = 0;
		if (x == NULL || X509_digest(x, EVP_sha256(), fp, &n) != 1 || n != 32 ||
		    memcmp(fp, roots[i].sha256, 32) != 0) {
			fprintf(stderr, "tee: compiled-in root %s does not match its pin\n",
				roots[i].name);
			abort();
		}
		if (sk_X509_push(parsed[roots[i].set], x) <= 0)
			abort();
	}
}

STACK_OF(X509) *tee_roots(tee_root_set set)
{
	pthread_once(&parse_once, parse_roots);
	return parsed[set];
}
