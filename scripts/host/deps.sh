#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stage "deps": the Debian packages of config/packages.txt. As root, install
# the missing ones; otherwise print the one apt-get line that would.
. "$(dirname "$0")/../lib.sh"

mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/config/packages.txt")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || { say "ok    deps: the ${#pkgs[@]} packages of config/packages.txt are installed"; exit 0; }
if [ "$(id -u)" != 0 ]; then
	say "FAIL  deps: missing Debian packages; install them with:"
	say "    sudo apt-get update && sudo apt-get install --no-install-recommends ${missing[*]}"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
log=$LOGS/deps-apt.log
{ apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 || {
	tail -n 20 "$log" | sed 's/^/    /'
	die "apt-get install ${missing[*]} failed; see $log"
}
say "ok    deps: installed ${missing[*]} ($SECONDS s)"
