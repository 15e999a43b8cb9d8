/* crypto/: Keccak-256, the hash Ethereum calls keccak256 (the Keccak submission with
 * the original 0x01 padding, not FIPS 202 SHA3-256's 0x06). OpenSSL offers it only from
 * 3.2 ("KECCAK-256"); Debian 12 ships 3.0, so it is written here. Commit-Boost uses it
 * for the JWT payload_hash and for ECDSA proxy addresses. Public data only. */
#ifndef SS_CRYPTO_KECCAK_H
#define SS_CRYPTO_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define KECCAK256_DIGEST_BYTES 32

/* out = keccak256(data[0..len)). */
void keccak256(uint8_t out[KECCAK256_DIGEST_BYTES], const void *data, size_t len);

/* The 20-byte Ethereum address of a secp256k1 public key: the last 20 bytes of
 * keccak256 of the 64-byte x ‖ y (the uncompressed key without its 0x04 byte). */
void keccak_eth_address(uint8_t out[20], const uint8_t pub65[65]);

#endif
