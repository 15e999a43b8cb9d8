/* Where the CPU went during a benchmark row: per-thread CPU time of a process, grouped by
 * thread name (/proc/PID/task/TID/comm and schedstat, nanoseconds), the benchmark's own
 * CPU time, and the machine's busy and idle time (/proc/stat). Linux only; a group that
 * cannot be read is simply absent. */
#ifndef SS_BENCH_PROC_CPU_H
#define SS_BENCH_PROC_CPU_H

#include <stddef.h>
#include <sys/types.h>

#define PROC_CPU_GROUPS 16

typedef struct {
	char name[PROC_CPU_GROUPS][17];
	double run_s[PROC_CPU_GROUPS];	/* on a CPU */
	double wait_s[PROC_CPU_GROUPS]; /* runnable, waiting for a CPU */
	double slices[PROC_CPU_GROUPS]; /* times scheduled onto a CPU */
	size_t n;
	double self_s;	      /* this process (the load generator), user + system */
	double machine_busy_s; /* all CPUs: everything but idle and iowait */
	double machine_idle_s; /* all CPUs: idle + iowait */
} proc_cpu;

/* Samples process pid's threads, this process and the machine. */
void proc_cpu_sample(proc_cpu *out, pid_t pid);

/* total += after - before, group by group (a group absent before counts from zero). */
void proc_cpu_accumulate(proc_cpu *total, const proc_cpu *after, const proc_cpu *before);

/* Prints total as microseconds per request over n requests; server names the sampled
 * process ("signer"). */
void proc_cpu_print(const proc_cpu *total, double n, const char *server);

#endif
