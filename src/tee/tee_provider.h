/* tee/: the providers that run the signer inside a TEE (issue 11) — the one interface keys/
 * and signer/ call for evidence, a sealing key and a description of the platform. Each
 * provider is a table of functions (as the slashing store's backends are):
 *
 *   gramine  SGX under Gramine: /dev/attestation/{attestation_type,user_report_data,quote},
 *            sealing key from /dev/attestation/keys/_sgx_mrenclave through HKDF
 *   occlum   SGX under Occlum: /dev/sgx ioctls (DCAP quote, EGETKEY seal key)
 *   tsm      TDX and SEV-SNP through Linux configfs-tsm /sys/kernel/config/tsm/report/;
 *            SNP sealing through /dev/sev-guest SNP_GET_DERIVED_KEY; TDX has none
 *   sim      software only, for development and tests: SGX DCAP v3-shaped evidence signed
 *            by a simulation key chain kept in the data directory; never trusted
 *   none     no TEE (evidence and sealing unavailable)
 *
 * Byte-level facts: ../shared/reference/tee.md §a–§d. Every device path is resolved under
 * tee_open_options.root (SECURE_SIGNER_TEE_ROOT, for tests only) so that tests run the
 * real providers against fake device trees; ioctls go through tee_open_options.ioctl_fn
 * when it is set. tee/ depends on crypto/ and util/ only. */
#ifndef SS_TEE_PROVIDER_H
#define SS_TEE_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define TEE_SEAL_KEY_BYTES 32
#define TEE_MEASUREMENT_MAX 48 /* MRENCLAVE 32, MRTD 48, SNP MEASUREMENT 48 */
#define TEE_WHY_MAX 256

typedef enum {
	TEE_PLATFORM_NONE = 0,
	TEE_PLATFORM_SIM,
	TEE_PLATFORM_SGX, /* gramine, occlum */
	TEE_PLATFORM_TDX, /* tsm */
	TEE_PLATFORM_SEV_SNP, /* tsm */
} tee_platform;

/* "none", "sim", "sgx", "tdx", "sev-snp". */
const char *tee_platform_name(tee_platform p);

/* The evidence types of the keygen evidence object (issue 13 §1). */
typedef enum {
	TEE_EVIDENCE_SGX_DCAP_QUOTE = 0, /* "sgx-dcap-quote" */
	TEE_EVIDENCE_TDX_QUOTE,          /* "tdx-quote" */
	TEE_EVIDENCE_SEV_SNP_REPORT,     /* "sev-snp-report" */
	TEE_EVIDENCE_SIMULATED,          /* "simulated": DCAP v3 layout, simulation chain */
} tee_evidence_type;

const char *tee_evidence_type_name(tee_evidence_type t);

/* Evidence for one report-data value. quote and certs are heap buffers owned by the
 * struct (tee_evidence_free releases them). certs is PEM text (SNP: the VCEK/VLEK and its
 * chain from the auxblob when the host provides them; sim: the simulation chain), or NULL. */
typedef struct {
	tee_evidence_type type;
	uint8_t *quote;
	size_t quote_len;
	char *certs;
	size_t certs_len;
} tee_evidence;

void tee_evidence_free(tee_evidence *e);

/* What a provider says about where it runs (`secure-signer tee info`, /healthcheck,
 * metrics). Nothing in it is secret. */
typedef struct {
	tee_platform platform;
	const char *provider;   /* "gramine", "occlum", "tsm", "sim", "none" */
	bool simulated;         /* sim: nothing here is hardware-backed */
	bool can_attest;        /* evidence can be produced */
	bool can_seal;          /* a sealing key is available */
	bool debug;             /* the enclave/VM runs in debug mode (its memory is readable) */
	uint8_t measurement[TEE_MEASUREMENT_MAX]; /* MRENCLAVE, MRTD or SNP MEASUREMENT */
	size_t measurement_len; /* 0 when unknown (none, gramine-direct, …) */
	uint8_t signer[32];     /* SGX MRSIGNER */
	bool has_signer;
	char versions[160];     /* e.g. "isv_prod_id=1 isv_svn=3", "snp tcb=0x…" */
	char note[TEE_WHY_MAX]; /* why attestation or sealing is unavailable, if it is */
} tee_info;

