// SPDX-License-Identifier: GPL-2.0
/*
 * The worst case of verifying a global function once more for the async
 * context: ops.init() arms a timer, as real schedulers do, and both
 * ops.init() and the timer call the same large global function,
 * pick_cpu(), which is then part of one program twice over: a verifier
 * that verifies a global function once per context it is called in
 * verifies it twice (v2 of the async-callback fix did); one that sums up
 * what it calls verifies it once. timer_only() is the same function
 * reached from the timer alone, verified once either way, and
 * ops.dispatch() calls pick_cpu() in a program of its own. Built against
 * tools/sched_ext's headers by scripts/host/veristat.sh; loaded by
 * veristat, never attached.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define NR_SLOTS 512

struct slot {
	u64 load;
	u64 weight;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_SLOTS);
	__type(key, u32);
	__type(value, struct slot);
} slots SEC(".maps");

struct timer_elem {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct timer_elem);
} timers SEC(".maps");

/* A loop the verifier walks slot by slot, with a branch in each. */
#define PICK_BODY(name)								\
__noinline s32 name(u64 seed)							\
{										\
	u64 best = (u64)-1;							\
	s32 cpu = -1;								\
	u32 i;									\
										\
	for (i = 0; i < NR_SLOTS; i++) {					\
		u32 key = i;							\
		struct slot *s = bpf_map_lookup_elem(&slots, &key);		\
		u64 cost;							\
										\
		if (!s)								\
			continue;						\
		cost = s->load * 1024 / (s->weight | 1) + (seed ^ i);		\
		if (cost < best) {						\
			best = cost;						\
			cpu = i;						\
		}								\
	}									\
	return cpu;								\
}

PICK_BODY(pick_cpu)
PICK_BODY(timer_only)

static int balance_timer(void *map, int *key, struct timer_elem *e)
{
	s32 cpu = pick_cpu(bpf_ktime_get_ns());
	s32 other = timer_only(bpf_ktime_get_ns());

	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, 0);
	if (other >= 0)
		scx_bpf_kick_cpu(other, 0);
	bpf_timer_start(&e->timer, 1000000, 0);
	return 0;
}

void BPF_STRUCT_OPS(shared_global_dispatch, s32 cpu, struct task_struct *prev)
{
	if (pick_cpu(0) >= 0)
		scx_bpf_dsq_move_to_local(SCX_DSQ_GLOBAL, 0);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(shared_global_init)
{
	u32 key = 0;
	struct timer_elem *e = bpf_map_lookup_elem(&timers, &key);

	if (!e || pick_cpu(0) < -1)
		return -ENOENT;
	bpf_timer_init(&e->timer, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->timer, balance_timer);
	return bpf_timer_start(&e->timer, 1000000, 0);
}

SCX_OPS_DEFINE(shared_global_ops,
	       .dispatch	= (void *)shared_global_dispatch,
	       .init		= (void *)shared_global_init,
	       .name		= "shared_global");
