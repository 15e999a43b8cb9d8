#include "util/hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

ss_err process_harden(void)
{
	struct rlimit none = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return SS_ERR_IO;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return SS_ERR_IO;
	return SS_OK;
}
