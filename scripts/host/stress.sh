#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make stress: the example schedulers under load and faults on a debug kernel
# (lockdep, atomic-sleep, list debugging, KASAN), with the series applied.
#   stress.sh [--base] [SECONDS] [LOOPS]     defaults 60 s per scheduler, 20 loops
# --base (make stress-base): the same on the base kernel, without the two
# steps that load programs only the series refuses. It tells what the
# series changed from what 6.12 does.
# SCHEDS="scx_flatcg ..." picks the schedulers put under load (default: all four).
#
# The kernel and the schedulers are built in the second worktree, from the
# series (or the base) plus config/stress-patches/: fixes for bugs of 6.12
# that are not the series' and that this run would otherwise report (see
# README.md). STRESS_PATCHES=0 leaves them out, to see those bugs.
. "$(dirname "$0")/../lib.sh"

side=series
[ "${1:-}" = --base ] && { side=base; shift; }
SECS=${1:-60}
LOOPS=${2:-20}
for v in "$SECS" "$LOOPS"; do
	case "$v" in ''|*[!0-9]*|0?*) die "usage: stress.sh [--base] [SECONDS] [LOOPS] (whole numbers, no leading zero)";; esac
done
[ "$SECS" -gt 0 ] || die "SECONDS must be at least 1"
SCHEDS=${SCHEDS:-scx_simple scx_qmap scx_central scx_flatcg}
case "$SCHEDS" in *[!a-z_\ ]*) die "SCHEDS: scheduler names, such as 'scx_flatcg scx_simple'";; esac
nsched=$(wc -w <<<"$SCHEDS")
[ "$nsched" -gt 0 ] || die "SCHEDS names no scheduler"
case "${STRESS_PATCHES:-1}" in 0|1) ;; *) die "STRESS_PATCHES is 0 or 1";; esac
lock_build
need stress-ng stress-ng
[ -x "$BUILD/tests/schedulers/build/bin/scx_simple" ] || die "no tests; run 'make tests' first"

if [ $side = base ]; then
	rev=base KDBG=$KDBG_BASE TST=$BUILD/wt/tests-stress-base what=base name=stress-base
else
	rev=$(git -C "$BUILD/tree" rev-parse HEAD) KDBG=$BUILD/wt/kernel-debug TST=$BUILD/wt/tests-stress what=all name=stress
fi

# The tree: $rev, then the stress patches on top.
stress_tree "$rev" "$name" "${STRESS_PATCHES:-1}" || exit 1
n=$STRESS_N
say "ok    $side tree with $n stress patch(es) from config/stress-patches"

"$TOP/scripts/kernel.sh" "$WT" "$KDBG" "$TOP/config/kernel.config" "$TOP/config/kernel-debug.config"
# The schedulers of that tree; the rest of the guest's tools from make tests.
TESTS_ONLY=schedulers "$TOP/scripts/tests.sh" "$WT" "$KDBG" "$TST"
for t in progstat sched_ext bpf; do ln -sfn "$BUILD/tests/$t" "$TST/$t"; done
for s in $SCHEDS; do
	[ -x "$TST/schedulers/build/bin/$s" ] || die "SCHEDS: no scheduler $s in tools/sched_ext"
done

rc=0
out=$("$TOP/scripts/vm.sh" -k "$KDBG/arch/x86/boot/bzImage" -n $name -t $((SECS * (nsched + 1) + LOOPS * 20 + 600)) -- \
	"$TOP/scripts/guest-stress.sh $TST $SECS $LOOPS $what '$SCHEDS'" | tr -d '\r') || rc=$?
echo "$out" | grep -E '^    \| (STRESS|    flatcg counters)|^(ok|FAIL) ' | sed 's/^    | STRESS /      /; s/^    |     /      /'
boot=$(grep -a -m1 ' as init process' "$LOGS/vm-$name.log" | sed 's/^\[ *\([0-9.]*\)\].*/\1/' || true)
warn=$(grep -acE 'WARNING:|BUG:|possible recursive locking|possible circular locking|inconsistent lock state' "$LOGS/vm-$name.log" || true)
say "      $side debug kernel, $n stress patch(es): $(grep -c '^CONFIG_KASAN=y' "$KDBG/.config") KASAN, $(grep -c '^CONFIG_PROVE_LOCKING=y' "$KDBG/.config") lockdep; boot to init ${boot:-?} s; kernel warnings seen: $warn"
exit $rc
