#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest of 'make stress': the example schedulers under stress-ng,
# then faults. Prints "STRESS <what> <result> <detail>" lines and fails if
# anything went wrong.
#   guest-stress.sh TESTS_DIR SECONDS LOOPS [WHAT [SCHEDULERS]]
# WHAT is "all" (default) or "base": every step but the two that load
# programs the series refuses (context violations, adversarial programs),
# for a kernel without the series. SCHEDULERS: which ones go under load, in
# order (default: "scx_simple scx_qmap scx_central scx_flatcg").
T=$1 secs=$2 loops=$3 what=${4:-all}
scheds=${5:-scx_simple scx_qmap scx_central scx_flatcg}
case $what in all|base) ;; *) echo "guest-stress.sh: WHAT is all or base, not '$what'"; exit 2;; esac
progstat=$T/progstat
bin=$T/schedulers/build/bin
rc=0

say() { echo "STRESS $*"; }
state() { cat /sys/kernel/sched_ext/state; }
nprogs() { "$progstat" | cut -d' ' -f1; }
nmaps() { "$progstat" | cut -d' ' -f3; }
wait_state() {
	local i
	for i in $(seq 1 200); do [ "$(state)" = "$1" ] && return 0; sleep 0.05; done
	return 1
}
# scx_flatcg prints its counters every second: their sums over the run.
flatcg_counters() {
	sed -n 's/^ENQ *skip: *\([0-9]*\) *race: *\([0-9]*\).*/\1 \2/p' "$1" |
		awk 'NF == 2 { s += $1; r += $2 } END { if (NR) printf "    flatcg counters: enqueue skip %.0f, enqueue race %.0f\n", s, r }'
	sed -n 's/^PNC .*empty: *\([0-9]*\).*race: *\([0-9]*\) *fail: *\([0-9]*\)\( *recheck: *\([0-9]*\)\)*.*/\1 \2 \3 \5/p' "$1" |
		awk '{ e += $1; r += $2; f += $3; c += $4 } END { if (NR) printf "    flatcg counters: pick empty %.0f, pick race %.0f, pick fail %.0f, recheck %.0f\n", e, r, f, c }'
}
start() { "$bin/$1" >/tmp/$1.log 2>&1 & SPID=$!; wait_state enabled; }
stop() { kill -INT $SPID 2>/dev/null; wait $SPID 2>/dev/null; wait_state disabled; }

[ -x "$progstat" ] || { say "setup FAIL no $progstat"; exit 1; }
base_progs=$(nprogs)
base_maps=$(nmaps)

# 1. Each example scheduler under a mixed load.
mkdir -p /sys/fs/cgroup/a /sys/fs/cgroup/b
echo "+cpu" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
for sch in $scheds; do
	[ $sch = scx_central ] && for k in $(pgrep scx_ops_enable); do taskset -p 1 "$k" >/dev/null; done
	[ -x "$bin/$sch" ] || { say "$sch FAIL no such scheduler"; rc=1; continue; }
	if ! start $sch; then
		say "$sch FAIL did-not-attach"; rc=1; continue
	fi
	stress-ng --cpu 2 --fork 2 --pipe 2 --yield 2 --timeout "${secs}s" --quiet &
	spid=$!
	ok=1 moves=0
	end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -lt "$end" ]; do
		# cgroup moves (flatcg's ops.cgroup_move and friends)
		for p in $(pgrep -f stress-ng | head -n 4); do
			echo "$p" >/sys/fs/cgroup/$([ $((moves % 2)) = 0 ] && echo a || echo b)/cgroup.procs 2>/dev/null &&
				moves=$((moves + 1))
		done
		[ "$(state)" = enabled ] || { ok=0; break; }
		sleep 0.5
	done
	wait $spid
	[ "$(state)" = enabled ] || ok=0
	stop
	if [ $ok = 1 ] && ! grep -qi 'error\|stall' /tmp/$sch.log; then
		say "$sch ok ${secs}s cgroup-moves=$moves"
		flatcg_counters /tmp/$sch.log
	else
		say "$sch FAIL"; rc=1
		flatcg_counters /tmp/$sch.log
		# The scheduler's debug dump names the stalled task and the state
		# of every CPU; without one, the last lines of its output.
		if grep -q 'DEBUG DUMP' /tmp/$sch.log; then
			sed -n '/DEBUG DUMP/,$p' /tmp/$sch.log | head -n 300
		else
			tail -n 20 /tmp/$sch.log
		fi | sed 's/^/    /'
	fi
done

# 2. sysrq-S under load disables the scheduler.
start scx_simple
stress-ng --cpu 2 --pipe 2 --timeout 10s --quiet &
spid=$!
sleep 2
echo S >/proc/sysrq-trigger
if wait_state disabled; then say "sysrq-S ok"; else say "sysrq-S FAIL state=$(state)"; rc=1; fi
wait $SPID 2>/dev/null
wait $spid

# 3. CPU hot-unplug and replug with a scheduler attached.
if [ -w /sys/devices/system/cpu/cpu1/online ]; then
	start scx_qmap
	echo 0 >/sys/devices/system/cpu/cpu1/online; sleep 1
	echo 1 >/sys/devices/system/cpu/cpu1/online; sleep 1
	# qmap does not handle hotplug and exits on its own; either way no splat.
	kill -INT $SPID 2>/dev/null; wait $SPID 2>/dev/null; wait_state disabled
	say "hotplug ok cpu1 off/on, scheduler $(grep -q 'EXIT' /tmp/scx_qmap.log && echo exited || echo stayed)"
else
	say "hotplug FAIL cpu1 cannot go offline"; rc=1
fi

# 4. Load and unload in a loop.
n=0
for i in $(seq 1 "$loops"); do
	start scx_simple && stop && n=$((n + 1))
done
if [ $n = "$loops" ]; then say "reload ok $n"; else say "reload FAIL $n/$loops"; rc=1; fi

if [ "$what" = all ]; then
	# 5. Programs that violate contexts, loaded repeatedly.
	n=0
	for i in $(seq 1 "$loops"); do
		"$T/sched_ext/runner" -t enq_select_cpu_fails -q >/dev/null 2>&1 &&
		"$T/sched_ext/runner" -t non_scx_kfunc_deny -q >/dev/null 2>&1 && n=$((n + 1))
	done
	if [ $n = "$loops" ]; then say "violations ok $((2 * n)) refused loads"; else say "violations FAIL $n/$loops"; rc=1; fi

	# 6. Adversarial programs (raw programs in the scx_kf_mask test).
	if (cd "$T/bpf" && ./test_progs -t scx_kf_mask/path >/tmp/paths.log 2>&1); then
		say "adversarial ok $(grep -c ':OK' /tmp/paths.log) programs"
	else
		say "adversarial FAIL"; grep FAIL /tmp/paths.log | head; rc=1
	fi
fi

# Nothing left behind. Programs and maps are freed after an RCU grace
# period, so give them a few seconds.
[ "$(state)" = disabled ] || { say "leak FAIL scheduler still $(state)"; rc=1; }
for i in $(seq 1 50); do
	[ "$(nprogs)" = "$base_progs" ] && [ "$(nmaps)" = "$base_maps" ] && break
	sleep 0.2
done
if [ "$(nprogs)" = "$base_progs" ] && [ "$(nmaps)" = "$base_maps" ]; then
	say "leaks ok progs=$(nprogs) maps=$(nmaps)"
else
	say "leaks FAIL progs $base_progs -> $(nprogs), maps $base_maps -> $(nmaps)"; rc=1
fi
exit $rc
