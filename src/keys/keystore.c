/* EIP-2335 keystores, version 4 (ERC-2335): parsing with a precise message for every
 * malformed field, decryption (scrypt or PBKDF2-HMAC-SHA256, SHA-256 checksum compared
 * in constant time, AES-128-CTR), and encryption for export. */
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "keys/keys_internal.h"
#include "keys/keystore.h"
#include "util/ct.h"
#include "util/hex.h"
#include "util/secure_mem.h"

#define DEFAULT_SCRYPT_N 262144u
#define DEFAULT_PBKDF2_C 262144u

/* ---- parsing ------------------------------------------------------------------- */

static json_t *member(json_t *obj, const char *key, json_type type, const char *where,
		      keys_error *err, ss_err *e)
{
	static const char *const type_names[] = { "an object", "an array", "a string",
						  "an integer", "a number", "true", "false",
						  "null" };
	json_t *v = json_object_get(obj, key);
	if (v == NULL) {
		*e = keys_fail(err, SS_ERR_INVALID, "keystore has no \"%s%s\"", where, key);
		return NULL;
	}
	if (json_typeof(v) != type) {
		*e = keys_fail(err, SS_ERR_INVALID, "keystore \"%s%s\" must be %s", where, key,
			       type_names[type]);
		return NULL;
	}
	return v;
}

static ss_err u32_member(uint32_t *out, json_t *obj, const char *key, const char *where,
			 keys_error *err)
{
	ss_err e = SS_OK;
	json_t *v = member(obj, key, JSON_INTEGER, where, err, &e);
	if (v == NULL)
		return e;
	json_int_t x = json_integer_value(v);
	if (x < 1 || x > (json_int_t)UINT32_MAX)
		return keys_fail(err, SS_ERR_INVALID, "keystore \"%s%s\" is out of range", where,
				 key);
	*out = (uint32_t)x;
	return SS_OK;
}

static ss_err hex_member(uint8_t *out, size_t len, json_t *obj, const char *key,
			 const char *where, keys_error *err)
{
	ss_err e = SS_OK;
	json_t *v = member(obj, key, JSON_STRING, where, err, &e);
	if (v == NULL)
		return e;
	const char *s = json_string_value(v);
	if (hex_decode(out, len, s, json_string_length(v), HEX_PREFIX_OPTIONAL) != SS_OK)
		return keys_fail(err, SS_ERR_INVALID, "keystore \"%s%s\" must be %zu bytes of hex",
				 where, key, len);
	return SS_OK;
}

static ss_err function_is(json_t *section, const char *where, const char *want,
			  keys_error *err)
{
	ss_err e = SS_OK;
	json_t *f = member(section, "function", JSON_STRING, where, err, &e);
	if (f == NULL)
		return e;
	if (strcmp(json_string_value(f), want) != 0)
		return keys_fail(err, SS_ERR_UNSUPPORTED,
				 "keystore \"%sfunction\" \"%.40s\" is not supported (EIP-2335 uses \"%s\")",
				 where, json_string_value(f), want);
	return SS_OK;
}

