/* The tsm provider against a fake configfs-tsm (issue 11 "Done when"). The test plays
 * the kernel with fake_tsm_kernel.c: mkdir and rmdir are wrapped at link time
 * (-Wl,--wrap) into its hooks, so that a report directory made under the fake root gets
 * configfs's attribute files, and its thread answers each outblob read with real evidence
 * from ../shared/vectors/tee/ (a TDX quote or an SNP report) carrying the inblob as report
 * data. /dev/sev-guest is its injected ioctl, which checks the derived-key request and
 * derives the key from the measurement the guest launched with. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_tree.h"
#include "fake_tsm_kernel.h"
#include "tee/sev_guest_dev.h"
#include "tee/tee.h"
#include "tee/tee_provider.h"
#include "test.h"

#define TDX_V4 "tee/tdx/phala-dcap-qvl/tdx_quote"
#define TDX_V5 "tee/tdx/go-tdx-guest/quote_v5_sample.dat"
#define SNP_REPORT "tee/sev-snp/go-sev-guest/attestation.bin"
#define SNP_VCEK "tee/sev-snp/go-sev-guest/vcek.testcer"
#define SNP_ASK_ARK "tee/sev-snp/go-sev-guest/ask_ark_milan.pem"

/* ---- the fake kernel --------------------------------------------------------------- */

int __real_mkdir(const char *path, mode_t mode);
int __real_rmdir(const char *path);
int __wrap_mkdir(const char *path, mode_t mode);
int __wrap_rmdir(const char *path);

int __wrap_mkdir(const char *path, mode_t mode)
{
	return fake_tsm_mkdir(path, mode, __real_mkdir);
}

int __wrap_rmdir(const char *path)
{
	return fake_tsm_rmdir(path, __real_rmdir);
}

/* A root with configfs-tsm whose provider serves blob (owned by the fake kernel). */
static char *tsm_root(const char *provider, uint8_t *blob, size_t blob_len)
{
	char *root = fake_root_new();
	CHECK(fake_mkdirs(root, "sys/kernel/config/tsm/report"));
	char base[1024];
	fake_path(base, sizeof base, root, "sys/kernel/config/tsm/report");
	fake_tsm_start(base, provider, blob, blob_len);
	return root;
}

static void tsm_root_free(char *root)
{
	fake_tsm_stop();
	/* every report directory the provider made is gone again */
	CHECK_EQ_U64(fake_tsm.made, fake_tsm.removed);
	fake_tsm.base[0] = '\0';
	fake_root_free(root);
}

static int k_served(void)
{
	pthread_mutex_lock(&fake_tsm.lock);
	int n = fake_tsm.served;
	pthread_mutex_unlock(&fake_tsm.lock);
	return n;
}

static void k_set(int races, bool hostile, bool enxio)
{
	pthread_mutex_lock(&fake_tsm.lock);
	fake_tsm.races = races;
	fake_tsm.hostile = hostile;
	fake_tsm.enxio = enxio;
	pthread_mutex_unlock(&fake_tsm.lock);
}

/* ---- helpers ------------------------------------------------------------------------- */

static tee_provider *open_tsm(const char *root, const char *data_dir, ss_err want,
			      char why[TEE_WHY_MAX])
{
	tee_open_options o = {.root = root, .data_dir = data_dir, .ioctl_fn = fake_sev_ioctl};
	tee_provider *p = NULL;
	ss_err err = tee_provider_open("tsm", &o, &p, why);
	CHECK_MSG(err == want, "open: %s (%s)", ss_strerror(err), why);
	return err == SS_OK ? p : NULL;
}

/* A TD whose configfs-tsm serves the v4 TDX quote, and the provider opened on it;
 * *root stays NULL when the vector is missing (the test is then skipped). */
static tee_provider *open_tdx_v4(char **root, char why[TEE_WHY_MAX])
{
	size_t len;
	uint8_t *quote = fake_vector(TDX_V4, &len);
	if (!quote)
		return NULL;
	*root = tsm_root("tdx_guest", quote, len);
	return open_tsm(*root, NULL, SS_OK, why);
}

static void fill_rd(uint8_t rd[64], int seed)
{
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)(seed * 13 + i * 3);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- TDX ------------------------------------------------------------------------------ */

