/* The key-encryption key sealed to the TEE (issue 11 §2, `--kek-source tee`):
 *
 *   KEK = HKDF-SHA256(salt = "secure-signer/kek/tee/v1", IKM = the provider's sealing key,
 *                     info = "secure-signer/kek/tee/v1")        (RFC 5869, one block)
 *
 * The sealing key is bound to the measurement (SGX MRENCLAVE, SNP launch measurement, the
 * simulated MRENCLAVE), so a signer built differently derives another KEK and cannot
 * open the store. That would be detected anyway (every record fails authentication), but
 * only as "tampered or wrong key"; to say plainly what happened, the store keeps next to
 * its shards a record of what it was sealed to, <data_dir>/keys/tee-seal — the platform,
 * the provider and the measurement, nothing secret — written when the first TEE-sealed
 * store is created and compared at every start, before anything is read or written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "keys/keys_internal.h"
#include "tee/tee_provider.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure_mem.h"

#define KEK_TEE_LABEL "secure-signer/kek/tee/v1"
#define SEAL_RECORD "tee-seal"
#define SEAL_RECORD_MAGIC "secure-signer tee seal v1\n"

void keys_kek_from_seal_key(const uint8_t seal[TEE_SEAL_KEY_BYTES], uint8_t kek[KEYS_KEK_BYTES])
{
	_Static_assert(KEYS_KEK_BYTES == SHA256_DIGEST_BYTES, "the KEK is one HKDF block");
	/* salt and info are the same label (RFC 5869 allows it; the label is public) */
	hkdf_sha256_32(kek, KEK_TEE_LABEL, strlen(KEK_TEE_LABEL), seal, TEE_SEAL_KEY_BYTES,
		       KEK_TEE_LABEL, strlen(KEK_TEE_LABEL));
}

/* The record's text for this provider, whose measurement is m in hex:
 * "platform=…\nprovider=…\nmeasurement=…\n". */
static void record_text(const tee_info *ti, const char *m, char *out, size_t cap)
{
	snprintf(out, cap, SEAL_RECORD_MAGIC "platform=%s\nprovider=%s\nmeasurement=%s\n",
		 tee_platform_name(ti->platform), ti->provider, m);
}

/* The value of "key=" in a record, copied into out; "" when absent. */
static void record_field(const char *rec, const char *key, char *out, size_t cap)
{
	out[0] = '\0';
	size_t kl = strlen(key);
	for (const char *p = rec; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, "\n");
			snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p + kl + 1);
			return;
		}
}

static bool store_has_keys(const char *keys_dir)
{
	char p[4300];
	for (int i = 0; i < KEYS_SHARDS; i++) {
		snprintf(p, sizeof p, "%s/" KEYS_SHARD_FMT, keys_dir, i);
		if (access(p, F_OK) == 0)
			return true;
	}
	snprintf(p, sizeof p, "%s/aux.sealed", keys_dir);
	return access(p, F_OK) == 0;
}

/* Why this provider cannot seal, in words an operator can act on. */
static ss_err no_sealing(const tee_info *ti, keys_error *err)
{
	if (ti->platform == TEE_PLATFORM_TDX)
		return keys_fail(err, SS_ERR_UNSUPPORTED,
				 "--kek-source tee: TDX has no sealing key in Linux; use --kek-file "
				 "(on an encrypted disk), --kek-passphrase-file or -env, or a key a "
				 "broker releases after verifying the TD's quote (docs/tee.md)");
	if (ti->platform == TEE_PLATFORM_NONE)
		return keys_fail(err, SS_ERR_UNSUPPORTED,
				 "--kek-source tee needs a TEE that can seal (--tee gramine, occlum, "
				 "tsm on SEV-SNP, or sim for tests); this signer runs without one "
				 "(--tee %s)", ti->provider ? ti->provider : "none");
	return keys_fail(err, SS_ERR_UNSUPPORTED,
			 "--kek-source tee: the %s provider has no sealing key here (%s)",
			 ti->provider, ti->note[0] ? ti->note : "unavailable");
}

