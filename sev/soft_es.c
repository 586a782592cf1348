/* The soft-es CPU model. See soft_es.h.
 *
 * References: APM vol. 2, 15.35 "Encrypted State (SEV-ES)" (automatic vs non-automatic exits,
 * #VC, write traps, VMGEXIT) via ghcb-sev-facts.md C.2/C.3; GHCB spec (#56421) via facts A.0
 * (GHCB MSR mirrored in VMCB 0xA0, SEV_INFO preload at reset) and G10/G11 (EFER trap value
 * includes SVME; LMA = LME && CR0.PG). */
#include "sev/soft_es.h"
#include "arch/x86/desc.h"
#include "svm/cr_shadow.h"
#include "svm/emul/decode.h"
#include "svm/exit_codes.h"
#include "svm/exit.h"
#include "svm/emul/gva.h"
#include "svm/guest_mem.h"
#include "svm/vmcb_setup.h"
#include "ghcb/ghcb.h"
#include "msr/msr.h"
#include "msr/msr_index.h"
#include "lib/log.h"

/* Exits traced at debug level, like svm_handle_exit's first exits. */
#define SOFT_ES_TRACE_FIRST 40

/* The exception SEV-ES hardware raises for a non-automatic exit (APM 15.35.5). */
#define SOFT_ES_VC_VECTOR 29

#define RFLAGS_VM BIT(17)

/* VMCB clean bit 5: CR0/CR3/CR4/EFER (facts C.1 0x0C0). */
#define SOFT_ES_CLEAN_CRX BIT(5)
/* VMCB clean bit 8: segment registers and CPL. */
#define SOFT_ES_CLEAN_SEG BIT(8)
/* DR intercepts: DR7 read bit 7, DR7 write bit 16 + 7 (facts C.1 0x004). */
#define SOFT_ES_DR7_INTERCEPTS (BIT(7) | BIT(16 + 7))
/* CR write intercepts for CR0, CR4, CR8 (facts C.1 0x000: bits 16..31 = write CRn). */
#define SOFT_ES_CR_WRITE_INTERCEPTS (BIT(16 + 0) | BIT(16 + 4) | BIT(16 + 8))

/* ---- set-up ------------------------------------------------------------------------------- */

unsigned svm_soft_es_pick_cbit(unsigned phys_bits)
{
	unsigned cbit = phys_bits ? phys_bits - 1 : 0;
	if (cbit > 47)
		cbit = 47; /* NPT: GPAs below 2^48 (svm/npt.h) */
	return cbit >= 32 ? cbit : 0;
}

void svm_soft_es_vcpu_setup(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	/* Instructions SEV-ES hardware turns into #VC when intercepted (facts C.2), each with a
	 * GHCB NAE event the guest can use: CPUID, IOIO, MSR (the soft-es permission map, which
	 * also intercepts EFER writes and the GHCB MSR for the model), RDTSC(P), RDPMC, INVD,
	 * WBINVD, VMMCALL (and VMGEXIT, which is rep vmmcall), MONITOR/MWAIT. Automatic exits
	 * stay: INTR, NMI, HLT, SHUTDOWN, NPF. svm_vmcb_init set most of these already. */
	c->intercept_misc1 |= BIT(SVM_INTERCEPT_INTR) | BIT(SVM_INTERCEPT_NMI) | BIT(SVM_INTERCEPT_CPUID) |
			      BIT(SVM_INTERCEPT_HLT) | BIT(SVM_INTERCEPT_IOIO_PROT) |
			      BIT(SVM_INTERCEPT_MSR_PROT) | BIT(SVM_INTERCEPT_INVD) |
			      BIT(SVM_INTERCEPT_SHUTDOWN) | BIT(SVM_INTERCEPT_RDTSC) | BIT(SVM_INTERCEPT_RDPMC);
	c->intercept_misc2 |= BIT(SVM_INTERCEPT_VMRUN) | BIT(SVM_INTERCEPT_VMMCALL) | BIT(SVM_INTERCEPT_RDTSCP) |
			      BIT(SVM_INTERCEPT_WBINVD) | BIT(SVM_INTERCEPT_MONITOR) | BIT(SVM_INTERCEPT_MWAIT);
	/* DR7 access: NAE 0x27/0x37 (facts C.3: all DR intercepts clear except DR7). */
	c->intercept_dr = SOFT_ES_DR7_INTERCEPTS;
	/* Hardware carries out CR0/CR4/CR8 writes and traps afterwards (TRAP_CR*_WRITE); the
	 * model needs to see the write first to do both, so it intercepts it (facts C.3). No CR
	 * read intercepts: reads are served from the save area, as by the hardware. */
	c->intercept_cr = SOFT_ES_CR_WRITE_INTERCEPTS;
	/* The GHCB MSR at reset holds a SEV_INFO response (facts A.0, KVM sev_es_vcpu_reset). */
	c->ghcb_gpa = ghcb_sev_info_value(v);
	v->state_protected = true;
}

