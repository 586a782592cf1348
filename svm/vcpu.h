/* struct vcpu and the register accessors.
 *
 * The hypervisor proper reaches guest registers only through vcpu_reg_read/vcpu_reg_write.
 * They refuse for a vCPU whose state is protected (sev-es: the VMSA is encrypted; soft-es: the
 * software SEV-ES model hides it), so that a soft-es run proves sevisor never looks at state
 * it could not see on real hardware. Only the soft-es CPU model uses the raw accessors. */
#ifndef SVM_VCPU_H
#define SVM_VCPU_H

#include "lib/types.h"
#include "svm/vm.h"
#include "svm/vmcb.h"
#include "svm/cr_shadow.h"
#include "msr/msr_state.h"
#include "ghcb/ghcb_state.h"

/* Guest GPRs kept by the world switch; RAX and RSP live in the VMCB save area.
 * svm/world_switch.asm depends on this exact order (asserted below). */
struct svm_gprs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};
ASSERT_SIZE(struct svm_gprs, 14 * 8); /* vcpu_reg_slot indexes it as an array */
ASSERT_OFFSET(struct svm_gprs, rbx, 0x00);
ASSERT_OFFSET(struct svm_gprs, rcx, 0x08);
ASSERT_OFFSET(struct svm_gprs, rdx, 0x10);
ASSERT_OFFSET(struct svm_gprs, rsi, 0x18);
ASSERT_OFFSET(struct svm_gprs, rdi, 0x20);
ASSERT_OFFSET(struct svm_gprs, rbp, 0x28);
ASSERT_OFFSET(struct svm_gprs, r8, 0x30);
ASSERT_OFFSET(struct svm_gprs, r15, 0x68);

/* Register numbers in x86 ModRM order (0..15), then RIP and RFLAGS. */
enum vcpu_reg {
	VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX, VCPU_RSP, VCPU_RBP, VCPU_RSI, VCPU_RDI,
	VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11, VCPU_R12, VCPU_R13, VCPU_R14, VCPU_R15,
	VCPU_RIP, VCPU_RFLAGS,
	VCPU_NR_REGS
};
const char *vcpu_reg_name(enum vcpu_reg reg);

/* An event waiting to be injected on the next VMRUN (EVENTINJ format). */
struct svm_event {
	bool pending;
	u32 info;     /* vector, type, EV, V */
	u32 err_code;
};

/* The CPU's interrupt-acceptance state that the hypervisor keeps for it (svm/event.c). */
struct svm_intr_state {
	/* The four flags that keep the run loop off its kept quiet entry come first, so that
	 * svm_quiet_entry_holds (svm/quiet_entry.h) answers "any of them set" with one load and
	 * test of `word`; nmi_masked, after them, does not block it. iret_step blocks it so that
	 * an exit after a kept entry never has an IRET step to end (the run loop's lean exit side,
	 * svm_event_after_exit_lean). Who sets and clears each flag is unchanged. */
	union {
		struct {
			bool halted;      /* HLT executed and nothing deliverable since (APM vol. 3, HLT) */
			bool step_tf;     /* that IRET (iret_step) single-stepped by sevisor's RFLAGS.TF (plain vCPUs) */
			bool window_open; /* protected vCPU: the last exit was the virtual-interrupt window */
			bool iret_step;   /* the IRET ending NMI blocking runs; the exit after it unmasks */
		};
		u32 word;
	};
	bool nmi_masked; /* an NMI was delivered and its IRET has not completed (APM 8.2.3) */
};
ASSERT_OFFSET(struct svm_intr_state, halted, 0);
ASSERT_OFFSET(struct svm_intr_state, step_tf, 1);
ASSERT_OFFSET(struct svm_intr_state, window_open, 2);
ASSERT_OFFSET(struct svm_intr_state, iret_step, 3);
ASSERT_OFFSET(struct svm_intr_state, nmi_masked, 4);
_Static_assert(sizeof(bool) == 1, "svm_intr_state: one byte per flag in word");

/* The guest paging entries one page walk read (svm/emul/gva.c), as the aligned 8-byte words
 * of host memory that hold them and their values then (a 4-byte entry of 32-bit paging brings
 * its neighbour along: a change there only costs a new walk). A walk that read fewer than
 * VCPU_WALK_MAX entries fills the rest with a constant word, so that the check on every use
 * compares all VCPU_WALK_MAX words with no loop and no per-entry size. */
#define VCPU_WALK_MAX 4
struct vcpu_walk {
	const void *entry[VCPU_WALK_MAX];
	u64 value[VCPU_WALK_MAX];
	u8 n;         /* entries recorded */
	bool lost;    /* an entry could not be recorded: the walk cannot be kept */
};

/* One guest page's translation, kept (svm/emul/gva.c): the page of the last instruction
 * fetch (the soft-es model's #VC delivery keeps its pages in a struct vcpu_page_set). It is
 * reused only while the control registers the walk depends on and every entry the walk read
 * still hold the same values, so it always equals a new walk (which sets no accessed bits and
 * has no other side effect). */
