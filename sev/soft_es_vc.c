/* The soft-es CPU's #VC: a non-automatic exit (class (a) of ghcb-sev-facts.md C.2) raised in
 * the guest as exception 29 with the exit code as error code and RIP still at the instruction
 * (APM vol. 2, 15.35.5), delivered by the model itself where it can (see below). See soft_es.h. */
#include "sev/soft_es.h"
#include "arch/x86/rflags.h"
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

#define SOFT_ES_INLINE static inline __attribute__((always_inline))

/* The frame of len bytes pushed at linear address lin is built where it goes: in the guest's
 * stack page through the STACK slot, or, when it crosses a page (or the page is not wholly
 * RAM), in buf, which soft_es_frame_done then writes page by page. */
SOFT_ES_INLINE u8 *soft_es_frame_at(struct vcpu *v, u64 lin, u8 *buf, u64 len)
{
	u8 *p = svm_gva_set_ptr(v, &v->model_pages, SOFT_ES_PAGE_STACK, lin, len);
	return p ? p : buf;
}

SOFT_ES_INLINE bool soft_es_frame_done(struct vcpu *v, u64 lin, const u8 *frame, const u8 *buf, u64 len)
{
	return frame != buf || svm_gva_write(v, lin, buf, len);
}

/* One frame slot; a legacy-mode stack need not be aligned. */
SOFT_ES_INLINE void soft_es_put64(u8 *frame, unsigned slot, u64 val)
{
	memcpy(frame + slot * 8, &val, 8);
}

/* The long-mode frame, from the top: SS, RSP, RFLAGS, CS, RIP, error code (8.9.3). */
#define SOFT_ES_FRAME64 (6 * 8)
SOFT_ES_INLINE void soft_es_frame64(u8 *frame, const struct vmcb_save *s, u32 err)
{
	soft_es_put64(frame, 0, err);
	soft_es_put64(frame, 1, s->rip);
	soft_es_put64(frame, 2, s->cs.selector);
	soft_es_put64(frame, 3, s->rflags);
	soft_es_put64(frame, 4, s->rsp);
	soft_es_put64(frame, 5, s->ss.selector);
}

SOFT_ES_INLINE void soft_es_put32(u8 *frame, unsigned slot, u32 val)
{
	memcpy(frame + slot * 4, &val, 4);
}

/* The gate's target: a present DPL 0 code segment in the GDT (APM vol. 2, 4.7, 4.8), as the
 * CPU loads it into CS. In 64-bit mode the base and limit of CS are ignored (4.8.1): the
 * delivery gives CS base 0 and limit 0xFFFFFFFF. */
static bool soft_es_decode_cs(u16 sel, u64 desc, bool long_mode, struct vmcb_seg *cs)
{
	u16 attrib = (u16)(((desc >> 40) & 0xFF) | (((desc >> 52) & 0xF) << 8));
	if (!(attrib & SVM_SEG_P) || !(attrib & SVM_SEG_S) || !(attrib & SOFT_ES_SEG_CODE) ||
	    ((attrib >> SVM_SEG_DPL_SHIFT) & 3) != 0)
		return false;
	if (long_mode) {
		*cs = (struct vmcb_seg){ .selector = sel, .attrib = attrib, .limit = 0xFFFFFFFF, .base = 0 };
		return (attrib & SVM_SEG_L) && !(attrib & SVM_SEG_DB);
	}
	u32 limit = (u32)((desc & 0xFFFF) | ((desc >> 32) & 0xF0000));
	if (attrib & SVM_SEG_G)
		limit = (limit << 12) | 0xFFF;
	u64 base = ((desc >> 16) & 0xFFFFFF) | (((desc >> 56) & 0xFF) << 24);
	*cs = (struct vmcb_seg){ .selector = sel, .attrib = attrib, .limit = limit, .base = base };
	return !(attrib & SVM_SEG_L) && (attrib & SVM_SEG_DB);
}

