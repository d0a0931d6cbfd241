#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Random program shapes for the kfunc context checks, and their model.

Each program is a sched_ext_ops callback (the entry) with a call graph
below it: static and global functions, bpf_loop callbacks (sync), and
bpf_timer, bpf_wq and bpf_task_work callbacks (async), each node calling
context-restricted kfuncs, other nodes or re-arming itself, every item
possibly behind a branch the verifier proves dead or one it cannot decide.
The model below says, from the declaration alone (which callback has which
SCX_KF_* groups, which kfunc needs which, the documented rules for
callbacks and global functions), whether the verifier must load the
program and, if not, which messages it may give.

  gen-shapes.py --seed S -n N --header FILE   C header for test_progs (make check)
  gen-shapes.py --seed S -n N --text FILE     one program a line (make shapes)
  gen-shapes.py --seed S --show I             program I of seed S, readable,
                                              with the model's reasons
  gen-shapes.py --check-matrix HEADER         the model's one-call verdicts
                                              against the verdict matrix
  gen-shapes.py --self-test                   hand-written shapes

Program I of seed S is the same whatever N: each has its own generator,
seeded with "S:I".

A program line, the format the runner (matrix/selftest/prog_tests/
kfunc_ctx_shapes.c) parses:

  SEED IDX OP SLEEPABLE WANT|NODE|NODE...|#MSG|#MSG...

NODE is "KIND ITEM ITEM...", node 0 the entry (KIND main), the others in
the order they are laid out; KIND is static, global (BTF name globN, N its
index), loop (a bpf_loop callback), timer, wq or tw. ITEM is GUARD ACT[:ARG]:
GUARD "-" none, "d" dead (r1 = 0; if r1 == 0 skip), "m" maybe (if
bpf_get_prandom_u32() == 0 skip); ACT "k" kfunc ARG with zeroed arguments,
"t" kfunc ARG with bpf_get_current_task_btf() first, "c" call node ARG,
"l" bpf_loop(1, node ARG), "a" arm async node ARG (by its kind), "r"
re-arm the timer or wq whose callback this is. WANT is o (loads) or c
(refused); each MSG is a line the refusal may give, one of them exactly.
"""
import argparse
import random
import re
import sys

ST = "sched_ext_ops"
U = "UNLOCKED_OPS"

# The callbacks of sched_ext_ops in declaration order, with their SCX_KF_*
# groups (scx_kfunc_ctx_cpu, Documentation/scheduler/sched-ext.rst "Where
# kfuncs may be called"). The order is that of the message's "it is
# allowed in" list.
MEMBERS = [
    ("select_cpu", {"SELECT_CPU", "ENQUEUE"}), ("enqueue", {"SELECT_CPU", "ENQUEUE"}),
    ("dequeue", set()), ("dispatch", {"ENQUEUE", "DISPATCH"}), ("tick", set()),
    ("runnable", set()), ("running", set()), ("stopping", set()), ("quiescent", set()),
    ("yield", set()), ("core_sched_before", set()), ("set_weight", set()),
    ("set_cpumask", set()), ("update_idle", set()), ("init_task", {U}),
    ("exit_task", set()), ("enable", set()), ("disable", set()), ("dump", {U}),
    ("dump_cpu", set()), ("dump_task", set()), ("cgroup_init", {U}), ("cgroup_exit", {U}),
    ("cgroup_prep_move", {U}), ("cgroup_move", set()), ("cgroup_cancel_move", {U}),
    ("cgroup_set_weight", {U}), ("cgroup_set_bandwidth", {U}), ("cgroup_set_idle", {U}),
    ("sub_attach", {U}), ("sub_detach", {U}), ("sub_caps_updated", set()),
    ("sub_ecaps_updated", set()), ("cpu_online", {U}), ("cpu_offline", {U}),
    ("init_cids", {U, "INIT_CIDS"}), ("init", {U}), ("exit", {U}),
    ("cpu_acquire", set()), ("cpu_release", {"CPU_RELEASE"}),
]
GROUPS = dict(MEMBERS)

# The entries the generator picks, and whether each may be loaded sleepable
# (bpf_scx_check_member()).
ENTRIES = [
    ("select_cpu", False), ("enqueue", False), ("dispatch", False), ("running", False),
    ("tick", False), ("cpu_release", False), ("exit_task", False), ("dump", False),
    ("init_task", True), ("init", True), ("cpu_online", True),
]


class Kfunc:
    def __init__(self, name, groups, no_callback=False, sleepable=False, task=False):
        self.name = name
        self.groups = set(groups)
        self.no_callback = no_callback   # KF_CTX_NO_CALLBACK
        self.sleepable = sleepable       # KF_SLEEPABLE
        self.task = task                 # first argument: a trusted task

    @property
    def has_ctx(self):
        return bool(self.groups) or self.no_callback

    @property
    def op_context(self):
        """Needs the context of the callback that calls it (the async rule)."""
        return self.has_ctx and not self.no_callback

    def where(self):
        """The message's "it is allowed in" (bpf_struct_ops_log_kfunc_ctx())."""
        parts = [] if self.has_ctx else ["every %s callback" % ST]
        parts += ["%s.%s" % (ST, m) for m, g in MEMBERS if g & self.groups]
        if self.no_callback:
            parts.append("async callbacks and syscall programs")
        return ", ".join(parts) if parts else "no callback"


