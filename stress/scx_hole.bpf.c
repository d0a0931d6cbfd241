// SPDX-License-Identifier: GPL-2.0
/*
 * The hole the series closes, as a scheduler: a FIFO (one user DSQ) whose
 * ops.dispatch() arms a bpf_timer, and the timer callback calls
 * scx_bpf_dsq_move_to_local(), which needs the rq lock that ops.dispatch()
 * holds and the callback does not. The 7.3 base loads it (its filter judges
 * the callback as ops.dispatch()); the series refuses it at load.
 * Built by make stress (host/stress.sh) in tools/sched_ext; not a selftest.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

#define FIFO_DSQ	0

u64 nr_timer, nr_moved;

struct elem {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct elem);
} timers SEC(".maps");

static u32 armed;

static int hole_timer(void *map, int *key, struct bpf_timer *timer)
{
	__sync_fetch_and_add(&nr_timer, 1);
	if (scx_bpf_dsq_move_to_local(FIFO_DSQ, 0))
		__sync_fetch_and_add(&nr_moved, 1);
	bpf_timer_start(timer, 1000 * 1000, 0);
	return 0;
}

void BPF_STRUCT_OPS(hole_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, FIFO_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(hole_dispatch, s32 cpu, struct task_struct *prev)
{
	struct elem *e;
	u32 key = 0;

	if (!armed && !__sync_val_compare_and_swap(&armed, 0, 1)) {
		e = bpf_map_lookup_elem(&timers, &key);
		if (e) {
			bpf_timer_init(&e->timer, &timers, CLOCK_MONOTONIC);
			bpf_timer_set_callback(&e->timer, hole_timer);
			bpf_timer_start(&e->timer, 1000 * 1000, 0);
		}
	}
	scx_bpf_dsq_move_to_local(FIFO_DSQ, 0);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(hole_init)
{
	return scx_bpf_create_dsq(FIFO_DSQ, -1);
}

void BPF_STRUCT_OPS(hole_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(hole_ops,
	       .enqueue		= (void *)hole_enqueue,
	       .dispatch	= (void *)hole_dispatch,
	       .init		= (void *)hole_init,
	       .exit		= (void *)hole_exit,
	       .name		= "hole");
