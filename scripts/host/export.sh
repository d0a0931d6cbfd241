#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write the commits on top of the base in the kernel tree back to patches/,
# keeping the cover letter's text and the subject prefix.
. "$(dirname "$0")/../lib.sh"
lock_build

SRC=${1:-$BUILD/tree}
[ -d "$SRC/.git" ] || [ -f "$SRC/.git" ] || die "no kernel tree at $SRC; run 'make tree' first"
base=$(git -C "$SRC" rev-parse -q --verify base) || die "$SRC has no 'base' branch"
n=$(git -C "$SRC" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || die "$SRC has no commits on top of base"
[ -z "$(git -C "$SRC" status --porcelain --untracked-files=no)" ] ||
	die "$SRC has uncommitted changes; commit them first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$SRC" format-patch -q --cover-letter --subject-prefix="PATCH bpf-next v2" \
	--base=base -o "$tmp" base..HEAD

# Keep the hand-written cover letter: take its subject and body from
# patches/cover-letter.txt, and the generated shortlog, diffstat and base.
cover=$TOP/patches/cover-letter.txt
if [ -f "$cover" ]; then
	python3 - "$tmp"/0000-cover-letter.patch "$cover" <<'PY'
import sys
path, text = sys.argv[1], open(sys.argv[2]).read()
subject, _, body = text.partition('\n\n')
s = open(path).read()
s = s.replace('*** SUBJECT HERE ***', subject.strip())
s = s.replace('*** BLURB HERE ***', body.strip())
open(path, 'w').write(s)
PY
fi
rm -f "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch
cp "$tmp"/*.patch "$TOP/patches/"
# The tree now matches patches/, so 'make tree' may rebuild it.
[ "$(cd "$SRC" && pwd -P)" != "$(cd "$TREE" && pwd -P)" ] || git -C "$SRC" rev-parse HEAD >"$BUILD/.applied"
say "ok    exported $n patch(es) and the cover letter to patches/"
