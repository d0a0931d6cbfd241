// SPDX-License-Identifier: GPL-2.0
/*
 * For 'make stress'. Unlike bpftool, it loads nothing itself.
 *
 *   progstat [TYPE]
 *	Print the number of loaded BPF programs (of TYPE, if given), the sum of
 *	their verified_insns (the verifier's processed-instruction count) and
 *	the number of BPF maps.
 *
 *   progstat runs TYPE CMD [ARG...]
 *	Run CMD with BPF run statistics enabled and print "runs NAME N" for
 *	each program of TYPE that ran N times meanwhile.
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROGS 256

struct prog {
	unsigned int id;
	char name[BPF_OBJ_NAME_LEN];
	unsigned long long run_cnt;
};

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Fill @progs with the programs of @type (all if < 0); return how many. */
static int list_progs(int type, struct prog *progs, unsigned long long *insns)
{
	unsigned int id = 0;
	union bpf_attr attr;
	int n = 0;

	for (;;) {
		struct bpf_prog_info info;
		int fd;

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (bpf(BPF_PROG_GET_NEXT_ID, &attr))
			break;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = id;
		fd = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (unsigned long)&info;
		if (!bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) && (type < 0 || info.type == (unsigned int)type)) {
			if (insns)
				*insns += info.verified_insns;
			if (progs && n < MAX_PROGS) {
				progs[n].id = id;
				memcpy(progs[n].name, info.name, sizeof(progs[n].name));
				progs[n].run_cnt = info.run_cnt;
			}
			n++;
		}
		close(fd);
	}
	return n;
}

static int runs(int type, char **cmd)
{
	static struct prog before[MAX_PROGS], after[MAX_PROGS];
	int nb, na, i, j, status, stats_fd;
	union bpf_attr attr;
	pid_t pid;

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	stats_fd = bpf(BPF_ENABLE_STATS, &attr);
	if (stats_fd < 0) {
		perror("BPF_ENABLE_STATS");
		return 1;
	}
	nb = list_progs(type, before, NULL);
	pid = fork();
	if (!pid) {
		execvp(cmd[0], cmd);
		perror(cmd[0]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		perror("fork/waitpid");
		return 1;
	}
	na = list_progs(type, after, NULL);
	close(stats_fd);
	if (nb > MAX_PROGS || na > MAX_PROGS) {
		fprintf(stderr, "more than %d programs\n", MAX_PROGS);
		return 1;
	}
	for (i = 0; i < na; i++) {
		unsigned long long prev = 0;

		for (j = 0; j < nb; j++)
			if (before[j].id == after[i].id)
				prev = before[j].run_cnt;
		if (after[i].run_cnt > prev)
			printf("runs %s %llu\n", after[i].name, after[i].run_cnt - prev);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	unsigned long long insns = 0;
	unsigned int id, nmaps;
	union bpf_attr attr;
	int n;

	if (argc > 3 && !strcmp(argv[1], "runs"))
		return runs(atoi(argv[2]), argv + 3);
	if (argc > 1 && !strcmp(argv[1], "runs")) {
		fprintf(stderr, "usage: progstat [TYPE] | progstat runs TYPE CMD [ARG...]\n");
		return 2;
	}
	n = list_progs(argc > 1 ? atoi(argv[1]) : -1, NULL, &insns);
	for (id = 0, nmaps = 0;; nmaps++) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (bpf(BPF_MAP_GET_NEXT_ID, &attr))
			break;
		id = attr.next_id;
	}
	printf("%d %llu %u\n", n, insns, nmaps);
	return 0;
}
