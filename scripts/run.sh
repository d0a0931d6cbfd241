#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The harness's entry points, called by the Makefile. One run at a time.
. "$(dirname "$0")/lib.sh"
lock_build
export TOP

base_version() { cat "$TREE/.base-version" 2>/dev/null || echo unknown; }
T0=$(date +%s)

do_tree() { "$TOP/scripts/host/tree.sh"; }
do_kernel() { "$TOP/scripts/host/kernel.sh" "$BUILD/tree" "$KOUT"; }
do_tests() { "$TOP/scripts/host/tests.sh" "$BUILD/tree" "$KOUT" "$BUILD/tests"; }

# Run the guest suites on kernel $1 with the tests in $2; adds to the totals.
PASSED=0 FAILED=0 SKIPPED=0
do_vm_tests() {
	local kernel=$1 tests=$2 name=$3 rc=0 out results
	shift 3
	out=$("$TOP/scripts/host/vm.sh" -k "$kernel" -n "$name" -t "${VM_TIMEOUT:-900}" -- \
		"TOP_DIR=$TOP $TOP/scripts/guest-tests.sh $tests $*" | tr -d '\r') || rc=$?
	echo "$out" | grep -v '^    | RESULT '
	# The counts come from the console log, which has every line even if
	# the streamed copy lost its tail.
	results=$(tr -d '\r' <"$LOGS/vm-$name.log" | grep '^RESULT ' || true)
	while read -r _ suite p f k; do
		[ -n "$suite" ] || continue
		say "      $suite: $p passed, $f failed, $k skipped"
		PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + k))
	done <<<"$results"
	tr -d '\r' <"$LOGS/vm-$name.log" | sed -n 's/^test_progs took [0-9]* s$/      &/p'
	# A guest that failed as a whole (a kernel warning, a timeout, no exit
	# status) is a failure even when every suite reported its counts.
	if { [ $rc -ne 0 ] && [ -z "$results" ]; } || grep -q '^FAIL  vm ' <<<"$out"; then
		FAILED=$((FAILED + 1))
	fi
	return $rc
}

do_test() {
	do_vm_tests "$KOUT/arch/x86/boot/bzImage" "$BUILD/tests" tests bpf scx schedulers
}

do_matrix() {
	git -C "$BUILD/tree" show base:kernel/sched/ext.c >"$BUILD/base-ext.c" || return
	python3 "$TOP/scripts/gen-matrix.py" "$BUILD/base-ext.c" \
		--base "Debian linux-source-6.12 $(base_version)" \
		--md "$TOP/matrix/scx-kf-mask.md" \
		--header "$BUILD/tree/tools/testing/selftests/bpf/progs/scx_kf_mask_matrix.h"
}

# The base kernel, from the second worktree checked out at base.
do_base() {
	worktree_at "$WT" base || return
	[ "$(git -C "$WT" rev-parse HEAD)" = "$(git -C "$BUILD/tree" rev-parse base)" ] ||
		{ say "FAIL  ${WT#$TOP/} is not at base"; return 1; }
	"$TOP/scripts/host/kernel.sh" "$WT" "$KBASE"
}

# The matrix test must fail on the base kernel, which only checks at run time,
# and name every pair the matrix says the verifier refuses for its context.
do_negative() {
	local want got out
	do_base || return
	want=$(sed -n 's/^\t{ "[a-z_]*", "[a-z_0-9]*", [01], "\([ocns]*\)" },$/\1/p' \
		"$BUILD/tree/tools/testing/selftests/bpf/progs/scx_kf_mask_matrix.h" | tr -cd c | wc -c)
	out=$("$TOP/scripts/host/vm.sh" -k "$KBASE/arch/x86/boot/bzImage" -n negative -- \
		"cd $BUILD/tests/bpf && ./test_progs -t scx_kf_mask" 2>&1 | tr -d '\r') || true
	got=$(tr -d '\r' <"$LOGS/vm-negative.log" |
		sed -n 's/.*checked, \([0-9]*\) disagree with the matrix.*/\1/p' | tail -n 1)
	{ echo "$out" | grep -m 2 "x scx_bpf_consume: expected 'c'" | sed 's/^    | /      e.g. /'; } || true
	if [ "$want" -gt 0 ] && [ "$got" = "$want" ]; then
		say "ok    negative control: on the base kernel the matrix test fails and names $got pairs, the $want refused for their context"
		PASSED=$((PASSED + 1))
	else
		say "FAIL  negative control: expected $want disagreeing pairs on the base kernel, got '${got:-none}'"
		FAILED=$((FAILED + 1))
	fi
}

