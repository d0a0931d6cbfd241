#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Derive the sched_ext kfunc verdict matrix from the base kernel's code.

For every caller (each sched_ext_ops callback, an async callback armed from
each of them, a SYSCALL program, a TRACING program and another struct_ops) and
every SCX kfunc, compute whether 6.12 lets the call through at run time, from:

  - the kfunc sets (BTF_KFUNCS_START ... END), their flags and the program
    types they are registered for (register_btf_kfunc_id_set());
  - the run-time checks in each kfunc and the helpers it calls
    (scx_kf_allowed(), scx_kf_allowed_on_arg_tasks(),
    scx_kf_allowed_if_unlocked());
  - the mask each op is invoked with (SCX_CALL_OP*(mask, op, ...));
  - which ops may be sleepable (bpf_scx_check_member()).

Then apply the deliberate changes of the series (DELIBERATE below) and write
the expected load-time verdicts as a readable table and as the C header that
the scx_kf_mask selftest checks the kernel against.

  gen-matrix.py BASE_EXT_C --md OUT.md --header OUT.h [--check]
"""
import argparse
import re
import sys

# SCX_KF_* of 6.12 -> KF_* context bit of the series
KF_OF = {
    'SCX_KF_UNLOCKED': 'KF_UNLOCKED',
    'SCX_KF_CPU_RELEASE': 'KF_CPU_RELEASE',
    'SCX_KF_DISPATCH': 'KF_DISPATCH',
    'SCX_KF_ENQUEUE': 'KF_ENQUEUE',
    'SCX_KF_SELECT_CPU': 'KF_SELECT_CPU',
    'SCX_KF_REST': 'KF_REST',
}
RQ_LOCKED = ['SCX_KF_CPU_RELEASE', 'SCX_KF_DISPATCH', 'SCX_KF_ENQUEUE',
             'SCX_KF_SELECT_CPU', 'SCX_KF_REST']

# The deliberate changes of verdict, each with its reason. They are applied
# on top of what the base code says and listed in the table.
DELIBERATE = {
    'cgroup_move_mask': (
        'ops.cgroup_move() is invoked from sched_move_task() with the rq lock '
        'held but was labelled SCX_KF_UNLOCKED; the series labels it '
        'SCX_KF_REST (patch 1, Fixes: 819513666966).'),
    'dump_no_ctx': (
        'ops.dump() is called with IRQs disabled under dump_lock, from the '
        'sysrq handler or the error exit path, but was labelled '
        'SCX_KF_UNLOCKED, which let it move tasks between DSQs (and take rq '
        'locks) while the scheduler state is being dumped. With the series '
        'the run-time fallback of scx_bpf_dispatch[_vtime]_from_dsq() refuses '
        'a call with IRQs disabled outside ops.dispatch(), so the series gives '
        'ops.dump() no context and the verifier refuses the call at load time '
        'instead (patch 5).'),
    'other_struct_ops': (
        'A struct_ops that declares no kfunc contexts (bpf_dummy_ops, '
        'tcp_congestion_ops, ...) gets no context: 6.12 let its programs call '
        'the kfuncs that only need kf_mask == 0.'),
}

# A caller with no context: unlike an empty mask, not even kf_mask == 0
NO_CTX = 'NO_CTX'

VERDICT_CHAR = {'ok': 'o', 'ctx': 'c', 'na': 'n', 'slp': 's'}


def die(msg):
    sys.exit('gen-matrix: ' + msg)


def strip_comments(src):
    src = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), src, flags=re.S)
    return re.sub(r'//[^\n]*', '', src)


def function_bodies(src):
    """name -> body of every function defined at file scope."""
    bodies = {}
    for m in re.finditer(r'^[A-Za-z_][^;{}()]*?\b(\w+)\s*\(([^;{}]*?)\)\s*\n?\{', src, re.M):
        start = m.end() - 1
        depth = 0
        for i in range(start, len(src)):
            if src[i] == '{':
                depth += 1
            elif src[i] == '}':
                depth -= 1
                if depth == 0:
                    bodies.setdefault(m.group(1), src[start:i + 1])
                    break
    return bodies


def mask_bits(expr):
    expr = expr.strip()
    if expr == '__SCX_KF_RQ_LOCKED':
        return set(RQ_LOCKED)
    bits = set(b.strip() for b in expr.split('|'))
    for b in bits:
        if b not in KF_OF:
            die('unknown scx_kf_mask bit %r' % b)
    return bits - {'SCX_KF_UNLOCKED'}


def runtime_check(name, bodies, seen=None):
    """(unlocked_ok, bits) of the run-time context check of a function:
    None if it has none."""
    seen = seen or set()
    seen.add(name)
    body = bodies.get(name, '')
    m = re.search(r'!scx_kf_allowed_if_unlocked\(\)\s*&&\s*!scx_kf_allowed\(([^)]*)\)', body)
    if m:
        return (True, mask_bits(m.group(1)))
    m = re.search(r'scx_kf_allowed_on_arg_tasks\(([^,]*),', body) or \
        re.search(r'scx_kf_allowed\(([^)]*)\)', body)
    if m:
        return (False, mask_bits(m.group(1)))
    for callee in re.findall(r'\b(\w+)\s*\(', body):
        if callee in bodies and callee not in seen and not callee.startswith('scx_kf_'):
            r = runtime_check(callee, bodies, seen)
            if r:
                return r
    return None


def parse(path):
    raw = open(path).read()
    src = strip_comments(raw)
    bodies = function_bodies(src)

    # kfunc sets
    sets = {}
    kfuncs = []
    flags = {}
    for m in re.finditer(r'BTF_KFUNCS_START\((\w+)\)(.*?)BTF_KFUNCS_END\(\1\)', src, re.S):
        names = []
        for fm in re.finditer(r'BTF_ID_FLAGS\(func,\s*(\w+)(?:,\s*([^)]*))?\)', m.group(2)):
            names.append(fm.group(1))
            flags.setdefault(fm.group(1), set()).update(
                f.strip() for f in (fm.group(2) or '').split('|') if f.strip())
            if fm.group(1) not in kfuncs:
                kfuncs.append(fm.group(1))
        sets[m.group(1)] = names
    idset = {}
    for m in re.finditer(r'struct btf_kfunc_id_set (\w+)\s*=\s*\{[^}]*\.set\s*=\s*&(\w+)', src, re.S):
        idset[m.group(1)] = m.group(2)
    progtypes = {k: set() for k in kfuncs}
    for m in re.finditer(r'register_btf_kfunc_id_set\((BPF_PROG_TYPE_\w+),\s*&(\w+)\)', src):
        for k in sets[idset[m.group(2)]]:
            progtypes[k].add(m.group(1))

    # ops, in struct order, and their call-site masks
    st = re.search(r'^struct sched_ext_ops \{(.*?)^\};', src, re.S | re.M)
    ops = re.findall(r'\(\*(\w+)\)\s*\(', st.group(1))
    opmask = {}
    for m in re.finditer(r'SCX_CALL_OP\w*\(\s*([A-Z_ |]+?)\s*,\s*(\w+)\s*[,)]', src):
        bits = frozenset(mask_bits(m.group(1)))
        op = m.group(2)
        if op in opmask and opmask[op] != bits:
            die('op %s is invoked with different masks: %s and %s' %
                (op, sorted(opmask[op]), sorted(bits)))
        opmask[op] = bits
    missing = [o for o in ops if o not in opmask]
    if missing:
        die('no SCX_CALL_OP*() call site found for: ' + ', '.join(missing))

    chk = bodies['bpf_scx_check_member']
    sleepable_ops = set(re.findall(r'offsetof\(struct sched_ext_ops,\s*(\w+)\)', chk))

    checks = {k: runtime_check(k, bodies) for k in kfuncs}
    version = re.search(r'Debian linux-source-6.12 ([^\s]+)', raw)
    return dict(kfuncs=kfuncs, flags=flags, progtypes=progtypes, ops=ops,
                opmask=opmask, sleepable_ops=sleepable_ops, checks=checks)


def runtime_verdict(k, m, prog_type, kf_mask, sleepable):
    """6.12's verdict for kfunc k called with current->scx.kf_mask == kf_mask."""
    if prog_type not in m['progtypes'][k]:
        return 'na'
    if 'KF_SLEEPABLE' in m['flags'][k] and not sleepable:
        return 'slp'
    c = m['checks'][k]
    if c is None:
        return 'ok'
    unlocked_ok, bits = c
    if unlocked_ok and not kf_mask:
        return 'ok'
    return 'ok' if kf_mask & bits else 'ctx'


