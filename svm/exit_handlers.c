/* The exit table: one handler per exit code sevisor intercepts (DESIGN.md "Exit flow").
 * Plain-mode handlers emulate and advance RIP themselves (no NRIPS under TCG or nested KVM);
 * protected vCPUs only ever see automatic exits, write traps and VMGEXIT here, because the
 * soft-es model (or SEV-ES hardware) turns the rest into #VC inside the guest. */
#include "svm/exit_table.h"
#include "svm/exit_codes.h"
#include "svm/cr_shadow.h"
#include "svm/dev/devices.h"
#include "svm/emul/gva.h"
#include "svm/step.h"
#include "svm/guest_mem.h"
#include "svm/dev/io.h"
#include "svm/emul/mmio_emulate.h"
#include "svm/event.h"
#include "svm/vmcb_check.h"
#include "ghcb/ghcb.h"
#include "msr/cpuid.h"
#include "msr/cpuid_kept.h"
#include "msr/msr.h"
#include "msr/msr_dispatch.h"
#include "lib/fmt.h"
#include "lib/log.h"

/* Exits whose RIP still points at the instruction (CPUID, RDMSR/WRMSR, VMMCALL, HLT, INVD,
 * WBINVD) step over it with svm_skip_intercepted: the CPU's next RIP (NRIPS) or the decoded
 * length, never an assumed unprefixed one. String I/O, MMIO and CR writes are decoded by the
 * emulator (svm/emul/mmio_emulate.c); plain IN/OUT use EXITINFO2, the next RIP the CPU reports. */
#define VMMCALL_UNKNOWN_HYPERCALL ((u64)-1000) /* KVM's -KVM_ENOSYS, what guests expect */

static void set_reg(struct vcpu *v, enum vcpu_reg r, u64 x)
{
	vcpu_reg_write(v, r, x);
}

/* A protected vCPU's CPUID exit (the CPU turns CPUID into #VC there, so it does not come):
 * the guarded accessors refuse and log, and nothing moves. */
static __attribute__((noinline, cold)) enum svm_outcome cpuid_guarded(struct vcpu *v)
{
	struct cpuid_regs out;
	msr_cpuid(v, (u32)vcpu_reg(v, VCPU_RAX), (u32)vcpu_reg(v, VCPU_RCX), v->xcr0, 0, &out);
	set_reg(v, VCPU_RAX, out.eax);
	set_reg(v, VCPU_RBX, out.ebx);
	set_reg(v, VCPU_RCX, out.ecx);
	set_reg(v, VCPU_RDX, out.edx);
	return svm_skip_intercepted(v, SVM_INSN_CPUID, SVM_INSN_CPUID);
}

/* The answer into RAX..RDX, and the step over the CPUID. */
static inline __attribute__((always_inline)) enum svm_outcome cpuid_answer(struct vcpu *v, struct msr_cpuid_answer a)
{
	struct vmcb *vmcb = v->vmcb;
	vmcb->save.rax = a.rax; /* vcpu_visible_set_reg(v, VCPU_RAX), with vmcb kept for the step */
	vcpu_visible_set_reg(v, VCPU_RBX, a.rbx);
	vcpu_visible_set_reg(v, VCPU_RCX, a.rcx);
	vcpu_visible_set_reg(v, VCPU_RDX, a.rdx);
	return svm_step_plain(v, vmcb, SVM_INSN_CPUID);
}

/* A leaf without a kept answer: the policy computes it. */
static __attribute__((noinline)) enum svm_outcome cpuid_computed(struct vcpu *v)
{
	u32 leaf = (u32)vcpu_visible_reg(v, VCPU_RAX); /* read again: h_cpuid keeps no copy for this path */
	struct cpuid_regs r;
	if (leaf == MSR_CPUID_XSAVE_LEAF)
		svm_guest_xcr0_refresh(v); /* never a kept answer: it follows XCR0 */
	msr_cpuid(v, leaf, (u32)vcpu_visible_reg(v, VCPU_RCX), v->xcr0, 0, &r);
	return cpuid_answer(v, (struct msr_cpuid_answer){ r.eax, r.ebx, r.ecx, r.edx });
}

/* Leaf 1 when v's own answer does not hold: made again from the guest's kept one. Out of
 * line, so that the usual exit needs no stack frame for the call. */
static __attribute__((noinline)) enum svm_outcome cpuid_leaf1_refreshed(struct vcpu *v)
{
	msr_cpuid_leaf1_refresh(v);
	return cpuid_answer(v, v->msr.leaf1);
}

/* The state is checked once (vcpu_state_visible); a kept answer is taken inline (the
 * per-guest table of msr/cpuid_kept.h, and leaf 1's per-vCPU answer), and the step is the
 * lean one (svm/step.h). */
