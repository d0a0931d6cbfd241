#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make the kernel git tree: base + patches/.
#
#   tree.sh            unpack Debian's linux-source-6.12 into build/linux,
#                      commit it as the base, git am -3 patches/
#   LINUX_SRC=DIR      apply patches/ on a new branch of the user's tree DIR
#                      (never touching the branch the user has checked out)
. "$(dirname "$0")/lib.sh"
lock_build

PKG=linux-source-6.12
TARBALL=/usr/src/linux-source-6.12.tar.xz
BRANCH=${BRANCH:-scx-kf-mask}

apply_series() {
	local dir=$1 base=$2
	local p
	shopt -s nullglob
	local series=("$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch)
	local n=0
	for p in "${series[@]}"; do
		case "$p" in */0000-cover-letter.patch) continue;; esac
		if ! git -C "$dir" am -3 -q "$p" >>"$LOGS/am.log" 2>&1; then
			git -C "$dir" am --abort >/dev/null 2>&1 || true
			tail -n 20 "$LOGS/am.log" >&2
			die "patch $(basename "$p") does not apply to $base"
		fi
		n=$((n + 1))
	done
	say "ok    applied $n patch(es) onto $base"
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
if [ ! -f "$TARBALL" ]; then
	command -v apt-get >/dev/null || die "$TARBALL is missing; install $PKG"
	say "      installing $PKG"
	apt-get install -y -qq "$PKG" >"$LOGS/apt-linux-source.log" 2>&1 ||
		die "could not install $PKG (see $LOGS/apt-linux-source.log; run apt-get update first?)"
fi
version=$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || echo unknown)

if [ ! -d "$TREE/.git" ] || [ "$(cat "$TREE/.base-version" 2>/dev/null)" != "$version" ]; then
	rm -rf "$TREE.tmp"
	mkdir -p "$TREE.tmp"
	t0=$(date +%s)
	tar -xJf "$TARBALL" -C "$TREE.tmp" --strip-components=1
	git -C "$TREE.tmp" init -q -b base
	git -C "$TREE.tmp" config gc.auto 0
	# Debian's .gitignore ignores every top-level entry; add them anyway.
	git -C "$TREE.tmp" add -f -A
	git -C "$TREE.tmp" -c user.name=base -c user.email=base@localhost \
		commit -q -m "Debian $PKG $version" \
		-m "Unpacked from $TARBALL (package $PKG, version $version)."
	echo "$version" >"$TREE.tmp/.git/base-version"
	rm -rf "$TREE"
	mv "$TREE.tmp" "$TREE"
	echo "$version" >"$TREE/.base-version"
	say "ok    unpacked $PKG $version ($(( $(date +%s) - t0 ))s)"
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
apply_series "$TREE" "Debian $PKG $version"
git -C "$TREE" rev-parse HEAD >"$BUILD/.applied"
ln -sfn "$TREE" "$BUILD/tree"
