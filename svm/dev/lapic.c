/* A minimal software local APIC, one per vCPU (APM vol. 2, chapter 16): the xAPIC page at
 * 0xFEE00000 reached through NPT faults, never the real APIC passed through. ID, version, TPR
 * (coherent with CR8), LDR/DFR, SVR, ESR, LVTs and ICR are kept; ICR writes are logged (INIT
 * and SIPI to absent CPUs go nowhere); the timer is not modelled yet. */
#include "svm/dev/devices.h"
#include "svm/vcpu.h"
#include "lib/log.h"

enum {
	APIC_ID = 0x020, APIC_VERSION = 0x030, APIC_TPR = 0x080, APIC_APR = 0x090, APIC_PPR = 0x0A0,
	APIC_EOI = 0x0B0, APIC_LDR = 0x0D0, APIC_DFR = 0x0E0, APIC_SVR = 0x0F0, APIC_ISR0 = 0x100,
	APIC_IRR_END = 0x280, APIC_ESR = 0x280, APIC_ICR_LO = 0x300, APIC_ICR_HI = 0x310,
	APIC_LVT_TIMER = 0x320, APIC_LVT_LINT0 = 0x350, APIC_LVT_LINT1 = 0x360, APIC_LVT_ERROR = 0x370,
	APIC_TIMER_ICR = 0x380, APIC_TIMER_CCR = 0x390, APIC_TIMER_DCR = 0x3E0,
};

/* Version register: integrated APIC (0x10), highest LVT entry index 5 in bits 23:16. */
#define APIC_VERSION_VALUE 0x00050010u
#define APIC_LVT_MASKED BIT(16)
#define APIC_SVR_RESET 0xFFu
#define APIC_DFR_FLAT 0xFFFFFFFFu
#define APIC_ICR_DELIVERY_SHIFT 8
#define APIC_ICR_DELIVERY_MASK 7u

void dev_lapic_reset(struct dev_lapic *l, u32 apic_id)
{
	*l = (struct dev_lapic){
		.id = apic_id << 24,
		.dfr = APIC_DFR_FLAT,
		.svr = APIC_SVR_RESET,
		.lvt_timer = APIC_LVT_MASKED,
		.lvt_lint0 = APIC_LVT_MASKED,
		.lvt_lint1 = APIC_LVT_MASKED,
		.lvt_error = APIC_LVT_MASKED,
	};
}

/* TPR and CR8 are one register seen twice: CR8[3:0] = TPR[7:4] (APM vol. 2, 16.6.4), and
 * the hardware keeps CR8 in the VMCB's V_TPR. So TPR[7:4] is read from and written to V_TPR
 * (and the CR8 shadow); only TPR[3:0], which CR8 cannot express, is kept here. */
static struct vcpu *lapic_vcpu(struct vm *vm)
{
	return vm->nr_vcpus && vm->vcpus && vm->vcpus[0].vmcb ? &vm->vcpus[0] : NULL;
}

u32 dev_lapic_tpr(struct vm *vm)
{
	struct vcpu *v = lapic_vcpu(vm);
	u32 high = v ? (v->vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK) : (vm->devices->lapic.tpr >> 4);
	return (high << 4) | (vm->devices->lapic.tpr & 0xF);
}

void dev_lapic_set_tpr(struct vm *vm, u32 tpr)
{
	struct vcpu *v = lapic_vcpu(vm);
	vm->devices->lapic.tpr = tpr & 0xFF;
	if (v) {
		v->vmcb->control.int_ctl = (v->vmcb->control.int_ctl & ~(u32)SVM_INT_CTL_V_TPR_MASK) | ((tpr >> 4) & 0xF);
		v->cr.cr8 = (tpr >> 4) & 0xF;
	}
}

static const char *const delivery_names[8] = {
	"fixed", "lowest-priority", "SMI", "reserved", "NMI", "INIT", "SIPI", "reserved",
};

bool dev_lapic_mmio(struct vm *vm, u64 offset, unsigned size, bool write, u64 *val)
{
	struct dev_lapic *l = &vm->devices->lapic;
	/* Registers are 32 bits wide at 16-byte strides; other widths read/write the low dword. */
	(void)size;
	u32 reg = (u32)(offset & 0xFF0);
	if (!write) {
		u32 v = 0;
		switch (reg) {
		case APIC_ID: v = l->id; break;
		case APIC_VERSION: v = APIC_VERSION_VALUE; break;
		case APIC_TPR: v = dev_lapic_tpr(vm); break;
		case APIC_PPR: v = dev_lapic_tpr(vm) & 0xF0; break; /* nothing in service: PPR = TPR class */
		case APIC_LDR: v = l->ldr; break;
		case APIC_DFR: v = l->dfr; break;
		case APIC_SVR: v = l->svr; break;
		case APIC_ESR: v = l->esr; break;
		case APIC_ICR_LO: v = l->icr_lo & ~BIT(12); break; /* delivery status: idle */
		case APIC_ICR_HI: v = l->icr_hi; break;
		case APIC_LVT_TIMER: v = l->lvt_timer; break;
		case APIC_LVT_LINT0: v = l->lvt_lint0; break;
		case APIC_LVT_LINT1: v = l->lvt_lint1; break;
		case APIC_LVT_ERROR: v = l->lvt_error; break;
		case APIC_TIMER_ICR: v = l->timer_icr; break;
		case APIC_TIMER_DCR: v = l->timer_dcr; break;
		default: v = 0; break; /* ISR/TMR/IRR and APR read as zero: nothing pending */
		}
		*val = v;
		return true;
	}
	u32 v = (u32)*val;
	switch (reg) {
	case APIC_ID: l->id = v & 0xFF000000u; break;
	case APIC_TPR: dev_lapic_set_tpr(vm, v); break;
	case APIC_EOI: break;
	case APIC_LDR: l->ldr = v & 0xFF000000u; break;
	case APIC_DFR: l->dfr = v | 0x0FFFFFFFu; break;
	case APIC_SVR: l->svr = v & 0x13FF; break;
	case APIC_ESR: l->esr = l->esr_pending; l->esr_pending = 0; break; /* write latches errors */
	case APIC_ICR_HI: l->icr_hi = v & 0xFF000000u; break;
	case APIC_ICR_LO: {
		l->icr_lo = v;
		unsigned mode = (v >> APIC_ICR_DELIVERY_SHIFT) & APIC_ICR_DELIVERY_MASK;
		log_info("guest %s: APIC ICR write 0x%08x (%s, vector 0x%02x, destination 0x%02x): accepted, "
			 "no other CPU to deliver to", vm->name, v, delivery_names[mode], v & 0xFF, l->icr_hi >> 24);
		break;
	}
	case APIC_LVT_TIMER: l->lvt_timer = v & 0x700FF; break;
	case APIC_LVT_LINT0: l->lvt_lint0 = v & 0x1A7FF; break;
	case APIC_LVT_LINT1: l->lvt_lint1 = v & 0x1A7FF; break;
	case APIC_LVT_ERROR: l->lvt_error = v & 0x100FF; break;
	case APIC_TIMER_ICR: l->timer_icr = v; break;
	case APIC_TIMER_DCR: l->timer_dcr = v & 0xB; break;
	default: break; /* read-only registers ignore writes */
	}
	return true;
}
