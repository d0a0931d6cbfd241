#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest of make stress: the example schedulers, a sub-scheduler
# and two bpf_qdisc qdiscs under load, then faults and bad programs. Prints one
# "STRESS <what> <ok|FAIL> <detail>" line per step, and fails if any step
# failed.
#   guest/stress.sh TESTS_DIR TOOLS_DIR SECONDS LOOPS WHAT SCHEDULERS [KMODS]
# TESTS_DIR is make tests' output; TOOLS_DIR holds progstat. WHAT is "all" or
# "base": every step but those that load what only the series refuses or
# accepts (the context violations, the path and adversarial programs,
# kf_ctx_run), for the base kernel. KMODS, when not "-", holds test_progs'
# modules built for this kernel: they are mounted over those of TESTS_DIR.
T=$1 TOOLS=$2 secs=$3 loops=$4 what=$5 scheds=$6 kmods=${7:--}
case $what in all|base) ;; *) echo "guest/stress.sh: WHAT is all or base, not '$what'"; exit 2;; esac
progstat=$TOOLS/progstat
bin=$T/schedulers/build/bin
bpftool=$T/schedulers/build/sbin/bpftool
rc=0

say() { echo "STRESS $*"; }
# detail: stdin as indented lines under the last step, which the host
# prints in its summary too.
detail() { sed 's/^/STRESS     /'; }
# keep FILE NAME: FILE into the results share (the cwd), and say where.
keep() { cp "$1" "./$2" && echo "log: $PWD/$2" | detail; }
state() { cat /sys/kernel/sched_ext/state; }
nprogs() { "$progstat" | cut -d' ' -f1; }
nmaps() { "$progstat" | cut -d' ' -f3; }
wait_state() {
	local i
	for i in $(seq 1 200); do [ "$(state)" = "$1" ] && return 0; sleep 0.05; done
	return 1
}
# start SCHEDULER: run it and wait until it is enabled; one that does not
# get there is killed, so that it cannot attach later.
start() {
	"$bin/$1" >/tmp/$1.log 2>&1 &
	SPID=$!
	wait_state enabled && return 0
	kill -KILL $SPID 2>/dev/null; wait $SPID 2>/dev/null; wait_state disabled
	return 1
}
# stop: SIGINT, and SIGKILL if the scheduler is not gone 10 s later (a
# scheduler whose BPF side exited on an error may not be listening).
stop() {
	local i
	kill -INT $SPID 2>/dev/null
	for i in $(seq 1 100); do kill -0 $SPID 2>/dev/null || break; sleep 0.1; done
	kill -KILL $SPID 2>/dev/null
	wait $SPID 2>/dev/null
	wait_state disabled
}

for t in "$progstat" "$bpftool" /usr/bin/stress-ng /usr/sbin/tc; do
	[ -x "$t" ] || { say "setup FAIL no $t"; exit 1; }
done
if [ "$kmods" != - ]; then
	for k in "$kmods"/*.ko; do
		mount --bind "$k" "$T/bpf/${k##*/}" || { say "setup FAIL cannot mount $k over $T/bpf"; exit 1; }
	done
fi
# no_moves SCHEDULER: the reason config/known.txt gives ("stress" lines
# whose third field is "cgroup moves") for holding SCHEDULER without the
# cgroup moves: a failure they trigger on the base kernel too.
known_txt=$(cd "$(dirname "$0")/../.." && pwd)/config/known.txt
no_moves() {
	awk -F'\t' -v s="$1" '$1 == "stress" && $2 == s && $3 == "cgroup moves" {print $4; exit}' "$known_txt"
}
base_progs=$(nprogs)
base_maps=$(nmaps)

