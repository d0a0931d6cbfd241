#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The harness's entry points, called by the Makefile. One run at a time.
#
# The stages, each a script of its own:
#   deps    host/deps.sh     the Debian packages of config/packages.txt
#   base    host/base.sh     the pinned linux-source .deb (config/base.env)
#   tree    host/tree.sh     base + patches/ in build/linux
#   kernel  host/kernel.sh   tinyconfig + config/kernel.config
#   tests   host/tests.sh    test_progs subset, test modules, sched_ext
#                            runner, tools/sched_ext, binfmt_misc_bpf
#   guest   host/vm.sh       QEMU; guest/init.sh runs guest/tests.sh
#   checks  check/checks.sh  static checks of the series and the tree
#   bench   host/bench.sh    base and series kernels under QEMU -icount
#   stress  host/stress.sh   debug kernels under load and faults; the hole
#   report                   the counts, the last line "N passed, N failed"
. "$(dirname "$0")/lib.sh"
lock_build
export TOP

T0=$(date +%s)
PASSED=0 FAILED=0 SKIPPED=0

do_deps() { "$TOP/scripts/host/deps.sh"; }
do_tree() { "$TOP/scripts/host/tree.sh"; }
do_kernel() { "$TOP/scripts/host/kernel.sh" "$BUILD/tree" "$KOUT"; }
do_tests() { "$TOP/scripts/host/tests.sh" "$BUILD/tree" "$KOUT" "$BUILD/tests"; }

# do_vm_tests KERNEL TESTS NAME SUITE...: boot KERNEL, run the guest suites
# with the tests built in TESTS; print and add up their counts.
do_vm_tests() {
	local kernel=$1 tests=$2 name=$3 rc=0 results
	shift 3
	"$TOP/scripts/host/vm.sh" -k "$kernel" -n "$name" -t "${VM_TIMEOUT:-900}" -- \
		"TOP_DIR=$TOP ${TESTS:+TESTS=$TESTS} ${KMODS:+KMODS=$KMODS} $TOP/scripts/guest/tests.sh $tests $*" || rc=$?
	# The counts come from the console log.
	results=$(tr -d '\r' <"$LOGS/vm-$name.log" | grep '^RESULT ' || true)
	while read -r _ suite p f k; do
		[ -n "$suite" ] || continue
		say "      $suite: $p passed, $f failed, $k skipped"
		PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + k))
	done <<<"$results"
	tr -d '\r' <"$LOGS/vm-$name.log" | sed -n 's/^SKIP \(.*\)$/      skipped: \1/p'
	# A guest that failed as a whole (a kernel warning, a timeout, no exit
	# status) is a failure even when every suite reported its counts.
	if [ $rc = 125 ] || { [ $rc != 0 ] && ! awk '$4 > 0 {f=1} END {exit !f}' <<<"$results"; }; then
		FAILED=$((FAILED + 1))
	fi
	return $rc
}

# do_stress [--base|--short] [SECONDS] [LOOPS]: host/stress.sh, counted as one.
do_stress() {
	if "$TOP/scripts/host/stress.sh" "$@"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
}

do_test() {
	do_vm_tests "$KOUT/arch/x86/boot/bzImage" "$BUILD/tests" tests ${SUITES:-bpf binfmt scx schedulers}
}

do_checks() {
	local c
	for c in series checkpatch gone docs matrix paths; do
		if "$TOP/scripts/check/checks.sh" $c; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	done
}

# The base kernel, in the second worktree (build/wt/linux) at base. The
# bisect then walks the patches in the same worktree and output folder, so
# that each patch only rebuilds what it changes.
do_base() {
	worktree_at "$WT" base || return
	"$TOP/scripts/host/kernel.sh" "$WT" "$KWT"
}

# The test modules of test_progs built for the kernel in the second
# worktree, for a guest that boots it (guest/kmods.sh mounts them).
KMODS_WT=$BUILD/wt/kmods
wt_kmods() {
	TESTS_ONLY=kmods "$TOP/scripts/host/tests.sh" "$WT" "$KWT" "$KMODS_WT"
}