TEST(tsm_absent_and_unregistered_are_not_found)
{
	char why[TEE_WHY_MAX];
	char *root = fake_root_new();
	CHECK(!open_tsm(root, NULL, SS_ERR_NOT_FOUND, why));
	CHECK_MSG(strstr(why, "configfs-tsm") != NULL, "why: %s", why);
	fake_root_free(root);
	/* configfs-tsm present, but no TDX or SNP driver registered (mkdir gives ENXIO) */
	root = tsm_root("tdx_guest", NULL, 0);
	k_set(0, false, true);
	CHECK(!open_tsm(root, NULL, SS_ERR_NOT_FOUND, why));
	CHECK_MSG(strstr(why, "no TEE provider registered") != NULL, "why: %s", why);
	tee_open_options o = {.root = root};
	tee_provider *p = NULL;
	CHECK(tee_provider_open("auto", &o, &p, why) == SS_OK); /* auto ends at none */
	tee_info info;
	tee_provider_info(p, &info);
	CHECK(strcmp(info.provider, "none") == 0);
	tee_provider_close(p);
	tsm_root_free(root);
}

static void tdx_case(const char *vector, unsigned version)
{
	size_t len;
	uint8_t *quote = fake_vector(vector, &len);
	if (!quote)
		return;
	tee_dcap_quote orig;
	const char *perr;
	CHECK(tee_dcap_parse(quote, len, &orig, &perr) == SS_OK);
	char *root = tsm_root("tdx_guest", quote, len);
	char why[TEE_WHY_MAX];
	tee_provider *p = open_tsm(root, NULL, SS_OK, why);
	if (p) {
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(info.platform == TEE_PLATFORM_TDX && strcmp(info.provider, "tsm") == 0);
		CHECK(info.can_attest && !info.can_seal);
		CHECK_EQ_U64(info.measurement_len, 48);
		CHECK_MEM(info.measurement, orig.td.mr_td, 48);
		CHECK(info.debug == ((orig.td.td_attributes & 1) != 0));
		char v[16];
		snprintf(v, sizeof v, "quote_v%u", version);
		CHECK_MSG(strstr(info.versions, v) != NULL, "versions: %s", info.versions);
		CHECK_MSG(strstr(info.note, "no sealing") != NULL, "note: %s", info.note);
		for (int i = 0; i < 3; i++) {
			uint8_t rd[64];
			fill_rd(rd, i);
			tee_evidence ev;
			ss_err err = tee_provider_evidence(p, rd, &ev, why);
			CHECK_MSG(err == SS_OK, "evidence: %s", why);
			if (err != SS_OK)
				continue;
			CHECK(ev.type == TEE_EVIDENCE_TDX_QUOTE);
			CHECK(ev.certs == NULL);
			tee_dcap_quote q;
			CHECK(tee_dcap_parse(ev.quote, ev.quote_len, &q, &perr) == SS_OK);
			CHECK_MEM(q.td.report_data, rd, 64);
			tee_evidence_free(&ev);
		}
		/* TDX has no sealing in Linux, and says what to do instead */
		uint8_t key[32];
		CHECK(tee_provider_seal_key(p, key, why) == SS_ERR_UNSUPPORTED);
		CHECK_MSG(strstr(why, "TDX has no sealing key") && strstr(why, "--kek-file"),
			  "why: %s", why);
	}
	tee_provider_close(p);
	tsm_root_free(root);
}

TEST(tsm_tdx_v4_evidence_and_no_sealing)
{
	tdx_case(TDX_V4, 4);
}

TEST(tsm_tdx_v5_evidence)
{
	tdx_case(TDX_V5, 5);
}

TEST(tsm_generation_race_is_retried)
{
	char why[TEE_WHY_MAX];
	char *root = NULL;
	tee_provider *p = open_tdx_v4(&root, why);
	if (!root)
		return;
	if (p) {
		uint8_t rd[64];
		fill_rd(rd, 9);
		tee_evidence ev;
		int before = k_served();
		k_set(1, false, false); /* another writer interleaves once */
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_OK);
		CHECK_EQ_U64(k_served() - before, 2); /* the outblob was read again */
		tee_dcap_quote q;
		const char *perr;
		CHECK(tee_dcap_parse(ev.quote, ev.quote_len, &q, &perr) == SS_OK);
		CHECK_MEM(q.td.report_data, rd, 64);
		tee_evidence_free(&ev);
		/* a writer that always interleaves: a clear, retryable error */
		k_set(1000, false, false);
		before = k_served();
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_RETRY);
		CHECK_EQ_U64(k_served() - before, 5);
		CHECK_MSG(strstr(why, "generation") != NULL, "why: %s", why);
	}
	tee_provider_close(p);
	tsm_root_free(root);
}

