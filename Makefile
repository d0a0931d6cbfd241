# SPDX-License-Identifier: GPL-2.0
#
# Static kfunc context checks for struct_ops: the harness.
#
#   make          install what is missing, fetch the base, apply patches/,
#                 build the kernel and the tests, boot the kernel in QEMU
#                 and run the tests
#   make check    every check of this repository (what .ci/run runs)
#
# Everything generated goes under build/. V=1 streams the guest consoles.
# See README.md.

SHELL := /bin/bash
S := scripts

.DEFAULT_GOAL := all
RUN_STEPS := all deps tree kernel tests test check negative bisect bench stress stress-base stable veristat bpf-series warnings matrix clean
.PHONY: $(RUN_STEPS) export send-ready help

## all: deps, tree, kernel, tests, then the tests in the guest (the main job)
## deps: install the Debian packages of config/packages.txt (as root)
## tree: unpack the base into build/linux and git am patches/ (LINUX_SRC=dir: your tree; BASE_DEB=file: the .deb)
## kernel: build the patched kernel into build/kernel
## tests: build the test_progs subset, test modules, sched_ext selftests, tools/sched_ext, binfmt_misc_bpf
## test: boot build/kernel in QEMU and run the tests (SUITES="bpf binfmt scx schedulers")
## check: every check (what .ci/run runs)
## bpf-series: the kernel of the bpf series alone (patches/bpf), booted with its own tests (after negative)
## negative: the series' tests on the base kernel, where they must fail on exactly the deliberate changes
## bisect: build every patch incrementally in build/wt, boot those that change the kernel or the sched_ext selftests
## stable: the 7.2 stable backport (stable/7.2/) on Debian's linux-source-7.2 (config/stable.env): the hole on its base, refused with the backport, 7.2's sched_ext selftests
## veristat: veristat on the base, the bpf series and the whole series: verdicts, insns and states compared (build/veristat/summary.md)
## bench: load time, verifier calls and context switches on the base and the series under QEMU -icount, and a static diff (BENCH_ROUNDS, BENCH_N)
## stress: the schedulers and qdiscs under load, faults and bad programs on a debug kernel, and scx_hole refused (STRESS_SECS=60, STRESS_LOOPS=10; make check runs a short one)
## stress-base: the same on the base with the debug options, and what scx_hole (the hole) does there
## warnings: sparse (C=2) and W=1 on the touched objects, no new warning vs the base (after negative)
## matrix: generate matrix/ and the scx_kf_mask selftest's header from the base (make check fails when stale)
## clean: remove build/ (keeps the ccache and the downloaded .deb)
$(RUN_STEPS):
	@$(S)/run.sh $@

## export: write the commits of build/linux back to patches/
export:
	@$(S)/host/export.sh

## send-ready: the static checks, then the mails with To/Cc laid out in build/send/, and a b4 prep branch in build/b4/linux
send-ready:
	@$(S)/send/send-ready.sh

## help: list the targets
help:
	@echo "targets:"; sed -n 's/^## /  /p' $(firstword $(MAKEFILE_LIST))

# Any other target: say so and list the targets.
%:
	@echo "make: unknown target '$@'" >&2; $(MAKE) --no-print-directory help >&2; exit 2
