#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: what the series costs against the base's filters, in one run.
#   host/bench.sh BASE_KERNEL_DIR SERIES_KERNEL_DIR TESTS_DIR
# Boots each kernel with one vCPU under QEMU -icount shift=0 (a guest
# nanosecond is a guest instruction) and runs guest/bench.sh: the load time
# and verified instructions of every tools/sched_ext scheduler, kf_ctx_run
# and two bpf_qdisc qdiscs, how often the verifier calls the filters and
# checks, and context switches under scx_simple. Then compares the objects
# of sched_ext, bpf_qdisc and binfmt_misc_bpf function by function. Writes
# build/bench/{raw.txt,results.md,plot.dat,bench.png}; BENCH_ROUNDS (5) and
# BENCH_N (20000 round trips) size it.
. "$(dirname "$0")/../lib.sh"

KB=$1 KS=$2 T=$3
ROUNDS=${BENCH_ROUNDS:-5}
N=${BENCH_N:-20000}
OUT=$BUILD/bench
for k in "$KB" "$KS"; do
	[ -f "$k/arch/x86/boot/bzImage" ] || die "no kernel in ${k#$TOP/}"
done
[ -x "$T/schedulers/build/bin/scx_simple" ] || die "no tools/sched_ext in ${T#$TOP/}; run make tests"
rm -rf "$OUT"
mkdir -p "$OUT"

build_bench() {
	local lb=$T/schedulers/build
	gcc -O2 -Wall -o "$OUT/ctxsw" "$TOP/bench/ctxsw.c" &&
	gcc -O2 -Wall -I"$lb/include" -o "$OUT/loadtime" "$TOP/bench/loadtime.c" \
		"$lb/obj/libbpf/libbpf.a" -lelf -lz -lzstd
}
stage "bench programs" "$LOGS/bench-build.log" build_bench || exit 1

: >"$OUT/raw.txt"
for k in base series; do
	kdir=$KS
	[ $k = series ] || kdir=$KB
	VM_SMP=1 "$TOP/scripts/host/vm.sh" -k "$kdir/arch/x86/boot/bzImage" -n "bench-$k" \
		-t "${BENCH_TIMEOUT:-1500}" -q -icount -q shift=0,sleep=off -- \
		"$TOP/scripts/guest/bench.sh $k $T $OUT $ROUNDS $N" >/dev/null ||
		die "the bench guest on the $k kernel failed; see $LOGS/vm-bench-$k.log"
	cat "$BUILD/vm/bench-$k/out/bench.txt" >>"$OUT/raw.txt"
	say "ok    bench guest on the $k kernel"
done

# The objects of the three users, disassembled with relocations.
for k in base series; do
	kdir=$KS
	[ $k = series ] || kdir=$KB
	for o in kernel/sched/build_policy.o net/sched/bpf_qdisc.o fs/binfmt_misc_bpf.o; do
		objdump -dr --no-show-raw-insn "$kdir/$o" >"$OUT/objdump-$k-$(basename "$o" .o).txt" ||
			die "cannot disassemble $kdir/$o"
	done
done

python3 "$TOP/scripts/bench/summarize.py" "$OUT" >"$OUT/results.md" || die "summarize.py failed"
if command -v gnuplot >/dev/null; then
	gnuplot -e "dir='$OUT'" "$TOP/bench/plot.gp" && cp "$OUT/bench.png" "$TOP/bench/bench.png"
else
	say "      gnuplot not found (apt-get install gnuplot-nox): no plot"
fi
say "      results: ${OUT#$TOP/}/results.md"
cat "$OUT/results.md"
