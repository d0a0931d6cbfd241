#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The instructions the series removes from the executed path, per call site.

Reads 'objdump -dr' of kernel/sched/build_policy.o (which includes ext.c) on
the base and the patched kernel. For every function present in both, the two
instruction streams are aligned (difflib on instructions with addresses and
register-free jump targets normalised away). An instruction of the base that
has no counterpart is removed, one of the patched kernel without a counterpart
is added.

Only instructions that a passing check executes are counted. Basic blocks that
end in ud2, call a warning or error reporter, or test a WARN_ONCE() flag are
cold and left out. A removed call to a helper of the old checks
(scx_kf_disallow()) counts that helper's hot instructions too.

Each counted instruction is given to the nearest indirect call through
scx_ops in its function (an SCX_CALL_OP*() site, named by the sched_ext_ops
member it calls) or, in a function without one, to the function (the kfuncs).

  static_model.py DIR
reads DIR/objdump-{base,patched}.txt (objdump -dr), DIR/symbols-*.txt
(objdump -t) and DIR/ops-*.txt (pahole -C sched_ext_ops), and prints one
line per site: "site <function> <op or -> <removed> <added>".
"""
import difflib
import re
import sys

# Out-of-line helpers of the removed run-time checks: a removed call to one
# of them also removes the instructions of its body that run.
CHECK_HELPERS = ('scx_kf_allow', 'scx_kf_disallow', 'scx_kf_allowed', 'scx_kf_allowed_on_arg_tasks')
COLD_CALLS = ('__warn_printk', 'scx_ops_error_kind', '__scx_ops_error', 'scx_ops_exit_kind',
              'dump_stack', 'panic', '__stack_chk_fail')
JUMP = re.compile(r'^(j[a-z]+|call|jmp)\s+([0-9a-f]+) <([\w.]+)(\+0x[0-9a-f]+)?>')


def parse(path):
    """{function: [[addr, text, reloc]]} from objdump -dr output."""
    funcs, cur = {}, None
    for line in open(path):
        m = re.match(r'^([0-9a-f]+) <([\w.]+)>:', line)
        if m:
            cur = funcs.setdefault(base_name(m.group(2)), [])
            continue
        if cur is None:
            continue
        m = re.match(r'^\s+[0-9a-f]+: R_X86_64_\w+\s+(\S+)$', line)
        if m and cur:
            cur[-1][2] = m.group(1)
            continue
        m = re.match(r'^\s+([0-9a-f]+):\t(.*)$', line)
        if m:
            cur.append([int(m.group(1), 16), re.sub(r'\s+', ' ', m.group(2).strip()), None])
    return funcs


def base_name(sym):
    """A symbol without GCC's clone suffixes, which are numbered per build."""
    return re.sub(r'\.(constprop|isra|part|cold)\.\d+', '', sym)


def target(insn):
    """The symbol an instruction calls or jumps to."""
    m = JUMP.match(insn[1])
    if not m:
        return None
    if insn[2]:
        return base_name(re.sub(r'[-+]0x[0-9a-f]+$', '', insn[2]))
    return base_name(m.group(3))


def norm(func, insn):
    text = insn[1].split(' #')[0]
    m = JUMP.match(text)
    if m:
        t = target(insn)
        return '%s %s' % (m.group(1), 'L' if t == func else t)
    if insn[2]:
        text = text.replace('0x0(%rip)', re.sub(r'[-+]0x[0-9a-f]+$', '', insn[2]))
    return text


def blocks(func, insns):
    """Basic-block number of each instruction, and the set of cold blocks."""
    addrs = {i[0]: n for n, i in enumerate(insns)}
    leaders = {0}
    for n, i in enumerate(insns):
        m = JUMP.match(i[1])
        mnem = i[1].split(' ')[0]
        if m and m.group(1) != 'call':
            if target(i) == func:
                leaders.add(addrs.get(int(m.group(2), 16), n + 1))
            leaders.add(n + 1)
        elif mnem in ('ret', 'ud2', 'int3'):
            leaders.add(n + 1)
    blk, b = [], -1
    for n in range(len(insns)):
        if n in leaders:
            b += 1
        blk.append(b)
    cold = set()
    for n, i in enumerate(insns):
        if i[1] == 'ud2' or target(i) in COLD_CALLS or (i[2] or '').startswith('.data..once'):
            cold.add(blk[n])
    return blk, cold


def scx_ops_base(objdump_t):
    for line in objdump_t.splitlines():
        f = line.split()
        if f and f[-1] == 'scx_ops' and '.bss' in line:
            return int(f[0], 16)
    return None


def op_names(out):
    names = {}
    for m in re.finditer(r'\(\*(\w+)\)\(.*?/\*\s+(\d+)\s+\d+\s+\*/', out):
        names[int(m.group(2))] = m.group(1)
    return names


def op_site(insn, ops_base, names):
    """The sched_ext_ops member an indirect call goes through, if any."""
    if not insn[1].startswith('call *') or not insn[2] or ops_base is None:
        return None
    m = re.match(r'^\.bss\+0x([0-9a-f]+)$', insn[2])
    if not m:
        return None
    return names.get(int(m.group(1), 16) + 4 - ops_base)


def hot_len(insns, func):
    blk, cold = blocks(func, insns)
    return sum(1 for n in range(len(insns)) if blk[n] not in cold)


def model(d):
    base, patched = parse(d + '/objdump-base.txt'), parse(d + '/objdump-patched.txt')
    ops_b = scx_ops_base(open(d + '/symbols-base.txt').read())
    names_b = op_names(open(d + '/ops-base.txt').read())
    ops_p = scx_ops_base(open(d + '/symbols-patched.txt').read())
    names_p = op_names(open(d + '/ops-patched.txt').read())
    sites = {}   # (function, op or None) -> [removed, added]
    for func in sorted(set(base) & set(patched)):
        b, p = base[func], patched[func]
        nb = [norm(func, i) for i in b]
        np_ = [norm(func, i) for i in p]
        if nb == np_:
            continue
        bblk, bcold = blocks(func, b)
        pblk, pcold = blocks(func, p)
        bsites = [(n, op_site(i, ops_b, names_b)) for n, i in enumerate(b)]
        bsites = [(n, o) for n, o in bsites if o]
        psites = [(n, op_site(i, ops_p, names_p)) for n, i in enumerate(p)]
        psites = [(n, o) for n, o in psites if o]

        def owner(n, s):
            return min(s, key=lambda x: abs(x[0] - n))[1] if s else None

        sm = difflib.SequenceMatcher(None, nb, np_, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == 'equal':
                continue
            for n in range(i1, i2):
                if bblk[n] in bcold:
                    continue
                cost = 1
                t = target(b[n])
                if b[n][1].startswith('call') and t in CHECK_HELPERS and t in base:
                    cost += hot_len(base[t], t)
                sites.setdefault((func, owner(n, bsites)), [0, 0])[0] += cost
            for n in range(j1, j2):
                if pblk[n] in pcold:
                    continue
                sites.setdefault((func, owner(n, psites)), [0, 0])[1] += 1
    return sites


if __name__ == '__main__':
    s = model(sys.argv[1])
    for (f, o), (r, a) in sorted(s.items(), key=lambda x: (x[0][0], x[0][1] or '')):
        print('site %s %s %d %d' % (f, o or '-', r, a))