# Kfuncs whose calls verify with the arguments the runner gives them, so that
# a program the context allows loads whole.
KFUNCS = {k.name: k for k in [
    Kfunc("scx_bpf_dsq_move_to_local", {"DISPATCH"}),
    Kfunc("scx_bpf_dispatch_nr_slots", {"DISPATCH"}),
    Kfunc("scx_bpf_reenqueue_local", {"CPU_RELEASE"}),
    Kfunc("scx_bpf_dsq_insert", {"ENQUEUE"}, task=True),
    Kfunc("scx_bpf_create_dsq", {U}, no_callback=True, sleepable=True),
    Kfunc("scx_bpf_kick_cpu", set()),
    Kfunc("scx_bpf_now", set()),
]}
KFUNC_WEIGHTS = {
    "scx_bpf_dsq_move_to_local": 4, "scx_bpf_dispatch_nr_slots": 2,
    "scx_bpf_reenqueue_local": 2, "scx_bpf_dsq_insert": 3, "scx_bpf_create_dsq": 3,
    "scx_bpf_kick_cpu": 1, "scx_bpf_now": 1,
}

ASYNC = {"timer": False, "wq": True, "tw": True}   # kind: callback sleepable
KINDS = {"static": 3, "global": 3, "loop": 2, "timer": 3, "wq": 2, "tw": 1}
REF_ACT = {"static": "c", "global": "c", "loop": "l", "timer": "a", "wq": "a", "tw": "a"}
MAX_EXTRA_NODES = 5     # with the entry, 6: no chain of frames reaches MAX_CALL_FRAMES
MAX_ITEMS = 4
FRIENDLY = 0.8     # the share of kfuncs picked among those the node's usual context allows


class Program:
    def __init__(self, seed, idx, op, sleepable, kinds, items):
        self.seed, self.idx, self.op, self.sleepable = seed, idx, op, sleepable
        self.kinds = kinds      # kinds[i]: the kind of node i, kinds[0] == "main"
        self.items = items      # items[i]: [(guard, act, arg)]

    def name(self, i):
        return "glob%d" % i if self.kinds[i] == "global" else "node%d" % i

    def line(self, want, msgs):
        nodes = []
        for kind, items in zip(self.kinds, self.items):
            nodes.append(" ".join([kind] + ["%s%s%s" % (g, a, "" if arg is None else ":%s" % arg)
                                            for g, a, arg in items]))
        return "%s %d %s %d %s|%s%s" % (self.seed, self.idx, self.op, int(self.sleepable), want,
                                        "|".join(nodes), "".join("|#" + m for m in msgs))


