#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In the guest: mount the test modules of KMODS_DIR (built for the kernel
# that runs) over those of TESTS_DIR/bpf (built for the kernel of make),
# which test_progs loads from its own folder.
#   kmods.sh KMODS_DIR TESTS_DIR
for k in "$1"/*.ko; do
	mount --bind "$k" "$2/bpf/${k##*/}" || { echo "kmods: cannot mount $k over $2/bpf"; exit 1; }
done