/* Decodes a gate and its code-segment descriptor into g (struct vcpu_vc_gate), which is valid
 * afterwards only if the model can deliver through them: a present interrupt or trap gate
 * (4.8.4; a legacy gate is the first 8 bytes of a long-mode one) into a 64-bit code segment in
 * long mode, a 32-bit one with the handler within its limit in legacy mode. The gate layout is
 * the one sevisor itself uses (arch/x86/desc.h). */
static bool soft_es_decode_gate(struct vcpu_vc_gate *g, const u64 raw[2], u64 desc, bool long_mode)
{
	struct idt_gate gate;
	memcpy(&gate, raw, sizeof(gate));
	g->valid = false;
	u8 type = gate.type_attr & SOFT_ES_GATE_TYPE_MASK;
	if (!(gate.type_attr & SOFT_ES_GATE_P) || (type != SOFT_ES_GATE_INTR && type != SOFT_ES_GATE_TRAP))
		return false;
	u64 handler = (u64)gate.offset_lo | ((u64)gate.offset_mid << 16) | (long_mode ? (u64)gate.offset_hi << 32 : 0);
	if (!soft_es_decode_cs(gate.selector, desc, long_mode, &g->cs) || (!long_mode && handler > g->cs.limit))
		return false;
	g->long_mode = long_mode;
	g->gate[0] = raw[0];
	g->gate[1] = raw[1];
	g->desc = desc;
	g->handler = handler;
	g->ist = long_mode ? gate.ist & 7 : 0;
	g->rflags_keep = ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM | (type == SOFT_ES_GATE_INTR ? RFLAGS_IF : 0));
	g->valid = true;
	return true;
}

/* One read of the gate or descriptor: in place through the set's slot, or, when that cannot
 * be (the bytes cross a page or are not wholly RAM), by a walk; *at is where it read, NULL
 * after a walk. */
SOFT_ES_INLINE bool soft_es_read_at(struct vcpu *v, enum soft_es_page which, u64 lin, void *dst, u64 len,
				    const u8 **at)
{
	*at = svm_gva_set_ptr(v, &v->model_pages, which, lin, len);
	if (!*at)
		return svm_gva_read(v, lin, dst, len);
	memcpy(dst, *at, len);
	return true;
}

/* The general way of soft_es_gate: the #VC gate and its code segment read as the CPU reads
 * them, decoded into v->vc_gate unless they are the bytes it holds already. NULL when the gate
 * lies beyond the IDT limit, its selector beyond the GDT limit or in the LDT, either cannot be
 * read, or the model cannot deliver through them (soft_es_decode_gate). Where both were read in
 * place, their host addresses are kept with what led there (the at_ fields): soft_es_gate_kept
 * reads them there next time. */
static __attribute__((noinline)) const struct vcpu_vc_gate *soft_es_gate_read(struct vcpu *v, unsigned size)
{
	const struct vmcb_save *s = &v->vmcb->save;
	struct vcpu_vc_gate *g = &v->vc_gate;
	g->at_gate = NULL;
	u64 raw[2] = { 0, 0 };
	const u8 *at_gate, *at_desc;
	const u32 vector = SOFT_ES_VC_VECTOR;
	if (vector * size + size - 1 > s->idtr.limit ||
	    !soft_es_read_at(v, SOFT_ES_PAGE_IDT, s->idtr.base + (u64)vector * size, raw, size, &at_gate))
		return NULL;
	u16 sel = (u16)(raw[0] >> 16); /* the selector: gate bytes 2-3 */
	u64 desc;
	if ((sel & 4) || (sel | 7u) > s->gdtr.limit ||
	    !soft_es_read_at(v, SOFT_ES_PAGE_GDT, s->gdtr.base + (sel & ~7u), &desc, 8, &at_desc))
		return NULL;
	bool long_mode = size == 16;
	bool same = g->valid && g->gate[0] == raw[0] && g->gate[1] == raw[1] && g->desc == desc &&
		    g->long_mode == long_mode;
	if (!same && !soft_es_decode_gate(g, raw, desc, long_mode))
		return NULL;
	if (at_gate && at_desc) {
		g->at_gate = at_gate;
		g->at_desc = at_desc;
		g->at_gen = v->model_pages.gen; /* after both slots are filled */
		g->at_idt_base = s->idtr.base;
		g->at_idt_limit = s->idtr.limit;
		g->at_gdt_base = s->gdtr.base;
		g->at_gdt_limit = s->gdtr.limit;
	}
	return g;
}

