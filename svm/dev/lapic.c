/* The software local APIC, one per vCPU (Intel SDM vol. 3A chapter 11, APM vol. 2 chapter 16):
 * the xAPIC page at 0xFEE00000 reached through NPT faults, never the real APIC passed through.
 * Interrupts are accepted into IRR, delivered by the run loop (svm/event.c) when their class
 * beats the PPR, and retired by EOI. The ICR delivers to this CPU only (fixed, lowest priority
 * and NMI); INIT and SIPI are logged, with no other CPU to go to. */
#include "svm/dev/lapic.h"
#include "svm/dev/clock.h"
#include "svm/dev/devices.h"
#include "svm/dev/intr.h"
#include "svm/vcpu.h"
#include "msr/msr_index.h"
#include "lib/log.h"

enum {
	APIC_ID = 0x020, APIC_VERSION = 0x030, APIC_TPR = 0x080, APIC_APR = 0x090, APIC_PPR = 0x0A0,
	APIC_EOI = 0x0B0, APIC_LDR = 0x0D0, APIC_DFR = 0x0E0, APIC_SVR = 0x0F0, APIC_ISR0 = 0x100,
	APIC_TMR0 = 0x180, APIC_IRR0 = 0x200, APIC_ESR = 0x280, APIC_ICR_LO = 0x300,
	APIC_ICR_HI = 0x310, APIC_LVT_TIMER = 0x320, APIC_LVT_LINT0 = 0x350, APIC_LVT_LINT1 = 0x360,
	APIC_LVT_ERROR = 0x370, APIC_TIMER_ICR = 0x380, APIC_TIMER_CCR = 0x390, APIC_TIMER_DCR = 0x3E0,
};

/* Version register: integrated APIC (0x10), highest LVT entry index 5 in bits 23:16. */
#define APIC_VERSION_VALUE 0x00050010u
#define APIC_SVR_RESET 0xFFu
#define APIC_SVR_ENABLE BIT(8)
#define APIC_SVR_WRITABLE 0x13FFu /* vector, enable, focus (bit 9), EOI suppression (bit 12) */
#define APIC_DFR_FLAT 0xFFFFFFFFu
#define APIC_DFR_MODEL_CLUSTER 0x0u
#define APIC_ICR_DELIVERY_SHIFT 8
#define APIC_ICR_DELIVERY_MASK 7u
#define APIC_ICR_LOGICAL BIT(11)
#define APIC_ICR_BUSY BIT(12)
#define APIC_ICR_LEVEL BIT(15)
#define APIC_ICR_SHORTHAND_SHIFT 18
#define APIC_ICR_WRITABLE 0x000CDFFFu
#define APIC_BROADCAST 0xFFu
/* ESR bits (SDM 11.5.3). */
#define APIC_ESR_SEND_ILLEGAL BIT(5)
#define APIC_ESR_RECV_ILLEGAL BIT(6)
#define APIC_ESR_ILLEGAL_REG BIT(7)
/* Writable bits per LVT (SDM Figure 11-8): timer has mode 18:17, LINTs have polarity, remote
 * IRR (read-only) and trigger mode, error has only vector and mask. */
#define LVT_TIMER_WRITABLE 0x000710FFu
#define LVT_LINT_WRITABLE 0x0001A7FFu
#define LVT_ERROR_WRITABLE 0x000100FFu
#define VECTOR_FIRST_LEGAL 16

enum icr_delivery { ICR_FIXED = 0, ICR_LOWEST = 1, ICR_SMI = 2, ICR_NMI = 4, ICR_INIT = 5, ICR_SIPI = 6 };
enum icr_shorthand { SH_NONE = 0, SH_SELF = 1, SH_ALL_INCL_SELF = 2, SH_ALL_EXCL_SELF = 3 };

static const char *const delivery_names[8] = {
	"fixed", "lowest-priority", "SMI", "reserved", "NMI", "INIT", "SIPI", "ExtINT",
};

static struct dev_lapic *lapic(struct vm *vm)
{
	return &vm->devices->lapic;
}

u64 dev_lapic_bus_hz(void)
{
	u64 hz = dev_clock_hz();
	return hz < LAPIC_BUS_HZ_MAX ? hz : LAPIC_BUS_HZ_MAX;
}