/* ---- helpers that play the CPU ------------------------------------------------------------- */

static void soft_es_step(struct vcpu *v, unsigned len)
{
	u64 rip = vcpu_raw_reg(v, VCPU_RIP) + len;
	if (svm_guest_cpu_mode(v) != SVM_CPU_MODE_64)
		rip &= 0xFFFFFFFFULL;
	vcpu_raw_set_reg(v, VCPU_RIP, rip);
	/* Completing an instruction ends an STI / MOV SS interrupt shadow (APM 15.21.5). */
	v->vmcb->control.int_state &= ~(u32)SVM_INT_STATE_SHADOW;
}

/* Raises an exception in the guest on the next VMRUN, as the CPU would. */
static enum soft_es_action soft_es_raise(struct vcpu *v, u8 vector, bool has_err, u32 err)
{
	svm_queue_exception(v, vector, has_err, err);
	return SOFT_ES_RESUME;
}

static enum soft_es_action soft_es_gp(struct vcpu *v)
{
	return soft_es_raise(v, X86_GP, true, 0);
}

/* Hands the hypervisor a synthetic exit. */
static enum soft_es_action soft_es_handoff(struct vcpu *v, u64 code, u64 info1, u64 info2)
{
	struct vmcb_control *c = &v->vmcb->control;
	c->exit_code = code;
	c->exit_info1 = info1;
	c->exit_info2 = info2;
	return SOFT_ES_HANDOFF;
}

static enum soft_es_action soft_es_fail(struct vcpu *v, const char *what, enum svm_decode_status st)
{
	vm_terminate(v->vm, "soft-es model: %s at RIP 0x%llx could not be decoded (%s)", what,
		     (unsigned long long)vcpu_raw_reg(v, VCPU_RIP), svm_decode_status_name(st));
	return SOFT_ES_TERMINATE;
}

/* ---- class (a): non-automatic exits become #VC ------------------------------------------ */

/* Long-mode exception delivery by the model (APM vol. 2, 8.9.3 "Interrupt Stack Frame",
 * 4.8.4 "IDT gate descriptors", 12.2.5 IST).
 *
 * Why the model delivers #VC itself: QEMU TCG's SVM event injection decides whether to push
 * an error code from the vector alone (its list has #DF, #TS, #NP, #SS, #GP, #PF, #AC) and
 * ignores EVENTINJ.EV, so an injected #VC arrives without its error code and the guest's
 * handler reads a shifted frame. Real hardware (and nested KVM) would be fine with
 * injection; delivering in software is correct everywhere. Covered: 64-bit IDT gates
 * (interrupt or trap), same privilege level, IST stacks. Anything else (not long mode, a
 * gate that is not present, a privilege change, unreadable tables) falls back to
 * EVENTINJ, where the CPU raises whatever fault the delivery itself causes. */
#define SOFT_ES_GATE_P BIT(7)
#define SOFT_ES_GATE_TYPE_MASK 0xFu
#define SOFT_ES_GATE_INTR 0xEu
#define SOFT_ES_GATE_TRAP 0xFu
#define SOFT_ES_TSS_IST1 ((u32)offsetof(struct tss64, ist))
#define RFLAGS_TF BIT(8)
#define RFLAGS_IF BIT(9)
#define RFLAGS_NT BIT(14)
#define RFLAGS_RF BIT(16)

/* The gate and TSS layouts are the ones sevisor itself uses: arch/x86/desc.h. */