struct vcpu_page_cache {
	u64 cr0, cr3, cr4, efer; /* the VMCB's, as the walk read them */
	u64 lin_page;            /* linear address of the page */
	const u8 *host;          /* the whole page, in host memory; NULL: nothing kept */
	struct vcpu_walk walk;
	/* For the lean hit of a visible vCPU (svm_fetch_cache_lean, svm/emul/gva.h): lin_page when,
	 * at the walk (or at a later full hit after a commit), the VMCB's CR0/CR4/EFER and CS.L
	 * equalled the shadow's (checked_cs_l) and the code was 64-bit but for RFLAGS.VM (CR0.PE,
	 * EFER.LMA, CS.L), so that RIP is the linear address; VCPU_FETCH_LEAN_NONE when not;
	 * VCPU_FETCH_LEAN_STALE from a commit of the shadow's CR0/CR4/EFER (svm/cr_shadow.c), which
	 * may change them, until the next full hit notes the page again. Both are non-canonical
	 * page addresses: no 64-bit RIP lies in their page. A page here means a full cache (host
	 * and walk set), so the lean hit does not test host: the walk sets it NONE before it
	 * empties the cache and notes it after it fills it, and a vCPU's cr_shadow_reset (before
	 * its first entry) commits, which turns the zeroed struct's page 0 into STALE. */
	u64 lean_page;
};
#define VCPU_FETCH_LEAN_NONE 0x8000000000000000ULL
#define VCPU_FETCH_LEAN_STALE 0x8000000000010000ULL

/* Page translations kept together and validated together (svm/emul/gva_set.c): one page per
 * slot (the soft-es model's #VC delivery: IDT, GDT, TSS, stack), and the union of the paging
 * entries their walks read, each once (pages near each other share the upper levels). A use
 * first checks the control registers and every entry in the union against the guest's now,
 * once for all slots; a slot whose page changes drops the entries only it used. So a kept page
 * always equals a new walk, at the cost of one compare per distinct entry. */
#define VCPU_SET_PAGES 4
#define VCPU_SET_ENTRIES (VCPU_SET_PAGES * VCPU_WALK_MAX)
struct vcpu_page_set {
	u64 cr0, cr3, cr4, efer;             /* the VMCB's when the set was last emptied */
	u64 lin_page[VCPU_SET_PAGES];        /* linear address of each slot's page */
	u8 *host[VCPU_SET_PAGES];            /* the page in host memory; NULL: the slot is empty */
	const void *entry[VCPU_SET_ENTRIES]; /* the distinct paging entries the slots' walks read */
	u64 value[VCPU_SET_ENTRIES];         /* ... their values then */
	u8 users[VCPU_SET_ENTRIES];          /* ... bit n: slot n's walk read it */
	u8 nr_entries;
	/* Moves on whenever a slot's page may change (the set emptied, a slot filled): a host
	 * address taken through a slot stays the slot's while gen and the check say so (the #VC
	 * delivery's kept gate, struct vcpu_vc_gate). 64 bits: it never wraps. */
	u64 gen;
};
_Static_assert(VCPU_SET_PAGES <= 8, "users holds one bit per slot");

/* The gate the soft-es model last delivered #VC through, decoded with its code segment
 * (sev/soft_es_vc.c). The decode is a function of the gate's bytes, the code-segment
 * descriptor's bytes and the gate size alone, so a delivery that reads the same bytes reuses
 * it; only a gate the model can deliver through is kept. */
struct vcpu_vc_gate {
	bool valid;
	bool long_mode;  /* a 16-byte long-mode gate, else an 8-byte legacy one */
	u64 gate[2];     /* the gate's bytes (an 8-byte gate: gate[1] = 0) */
	u64 desc;        /* the code-segment descriptor's bytes */
	u64 handler;     /* what the CPU loads: RIP, CS, the IST index, RFLAGS as the gate type leaves them */
	struct vmcb_seg cs;
	u8 ist;
	u64 rflags_keep; /* RFLAGS bits kept: all but TF, NT, RF, VM, and IF for an interrupt gate */
	/* Where those bytes were read (soft_es_gate): host addresses through the model_pages IDT
	 * and GDT slots, for the IDTR, GDTR and set generation below; at_gate NULL: not kept (a
	 * read that crossed a page or was not wholly RAM, or no gate decoded). */
	const u8 *at_gate, *at_desc;
	u64 at_gen;
	u64 at_idt_base, at_gdt_base;
	u32 at_idt_limit, at_gdt_limit;
};

#define VCPU_EXIT_SLOTS 0x100 /* counters for exit codes 0x000..0x0FF */
#define VCPU_EXIT_SLOT_NPF 0x100
#define VCPU_EXIT_SLOT_VMGEXIT 0x101
#define VCPU_EXIT_SLOT_OTHER 0x102
#define VCPU_EXIT_COUNTERS 0x103
#define VCPU_INJECT_VECTORS 32 /* exception vectors 0..31 */
#define VCPU_VC_SLOTS 27 /* soft-es #VC counts: sev/soft_es_vc_counts.c holds the table */

struct vcpu {
	struct svm_gprs gprs;
	struct vm *vm;
	u32 id;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u8 *vmsa; /* sev-es only */
	u64 vmsa_pa;
	/* Set once the guest's state is encrypted (sev-es) or hidden by the soft-es model. */
	bool state_protected;

