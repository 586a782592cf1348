/* The soft-es CPU model. See soft_es.h.
 *
 * References: APM vol. 2, 15.35 "Encrypted State (SEV-ES)" (automatic vs non-automatic exits,
 * #VC, write traps, VMGEXIT) via ghcb-sev-facts.md C.2/C.3; GHCB spec (#56421) via facts A.0
 * (GHCB MSR mirrored in VMCB 0xA0, SEV_INFO preload at reset) and G10/G11 (EFER trap value
 * includes SVME; LMA = LME && CR0.PG). */
#include "sev/soft_es.h"
#include "arch/x86/rflags.h"
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
#include "lib/kstring.h"
#include "lib/log.h"

/* VMCB clean bit 5: CR0/CR3/CR4/EFER (facts C.1 0x0C0). */
#define SOFT_ES_CLEAN_CRX BIT(5)

/* ---- set-up ------------------------------------------------------------------------------- */

unsigned svm_soft_es_pick_cbit(unsigned phys_bits)
{
	unsigned cbit = phys_bits ? phys_bits - 1 : 0;
	if (cbit > 47)
		cbit = 47; /* NPT: GPAs below 2^48 (svm/npt.h) */
	return cbit >= 32 ? cbit : 0;
}

/* The CPU under the model has no SEV-ES: it neither carries out a CR write and then traps, nor
 * knows the trap bits. So each CRn write trap of the SEV-ES set becomes the CRn write intercept:
 * the model sees the write first, carries it out and hands the hypervisor the trap (class c).
 * The EFER write trap is the EFER write intercept of the soft-es MSR map (msr/permission_map.c). */
static void soft_es_traps_to_intercepts(struct vmcb_control *c)
{
	for (unsigned cr = 0; cr < 16; cr++)
		if (c->intercept_misc2 & BIT(SVM_TRAP_CR0_WRITE + cr))
			c->intercept_cr |= (u32)BIT(16 + cr);
	c->intercept_misc2 &= ~(u32)GENMASK(31, SVM_TRAP_EFER_WRITE);
}

void svm_soft_es_vcpu_setup(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	/* Exactly the intercepts sevisor programs for a real SEV-ES guest (one table for both
	 * modes, svm/vmcb_setup.c): what SEV-ES hardware turns into #VC there, the model turns
	 * into #VC here, and what runs natively there runs natively here (RDTSC, RDTSCP). */
	svm_intercepts_load(c, svm_intercepts_for(VM_MODE_SEV_ES));
	soft_es_traps_to_intercepts(c);
	/* The GHCB MSR at reset holds a SEV_INFO response (facts A.0, KVM sev_es_vcpu_reset). */
	c->ghcb_gpa = ghcb_sev_info_value(v);
	v->state_protected = true;
}

/* ---- helpers that play the CPU ------------------------------------------------------------- */

/* Steps over len bytes, in 64-bit mode or (code64 false) with the 32-bit instruction pointer
 * of the other modes. vmcb is v->vmcb as the caller holds it: stores through it could alias
 * v->vmcb for the compiler (-fno-strict-aliasing). */
static void soft_es_step_in(struct vmcb *vmcb, unsigned len, bool code64)
{
	u64 rip = vmcb->save.rip + len;
	vmcb->save.rip = code64 ? rip : rip & 0xFFFFFFFFULL;
	/* Completing an instruction ends an STI / MOV SS interrupt shadow (APM 15.21.5). */
	vmcb->control.int_state &= ~(u32)SVM_INT_STATE_SHADOW;
}

static void soft_es_step(struct vcpu *v, unsigned len)
{
	soft_es_step_in(v->vmcb, len, svm_guest_cpu_mode(v) == SVM_CPU_MODE_64);
}

/* VMGEXIT is REP VMMCALL, F3 0F 01 D9 (GHCB spec 2.0x "VMGEXIT"): those 4 bytes as one
 * little-endian word. */
#define SOFT_ES_VMGEXIT_BYTES 0xD9010FF3u
#define SOFT_ES_VMGEXIT_LEN 4u

static bool soft_es_is_vmgexit(const u8 *bytes)
{
	u32 head;
	memcpy(&head, bytes, sizeof(head));
	return head == SOFT_ES_VMGEXIT_BYTES;
}

static enum svm_decode_status soft_es_insn(struct svm_insn *insn, enum svm_insn_kind kind, unsigned len)
{
	insn->kind = kind;
	insn->len = (u8)len;
	return SVM_DECODE_OK;
}

/* The kind and length of the instruction at CS:RIP, for an exit whose instruction the model
 * steps over. After a VMMCALL exit, VMGEXIT is looked for in the fetched bytes (soft_es_vmmcall
 * has looked in place already; here it may cross a page boundary); the unprefixed fixed
 * encodings (svm_decode_fixed_len: RDMSR, WRMSR, VMMCALL, HLT) are recognised from the fetched
 * bytes; anything else (other prefixes) is decoded. These are the kinds and lengths svm_decode
 * gives in every mode (test_vmgexit_forms). Only kind and len are filled on the short ways: the
 * callers need no more. */
