/* Helpers shared by the TEE end-to-end tests (test_tee_run with --tee sim,
 * test_tee_gramine_run, test_tee_occlum_run and test_tee_tsm_run with fake devices):
 * requests to the running signer, the checks they share (/healthcheck's "tee", attested
 * keygen, a refused restart), a snapshot of its data directory, and a look at its log. */
#ifndef SS_TESTS_TEE_RUN_UTIL_H
#define SS_TESTS_TEE_RUN_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "signer_proc.h"

/* The web3signer keystore of the vectors (password "somepassword"), read whole; NULL
 * (and the failure counted) when it cannot be read. The caller frees it. */
char *web3signer_keystore(void);
/* Its public key. */
#define WEB3SIGNER_KEYSTORE_PK                                                             \
	"0x98d083489b3b06b8740da2dfec5cc3c01b2086363fe023a9d7dc1f907633b1ff11f7b99b19e0533e96" \
	"9862270061d884"

/* POST an AGGREGATION_SLOT signing request for pk; the HTTP status. */
int sign_slot(const signer_proc *p, const char *pk, unsigned long slot);

/* POST an ATTESTATION signing request for pk (source s, target t, beacon block root
 * filled with root); the HTTP status. */
int sign_att(const signer_proc *p, const char *pk, unsigned long s, unsigned long t,
	     unsigned root);

/* POST /eth/v1/keystores with one keystore; the first item's status into st. */
int km_import(const signer_proc *p, const char *ks, const char *pw, char *st, size_t cap);

/* Every regular file under dir (sorted, recursive) as "path\n<size>\n<bytes>": equal
 * snapshots mean nothing was added, removed or changed. The run's own lock and ports
 * files are left out. The caller frees b. */
typedef struct {
	char *b;
	size_t n, cap;
} snap;
void snapshot(const char *dir, snap *s);
/* The two snapshots are byte for byte the same. */
bool snap_equal(const snap *a, const snap *b);

/* The signer's log (<dir>/signer.log) contains text. */
bool log_has(const signer_proc *p, const char *text);

/* How many keys GET /eth/v1/keystores lists (-1 on failure). */
long km_count(const signer_proc *p);

/* /healthcheck answers 200 with a "tee" section saying platform, provider, measurement
 * (hex), not simulated, can_attest, and can_seal as given. */
void check_health_tee(const signer_proc *p, const char *platform, const char *provider,
		      const char *measurement_hex, bool can_seal);

/* POST /eth/v1/keygen/bls {count 2, nonce}: 200 with evidence of type `type`
 * ("sgx-dcap-quote", "tdx-quote", "sev-snp-report") whose report data is
 * tee_keygen_report_data(the two pubkeys returned, nonce). The measurement the evidence
 * carries (MRENCLAVE, MRTD or SNP MEASUREMENT) goes to meas_hex (97 bytes), the keys (hex)
 * to pks, whether the evidence came with certificates to *has_certs (may be NULL). */
void keygen_checks(const signer_proc *p, const char *type, char pks[2][99], char meas_hex[97],
		   bool *has_certs);

/* While the file `marker` exists the fake host answers with other report data than was
 * asked for: keygen answers 500, hands out no evidence, and keeps none of the keys it
 * made. Creates and removes marker. */
void keygen_hostile_host_keeps_nothing(const signer_proc *p, const char *marker);

/* A start with flags (the caller has set up the other TEE; preload as for
 * sp_start_preloaded, or NULL) is refused: the log names both measurements (as
 * "measurement <hex>") and says no key was loaded or changed, and the data directory is
 * byte for byte as before. */
void check_refused_restart(signer_proc *p, const char *const *flags, const char *preload,
			   const char *meas_old, const char *meas_new);

/* What a signer running under a (fake) TEE must report: /healthcheck's "tee" and the
 * evidence of attested keygen. */
typedef struct {
	const char *platform, *provider; /* "sgx", "occlum" */
	const char *evidence_type;       /* keygen_checks */
	const char *measurement;         /* hex: MRENCLAVE, MRTD or SNP MEASUREMENT */
	bool can_seal;
	const char *hostile_marker; /* keygen_hostile_host_keeps_nothing */
	bool *has_certs;            /* keygen evidence came with certificates; NULL: not asked */
} tee_run_expect;

/* The first run on a new data directory, the signer started: the web3signer keystore
 * (ks) imported over the Keymanager API signs; /healthcheck and attested keygen report
 * e; a hostile host makes keygen keep nothing; the two generated keys (to gen) sign;
 * the signer stops cleanly. */
void tee_first_run(signer_proc *p, const tee_run_expect *e, const char *ks, char gen[2][99]);

/* keys/tee-seal in the data directory names the platform, provider and measurement the
 * store was sealed to. */
void check_seal_record(const signer_proc *p, const tee_run_expect *e);


#endif
