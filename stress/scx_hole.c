// SPDX-License-Identifier: GPL-2.0
/*
 * scx_hole [SECONDS]: load and attach scx_hole.bpf.c, print a line a second
 * for SECONDS (default 30) while it stays attached, then detach. Exits 2 if
 * the kernel refuses it at load, 1 if the scheduler exits on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <scx/common.h>
#include "scx_hole.bpf.skel.h"

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 30, i;
	struct scx_hole *skel;
	struct bpf_link *link;

	skel = SCX_OPS_OPEN(hole_ops, scx_hole);
	UEI_SET_SIZE(skel, hole_ops, uei);
	if (scx_hole__load(skel)) {
		printf("scx_hole: refused at load\n");
		return 2;
	}
	link = SCX_OPS_ATTACH(skel, hole_ops, scx_hole);
	printf("scx_hole: attached\n");
	fflush(stdout);
	for (i = 0; i < secs && !UEI_EXITED(skel, uei); i++) {
		printf("scx_hole: %ds timer runs %llu, moved %llu\n", i,
		       (unsigned long long)skel->bss->nr_timer,
		       (unsigned long long)skel->bss->nr_moved);
		fflush(stdout);
		sleep(1);
	}
	i = UEI_EXITED(skel, uei);
	bpf_link__destroy(link);
	UEI_REPORT(skel, uei);
	scx_hole__destroy(skel);
	return i ? 1 : 0;
}