# The tests of the series, run on the base kernel, must fail, naming
# exactly the cells the series changes on purpose: the proof that they can
# fail, and the hole in numbers. async_op_kfunc_deny (sched_ext runner)
# names its schedulers that load; kf_ctx_run is refused (its async
# callbacks call kfuncs that only the series allows them); kfunc_ctx_matrix
# (test_progs, the harness's own test) prints a CELL line for each pair
# whose verdict differs from the matrix, which must be the pairs of
# matrix/deliberate.txt.
NEGATIVE_WANT="timer_direct timer_global timer_shared wq_enq"
# scx_async_cb (test_progs): on the base each refused program loads, so
# its subtest fails; the controls pass. struct_ops_freplace oopses the
# base (the bug patch 1 of the bpf series fixes): it runs in a guest of
# its own, which must show the oops.
NEGATIVE_ASYNC_CB=$(for k in timer wq task_work; do for w in direct static global shared; do
	echo "dispatch_${k}_$w"; done; done | sort | xargs)
do_negative() {
	local got log=$LOGS/vm-negative.log flog=$LOGS/vm-negative-freplace.log
	do_base || return
	wt_kmods || return
	"$TOP/scripts/host/vm.sh" -k "$KWT/arch/x86/boot/bzImage" -n negative -- \
		"$TOP/scripts/guest/kmods.sh $KMODS_WT/bpf $BUILD/tests; $BUILD/tests/sched_ext/runner -t async_op_kfunc_deny; $BUILD/tests/sched_ext/runner -t kf_ctx_run; (cd $BUILD/tests/bpf && ./test_progs -t scx_async_cb; ./test_progs -t kfunc_ctx_matrix) | grep -E '^(CELL|Summary|#.*scx_async_cb/)'" >/dev/null 2>&1 || true
	got=$(tr -d '\r' <"$log" | sed -n 's|^#[0-9/]* *scx_async_cb/\([a-z_]*\):FAIL$|\1|p' | sort -u | xargs)
	if [ "$got" = "$NEGATIVE_ASYNC_CB" ] &&
	   tr -d '\r' <"$log" | grep -q 'scx_async_cb/dispatch_async_kick:OK' &&
	   tr -d '\r' <"$log" | grep -q 'scx_async_cb/init_timer_move:OK'; then
		say "ok    negative control: on the base kernel scx_async_cb fails on exactly its $(echo $got | wc -w) refusals (each loads there), and its controls pass"
		PASSED=$((PASSED + 1))
	else
		say "FAIL  negative control: on the base kernel scx_async_cb should fail on '$NEGATIVE_ASYNC_CB' alone, failed on '${got:-none}'; see $log"
		FAILED=$((FAILED + 1))
	fi
	"$TOP/scripts/host/vm.sh" -k "$KWT/arch/x86/boot/bzImage" -n negative-freplace -t 300 -- \
		"$TOP/scripts/guest/kmods.sh $KMODS_WT/bpf $BUILD/tests && cd $BUILD/tests/bpf && ./test_progs -t struct_ops_freplace" >/dev/null 2>&1 || true
	if tr -d '\r' <"$flog" | grep -q 'BUG: kernel NULL pointer dereference' &&
	   tr -d '\r' <"$flog" | grep -q 'check_return_code'; then
		say "ok    negative control: on the base kernel struct_ops_freplace oopses in check_return_code(), as patch 1 of the bpf series says"
		PASSED=$((PASSED + 1))
	else
		say "FAIL  negative control: on the base kernel struct_ops_freplace should oops in check_return_code(); see $flog"
		FAILED=$((FAILED + 1))
	fi
	got=$(tr -d '\r' <"$log" | sed -n 's/^\([a-z_]*\): loaded, but its async callback calls .*/\1/p' | sort | xargs)
	if [ "$got" = "$(echo $NEGATIVE_WANT | xargs -n 1 | sort | xargs)" ] &&
	   tr -d '\r' <"$log" | grep -q '^not ok .* async_op_kfunc_deny'; then
		say "ok    negative control: on the base kernel async_op_kfunc_deny fails, and the $(echo $got | wc -w) schedulers that load are the ones the series refuses: $got"
		PASSED=$((PASSED + 1))
	else
		say "FAIL  negative control: on the base kernel the schedulers that load should be '$NEGATIVE_WANT', were '${got:-none}'; see $log"
		FAILED=$((FAILED + 1))
	fi
	# kf_ctx_run's timer and bpf_wq call what only the series allows them.
	if tr -d '\r' <"$log" | grep -E 'calling kernel function scx_bpf_(dsq_move[a-z_]*|create_dsq) is not allowed' >/dev/null &&
	   tr -d '\r' <"$log" | grep '^not ok .* kf_ctx_run' >/dev/null; then
		say "ok    negative control: on the base kernel kf_ctx_run is refused at load, for a kfunc only the series allows its async callbacks"
		PASSED=$((PASSED + 1))
	else
		say "FAIL  negative control: on the base kernel kf_ctx_run should be refused at load (an unlocked kfunc in an async callback); see $log"
		FAILED=$((FAILED + 1))
	fi
	check_cells "$log" base "on the base kernel"
}

