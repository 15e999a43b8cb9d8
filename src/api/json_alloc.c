/* Jansson's allocator, wiping every block it frees: Keymanager imports carry keystore
 * passwords as JSON strings, and jansson copies them into its own blocks, which would
 * otherwise go back to the heap with the password still in them (CONVENTIONS.md
 * "Secrets"). The cost is a memset per freed JSON block, small next to a signature. */
#include <malloc.h>
#include <stdlib.h>

#include <jansson.h>

#include "api/api.h"
#include "util/secure_mem.h"

static void *json_alloc(size_t n) { return malloc(n); }

static void json_release(void *p)
{
	if (!p)
		return;
	secure_zero(p, malloc_usable_size(p));
	free(p);
}

void api_json_wipe_on_free(void) { json_set_alloc_funcs(json_alloc, json_release); }