def generate(seed, idx):
    rng = random.Random("%s:%d" % (seed, idx))
    op, can_sleep = rng.choice(ENTRIES)
    sleepable = can_sleep and rng.random() < 0.5
    n = rng.randint(0, MAX_EXTRA_NODES)
    kinds = ["main"] + rng.choices(list(KINDS), weights=list(KINDS.values()), k=n)
    items = [[] for _ in kinds]

    def guard():
        return rng.choices("-dm", weights=(6, 2, 2))[0]

    def fits(k, kind):
        """Allowed where a node of this kind most often runs, to balance
        the verdicts (the model decides, not this)."""
        if kind in ASYNC:
            return not k.has_ctx or (k.no_callback and (ASYNC[kind] or not k.sleepable))
        return ((not k.has_ctx or bool(k.groups & GROUPS[op])) and
                (sleepable or not k.sleepable))

    def kfunc_item(kind):
        names = list(KFUNC_WEIGHTS)
        if rng.random() < FRIENDLY:
            names = [k for k in names if fits(KFUNCS[k], kind)] or names
        name = rng.choices(names, weights=[KFUNC_WEIGHTS[k] for k in names])[0]
        return (guard(), "t" if KFUNCS[name].task else "k", name)

    for i, kind in enumerate(kinds):
        for _ in range(rng.randint(0 if i else 1, MAX_ITEMS)):
            r = rng.random()
            if r < 0.3 and i + 1 < len(kinds):
                j = rng.randrange(i + 1, len(kinds))
                items[i].append((guard(), REF_ACT[kinds[j]], j))
            elif r < 0.4 and kind in ("timer", "wq"):
                items[i].append((guard(), "r", None))
            else:
                items[i].append(kfunc_item(kind))
    # Every node is referenced from one before it: the cfg pass refuses
    # code it cannot reach, and references only forward keep it acyclic.
    for j in range(1, len(kinds)):
        if not any(a in "cla" and arg == j for its in items for _, a, arg in its):
            i = rng.randrange(j)
            items[i].insert(rng.randint(0, len(items[i])), (guard(), REF_ACT[kinds[j]], j))
    return Program(seed, idx, op, sleepable, kinds, items)


def cfg_summary(p, i, memo):
    """What the cfg pass sums up for node i: the op-context kfuncs and whether
    it might sleep, over everything it refers to, dead code included. The
    pass merges the callee's marks at every call and at every ld_imm64 of a
    callback (sync or async), as it does for might_sleep."""
    if i in memo:
        return memo[i]
    opctx, sleeps = set(), False
    for _, a, arg in p.items[i]:
        if a in "kt":
            k = KFUNCS[arg]
            if k.op_context:
                opctx.add(k.name)
            sleeps |= k.sleepable
        elif a in "cla":
            o, s = cfg_summary(p, arg, memo)
            opctx |= o
            sleeps |= s
    memo[i] = (opctx, sleeps)
    return memo[i]


def model(p):
    """The verdict and the messages the verifier may give: every refusal the
    model finds on code the verifier explores (a refused program stops at the
    first it meets, which depends on the order of exploration, so any of them
    will do). Returns (want, msgs, reasons)."""
    msgs, reasons = set(), []
    memo, seen = {}, set()
    op_groups = GROUPS[p.op]

    def caller(ctx):
        return ("an async callback of %s.%s" if ctx[0] else "%s.%s") % (ST, p.op)

    def refuse(msg, why):
        if msg not in msgs:
            reasons.append("%s: %s" % (why, msg))
        msgs.add(msg)

    # ctx: (in an async callback, sleepable)
    def visit(i, ctx, path):
        if (i, ctx) in seen:
            return
        seen.add((i, ctx))
        for g, a, arg in p.items[i]:
            if g == "d":    # the verifier proves it dead and never looks at it
                continue
            where = "%s in %s" % (path, "async" if ctx[0] else "op")
            if a in "kt":
                k = KFUNCS[arg]
                if k.has_ctx:
                    flags = {"NO_CALLBACK"} if ctx[0] else op_groups
                    kf = k.groups | ({"NO_CALLBACK"} if k.no_callback else set())
                    if not flags & kf:
                        refuse("kfunc %s is not allowed in %s; it is allowed in %s"
                               % (k.name, caller(ctx), k.where()), where)
                        continue
                if k.sleepable and not ctx[1]:
                    refuse("program must be sleepable to call sleepable kfunc %s" % k.name, where)
            elif a == "c" and p.kinds[arg] == "global":
                opctx, sleeps = cfg_summary(p, arg, memo)
                if ctx[0] and opctx:
                    # the cfg pass keeps the first it meets: any of them
                    for name in sorted(opctx):
                        refuse("kfunc %s is not allowed in an async callback, and global "
                               "function %s() calls it" % (name, p.name(arg)), where)
                elif sleeps and not ctx[1]:
                    refuse("sleepable global function %s() called in non-sleepable prog"
                           % p.name(arg), where)
                else:
                    # verified on its own, in the program's context (the op),
                    # once for each sleepability it is called in
                    visit(arg, (False, ctx[1]), "%s>%s" % (path, p.name(arg)))
            elif a in "cl":     # static function, bpf_loop callback: the caller's state
                visit(arg, ctx, "%s>%s" % (path, p.name(arg)))
            elif a == "a":      # pushed as a new state: no callback context
                visit(arg, (True, ASYNC[p.kinds[arg]]), "%s>%s" % (path, p.name(arg)))

    visit(0, (False, p.sleepable), "%s.%s" % (ST, p.op))
    return ("c" if msgs else "o"), sorted(msgs), reasons


