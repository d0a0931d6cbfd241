#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage "base": find the pinned linux-source .deb (config/base.env), check its
# sha256, and print its path.
#
#   1. BASE_DEB=/path/to.deb
#   2. a copy beside the checkout: ../shared/base/<file>.deb (CI has one)
#   3. a copy downloaded earlier into build/base/
#   4. a download from Debian, through a private apt list that reuses the
#      machine's own Debian mirror; the machine's apt sources are untouched.
. "$(dirname "$0")/../lib.sh"

. "$TOP/config/base.env"
file="${BASE_PKG}_${BASE_VERSION}_all.deb"
# apt-get download escapes the epoch/tilde-free name the same way.
dl_dir=$BUILD/base

sha_ok() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$BASE_SHA256" ]; }

check() {
	local deb=$1 from=$2
	[ -f "$deb" ] || die "$from: $deb does not exist"
	sha_ok "$deb" || die "$from: $deb has sha256 $(sha256sum "$deb" | cut -d' ' -f1), but config/base.env pins $BASE_PKG $BASE_VERSION at $BASE_SHA256; refusing it"
	printf '%s\n' "$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
}

if [ -n "${BASE_DEB:-}" ]; then
	check "$BASE_DEB" BASE_DEB
	exit
fi
for d in "$TOP/../shared/base" "$dl_dir"; do
	if [ -f "$d/$file" ]; then
		check "$d/$file" "the copy in $d"
		exit
	fi
done

# The machine's Debian mirror: the first URI of a source that carries the
# main archive (not -security, not a third-party repository).
mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && sed -n 's/^URIs:[[:space:]]*//p' "$f" | tr ' ' '\n'
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' "$f"
	done
	return 0
}
command -v apt-get >/dev/null || die "no $file beside the checkout and no apt-get to fetch it; pass BASE_DEB=/path/to/$file"
uri=$(mirror | grep -E '/debian/?$' | head -n 1 || true)
[ -n "$uri" ] || die "no Debian mirror in this machine's apt sources to fetch $BASE_PKG from; pass BASE_DEB=/path/to/$file"
apt_dir=$dl_dir/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dl_dir"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $uri $BASE_SUITE main" >"$apt_dir/sources.list"
APT=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache"
     -o Debug::NoLocking=1)
say "      fetching $BASE_PKG $BASE_VERSION from $uri ($BASE_SUITE)" >&2
apt-get "${APT[@]}" update >"$LOGS/base-apt.log" 2>&1 ||
	die "apt-get update of the private list failed; see $LOGS/base-apt.log"
if ! apt-cache "${APT[@]}" madison "$BASE_PKG" 2>/dev/null | grep -q "| $BASE_VERSION |"; then
	have=$(apt-cache "${APT[@]}" pkgnames linux-source-7. 2>/dev/null | sort | while read -r p; do
		apt-cache "${APT[@]}" madison "$p" | awk -F'|' '{gsub(/ /,"",$1); gsub(/ /,"",$2); print $1 " " $2}'
	done)
	die "$BASE_PKG $BASE_VERSION is no longer in $uri $BASE_SUITE. It has:
${have:-  (no linux-source-7.* package)}
To move the pin, edit BASE_VERSION and BASE_SHA256 in config/base.env (the
sha256 is 'sha256sum' of the new .deb), then run 'make matrix' and 'make check'.
Or pass BASE_DEB=/path/to/$file."
fi
(cd "$dl_dir" && apt-get "${APT[@]}" download "$BASE_PKG=$BASE_VERSION") >>"$LOGS/base-apt.log" 2>&1 ||
	die "apt-get download $BASE_PKG=$BASE_VERSION failed; see $LOGS/base-apt.log"
got=$(ls "$dl_dir"/"${BASE_PKG}"_*.deb 2>/dev/null | head -n 1)
[ -n "$got" ] || die "apt-get download left no .deb in $dl_dir"
[ "$got" = "$dl_dir/$file" ] || mv "$got" "$dl_dir/$file"
if ! sha_ok "$dl_dir/$file"; then
	mv "$dl_dir/$file" "$dl_dir/$file.refused"
	die "the downloaded $file has sha256 $(sha256sum "$dl_dir/$file.refused" | cut -d' ' -f1), not the pinned $BASE_SHA256; refused (kept as $dl_dir/$file.refused)"
fi
check "$dl_dir/$file" download
