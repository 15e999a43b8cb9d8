/* Web3Signer's config-file shape (reference/web3signer.md §4.3), read once for both
 * `run --config-file` and the Web3Signer command line: one flat YAML mapping of
 * option: value, where a list value becomes a comma list. */
#ifndef SS_CLI_YAML_FLAT_H
#define SS_CLI_YAML_FLAT_H

#include <stdbool.h>

/* Called for each key: value (is_list when value was a YAML list, joined by commas).
 * Returns false to stop, after printing why. */
typedef bool (*cli_yaml_flat_fn)(const char *key, const char *value, bool is_list, void *ctx);

/* Reads path and calls fn for each entry in order. False after a message on stderr
 * (prefixed with prog) when the file cannot be read, is not a flat mapping, or fn
 * stopped. */
bool cli_yaml_flat_read(const char *path, const char *prog, cli_yaml_flat_fn fn, void *ctx);

#endif