void dev_lapic_reset(struct dev_lapic *l, u32 apic_id, bool bsp)
{
	*l = (struct dev_lapic){
		.id = apic_id << 24,
		.dfr = APIC_DFR_FLAT,
		.svr = APIC_SVR_RESET,
		.lvt_timer = LAPIC_LVT_MASKED,
		.lvt_lint0 = bsp ? LAPIC_LVT_MODE_EXTINT : LAPIC_LVT_MASKED,
		.lvt_lint1 = bsp ? LAPIC_LVT_MODE_NMI : LAPIC_LVT_MASKED,
		.lvt_error = LAPIC_LVT_MASKED,
		.timer_deadline = LAPIC_NO_DEADLINE,
	};
}

/* ---- vector bitmaps (IRR/ISR/TMR: bit v of 256, 32 per register) ---------------------------- */

static void vec_set(u32 *map, u8 v) { map[v / 32] |= 1u << (v % 32); }
static void vec_clear(u32 *map, u8 v) { map[v / 32] &= ~(1u << (v % 32)); }

static int vec_highest(const u32 *map)
{
	for (int w = LAPIC_VECTOR_WORDS - 1; w >= 0; w--)
		if (map[w])
			return w * 32 + 31 - __builtin_clz(map[w]);
	return -1;
}

/* ---- TPR, PPR ------------------------------------------------------------------------------ */

/* TPR and CR8 are one register seen twice: CR8[3:0] = TPR[7:4] (APM vol. 2, 16.6.4), and
 * the hardware keeps CR8 in the VMCB's V_TPR. So TPR[7:4] is read from and written to V_TPR
 * (and the CR8 shadow); only TPR[3:0], which CR8 cannot express, is kept here. */
u32 dev_lapic_tpr(struct vm *vm)
{
	struct vcpu *v = dev_lapic_vcpu(vm);
	u32 high = v ? (v->vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK) : (lapic(vm)->tpr >> 4);
	return (high << 4) | (lapic(vm)->tpr & 0xF);
}

void dev_lapic_set_tpr(struct vm *vm, u32 tpr)
{
	struct vcpu *v = dev_lapic_vcpu(vm);
	lapic(vm)->tpr = tpr & 0xFF;
	dev_intr_changed(vm);
	if (v) {
		v->vmcb->control.int_ctl = (v->vmcb->control.int_ctl & ~(u32)SVM_INT_CTL_V_TPR_MASK) | ((tpr >> 4) & 0xF);
		v->cr.cr8 = (tpr >> 4) & 0xF;
	}
}

/* PPR (SDM 11.8.3.1): the TPR if its class is at least that of the highest in-service vector,
 * else that vector's class. */
u32 dev_lapic_ppr(struct vm *vm)
{
	u32 tpr = dev_lapic_tpr(vm);
	int isrv = vec_highest(lapic(vm)->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xF0;
	return (tpr & 0xF0) >= isr_class ? tpr : isr_class;
}

/* ---- acceptance and delivery --------------------------------------------------------------- */

static bool sw_enabled(const struct dev_lapic *l)
{
	return l->svr & APIC_SVR_ENABLE;
}

static void raise_error(struct vm *vm, u32 esr_bit)
{
	struct dev_lapic *l = lapic(vm);
	l->esr_pending |= esr_bit;
	u8 vec = l->lvt_error & LAPIC_LVT_VECTOR_MASK;
	/* An error LVT with an illegal vector would raise another error: it is dropped instead. */
	if (!(l->lvt_error & LAPIC_LVT_MASKED) && vec >= VECTOR_FIRST_LEGAL)
		dev_lapic_accept(vm, vec, false);
}

void dev_lapic_accept(struct vm *vm, u8 vector, bool level)
{
	struct dev_lapic *l = lapic(vm);
	if (vector < VECTOR_FIRST_LEGAL) {
		raise_error(vm, APIC_ESR_RECV_ILLEGAL);
		return;
	}
	vec_set(l->irr, vector);
	dev_intr_changed(vm);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
}

int dev_lapic_deliverable(struct vm *vm)
{
	int v = vec_highest(lapic(vm)->irr);
	if (v < 0 || ((u32)v & 0xF0) <= (dev_lapic_ppr(vm) & 0xF0))
		return -1;
	return v;
}

void dev_lapic_ack(struct vm *vm, u8 vector)
{
	struct dev_lapic *l = lapic(vm);
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
	dev_intr_changed(vm);
}

bool dev_lapic_accepts_pic(struct vm *vm)
{
	struct vcpu *v = dev_lapic_vcpu(vm);
	if (v && !(v->msr.apic_base & MSR_APIC_BASE_EN))
		return true; /* hardware-disabled APIC: the PIC drives the CPU's INTR pin itself */
	u32 lint0 = lapic(vm)->lvt_lint0;
	return !(lint0 & LAPIC_LVT_MASKED) && (lint0 & LAPIC_LVT_MODE_MASK) == LAPIC_LVT_MODE_EXTINT;
}

static void eoi(struct vm *vm)
{
	struct dev_lapic *l = lapic(vm);
	int v = vec_highest(l->isr);
	if (v >= 0)
		vec_clear(l->isr, (u8)v); /* a level EOI would go on to an I/O APIC: there is none */
	dev_intr_changed(vm);
}

/* ---- ICR ------------------------------------------------------------------------------------ */

/* Does a destination (no shorthand) name this APIC? Physical: its ID or broadcast; logical flat:
 * any common bit with LDR; logical cluster: same cluster (or broadcast) and a common member bit
 * (SDM 11.6.2). */
static bool icr_targets_self(const struct dev_lapic *l, u32 lo, u8 dest)
{
	u8 id = (u8)(l->id >> 24), ldr = (u8)(l->ldr >> 24);
	if (!(lo & APIC_ICR_LOGICAL))
		return dest == id || dest == APIC_BROADCAST;
	if (dest == APIC_BROADCAST)
		return true;
	if ((l->dfr >> 28) == APIC_DFR_MODEL_CLUSTER)
		return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xF);
	return dest & ldr;
}

