#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage "tests": build the tests against a built kernel:
#   - test_progs with the prog_tests listed in config/selftests-bpf.list,
#     and the test modules of test_kmods/ (bpf_testmod.ko and the others)
#   - the sched_ext selftests runner
#   - the example schedulers of tools/sched_ext
#   - binfmt_misc_bpf of selftests/exec, with test_progs' libbpf and bpftool
#   tests.sh [SRC] [KERNEL_OUT] [OUT]
# TESTS_ONLY="test_progs kmods binfmt scx schedulers": only those parts.
# BPF_LIST=FILE: the prog_tests to build, instead of config/selftests-bpf.list.
# PAHOLE=/path/to/pahole: the pahole the kernel was built with (make stable's),
#   for the test modules, whose BTF it writes.
. "$(dirname "$0")/../lib.sh"
lock_build

SRC=${1:-$BUILD/tree}
KBUILD=${2:-$KOUT}
OUT=${3:-$BUILD/tests}
SRC=$(cd "$SRC" && pwd -P)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
KBUILD=$(cd "$KBUILD" && pwd)
VMLINUX=$KBUILD/vmlinux
[ -f "$VMLINUX" ] || die "no vmlinux in $KBUILD; run 'make kernel' first"
need make make
need gcc gcc
[ -e /usr/include/libelf.h ] || die "libelf.h not found; install it with: apt-get install libelf-dev"
[ -e /usr/include/zstd.h ] || die "zstd.h not found; install it with: apt-get install libzstd-dev"
[ -e /usr/include/sys/capability.h ] || die "sys/capability.h not found; install it with: apt-get install libcap-dev"
llvm_path
mkdir -p "$OUT"
name=$(basename "$OUT")
jobs=-j$(nproc)
llvm=(CLANG=clang LLC=llc LLVM_STRIP=llvm-strip VMLINUX_BTF="$VMLINUX")

