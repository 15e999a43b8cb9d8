/* tee/ internals: the Linux /dev/sev-guest SNP_GET_DERIVED_KEY interface
 * (reference/tee.md §d; include/uapi/linux/sev-guest.h), shared by provider_tsm.c and the
 * tests that play the device through tee_open_options.ioctl_fn. */
#ifndef SS_TEE_SEV_GUEST_DEV_H
#define SS_TEE_SEV_GUEST_DEV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "util/error.h"

/* struct snp_guest_request_ioctl */
typedef struct {
	uint8_t msg_version; /* 1 */
	uint64_t req_data;   /* pointer to snp_derived_key_req */
	uint64_t resp_data;  /* pointer to snp_derived_key_resp */
	union {
		uint64_t exitinfo2;
		struct {
			uint32_t fw_error;
			uint32_t vmm_error;
		};
	};
} sev_guest_request_ioctl;

/* struct snp_derived_key_req */
typedef struct {
	uint32_t root_key_select; /* 0 VCEK, 1 VMRK */
	uint32_t rsvd;
	uint64_t guest_field_select;
	uint32_t vmpl;
	uint32_t guest_svn;
	uint64_t tcb_version;
} sev_derived_key_req;

/* struct snp_derived_key_resp: data = u32 status ‖ reserved[28] ‖ key[32] */
typedef struct {
	uint8_t data[64];
} sev_derived_key_resp;

#define SEV_SNP_GET_DERIVED_KEY _IOWR('S', 0x1, sev_guest_request_ioctl)

/* guest_field_select bits (SNP ABI MSG_KEY_REQ) */
#define SEV_FIELD_POLICY (1u << 0)
#define SEV_FIELD_IMAGE_ID (1u << 1)
#define SEV_FIELD_FAMILY_ID (1u << 2)
#define SEV_FIELD_MEASUREMENT (1u << 3)
#define SEV_FIELD_GUEST_SVN (1u << 4)
#define SEV_FIELD_TCB_VERSION (1u << 5)
#define SEV_ROOT_KEY_VCEK 0u

/* The configfs-tsm auxblob of sev_guest, the host's GHCB certificate table (GHCB spec
 * §4.1.8.1: entries {guid[16], offset u32, length u32} ended by an all-zero entry, offsets
 * from the table's start) → PEM text, leaf first (VCEK or VLEK, ASK, ARK); entries with
 * other GUIDs (CRLs, vendor additions) are skipped. Each certificate must parse as DER
 * X.509. *pem is NULL when the table lists none of ours. Defined in provider_tsm.c. */
ss_err tee_snp_certs_to_pem(const uint8_t *aux, size_t len, char **pem, size_t *pem_len,
			    char *why) SS_MUST_USE;

#endif