def show(p):
    want, msgs, reasons = model(p)
    out = ["program %d of seed %s: %s.%s%s" % (p.idx, p.seed, ST, p.op,
                                             " (sleepable)" if p.sleepable else "")]
    guards = {"-": "", "d": "if (dead) ", "m": "if (maybe) "}
    for i, (kind, items) in enumerate(zip(p.kinds, p.items)):
        out.append("  %s %s:" % (kind, p.name(i)))
        for g, a, arg in items:
            what = {"k": lambda: "%s(0...)" % arg, "t": lambda: "%s(current, 0...)" % arg,
                    "c": lambda: "%s()" % p.name(arg), "l": lambda: "bpf_loop(1, %s)" % p.name(arg),
                    "a": lambda: "arm %s %s" % (p.kinds[arg], p.name(arg)),
                    "r": lambda: "re-arm self"}[a]()
            out.append("    %s%s" % (guards[g], what))
    out.append("want %s" % want)
    out += ["  " + r for r in reasons]
    out.append(p.line(want, msgs))
    return "\n".join(out)


def lines(seed, n):
    for idx in range(n):
        p = generate(seed, idx)
        want, msgs, _ = model(p)
        yield p.line(want, msgs)


def c_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def write_header(path, seed, n):
    with open(path, "w") as f:
        f.write("/* SPDX-License-Identifier: GPL-2.0 */\n"
                "/* Generated by scripts/shapes/gen-shapes.py --seed %s -n %d. Do not edit. */\n"
                "#ifndef __KFUNC_CTX_SHAPES_H\n#define __KFUNC_CTX_SHAPES_H\n\n"
                "#define KFUNC_CTX_SHAPES_SEED %s\n\n"
                "static const char *const kfunc_ctx_shapes[] = {\n" % (seed, n, c_string(str(seed))))
        for line in lines(seed, n):
            f.write("\t%s,\n" % c_string(line))
        f.write("};\n\n#endif\n")


def stats(seed, n):
    want = {"o": 0, "c": 0}
    for line in lines(seed, n):
        want[line.split()[4][0]] += 1
    return want


# Hand-written shapes and what the declaration says of them.
SELF_TESTS = [
    # the hole: an ops.dispatch() timer calling scx_bpf_dsq_move_to_local()
    ("dispatch", False, ["main -a:1", "timer -k:scx_bpf_dsq_move_to_local"], "c",
     ["kfunc scx_bpf_dsq_move_to_local is not allowed in an async callback of "
      "sched_ext_ops.dispatch; it is allowed in sched_ext_ops.dispatch"]),
    ("dispatch", False, ["main -k:scx_bpf_dsq_move_to_local"], "o", []),
    ("enqueue", False, ["main -k:scx_bpf_dsq_move_to_local"], "c",
     ["kfunc scx_bpf_dsq_move_to_local is not allowed in sched_ext_ops.enqueue; "
      "it is allowed in sched_ext_ops.dispatch"]),
    # dead in the op: never checked
    ("enqueue", False, ["main dk:scx_bpf_dsq_move_to_local"], "o", []),
    # a static function and a bpf_loop callback inherit the caller's context
    ("dispatch", False, ["main -c:1 -l:2", "static -k:scx_bpf_dsq_move_to_local",
                         "loop -k:scx_bpf_dispatch_nr_slots"], "o", []),
    ("dispatch", False, ["main -a:1", "timer -c:2", "static -k:scx_bpf_dispatch_nr_slots"], "c",
     ["kfunc scx_bpf_dispatch_nr_slots is not allowed in an async callback of "
      "sched_ext_ops.dispatch; it is allowed in sched_ext_ops.dispatch"]),
    # a global function reaching an op-context kfunc, even dead, from an async callback
    ("dispatch", False, ["main -a:1", "timer -c:2", "global dk:scx_bpf_dsq_move_to_local"], "c",
     ["kfunc scx_bpf_dsq_move_to_local is not allowed in an async callback, and global "
      "function glob2() calls it"]),
    # ... but from the op it is verified as the op
    ("dispatch", False, ["main -c:1", "global -k:scx_bpf_dsq_move_to_local"], "o", []),
    # an unlocked sleepable kfunc: in a wq callback yes, in a timer callback no
    ("dispatch", False, ["main -a:1", "wq -k:scx_bpf_create_dsq"], "o", []),
    ("dispatch", False, ["main -a:1", "timer -k:scx_bpf_create_dsq"], "c",
     ["program must be sleepable to call sleepable kfunc scx_bpf_create_dsq"]),
    # through a global function from a wq callback: verified as ops.dispatch()
    ("dispatch", False, ["main -a:1", "wq -c:2", "global -k:scx_bpf_create_dsq"], "c",
     ["kfunc scx_bpf_create_dsq is not allowed in sched_ext_ops.dispatch; it is allowed in "
      + KFUNCS["scx_bpf_create_dsq"].where()]),
    ("init_task", True, ["main -a:1", "wq -c:2", "global -k:scx_bpf_create_dsq"], "o", []),
    # a global function that sleeps, from a timer callback
    ("init_task", True, ["main -a:1", "timer -c:2", "global -k:scx_bpf_create_dsq"], "c",
     ["sleepable global function glob2() called in non-sleepable prog"]),
    # kfuncs without groups: anywhere in the family
    ("running", False, ["main -k:scx_bpf_now -a:1", "tw -k:scx_bpf_kick_cpu"], "o", []),
    # a timer re-armed from its callback, a dead-armed timer never verified
    ("enqueue", False, ["main -a:1 da:2", "timer -r -k:scx_bpf_now",
                        "timer -k:scx_bpf_dsq_move_to_local"], "o", []),
]


