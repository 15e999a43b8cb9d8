/* End to end under a fake configfs-tsm: `secure-signer run --tee tsm`, the real binary,
 * with SECURE_SIGNER_TEE_ROOT (tests only, docs/tee.md) pointing at a tree holding
 * sys/kernel/config/tsm/report/ (and dev/sev-guest, a plain file, where the case says so),
 * and tee_dev_preload (LD_PRELOAD) playing the kernel inside the signer with
 * fake_tsm_kernel.c — the fake test_tee_tsm links in: report directories made by mkdir get
 * configfs's attribute files, a thread answers each outblob read with a real TDX quote or
 * SNP report (../shared/vectors/tee/) carrying the inblob as report data (its signature
 * no longer verifies: this test is about the report data and the sealing), and
 * SNP_GET_DERIVED_KEY on dev/sev-guest derives a key from the guest's measurement.
 *
 * What docs/tee.md promises for --kek-source tee per platform:
 *   SEV-SNP with /dev/sev-guest   seals: the same cycle as test_tee_gramine_run (import,
 *       sign, /healthcheck's MEASUREMENT, keygen's sev-snp-report binding the keys and the
 *       nonce, a hostile host, restart, another measurement refused with the data
 *       directory unchanged, the original guest opens it again)
 *   SEV-SNP without /dev/sev-guest   refused at start, naming the missing device
 *   TDX   refused at start, naming the alternatives; with a KEK file the signer runs and
 *       keygen answers with a tdx-quote binding the keys and the nonce. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_tree.h"
#include "signer_proc.h"
#include "tee/tee.h"
#include "tee_run_util.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

#define TDX_V4 "tee/tdx/phala-dcap-qvl/tdx_quote"
#define SNP_REPORT "tee/sev-snp/go-sev-guest/attestation.bin"

static const char *const TSM_TEE_FLAGS[] = { "--tee=tsm", "--kek-source=tee",
					     "--key-manager-api-enabled", NULL };
static const char *const TSM_FILE_KEK_FLAGS[] = { "--tee=tsm", "--key-manager-api-enabled",
						  NULL };

/* A configfs-tsm tree for device ("tdx_guest" or "sev_guest") serving the vector rel, with
 * dev/sev-guest when sev_guest is set; the preload's environment set. NULL when the
 * vectors are absent (the test is skipped) or the tree cannot be made. */
static char *tsm_tree(const char *device, const char *rel, bool sev_guest)
{
	char vec[1024];
	if (!vectors_require() || !vectors_path(vec, sizeof vec, rel))
		return NULL;
	char *root = fake_root_new();
	CHECK(root && fake_mkdirs(root, "sys/kernel/config/tsm/report"));
	if (root && sev_guest)
		CHECK(fake_write(root, "dev/sev-guest", "", 0));
	if (!root)
		return NULL;
	setenv("SECURE_SIGNER_TEE_ROOT", root, 1);
	setenv("SS_FAKE_TEE_DEVICE", device, 1);
	setenv("SS_FAKE_TEE_EVIDENCE", vec, 1);
	return root;
}

static void tsm_tree_free(char *root)
{
	unsetenv("SECURE_SIGNER_TEE_ROOT");
	unsetenv("SS_FAKE_TEE_DEVICE");
	unsetenv("SS_FAKE_TEE_EVIDENCE");
	unsetenv("SS_FAKE_TEE_MEASUREMENT");
	fake_root_free(root);
}

/* 96 hex digits of the byte m (an SNP MEASUREMENT filled with it). */
static void meas_hex(char out[97], uint8_t m)
{
	uint8_t b[48];
	memset(b, m, sizeof b);
	hex_encode(out, b, sizeof b, false);
}

static bool start_snp_as(signer_proc *p, uint8_t m)
{
	char mb[8];
	snprintf(mb, sizeof mb, "%02x", m);
	setenv("SS_FAKE_TEE_MEASUREMENT", mb, 1);
	return sp_start_preloaded(p, TSM_TEE_FLAGS, TEE_DEV_PRELOAD);
}