static enum svm_outcome h_cpuid(struct vcpu *v)
{
	if (!vcpu_state_visible(v))
		return cpuid_guarded(v);
	u32 leaf = (u32)vcpu_visible_reg(v, VCPU_RAX);
	const struct msr_cpuid_answer *kept = msr_cpuid_kept(v, leaf);
	if (!kept)
		return cpuid_computed(v);
	struct msr_cpuid_answer a;
	if (leaf == 1) {
		if (!msr_cpuid_leaf1_holds(v))
			return cpuid_leaf1_refreshed(v);
		a = v->msr.leaf1;
	} else {
		a = *kept;
	}
	return cpuid_answer(v, a);
}

static enum svm_outcome h_hlt(struct vcpu *v)
{
	/* The vCPU stops until an interrupt it can take arrives (svm_event_wakes) or its time
	 * limit ends; the run loop sleeps meanwhile. RIP moves on now: the interrupt's return
	 * address is the instruction after HLT (APM vol. 3, HLT). */
	enum svm_outcome out = svm_skip_intercepted(v, SVM_INSN_HLT, SVM_INSN_HLT);
	if (out == SVM_RESUME)
		v->intr.halted = true;
	return out;
}

static enum svm_outcome h_vintr(struct vcpu *v)
{
	(void)v; /* the interrupt window opened: the next entry injects (svm/event.c) */
	return SVM_RESUME;
}

static enum svm_outcome h_iret(struct vcpu *v)
{
	svm_event_iret_exit(v);
	return SVM_RESUME;
}

static enum svm_outcome h_db(struct vcpu *v)
{
	if (svm_event_db_exit(v))
		return SVM_RESUME;
	return svm_queue_exception(v, X86_DB, false, 0); /* the guest's own #DB goes back to it */
}

/* A refused or failed RDMSR/WRMSR: #GP, or the guest ends with the model's reason. */
static __attribute__((noinline)) enum svm_outcome msr_refused(struct vcpu *v, enum msr_result r, u32 index,
							      bool write)
{
	if (r == MSR_GP)
		return svm_queue_exception(v, X86_GP, true, 0);
	return svm_terminate(v, "%s of MSR 0x%x: %s", write ? "WRMSR" : "RDMSR", index, msr_error_reason(v));
}

/* A protected vCPU's RDMSR/WRMSR exit (see cpuid_guarded). */
static __attribute__((noinline, cold)) enum svm_outcome msr_guarded(struct vcpu *v)
{
	u32 index = (u32)vcpu_reg(v, VCPU_RCX);
	enum msr_result r;
	if (v->vmcb->control.exit_info1 == 1) {
		u64 value = (vcpu_reg(v, VCPU_RDX) << 32) | (u32)vcpu_reg(v, VCPU_RAX);
		r = msr_write(v, index, value);
		if (r != MSR_OK)
			return msr_refused(v, r, index, true);
		return svm_skip_intercepted(v, SVM_INSN_WRMSR, SVM_INSN_WRMSR);
	}
	u64 value = 0;
	r = msr_read(v, index, &value);
	if (r != MSR_OK)
		return msr_refused(v, r, index, false);
	set_reg(v, VCPU_RAX, (u32)value);
	set_reg(v, VCPU_RDX, value >> 32);
	return svm_skip_intercepted(v, SVM_INSN_RDMSR, SVM_INSN_RDMSR);
}

/* EXITINFO1 0: RDMSR, 1: WRMSR (APM vol. 2, 15.11). The state is checked once, the rule's
 * handler is called through the inline dispatch (msr/msr_dispatch.h), the step is the lean
 * one (svm/step.h). A read's value comes back in a register (struct msr_read_out). Nothing
 * but v is kept across the handler's call: a refusal reads the index from RCX again (the MSR
 * handlers change no guest register). */
static enum svm_outcome h_msr(struct vcpu *v)
{
	if (!vcpu_state_visible(v))
		return msr_guarded(v);
	u32 index = (u32)vcpu_visible_reg(v, VCPU_RCX);
	if (v->vmcb->control.exit_info1 == 1) {
		u64 value = (vcpu_visible_reg(v, VCPU_RDX) << 32) | (u32)vcpu_visible_reg(v, VCPU_RAX);
		enum msr_result r = msr_write_inline(v, index, value);
		if (r != MSR_OK)
			return msr_refused(v, r, (u32)vcpu_visible_reg(v, VCPU_RCX), true);
		return svm_step_plain(v, v->vmcb, SVM_INSN_WRMSR);
	}
	struct msr_read_out r = msr_read_inline(v, index);
	if (r.res != MSR_OK)
		return msr_refused(v, r.res, (u32)vcpu_visible_reg(v, VCPU_RCX), false);
	struct vmcb *vmcb = v->vmcb;
	vmcb->save.rax = (u32)r.value; /* vcpu_visible_set_reg(v, VCPU_RAX), with vmcb kept for the step */
	vcpu_visible_set_reg(v, VCPU_RDX, r.value >> 32);
	return svm_step_plain(v, vmcb, SVM_INSN_RDMSR);
}

