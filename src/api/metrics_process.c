/* The standard process metrics of Prometheus client libraries (process_cpu_seconds_total,
 * process_resident_memory_bytes, process_open_fds, process_max_fds,
 * process_start_time_seconds: "Process metrics" of the Prometheus client guidelines),
 * read from /proc as the Go and Java clients read them. Web3Signer exports them through
 * Besu's metrics library and its Grafana dashboard's CPU and memory panels query them. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api/api_internal.h"

/* proc(5) /proc/[pid]/stat: fields after the ")" that ends the command name, which may
 * itself hold spaces and parentheses. */
static bool read_self_stat(api_process_stats *out, unsigned long long *start_ticks)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return false;
	unsigned long utime, stime;
	long rss;
	/* fields 3..24: state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime
	 * vsize rss */
	if (sscanf(p + 1,
		   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d "
		   "%llu %*u %ld",
		   &utime, &stime, start_ticks, &rss) != 4)
		return false;
	long hz = sysconf(_SC_CLK_TCK);
	long page = sysconf(_SC_PAGESIZE);
	if (hz <= 0 || page <= 0)
		return false;
	out->cpu_seconds = (double)(utime + stime) / (double)hz;
	out->resident_bytes = rss > 0 ? (uint64_t)rss * (uint64_t)page : 0;
	out->start_time_seconds = (double)*start_ticks / (double)hz; /* since boot, for now */
	return true;
}

/* proc(5) /proc/stat "btime": the boot time in seconds since the epoch. */
static bool read_boot_time(unsigned long long *btime)
{
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return false;
	char line[256];
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		found = sscanf(line, "btime %llu", btime) == 1;
	fclose(f);
	return found;
}

static bool count_open_fds(uint64_t *n)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return false;
	uint64_t c = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			c++;
	closedir(d);
	*n = c > 0 ? c - 1 : 0; /* not the descriptor opendir holds */
	return true;
}

bool api_process_stats_read(api_process_stats *out)
{
	memset(out, 0, sizeof *out);
	unsigned long long start_ticks = 0, btime = 0;
	if (!read_self_stat(out, &start_ticks) || !read_boot_time(&btime) ||
	    !count_open_fds(&out->open_fds))
		return false;
	out->start_time_seconds += (double)btime;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return false;
	out->max_fds = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	return true;
}
