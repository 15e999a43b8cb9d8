/* The network checks of a signing request, before anything is recorded or signed
 * (DESIGN.md §6: "a genesis validators root other than the network's, or a far-future
 * slot or epoch is refused, whatever Web3Signer does"). Internal to signer/. */
#ifndef SS_SIGNER_NETWORK_GUARD_H
#define SS_SIGNER_NETWORK_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth2/eth2.h"
#include "signer/signer.h"

/* false (message in msg) when the request names a genesis validators root other than
 * the configured network's. Requests without fork_info (DEPOSIT,
 * VALIDATOR_REGISTRATION) pass: their domains use no root. */
bool signer_guard_gvr(const signer_config *cfg, const eth2_signing_request *rq, char *msg,
		      size_t cap);

/* false (message in msg) when a BLOCK/BLOCK_V2 slot or an ATTESTATION source or target
 * epoch lies more than cfg->future_epoch_tolerance epochs after the epoch of the wall
 * clock now_unix. Other types pass. */
bool signer_guard_future(const signer_config *cfg, const eth2_signing_request *rq,
			 uint64_t now_unix, char *msg, size_t cap);

#endif
