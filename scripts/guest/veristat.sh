#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In the guest: veristat over the objects listed in LIST, one CSV.
#   veristat.sh VERISTAT LIST OUT_CSV
# Each object is loaded on its own, so that one that does not open (a test
# object meant for another kernel) does not stop the others.
veristat=$1 list=$2 out=$3
fields=file_name,prog_name,verdict,total_insns,total_states,peak_states
first=1
: >"$out"
n=0
while read -r obj; do
	[ -n "$obj" ] || continue
	if r=$("$veristat" -q -o csv -e "$fields" "$obj" 2>>"$out.err"); then :; fi
	[ -n "$r" ] || { echo "veristat: nothing from $obj" >>"$out.err"; continue; }
	if [ $first = 1 ]; then echo "$r" >>"$out"; first=0; else echo "$r" | tail -n +2 >>"$out"; fi
	n=$((n + 1))
done <"$list"
echo "veristat: $n objects, $(($(wc -l <"$out") - 1)) programs"
