/* The software local APIC (xAPIC), one per vCPU: registers, interrupt acceptance and priority,
 * EOI, self-IPIs and NMIs through the ICR, LINT0 ExtINT from the PIC, and the timer in one-shot,
 * periodic and TSC-deadline modes (Intel SDM vol. 3A chapter 11, APM vol. 2 chapter 16).
 *
 * Time is the host TSC (dev_clock_now); the timer's bus clock is derived from it, so a timer
 * deadline is a host TSC value the run loop can sleep until. */
#ifndef SVM_DEV_LAPIC_H
#define SVM_DEV_LAPIC_H

#include "lib/types.h"
#include "svm/vcpu.h"

#define LAPIC_BASE_DEFAULT 0xFEE00000ULL
#define LAPIC_VECTOR_WORDS 8 /* 256 vectors as 8 x 32 bits, the layout of IRR/ISR/TMR */
#define LAPIC_NO_DEADLINE (~0ULL)

/* LVT fields (SDM vol. 3A, Figure 11-8). */
#define LAPIC_LVT_VECTOR_MASK 0xFFu
#define LAPIC_LVT_MODE_SHIFT 8
#define LAPIC_LVT_MODE_MASK (7u << LAPIC_LVT_MODE_SHIFT)
#define LAPIC_LVT_MODE_FIXED (0u << LAPIC_LVT_MODE_SHIFT)
#define LAPIC_LVT_MODE_NMI (4u << LAPIC_LVT_MODE_SHIFT)
#define LAPIC_LVT_MODE_EXTINT (7u << LAPIC_LVT_MODE_SHIFT)
#define LAPIC_LVT_MASKED BIT(16)
#define LAPIC_LVT_TIMER_MODE_SHIFT 17
#define LAPIC_LVT_TIMER_MODE_MASK (3u << LAPIC_LVT_TIMER_MODE_SHIFT)
#define LAPIC_TIMER_ONESHOT 0u
#define LAPIC_TIMER_PERIODIC 1u
#define LAPIC_TIMER_TSC_DEADLINE 2u

struct dev_lapic {
	u32 id, tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi;
	u32 lvt_timer, lvt_lint0, lvt_lint1, lvt_error;
	u32 irr[LAPIC_VECTOR_WORDS], isr[LAPIC_VECTOR_WORDS], tmr[LAPIC_VECTOR_WORDS];
	/* Timer: initial count, divide configuration, and the armed deadline (host TSC). */
	u32 timer_icr, timer_dcr;
	u64 timer_start, timer_deadline, timer_period; /* deadline LAPIC_NO_DEADLINE = idle */
	u64 tsc_deadline; /* IA32_TSC_DEADLINE as the guest wrote it (guest TSC), 0 = disarmed */
};

/* The timer's bus clock: 1 GHz (what QEMU's APIC uses), or the TSC rate if that is slower, so a
 * count of N bus ticks never takes fewer than N TSC ticks. */
#define LAPIC_BUS_HZ_MAX 1000000000ULL
u64 dev_lapic_bus_hz(void);

/* Architectural reset; the BSP's LINT0/LINT1 are left in virtual-wire mode (ExtINT, NMI), as a
 * PC BIOS leaves them (MP spec 3.6.2.2) and as KVM resets them. */
void dev_lapic_reset(struct dev_lapic *l, u32 apic_id, bool bsp);
/* MMIO handler for the xAPIC page; offset within the page. */
bool dev_lapic_mmio(struct vm *vm, u64 offset, unsigned size, bool write, u64 *val);
/* TPR coherence with CR8 (CR8[3:0] = TPR[7:4], APM vol. 2, 16.6.4). */
u32 dev_lapic_tpr(struct vm *vm);
void dev_lapic_set_tpr(struct vm *vm, u32 tpr);
u32 dev_lapic_ppr(struct vm *vm);

/* An interrupt arriving at the APIC (fixed delivery): sets IRR (and TMR for level). Vectors
 * 0-15 are illegal: ESR bit 6 (received illegal vector), nothing accepted (SDM 11.5.3). */
void dev_lapic_accept(struct vm *vm, u8 vector, bool level);
/* The highest-priority vector in IRR whose class beats the PPR, or -1 (SDM 11.8.3.1). */
int dev_lapic_deliverable(struct vm *vm);
/* INTA: the vector moves from IRR to ISR (SDM 11.8.4). */
void dev_lapic_ack(struct vm *vm, u8 vector);
/* LINT0 passes the PIC's INTR on (ExtINT, unmasked), or the APIC is disabled in APIC_BASE and
 * the PIC drives INTR directly. */
bool dev_lapic_accepts_pic(struct vm *vm);

/* The vCPU this APIC belongs to, once it has a VMCB (NULL before: the APIC model alone). */
static inline struct vcpu *dev_lapic_vcpu(struct vm *vm)
{
	return vm->nr_vcpus && vm->vcpus && vm->vcpus[0].vmcb ? &vm->vcpus[0] : NULL;
}
/* What delivery and ExtINT acceptance read outside struct dev_lapic: V_TPR (TPR[7:4], kept in
 * the VMCB) and APIC_BASE.EN, as one value to compare (svm/dev/intr.h keeps its summary while
 * it is unchanged). Inline: compared before every VMRUN. */
static inline u64 dev_lapic_outside_inputs_of(const struct vcpu *v)
{
	return (v->vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK) | (v->msr.apic_base & MSR_APIC_BASE_EN);
}
static inline u64 dev_lapic_outside_inputs(struct vm *vm)
{
	const struct vcpu *v = dev_lapic_vcpu(vm);
	return v ? dev_lapic_outside_inputs_of(v) : 0;
}

/* Timer: fires what is due at `now` (host TSC), and the next deadline (LAPIC_NO_DEADLINE). */
void dev_lapic_timer_tick(struct vm *vm, u64 now);
u64 dev_lapic_next_deadline(const struct dev_lapic *l);
/* IA32_TSC_DEADLINE (SDM 11.5.4.1): guest TSC value; host = guest - tsc_offset. */
u64 dev_lapic_tsc_deadline_read(struct vm *vm);
void dev_lapic_tsc_deadline_write(struct vm *vm, u64 guest_tsc, u64 host_tsc);

#endif
