#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest whose clock counts instructions (QEMU -icount shift=0):
# the load of BPF objects, the verifier's calls of the kfunc filters and
# checks, and hot-path workloads under scx_simple. Writes to bench.txt in
# the current (shared, writable) folder:
#   loadtime KERNEL OBJECT MIN MEDIAN MAX VERIFIED_INSNS    (guest ns)
#   calls KERNEL OBJECT FUNCTION N                          (one load)
#   bench KERNEL ROUND WORKLOAD OPS NS NS_PER_OP
#   guest/bench.sh KERNEL_NAME TESTS_DIR BENCH_DIR ROUNDS N
name=$1 T=$2 B=$3 rounds=$4 n=$5
out=$PWD/bench.txt
: >"$out"
for b in loadtime ctxsw; do
	[ -x "$B/$b" ] || { echo "bench: no $B/$b"; exit 1; }
done

objs=()
for o in "$T"/schedulers/build/obj/sched_ext/scx_*.bpf.o "$T"/sched_ext/build/obj/sched_ext/kf_ctx_run.bpf.o \
	 "$T"/bpf/bpf_qdisc_fifo.bpf.o "$T"/bpf/bpf_qdisc_fq.bpf.o; do
	case $o in *.linked*|*/scx_hole.bpf.o) continue;; esac
	[ -f "$o" ] && objs+=("$o")
done

# bpf_object__load() alone, timed in the guest around the call.
"$B/loadtime" "$rounds" "${objs[@]}" | sed "s/^loadtime /loadtime $name /" >>"$out"

# How often the verifier calls each filter and check, per object: kprobes
# on those of them this kernel has, read before and after one load. A pass
# of its own, since the probes cost instructions.
tr=/sys/kernel/tracing
mountpoint -q $tr || mount -t tracefs tracefs $tr
probes=()
for f in scx_kfunc_context_filter scx_kfunc_cpu_only_filter bpf_qdisc_kfunc_filter \
	 bm_bpf_kfunc_filter check_kfunc_ctx btf_kfunc_is_allowed check_kfunc_call; do
	# the symbol, or its compiler clone (check_kfunc_call.isra.0)
	sym=$(awk -v f="$f" '$3 == f || index($3, f ".") == 1 {print $3; exit}' /proc/kallsyms)
	[ -n "$sym" ] || continue
	p=kc_$f
	echo "p:$p $sym" >>$tr/kprobe_events && probes+=("$p")
done
echo 1 >$tr/events/kprobes/enable
hits() { awk -v p="$1" '$1 == p {print $2}' $tr/kprobe_profile; }
for o in "${objs[@]}"; do
	declare -A before=()
	for p in "${probes[@]}"; do before[$p]=$(hits "$p"); done
	"$B/loadtime" 1 "$o" >/dev/null
	for p in "${probes[@]}"; do
		echo "calls $name $(basename "$o") ${p#kc_} $(( $(hits "$p") - ${before[$p]} ))" >>"$out"
	done
done
echo 0 >$tr/events/kprobes/enable
echo >$tr/kprobe_events

# Hot path under scx_simple.
"$T/schedulers/build/bin/scx_simple" >/tmp/simple.log 2>&1 &
pid=$!
for i in $(seq 1 300); do
	[ "$(cat /sys/kernel/sched_ext/state 2>/dev/null)" = enabled ] && break
	sleep 0.05
done
[ "$(cat /sys/kernel/sched_ext/state)" = enabled ] || { echo "scx_simple did not attach"; cat /tmp/simple.log; exit 1; }
for r in $(seq 1 "$rounds"); do
	"$B/ctxsw" pipe "$n" | sed "s/^/bench $name $r /" >>"$out"
	"$B/ctxsw" yield "$n" | sed "s/^/bench $name $r /" >>"$out"
done
[ "$(cat /sys/kernel/sched_ext/state)" = enabled ] || { echo "scx_simple was ejected"; exit 1; }
kill -INT $pid
wait $pid
cat "$out"
