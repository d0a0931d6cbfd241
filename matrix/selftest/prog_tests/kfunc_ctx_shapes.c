// SPDX-License-Identifier: GPL-2.0
/*
 * Random program shapes against the model of the kfunc context checks.
 *
 * scripts/shapes/gen-shapes.py generates sched_ext_ops callbacks with a
 * call graph below them (static and global functions, bpf_loop callbacks,
 * bpf_timer, bpf_wq and bpf_task_work callbacks, behind branches the
 * verifier proves dead or cannot decide) and says from its model whether
 * each must load and, if not, the messages the verifier may refuse it
 * with. This test builds each program, loads it, and compares.
 *
 * The programs are those of kfunc_ctx_shapes.h (the fixed seed of make
 * check), or, when KFUNC_CTX_SHAPES names a file, its lines (make shapes).
 * The line format is described in gen-shapes.py.
 *
 * A program whose verdict or message differs from the model's prints
 * "SHAPE seed=S idx=I want W got G", the program's line and the end of the
 * verifier log; "gen-shapes.py --seed S --show I" shows it readable. G is o
 * (loaded), c (refused with one of the expected messages), C (refused for
 * its context, with another message) or ? (refused for another reason).
 *
 * Not a selftest of the kernel tree: the harness links it into its
 * selftests/bpf build with the generated header (scripts/host/tests.sh).
 */
#include <test_progs.h>
#include <bpf/btf.h>
#include <linux/filter.h>
#include "kfunc_ctx_shapes.skel.h"
#include "kfunc_ctx_shapes.h"

#define LOG_SIZE	(1024 * 1024)
#define MAX_INSNS	4096
#define MAX_NODES	16
#define MAX_ITEMS	32
#define MAX_MSGS	16
#define MAX_FIXUPS	(MAX_NODES * MAX_ITEMS)
#define MAX_SHOWN	20	/* disagreements printed in full */

#define KFUNC_CALL(id)	BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, id)
#define LOCAL_CALL()	BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0)

struct item {
	char guard;	/* '-', 'd' (dead), 'm' (maybe) */
	char act;	/* 'k', 't', 'c', 'l', 'a', 'r' */
	int node;	/* c, l, a: the node */
	const char *kfunc;	/* k, t */
};

struct node {
	const char *kind;
	int nr_items;
	struct item items[MAX_ITEMS];
};

struct shape {
	const char *seed;
	int idx;
	const char *op;
	bool sleepable;
	char want;
	int nr_nodes;
	struct node nodes[MAX_NODES];
	int nr_msgs;
	const char *msgs[MAX_MSGS];
};

struct builder {
	struct bpf_insn insns[MAX_INSNS];
	int n;
	int start[MAX_NODES];
	int nr_fixups;
	struct {
		int insn, node;
	} fixups[MAX_FIXUPS];
	bool overflow;
};

static struct btf *vmlinux;
static struct kfunc_ctx_shapes *skel;
static int btf_fd;
static __u32 static_type_id, global_type_id[MAX_NODES];
static __u32 st_ops_id;
/* bpf_wq_init, bpf_wq_set_callback, bpf_wq_start, bpf_task_work_schedule_signal */
static int helper_kfunc[4];
static char log_buf[LOG_SIZE];

/* A small cache of vmlinux BTF ids: btf__find_by_name_kind() is a scan. */
static struct {
	char name[64];
	int id;
} kfunc_ids[32];
static int nr_kfunc_ids;

static int kfunc_id(const char *name)
{
	int i, id;

	for (i = 0; i < nr_kfunc_ids; i++)
		if (!strcmp(kfunc_ids[i].name, name))
			return kfunc_ids[i].id;
	id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);
	if (id > 0 && nr_kfunc_ids < ARRAY_SIZE(kfunc_ids)) {
		snprintf(kfunc_ids[nr_kfunc_ids].name, sizeof(kfunc_ids[0].name), "%s", name);
		kfunc_ids[nr_kfunc_ids++].id = id;
	}
	return id;
}

/* The member index of sched_ext_ops.@op, the expected_attach_type. */
static int member_index(const char *op)
{
	const struct btf_type *t = btf__type_by_id(vmlinux, st_ops_id);
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(vmlinux, m->name_off), op))
			return i;
	return -ENOENT;
}

