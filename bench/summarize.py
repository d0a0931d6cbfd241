#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize 'make bench': build/bench/raw.txt and the disassemblies."""
import re
import statistics
import sys

out = sys.argv[1]
bench = {}   # (kernel, workload) -> [ns per op]
loads = {}   # (kernel, scheduler) -> [(ns, verified insns)]
loadtimes = {}  # (kernel, object) -> [min, median, max ns, verified insns]
for line in open(out + '/raw.txt'):
    f = line.split()
    if f[0] == 'bench':
        bench.setdefault((f[1], f[3]), []).append(float(f[6]))
    elif f[0] == 'loadtime':
        loadtimes[(f[1], f[2])] = None if f[3] == 'failed' else [int(x) for x in f[3:7]]
    elif f[0] == 'load' and f[3] != 'failed':
        loads.setdefault((f[1], f[2]), []).append((int(f[3]), int(f[4])))

# Functions on the path of one context switch of the pipe ping-pong on one
# CPU under scx_simple: the wakee is enqueued (ops.enqueue dispatches it),
# the waker is dequeued, put, the CPU balances (ops.dispatch consumes), the
# wakee is set as next (ops.running).
PATH = ['enqueue_task_scx', 'dequeue_task_scx', 'put_prev_task_scx', 'balance_scx',
        'set_next_task_scx', 'pick_task_scx', 'scx_bpf_dispatch', 'scx_bpf_consume']
SHOWN = PATH + ['do_enqueue_task', 'balance_one', 'select_task_rq_scx', 'scx_bpf_select_cpu_dfl',
                'scx_bpf_dispatch_vtime', 'scx_bpf_dispatch_nr_slots', 'scx_bpf_dispatch_cancel',
                'scx_bpf_reenqueue_local', 'scx_bpf_task_cgroup', 'scx_dispatch_from_dsq',
                'scx_bpf_dispatch_from_dsq', 'task_tick_scx', 'yield_task_scx', 'scx_ops_enable_task',
                'scx_ops_exit_task']


def insn_counts(path):
    counts, cur = {}, None
    for line in open(path):
        m = re.match(r'^[0-9a-f]+ <([\w.]+)>:', line)
        if m:
            cur = m.group(1)
            counts[cur] = 0
        elif cur and re.match(r'^\s+[0-9a-f]+:\t', line):
            counts[cur] += 1
    return counts


base = insn_counts(out + '/objdump-base.txt')
patched = insn_counts(out + '/objdump-patched.txt')

L = []
L.append('### Hot path, guest instructions per operation (QEMU -icount, 1 vCPU, scx_simple)\n')
L.append('| workload | base min / median / max | patched min / median / max | saving (median) | patched / base |')
L.append('|---|---|---|---|---|')
measured = {}
for w, what in [('pipe', 'context switch'), ('fanout', 'wake-up'), ('yield', 'context switch')]:
    b, p = bench.get(('base', w)), bench.get(('patched', w))
    if not b or not p:
        continue
    bm, pm = statistics.median(b), statistics.median(p)
    measured[w] = bm - pm
    L.append('| %s (per %s, %d runs) | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %.0f | %.4f |' % (
        w, what, len(b), min(b), bm, max(b), min(p), pm, max(p), bm - pm, pm / bm))
L.append('')
L.append('### Static view: instructions in kernel/sched/build_policy.o (ext.c)\n')
L.append('| function | base | patched | difference |')
L.append('|---|---|---|---|')
for fn in SHOWN:
    if fn in base or fn in patched:
        b, p = base.get(fn), patched.get(fn)
        L.append('| %s%s | %s | %s | %s |' % (fn, ' (switch path)' if fn in PATH else '',
                                           b if b is not None else 'inlined',
                                           p if p is not None else 'inlined',
                                           (p - b) if b is not None and p is not None else '-'))
tb, tp = sum(base.values()), sum(patched.values())
L.append('| all of build_policy.o | %d | %d | %d |' % (tb, tp, tp - tb))
pred = sum(base.get(f, 0) - patched.get(f, 0) for f in PATH if f in base and f in patched)
L.append('')
L.append('Static prediction for one pipe context switch (one pass through each switch-path '
         'function, no loops or branches counted): %d instructions fewer; measured: %.0f.\n' % (
             pred, measured.get('pipe', float('nan'))))
L.append('### Load time (guest instructions from exec to enabled) and verified instructions\n')
L.append('| scheduler | base load | patched load | patched / base | base verified insns | patched verified insns |')
L.append('|---|---|---|---|---|---|')
for s in ['scx_simple', 'scx_qmap', 'scx_central', 'scx_flatcg']:
    b, p = loads.get(('base', s)), loads.get(('patched', s))
    if not b or not p:
        L.append('| %s | %s | %s | - | - | - |' % (s, 'failed' if not b else b[0][0],
                                                  'failed' if not p else p[0][0]))
        continue
    L.append('| %s | %d | %d | %.3f | %d | %d |' % (s, b[0][0], p[0][0], p[0][0] / b[0][0],
                                                  b[0][1], p[0][1]))
L.append('')
L.append('### Load time of bpf_object__load() alone (guest instructions, min / median / max)\n')
L.append('| object | base | patched | patched / base (median) | base verified insns | patched verified insns |')
L.append('|---|---|---|---|---|---|')
for o in sorted(set(o for (_, o) in loadtimes)):
    b, p = loadtimes.get(('base', o)), loadtimes.get(('patched', o))
    if not b or not p:
        L.append('| %s | %s | %s | - | - | - |' % (o, 'failed' if not b else b[1], 'failed' if not p else p[1]))
        continue
    L.append('| %s | %d / %d / %d | %d / %d / %d | %.3f | %d | %d |' % (
        o, b[0], b[1], b[2], p[0], p[1], p[2], p[1] / b[1], b[3], p[3]))
print('\n'.join(L))

with open(out + '/plot.dat', 'w') as f:
    for i, w in enumerate(['pipe', 'fanout', 'yield']):
        b, p = bench.get(('base', w)), bench.get(('patched', w))
        if b and p:
            f.write('%d %s %f %f %f %f %f %f\n' % (i, w, statistics.median(b), min(b), max(b),
                                                   statistics.median(p), min(p), max(p)))
