/* Secrets never reach the log (DESIGN.md invariant 3): with logging at trace level,
 * load keys from every kind of source (keystore directory, YAML file-raw and
 * file-keystore, Keymanager imports with right and wrong passwords, generation,
 * export, restart from the sealed store, signing), then scan everything that was logged
 * for every secret key and every password: raw bytes, lowercase and uppercase hex, and
 * the NFKD-normalised password. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/bls.h"
#include "keys/keys.h"
#include "keys/keys_internal.h"
#include "keys/keystore.h"
#include "keys_test_util.h"
#include "test.h"
#include "util/hex.h"
#include "util/log.h"

enum { MAXS = 32 };
static uint8_t secrets[MAXS][32];
static size_t n_secrets;
static const char *passwords[] = { "Pässwörd-alpha-1", "ﬁnal-Secret-beta-2", "gamma\x7f-pw-3",
				   "delta-yaml-pw-4", "epsilon-wrong-pw-5", "zeta-export-pw-6" };

static bool contains(const char *log, size_t len, const void *needle, size_t n)
{
	return n > 0 && memmem(log, len, needle, n) != NULL;
}

static bool contains_hex(const char *log, size_t len, const uint8_t *b, size_t n)
{
	char hex[2 * 64 + 1];
	hex_encode(hex, b, n, false);
	if (contains(log, len, hex, 2 * n))
		return true;
	for (size_t i = 0; i < 2 * n; i++)
		hex[i] = (char)toupper((unsigned char)hex[i]);
	if (contains(log, len, hex, 2 * n))
		return true;
	/* a partial leak: any 8 consecutive secret bytes in hex */
	hex_encode(hex, b, n, false);
	for (size_t off = 0; off + 16 <= 2 * n; off += 2)
		if (contains(log, len, hex + off, 16))
			return true;
	return false;
}

static char *keystore_for(const uint8_t s[32], const char *pw)
{
	uint8_t pk[48];
	if (keys_secret_to_pubkey(pk, s) != SS_OK)
		return NULL;
	keys_kdf_params kdf = { true, 0, 2000 };
	char *json = NULL;
	keys_error err;
	if (keys_keystore_encrypt(&json, s, pk, "m/12381/3600/9/0/0", pw, strlen(pw), &kdf, &err) != SS_OK)
		return NULL;
	return json;
}

