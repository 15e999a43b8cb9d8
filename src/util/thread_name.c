#define _GNU_SOURCE /* pthread_setname_np */
#include <pthread.h>
#include <string.h>

#include "util/thread_name.h"

void thread_name_set(const char *name)
{
	char n[16]; /* Linux's TASK_COMM_LEN, with its NUL */
	strncpy(n, name, sizeof n - 1);
	n[sizeof n - 1] = '\0';
	(void)pthread_setname_np(pthread_self(), n);
}
