#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make stress: the schedulers of tools/sched_ext, a sub-scheduler (scx_qmap
# beneath scx_qmap) and two bpf_qdisc qdiscs under load, faults and bad
# programs, on a debug kernel (lockdep, atomic sleep, list debugging, the
# lockup detectors; no KASAN, see config/kernel-debug.config), and the hole
# on its own: scx_hole, whose dispatch timer calls scx_bpf_dsq_move_to_local().
#   host/stress.sh [--base | --short] [SECONDS] [LOOPS]   (60 s, 10 loops)
# --base (make stress-base): the base with the same debug options, without
# the steps that load what only the series refuses or accepts; scx_hole is
# run attached, in a guest of its own with a timeout, to see what it does.
# --short (make check): the series kernel of make, not a debug kernel,
# 10 s and 2 loops unless given. SCHEDS="scx_simple ..." picks the
# schedulers (default: every one of tools/sched_ext but those that
# config/known.txt says cannot load here).
. "$(dirname "$0")/../lib.sh"

side=series
case "${1:-}" in --base) side=base; shift;; --short) side=short; shift;; esac
def_secs=60 def_loops=10
[ $side = short ] && def_secs=10 def_loops=2
SECS=${1:-$def_secs}
LOOPS=${2:-$def_loops}
for v in "$SECS" "$LOOPS"; do
	case "$v" in ''|*[!0-9]*|0?*|0) die "usage: stress.sh [--base|--short] [SECONDS] [LOOPS] (whole numbers from 1)";; esac
done
all="scx_simple scx_qmap scx_central scx_flatcg scx_cpu0 scx_pair scx_sdt scx_userland"
known=$(awk -F'\t' '$1 == "schedulers" {print $2}' "$TOP/config/known.txt" | xargs)
SCHEDS=${SCHEDS:-$(for s in $all; do [[ " $known " == *" $s "* ]] || echo $s; done | xargs)}
case "$SCHEDS" in *[!a-z0-9_\ ]*|'') die "SCHEDS: scheduler names, such as 'scx_flatcg scx_simple'";; esac
nsched=$(wc -w <<<"$SCHEDS")
need stress-ng stress-ng
need tc iproute2
# scx_hole is built with the LLVM of the tests (make stress does not go
# through run.sh's llvm_path).
llvm_path
T=$BUILD/tests
[ -x "$T/schedulers/build/bin/scx_simple" ] && [ -x "$T/bpf/test_progs" ] || die "no tests in ${T#$TOP/}; run make tests"
for s in $SCHEDS; do
	[ -x "$T/schedulers/build/bin/$s" ] || die "SCHEDS: no scheduler $s in tools/sched_ext"
done

kmods=-
frags=("$TOP/config/kernel.config" "$TOP/config/kernel-debug.config")
label="$side debug kernel"
[ $side = short ] && label="series kernel of make"
case $side in
series) K=$BUILD/kernel-debug what=all name=stress
	"$TOP/scripts/host/kernel.sh" "$BUILD/tree" "$K" "${frags[@]}" || exit 1
	# test_progs' modules must be built for the kernel they load into
	# (vermagic, split BTF): the guest mounts these over those of make.
	kmods=$BUILD/stress/tests-$name
	TESTS_ONLY=kmods "$TOP/scripts/host/tests.sh" "$BUILD/tree" "$K" "$kmods" || exit 1
	kmods=$kmods/bpf;;
base)	K=$BUILD/wt/kernel-debug what=base name=stress-base
	worktree_at "$WT" base || exit 1
	"$TOP/scripts/host/kernel.sh" "$WT" "$K" "${frags[@]}" || exit 1;;
short)	K=$KOUT what=all name=stress-short
	[ -f "$K/arch/x86/boot/bzImage" ] || die "no kernel in ${K#$TOP/}; run make kernel";;
esac