def parse_nodes(nodes):
    kinds, items = [], []
    for n in nodes:
        f = n.split()
        kinds.append(f[0])
        its = []
        for it in f[1:]:
            g, a, arg = it[0], it[1], it[3:] if len(it) > 2 else None
            its.append((g, a, int(arg) if a in "cla" else arg))
        items.append(its)
    return kinds, items


def self_test():
    bad = 0
    for i, (op, sl, nodes, want, msgs) in enumerate(SELF_TESTS):
        kinds, items = parse_nodes(nodes)
        p = Program("self", i, op, sl, kinds, items)
        w, m, _ = model(p)
        if w != want or m != sorted(msgs):
            print("self-test %d: want %s %s, model says %s %s" % (i, want, msgs, w, m))
            bad += 1
    print("self-test: %d shapes, %d wrong" % (len(SELF_TESTS), bad))
    return bad == 0


def check_matrix(header):
    """The model's verdict for one call from each entry, and from a timer
    armed there, against the verdict matrix (generated from the base, with
    the series' deliberate changes): the same table seen from elsewhere."""
    text = open(header).read()
    kf = re.findall(r'\.name = "([^"]+)",\n\t\t\.family', text)
    callers = re.findall(r'\.name = "([^"]+)",\n[^}]*?\.verdicts =\s*"([^"]+)"', text, re.S)
    verdict = dict(callers)
    bad = n = 0
    for op, can_sleep in ENTRIES:
        for sl in ([False, True] if can_sleep else [False]):
            for arm in (None, "timer", "wq", "tw"):
                cname = ("%s@" % arm if arm else "") + "%s.%s" % (ST, op) + (".s" if sl else "")
                if cname not in verdict:
                    continue
                row = verdict[cname]
                for name in KFUNCS:
                    want = row[kf.index(name)].lower()
                    nodes = ["main -a:1", "%s -k:%s" % (arm, name)] if arm else ["main -k:%s" % name]
                    kinds, items = parse_nodes(nodes)
                    got, msgs, _ = model(Program("matrix", 0, op, sl, kinds, items))
                    if got == "c" and msgs[0].startswith("program must be sleepable"):
                        got = "s"
                    n += 1
                    if got != want:
                        print("matrix %s %s: matrix %s, model %s" % (cname, name, want, got))
                        bad += 1
    print("check-matrix: %d cells compared, %d differ" % (n, bad))
    return bad == 0 and n > 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", default="1")
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--header")
    ap.add_argument("--text")
    ap.add_argument("--show", type=int, action="append")
    ap.add_argument("--stats", action="store_true")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--check-matrix")
    a = ap.parse_args()
    ok = True
    if a.self_test:
        ok &= self_test()
    if a.check_matrix:
        ok &= check_matrix(a.check_matrix)
    if a.header:
        write_header(a.header, a.seed, a.n)
    if a.text:
        with open(a.text, "w") as f:
            for line in lines(a.seed, a.n):
                f.write(line + "\n")
    for i in a.show or []:
        print(show(generate(a.seed, i)))
    if a.stats:
        s = stats(a.seed, a.n)
        print("seed %s: %d programs, %d to load, %d to refuse" % (a.seed, a.n, s["o"], s["c"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
