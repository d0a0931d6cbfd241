// SPDX-License-Identifier: GPL-2.0
/*
 * What verifying a global function once more for the async context costs:
 * the callback and the timer it arms both call the same large global
 * function, pick_cpu(), which is then part of one program twice over.
 *
 * - ops.init() (sleepable) arms the timer (not sleepable), as real
 *   schedulers do: the base already verifies pick_cpu() twice, once per
 *   sleepable context, so verifying it per async context adds nothing;
 * - ops.dispatch() (not sleepable) arms it too: the base verifies
 *   pick_cpu() once for both, a verifier that verifies it per async
 *   context (v2 of the async-callback fix) twice, and one that sums up
 *   what it calls (v3) once.
 *
 * timer_only() is the same function reached from the timer alone,
 * verified once either way. Built against tools/sched_ext's headers by
 * scripts/host/veristat.sh; loaded by veristat, never attached.
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
	u32 key = 0;
	struct timer_elem *e = bpf_map_lookup_elem(&timers, &key);

	if (pick_cpu(0) >= 0)
		scx_bpf_dsq_move_to_local(SCX_DSQ_GLOBAL, 0);
	if (e)
		bpf_timer_set_callback(&e->timer, balance_timer);
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