static ss_err parse_kdf(keys_keystore *ks, json_t *kdf, keys_error *err)
{
	ss_err e = SS_OK;
	json_t *fn = member(kdf, "function", JSON_STRING, "crypto.kdf.", err, &e);
	if (fn == NULL)
		return e;
	const char *name = json_string_value(fn);
	if (strcmp(name, "scrypt") == 0)
		ks->kdf = KEYS_KDF_SCRYPT;
	else if (strcmp(name, "pbkdf2") == 0)
		ks->kdf = KEYS_KDF_PBKDF2;
	else
		return keys_fail(err, SS_ERR_UNSUPPORTED,
				 "keystore kdf \"%.40s\" is not supported (EIP-2335: scrypt or pbkdf2)",
				 name);
	json_t *params = member(kdf, "params", JSON_OBJECT, "crypto.kdf.", err, &e);
	if (params == NULL)
		return e;
	uint32_t dklen = 0;
	if ((e = u32_member(&dklen, params, "dklen", "crypto.kdf.params.", err)) != SS_OK)
		return e;
	if (dklen != 32)
		return keys_fail(err, SS_ERR_UNSUPPORTED,
				 "keystore kdf dklen is %u; EIP-2335 requires 32", dklen);
	json_t *salt = member(params, "salt", JSON_STRING, "crypto.kdf.params.", err, &e);
	if (salt == NULL)
		return e;
	if (hex_decode_var(ks->salt, sizeof ks->salt, &ks->salt_len, json_string_value(salt),
			   json_string_length(salt), HEX_PREFIX_OPTIONAL) != SS_OK)
		return keys_fail(err, SS_ERR_INVALID,
				 "keystore \"crypto.kdf.params.salt\" must be hex of at most %d bytes",
				 KEYS_SALT_MAX);
	if (ks->kdf == KEYS_KDF_SCRYPT) {
		if ((e = u32_member(&ks->n, params, "n", "crypto.kdf.params.", err)) ||
		    (e = u32_member(&ks->r, params, "r", "crypto.kdf.params.", err)) ||
		    (e = u32_member(&ks->p, params, "p", "crypto.kdf.params.", err)))
			return e;
		if (ks->n < 2 || (ks->n & (ks->n - 1)) != 0)
			return keys_fail(err, SS_ERR_INVALID,
					 "keystore scrypt n is %u; it must be a power of two > 1",
					 ks->n);
		if (ks->r == 0 || ks->p == 0)
			return keys_fail(err, SS_ERR_INVALID,
					 "keystore scrypt r=%u p=%u: both must be at least 1", ks->r,
					 ks->p);
		/* docs/keys.md "Key-derivation limits": at most EIP-2335's recommended cost */
		if ((uint64_t)ks->n * ks->r > KEYS_SCRYPT_MAX_NR ||
		    (uint64_t)ks->n * ks->r * ks->p > KEYS_SCRYPT_MAX_NRP)
			return keys_fail(err, SS_ERR_UNSUPPORTED,
					 "keystore scrypt cost n=%u r=%u p=%u is above this signer's key-derivation limit (n*r <= %u, n*r*p <= %u: EIP-2335's n=262144 r=8 p=1)",
					 ks->n, ks->r, ks->p, KEYS_SCRYPT_MAX_NR, KEYS_SCRYPT_MAX_NRP);
	} else {
		if ((e = u32_member(&ks->c, params, "c", "crypto.kdf.params.", err)))
			return e;
		json_t *prf = member(params, "prf", JSON_STRING, "crypto.kdf.params.", err, &e);
		if (prf == NULL)
			return e;
		if (strcmp(json_string_value(prf), "hmac-sha256") != 0)
			return keys_fail(err, SS_ERR_UNSUPPORTED,
					 "keystore pbkdf2 prf \"%.40s\" is not supported (EIP-2335 uses \"hmac-sha256\")",
					 json_string_value(prf));
		if (ks->c == 0)
			return keys_fail(err, SS_ERR_INVALID, "keystore pbkdf2 c must be at least 1");
		if (ks->c > KEYS_PBKDF2_MAX_C)
			return keys_fail(err, SS_ERR_UNSUPPORTED,
					 "keystore pbkdf2 c=%u is above this signer's key-derivation limit %u (EIP-2335's c=262144)",
					 ks->c, KEYS_PBKDF2_MAX_C);
	}
	return SS_OK;
}

