/* tee/: the "occlum" provider — SGX under Occlum through the /dev/sgx ioctls
 * (reference/tee.md §b; occlum_dev.h has the numbers and layouts):
 *
 *   SGXIOC_SELF_TARGET + SGXIOC_CREATE_REPORT   this enclave's own report: MRENCLAVE,
 *                        MRSIGNER, attributes (DEBUG), CPUSVN, ISVSVN, CONFIGSVN
 *   SGXIOC_GET_DCAP_QUOTE_SIZE, SGXIOC_GEN_DCAP_QUOTE   an SGX ECDSA quote v3
 *   SGXIOC_GET_KEY       EGETKEY with our own KEYREQUEST: the seal key bound to MRENCLAVE
 *                        and to the DEBUG attribute, at the enclave's own CPUSVN/ISVSVN
 *
 * Occlum passes the KEYREQUEST straight to sgx_get_key, so every field is ours to set: its
 * own test leaves the masks zero, which would leave DEBUG out of the key (a debug build
 * of the same enclave could then unseal). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tee/occlum_dev.h"
#include "tee/provider_dev.h"
#include "tee/tee.h"
#include "tee/tee_internal.h"
#include "util/secure_mem.h"

/* The numbers Occlum's occlum_dcap.rs spells out (tee.md §b table). */
_Static_assert(OCCLUM_SGXIOC_SELF_TARGET == 0x82007303ul, "SGXIOC_SELF_TARGET");
_Static_assert(OCCLUM_SGXIOC_CREATE_REPORT == 0xc0187304ul, "SGXIOC_CREATE_REPORT");
_Static_assert(OCCLUM_SGXIOC_GET_DCAP_QUOTE_SIZE == 0x80047307ul, "SGXIOC_GET_DCAP_QUOTE_SIZE");
_Static_assert(OCCLUM_SGXIOC_GEN_DCAP_QUOTE == 0xc0187308ul, "SGXIOC_GEN_DCAP_QUOTE");
_Static_assert(OCCLUM_SGXIOC_GET_KEY == 0xc010730bul, "SGXIOC_GET_KEY");

#define OCCLUM_EBUSY_TRIES 20 /* Occlum's test/ioctl retries 20 times on EBUSY */
#define OCCLUM_QUOTE_MAX (64 * 1024)

typedef struct {
	tee_provider base;
	int fd;
	tee_ioctl_fn ioctl_fn;
	char path[TEE_DEV_PATH_MAX];
	tee_sgx_report self;
	pthread_mutex_t lock;
} occlum_provider;

/* One ioctl, retried while the quoting enclave answers EBUSY (Occlum's dev_sgx returns
 * it while the QE is busy with another request). */