# Every patch builds, boots, and passes the sched_ext selftests of its tree.
# A patch that changes no kernel code (only Documentation/ or tools/testing/)
# leaves the kernel of the patch before it, which is not rebuilt; it is
# booted again only if it changes the sched_ext selftests.
#
# The first patch builds on a copy of the base kernel of do_negative, when
# there is one, so that it only recompiles what the patch changes.
# CHECK_BUDGET=SECONDS (set by .ci/run) stops the bisect before a patch that
# would start later than that into the run; the patches left are reported
# as skipped, so that a slow machine gives a partial bisect, not a timeout.
do_bisect() {
	local rev n i subj built=base prev=base revs
	revs=$(git -C "$BUILD/tree" rev-list --reverse base..HEAD)
	n=$(echo "$revs" | wc -l)
	if [ -f "$KBASE/vmlinux" ] && [ -f "$KBASE/.config-key" ]; then
		stage "start the per-patch kernel from the base kernel" "$LOGS/bisect-seed.log" \
			bash -c "rm -rf '$KBISECT' && cp -a '$KBASE' '$KBISECT'" || return
	fi
	i=0
	for rev in $revs; do
		i=$((i + 1))
		if [ -n "${CHECK_BUDGET:-}" ] && [ $(( $(date +%s) - T0 )) -ge "$CHECK_BUDGET" ]; then
			say "SKIP  patches $i-$n not bisected: the run is $(( $(date +%s) - T0 ))s in, past CHECK_BUDGET=${CHECK_BUDGET}s"
			SKIPPED=$((SKIPPED + n - i + 1))
			break
		fi
		subj=$(git -C "$BUILD/tree" log -1 --format=%s "$rev")
		say "      patch $i/$n: $subj"
		if ! worktree_at "$WT" "$rev"; then
			say "FAIL  cannot check out patch $i/$n in ${WT#$TOP/}"
			FAILED=$((FAILED + 1))
			built=base prev=$rev
			continue
		fi
		mkdir -p "$TBISECT/sched_ext"
		if [ "$built" != base ] &&
		   git -C "$BUILD/tree" diff --quiet "$built" "$rev" -- . ':!Documentation' ':!tools/testing'; then
			say "      patch $i/$n changes no kernel code: the kernel of $(git -C "$BUILD/tree" log -1 --format=%h "$built") stands"
		elif "$TOP/scripts/host/kernel.sh" "$WT" "$KBISECT"; then
			built=$rev
		else
			say "FAIL  patch $i/$n does not build"
			FAILED=$((FAILED + 1))
			# What the failed build left is no kernel of any patch.
			built=base prev=$rev
			continue
		fi
		if ! stage "sched_ext selftests at patch $i" "$LOGS/bisect-scx-$i.log" \
			make -C "$WT/tools/testing/selftests/sched_ext" OUTPUT="$TBISECT/sched_ext" \
			CLANG=clang LLC=llc LLVM_STRIP=llvm-strip \
			VMLINUX_BTF="$KBISECT/vmlinux" -j"$(nproc)"; then
			say "FAIL  the sched_ext selftests of patch $i/$n do not build"
			FAILED=$((FAILED + 1))
		elif git -C "$BUILD/tree" diff --quiet "$prev" "$rev" -- . \
			':!Documentation' ':!tools/testing/selftests/bpf'; then
			say "      patch $i/$n changes no kernel code and no sched_ext selftest: not booted again"
		else
			do_vm_tests "$KBISECT/arch/x86/boot/bzImage" "$TBISECT" \
				"bisect-$i" scx || true
		fi
		prev=$rev
	done
}