static bool soft_es_deliver_long(struct vcpu *v, u8 vector, u32 err)
{
	struct vmcb_save *s = &v->vmcb->save;
	if (!(s->efer & EFER_LMA) || s->cpl != 0)
		return false;
	struct idt_gate gate;
	if ((u32)vector * 16 + 15 > s->idtr.limit || !svm_gva_read(v, s->idtr.base + (u64)vector * 16, &gate, 16))
		return false;
	u8 type = gate.type_attr & SOFT_ES_GATE_TYPE_MASK;
	if (!(gate.type_attr & SOFT_ES_GATE_P) || (type != SOFT_ES_GATE_INTR && type != SOFT_ES_GATE_TRAP))
		return false;
	/* The target code segment: a 64-bit, present, DPL 0 code descriptor in the GDT. */
	u64 desc;
	u16 sel = gate.selector;
	if ((sel & 4) || (sel | 7u) > s->gdtr.limit || !svm_gva_read(v, s->gdtr.base + (sel & ~7u), &desc, 8))
		return false;
	u16 attrib = (u16)(((desc >> 40) & 0xFF) | (((desc >> 52) & 0xF) << 8));
	if (!(attrib & SVM_SEG_P) || !(attrib & SVM_SEG_L) || ((attrib >> SVM_SEG_DPL_SHIFT) & 3) != 0)
		return false;
	u64 rsp = s->rsp;
	unsigned ist = gate.ist & 7;
	if (ist && !svm_gva_read(v, s->tr.base + SOFT_ES_TSS_IST1 + (ist - 1) * 8, &rsp, 8))
		return false;
	rsp &= ~0xFULL; /* the stack is aligned to 16 before the frame is pushed (8.9.3) */
	u64 frame[6] = { err, s->rip, s->cs.selector, s->rflags, s->rsp, s->ss.selector };
	rsp -= sizeof(frame);
	if (!svm_gva_write(v, rsp, frame, sizeof(frame)))
		return false;
	s->rsp = rsp;
	s->rip = (u64)gate.offset_lo | ((u64)gate.offset_mid << 16) | ((u64)gate.offset_hi << 32);
	s->cs.selector = sel;
	s->cs.attrib = attrib;
	s->cs.base = 0;
	s->cs.limit = 0xFFFFFFFF;
	s->rflags &= ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM);
	if (type == SOFT_ES_GATE_INTR)
		s->rflags &= ~RFLAGS_IF;
	v->vmcb->control.int_state &= ~(u32)SVM_INT_STATE_SHADOW;
	v->vmcb->control.clean_bits &= ~(u32)SOFT_ES_CLEAN_SEG;
	return true;
}

/* APM 15.35.5: #VC, error code = the exit code, RIP still at the instruction. */
static enum soft_es_action soft_es_reflect_vc(struct vcpu *v)
{
	u64 code = v->vmcb->control.exit_code;
	if (svm_exit_traced(v) < SOFT_ES_TRACE_FIRST)
		log_debug("guest %s vcpu%u: soft-es #VC(0x%llx) at RIP 0x%llx", v->vm->name, v->id,
			  (unsigned long long)code, (unsigned long long)vcpu_raw_reg(v, VCPU_RIP));
	if (!v->pending.pending && soft_es_deliver_long(v, SOFT_ES_VC_VECTOR, (u32)code))
		return SOFT_ES_RESUME;
	return soft_es_raise(v, SOFT_ES_VC_VECTOR, true, (u32)code);
}

/* ---- class (e): automatic exits ----------------------------------------------------------- */

static enum soft_es_action soft_es_automatic(struct vcpu *v)
{
	(void)v;
	return SOFT_ES_HANDOFF;
}

/* HLT is an automatic exit; the instruction completes, so the saved RIP is past it (the
 * hypervisor never moves RIP of a protected vCPU, facts C.3 "RIP advance"). */
static enum soft_es_action soft_es_hlt(struct vcpu *v)
{
	struct svm_insn insn;
	enum svm_decode_status st = svm_fetch_insn(v, &insn);
	soft_es_step(v, st == SVM_DECODE_OK && insn.kind == SVM_INSN_HLT ? insn.len : 1);
	return SOFT_ES_HANDOFF;
}

/* NPF on guest RAM (either C-bit alias) is automatic. Anything else is MMIO: real SEV-ES
 * hardware raises #VC(0x400) only for an NPT entry with reserved bits set (facts C.2 last
 * row, G23: that is how a hypervisor marks MMIO for SEV-ES guests); sevisor leaves MMIO GPAs
 * unmapped instead, so the model gives the #VC for every NPF outside RAM, which is what
 * such an NPT would produce. */
