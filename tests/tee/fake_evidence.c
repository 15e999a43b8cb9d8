/* Where the report data sits in real evidence (fake_evidence.h). */
#include "fake_evidence.h"

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

size_t fake_report_data_offset(const uint8_t *ev, size_t len)
{
	if (len == 0x4A0)
		return 0x50; /* SNP report (tee.md §d) */
	if (len < 48)
		return 0;
	uint16_t version = le16(ev);
	uint32_t tee_type = (uint32_t)le16(ev + 4) | (uint32_t)le16(ev + 6) << 16;
	if (version == 3 || (version == 4 && tee_type == 0))
		return 48 + 320; /* SGX report body (tee.md §e) */
	if (version == 4)
		return 48 + 520; /* TD 1.0 body */
	if (version == 5)
		return 54 + 520; /* v5: body type and size, then a TD 1.0/1.5 body */
	return 0;
}