TEST(tsm_hostile_kernel_is_refused)
{
	char why[TEE_WHY_MAX];
	char *root = NULL;
	tee_provider *p = open_tdx_v4(&root, why);
	if (!root)
		return;
	if (p) {
		uint8_t rd[64];
		fill_rd(rd, 4);
		tee_evidence ev;
		k_set(0, true, false);
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_CRYPTO);
		CHECK_MSG(strstr(why, "other report data") != NULL, "why: %s", why);
		CHECK(ev.quote == NULL);
		/* a short outblob (a quote cut after its body): malformed, refused */
		k_set(0, false, false);
		pthread_mutex_lock(&fake_tsm.lock);
		fake_tsm.blob_len = 700;
		pthread_mutex_unlock(&fake_tsm.lock);
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_INVALID);
		CHECK_MSG(strstr(why, "malformed quote") != NULL, "why: %s", why);
		CHECK(ev.quote == NULL);
	}
	tee_provider_close(p);
	tsm_root_free(root);
}

TEST(tsm_report_that_cannot_be_removed_fails_the_request)
{
	char why[TEE_WHY_MAX];
	char *root = NULL;
	tee_provider *p = open_tdx_v4(&root, why);
	if (!root)
		return;
	if (p) {
		uint8_t rd[64];
		fill_rd(rd, 6);
		tee_evidence ev;
		/* the quote was read, but our report directory stays behind: an error, and
		 * the quote is not handed out */
		pthread_mutex_lock(&fake_tsm.lock);
		fake_tsm.rmdir_errno = EBUSY;
		pthread_mutex_unlock(&fake_tsm.lock);
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_IO);
		CHECK_MSG(strstr(why, "cannot remove the configfs-tsm report") != NULL, "why: %s",
			  why);
		CHECK(ev.quote == NULL);
		/* it is left for whoever can remove it (the kernel's accounting below counts
		 * every report directory made and removed) */
		char left[1100] = "";
		pthread_mutex_lock(&fake_tsm.lock);
		fake_tsm.rmdir_errno = 0;
		if (fake_tsm.ndirs > 0)
			snprintf(left, sizeof left, "%s", fake_tsm.dirs[fake_tsm.ndirs - 1]);
		pthread_mutex_unlock(&fake_tsm.lock);
		CHECK(left[0] && rmdir(left) == 0);
		/* the next request, in a directory of its own, is served */
		CHECK_MSG(tee_provider_evidence(p, rd, &ev, why) == SS_OK, "why: %s", why);
		tee_evidence_free(&ev);
	}
	tee_provider_close(p);
	tsm_root_free(root);
}

TEST(tsm_unknown_provider_is_unsupported)
{
	size_t len;
	uint8_t *quote = fake_vector(TDX_V4, &len);
	if (!quote)
		return;
	char *root = tsm_root("arm_cca_guest", quote, len);
	char why[TEE_WHY_MAX];
	CHECK(!open_tsm(root, NULL, SS_ERR_UNSUPPORTED, why));
	CHECK_MSG(strstr(why, "arm_cca_guest") != NULL, "why: %s", why);
	tsm_root_free(root);
}

/* ---- SEV-SNP -------------------------------------------------------------------------- */

/* DER certificates from a PEM file. */
static int pem_to_der(const char *pem_path_rel, uint8_t *der[4], size_t der_len[4])
{
	size_t len;
	uint8_t *pem = fake_vector(pem_path_rel, &len);
	if (!pem)
		return 0;
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	int n = 0;
	X509 *x;
	while (n < 4 && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		der[n] = NULL;
		int l = i2d_X509(x, &der[n]);
		der_len[n++] = (size_t)l;
		X509_free(x);
	}
	BIO_free(b);
	free(pem);
	return n;
}

static void put_guid(uint8_t *e, const char *text)
{
	unsigned v[16];
	sscanf(text, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x", &v[0], &v[1], &v[2],
	       &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13],
	       &v[14], &v[15]);
	for (int i = 0; i < 16; i++)
		e[i] = (uint8_t)v[i];
}

