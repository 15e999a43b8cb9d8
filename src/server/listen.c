/* The listening socket (listen.h). SO_REUSEADDR only: it lets a restarted signer bind
 * while old connections sit in TIME_WAIT, but, unlike SO_REUSEPORT (which
 * libmicrohttpd's MHD_OPTION_LISTENING_ADDRESS_REUSE sets), never lets a second
 * listener bind the same port, where the kernel would share the connections between
 * two signers with different keys and slashing databases. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/listen.h"
#include "util/log.h"

ss_err http_listen_open(const char *name, const char *host, uint16_t port, int *fd,
			uint16_t *bound_port)
{
	if (strcmp(host, "localhost") == 0) /* the one name taken besides literals */
		host = "127.0.0.1";
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int family;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = family = AF_INET;
		v4->sin_port = htons(port);
		len = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = family = AF_INET6;
		v6->sin6_port = htons(port);
		len = sizeof *v6;
	} else {
		log_error("%s: listen host '%s' is not an IPv4 or IPv6 address", name, host);
		return SS_ERR_INVALID;
	}
	const char *lb = family == AF_INET6 ? "[" : "", *rb = family == AF_INET6 ? "]" : "";
	int s = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0) {
		log_error("%s: cannot create a socket for %s%s%s:%u: %s", name, lb, host, rb, port,
			  strerror(errno));
		return SS_ERR_IO;
	}
	int one = 1;
	(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* "::" listens on IPv6 only, as libmicrohttpd's MHD_USE_IPv6 did before. */
	if (family == AF_INET6)
		(void)setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&ss, len) != 0) {
		int e = errno;
		log_error("%s: cannot listen on %s%s%s:%u: %s%s", name, lb, host, rb, port,
			  strerror(e),
			  e == EADDRINUSE ? " (another process, perhaps another signer, has this "
					    "port; stop it or choose another port)" : "");
		close(s);
		return SS_ERR_IO;
	}
	if (listen(s, SOMAXCONN) != 0) {
		log_error("%s: cannot listen on %s%s%s:%u: %s", name, lb, host, rb, port,
			  strerror(errno));
		close(s);
		return SS_ERR_IO;
	}
	struct sockaddr_storage got;
	socklen_t gl = sizeof got;
	*bound_port = port;
	if (getsockname(s, (struct sockaddr *)&got, &gl) == 0)
		*bound_port = ntohs(got.ss_family == AF_INET6
					    ? ((struct sockaddr_in6 *)&got)->sin6_port
					    : ((struct sockaddr_in *)&got)->sin_port);
	*fd = s;
	return SS_OK;
}

ss_err http_listen_check(const char *name, const char *host, uint16_t port)
{
	int fd;
	uint16_t bound;
	ss_err e = http_listen_open(name, host, port, &fd, &bound);
	if (e == SS_OK)
		close(fd);
	return e;
}