	struct cr_shadow cr;   /* svm/cr_shadow.c */
	struct msr_state msr;  /* msr/ */
	struct ghcb_state ghcb; /* ghcb/ */

	u64 xcr0; /* plain mode: the guest XCR0 sevisor reports in CPUID 0xD */
	struct svm_event pending;
	struct svm_intr_state intr;
	struct vcpu_page_cache fetch;
	/* The soft-es model's exception delivery: IDT, GDT, TSS and stack pages (sev/soft_es_vc.c). */
	struct vcpu_page_set model_pages;
	struct vcpu_vc_gate vc_gate;
	u64 exit_counts[VCPU_EXIT_COUNTERS]; /* their sum is the total: vcpu_exits_total */
	/* Exceptions sevisor injected (svm_queue_exception), per vector, and exits the soft-es
	 * model handled itself (traced, not counted in exit_counts: they never reach the handlers). */
	u64 inject_counts[VCPU_INJECT_VECTORS];
	u64 injects_total;
	u64 model_exits;
	u32 vc_counts[VCPU_VC_SLOTS]; /* #VC the soft-es model raised, by exit code */
};

/* Where each register lives: the VMCB save area for RAX/RSP/RIP/RFLAGS, svm_gprs otherwise.
 * Inline, so that a handler's accessor with a constant register folds to one load or store:
 * the accessors are on every exit's path. NULL for a number that is no register. */
static inline u64 *vcpu_reg_slot(struct vcpu *v, enum vcpu_reg reg)
{
	/* svm_gprs index of each ModRM register number (RAX and RSP are in the VMCB). */
	static const u8 gpr_index[16] = { 0, 1, 2, 0, 0, 5, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13 };
	switch (reg) {
	case VCPU_RAX: return &v->vmcb->save.rax;
	case VCPU_RSP: return &v->vmcb->save.rsp;
	case VCPU_RIP: return &v->vmcb->save.rip;
	case VCPU_RFLAGS: return &v->vmcb->save.rflags;
	default:
		return (unsigned)reg < 16 ? &((u64 *)&v->gprs)[gpr_index[reg]] : NULL;
	}
}

/* Logs a refusal: protected state, or no such register. */
void vcpu_reg_refuse(struct vcpu *v, enum vcpu_reg reg, const char *what);

/* Every exit that reached the hypervisor: the sum of exit_counts (each exit counts in exactly
 * one slot), summed when asked (the summary, the debug trace) instead of counted per exit. */
u64 vcpu_exits_total(const struct vcpu *v);

/* Guarded accessors: false (and a logged refusal) when the state is protected. */
static inline bool vcpu_reg_read(struct vcpu *v, enum vcpu_reg reg, u64 *out)
{
	u64 *p = vcpu_reg_slot(v, reg);
	if (v->state_protected || !p) {
		vcpu_reg_refuse(v, reg, "read");
		return false;
	}
	*out = *p;
	return true;
}

static inline bool vcpu_reg_write(struct vcpu *v, enum vcpu_reg reg, u64 val)
{
	u64 *p = vcpu_reg_slot(v, reg);
	if (v->state_protected || !p) {
		vcpu_reg_refuse(v, reg, "write");
		return false;
	}
	*p = val;
	return true;
}

/* vcpu_reg_read for handlers that go on either way: the value, or 0 after a logged refusal. */
static inline u64 vcpu_reg(struct vcpu *v, enum vcpu_reg reg)
{
	u64 x = 0;
	vcpu_reg_read(v, reg, &x);
	return x;
}

/* For a handler on a hot path: it asks once, on entry, whether the state is visible
 * (vcpu_state_visible: not protected), sends a protected vCPU down its guarded path, and then
 * reaches the registers with vcpu_visible_reg/vcpu_visible_set_reg, which skip the per-access
 * check (repeated, it cost two instructions per access, as the compiler cannot tell that a
 * register store leaves state_protected alone). Nothing else may call them. */
static inline bool vcpu_state_visible(const struct vcpu *v)
{
	return !__builtin_expect(v->state_protected, 0);
}

static inline __attribute__((always_inline)) u64 vcpu_visible_reg(struct vcpu *v, enum vcpu_reg reg)
{
	return *vcpu_reg_slot(v, reg);
}

static inline __attribute__((always_inline)) void vcpu_visible_set_reg(struct vcpu *v, enum vcpu_reg reg, u64 val)
{
	*vcpu_reg_slot(v, reg) = val;
}

/* Raw accessors: only for code that plays the CPU (the soft-es model, the world switch
 * set-up, guest loaders before launch). */
static inline u64 vcpu_raw_reg(struct vcpu *v, enum vcpu_reg reg)
{
	u64 *p = vcpu_reg_slot(v, reg);
	return p ? *p : 0;
}

static inline void vcpu_raw_set_reg(struct vcpu *v, enum vcpu_reg reg, u64 val)
{
	u64 *p = vcpu_reg_slot(v, reg);
	if (p)
		*p = val;
}

#endif
