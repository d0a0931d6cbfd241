#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Each series as a b4-managed branch, for those who send with b4: a clone of
# build/tree in build/b4/linux with branch kfunc-ctx-bpf (base..bpf-fixes,
# enrolled on base, prefix bpf) and branch kfunc-ctx (bpf-fixes..HEAD,
# enrolled on bpf-fixes, prefix bpf-next), revision 3, the cover letter of
# patches/SERIES/cover-letter.txt. Checks that b4's patches carry the same
# diffs as patches/, then prints how to send. Run by send-ready.sh.
. "$(dirname "$0")/../lib.sh"
need b4 b4

REV=3
SRC=$BUILD/tree
R=$BUILD/b4/linux
[ -d "$SRC/.git" ] || die "no tree in ${SRC#$TOP/}; run 'make tree' first"
rm -rf "$BUILD/b4"
mkdir -p "$BUILD/b4"
git clone -q --no-local --no-checkout "$SRC" "$R" || die "cannot clone ${SRC#$TOP/}"
git -C "$R" branch -q -f base origin/base
git -C "$R" branch -q -f "$FIXES_BRANCH" "origin/$FIXES_BRANCH"
# b4 signs off and sends as the author of the series.
from=$(git -C "$SRC" log -1 --format='%an%x09%ae' base..HEAD)
git -C "$R" config user.name "${from%%	*}"
git -C "$R" config user.email "${from#*	}"

body() { sed -n '/^diff --git/,$p' "$1" | grep -v '^index \|^-- $\|^[0-9]\.[0-9]'; }

# prep SERIES BRANCH ONTO TIP: enroll BRANCH (at TIP) on ONTO with b4, and
# check its patches against patches/SERIES.
prep() {
	local s=$1 branch=$2 onto=$3 tip=$4 ed=$BUILD/b4/cover-editor-$1 out=$BUILD/b4/out-$1 p q i n=0 rev
	printf '#!/bin/sh\ncp "%s" "$1"\n' "$TOP/patches/$s/cover-letter.txt" >"$ed"
	chmod +x "$ed"
	git -C "$R" checkout -q -b "$branch" "$tip"
	(
		cd "$R" &&
		b4 prep -e "$onto" &&
		b4 prep --force-revision "$REV" &&
		b4 prep --set-prefixes "$s" &&
		EDITOR=$ed b4 prep --edit-cover &&
		b4 prep -p "$out"
	) >>"$LOGS/b4-prep.log" 2>&1 || die "b4 prep of $s failed; see ${LOGS#$TOP/}/b4-prep.log"
	for p in $(series_patches "$s"); do
		i=${p##*/}; i=${i%%-*}
		q=$(ls "$out/$i"-*.patch 2>/dev/null) || die "b4 prep wrote no patch $i of $s"
		cmp -s <(body "$p") <(body "$q") || die "b4's patch $i of $s differs from patches/$s/${p##*/}"
		n=$((n + 1))
	done
	rev=$(cd "$R" && b4 prep --show-revision 2>&1 | tail -n 1)
	[ "$rev" = "v$REV" ] || die "b4 prep says the revision of $s is '$rev', not v$REV"
	say "ok    b4 prep: branch $branch in ${R#$TOP/}, $rev, $n patches with the diffs of patches/$s"
}

: >"$LOGS/b4-prep.log"
prep bpf kfunc-ctx-bpf base "$(git -C "$SRC" rev-parse "$FIXES_BRANCH")"
prep bpf-next kfunc-ctx "$FIXES_BRANCH" "$(git -C "$SRC" rev-parse HEAD)"
say "      to send with b4: cd ${R#$TOP/} && git checkout kfunc-ctx-bpf && b4 prep --auto-to-cc && b4 send"
say "      and, once the bpf series is in, the same on branch kfunc-ctx"
