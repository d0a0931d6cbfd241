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
mkdir -p "$LOGS"
# The two series of patches/, in the order they apply: the fixes for the
# bpf tree, then the declaration for bpf-next on top of them (SERIES=bpf:
# the first alone). In the kernel tree, branch $FIXES_BRANCH marks the end
# of the first.
SERIES=${SERIES:-bpf bpf-next}
FIXES_BRANCH=bpf-fixes

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

# The machine's Debian mirror: the first URI of a source that carries the
# main archive (not -security, not a third-party repository).
deb_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && sed -n 's/^URIs:[[:space:]]*//p' "$f" | tr ' ' '\n'
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' "$f"
	done
	return 0
}

# apt_private DIR SUITE LOG HINT: a private apt list in DIR for Debian's
# SUITE on the machine's own mirror, updated (log: LOG); sets APT to the
# apt-get options that use it and APT_URI to the mirror. The machine's apt
# sources are untouched. HINT says what to do when there is no mirror.
apt_private() {
	local dir=$1 suite=$2 log=$3 hint=$4
	APT_URI=$(deb_mirror | grep -E '/debian/?$' | head -n 1 || true)
	[ -n "$APT_URI" ] || die "no Debian mirror in this machine's apt sources to fetch from; $hint"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $APT_URI $suite main" >"$dir/sources.list"
	APT=(-o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	     -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache"
	     -o Debug::NoLocking=1)
	apt-get "${APT[@]}" update >"$log" 2>&1 ||
		die "apt-get update of the private list for $suite failed; see $log"
}

# fetch_deb NAME PKG VERSION SUITE SHA256 DIR [NEXT]: find the pinned .deb
# PKG_VERSION_all.deb (config/NAME.env), check its sha256, and print its path:
#
#   1. ${NAME^^}_DEB=/path/to.deb (BASE_DEB for NAME base)
#   2. a copy beside the checkout: ../shared/NAME/<file>.deb (CI has one)
#   3. a copy downloaded earlier into DIR
#   4. a download from Debian's SUITE into DIR, through a private apt list
#      (in DIR/apt) that reuses the machine's own Debian mirror; the
#      machine's apt sources are untouched. Its log: build/logs/NAME-apt.log.
#
# NEXT is what to run after moving the pin ("make check" if not given).
fetch_deb() {
	local name=$1 pkg=$2 version=$3 suite=$4 sha=$5 dl_dir=$6
	local next=${7:-"run 'make check'"}
	local var pin file log uri have got d
	var=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
	pin=config/$name.env
	file="${pkg}_${version}_all.deb"
	# apt-get download escapes the epoch/tilde-free name the same way.
	log=$LOGS/$name-apt.log

	_deb_sha_ok() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha" ]; }
	_deb_check() {
		local deb=$1 from=$2
		[ -f "$deb" ] || die "$from: $deb does not exist"
		_deb_sha_ok "$deb" || die "$from: $deb has sha256 $(sha256sum "$deb" | cut -d' ' -f1), but $pin pins $pkg $version at $sha; refusing it"
		printf '%s\n' "$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
	}
	d=${var}_DEB
	if [ -n "${!d:-}" ]; then
		_deb_check "${!d}" "$d"
		return
	fi
	for d in "$TOP/../shared/$name" "$dl_dir"; do
		if [ -f "$d/$file" ]; then
			_deb_check "$d/$file" "the copy in $d"
			return
		fi
	done

	command -v apt-get >/dev/null || die "no $file beside the checkout and no apt-get to fetch it; pass ${var}_DEB=/path/to/$file"
	apt_private "$dl_dir/apt" "$suite" "$log" "pass ${var}_DEB=/path/to/$file"
	uri=$APT_URI
	say "      fetching $pkg $version from $uri ($suite)" >&2
	# madison pads the version to a column: compare it trimmed.
	if ! apt-cache "${APT[@]}" madison "$pkg" 2>/dev/null |
		awk -F'|' -v v="$version" '{ gsub(/ /, "", $2) } $2 == v { f = 1 } END { exit !f }'; then
		have=$(apt-cache "${APT[@]}" pkgnames linux-source-7. 2>/dev/null | sort | while read -r p; do
			apt-cache "${APT[@]}" madison "$p" | awk -F'|' '{gsub(/ /,"",$1); gsub(/ /,"",$2); print $1 " " $2}'
		done)
		die "$pkg $version is no longer in $uri $suite. It has:
${have:-  (no linux-source-7.* package)}
To move the pin, edit ${var}_VERSION and ${var}_SHA256 in $pin (the
sha256 is 'sha256sum' of the new .deb), then $next.
Or pass ${var}_DEB=/path/to/$file."
	fi
	(cd "$dl_dir" && apt-get "${APT[@]}" download "$pkg=$version") >>"$log" 2>&1 ||
		die "apt-get download $pkg=$version failed; see $log"
	got=$(ls "$dl_dir"/"${pkg}"_*.deb 2>/dev/null | head -n 1)
	[ -n "$got" ] || die "apt-get download left no .deb in $dl_dir"
	[ "$got" = "$dl_dir/$file" ] || mv "$got" "$dl_dir/$file"
	if ! _deb_sha_ok "$dl_dir/$file"; then
		mv "$dl_dir/$file" "$dl_dir/$file.refused"
		die "the downloaded $file has sha256 $(sha256sum "$dl_dir/$file.refused" | cut -d' ' -f1), not the pinned $sha; refused (kept as $dl_dir/$file.refused)"
	fi
	_deb_check "$dl_dir/$file" download
}

# series_patches [SERIES...]: the patch files of the series (all of them by
# default) in the order they apply, cover letters left out.
series_patches() {
	local s
	for s in ${@:-$SERIES}; do
		[ -d "$TOP/patches/$s" ] || die "no patches/$s"
		find "$TOP/patches/$s" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
			! -name '0000-cover-letter.patch' | sort
	done
}