def build(m):
    ops = m['ops']
    callers = []  # (id, kind, op, desc, prog_type, runtime mask, series mask, sleepable)
    for op in ops:
        rt = set(m['opmask'][op])
        series = set(rt)
        notes = []
        if op == 'cgroup_move':
            series = {'SCX_KF_REST'}
            notes.append('cgroup_move_mask')
        if op == 'dump':
            # no context at all, not even KF_UNLOCKED
            series = {NO_CTX}
            notes.append('dump_no_ctx')
        callers.append(dict(id=op, kind='op', op=op, desc='sched_ext_ops.' + op,
                            prog_type='BPF_PROG_TYPE_STRUCT_OPS', rt=rt, series=series,
                            sleepable=op in m['sleepable_ops'], notes=notes))
    for op in ops:
        callers.append(dict(id='async_' + op, kind='async', op=op,
                            desc='an async callback of sched_ext_ops.' + op,
                            prog_type='BPF_PROG_TYPE_STRUCT_OPS', rt=set(), series=set(),
                            sleepable=False, notes=[]))
    callers.append(dict(id='syscall', kind='syscall', op='', desc='a program outside struct_ops callbacks',
                        prog_type='BPF_PROG_TYPE_SYSCALL', rt=set(), series=set(),
                        sleepable=True, notes=[]))
    callers.append(dict(id='tracing', kind='tracing', op='', desc='a program that can run in any context',
                        prog_type='BPF_PROG_TYPE_TRACING', rt=set(), series=set(),
                        sleepable=False, notes=[]))
    callers.append(dict(id='bpf_dummy_ops', kind='other_st_ops', op='test_1',
                        desc='bpf_dummy_ops.test_1', prog_type='BPF_PROG_TYPE_STRUCT_OPS',
                        rt=set(), series=None, sleepable=False, notes=['other_struct_ops']))

    for c in callers:
        c['runtime'] = []
        c['expected'] = []
        for k in m['kfuncs']:
            rt = runtime_verdict(k, m, c['prog_type'], c['rt'], c['sleepable'])
            if c['series'] is None:
                # no context at all: every context-restricted kfunc is refused
                exp = rt
                if exp != 'na' and m['checks'][k] is not None:
                    exp = 'ctx'
            else:
                exp = runtime_verdict(k, m, c['prog_type'], c['series'], c['sleepable'])
            c['runtime'].append(rt)
            c['expected'].append(exp)

    # where each restricted kfunc is allowed, as the verifier names it
    allowed = {}
    for k in m['kfuncs']:
        chk = m['checks'][k]
        if chk is None:
            allowed[k] = ''
            continue
        unlocked_ok, bits = chk
        where = ['sched_ext_ops.' + c['op'] for c in callers
                 if c['kind'] == 'op' and
                 ((c['series'] & bits) or (unlocked_ok and not c['series']))]
        if unlocked_ok:
            where.append('SYSCALL programs and async callbacks')
        allowed[k] = ', '.join(where)
    return callers, allowed