static ss_err parse_root(keys_keystore *ks, json_t *root, keys_error *err)
{
	ss_err e = SS_OK;
	if (!json_is_object(root))
		return keys_fail(err, SS_ERR_INVALID, "keystore must be a JSON object");
	json_t *version = member(root, "version", JSON_INTEGER, "", err, &e);
	if (version == NULL)
		return e;
	if (json_integer_value(version) != 4)
		return keys_fail(err, SS_ERR_UNSUPPORTED,
				 "keystore version is %lld; EIP-2335 keystores are version 4",
				 (long long)json_integer_value(version));
	json_t *crypto = member(root, "crypto", JSON_OBJECT, "", err, &e);
	if (crypto == NULL)
		return e;
	json_t *kdf = member(crypto, "kdf", JSON_OBJECT, "crypto.", err, &e);
	json_t *checksum = kdf ? member(crypto, "checksum", JSON_OBJECT, "crypto.", err, &e) : NULL;
	json_t *cipher = checksum ? member(crypto, "cipher", JSON_OBJECT, "crypto.", err, &e) : NULL;
	if (cipher == NULL)
		return e;
	if ((e = parse_kdf(ks, kdf, err)) != SS_OK)
		return e;
	if ((e = function_is(checksum, "crypto.checksum.", "sha256", err)) != SS_OK ||
	    (e = hex_member(ks->checksum, 32, checksum, "message", "crypto.checksum.", err)) != SS_OK)
		return e;
	if ((e = function_is(cipher, "crypto.cipher.", "aes-128-ctr", err)) != SS_OK)
		return e;
	json_t *cparams = member(cipher, "params", JSON_OBJECT, "crypto.cipher.", err, &e);
	if (cparams == NULL)
		return e;
	if ((e = hex_member(ks->iv, 16, cparams, "iv", "crypto.cipher.params.", err)) != SS_OK ||
	    (e = hex_member(ks->ciphertext, KEYS_SECRET_BYTES, cipher, "message", "crypto.cipher.",
			    err)) != SS_OK)
		return e;
	json_t *pk = json_object_get(root, "pubkey");
	if (pk != NULL && !(json_is_string(pk) && json_string_length(pk) == 0)) {
		if ((e = hex_member(ks->pubkey, KEYS_PUBKEY_BYTES, root, "pubkey", "", err)) != SS_OK)
			return e;
		ks->have_pubkey = true;
	}
	json_t *path = json_object_get(root, "path");
	if (path != NULL) {
		if (!json_is_string(path) || json_string_length(path) >= sizeof ks->path)
			return keys_fail(err, SS_ERR_INVALID,
					 "keystore \"path\" must be a string of at most %zu characters",
					 sizeof ks->path - 1);
		memcpy(ks->path, json_string_value(path), json_string_length(path) + 1);
	}
	return SS_OK;
}

