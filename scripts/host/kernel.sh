#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel out of tree: tinyconfig + config/kernel.config.
#   kernel.sh [SRC] [OUT] [FRAGMENT...]
# PAHOLE=/path/to/pahole: another pahole than the one in PATH.
. "$(dirname "$0")/../lib.sh"
lock_build

SRC=${1:-$BUILD/tree}
OUT=${2:-$KOUT}
shift 2 2>/dev/null || shift $#
FRAGS=("$@")
[ ${#FRAGS[@]} -gt 0 ] || FRAGS=("$TOP/config/kernel.config")
[ -f "$SRC/Makefile" ] || die "no kernel tree at $SRC; run 'make tree' first"

need gcc gcc
need flex flex
need bison bison
need bc bc
need pahole dwarves
need cpio cpio
[ -e /usr/include/libelf.h ] || die "libelf.h not found; install it with: apt-get install libelf-dev"
[ -e /usr/include/openssl/ssl.h ] || die "openssl headers not found; install them with: apt-get install libssl-dev"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC=$(cd "$SRC" && pwd -P)

kernel_cc
# Logs are named after the output folder below build/: kernel, wt-kernel, ...
name=$(echo "${OUT#"$BUILD"/}" | tr / -)

config() {
	make -C "$SRC" O="$OUT" ARCH=x86_64 CC="$CC" HOSTCC=gcc ${PAHOLE:+PAHOLE=$PAHOLE} tinyconfig || return
	"$SRC"/scripts/kconfig/merge_config.sh -m -O "$OUT" "$OUT/.config" "${FRAGS[@]}" || return
	make -C "$SRC" O="$OUT" ARCH=x86_64 CC="$CC" HOSTCC=gcc ${PAHOLE:+PAHOLE=$PAHOLE} olddefconfig || return
	# Every line of the fragments must have survived olddefconfig.
	local f line missing=0
	for f in "${FRAGS[@]}"; do
		while IFS= read -r line; do
			case "$line" in CONFIG_*=*) ;; *) continue;; esac
			grep -qx "$line" "$OUT/.config" || { echo "config: $line did not stick"; missing=1; }
		done <"$f"
	done
	return $missing
}
# "modules" too: it writes Module.symvers, which the test modules of
# tools/testing/selftests/bpf are built against (there are no in-tree ones).
build() {
	local mods=
	grep -q '^CONFIG_MODULES=y' "$OUT/.config" && mods=modules
	make -C "$SRC" O="$OUT" ARCH=x86_64 CC="$CC" HOSTCC=gcc ${PAHOLE:+PAHOLE=$PAHOLE} -j"$(nproc)" bzImage $mods
}
# What the configuration depends on: the fragments, the tree's Kconfig
# files, tinyconfig's fragments and kconfig itself, and the toolchain
# (Kconfig tests gcc, ld, as and pahole). When none changed and .config is
# the one written then, it stands: the per-patch builds of 'make check'
# configure once, not at every patch.
config_key() {
	{
		cat "${FRAGS[@]}"
		"$CC" --version | head -n 1
		ld --version | head -n 1
		as --version | head -n 1
		pahole --version
		(cd "$SRC" && find . \( -name 'Kconfig*' -o -path '*/configs/*.config' -o -path './scripts/kconfig/*' \) \
			-not -path './.git/*' -type f -print0 | sort -z | xargs -0 cat)
	} | sha1sum | cut -d' ' -f1
}
config_sum() { sha1sum <"$OUT/.config" | cut -d' ' -f1; }
key=$(config_key)
if [ -f "$OUT/.config" ] && [ "$(cat "$OUT/.config-key" 2>/dev/null)" = "$key $(config_sum)" ]; then
	say "ok    config $name: no Kconfig file or fragment changed, .config stands"
else
	rm -f "$OUT/.config-key"
	stage "config $name" "$LOGS/$name-config.log" config
	echo "$key $(config_sum)" >"$OUT/.config-key"
fi
stage "build $name (bzImage + vmlinux)" "$LOGS/$name-build.log" build
grep -h 'WARN.*unresolved symbol' "$LOGS/$name-build.log" | sed 's/^/      resolve_btfids: /' || true