static enum soft_es_action soft_es_npf(struct vcpu *v)
{
	if (svm_gpa_is_ram(v->vm, v->vmcb->control.exit_info2))
		return SOFT_ES_HANDOFF;
	return soft_es_reflect_vc(v);
}

/* ---- class (b): VMMCALL and rep vmmcall (VMGEXIT) ----------------------------------------- */

/* VMGEXIT is F3 0F 01 D9 (GHCB spec 2.0x, "VMGEXIT"); hardware completes it, so the guest
 * resumes after it (RIP + 4), and the hypervisor sees exit code 0x403 (facts C.2). */
static enum soft_es_action soft_es_vmmcall(struct vcpu *v)
{
	struct svm_insn insn;
	enum svm_decode_status st = svm_fetch_insn(v, &insn);
	if (st != SVM_DECODE_OK)
		return soft_es_fail(v, "VMMCALL", st);
	if (insn.kind == SVM_INSN_VMGEXIT) {
		soft_es_step(v, insn.len);
		return soft_es_handoff(v, SVM_EXIT_VMGEXIT, 0, 0);
	}
	return soft_es_reflect_vc(v);
}

/* ---- class (c): CR0/CR4/CR8 writes become write traps ---------------------------------- */

/* Hardware EFER.LMA follows LME && CR0.PG (APM vol. 2, 14.6.1; facts G11). */
static void soft_es_update_lma(struct vmcb_save *s)
{
	if ((s->efer & EFER_LME) && (s->cr0 & CR0_PG))
		s->efer |= EFER_LMA;
	else
		s->efer &= ~EFER_LMA;
}

/* The #GP checks the CPU makes before a CR write takes effect (APM vol. 2, 3.1.1, 3.1.3,
 * 16.6.4); a faulting write never reaches the trap. One implementation of the rules
 * (svm/cr_shadow.c), applied here to the hardware state the model holds in the VMCB. */
static bool soft_es_cr_write_ok(const struct vcpu *v, unsigned cr, u64 val)
{
	const struct vmcb_save *s = &v->vmcb->save;
	struct cr_rule_state now = {
		.efer = s->efer, .cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4,
		.cr4_allowed = cr_shadow_cr4_allowed(v),
		.cs_known = true, .cs_l = (s->cs.attrib & SVM_SEG_L) != 0,
	};
	return cr_shadow_rule_refusal(&now, cr, val) == NULL;
}

/* Carries a validated write out on the VMCB and returns the value the trap reports. */
static u64 soft_es_cr_apply(struct vcpu *v, unsigned cr, u64 val)
{
	struct vmcb *vmcb = v->vmcb;
	switch (cr) {
	case 0:
		vmcb->save.cr0 = val;
		soft_es_update_lma(&vmcb->save);
		/* MOV CR0 that changes PG flushes the TLB (APM vol. 2, 5.5.3). */
		vmcb->control.tlb_control = SVM_TLB_CONTROL_FLUSH_ASID;
		break;
	case 4:
		vmcb->save.cr4 = val;
		vmcb->control.tlb_control = SVM_TLB_CONTROL_FLUSH_ASID;
		break;
	case 8:
		/* With V_INTR_MASKING, CR8 is V_TPR (APM 15.21.1). */
		vmcb->control.int_ctl = (vmcb->control.int_ctl & ~(u32)SVM_INT_CTL_V_TPR_MASK) |
					(u32)(val & SVM_INT_CTL_V_TPR_MASK);
		break;
	}
	vmcb->control.clean_bits &= ~(u32)SOFT_ES_CLEAN_CRX;
	return val;
}

