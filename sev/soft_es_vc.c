/* The soft-es CPU's #VC: a non-automatic exit (class (a) of ghcb-sev-facts.md C.2) raised in
 * the guest as exception 29 with the exit code as error code and RIP still at the instruction
 * (APM vol. 2, 15.35.5), delivered by the model itself where it can (see below). See soft_es.h. */
#include "sev/soft_es.h"
#include "arch/x86/desc.h"
#include "svm/exit.h"
#include "svm/emul/gva.h"
#include "lib/kstring.h"
#include "lib/log.h"

/* Exits traced at debug level, like svm_handle_exit's first exits. */
#define SOFT_ES_TRACE_FIRST 40

/* The exception SEV-ES hardware raises for a non-automatic exit (APM 15.35.5). */
#define SOFT_ES_VC_VECTOR 29

/* VMCB clean bit 8: segment registers and CPL. */
#define SOFT_ES_CLEAN_SEG BIT(8)

/* Exception delivery by the model, in long mode (64-bit and compatibility mode) and in legacy
 * protected mode (APM vol. 2, 8.7 "Legacy Protected-Mode Interrupt Control Transfers", 8.9
 * "Long-Mode Interrupt Control Transfers", 4.8.4 gate descriptors, 12.2.5 IST).
 *
 * Why the model delivers #VC itself: QEMU TCG's SVM event injection decides whether to push
 * an error code from the vector alone (its list has #DF, #TS, #NP, #SS, #GP, #PF, #AC) and
 * ignores EVENTINJ.EV, so an injected #VC arrives without its error code and the guest's
 * handler reads a shifted frame, in every mode. Real hardware (and nested KVM) would be fine
 * with injection; delivering in software is correct everywhere. Covered: interrupt and trap
 * gates to a present DPL 0 code segment in the GDT: 64-bit gates with IST stacks under long
 * mode, from CPL 0 or with the switch to CPL 0; 32-bit gates on a 32-bit, expand-up stack in
 * legacy protected mode at CPL 0. Anything else (real mode, virtual-8086 mode, 16-bit gates
 * or stacks, a legacy-mode privilege change, a gate that is not present, unreadable tables)
 * falls back to EVENTINJ, where the CPU raises whatever fault the delivery itself causes. */
#define SOFT_ES_GATE_P BIT(7)
#define SOFT_ES_GATE_TYPE_MASK 0xFu
#define SOFT_ES_GATE_INTR 0xEu /* 64-bit interrupt gate in long mode, 32-bit one in legacy mode */
#define SOFT_ES_GATE_TRAP 0xFu
#define SOFT_ES_SEG_CODE BIT(3)       /* descriptor type bit 3: code segment */
#define SOFT_ES_SEG_EXPAND_DOWN BIT(2) /* data segment type bit 2 */
#define SOFT_ES_TSS_IST1 ((u32)offsetof(struct tss64, ist))
#define SOFT_ES_TSS_RSP0 ((u32)offsetof(struct tss64, rsp))
#define RFLAGS_TF BIT(8)
#define RFLAGS_IF BIT(9)
#define RFLAGS_NT BIT(14)
#define RFLAGS_RF BIT(16)
#define RFLAGS_VM BIT(17)

/* What the delivery reads and writes, one slot each of v->model_pages (struct vcpu_page_set:
 * the same bytes as a fresh walk, so a guest that rewrites its tables or CR3 is always seen;
 * one #VC after another finds them all still valid). A delivery checks the set once
 * (soft_es_deliver), reads the tables, and writes the frame last. */
enum soft_es_page { SOFT_ES_PAGE_IDT, SOFT_ES_PAGE_GDT, SOFT_ES_PAGE_TSS, SOFT_ES_PAGE_STACK };
_Static_assert(SOFT_ES_PAGE_STACK < VCPU_SET_PAGES, "one slot per kind of access");

static inline __attribute__((always_inline)) bool soft_es_read(struct vcpu *v, enum soft_es_page which, u64 lin,
								void *dst, u64 len)
{
	const void *p = svm_gva_set_ptr(v, &v->model_pages, which, lin, len);
	if (!p)
		return svm_gva_read(v, lin, dst, len);
	memcpy(dst, p, len);
	return true;
}

static inline __attribute__((always_inline)) bool soft_es_write(struct vcpu *v, u64 lin, const void *src, u64 len)
{
	void *p = svm_gva_set_ptr(v, &v->model_pages, SOFT_ES_PAGE_STACK, lin, len);
	if (!p)
		return svm_gva_write(v, lin, src, len);
	memcpy(p, src, len);
	return true;
}