def kf_flags(m, k):
    chk = m['checks'][k]
    if chk is None:
        return ''
    unlocked_ok, bits = chk
    out = [KF_OF[b] for b in sorted(bits, key=list(KF_OF).index)]
    if unlocked_ok:
        out.insert(0, 'KF_UNLOCKED')
    return ' | '.join(out)


def write_md(m, callers, allowed, base, out):
    ks = m['kfuncs']
    L = []
    L.append('# sched_ext kfunc verdict matrix\n')
    L.append('Generated by `scripts/gen-matrix.py` from `kernel/sched/ext.c` of %s. '
             'Do not edit: `make matrix` rewrites it and `make check` fails when it is stale.\n' % base)
    L.append('Each cell is the verdict for calling the kfunc (column) from the caller (row): '
             '`ok` loads; `ctx` is refused for its context (6.12: a run-time error that '
             'ejects the scheduler; with the series: `-EACCES` at load time); `na` the kfunc '
             'is not registered for the program type; `slp` the kfunc sleeps and the caller '
             'cannot. A cell marked `!` differs from 6.12 on purpose, for the reason given '
             'under the table. The `scx_kf_mask` selftest loads a program for every cell '
             'and fails on any disagreement.\n')
    L.append('## kfuncs\n')
    L.append('| # | kfunc | program types | 6.12 run-time check | KF_* context | allowed in |')
    L.append('|---|---|---|---|---|---|')
    for i, k in enumerate(ks):
        chk = m['checks'][k]
        if chk is None:
            rc = '-'
        else:
            rc = ('kf_mask == 0 or ' if chk[0] else '') + ' \\| '.join(sorted(chk[1]))
        pts = ', '.join(sorted(p.replace('BPF_PROG_TYPE_', '') for p in m['progtypes'][k]))
        L.append('| %d | `%s` | %s | %s | %s | %s |' % (i, k, pts, rc,
                                                      kf_flags(m, k).replace('|', '\\|') or '-',
                                                      allowed[k] or 'anywhere'))
    L.append('')
    L.append('## Verdicts\n')
    L.append('Columns are the kfunc numbers above.\n')
    L.append('| caller | ' + ' | '.join(str(i) for i in range(len(ks))) + ' |')
    L.append('|---' * (len(ks) + 1) + '|')
    changed = []
    for c in callers:
        cells = []
        for i, (rt, exp) in enumerate(zip(c['runtime'], c['expected'])):
            if rt != exp:
                cells.append('**%s!**' % exp)
                changed.append((c, ks[i], rt, exp))
            else:
                cells.append(exp)
        name = c['id'] + (' (sleepable)' if c['sleepable'] and c['kind'] == 'op' else '')
        L.append('| %s | %s |' % (name, ' | '.join(cells)))
    L.append('')
    n = len(callers) * len(ks)
    cnt = {}
    for c in callers:
        for v in c['expected']:
            cnt[v] = cnt.get(v, 0) + 1
    L.append('%d callers x %d kfuncs = %d cells: %s.\n' % (
        len(callers), len(ks), n, ', '.join('%d %s' % (cnt[v], v) for v in sorted(cnt))))
    L.append('## Deliberate changes from 6.12\n')
    if not changed:
        L.append('None.\n')
    for key, why in DELIBERATE.items():
        cells = [(c, k, rt, exp) for (c, k, rt, exp) in changed if key in c['notes']]
        if not cells:
            continue
        L.append('- %s Cells: %s.' % (why, ', '.join('%s x `%s` (%s -> %s)' % (c['id'], k, rt, exp)
                                                     for c, k, rt, exp in cells)))
    L.append('')
    open(out, 'w').write('\n'.join(L))
    return n, cnt, changed