ss_err keys_keystore_parse(keys_keystore *ks, const char *json, size_t json_len, keys_error *err)
{
	memset(ks, 0, sizeof *ks);
	json_error_t jerr;
	json_t *root = json_loadb(json, json_len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return keys_fail(err, SS_ERR_INVALID, "keystore is not valid JSON (line %d, column %d): %s",
				 jerr.line, jerr.column, jerr.text);
	ss_err e = parse_root(ks, root, err);
	json_decref(root);
	if (e != SS_OK)
		memset(ks, 0, sizeof *ks);
	return e;
}

/* ---- decryption ---------------------------------------------------------------- */

/* Secret temporaries of one decryption or encryption, in one secure block. */
typedef struct {
	uint8_t dk[32];       /* decryption key */
	uint8_t digest[32];
	uint8_t secret[KEYS_SECRET_BYTES];
	size_t pw_len;
	uint8_t pw[];         /* normalised password */
} kdf_scratch;

static kdf_scratch *scratch_new(const char *password, size_t password_len, keys_error *err,
				ss_err *e)
{
	if (password_len > KEYS_PASSWORD_MAX) {
		*e = keys_fail(err, SS_ERR_INVALID, "password is longer than %d bytes",
			       KEYS_PASSWORD_MAX);
		return NULL;
	}
	/* secure_alloc ends the block at the guard page: keep the size a multiple of 16
	 * so the struct stays aligned */
	size_t cap = (password_len * 18 + 64 + 15) & ~(size_t)15;
	kdf_scratch *s = secure_alloc(sizeof *s + cap);
	if (s == NULL) {
		*e = keys_fail(err, SS_ERR_NOMEM, "out of secure memory");
		return NULL;
	}
	ss_err ne = keys_password_normalize(s->pw, cap, &s->pw_len, password, password_len);
	if (ne != SS_OK) {
		secure_free(s);
		*e = keys_fail(err, ne, ne == SS_ERR_INVALID ? "password is not valid UTF-8"
							     : "password normalisation failed");
		return NULL;
	}
	return s;
}

static ss_err derive_key(kdf_scratch *s, const keys_keystore *ks, keys_error *err)
{
	int ok;
	if (ks->kdf == KEYS_KDF_SCRYPT) {
		/* OpenSSL needs maxmem >= 128*r*(n+2) + 128*r*p. */
		uint64_t mem = 128ull * ks->r * ((uint64_t)ks->n + 2) + 128ull * ks->r * ks->p +
			       (1u << 20);
		ok = EVP_PBE_scrypt((const char *)s->pw, s->pw_len, ks->salt, ks->salt_len, ks->n,
				    ks->r, ks->p, mem, s->dk, sizeof s->dk);
	} else {
		ok = PKCS5_PBKDF2_HMAC((const char *)s->pw, (int)s->pw_len, ks->salt,
				       (int)ks->salt_len, (int)ks->c, EVP_sha256(),
				       (int)sizeof s->dk, s->dk);
	}
	if (ok != 1)
		return keys_fail(err, SS_ERR_NOMEM, "key derivation (%s) failed: out of memory?",
				 ks->kdf == KEYS_KDF_SCRYPT ? "scrypt" : "pbkdf2");
	return SS_OK;
}

/* AES-128-CTR with key dk[0..16) (EIP-2335 "cipher"); the same call encrypts and
 * decrypts. */
static ss_err aes128ctr(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[16],
			const uint8_t iv[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;
	int ok = c != NULL && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) == 1 &&
		 EVP_EncryptUpdate(c, out, &l1, in, (int)len) == 1 &&
		 EVP_EncryptFinal_ex(c, out + l1, &l2) == 1 && (size_t)(l1 + l2) == len;
	EVP_CIPHER_CTX_free(c); /* cleanses the key schedule */
	return ok ? SS_OK : SS_ERR_CRYPTO;
}

/* EIP-2335 checksum: SHA256(decryption_key[16:32] ‖ cipher.message). */
static void checksum_of(uint8_t out[32], const uint8_t dk[32], const uint8_t *ct, size_t len)
{
	sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, dk + 16, 16);
	sha256_update(&h, ct, len);
	sha256_final(&h, out);
}

uint64_t keys_keystore_cost(const keys_keystore *ks)
{
	return ks->kdf == KEYS_KDF_SCRYPT ? (uint64_t)ks->n * ks->r * ks->p : ks->c;
}

ss_err keys_keystore_decrypt(const keys_keystore *ks, const char *password, size_t password_len,
			     uint8_t secret[KEYS_SECRET_BYTES], keys_error *err)
{
	ss_err e = SS_OK;
	kdf_scratch *s = scratch_new(password, password_len, err, &e);
	if (s == NULL) {
		secure_zero(secret, KEYS_SECRET_BYTES);
		return e;
	}
	e = derive_key(s, ks, err);
	if (e == SS_OK) {
		checksum_of(s->digest, s->dk, ks->ciphertext, sizeof ks->ciphertext);
		if (!ct_memeq(s->digest, ks->checksum, 32))
			e = keys_fail(err, SS_ERR_CRYPTO,
				      "checksum mismatch: wrong password or corrupted keystore");
	}
	if (e == SS_OK && aes128ctr(s->secret, ks->ciphertext, KEYS_SECRET_BYTES, s->dk, ks->iv) != SS_OK)
		e = keys_fail(err, SS_ERR_CRYPTO, "AES-128-CTR failed");
	if (e == SS_OK)
		memcpy(secret, s->secret, KEYS_SECRET_BYTES);
	else
		secure_zero(secret, KEYS_SECRET_BYTES);
	secure_free(s);
	return e;
}

/* EIP-2335's crypto section over a payload of any length (keys_internal.h; Prysm's
 * all-accounts wallet, prysm validator/keymanager/local: keystorev4 encryption of its
 * JSON account store). The same KDF limits, checksum and cipher as a keystore. */
#define MAX_PAYLOAD (8u << 20)

