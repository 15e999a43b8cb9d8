/* tee/: the "tsm" provider — TDX and SEV-SNP confidential VMs through Linux configfs-tsm
 * (reference/tee.md §c), and SNP sealing through /dev/sev-guest SNP_GET_DERIVED_KEY (§d).
 *
 * Evidence: one report directory of our own per request under
 * /sys/kernel/config/tsm/report/ (a unique name, so that no other process writes into
 * it), then generation → inblob (64 bytes) → outblob (→ auxblob on SNP) → generation;
 * the second generation must be the first plus our one write, or another writer
 * interleaved and the outblob may not be ours: retry. The `provider` file tells
 * tdx_guest (a TDX quote v4/v5) from sev_guest (a 1184-byte SNP report; auxblob holds the
 * host's GHCB certificate table, returned as PEM).
 *
 * Sealing: TDX has none in upstream Linux (tee.md §d "TDX sealing"), and says so. SNP
 * derives a key from the VCEK with the measurement, policy, image and family IDs, guest
 * SVN and a TCB version mixed in; the TCB version and guest SVN are pinned (in the data
 * directory, on the first seal) so that a firmware update does not silently change the
 * key: the firmware derives keys for any TCB not newer than its committed one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "tee/provider_dev.h"
#include "tee/sev_guest_dev.h"
#include "tee/tee.h"
#include "tee/tee_internal.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/secure_mem.h"

_Static_assert(sizeof(sev_guest_request_ioctl) == 32, "snp_guest_request_ioctl");
_Static_assert(sizeof(sev_derived_key_req) == 32, "snp_derived_key_req");
_Static_assert(SEV_SNP_GET_DERIVED_KEY == 0xc0205301ul, "SNP_GET_DERIVED_KEY");

#define TSM_REPORT_DIR "/sys/kernel/config/tsm/report"
#define TSM_RACE_TRIES 5
#define TSM_OUTBLOB_MAX (1u << 20) /* SZ_32K on older kernels; TDX quotes are < 8 KiB */
#define TSM_AUXBLOB_MAX (1u << 20)
/* Every field of the guest that the firmware can mix into a derived key (tee.md §d). */
#define SNP_SEAL_FIELDS                                                                    \
	(SEV_FIELD_POLICY | SEV_FIELD_IMAGE_ID | SEV_FIELD_FAMILY_ID |                     \
	 SEV_FIELD_MEASUREMENT | SEV_FIELD_GUEST_SVN | SEV_FIELD_TCB_VERSION)
#define SNP_PIN_FILE "tee-snp-seal-tcb"

typedef struct {
	tee_provider base;
	bool snp; /* sev_guest; else tdx_guest */
	char dir[TEE_DEV_PATH_MAX]; /* <root>/sys/kernel/config/tsm/report */
	char sev_guest[TEE_DEV_PATH_MAX];
	char pin_path[TEE_DEV_PATH_MAX]; /* "" without a data directory */
	tee_ioctl_fn ioctl_fn;
	/* From the report taken at open. */
	uint8_t measurement[48];
	bool debug;
	char versions[160];
	uint32_t vmpl, guest_svn;
	uint64_t reported_tcb, committed_tcb;
	bool can_seal;
	char note[TEE_WHY_MAX];
	pthread_mutex_t lock; /* the pin file */
} tsm_provider;

/* ---- configfs-tsm -------------------------------------------------------------- */