static void icr_send(struct vm *vm, u32 lo)
{
	struct dev_lapic *l = lapic(vm);
	unsigned mode = (lo >> APIC_ICR_DELIVERY_SHIFT) & APIC_ICR_DELIVERY_MASK;
	unsigned shorthand = (lo >> APIC_ICR_SHORTHAND_SHIFT) & 3;
	u8 dest = (u8)(l->icr_hi >> 24);
	u8 vector = lo & 0xFF;
	bool to_self = shorthand == SH_SELF || shorthand == SH_ALL_INCL_SELF ||
		       (shorthand == SH_NONE && icr_targets_self(l, lo, dest));
	if ((mode == ICR_FIXED || mode == ICR_LOWEST) && vector < VECTOR_FIRST_LEGAL) {
		raise_error(vm, APIC_ESR_SEND_ILLEGAL);
		return;
	}
	if (to_self && (mode == ICR_FIXED || mode == ICR_LOWEST)) {
		dev_lapic_accept(vm, vector, false);
		return;
	}
	if (to_self && mode == ICR_NMI) {
		vm->devices->nmi_pending = true;
		return;
	}
	if (shorthand == SH_ALL_EXCL_SELF && (mode == ICR_INIT || mode == ICR_SIPI))
		return; /* start-up IPIs to APs that do not exist: what a lone CPU's kernel sends */
	log_info("guest %s: APIC ICR write 0x%08x (%s, vector 0x%02x, destination 0x%02x): accepted, "
		 "no other CPU to deliver to", vm->name, lo, delivery_names[mode], vector, dest);
}

/* ---- timer ---------------------------------------------------------------------------------- */

static unsigned timer_mode(const struct dev_lapic *l)
{
	return (l->lvt_timer & LAPIC_LVT_TIMER_MODE_MASK) >> LAPIC_LVT_TIMER_MODE_SHIFT;
}

/* Divide configuration (SDM Figure 11-10): bits 3,1,0 give 2^(n+1), 111 meaning 1. */
static u64 timer_divisor(const struct dev_lapic *l)
{
	unsigned n = ((l->timer_dcr >> 1) & 4) | (l->timer_dcr & 3);
	return n == 7 ? 1 : 2ULL << n;
}

static u64 ticks_to_tsc(const struct dev_lapic *l, u64 count)
{
	return dev_clock_scale(count * timer_divisor(l), dev_clock_hz(), dev_lapic_bus_hz());
}

static void timer_stop(struct dev_lapic *l)
{
	l->timer_deadline = LAPIC_NO_DEADLINE;
	l->timer_period = 0;
}

static void timer_start(struct dev_lapic *l, u64 now)
{
	timer_stop(l);
	if (!l->timer_icr)
		return;
	l->timer_start = now;
	l->timer_period = ticks_to_tsc(l, l->timer_icr);
	if (!l->timer_period)
		l->timer_period = 1;
	l->timer_deadline = now + l->timer_period;
}

