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

/* Where each register lives: the VMCB save area for RAX/RSP/RIP/RFLAGS, svm_gprs otherwise. */
static u64 *reg_slot(struct vcpu *v, enum vcpu_reg reg)
{
	struct svm_gprs *g = &v->gprs;
	switch (reg) {
	case VCPU_RAX: return &v->vmcb->save.rax;
	case VCPU_RSP: return &v->vmcb->save.rsp;
	case VCPU_RIP: return &v->vmcb->save.rip;
	case VCPU_RFLAGS: return &v->vmcb->save.rflags;
	case VCPU_RCX: return &g->rcx;
	case VCPU_RDX: return &g->rdx;
	case VCPU_RBX: return &g->rbx;
	case VCPU_RBP: return &g->rbp;
	case VCPU_RSI: return &g->rsi;
	case VCPU_RDI: return &g->rdi;
	case VCPU_R8: return &g->r8;
	case VCPU_R9: return &g->r9;
	case VCPU_R10: return &g->r10;
	case VCPU_R11: return &g->r11;
	case VCPU_R12: return &g->r12;
	case VCPU_R13: return &g->r13;
	case VCPU_R14: return &g->r14;
	case VCPU_R15: return &g->r15;
	default: return NULL;
	}
}

u64 vcpu_raw_reg(struct vcpu *v, enum vcpu_reg reg)
{
	u64 *p = reg_slot(v, reg);
	return p ? *p : 0;
}

void vcpu_raw_set_reg(struct vcpu *v, enum vcpu_reg reg, u64 val)
{
	u64 *p = reg_slot(v, reg);
	if (p)
		*p = val;
}

static bool refuse(struct vcpu *v, enum vcpu_reg reg, const char *what)
{
	if (!v->state_protected && reg_slot(v, reg))
		return false;
	log_err("guest %s vcpu%u: refused %s of %s: %s", v->vm->name, v->id, what, vcpu_reg_name(reg),
		v->state_protected ? "state is protected" : "no such register");
	return true;
}

bool vcpu_reg_read(struct vcpu *v, enum vcpu_reg reg, u64 *out)
{
	if (refuse(v, reg, "read"))
		return false;
	*out = vcpu_raw_reg(v, reg);
	return true;
}

bool vcpu_reg_write(struct vcpu *v, enum vcpu_reg reg, u64 val)
{
	if (refuse(v, reg, "write"))
		return false;
	vcpu_raw_set_reg(v, reg, val);
	return true;
}

u64 vcpu_reg(struct vcpu *v, enum vcpu_reg reg)
{
	u64 x = 0;
	vcpu_reg_read(v, reg, &x);
	return x;
}