static ss_err read_generation(const char *d, uint64_t *gen, char *why)
{
	char path[TEE_DEV_PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/generation", d);
	uint8_t buf[32];
	size_t len;
	ss_err err = tee_dev_read(path, buf, sizeof buf - 1, &len, why);
	if (err != SS_OK)
		return err == SS_ERR_NOT_FOUND ? SS_ERR_IO : err;
	buf[len] = '\0';
	char *end;
	errno = 0;
	unsigned long long v = strtoull((char *)buf, &end, 10);
	while (*end == '\n')
		end++;
	if (len == 0 || errno || *end) {
		snprintf(why, TEE_WHY_MAX, "%.120s/generation is not a number", d);
		return SS_ERR_IO;
	}
	*gen = v;
	return SS_OK;
}

/* Drops what a tsm_request attempt read (a retry, or a failure). */
static void drop_blobs(uint8_t **outblob, size_t *out_len, uint8_t **aux, size_t *aux_len)
{
	free(*outblob);
	free(*aux);
	*outblob = *aux = NULL;
	*out_len = *aux_len = 0;
}

/* One configfs-tsm report for rd in a directory of our own. *provider_out (32 bytes)
 * receives the `provider` file. The outblob and auxblob are malloc'ed (aux may be NULL:
 * TDX hides it, and an SNP host may supply no certificates). */
static ss_err tsm_request(const char *base, const uint8_t rd[64], char provider_out[32],
			  uint8_t **outblob, size_t *out_len, uint8_t **aux, size_t *aux_len,
			  char *why)
{
	static unsigned long counter;
	*outblob = *aux = NULL;
	*out_len = *aux_len = 0;
	char d[TEE_DEV_PATH_MAX], path[TEE_DEV_PATH_MAX + 16];
	/* One instance per requesting context avoids races (configfs-tsm ABI): a name no
	 * other process or thread of ours uses. */
	for (;;) {
		unsigned long n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		int k = snprintf(d, sizeof d, "%s/secure-signer.%ld.%lu", base, (long)getpid(), n);
		if (k < 0 || (size_t)k >= sizeof d) {
			snprintf(why, TEE_WHY_MAX, "the TEE device root is too long");
			return SS_ERR_INVALID;
		}
		if (mkdir(d, 0700) == 0)
			break;
		if (errno == EEXIST)
			continue;
		int e = errno;
		if (e == ENXIO) {
			snprintf(why, TEE_WHY_MAX,
				 "configfs-tsm has no TEE provider registered (%.120s: %s): not a "
				 "TDX or SEV-SNP guest",
				 base, strerror(e));
			return SS_ERR_NOT_FOUND;
		}
		snprintf(why, TEE_WHY_MAX, "cannot create a configfs-tsm report in %.120s: %s%s", base,
			 strerror(e),
			 e == EACCES || e == EPERM
				 ? " (the signer needs write access to configfs-tsm: run it as root "
				   "or grant it)"
				 : "");
		return SS_ERR_IO;
	}
	ss_err err;
	size_t plen = 0;
	snprintf(path, sizeof path, "%s/provider", d);
	err = tee_dev_read(path, (uint8_t *)provider_out, 31, &plen, why);
	if (err != SS_OK)
		goto out;
	while (plen > 0 && (provider_out[plen - 1] == '\n' || provider_out[plen - 1] == '\0'))
		plen--;
	provider_out[plen] = '\0';
	bool snp = strcmp(provider_out, "sev_guest") == 0;
	int tries = 0;
	for (;;) {
		uint64_t g0, g1;
		if ((err = read_generation(d, &g0, why)) != SS_OK)
			goto out;
		/* tdx_guest requires exactly 64 bytes (TDX_REPORTDATA_LEN); always write 64. */
		snprintf(path, sizeof path, "%s/inblob", d);
		if ((err = tee_dev_write(path, rd, 64, why)) != SS_OK)
			goto out;
		snprintf(path, sizeof path, "%s/outblob", d);
		if ((err = tee_dev_read_alloc(path, TSM_OUTBLOB_MAX, outblob, out_len, why)) != SS_OK)
			goto out;
		if (snp) {
			snprintf(path, sizeof path, "%s/auxblob", d);
			err = tee_dev_read_alloc(path, TSM_AUXBLOB_MAX, aux, aux_len, why);
			if (err == SS_ERR_NOT_FOUND) {
				err = SS_OK; /* the host supplies no certificates */
			} else if (err != SS_OK) {
				goto out;
			} else if (*aux_len == 0) {
				free(*aux);
				*aux = NULL;
			}
		}
		if ((err = read_generation(d, &g1, why)) != SS_OK)
			goto out;
		tries++;
		if (g1 == g0 + 1)
			break;
		/* Another writer interleaved between our write and our read (configfs-tsm
		 * ABI "generation"): the outblob may answer its inblob, not ours. */
		drop_blobs(outblob, out_len, aux, aux_len);
		if (tries >= TSM_RACE_TRIES) {
			snprintf(why, TEE_WHY_MAX,
				 "configfs-tsm report %.120s: another writer changed it during each of "
				 "%d tries (generation moved)",
				 d, tries);
			err = SS_ERR_RETRY;
			goto out;
		}
	}
	if (*out_len == 0) {
		snprintf(why, TEE_WHY_MAX, "configfs-tsm returned an empty outblob in %.120s", d);
		err = SS_ERR_IO;
	}
out:
	/* The report directory goes in every case; failing to remove it fails a request
	 * that had otherwise succeeded. */
	if (rmdir(d) != 0 && err == SS_OK) {
		snprintf(why, TEE_WHY_MAX, "cannot remove the configfs-tsm report %.120s: %s", d,
			 strerror(errno));
		err = SS_ERR_IO;
	}
	if (err != SS_OK)
		drop_blobs(outblob, out_len, aux, aux_len);
	return err;
}

/* ---- SNP certificate table (GHCB spec §4.1.8.1) --------------------------------- */

/* GUIDs in their byte order on the wire, which is the order of the text form (AMD's
 * sev-guest tools parse them with uuid_parse). */
static const struct {
	uint8_t guid[16];
	const char *name;
} snp_cert_guids[] = {
	{{0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8,
	  0xac, 0xcd},
	 "VCEK"},
	{{0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0,
	  0xb8, 0xa1},
	 "VLEK"},
	{{0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27,
	  0xc7, 0x82},
	 "ASK"},
	{{0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c,
	  0xd0, 0xae},
	 "ARK"},
};

ss_err tee_snp_certs_to_pem(const uint8_t *aux, size_t len, char **pem, size_t *pem_len,
			    char *why)
{
	*pem = NULL;
	*pem_len = 0;
	const uint8_t *found[4] = {0};
	uint32_t found_len[4] = {0};
	size_t i;
	for (i = 0;; i++) {
		if ((i + 1) * 24 > len) {
			snprintf(why, TEE_WHY_MAX,
				 "the SNP certificate table has no terminating zero entry");
			return SS_ERR_INVALID;
		}
		const uint8_t *e = aux + i * 24;
		static const uint8_t zero[24];
		if (memcmp(e, zero, 24) == 0)
			break;
		uint32_t off = tee_le32(e + 16), n = tee_le32(e + 20);
		if ((uint64_t)off + n > len || n == 0) {
			snprintf(why, TEE_WHY_MAX,
				 "SNP certificate table entry %zu points outside the auxblob", i);
			return SS_ERR_INVALID;
		}
		for (size_t k = 0; k < 4; k++)
			if (memcmp(e, snp_cert_guids[k].guid, 16) == 0) {
				found[k] = aux + off;
				found_len[k] = n;
			}
	}
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return SS_ERR_NOMEM;
	ss_err err = SS_OK;
	size_t count = 0;
	for (size_t k = 0; k < 4 && err == SS_OK; k++) {
		if (!found[k])
			continue;
		const uint8_t *p = found[k];
		X509 *x = d2i_X509(NULL, &p, found_len[k]);
		if (!x) {
			snprintf(why, TEE_WHY_MAX, "the %s certificate in the SNP auxblob is not DER X.509",
				 snp_cert_guids[k].name);
			err = SS_ERR_INVALID;
		} else if (!PEM_write_bio_X509(bio, x)) {
			err = SS_ERR_NOMEM;
		} else {
			count++;
		}
		X509_free(x);
	}
	if (err == SS_OK && count > 0) {
		char *data;
		long n = BIO_get_mem_data(bio, &data);
		*pem = malloc((size_t)n + 1);
		if (!*pem) {
			err = SS_ERR_NOMEM;
		} else {
			memcpy(*pem, data, (size_t)n);
			(*pem)[n] = '\0';
			*pem_len = (size_t)n;
		}
	}
	BIO_free(bio);
	return err;
}

/* ---- the provider ---------------------------------------------------------------- */

/* The report data of the report taken at open, to learn the measurement: a constant
 * that no key binding produces (keygen report data is a hash with its own label). */
static void info_report_data(uint8_t rd[64])
{
	static const char label[] = "secure-signer/v1/tee-info";
	memset(rd, 0, 64);
	sha256(rd, label, sizeof label - 1);
}

static ss_err tsm_open(const tee_open_options *o, tee_provider **out, char *why)
{
	*out = NULL;
	char dir[TEE_DEV_PATH_MAX];
	if (!tee_dev_path(dir, o->root, TSM_REPORT_DIR, why))
		return SS_ERR_INVALID;
	if (!tee_dev_exists(dir)) {
		snprintf(why, TEE_WHY_MAX, "no configfs-tsm: %.120s does not exist", dir);
		return SS_ERR_NOT_FOUND;
	}
	tsm_provider *t = calloc(1, sizeof(*t));
	if (!t)
		return SS_ERR_NOMEM;
	t->base.ops = &tee_provider_tsm;
	memcpy(t->dir, dir, sizeof dir);
	t->ioctl_fn = o->ioctl_fn;
	pthread_mutex_init(&t->lock, NULL);
	ss_err err = SS_ERR_INVALID;
	if (!tee_dev_path(t->sev_guest, o->root, "/dev/sev-guest", why))
		goto fail;
	if (o->data_dir && o->data_dir[0]) {
		int n = snprintf(t->pin_path, sizeof t->pin_path, "%s/%s", o->data_dir, SNP_PIN_FILE);
		if (n < 0 || (size_t)n >= sizeof t->pin_path) {
			snprintf(why, TEE_WHY_MAX, "the data directory path is too long");
			goto fail;
		}
	}

	uint8_t rd[64], *blob = NULL, *aux = NULL;
	size_t blob_len, aux_len;
	char provider[32];
	info_report_data(rd);
	err = tsm_request(dir, rd, provider, &blob, &blob_len, &aux, &aux_len, why);
	if (err != SS_OK)
		goto fail;
	free(aux);
	const char *perr = "unparsable";
	if (strcmp(provider, "tdx_guest") == 0) {
		tee_dcap_quote *q = calloc(1, sizeof(*q));
		if (!q) {
			err = SS_ERR_NOMEM;
		} else if (tee_dcap_parse(blob, blob_len, q, &perr) != SS_OK) {
			snprintf(why, TEE_WHY_MAX, "tdx_guest returned a malformed quote: %s", perr);
			err = SS_ERR_IO;
		} else if (q->tee_type != TEE_TYPE_TDX) {
			snprintf(why, TEE_WHY_MAX, "tdx_guest returned a quote that is not a TDX quote");
			err = SS_ERR_IO;
		} else {
			memcpy(t->measurement, q->td.mr_td, 48);
			t->debug = (q->td.td_attributes & TEE_TD_ATTR_DEBUG) != 0;
			char svn[33];
			hex_encode(svn, q->td.tee_tcb_svn, 16, false);
			snprintf(t->versions, sizeof t->versions, "quote_v%u tee_tcb_svn=%s",
				 q->version, svn);
			snprintf(t->note, sizeof t->note,
				 "TDX has no sealing key in Linux: keep the KEK in --kek-file or a "
				 "passphrase, or release it from an attested key broker");
		}
		free(q);
	} else if (strcmp(provider, "sev_guest") == 0) {
		tee_snp_report r;
		if (tee_snp_parse(blob, blob_len, &r, &perr) != SS_OK) {
			snprintf(why, TEE_WHY_MAX, "sev_guest returned no SNP report: %s", perr);
			err = SS_ERR_IO;
		} else {
			t->snp = true;
			memcpy(t->measurement, r.measurement, 48);
			t->debug = (r.policy & TEE_SNP_POLICY_DEBUG) != 0;
			t->vmpl = r.vmpl;
			t->guest_svn = r.guest_svn;
			t->reported_tcb = r.reported_tcb.raw;
			t->committed_tcb = r.committed_tcb.raw;
			t->can_seal = tee_dev_exists(t->sev_guest);
			if (!t->can_seal)
				snprintf(t->note, sizeof t->note,
					 "%.120s is absent: no SNP derived key for sealing",
					 t->sev_guest);
		}
	} else {
		snprintf(why, TEE_WHY_MAX,
			 "configfs-tsm provider \"%.31s\" is not supported (tdx_guest, sev_guest)",
			 provider);
		err = SS_ERR_UNSUPPORTED;
	}
	free(blob);
	if (err != SS_OK)
		goto fail;
	why[0] = '\0';
	*out = &t->base;
	return SS_OK;
fail:
	pthread_mutex_destroy(&t->lock);
	free(t);
	return err;
}

static ss_err tsm_evidence(tee_provider *p, const uint8_t rd[64], tee_evidence *out, char *why)
{
	tsm_provider *t = (tsm_provider *)p;
	char provider[32];
	uint8_t *aux = NULL;
	size_t aux_len = 0;
	ss_err err = tsm_request(t->dir, rd, provider, &out->quote, &out->quote_len, &aux,
				 &aux_len, why);
	if (err != SS_OK)
		return err;
	if (strcmp(provider, t->snp ? "sev_guest" : "tdx_guest") != 0) {
		snprintf(why, TEE_WHY_MAX, "configfs-tsm provider changed to \"%.31s\"", provider);
		free(aux);
		return SS_ERR_IO;
	}
	out->type = t->snp ? TEE_EVIDENCE_SEV_SNP_REPORT : TEE_EVIDENCE_TDX_QUOTE;
	if (aux)
		err = tee_snp_certs_to_pem(aux, aux_len, &out->certs, &out->certs_len, why);
	free(aux);
	return err;
}

/* The TCB version and guest SVN the derived key is pinned to: read from the pin file, or
 * the current reported TCB and guest SVN, written there on the first seal so that later
 * starts (after a firmware update too) ask for the same key. */
static ss_err snp_pin(tsm_provider *t, uint64_t *tcb, uint32_t *svn, bool create, char *why)
{
	*tcb = t->reported_tcb;
	*svn = t->guest_svn;
	if (!t->pin_path[0])
		return SS_OK;
	char *text = NULL;
	size_t len = 0;
	ss_err err = file_read_all(t->pin_path, 128, &text, &len);
	if (err == SS_ERR_NOT_FOUND) {
		if (!create)
			return SS_OK;
		char line[96];
		int n = snprintf(line, sizeof line, "tcb=0x%016" PRIx64 " guest_svn=%" PRIu32 "\n",
				 *tcb, *svn);
		err = file_write_atomic(t->pin_path, line, (size_t)n, 0600);
		if (err != SS_OK)
			snprintf(why, TEE_WHY_MAX, "cannot write the SNP seal pin %.120s: %s",
				 t->pin_path, strerror(errno));
		return err;
	}
	if (err != SS_OK) {
		snprintf(why, TEE_WHY_MAX, "cannot read the SNP seal pin %.120s: %s", t->pin_path,
			 ss_strerror(err));
		return err;
	}
	unsigned long long v;
	unsigned s;
	char extra;
	if (sscanf(text, "tcb=0x%16llx guest_svn=%u %c", &v, &s, &extra) != 2) {
		snprintf(why, TEE_WHY_MAX,
			 "%.120s is not \"tcb=0x<16 hex digits> guest_svn=<n>\"", t->pin_path);
		free(text);
		return SS_ERR_INVALID;
	}
	free(text);
	*tcb = v;
	*svn = s;
	return SS_OK;
}

static ss_err tsm_seal_key(tee_provider *p, uint8_t key[TEE_SEAL_KEY_BYTES], char *why)
{
	tsm_provider *t = (tsm_provider *)p;
	if (!t->snp) {
		snprintf(why, TEE_WHY_MAX,
			 "TDX has no sealing key in Linux (no derived-key call in the TDX guest "
			 "driver): use --kek-file, a passphrase, or an external key release");
		return SS_ERR_UNSUPPORTED;
	}
	if (!t->can_seal) {
		snprintf(why, TEE_WHY_MAX, "%.250s", t->note);
		return SS_ERR_UNSUPPORTED;
	}
	pthread_mutex_lock(&t->lock);
	uint64_t tcb;
	uint32_t svn;
	ss_err err = snp_pin(t, &tcb, &svn, true, why);
	pthread_mutex_unlock(&t->lock);
	if (err != SS_OK)
		return err;
	/* The firmware refuses a TCB newer than its committed one, component by component
	 * (a firmware rollback below the pin); say so rather than report a firmware code. */
	for (int i = 0; i < 8; i++)
		if (((tcb >> (8 * i)) & 0xff) > ((t->committed_tcb >> (8 * i)) & 0xff)) {
			snprintf(why, TEE_WHY_MAX,
				 "the SNP seal key is pinned to TCB 0x%016" PRIx64 ", newer than the "
				 "firmware's committed TCB 0x%016" PRIx64 " (a firmware rollback?)",
				 tcb, t->committed_tcb);
			return SS_ERR_REFUSED;
		}
	int fd = open(t->sev_guest, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, TEE_WHY_MAX, "cannot open %.120s: %s", t->sev_guest, strerror(errno));
		return SS_ERR_IO;
	}
	struct {
		sev_derived_key_req req;
		sev_derived_key_resp resp;
		sev_guest_request_ioctl io;
	} s;
	memset(&s, 0, sizeof s);
	s.req.root_key_select = SEV_ROOT_KEY_VCEK;
	s.req.guest_field_select = SNP_SEAL_FIELDS;
	s.req.vmpl = t->vmpl; /* must be >= our VMPL: our own */
	s.req.guest_svn = svn;
	s.req.tcb_version = tcb;
	s.io.msg_version = 1;
	s.io.req_data = (uint64_t)(uintptr_t)&s.req;
	s.io.resp_data = (uint64_t)(uintptr_t)&s.resp;
	int r = tee_dev_ioctl(t->ioctl_fn, fd, SEV_SNP_GET_DERIVED_KEY, &s.io);
	int e = errno;
	close(fd);
	if (r < 0) {
		snprintf(why, TEE_WHY_MAX,
			 "SNP_GET_DERIVED_KEY failed: %s (firmware error 0x%x, VMM error 0x%x)",
			 strerror(e), s.io.fw_error, s.io.vmm_error);
		secure_zero(&s, sizeof s);
		return SS_ERR_IO;
	}
	uint32_t status = tee_le32(s.resp.data);
	if (status != 0) {
		snprintf(why, TEE_WHY_MAX, "SNP_GET_DERIVED_KEY: the firmware answered status 0x%x",
			 status);
		secure_zero(&s, sizeof s);
		return SS_ERR_IO;
	}
	tee_seal_kdf(key, s.resp.data + 32, 32, "tsm/sev-snp/derived-key-vcek");
	secure_zero(&s, sizeof s);
	return SS_OK;
}