/* Current count: what is left of the period in bus ticks; 0 once a one-shot count ran out and
 * always in TSC-deadline mode (SDM 11.5.4). */
static u32 timer_ccr(const struct dev_lapic *l, u64 now)
{
	if (timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE || l->timer_deadline == LAPIC_NO_DEADLINE ||
	    now >= l->timer_deadline)
		return 0;
	u64 ticks = dev_clock_scale(l->timer_deadline - now, dev_lapic_bus_hz(), dev_clock_hz()) / timer_divisor(l);
	return ticks > l->timer_icr ? l->timer_icr : (u32)ticks;
}

void dev_lapic_timer_tick(struct vm *vm, u64 now)
{
	struct dev_lapic *l = lapic(vm);
	if (l->timer_deadline == LAPIC_NO_DEADLINE || now < l->timer_deadline)
		return;
	/* A masked timer still counts; only the interrupt is suppressed (SDM 11.5.1). */
	if (!(l->lvt_timer & LAPIC_LVT_MASKED))
		dev_lapic_accept(vm, l->lvt_timer & LAPIC_LVT_VECTOR_MASK, false);
	switch (timer_mode(l)) {
	case LAPIC_TIMER_PERIODIC:
		/* Reload; a host that fell behind by several periods delivers one interrupt for them,
		 * as an edge-triggered IRR bit would collect them anyway. */
		l->timer_deadline += l->timer_period;
		if (l->timer_deadline <= now)
			l->timer_deadline = now + l->timer_period;
		break;
	case LAPIC_TIMER_TSC_DEADLINE:
		l->tsc_deadline = 0; /* the MSR reads 0 once the deadline has passed (SDM 11.5.4.1) */
		timer_stop(l);
		break;
	default:
		timer_stop(l);
		break;
	}
}

u64 dev_lapic_next_deadline(const struct dev_lapic *l)
{
	return l->timer_deadline;
}

u64 dev_lapic_tsc_deadline_read(struct vm *vm)
{
	return lapic(vm)->tsc_deadline;
}

void dev_lapic_tsc_deadline_write(struct vm *vm, u64 guest_tsc, u64 host_tsc)
{
	struct dev_lapic *l = lapic(vm);
	/* Writes outside TSC-deadline mode are ignored (SDM 11.5.4.1); 0 disarms. */
	if (timer_mode(l) != LAPIC_TIMER_TSC_DEADLINE)
		return;
	l->tsc_deadline = guest_tsc;
	devices_reprogrammed(vm);
	timer_stop(l);
	if (guest_tsc)
		l->timer_deadline = host_tsc;
}

/* ---- registers ------------------------------------------------------------------------------ */

static void write_lvt_timer(struct dev_lapic *l, u32 v)
{
	bool was_deadline = timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE;
	l->lvt_timer = v & LVT_TIMER_WRITABLE;
	/* Entering or leaving TSC-deadline mode disarms the timer and clears its count and
	 * deadline (KVM's rule; the SDM leaves it open). Between one-shot and periodic the count
	 * goes on from where it is, and the new mode decides what happens at zero. */
	if ((timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE) != was_deadline) {
		timer_stop(l);
		l->timer_icr = 0;
		l->tsc_deadline = 0;
	}
}

static void write_svr(struct dev_lapic *l, u32 v)
{
	l->svr = v & APIC_SVR_WRITABLE;
	if (!sw_enabled(l)) {
		/* Software disable masks every LVT (SDM 11.4.7.2). */
		l->lvt_timer |= LAPIC_LVT_MASKED;
		l->lvt_lint0 |= LAPIC_LVT_MASKED;
		l->lvt_lint1 |= LAPIC_LVT_MASKED;
		l->lvt_error |= LAPIC_LVT_MASKED;
	}
}

