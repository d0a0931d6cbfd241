#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest: the test_progs subset, binfmt_misc_bpf, the sched_ext
# selftests runner and a short run of each example scheduler. Prints one
# "RESULT <suite> <passed> <failed> <skipped>" line per suite for the host
# to add up, and "SKIP <what>: <why>" for what it could not run.
#   guest/tests.sh TESTS_DIR [suite...]  suites: bpf binfmt scx schedulers cells
# cells prints the CELL lines of the verdict matrix (kfunc_ctx_matrix, the
# harness's own test) and its summary, for the host to judge
# against the patch being bisected; it prints no RESULT.
T=$1
shift
suites=${*:-bpf binfmt scx schedulers}
rc=0

result() { echo "RESULT $1 $2 $3 $4"; [ "$3" = 0 ] || rc=1; }

# known SUITE TEST LOG: the reason config/known.txt gives for TEST of SUITE
# failing, if LOG shows that it failed that way; fails otherwise.
known() {
	local line
	line=$(awk -F'\t' -v s="$1" -v t="$2" '$1 == s && $2 == t' "$TOP_DIR/config/known.txt")
	[ -n "$line" ] && grep -qF -- "$(echo "$line" | cut -f3)" "$3" && echo "$line" | cut -f4
}

# KMODS=DIR: test modules built for the kernel that runs (see kmods.sh)
[ -z "${KMODS:-}" ] || "$TOP_DIR/scripts/guest/kmods.sh" "$KMODS" "$T" || exit 1

for s in $suites; do
case $s in
bpf)
	# The binary holds only the prog_tests of config/selftests-bpf.list.
	echo "== test_progs (${TESTS:-$(grep -v '^#' "$TOP_DIR/config/selftests-bpf.list" | cut -d' ' -f1 | tr -d @ | xargs)})"
	t0=$(date +%s)
	(cd "$T/bpf" && ./test_progs ${TESTS:+-t "$TESTS"}) >/tmp/tp.log 2>&1
	tprc=$?
	echo "test_progs took $(( $(date +%s) - t0 )) s"
	grep -E '^#|FAIL|Summary' /tmp/tp.log | grep -v ':OK$' | tail -n 80
	cp /tmp/tp.log "$PWD/test_progs.log" 2>/dev/null
	sum=$(grep '^Summary:' /tmp/tp.log | tail -n 1)
	# "Summary: 2/16 PASSED, 0 SKIPPED, 1/1 FAILED": tests/subtests, or
	# tests alone; count the last number before each word (subtests).
	p=$(echo "$sum" | sed -n 's|.*[ /]\([0-9][0-9]*\) PASSED.*|\1|p')
	k=$(echo "$sum" | sed -n 's|.*[ /]\([0-9][0-9]*\) SKIPPED.*|\1|p')
	f=$(echo "$sum" | sed -n 's|.*[ /]\([0-9][0-9]*\) FAILED.*|\1|p')
	# A summary that does not parse, or a failed run that counts no
	# failure, is a failure.
	{ [ -n "$p" ] && [ -n "$k" ] && [ -n "$f" ]; } || { p=${p:-0}; k=${k:-0}; f=1; }
	[ $tprc = 0 ] || [ "$f" != 0 ] || f=1
	result test_progs "$p" "$f" "$k"
	;;
binfmt)
	echo "== binfmt_misc_bpf"
	mountpoint -q /proc/sys/fs/binfmt_misc ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	(cd "$T/exec" && ./binfmt_misc_bpf) >/tmp/binfmt.log 2>&1
	brc=$?
	cp /tmp/binfmt.log "$PWD/binfmt_misc_bpf.log" 2>/dev/null
	grep -E '^(ok|not ok|# (PASSED|FAILED|Totals))' /tmp/binfmt.log | tail -n 20
	# kselftest_harness: "# Totals: pass:5 fail:0 xfail:0 xpass:0 skip:0 error:0"
	tot=$(grep '^# Totals:' /tmp/binfmt.log | tail -n 1)
	p=$(echo "$tot" | sed -n 's/.* pass:\([0-9]*\).*/\1/p')
	f=$(echo "$tot" | sed -n 's/.* fail:\([0-9]*\).*/\1/p')
	k=$(echo "$tot" | sed -n 's/.* skip:\([0-9]*\).*/\1/p')
	{ [ -n "$p" ] && [ -n "$k" ] && [ -n "$f" ]; } || { p=${p:-0}; k=${k:-0}; f=1; }
	[ $brc = 0 ] || [ "$f" != 0 ] || f=1
	for t in $(sed -n 's/^not ok [0-9]* \([^ ]*\).*/\1/p' /tmp/binfmt.log); do
		why=$(known binfmt "$t" /tmp/binfmt.log) || continue
		echo "SKIP binfmt_misc_bpf $t: $why"
		f=$((f - 1)) k=$((k + 1))
	done
	result binfmt_misc_bpf "$p" "$f" "$k"
	;;