TEST(no_secret_or_password_in_trace_log)
{
	bls_init();
	char dir[256], ksd[300], pwd[300], cfg[300], logpath[300];
	kt_tempdir(dir, "logscan");
	snprintf(ksd, sizeof ksd, "%s/ks", dir);
	snprintf(pwd, sizeof pwd, "%s/pw", dir);
	snprintf(cfg, sizeof cfg, "%s/cfg", dir);
	snprintf(logpath, sizeof logpath, "%s/log.txt", dir);
	mkdir(ksd, 0700);
	mkdir(pwd, 0700);
	mkdir(cfg, 0700);
	for (int i = 0; i < 6; i++) {
		secrets[i][0] = 0x3a;
		for (int k = 1; k < 32; k++)
			secrets[i][k] = (uint8_t)(0x91 * (i + 1) + 13 * k);
	}
	n_secrets = 6;
	char *k0 = keystore_for(secrets[0], passwords[0]);
	char *k1 = keystore_for(secrets[1], passwords[1]);
	char *k3 = keystore_for(secrets[3], passwords[3]);
	char *k4 = keystore_for(secrets[4], "not-the-one-given");
	char *k5 = keystore_for(secrets[5], passwords[2]);
	kt_writef(ksd, "k0.json", k0);
	kt_writef(pwd, "k0.txt", passwords[0]);
	kt_writef(ksd, "k1.json", k1);
	kt_writef(pwd, "k1.txt", passwords[1]);
	kt_writef(cfg, "k3.json", k3);
	kt_writef(cfg, "k3.pw", passwords[3]);
	char hex2[65], yaml[1024];
	hex_encode(hex2, secrets[2], 32, false);
	snprintf(yaml, sizeof yaml,
		 "type: file-raw\nprivateKey: \"0x%s\"\n---\n"
		 "type: file-keystore\nkeystoreFile: k3.json\nkeystorePasswordFile: k3.pw\n---\n"
		 "type: file-raw\nprivateKey: \"0x%.60s\"\n", /* malformed: 30 bytes */
		 hex2, hex2);
	kt_writef(cfg, "keys.yaml", yaml);

	int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	log_set_fd(fd);
	log_set_level(LOG_TRACE);

	keys_kek_provider kek;
	keys_store *ks = NULL;
	keys_error err;
	CHECK(keys_kek_file(&kek, NULL) == SS_OK);
	CHECK(keys_store_open(&ks, dir, &kek, NULL, &err) == SS_OK);
	keys_sources src = { .keystores_dir = ksd, .keystores_passwords_dir = pwd,
			     .key_config_dir = cfg };
	CHECK(keys_load_sources(ks, &src, NULL, &err) == SS_OK);
	/* Keymanager import: one right, one wrong password */
	const char *kss[2] = { k5, k4 };
	const char *pws[2] = { passwords[2], passwords[4] };
	size_t kl[2] = { strlen(k5), strlen(k4) }, pl[2] = { strlen(passwords[2]), strlen(passwords[4]) };
	keys_import_result res[2];
	CHECK(keys_import_keystores(ks, kss, kl, pws, pl, 2, res) == SS_OK);
	CHECK(res[0].status == KEYS_IMPORT_IMPORTED && res[1].status == KEYS_IMPORT_ERROR);
	CHECK(strstr(res[1].message, passwords[4]) == NULL);
	uint8_t gen[3][48];
	CHECK(keys_generate(ks, 3, gen, &err) == SS_OK);
	char *exported = NULL;
	keys_kdf_params kdf = { true, 0, 1000 };
	CHECK(keys_export_keystore(ks, gen[0], passwords[5], strlen(passwords[5]), &kdf, &exported, &err) == SS_OK);
	CHECK(keys_count(ks) == 8); /* 4 from sources, 1 imported, 3 generated */
	/* collect the generated keys' secrets */
	for (int i = 0; i < 3; i++) {
		bls_secret_key sk;
		CHECK(keys_reg_get_secret(&ks->reg, gen[i], &sk));
		bls_secret_key_to_bytes(secrets[n_secrets++], &sk);
	}
	keys_store_close(ks);
	CHECK(keys_store_open(&ks, dir, &kek, NULL, &err) == SS_OK); /* trace: each sealed key */
	uint8_t sig[96];
	CHECK(keys_sign(ks, gen[1], (const uint8_t *)"m", 1, sig) == SS_OK);
	keys_store_close(ks);
	log_set_fd(2);
	log_set_level(LOG_INFO);
	close(fd);

	size_t len;
	char *log = test_read_file(logpath, &len);
	CHECK(log != NULL && len > 500); /* it did log, verbosely */
	CHECK(log && strstr(log, "TRACE") != NULL);
	/* first-time decryption reports its progress */
	CHECK(log && strstr(log, "loading keys: ") && strstr(log, " done in "));
	for (size_t i = 0; log && i < n_secrets; i++) {
		CHECK_MSG(!contains(log, len, secrets[i], 32), "secret %zu found raw", i);
		CHECK_MSG(!contains_hex(log, len, secrets[i], 32), "secret %zu found as hex", i);
	}
	for (size_t i = 0; log && i < sizeof passwords / sizeof passwords[0]; i++) {
		uint8_t norm[256];
		size_t nl;
		CHECK(keys_password_normalize(norm, sizeof norm, &nl, passwords[i], strlen(passwords[i])) == SS_OK);
		CHECK_MSG(!contains(log, len, passwords[i], strlen(passwords[i])), "password %zu found", i);
		CHECK_MSG(!contains(log, len, norm, nl), "normalised password %zu found", i);
		CHECK_MSG(!contains_hex(log, len, (const uint8_t *)passwords[i], strlen(passwords[i])),
			  "password %zu found as hex", i);
	}
	free(log);
	free(k0);
	free(k1);
	free(k3);
	free(k4);
	free(k5);
	free(exported);
	if (!getenv("SS_KEEP_TMP"))
		kt_rmrf(dir);
	else
		printf("kept %s\n", dir);
}
