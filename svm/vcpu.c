/* vCPU register accessors; see vcpu.h for why they can refuse. */
#include "svm/vcpu.h"
#include "lib/log.h"

static const char *const reg_names[VCPU_NR_REGS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "rflags",
};

const char *vcpu_reg_name(enum vcpu_reg reg)
{
	return (unsigned)reg < VCPU_NR_REGS ? reg_names[reg] : "?";
}

void vcpu_reg_refuse(struct vcpu *v, enum vcpu_reg reg, const char *what)
{
	log_err("guest %s vcpu%u: refused %s of %s: %s", v->vm->name, v->id, what, vcpu_reg_name(reg),
		v->state_protected ? "state is protected" : "no such register");
}

u64 vcpu_exits_total(const struct vcpu *v)
{
	u64 total = 0;
	for (unsigned i = 0; i < VCPU_EXIT_COUNTERS; i++)
		total += v->exit_counts[i];
	return total;
}
