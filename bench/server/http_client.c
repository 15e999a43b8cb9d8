/* See http_client.h. */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_client.h"

int bench_dial(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct timeval tv = { 60, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int bench_http(uint16_t port, int *fd, const char *method, const char *path, const char *body)
{
	if (*fd < 0 && (*fd = bench_dial(port)) < 0)
		return 0;
	size_t blen = body ? strlen(body) : 0;
	char head[512];
	int hl = body ? snprintf(head, sizeof head,
				 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
				 "application/json\r\nAccept: application/json\r\nContent-Length: "
				 "%zu\r\n\r\n",
				 method, path, blen)
		      : snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
				 method, path);
	if (send(*fd, head, (size_t)hl, MSG_NOSIGNAL) != hl ||
	    (blen && send(*fd, body, blen, MSG_NOSIGNAL) != (ssize_t)blen))
		goto fail;
	static _Thread_local char buf[1 << 22];
	size_t got = 0;
	char *end = NULL;
	while (!(end = memmem(buf, got, "\r\n\r\n", 4))) {
		ssize_t n = recv(*fd, buf + got, sizeof buf - got, 0);
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	int status = 0;
	sscanf(buf, "HTTP/1.1 %d", &status);
	const char *cl = strcasestr(buf, "\r\nContent-Length:");
	size_t want = (size_t)(end + 4 - buf) + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
	while (got < want) {
		ssize_t n = recv(*fd, buf + got, sizeof buf - got < want - got ? sizeof buf - got
										 : want - got, 0);
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	return status;
fail:
	close(*fd);
	*fd = -1;
	return 0;
}