/* The #VC gate and its code segment, decoded (v->vc_gate), where the last delivery read them;
 * NULL when that is not known to give what the general way (soft_es_gate_read) would. With the
 * same IDTR and GDTR, and the set's pages as they were then (its generation unchanged since,
 * and the set found valid by this delivery, svm_gva_set_same), the general way would pass the
 * same limit checks and read the same host bytes, so they are read there and compared with the
 * decoded ones: equal bytes give the same decode. The gate size follows EFER.LMA, which the set
 * watches: a change empties it (a new generation), so a kept gate has the size of now.
 * Anything else - other bytes, a moved table, a slot refilled, a page-table, CR or EFER change -
 * is NULL. The kept addresses point into guest RAM, which stays mapped for the VM's life: they
 * are read before the generation is known to match, and every difference is gathered into one
 * test. Reads only. */
SOFT_ES_INLINE const struct vcpu_vc_gate *soft_es_gate_kept(const struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	const struct vcpu_vc_gate *g = &v->vc_gate;
	if (!g->at_gate)
		return NULL;
	u64 lo, hi = 0, desc;
	memcpy(&lo, g->at_gate, 8);
	if (g->long_mode)
		memcpy(&hi, g->at_gate + 8, 8);
	memcpy(&desc, g->at_desc, 8);
	u64 diff = (g->at_gen ^ v->model_pages.gen) | (g->at_idt_base ^ s->idtr.base) |
		   (u64)(g->at_idt_limit ^ s->idtr.limit) | (g->at_gdt_base ^ s->gdtr.base) |
		   (u64)(g->at_gdt_limit ^ s->gdtr.limit) | (lo ^ g->gate[0]) | (hi ^ g->gate[1]) |
		   (desc ^ g->desc);
	return diff ? NULL : g;
}

/* The #VC gate, decoded; size is 16 in long mode, 8 in legacy mode. The set was checked by
 * this delivery (soft_es_deliver). */
SOFT_ES_INLINE const struct vcpu_vc_gate *soft_es_gate(struct vcpu *v, unsigned size)
{
	const struct vcpu_vc_gate *g = soft_es_gate_kept(v);
	return g ? g : soft_es_gate_read(v, size);
}

/* The common end of a delivery: CS:RIP at the handler, RFLAGS as the CPU leaves them, the
 * interrupt shadow ended, and the guest's new IF in int_state (svm_soft_es_after_exit recorded
 * the old one before the model's work; a delivery is the only work of the model that changes
 * RFLAGS). */
SOFT_ES_INLINE void soft_es_enter_handler(struct vcpu *v, const struct vcpu_vc_gate *g)
{
	struct vmcb *vmcb = v->vmcb;
	u64 rflags = vmcb->save.rflags & g->rflags_keep;
	vmcb->save.cs = g->cs;
	vmcb->save.rip = g->handler;
	vmcb->save.rflags = rflags;
	vmcb->control.int_state = soft_es_int_state_if(vmcb->control.int_state & ~(u32)SVM_INT_STATE_SHADOW, rflags);
	vmcb->control.clean_bits &= ~(u32)SOFT_ES_CLEAN_SEG;
}

/* The TSS offset of the stack a long-mode delivery through g switches to: the gate's IST entry,
 * else RSP0 (8.9.4, 12.2.5). Used when g->ist or CPL != 0. */
SOFT_ES_INLINE u32 soft_es_tss_stack(const struct vcpu_vc_gate *g)
{
	return g->ist ? SOFT_ES_TSS_IST1 + (g->ist - 1) * 8u : SOFT_ES_TSS_RSP0;
}