# The bpf series alone, as the bpf tree would take it: its kernel (branch
# bpf-fixes, built in the second worktree after the base kernel of
# do_negative) runs the series' own tests: the test_progs tests listed
# under "The bpf series" in config/selftests-bpf.list, and the sched_ext
# selftests.
do_bpf_series() {
	local tests
	tests=$(awk '/^# The bpf series/ {on = 1; next} /^# / {on = 0} on {print $1}' \
		"$TOP/config/selftests-bpf.list" | paste -sd,)
	worktree_at "$WT" "$FIXES_BRANCH" || return
	"$TOP/scripts/host/kernel.sh" "$WT" "$KWT" || return
	wt_kmods || return
	mkdir -p "$TWT/sched_ext" && rm -f "$TWT/bpf" && ln -s "$BUILD/tests/bpf" "$TWT/bpf"
	stage "sched_ext selftests of the bpf series" "$LOGS/bpf-series-scx.log" \
		make -C "$WT/tools/testing/selftests/sched_ext" OUTPUT="$TWT/sched_ext" \
		CLANG=clang LLC=llc LLVM_STRIP=llvm-strip VMLINUX_BTF="$KWT/vmlinux" -j"$(nproc)" || return
	say "      the bpf series alone ($(git -C "$BUILD/tree" rev-list --count "base..$FIXES_BRANCH") patches): test_progs -t $tests, the sched_ext selftests"
	TESTS=$tests KMODS=$KMODS_WT/bpf do_vm_tests "$KWT/arch/x86/boot/bzImage" "$TWT" bpf-series bpf scx
}

# check_cells LOG REV WHERE: the CELL lines of kfunc_ctx_matrix in LOG (a guest
# console) must be exactly the deliberate cells of matrix/deliberate.txt
# whose patch (named by subject) is not in base..REV: all of them on the
# base, none at the tip.
check_cells() {
	local log=$1 rev=$2 where=$3 cells want applied extra missing ok=1
	if ! tr -d '\r' <"$log" | grep '^Summary: ' >/dev/null; then
		say "FAIL  matrix $where: kfunc_ctx_matrix did not run to its summary; see $log"
		FAILED=$((FAILED + 1))
		return 1
	fi
	cells=$(tr -d '\r' <"$log" | awk '$1 == "CELL" {print $2, $3}' | sort -u)
	applied=$(git -C "$BUILD/tree" log --format=%s "base..$rev")
	want=$(while read -r caller kfunc subj; do
		grep -qxF -- "$subj" <<<"$applied" || echo "$caller $kfunc"
	done <"$TOP/matrix/deliberate.txt" | sort -u)
	extra=$(comm -23 <(echo "$cells") <(echo "$want") | grep . || true)
	missing=$(comm -13 <(echo "$cells") <(echo "$want") | grep . || true)
	[ -n "$extra" ] && { say "      cells wrong $where that no patch still to come changes: $(echo "$extra" | head -n 5 | paste -sd ';')$([ "$(echo "$extra" | wc -l)" -gt 5 ] && echo ' ...')"; ok=0; }
	[ -n "$missing" ] && { say "      deliberate cells $where already changed, before their patch: $(echo "$missing" | head -n 5 | paste -sd ';')$([ "$(echo "$missing" | wc -l)" -gt 5 ] && echo ' ...')"; ok=0; }
	if [ $ok = 1 ]; then
		say "ok    matrix $where: kfunc_ctx_matrix fails on $(echo "$cells" | grep -c .) cells, the deliberate ones whose patch is still to come"
		PASSED=$((PASSED + 1))
	else
		say "FAIL  matrix $where: $(echo "$cells" | grep -c .) cells fail, $(echo "$want" | grep -c .) expected from matrix/deliberate.txt; see $log"
		FAILED=$((FAILED + 1))
		return 1
	fi
}