/* A gate as the delivery uses it (APM vol. 2, 4.8.4 figure 4-24, 4.8.4.1 figure 4-25). */
struct soft_es_gate {
	u64 handler;
	u16 selector;
	u8 ist;  /* 0: none (long mode only) */
	u8 type; /* SOFT_ES_GATE_INTR or SOFT_ES_GATE_TRAP */
};

#define SOFT_ES_INLINE static inline __attribute__((always_inline))

/* The IDT entry of vector, decoded: size is 16 in long mode, 8 in legacy mode (a legacy gate is
 * the first 8 bytes of a long-mode one). False unless it is a present interrupt or trap gate
 * within the IDT limit. The gate and TSS layouts are the ones sevisor itself uses
 * (arch/x86/desc.h). Inlined into each delivery, where size is a constant. */
SOFT_ES_INLINE bool soft_es_read_gate(struct vcpu *v, u8 vector, unsigned size, struct soft_es_gate *g)
{
	const struct vmcb_save *s = &v->vmcb->save;
	struct idt_gate raw = { 0 };
	if ((u32)vector * size + size - 1 > s->idtr.limit ||
	    !soft_es_read(v, SOFT_ES_PAGE_IDT, s->idtr.base + (u64)vector * size, &raw, size))
		return false;
	u8 type = raw.type_attr & SOFT_ES_GATE_TYPE_MASK;
	if (!(raw.type_attr & SOFT_ES_GATE_P) || (type != SOFT_ES_GATE_INTR && type != SOFT_ES_GATE_TRAP))
		return false;
	g->handler = (u64)raw.offset_lo | ((u64)raw.offset_mid << 16) | (size == 16 ? (u64)raw.offset_hi << 32 : 0);
	g->selector = raw.selector;
	g->ist = size == 16 ? raw.ist & 7 : 0;
	g->type = type;
	return true;
}

/* The gate's target: a present DPL 0 code segment in the GDT (APM vol. 2, 4.7, 4.8), as the
 * CPU loads it into CS. In 64-bit mode the base and limit of CS are ignored (4.8.1) and the
 * delivery gives CS base 0 and limit 0xFFFFFFFF, so long_mode leaves them undecoded. */
SOFT_ES_INLINE bool soft_es_gate_cs(struct vcpu *v, u16 sel, bool long_mode, struct vmcb_seg *cs)
{
	const struct vmcb_save *s = &v->vmcb->save;
	u64 desc;
	if ((sel & 4) || (sel | 7u) > s->gdtr.limit || !soft_es_read(v, SOFT_ES_PAGE_GDT, s->gdtr.base + (sel & ~7u), &desc, 8))
		return false;
	u16 attrib = (u16)(((desc >> 40) & 0xFF) | (((desc >> 52) & 0xF) << 8));
	if (!(attrib & SVM_SEG_P) || !(attrib & SVM_SEG_S) || !(attrib & SOFT_ES_SEG_CODE) ||
	    ((attrib >> SVM_SEG_DPL_SHIFT) & 3) != 0)
		return false;
	if (long_mode) {
		*cs = (struct vmcb_seg){ .selector = sel, .attrib = attrib, .limit = 0xFFFFFFFF, .base = 0 };
		return true;
	}
	u32 limit = (u32)((desc & 0xFFFF) | ((desc >> 32) & 0xF0000));
	if (attrib & SVM_SEG_G)
		limit = (limit << 12) | 0xFFF;
	u64 base = ((desc >> 16) & 0xFFFFFF) | (((desc >> 56) & 0xFF) << 24);
	*cs = (struct vmcb_seg){ .selector = sel, .attrib = attrib, .limit = limit, .base = base };
	return true;
}

/* The common end of a delivery: CS:RIP at the handler, RFLAGS as the CPU leaves them. */
SOFT_ES_INLINE void soft_es_enter_handler(struct vcpu *v, const struct vmcb_seg *cs, const struct soft_es_gate *g)
{
	struct vmcb_save *s = &v->vmcb->save;
	s->cs = *cs;
	s->rip = g->handler;
	u64 clear = RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM;
	if (g->type == SOFT_ES_GATE_INTR)
		clear |= RFLAGS_IF;
	s->rflags &= ~clear;
	v->vmcb->control.int_state &= ~(u32)SVM_INT_STATE_SHADOW;
	v->vmcb->control.clean_bits &= ~(u32)SOFT_ES_CLEAN_SEG;
}

/* Long mode, 64-bit or compatibility mode: 64-bit gate, 8-byte frame slots, RSP aligned to
 * 16 first (8.9.3), IST if the gate names one. From CPL 3 (a user program's CPUID, say) the
 * CPU switches to CPL 0: the stack is the IST one, else the TSS's RSP0, and SS becomes the
 * null selector with RPL 0 (8.9.3 "Interrupt Stack Frame", 8.9.4 "Stack Switching"). */