static enum svm_decode_status soft_es_fetch(struct vcpu *v, enum svm_insn_kind expect, struct svm_insn *insn)
{
	enum svm_cpu_mode mode;
	bool vmmcall = expect == SVM_INSN_VMMCALL;
	u8 bytes[SVM_INSN_MAX_LEN];
	unsigned n = svm_fetch_bytes(v, bytes, &mode);
	if (vmmcall && n >= SOFT_ES_VMGEXIT_LEN && soft_es_is_vmgexit(bytes))
		return soft_es_insn(insn, SVM_INSN_VMGEXIT, SOFT_ES_VMGEXIT_LEN);
	unsigned len = svm_decode_fixed_len(bytes, n, expect);
	if (len)
		return soft_es_insn(insn, expect, len);
	return svm_decode(bytes, n, mode, insn);
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

/* ---- class (e): automatic exits ----------------------------------------------------------- */

/* Handed on unchanged: the automatic exits, and every exit code the model has no class for. */
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
	enum svm_decode_status st = soft_es_fetch(v, SVM_INSN_HLT, &insn);
	soft_es_step(v, st == SVM_DECODE_OK && insn.kind == SVM_INSN_HLT ? insn.len : 1);
	return SOFT_ES_HANDOFF;
}

/* NPF (APM 15.35.5; facts C.2 last row, G23): SEV-ES hardware raises #VC(0x400) in the guest
 * only for a nested page fault on an entry with reserved bits set (error code bit 3, RSV),
 * which is how sevisor marks MMIO for SEV-ES guests (svm_npt_map_mmio). Every other NPF -
 * guest RAM, or a GPA with no NPT entry at all - is an automatic exit the hypervisor sees. */
#define SOFT_ES_NPF_RSV BIT(3)

static enum soft_es_action soft_es_npf(struct vcpu *v)
{
	if (v->vmcb->control.exit_info1 & SOFT_ES_NPF_RSV)
		return soft_es_reflect_vc(v);
	return SOFT_ES_HANDOFF;
}

/* ---- class (b): VMMCALL and rep vmmcall (VMGEXIT) ----------------------------------------- */

/* VMGEXIT is F3 0F 01 D9 (GHCB spec 2.0x, "VMGEXIT"), len bytes with any further prefixes;
 * hardware completes it, so the guest resumes after it (RIP + len, wrapping at 4 GiB outside
 * 64-bit mode), and the hypervisor sees exit code 0x403 (facts C.2). vmcb is v->vmcb as the
 * caller holds it. */
static enum soft_es_action soft_es_vmgexit(struct vmcb *vmcb, unsigned len, bool code64)
{
	soft_es_step_in(vmcb, len, code64);
	vmcb->control.exit_code = SVM_EXIT_VMGEXIT;
	vmcb->control.exit_info1 = 0;
	vmcb->control.exit_info2 = 0;
	return SOFT_ES_HANDOFF;
}

/* soft_es_vmmcall's full fetch and decode: a VMGEXIT across a page boundary or behind a page
 * the fetch cache cannot hold, a plain or prefixed VMMCALL (#VC), or bytes that no longer
 * decode. Out of line: the common VMGEXIT needs no room for a decoded instruction. */
static __attribute__((noinline)) enum soft_es_action soft_es_vmmcall_decoded(struct vcpu *v)
{
	struct svm_insn insn;
	enum svm_decode_status st = soft_es_fetch(v, SVM_INSN_VMMCALL, &insn);
	if (st != SVM_DECODE_OK)
		return soft_es_fail(v, "VMMCALL", st);
	if (insn.kind == SVM_INSN_VMGEXIT)
		return soft_es_vmgexit(v->vmcb, insn.len, svm_guest_cpu_mode(v) == SVM_CPU_MODE_64);
	return soft_es_reflect_vc(v);
}

/* The 4 bytes of VMGEXIT are looked for first in place, in the page the instruction fetch
 * keeps (svm_fetch_cache_at, inline: the same test of the kept page against CR0/CR3/CR4/EFER
 * and every paging-entry word its walk read, so rewritten code and remapped pages are seen),
 * and the RIP step uses the code size found there. Everything else - 4 bytes crossing the page
 * end, a cache miss (the full fetch walks and the cache keeps the page), other bytes - goes
 * through the full fetch (soft_es_vmmcall_decoded), which decides as before. */
