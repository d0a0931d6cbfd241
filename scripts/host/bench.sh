#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the run-time cost that the series removes, and the load-time
# cost it adds, on the base kernel and the patched kernel, in one run.
#
#   bench.sh [ROUNDS] [N]     defaults 5 rounds of 20000 round trips
#
# Guests run with QEMU -icount shift=0 and one vCPU, so guest time counts
# guest instructions. Results go to build/bench/.
. "$(dirname "$0")/../lib.sh"
lock_build

ROUNDS=${1:-5}
N=${2:-20000}
OUT=$BUILD/bench
mkdir -p "$OUT"
# From a clean clone: the tree, the series kernel, the tests, the base kernel.
if [ ! -f "$KOUT/arch/x86/boot/bzImage" ] || [ ! -x "$BUILD/tests/schedulers/build/bin/scx_simple" ]; then
	"$TOP/scripts/run.sh" tree && "$TOP/scripts/run.sh" kernel && "$TOP/scripts/run.sh" tests ||
		die "could not build the series kernel and the tests"
fi
[ -f "$KBASE/arch/x86/boot/bzImage" ] || "$TOP/scripts/run.sh" base || die "could not build the base kernel"

build_bench() {
	local lb=$BUILD/tests/schedulers/build
	gcc -O2 -Wall -o "$OUT/ctxsw" "$TOP/bench/ctxsw.c" &&
	gcc -O2 -Wall -o "$OUT/progstat" "$TOP/bench/progstat.c" &&
	gcc -O2 -Wall -I"$lb/include" -o "$OUT/loadtime" "$TOP/bench/loadtime.c" \
		"$lb/obj/libbpf/libbpf.a" -lelf -lz -lzstd
}
stage "bench workload" "$LOGS/bench-build.log" build_bench

: >"$OUT/raw.txt"
for k in base patched; do
	kdir=$KOUT
	[ $k = patched ] || kdir=$KBASE
	VM_SMP=1 "$TOP/scripts/vm.sh" -k "$kdir/arch/x86/boot/bzImage" -n "bench-$k" \
		-t "${BENCH_TIMEOUT:-1500}" -q "-icount" -q "shift=0,sleep=off" -- \
		"$TOP/scripts/guest-bench.sh $k $BUILD/tests $OUT/ctxsw $ROUNDS $N" >/dev/null ||
		die "the bench guest on the $k kernel failed; see $LOGS/vm-bench-$k.log"
	cat "$BUILD/vm/bench-$k/out/bench.txt" >>"$OUT/raw.txt"
done

# Instruction counts of the hot functions, from the disassembly.
for k in base patched; do
	kdir=$KOUT
	[ $k = patched ] || kdir=$KBASE
	objdump -dr --no-show-raw-insn "$kdir/kernel/sched/build_policy.o" >"$OUT/objdump-$k.txt"
	# Where scx_ops sits and the offset of each of its members, to name
	# the SCX_CALL_OP*() sites (bench/static_model.py).
	objdump -t "$kdir/kernel/sched/build_policy.o" >"$OUT/symbols-$k.txt"
	pahole -C sched_ext_ops "$kdir/vmlinux" >"$OUT/ops-$k.txt"
done

python3 "$TOP/bench/summarize.py" "$OUT" >"$OUT/results.md"
if command -v gnuplot >/dev/null; then
	gnuplot -e "dir='$OUT'" "$TOP/bench/plot.gp"
	# Only a full run updates the committed plot.
	[ "$ROUNDS" -lt 3 ] || cp "$OUT/bench.png" "$TOP/bench/bench.png"
else
	say "      gnuplot not found (apt-get install gnuplot-nox): no plot"
fi
cat "$OUT/results.md"
