/* systemd's readiness protocol (sd_notify(3)), without libsystemd: a service of
 * Type=notify tells the service manager it is ready by sending "READY=1" as one datagram
 * to the Unix socket named in $NOTIFY_SOCKET, and "STOPPING=1" when it begins to stop.
 * The protocol is specified in systemd's sd_notify(3) and "Service readiness" docs: the
 * address is a filesystem path, or an abstract socket when it starts with '@'. */
#ifndef SS_UTIL_SD_NOTIFY_H
#define SS_UTIL_SD_NOTIFY_H

#include <stdbool.h>

/* Sends state (newline-separated VAR=value assignments) to $NOTIFY_SOCKET. Returns
 * true when sent, false when $NOTIFY_SOCKET is unset (not run by systemd: nothing to do)
 * or the datagram could not be sent; errno tells which (0 when unset). */
bool sd_notify_send(const char *state);

#endif
