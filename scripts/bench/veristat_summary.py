#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize veristat CSVs: each kernel against the first.

veristat_summary.py DIR NAME0 NAME1...: reads DIR/NAME.csv; prints markdown:
the programs whose verdict differs, and those whose insns or states differ,
with the sums and the largest ratios."""
import csv
import sys

d, names = sys.argv[1], sys.argv[2:]


def load(name):
    rows = {}
    with open(f"{d}/{name}.csv") as f:
        for r in csv.DictReader(f):
            rows[(r["file_name"], r["prog_name"])] = r
    return rows


def num(r, k):
    try:
        return int(r[k])
    except (KeyError, ValueError):
        return 0


base = load(names[0])
for name in names[1:]:
    other = load(name)
    common = sorted(set(base) & set(other))
    print(f"## {name} against {names[0]}\n")
    print(f"{len(common)} programs in both ({len(base)} on {names[0]}, {len(other)} on {name}).\n")
    verdicts = [k for k in common if base[k]["verdict"] != other[k]["verdict"]]
    print(f"Verdicts that differ: {len(verdicts)}\n")
    for k in verdicts:
        print(f"- {k[0]} {k[1]}: {base[k]['verdict']} -> {other[k]['verdict']}")
    if verdicts:
        print()
    ok = [k for k in common if base[k]["verdict"] == other[k]["verdict"] == "success"]
    for field, label in (("total_insns", "insns"), ("total_states", "states"),
                         ("peak_states", "peak states")):
        sb = sum(num(base[k], field) for k in ok)
        so = sum(num(other[k], field) for k in ok)
        diff = [k for k in ok if num(base[k], field) != num(other[k], field)]
        print(f"- {label}: {so} vs {sb} over the {len(ok)} programs both verify"
              f" ({(so / sb if sb else 1):.4f}); {len(diff)} programs differ")
        top = sorted(diff, key=lambda k: -(num(other[k], field) / max(num(base[k], field), 1)))
        for k in top[:8]:
            b, o = num(base[k], field), num(other[k], field)
            print(f"  - {k[0]} {k[1]}: {b} -> {o} ({o / max(b, 1):.3f})")
    print()
