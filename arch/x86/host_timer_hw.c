/* See host_timer.h. The APIC timer counts the bus clock divided by 16 (SDM vol. 3A 11.5.4);
 * its rate is measured once against the TSC, whose rate sevisor calibrated at boot, over at
 * least 10 ms: from host_timer_init to host_timer_init_finish, so that the first guest's set-up
 * (zeroing its RAM, above all) fills the measurement instead of a busy wait. */
#include "arch/x86/host_timer.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"

/* Where the host's local APIC is (SDM vol. 3A 11.4.4, "Local APIC Status and Location"): its
 * base in IA32_APIC_BASE, and in x2APIC mode (EXTD set, which firmware of machines with many
 * CPUs leaves on) its registers are MSRs 0x800 + offset / 16 instead (11.12.1.2). */
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_ADDR_MASK 0x000FFFFFFFFFF000ULL
#define X2APIC_MSR_BASE 0x800
#define LAPIC_REG_EOI 0x0B0
#define LAPIC_REG_SVR 0x0F0
#define LAPIC_REG_LVT_TIMER 0x320
#define LAPIC_REG_TIMER_ICR 0x380
#define LAPIC_REG_TIMER_CCR 0x390
#define LAPIC_REG_TIMER_DCR 0x3E0
#define LAPIC_SVR_ENABLE BIT(8)
#define LAPIC_LVT_MASKED BIT(16)
#define LAPIC_DCR_DIV16 0x3
#define CALIBRATE_DIVISOR 100 /* measure over at least 10 ms of TSC */
#define NOT_ARMED (~0ULL)

static u64 g_tsc_hz, g_apic_hz;
__attribute__((visibility("hidden"))) u64 host_timer_armed = NOT_ARMED;
static volatile u64 g_fired;

static u64 g_lapic_mmio; /* 0: x2APIC mode */

static u32 lapic_read(u32 off)
{
	if (!g_lapic_mmio)
		return (u32)cpu_rdmsr(X2APIC_MSR_BASE + off / 16);
	return *(volatile u32 *)(uintptr_t)(g_lapic_mmio + off);
}

static void lapic_write(u32 off, u32 v)
{
	if (!g_lapic_mmio)
		cpu_wrmsr(X2APIC_MSR_BASE + off / 16, v);
	else
		*(volatile u32 *)(uintptr_t)(g_lapic_mmio + off) = v;
}

static void timer_hook(void)
{
	g_fired++;
	host_timer_armed = NOT_ARMED;
	lapic_write(LAPIC_REG_EOI, 0);
}

/* The measurement's start: the TSC and the count then. */
static u64 g_cal_tsc;
static u32 g_cal_count;

static void calibration_start(void)
{
	lapic_write(LAPIC_REG_TIMER_ICR, 0xFFFFFFFFu);
	g_cal_tsc = cpu_rdtsc();
	g_cal_count = lapic_read(LAPIC_REG_TIMER_CCR);
}

void host_timer_init(u64 tsc_hz)
{
	g_tsc_hz = tsc_hz;
	g_apic_hz = 0;
	u64 base = cpu_rdmsr(MSR_APIC_BASE);
	g_lapic_mmio = (base & APIC_BASE_EXTD) ? 0 : (base & APIC_BASE_ADDR_MASK);
	desc_set_timer_hook(timer_hook);
	lapic_write(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | VECTOR_SPURIOUS);
	lapic_write(LAPIC_REG_TIMER_DCR, LAPIC_DCR_DIV16);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
	calibration_start();
}

void host_timer_init_finish(void)
{
	if (g_apic_hz)
		return;
	u64 span = g_tsc_hz / CALIBRATE_DIVISOR;
	for (;;) {
		while (cpu_rdtsc() - g_cal_tsc < span)
			cpu_pause();
		u32 c1 = lapic_read(LAPIC_REG_TIMER_CCR);
		u64 t1 = cpu_rdtsc();
		if (c1 != 0) {
			g_apic_hz = (u64)(g_cal_count - c1) * g_tsc_hz / (t1 - g_cal_tsc);
			break;
		}
		/* The one-shot count ran out (over a minute since host_timer_init at a 1 GHz
		 * bus clock; it stops at 0): measure again. */
		calibration_start();
	}
	if (!g_apic_hz)
		g_apic_hz = 1;
	lapic_write(LAPIC_REG_TIMER_ICR, 0);
	lapic_write(LAPIC_REG_LVT_TIMER, VECTOR_TIMER); /* one-shot, unmasked */
}

void host_timer_rearm(u64 deadline)
{
	u64 now = cpu_rdtsc();
	u64 delta = deadline > now ? deadline - now : 0;
	/* At most one second ahead (then it is armed again): keeps the product below 2^64. */
	if (delta > g_tsc_hz)
		delta = g_tsc_hz;
	u64 count = delta * g_apic_hz / g_tsc_hz;
	host_timer_armed = deadline;
	lapic_write(LAPIC_REG_TIMER_ICR, count ? (u32)count : 1);
}

void host_timer_sleep_until(u64 deadline)
{
	if (cpu_rdtsc() >= deadline)
		return;
	host_timer_arm(deadline);
	cpu_wait_for_interrupt();
}

u64 host_timer_fired(void)
{
	return g_fired;
}
