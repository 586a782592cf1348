/* HLT and interrupts: the local APIC timer (one-shot, periodic, TSC-deadline) and a self-IPI wake
 * a vCPU halted with `sti; hlt`; the TPR holds back an interrupt of a lower class (Intel SDM vol.
 * 3A 11.5.4, 11.8.3). The same program passes on bare QEMU, whose APIC times in the same 1 GHz
 * bus ticks. */
#include "rt.h"

#define APIC_BASE 0xFEE00000UL
#define APIC_TPR 0x080
#define APIC_EOI 0x0B0
#define APIC_SVR 0x0F0
#define APIC_ICR_LO 0x300
#define APIC_LVT_TIMER 0x320
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3E0
#define SVR_ENABLE 0x100
#define LVT_PERIODIC (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define TDCR_DIV1 0xB
#define ICR_SELF (1u << 18)
#define MSR_TSC_DEADLINE 0x6E0
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)
/* One vector per phase, so a tick still pending from one phase never counts in the next. */
#define ONESHOT_VECTOR 0x20 /* class 2 */
#define IPI_VECTOR 0x21
#define PERIODIC_VECTOR 0x22
#define DEADLINE_VECTOR 0x23
#define ONE_MS 1000000u /* bus ticks at 1 GHz */
#define PERIODIC_TICKS 5

static volatile u32 irqs[IRQ_COUNT];

static void apic_write(u32 reg, u32 v) { *(volatile u32 *)(APIC_BASE + reg) = v; }
static u32 apic_read(u32 reg) { return *(volatile u32 *)(APIC_BASE + reg); }

static void on_irq(struct exc_frame *f)
{
	irqs[f->vector - IRQ_FIRST]++;
	apic_write(APIC_EOI, 0);
}

static u32 count(u32 vector) { return irqs[vector - IRQ_FIRST]; }

static void sti_hlt(void) { asm volatile("sti; hlt; cli" ::: "memory"); }

int main(void)
{
	for (unsigned i = 0; i < IRQ_COUNT; i++)
		irq_handlers[i] = on_irq;
	apic_write(APIC_SVR, SVR_ENABLE | 0xFF);
	apic_write(APIC_TDCR, TDCR_DIV1);

	/* One-shot: 10 ms, then the count reads 0. */
	apic_write(APIC_LVT_TIMER, ONESHOT_VECTOR);
	u64 t0 = rdtsc();
	apic_write(APIC_TMICT, 10 * ONE_MS);
	sti_hlt();
	u64 t1 = rdtsc();
	reportf(count(ONESHOT_VECTOR) == 1, "hlt: one-shot timer woke sti;hlt (%u interrupt)", count(ONESHOT_VECTOR));
	report("hlt: the TSC moved on while halted", t1 - t0 >= 10 * ONE_MS / 2);
	report("hlt: one-shot current count reads 0 after expiry", apic_read(APIC_TMCCT) == 0);

	/* Periodic: several interrupts, each waking a HLT. */
	apic_write(APIC_LVT_TIMER, PERIODIC_VECTOR | LVT_PERIODIC);
	apic_write(APIC_TMICT, ONE_MS);
	unsigned halts = 0;
	while (count(PERIODIC_VECTOR) < PERIODIC_TICKS) {
		sti_hlt();
		halts++;
	}
	u32 cur = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0); /* stops the timer */
	/* A tick that comes due while the previous one is handled is taken right after its IRET
	 * (IF=1 again, before the CLI): fewer HLTs than ticks is then correct. */
	reportf(halts >= 1 && halts <= PERIODIC_TICKS, "hlt: periodic timer woke %u HLTs with %u ticks", halts,
		count(PERIODIC_VECTOR));
	report("hlt: periodic current count within the period", cur <= ONE_MS);

	/* TSC-deadline mode, when CPUID offers it. */
	if (cpuid(1).c & CPUID_1_ECX_TSC_DEADLINE) {
		apic_write(APIC_LVT_TIMER, DEADLINE_VECTOR | LVT_TSC_DEADLINE);
		wrmsr(MSR_TSC_DEADLINE, rdtsc() + 5 * ONE_MS);
		while (!count(DEADLINE_VECTOR))
			sti_hlt();
		reportf(count(DEADLINE_VECTOR) == 1, "hlt: TSC-deadline timer woke sti;hlt (%u interrupt)",
			count(DEADLINE_VECTOR));
		report("hlt: TSC_DEADLINE reads 0 once it fired", rdmsr(MSR_TSC_DEADLINE) == 0);
		apic_write(APIC_LVT_TIMER, DEADLINE_VECTOR | (1u << 16));
	} else {
		report_skip("hlt: TSC-deadline timer", "CPUID 1.ECX[24] clear");
	}

	/* A self-IPI sent with IF=0 waits in IRR, then wakes `sti; hlt` at once. */
	apic_write(APIC_ICR_LO, ICR_SELF | IPI_VECTOR);
	report("hlt: self-IPI held while IF=0", count(IPI_VECTOR) == 0);
	sti_hlt();
	report("hlt: pending self-IPI taken at sti;hlt", count(IPI_VECTOR) == 1);

	/* TPR class 2 holds back vector 0x21 (class 2) until the TPR drops (SDM 11.8.3.1). */
	apic_write(APIC_TPR, 0x20);
	apic_write(APIC_ICR_LO, ICR_SELF | IPI_VECTOR);
	asm volatile("sti; nop; nop; cli" ::: "memory");
	report("hlt: TPR 0x20 holds back vector 0x21", count(IPI_VECTOR) == 1);
	asm volatile("sti" ::: "memory");
	apic_write(APIC_TPR, 0);
	asm volatile("nop; cli" ::: "memory");
	report("hlt: lowering the TPR delivers it", count(IPI_VECTOR) == 2);
	return report_summary();
}