def write_header(m, callers, base, out):
    ks = m['kfuncs']
    L = ['/* SPDX-License-Identifier: GPL-2.0 */',
         '/*',
         ' * The sched_ext kfunc verdict matrix checked by the scx_kf_mask test.',
         ' *',
         ' * Generated from the run-time checks in kernel/sched/ext.c of',
         ' * %s and the deliberate changes' % base,
         ' * of the kfunc context series. Do not edit.',
         ' */',
         '#ifndef __SCX_KF_MASK_MATRIX_H',
         '#define __SCX_KF_MASK_MATRIX_H',
         '',
         '#define SCX_KF_MASK_NR_KFUNCS %d' % len(ks),
         '',
         '/* The kfuncs, in the order of progs/scx_kf_mask.c */',
         'static const char * const scx_kf_mask_kfuncs[SCX_KF_MASK_NR_KFUNCS] = {']
    for k in ks:
        L.append('\t"%s",' % k)
    L.append('};')
    L.append('')
    L.append('/*')
    L.append(' * The caller is sched_ext_ops.<op> for kind "op", a bpf_timer callback armed')
    L.append(' * from it for kind "async", a program of the kind otherwise. One verdict per')
    L.append(" * kfunc: 'o' ok, 'c' refused for its context, 'n' not registered for the")
    L.append(" * program type, 's' the program must be sleepable.")
    L.append(' */')
    L.append('struct scx_kf_mask_caller {')
    L.append('\tconst char *kind;')
    L.append('\tconst char *op;')
    L.append('\tint sleepable;')
    L.append('\tconst char *verdicts;')
    L.append('};')
    L.append('')
    L.append('static const struct scx_kf_mask_caller scx_kf_mask_callers[] = {')
    for c in callers:
        v = ''.join(VERDICT_CHAR[x] for x in c['expected'])
        L.append('\t{ "%s", "%s", %d, "%s" },' % (
            c['kind'], c['op'], 1 if c['sleepable'] else 0, v))
    L.append('};')
    L.append('')
    L.append('#endif /* __SCX_KF_MASK_MATRIX_H */')
    open(out, 'w').write('\n'.join(L) + '\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('ext_c')
    ap.add_argument('--base', default='Linux 6.12')
    ap.add_argument('--md')
    ap.add_argument('--header')
    a = ap.parse_args()
    m = parse(a.ext_c)
    callers, allowed = build(m)
    if a.md:
        n, cnt, changed = write_md(m, callers, allowed, a.base, a.md)
        print('%d callers x %d kfuncs = %d cells (%s), %d deliberate changes' % (
            len(callers), len(m['kfuncs']), n,
            ', '.join('%d %s' % (cnt[v], v) for v in sorted(cnt)), len(changed)))
    if a.header:
        write_header(m, callers, a.base, a.header)


if __name__ == '__main__':
    main()