static bool soft_es_deliver_long(struct vcpu *v, u8 vector, u32 err)
{
	struct vmcb_save *s = &v->vmcb->save;
	struct soft_es_gate g;
	struct vmcb_seg cs;
	if (!soft_es_read_gate(v, vector, 16, &g) || !soft_es_gate_cs(v, g.selector, true, &cs) ||
	    !(cs.attrib & SVM_SEG_L) || (cs.attrib & SVM_SEG_DB))
		return false;
	u64 rsp = s->rsp;
	if (g.ist && !soft_es_read(v, SOFT_ES_PAGE_TSS, s->tr.base + SOFT_ES_TSS_IST1 + (g.ist - 1) * 8u, &rsp, 8))
		return false;
	if (!g.ist && s->cpl != 0 && !soft_es_read(v, SOFT_ES_PAGE_TSS, s->tr.base + SOFT_ES_TSS_RSP0, &rsp, 8))
		return false;
	rsp &= ~0xFULL;
	u64 frame[6] = { err, s->rip, s->cs.selector, s->rflags, s->rsp, s->ss.selector };
	rsp -= sizeof(frame);
	if (!soft_es_write(v, rsp, frame, sizeof(frame)))
		return false;
	s->rsp = rsp;
	if (s->cpl != 0) {
		s->ss = (struct vmcb_seg){ 0 };
		s->cpl = 0;
	}
	soft_es_enter_handler(v, &cs, &g);
	return true;
}

/* Legacy protected mode (paging on or off): 32-bit gate, 32-bit CS, frame of EFLAGS, CS, EIP
 * and the error code pushed on SS:ESP (8.7.3, figure 8-10 "Stack After Interrupt to Same
 * Privilege"). */
static bool soft_es_deliver_legacy(struct vcpu *v, u8 vector, u32 err)
{
	struct vmcb_save *s = &v->vmcb->save;
	struct soft_es_gate g;
	struct vmcb_seg cs;
	if (!(s->ss.attrib & SVM_SEG_DB) || (s->ss.attrib & SOFT_ES_SEG_EXPAND_DOWN))
		return false;
	if (!soft_es_read_gate(v, vector, 8, &g) || !soft_es_gate_cs(v, g.selector, false, &cs) ||
	    (cs.attrib & SVM_SEG_L) || !(cs.attrib & SVM_SEG_DB) || g.handler > cs.limit)
		return false;
	u32 frame[4] = { err, (u32)s->rip, s->cs.selector, (u32)s->rflags };
	u32 esp = (u32)s->rsp - (u32)sizeof(frame);
	if ((u32)s->rsp - 1 > s->ss.limit || esp > (u32)s->rsp)
		return false; /* beyond the stack segment, or wrapping: the CPU's #SS */
	if (!soft_es_write(v, (u32)(s->ss.base + esp), frame, sizeof(frame)))
		return false;
	s->rsp = esp;
	soft_es_enter_handler(v, &cs, &g);
	return true;
}

/* Delivers an exception with an error code the way the CPU would, in the guest's mode. */
static bool soft_es_deliver(struct vcpu *v, u8 vector, u32 err)
{
	const struct vmcb_save *s = &v->vmcb->save;
	if (!(s->cr0 & CR0_PE) || (s->rflags & RFLAGS_VM))
		return false;
	svm_gva_set_check(v, &v->model_pages);
	if (s->efer & EFER_LMA)
		return soft_es_deliver_long(v, vector, err);
	return s->cpl == 0 && soft_es_deliver_legacy(v, vector, err);
}

/* APM 15.35.5: #VC, error code = the exit code, RIP still at the instruction. */
enum soft_es_action soft_es_reflect_vc(struct vcpu *v)
{
	u64 code = v->vmcb->control.exit_code;
	soft_es_vc_count(v, code);
	if (log_enabled(LOG_DEBUG) && svm_exit_traced(v) < SOFT_ES_TRACE_FIRST)
		log_debug("guest %s vcpu%u: soft-es #VC(0x%llx) at RIP 0x%llx", v->vm->name, v->id,
			  (unsigned long long)code, (unsigned long long)vcpu_raw_reg(v, VCPU_RIP));
	if (!v->pending.pending && soft_es_deliver(v, SOFT_ES_VC_VECTOR, (u32)code))
		return SOFT_ES_RESUME;
	svm_queue_exception(v, SOFT_ES_VC_VECTOR, true, (u32)code);
	return SOFT_ES_RESUME;
}
