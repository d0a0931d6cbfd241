#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in a guest: does scx_userland stay attached under stress-ng, with and
# without the cgroup moves of the stress guest's load step? The evidence for
# the "stress scx_userland cgroup moves" line of config/known.txt (README:
# "scx_userland and cgroup moves"). One "EXP <mode> run <n> ok=<1|0>" line
# per run; the kernel's reason for a disable is on the console.
#   guest/userland-moves.sh TESTS_DIR RUNS SECONDS "MODES"
# MODES: moves (stress-ng, and two spinners moved between two cgroups every
# 0.2 s, as guest/stress.sh does), nomoves (the same without the moves),
# moves-nostress (the moves without stress-ng). From the host, e.g. on the
# base kernel of make negative:
#   scripts/host/vm.sh -k build/wt/kernel/arch/x86/boot/bzImage -t 900 -n userland \
#     -- "$PWD/scripts/guest/userland-moves.sh $PWD/build/tests 14 10 nomoves"
T=$1; runs=${2:-4}; secs=${3:-10}; modes=${4:-moves nomoves moves-nostress}
bin=$T/schedulers/build/bin
state() { cat /sys/kernel/sched_ext/state; }
mkdir -p /sys/fs/cgroup/a /sys/fs/cgroup/b
echo "+cpu" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
for mode in $modes; do
for i in $(seq 1 $runs); do
	$bin/scx_userland >/tmp/u.log 2>&1 & pid=$!
	for j in $(seq 1 100); do [ "$(state)" = enabled ] && break; sleep 0.05; done
	[ $mode = moves-nostress ] || { stress-ng --cpu 2 --fork 2 --pipe 2 --yield 2 --timeout ${secs}s --quiet & spid=$!; }
	sh -c 'while :; do :; done' & m1=$!
	sh -c 'while :; do :; done' & m2=$!
	end=$(( $(date +%s) + secs )); pass=0; ok=1; t0=$(date +%s)
	while [ $(date +%s) -lt $end ]; do
		if [ $mode != nomoves ]; then for p in $m1 $m2; do echo $p > /sys/fs/cgroup/$([ $((pass%2)) = 0 ] && echo a || echo b)/cgroup.procs; done; fi
		pass=$((pass+1))
		[ "$(state)" = enabled ] || { ok=0; break; }
		sleep 0.2
	done
	t=$(( $(date +%s) - t0 ))
	kill $m1 $m2; wait $spid $m1 $m2 2>/dev/null
	kill -INT $pid; for j in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done; kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
	for j in $(seq 1 100); do [ "$(state)" = disabled ] && break; sleep 0.05; done
	echo "EXP $mode run $i ok=$ok after ${t}s: $(grep -E 'EXIT|stall|rror' /tmp/u.log | head -4 | tr '\n' ' ')"
	[ $ok = 1 ] || grep -iE -A3 'stall|runnable' /tmp/u.log | head -12 | sed 's/^/EXP    /'
done
done
