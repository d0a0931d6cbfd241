// SPDX-License-Identifier: GPL-2.0
/*
 * The maps of the kfunc_ctx_shapes test: the async callbacks of its
 * generated programs are armed on the first element of the map of their
 * kind, whose value holds a bpf_timer, a bpf_wq or a bpf_task_work. The
 * programs themselves are built by the test, one per generated shape.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

struct shape_timer_val {
	struct bpf_timer t;
};

struct shape_wq_val {
	struct bpf_wq w;
};

struct shape_tw_val {
	struct bpf_task_work tw;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct shape_timer_val);
} timer_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct shape_wq_val);
} wq_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct shape_tw_val);
} tw_map SEC(".maps");

char _license[] SEC("license") = "GPL";
