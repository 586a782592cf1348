/* svm/dev/lapic.c: the local APIC state machine, driven through the xAPIC page as a guest does.
 *
 * Vectors: Intel SDM vol. 3A chapter 11 (xAPIC; AMD APM vol. 2 chapter 16 has the same layout):
 * register offsets (Table 11-1: TPR 0x80, PPR 0xA0, EOI 0xB0, LDR 0xD0, DFR 0xE0, SVR 0xF0, ISR
 * 0x100-0x170, TMR 0x180-0x1F0, IRR 0x200-0x270, ESR 0x280, ICR 0x300/0x310, LVT timer 0x320,
 * LINT0 0x350, LINT1 0x360, error 0x370, initial count 0x380, current count 0x390, divide 0x3E0);
 * vector v sits in bit v%32 of the register at base + (v/32)*0x10; 11.8.3.1 PPR = TPR if
 * TPR[7:4] >= ISRV[7:4], else ISRV & 0xF0, and an IRR vector is delivered only if its class is
 * above PPR[7:4]; 11.8.5 EOI retires the highest ISR bit; 11.5.3 ESR bit 5 send illegal vector,
 * bit 6 receive illegal vector (vectors 0-15); 11.5.4 Figure 11-10 divide configuration
 * 0000=2 0001=4 0010=8 0011=16 1000=32 1001=64 1010=128 1011=1, timer modes 00 one-shot, 01
 * periodic, 10 TSC-deadline; 11.5.4.1 IA32_TSC_DEADLINE reads 0 after it fired and the initial
 * count is ignored in that mode; 11.4.7.2 clearing SVR bit 8 masks every LVT; 11.6.1 ICR
 * delivery mode 100 = NMI, shorthand 01 = self; 11.6.2.2 logical flat model (DFR 0xF) matches
 * on any common LDR bit; 11.4.3 IA32_APIC_BASE.EN = 0 disables the APIC globally. MP spec 1.4 3.6.2.2: virtual wire mode, LINT0 ExtINT and LINT1 NMI. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/io.h"
#include "svm/dev/clock.h"
#include "svm/dev/intr.h"

#define APIC 0xFEE00000ULL
#define GHZ 1000000000ULL

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	sf_clock_start(0, GHZ); /* 1 bus tick = 1 TSC tick */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	sf_clock_stop();
	return 0;
}

static u32 rd(u32 reg)
{
	u64 v = 0;
	assert_true(svm_mmio(&f->vm, APIC + reg, 4, false, &v));
	return (u32)v;
}

static void wr(u32 reg, u32 val)
{
	u64 v = val;
	assert_true(svm_mmio(&f->vm, APIC + reg, 4, true, &v));
}

static bool irr_has(u8 vec) { return rd(0x200 + (vec / 32) * 0x10) & (1u << (vec % 32)); }
static bool isr_has(u8 vec) { return rd(0x100 + (vec / 32) * 0x10) & (1u << (vec % 32)); }

static void enable(void) { wr(0xF0, 0x1FF); }

static void reset_state_virtual_wire(void **state)
{
	(void)state;
	assert_int_equal(rd(0x320), 0x10000);  /* timer masked */
	assert_int_equal(rd(0x370), 0x10000);  /* error masked */
	assert_int_equal(rd(0x350), 0x700);    /* LINT0 ExtINT, unmasked */
	assert_int_equal(rd(0x360), 0x400);    /* LINT1 NMI */
	assert_true(dev_lapic_accepts_pic(&f->vm));
	assert_false(dev_intr_maskable_pending(&f->vm));
}

static void irr_register_layout(void **state)
{
	(void)state;
	enable();
	dev_lapic_accept(&f->vm, 0x31, false);
	assert_int_equal(rd(0x210), 1u << 17); /* 0x31 = 32 + 17 */
	dev_lapic_accept(&f->vm, 0xFF, true);
	assert_int_equal(rd(0x270), 1u << 31);
	assert_int_equal(rd(0x1F0), 1u << 31); /* level: TMR */
}

static void ppr_and_priority(void **state)
{
	(void)state;
	enable();
	wr(0x80, 0x20);
	assert_int_equal(rd(0xA0), 0x20);
	dev_lapic_accept(&f->vm, 0x25, false); /* class 2: not above PPR class 2 */
	assert_int_equal(dev_lapic_deliverable(&f->vm), -1);
	dev_lapic_accept(&f->vm, 0x31, false);
	assert_int_equal(dev_lapic_deliverable(&f->vm), 0x31);
	dev_lapic_ack(&f->vm, 0x31);
	assert_true(isr_has(0x31) && !irr_has(0x31));
	assert_int_equal(rd(0xA0), 0x30); /* ISRV class 3 beats TPR class 2 */
	wr(0x80, 0x5A);
	assert_int_equal(rd(0xA0), 0x5A); /* TPR class 5 >= ISRV class 3 */
	wr(0x80, 0);
	wr(0xB0, 0); /* EOI retires 0x31 */
	assert_false(isr_has(0x31));
	assert_int_equal(dev_lapic_deliverable(&f->vm), 0x25);
}

