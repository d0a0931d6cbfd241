// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict of every (caller, kfunc) cell of kfunc_ctx_matrix.h: each
 * callback of sched_ext_ops, sched_ext_ops_cid, Qdisc_ops and
 * binfmt_misc_ops, async callbacks armed from some of them, SYSCALL and
 * TRACING programs and two struct_ops with no kfunc context, against every
 * kfunc of sched_ext, bpf_qdisc and binfmt_misc_bpf.
 *
 * Not a selftest of the kernel tree: the harness generates the header
 * from the code of the kernel before the series (scripts/matrix/), links
 * this file into its selftests/bpf build and checks the kernel of every
 * patch with it, and the base, where it must fail on exactly the
 * deliberate changes (matrix/deliberate.txt).
 *
 * Each cell loads a program built here that calls the kfunc with zeroed
 * arguments, from the op itself or from an async callback it arms. The
 * context checks come before the argument checks, so a cell is "o" when
 * the verifier reaches the call and refuses it for none of the reasons
 * below, whatever it says about the arguments next; "c", "n" and "s" are
 * the refusals, each with its exact message.
 *
 * A cell whose verdict is wrong prints "CELL caller kfunc want W got G", a
 * refusal with the wrong reason or text "MSG caller kfunc ...".
 */
#include <test_progs.h>
#include <bpf/btf.h>
#include <linux/filter.h>
#include "kfunc_ctx_matrix.skel.h"
#include "kfunc_ctx_matrix.h"

#define NR_KFUNCS	ARRAY_SIZE(kfunc_ctx_matrix_kfuncs)
#define LOG_SIZE	(1024 * 1024)
#define MAX_INSNS	64

static struct btf *vmlinux;
static int kfunc_id[NR_KFUNCS];
/* bpf_wq_init, bpf_wq_set_callback, bpf_task_work_schedule_signal, bpf_kfree_skb */
static int helper_kfunc[4];
static struct kfunc_ctx_matrix *skel;
static int btf_fd;	/* the prog BTF: a static int f(void) for each function */
static __u32 func_type_id;
static char log_buf[LOG_SIZE];

static int find_func(const char *name)
{
	int id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);

	if (id < 0)
		fprintf(stderr, "kfunc_ctx_matrix: %s is not in vmlinux BTF\n", name);
	return id;
}

/* The struct_ops type and member index of a STRUCT_OPS caller */
static int find_member(const char *st, const char *member, __u32 *type_id)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(vmlinux, st, BTF_KIND_STRUCT);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(vmlinux, id);
	for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++) {
		if (!strcmp(btf__name_by_offset(vmlinux, m->name_off), member)) {
			*type_id = id;
			return i;
		}
	}
	return -ENOENT;
}

#define EMIT(...)							\
	do {								\
		struct bpf_insn __i[] = { __VA_ARGS__ };		\
		memcpy(&insns[n], __i, sizeof(__i));			\
		n += ARRAY_SIZE(__i);					\
	} while (0)
#define KFUNC_CALL(id)	BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, id)

/*
 * The program of a cell: the kfunc called with zeroed arguments, in the op
 * or in a callback the op arms through the first element of the map of
 * its kind.
 */
static int build(struct bpf_insn *insns, const char *arm, bool release_skb, int kfunc, int *cb)
{
	int n = 0, jmp, cb_ld = -1, map_fd;

	/* Refer to the arena, for the kfuncs that take arena pointers. */
	EMIT(BPF_MOV64_REG(BPF_REG_7, BPF_REG_1),
	     BPF_LD_MAP_FD(BPF_REG_1, bpf_map__fd(skel->maps.arena)));
	*cb = -1;
	if (!arm)
		goto call;

	map_fd = bpf_map__fd(!strcmp(arm, "timer") ? skel->maps.timer_map :
			     !strcmp(arm, "wq") ? skel->maps.wq_map : skel->maps.tw_map);
	EMIT(BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
	     BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
	     BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
	     BPF_LD_MAP_FD(BPF_REG_1, map_fd),
	     BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem));
	jmp = n;
	EMIT(BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0),
	     BPF_MOV64_REG(BPF_REG_6, BPF_REG_0));
	if (!strcmp(arm, "timer")) {
		EMIT(BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),
		     BPF_LD_MAP_FD(BPF_REG_2, map_fd),
		     BPF_MOV64_IMM(BPF_REG_3, 1 /* CLOCK_MONOTONIC */),
		     BPF_EMIT_CALL(BPF_FUNC_timer_init),
		     BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
		cb_ld = n;
		EMIT(BPF_LD_IMM64_RAW(BPF_REG_2, BPF_PSEUDO_FUNC, 0),
		     BPF_EMIT_CALL(BPF_FUNC_timer_set_callback));
	} else if (!strcmp(arm, "wq")) {
		EMIT(BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),
		     BPF_LD_MAP_FD(BPF_REG_2, map_fd),
		     BPF_MOV64_IMM(BPF_REG_3, 0),
		     KFUNC_CALL(helper_kfunc[0]),
		     BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
		cb_ld = n;
		EMIT(BPF_LD_IMM64_RAW(BPF_REG_2, BPF_PSEUDO_FUNC, 0),
		     BPF_MOV64_IMM(BPF_REG_3, 0),
		     KFUNC_CALL(helper_kfunc[1]));
	} else {
		EMIT(BPF_EMIT_CALL(BPF_FUNC_get_current_task_btf),
		     BPF_MOV64_REG(BPF_REG_1, BPF_REG_0),
		     BPF_MOV64_REG(BPF_REG_2, BPF_REG_6),
		     BPF_LD_MAP_FD(BPF_REG_3, map_fd));
		cb_ld = n;
		EMIT(BPF_LD_IMM64_RAW(BPF_REG_4, BPF_PSEUDO_FUNC, 0),
		     KFUNC_CALL(helper_kfunc[2]));
	}
	insns[jmp].off = n - jmp - 1;
	/* Qdisc_ops.enqueue must release the skb it is given before it returns. */
	if (release_skb)
		EMIT(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_7, 0),
		     KFUNC_CALL(helper_kfunc[3]));
	EMIT(BPF_MOV64_IMM(BPF_REG_0, 0),
	     BPF_EXIT_INSN());
	insns[cb_ld].imm = n - cb_ld - 1;
	*cb = n;