cells)
	echo "== verdict matrix"
	(cd "$T/bpf" && ./test_progs -t kfunc_ctx_matrix) >/tmp/cells.log 2>&1
	cp /tmp/cells.log "$PWD/cells.log" 2>/dev/null
	grep -E '^(CELL|Summary)' /tmp/cells.log
	;;
scx)
	echo "== sched_ext selftests runner"
	"$T/sched_ext/runner" >/tmp/scx.log 2>&1
	grep -E '^(ok|not ok)|^(PASSED|SKIPPED|FAILED):' /tmp/scx.log | tail -n 60
	cp /tmp/scx.log "$PWD/scx-runner.log" 2>/dev/null
	p=$(sed -n 's/^PASSED: *\([0-9]*\).*/\1/p' /tmp/scx.log)
	k=$(sed -n 's/^SKIPPED: *\([0-9]*\).*/\1/p' /tmp/scx.log)
	f=$(sed -n 's/^FAILED: *\([0-9]*\).*/\1/p' /tmp/scx.log)
	{ [ -n "$p" ] && [ -n "$k" ] && [ -n "$f" ]; } || { p=${p:-0}; k=${k:-0}; f=1; }
	result sched_ext "$p" "$f" "$k"
	;;
schedulers)
	echo "== example schedulers"
	p=0 f=0 k=0
	for sch in ${SCHEDS:-scx_simple scx_qmap scx_central scx_flatcg scx_cpu0 scx_pair scx_sdt scx_userland}; do
		bin=$T/schedulers/build/bin/$sch
		[ -x "$bin" ] || { echo "FAIL $sch: not built"; f=$((f + 1)); continue; }
		"$bin" >/tmp/$sch.log 2>&1 &
		pid=$!
		ok=0
		for i in $(seq 1 50); do
			[ "$(cat /sys/kernel/sched_ext/state 2>/dev/null)" = enabled ] && { ok=1; break; }
			kill -0 $pid 2>/dev/null || break
			sleep 0.2
		done
		# Put a little load on it while it runs.
		if [ $ok = 1 ]; then
			for j in 1 2 3 4; do (i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done) & done
			wait $(jobs -p | grep -v "^$pid\$") 2>/dev/null
			[ "$(cat /sys/kernel/sched_ext/state)" = enabled ] || ok=0
			[ "$(cat /sys/kernel/sched_ext/root/ops 2>/dev/null)" = "${sch#scx_}" ] || ok=0
		fi
		kill -INT $pid 2>/dev/null
		wait $pid 2>/dev/null
		for i in $(seq 1 50); do
			[ "$(cat /sys/kernel/sched_ext/state 2>/dev/null)" = disabled ] && break
			sleep 0.1
		done
		cp /tmp/$sch.log "$PWD/$sch.log" 2>/dev/null
		if [ $ok = 1 ] && ! grep -q 'EXIT: .*error\|runtime error' /tmp/$sch.log; then
			echo "ok   $sch: attached, ran, detached"
			p=$((p + 1))
		elif why=$(known schedulers $sch /tmp/$sch.log); then
			echo "SKIP $sch: $why"
			k=$((k + 1))
		else
			echo "FAIL $sch:"; sed 's/^/    /' /tmp/$sch.log | tail -n 20
			f=$((f + 1))
		fi
	done
	result schedulers $p $f $k
	;;
esac
done
exit $rc
