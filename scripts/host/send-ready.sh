#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make send-ready: after 'make check', lay out exactly what to mail and to
# whom. The To/Cc come from the tree's scripts/get_maintainer.pl.
. "$(dirname "$0")/../lib.sh"

SRC=$BUILD/tree
OUT=$BUILD/send
[ -f "$SRC/scripts/get_maintainer.pl" ] || die "no kernel tree; run 'make tree' first"
rm -rf "$OUT"
mkdir -p "$OUT"
cp "$TOP"/patches/0*.patch "$OUT/"

# Every maintainer and list of every patch, for the whole series.
(cd "$SRC" && perl scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback \
	"$OUT"/0[0-9][0-9][1-9]-*.patch "$OUT"/0[0-9][1-9]0-*.patch 2>/dev/null) | sort -u >"$OUT/recipients.txt"
grep -i 'vger.kernel.org' "$OUT/recipients.txt" | sed 's/ (.*//' >"$OUT/to.txt" || true
grep -vi 'vger.kernel.org' "$OUT/recipients.txt" | sed 's/ (.*//' >"$OUT/cc.txt" || true
[ -s "$OUT/to.txt" ] || die "get_maintainer.pl found no list to send to"

say "ok    $(ls "$OUT"/0*.patch | wc -l) files to mail in ${OUT#$TOP/}/"
say "      To: $(paste -sd, "$OUT/to.txt")"
say "      Cc: $(paste -sd, "$OUT/cc.txt")"
say "      send with:"
say "        git send-email $(sed 's/^/--to "/; s/$/"/' "$OUT/to.txt" | paste -sd' ') \\"
say "          $(sed 's/^/--cc "/; s/$/"/' "$OUT/cc.txt" | paste -sd' ') ${OUT#$TOP/}/0*.patch"
