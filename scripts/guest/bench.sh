#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest whose clock counts instructions (-icount shift=0): the
# hot-path workloads under scx_simple, and the load of each example
# scheduler. Writes "bench <kernel> <round> <workload> <ops> <ns> <ns/op>"
# "load <kernel> <scheduler> <ns to enabled> <verified insns>" and
# "loadtime <kernel> <object> <min> <median> <max ns> <verified insns>" and
# "opcount <kernel> <workload> <ctxsw line or runs PROG N>" lines to
# bench.txt in the current (shared, writable) folder.
#   guest-bench.sh KERNEL_NAME TESTS_DIR BENCH_BIN ROUNDS N
name=$1 T=$2 B=$3 rounds=$4 n=$5
out=$PWD/bench.txt
: >"$out"
progstat=$(dirname "$B")/progstat

now_ns() { local s; s=$(cat /proc/uptime); echo "${s%% *}"; }

wait_enabled() {
	local i
	for i in $(seq 1 300); do
		[ "$(cat /sys/kernel/sched_ext/state 2>/dev/null)" = enabled ] && return 0
		sleep 0.05
	done
	return 1
}

# Load time (guest ns, i.e. instructions) and verified instructions.
for sch in scx_simple scx_qmap scx_central scx_flatcg; do
	t0=$(date +%s%N)
	"$T/schedulers/build/bin/$sch" >/tmp/$sch.log 2>&1 &
	pid=$!
	if wait_enabled; then
		t1=$(date +%s%N)
		# struct_ops programs (type 27): the scheduler's
		vi=$("$progstat" 27 | cut -d' ' -f2)
		echo "load $name $sch $((t1 - t0)) $vi" >>"$out"
	else
		echo "load $name $sch failed 0" >>"$out"
	fi
	kill -INT $pid; wait $pid
	sleep 0.2
done

# bpf_object__load() alone, timed in the guest around the call: the same
# scheduler objects, and kf_ctx_run, which calls every restricted kfunc.
"$(dirname "$B")/loadtime" "$rounds" \
	"$T"/schedulers/build/obj/sched_ext/scx_{simple,qmap,central,flatcg}.bpf.o \
	"$T"/sched_ext/build/obj/sched_ext/kf_ctx_run.bpf.o |
	sed "s/^loadtime /loadtime $name /" >>"$out"

# Hot path under scx_simple.
"$T/schedulers/build/bin/scx_simple" >/tmp/simple.log 2>&1 &
pid=$!
wait_enabled || { echo "scx_simple did not attach"; cat /tmp/simple.log; exit 1; }
for r in $(seq 1 "$rounds"); do
	"$B" pipe "$n" | sed "s/^/bench $name $r /" >>"$out"
	"$B" fanout $((n / 8)) 4 | sed "s/^/bench $name $r /" >>"$out"
	"$B" yield "$n" | sed "s/^/bench $name $r /" >>"$out"
done
# How often each op ran in each workload, for the static model. A run of
# its own: the run statistics cost instructions.
for w in "pipe $n" "fanout $((n / 8)) 4" "yield $n"; do
	# shellcheck disable=SC2086
	"$progstat" runs 27 "$B" $w | sed "s/^/opcount $name ${w%% *} /" >>"$out"
done
[ "$(cat /sys/kernel/sched_ext/state)" = enabled ] || { echo "scx_simple was ejected"; exit 1; }
kill -INT $pid; wait $pid
cat "$out"
