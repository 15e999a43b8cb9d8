/* tee/: the "gramine" provider — SGX under Gramine through its /dev/attestation
 * pseudo-files (reference/tee.md §a; Gramine libos/src/fs/dev/attestation.c):
 *
 *   attestation_type   "dcap" or "none"; absent under gramine-direct (no SGX at all)
 *   user_report_data   64 bytes written before each quote
 *   quote              the SGX ECDSA quote v3 for the last user_report_data
 *   report             this enclave's sgx_report_t (432 B): MRENCLAVE, attributes, SVNs
 *   keys/_sgx_mrenclave  16-byte key bound to MRENCLAVE (EGETKEY, KEYPOLICY_MRENCLAVE)
 *
 * The files are process-local in Gramine, so no locking is needed between the write of
 * user_report_data and the read of quote beyond our own mutex (two threads of this
 * process asking for evidence at once would otherwise interleave). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tee/provider_dev.h"
#include "tee/tee.h"
#include "tee/tee_internal.h"
#include "util/secure_mem.h"

#define GRAMINE_REPORT_BYTES 432 /* sgx_report_t: body 384 ‖ key_id 32 ‖ mac 16 */
#define GRAMINE_QUOTE_MAX 8192   /* QUOTE_MAX_SIZE in attestation.c */
#define GRAMINE_KEY_BYTES 16     /* sizeof(pf_key_t) */

typedef enum {
	GRAMINE_DCAP,   /* SGX with remote attestation: quotes */
	GRAMINE_NO_RA,  /* SGX, sgx.remote_attestation = "none": sealing, no quotes */
	GRAMINE_DIRECT, /* gramine-direct: no SGX, neither quotes nor SGX keys */
} gramine_mode;

typedef struct {
	tee_provider base;
	gramine_mode mode;
	char dir[TEE_DEV_PATH_MAX]; /* <root>/dev/attestation */
	bool have_report;
	tee_sgx_report self;
	bool can_seal;
	char note[TEE_WHY_MAX];
	pthread_mutex_t lock; /* user_report_data → quote is one transaction */
} gramine_provider;

static bool file_in(const gramine_provider *g, const char *name, char out[TEE_DEV_PATH_MAX],
		    char *why)
{
	int n = snprintf(out, TEE_DEV_PATH_MAX, "%s/%s", g->dir, name);
	if (n < 0 || n >= TEE_DEV_PATH_MAX) {
		snprintf(why, TEE_WHY_MAX, "the TEE device root is too long");
		return false;
	}
	return true;
}

static ss_err gramine_open(const tee_open_options *o, tee_provider **out, char *why)
{
	*out = NULL;
	char dir[TEE_DEV_PATH_MAX], path[TEE_DEV_PATH_MAX];
	if (!tee_dev_path(dir, o->root, "/dev/attestation", why))
		return SS_ERR_INVALID;
	if (!tee_dev_exists(dir)) {
		snprintf(why, TEE_WHY_MAX, "not running under Gramine: %.120s does not exist", dir);
		return SS_ERR_NOT_FOUND;
	}
	gramine_provider *g = calloc(1, sizeof(*g));
	if (!g)
		return SS_ERR_NOMEM;
	g->base.ops = &tee_provider_gramine;
	memcpy(g->dir, dir, sizeof dir);
	pthread_mutex_init(&g->lock, NULL);
	ss_err err = SS_OK;

	/* tee.md §a: init_sgx_attestation() creates attestation_type only on Linux-SGX, so
	 * its absence is gramine-direct, where only keys/ exists. */
	uint8_t type[32];
	size_t type_len = 0;
	if (!file_in(g, "attestation_type", path, why)) {
		err = SS_ERR_INVALID;
		goto fail;
	}
	err = tee_dev_read(path, type, sizeof type - 1, &type_len, why);
	if (err == SS_ERR_NOT_FOUND) {
		g->mode = GRAMINE_DIRECT;
		snprintf(g->note, sizeof g->note,
			 "gramine-direct: Gramine runs without SGX here, so there is no attestation "
			 "and no sealing key (use gramine-sgx)");
		why[0] = '\0';
		*out = &g->base;
		return SS_OK;
	}
	if (err != SS_OK)
		goto fail;
	while (type_len > 0 && (type[type_len - 1] == '\n' || type[type_len - 1] == '\0'))
		type_len--;
	type[type_len] = '\0';
	if (strcmp((char *)type, "dcap") == 0) {
		g->mode = GRAMINE_DCAP;
	} else {
		g->mode = GRAMINE_NO_RA;
		snprintf(g->note, sizeof g->note,
			 "Gramine attestation type is \"%.20s\": no DCAP quotes (set "
			 "sgx.remote_attestation = \"dcap\" in the manifest)",
			 (char *)type);
	}

	/* The enclave's own report: MRENCLAVE, MRSIGNER, attributes (DEBUG), SVNs. */
	uint8_t report[GRAMINE_REPORT_BYTES];
	if (!file_in(g, "report", path, why)) {
		err = SS_ERR_INVALID;
		goto fail;
	}
	err = tee_dev_read_exact(path, report, sizeof report, why);
	if (err != SS_OK) {
		if (err == SS_ERR_NOT_FOUND)
			err = SS_ERR_IO; /* Gramine with SGX always has it: a broken tree */
		goto fail;
	}
	tee_sgx_report_parse(report, &g->self);
	g->have_report = true;

	if (!file_in(g, "keys/_sgx_mrenclave", path, why)) {
		err = SS_ERR_INVALID;
		goto fail;
	}
	g->can_seal = tee_dev_exists(path);
	if (!g->can_seal && !g->note[0])
		snprintf(g->note, sizeof g->note, "%.120s is absent: no sealing key", path);
	why[0] = '\0';
	*out = &g->base;
	return SS_OK;
fail:
	pthread_mutex_destroy(&g->lock);
	free(g);
	return err;
}