static int ioctl_retry(occlum_provider *o, unsigned long req, void *arg, int *tries)
{
	for (*tries = 1;; (*tries)++) {
		int r = tee_dev_ioctl(o->ioctl_fn, o->fd, req, arg);
		if (r >= 0 || (errno != EBUSY && errno != EINTR) || *tries >= OCCLUM_EBUSY_TRIES)
			return r;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static ss_err occlum_open(const tee_open_options *opt, tee_provider **out, char *why)
{
	*out = NULL;
	char path[TEE_DEV_PATH_MAX];
	if (!tee_dev_path(path, opt->root, "/dev/sgx", why))
		return SS_ERR_INVALID;
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(why, TEE_WHY_MAX, "not running under Occlum: %.120s does not exist", path);
		return SS_ERR_NOT_FOUND;
	}
	if (S_ISDIR(st.st_mode)) {
		/* Intel's out-of-tree DCAP driver makes /dev/sgx/{enclave,provision} on an SGX
		 * host: that is the host's driver, not Occlum's device. */
		snprintf(why, TEE_WHY_MAX,
			 "not running under Occlum: %.120s is the host's SGX driver directory", path);
		return SS_ERR_NOT_FOUND;
	}
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, TEE_WHY_MAX, "cannot open %.120s: %s", path, strerror(errno));
		return SS_ERR_IO;
	}
	occlum_provider *o = calloc(1, sizeof(*o));
	if (!o) {
		close(fd);
		return SS_ERR_NOMEM;
	}
	o->base.ops = &tee_provider_occlum;
	o->fd = fd;
	o->ioctl_fn = opt->ioctl_fn;
	memcpy(o->path, path, sizeof path);
	pthread_mutex_init(&o->lock, NULL);

	/* A report targeted at ourselves: EREPORT of self, whose body carries everything
	 * the key request and `tee info` need. */
	uint8_t target[OCCLUM_TARGET_INFO_BYTES] = {0};
	uint8_t zero_rd[64] = {0};
	uint8_t report[OCCLUM_REPORT_BYTES] = {0};
	occlum_create_report_arg arg = {target, zero_rd, report};
	if (tee_dev_ioctl(o->ioctl_fn, fd, OCCLUM_SGXIOC_SELF_TARGET, target) < 0 ||
	    tee_dev_ioctl(o->ioctl_fn, fd, OCCLUM_SGXIOC_CREATE_REPORT, &arg) < 0) {
		int e = errno;
		/* ENOTTY: a file that knows no SGXIOC at all is not Occlum's device (so
		 * `auto` goes on); any other failure is Occlum's, and an error. */
		snprintf(why, TEE_WHY_MAX, "%.120s: cannot get this enclave's own report: %s%s",
			 path, strerror(e),
			 e == ENOTTY ? " (not Occlum's /dev/sgx: not running under Occlum)" : "");
		pthread_mutex_destroy(&o->lock);
		close(fd);
		free(o);
		return e == ENOTTY ? SS_ERR_NOT_FOUND : SS_ERR_IO;
	}
	tee_sgx_report_parse(report, &o->self);
	*out = &o->base;
	return SS_OK;
}

static ss_err occlum_evidence(tee_provider *p, const uint8_t rd[64], tee_evidence *out,
			      char *why)
{
	occlum_provider *o = (occlum_provider *)p;
	int tries;
	uint32_t size = 0;
	pthread_mutex_lock(&o->lock);
	if (ioctl_retry(o, OCCLUM_SGXIOC_GET_DCAP_QUOTE_SIZE, &size, &tries) < 0) {
		int e = errno;
		pthread_mutex_unlock(&o->lock);
		snprintf(why, TEE_WHY_MAX, "%.120s: SGXIOC_GET_DCAP_QUOTE_SIZE failed after %d %s: %s",
			 o->path, tries, tries == 1 ? "try" : "tries", strerror(e));
		return e == EBUSY ? SS_ERR_RETRY : SS_ERR_IO;
	}
	if (size == 0 || size > OCCLUM_QUOTE_MAX) {
		pthread_mutex_unlock(&o->lock);
		snprintf(why, TEE_WHY_MAX, "%.120s: implausible DCAP quote size %u", o->path, size);
		return SS_ERR_IO;
	}
	uint8_t *buf = malloc(size);
	if (!buf) {
		pthread_mutex_unlock(&o->lock);
		return SS_ERR_NOMEM;
	}
	uint32_t len = size;
	occlum_gen_quote_arg arg = {rd, &len, buf};
	int r = ioctl_retry(o, OCCLUM_SGXIOC_GEN_DCAP_QUOTE, &arg, &tries);
	int e = errno;
	pthread_mutex_unlock(&o->lock);
	if (r < 0) {
		free(buf);
		snprintf(why, TEE_WHY_MAX, "%.120s: SGXIOC_GEN_DCAP_QUOTE failed after %d %s: %s",
			 o->path, tries, tries == 1 ? "try" : "tries", strerror(e));
		return e == EBUSY ? SS_ERR_RETRY : SS_ERR_IO;
	}
	if (len == 0 || len > size) {
		free(buf);
		snprintf(why, TEE_WHY_MAX, "%.120s: SGXIOC_GEN_DCAP_QUOTE returned %u bytes for a %u-byte buffer",
			 o->path, len, size);
		return SS_ERR_IO;
	}
	out->type = TEE_EVIDENCE_SGX_DCAP_QUOTE;
	out->quote = buf;
	out->quote_len = len;
	return SS_OK;
}