ss_err keys_keystore_decrypt_payload(const char *json, size_t json_len, const char *password,
				     size_t password_len, uint8_t **out, size_t *out_len,
				     keys_error *err)
{
	*out = NULL;
	*out_len = 0;
	json_error_t jerr;
	json_t *root = json_loadb(json, json_len, 0, &jerr);
	if (root == NULL)
		return keys_fail(err, SS_ERR_INVALID, "not valid JSON (line %d, column %d): %s",
				 jerr.line, jerr.column, jerr.text);
	keys_keystore ks;
	memset(&ks, 0, sizeof ks);
	ss_err e = SS_OK;
	json_t *crypto = json_is_object(root) ? member(root, "crypto", JSON_OBJECT, "", err, &e)
					      : NULL;
	if (crypto == NULL && e == SS_OK)
		e = keys_fail(err, SS_ERR_INVALID, "keystore must be a JSON object");
	json_t *kdf = crypto ? member(crypto, "kdf", JSON_OBJECT, "crypto.", err, &e) : NULL;
	json_t *checksum = kdf ? member(crypto, "checksum", JSON_OBJECT, "crypto.", err, &e) : NULL;
	json_t *cipher = checksum ? member(crypto, "cipher", JSON_OBJECT, "crypto.", err, &e) : NULL;
	json_t *cparams = NULL, *msg = NULL;
	if (cipher && (e = parse_kdf(&ks, kdf, err)) == SS_OK &&
	    (e = function_is(checksum, "crypto.checksum.", "sha256", err)) == SS_OK &&
	    (e = hex_member(ks.checksum, 32, checksum, "message", "crypto.checksum.", err)) == SS_OK &&
	    (e = function_is(cipher, "crypto.cipher.", "aes-128-ctr", err)) == SS_OK &&
	    (cparams = member(cipher, "params", JSON_OBJECT, "crypto.cipher.", err, &e)) != NULL &&
	    (e = hex_member(ks.iv, 16, cparams, "iv", "crypto.cipher.params.", err)) == SS_OK)
		msg = member(cipher, "message", JSON_STRING, "crypto.cipher.", err, &e);
	uint8_t *ct = NULL;
	size_t ct_len = 0;
	if (msg) {
		size_t cap = json_string_length(msg) / 2 + 1;
		ct = cap <= MAX_PAYLOAD ? malloc(cap) : NULL;
		if (ct == NULL || hex_decode_var(ct, cap, &ct_len, json_string_value(msg),
						 json_string_length(msg), HEX_PREFIX_OPTIONAL) != SS_OK ||
		    ct_len == 0)
			e = keys_fail(err, SS_ERR_INVALID,
				      "keystore \"crypto.cipher.message\" must be hex of 1..%u bytes",
				      MAX_PAYLOAD);
	}
	json_decref(root);
	kdf_scratch *s = NULL;
	if (e == SS_OK && msg)
		s = scratch_new(password, password_len, err, &e);
	if (s && (e = derive_key(s, &ks, err)) == SS_OK) {
		checksum_of(s->digest, s->dk, ct, ct_len);
		if (!ct_memeq(s->digest, ks.checksum, 32))
			e = keys_fail(err, SS_ERR_CRYPTO,
				      "checksum mismatch: wrong password or corrupted keystore");
	}
	if (s && e == SS_OK) {
		*out = secure_alloc(ct_len + 1);
		if (*out == NULL)
			e = keys_fail(err, SS_ERR_NOMEM, "out of secure memory");
		else if (aes128ctr(*out, ct, ct_len, s->dk, ks.iv) != SS_OK)
			e = keys_fail(err, SS_ERR_CRYPTO, "AES-128-CTR failed");
		if (e != SS_OK) {
			secure_free(*out);
			*out = NULL;
		} else {
			(*out)[ct_len] = 0;
			*out_len = ct_len;
		}
	}
	secure_free(s);
	free(ct);
	return e;
}

/* ---- encryption ---------------------------------------------------------------- */