static ss_err gramine_evidence(tee_provider *p, const uint8_t rd[64], tee_evidence *out,
			       char *why)
{
	gramine_provider *g = (gramine_provider *)p;
	if (g->mode == GRAMINE_DIRECT) {
		snprintf(why, TEE_WHY_MAX,
			 "no attestation under gramine-direct (Gramine without SGX); evidence "
			 "needs gramine-sgx with sgx.remote_attestation = \"dcap\"");
		return SS_ERR_UNSUPPORTED;
	}
	if (g->mode != GRAMINE_DCAP) {
		snprintf(why, TEE_WHY_MAX, "%.250s", g->note);
		return SS_ERR_UNSUPPORTED;
	}
	char rd_path[TEE_DEV_PATH_MAX], q_path[TEE_DEV_PATH_MAX];
	if (!file_in(g, "user_report_data", rd_path, why) || !file_in(g, "quote", q_path, why))
		return SS_ERR_INVALID;
	pthread_mutex_lock(&g->lock);
	/* tee.md §a: write 64 bytes of report data, then read the quote made for them. */
	ss_err err = tee_dev_write(rd_path, rd, 64, why);
	if (err == SS_OK)
		err = tee_dev_read_alloc(q_path, GRAMINE_QUOTE_MAX, &out->quote, &out->quote_len,
					 why);
	pthread_mutex_unlock(&g->lock);
	if (err != SS_OK)
		return err == SS_ERR_NOT_FOUND ? SS_ERR_IO : err;
	if (out->quote_len == 0) {
		snprintf(why, TEE_WHY_MAX, "%.120s was empty: Gramine produced no quote", q_path);
		return SS_ERR_IO;
	}
	out->type = TEE_EVIDENCE_SGX_DCAP_QUOTE;
	return SS_OK;
}

static ss_err gramine_seal_key(tee_provider *p, uint8_t key[TEE_SEAL_KEY_BYTES], char *why)
{
	gramine_provider *g = (gramine_provider *)p;
	if (g->mode == GRAMINE_DIRECT) {
		snprintf(why, TEE_WHY_MAX,
			 "no sealing key under gramine-direct (Gramine without SGX has no "
			 "_sgx_mrenclave key); use gramine-sgx or another KEK source");
		return SS_ERR_UNSUPPORTED;
	}
	char path[TEE_DEV_PATH_MAX];
	if (!file_in(g, "keys/_sgx_mrenclave", path, why))
		return SS_ERR_INVALID;
	uint8_t raw[GRAMINE_KEY_BYTES];
	ss_err err = tee_dev_read_exact(path, raw, sizeof raw, why);
	if (err == SS_ERR_NOT_FOUND)
		err = SS_ERR_UNSUPPORTED;
	if (err == SS_OK)
		tee_seal_kdf(key, raw, sizeof raw, "gramine/_sgx_mrenclave");
	secure_zero(raw, sizeof raw);
	return err;
}

static void gramine_info(const tee_provider *p, tee_info *out)
{
	const gramine_provider *g = (const gramine_provider *)p;
	out->platform = g->mode == GRAMINE_DIRECT ? TEE_PLATFORM_NONE : TEE_PLATFORM_SGX;
	out->provider = "gramine";
	out->can_attest = g->mode == GRAMINE_DCAP;
	out->can_seal = g->mode != GRAMINE_DIRECT && g->can_seal;
	if (g->have_report) {
		uint64_t flags = tee_le64(g->self.attributes);
		out->debug = (flags & TEE_SGX_FLAG_DEBUG) != 0;
		memcpy(out->measurement, g->self.mr_enclave, 32);
		out->measurement_len = 32;
		memcpy(out->signer, g->self.mr_signer, 32);
		out->has_signer = true;
		snprintf(out->versions, sizeof out->versions, "isv_prod_id=%u isv_svn=%u",
			 g->self.isv_prod_id, g->self.isv_svn);
	}
	snprintf(out->note, sizeof out->note, "%.250s", g->note);
}

static void gramine_close(tee_provider *p)
{
	gramine_provider *g = (gramine_provider *)p;
	pthread_mutex_destroy(&g->lock);
	free(g);
}

const tee_provider_ops tee_provider_gramine = {
	.name = "gramine",
	.open = gramine_open,
	.evidence = gramine_evidence,
	.seal_key = gramine_seal_key,
	.info = gramine_info,
	.close = gramine_close,
};
