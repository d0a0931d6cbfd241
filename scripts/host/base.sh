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
# The work is fetch_deb's, in lib.sh, shared with stable-base.sh.
. "$(dirname "$0")/../lib.sh"

. "$TOP/config/base.env"
fetch_deb base "$BASE_PKG" "$BASE_VERSION" "$BASE_SUITE" "$BASE_SHA256" "$BUILD/base" \
	"run 'make matrix' and 'make check'"