call:
	EMIT(BPF_MOV64_IMM(BPF_REG_1, 0),
	     BPF_MOV64_IMM(BPF_REG_2, 0),
	     BPF_MOV64_IMM(BPF_REG_3, 0),
	     BPF_MOV64_IMM(BPF_REG_4, 0),
	     BPF_MOV64_IMM(BPF_REG_5, 0),
	     KFUNC_CALL(kfunc),
	     BPF_MOV64_IMM(BPF_REG_0, 0),
	     BPF_EXIT_INSN());
	return n;
}

/* Subprograms need func_info: the same static int f(void) for all. */
static int load_prog_btf(void)
{
	struct btf *btf = btf__new_empty();
	int int_id, proto, fd = -1;

	if (!btf)
		return -ENOMEM;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(btf, int_id);
	func_type_id = btf__add_func(btf, "f", BTF_FUNC_STATIC, proto);
	if (int_id > 0 && proto > 0 && func_type_id > 0 && !btf__load_into_kernel(btf))
		fd = dup(btf__fd(btf));
	btf__free(btf);
	return fd;
}

struct caller {
	const struct kfunc_ctx_matrix_caller *m;
	bool release_skb;
	enum bpf_prog_type type;
	struct bpf_prog_load_opts opts;
};

static int setup(struct caller *c, const struct kfunc_ctx_matrix_caller *m)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log_buf, .log_size = LOG_SIZE,
		    .log_level = 1);
	int idx;

	c->m = m;
	if (!strcmp(m->prog_type, "STRUCT_OPS")) {
		c->type = BPF_PROG_TYPE_STRUCT_OPS;
		idx = find_member(m->st, m->member, &opts.attach_btf_id);
		if (!ASSERT_GE(idx, 0, "struct_ops member in vmlinux BTF"))
			return -ENOENT;
		opts.expected_attach_type = idx;
		c->release_skb = !strcmp(m->st, "Qdisc_ops") && !strcmp(m->member, "enqueue");
	} else if (!strcmp(m->prog_type, "SYSCALL")) {
		c->type = BPF_PROG_TYPE_SYSCALL;
	} else {
		c->type = BPF_PROG_TYPE_TRACING;
		opts.expected_attach_type = BPF_TRACE_FENTRY;
		opts.attach_btf_id = find_func("bpf_fentry_test1");
		if (!ASSERT_GT(opts.attach_btf_id, 0, "fentry target"))
			return -ENOENT;
	}
	if (m->sleepable)
		opts.prog_flags = BPF_F_SLEEPABLE;
	opts.prog_btf_fd = btf_fd;
	opts.func_info_rec_size = sizeof(struct bpf_func_info);
	c->opts = opts;
	return 0;
}

/*
 * A line of the log that starts with @prefix: the verifier's own messages,
 * not the summary after them that may quote the same words.
 */
static const char *log_line(const char *prefix)
{
	const char *p = log_buf;
	size_t len = strlen(prefix);

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, len))
			return p;
	return NULL;
}

