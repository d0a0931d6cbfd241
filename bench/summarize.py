#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize 'make bench': build/bench/raw.txt and the disassemblies."""
import re
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import static_model  # noqa: E402

out = sys.argv[1]
bench = {}   # (kernel, workload) -> [ns per op]
loads = {}   # (kernel, scheduler) -> [attached?]
opruns = {}  # (kernel, workload) -> {program name: runs}, in the counted run
opswitches = {}  # (kernel, workload) -> ops of the counted run
loadtimes = {}  # (kernel, object) -> [min, median, max ns, verified insns]
for line in open(out + '/raw.txt'):
    f = line.split()
    if f[0] == 'bench':
        bench.setdefault((f[1], f[3]), []).append(float(f[6]))
    elif f[0] == 'loadtime':
        loadtimes[(f[1], f[2])] = None if f[3] == 'failed' else [int(x) for x in f[3:7]]
    elif f[0] == 'load':
        loads.setdefault((f[1], f[2]), []).append(f[3] != 'failed')
    elif f[0] == 'opcount' and f[3] == 'runs':
        opruns.setdefault((f[1], f[2]), {})[f[4]] = int(f[5])
    elif f[0] == 'opcount':
        opswitches[(f[1], f[2])] = int(f[4])

SHOWN = ['enqueue_task_scx', 'dequeue_task_scx', 'put_prev_task_scx', 'balance_scx',
         'set_next_task_scx', 'pick_task_scx', 'scx_bpf_dispatch', 'scx_bpf_consume', 'do_enqueue_task', 'balance_one', 'select_task_rq_scx', 'scx_bpf_select_cpu_dfl',
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
L.append('Whole functions, cold code included; the model below counts only what runs.\n')
L.append('| function | base | patched | difference |')
L.append('|---|---|---|---|')
for fn in SHOWN:
    if fn in base or fn in patched:
        b, p = base.get(fn), patched.get(fn)
        L.append('| %s | %s | %s | %s |' % (fn,
                                           b if b is not None else 'inlined',
                                           p if p is not None else 'inlined',
                                           (p - b) if b is not None and p is not None else '-'))
tb, tp = sum(base.values()), sum(patched.values())
L.append('| all of build_policy.o | %d | %d | %d |' % (tb, tp, tp - tb))
L.append('')

# The static model: instructions of the removed checks on the executed path,
# per SCX_CALL_OP*() site and per kfunc (bench/static_model.py).
sites = static_model.model(out)
L.append('### Static model: removed instructions a passing check executes\n')
L.append('Per `SCX_CALL_OP*()` site (named by the op it calls) and per kfunc, in '
         '`build_policy.o`: instructions of the base with no counterpart in the patched '
         'kernel, without cold blocks (`WARN_ONCE()`, error paths), a removed call to '
         '`scx_kf_disallow()` counted with its body; minus instructions the patched kernel adds '
         'there.\n')
L.append('| function | op | removed | added | net |')
L.append('|---|---|---|---|---|')
for (fn, op), (r, a) in sorted(sites.items(), key=lambda x: (x[0][1] or '~', x[0][0])):
    L.append('| %s | %s | %d | %d | %d |' % (fn, op or '(kfunc)', r, a, r - a))
L.append('')

# scx_simple's programs are named simple_<op>, cut to 15 characters; each
# run of these ops calls one kfunc whose check the series removes.
OPS = sorted(set(op for (_, op) in sites if op), key=len, reverse=True)
KFUNC_OF = {'enqueue': 'scx_dispatch_preamble',     # scx_bpf_dispatch[_vtime]()
            'dispatch': 'scx_bpf_consume',
            'select_cpu': 'scx_bpf_select_cpu_dfl'}


def op_of(prog):
    tail = prog.split('_', 1)[1] if '_' in prog else prog
    if tail in OPS:
        return tail
    # BPF keeps 15 characters of a program's name
    if len(prog) == 15:
        cut = [op for op in OPS if op.startswith(tail)]
        if len(cut) == 1:
            return cut[0]
    return None


def net(fn_op):
    r, a = sites[fn_op]
    return r - a


L.append('### Cross-check: predicted and measured saving per operation\n')
L.append('Op runs per operation come from a separate run of each workload with BPF run '
         'statistics on (`progstat runs`, base kernel). Predicted saving = sum over ops of runs '
         'per operation x the net of its site (lowest and highest where an op has several '
         'sites), plus one kfunc check per run of enqueue, dispatch and select_cpu.\n')
L.append('| workload | op runs per operation | predicted saving | measured saving (median) |')
L.append('|---|---|---|---|')
for w in ['pipe', 'fanout', 'yield']:
    runs, nops = opruns.get(('base', w)), opswitches.get(('base', w))
    if not runs or not nops or w not in measured:
        continue
    lo = hi = 0.0
    shown = []
    for prog, cnt in sorted(runs.items()):
        op = op_of(prog)
        if not op:
            continue
        per = cnt / nops
        nets = [net(k) for k in sites if k[1] == op]
        if nets:
            lo += per * min(nets)
            hi += per * max(nets)
        k = KFUNC_OF.get(op)
        if k and (k, None) in sites:
            lo += per * net((k, None))
            hi += per * net((k, None))
        shown.append('%s %.2f' % (op, per))
    L.append('| %s | %s | %.0f to %.0f | %.0f |' % (w, ', '.join(shown), lo, hi, measured[w]))
L.append('')
bad = sorted(set('%s (%s)' % (s, k) for (k, s), ok in loads.items() if not all(ok)))
if bad:
    L.append('Schedulers that failed to attach: %s\n' % ', '.join(bad))
elif loads:
    L.append('All four example schedulers attached on both kernels.\n')
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
