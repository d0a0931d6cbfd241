#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The checks of 'make check' beyond building and running the tests.
#   checks.sh series|checkpatch|gone|docs|matrix|warnings|paths
. "$(dirname "$0")/../lib.sh"
lock_build

SRC=$BUILD/tree
shopt -s nullglob

# Each series of patches/ applies with plain git am on its own base (bpf on
# the base, bpf-next on bpf) and gives the tree as built, at the end of the
# bpf series and at the tip.
check_series() {
	local wt=$BUILD/am-check p s want
	rm -rf "$wt"
	git -C "$SRC" worktree prune
	git -C "$SRC" worktree add -q --detach "$wt" base
	for s in $SERIES; do
		for p in $(series_patches "$s"); do
			git -C "$wt" am -q "$p" || { echo "git am failed on $s/$(basename "$p")"; return 1; }
		done
		want=HEAD
		[ "$s" != bpf ] || want=$FIXES_BRANCH
		if [ "$(git -C "$wt" rev-parse HEAD^{tree})" != "$(git -C "$SRC" rev-parse "$want^{tree}")" ]; then
			echo "patches/$s and the tree's $want differ (uncommitted or unexported work?):"
			git -C "$SRC" diff --stat "$(git -C "$wt" rev-parse HEAD)" "$want"
			return 1
		fi
	done
	git -C "$SRC" worktree remove --force "$wt"
	echo "patches/bpf applies onto base, patches/bpf-next onto it, and both match the tree"
}

# checkpatch --strict: no ERROR or WARNING, except those in config/checkpatch-ok.txt
check_checkpatch() {
	local p out bad=0 n=0
	for p in $(series_patches); do
		n=$((n + 1))
		out=$(cd "$SRC" && perl scripts/checkpatch.pl --strict --show-types -q "$p" 2>&1 |
			grep -E '^(ERROR|WARNING|CHECK):' || true)
		[ -n "$out" ] || continue
		echo "$out" | sed "s|^|${p#"$TOP"/patches/}: |"
		if echo "$out" | grep -E '^(ERROR|WARNING):' |
			grep -vFf <(grep -v '^#' "$TOP/config/checkpatch-ok.txt" | cut -d' ' -f1 | grep .) | grep -q .; then
			bad=1
		fi
	done
	echo "checkpatch --strict on $n patches: $([ $bad = 0 ] && echo clean || echo 'errors or warnings')"
	return $bad
}

# What the kfunc context declaration replaces is gone from the tree.
check_gone() {
	local hits
	hits=$(git -C "$SRC" grep -n -E 'scx_kf_allow_flags|SCX_KF_ALLOW_|scx_kfunc_context_filter|qdisc_ops_context_flags|bpf_qdisc_kfunc_filter|bm_bpf_kfunc_filter|KF_OP_CONTEXT|KF_CTX_UNBOUND|KF_CTX_FAMILY' HEAD -- . || true)
	[ -z "$hits" ] || { echo "left over:"; echo "$hits"; return 1; }
	echo "no scx_kf_allow_flags, scx_kfunc_context_filter, qdisc_ops_context_flags, bpf_qdisc_kfunc_filter, bm_bpf_kfunc_filter, KF_OP_CONTEXT or v2's family bits left in the tree"
}

# The verdict matrix, generated again from the base: matrix/ is what it
# gives (the kfunc_ctx_matrix test's header is generated with the tests).
check_matrix() {
	local tmp rc=0 f sum subjects subj
	tmp=$(mktemp -d)
	sum=$("$TOP/scripts/matrix/gen.sh" "$tmp") || { rm -rf "$tmp"; return 1; }
	for f in scx-kf-mask.md deliberate.txt; do
		cmp -s "$tmp/$f" "$TOP/matrix/$f" || { echo "matrix/$f is stale: run make matrix"; rc=1; }
	done
	rm -rf "$tmp"
	# Each deliberate cell names the patch that changes it, by subject.
	subjects=$(git -C "$SRC" log --format=%s base..HEAD)
	while read -r subj; do
		grep -qxF -- "$subj" <<<"$subjects" ||
			{ echo "matrix/deliberate.txt names a patch the series does not have: $subj"; rc=1; }
	done < <(cut -d' ' -f3- "$TOP/matrix/deliberate.txt" | sort -u)
	[ $rc = 0 ] && echo "matrix/ is what the base gives: $sum"
	return $rc
}