static enum soft_es_action soft_es_cr_write(struct vcpu *v)
{
	unsigned cr = (unsigned)(v->vmcb->control.exit_code - SVM_EXIT_WRITE_CR0);
	struct svm_insn insn;
	enum svm_decode_status st = svm_fetch_insn(v, &insn);
	if (st != SVM_DECODE_OK)
		return soft_es_fail(v, "CR write", st);
	u64 cr0 = v->vmcb->save.cr0;
	u64 val;
	switch (insn.kind) {
	case SVM_INSN_MOV_TO_CR:
		/* Outside 64-bit mode the source is 32 bits (APM vol. 3, MOV CRn). */
		val = vcpu_raw_reg(v, (enum vcpu_reg)insn.reg);
		if (svm_guest_cpu_mode(v) != SVM_CPU_MODE_64)
			val &= 0xFFFFFFFFULL;
		cr = insn.cr;
		break;
	case SVM_INSN_CLTS:
		val = cr0 & ~CR0_TS;
		cr = 0;
		break;
	case SVM_INSN_LMSW:
		if (insn.mem) {
			vm_terminate(v->vm, "soft-es model: LMSW with a memory operand is not modelled");
			return SOFT_ES_TERMINATE;
		}
		/* LMSW loads PE, MP, EM, TS and cannot clear PE (APM vol. 3, LMSW). */
		val = (cr0 & ~CR0_LMSW_MASK) | (vcpu_raw_reg(v, (enum vcpu_reg)insn.rm) & CR0_LMSW_MASK) |
		      (cr0 & CR0_PE);
		cr = 0;
		break;
	default:
		return soft_es_fail(v, "CR write", SVM_DECODE_UNKNOWN);
	}
	if (cr != 0 && cr != 4 && cr != 8)
		return soft_es_reflect_vc(v);
	if (!soft_es_cr_write_ok(v, cr, val))
		return soft_es_gp(v);
	val = soft_es_cr_apply(v, cr, val);
	soft_es_step(v, insn.len);
	/* Write trap: EXITINFO1 = the new value, after it took effect (facts C.2). */
	return soft_es_handoff(v, SVM_EXIT_CR0_WRITE_TRAP + cr, val, 0);
}

/* ---- classes (c) EFER and (d) GHCB MSR: the MSR exit ------------------------------------ */

static enum soft_es_action soft_es_msr_efer_write(struct vcpu *v, u64 value, unsigned len)
{
	/* The CPU's EFER checks; the guest wrote a guest-visible value (no SVME: SVM is hidden). */
	if (msr_efer_check(v, value) != MSR_OK)
		return soft_es_gp(v);
	struct vmcb_save *s = &v->vmcb->save;
	/* SVME stays set in the hardware EFER (APM 15.4), LMA is the CPU's (facts G10/G11). */
	s->efer = (value & ~EFER_LMA) | EFER_SVME;
	soft_es_update_lma(s);
	v->vmcb->control.clean_bits &= ~(u32)SOFT_ES_CLEAN_CRX;
	soft_es_step(v, len);
	/* EFER write trap: EXITINFO1 = the new hardware EFER, SVME included (facts C.2, G10). */
	return soft_es_handoff(v, SVM_EXIT_EFER_WRITE_TRAP, s->efer, 0);
}

/* The GHCB MSR is served by SEV-ES hardware from VMCB 0xA0 (facts A.0, C.1). */
static enum soft_es_action soft_es_msr_ghcb(struct vcpu *v, bool write, u64 value, unsigned len)
{
	struct vmcb_control *c = &v->vmcb->control;
	if (write) {
		c->ghcb_gpa = value;
	} else {
		vcpu_raw_set_reg(v, VCPU_RAX, (u32)c->ghcb_gpa);
		vcpu_raw_set_reg(v, VCPU_RDX, c->ghcb_gpa >> 32);
	}
	soft_es_step(v, len);
	return SOFT_ES_RESUME;
}

static enum soft_es_action soft_es_msr(struct vcpu *v)
{
	u32 index = (u32)vcpu_raw_reg(v, VCPU_RCX);
	bool write = v->vmcb->control.exit_info1 == 1;
	if (index != MSR_EFER && index != MSR_AMD64_SEV_ES_GHCB)
		return soft_es_reflect_vc(v);
	if (index == MSR_EFER && !write)
		return soft_es_reflect_vc(v); /* not intercepted by the soft-es map; #VC if it were */
	struct svm_insn insn;
	enum svm_decode_status st = svm_fetch_insn(v, &insn);
	if (st != SVM_DECODE_OK)
		return soft_es_fail(v, "RDMSR/WRMSR", st);
	u64 value = (vcpu_raw_reg(v, VCPU_RDX) << 32) | (u32)vcpu_raw_reg(v, VCPU_RAX);
	if (index == MSR_EFER)
		return soft_es_msr_efer_write(v, value, insn.len);
	return soft_es_msr_ghcb(v, write, value, insn.len);
}

