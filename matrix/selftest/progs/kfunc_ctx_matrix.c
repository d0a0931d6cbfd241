// SPDX-License-Identifier: GPL-2.0
/*
 * The maps of the kfunc_ctx_matrix test: the async callbacks its programs arm
 * need a map value with a bpf_timer, a bpf_wq or a bpf_task_work, and
 * kfuncs with arena arguments a program with an arena. The programs
 * themselves are built by the test, one per cell.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

struct timer_val {
	struct bpf_timer t;
};

struct wq_val {
	struct bpf_wq w;
};

struct tw_val {
	struct bpf_task_work tw;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct timer_val);
} timer_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct wq_val);
} wq_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct tw_val);
} tw_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
} arena SEC(".maps");

char _license[] SEC("license") = "GPL";