# Every patch builds, boots and passes the tests of its tree that it could
# change. One worktree and one output folder, rebuilt incrementally from the
# base kernel of do_negative: a patch that changes no kernel code keeps the
# kernel before it; a patch is booted only if it changes kernel code or the
# sched_ext selftests, and then runs those and the verdict matrix of the tip
# (check_cells: the deliberate cells of the patches still to come fail). CHECK_BUDGET=SECONDS (set by .ci/run) is a deadline
# for the run: a patch is started only if the longest step so far (or
# BISECT_STEP_GUESS, 900 s, before the first) still fits before it; the rest
# are reported as skipped.
do_bisect() {
	local rev n i=0 subj built=base prev=base revs t step=0 longest=${BISECT_STEP_GUESS:-900} now cells
	revs=$(git -C "$BUILD/tree" rev-list --reverse base..HEAD)
	n=$(echo "$revs" | grep -c .)
	# The verdict matrix (kfunc_ctx_matrix of the tip's tests), at every patch booted.
	cells=cells
	if [ -x "$BUILD/tests/bpf/test_progs" ]; then
		mkdir -p "$TWT" && rm -f "$TWT/bpf" && ln -s "$BUILD/tests/bpf" "$TWT/bpf"
	else
		say "SKIP  the matrix at each patch: no $BUILD/tests/bpf/test_progs (make tests)"
		SKIPPED=$((SKIPPED + 1)) cells=
	fi
	for rev in $revs; do
		i=$((i + 1))
		now=$(( $(date +%s) - T0 ))
		if [ -n "${CHECK_BUDGET:-}" ] && [ $((now + longest)) -gt "$CHECK_BUDGET" ]; then
			say "SKIP  patches $i-$n not bisected: the run is ${now}s in, a step may take ${longest}s, CHECK_BUDGET=${CHECK_BUDGET}s"
			SKIPPED=$((SKIPPED + n - i + 1))
			break
		fi
		t=$(date +%s)
		subj=$(git -C "$BUILD/tree" log -1 --format=%s "$rev")
		say "      patch $i/$n: $subj"
		worktree_at "$WT" "$rev" || { say "FAIL  cannot check out patch $i/$n"; FAILED=$((FAILED + 1)); break; }
		if git -C "$BUILD/tree" diff --quiet "$built" "$rev" -- . ':!Documentation' ':!tools/testing'; then
			say "      patch $i/$n changes no kernel code: the kernel of $(git -C "$BUILD/tree" log -1 --format=%h "$built") stands"
		elif "$TOP/scripts/host/kernel.sh" "$WT" "$KWT"; then
			built=$rev
		else
			say "FAIL  patch $i/$n does not build"
			FAILED=$((FAILED + 1))
			break
		fi
		if git -C "$BUILD/tree" diff --quiet "$prev" "$rev" -- . ':!Documentation' \
			':!tools/testing/selftests/bpf'; then
			say "      patch $i/$n changes no kernel code and no sched_ext selftest: not booted again"
		elif mkdir -p "$TWT/sched_ext" &&
		     stage "sched_ext selftests at patch $i" "$LOGS/bisect-scx-$i.log" \
			make -C "$WT/tools/testing/selftests/sched_ext" OUTPUT="$TWT/sched_ext" \
			CLANG=clang LLC=llc LLVM_STRIP=llvm-strip VMLINUX_BTF="$KWT/vmlinux" -j"$(nproc)"; then
			# test_progs loads bpf_testmod: the one of this patch, built
			# for its kernel (struct bpf_struct_ops changes in the series)
			wt_kmods || { FAILED=$((FAILED + 1)); prev=$rev; continue; }
			KMODS=$KMODS_WT/bpf do_vm_tests "$KWT/arch/x86/boot/bzImage" "$TWT" "bisect-$i" scx $cells || true
			[ -z "$cells" ] || check_cells "$LOGS/vm-bisect-$i.log" "$rev" "at patch $i" || true
		else
			FAILED=$((FAILED + 1))
		fi
		prev=$rev
		step=$(( $(date +%s) - t ))
		# The first step sets the scale; after it, the longest one seen.
		if [ "$i" = 1 ] || [ "$step" -gt "$longest" ]; then longest=$step; fi
	done
}

