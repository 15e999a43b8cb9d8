/* Names the calling thread (at most 15 characters), so that `top -H`, `ps -L` and
 * /proc/PID/task/TID/comm show which part of the signer a thread is: operators and
 * bench/server's CPU accounting read it. Best effort: a failure changes nothing else. */
#ifndef SS_UTIL_THREAD_NAME_H
#define SS_UTIL_THREAD_NAME_H

void thread_name_set(const char *name);

#endif
