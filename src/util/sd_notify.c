/* sd_notify.h: one datagram to $NOTIFY_SOCKET. */
#include "util/sd_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

bool sd_notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path) {
		errno = 0;
		return false;
	}
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	size_t len = strlen(path);
	/* sd_notify(3): "@" names an abstract socket (a leading NUL byte), anything else
	 * must be an absolute path; no other forms (vsock) are needed here. */
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof sa.sun_path) {
		errno = EINVAL;
		return false;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(state);
}
