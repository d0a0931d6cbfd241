#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The kfunc verdict matrix of sched_ext, bpf_qdisc and binfmt_misc_bpf.

For every caller (each callback of sched_ext_ops, sched_ext_ops_cid,
Qdisc_ops and binfmt_misc_ops, sleepable where the op allows it; async
callbacks armed from some of them; SYSCALL and TRACING programs; two
struct_ops that declare no kfunc context) and every kfunc of the three
users, compute the verdict of the base kernel from its code:

  - the kfunc sets (BTF_KFUNCS_START .. END), their flags, and the program
    types they are registered for (register_btf_kfunc_id_set());
  - the filters of the base: scx_kfunc_context_filter() with its table
    scx_kf_allow_flags[], bpf_qdisc_kfunc_filter() with
    qdisc_ops_context_flags[], bm_bpf_kfunc_filter(). Their rules are
    mirrored below; the body of each is fingerprinted, so a base with a
    changed filter stops the generator instead of giving a wrong matrix;
  - the CFI stubs (a member without one cannot be attached) and the
    check_member() callbacks (which members may, or must, be sleepable).

Then apply the series' deliberate changes (DELIBERATE), each with its
reason, and write the readable table and the C header that the
harness's kfunc_ctx_matrix test (matrix/selftest/) checks the kernel
against.

  gen-matrix.py BASE_TREE REV --md OUT.md --header OUT.h --deliberate OUT.txt
                [--src NAME] [--check]

BASE_TREE is a git tree, REV the base commit in it (the harness: build/tree,
base). --check compares instead of writing, and fails on a difference.
"""
import argparse
import hashlib
import re
import subprocess
import sys

# The #ifdefs of the files read, as the selftests' configs set them.
CONFIG = {'CONFIG_EXT_GROUP_SCHED': True, 'CONFIG_EXT_SUB_SCHED': True}

# The filters of the base, whose rules are mirrored below (sha1 of the body
# with whitespace squeezed). A mismatch means the base changed them.
FILTER_SHA = {
    'scx_kfunc_context_filter': '9aacbfe24bf1a51f',
    'bpf_qdisc_kfunc_filter': '0fcf5729d6a18fe4',
    'bm_bpf_kfunc_filter': 'b584a146fd8ae68b',
}

# The deliberate changes of verdict, each with its reason; applied on top of
# the base's verdicts and listed in the table.
DELIBERATE = {
    'async': (
        'A bpf_timer, bpf_wq or bpf_task_work callback runs after the op '
        'that armed it has returned, without the locks the op held. 7.3 '
        'judges its kfunc calls by that op (the filter cannot see the '
        'verifier state), so a dispatch timer could call '
        'scx_bpf_dsq_move_to_local(): it loads and hangs the machine. With '
        'the series an async callback has no op context: it may call what a '
        'SYSCALL program of the same struct_ops may (the kfuncs of no group '
        'and the unlocked ones), nothing that needs the op.'),
}

# The patch of the series that makes each deliberate change, by its
# subject: (reason, family of the kfunc, whether the base loads the cell).
# The refusals of sched_ext come with the fix (the bpf series); the rest
# with the patch that gives async callbacks no callback context, after the
# conversions, which change no verdict. The bisect checks the matrix at
# every patch against this, and the matrix check that each subject is in
# patches/.
CHANGED_BY = {
    ('async', 'sched_ext', True): 'bpf, sched_ext: Refuse op-context kfuncs in async callbacks',
    ('async', 'sched_ext', False): 'bpf: Give async callbacks of struct_ops no callback context',
    ('async', 'qdisc', True): 'bpf: Give async callbacks of struct_ops no callback context',
    ('async', 'binfmt_misc', True): 'bpf: Give async callbacks of struct_ops no callback context',
}


def changed_by(b, c, k, why):
    key = (why, b.kfuncs[k]['family'], base_verdict(b, c, k) == 'o')
    if key not in CHANGED_BY:
        die('no patch of the series is named for the deliberate change %r' % (key,))
    return CHANGED_BY[key]


def die(msg):
    sys.exit('gen-matrix: ' + msg)


class Tree:
    def __init__(self, top, rev):
        self.top, self.rev = top, rev

    def read(self, path):
        r = subprocess.run(['git', '-C', self.top, 'show', '%s:%s' % (self.rev, path)],
                           capture_output=True, text=True)
        if r.returncode:
            die('cannot read %s at %s in %s: %s' % (path, self.rev, self.top, r.stderr.strip()))
        return preprocess(strip_comments(r.stdout), path)

    def ls(self, folder):
        r = subprocess.run(['git', '-C', self.top, 'ls-tree', '--name-only',
                            '%s:%s' % (self.rev, folder)], capture_output=True, text=True)
        if r.returncode:
            die('cannot list %s: %s' % (folder, r.stderr.strip()))
        return ['%s/%s' % (folder, f) for f in r.stdout.split() if f.endswith('.c')]


def strip_comments(src):
    src = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), src, flags=re.S)
    return re.sub(r'//[^\n]*', '', src)


def preprocess(src, path):
    """Keep the lines of the #ifdef CONFIG_* branches that CONFIG takes."""
    out, stack = [], []
    for line in src.split('\n'):
        m = re.match(r'\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b\s*(.*)', line)
        if m:
            d, arg = m.group(1), m.group(2).strip()
            if d in ('ifdef', 'ifndef'):
                v = CONFIG.get(arg) if arg.startswith('CONFIG_') and arg in CONFIG else None
                if v is not None and d == 'ifndef':
                    v = not v
                stack.append(v)
            elif d == 'if':
                stack.append(None)
            elif d in ('else', 'elif'):
                if stack and stack[-1] is not None:
                    stack[-1] = not stack[-1] if d == 'else' else None
            elif d == 'endif':
                stack.pop()
            out.append('')
            continue
        out.append('' if any(v is False for v in stack) else line)
    return '\n'.join(out)


