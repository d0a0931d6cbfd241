# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the harness scripts. Sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
LOGS=$BUILD/logs
TREE=${TREE:-$BUILD/linux}
KOUT=${KOUT:-$BUILD/kernel}
# A second worktree, for the base kernel and then the per-patch kernels of
# the bisect, in one output folder. Each output folder sits beside its tree,
# as build/kernel sits beside build/linux, so every build sees its tree as
# ../linux and ccache (with CCACHE_BASEDIR) hits across them.
WT=$BUILD/wt/linux
KWT=$BUILD/wt/kernel
# The sched_ext selftests of each patch; their dependency files name the
# worktree's paths, so they live and go with it.
TWT=$BUILD/wt/tests
# The generated header of the scx_kf_mask selftest, in the kernel tree
MATRIX_HEADER=tools/testing/selftests/bpf/prog_tests/scx_kf_mask_matrix.h
mkdir -p "$LOGS"

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need TOOL PACKAGE: fail with the Debian package that provides TOOL
need() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found; install it with: apt-get install $2"
}

# stage NAME LOG CMD...: run CMD with output to LOG, print one line with
# the time it took; on failure print the tail of LOG and fail.
stage() {
	local name=$1 log=$2 t0 rc=0
	shift 2
	t0=$(date +%s)
	"$@" >"$log" 2>&1 || rc=$?
	local dt=$(( $(date +%s) - t0 ))
	if [ $rc -ne 0 ]; then
		say "FAIL  $name (${dt}s, exit $rc); last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    /'
		return $rc
	fi
	say "ok    $name (${dt}s)  log: ${log#$TOP/}"
}

# Serialise everything that writes to the build folder.
# The lock is taken once by the outermost script; children inherit it.
lock_build() {
	[ -n "${HARNESS_LOCKED:-}" ] && return 0
	mkdir -p "$BUILD"
	exec 9>"$BUILD/.lock"
	flock -n 9 || die "another harness run holds $BUILD/.lock (pid $(cat "$BUILD/.lock.pid" 2>/dev/null || echo '?')); wait for it to finish"
	echo $$ >"$BUILD/.lock.pid"
	export HARNESS_LOCKED=1
}

# The LLVM of the BPF builds: the version of config/packages.txt's clang-N,
# the one place it is named.
LLVM_VERSION=$(sed -n 's/^clang-\([0-9][0-9]*\)$/\1/p' "$TOP/config/packages.txt")
[ -n "$LLVM_VERSION" ] || die "config/packages.txt names no clang-N"

# LLVM under its plain names, first in PATH, for the BPF builds.
llvm_path() {
	local t pkg
	mkdir -p "$BUILD/bin"
	for t in clang llc llvm-strip llvm-objcopy llvm-readelf llvm-objdump llvm-ar ld.lld; do
		case $t in clang) pkg=clang;; ld.lld) pkg=lld;; *) pkg=llvm;; esac
		need "$t-$LLVM_VERSION" "$pkg-$LLVM_VERSION"
		ln -sfn "$(command -v "$t-$LLVM_VERSION")" "$BUILD/bin/$t"
	done
	export PATH="$BUILD/bin:$PATH"
}

# CC for kernel builds: gcc through ccache when there is one.
kernel_cc() {
	CC=gcc
	command -v ccache >/dev/null || return 0
	CC=/usr/lib/ccache/gcc
	# Outside the checkout, so that every clone (CI makes a fresh one)
	# shares it; paths below build/ hash relative to it, see below.
	export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kf-ctx-ccache}
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
	# Paths below build/ hash relative to the build folder, so that builds
	# of the same tree into different output folders share the cache.
	export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
	# Same inputs hash alike whatever the tree's path or timestamps.
	export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime,file_stat_matches
	export KBUILD_BUILD_TIMESTAMP=2024-01-01 KBUILD_BUILD_USER=scx KBUILD_BUILD_HOST=kf-mask
}

# worktree_at DIR REV: DIR is a worktree of build/tree checked out at REV,
# at a fixed path so that ccache hits.
worktree_at() {
	local dir=$1 rev=$2
	# A worktree whose main tree was unpacked again is made anew.
	if ! git -C "$dir" rev-parse --git-dir >/dev/null 2>&1 ||
	   [ "$(git -C "$dir" rev-parse --path-format=absolute --git-common-dir)" != "$(git -C "$BUILD/tree" rev-parse --path-format=absolute --git-common-dir)" ]; then
		rm -rf "$dir"
		mkdir -p "$(dirname "$dir")"
		git -C "$BUILD/tree" worktree prune
		git -C "$BUILD/tree" worktree add -q --detach "$dir" "$rev"
	else
		git -C "$dir" checkout -q --detach --force "$rev"
	fi
}