/*
 * The prog BTF: "int f(void)", static, for the entry, static functions and
 * callbacks, and "int globN(void)", global, for a global function at node N
 * (the name the verifier's messages give).
 */
static int load_prog_btf(void)
{
	struct btf *btf = btf__new_empty();
	int int_id, proto, i, fd = -1;
	char name[16];

	if (!btf)
		return -ENOMEM;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(btf, int_id);
	if (int_id <= 0 || proto <= 0)
		goto out;
	static_type_id = btf__add_func(btf, "f", BTF_FUNC_STATIC, proto);
	if ((int)static_type_id <= 0)
		goto out;
	for (i = 0; i < MAX_NODES; i++) {
		snprintf(name, sizeof(name), "glob%d", i);
		global_type_id[i] = btf__add_func(btf, name, BTF_FUNC_GLOBAL, proto);
		if ((int)global_type_id[i] <= 0)
			goto out;
	}
	if (!btf__load_into_kernel(btf))
		fd = dup(btf__fd(btf));
out:
	btf__free(btf);
	return fd;
}

/*
 * Parse a line of gen-shapes.py, in place:
 *   SEED IDX OP SLEEPABLE WANT|NODE|NODE...|#MSG...
 */
static int parse(char *line, struct shape *s)
{
	char *field, *save = NULL, *head, *tok, *save2 = NULL;
	int nf = 0;

	memset(s, 0, sizeof(*s));
	for (field = strtok_r(line, "|", &save); field; field = strtok_r(NULL, "|", &save), nf++) {
		if (nf == 0) {
			head = field;
			s->seed = strtok_r(head, " ", &save2);
			tok = strtok_r(NULL, " ", &save2);
			s->idx = tok ? atoi(tok) : -1;
			s->op = strtok_r(NULL, " ", &save2);
			tok = strtok_r(NULL, " ", &save2);
			s->sleepable = tok && *tok == '1';
			tok = strtok_r(NULL, " ", &save2);
			s->want = tok ? *tok : '?';
			if (!s->seed || !s->op || !tok)
				return -EINVAL;
		} else if (*field == '#') {
			if (s->nr_msgs == MAX_MSGS)
				return -E2BIG;
			s->msgs[s->nr_msgs++] = field + 1;
		} else {
			struct node *nd;

			if (s->nr_nodes == MAX_NODES)
				return -E2BIG;
			nd = &s->nodes[s->nr_nodes++];
			nd->kind = strtok_r(field, " ", &save2);
			if (!nd->kind)
				return -EINVAL;
			while ((tok = strtok_r(NULL, " ", &save2))) {
				struct item *it;

				if (nd->nr_items == MAX_ITEMS || strlen(tok) < 2)
					return -EINVAL;
				it = &nd->items[nd->nr_items++];
				it->guard = tok[0];
				it->act = tok[1];
				if (strchr("kt", it->act)) {
					if (tok[2] != ':')
						return -EINVAL;
					it->kfunc = tok + 3;
				} else if (strchr("cla", it->act)) {
					if (tok[2] != ':')
						return -EINVAL;
					it->node = atoi(tok + 3);
				} else if (it->act != 'r') {
					return -EINVAL;
				}
			}
		}
	}
	if (!s->nr_nodes || strcmp(s->nodes[0].kind, "main"))
		return -EINVAL;
	return 0;
}

static void emit(struct builder *b, const struct bpf_insn *insns, int cnt)
{
	if (b->n + cnt > MAX_INSNS) {
		b->overflow = true;
		return;
	}
	memcpy(&b->insns[b->n], insns, cnt * sizeof(*insns));
	b->n += cnt;
}

#define EMIT(b, ...)							\
	do {								\
		struct bpf_insn __i[] = { __VA_ARGS__ };		\
		emit(b, __i, ARRAY_SIZE(__i));				\
	} while (0)

/* The next instruction calls or loads the address of node @node. */
static void fixup(struct builder *b, int node)
{
	if (b->nr_fixups == MAX_FIXUPS) {
		b->overflow = true;
		return;
	}
	b->fixups[b->nr_fixups].insn = b->n;
	b->fixups[b->nr_fixups++].node = node;
}

static int map_fd_of(const char *kind)
{
	return bpf_map__fd(!strcmp(kind, "timer") ? skel->maps.timer_map :
			   !strcmp(kind, "wq") ? skel->maps.wq_map : skel->maps.tw_map);
}