/* The verdict of one cell, from the verifier's log. */
static char verdict(struct caller *c, int k, char *msg, size_t msg_sz)
{
	const struct kfunc_ctx_matrix_kfunc *kf = &kfunc_ctx_matrix_kfuncs[k];
	struct bpf_func_info fi[2] = { { 0, func_type_id }, { 0, func_type_id } };
	struct bpf_insn insns[MAX_INSNS];
	char needle[128];
	int n, fd, i, cb;

	n = build(insns, c->m->arm, c->release_skb, kfunc_id[k], &cb);
	fi[1].insn_off = cb;
	c->opts.func_info = fi;
	c->opts.func_info_cnt = cb < 0 ? 1 : 2;
	log_buf[0] = '\0';
	fd = bpf_prog_load(c->type, "kfunc_ctx_cell", "GPL", insns, n, &c->opts);
	msg[0] = '\0';
	if (fd >= 0) {
		close(fd);
		return 'o';
	}

	snprintf(needle, sizeof(needle), "kfunc %s is not allowed in ", kf->name);
	if (log_line(needle)) {
		const char *where = kf->where[0];

		/* the message names the caller's struct_ops if it is of the family */
		for (i = 0; i < 2; i++)
			if (kf->st[i] && c->m->st && !strcmp(kf->st[i], c->m->st))
				where = kf->where[i];
		snprintf(msg, msg_sz, "kfunc %s is not allowed in %s; it is allowed in %s\n",
			 kf->name, c->m->verifier_name, where);
		return log_line(msg) ? 'c' : 'C';	/* C: the text is wrong */
	}
	snprintf(needle, sizeof(needle), "calling kernel function %s is not allowed\n", kf->name);
	if (log_line(needle))
		return 'n';
	snprintf(needle, sizeof(needle), "program must be sleepable to call sleepable kfunc %s\n",
		 kf->name);
	if (log_line(needle))
		return 's';
	/* Refused for none of these: the verifier must have reached the call. */
	snprintf(needle, sizeof(needle), "call %s#", kf->name);
	return strstr(log_buf, needle) ? 'o' : '?';
}

static void check_caller(const struct kfunc_ctx_matrix_caller *m)
{
	struct caller c = {};
	int k, bad = 0;
	char msg[2048];

	if (setup(&c, m))
		return;
	for (k = 0; k < NR_KFUNCS; k++) {
		char want = m->verdicts[k] | 0x20;	/* lower case: the series' verdict */
		char got = verdict(&c, k, msg, sizeof(msg));

		if ((want == 'o') != (got == 'o')) {
			printf("CELL %s %s want %c got %c\n", m->name, kfunc_ctx_matrix_kfuncs[k].name,
			       want, got);
			if (got == '?' || env.verbosity > VERBOSE_NONE)
				printf("%s\n", log_buf);
			bad++;
		} else if (want != got) {
			printf("MSG %s %s want %c got %c", m->name, kfunc_ctx_matrix_kfuncs[k].name,
			       want, got);
			if (got == 'C')
				printf(", expected: %s", msg);
			else
				printf("\n");
			if (got == '?' || got == 'C' || env.verbosity > VERBOSE_NONE)
				printf("%s\n", log_buf);
			bad++;
		}
	}
	ASSERT_EQ(bad, 0, "cells that disagree with the matrix");
}

void test_kfunc_ctx_matrix(void)
{
	int i, k;

	vmlinux = btf__load_vmlinux_btf();
	if (!ASSERT_OK_PTR(vmlinux, "vmlinux BTF"))
		return;
	if (btf__find_by_name_kind(vmlinux, "sched_ext_ops", BTF_KIND_STRUCT) < 0) {
		test__skip();
		goto out;
	}
	for (k = 0; k < NR_KFUNCS; k++) {
		kfunc_id[k] = find_func(kfunc_ctx_matrix_kfuncs[k].name);
		if (!ASSERT_GT(kfunc_id[k], 0, kfunc_ctx_matrix_kfuncs[k].name))
			goto out;
	}
	helper_kfunc[0] = find_func("bpf_wq_init");
	helper_kfunc[1] = find_func("bpf_wq_set_callback");
	helper_kfunc[2] = find_func("bpf_task_work_schedule_signal");
	helper_kfunc[3] = find_func("bpf_kfree_skb");
	if (!ASSERT_GT(helper_kfunc[0], 0, "bpf_wq_init") ||
	    !ASSERT_GT(helper_kfunc[1], 0, "bpf_wq_set_callback") ||
	    !ASSERT_GT(helper_kfunc[2], 0, "bpf_task_work_schedule_signal") ||
	    !ASSERT_GT(helper_kfunc[3], 0, "bpf_kfree_skb"))
		goto out;
	skel = kfunc_ctx_matrix__open_and_load();
	if (!ASSERT_OK_PTR(skel, "maps"))
		goto out;
	btf_fd = load_prog_btf();
	if (!ASSERT_GE(btf_fd, 0, "prog BTF"))
		goto out_skel;

	for (i = 0; i < ARRAY_SIZE(kfunc_ctx_matrix_callers); i++)
		if (test__start_subtest(kfunc_ctx_matrix_callers[i].name))
			check_caller(&kfunc_ctx_matrix_callers[i]);

	close(btf_fd);
out_skel:
	kfunc_ctx_matrix__destroy(skel);
	skel = NULL;
out:
	btf__free(vmlinux);
}