/* The end of a long-mode delivery once the frame is written at rsp. */
SOFT_ES_INLINE void soft_es_enter_long(struct vcpu *v, const struct vcpu_vc_gate *g, u64 rsp)
{
	struct vmcb_save *s = &v->vmcb->save;
	s->rsp = rsp;
	if (s->cpl != 0) {
		s->ss = (struct vmcb_seg){ 0 };
		s->cpl = 0;
	}
	soft_es_enter_handler(v, g);
}

/* Long mode, 64-bit or compatibility mode: 64-bit gate, 8-byte frame slots, RSP aligned to
 * 16 first (8.9.3), IST if the gate names one. From CPL 3 (a user program's CPUID, say) the
 * CPU switches to CPL 0: the stack is the IST one, else the TSS's RSP0, and SS becomes the
 * null selector with RPL 0 (8.9.3 "Interrupt Stack Frame", 8.9.4 "Stack Switching"). */
static bool soft_es_deliver_long(struct vcpu *v, u32 err)
{
	struct vmcb_save *s = &v->vmcb->save;
	const struct vcpu_vc_gate *g = soft_es_gate(v, 16);
	if (!g)
		return false;
	u64 rsp = s->rsp;
	if (g->ist || s->cpl != 0) {
		u64 top; /* apart from rsp, so that rsp can stay in a register */
		if (!soft_es_read(v, SOFT_ES_PAGE_TSS, s->tr.base + soft_es_tss_stack(g), &top, 8))
			return false;
		rsp = top;
	}
	rsp = (rsp & ~0xFULL) - SOFT_ES_FRAME64;
	u8 buf[SOFT_ES_FRAME64];
	u8 *frame = soft_es_frame_at(v, rsp, buf, sizeof(buf));
	soft_es_frame64(frame, s, err);
	if (!soft_es_frame_done(v, rsp, frame, buf, sizeof(buf)))
		return false;
	soft_es_enter_long(v, g, rsp);
	return true;
}

/* Legacy protected mode (paging on or off): 32-bit gate, 32-bit CS, frame of EFLAGS, CS, EIP
 * and the error code pushed on SS:ESP (8.7.3, figure 8-10 "Stack After Interrupt to Same
 * Privilege"). */
static bool soft_es_deliver_legacy(struct vcpu *v, u32 err)
{
	struct vmcb_save *s = &v->vmcb->save;
	if (!(s->ss.attrib & SVM_SEG_DB) || (s->ss.attrib & SOFT_ES_SEG_EXPAND_DOWN))
		return false;
	const struct vcpu_vc_gate *g = soft_es_gate(v, 8);
	if (!g)
		return false;
	u8 buf[4 * 4];
	u32 esp = (u32)s->rsp - (u32)sizeof(buf);
	if ((u32)s->rsp - 1 > s->ss.limit || esp > (u32)s->rsp)
		return false; /* beyond the stack segment, or wrapping: the CPU's #SS */
	/* The frame, from the top: EFLAGS, CS, EIP, error code. */
	u32 lin = (u32)(s->ss.base + esp);
	u8 *frame = soft_es_frame_at(v, lin, buf, sizeof(buf));
	soft_es_put32(frame, 0, err);
	soft_es_put32(frame, 1, (u32)s->rip);
	soft_es_put32(frame, 2, s->cs.selector);
	soft_es_put32(frame, 3, (u32)s->rflags);
	if (!soft_es_frame_done(v, lin, frame, buf, sizeof(buf)))
		return false;
	s->rsp = esp;
	soft_es_enter_handler(v, g);
	return true;
}

/* Delivers #VC with its error code the way the CPU would, in the guest's mode. */
static bool soft_es_deliver(struct vcpu *v, u32 err)
{
	const struct vmcb_save *s = &v->vmcb->save;
	if (!(s->cr0 & CR0_PE) || (s->rflags & RFLAGS_VM))
		return false;
	svm_gva_set_check(v, &v->model_pages);
	if (s->efer & EFER_LMA)
		return soft_es_deliver_long(v, err);
	return s->cpl == 0 && soft_es_deliver_legacy(v, err);
}