/* Arm the async callback at @node, of @kind, on the first element of its map. */
static void emit_arm(struct builder *b, const char *kind, int node)
{
	int map_fd = map_fd_of(kind), jmp;

	EMIT(b, BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
	     BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
	     BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
	     BPF_LD_MAP_FD(BPF_REG_1, map_fd),
	     BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem));
	jmp = b->n;
	EMIT(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0),
	     BPF_MOV64_REG(BPF_REG_6, BPF_REG_0));
	if (!strcmp(kind, "timer")) {
		EMIT(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),
		     BPF_LD_MAP_FD(BPF_REG_2, map_fd),
		     BPF_MOV64_IMM(BPF_REG_3, 1 /* CLOCK_MONOTONIC */),
		     BPF_EMIT_CALL(BPF_FUNC_timer_init),
		     BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
		fixup(b, node);
		EMIT(b, BPF_LD_IMM64_RAW(BPF_REG_2, BPF_PSEUDO_FUNC, 0),
		     BPF_EMIT_CALL(BPF_FUNC_timer_set_callback));
	} else if (!strcmp(kind, "wq")) {
		EMIT(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),
		     BPF_LD_MAP_FD(BPF_REG_2, map_fd),
		     BPF_MOV64_IMM(BPF_REG_3, 0),
		     KFUNC_CALL(helper_kfunc[0]),
		     BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
		fixup(b, node);
		EMIT(b, BPF_LD_IMM64_RAW(BPF_REG_2, BPF_PSEUDO_FUNC, 0),
		     BPF_MOV64_IMM(BPF_REG_3, 0),
		     KFUNC_CALL(helper_kfunc[1]));
	} else {
		EMIT(b, BPF_EMIT_CALL(BPF_FUNC_get_current_task_btf),
		     BPF_MOV64_REG(BPF_REG_1, BPF_REG_0),
		     BPF_MOV64_REG(BPF_REG_2, BPF_REG_6),
		     BPF_LD_MAP_FD(BPF_REG_3, map_fd));
		fixup(b, node);
		EMIT(b, BPF_LD_IMM64_RAW(BPF_REG_4, BPF_PSEUDO_FUNC, 0),
		     KFUNC_CALL(helper_kfunc[2]));
	}
	if (!b->overflow)
		b->insns[jmp].off = b->n - jmp - 1;
}

static int emit_item(struct builder *b, const struct shape *s, const struct node *nd,
		     const struct item *it)
{
	int guard = -1, id;

	if (it->guard == 'd') {
		/* r1 is known to be 0: the item is dead code */
		EMIT(b, BPF_MOV64_IMM(BPF_REG_1, 0));
		guard = b->n;
		EMIT(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0));
	} else if (it->guard == 'm') {
		/* either way */
		EMIT(b, BPF_EMIT_CALL(BPF_FUNC_get_prandom_u32));
		guard = b->n;
		EMIT(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0));
	} else if (it->guard != '-') {
		return -EINVAL;
	}

	switch (it->act) {
	case 'k':
	case 't':
		id = kfunc_id(it->kfunc);
		if (!ASSERT_GT(id, 0, it->kfunc))
			return -ENOENT;
		if (it->act == 't')
			EMIT(b, BPF_EMIT_CALL(BPF_FUNC_get_current_task_btf),
			     BPF_MOV64_REG(BPF_REG_1, BPF_REG_0));
		else
			EMIT(b, BPF_MOV64_IMM(BPF_REG_1, 0));
		EMIT(b, BPF_MOV64_IMM(BPF_REG_2, 0),
		     BPF_MOV64_IMM(BPF_REG_3, 0),
		     BPF_MOV64_IMM(BPF_REG_4, 0),
		     BPF_MOV64_IMM(BPF_REG_5, 0),
		     KFUNC_CALL(id));
		break;
	case 'c':
		if (it->node <= 0 || it->node >= s->nr_nodes)
			return -EINVAL;
		fixup(b, it->node);
		EMIT(b, LOCAL_CALL());
		break;
	case 'l':
		if (it->node <= 0 || it->node >= s->nr_nodes)
			return -EINVAL;
		EMIT(b, BPF_MOV64_IMM(BPF_REG_1, 1));
		fixup(b, it->node);
		EMIT(b, BPF_LD_IMM64_RAW(BPF_REG_2, BPF_PSEUDO_FUNC, 0),
		     BPF_MOV64_IMM(BPF_REG_3, 0),
		     BPF_MOV64_IMM(BPF_REG_4, 0),
		     BPF_EMIT_CALL(BPF_FUNC_loop));
		break;
	case 'a':
		if (it->node <= 0 || it->node >= s->nr_nodes)
			return -EINVAL;
		emit_arm(b, s->nodes[it->node].kind, it->node);
		break;
	case 'r':
		/* r9: the map value the callback was given, its timer or wq first */
		if (!strcmp(nd->kind, "timer"))
			EMIT(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_9),
			     BPF_MOV64_IMM(BPF_REG_2, 0),
			     BPF_MOV64_IMM(BPF_REG_3, 0),
			     BPF_EMIT_CALL(BPF_FUNC_timer_start));
		else if (!strcmp(nd->kind, "wq"))
			EMIT(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_9),
			     BPF_MOV64_IMM(BPF_REG_2, 0),
			     KFUNC_CALL(helper_kfunc[3]));
		else
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (guard >= 0 && !b->overflow)
		b->insns[guard].off = b->n - guard - 1;
	return 0;
}

