/* The Keymanager API token (spec/keymanager/keymanager-oapi.yaml: "a token of at least
 * 256 bits ... written to a file, to be reused across multiple restarts"): 32 random
 * bytes as 64 hex digits, created with mode 0600 on first start. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/token.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/random.h"
#include "util/secure_mem.h"

ss_err api_token_load_or_create(const char *path, char token[API_TOKEN_MAX + 1])
{
	token[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		ssize_t n = read(fd, token, API_TOKEN_MAX);
		close(fd);
		if (n <= 0) {
			log_error("keymanager token file %s is empty or unreadable", path);
			return SS_ERR_IO;
		}
		token[n] = '\0';
		token[strcspn(token, "\r\n")] = '\0';
		if (strlen(token) < 32) {
			log_error("keymanager token in %s is shorter than 32 characters", path);
			return SS_ERR_INVALID;
		}
		log_info("keymanager API token read from %s", path);
		return SS_OK;
	}
	if (errno != ENOENT) {
		log_error("cannot open the keymanager token file %s: %s", path, strerror(errno));
		return SS_ERR_IO;
	}
	uint8_t raw[32];
	if (random_bytes(raw, sizeof raw) != SS_OK)
		return SS_ERR_IO;
	hex_encode(token, raw, sizeof raw, false);
	secure_zero(raw, sizeof raw);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_error("cannot create the keymanager token file %s: %s", path, strerror(errno));
		return SS_ERR_IO;
	}
	size_t len = strlen(token);
	bool ok = write(fd, token, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
		  fsync(fd) == 0;
	close(fd);
	if (!ok) {
		unlink(path);
		return SS_ERR_IO;
	}
	log_info("keymanager API token written to %s (mode 0600)", path);
	return SS_OK;
}
