/* Key-encryption-key providers (keys.h): a random key file, or a passphrase stretched
 * with scrypt. The KEK never leaves the process and is wiped by the store once the
 * sealing keys are derived from it. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/keys_internal.h"
#include "util/file.h"
#include "util/random.h"
#include "util/secure_mem.h"

/* Passphrase stretching: scrypt n=2^17, r=8, p=1 (128 MiB, a fraction of a second
 * once per start) with a random 16-byte salt kept next to the store. */
#define PASS_SCRYPT_N (1u << 17)
#define PASS_SALT_BYTES 16

static void keys_dir_of(char *out, size_t cap, const char *data_dir)
{
	snprintf(out, cap, "%s/keys", data_dir);
}

/* True when the store under data_dir already holds sealed shards: a missing KEK must
 * then not be silently replaced by a new one. */
static bool store_has_shards(const char *data_dir)
{
	char p[4200];
	keys_dir_of(p, sizeof p, data_dir);
	size_t n = strlen(p);
	for (int i = 0; i < KEYS_SHARDS; i++) {
		snprintf(p + n, sizeof p - n, "/" KEYS_SHARD_FMT, i);
		if (access(p, F_OK) == 0)
			return true;
		p[n] = '\0';
	}
	return false;
}

/* A store sealed to the TEE (kek_tee.c's record) is never opened, or started anew, with
 * a file or passphrase KEK: its keys would fail one by one, or new keys would be sealed
 * under another KEK beside them. */
static ss_err refuse_if_tee_sealed(const char *data_dir, keys_error *err)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/keys/tee-seal", data_dir);
	if (access(p, F_OK) == 0)
		return keys_fail(err, SS_ERR_REFUSED,
				 "the key store in %s is sealed to the TEE (keys/tee-seal): start "
				 "with --kek-source tee and the --tee it was sealed under", data_dir);
	return SS_OK;
}

/* Reads exactly n bytes from a 0600 file, or creates it with n random bytes (O_EXCL,
 * fsync, directory fsync) when absent and create is set. */
static ss_err read_or_create(const char *path, uint8_t *out, size_t n, bool create,
			     bool *created, keys_error *err)
{
	*created = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && create) {
		ss_err e = random_bytes(out, n);
		if (e != SS_OK)
			return keys_fail(err, e, "getrandom failed");
		e = file_write_atomic(path, out, n, 0600);
		if (e != SS_OK) {
			secure_zero(out, n);
			return keys_fail(err, e, "cannot create %s", path);
		}
		*created = true;
		return SS_OK;
	}
	if (fd < 0)
		return keys_fail(err, errno == ENOENT ? SS_ERR_NOT_FOUND : SS_ERR_IO,
				 "cannot open %s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return keys_fail(err, SS_ERR_INVALID, "%s is not a regular file", path);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return keys_fail(err, SS_ERR_REFUSED,
				 "%s is readable by other users (mode %03o); chmod 600 it",
				 path, (unsigned)(st.st_mode & 0777));
	}
	ssize_t r = st.st_size == (off_t)n ? read(fd, out, n) : -1;
	close(fd);
	if (r != (ssize_t)n) {
		secure_zero(out, n);
		return keys_fail(err, SS_ERR_INVALID, "%s must hold exactly %zu bytes", path, n);
	}
	return SS_OK;
}

static ss_err file_get(const keys_kek_provider *p, const char *data_dir,
		       uint8_t kek[KEYS_KEK_BYTES], keys_error *err)
{
	char path[4200];
	ss_err te = refuse_if_tee_sealed(data_dir, err);
	if (te != SS_OK)
		return te;
	if (p->path[0])
		snprintf(path, sizeof path, "%s", p->path);
	else
		snprintf(path, sizeof path, "%s/keys/kek.key", data_dir);
	bool created;
	ss_err e = read_or_create(path, kek, KEYS_KEK_BYTES, !store_has_shards(data_dir), &created,
				  err);
	if (e == SS_ERR_NOT_FOUND)
		return keys_fail(err, e,
				 "the key store holds sealed keys but its key-encryption key %s is missing",
				 path);
	return e;
}

/* The passphrase: an environment variable, or a file's first line. */
static ss_err passphrase(const keys_kek_provider *p, char **out, size_t *len, keys_error *err)
{
	if (p->env[0]) {
		const char *v = getenv(p->env);
		if (v == NULL || *v == '\0')
			return keys_fail(err, SS_ERR_NOT_FOUND,
					 "environment variable %s (key-store passphrase) is not set",
					 p->env);
		*len = strlen(v);
		*out = malloc(*len + 1);
		if (*out == NULL)
			return SS_ERR_NOMEM;
		memcpy(*out, v, *len + 1);
		return SS_OK;
	}
	size_t n;
	ss_err e = keys_read_file(p->path, 65536, out, &n, err);
	if (e != SS_OK)
		return e;
	*len = strcspn(*out, "\r\n");
	/* the caller wipes only the first line: wipe the rest of the file now */
	secure_zero(*out + *len, n - *len);
	if (*len == 0) {
		keys_free_wiped(*out, n);
		*out = NULL;
		return keys_fail(err, SS_ERR_INVALID, "key-store passphrase file %s is empty",
				 p->path);
	}
	return SS_OK;
}

static ss_err passphrase_get(const keys_kek_provider *p, const char *data_dir,
			     uint8_t kek[KEYS_KEK_BYTES], keys_error *err)
{
	char *pass = NULL;
	size_t len = 0;
	ss_err e = refuse_if_tee_sealed(data_dir, err);
	if (e != SS_OK)
		return e;
	e = passphrase(p, &pass, &len, err);
	if (e != SS_OK)
		return e;
	char salt_path[4200];
	snprintf(salt_path, sizeof salt_path, "%s/keys/kek.salt", data_dir);
	uint8_t salt[PASS_SALT_BYTES];
	bool created;
	e = read_or_create(salt_path, salt, sizeof salt, !store_has_shards(data_dir), &created, err);
	if (e == SS_OK &&
	    EVP_PBE_scrypt(pass, len, salt, sizeof salt, PASS_SCRYPT_N, 8, 1,
			   128ull * 8 * (PASS_SCRYPT_N + 2) + (1u << 20), kek, KEYS_KEK_BYTES) != 1)
		e = keys_fail(err, SS_ERR_NOMEM, "scrypt of the key-store passphrase failed");
	keys_free_wiped(pass, len);
	return e;
}

ss_err keys_kek_file(keys_kek_provider *p, const char *path)
{
	memset(p, 0, sizeof *p);
	p->name = "file";
	p->get = file_get;
	if (path != NULL && snprintf(p->path, sizeof p->path, "%s", path) >= (int)sizeof p->path)
		return SS_ERR_INVALID;
	return SS_OK;
}

ss_err keys_kek_passphrase_file(keys_kek_provider *p, const char *path)
{
	memset(p, 0, sizeof *p);
	p->name = "passphrase-file";
	p->get = passphrase_get;
	if (path == NULL || snprintf(p->path, sizeof p->path, "%s", path) >= (int)sizeof p->path)
		return SS_ERR_INVALID;
	return SS_OK;
}

ss_err keys_kek_passphrase_env(keys_kek_provider *p, const char *env_name)
{
	memset(p, 0, sizeof *p);
	p->name = "passphrase-env";
	p->get = passphrase_get;
	if (env_name == NULL || *env_name == '\0' ||
	    snprintf(p->env, sizeof p->env, "%s", env_name) >= (int)sizeof p->env)
		return SS_ERR_INVALID;
	return SS_OK;
}