static void tsm_info(const tee_provider *p, tee_info *out)
{
	tsm_provider *t = (tsm_provider *)p;
	out->platform = t->snp ? TEE_PLATFORM_SEV_SNP : TEE_PLATFORM_TDX;
	out->provider = "tsm";
	out->can_attest = true;
	out->can_seal = t->snp && t->can_seal;
	out->debug = t->debug;
	memcpy(out->measurement, t->measurement, 48);
	out->measurement_len = 48;
	if (t->snp) {
		uint64_t tcb;
		uint32_t svn;
		char ignored[TEE_WHY_MAX];
		pthread_mutex_lock(&t->lock);
		if (snp_pin(t, &tcb, &svn, false, ignored) != SS_OK) {
			tcb = t->reported_tcb;
			svn = t->guest_svn;
		}
		pthread_mutex_unlock(&t->lock);
		snprintf(out->versions, sizeof out->versions,
			 "reported_tcb=0x%016" PRIx64 " committed_tcb=0x%016" PRIx64
			 " seal_tcb=0x%016" PRIx64 " seal_guest_svn=%" PRIu32,
			 t->reported_tcb, t->committed_tcb, tcb, svn);
	} else {
		snprintf(out->versions, sizeof out->versions, "%s", t->versions);
	}
	snprintf(out->note, sizeof out->note, "%s", t->note);
}

static void tsm_close(tee_provider *p)
{
	tsm_provider *t = (tsm_provider *)p;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

const tee_provider_ops tee_provider_tsm = {
	.name = "tsm",
	.open = tsm_open,
	.evidence = tsm_evidence,
	.seal_key = tsm_seal_key,
	.info = tsm_info,
	.close = tsm_close,
};
