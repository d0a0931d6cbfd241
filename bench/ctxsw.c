// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler hot-path workloads for 'make bench'. Run in a guest whose clock
 * counts instructions (QEMU -icount shift=0), so that the elapsed guest
 * nanoseconds are the guest instructions executed.
 *
 *   ctxsw pipe N       two processes ping-pong a byte N times
 *   ctxsw fanout N K   one process wakes K others N times, they all block again
 *   ctxsw yield N      two processes call sched_yield() N times each
 *
 * Prints "<workload> <ops> <elapsed ns> <ns per op>", where an op is a
 * context switch (pipe, yield) or a wake-up (fanout).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void xpipe(int fd[2])
{
	if (pipe(fd)) {
		perror("pipe");
		exit(1);
	}
}

static void xread(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1) {
		perror("read");
		exit(1);
	}
}

static void xwrite(int fd)
{
	if (write(fd, "x", 1) != 1) {
		perror("write");
		exit(1);
	}
}

static void report(const char *name, unsigned long long ops, unsigned long long ns)
{
	printf("%s %llu %llu %.1f\n", name, ops, ns, (double)ns / ops);
}

static void pipe_pingpong(long n)
{
	int a[2], b[2];
	unsigned long long t0;
	long i;

	xpipe(a);
	xpipe(b);
	if (!fork()) {
		for (i = 0; i < n; i++) {
			xread(a[0]);
			xwrite(b[1]);
		}
		exit(0);
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		xwrite(a[1]);
		xread(b[0]);
	}
	report("pipe", 2 * n, now() - t0);
	wait(NULL);
}

static void fanout(long n, int k)
{
	int done[2], (*go)[2] = calloc(k, sizeof(*go));
	unsigned long long t0;
	long i;
	int j;

	xpipe(done);
	for (j = 0; j < k; j++) {
		xpipe(go[j]);
		if (!fork()) {
			for (i = 0; i < n; i++) {
				xread(go[j][0]);
				xwrite(done[1]);
			}
			exit(0);
		}
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		for (j = 0; j < k; j++)
			xwrite(go[j][1]);
		for (j = 0; j < k; j++)
			xread(done[0]);
	}
	report("fanout", (unsigned long long)n * k, now() - t0);
	for (j = 0; j < k; j++)
		wait(NULL);
	free(go);
}

static void yield_loop(long n)
{
	unsigned long long t0;
	int sync[2];
	long i;

	xpipe(sync);
	if (!fork()) {
		xwrite(sync[1]);
		for (i = 0; i < n; i++)
			sched_yield();
		exit(0);
	}
	xread(sync[0]);
	t0 = now();
	for (i = 0; i < n; i++)
		sched_yield();
	report("yield", 2 * n, now() - t0);
	wait(NULL);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "pipe"))
		pipe_pingpong(atol(argv[2]));
	else if (argc >= 4 && !strcmp(argv[1], "fanout"))
		fanout(atol(argv[2]), atoi(argv[3]));
	else if (argc >= 3 && !strcmp(argv[1], "yield"))
		yield_loop(atol(argv[2]));
	else {
		fprintf(stderr, "usage: ctxsw pipe N | fanout N K | yield N\n");
		return 2;
	}
	return 0;
}