def body(src, name):
    m = re.search(r'\b%s\s*\([^;{]*\)\s*\{' % re.escape(name), src)
    if not m:
        die('no function %s' % name)
    depth, i = 0, m.end() - 1
    for j in range(i, len(src)):
        depth += {'{': 1, '}': -1}.get(src[j], 0)
        if depth == 0:
            return src[i:j + 1]
    die('unterminated %s' % name)


def fingerprint(src, name):
    return hashlib.sha1(' '.join(body(src, name).split()).encode()).hexdigest()[:16]


def kfunc_sets(src):
    """set name -> [(kfunc, {flags})]"""
    sets = {}
    for m in re.finditer(r'BTF_KFUNCS_START\((\w+)\)(.*?)BTF_KFUNCS_END\(\1\)', src, re.S):
        sets[m.group(1)] = [(f.group(1), set(x.strip() for x in (f.group(2) or '').split('|') if x.strip()))
                            for f in re.finditer(r'BTF_ID_FLAGS\(func,\s*(\w+)(?:,\s*([^)]*))?\)', m.group(2))]
    return sets


def id_sets(src):
    """BTF_SET_START sets: name -> [kfunc]"""
    return {m.group(1): re.findall(r'BTF_ID\(func,\s*(\w+)\)', m.group(2))
            for m in re.finditer(r'BTF_SET_START\((\w+)\)(.*?)BTF_SET_END\(\1\)', src, re.S)}


def registrations(src):
    """[(prog type, set name, filter or None)]"""
    idset = {}
    for m in re.finditer(r'struct btf_kfunc_id_set (\w+)\s*=\s*\{(.*?)\}', src, re.S):
        s = re.search(r'\.set\s*=\s*&(\w+)', m.group(2))
        f = re.search(r'\.filter\s*=\s*(\w+)', m.group(2))
        idset[m.group(1)] = (s.group(1), f.group(1) if f else None)
    return [(pt, ) + idset[s] for pt, s in
            re.findall(r'register_btf_kfunc_id_set\(\s*BPF_PROG_TYPE_(\w+),\s*&(\w+)\)', src)]


def stubs(src, var):
    """The members of a CFI stub struct that have a stub, in their order there."""
    m = re.search(r'\b%s\s*=\s*\{(.*?)\n\};' % re.escape(var), src, re.S)
    if not m:
        die('no CFI stubs %s' % var)
    return re.findall(r'^\s*\.(\w+)\s*=\s*\w+\s*,', m.group(1), re.M)