# progstat, and scx_hole built with the tools/sched_ext of the tree (its
# sources are the harness's: copied in for the build, removed after).
S=$BUILD/stress
mkdir -p "$S"
build_tools() {
	local d=$BUILD/tree/tools/sched_ext rc=0
	gcc -O2 -Wall -o "$S/progstat" "$TOP/stress/progstat.c" || return
	cp "$TOP/stress/scx_hole.c" "$TOP/stress/scx_hole.bpf.c" "$d/"
	trap 'rm -f "$d/scx_hole.c" "$d/scx_hole.bpf.c"' EXIT
	make -C "$d" O="$T/schedulers" CLANG=clang LLC=llc LLVM_STRIP=llvm-strip \
		VMLINUX_BTF="$KOUT/vmlinux" c-sched-targets=scx_hole || rc=$?
	rm -f "$d/scx_hole.c" "$d/scx_hole.bpf.c"
	trap - EXIT
	return $rc
}
stage "stress tools (progstat, scx_hole)" "$LOGS/$name-tools.log" build_tools || exit 1

rc=0
VM_TIMEOUT=$((SECS * (nsched + 4) + LOOPS * 45 + 900)) \
	"$TOP/scripts/host/vm.sh" -k "$K/arch/x86/boot/bzImage" -n "$name" -- \
	"$TOP/scripts/guest/stress.sh $T $S $SECS $LOOPS $what '$SCHEDS' $kmods" >/dev/null || rc=$?
log=$LOGS/vm-$name.log
tr -d '\r' <"$log" >"$S/$name.console"
grep -E '^STRESS ' "$S/$name.console" | sed -e 's/^STRESS /      /' -e "s|$TOP/||" || say "FAIL  no step of the stress guest reported; see ${log#$TOP/}"
grep -q '^STRESS ' "$S/$name.console" || rc=1
warn=$(grep -cE 'WARNING:|BUG:|possible recursive locking|possible circular locking|inconsistent lock state|soft lockup|hard LOCKUP|blocked for more than' "$S/$name.console" || true)
say "      $label ($(grep -q '^CONFIG_PROVE_LOCKING=y' "$K/.config" && echo lockdep || echo 'no lockdep'), $(grep -q '^CONFIG_KASAN=y' "$K/.config" && echo KASAN || echo 'no KASAN')): kernel warnings seen: $warn; $nsched schedulers, ${SECS}s each, $LOOPS loops"
[ "$rc" = 0 ] && [ "$warn" = 0 ] || { say "FAIL  stress on the $label; see ${log#$TOP/}"; rc=1; }

# The hole, in a guest of its own. The series refuses scx_hole at load; the
# base runs it, and this reports what it does.
hole=$name-hole
hrc=0
VM_TIMEOUT=${HOLE_TIMEOUT:-240} "$TOP/scripts/host/vm.sh" -k "$K/arch/x86/boot/bzImage" -n "$hole" -- \
	"stress-ng --cpu 2 --pipe 2 --timeout 60s --quiet & $T/schedulers/build/bin/scx_hole 60; echo scx_hole exit \$?" >/dev/null 2>&1 || hrc=$?
hlog=$S/$hole.console
tr -d '\r' <"$LOGS/vm-$hole.log" >"$hlog"
seen=$(grep -oE 'inconsistent lock state|possible recursive locking|possible circular locking|BUG: [^,]*|WARNING: [^ ]+ [^ ]+|soft lockup|hard LOCKUP|blocked for more than|RCU stall|rcu_preempt detected stalls|refused at load|scx_hole: attached|runtime error|timed out|not allowed in an async callback' "$hlog" | sort | uniq -c | sed 's/^ *//' | paste -sd ';' || true)
last=$(grep -oE 'scx_hole: [0-9]+s timer runs [0-9]+, moved [0-9]+' "$hlog" | tail -n 1 || true)
if [ $side = base ]; then
	say "      the hole on the $label: guest exit $hrc; seen: ${seen:-nothing}; last: ${last:-no line}"
	say "ok    the hole shown; console in ${LOGS#$TOP/}/vm-$hole.log"
elif grep -q 'scx_hole: refused at load' "$hlog" &&
     grep -q 'scx_bpf_dsq_move_to_local.* is not allowed in an async callback' "$hlog"; then
	say "ok    the hole: the $label refuses scx_hole at load, naming the async callback"
else
	say "FAIL  the hole: the $label did not refuse scx_hole at load (guest exit $hrc; seen: ${seen:-nothing}); see ${LOGS#$TOP/}/vm-$hole.log"
	rc=1
fi
exit $rc