static int build(struct builder *b, const struct shape *s)
{
	int i, j, err;

	b->n = b->nr_fixups = 0;
	b->overflow = false;
	for (i = 0; i < s->nr_nodes; i++) {
		const struct node *nd = &s->nodes[i];

		b->start[i] = b->n;
		/* async callbacks keep their map value, for re-arming */
		if (!strcmp(nd->kind, "timer") || !strcmp(nd->kind, "wq") || !strcmp(nd->kind, "tw"))
			EMIT(b, BPF_MOV64_REG(BPF_REG_9, BPF_REG_3));
		for (j = 0; j < nd->nr_items; j++) {
			err = emit_item(b, s, nd, &nd->items[j]);
			if (err)
				return err;
		}
		EMIT(b, BPF_MOV64_IMM(BPF_REG_0, 0),
		     BPF_EXIT_INSN());
	}
	if (b->overflow)
		return -E2BIG;
	for (i = 0; i < b->nr_fixups; i++)
		b->insns[b->fixups[i].insn].imm = b->start[b->fixups[i].node] - b->fixups[i].insn - 1;
	return 0;
}

/* A line of the log that is exactly @msg. */
static bool log_has_line(const char *msg)
{
	size_t len = strlen(msg);
	const char *p;

	for (p = log_buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, msg, len) && (p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/* A refusal for the context, whatever its text. */
static bool log_has_ctx_refusal(void)
{
	const char *p;

	for (p = log_buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if ((!strncmp(p, "kfunc ", 6) && strstr(p, " is not allowed in ") &&
		     strstr(p, " is not allowed in ") < strchr(p, '\n')) ||
		    !strncmp(p, "program must be sleepable to call sleepable kfunc ", 50) ||
		    !strncmp(p, "sleepable global function ", 26))
			return true;
	return false;
}

static char judge(const struct shape *s, int *fd)
{
	struct bpf_func_info fi[MAX_NODES];
	static struct builder b;
	int i, member, err;

	*fd = -1;
	member = member_index(s->op);
	if (member < 0)
		return 'E';
	err = build(&b, s);
	if (err)
		return 'E';
	for (i = 0; i < s->nr_nodes; i++) {
		fi[i].insn_off = b.start[i];
		fi[i].type_id = !strcmp(s->nodes[i].kind, "global") ? global_type_id[i] : static_type_id;
	}
	{
		/* log_level 0: libbpf loads again with level 1 if refused */
		LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log_buf, .log_size = LOG_SIZE,
			    .prog_btf_fd = btf_fd, .func_info = fi, .func_info_cnt = s->nr_nodes,
			    .func_info_rec_size = sizeof(struct bpf_func_info),
			    .attach_btf_id = st_ops_id, .expected_attach_type = member,
			    .prog_flags = s->sleepable ? BPF_F_SLEEPABLE : 0);

		log_buf[0] = '\0';
		*fd = bpf_prog_load(BPF_PROG_TYPE_STRUCT_OPS, "kfunc_ctx_shape", "GPL",
				    b.insns, b.n, &opts);
	}
	if (*fd >= 0)
		return 'o';
	for (i = 0; i < s->nr_msgs; i++)
		if (log_has_line(s->msgs[i]))
			return 'c';
	return log_has_ctx_refusal() ? 'C' : '?';
}

/* The last @lines lines of the log. */
static void print_log_tail(int lines)
{
	const char *p = log_buf + strlen(log_buf);

	while (p > log_buf && lines >= 0) {
		p--;
		if (*p == '\n')
			lines--;
	}
	printf("%s%s\n", p == log_buf ? "" : "  ...\n", p == log_buf ? p : p + 1);
}

struct tally {
	int total, loaded, refused, bad, shown;
};

static void check_line(const char *line, struct tally *t)
{
	char *copy = strdup(line);
	struct shape s;
	int fd, i;
	char got;

	if (!copy)
		return;
	if (parse(copy, &s)) {
		printf("SHAPE unparsable line: %s\n", line);
		t->bad++;
		goto out;
	}
	got = judge(&s, &fd);
	if (fd >= 0)
		close(fd);
	t->total++;
	t->loaded += got == 'o';
	t->refused += got != 'o';
	if (got == s.want)
		goto out;
	t->bad++;
	printf("SHAPE seed=%s idx=%d want %c got %c\n", s.seed, s.idx, s.want, got);
	if (t->shown++ >= MAX_SHOWN && env.verbosity == VERBOSE_NONE)
		goto out;
	printf("  program: %s\n", line);
	for (i = 0; i < s.nr_msgs; i++)
		printf("  expected: %s\n", s.msgs[i]);
	if (got != 'o')
		print_log_tail(env.verbosity > VERBOSE_NONE ? 1000000 : 12);
out:
	free(copy);
}

void test_kfunc_ctx_shapes(void)
{
	const char *file = getenv("KFUNC_CTX_SHAPES");
	struct tally t = {};
	int id;

	vmlinux = btf__load_vmlinux_btf();
	if (!ASSERT_OK_PTR(vmlinux, "vmlinux BTF"))
		return;
	id = btf__find_by_name_kind(vmlinux, "sched_ext_ops", BTF_KIND_STRUCT);
	if (id < 0) {
		test__skip();
		goto out;
	}
	st_ops_id = id;
	helper_kfunc[0] = kfunc_id("bpf_wq_init");
	helper_kfunc[1] = kfunc_id("bpf_wq_set_callback");
	helper_kfunc[2] = kfunc_id("bpf_task_work_schedule_signal");
	helper_kfunc[3] = kfunc_id("bpf_wq_start");
	if (!ASSERT_GT(helper_kfunc[0], 0, "bpf_wq_init") ||
	    !ASSERT_GT(helper_kfunc[1], 0, "bpf_wq_set_callback") ||
	    !ASSERT_GT(helper_kfunc[2], 0, "bpf_task_work_schedule_signal") ||
	    !ASSERT_GT(helper_kfunc[3], 0, "bpf_wq_start"))
		goto out;
	skel = kfunc_ctx_shapes__open_and_load();
	if (!ASSERT_OK_PTR(skel, "maps"))
		goto out;
	btf_fd = load_prog_btf();
	if (!ASSERT_GE(btf_fd, 0, "prog BTF"))
		goto out_skel;

	if (file) {
		char *line = NULL;
		size_t sz = 0;
		ssize_t len;
		FILE *f = fopen(file, "r");

		if (!ASSERT_OK_PTR(f, file))
			goto out_btf;
		while ((len = getline(&line, &sz, f)) > 0) {
			if (line[len - 1] == '\n')
				line[len - 1] = '\0';
			if (line[0] && line[0] != '#')
				check_line(line, &t);
		}
		free(line);
		fclose(f);
	} else {
		int i;

		for (i = 0; i < ARRAY_SIZE(kfunc_ctx_shapes); i++)
			check_line(kfunc_ctx_shapes[i], &t);
	}
	printf("kfunc_ctx_shapes: %s: %d programs, %d loaded, %d refused, %d disagree with the model\n",
	       file ?: "seed " KFUNC_CTX_SHAPES_SEED, t.total, t.loaded, t.refused, t.bad);
	ASSERT_GT(t.total, 0, "programs");
	ASSERT_EQ(t.bad, 0, "programs that disagree with the model");

out_btf:
	close(btf_fd);
out_skel:
	kfunc_ctx_shapes__destroy(skel);
	skel = NULL;
out:
	btf__free(vmlinux);
	vmlinux = NULL;
	nr_kfunc_ids = 0;
}
