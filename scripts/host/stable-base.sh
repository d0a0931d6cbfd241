#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The base of the 7.2 stable backport (stable/7.2/): find the pinned
# linux-source-7.2 .deb (config/stable.env) as base.sh finds the 7.3 one,
# check its sha256, and unpack it into build/stable/linux as a git tree
# with branch base, as tree.sh does for the 7.3 base. Prints the .deb's path.
#
#   1. STABLE_DEB=/path/to.deb
#   2. a copy beside the checkout: ../shared/stable/<file>.deb
#   3. a copy downloaded earlier into build/stable/
#   4. a download from Debian unstable, through a private apt list in
#      build/stable/apt that reuses the machine's own Debian mirror; the
#      machine's apt sources are untouched.
#
# The backport itself (branch backport, exported to stable/7.2/) is applied
# with: git -C build/stable/linux am stable/7.2/000[1-9]-*.patch
. "$(dirname "$0")/../lib.sh"

. "$TOP/config/stable.env"
[ -n "${STABLE_SHA256:-}" ] || die "config/stable.env pins no STABLE_SHA256"
dir=$BUILD/stable
deb=$(fetch_deb stable "$STABLE_PKG" "$STABLE_VERSION" "$STABLE_SUITE" "$STABLE_SHA256" "$dir" \
	"rerun scripts/host/stable-base.sh and check that stable/7.2/ applies")
tree=$dir/linux
version="$STABLE_VERSION sha256:$STABLE_SHA256 recipe:2"

if [ ! -d "$tree/.git" ] || [ "$(cat "$tree/.base-version" 2>/dev/null)" != "$version" ]; then
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp"
	t0=$(date +%s)
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$STABLE_PKG.tar.xz" |
		tar -xJ -C "$tree.tmp" --strip-components=1 ||
		die "could not unpack /usr/src/$STABLE_PKG.tar.xz from $deb"
	git -C "$tree.tmp" init -q -b base
	git -C "$tree.tmp" config gc.auto 0
	# Debian appends a block to .gitignore that ignores every top-level
	# entry, so that new files of a patch would be ignored: cut it.
	perl -0pi -e 's/\n\n#\n# Debian packaging: ignore everything.*\z/\n/s' "$tree.tmp/.gitignore"
	git -C "$tree.tmp" add -f -A
	git -C "$tree.tmp" -c user.name=base -c user.email=base@localhost \
		commit -q -m "Debian $STABLE_PKG $STABLE_VERSION" \
		-m "Unpacked from /usr/src/$STABLE_PKG.tar.xz of $(basename "$deb")
(package $STABLE_PKG, version $STABLE_VERSION, sha256 $STABLE_SHA256).
Debian's block at the end of .gitignore, which ignores every top-level
entry, is left out."
	if [ -d "$tree/.git" ]; then
		git -C "$tree" rev-parse -q --verify backport >/dev/null &&
			say "      note: the old $tree had a branch backport; it is gone with it (stable/7.2/ keeps the patches)" >&2
	fi
	rm -rf "$tree"
	mv "$tree.tmp" "$tree"
	echo "$version" >"$tree/.base-version"
	say "ok    stable base: unpacked $STABLE_PKG $STABLE_VERSION into ${tree#$TOP/} ($(( $(date +%s) - t0 ))s)" >&2
fi
# .base-version is not tracked; keep git status clean.
grep -qx '/.base-version' "$tree/.git/info/exclude" || echo '/.base-version' >>"$tree/.git/info/exclude"
printf '%s\n' "$deb"