def struct_members(src, name):
    """The function pointer members of struct NAME, in declaration order."""
    m = re.search(r'^struct %s \{(.*?)^\};' % re.escape(name), src, re.S | re.M)
    if not m:
        die('no struct %s' % name)
    return re.findall(r'\(\s*\*\s*(\w+)\s*\)\s*\(', m.group(1))


def case_members(src, fn):
    """The struct members of the case labels of FN, up to the first break."""
    b = body(src, fn)
    return re.findall(r'case offsetof\(struct \w+,\s*(\w+)\)', b.split('break;')[0])


class Base:
    def __init__(self, tree):
        files = sorted(tree.ls('kernel/sched/ext'),
                       key=lambda f: (f.split('/')[-1] != 'ext.c', f.split('/')[-1] != 'idle.c', f))
        scx = {f: tree.read(f) for f in files}
        scx_src = '\n'.join(scx.values())
        internal = tree.read('kernel/sched/ext/internal.h')
        qdisc = tree.read('net/sched/bpf_qdisc.c')
        bm = tree.read('fs/binfmt_misc_bpf.c')
        for fn, src in (('scx_kfunc_context_filter', scx_src), ('bpf_qdisc_kfunc_filter', qdisc),
                        ('bm_bpf_kfunc_filter', bm)):
            got = fingerprint(src, fn)
            if got != FILTER_SHA[fn]:
                die('%s changed in the base (fingerprint %s, the rules here are for %s): '
                    'review its rules in gen-matrix.py' % (fn, got, FILTER_SHA[fn]))
            self.__dict__.setdefault('fingerprints', {})[fn] = got

        # kfuncs: name -> family, sets, flags, program types
        self.kfuncs = {}
        self.order = []
        for fam, src in (('sched_ext', scx_src), ('qdisc', qdisc), ('binfmt_misc', bm)):
            sets = kfunc_sets(src)
            regs = registrations(src)
            for setname, entries in sets.items():
                for k, flags in entries:
                    d = self.kfuncs.setdefault(k, {'family': fam, 'sets': [], 'flags': set(),
                                                   'types': set()})
                    if k not in self.order:
                        self.order.append(k)
                    d['sets'].append(setname)
                    d['flags'] |= flags
            for pt, setname, _ in regs:
                for k, _f in sets[setname]:
                    self.kfuncs[k]['types'].add(pt)
            setattr(self, fam + '_sets', sets)
            setattr(self, fam + '_regs', regs)
        # the matrix kfuncs that other subsystems register too
        for path in OTHER_REGS:
            src = tree.read(path)
            sets = kfunc_sets(src)
            for pt, setname, _f in registrations(src):
                for k, flags in sets.get(setname, []):
                    if k in self.kfuncs:
                        self.kfuncs[k]['types'].add(pt)
                        self.kfuncs[k].setdefault('other', set()).add(setname)
        self.order = [k for k in self.order if self.kfuncs[k]['types']]  # marker sets only
        # a kfunc listed only in an unregistered marker set is not a kfunc
        self.kfuncs = {k: self.kfuncs[k] for k in self.order}

        # sched_ext: the in_* variables of the filter, the allow flags, the table
        f = body(scx_src, 'scx_kfunc_context_filter')
        self.scx_in = dict(re.findall(r'bool (in_\w+) = btf_id_set8_contains\(&(\w+), kfunc_id\)', f))
        self.scx_allow = dict(re.findall(r'\(flags & (SCX_KF_ALLOW_\w+)\) && (in_\w+)', f))
        m = re.search(r'scx_kf_allow_flags\[\]\s*=\s*\{(.*?)\};', scx_src, re.S)
        self.scx_table = {op: set(x.strip() for x in fl.split('|'))
                          for op, fl in re.findall(r'\[SCX_OP_IDX\((\w+)\)\]\s*=\s*([^,]+),', m.group(1))}
        self.cid_to_cpu = {cid: cpu for cpu, cid in
                           re.findall(r'CID_OFFSET_MATCH\((\w+),\s*(\w+)\);', scx_src)}
        qsets = id_sets(qdisc)
        m = re.search(r'qdisc_ops_context_flags\[\]\s*=\s*\{(.*?)\};', qdisc, re.S)
        self.qdisc_table = {op: set(x.strip() for x in fl.split('|'))
                            for op, fl in re.findall(r'\[QDISC_OP_IDX\((\w+)\)\]\s*=\s*([^,]+),', m.group(1))}
        fq = body(qdisc, 'bpf_qdisc_kfunc_filter')
        self.qdisc_rules = [(flag, qsets[s]) for flag, s in
                            re.findall(r'\(flags & (QDISC_OPS_KF_\w+)\) &&\s*btf_id_set_contains\(&(\w+),', fq)]
        common = re.findall(r'^\s*if \(btf_id_set_contains\(&(\w+), kfunc_id\)\)\s*return 0;', fq, re.M)
        self.qdisc_common = set(k for s in common for k in qsets[s])
        self.bm_members = re.findall(r'attach_st_ops_member_off == offsetof\(struct binfmt_misc_ops, (\w+)\)',
                                     body(bm, 'bm_bpf_kfunc_filter'))

        # struct_ops: members in order, those with a stub, sleepable rules
        sch = tree.read('include/net/sch_generic.h')
        bmh = tree.read('include/linux/binfmt_misc.h')
        self.st = {
            'sched_ext_ops': dict(family='sched_ext', members=struct_members(internal, 'sched_ext_ops'),
                                  stubs=stubs(scx_src, '__bpf_ops_sched_ext_ops'),
                                  may_sleep=case_members(scx_src, 'bpf_scx_check_member'), must_sleep=[]),
            'sched_ext_ops_cid': dict(family='sched_ext', members=struct_members(internal, 'sched_ext_ops_cid'),
                                      stubs=stubs(scx_src, '__bpf_ops_sched_ext_ops_cid'),
                                      may_sleep=[], must_sleep=[]),
            'Qdisc_ops': dict(family='qdisc', members=struct_members(sch, 'Qdisc_ops'),
                              stubs=stubs(qdisc, '__bpf_ops_qdisc_ops'), may_sleep=[], must_sleep=[]),
            'binfmt_misc_ops': dict(family='binfmt_misc', members=struct_members(bmh, 'binfmt_misc_ops'),
                                    stubs=stubs(bm, 'bm_bpf_ops_stubs'), may_sleep=[],
                                    must_sleep=case_members(bm, 'bm_bpf_check_member')),
        }
        # the cid form shares bpf_scx_check_member(), by offset
        cpu_sleep = set(self.st['sched_ext_ops']['may_sleep'])
        self.st['sched_ext_ops_cid']['may_sleep'] = [
            m for m in self.st['sched_ext_ops_cid']['stubs'] if self.cid_to_cpu.get(m) in cpu_sleep]
        for name, d in self.st.items():
            missing = [m for m in d['stubs'] if m not in d['members']]
            if missing:
                die('%s: stubs for unknown members %s' % (name, missing))

    def in_scx(self, k, var):
        return k in [x for x, _ in self.sched_ext_sets.get(self.scx_in[var], [])]


