/* Occlum's /dev/sgx played in software, shared by test_tee_occlum (through
 * tee_open_options.ioctl_fn) and tee_dev_preload (an LD_PRELOAD ioctl for the real
 * binary). The fake device answers SGXIOC_SELF_TARGET and SGXIOC_CREATE_REPORT with a
 * report made from a real SGX quote's body and the fake enclave's identity, gives out that
 * real quote with the caller's report data patched in, answers EBUSY as many times as a
 * test asks, and plays EGETKEY: it checks every field of the key request (name, policy,
 * CPUSVN, ISVSVN, CONFIGSVN, attribute and misc masks, KEYID) and derives the key from
 * the enclave's MRENCLAVE and masked attributes, so that the same enclave gets the same
 * key and another enclave (or a debug build of it) another key. */
#ifndef SS_TESTS_TEE_FAKE_SGX_DEV_H
#define SS_TESTS_TEE_FAKE_SGX_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tee/occlum_dev.h"

typedef struct {
	uint8_t *quote; /* a real SGX DCAP quote (malloc'ed; the owner frees it) */
	size_t quote_len;
	uint8_t mr_enclave[32];
	uint8_t cpu_svn[16];
	uint16_t isv_svn, config_svn;
	bool debug;
	int busy;     /* EBUSY answers left */
	bool hostile; /* a quote with other report data */
	bool fail_self_report; /* SGXIOC_CREATE_REPORT fails (EIO) */
	int quote_calls, size_calls, key_calls;
	bool secret_key; /* mark the EGETKEY result secret for valgrind (CT_SECRET) */
	uint8_t last_key_request[OCCLUM_KEY_REQUEST_BYTES];
	bool key_request_ok;
} fake_sgx_dev;

/* The one device of the process. */
extern fake_sgx_dev fake_sgx;

/* Resets fake_sgx to an enclave with MRENCLAVE = 32 bytes of m, CPUSVN 0x0b…, ISVSVN 3,
 * CONFIGSVN 1, not debug, serving quote (taken over: freed by the next reset). */
void fake_sgx_reset(uint8_t *quote, size_t quote_len, uint8_t m);

/* The device's ioctl (a tee_ioctl_fn). */
int fake_sgx_ioctl(int fd, unsigned long req, void *arg);

#endif