static enum svm_outcome h_vmmcall(struct vcpu *v)
{
	/* No hypercalls are defined for plain guests. A `rep vmmcall` (the VMGEXIT bytes) in a
	 * plain guest is a VMMCALL with an ignored prefix: 4 bytes to step over. */
	set_reg(v, VCPU_RAX, VMMCALL_UNKNOWN_HYPERCALL);
	return svm_skip_intercepted(v, SVM_INSN_VMMCALL, SVM_INSN_VMGEXIT);
}

static enum svm_outcome h_invd(struct vcpu *v)
{
	return svm_skip_intercepted(v, SVM_INSN_INVD, SVM_INSN_WBINVD);
}

static enum svm_outcome h_ud(struct vcpu *v)
{
	/* SVM instructions: SVM is hidden from guests (CPUID), so they are undefined. */
	return svm_queue_exception(v, X86_UD, false, 0);
}

static enum svm_outcome h_resume(struct vcpu *v)
{
	(void)v; /* physical interrupt / NMI: the run loop lets the host take it */
	return SVM_RESUME;
}

static enum svm_outcome h_shutdown(struct vcpu *v)
{
	return svm_terminate(v, "triple fault (SHUTDOWN exit)");
}

/* IOIO (APM 15.10.2): EXITINFO1 has port, size, direction, string and rep; EXITINFO2 the
 * next RIP, so no instruction is fetched. String forms move data between guest memory (by
 * linear address) and the port. The size field is decoded by svm_io_width_of (svm/dev/io.h):
 * the size, and the RAX bits an IN of it leaves alone. */

/* Whether the access ended the guest (isa-debug-exit, a reset: vm->end). */
static inline __attribute__((always_inline)) enum svm_outcome ioio_outcome(const struct vm *vm)
{
	return vm->end ? SVM_TERMINATE : SVM_RESUME;
}

/* A protected vCPU's IOIO exit (the CPU turns IN/OUT into #VC there, so it does not come) and
 * string I/O (decoded by the emulator): the guarded accessors, which refuse and log for a
 * protected vCPU, and svm_set_next_rip, which leaves its RIP alone. */
static __attribute__((noinline)) enum svm_outcome ioio_general(struct vcpu *v, u64 info)
{
	u16 port = svm_io_access_port(info);
	const struct svm_io_width *w = svm_io_width_of(info);
	bool in = info & SVM_IOIO_IN;
	if (info & SVM_IOIO_STR)
		return svm_string_io(v, port, w->size, in, info);
	u32 val = in ? 0 : (u32)vcpu_reg(v, VCPU_RAX);
	if (!svm_io_port(v->vm, port, w->size, in, &val))
		return SVM_TERMINATE;
	if (in)
		set_reg(v, VCPU_RAX, (vcpu_reg(v, VCPU_RAX) & w->keep) | val);
	svm_set_next_rip(v, v->vmcb->control.exit_info2);
	return ioio_outcome(v->vm);
}

/* The lean IN/OUT: the state is checked once (vcpu_state_visible), the device is reached
 * through its port row (svm_port_row_of: the register's own handler for the UART), which takes
 * EXITINFO1 as it is, with the value in a register both ways (svm_port_read_fn). RIP is
 * stepped to EXITINFO2 (svm_step_visible_in: RIP and the interrupt shadow), and an IN clears
 * the RAX bits it replaces (svm_io_width_of: the bits kept; the row's value is within the
 * size), before the device's call, so that only v is needed after it: no port access fails or
 * looks at the vCPU, so the order leaves the state the general path leaves, which does both
 * after the access.
 *
 * What takes the general path (ioio_general, the same result): a protected vCPU, string I/O,
 * and RFLAGS.TF, whose single-step #DB svm_set_next_rip raises there (APM vol. 2, 13.1.3.6):
 * so the lean step's TF test is known false, and no call comes before the device's. */
