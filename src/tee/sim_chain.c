/* The simulation provider's key chain (sim.h), kept in <data_dir>/tee-sim/:
 *
 *   secret       32 random bytes: the simulated CPU's sealing secret (0600)
 *   pck-key.pem  the PCK-like leaf's ECDSA P-256 private key (0600)
 *   chain.pem    the leaf "Secure-Signer Simulation PCK Certificate" and the
 *                self-signed "Secure-Signer Simulation Root CA" that issued it
 *
 * The root's private key signs the leaf once, at creation, and is never written: nothing
 * can issue another leaf under the same root later. None of this is a secret worth
 * anything outside a test: the host can read every file, which is exactly what a real
 * TEE prevents and why simulated evidence is refused unless explicitly allowed. */
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tee/sim.h"
#include "util/file.h"
#include "util/random.h"
#include "util/secure_mem.h"

const uint8_t tee_sim_qe_vendor_id[16] = { 's', 's', '-', 's', 'i', 'm', 'u', 'l',
					   'a', 't', 'e', 'd', '-', 'q', 'e', 0 };

bool tee_sim_sign_raw(EVP_PKEY *k, const uint8_t *msg, size_t len, uint8_t out[64])
{
	bool ok = false;
	unsigned char der[128];
	size_t dl = sizeof der;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *sig = NULL;
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(ctx, der, &dl, msg, len) != 1)
		goto out;
	const unsigned char *p = der;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	const BIGNUM *r, *s;
	if (sig == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(s, out + 32, 32) == 32;
out:
	ERR_clear_error();
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool tee_sim_pub_xy(EVP_PKEY *k, uint8_t out[64])
{
	uint8_t pt[65];
	size_t n = 0;
	if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &n) != 1 ||
	    n != 65 || pt[0] != 0x04) {
		ERR_clear_error();
		return false;
	}
	memcpy(out, pt + 1, 64);
	return true;
}

static bool add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	bool ok = e != NULL && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

/* A certificate for key named cn, issued by issuer (NULL: self-signed) with issuer_key;
 * valid from a day ago (clock skew between signer and verifier) for 30 years. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
		       bool ca, long serial)
{
	X509 *x = X509_new();
	if (x == NULL)
		return NULL;
	X509_NAME *n = X509_get_subject_name(x);
	bool ok = X509_set_version(x, 2) == 1 &&
		  ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
		  X509_gmtime_adj(X509_getm_notBefore(x), -86400) != NULL &&
		  X509_time_adj_ex(X509_getm_notAfter(x), 30 * 365, 0, NULL) != NULL &&
		  X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
					     (const unsigned char *)"Secure-Signer simulation (not a TEE)",
					     -1, -1, 0) == 1 &&
		  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
					     -1, 0) == 1 &&
		  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n) == 1 &&
		  X509_set_pubkey(x, key) == 1 &&
		  add_ext(x, issuer ? issuer : x, NID_basic_constraints,
			  ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
		  add_ext(x, issuer ? issuer : x, NID_key_usage,
			  ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
		  X509_sign(x, issuer_key, EVP_sha256()) > 0;
	if (!ok) {
		ERR_clear_error();
		X509_free(x);
		return NULL;
	}
	return x;
}

/* PEM text of a key or certificates, malloc'ed and NUL-terminated. */
static char *bio_text(BIO *b, size_t *len)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	char *out = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (out != NULL) {
		memcpy(out, p, (size_t)n);
		out[n] = '\0';
		*len = (size_t)n;
	}
	return out;
}

static ss_err write_in(const char *dir, const char *name, const void *data, size_t len,
		       int mode)
{
	char path[4300];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return SS_ERR_INVALID;
	return file_write_atomic(path, data, len, mode);
}

