#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize make bench: build/bench/raw.txt and the disassemblies.

  summarize.py BENCH_DIR > results.md   (also writes BENCH_DIR/plot.dat)

Every number comes from raw.txt (guest/bench.sh) or the objdump files
(host/bench.sh); nothing is typed in.
"""
import re
import statistics
import sys

out = sys.argv[1]
KERNELS = ('base', 'series')
loadtime = {}   # (kernel, object) -> (min, median, max, verified insns) or None
calls = {}      # (kernel, object) -> {function: n}
bench = {}      # (kernel, workload) -> [ns per op]
for line in open(out + '/raw.txt'):
    f = line.split()
    if not f:
        continue
    if f[0] == 'loadtime':
        loadtime[(f[1], f[2])] = None if f[3] == 'failed' else tuple(int(x) for x in f[3:7])
    elif f[0] == 'calls':
        calls.setdefault((f[1], f[2]), {})[f[3]] = int(f[4])
    elif f[0] == 'bench':
        bench.setdefault((f[1], f[3]), []).append(float(f[6]))

objects = sorted({o for _, o in loadtime})
L = ['### Load time: `bpf_object__load()`, guest instructions (QEMU -icount shift=0, 1 vCPU)', '',
     '| object | base median (min-max) | series median (min-max) | series / base | verified insns base | series |',
     '|---|---|---|---|---|---|']
ratios, plot = [], []
for o in objects:
    b, s = loadtime.get(('base', o)), loadtime.get(('series', o))

    def cell(v):
        return 'does not load' if v is None else '%.2fM (%.2f-%.2f)' % (v[1] / 1e6, v[0] / 1e6, v[2] / 1e6)
    r = '%.3f' % (s[1] / b[1]) if b and s else '-'
    if b and s:
        ratios.append(s[1] / b[1])
    vb, vs = (b[3] if b else '-'), (s[3] if s else '-')
    mark = '' if not (b and s) or vb == vs else ' **differs**'
    L.append('| %s | %s | %s | %s | %s | %s%s |' % (o, cell(b), cell(s), r, vb, vs, mark))
    if b and s:
        plot.append('%s %d %d %d %d %d %d' % (o.replace('.bpf.o', ''), b[1], b[0], b[2], s[1], s[0], s[2]))
L.append('')
if ratios:
    L.append('Series / base, median load time over the %d objects both kernels load: %.3f '
             '(from %.3f to %.3f).' % (len(ratios), statistics.median(ratios), min(ratios), max(ratios)))
    same = [o for o in objects if loadtime.get(('base', o)) and loadtime.get(('series', o))
            and loadtime[('base', o)][3] == loadtime[('series', o)][3]]
    L.append('verified_insns is identical for %d of them.' % len(same))
    L.append('')
with open(out + '/plot.dat', 'w') as f:
    f.write('\n'.join('%d %s' % (i, p) for i, p in enumerate(plot)) + '\n')

FUNCS = ['scx_kfunc_context_filter', 'bpf_qdisc_kfunc_filter', 'bm_bpf_kfunc_filter',
         'scx_kfunc_cpu_only_filter', 'check_kfunc_ctx', 'btf_kfunc_is_allowed', 'check_kfunc_call']
L += ['### Calls per load, counted with kprobes (one load of each object)', '',
      '`check_kfunc_call` is once per kfunc call the verifier checks; the filters run from '
      '`btf_kfunc_is_allowed()` (a kfunc id looked up for a program) and from the lookups of '
      'the cfg pass; `check_kfunc_ctx` is the series\' check, once per kfunc call.', '',
      '| object | kernel | ' + ' | '.join('`%s`' % f for f in FUNCS) + ' |',
      '|---|---|' + '---|' * len(FUNCS)]
for o in objects:
    for k in KERNELS:
        c = calls.get((k, o), {})
        L.append('| %s | %s | %s |' % (o, k, ' | '.join(str(c[f]) if f in c else '-' for f in FUNCS)))
L.append('')

L += ['### Hot path: guest instructions per context switch under scx_simple', '',
      '| workload | base median (min-max) | series median (min-max) | series / base | noise (base, max-min / median) |',
      '|---|---|---|---|---|']
for w in sorted({w for _, w in bench}):
    b, s = bench.get(('base', w)), bench.get(('series', w))
    if not b or not s:
        continue
    mb, ms = statistics.median(b), statistics.median(s)
    L.append('| %s | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) | %.4f | %.2f%% |' % (
        w, mb, min(b), max(b), ms, min(s), max(s), ms / mb, 100 * (max(b) - min(b)) / mb))
L.append('')


def bodies(path):
    """function -> its instructions, with addresses, offsets and relocation
    targets' addends dropped, so that code that only moved compares equal"""
    fs, cur = {}, None
    for line in open(path):
        m = re.match(r'^[0-9a-f]+ <([\w.]+)>:', line)
        if m:
            cur = m.group(1)
            fs[cur] = []
            continue
        m = re.match(r'^\s+[0-9a-f]+:\t(.*)$', line)
        if cur and m:
            # a branch or call target: a symbol's entry keeps its name; inside
            # a symbol, the name is only the nearest one before (a BTF id,
            # the next function), so both go
            ins = re.sub(r'\b[0-9a-f]+ <[^>+]*\+0x[0-9a-f]+>', 'A <+>', m.group(1))
            ins = re.sub(r'\b[0-9a-f]+ <([^>+]*)>', r'A <\1>', ins)
            ins = re.sub(r'\b[0-9a-f]{6,}\b', 'A', ins)
            fs[cur].append(ins.split('#')[0].strip())
        elif cur and re.match(r'^\s+[0-9a-f]+: R_X86_64', line):
            fs[cur].append(re.sub(r'[-+]0x[0-9a-f]+$', '', line.split(None, 2)[-1].strip()))
    return fs


L += ['### Static diff of the objects, function by function', '',
      'Instructions compared with addresses and offsets dropped (`objdump -dr`). A function '
      'that is in both kernels with the same instructions is unchanged.', '']
for obj in ('build_policy', 'bpf_qdisc', 'binfmt_misc_bpf'):
    fb = bodies('%s/objdump-base-%s.txt' % (out, obj))
    fsr = bodies('%s/objdump-series-%s.txt' % (out, obj))
    gone = sorted(set(fb) - set(fsr))
    new = sorted(set(fsr) - set(fb))
    changed = sorted(f for f in set(fb) & set(fsr) if fb[f] != fsr[f])
    same = len(set(fb) & set(fsr)) - len(changed)
    L.append('- `%s.o`: %d functions unchanged; %d changed%s; %d only in the base%s; %d only in the series%s.' % (
        obj, same, len(changed),
        ' (' + ', '.join('`%s` %d -> %d insns' % (f, len(fb[f]), len(fsr[f])) for f in changed[:20]) + ')' if changed else '',
        len(gone), ' (' + ', '.join('`%s`' % f for f in gone[:20]) + ')' if gone else '',
        len(new), ' (' + ', '.join('`%s`' % f for f in new[:20]) + ')' if new else ''))
L.append('')
print('\n'.join(L))
