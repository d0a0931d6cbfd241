# SPDX-License-Identifier: GPL-2.0
#
# Static kfunc context checks for sched_ext: the harness.
#
#   make          fetch the base, apply patches/, build the kernel and the
#                 tests, boot the kernel in QEMU and run the tests
#   make check    every check of this repository
#
# Everything generated goes under build/. See README.md.

SHELL := /bin/bash
S := scripts
B := build

.DEFAULT_GOAL := all
.PHONY: all tree kernel tests test check export matrix help clean negative warnings bisect stress-short bench stress stress-base send-ready

## all: tree, kernel, tests, then the tests in the guest (the main job)
## tree: unpack the base into build/linux and git am patches/ (LINUX_SRC=dir: your tree)
## kernel: build the patched kernel into build/kernel
## tests: build test_progs (subset), the sched_ext selftests and tools/sched_ext
## test: boot build/kernel in QEMU and run the tests
## check: every check (what .ci/run runs)
## matrix: regenerate matrix/scx-kf-mask.md and the selftest's matrix header
## negative: run the matrix test on the base kernel, where it must fail
## warnings: sparse (C=2) and W=1 on the touched objects, no new warning vs the base (after negative)
## bisect: build, boot and run the sched_ext selftests at every patch
## stress-short: the short stress of make check (test kernel, 5 s per scheduler)
## clean: remove build/ (keeps the ccache)
RUN_STEPS := all tree kernel tests test check matrix negative warnings bisect stress-short clean
$(RUN_STEPS):
	@$(S)/run.sh $@

## export: write the commits of build/linux back to patches/
export:
	@$(S)/export.sh

## bench: hot-path and load-time cost, base vs patched kernel (ROUNDS=5 N=20000)
bench:
	@$(S)/bench.sh $(or $(ROUNDS),5) $(or $(N),20000)

## stress: example schedulers under stress-ng and faults on a debug kernel (SECS=60 LOOPS=20 SCHEDS=all four)
stress:
	@$(S)/stress.sh $(or $(SECS),60) $(or $(LOOPS),20)

## stress-base: the same on the base debug kernel, without the refusal steps (SECS=60 LOOPS=20)
stress-base:
	@$(S)/stress.sh --base $(or $(SECS),60) $(or $(LOOPS),20)

## send-ready: run every check, then lay out the mails and print To/Cc
send-ready: check
	@$(S)/send-ready.sh

## help: list the targets
help:
	@echo "targets:"; sed -n 's/^## /  /p' $(firstword $(MAKEFILE_LIST))

# Any other target: say so and list the targets.
%:
	@echo "make: unknown target '$@'" >&2; $(MAKE) --no-print-directory help >&2; exit 2
