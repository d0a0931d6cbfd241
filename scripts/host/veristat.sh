#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Verification cost with veristat, kernel against kernel.
#   host/veristat.sh TESTS_DIR NAME=BZIMAGE NAME=BZIMAGE...
# Boots each kernel and runs veristat (built with test_progs) over the BPF
# objects of TESTS_DIR: the tools/sched_ext schedulers, the sched_ext
# selftests, the test_progs subset's objects, and bench/veristat/'s
# worst case (a large global function shared by ops.dispatch() and a
# timer). Then compares every kernel with the first, program by program:
# verdict, total insns, total states, peak states. Writes
# build/veristat/{NAME.csv,compare-*.txt,summary.md}.
. "$(dirname "$0")/../lib.sh"

T=$(cd "$1" && pwd) || exit 1
shift
OUT=$BUILD/veristat
[ -x "$T/bpf/veristat" ] || die "no veristat in ${T#$TOP/}/bpf; run make tests"
[ $# -ge 2 ] || die "veristat.sh: give at least two NAME=BZIMAGE"
rm -rf "$OUT"
mkdir -p "$OUT"

# The worst case, against the headers of the tools/sched_ext build.
build_worst() {
	local sb=$T/schedulers/build
	clang -target bpf -O2 -g -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Wno-missing-declarations \
		-I"$sb/include" -I"$BUILD/tree/tools/sched_ext/include" \
		-I"$BUILD/tree/tools/sched_ext/include/bpf-compat" \
		-c "$TOP/bench/veristat/shared_global.bpf.c" -o "$OUT/shared_global.bpf.o"
}
llvm_path
stage "veristat worst case (shared_global.bpf.o)" "$LOGS/veristat-build.log" build_worst || exit 1

{
	find "$T/schedulers" "$T/sched_ext" -name '*.bpf.o' -path '*obj*'
	ls "$T"/bpf/*.bpf.o
	echo "$OUT/shared_global.bpf.o"
} 2>/dev/null | sort -u >"$OUT/objects.txt"
say "      $(wc -l <"$OUT/objects.txt") objects"

names=()
for kv in "$@"; do
	name=${kv%%=*} bz=${kv#*=}
	[ -f "$bz" ] || die "no kernel $bz for $name"
	"$TOP/scripts/host/vm.sh" -k "$bz" -n "veristat-$name" \
		-t "${VERISTAT_TIMEOUT:-1800}" -- \
		"$TOP/scripts/guest/veristat.sh $T/bpf/veristat $OUT/objects.txt \$PWD/$name.csv" >/dev/null ||
		die "the veristat guest on $name failed; see $LOGS/vm-veristat-$name.log"
	cp "$BUILD/vm/veristat-$name/out/$name.csv" "$OUT/"
	cp "$BUILD/vm/veristat-$name/out/$name.csv.err" "$OUT/" 2>/dev/null || true
	say "ok    veristat on $name: $(($(wc -l <"$OUT/$name.csv") - 1)) programs"
	names+=("$name")
done

for name in "${names[@]:1}"; do
	"$T/bpf/veristat" -C -e file,prog,verdict,insns,states,peak_states \
		"$OUT/${names[0]}.csv" "$OUT/$name.csv" >"$OUT/compare-${names[0]}-$name.txt" 2>&1 || true
done
python3 "$TOP/scripts/bench/veristat_summary.py" "$OUT" "${names[@]}" >"$OUT/summary.md" ||
	die "veristat_summary.py failed"
cat "$OUT/summary.md"
