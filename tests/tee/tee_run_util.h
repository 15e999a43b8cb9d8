/* Helpers shared by the TEE end-to-end tests (test_tee_run with --tee sim,
 * test_tee_gramine_run with a fake Gramine): requests to the running signer, a snapshot
 * of its data directory, and a look at its log. */
#ifndef SS_TESTS_TEE_RUN_UTIL_H
#define SS_TESTS_TEE_RUN_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "signer_proc.h"

/* The web3signer keystore of the vectors (password "somepassword"), read whole; NULL
 * (and the failure counted) when it cannot be read. The caller frees it. */
char *web3signer_keystore(void);

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

#endif
