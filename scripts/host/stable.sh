#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make stable: the 7.2 stable backport of the bpf series (stable/7.2/),
# built and run on the stable tree that ships the hole.
#
#   1. stable-base.sh: Debian's linux-source-7.2 (config/stable.env) in
#      build/stable/linux, branch base; branch backport = base + git am
#      stable/7.2/.
#   2. One output folder, build/stable/kernel, built at base and then at
#      backport (the second build only redoes what the backport changes),
#      with config/kernel.config and the lockdep fragment of make stress,
#      less the options 7.2 does not have (named in the log).
#   3. At each: 7.2's sched_ext selftests and scx_hole (stress/), built
#      against that kernel.
#   4. The base: scx_hole attached under load (the hole: a lockdep report
#      or a hang is expected) and the backported sched_ext selftest, which
#      must fail there. The backport: scx_hole refused at load with the
#      message, all of 7.2's sched_ext selftests, and the backported
#      selftests/bpf tests (test_progs built from the 7.2 tree).
. "$(dirname "$0")/../lib.sh"
lock_build
llvm_path

S=$BUILD/stable
L=$S/linux
PASSED=0 FAILED=0 SKIPPED=0
pass() { say "ok    $*"; PASSED=$((PASSED + 1)); }
fail() { say "FAIL  $*"; FAILED=$((FAILED + 1)); }

"$TOP/scripts/host/stable-base.sh" >/dev/null || exit 1
. "$TOP/config/stable.env"

# 7.2's BTF needs pahole to tag its kfuncs and to drop their implicit
# arguments (KF_IMPLICIT_ARGS) from the prototypes BPF programs see; with
# an older pahole the kernel builds and boots, but libbpf resolves none of
# those kfuncs ("referenced but wasn't resolved"), so no sched_ext program
# loads, on the base or the backport. When the one in PATH is too old,
# pahole.sh fetches Debian unstable's (config/pahole.env); PAHOLE=/path
# picks another.
need_pahole=$(sed -n 's/^pahole  *\([0-9][0-9.]*\)  *pahole --version.*/\1/p' "$L/Documentation/process/changes.rst")
pahole_ok() {
	local have
	have=$("$1" --version 2>/dev/null | sed 's/^v//')
	[ -z "$need_pahole" ] || { [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$need_pahole" "$have" | sort -V | head -n 1)" = "$need_pahole" ]; }
}
if [ -z "${PAHOLE:-}" ] && ! pahole_ok pahole; then
	PAHOLE=$("$TOP/scripts/host/pahole.sh") || die "$STABLE_PKG needs pahole $need_pahole or later and the pinned one could not be fetched; give one with PAHOLE=/path/to/pahole"
fi
pahole_ok "${PAHOLE:-pahole}" ||
	die "$STABLE_PKG needs pahole $need_pahole or later (its Documentation/process/changes.rst); ${PAHOLE:-pahole} is $("${PAHOLE:-pahole}" --version 2>/dev/null || echo missing)"