static ss_err occlum_seal_key(tee_provider *p, uint8_t key[TEE_SEAL_KEY_BYTES], char *why)
{
	occlum_provider *o = (occlum_provider *)p;
	/* tee.md §b: the SGX SDK's sgx_seal_data request, with KEYPOLICY_MRENCLAVE. KEYID
	 * stays zero so that the key is the same on every start on this CPU (as Gramine's
	 * _sgx_mrenclave is); CPUSVN/ISVSVN/CONFIGSVN are the enclave's own, so a microcode
	 * or ISVSVN upgrade gives another key (re-seal, docs/tee-providers.md). */
	uint8_t req[OCCLUM_KEY_REQUEST_BYTES] = {0};
	tee_put_le16(req + SGX_KEYREQ_KEY_NAME, SGX_KEYSELECT_SEAL);
	tee_put_le16(req + SGX_KEYREQ_KEY_POLICY, SGX_KEYPOLICY_MRENCLAVE);
	tee_put_le16(req + SGX_KEYREQ_ISV_SVN, o->self.isv_svn);
	memcpy(req + SGX_KEYREQ_CPU_SVN, o->self.cpu_svn, 16);
	tee_put_le64(req + SGX_KEYREQ_ATTR_FLAGS, SGX_SEAL_FLAGS_MASK);
	tee_put_le64(req + SGX_KEYREQ_ATTR_XFRM, 0); /* as sgx_seal_data: XFRM not bound */
	tee_put_le32(req + SGX_KEYREQ_MISC_MASK, SGX_SEAL_MISC_MASK);
	tee_put_le16(req + SGX_KEYREQ_CONFIG_SVN, o->self.config_svn);
	uint8_t raw[16] = {0};
	occlum_get_key_arg arg = {req, raw};
	int tries;
	pthread_mutex_lock(&o->lock);
	int r = ioctl_retry(o, OCCLUM_SGXIOC_GET_KEY, &arg, &tries);
	int e = errno;
	pthread_mutex_unlock(&o->lock);
	if (r < 0) {
		secure_zero(raw, sizeof raw);
		snprintf(why, TEE_WHY_MAX, "%.120s: SGXIOC_GET_KEY (MRENCLAVE seal key) failed: %s",
			 o->path, strerror(e));
		return SS_ERR_IO;
	}
	tee_seal_kdf(key, raw, sizeof raw, "occlum/egetkey-seal-mrenclave");
	secure_zero(raw, sizeof raw);
	return SS_OK;
}

static void occlum_info(const tee_provider *p, tee_info *out)
{
	const occlum_provider *o = (const occlum_provider *)p;
	out->platform = TEE_PLATFORM_SGX;
	out->provider = "occlum";
	out->can_attest = true;
	out->can_seal = true;
	out->debug = (tee_le64(o->self.attributes) & TEE_SGX_FLAG_DEBUG) != 0;
	memcpy(out->measurement, o->self.mr_enclave, 32);
	out->measurement_len = 32;
	memcpy(out->signer, o->self.mr_signer, 32);
	out->has_signer = true;
	snprintf(out->versions, sizeof out->versions, "isv_prod_id=%u isv_svn=%u config_svn=%u",
		 o->self.isv_prod_id, o->self.isv_svn, o->self.config_svn);
}

static void occlum_close(tee_provider *p)
{
	occlum_provider *o = (occlum_provider *)p;
	close(o->fd);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

const tee_provider_ops tee_provider_occlum = {
	.name = "occlum",
	.open = occlum_open,
	.evidence = occlum_evidence,
	.seal_key = occlum_seal_key,
	.info = occlum_info,
	.close = occlum_close,
};
