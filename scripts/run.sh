#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The harness's entry points, called by the Makefile. One run at a time.
. "$(dirname "$0")/lib.sh"
lock_build
export TOP

base_version() { cat "$TREE/.base-version" 2>/dev/null || echo unknown; }
T0=$(date +%s)

do_tree() { "$TOP/scripts/tree.sh"; }
do_kernel() { "$TOP/scripts/kernel.sh" "$BUILD/tree" "$KOUT"; }
do_tests() { "$TOP/scripts/tests.sh" "$BUILD/tree" "$KOUT" "$BUILD/tests"; }

# Run the guest suites on kernel $1 with the tests in $2; adds to the totals.
PASSED=0 FAILED=0 SKIPPED=0
do_vm_tests() {
	local kernel=$1 tests=$2 name=$3 rc=0 out
	shift 3
	out=$("$TOP/scripts/vm.sh" -k "$kernel" -n "$name" -t "${VM_TIMEOUT:-900}" -- \
		"TOP_DIR=$TOP $TOP/scripts/guest-tests.sh $tests $*") || rc=$?
	echo "$out" | grep -v '^    | RESULT '
	while read -r _ _ suite p f k; do
		say "      $suite: $p passed, $f failed, $k skipped"
		PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + k))
	done < <(echo "$out" | grep '^    | RESULT ')
	if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^    | RESULT '; then
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
	do_tree && do_kernel && do_tests
	do_test || true
	summary
	;;
matrix)	do_matrix;;
clean)
	rm -rf "$BUILD"/{linux,linux.tmp,dev,tree,kernel*,tests*,vm,logs,bin}
	say "removed build/ (kept build/ccache)"
	;;
*)	die "run.sh: unknown step '$1'";;
esac