/* Creates the chain in a temporary directory and renames it to final. */
static ss_err create_chain(const char *data_dir, const char *final, char *why)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s/.tee-sim.tmp-%ld", data_dir, (long)getpid());
	if (mkdir(tmp, 0700) != 0) {
		snprintf(why, TEE_WHY_MAX, "sim: cannot create %.150s: %s", tmp, strerror(errno));
		return SS_ERR_IO;
	}
	ss_err e = SS_ERR_CRYPTO;
	bool lost_race = false;
	uint8_t secret[TEE_SIM_SECRET_BYTES];
	EVP_PKEY *root_key = EVP_EC_gen("P-256"), *pck_key = EVP_EC_gen("P-256");
	X509 *root = NULL, *pck = NULL;
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	char *key_pem = NULL, *chain_pem = NULL;
	size_t key_len = 0, chain_len = 0;
	if (root_key == NULL || pck_key == NULL || kb == NULL || cb == NULL)
		goto out;
	root = make_cert(root_key, TEE_SIM_ROOT_CN, NULL, root_key, true, 1);
	pck = root ? make_cert(pck_key, TEE_SIM_PCK_CN, root, root_key, false, 2) : NULL;
	if (pck == NULL || PEM_write_bio_PrivateKey(kb, pck_key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_X509(cb, pck) != 1 || PEM_write_bio_X509(cb, root) != 1)
		goto out;
	key_pem = bio_text(kb, &key_len);
	chain_pem = bio_text(cb, &chain_len);
	if (key_pem == NULL || chain_pem == NULL) {
		e = SS_ERR_NOMEM;
		goto out;
	}
	e = random_bytes(secret, sizeof secret);
	if (e == SS_OK)
		e = write_in(tmp, "secret", secret, sizeof secret, 0600);
	if (e == SS_OK)
		e = write_in(tmp, "pck-key.pem", key_pem, key_len, 0600);
	if (e == SS_OK)
		e = write_in(tmp, "chain.pem", chain_pem, chain_len, 0644);
	if (e == SS_OK && rename(tmp, final) != 0) {
		/* another process (`tee info` beside a starting signer) created it first:
		 * use theirs */
		lost_race = errno == ENOTEMPTY || errno == EEXIST;
		e = SS_ERR_IO;
	}
	if (e == SS_OK)
		e = file_fsync_dir(data_dir);
out:
	if (e != SS_OK) {
		if (!why[0])
			snprintf(why, TEE_WHY_MAX, "sim: cannot create the simulation key chain in "
				 "%.150s", final);
		char p[4300];
		static const char *const names[] = { "secret", "pck-key.pem", "chain.pem" };
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof p, "%s/%s", tmp, names[i]);
			unlink(p);
		}
		rmdir(tmp);
	}
	secure_zero(secret, sizeof secret);
	if (key_pem)
		secure_zero(key_pem, key_len);
	free(key_pem);
	free(chain_pem);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(root);
	X509_free(pck);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(pck_key);
	ERR_clear_error();
	if (lost_race) {
		why[0] = '\0';
		return SS_OK;
	}
	return e;
}

static ss_err load_chain(const char *dir, tee_sim_chain *c, char *why)
{
	char p[4300];
	char *buf = NULL;
	size_t len = 0;
	snprintf(p, sizeof p, "%s/secret", dir);
	ss_err e = file_read_secret(p, 64, &buf, &len);
	if (e != SS_OK || len != TEE_SIM_SECRET_BYTES) {
		snprintf(why, TEE_WHY_MAX, "sim: %.150s must hold %d bytes", p, TEE_SIM_SECRET_BYTES);
		if (buf)
			secure_free(buf);
		return SS_ERR_INVALID;
	}
	c->secret = (uint8_t *)buf;
	snprintf(p, sizeof p, "%s/pck-key.pem", dir);
	e = file_read_all(p, 16384, &buf, &len);
	if (e == SS_OK) {
		BIO *b = BIO_new_mem_buf(buf, (int)len);
		c->pck_key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
		secure_zero(buf, len);
		free(buf);
	}
	snprintf(p, sizeof p, "%s/chain.pem", dir);
	buf = NULL;
	if (c->pck_key != NULL && file_read_all(p, 65536, &buf, &len) == SS_OK) {
		STACK_OF(X509) *sk = tee_x509_load((const uint8_t *)buf, len);
		if (sk != NULL && sk_X509_num(sk) == 2) {
			c->pck = sk_X509_shift(sk);
			c->root = sk_X509_shift(sk);
		}
		if (sk != NULL)
			sk_X509_pop_free(sk, X509_free);
		/* The chain as the quote carries it: the PEM text and one NUL. */
		c->chain_pem = buf;
		c->chain_len = len + 1;
	}
	ERR_clear_error();
	if (c->pck == NULL || X509_check_private_key(c->pck, c->pck_key) != 1) {
		ERR_clear_error();
		snprintf(why, TEE_WHY_MAX, "sim: the simulation key chain in %.150s is damaged "
			 "(remove the directory to start a new one)", dir);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

ss_err tee_sim_chain_open(const char *data_dir, tee_sim_chain *c, char *why)
{
	memset(c, 0, sizeof *c);
	char dir[4200];
	if (data_dir == NULL || !data_dir[0]) {
		snprintf(why, TEE_WHY_MAX, "sim: the simulation provider needs the data directory");
		return SS_ERR_INVALID;
	}
	if (snprintf(dir, sizeof dir, "%s/" TEE_SIM_DIR, data_dir) >= (int)sizeof dir) {
		snprintf(why, TEE_WHY_MAX, "sim: data directory path too long");
		return SS_ERR_INVALID;
	}
	ss_err e = SS_OK;
	if (access(dir, F_OK) != 0)
		e = create_chain(data_dir, dir, why);
	if (e == SS_OK)
		e = load_chain(dir, c, why);
	if (e != SS_OK)
		tee_sim_chain_close(c);
	return e;
}

void tee_sim_chain_close(tee_sim_chain *c)
{
	if (c->secret)
		secure_free(c->secret);
	EVP_PKEY_free(c->pck_key);
	X509_free(c->pck);
	X509_free(c->root);
	free(c->chain_pem);
	memset(c, 0, sizeof *c);
}
