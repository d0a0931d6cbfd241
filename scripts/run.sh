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
		"TOP_DIR=$TOP $TOP/scripts/guest/tests.sh $tests $*" || rc=$?
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

do_test() {
	do_vm_tests "$KOUT/arch/x86/boot/bzImage" "$BUILD/tests" tests ${SUITES:-bpf binfmt scx schedulers}
}

do_checks() {
	local c
	for c in series checkpatch docs; do
		if "$TOP/scripts/check/checks.sh" $c; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	done
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
tests)	llvm_path; build_stages do_deps do_tests;;
test)	llvm_path; do_test || true; summary;;
all)
	llvm_path
	build_stages do_deps do_tree do_kernel do_tests
	do_test || true
	summary
	;;
check)
	llvm_path
	build_stages do_deps do_tree do_kernel do_tests
	do_checks
	do_test || true
	summary
	;;
clean)
	rm -rf "${BUILD:?}"/{linux,linux.tmp,linux-user,tree,wt,am-check,kernel*,tests*,vm,logs,bin,.applied}
	say "removed build/ (kept build/ccache and build/base)"
	;;
*)	die "run.sh: unknown step '$1'";;
esac