# A caller: the program a cell loads.
class Caller:
    def __init__(self, ptype, st=None, member=None, sleepable=False, arm=None):
        self.ptype, self.st, self.member, self.sleepable, self.arm = ptype, st, member, sleepable, arm

    @property
    def name(self):
        if self.ptype == 'STRUCT_OPS':
            n = '%s.%s' % (self.st, self.member)
            if self.arm:
                n = '%s@%s' % (self.arm, n)
            return n + ('.s' if self.sleepable and not self.arm else '')
        return self.ptype.lower()

    @property
    def verifier_name(self):
        """How the verifier's message names it."""
        if self.ptype == 'STRUCT_OPS':
            return '%s%s.%s' % ('an async callback of ' if self.arm else '', self.st, self.member)
        return {'SYSCALL': 'a syscall program'}.get(self.ptype, 'a program of this type')

    @property
    def cb_sleepable(self):
        """Whether the code that makes the call is sleepable."""
        return self.arm in ('wq', 'tw') if self.arm else self.sleepable


# Other files that register kfuncs of the matrix, for more program types.
OTHER_REGS = ['net/core/filter.c']

OTHER_ST = [('bpf_dummy_ops', 'test_1', False), ('bpf_dummy_ops', 'test_sleepable', True),
            ('tcp_congestion_ops', 'ssthresh', False)]