/* ---- the classification table ------------------------------------------------------------ */

typedef enum soft_es_action (*soft_es_fn)(struct vcpu *v);

/* Exit codes 0x000..0x0FF (APM appendix C; facts C.2). An exit code without an entry is
 * handed on unchanged: the hypervisor dumps the VMCB and terminates, as for any unexpected
 * exit. */
static const soft_es_fn soft_es_class_low[0x100] = {
	/* (c) CR write intercepts, synthesised into write traps. */
	[SVM_EXIT_WRITE_CR0 + 0] = soft_es_cr_write,
	[SVM_EXIT_WRITE_CR0 + 4] = soft_es_cr_write,
	[SVM_EXIT_WRITE_CR0 + 8] = soft_es_cr_write,
	/* (a) non-automatic: DR7 read/write (NAE 0x27/0x37). */
	[SVM_EXIT_READ_DR0 + 7] = soft_es_reflect_vc,
	[SVM_EXIT_WRITE_DR0 + 7] = soft_es_reflect_vc,
	/* (e) automatic exits. */
	[SVM_EXIT_INTR] = soft_es_automatic,
	[SVM_EXIT_NMI] = soft_es_automatic,
	[SVM_EXIT_SMI] = soft_es_automatic,
	[SVM_EXIT_INIT] = soft_es_automatic,
	[SVM_EXIT_VINTR] = soft_es_automatic,
	[SVM_EXIT_PAUSE] = soft_es_automatic,
	[SVM_EXIT_HLT] = soft_es_hlt,
	[SVM_EXIT_SHUTDOWN] = soft_es_automatic,
	/* (a) intercepted instructions. */
	[SVM_EXIT_RDTSC] = soft_es_reflect_vc,
	[SVM_EXIT_RDPMC] = soft_es_reflect_vc,
	[SVM_EXIT_CPUID] = soft_es_reflect_vc,
	[SVM_EXIT_INVD] = soft_es_reflect_vc,
	[SVM_EXIT_INVLPGA] = soft_es_reflect_vc,
	[SVM_EXIT_IOIO] = soft_es_reflect_vc,
	[SVM_EXIT_VMRUN] = soft_es_reflect_vc,
	[SVM_EXIT_VMLOAD] = soft_es_reflect_vc,
	[SVM_EXIT_VMSAVE] = soft_es_reflect_vc,
	[SVM_EXIT_STGI] = soft_es_reflect_vc,
	[SVM_EXIT_CLGI] = soft_es_reflect_vc,
	[SVM_EXIT_SKINIT] = soft_es_reflect_vc,
	[SVM_EXIT_RDTSCP] = soft_es_reflect_vc,
	[SVM_EXIT_WBINVD] = soft_es_reflect_vc,
	[SVM_EXIT_MONITOR] = soft_es_reflect_vc,
	[SVM_EXIT_MWAIT] = soft_es_reflect_vc,
	[SVM_EXIT_MWAIT_COND] = soft_es_reflect_vc,
	[SVM_EXIT_XSETBV] = soft_es_reflect_vc,
	/* (b) VMMCALL / VMGEXIT. */
	[SVM_EXIT_VMMCALL] = soft_es_vmmcall,
	/* (a), (c), (d): MSR by index. */
	[SVM_EXIT_MSR] = soft_es_msr,
};

static soft_es_fn soft_es_lookup(u64 code)
{
	if (code < ARRAY_SIZE(soft_es_class_low))
		return soft_es_class_low[code];
	if (code == SVM_EXIT_NPF)
		return soft_es_npf;
	return NULL; /* VMEXIT_INVALID and anything else: the hypervisor's */
}

enum soft_es_action svm_soft_es_after_exit(struct vcpu *v)
{
	soft_es_fn fn = soft_es_lookup(v->vmcb->control.exit_code);
	return fn ? fn(v) : SOFT_ES_HANDOFF;
}

const char *soft_es_action_name(enum soft_es_action a)
{
	static const char *const names[] = {
		[SOFT_ES_RESUME] = "resume",
		[SOFT_ES_HANDOFF] = "handoff",
		[SOFT_ES_TERMINATE] = "terminate",
	};
	return (unsigned)a < ARRAY_SIZE(names) ? names[a] : "?";
}