# A copy of selftests/bpf made of symlinks, whose prog_tests/ and progs/ hold
# only the listed tests: the Makefile globs every prog_tests/*.c and progs/*.c.
subset_tree() {
	local st=$SRC/tools/testing/selftests/bpf dst=$SRC/tools/testing/selftests/bpf-subset
	local t f n=0
	rm -rf "$dst"
	mkdir -p "$dst/prog_tests" "$dst/progs"
	for f in "$st"/* "$st"/.gitignore; do
		case "$(basename "$f")" in prog_tests|progs) continue;; esac
		ln -s "$f" "$dst/"
	done
	ln -s "$st"/progs/*.h "$dst/progs/"
	ln -s "$st"/prog_tests/*.h "$dst/prog_tests/" 2>/dev/null || true
	while read -r t extra; do
		case "$t" in ''|'#'*) continue;; esac
		# @NAME: a test of the harness, matrix/selftest/, with its header
		if [ "${t#@}" != "$t" ]; then
			harness_test "${t#@}" "$dst" || return
			n=$((n + 1))
			continue
		fi
		[ -f "$st/prog_tests/$t.c" ] || { echo "no prog_tests/$t.c in $SRC"; return 1; }
		ln -s "$st/prog_tests/$t.c" "$dst/prog_tests/"
		for f in "$st"/progs/"$t".c "$st"/progs/"$t"_*.c; do
			[ -f "$f" ] && ln -sf "$f" "$dst/progs/"
		done
		for f in $extra; do
			[ -f "$st/progs/$f.c" ] || { echo "no progs/$f.c (named for $t) in $SRC"; return 1; }
			ln -sf "$st/progs/$f.c" "$dst/progs/"
		done
		n=$((n + 1))
	done <"${BPF_LIST:-$TOP/config/selftests-bpf.list}"
	echo "$n prog_tests"
}

# harness_test NAME DST: matrix/selftest/{prog_tests,progs}/NAME.c into the
# subset DST, and NAME.h, the verdict matrix generated from the base.
harness_test() {
	local t=$1 dst=$2 d=$TOP/matrix/selftest
	[ -f "$d/prog_tests/$t.c" ] && [ -f "$d/progs/$t.c" ] ||
		{ echo "no $t.c in ${d#$TOP/}/prog_tests and progs"; return 1; }
	mkdir -p "$OUT/matrix"
	"$TOP/scripts/matrix/gen.sh" "$OUT/matrix" || return
	ln -sf "$OUT/matrix/header.h" "$dst/prog_tests/$t.h"
	ln -sf "$d/prog_tests/$t.c" "$dst/prog_tests/"
	ln -sf "$d/progs/$t.c" "$dst/progs/"
}

build_test_progs() {
	local args
	subset_tree || return
	mkdir -p "$OUT/bpf"
	args=(-C "$SRC/tools/testing/selftests/bpf-subset" O="$OUT/bpf" OUTPUT="$OUT/bpf"
	      "${llvm[@]}" TRUNNER_EXTRA_FILES= LSKELS= LSKELS_EXTRA= LSKELS_SIGNED= LINKED_SKELS=
	      TEST_GEN_PROGS_EXTENDED= LIBARENA_SKEL= LIBARENA_ASAN_SKEL= $jobs)
	# libarena (the arena library some prog_tests use): the subset needs
	# none of it.
	# test_progs depends on veristat, whose link rule in 7.3 leaves out
	# libbpf.a (a prerequisite of veristat.o only): link it here first.
	make "${args[@]}" "$OUT/bpf/veristat.o" || return
	[ "$OUT/bpf/veristat" -nt "$OUT/bpf/veristat.o" ] ||
		gcc -o "$OUT/bpf/veristat" "$OUT/bpf/veristat.o" "$OUT/bpf/tools/build/libbpf/libbpf.a" -lelf -lz -lzstd -lm || return
	make "${args[@]}" "$OUT/bpf/test_progs"
}

# The test modules of selftests/bpf/test_kmods, which test_progs loads from
# its own folder, built the kbuild way against the kernel's O= folder with
# the kernel's compiler.
build_kmods() {
	local d=$SRC/tools/testing/selftests/bpf/test_kmods m
	grep -q '^CONFIG_MODULES=y' "$KBUILD/.config" || { echo "CONFIG_MODULES is off in $KBUILD"; return 1; }
	kernel_cc
	make -C "$SRC" O="$KBUILD" M="$d" CC="$CC" HOSTCC=gcc ${PAHOLE:+PAHOLE=$PAHOLE} $jobs modules || return
	mkdir -p "$OUT/bpf"
	for m in "$d"/*.ko; do cp "$m" "$OUT/bpf/" || return; done
}

# binfmt_misc_ops' own selftest, with the libbpf and bpftool that the
# test_progs build made (Debian 12's libbpf is too old for 7.3's headers).
build_binfmt() {
	local b=$OUT/bpf
	mkdir -p "$OUT/exec"
	# Its vmlinux.h rule has no prerequisite: make it again for this kernel.
	rm -f "$OUT/exec/vmlinux.h"
	make -C "$SRC/tools/testing/selftests/exec" OUTPUT="$OUT/exec" \
		HAVE_BPF_TOOLCHAIN=y CLANG=clang BPFTOOL="$b/tools/sbin/bpftool" VMLINUX_BTF="$VMLINUX" \
		BPF_CFLAGS="-I$OUT/exec -I$b/tools/include" LIBBPF_CFLAGS="-I$b/tools/include" \
		LIBBPF_LDLIBS="$b/tools/build/libbpf/libbpf.a -lelf -lz -lzstd" $jobs \
		"$OUT"/exec/{binfmt_misc_bpf,bpf_interp.bpf.o,nix_origin.bpf.o,transparent.bpf.o} \
		"$OUT"/exec/{loader.bpf.o,interp_bind.bpf.o,binfmt_bpf_interp,binfmt_bpf_app,binfmt_bind_interp} \
		"$OUT"/exec/{binfmt_transparent_interp,binfmt_loader_payload,binfmt_loader_payload_static}
}

build_scx_selftests() {
	mkdir -p "$OUT/sched_ext"
	make -C "$SRC/tools/testing/selftests/sched_ext" OUTPUT="$OUT/sched_ext" \
		"${llvm[@]}" $jobs
}

build_schedulers() {
	mkdir -p "$OUT/schedulers"
	# tools/sched_ext takes O= as its output folder and finds vmlinux there.
	make -C "$SRC/tools/sched_ext" O="$OUT/schedulers" "${llvm[@]}" $jobs
}


# TESTS_ONLY="test_progs schedulers ...": only those parts.
want() { [ -z "${TESTS_ONLY:-}" ] || [[ " $TESTS_ONLY " == *" $1 "* ]]; }
if want test_progs; then stage "test_progs subset ($name)" "$LOGS/$name-test_progs.log" build_test_progs; fi
if want kmods; then stage "test modules ($name)" "$LOGS/$name-kmods.log" build_kmods; fi
if want binfmt; then stage "binfmt_misc_bpf selftest ($name)" "$LOGS/$name-binfmt.log" build_binfmt; fi
if want scx; then stage "sched_ext selftests runner ($name)" "$LOGS/$name-scx-selftests.log" build_scx_selftests; fi
if want schedulers; then stage "tools/sched_ext schedulers ($name)" "$LOGS/$name-schedulers.log" build_schedulers; fi