# Where async callbacks are armed from: (kind, struct_ops, member)
ARMS = [('timer', 'sched_ext_ops', m) for m in
        ('select_cpu', 'enqueue', 'dispatch', 'cpu_release', 'init_task', 'init')] + \
       [('wq', 'sched_ext_ops', 'dispatch'), ('tw', 'sched_ext_ops', 'dispatch'),
        ('timer', 'sched_ext_ops_cid', 'dispatch'), ('timer', 'sched_ext_ops_cid', 'init_cids'),
        ('timer', 'Qdisc_ops', 'enqueue'), ('timer', 'Qdisc_ops', 'dequeue'),
        ('wq', 'binfmt_misc_ops', 'load')]


def callers(base):
    out = []
    for st, d in base.st.items():
        for m in d['members']:
            if m not in d['stubs']:
                continue
            if m in d['must_sleep']:
                out.append(Caller('STRUCT_OPS', st, m, True))
                continue
            out.append(Caller('STRUCT_OPS', st, m))
            if m in d['may_sleep']:
                out.append(Caller('STRUCT_OPS', st, m, True))
    for kind, st, m in ARMS:
        out.append(Caller('STRUCT_OPS', st, m, m in base.st[st]['must_sleep'], kind))
    for st, m, s in OTHER_ST:
        out.append(Caller('STRUCT_OPS', st, m, s))
    # 7.3 loads SYSCALL programs sleepable only
    out += [Caller('SYSCALL', sleepable=True), Caller('TRACING')]
    return out


# The base's filters, as their code reads. True: the filter lets it through.
def scx_filter(b, c, k):
    def i(var):
        return b.in_scx(k, var)
    scx = [v for v in b.scx_in if v != 'in_cpu_only']
    if not any(i(v) for v in scx):
        return True
    if c.ptype == 'SYSCALL':
        return any(i(v) for v in ('in_unlocked', 'in_select_cpu', 'in_idle', 'in_any', 'in_cid'))
    if c.ptype != 'STRUCT_OPS':
        return any(i(v) for v in ('in_any', 'in_idle', 'in_cid'))
    if c.st not in ('sched_ext_ops', 'sched_ext_ops_cid'):
        return False
    if c.st == 'sched_ext_ops_cid' and i('in_cpu_only'):
        return False
    if any(i(v) for v in ('in_any', 'in_idle', 'in_cid')):
        return True
    op = b.cid_to_cpu[c.member] if c.st == 'sched_ext_ops_cid' else c.member
    flags = b.scx_table.get(op, set())
    return any(f in flags and i(v) for f, v in b.scx_allow.items())


def qdisc_filter(b, c, k):
    if b.kfuncs[k]['family'] != 'qdisc':
        return True
    if c.st != 'Qdisc_ops':
        return False
    flags = b.qdisc_table.get(c.member, set())
    if any(f in flags and k in ks for f, ks in b.qdisc_rules):
        return True
    return k in b.qdisc_common


def bm_filter(b, c, k):
    if b.kfuncs[k]['family'] != 'binfmt_misc':
        return True
    if c.ptype != 'STRUCT_OPS':
        return False
    return c.st == 'binfmt_misc_ops' and c.member in b.bm_members


FILTERS = {'scx_kfunc_context_filter': scx_filter, 'bpf_qdisc_kfunc_filter': qdisc_filter,
           'bm_bpf_kfunc_filter': bm_filter}


def registered(b, c, k):
    return c.ptype in b.kfuncs[k]['types']


def hook_filters(b, ptype):
    """The filters the base runs for a kfunc call from ptype: every filter of a
    set registered for that program type applies to all its kfuncs."""
    names = set()
    for fam in ('sched_ext', 'qdisc', 'binfmt_misc'):
        for pt, _s, f in getattr(b, fam + '_regs'):
            if pt == ptype and f:
                names.add(f)
    return [FILTERS[n] for n in sorted(names)]


