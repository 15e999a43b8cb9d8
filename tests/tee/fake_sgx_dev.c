/* Occlum's /dev/sgx played in software (fake_sgx_dev.h). */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sgx_dev.h"
#include "util/ct_check.h"

fake_sgx_dev fake_sgx;

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void fake_sgx_reset(uint8_t *quote, size_t quote_len, uint8_t m)
{
	free(fake_sgx.quote);
	memset(&fake_sgx, 0, sizeof fake_sgx);
	fake_sgx.quote = quote;
	fake_sgx.quote_len = quote_len;
	memset(fake_sgx.mr_enclave, m, 32);
	memset(fake_sgx.cpu_svn, 0x0b, 16);
	fake_sgx.isv_svn = 3;
	fake_sgx.config_svn = 1;
}

/* The fake enclave's report body (384 bytes): the vector's, with our identity. */
static void self_body(uint8_t body[384])
{
	memcpy(body, fake_sgx.quote + 48, 384);
	memcpy(body + 0, fake_sgx.cpu_svn, 16);
	memcpy(body + 64, fake_sgx.mr_enclave, 32);
	body[48] = (uint8_t)((body[48] & ~0x02) | (fake_sgx.debug ? 0x02 : 0));
	body[258] = (uint8_t)fake_sgx.isv_svn;
	body[259] = (uint8_t)(fake_sgx.isv_svn >> 8);
	body[260] = (uint8_t)fake_sgx.config_svn;
	body[261] = (uint8_t)(fake_sgx.config_svn >> 8);
}

/* EGETKEY: checks the request is the MRENCLAVE seal request, then a key from the CPU's
 * secret and, per KEYPOLICY_MRENCLAVE, the enclave's MRENCLAVE and its attributes under
 * the request's mask. */
static int get_key(occlum_get_key_arg *a)
{
	const uint8_t *r = a->key_request;
	fake_sgx.key_calls++;
	memcpy(fake_sgx.last_key_request, r, OCCLUM_KEY_REQUEST_BYTES);
	static const uint8_t zero[434];
	fake_sgx.key_request_ok =
		le16(r + SGX_KEYREQ_KEY_NAME) == SGX_KEYSELECT_SEAL &&
		le16(r + SGX_KEYREQ_KEY_POLICY) == SGX_KEYPOLICY_MRENCLAVE &&
		le16(r + SGX_KEYREQ_ISV_SVN) == fake_sgx.isv_svn && le16(r + 6) == 0 &&
		memcmp(r + SGX_KEYREQ_CPU_SVN, fake_sgx.cpu_svn, 16) == 0 &&
		le64(r + SGX_KEYREQ_ATTR_FLAGS) == 0xFF0000000000000Bull &&
		le64(r + SGX_KEYREQ_ATTR_XFRM) == 0 && memcmp(r + SGX_KEYREQ_KEY_ID, zero, 32) == 0 &&
		(uint32_t)le16(r + SGX_KEYREQ_MISC_MASK) +
				((uint32_t)le16(r + SGX_KEYREQ_MISC_MASK + 2) << 16) ==
			0xF0000000u &&
		le16(r + SGX_KEYREQ_CONFIG_SVN) == fake_sgx.config_svn &&
		memcmp(r + 78, zero, 434) == 0;
	if (!fake_sgx.key_request_ok) {
		errno = EINVAL;
		return -1;
	}
	uint8_t body[384], msg[32 + 8 + 16 + 2], mac[32];
	unsigned mac_len = 32;
	self_body(body);
	uint64_t flags = le64(body + 48) & le64(r + SGX_KEYREQ_ATTR_FLAGS);
	memcpy(msg, fake_sgx.mr_enclave, 32);
	for (int i = 0; i < 8; i++)
		msg[32 + i] = (uint8_t)(flags >> (8 * i));
	memcpy(msg + 40, r + SGX_KEYREQ_CPU_SVN, 16);
	memcpy(msg + 56, r + SGX_KEYREQ_ISV_SVN, 2);
	HMAC(EVP_sha256(), "fake cpu fuse key", 17, msg, sizeof msg, mac, &mac_len);
	memcpy(a->key, mac, 16);
	if (fake_sgx.secret_key)
		CT_SECRET(a->key, 16);
	return 0;
}

static int create_report(occlum_create_report_arg *a)
{
	if (fake_sgx.fail_self_report) {
		errno = EIO;
		return -1;
	}
	if (!a->target_info || memcmp(a->target_info, fake_sgx.mr_enclave, 32) != 0) {
		errno = EINVAL; /* a report for another target is not a self report */
		return -1;
	}
	memset(a->report, 0, OCCLUM_REPORT_BYTES);
	self_body(a->report);
	if (a->report_data)
		memcpy(a->report + 320, a->report_data, 64);
	return 0;
}

static int gen_quote(occlum_gen_quote_arg *a)
{
	fake_sgx.quote_calls++;
	if (fake_sgx.busy > 0) {
		fake_sgx.busy--;
		errno = EBUSY;
		return -1;
	}
	if (*a->quote_len < fake_sgx.quote_len) {
		errno = EINVAL;
		return -1;
	}
	memcpy(a->quote_buf, fake_sgx.quote, fake_sgx.quote_len);
	self_body(a->quote_buf + 48);
	memcpy(a->quote_buf + 368, a->report_data, 64);
	if (fake_sgx.hostile)
		a->quote_buf[368 + 63] ^= 1;
	*a->quote_len = (uint32_t)fake_sgx.quote_len;
	return 0;
}

int fake_sgx_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (req == OCCLUM_SGXIOC_SELF_TARGET) {
		uint8_t *ti = arg; /* sgx_target_info_t: mr_enclave @0, attributes @32 */
		memset(ti, 0, OCCLUM_TARGET_INFO_BYTES);
		memcpy(ti, fake_sgx.mr_enclave, 32);
		return 0;
	}
	if (req == OCCLUM_SGXIOC_CREATE_REPORT)
		return create_report(arg);
	if (req == OCCLUM_SGXIOC_GET_DCAP_QUOTE_SIZE) {
		fake_sgx.size_calls++;
		if (fake_sgx.busy > 0) {
			fake_sgx.busy--;
			errno = EBUSY;
			return -1;
		}
		*(uint32_t *)arg = (uint32_t)fake_sgx.quote_len;
		return 0;
	}
	if (req == OCCLUM_SGXIOC_GEN_DCAP_QUOTE)
		return gen_quote(arg);
	if (req == OCCLUM_SGXIOC_GET_KEY)
		return get_key(arg);
	errno = ENOTTY;
	return -1;
}
