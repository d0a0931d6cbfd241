#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make stress: the example schedulers under load and faults on a debug kernel
# (lockdep, atomic-sleep, list debugging, KASAN), with the series applied.
#   stress.sh [--base] [SECONDS] [LOOPS]     defaults 60 s per scheduler, 20 loops
# SCHEDS="scx_flatcg ..." picks the schedulers put under load (default: all four).
# --base (make stress-base): the same debug options on the base kernel, and
# only the schedulers under load (the fault steps test refusals that only
# the series makes). It tells what the series changed from what 6.12 does.
. "$(dirname "$0")/lib.sh"

side=series
[ "${1:-}" = --base ] && { side=base; shift; }
SECS=${1:-60}
LOOPS=${2:-20}
case "$SECS$LOOPS" in *[!0-9]*|'') die "usage: stress.sh [--base] [SECONDS] [LOOPS] (whole numbers)";; esac
SCHEDS=${SCHEDS:-scx_simple scx_qmap scx_central scx_flatcg}
case "$SCHEDS" in *[!a-z_\ ]*) die "SCHEDS: scheduler names, such as 'scx_flatcg scx_simple'";; esac
lock_build
need stress-ng stress-ng
[ -x "$BUILD/tests/schedulers/build/bin/scx_simple" ] || die "no tests; run 'make tests' first"

frags=("$TOP/config/kernel.config" "$TOP/config/kernel-debug.config")
if [ $side = base ]; then
	KDBG=$KDBG_BASE
	worktree_at "$WT" base
	[ "$(git -C "$WT" rev-parse HEAD)" = "$(git -C "$BUILD/tree" rev-parse base)" ] ||
		die "${WT#$TOP/} is not at base"
	"$TOP/scripts/kernel.sh" "$WT" "$KDBG" "${frags[@]}"
	what=load name=stress-base
else
	KDBG=$BUILD/kernel-debug
	"$TOP/scripts/kernel.sh" "$BUILD/tree" "$KDBG" "${frags[@]}"
	what=all name=stress
fi

rc=0
out=$("$TOP/scripts/vm.sh" -k "$KDBG/arch/x86/boot/bzImage" -n $name -t $((SECS * 4 + LOOPS * 20 + 600)) -- \
	"$TOP/scripts/guest-stress.sh $BUILD/tests $SECS $LOOPS $what '$SCHEDS'" | tr -d '\r') || rc=$?
echo "$out" | grep -E '^    \| STRESS|^(ok|FAIL) ' | sed 's/^    | STRESS /      /'
boot=$(grep -a -m1 ' as init process' "$LOGS/vm-$name.log" | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
warn=$(grep -cE 'WARNING:|BUG:|possible recursive locking|possible circular locking|inconsistent lock state' "$LOGS/vm-$name.log" || true)
say "      $side debug kernel: $(grep -c '^CONFIG_KASAN=y' "$KDBG/.config") KASAN, $(grep -c '^CONFIG_PROVE_LOCKING=y' "$KDBG/.config") lockdep; boot to init ${boot:-?} s; kernel warnings seen: $warn"
exit $rc