static u32 read_reg(struct vm *vm, u32 reg)
{
	struct dev_lapic *l = lapic(vm);
	if (reg >= APIC_ISR0 && reg < APIC_ESR) {
		unsigned idx = (reg - APIC_ISR0) / 0x10;
		const u32 *maps[3] = { l->isr, l->tmr, l->irr };
		return maps[idx / LAPIC_VECTOR_WORDS][idx % LAPIC_VECTOR_WORDS];
	}
	switch (reg) {
	case APIC_ID: return l->id;
	case APIC_VERSION: return APIC_VERSION_VALUE;
	case APIC_TPR: return dev_lapic_tpr(vm);
	case APIC_PPR: return dev_lapic_ppr(vm);
	case APIC_LDR: return l->ldr;
	case APIC_DFR: return l->dfr;
	case APIC_SVR: return l->svr;
	case APIC_ESR: return l->esr;
	case APIC_ICR_LO: return l->icr_lo & ~APIC_ICR_BUSY; /* sent at once: never busy */
	case APIC_ICR_HI: return l->icr_hi;
	case APIC_LVT_TIMER: return l->lvt_timer;
	case APIC_LVT_LINT0: return l->lvt_lint0;
	case APIC_LVT_LINT1: return l->lvt_lint1;
	case APIC_LVT_ERROR: return l->lvt_error;
	case APIC_TIMER_ICR: return l->timer_icr;
	case APIC_TIMER_CCR: return timer_ccr(l, dev_clock_now());
	case APIC_TIMER_DCR: return l->timer_dcr;
	default: return 0; /* APR and reserved registers */
	}
}

static u32 lvt_value(const struct dev_lapic *l, u32 v, u32 writable)
{
	/* While the APIC is software-disabled the mask bits cannot be cleared (SDM 11.4.7.2). */
	return (v & writable) | (sw_enabled(l) ? 0 : LAPIC_LVT_MASKED);
}

static void write_reg(struct vm *vm, u32 reg, u32 v)
{
	struct dev_lapic *l = lapic(vm);
	switch (reg) {
	case APIC_ID: l->id = v & 0xFF000000u; break;
	case APIC_TPR: dev_lapic_set_tpr(vm, v); break;
	case APIC_EOI: eoi(vm); break;
	case APIC_LDR: l->ldr = v & 0xFF000000u; break;
	case APIC_DFR: l->dfr = v | 0x0FFFFFFFu; break;
	case APIC_SVR: write_svr(l, v); dev_intr_changed(vm); break; /* may mask LINT0 */
	case APIC_ESR: l->esr = l->esr_pending; l->esr_pending = 0; break; /* a write latches errors */
	case APIC_ICR_HI: l->icr_hi = v & 0xFF000000u; break;
	case APIC_ICR_LO:
		l->icr_lo = v & APIC_ICR_WRITABLE;
		icr_send(vm, l->icr_lo);
		break;
	case APIC_LVT_TIMER: write_lvt_timer(l, lvt_value(l, v, LVT_TIMER_WRITABLE)); break;
	case APIC_LVT_LINT0:
		l->lvt_lint0 = lvt_value(l, v, LVT_LINT_WRITABLE);
		dev_intr_changed(vm); /* ExtINT acceptance */
		break;
	case APIC_LVT_LINT1: l->lvt_lint1 = lvt_value(l, v, LVT_LINT_WRITABLE); break;
	case APIC_LVT_ERROR: l->lvt_error = lvt_value(l, v, LVT_ERROR_WRITABLE); break;
	case APIC_TIMER_ICR:
		/* In TSC-deadline mode the initial count is ignored (SDM 11.5.4.1). */
		if (timer_mode(l) != LAPIC_TIMER_TSC_DEADLINE) {
			l->timer_icr = v;
			timer_start(l, dev_clock_now());
		}
		break;
	case APIC_TIMER_DCR: l->timer_dcr = v & 0xB; break;
	default: break; /* read-only registers ignore writes */
	}
}

bool dev_lapic_mmio(struct vm *vm, u64 offset, unsigned size, bool write, u64 *val)
{
	/* Registers are 32 bits wide at 16-byte strides; other widths read/write the low dword. */
	(void)size;
	struct vcpu *v = dev_lapic_vcpu(vm);
	if (v && !(v->msr.apic_base & MSR_APIC_BASE_EN)) {
		/* Globally disabled (APIC_BASE.EN = 0, SDM 11.4.3): the page is no longer the APIC's;
		 * like a bus with nothing on it, reads give all ones and writes are dropped. */
		if (!write)
			*val = 0xFFFFFFFFu;
		return true;
	}
	u32 reg = (u32)(offset & 0xFF0);
	if (!write)
		*val = read_reg(vm, reg);
	else
		write_reg(vm, reg, (u32)*val);
	return true;
}