# 1. Each scheduler under stress-ng, with cgroup moves (flatcg's
# ops.cgroup_move() and friends); it must stay attached the whole time.
mkdir -p /sys/fs/cgroup/a /sys/fs/cgroup/b
echo "+cpu" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
held=0
for sch in $scheds; do
	[ -x "$bin/$sch" ] || { say "$sch FAIL no such scheduler"; rc=1; continue; }
	why=$(no_moves "$sch")
	if ! start $sch; then
		say "$sch FAIL did not attach"; tail -n 20 /tmp/$sch.log | detail; rc=1; continue
	fi
	stress-ng --cpu 2 --fork 2 --pipe 2 --yield 2 --timeout "${secs}s" --quiet &
	spid=$!
	# Two spinners of our own, moved between two cgroups all along.
	sh -c 'while :; do :; done' & m1=$!
	sh -c 'while :; do :; done' & m2=$!
	ok=1 moves=0
	end=$(( $(date +%s) + secs ))
	pass=0
	while [ "$(date +%s)" -lt "$end" ]; do
		# both spinners to a, then both to b, and so on
		[ -n "$why" ] || for p in $m1 $m2; do
			echo "$p" >/sys/fs/cgroup/$([ $((pass % 2)) = 0 ] && echo a || echo b)/cgroup.procs &&
				moves=$((moves + 1))
		done
		pass=$((pass + 1))
		[ "$(state)" = enabled ] || { ok=0; break; }
		sleep 0.2
	done
	ran=$(( $(date +%s) - end + secs ))
	kill $m1 $m2
	wait $spid $m1 $m2 2>/dev/null
	[ "$(state)" = enabled ] || ok=0
	stop
	if [ $ok = 1 ] && ! grep -qi 'error\|stall' /tmp/$sch.log; then
		say "$sch ok held ${secs}s under stress-ng, $([ -n "$why" ] && echo "no cgroup moves (config/known.txt)" || echo "cgroup moves $moves")"
		held=$((held + 1))
		continue
	fi
	say "$sch FAIL after ${ran}s of ${secs}s, cgroup moves $moves"; rc=1
	# Why, in the summary; the scheduler's whole log (its debug dump) in
	# the results share.
	{ grep -iE 'EXIT|stall|error' /tmp/$sch.log || tail -n 5 /tmp/$sch.log; } | head -n 5 | detail
	keep /tmp/$sch.log $sch.log
done
say "schedulers $([ $held = "$(echo $scheds | wc -w)" ] && echo ok || echo FAIL) $held held ${secs}s each"

# 1b. Sub-schedulers: scx_qmap as the root, and a second scx_qmap attached
# beneath it on cgroup "sub" (ops.sub_attach/sub_detach, the child's
# cid-form ops), LOOPS times, with stress-ng inside the child's cgroup. The
# child must show up under the root's sub/ in sysfs, both must stay
# attached while the load runs, and the child must go away alone.
if [[ " $scheds " == *" scx_qmap "* ]]; then
	cg=/sys/fs/cgroup/sub
	mkdir -p $cg
	n=0 why= hold=$(( secs / loops > 5 ? secs / loops : 5 ))
	if start scx_qmap; then
		for i in $(seq 1 "$loops"); do
			"$bin/scx_qmap" -c $cg >/tmp/qmap-sub.log 2>&1 &
			cpid=$!
			d=/sys/kernel/sched_ext/root/sub/sub-$(stat -c %i $cg)
			for j in $(seq 1 100); do [ -e $d/ops ] && break; sleep 0.1; done
			if [ "$(cat $d/ops 2>/dev/null)" != qmap ]; then
				why="child $i did not attach"; kill -KILL $cpid; wait $cpid 2>/dev/null; break
			fi
			sh -c "echo \$\$ >$cg/cgroup.procs && exec stress-ng --cpu 2 --fork 2 --pipe 2 --yield 2 --timeout ${hold}s --quiet" &
			spid=$!
			end=$(( $(date +%s) + hold ))
			while [ "$(date +%s)" -lt "$end" ]; do
				[ "$(state)" = enabled ] && [ -e $d/ops ] && kill -0 $cpid 2>/dev/null || { why="child $i: root $(state), child $([ -e $d/ops ] && echo attached || echo gone)"; break; }
				sleep 0.2
			done
			wait $spid 2>/dev/null
			kill -INT $cpid 2>/dev/null
			for j in $(seq 1 100); do kill -0 $cpid 2>/dev/null || break; sleep 0.1; done
			kill -KILL $cpid 2>/dev/null; wait $cpid 2>/dev/null
			[ -n "$why" ] && break
			for j in $(seq 1 50); do [ -e $d ] || break; sleep 0.1; done
			[ ! -e $d ] || { why="child $i still in sysfs after it exited"; break; }
			[ "$(state)" = enabled ] || { why="the root went with child $i"; break; }
			grep -qiE 'error|stall' /tmp/qmap-sub.log && { why="child $i exited with an error"; break; }
			n=$((n + 1))
		done
		stop
		grep -qiE 'error|stall' /tmp/scx_qmap.log && why=${why:-"the root exited with an error"}
	else
		why="the root scx_qmap did not attach"
	fi
	if [ -z "$why" ]; then
		say "sub-scheduler ok scx_qmap beneath scx_qmap attached and detached $n times, ${hold}s under stress-ng each"
	else
		say "sub-scheduler FAIL after $n of $loops: $why"
		{ tail -n 5 /tmp/qmap-sub.log; tail -n 5 /tmp/scx_qmap.log; } 2>/dev/null | detail
		keep /tmp/qmap-sub.log qmap-sub.log; keep /tmp/scx_qmap.log qmap-root.log; rc=1
	fi
	rmdir $cg 2>/dev/null
