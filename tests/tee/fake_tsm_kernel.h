/* The kernel side of configfs-tsm and /dev/sev-guest played in software, shared by
 * test_tee_tsm (mkdir/rmdir wrapped at link time, the ioctl through
 * tee_open_options.ioctl_fn) and tee_dev_preload (the same hooks as LD_PRELOAD functions
 * of the real binary).
 *
 * configfs-tsm: a report directory made under base gets configfs's attribute files at
 * once (provider, generation, inblob, an outblob FIFO, auxblob for SNP) and loses them on
 * rmdir; a helper thread serves each outblob read: it takes the inblob, bumps generation
 * (twice when a test asks for a race) and answers with real evidence (a TDX quote or an
 * SNP report) carrying that inblob as report data.
 *
 * /dev/sev-guest: SNP_GET_DERIVED_KEY checks the request (VCEK root, field select, VMPL,
 * guest SVN, a TCB not newer than the committed one) and derives the key from the
 * measurement the guest launched with. */
#ifndef SS_TESTS_TEE_FAKE_TSM_KERNEL_H
#define SS_TESTS_TEE_FAKE_TSM_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tee/sev_guest_dev.h"

#define FAKE_TSM_MAX_DIRS 8

typedef struct {
	pthread_mutex_t lock; /* every field below */
	char base[1024];      /* <root>/sys/kernel/config/tsm/report */
	const char *provider; /* "tdx_guest", "sev_guest", … */
	uint8_t *blob;        /* the evidence served (owned) */
	size_t blob_len;
	uint8_t *aux; /* the SNP auxblob (owned), or NULL */
	size_t aux_len;
	bool enxio;      /* no provider registered: mkdir fails */
	int races;       /* extra generation bumps still to inject, one per serve */
	bool hostile;    /* answer with other report data */
	int rmdir_errno; /* rmdir of a report directory fails with it (0: it works) */
	int served;
	char dirs[FAKE_TSM_MAX_DIRS][1100];
	int ndirs;
	int made, removed;
	bool stop, running;
	pthread_t thread;
} fake_tsm_kernel;

extern fake_tsm_kernel fake_tsm;

/* Resets the kernel to serve blob (taken over) as provider under base, and starts the
 * thread that serves outblob reads. */
void fake_tsm_start(const char *base, const char *provider, uint8_t *blob, size_t blob_len);
/* Stops the thread (the state stays for the caller to look at). */
void fake_tsm_stop(void);

/* mkdir(2) and rmdir(2) as configfs-tsm: paths directly under base get the kernel's
 * treatment, the rest go to real. */
int fake_tsm_mkdir(const char *path, mode_t mode, int (*real)(const char *, mode_t));
int fake_tsm_rmdir(const char *path, int (*real)(const char *));

typedef struct {
	uint8_t measurement[48]; /* what the guest was launched with */
	uint64_t policy, committed_tcb;
	uint32_t vmpl, guest_svn;
	sev_derived_key_req last;
	int calls;
	bool request_ok;
} fake_sev_dev;

extern fake_sev_dev fake_sev;

/* Resets the firmware to the guest that report (an SNP report, 0x4A0 bytes) describes:
 * measurement, policy, VMPL, guest SVN and committed TCB. */
void fake_sev_from_report(const uint8_t *report);

/* The firmware's SNP_GET_DERIVED_KEY (a tee_ioctl_fn). */
int fake_sev_ioctl(int fd, unsigned long req, void *arg);

#endif
