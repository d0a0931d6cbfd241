// SPDX-License-Identifier: GPL-2.0
/*
 * Print the number of loaded BPF programs, the sum of their verified_insns
 * (the verifier's processed-instruction count) and the number of BPF maps,
 * for 'make bench' and 'make stress'. Only programs of the given type, if
 * one is given. Unlike bpftool, it loads nothing itself.
 *   progstat [TYPE]
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char **argv)
{
	unsigned long long insns = 0;
	int type = argc > 1 ? atoi(argv[1]) : -1;
	unsigned int id = 0, n = 0, nmaps;
	union bpf_attr attr;

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
			insns += info.verified_insns;
			n++;
		}
		close(fd);
	}
	for (id = 0, nmaps = 0;; nmaps++) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (bpf(BPF_MAP_GET_NEXT_ID, &attr))
			break;
		id = attr.next_id;
	}
	printf("%u %llu %u\n", n, insns, nmaps);
	return 0;
}