/* The GHCB certificate table the host hands the guest: ARK, an unknown entry, ASK, VCEK
 * (not in chain order, so the provider's ordering is tested), then the zero entry. */
static uint8_t *snp_auxblob(size_t *len, const uint8_t *vcek, size_t vcek_len)
{
	uint8_t *der[4];
	size_t der_len[4];
	int n = pem_to_der(SNP_ASK_ARK, der, der_len);
	CHECK_EQ_U64(n, 2); /* ASK, ARK */
	if (n != 2)
		return NULL;
	static const uint8_t other[] = "an entry of another kind";
	const char *guids[] = {"c0b406a4-a803-4952-9743-3fb6014cd0ae",
			       "00000000-1111-2222-3333-444444444444",
			       "4ab7b379-bbac-4fe4-a02f-05aef327c782",
			       "63da758d-e664-4564-adc5-f4b93be8accd"};
	const uint8_t *data[] = {der[1], other, der[0], vcek};
	size_t dl[] = {der_len[1], sizeof other, der_len[0], vcek_len};
	size_t total = 5 * 24;
	for (int i = 0; i < 4; i++)
		total += dl[i];
	uint8_t *aux = calloc(1, total);
	size_t off = 5 * 24;
	for (int i = 0; i < 4; i++) {
		uint8_t *e = aux + i * 24;
		put_guid(e, guids[i]);
		for (int b = 0; b < 4; b++) {
			e[16 + b] = (uint8_t)(off >> (8 * b));
			e[20 + b] = (uint8_t)(dl[i] >> (8 * b));
		}
		memcpy(aux + off, data[i], dl[i]);
		off += dl[i];
	}
	OPENSSL_free(der[0]);
	OPENSSL_free(der[1]);
	*len = total;
	return aux;
}

/* An SNP guest launched with measurement byte m: the fake kernel serves the real report
 * with that measurement, and the fake firmware derives keys from it. */
static char *snp_root(uint8_t m, uint64_t reported_tcb, uint64_t committed_tcb, bool sev_guest)
{
	size_t len;
	uint8_t *report = fake_vector(SNP_REPORT, &len);
	if (!report)
		return NULL;
	memset(report + 0x90, m, 48);
	put_le64(report + 0x180, reported_tcb);
	put_le64(report + 0x1E0, committed_tcb);
	fake_sev_from_report(report);
	char *root = tsm_root("sev_guest", report, len);
	if (sev_guest)
		CHECK(fake_write(root, "dev/sev-guest", "", 0));
	return root;
}

#define TCB_OLD 0x4400000000000502ull /* microcode 0x44, snp 0, tee 5, bootloader 2 */
#define TCB_NEW 0x4608000000000703ull

