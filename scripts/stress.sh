#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make stress: the example schedulers under load and faults on a debug kernel
# (lockdep, atomic-sleep, list debugging, KASAN), with the series applied.
#   stress.sh [SECONDS] [LOOPS]     defaults 60 s per scheduler, 20 loops
. "$(dirname "$0")/lib.sh"
lock_build

SECS=${1:-60}
LOOPS=${2:-20}
KDBG=$BUILD/kernel-debug
need stress-ng stress-ng
[ -x "$BUILD/tests/schedulers/build/bin/scx_simple" ] || die "no tests; run 'make tests' first"

"$TOP/scripts/kernel.sh" "$BUILD/tree" "$KDBG" "$TOP/config/kernel.config" "$TOP/config/kernel-debug.config"

rc=0
out=$("$TOP/scripts/vm.sh" -k "$KDBG/arch/x86/boot/bzImage" -n stress -t $((SECS * 4 + LOOPS * 20 + 600)) -- \
	"$TOP/scripts/guest-stress.sh $BUILD/tests $SECS $LOOPS" | tr -d '\r') || rc=$?
echo "$out" | grep -E '^    \| STRESS|^(ok|FAIL) ' | sed 's/^    | STRESS /      /'
boot=$(grep -m1 'guest: ' "$LOGS/vm-stress.log" | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
warn=$(grep -cE 'WARNING:|BUG:|possible recursive locking|possible circular locking|inconsistent lock state' "$LOGS/vm-stress.log" || true)
say "      debug kernel: $(grep -c '^CONFIG_KASAN=y' "$KDBG/.config") KASAN, $(grep -c '^CONFIG_PROVE_LOCKING=y' "$KDBG/.config") lockdep; kernel warnings seen: $warn"
exit $rc