/* The info as a JSON object {"platform", "provider", "simulated", "measurement" (hex or
 * null), "signer" (hex or null), "debug", "can_attest", "can_seal", "versions", "note"}
 * (`secure-signer tee info`, /healthcheck); a jansson json_t the caller releases, NULL
 * when out of memory. */
struct json_t;
struct json_t *tee_info_json(const tee_info *ti);

/* Test seam for the providers that talk to a character device through ioctl(2)
 * (occlum's /dev/sgx, SNP's /dev/sev-guest). NULL means the real ioctl. */
typedef int (*tee_ioctl_fn)(int fd, unsigned long request, void *arg);

typedef struct {
	const char *root;     /* prefix for every device path; NULL or "" means "/" */
	const char *data_dir; /* the signer's data directory (sim keeps its chain there) */
	tee_ioctl_fn ioctl_fn;
} tee_open_options;

typedef struct tee_provider tee_provider;

/* A provider's functions. Every function reports a failure as an ss_err plus a sentence
 * in why[TEE_WHY_MAX] (no secret in it). */
typedef struct {
	const char *name;
	/* Detects the platform and opens the provider. SS_ERR_NOT_FOUND when its device
	 * files are absent (so `auto` can try the next one). */
	ss_err (*open)(const tee_open_options *o, tee_provider **out, char *why);
	/* Evidence whose report data is exactly report_data (64 bytes). */
	ss_err (*evidence)(tee_provider *p, const uint8_t report_data[64], tee_evidence *out,
			   char *why);
	/* A 32-byte key bound to the measurement; SS_ERR_UNSUPPORTED when the platform has
	 * no sealing (TDX, none, gramine-direct). The caller wipes it. */
	ss_err (*seal_key)(tee_provider *p, uint8_t key[TEE_SEAL_KEY_BYTES], char *why);
	void (*info)(const tee_provider *p, tee_info *out);
	void (*close)(tee_provider *p);
} tee_provider_ops;

/* Every provider embeds this first, so that the generic functions below can dispatch. */
struct tee_provider {
	const tee_provider_ops *ops;
};

/* Opens the provider named name: "auto" (detect gramine, occlum, tsm in that order; none
 * when none is present), "none", "gramine", "occlum", "tsm" or "sim". An explicitly named
 * provider whose devices are absent is an error. */
ss_err tee_provider_open(const char *name, const tee_open_options *o, tee_provider **out,
			 char *why) SS_MUST_USE;

/* True when tee_provider_open knows name (NULL is "auto"): a name it does not know is a
 * usage error, a known provider that cannot open is not. */
bool tee_provider_known(const char *name);

/* The names tee_provider_known accepts, as the messages that refuse another one list
 * them (tee_provider_open, `run --tee`; tests/cli/test_run_config.c checks each). */
#define TEE_PROVIDER_NAMES "auto, none, gramine, occlum, tsm or sim"

/* Evidence for report_data, after checking it the way a verifier would parse it: the
 * report data inside the returned quote or report must equal report_data byte for byte
 * (a broken or hostile host is an error, never evidence; issue 11 §3). */
ss_err tee_provider_evidence(tee_provider *p, const uint8_t report_data[64],
			     tee_evidence *out, char *why) SS_MUST_USE;

ss_err tee_provider_seal_key(tee_provider *p, uint8_t key[TEE_SEAL_KEY_BYTES],
			     char *why) SS_MUST_USE;

void tee_provider_info(const tee_provider *p, tee_info *out);

/* NULL is ignored. */
void tee_provider_close(tee_provider *p);

/* The built-in provider tables (tee_provider_open picks among them). */
extern const tee_provider_ops tee_provider_none;
extern const tee_provider_ops tee_provider_sim;
extern const tee_provider_ops tee_provider_gramine;
extern const tee_provider_ops tee_provider_occlum;
extern const tee_provider_ops tee_provider_tsm;

#endif
