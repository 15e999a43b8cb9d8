#include <stdio.h>

#include "sign_bodies.h"

const char SB_GVR[] = "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95";
const char SB_FORK[] =
	"\"fork_info\":{\"fork\":{\"previous_version\":\"0x04000000\","
	"\"current_version\":\"0x05000000\",\"epoch\":\"364032\"},"
	"\"genesis_validators_root\":\"0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95\"}";

void sb_attestation(char *out, size_t cap, unsigned long source, unsigned long target,
		    unsigned root_byte)
{
	snprintf(out, cap,
		 "{\"type\":\"ATTESTATION\",%s,\"attestation\":{\"slot\":\"%lu\",\"index\":\"0\","
		 "\"beacon_block_root\":\"0x%064x\",\"source\":{\"epoch\":\"%lu\",\"root\":"
		 "\"0x%064x\"},\"target\":{\"epoch\":\"%lu\",\"root\":\"0x%064x\"}}}",
		 SB_FORK, target * 32, root_byte, source, 0u, target, 0u);
}

void sb_block(char *out, size_t cap, unsigned long slot, unsigned root_byte)
{
	snprintf(out, cap,
		 "{\"type\":\"BLOCK_V2\",%s,\"beacon_block\":{\"version\":\"ELECTRA\","
		 "\"block_header\":{\"slot\":\"%lu\",\"proposer_index\":\"7\",\"parent_root\":"
		 "\"0x%064x\",\"state_root\":\"0x%064x\",\"body_root\":\"0x%064x\"}}}",
		 SB_FORK, slot, root_byte, 2u, 3u);
}

void sb_aggregation_slot(char *out, size_t cap, unsigned long slot)
{
	snprintf(out, cap,
		 "{\"type\":\"AGGREGATION_SLOT\",%s,\"aggregation_slot\":{\"slot\":\"%lu\"}}",
		 SB_FORK, slot);
}