# veristat on the base, the bpf series (branch bpf-fixes) and the tip,
# each kernel built in the second worktree (base and bpf-fixes) or taken
# from make kernel (the tip); the tests of make tests, built against the tip.
do_veristat() {
	local k=$BUILD/veristat-kernels
	mkdir -p "$k"
	do_base || return
	cp "$KWT/arch/x86/boot/bzImage" "$k/base"
	worktree_at "$WT" "$FIXES_BRANCH" || return
	"$TOP/scripts/host/kernel.sh" "$WT" "$KWT" || return
	cp "$KWT/arch/x86/boot/bzImage" "$k/bpf"
	if "$TOP/scripts/host/veristat.sh" "$BUILD/tests" base="$k/base" bpf="$k/bpf" \
		bpf-next="$KOUT/arch/x86/boot/bzImage"; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
	fi
}

summary() {
	say "total time $(( $(date +%s) - T0 ))s"
	say "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" = 0 ]
}

# Stop at the first failing build stage, with the counts.
build_stages() {
	local step
	for step in "$@"; do
		$step || { FAILED=$((FAILED + 1)); summary; exit 1; }
	done
}

case "${1:-all}" in
deps)	do_deps;;
tree)	build_stages do_deps do_tree;;
kernel)	build_stages do_deps do_kernel;;
tests)	build_stages do_deps; llvm_path; build_stages do_tests;;
test)	build_stages do_deps; llvm_path; do_test || true; summary;;
all)
	build_stages do_deps
	llvm_path
	build_stages do_tree do_kernel do_tests
	do_test || true
	summary
	;;
check)
	build_stages do_deps
	llvm_path
	build_stages do_tree do_kernel do_tests
	do_checks
	do_test || true
	do_stress --short
	do_negative || FAILED=$((FAILED + 1))
	# sparse and W=1 against the base kernel that do_negative built
	if "$TOP/scripts/check/checks.sh" warnings; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	do_bpf_series || FAILED=$((FAILED + 1))
	[ -n "${SKIP_BISECT:-}" ] || do_bisect
	summary
	;;
negative) build_stages do_deps; llvm_path; do_negative; summary;;
bpf-series) build_stages do_deps; llvm_path; do_bpf_series || FAILED=$((FAILED + 1)); summary;;
stable)	build_stages do_deps; "$TOP/scripts/host/stable.sh";;
veristat) build_stages do_deps; llvm_path; build_stages do_tree do_kernel do_tests; do_veristat; summary;;
bisect)	build_stages do_deps; llvm_path; do_bisect; summary;;
bench)	build_stages do_deps do_tree do_kernel do_tests do_base
	if "$TOP/scripts/host/bench.sh" "$KWT" "$KOUT" "$BUILD/tests"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	summary;;
stress)	build_stages do_deps do_tree do_kernel do_tests; do_stress ${STRESS_SECS:-} ${STRESS_LOOPS:-}; summary;;
stress-base) build_stages do_deps do_tree do_kernel do_tests; do_stress --base ${STRESS_SECS:-} ${STRESS_LOOPS:-}; summary;;
warnings) "$TOP/scripts/check/checks.sh" warnings;;
matrix)	build_stages do_deps do_tree; "$TOP/scripts/matrix/gen.sh" --install;;
clean)
	rm -rf "${BUILD:?}"/{linux,linux.tmp,linux-user,tree,wt,am-check,kernel*,tests*,vm,logs,bin,bench,stress,veristat*,.applied}
	rm -rf "${BUILD:?}"/stable/{linux,linux.tmp,kernel,kernel.config,base,backport,tests-*,*.console}
	say "removed build/ (kept the downloaded .debs in build/base and build/stable)"
	;;
*)	die "run.sh: unknown step '$1'";;
esac
