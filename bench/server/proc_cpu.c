/* proc_cpu.h. schedstat's first two fields are the thread's time on a CPU and its time
 * runnable on a run queue, in nanoseconds (Documentation/scheduler/sched-stats.rst);
 * /proc/stat counts in USER_HZ ticks. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "proc_cpu.h"

static size_t group_of(proc_cpu *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return i;
	if (c->n == PROC_CPU_GROUPS)
		return PROC_CPU_GROUPS - 1; /* the last group takes the overflow */
	snprintf(c->name[c->n], sizeof c->name[c->n], "%s", name);
	return c->n++;
}

static void sample_threads(proc_cpu *c, pid_t pid)
{
	char path[128];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char name[32] = "?";
		unsigned long long run = 0, wait = 0, slices = 0;
		snprintf(path, sizeof path, "/proc/%d/task/%.16s/comm", (int)pid, e->d_name);
		FILE *f = fopen(path, "r");
		if (f) {
			if (fgets(name, sizeof name, f))
				name[strcspn(name, "\n")] = '\0';
			fclose(f);
		}
		snprintf(path, sizeof path, "/proc/%d/task/%.16s/schedstat", (int)pid, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		int n = fscanf(f, "%llu %llu %llu", &run, &wait, &slices);
		fclose(f);
		if (n != 3)
			continue;
		size_t g = group_of(c, name);
		c->run_s[g] += (double)run / 1e9;
		c->wait_s[g] += (double)wait / 1e9;
		c->slices[g] += (double)slices;
	}
	closedir(d);
}

static void sample_machine(proc_cpu *c)
{
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return;
	unsigned long long v[10] = { 0 };
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 8)
		return;
	double hz = (double)sysconf(_SC_CLK_TCK);
	/* user nice system idle iowait irq softirq steal (guest is inside user) */
	c->machine_idle_s = (double)(v[3] + v[4]) / hz;
	c->machine_busy_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
}

void proc_cpu_sample(proc_cpu *out, pid_t pid)
{
	memset(out, 0, sizeof *out);
	sample_threads(out, pid);
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		out->self_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	sample_machine(out);
}

/* The group named name in c, or NULL. */
static const proc_cpu *has_group(const proc_cpu *c, const char *name, size_t *at)
{
	for (size_t j = 0; j < c->n; j++)
		if (strcmp(c->name[j], name) == 0) {
			*at = j;
			return c;
		}
	return NULL;
}

void proc_cpu_accumulate(proc_cpu *total, const proc_cpu *after, const proc_cpu *before)
{
	for (size_t i = 0; i < after->n; i++) {
		size_t g = group_of(total, after->name[i]), j;
		const proc_cpu *b = has_group(before, after->name[i], &j);
		total->run_s[g] += after->run_s[i] - (b ? b->run_s[j] : 0);
		total->wait_s[g] += after->wait_s[i] - (b ? b->wait_s[j] : 0);
		total->slices[g] += after->slices[i] - (b ? b->slices[j] : 0);
	}
	total->self_s += after->self_s - before->self_s;
	total->machine_busy_s += after->machine_busy_s - before->machine_busy_s;
	total->machine_idle_s += after->machine_idle_s - before->machine_idle_s;
}

void proc_cpu_print(const proc_cpu *t, double n, const char *server)
{
	double total = 0;
	printf("  per request, %s threads by name: us on a CPU / us waiting for one / times "
	       "scheduled in:",
	       server);
	for (size_t i = 0; i < t->n; i++) {
		total += t->run_s[i];
		if (t->run_s[i] <= 0)
			continue;
		printf(" %s %.1f/%.1f/%.2f;", t->name[i], 1e6 * t->run_s[i] / n,
		       1e6 * t->wait_s[i] / n, t->slices[i] / n);
	}
	printf("\n  %s total %.1f, load generator %.1f, machine busy %.1f, idle %.1f "
	       "(%ld CPUs)\n",
	       server, 1e6 * total / n, 1e6 * t->self_s / n, 1e6 * t->machine_busy_s / n,
	       1e6 * t->machine_idle_s / n, sysconf(_SC_NPROCESSORS_ONLN));
}