static void eoi_retires_highest_first(void **state)
{
	(void)state;
	enable();
	dev_lapic_accept(&f->vm, 0x30, false);
	dev_lapic_ack(&f->vm, 0x30);
	dev_lapic_accept(&f->vm, 0x50, false);
	assert_int_equal(dev_lapic_deliverable(&f->vm), 0x50); /* nests: class 5 > 3 */
	dev_lapic_ack(&f->vm, 0x50);
	dev_lapic_accept(&f->vm, 0x35, false);
	assert_int_equal(dev_lapic_deliverable(&f->vm), -1); /* class 3 under PPR 0x50 */
	wr(0xB0, 0);
	assert_true(isr_has(0x30) && !isr_has(0x50));
	assert_int_equal(dev_lapic_deliverable(&f->vm), -1); /* still class 3 in service */
	wr(0xB0, 0);
	assert_int_equal(dev_lapic_deliverable(&f->vm), 0x35);
}

static void illegal_vectors_set_esr(void **state)
{
	(void)state;
	enable();
	wr(0x370, 0xFE); /* error LVT unmasked, vector 0xFE */
	wr(0x300, (1u << 18) | 0x05); /* self-IPI, fixed, vector 5 */
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 1u << 5);
	assert_true(irr_has(0xFE));
	dev_lapic_accept(&f->vm, 3, false);
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 1u << 6);
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 0);
}

static void icr_self_nmi_and_logical(void **state)
{
	(void)state;
	enable();
	wr(0x310, 0);
	wr(0x300, 0x400); /* NMI, physical destination 0 = this APIC */
	assert_true(dev_intr_nmi_pending(&f->vm));
	dev_intr_nmi_ack(&f->vm);
	wr(0xD0, 0x01000000); /* logical ID bit 0, flat model */
	wr(0x310, 0x02000000);
	wr(0x300, 0x800 | 0x40); /* logical, fixed, vector 0x40 to logical 0x02 */
	assert_false(irr_has(0x40));
	wr(0x310, 0x03000000);
	wr(0x300, 0x800 | 0x40);
	assert_true(irr_has(0x40));
	wr(0x300, (3u << 18) | 0x41); /* all excluding self */
	assert_false(irr_has(0x41));
	wr(0x300, (2u << 18) | 0x41); /* all including self */
	assert_true(irr_has(0x41));
	assert_int_equal(rd(0x300) & (1u << 12), 0); /* delivery status idle */
}

static void timer_one_shot_and_divide(void **state)
{
	(void)state;
	enable();
	wr(0x3E0, 0xB); /* divide by 1 */
	wr(0x320, 0x30);
	wr(0x380, 1000);
	sf_clock_now = 400;
	assert_int_equal(rd(0x390), 600);
	dev_lapic_timer_tick(&f->vm, 999);
	assert_false(irr_has(0x30));
	dev_lapic_timer_tick(&f->vm, 1000);
	assert_true(irr_has(0x30));
	sf_clock_now = 1500;
	assert_int_equal(rd(0x390), 0);
	assert_int_equal(dev_lapic_next_deadline(&f->dev->lapic), LAPIC_NO_DEADLINE);
	/* Each divide encoding: 1000 ticks last divisor * 1000 TSC ticks. */
	static const struct { u32 dcr, div; } divs[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 }, { 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(divs); i++) {
		sf_clock_now = 10000;
		wr(0x3E0, divs[i].dcr);
		wr(0x380, 1000);
		assert_int_equal(dev_lapic_next_deadline(&f->dev->lapic), 10000 + 1000ULL * divs[i].div);
	}
}

static void timer_periodic_and_masked(void **state)
{
	(void)state;
	enable();
	wr(0x3E0, 0xB);
	wr(0x320, (1u << 17) | 0x30);
	wr(0x380, 1000);
	dev_lapic_timer_tick(&f->vm, 1000);
	assert_true(irr_has(0x30));
	dev_lapic_ack(&f->vm, 0x30);
	wr(0xB0, 0);
	assert_int_equal(dev_lapic_next_deadline(&f->dev->lapic), 2000);
	sf_clock_now = 1250;
	assert_int_equal(rd(0x390), 750);
	/* Masked: the count goes on, no interrupt. */
	wr(0x320, (1u << 17) | (1u << 16) | 0x30);
	dev_lapic_timer_tick(&f->vm, 2000);
	assert_false(irr_has(0x30));
	assert_int_equal(dev_lapic_next_deadline(&f->dev->lapic), 3000);
	/* Initial count 0 stops it. */
	wr(0x380, 0);
	assert_int_equal(dev_lapic_next_deadline(&f->dev->lapic), LAPIC_NO_DEADLINE);
}

