/* Shadow EFER/CR0/CR4/CR8 per vCPU: the one owner of these values in every mode.
 *
 * Fed by events, one code path for plain, sev-es and soft-es (issue 4):
 *   - SEV-ES write traps (exit codes 0x8F EFER, 0x90 + n CRn): the write already took effect
 *     in the guest, so the value is recorded and never refused (APM vol. 2, 15.35.6);
 *   - plain-mode intercepts: MOV to CR0/CR3/CR4/CR8, CLTS, LMSW, WRMSR(EFER): the write has
 *     not happened yet, so the CPU's rules apply and a refused write becomes #GP;
 *   - the launch/reset state;
 *   - the VMCB after every #VMEXIT (cr_shadow_after_exit).
 *
 * Rules kept here (see ../shared/reference/ghcb-sev-facts.md section D):
 *   - EFER.LMA is inferred: LMA = LME && CR0.PG, recomputed on every change, never taken from a
 *     written value (APM vol. 2, 14.6.1). No trap ever reports LMA being set by the CPU.
 *   - EFER.SVME lives in the hardware EFER (VMCB save area / VMSA) only; every guest-visible
 *     value has it masked, and the EFER trap value (which includes it) is masked on entry.
 *   - CR8 and VMCB int_ctl V_TPR agree.
 *   - For an unprotected vCPU every change is mirrored into the VMCB save area (cr0, cr4, efer
 *     with SVME, cr3) with the matching VMCB clean bits cleared. For a protected vCPU the save
 *     area is never touched: its state lives in the encrypted VMSA (or behind the soft-es model).
 *
 * Transitions (real mode, protected mode, paging, long mode, 64-bit code, compatibility mode,
 * leaving long mode) are logged once each per vCPU at debug level. */
#ifndef SVM_CR_SHADOW_H
#define SVM_CR_SHADOW_H

#include "lib/types.h"

struct vcpu;

/* EFER bits (APM vol. 2, 3.1.7). */
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)
#define EFER_LMSLE BIT(13)
#define EFER_FFXSR BIT(14)
#define EFER_TCE BIT(15)

/* CR0 bits (APM vol. 2, 3.1.1). */
#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_AM BIT(18)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)
/* Bits 63:32 are reserved, MBZ: MOV CR0 with any of them set is #GP (APM vol. 2, 3.1.1). */
#define CR0_RESERVED_HIGH GENMASK(63, 32)
/* Bits 28:19, 17, 15:6 are reserved but ignored on write (no #GP); they read back as 0. */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
		     CR0_NW | CR0_CD | CR0_PG)
/* The bits LMSW can write (APM vol. 3, LMSW): PE, MP, EM, TS. */
#define CR0_LMSW_MASK (CR0_PE | CR0_MP | CR0_EM | CR0_TS)
/* CR0 after RESET/INIT: CD, NW, ET (APM vol. 2, 14.1.3 "Processor Initialization State"). */
#define CR0_RESET_VALUE (CR0_CD | CR0_NW | CR0_ET)

/* CR3 in long mode: bits 63:52 are reserved, MBZ (APM vol. 2, 3.1.2 / 5.3.2). */
#define CR3_LONG_RESERVED GENMASK(63, 52)
/* With CR4.PCIDE, bit 63 of a MOV to CR3 is the "don't flush" hint, not part of CR3. */
#define CR3_PCID_NOFLUSH BIT(63)
#define CR3_PCID_MASK GENMASK(11, 0)

/* CR4 bits (APM vol. 2, 3.1.3). */
#define CR4_VME BIT(0)
#define CR4_PVI BIT(1)
#define CR4_TSD BIT(2)
#define CR4_DE BIT(3)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_MCE BIT(6)
#define CR4_PGE BIT(7)
#define CR4_PCE BIT(8)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_UMIP BIT(11)
#define CR4_LA57 BIT(12)
#define CR4_FSGSBASE BIT(16)
#define CR4_PCIDE BIT(17)
#define CR4_OSXSAVE BIT(18)
#define CR4_SMEP BIT(20)
#define CR4_SMAP BIT(21)
#define CR4_PKE BIT(22)
#define CR4_CET BIT(23)
/* The CR4 bits every AMD64 CPU has (no CPUID feature needed beyond the long-mode baseline).
 * The default allowed mask until the caller passes the CPUID-derived one at reset. */