# The documentation the series touches parses, with no new docutils message
# compared with the base, and its kernel-doc comments are valid.
check_docs() {
	local f bad=0 n=0 py=python3
	# Debian's python3-docutils is for Debian's python3.
	/usr/bin/python3 -c 'import docutils' 2>/dev/null && py=/usr/bin/python3
	$py -c 'import docutils' 2>/dev/null ||
		{ echo "docutils not found; install it with: apt-get install python3-docutils"; return 1; }
	for f in $(git -C "$SRC" diff --name-only base HEAD -- 'Documentation/*.rst'); do
		n=$((n + 1))
		$py - "$SRC" "$f" <<'PY' || bad=1
import io, subprocess, sys
import docutils.core
src, f = sys.argv[1], sys.argv[2]
def msgs(text):
    err = io.StringIO()
    docutils.core.publish_doctree(text, settings_overrides={
        'report_level': 2, 'halt_level': 5, 'warning_stream': err})
    # Sphinx-only roles and directives are unknown to plain docutils.
    return {l.split(':', 2)[-1].strip() for l in err.getvalue().splitlines()
            if 'ERROR' in l or 'WARNING' in l}
new = msgs(open('%s/%s' % (src, f)).read())
old = msgs(subprocess.run(['git', '-C', src, 'show', 'base:' + f], capture_output=True,
                          text=True).stdout)
extra = sorted(new - old)
for m in extra:
    print('%s: %s' % (f, m))
sys.exit(1 if extra else 0)
PY
	done
	# kernel-doc comments of the C files the series touches: no new warning.
	local tmp kb kp
	tmp=$(mktemp -d)
	for f in $(git -C "$SRC" diff --name-only base HEAD -- 'kernel/*.c' 'include/*.h'); do
		git -C "$SRC" show "base:$f" >"$tmp/base.c" 2>/dev/null || : >"$tmp/base.c"
		kb=$(perl "$SRC/scripts/kernel-doc" -none "$tmp/base.c" 2>&1 | grep -c warning || true)
		kp=$(perl "$SRC/scripts/kernel-doc" -none "$SRC/$f" 2>&1 | grep -c warning || true)
		if [ "$kp" -gt "$kb" ]; then
			echo "$f: kernel-doc warnings $kb -> $kp"
			bad=1
		fi
	done
	rm -rf "$tmp"
	echo "$n rst files parse with no new docutils messages; no new kernel-doc warnings"
	return $bad
}

# sparse (C=2) and W=1 on the objects built from the C files the series
# touches: no warning that the base does not have. Warnings are compared
# without line numbers, as a multiset, so that moved code does not count.
# Needs the base kernel of 'make negative' (worktree build/wt/linux at base,
# output build/wt/kernel).
WARN_BASE_SRC=$WT
WARN_BASE_OUT=$KWT