static void uuid_v4(char out[37])
{
	uint8_t b[16];
	if (RAND_bytes(b, sizeof b) != 1)
		memset(b, 0, sizeof b); /* unreachable with a seeded DRBG; uuid is not secret */
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10 */
	char h[33];
	hex_encode(h, b, 16, false);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

static json_t *hexstr(const uint8_t *p, size_t n)
{
	char buf[2 * KEYS_SALT_MAX + 1];
	hex_encode(buf, p, n, false);
	return json_string(buf);
}

ss_err keys_keystore_encrypt(char **json_out, const uint8_t secret[KEYS_SECRET_BYTES],
			     const uint8_t pubkey[KEYS_PUBKEY_BYTES], const char *path,
			     const char *password, size_t password_len,
			     const keys_kdf_params *kdf, keys_error *err)
{
	*json_out = NULL;
	keys_keystore ks;
	memset(&ks, 0, sizeof ks);
	keys_kdf_params def = { false, 0, 0 };
	if (kdf == NULL)
		kdf = &def;
	ks.kdf = kdf->pbkdf2 ? KEYS_KDF_PBKDF2 : KEYS_KDF_SCRYPT;
	ks.n = kdf->scrypt_n ? kdf->scrypt_n : DEFAULT_SCRYPT_N;
	ks.r = 8;
	ks.p = 1;
	ks.c = kdf->pbkdf2_c ? kdf->pbkdf2_c : DEFAULT_PBKDF2_C;
	if (ks.n < 2 || (ks.n & (ks.n - 1)) != 0 || (uint64_t)ks.n * ks.r > KEYS_SCRYPT_MAX_NR ||
	    ks.c > KEYS_PBKDF2_MAX_C)
		return keys_fail(err, SS_ERR_INVALID, "unsupported KDF parameters");
	ks.salt_len = 32;
	if (RAND_bytes(ks.salt, 32) != 1 || RAND_bytes(ks.iv, 16) != 1)
		return keys_fail(err, SS_ERR_CRYPTO, "random number generator failed");
	ss_err e = SS_OK;
	kdf_scratch *s = scratch_new(password, password_len, err, &e);
	if (s == NULL)
		return e;
	if ((e = derive_key(s, &ks, err)) == SS_OK &&
	    aes128ctr(ks.ciphertext, secret, KEYS_SECRET_BYTES, s->dk, ks.iv) != SS_OK)
		e = keys_fail(err, SS_ERR_CRYPTO, "AES-128-CTR failed");
	if (e == SS_OK)
		checksum_of(ks.checksum, s->dk, ks.ciphertext, sizeof ks.ciphertext);
	secure_free(s);
	if (e != SS_OK)
		return e;

	json_t *params = ks.kdf == KEYS_KDF_SCRYPT
				 ? json_pack("{s:i, s:I, s:i, s:i, s:o}", "dklen", 32, "n",
					     (json_int_t)ks.n, "r", (int)ks.r, "p", (int)ks.p, "salt",
					     hexstr(ks.salt, ks.salt_len))
				 : json_pack("{s:i, s:I, s:s, s:o}", "dklen", 32, "c", (json_int_t)ks.c,
					     "prf", "hmac-sha256", "salt", hexstr(ks.salt, ks.salt_len));
	char uuid[37];
	uuid_v4(uuid);
	json_t *root = json_pack(
		"{s:{s:{s:s, s:o, s:s}, s:{s:s, s:{}, s:o}, s:{s:s, s:{s:o}, s:o}}, s:s, s:o, s:s, s:s, s:i}",
		"crypto", "kdf", "function", ks.kdf == KEYS_KDF_SCRYPT ? "scrypt" : "pbkdf2",
		"params", params, "message", "", "checksum", "function", "sha256", "params",
		"message", hexstr(ks.checksum, 32), "cipher", "function", "aes-128-ctr", "params",
		"iv", hexstr(ks.iv, 16), "message", hexstr(ks.ciphertext, KEYS_SECRET_BYTES),
		"description", "", "pubkey", hexstr(pubkey, KEYS_PUBKEY_BYTES), "path",
		path ? path : "", "uuid", uuid, "version", 4);
	if (root == NULL)
		return keys_fail(err, SS_ERR_NOMEM, "out of memory building the keystore");
	*json_out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return *json_out ? SS_OK : keys_fail(err, SS_ERR_NOMEM, "out of memory");
}
