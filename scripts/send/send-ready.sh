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
for c in series checkpatch gone docs matrix; do
	"$TOP/scripts/check/checks.sh" $c || bad=1
done
[ $bad = 0 ] || die "send-ready: fix the checks above first"

rm -rf "$OUT"
mkdir -p "$OUT"
cp "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch "$OUT/"

# get_maintainer.pl FILE...: the addresses, lists apart from people
gm() {
	(cd "$SRC" && perl scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback \
		--no-tree "$@" 2>/dev/null)
}

# The tree a patch is for: the leading run of fixes (Fixes: tags) and their
# selftests goes to the bpf tree first (it is also in the series for
# bpf-next); from the first patch that is neither, bpf-next (the core,
# sched_ext, bpf_qdisc and binfmt_misc patches depend on each other).
in_fixes=1
tree_of() {
	if [ $in_fixes = 1 ] && { grep -q '^Fixes: ' "$1" || grep -q '^Subject: \[PATCH[^]]*\] selftests' "$1"; }; then
		tree="bpf (a fix or its test; also in the series for bpf-next)"
	else
		in_fixes=0
		tree=bpf-next
	fi
}

mapfile -t patches < <(ls "$OUT"/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-cover-letter.patch$')
# The lists (--no-m --no-r) and the people (--no-l) apart
all_lists=$(gm --no-m --no-r "${patches[@]}" | sort -u)
[ -n "$all_lists" ] || die "get_maintainer.pl found no list to send to"
printf '%s\n' "$all_lists" >"$OUT/to.txt"
gm --no-l "${patches[@]}" | sort -u >"$OUT/cc.txt"

# Each patch: To: the lists of the series, Cc: its own maintainers.
: >"$OUT/summary.txt"
for p in "${patches[@]}"; do
	cc=$(gm --no-l "$p" | paste -sd, | sed 's/,/, /g')
	to=$(paste -sd, "$OUT/to.txt" | sed 's/,/, /g')
	awk -v to="$to" -v cc="$cc" 'done == 0 && /^Subject: / { print "To: " to; if (cc != "") print "Cc: " cc; done = 1 } { print }' \
		"$p" >"$p.tmp" && mv "$p.tmp" "$p"
	tree_of "$p"
	printf '%s\n  tree: %s\n  Cc: %s\n' "$(basename "$p")" "$tree" "${cc:-none}" >>"$OUT/summary.txt"
done
# The cover letter: to the lists, Cc everyone the patches Cc.
c=$OUT/0000-cover-letter.patch
awk -v to="$(paste -sd, "$OUT/to.txt" | sed 's/,/, /g')" -v cc="$(paste -sd, "$OUT/cc.txt" | sed 's/,/, /g')" \
	'done == 0 && /^Subject: / { print "To: " to; if (cc != "") print "Cc: " cc; done = 1 } { print }' "$c" >"$c.tmp" && mv "$c.tmp" "$c"

say "ok    $(ls "$OUT"/0*.patch | wc -l) mails in ${OUT#$TOP/}/, with To: and Cc: (per patch: ${OUT#$TOP/}/summary.txt)"
say "      for the bpf tree first: $(grep -B1 '^  tree: bpf (' "$OUT/summary.txt" | grep -o '^[0-9]\{4\}' | paste -sd' '); the rest for bpf-next"
say "      To: $(paste -sd, "$OUT/to.txt")"
say "      Cc on the cover letter: $(wc -l <"$OUT/cc.txt") people"
say "      check, then send with: git send-email ${OUT#$TOP/}/0*.patch"

# The same series as a b4-managed branch.
"$TOP/scripts/send/b4-prep.sh"