#define CR_SHADOW_CR4_BASELINE (CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | \
				CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT)

/* CR8 = TPR[3:0]; bits 63:4 are reserved, MBZ (APM vol. 2, 16.6.4). */
#define CR8_TPR_MASK 0xFULL

/* Transitions logged once per vCPU (struct cr_shadow.logged). */
enum {
	CR_SHADOW_LOGGED_REAL = BIT(0),
	CR_SHADOW_LOGGED_PROTECTED = BIT(1),
	CR_SHADOW_LOGGED_PAGING = BIT(2),
	CR_SHADOW_LOGGED_LONG = BIT(3),
	CR_SHADOW_LOGGED_64BIT = BIT(4),
	CR_SHADOW_LOGGED_COMPAT = BIT(5),
	CR_SHADOW_LOGGED_LEFT_LONG = BIT(6),
};

struct cr_shadow {
	u64 efer; /* guest-visible: SVME masked, LMA inferred */
	u64 cr0;
	u64 cr4;
	/* CR8 as sevisor last wrote it (commit_cr8, the APIC's TPR). A vCPU with a VMCB keeps its
	 * CR8 in V_TPR, which the guest's own CR8 writes change without an exit: read it with
	 * cr_shadow_get_cr8 (svm/cr_shadow_exit.h). */
	u64 cr8;
	/* CR4 bits the guest may set (from its CPUID, msr_cpuid_cr4_allowed()); set at reset. */
	u64 cr4_allowed;
	u32 logged; /* CR_SHADOW_LOGGED_* already printed */
	/* CS.L (as far as known) when the transitions were last checked: with it and the save
	 * area unchanged, cr_shadow_after_exit has nothing to do. */
	bool checked_cs_l;
	/* For the fetch cache's lean hit (svm_fetch_cache_at_visible, svm/emul/gva.h): moves on
	 * at every commit of CR0/CR4/EFER (commit, svm/cr_shadow.c), so an unchanged value means
	 * the shadow registers are those of then. 64 bits: it never wraps. */
	u64 gen;
};

/* The outcome of an event. */
enum cr_shadow_result {
	CR_SHADOW_DONE = 0,        /* recorded / carried out; the guest continues */
	CR_SHADOW_GP = 1,          /* plain mode: the CPU would refuse: inject #GP(0), nothing changed */
	CR_SHADOW_UNSUPPORTED = 2, /* not a register this module handles (e.g. a CR3 or CR5 trap):
				    * the caller decides (#UD or terminate); nothing changed */
};

/* A launch/reset state. LMA in efer is ignored (inferred); SVME is ignored (added in hardware). */
struct cr_shadow_regs {
	u64 efer;
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 cr8;
};

/* ---- the fixed contract with the MSR model (msr/efer.c) -------------------------------- */

/* Guest-visible EFER (LMA inferred, SVME hidden). */
u64 cr_shadow_get_efer(const struct vcpu *v);
/* Records a guest EFER write that the MSR model already validated (msr/efer.c): LMA is
 * re-inferred, SVME dropped; the hardware EFER (with SVME) is updated for unprotected vCPUs. */
void cr_shadow_set_efer(struct vcpu *v, u64 value);

/* ---- reset and launch -------------------------------------------------------------------- */

/* Resets the shadows. state NULL = architectural RESET (CR0 = CD|NW|ET, CR3 = CR4 = CR8 = 0,
 * EFER = 0); otherwise the given launch state (e.g. the Multiboot entry state CR0 = PE|ET,
 * EFER = 0). cr4_allowed: the CR4 bits the guest's CPUID allows; 0 = CR_SHADOW_CR4_BASELINE.
 * For an unprotected vCPU the VMCB save area (cr0, cr3, cr4, efer|SVME) and V_TPR are written. */
void cr_shadow_reset(struct vcpu *v, const struct cr_shadow_regs *state, u64 cr4_allowed);