static enum soft_es_action soft_es_vmmcall(struct vcpu *v)
{
	struct vmcb *vmcb = v->vmcb;
	const struct vmcb_save *s = &vmcb->save;
	bool code64 = svm_fetch_code64(s);
	/* The linear address of CS:RIP depends only on that (svm_fetch_linear_of). */
	u64 lin = code64 ? s->rip : svm_fetch_linear_legacy(s);
	const u8 *at = svm_fetch_cache_at(s, &v->fetch, lin, SOFT_ES_VMGEXIT_LEN);
	if (at && soft_es_is_vmgexit(at))
		return soft_es_vmgexit(vmcb, SOFT_ES_VMGEXIT_LEN, code64);
	return soft_es_vmmcall_decoded(v);
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
	struct vmcb_save *s = &v->vmcb->save;
	/* A guest reads EFER natively and sees SVME set, as on SEV-ES hardware (APM 15.4: SVME is
	 * set while a guest runs), and kernels write back what they read with one bit changed
	 * (rdmsr; or LME; wrmsr). SVME belongs to the hardware, which keeps it set whatever is
	 * written: the CPU's checks (APM vol. 2, 3.1.7, 14.6.1) apply to the rest, against the
	 * EFER and CR0 the CPU holds, not the hypervisor's shadow. */
	if (msr_efer_rule(v, s->efer, s->cr0, value & ~EFER_SVME) != MSR_OK)
		return soft_es_gp(v);
	/* LMA is the CPU's (facts G10/G11). */
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

/* SEV_STATUS (APM vol. 2, 15.34.10) is the CPU's: an SEV-ES guest reads it without an exit.
 * Linux reads it in its decompressor's sev_enable() while its only #VC handler serves CPUID
 * alone (arch/x86/boot/compressed/sev.c), which works only because hardware answers it. The
 * model answers with what msr/ gives every SEV-ES guest (SEV | SEV-ES). A write is #GP. */
static enum soft_es_action soft_es_msr_sev_status(struct vcpu *v, bool write, unsigned len)
{
	u64 value = 0;
	if (write || msr_read(v, MSR_AMD64_SEV_STATUS, &value) != MSR_OK)
		return soft_es_gp(v);
	vcpu_raw_set_reg(v, VCPU_RAX, (u32)value);
	vcpu_raw_set_reg(v, VCPU_RDX, value >> 32);
	soft_es_step(v, len);
	return SOFT_ES_RESUME;
}

static enum soft_es_action soft_es_msr(struct vcpu *v)
{
	u32 index = (u32)vcpu_raw_reg(v, VCPU_RCX);
	bool write = v->vmcb->control.exit_info1 == 1;
	if (index != MSR_EFER && index != MSR_AMD64_SEV_ES_GHCB && index != MSR_AMD64_SEV_STATUS)
		return soft_es_reflect_vc(v);
	if (index == MSR_EFER && !write)
		return soft_es_reflect_vc(v); /* not intercepted by the soft-es map; #VC if it were */
	struct svm_insn insn;
	enum svm_decode_status st = soft_es_fetch(v, write ? SVM_INSN_WRMSR : SVM_INSN_RDMSR, &insn);
	if (st != SVM_DECODE_OK)
		return soft_es_fail(v, "RDMSR/WRMSR", st);
	u64 value = (vcpu_raw_reg(v, VCPU_RDX) << 32) | (u32)vcpu_raw_reg(v, VCPU_RAX);
	if (index == MSR_EFER)
		return soft_es_msr_efer_write(v, value, insn.len);
	if (index == MSR_AMD64_SEV_STATUS)
		return soft_es_msr_sev_status(v, write, insn.len);
	return soft_es_msr_ghcb(v, write, value, insn.len);
}

/* ---- the classification table ------------------------------------------------------------ */

typedef enum soft_es_action (*soft_es_fn)(struct vcpu *v);

/* Exit codes 0x000..0x0FF (APM appendix C; facts C.2). An exit code without a class of its
 * own is handed on unchanged: the hypervisor dumps the VMCB and terminates, as for any
 * unexpected exit. Every entry is a function (the default range, overridden per class), so
 * the lookup needs no test for an empty one. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const soft_es_fn soft_es_class_low[0x100] = {
	[0 ... 0xFF] = soft_es_automatic,
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
#pragma GCC diagnostic pop

static soft_es_fn soft_es_lookup(u64 code)
{
	if (__builtin_expect(code < ARRAY_SIZE(soft_es_class_low), 1))
		return soft_es_class_low[code];
	if (code == SVM_EXIT_NPF)
		return soft_es_npf;
	return soft_es_automatic; /* VMEXIT_INVALID and anything else: the hypervisor's */
}

enum soft_es_action svm_soft_es_after_exit(struct vcpu *v)
{
	struct vmcb *vmcb = v->vmcb;
	/* The guest's IF as it will resume (soft_es_int_state_if), recorded before the model's
	 * work: the only work that changes RFLAGS is a #VC delivery, which records the IF it
	 * leaves itself (soft_es_enter_handler), as hardware raises #VC inside the guest and
	 * reports IF only at the next exit. Reported as it was before a delivery through an
	 * interrupt gate, it would let the hypervisor inject an interrupt at the #VC handler's
	 * first instruction, still on its IST stack, and the handler's next #VC would overwrite
	 * the first one's frame on that stack (Linux 6.1 died so). Recorded first, the class's
	 * function is the last call (a jump). */
	vmcb->control.int_state = soft_es_int_state_if(vmcb->control.int_state, vmcb->save.rflags);
	return soft_es_lookup(vmcb->control.exit_code)(v);
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
