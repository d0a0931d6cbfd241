#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage "tree": the kernel git tree, base + patches/.
#
#   tree.sh            unpack the pinned linux-source .deb (config/base.env,
#                      found by base.sh) into build/linux, commit it as
#                      branch base, git am -3 patches/bpf and then
#                      patches/bpf-next on branch scx-kf-mask; branch
#                      bpf-fixes marks the end of patches/bpf
#   LINUX_SRC=DIR      apply patches/ on a new branch of the user's tree DIR
#                      (never touching the branch the user has checked out)
. "$(dirname "$0")/../lib.sh"
lock_build

BRANCH=${BRANCH:-scx-kf-mask}

# apply_series DIR BASE: git am -3 the two series of patches/ onto DIR's
# HEAD, and point branch $FIXES_BRANCH at the end of the first.
apply_series() {
	local dir=$1 base=$2 s p n
	for s in $SERIES; do
		n=0
		for p in $(series_patches "$s"); do
			if ! git -C "$dir" am -3 -q "$p" >>"$LOGS/am.log" 2>&1; then
				git -C "$dir" am --abort >/dev/null 2>&1 || true
				tail -n 20 "$LOGS/am.log" >&2
				die "patch $s/$(basename "$p") does not apply to $base"
			fi
			n=$((n + 1))
		done
		say "ok    applied the $n patch(es) of patches/$s onto $base"
		[ "$s" != bpf ] || git -C "$dir" branch -f "$FIXES_BRANCH" HEAD
		base="patches/$s"
	done
}

if [ -n "${LINUX_SRC:-}" ]; then
	[ -d "$LINUX_SRC/.git" ] || [ -f "$LINUX_SRC/.git" ] ||
		die "LINUX_SRC=$LINUX_SRC is not a git tree"
	[ -f "$LINUX_SRC/MAINTAINERS" ] || die "LINUX_SRC=$LINUX_SRC is not a kernel tree"
	base=$(git -C "$LINUX_SRC" rev-parse --short HEAD)
	# A worktree keeps the user's checkout and branch untouched.
	wt=$BUILD/linux-user
	if [ -d "$wt" ]; then
		git -C "$LINUX_SRC" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
	fi
	git -C "$LINUX_SRC" worktree prune
	git -C "$LINUX_SRC" branch -D "$BRANCH" >/dev/null 2>&1 || true
	git -C "$LINUX_SRC" worktree add -q -b "$BRANCH" "$wt" HEAD
	: >"$LOGS/am.log"
	apply_series "$wt" "$LINUX_SRC@$base"
	say "      tree: $wt (branch $BRANCH of $LINUX_SRC)"
	ln -sfn "$wt" "$BUILD/tree"
	exit 0
fi

# The Debian base.
. "$TOP/config/base.env"
deb=$("$TOP/scripts/host/base.sh") || exit
# The recipe of the base commit: a change of it unpacks the base again.
version="$BASE_VERSION sha256:$BASE_SHA256 recipe:2"
PKG=$BASE_PKG

if [ ! -d "$TREE/.git" ] || [ "$(cat "$TREE/.base-version" 2>/dev/null)" != "$version" ]; then
	rm -rf "$TREE.tmp"
	mkdir -p "$TREE.tmp"
	t0=$(date +%s)
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$PKG.tar.xz" |
		tar -xJ -C "$TREE.tmp" --strip-components=1 ||
		die "could not unpack /usr/src/$PKG.tar.xz from $deb"
	git -C "$TREE.tmp" init -q -b base
	git -C "$TREE.tmp" config gc.auto 0
	# Debian appends a block to .gitignore that ignores every top-level
	# entry, so that new files of a patch would be ignored: cut it.
	perl -0pi -e 's/\n\n#\n# Debian packaging: ignore everything.*\z/\n/s' "$TREE.tmp/.gitignore"
	git -C "$TREE.tmp" add -f -A
	git -C "$TREE.tmp" -c user.name=base -c user.email=base@localhost \
		commit -q -m "Debian $PKG $BASE_VERSION" \
		-m "Unpacked from /usr/src/$PKG.tar.xz of $(basename "$deb")
(package $PKG, version $BASE_VERSION, sha256 $BASE_SHA256).
Debian's block at the end of .gitignore, which ignores every top-level
entry, is left out."
	rm -rf "$TREE"
	mv "$TREE.tmp" "$TREE"
	echo "$version" >"$TREE/.base-version"
	say "ok    base: unpacked $PKG $BASE_VERSION ($(( $(date +%s) - t0 ))s)"
fi
# .base-version is not tracked; keep git status clean.
grep -qx '/.base-version' "$TREE/.git/info/exclude" || echo '/.base-version' >>"$TREE/.git/info/exclude"

# Rebuild the branch from the base every time, so patches/ is the truth,
# but never drop work that has not been exported to patches/.
if [ -z "${FORCE:-}" ] && git -C "$TREE" rev-parse -q --verify HEAD >/dev/null; then
	[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
		die "$TREE has uncommitted edits; commit them and run 'make export', or rerun with FORCE=1 to drop them"
	head=$(git -C "$TREE" rev-parse HEAD)
	[ "$head" = "$(cat "$BUILD/.applied" 2>/dev/null)" ] ||
	[ "$head" = "$(git -C "$TREE" rev-parse base)" ] ||
		die "$TREE has commits that are not in patches/; run 'make export', or rerun with FORCE=1 to drop them"
fi
git -C "$TREE" checkout -q -B "$BRANCH" base
: >"$LOGS/am.log"
apply_series "$TREE" "Debian $PKG $BASE_VERSION"
git -C "$TREE" rev-parse HEAD >"$BUILD/.applied"
ln -sfn "$TREE" "$BUILD/tree"
