#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A newer pahole than Debian 12's, for `make stable` (config/pahole.env):
# Debian unstable's pahole and the libraries it runs on, each .deb pinned
# by sha256, fetched through a private apt list (the machine's sources are
# untouched) into build/tools/pahole/debs, unpacked into
# build/tools/pahole/root, and run through a wrapper that starts it with
# unstable's own dynamic loader. Prints the wrapper's path.
. "$(dirname "$0")/../lib.sh"
. "$TOP/config/pahole.env"

dir=$BUILD/tools/pahole
wrapper=$dir/pahole
stamp=$dir/.pin
pin=$(printf '%s' "$PAHOLE_SUITE $PAHOLE_DEBS" | sha256sum | cut -d' ' -f1)
if [ -x "$wrapper" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pin" ]; then
	printf '%s\n' "$wrapper"
	exit 0
fi

need apt-get apt
need dpkg-deb dpkg
mkdir -p "$dir/debs"
log=$LOGS/pahole-apt.log
: >"$log"
fetched=
while read -r pkg version sha; do
	[ -n "$pkg" ] || continue
	deb=$dir/debs/${pkg}_${version//:/%3a}_amd64.deb
	if [ ! -f "$deb" ] || [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$sha" ]; then
		if [ -z "$fetched" ]; then
			apt_private "$dir/apt" "$PAHOLE_SUITE" "$log" "put the .debs of config/pahole.env in $dir/debs"
			say "      fetching pahole and its libraries from $APT_URI ($PAHOLE_SUITE)" >&2
			fetched=1
		fi
		rm -f "$deb"
		(cd "$dir/debs" && apt-get "${APT[@]}" download "$pkg=$version") >>"$log" 2>&1 ||
			die "apt-get download $pkg=$version from $PAHOLE_SUITE failed (moved on? see config/pahole.env); see $log"
		[ -f "$deb" ] || die "apt-get download $pkg=$version left no $deb"
		got=$(sha256sum "$deb" | cut -d' ' -f1)
		if [ "$got" != "$sha" ]; then
			mv "$deb" "$deb.refused"
			die "$pkg $version has sha256 $got, not the $sha that config/pahole.env pins; refused"
		fi
	fi
done <<<"$PAHOLE_DEBS"

rm -rf "$dir/root"
mkdir -p "$dir/root"
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done
lib=$dir/root/usr/lib/x86_64-linux-gnu
[ -x "$lib/ld-linux-x86-64.so.2" ] && [ -x "$dir/root/usr/bin/pahole" ] ||
	die "the unpacked debs hold no pahole or no dynamic loader; see $dir/root"
cat >"$wrapper" <<WRAP
#!/bin/sh
# Debian $PAHOLE_SUITE's pahole with its own libc (scripts/host/pahole.sh)
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$dir/root/usr/bin/pahole" "\$@"
WRAP
chmod +x "$wrapper"
"$wrapper" --version >/dev/null 2>&1 || die "the unpacked pahole does not run; try: $wrapper --version"
echo "$pin" >"$stamp"
printf '%s\n' "$wrapper"
