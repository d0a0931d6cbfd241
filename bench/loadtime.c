// SPDX-License-Identifier: GPL-2.0
/*
 * loadtime ROUNDS OBJ...: load each BPF object ROUNDS times with libbpf, without
 * attaching it, and print per object
 *
 *   loadtime <object> <min ns> <median ns> <max ns> <verified insns>
 *
 * The time is that of bpf_object__load() alone (BTF, maps, verification of
 * every program), so it does not depend on how fast user space notices that
 * a scheduler is enabled. Under QEMU -icount shift=0 a guest nanosecond is one
 * guest instruction. Verified instructions are the sum of
 * bpf_prog_info.verified_insns over the object's programs.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* Load @path once; returns the load time in ns, or -1. */
static long long load_once(const char *path, unsigned long long *vinsns)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	long long t0, t1;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "%s: open: %s\n", path, strerror(errno));
		return -1;
	}
	t0 = now_ns();
	err = bpf_object__load(obj);
	t1 = now_ns();
	if (err) {
		fprintf(stderr, "%s: load: %s\n", path, strerror(-err));
		bpf_object__close(obj);
		return -1;
	}
	*vinsns = 0;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_program__fd(prog) < 0)
			continue;
		if (!bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			*vinsns += info.verified_insns;
	}
	bpf_object__close(obj);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	int rounds, i, r, bad = 0;

	if (argc < 3 || (rounds = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: %s ROUNDS OBJ...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(silent);
	for (i = 2; i < argc; i++) {
		long long *t = calloc(rounds, sizeof(*t));
		unsigned long long vi = 0;
		const char *name = strrchr(argv[i], '/');

		if (!t)
			return 1;
		for (r = 0; r < rounds; r++) {
			t[r] = load_once(argv[i], &vi);
			if (t[r] < 0)
				break;
		}
		if (r < rounds) {
			printf("loadtime %s failed\n", name ? name + 1 : argv[i]);
			bad = 1;
		} else {
			qsort(t, rounds, sizeof(*t), cmp_ll);
			printf("loadtime %s %lld %lld %lld %llu\n", name ? name + 1 : argv[i],
			       t[0], t[rounds / 2], t[rounds - 1], vi);
		}
		free(t);
	}
	return bad;
}
