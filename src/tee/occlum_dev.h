/* tee/ internals: Occlum's /dev/sgx ioctl interface (reference/tee.md §b; Occlum
 * src/libos/src/fs/dev_fs/dev_sgx/mod.rs, test/ioctl/main.c) and the SGX structures it
 * carries (Gramine pal/src/host/linux-sgx/sgx_arch.h). Shared by provider_occlum.c and
 * its tests, which play the device through tee_open_options.ioctl_fn. */
#ifndef SS_TEE_OCCLUM_DEV_H
#define SS_TEE_OCCLUM_DEV_H

#include <stdint.h>
#include <sys/ioctl.h>

#define OCCLUM_TARGET_INFO_BYTES 512 /* sgx_target_info_t */
#define OCCLUM_REPORT_BYTES 432      /* sgx_report_t: body 384 ‖ key_id 32 ‖ mac 16 */
#define OCCLUM_KEY_REQUEST_BYTES 512 /* sgx_key_request_t */

/* SGXIOC_CREATE_REPORT's argument. */
typedef struct {
	const uint8_t *target_info; /* 512 bytes, or NULL */
	const uint8_t *report_data; /* 64 bytes, or NULL */
	uint8_t *report;            /* out: 432 bytes */
} occlum_create_report_arg;

/* SGXIOC_GEN_DCAP_QUOTE's argument. */
typedef struct {
	const uint8_t *report_data; /* in: 64 bytes */
	uint32_t *quote_len;        /* in: buffer size; out: quote size */
	uint8_t *quote_buf;         /* out */
} occlum_gen_quote_arg;

/* SGXIOC_GET_KEY's argument. */
typedef struct {
	const uint8_t *key_request; /* 512 bytes, layout below */
	uint8_t *key;               /* out: 16 bytes */
} occlum_get_key_arg;

#define OCCLUM_SGXIOC_SELF_TARGET _IOR('s', 3, uint8_t[OCCLUM_TARGET_INFO_BYTES])
#define OCCLUM_SGXIOC_CREATE_REPORT _IOWR('s', 4, occlum_create_report_arg)
#define OCCLUM_SGXIOC_GET_DCAP_QUOTE_SIZE _IOR('s', 7, uint32_t)
#define OCCLUM_SGXIOC_GEN_DCAP_QUOTE _IOWR('s', 8, occlum_gen_quote_arg)
#define OCCLUM_SGXIOC_GET_KEY _IOWR('s', 11, occlum_get_key_arg)

/* sgx_key_request_t offsets (tee.md §b table). */
#define SGX_KEYREQ_KEY_NAME 0       /* u16 */
#define SGX_KEYREQ_KEY_POLICY 2     /* u16 */
#define SGX_KEYREQ_ISV_SVN 4        /* u16 */
#define SGX_KEYREQ_CPU_SVN 8        /* [16] */
#define SGX_KEYREQ_ATTR_FLAGS 24    /* u64 */
#define SGX_KEYREQ_ATTR_XFRM 32     /* u64 */
#define SGX_KEYREQ_KEY_ID 40        /* [32] */
#define SGX_KEYREQ_MISC_MASK 72     /* u32 */
#define SGX_KEYREQ_CONFIG_SVN 76    /* u16 */

#define SGX_KEYSELECT_SEAL 4
#define SGX_KEYPOLICY_MRENCLAVE 0x1
/* TSEAL_DEFAULT_FLAGSMASK = ~(0x00FFFFFFFFFFFFC0 | MODE64BIT | PROVISION_KEY |
 * EINITTOKEN_KEY) (SGX SDK tseal_migration_attr.h): binds INIT and DEBUG into the key. */
#define SGX_SEAL_FLAGS_MASK 0xFF0000000000000Bull
#define SGX_SEAL_MISC_MASK 0xF0000000u /* TSEAL_DEFAULT_MISCMASK */

#endif