# The objects that compile the C files changed by the series. A file that
# no Makefile names is #included by a .c file of its folder or the one
# above (kernel/sched/ext/ext.c by kernel/sched/build_policy.c).
touched_objs() {
	local f dir b obj d rel inc
	for f in $(git -C "$SRC" diff --name-only base HEAD -- 'kernel/*.c' 'mm/*.c' 'net/*.c' 'lib/*.c' 'fs/*.c'); do
		dir=${f%/*} b=${f##*/}
		obj=$dir/${b%.c}.o
		if ! grep -qs "\b${b%.c}\.o\b" "$SRC/$dir/Makefile"; then
			obj=
			for d in "$dir" "${dir%/*}"; do
				rel=${f#"$d"/}
				inc=$(cd "$SRC/$d" && grep -lE "^#[[:space:]]*include[[:space:]]+\"$rel\"" ./*.c 2>/dev/null | head -n 1)
				[ -n "$inc" ] && { obj=$d/${inc#./}; obj=${obj%.c}.o; break; }
			done
			[ -n "$obj" ] || { echo "no object builds $f" >&2; continue; }
		fi
		echo "$obj"
	done | sort -u
}

# warnings SRC OUT LOG OBJS...: sparse and W=1 warnings, without line numbers
warnings() {
	local src=$1 out=$2 log=$3 o
	shift 3
	for o in "$@"; do rm -f "$out/$o"; done
	kernel_cc
	make -C "$src" O="$out" ARCH=x86_64 CC="$CC" HOSTCC=gcc C=2 W=1 -j"$(nproc)" "$@" >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; echo "building $* with C=2 W=1 failed; see $log" >&2; return 1; }
	grep -E ': (warning|error):' "$log" |
		sed -E 's#^[^:]*/((kernel|include|arch|mm|net|lib)/)#\1#; s/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' |
		sort || true
}

check_warnings() {
	local objs new
	[ -e "$WARN_BASE_OUT/vmlinux" ] && [ -e "$WARN_BASE_SRC/.git" ] ||
		{ echo "no base kernel in ${WARN_BASE_OUT#$TOP/}; run 'make negative' first"; return 1; }
	[ "$(git -C "$WARN_BASE_SRC" rev-parse HEAD)" = "$(git -C "$SRC" rev-parse base)" ] ||
		{ echo "${WARN_BASE_SRC#$TOP/} is not at base"; return 1; }
	objs=$(touched_objs)
	[ -n "$objs" ] || { echo "the series touches no C file"; return 1; }
	echo "objects: $(echo $objs)"
	need sparse sparse
	# shellcheck disable=SC2086
	warnings "$WARN_BASE_SRC" "$WARN_BASE_OUT" "$LOGS/warnings-base.log" $objs >"$LOGS/warnings-base.txt" || return
	# shellcheck disable=SC2086
	warnings "$SRC" "$KOUT" "$LOGS/warnings-series.log" $objs >"$LOGS/warnings-series.txt" || return
	new=$(comm -13 "$LOGS/warnings-base.txt" "$LOGS/warnings-series.txt")
	if [ -n "$new" ]; then
		echo "new sparse or W=1 warnings:"
		echo "$new"
		return 1
	fi
	# Kbuild skips sparse, and says so, when it is older than the tree needs.
	local what="sparse C=2 and W=1"
	grep -q 'sparse is not available or not up to date' "$LOGS/warnings-series.log" &&
		what="W=1 (sparse not run: $(sparse --version 2>/dev/null || echo none) is older than this kernel needs)"
	echo "$what on $(echo $objs | wc -w) objects: $(wc -l <"$LOGS/warnings-base.txt") warnings on the base, $(wc -l <"$LOGS/warnings-series.txt") with the series, none new"
}

# No tracked file names a path of the machine it was built on: one in the
# top-level work or root folder, in a user's folder under home, in $HOME or
# in the checkout itself; nor the stops of the work on it ("stop" and a
# number). A path starts a word, so /sys/kernel/sched_ext/root/ is not one.
# Only binary files are left out. The patterns are spelled so that this
# file does not match them.
check_paths() {
	local re d hits rc=0
	re='(^|[^[:alnum:]_.-])/(wor[k]|roo[t]|hom[e]/[^/[:space:]]+)/'
	for d in "$HOME" "$TOP"; do
		d=${d%/}
		[ -n "$d" ] || continue
		re+="|(^|[^[:alnum:]_.-])$(printf '%s' "$d" | sed 's/[][\.*^$+?(){}|]/\\&/g')/"
	done
	hits=$(git -C "$TOP" grep -n -I -E -e "$re" -e '[Ss]to[p] [0-9]' -- . 2>&1) || rc=$?
	[ $rc -le 1 ] || { echo "git grep failed in $TOP:"; echo "$hits"; return 1; }
	[ -z "$hits" ] || { echo "paths of the build machine, or stops of the work, in tracked files:"; echo "$hits"; return 1; }
	echo "no path of the build machine and no stop of the work in the $(git -C "$TOP" ls-files | wc -l) tracked files"
}

case "$1" in
series) stage "series applies with git am" "$LOGS/check-series.log" check_series;;
checkpatch) stage "checkpatch --strict" "$LOGS/check-checkpatch.log" check_checkpatch;;
docs) stage "documentation" "$LOGS/check-docs.log" check_docs;;
matrix) stage "the verdict matrix is generated from the base" "$LOGS/check-matrix.log" check_matrix;;
gone) stage "the replaced tables and filters are gone" "$LOGS/check-gone.log" check_gone;;
warnings) stage "sparse and W=1: no new warnings" "$LOGS/check-warnings.log" check_warnings;;
paths) stage "no paths of the build machine in tracked files" "$LOGS/check-paths.log" check_paths;;
*) die "checks.sh: unknown check '$1'";;
esac
tail -n 1 "$LOGS/check-$1.log" | sed 's/^/      /'
