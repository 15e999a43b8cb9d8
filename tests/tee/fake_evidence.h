/* Where the report data sits in real evidence, for the fakes that patch the caller's
 * report data into a recorded quote or report (fake_tree.c's LibOS, fake_tsm_kernel.c).
 * No test runner needed: the LD_PRELOAD shim links it too. */
#ifndef SS_TESTS_TEE_FAKE_EVIDENCE_H
#define SS_TESTS_TEE_FAKE_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

/* Where the report data sits in a DCAP quote (SGX v3/v4 @368, TDX v4 @568, TDX v5 @574)
 * or an SNP report (@0x50); 0 when the format is not known. */
size_t fake_report_data_offset(const uint8_t *ev, size_t len);

#endif