export PAHOLE
say "      pahole: ${PAHOLE:-pahole} $("${PAHOLE:-pahole}" --version)"
mapfile -t backport < <(find "$TOP/stable/7.2" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' | sort)
[ ${#backport[@]} -gt 0 ] || die "no patches in stable/7.2"
[ -z "$(git -C "$L" status --porcelain --untracked-files=no)" ] || git -C "$L" checkout -q -f base
git -C "$L" checkout -q -B backport base
: >"$LOGS/stable-am.log"
for p in "${backport[@]}"; do
	git -C "$L" -c user.name=stable -c user.email=stable@localhost am -3 -q "$p" >>"$LOGS/stable-am.log" 2>&1 || {
		git -C "$L" am --abort >/dev/null 2>&1
		die "stable/7.2/$(basename "$p") does not apply to $STABLE_PKG $STABLE_VERSION; see $LOGS/stable-am.log"
	}
done
say "ok    stable/7.2: ${#backport[@]} patches apply to $STABLE_PKG $STABLE_VERSION"

# The fragments, less the options 7.2's Kconfig does not define.
frag=$S/kernel.config
: >"$frag"
dropped=
for f in "$TOP/config/kernel.config" "$TOP/config/kernel-debug.config"; do
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue;; esac
		sym=${line%%=*}; sym=${sym#CONFIG_}
		if grep -rqsE "^(menu)?config $sym\$" --include='Kconfig*' "$L"; then
			echo "$line" >>"$frag"
		else
			dropped="$dropped $sym"
		fi
	done <"$f"
done
say "      kernel config: config/kernel.config and config/kernel-debug.config; not in 7.2:${dropped:- none}"

# build SIDE: kernel, sched_ext selftests and scx_hole at branch SIDE
build() {
	local side=$1 t=$S/tests-$1 d=$L/tools/sched_ext rc=0
	git -C "$L" checkout -q "$side" || return
	"$TOP/scripts/host/kernel.sh" "$L" "$S/kernel" "$frag" || return
	mkdir -p "$S/$side"
	cp "$S/kernel/arch/x86/boot/bzImage" "$S/$side/bzImage"
	rm -rf "$t"
	mkdir -p "$t/sched_ext" "$t/schedulers"
	stage "7.2 sched_ext selftests ($side)" "$LOGS/stable-$side-scx.log" \
		make -C "$L/tools/testing/selftests/sched_ext" OUTPUT="$t/sched_ext" \
		CLANG=clang LLC=llc LLVM_STRIP=llvm-strip VMLINUX_BTF="$S/kernel/vmlinux" -j"$(nproc)" || return
	cp "$TOP/stress/scx_hole.c" "$TOP/stress/scx_hole.bpf.c" "$d/"
	stage "scx_hole against 7.2 ($side)" "$LOGS/stable-$side-hole.log" \
		make -C "$d" O="$t/schedulers" CLANG=clang LLC=llc LLVM_STRIP=llvm-strip \
		VMLINUX_BTF="$S/kernel/vmlinux" c-sched-targets=scx_hole || rc=$?
	rm -f "$d/scx_hole.c" "$d/scx_hole.bpf.c"
	return $rc
}

# hole SIDE: scx_hole attached for 60 s under load, in a guest of its own.
hole() {
	local side=$1 name=stable-$1-hole hrc=0
	VM_TIMEOUT=${HOLE_TIMEOUT:-240} "$TOP/scripts/host/vm.sh" -k "$S/$side/bzImage" -n "$name" -- \
		"stress-ng --cpu 2 --pipe 2 --timeout 60s --quiet & $S/tests-$side/schedulers/build/bin/scx_hole 60; echo scx_hole exit \$?" >/dev/null 2>&1 || hrc=$?
	tr -d '\r' <"$LOGS/vm-$name.log" >"$S/$name.console"
	HOLE_RC=$hrc
	HOLE_SEEN=$(grep -oE 'inconsistent lock state|possible recursive locking|possible circular locking|BUG: [^,]*|soft lockup|hard LOCKUP|blocked for more than|RCU stall|refused at load|scx_hole: attached|timed out|not allowed in an async callback' "$S/$name.console" | sort | uniq -c | sed 's/^ *//' | paste -sd ';' || true)
}

# selftests SIDE NAME [RUNNER ARGS]: 7.2's sched_ext runner, with the
# backported selftest, in a guest of the SIDE kernel
# (the runner of the backport: the base's has no async_op_kfunc_deny)
selftests() {
	local side=$1 name=stable-$1-$2 rc=0
	shift 2
	VM_TIMEOUT=${VM_TIMEOUT:-900} "$TOP/scripts/host/vm.sh" -k "$S/$side/bzImage" -n "$name" -- \
		"$S/tests-backport/sched_ext/runner $*" >/dev/null 2>&1 || rc=$?
	tr -d '\r' <"$LOGS/vm-$name.log" >"$S/$name.console"
	return $rc
}

# The selftests/bpf tests of the bpf series (the lines of
# config/selftests-bpf.list under "The bpf series"), for the backport.
bpf_list=$S/selftests-bpf.list
awk '/^# The bpf series/ {on = 1; next} /^# / {on = 0} on' "$TOP/config/selftests-bpf.list" >"$bpf_list"
build_bpf_tests() {
	BPF_LIST=$bpf_list TESTS_ONLY="test_progs kmods" \
		"$TOP/scripts/host/tests.sh" "$L" "$S/kernel" "$S/tests-backport"
}

for side in base backport; do
	build "$side" || { fail "the 7.2 $side does not build; see build/logs"; say "$PASSED passed, $FAILED failed, $SKIPPED skipped"; exit 1; }
done

build_bpf_tests || { fail "the selftests/bpf tests of the backport do not build against 7.2; see build/logs"; say "$PASSED passed, $FAILED failed, $SKIPPED skipped"; exit 1; }

# The hole on 7.2.13 as Debian ships it.
hole base
if grep -q 'scx_hole: attached' "$S/stable-base-hole.console" &&
   { [ "$HOLE_RC" = 125 ] || grep -qE 'inconsistent lock state|possible .* locking|LOCKUP|soft lockup' "$S/stable-base-hole.console"; }; then
	pass "the hole on $STABLE_PKG $STABLE_VERSION: scx_hole loads and attaches; guest exit $HOLE_RC; seen: $HOLE_SEEN"
else
	fail "the hole on $STABLE_PKG $STABLE_VERSION not shown (guest exit $HOLE_RC; seen: ${HOLE_SEEN:-nothing}); see $LOGS/vm-stable-base-hole.log"
fi
selftests base deny -t async_op_kfunc_deny || true
if grep -q '^not ok .* async_op_kfunc_deny' "$S/stable-base-deny.console"; then
	pass "the backported selftest fails on the 7.2 base: $(sed -n 's/^\([a-z_]*\): loaded, but its async callback calls .*/\1/p' "$S/stable-base-deny.console" | xargs) load there"
else
	fail "async_op_kfunc_deny did not fail on the 7.2 base; see $LOGS/vm-stable-base-deny.log"
fi

# The backport.
hole backport
if grep -q 'scx_hole: refused at load' "$S/stable-backport-hole.console" &&
   grep -q 'scx_bpf_dsq_move_to_local.* is not allowed in an async callback' "$S/stable-backport-hole.console"; then
	pass "the backport refuses scx_hole at load: $(grep -o 'kfunc scx_bpf_dsq_move_to_local[a-z_0-9]* is not allowed in an async callback' "$S/stable-backport-hole.console" | head -n 1)"
else
	fail "the backport did not refuse scx_hole at load (guest exit $HOLE_RC; seen: ${HOLE_SEEN:-nothing}); see $LOGS/vm-stable-backport-hole.log"
fi
src=0
selftests backport scx || src=$?
p=$(sed -n 's/^PASSED: *\([0-9]*\).*/\1/p' "$S/stable-backport-scx.console")
k=$(sed -n 's/^SKIPPED: *\([0-9]*\).*/\1/p' "$S/stable-backport-scx.console")
f=$(sed -n 's/^FAILED: *\([0-9]*\).*/\1/p' "$S/stable-backport-scx.console")
say "      7.2 sched_ext selftests on the backport: ${p:-?} passed, ${f:-?} failed, ${k:-?} skipped (guest exit $src)"
grep '^ok .*SKIP' "$S/stable-backport-scx.console" | sed 's/^/      skipped: /' || true
if [ "$src" = 0 ] && [ "${f:-1}" = 0 ] && [ "${p:-0}" -gt 0 ] && grep -q '^ok .* async_op_kfunc_deny' "$S/stable-backport-scx.console"; then
	pass "7.2's sched_ext selftests pass on the backport, async_op_kfunc_deny among them"
else
	fail "7.2's sched_ext selftests on the backport; see $LOGS/vm-stable-backport-scx.log"
	grep '^not ok ' "$S/stable-backport-scx.console" | sed 's/^/      /'
fi
tests=$(cut -d' ' -f1 "$bpf_list" | paste -sd,)
trc=0
VM_TIMEOUT=600 "$TOP/scripts/host/vm.sh" -k "$S/backport/bzImage" -n stable-backport-bpf -- \
	"cd $S/tests-backport/bpf && ./test_progs -t $tests" >/dev/null 2>&1 || trc=$?
tr -d '\r' <"$LOGS/vm-stable-backport-bpf.log" >"$S/stable-backport-bpf.console"
sum=$(grep '^Summary:' "$S/stable-backport-bpf.console" | tail -n 1)
if [ "$trc" = 0 ] && grep -q '^Summary: .* 0 FAILED' "$S/stable-backport-bpf.console"; then
	pass "the backported selftests/bpf tests ($tests) on the backport: ${sum#Summary: }"
else
	fail "the backported selftests/bpf tests ($tests) on the backport (guest exit $trc): ${sum:-no summary}; see $LOGS/vm-stable-backport-bpf.log"
	grep -E ':FAIL' "$S/stable-backport-bpf.console" | sed 's/^/      /' | head -n 20
fi
say "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" = 0 ]