fi

# 2. The bpf_qdisc example qdiscs of its selftests under traffic, on
# loopback in a network namespace of their own.
for q in fifo fq; do
	obj=$T/bpf/bpf_qdisc_$q.bpf.o
	if ! "$bpftool" struct_ops register "$obj" >/tmp/qdisc-$q.log 2>&1; then
		say "qdisc bpf_$q FAIL cannot register"; tail /tmp/qdisc-$q.log | detail; rc=1; continue
	fi
	out=$(unshare -n sh -c "ip link set lo up &&
		tc qdisc add dev lo root handle 1: bpf_$q &&
		stress-ng --sock 2 --udp 2 --timeout ${secs}s --quiet;
		tc -s qdisc show dev lo; tc qdisc del dev lo root" 2>&1)
	sent=$(echo "$out" | sed -n "/qdisc bpf_$q/,/Sent/s/.*Sent \([0-9]*\) bytes \([0-9]*\) pkt.*/\2/p" | head -n 1)
	"$bpftool" struct_ops unregister name "$q" >/dev/null 2>&1 || { say "qdisc bpf_$q FAIL cannot unregister"; rc=1; }
	if [ "${sent:-0}" -gt 0 ]; then
		say "qdisc bpf_$q ok ${secs}s of traffic, $sent packets"
	else
		say "qdisc bpf_$q FAIL no packet went through it"; echo "$out" | tail -n 20 | detail; rc=1
	fi
done

# 3. sysrq-S under load disables the scheduler.
if start scx_simple; then
	stress-ng --cpu 2 --pipe 2 --timeout 10s --quiet &
	spid=$!
	sleep 2
	echo S >/proc/sysrq-trigger
	if wait_state disabled; then say "sysrq-S ok under load"; else say "sysrq-S FAIL state $(state)"; rc=1; fi
	kill -INT $SPID 2>/dev/null
	wait $SPID 2>/dev/null
	wait $spid
else
	say "sysrq-S FAIL scx_simple did not attach"; rc=1
fi

# 4. CPU hot-unplug and replug with a scheduler attached, LOOPS times. No
# tools/sched_ext scheduler implements ops.cpu_online/offline(), so each
# hotplug exits scx_simple with a restart request, and it must come back.
if [ -w /sys/devices/system/cpu/cpu1/online ]; then
	n=0
	for i in $(seq 1 "$loops"); do
		start scx_simple || break
		echo 0 >/sys/devices/system/cpu/cpu1/online; sleep 0.5
		echo 1 >/sys/devices/system/cpu/cpu1/online; sleep 0.5
		[ "$(cat /sys/devices/system/cpu/cpu1/online)" = 1 ] || break
		# back to enabled (the restart), then detach
		wait_state enabled && n=$((n + 1))
		kill -INT $SPID 2>/dev/null; wait $SPID 2>/dev/null; wait_state disabled
	done
	echo 1 >/sys/devices/system/cpu/cpu1/online 2>/dev/null
	if [ $n = "$loops" ]; then say "hotplug ok cpu1 off and on $n times, scx_simple restarted each time"; else say "hotplug FAIL $n/$loops"; rc=1; fi
else
	say "hotplug FAIL cpu1 cannot go offline"; rc=1
fi

# 5. Load and unload in a loop.
n=0
for i in $(seq 1 "$loops"); do
	start scx_simple && stop && n=$((n + 1))
done
if [ $n = "$loops" ]; then say "reload ok $n"; else say "reload FAIL $n/$loops"; rc=1; fi

if [ "$what" = all ]; then
	# 6. Context violations of every kind, loaded repeatedly: async
	# callbacks (async_op_kfunc_deny), other struct_ops (non_scx_kfunc_deny
	# and kfunc_ctx), the wrong member and extensions (the path tests).
	n=0 bad=0
	for i in $(seq 1 "$loops"); do
		for t in async_op_kfunc_deny non_scx_kfunc_deny; do
			"$T/sched_ext/runner" -t $t >/tmp/viol.log 2>&1 ||
				{ bad=$((bad + 1)); echo "$t failed:" | detail; { grep -E '^(not ok|ERR)|FAIL' -A2 /tmp/viol.log || tail -n 20 /tmp/viol.log; } | head -n 20 | detail; keep /tmp/viol.log viol-$i-$t.log; continue; }
			n=$((n + 1))
		done
		(cd "$T/bpf" && ./test_progs -a 'kfunc_ctx,scx_kf_mask/path_wrong_member,scx_kf_mask/path_freplace') \
			>/tmp/viol-tp.log 2>&1 && n=$((n + 1)) ||
			{ bad=$((bad + 1)); echo "test_progs violations failed:" | detail; { grep -E 'FAIL|Summary' -B5 /tmp/viol-tp.log || tail -n 20 /tmp/viol-tp.log; } | head -n 40 | detail; keep /tmp/viol-tp.log viol-$i-test_progs.log; }
	done
	if [ $bad = 0 ]; then say "violations ok $n runs refused what they must"; else say "violations FAIL $bad of $((n + bad)) runs"; rc=1; fi

	# 7. Programs aimed at the check (scx_kf_mask_paths, and scx_kf_mask's
	# path and adversarial subtests: global functions, dead code, callbacks
	# of callbacks, exception callbacks, forged ids, freplace), each judged
	# as the matrix says.
	if (cd "$T/bpf" && ./test_progs -t 'scx_kf_mask_paths,scx_kf_mask/path_*,scx_kf_mask/adversarial') >/tmp/paths.log 2>&1; then
		say "adversarial ok $(grep -c ':OK' /tmp/paths.log) subtests"
	else
		say "adversarial FAIL"; grep FAIL /tmp/paths.log | head | detail; keep /tmp/paths.log paths.log; rc=1
	fi

	# 8. kf_ctx_run: every context-restricted kfunc where it is allowed.
	if "$T/sched_ext/runner" -t kf_ctx_run >/tmp/kcr.log 2>&1 && grep -q '^ok .* kf_ctx_run' /tmp/kcr.log; then
		say "kf_ctx_run ok"
	else
		say "kf_ctx_run FAIL"; grep -A1 'ERR' /tmp/kcr.log | head -n 20 | detail; keep /tmp/kcr.log kf_ctx_run.log; rc=1
	fi
fi

# Nothing left behind. Programs and maps are freed after an RCU grace
# period, so give them a few seconds.
[ "$(state)" = disabled ] || { say "leaks FAIL scheduler still $(state)"; rc=1; }
for i in $(seq 1 50); do
	[ "$(nprogs)" = "$base_progs" ] && [ "$(nmaps)" = "$base_maps" ] && break
	sleep 0.2
done
if [ "$(nprogs)" = "$base_progs" ] && [ "$(nmaps)" = "$base_maps" ]; then
	say "leaks ok progs $(nprogs) maps $(nmaps), as before, nothing attached"
else
	say "leaks FAIL progs $base_progs -> $(nprogs), maps $base_maps -> $(nmaps)"; rc=1
fi
rmdir /sys/fs/cgroup/a /sys/fs/cgroup/b 2>/dev/null
exit $rc
