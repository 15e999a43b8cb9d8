/* The Keymanager API bearer token file. */
#ifndef SS_API_TOKEN_H
#define SS_API_TOKEN_H

#include "util/error.h"

#define API_TOKEN_MAX 256

/* Reads the token (first line) from path, or creates path (mode 0600) with a fresh
 * 256-bit token when it does not exist. The path is logged, the token never. */
ss_err api_token_load_or_create(const char *path, char token[API_TOKEN_MAX + 1]) SS_MUST_USE;

#endif