TEST(tsm_snp_evidence_with_certificates)
{
	size_t vlen;
	uint8_t *vcek = fake_vector(SNP_VCEK, &vlen);
	if (!vcek)
		return;
	char *root = snp_root(0x11, TCB_OLD, TCB_OLD, true);
	size_t aux_len = 0;
	uint8_t *aux = snp_auxblob(&aux_len, vcek, vlen);
	pthread_mutex_lock(&fake_tsm.lock);
	fake_tsm.aux = aux;
	fake_tsm.aux_len = aux_len;
	pthread_mutex_unlock(&fake_tsm.lock);
	char why[TEE_WHY_MAX];
	tee_provider *p = open_tsm(root, NULL, SS_OK, why);
	if (p) {
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(info.platform == TEE_PLATFORM_SEV_SNP && info.can_attest && info.can_seal);
		CHECK_EQ_U64(info.measurement_len, 48);
		CHECK_MEM(info.measurement, fake_sev.measurement, 48);
		CHECK(info.debug == ((fake_sev.policy & (1ull << 19)) != 0));
		uint8_t rd[64];
		fill_rd(rd, 21);
		tee_evidence ev;
		ss_err err = tee_provider_evidence(p, rd, &ev, why);
		CHECK_MSG(err == SS_OK, "evidence: %s", why);
		if (err == SS_OK) {
			CHECK(ev.type == TEE_EVIDENCE_SEV_SNP_REPORT);
			tee_snp_report r;
			const char *perr;
			CHECK(tee_snp_parse(ev.quote, ev.quote_len, &r, &perr) == SS_OK);
			CHECK_MEM(r.report_data, rd, 64);
			/* the certificates as PEM, leaf first: VCEK, ASK, ARK */
			CHECK(ev.certs != NULL && ev.certs_len == strlen(ev.certs));
			BIO *b = BIO_new_mem_buf(ev.certs, (int)ev.certs_len);
			X509 *x[4] = {0};
			int n = 0;
			while (n < 4 && (x[n] = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
				n++;
			CHECK_EQ_U64(n, 3);
			if (n == 3) {
				uint8_t *der = NULL;
				int l = i2d_X509(x[0], &der);
				CHECK(l == (int)vlen && memcmp(der, vcek, vlen) == 0);
				OPENSSL_free(der);
				char cn[64];
				X509_NAME_get_text_by_NID(X509_get_subject_name(x[1]), NID_commonName,
							  cn, sizeof cn);
				CHECK_MSG(strncmp(cn, "SEV-", 4) == 0, "ASK cn %s", cn);
				X509_NAME_get_text_by_NID(X509_get_subject_name(x[2]), NID_commonName,
							  cn, sizeof cn);
				CHECK_MSG(strncmp(cn, "ARK-", 4) == 0, "ARK cn %s", cn);
			}
			for (int i = 0; i < n; i++)
				X509_free(x[i]);
			BIO_free(b);
			tee_evidence_free(&ev);
		}
		/* a truncated table (its entries point past the end, its zero entry is
		 * missing) is refused, not half-read */
		pthread_mutex_lock(&fake_tsm.lock);
		fake_tsm.aux_len = 24 * 2;
		pthread_mutex_unlock(&fake_tsm.lock);
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_INVALID);
		CHECK_MSG(strstr(why, "points outside the auxblob") != NULL, "why: %s", why);
		uint8_t one_entry[24 + 8] = {0};
		memcpy(one_entry, fake_tsm.aux, 24);
		memset(one_entry + 16, 0, 8); /* offset 0, length 8: inside, but no zero entry */
		one_entry[20] = 8;
		pthread_mutex_lock(&fake_tsm.lock);
		memcpy(fake_tsm.aux, one_entry, sizeof one_entry);
		fake_tsm.aux_len = sizeof one_entry;
		pthread_mutex_unlock(&fake_tsm.lock);
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_ERR_INVALID);
		CHECK_MSG(strstr(why, "terminating zero entry") != NULL, "why: %s", why);
		/* no certificates from the host: the report alone */
		pthread_mutex_lock(&fake_tsm.lock);
		free(fake_tsm.aux);
		fake_tsm.aux = NULL;
		fake_tsm.aux_len = 0;
		pthread_mutex_unlock(&fake_tsm.lock);
		CHECK(tee_provider_evidence(p, rd, &ev, why) == SS_OK);
		CHECK(ev.certs == NULL);
		tee_evidence_free(&ev);
	}
	tee_provider_close(p);
	tsm_root_free(root);
	free(vcek);
}

static bool snp_seal(uint8_t m, uint64_t reported, uint64_t committed, const char *data_dir,
		     uint8_t key[32], ss_err want, char why[TEE_WHY_MAX])
{
	char *root = snp_root(m, reported, committed, true);
	if (!root)
		return false;
	tee_provider *p = open_tsm(root, data_dir, SS_OK, why);
	bool ok = false;
	if (p) {
		ss_err err = tee_provider_seal_key(p, key, why);
		CHECK_MSG(err == want, "seal: %s (%s)", ss_strerror(err), why);
		ok = err == SS_OK;
		if (ok)
			CHECK_MSG(fake_sev.request_ok, "derived-key request fields");
	}
	tee_provider_close(p);
	tsm_root_free(root);
	return ok;
}

TEST(tsm_snp_sealing_is_bound_to_the_measurement)
{
	char why[TEE_WHY_MAX];
	uint8_t a1[32], a2[32], b[32];
	if (!snp_seal(0x11, TCB_OLD, TCB_OLD, NULL, a1, SS_OK, why))
		return;
	/* VCEK root, every guest field, our VMPL and guest SVN, TCB = the reported TCB */
	CHECK_EQ_U64(fake_sev.last.root_key_select, 0);
	CHECK_EQ_U64(fake_sev.last.guest_field_select, 0x3F);
	CHECK_EQ_U64(fake_sev.last.tcb_version, TCB_OLD);
	CHECK(snp_seal(0x11, TCB_OLD, TCB_OLD, NULL, a2, SS_OK, why));
	CHECK(snp_seal(0x12, TCB_OLD, TCB_OLD, NULL, b, SS_OK, why));
	CHECK_MEM(a1, a2, 32);
	CHECK(memcmp(a1, b, 32) != 0);
}