TEST(tsm_snp_sealed_store_over_http_across_processes)
{
	char *root = tsm_tree("sev_guest", SNP_REPORT, true);
	if (!root)
		return;
	char *ks = web3signer_keystore();
	signer_proc p;
	CHECK(sp_init(&p));
	char gen[2][99] = { "", "" }, m_a[97], m_b[97];
	meas_hex(m_a, 0x11);
	meas_hex(m_b, 0x12);
	if (!ks)
		goto out;

	/* the first start seals the new store to the guest measured 11… */
	if (!start_snp_as(&p, 0x11)) {
		CHECK_MSG(0, "secure-signer --tee tsm (SEV-SNP) did not start (dir %s)", p.dir);
		goto out;
	}
	/* attested keygen through configfs-tsm */
	char marker[1024];
	snprintf(marker, sizeof marker, "%s/%s", root, FAKE_LIBOS_HOSTILE);
	bool certs = true;
	const tee_run_expect e = { "sev-snp", "tsm", "sev-snp-report", m_a, true, marker, &certs };
	tee_first_run(&p, &e, ks, gen);
	CHECK_MSG(!certs, "the shim serves no auxblob, yet the evidence has certs");
	check_seal_record(&p, &e);
	char path[400];
	/* the derived key's TCB is pinned in the data directory (docs/tee-providers.md) */
	snprintf(path, sizeof path, "%s/tee-snp-seal-tcb", p.data_dir);
	char *rec = test_read_file(path, NULL);
	CHECK_MSG(rec && strstr(rec, "tcb=0x") && strstr(rec, "guest_svn="), "pin: %s",
		  rec ? rec : "(none)");
	free(rec);

	/* a restart as the same guest: the keys still sign */
	if (!start_snp_as(&p, 0x11)) {
		CHECK_MSG(0, "secure-signer did not restart (dir %s)", p.dir);
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 101), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[0], 101), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* another guest image (MEASUREMENT 12…, so another derived key): refused, nothing
	 * changed */
	setenv("SS_FAKE_TEE_MEASUREMENT", "12", 1);
	check_refused_restart(&p, TSM_TEE_FLAGS, TEE_DEV_PRELOAD, m_a, m_b);

	/* the original guest opens it again */
	if (!start_snp_as(&p, 0x11)) {
		CHECK_MSG(0, "secure-signer did not start again as the original guest");
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 102), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[1], 102), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
	tsm_tree_free(root);
	free(ks);
}

/* docs/tee.md: --kek-source tee needs a sealing key; an SNP guest without /dev/sev-guest
 * has none, and the start says which device is missing. */
TEST(tsm_snp_without_sev_guest_refuses_kek_source_tee)
{
	char *root = tsm_tree("sev_guest", SNP_REPORT, false);
	if (!root)
		return;
	signer_proc p;
	CHECK(sp_init(&p));
	if (sp_start_preloaded(&p, TSM_TEE_FLAGS, TEE_DEV_PRELOAD)) {
		CHECK_MSG(0, "--kek-source tee started on SEV-SNP without /dev/sev-guest");
		sp_stop(&p);
	}
	CHECK_MSG(log_has(&p, "the tsm provider has no sealing key here") &&
			  log_has(&p, "dev/sev-guest is absent"),
		  "the log does not say why (dir %s)", p.dir);
	sp_cleanup(&p);
	tsm_tree_free(root);
}

/* docs/tee.md: "Under TDX, Linux gives a TD no sealing key: --kek-source tee refuses to
 * start and names the alternatives". With a KEK file the signer runs on TDX, says it
 * cannot seal, and attests generated keys with a TDX quote. */
TEST(tsm_tdx_refuses_kek_source_tee_and_attests_with_a_kek_file)
{
	char *root = tsm_tree("tdx_guest", TDX_V4, false);
	if (!root)
		return;
	char vec[1024];
	vectors_path(vec, sizeof vec, TDX_V4);
	size_t qlen = 0;
	uint8_t *quote = (uint8_t *)test_read_file(vec, &qlen);
	tee_dcap_quote *q = calloc(1, sizeof(*q));
	const char *perr = NULL;
	char mrtd[97] = "";
	CHECK(quote && q && tee_dcap_parse(quote, qlen, q, &perr) == SS_OK);
	if (q)
		hex_encode(mrtd, q->td.mr_td, 48, false);
	char *ks = web3signer_keystore();
	signer_proc p;
	CHECK(sp_init(&p));
	char gen[2][99] = { "", "" };
	if (!ks || !quote)
		goto out;

	if (sp_start_preloaded(&p, TSM_TEE_FLAGS, TEE_DEV_PRELOAD)) {
		CHECK_MSG(0, "--kek-source tee started on TDX");
		sp_stop(&p);
	}
	CHECK_MSG(log_has(&p, "TDX has no sealing key in Linux") && log_has(&p, "--kek-file") &&
			  log_has(&p, "--kek-passphrase-file") && log_has(&p, "broker"),
		  "the log does not name the alternatives (dir %s)", p.dir);

	if (!sp_start_preloaded(&p, TSM_FILE_KEK_FLAGS, TEE_DEV_PRELOAD)) {
		CHECK_MSG(0, "secure-signer --tee tsm (TDX) with a file KEK did not start (dir %s)",
			  p.dir);
		goto out;
	}
	char marker[1024];
	snprintf(marker, sizeof marker, "%s/%s", root, FAKE_LIBOS_HOSTILE);
	const tee_run_expect e = { "tdx", "tsm", "tdx-quote", mrtd, false, marker, NULL };
	tee_first_run(&p, &e, ks, gen);

	/* a restart: the keys still sign (the KEK file opens the store) */
	if (!sp_start_preloaded(&p, TSM_FILE_KEK_FLAGS, TEE_DEV_PRELOAD)) {
		CHECK_MSG(0, "secure-signer did not restart (dir %s)", p.dir);
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 101), 200);
	CHECK_EQ_U64(sign_slot(&p, gen[1], 101), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
	tsm_tree_free(root);
	free(ks);
	free(q);
	free(quote);
}
