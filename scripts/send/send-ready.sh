#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make send-ready: the static checks of make check, then the mails laid out
# in build/send/: each patch with its To: and Cc: from the base's
# scripts/get_maintainer.pl and MAINTAINERS, the cover letter to everyone,
# and the tree each patch is for. Sends nothing.
. "$(dirname "$0")/../lib.sh"
lock_build

SRC=$BUILD/tree
OUT=$BUILD/send
[ -f "$SRC/scripts/get_maintainer.pl" ] || die "no kernel tree in ${SRC#$TOP/}; run 'make tree' first"
need perl perl

# The list takes patches from a person (DCO): warn while their author, the
# From: of patches/ (folded lines joined), is the project's address.
authors=$(find "$TOP/patches" -name '*.patch' -exec awk '
	/^$/ { exit }
	/^From: / { f = substr($0, 7); c = 1; next }
	c && /^[ \t]/ { sub(/^[ \t]+/, " "); f = f $0; next }
	{ c = 0 }
	END { print f }' {} \; | sort -u)
if grep -qiE 'noreply|maintainers' <<<"$authors"; then
	say "WARN  the patches' author is the project's address, not a person:"
	grep -iE 'noreply|maintainers' <<<"$authors" | sed 's/^/        /'
	say "      re-sign them as the sender before sending (README, \"Sending\"): in ${BUILD#$TOP/}/tree,"
	say "      git rebase --exec 'git log -1 --format=%B | sed \"/^Signed-off-by: .*noreply/d\" | git commit -q --amend --reset-author -s -F -' base"
	say "      then make export"
fi

bad=0
for c in series checkpatch gone docs matrix paths; do
	"$TOP/scripts/check/checks.sh" $c || bad=1
done
[ $bad = 0 ] || die "send-ready: fix the checks above first"

rm -rf "$OUT"

# get_maintainer.pl FILE...: the addresses, lists apart from people
gm() {
	(cd "$SRC" && perl scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback \
		--no-tree "$@" 2>/dev/null)
}

# lay_out SERIES TREE: the mails of patches/SERIES in build/send/SERIES,
# each patch To: the lists of the series, Cc: its own maintainers, and the
# cover letter Cc: everyone the patches Cc.
lay_out() {
	local s=$1 tree=$2 out=$OUT/$1 p cc to c
	mkdir -p "$out"
	cp "$TOP/patches/$s"/[0-9][0-9][0-9][0-9]-*.patch "$out/"
	mapfile -t patches < <(ls "$out"/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-cover-letter.patch$')
	gm --no-m --no-r "${patches[@]}" | sort -u >"$out/to.txt"
	[ -s "$out/to.txt" ] || die "get_maintainer.pl found no list to send patches/$s to"
	gm --no-l "${patches[@]}" | sort -u >"$out/cc.txt"
	to=$(paste -sd, "$out/to.txt" | sed 's/,/, /g')
	: >"$out/summary.txt"
	for p in "${patches[@]}"; do
		cc=$(gm --no-l "$p" | paste -sd, | sed 's/,/, /g')
		awk -v to="$to" -v cc="$cc" 'done == 0 && /^Subject: / { print "To: " to; if (cc != "") print "Cc: " cc; done = 1 } { print }' \
			"$p" >"$p.tmp" && mv "$p.tmp" "$p"
		printf '%s\n  Cc: %s\n' "$(basename "$p")" "${cc:-none}" >>"$out/summary.txt"
	done
	c=$out/0000-cover-letter.patch
	awk -v to="$to" -v cc="$(paste -sd, "$out/cc.txt" | sed 's/,/, /g')" \
		'done == 0 && /^Subject: / { print "To: " to; if (cc != "") print "Cc: " cc; done = 1 } { print }' "$c" >"$c.tmp" && mv "$c.tmp" "$c"
	say "ok    patches/$s, for $tree: $(ls "$out"/0*.patch | wc -l) mails in ${out#$TOP/}/ (per patch: ${out#$TOP/}/summary.txt)"
	say "      To: $(paste -sd, "$out/to.txt"); Cc on the cover letter: $(wc -l <"$out/cc.txt") people"
}

lay_out bpf "the bpf tree, first"
lay_out bpf-next "bpf-next, once the bpf series is in (it applies on top of it)"
say "      check, then send each with: git send-email ${OUT#$TOP/}/bpf/0*.patch (and bpf-next/ after)"

# The same series as a b4-managed branch.
"$TOP/scripts/send/b4-prep.sh"