static void timer_tsc_deadline(void **state)
{
	(void)state;
	enable();
	wr(0x320, (2u << 17) | 0x30);
	wr(0x380, 1000); /* ignored in TSC-deadline mode */
	assert_int_equal(rd(0x380), 0);
	dev_lapic_tsc_deadline_write(&f->vm, 5100, 5000); /* guest TSC runs 100 ahead */
	assert_int_equal(dev_lapic_tsc_deadline_read(&f->vm), 5100);
	assert_int_equal(dev_lapic_next_deadline(&f->dev->lapic), 5000);
	dev_lapic_timer_tick(&f->vm, 5000);
	assert_true(irr_has(0x30));
	assert_int_equal(dev_lapic_tsc_deadline_read(&f->vm), 0);
	/* Outside TSC-deadline mode the MSR write is ignored. */
	wr(0x320, 0x30);
	dev_lapic_tsc_deadline_write(&f->vm, 9000, 9000);
	assert_int_equal(dev_lapic_tsc_deadline_read(&f->vm), 0);
}

static void software_disable_masks_lvts(void **state)
{
	(void)state;
	enable();
	wr(0x320, 0x30);
	wr(0x370, 0x31);
	wr(0xF0, 0x0FF); /* bit 8 clear */
	assert_true(rd(0x320) & (1u << 16));
	assert_true(rd(0x350) & (1u << 16));
	assert_true(rd(0x360) & (1u << 16));
	assert_true(rd(0x370) & (1u << 16));
	wr(0x320, 0x30); /* cannot unmask while disabled */
	assert_true(rd(0x320) & (1u << 16));
	assert_false(dev_lapic_accepts_pic(&f->vm));
}

/* SDM 11.4.3: with IA32_APIC_BASE.EN clear the APIC is globally disabled and its page is gone. */
static void globally_disabled_page_reads_ones(void **state)
{
	(void)state;
	assert_int_equal(rd(0x30), 0x00050010);
	f->v.msr.apic_base &= ~(u64)MSR_APIC_BASE_EN;
	assert_int_equal(rd(0x30), 0xFFFFFFFF);
	wr(0x80, 0x50); /* dropped */
	assert_int_equal(f->vmcb->control.int_ctl & 0xF, 0);
	assert_true(dev_lapic_accepts_pic(&f->vm)); /* the PIC drives INTR directly */
	f->v.msr.apic_base |= MSR_APIC_BASE_EN;
	assert_int_equal(rd(0x30), 0x00050010);
}

/* SDM 11.4.4: IA32_APIC_BASE moves the APIC's page (kvm-unit-tests xapic uses 0xFED40000). */
static void relocated_base(void **state)
{
	(void)state;
	assert_int_equal(msr_write(&f->v, 0x1B, 0xFED40000ULL | MSR_APIC_BASE_EN | MSR_APIC_BASE_BSP), MSR_OK);
	u64 v = 0;
	assert_true(svm_mmio(&f->vm, 0xFED40030, 4, false, &v));
	assert_int_equal(v, 0x00050010);
	f->dev->unbacked_ignore = true; /* the old page is empty now */
	assert_true(svm_mmio(&f->vm, 0xFEE00030, 4, false, &v));
	assert_int_equal(v, 0xFFFFFFFF);
}

/* Switching one-shot <-> periodic keeps the count running (what kvm-unit-tests' apic
 * test_apic_change_mode checks against KVM); an expired one-shot stays at zero. */
static void mode_change_keeps_count(void **state)
{
	(void)state;
	enable();
	wr(0x3E0, 0xB);
	wr(0x320, 0x30);
	wr(0x380, 1000);
	sf_clock_now = 600;
	wr(0x320, (1u << 17) | 0x30); /* to periodic */
	assert_int_equal(rd(0x380), 1000);
	assert_int_equal(rd(0x390), 400);
	dev_lapic_timer_tick(&f->vm, 1000);
	assert_int_equal(dev_lapic_next_deadline(&f->dev->lapic), 2000); /* reloads: periodic now */
	wr(0x320, 0x30); /* back to one-shot mid-count */
	sf_clock_now = 1500;
	assert_int_equal(rd(0x390), 500);
	dev_lapic_timer_tick(&f->vm, 2000);
	assert_int_equal(dev_lapic_next_deadline(&f->dev->lapic), LAPIC_NO_DEADLINE);
	wr(0x320, (1u << 17) | 0x30);
	sf_clock_now = 2500;
	assert_int_equal(rd(0x390), 0); /* stays at zero */
	wr(0x320, (2u << 17) | 0x30); /* TSC-deadline: count cleared */
	assert_int_equal(rd(0x380), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(reset_state_virtual_wire),
		T(irr_register_layout),
		T(ppr_and_priority),
		T(eoi_retires_highest_first),
		T(illegal_vectors_set_esr),
		T(icr_self_nmi_and_logical),
		T(timer_one_shot_and_divide),
		T(timer_periodic_and_masked),
		T(timer_tsc_deadline),
		T(software_disable_masks_lvts),
		T(globally_disabled_page_reads_ones),
		T(relocated_base),
		T(mode_change_keeps_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