def base_verdict(b, c, k):
    """o: loads as far as the call; n: refused when the kfunc is looked up
    ("calling kernel function ... is not allowed"); s: sleepable kfunc."""
    if not registered(b, c, k):
        return 'n'
    if not all(f(b, c, k) for f in hook_filters(b, c.ptype)):
        return 'n'
    if 'KF_SLEEPABLE' in b.kfuncs[k]['flags'] and not c.cb_sleepable:
        return 's'
    return 'o'


# The series: context rules move from the filters to the verifier, whose
# refusal says where the kfunc is allowed (c). What the series leaves to a
# filter (the cpu-only kfuncs of the cid form) is still n.
def series_filter(b, c, k):
    """What the series leaves to a filter; False: refused there."""
    fam = b.kfuncs[k]['family']
    # the cpu-only kfuncs in the cid form (scx_kfunc_cpu_only_filter())
    if fam == 'sched_ext' and c.st == 'sched_ext_ops_cid' and b.in_scx(k, 'in_cpu_only'):
        return False
    # bpf_dynptr_from_skb(), a kfunc of other program types too, is of the
    # qdisc family like the rest of its set: the context check keeps it to
    # Qdisc_ops among struct_ops, as bpf_qdisc_kfunc_filter() did
    return True


def series_verdict(b, c, k):
    """(verdict, deliberate reason or None)"""
    bv = base_verdict(b, c, k)
    v = bv
    if v == 'n' and registered(b, c, k):
        # refused by a filter of the base: by the context check now, unless
        # by what the series keeps in a filter
        v = 'n' if not series_filter(b, c, k) else 'c'
    if c.arm and v in ('o', 's', 'c') and series_filter(b, c, k) and registered(b, c, k):
        # the rule of the series for an async callback
        if not async_ok(b, c, k):
            v = 'c'
        elif 'KF_SLEEPABLE' in b.kfuncs[k]['flags'] and not c.cb_sleepable:
            v = 's'
        else:
            v = 'o'
    # a deliberate change is one of load or refuse
    if (bv == 'o') != (v == 'o'):
        return v, 'async'
    return v, None


def async_ok(b, c, k):
    """Context rule of an async callback in the series: what a SYSCALL
    program may call, for the struct_ops family of the program."""
    fam = b.kfuncs[k]['family']
    ofam = b.st[c.st]['family']
    if fam != ofam:
        return False
    if fam == 'sched_ext':
        return any(b.in_scx(k, v) for v in ('in_unlocked', 'in_select_cpu', 'in_idle', 'in_any', 'in_cid'))
    if fam == 'qdisc':
        return k in b.qdisc_common
    return False


def where(b, k, st, cells, cs):
    """The verifier's "it is allowed in" for kfunc k, naming struct_ops st."""
    d = b.st[st]
    ops = [m for m in d['members'] if m in d['stubs']]
    ok = set()
    for c in cs:
        if c.st == st and not c.arm and cells[(c.name, k)][0] in ('o', 's'):
            ok.add(c.member)
        # the cpu-only kfuncs of the cid form: the context allows, a filter refuses
        if c.st == st and not c.arm and st == 'sched_ext_ops_cid' and cells[(c.name, k)][0] == 'n' \
           and registered(b, c, k):
            cpu = Caller('STRUCT_OPS', 'sched_ext_ops', b.cid_to_cpu[c.member], c.sleepable)
            if cpu.member in b.st['sched_ext_ops']['stubs'] and \
               series_verdict(b, cpu, k)[0] in ('o', 's'):
                ok.add(c.member)
    if set(ops) <= ok:
        return 'every %s callback' % st
    parts = ['%s.%s' % (st, m) for m in ops if m in ok]
    # KF_CTX_NO_CALLBACK: what an async callback of the family may call, by context
    if async_ok(b, Caller('STRUCT_OPS', st, ops[0], arm='timer'), k):
        parts.append('async callbacks and syscall programs')
    return ', '.join(parts) if parts else 'no callback'