# A short 'make stress' on the test kernel (no debug options). Its
# schedulers, like make stress's, come from the series plus
# config/stress-patches/: 6.12's scx_flatcg can lose a cgroup for good, and
# when that is the root cgroup the guest hangs (seen once, 2026-11-29).
do_stress_short() {
	local out rc=0 line t tst=$BUILD/wt/tests-short
	if ! stress_tree "$(git -C "$BUILD/tree" rev-parse HEAD)" stress-short ||
	   ! TESTS_ONLY=schedulers "$TOP/scripts/host/tests.sh" "$WT" "$KOUT" "$tst"; then
		say "FAIL  short stress: no schedulers with config/stress-patches"
		FAILED=$((FAILED + 1))
		return
	fi
	for t in progstat sched_ext bpf; do ln -sfn "$BUILD/tests/$t" "$tst/$t"; done
	out=$("$TOP/scripts/host/vm.sh" -n stress-short -t 900 -- \
		"$TOP/scripts/guest-stress.sh $tst 5 3" | tr -d '\r') || rc=$?
	while read -r line; do
		say "      stress: $line"
		case "$line" in
		*" ok"*) PASSED=$((PASSED + 1));;
		*) FAILED=$((FAILED + 1));;
		esac
	done < <(echo "$out" | sed -n 's/^    | STRESS //p')
	[ $rc = 0 ] || { say "FAIL  short stress (see $LOGS/vm-stress-short.log)"; FAILED=$((FAILED + 1)); }
}

# A short 'make bench', so that it cannot rot.
do_bench_short() {
	if "$TOP/scripts/host/bench.sh" 1 2000 >"$LOGS/bench-short.log" 2>&1 &&
	   grep -q '^| pipe' "$LOGS/bench-short.log"; then
		say "ok    short bench: $(grep '^| pipe' "$LOGS/bench-short.log" | cut -d'|' -f2-6)"
		PASSED=$((PASSED + 1))
	else
		say "FAIL  short bench; see $LOGS/bench-short.log"
		tail -n 20 "$LOGS/bench-short.log" | sed 's/^/    /'
		FAILED=$((FAILED + 1))
	fi
}

summary() {
	say "total time $(( $(date +%s) - T0 ))s"
	say "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" = 0 ]
}

case "${1:-all}" in
tree)	do_tree;;
kernel)	do_kernel;;
tests)	do_tests;;
test)	do_test || true; summary;;
all)
	do_tree && do_kernel && do_tests || { FAILED=$((FAILED + 1)); summary; exit 1; }
	do_test || true
	summary
	;;
check)
	llvm_path
	for step in do_tree do_kernel do_tests; do
		$step || { FAILED=$((FAILED + 1)); summary; exit 1; }
	done
	for c in series stubs matrix checkpatch kf_mask flags docs; do
		if "$TOP/scripts/check/checks.sh" $c; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	done
	do_test || true
	do_stress_short
	do_negative || FAILED=$((FAILED + 1))
	# sparse and W=1 against the base kernel that do_negative built
	if "$TOP/scripts/check/checks.sh" warnings; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	do_bench_short
	[ -n "${SKIP_BISECT:-}" ] || do_bisect
	summary
	;;
negative) do_negative; summary;;
stress-short) llvm_path; do_stress_short; summary;;
base)	do_base;;
warnings) "$TOP/scripts/check/checks.sh" warnings;;
bisect) llvm_path; do_bisect; summary;;
matrix)	do_matrix;;
clean)
	rm -rf "${BUILD:?}"/{linux,linux.tmp,dev,tree,wt,bisect,kernel*,tests*,vm,logs,bin}
	say "removed build/ (kept build/ccache)"
	;;
*)	die "run.sh: unknown step '$1'";;
esac
