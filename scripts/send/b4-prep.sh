#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series as a b4-managed branch, for those who send with b4: a clone of
# build/tree in build/b4/linux, branch kfunc-ctx enrolled on base, revision
# 2, prefix bpf-next, the cover letter of patches/cover-letter.txt. Checks
# that b4's patches carry the same diffs as patches/, then prints how to
# send. Run by send-ready.sh.
. "$(dirname "$0")/../lib.sh"
need b4 b4

SRC=$BUILD/tree
R=$BUILD/b4/linux
[ -d "$SRC/.git" ] || die "no tree in ${SRC#$TOP/}; run 'make tree' first"
rm -rf "$BUILD/b4"
mkdir -p "$BUILD/b4"
git clone -q --no-local --no-checkout "$SRC" "$R" || die "cannot clone ${SRC#$TOP/}"
git -C "$R" branch -q -f base origin/base
git -C "$R" checkout -q -b kfunc-ctx "$(git -C "$SRC" rev-parse HEAD)"
# b4 signs off and sends as the author of the series.
from=$(git -C "$R" log -1 --format='%an%x09%ae' base..kfunc-ctx)
git -C "$R" config user.name "${from%%	*}"
git -C "$R" config user.email "${from#*	}"
ed=$BUILD/b4/cover-editor
printf '#!/bin/sh\ncp "%s" "$1"\n' "$TOP/patches/cover-letter.txt" >"$ed"
chmod +x "$ed"
(
	cd "$R" &&
	b4 prep -e base &&
	b4 prep --force-revision 2 &&
	b4 prep --set-prefixes bpf-next &&
	EDITOR=$ed b4 prep --edit-cover &&
	b4 prep -p "$BUILD/b4/out"
) >"$LOGS/b4-prep.log" 2>&1 || die "b4 prep failed; see ${LOGS#$TOP/}/b4-prep.log"

# The same diffs as patches/, patch by patch.
body() { sed -n '/^diff --git/,$p' "$1" | grep -v '^index \|^-- $\|^[0-9]\.[0-9]'; }
n=0
for p in "$TOP"/patches/[0-9][0-9][0-9][1-9]-*.patch "$TOP"/patches/[0-9][0-9][1-9]0-*.patch; do
	[ -f "$p" ] || continue
	i=${p##*/}; i=${i%%-*}
	q=$(ls "$BUILD/b4/out/$i"-*.patch 2>/dev/null) || die "b4 prep wrote no patch $i"
	cmp -s <(body "$p") <(body "$q") || die "b4's patch $i differs from patches/${p##*/}"
	n=$((n + 1))
done
rev=$(cd "$R" && b4 prep --show-revision 2>&1 | tail -n 1)
[ "$rev" = v2 ] || die "b4 prep says the revision is '$rev', not v2"
say "ok    b4 prep: branch kfunc-ctx in ${R#$TOP/}, $rev, $n patches with the diffs of patches/"
say "      to send with b4: cd ${R#$TOP/} && b4 prep --auto-to-cc && b4 send"