/* Loads a complete, already validated state (svm/sregs.c, vcpu_sregs_set): same path as the
 * events (LMA inferred, SVME masked, VMCB mirrored for unprotected vCPUs, transitions logged). */
void cr_shadow_load(struct vcpu *v, u64 efer, u64 cr0, u64 cr4, u64 cr8);

/* The CR4 bits the guest may set: cr4_allowed, or CR_SHADOW_CR4_BASELINE while it is 0 (a vCPU
 * that was never reset). */
u64 cr_shadow_cr4_allowed(const struct vcpu *v);

/* Hardware EFER to put into the VMCB save area or the VMSA: guest-visible EFER | SVME. */
u64 cr_shadow_hw_efer(const struct vcpu *v);

/* ---- SEV-ES / soft-es write traps --------------------------------------------------------- */

/* True for the trap exit codes cr_shadow_trap records: 0x8F (EFER), 0x90 (CR0), 0x94 (CR4),
 * 0x98 (CR8). */
bool cr_shadow_is_trap(u64 exit_code);
/* Records a write trap (exit_info1 = the new value, already in effect). Never refuses:
 * returns CR_SHADOW_DONE, or CR_SHADOW_UNSUPPORTED for a CRn trap this module does not track. */
enum cr_shadow_result cr_shadow_trap(struct vcpu *v, u64 exit_code, u64 exit_info1);

/* ---- plain-mode intercepts (the write has not happened yet) ------------------------------- */

/* MOV to CRn, n in {0, 3, 4, 8}: value is the full source operand (the decoder truncates it
 * to 32 bits outside 64-bit mode). CR_SHADOW_GP if the CPU would refuse the write. */
enum cr_shadow_result cr_shadow_write_cr(struct vcpu *v, unsigned n, u64 value);
/* The state the CPU's MOV-to-CRn rules look at. efer is guest-visible (SVME ignored); cs_l
 * counts only when cs_known (a protected vCPU's CS is not visible to the hypervisor). */
struct cr_rule_state {
	u64 efer, cr0, cr3, cr4;
	u64 cr4_allowed;
	bool cs_known, cs_l;
};

/* The CPU's rules for a write of value to CRn (n = 0, 3, 4, 8) in the state now: NULL when
 * the write is allowed, else why it raises #GP. The one implementation of these rules: the
 * plain-mode intercepts apply it to the shadow state, the soft-es CPU model to the hardware
 * state it holds in the VMCB (a CPU never consults the hypervisor's bookkeeping). */
const char *cr_shadow_rule_refusal(const struct cr_rule_state *now, unsigned n, u64 value);
/* CLTS: clears CR0.TS. Never faults once intercepted (CPL was checked before the intercept). */
enum cr_shadow_result cr_shadow_clts(struct vcpu *v);
/* LMSW: loads CR0 bits 3:0 from the operand; cannot clear PE (APM vol. 3, LMSW). */
enum cr_shadow_result cr_shadow_lmsw(struct vcpu *v, u16 value);
/* Whether a write of value to CRn (old before it) changes how addresses translate, so that the
 * guest TLB must be flushed (the intercept paths above then set TLB_CONTROL = FLUSH_ALL for the
 * next VMRUN): any CR3 load; CR0.PG/PE/WP; CR4.PGE/PAE/PSE/PCIDE/SMEP/SMAP/PKE/LA57. */
bool cr_shadow_write_flushes_tlb(unsigned n, u64 old, u64 value);

/* ---- after every #VMEXIT ------------------------------------------------------------------ */

/* cr_shadow_after_exit, called by the run loop after each #VMEXIT, is inline in
 * svm/cr_shadow_exit.h (it needs struct vcpu). Its part for a save area that no longer holds
 * what the shadow mirrored (or a CS.L the transitions were not checked with): re-reads
 * CR0/CR4/EFER from it and logs new transitions. */
void cr_shadow_after_exit_changed(struct vcpu *v);

/* Name of a result, for logs. */
const char *cr_shadow_result_name(enum cr_shadow_result r);

#endif