def generate(b):
    cs = callers(b)
    cells = {}
    for c in cs:
        for k in b.order:
            cells[(c.name, k)] = series_verdict(b, c, k)
    wheres = {}
    for k in b.order:
        fam = b.kfuncs[k]['family']
        wheres[k] = {st: where(b, k, st, cells, cs) for st, d in b.st.items() if d['family'] == fam}
    return cs, cells, wheres


def cstr(s):
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')


def header(b, cs, cells, wheres, src):
    o = ['/* SPDX-License-Identifier: GPL-2.0 */',
         '/*',
         ' * The kfunc verdict matrix of sched_ext, bpf_qdisc and binfmt_misc_bpf,',
         ' * generated by gen-matrix.py from the code of %s.' % src,
         ' * Do not edit. Verdicts: o loads as far as the call, c refused for its',
         ' * context, n refused when the kfunc is looked up, s the kfunc sleeps and',
         ' * the caller cannot. Upper case: a deliberate change of the series (the',
         ' * base gives the other verdict).',
         ' */',
         '#ifndef __KFUNC_CTX_MATRIX_H',
         '#define __KFUNC_CTX_MATRIX_H',
         '',
         'struct kfunc_ctx_matrix_kfunc {',
         '\tconst char *name;',
         '\tconst char *family;',
         '\t/* the message\'s "it is allowed in", by struct_ops of the family */',
         '\tconst char *st[2];',
         '\tconst char *where[2];',
         '};',
         '',
         'struct kfunc_ctx_matrix_caller {',
         '\tconst char *name;',
         '\tconst char *prog_type;\t/* "STRUCT_OPS", "SYSCALL", "TRACING" */',
         '\tconst char *st, *member;',
         '\tbool sleepable;',
         '\tconst char *arm;\t/* NULL, "timer", "wq" or "tw" */',
         '\tconst char *verifier_name;',
         '\tconst char *verdicts;\t/* one per kfunc */',
         '};',
         '',
         'static const struct kfunc_ctx_matrix_kfunc kfunc_ctx_matrix_kfuncs[] = {']
    for k in b.order:
        sts = list(wheres[k])
        o += ['\t{',
              '\t\t.name = %s,' % cstr(k),
              '\t\t.family = %s,' % cstr(b.kfuncs[k]['family']),
              '\t\t.st = { %s },' % ', '.join(cstr(s) for s in sts),
              '\t\t.where = {']
        o += ['\t\t\t%s,' % cstr(wheres[k][s]) for s in sts]
        o += ['\t\t},', '\t},']
    o += ['};', '', 'static const struct kfunc_ctx_matrix_caller kfunc_ctx_matrix_callers[] = {']
    for c in cs:
        v = ''.join(cells[(c.name, k)][0].upper() if cells[(c.name, k)][1] else cells[(c.name, k)][0]
                    for k in b.order)
        o += ['\t{', '\t\t.name = %s,' % cstr(c.name), '\t\t.prog_type = %s,' % cstr(c.ptype)]
        if c.st:
            o.append('\t\t.st = %s, .member = %s,' % (cstr(c.st), cstr(c.member)))
        if c.sleepable:
            o.append('\t\t.sleepable = true,')
        if c.arm:
            o.append('\t\t.arm = %s,' % cstr(c.arm))
        o += ['\t\t.verifier_name = %s,' % cstr(c.verifier_name),
              '\t\t.verdicts =', '\t\t\t%s,' % cstr(v), '\t},']
    o += ['};', '', '#endif /* __KFUNC_CTX_MATRIX_H */', '']
    return '\n'.join(o)


