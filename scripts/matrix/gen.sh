#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The verdict matrix of the base in build/tree (branch base):
#   gen.sh OUTDIR    writes OUTDIR/{scx-kf-mask.md,deliberate.txt,header.h}
#                    and prints its one-line summary
#   gen.sh --install writes matrix/ (make matrix); the header is generated
#                    again with the tests (scripts/host/tests.sh)
. "$(dirname "$0")/../lib.sh"

SRC=$BUILD/tree
[ -d "$SRC/.git" ] || die "no tree in ${SRC#$TOP/}; run 'make tree' first"
git -C "$SRC" rev-parse -q --verify base >/dev/null || die "${SRC#$TOP/} has no branch base"
need python3 python3

gen() {
	python3 "$TOP/scripts/matrix/gen-matrix.py" "$SRC" base \
		--src "$(git -C "$SRC" log -1 --format=%s base)" \
		--md "$1/scx-kf-mask.md" --deliberate "$1/deliberate.txt" --header "$1/header.h"
}

if [ "${1:-}" != --install ]; then
	[ -n "${1:-}" ] && [ -d "$1" ] || die "usage: gen.sh OUTDIR | --install"
	gen "$1"
	exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen "$tmp"
mkdir -p "$TOP/matrix"
cp "$tmp/scx-kf-mask.md" "$tmp/deliberate.txt" "$TOP/matrix/"
say "ok    matrix/ written"
