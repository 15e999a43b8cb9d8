/* Web3Signer signing-request bodies for the end-to-end tests (mainnet, Electra fork). */
#ifndef SS_TEST_SIGN_BODIES_H
#define SS_TEST_SIGN_BODIES_H

#include <stddef.h>

/* Mainnet's genesis validators root (the signer refuses any other on mainnet), and a
 * fork_info member carrying it. */
extern const char SB_GVR[];
extern const char SB_FORK[];

/* An ATTESTATION with the given source and target epochs; root_byte varies its beacon
 * block root (and so its signing root). */
void sb_attestation(char *out, size_t cap, unsigned long source, unsigned long target,
		    unsigned root_byte);

/* A BLOCK_V2 (Electra header) at slot; root_byte varies its parent root. */
void sb_block(char *out, size_t cap, unsigned long slot, unsigned root_byte);

/* An AGGREGATION_SLOT for slot (never slashable). */
void sb_aggregation_slot(char *out, size_t cap, unsigned long slot);

#endif
