/* keys/prysm.c keys_prysm_payload: the decrypted account store of a Prysm wallet, read
 * by hand. A store as Go writes it (padded standard base64) gives its keys; a string
 * that is not exactly that is refused, including the forms OpenSSL's EVP_DecodeBlock,
 * which the reader used before util/base64, let through: '=' inside the digits, and
 * white space around them. */
#include <stdlib.h>

#include "keys/keys_internal.h"
#include "test.h"
#include "util/base64.h"
#include "util/secure_mem.h"

/* {"private_keys":[sk],"public_keys":[pk]} with the base64 of 0x01.. (32 bytes) and
 * 0x41.. (48 bytes); sk_text replaces the private key's base64 when not NULL. */
static void store(char *out, size_t cap, const char *sk_text)
{
	uint8_t sk[32], pk[48];
	for (size_t i = 0; i < sizeof sk; i++)
		sk[i] = (uint8_t)(1 + i);
	for (size_t i = 0; i < sizeof pk; i++)
		pk[i] = (uint8_t)(0x41 + i);
	char sk64[BASE64_ENCODED_LEN(32) + 1], pk64[BASE64_ENCODED_LEN(48) + 1];
	base64_encode(sk64, sk, sizeof sk);
	base64_encode(pk64, pk, sizeof pk);
	snprintf(out, cap, "{\"private_keys\": [\"%s\"], \"public_keys\": [\"%s\"]}",
		 sk_text ? sk_text : sk64, pk64);
}

static ss_err read_store(const char *text, uint8_t *first_sk, uint8_t *first_pk)
{
	uint8_t *sk = NULL;
	uint8_t(*pk)[KEYS_PUBKEY_BYTES] = NULL;
	size_t n = 0;
	keys_error err = { "" };
	ss_err e = keys_prysm_payload(text, strlen(text), &sk, &pk, &n, &err);
	if (e == SS_OK) {
		CHECK_EQ_U64(n, 1);
		memcpy(first_sk, sk, KEYS_SECRET_BYTES);
		memcpy(first_pk, pk[0], KEYS_PUBKEY_BYTES);
	} else {
		CHECK(sk == NULL && pk == NULL && err.msg[0] != '\0');
	}
	secure_free(sk);
	free(pk);
	return e;
}

TEST(prysm_store_as_go_writes_it)
{
	char text[300];
	uint8_t sk[32], pk[48];
	store(text, sizeof text, NULL);
	CHECK_MSG(read_store(text, sk, pk) == SS_OK, "%s", text);
	CHECK(sk[0] == 1 && sk[31] == 32 && pk[0] == 0x41 && pk[47] == 0x41 + 47);
	/* the same key as Go's base64, written out: AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA= */
	store(text, sizeof text, "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=");
	CHECK(read_store(text, sk, pk) == SS_OK && sk[31] == 32);
}

TEST(prysm_store_refuses_what_is_not_padded_base64)
{
	static const char *const bad[] = {
		"",
		"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",	      /* padding missing */
		"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==",       /* 31 bytes */
		"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh",       /* 33 bytes */
		"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA-",       /* base64url digit */
		/* accepted by EVP_DecodeBlock as the 32-byte key, before util/base64: */
		"A=IDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",       /* '=' inside */
		"    AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",   /* leading blanks */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[300];
		uint8_t sk[32], pk[48];
		store(text, sizeof text, bad[i]);
		CHECK_MSG(read_store(text, sk, pk) == SS_ERR_INVALID, "accepted: %s", text);
	}
}
