#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write the commits on top of the base in the kernel tree back to patches/:
# base..bpf-fixes to patches/bpf ([PATCH bpf]), bpf-fixes..HEAD to
# patches/bpf-next ([PATCH bpf-next]), each with the text of its
# cover-letter.txt.
. "$(dirname "$0")/../lib.sh"
lock_build

VERSION=3
SRC=${1:-$BUILD/tree}
[ -d "$SRC/.git" ] || [ -f "$SRC/.git" ] || die "no kernel tree at $SRC; run 'make tree' first"
git -C "$SRC" rev-parse -q --verify base >/dev/null || die "$SRC has no 'base' branch"
git -C "$SRC" rev-parse -q --verify "$FIXES_BRANCH" >/dev/null ||
	die "$SRC has no '$FIXES_BRANCH' branch marking the end of the bpf series"
git -C "$SRC" merge-base --is-ancestor base "$FIXES_BRANCH" &&
git -C "$SRC" merge-base --is-ancestor "$FIXES_BRANCH" HEAD ||
	die "$SRC: '$FIXES_BRANCH' is not between base and HEAD (after a rebase, move it: git branch -f $FIXES_BRANCH <last fix>)"
[ -z "$(git -C "$SRC" status --porcelain --untracked-files=no)" ] ||
	die "$SRC has uncommitted changes; commit them first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# export_series NAME RANGE PREFIX: format-patch RANGE into patches/NAME
export_series() {
	local name=$1 range=$2 prefix=$3 n out=$tmp/$1
	n=$(git -C "$SRC" rev-list --count "$range")
	[ "$n" -gt 0 ] || die "$SRC has no commits in $range for patches/$name"
	git -C "$SRC" format-patch -q --cover-letter --subject-prefix="$prefix" -v "$VERSION" \
		--base=base -o "$out" "$range"
	# format-patch -v names the files v3-0001-...; patches/ keeps 0001-...
	for f in "$out"/v"$VERSION"-*.patch; do mv "$f" "$out/${f##*/v$VERSION-}"; done
	# The hand-written cover letter: its subject and body from
	# cover-letter.txt, with the generated shortlog, diffstat and base.
	local cover=$TOP/patches/$name/cover-letter.txt
	[ -f "$cover" ] || die "no $cover"
	python3 - "$out/0000-cover-letter.patch" "$cover" <<'PY'
import sys
path, text = sys.argv[1], open(sys.argv[2]).read()
subject, _, body = text.partition('\n\n')
s = open(path).read()
s = s.replace('*** SUBJECT HERE ***', subject.strip())
s = s.replace('*** BLURB HERE ***', body.strip())
open(path, 'w').write(s)
PY
	rm -f "$TOP/patches/$name"/[0-9][0-9][0-9][0-9]-*.patch
	cp "$out"/*.patch "$TOP/patches/$name/"
	say "ok    exported $n patch(es) and the cover letter to patches/$name"
}

export_series bpf "base..$FIXES_BRANCH" "PATCH bpf"
export_series bpf-next "$FIXES_BRANCH..HEAD" "PATCH bpf-next"
# The tree now matches patches/, so 'make tree' may rebuild it.
[ "$(cd "$SRC" && pwd -P)" != "$(cd "$TREE" && pwd -P)" ] || git -C "$SRC" rev-parse HEAD >"$BUILD/.applied"