TEST(tsm_snp_tcb_pin_survives_a_firmware_update)
{
	char *data = fake_root_new();
	char why[TEE_WHY_MAX], pin_path[1100];
	uint8_t before[32], after[32], unpinned[32];
	fake_path(pin_path, sizeof pin_path, data, "tee-snp-seal-tcb");
	if (!snp_seal(0x11, TCB_OLD, TCB_OLD, data, before, SS_OK, why)) {
		fake_root_free(data);
		return;
	}
	size_t len;
	char *pin = test_read_file(pin_path, &len);
	CHECK_MSG(pin && strstr(pin, "tcb=0x4400000000000502"), "pin: %s", pin ? pin : "(none)");
	free(pin);
	/* the firmware is updated: reported and committed TCB move on; the key asked for is
	 * still the one pinned, so the store still opens */
	CHECK(snp_seal(0x11, TCB_NEW, TCB_NEW, data, after, SS_OK, why));
	CHECK_EQ_U64(fake_sev.last.tcb_version, TCB_OLD);
	CHECK_MEM(before, after, 32);
	/* without the pin, the new TCB gives another key (what re-sealing moves to) */
	CHECK(snp_seal(0x11, TCB_NEW, TCB_NEW, NULL, unpinned, SS_OK, why));
	CHECK(memcmp(before, unpinned, 32) != 0);
	/* info says which TCB the key is pinned to */
	char *root = snp_root(0x11, TCB_NEW, TCB_NEW, true);
	tee_provider *p = open_tsm(root, data, SS_OK, why);
	if (p) {
		tee_info info;
		tee_provider_info(p, &info);
		CHECK_MSG(strstr(info.versions, "seal_tcb=0x4400000000000502") &&
				  strstr(info.versions, "reported_tcb=0x4608000000000703"),
			  "versions: %s", info.versions);
	}
	tee_provider_close(p);
	tsm_root_free(root);
	/* firmware rolled back below the pin: refused with a sentence, no key */
	CHECK(fake_write(data, "tee-snp-seal-tcb", "tcb=0x4608000000000703 guest_svn=0\n", 35));
	CHECK(!snp_seal(0x11, TCB_OLD, TCB_OLD, data, after, SS_ERR_REFUSED, why));
	CHECK_MSG(strstr(why, "rollback") != NULL, "why: %s", why);
	/* a damaged pin file */
	CHECK(fake_write(data, "tee-snp-seal-tcb", "tcb=banana\n", 11));
	CHECK(!snp_seal(0x11, TCB_OLD, TCB_OLD, data, after, SS_ERR_INVALID, why));
	CHECK_MSG(strstr(why, "tee-snp-seal-tcb") != NULL, "why: %s", why);
	fake_root_free(data);
}

TEST(tsm_snp_without_sev_guest_cannot_seal)
{
	char *root = snp_root(0x11, TCB_OLD, TCB_OLD, false);
	if (!root)
		return;
	char why[TEE_WHY_MAX];
	tee_provider *p = open_tsm(root, NULL, SS_OK, why);
	if (p) {
		tee_info info;
		tee_provider_info(p, &info);
		CHECK(info.can_attest && !info.can_seal);
		uint8_t key[32];
		CHECK(tee_provider_seal_key(p, key, why) == SS_ERR_UNSUPPORTED);
		CHECK_MSG(strstr(why, "dev/sev-guest") != NULL, "why: %s", why);
	}
	tee_provider_close(p);
	tsm_root_free(root);
}

TEST(tsm_snp_firmware_error_is_clear)
{
	char *root = snp_root(0x11, TCB_OLD, TCB_OLD, true);
	if (!root)
		return;
	char why[TEE_WHY_MAX];
	tee_provider *p = open_tsm(root, NULL, SS_OK, why);
	if (p) {
		fake_sev.vmpl = 3; /* the fake firmware now refuses our request */
		uint8_t key[32];
		CHECK(tee_provider_seal_key(p, key, why) == SS_ERR_IO);
		CHECK_MSG(strstr(why, "SNP_GET_DERIVED_KEY") && strstr(why, "0x16"), "why: %s", why);
	}
	tee_provider_close(p);
	tsm_root_free(root);
}