ss_err keys_kek_tee_check(const char *data_dir, tee_provider *tee, bool create,
			  keys_error *err)
{
	tee_info ti;
	tee_provider_info(tee, &ti);
	if (!ti.can_seal || ti.measurement_len == 0)
		return no_sealing(&ti, err);
	char dir[4200], path[4300], want[256], now[2 * TEE_MEASUREMENT_MAX + 1];
	snprintf(dir, sizeof dir, "%s/keys", data_dir);
	snprintf(path, sizeof path, "%s/" SEAL_RECORD, dir);
	hex_encode(now, ti.measurement, ti.measurement_len, false);
	record_text(&ti, now, want, sizeof want);
	char *have = NULL;
	size_t have_len = 0;
	ss_err e = file_read_all(path, 4096, &have, &have_len);
	if (e == SS_OK) {
		bool same = strcmp(have, want) == 0;
		if (!same) {
			char plat[32], prov[32], meas[2 * TEE_MEASUREMENT_MAX + 1];
			record_field(have, "platform", plat, sizeof plat);
			record_field(have, "provider", prov, sizeof prov);
			record_field(have, "measurement", meas, sizeof meas);
			free(have);
			/* Both measurements are 64 or 96 hex digits: the whole sentence is
			 * logged here, the error (bounded) says what it means. */
			log_error("the key store in %s is sealed to %s (%s) measurement %s, and this "
				  "signer runs as %s (%s) measurement %s: it cannot open the store. "
				  "Start the build the store was sealed to, or migrate the keys "
				  "(docs/tee.md \"Re-sealing on upgrade\")",
				  dir, plat[0] ? plat : "?", prov[0] ? prov : "?", meas[0] ? meas : "?",
				  tee_platform_name(ti.platform), ti.provider, now);
			return keys_fail(err, SS_ERR_REFUSED,
					 "the key store is sealed to measurement %.16s..., not to this "
					 "signer's %.16s...: not opened, no key loaded or changed",
					 meas, now);
		}
		free(have);
		return SS_OK;
	}
	if (e != SS_ERR_NOT_FOUND)
		return keys_fail(err, e, "cannot read %s", path);
	if (store_has_keys(dir))
		return keys_fail(err, SS_ERR_REFUSED,
				 "--kek-source tee: the key store already holds keys sealed with a "
				 "file or passphrase KEK and is not re-sealed silently: export them "
				 "(keys export-keystore) into a new --kek-source tee data directory");
	if (!create)
		return SS_OK; /* a new store: get() writes the record */
	e = file_write_atomic(path, want, strlen(want), 0600);
	if (e != SS_OK)
		return keys_fail(err, e, "cannot write %s: %s", path, strerror(errno));
	return SS_OK;
}

static ss_err tee_get(const keys_kek_provider *p, const char *data_dir,
		      uint8_t kek[KEYS_KEK_BYTES], keys_error *err)
{
	tee_provider *tee = p->ctx;
	ss_err e = keys_kek_tee_check(data_dir, tee, true, err);
	if (e != SS_OK)
		return e;
	uint8_t *seal = secure_alloc(TEE_SEAL_KEY_BYTES);
	if (seal == NULL)
		return keys_fail(err, SS_ERR_NOMEM, "out of memory");
	char why[TEE_WHY_MAX];
	e = tee_provider_seal_key(tee, seal, why);
	if (e == SS_OK)
		keys_kek_from_seal_key(seal, kek);
	secure_free(seal);
	if (e != SS_OK)
		return keys_fail(err, e, "--kek-source tee: %s", why);
	return SS_OK;
}

ss_err keys_kek_tee(keys_kek_provider *p, tee_provider *tee)
{
	memset(p, 0, sizeof *p);
	if (tee == NULL)
		return SS_ERR_INVALID;
	p->name = "tee";
	p->get = tee_get;
	p->ctx = tee;
	return SS_OK;
}