/* ---- the kept way ------------------------------------------------------------------------
 * What it covers: the long-mode #VC whose every step the last delivery left kept: the set of
 * pages still valid (svm_gva_set_same), the gate and descriptor the kept ones
 * (soft_es_gate_kept), a long-mode gate, RFLAGS.VM clear, and the TSS stack word (when the gate
 * names an IST stack or CPL is not 0) and the frame each within the page its slot holds
 * (svm_gva_set_hit).
 * Why it is the general way (soft_es_deliver): with the set valid, CR0 and EFER are what they
 * were when the kept gate was decoded (no new generation since), so CR0.PE was set and EFER.LMA
 * is that of the gate's size; the general way would then find the set valid without emptying
 * it, take the same kept gate, read the TSS word and write the frame in place through the same
 * slots without filling them, and end the same way (soft_es_enter_long).
 * What goes to the general way, which then decides as before: anything else - a legacy-mode
 * guest, a page-table, CR, EFER, IDTR or GDTR change, other gate or descriptor bytes, a slot
 * that holds another page, a frame or TSS word across a page end. The kept way writes nothing
 * before its last test, so the general way starts from the same state. A leaf: no call. */
SOFT_ES_INLINE bool soft_es_deliver_kept(struct vcpu *v, u32 err)
{
	struct vmcb_save *s = &v->vmcb->save;
	const struct vcpu_page_set *set = &v->model_pages;
	const struct vcpu_vc_gate *g = soft_es_gate_kept(v);
	if (!g || !svm_gva_set_same(v, set) || !g->long_mode || (s->rflags & RFLAGS_VM))
		return false;
	u64 rsp = s->rsp;
	if (g->ist || s->cpl != 0) {
		const u8 *top = svm_gva_set_hit(set, SOFT_ES_PAGE_TSS, s->tr.base + soft_es_tss_stack(g), 8);
		if (!top)
			return false;
		memcpy(&rsp, top, 8);
	}
	rsp = (rsp & ~0xFULL) - SOFT_ES_FRAME64;
	u8 *frame = svm_gva_set_hit(set, SOFT_ES_PAGE_STACK, rsp, SOFT_ES_FRAME64);
	if (!frame)
		return false;
	soft_es_frame64(frame, s, err);
	soft_es_enter_long(v, g, rsp);
	return true;
}

/* The general way of soft_es_reflect_vc: the first exits' debug trace, then the delivery by
 * the model, else EVENTINJ. */
static __attribute__((noinline)) enum soft_es_action soft_es_reflect_general(struct vcpu *v, u64 code)
{
	if (log_enabled(LOG_DEBUG) && svm_exit_traced(v) < SOFT_ES_TRACE_FIRST)
		log_debug("guest %s vcpu%u: soft-es #VC(0x%llx) at RIP 0x%llx", v->vm->name, v->id,
			  (unsigned long long)code, (unsigned long long)vcpu_raw_reg(v, VCPU_RIP));
	if (!v->pending.pending && soft_es_deliver(v, (u32)code))
		return SOFT_ES_RESUME;
	svm_queue_exception(v, SOFT_ES_VC_VECTOR, true, (u32)code);
	return SOFT_ES_RESUME;
}

/* APM 15.35.5: #VC, error code = the exit code, RIP still at the instruction. Counted, then
 * delivered the kept way where it can (no event pending, no debug trace to write), else the
 * general way. */
enum soft_es_action soft_es_reflect_vc(struct vcpu *v)
{
	u64 code = v->vmcb->control.exit_code;
	soft_es_vc_count(v, code);
	if (__builtin_expect(!log_enabled(LOG_DEBUG) && !v->pending.pending, 1) && soft_es_deliver_kept(v, (u32)code))
		return SOFT_ES_RESUME;
	return soft_es_reflect_general(v, code);
}