static enum svm_outcome h_ioio(struct vcpu *v)
{
	struct vmcb *vmcb = v->vmcb;
	u64 info = vmcb->control.exit_info1;
	if (!vcpu_state_visible(v) || (info & SVM_IOIO_STR) || __builtin_expect(vmcb->save.rflags & RFLAGS_TF, 0))
		return ioio_general(v, info);
	const struct svm_port_row *row = svm_port_row_of(svm_io_access_port(info));
	svm_step_visible_in(v, vmcb, vmcb->control.exit_info2);
	if (info & SVM_IOIO_IN) {
		vmcb->save.rax &= svm_io_width_of(info)->keep; /* vcpu_visible_set_reg(v, VCPU_RAX) */
		u32 val = row->in(v->vm, info);
		v->vmcb->save.rax |= val;
	} else {
		row->out(v->vm, info, (u32)vmcb->save.rax); /* vcpu_visible_reg(v, VCPU_RAX) */
	}
	return ioio_outcome(v->vm);
}

static enum svm_outcome h_npf(struct vcpu *v)
{
	u64 gpa = v->vmcb->control.exit_info2;
	if (svm_gpa_is_ram(v->vm, gpa))
		return svm_terminate(v, "NPF on guest RAM at GPA 0x%llx (error code 0x%llx): NPT is inconsistent",
				     (unsigned long long)gpa, (unsigned long long)v->vmcb->control.exit_info1);
	return svm_mmio_emulate(v, gpa);
}

static enum svm_outcome h_cr_write(struct vcpu *v)
{
	return svm_cr_access_emulate(v, (unsigned)(v->vmcb->control.exit_code - SVM_EXIT_WRITE_CR0));
}

static enum svm_outcome h_trap(struct vcpu *v)
{
	enum cr_shadow_result r = cr_shadow_trap(v, v->vmcb->control.exit_code, v->vmcb->control.exit_info1);
	if (r == CR_SHADOW_UNSUPPORTED)
		return svm_terminate(v, "write trap 0x%llx for a register sevisor does not track",
				     (unsigned long long)v->vmcb->control.exit_code);
	return SVM_RESUME;
}

enum svm_outcome svm_exit_invalid(struct vcpu *v)
{
	char why[256];
	struct svm_vmcb_caps caps = { 0 };
	u32 failed = svm_vmcb_check(v->vmcb, &caps);
	if (!failed)
		fmt_snprintf(why, sizeof(why), "no software check failed (a check sevisor does not model)");
	else
		svm_vmcb_check_describe(failed, why, sizeof(why));
	svm_vmcb_dump(v);
	return svm_terminate(v, "VMRUN failed (VMEXIT_INVALID): %s", why);
}

const svm_exit_handler svm_exit_table_low[SVM_EXIT_TABLE_LOW] = {
	[SVM_EXIT_WRITE_CR0 + 0] = h_cr_write,
	[SVM_EXIT_WRITE_CR0 + 4] = h_cr_write,
	[SVM_EXIT_WRITE_CR0 + 8] = h_cr_write,
	[SVM_EXIT_EXCP_BASE + X86_DB] = h_db,
	[SVM_EXIT_INTR] = h_resume,
	[SVM_EXIT_VINTR] = h_vintr,
	[SVM_EXIT_IRET] = h_iret,
	[SVM_EXIT_NMI] = h_resume,
	[SVM_EXIT_CPUID] = h_cpuid,
	[SVM_EXIT_INVD] = h_invd,
	[SVM_EXIT_HLT] = h_hlt,
	[SVM_EXIT_IOIO] = h_ioio,
	[SVM_EXIT_MSR] = h_msr,
	[SVM_EXIT_SHUTDOWN] = h_shutdown,
	[SVM_EXIT_VMRUN] = h_ud,
	[SVM_EXIT_VMMCALL] = h_vmmcall,
	[SVM_EXIT_VMLOAD] = h_ud,
	[SVM_EXIT_VMSAVE] = h_ud,
	[SVM_EXIT_STGI] = h_ud,
	[SVM_EXIT_CLGI] = h_ud,
	[SVM_EXIT_SKINIT] = h_ud,
	[SVM_EXIT_INVLPGA] = h_ud,
	[SVM_EXIT_WBINVD] = h_invd,
	[SVM_EXIT_EFER_WRITE_TRAP] = h_trap,
	[SVM_EXIT_CR0_WRITE_TRAP + 0] = h_trap,
	[SVM_EXIT_CR0_WRITE_TRAP + 4] = h_trap,
	[SVM_EXIT_CR0_WRITE_TRAP + 8] = h_trap,
};

const svm_exit_handler svm_exit_table_high[SVM_EXIT_TABLE_HIGH] = {
	[SVM_EXIT_NPF - SVM_EXIT_NPF] = h_npf,
	[SVM_EXIT_VMGEXIT - SVM_EXIT_NPF] = ghcb_handle_vmgexit, /* the GHCB protocols (ghcb/) */
};