def markdown(b, cs, cells, wheres, src):
    n = len(cs) * len(b.order)
    deliberate = [(c.name, k, cells[(c.name, k)]) for c in cs for k in b.order if cells[(c.name, k)][1]]
    o = ['# Kfunc verdict matrix: sched_ext, bpf_qdisc, binfmt_misc_bpf', '',
         'Generated by `scripts/matrix/gen-matrix.py` from the code of %s.' % src,
         'Do not edit: `make matrix` rewrites it, `make check` fails when it is stale,',
         'and `test_progs -t kfunc_ctx_matrix` (the harness\'s own test, matrix/selftest/)', 'checks the kernel against it cell by cell.', '',
         '%d callers x %d kfuncs = %d cells; %d are deliberate changes of the series.' % (
             len(cs), len(b.order), n, len(deliberate)), '',
         'Verdicts: `o` loads as far as the call; `c` refused for its context, with',
         '"kfunc K is not allowed in CALLER; it is allowed in WHERE"; `n` refused when',
         'the kfunc is looked up ("calling kernel function K is not allowed": not',
         'registered for the program type, or a filter; on the base every context',
         'refusal is an `n`); `s` the kfunc sleeps and the caller cannot. An upper',
         'case verdict is a deliberate change: the base gives the other one.', '',
         'The filters of the base whose rules the generator mirrors, by fingerprint: ' +
         ', '.join('`%s` %s' % kv for kv in sorted(b.fingerprints.items())) + '.', '',
         '## Deliberate changes', '']
    for key, why in DELIBERATE.items():
        cnt = sum(1 for d in deliberate if d[2][1] == key)
        o += ['- **%s** (%d cells): %s' % (key, cnt, why)]
    o += ['', '## Kfuncs', '',
          '| # | kfunc | family | sets | program types | allowed in (series) |', '|---|---|---|---|---|---|']
    for i, k in enumerate(b.order):
        d = b.kfuncs[k]
        w = '; '.join('%s: %s' % kv for kv in wheres[k].items())
        o.append('| %d | `%s` | %s | %s | %s | %s |' % (i, k, d['family'], ', '.join(d['sets']),
                                                    ', '.join(sorted(d['types'])), w))
    o += ['', '## Verdicts', '',
          'One row per caller, one column per kfunc (the numbers above, in tens).', '', '```']
    o.append('%-40s %s' % ('', ''.join(str(i // 10 % 10) for i in range(len(b.order)))))
    o.append('%-40s %s' % ('', ''.join(str(i % 10) for i in range(len(b.order)))))
    for c in cs:
        o.append('%-40s %s' % (c.name, ''.join(
            cells[(c.name, k)][0].upper() if cells[(c.name, k)][1] else cells[(c.name, k)][0]
            for k in b.order)))
    o += ['```', '', '## Deliberate cells', '', '| caller | kfunc | base | series | why | patch |',
          '|---|---|---|---|---|---|']
    for cn, k, (v, why) in deliberate:
        c = next(c for c in cs if c.name == cn)
        o.append('| %s | `%s` | %s | %s | %s | %s |' % (cn, k, base_verdict(BASE, c, k), v, why,
                                                      changed_by(BASE, c, k, why)))
    o.append('')
    return '\n'.join(o)


def deliberate_list(cs, cells, b):
    """caller kfunc subject-of-the-patch-that-changes-it, one cell per line"""
    return ''.join('%s %s %s\n' % (c.name, k, changed_by(b, c, k, cells[(c.name, k)][1]))
                   for c in cs for k in b.order if cells[(c.name, k)][1])


BASE = None


def main():
    global BASE
    ap = argparse.ArgumentParser()
    ap.add_argument('tree')
    ap.add_argument('rev')
    ap.add_argument('--src', default='the base', help='how to name the base')
    ap.add_argument('--md', required=True)
    ap.add_argument('--header', required=True)
    ap.add_argument('--deliberate', required=True, help='the deliberate cells, "caller kfunc patch-subject" per line')
    ap.add_argument('--check', action='store_true')
    a = ap.parse_args()
    BASE = b = Base(Tree(a.tree, a.rev))
    cs, cells, wheres = generate(b)
    outs = {a.header: header(b, cs, cells, wheres, a.src), a.md: markdown(b, cs, cells, wheres, a.src),
            a.deliberate: deliberate_list(cs, cells, b)}
    stale = []
    for path, text in outs.items():
        if a.check:
            try:
                old = open(path).read()
            except OSError:
                old = None
            if old != text:
                stale.append(path)
        else:
            with open(path, 'w') as f:
                f.write(text)
    if stale:
        die('stale, regenerate with make matrix: ' + ', '.join(stale))
    print('%d callers x %d kfuncs = %d cells, %d deliberate' % (
        len(cs), len(b.order), len(cs) * len(b.order), sum(1 for v in cells.values() if v[1])))


if __name__ == '__main__':
    main()
