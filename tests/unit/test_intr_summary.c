/* The kept answer of dev_intr_maskable_pending (svm/dev/intr.h): each test asks once, so the
 * answer is kept, then changes one thing the answer depends on through the path the guest or a
 * device would take, and asks again. Each test fails if that path's invalidation is removed.
 *
 * Rules the expected answers come from: Intel SDM vol. 3A 11.8.3.1 (a fixed interrupt is
 * delivered when its priority class, vector[7:4], is above the PPR's; PPR = TPR when TPR[7:4] is
 * at least the highest in-service vector's class, else that class), 11.8.4 (INTA moves the vector
 * from IRR to ISR), 11.8.5 (EOI retires the highest ISR bit), 11.4.7.2 (software disable, SVR
 * bit 8 clear, masks every LVT), 11.4.3 (APIC_BASE.EN = 0: the APIC is off and the 8259's INTR
 * reaches the CPU directly), Figure 11-8 (LVT mask bit 16, delivery mode 10:8 = 111b ExtINT);
 * APM vol. 2 16.6.4 (CR8[3:0] = TPR[7:4]); the 8259A data sheet (OCW1 = IMR, OCW3 poll: the
 * next read is the poll word 0x80 | IR and acknowledges the request). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/intr.h"
#include "svm/dev/io.h"

#define APIC_PAGE 0xFEE00000ULL
#define APIC_TPR 0x080
#define APIC_EOI 0x0B0
#define APIC_SVR 0x0F0
#define APIC_LVT_LINT0 0x350
#define SVR_ENABLED 0x1FF
#define SVR_DISABLED 0x0FF
#define LINT0_EXTINT 0x700
#define LINT0_EXTINT_MASKED 0x10700
#define MSR_APIC_BASE_ENABLE (1u << 11)
#define PIC_MASTER_CMD 0x20
#define PIC_MASTER_DATA 0x21
#define OCW3_POLL 0x0C
#define POLL_VALID 0x80

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	return 0;
}

static void apic_write(u32 reg, u32 value)
{
	u64 v = value;
	assert_true(svm_mmio(&f->vm, APIC_PAGE + reg, 4, true, &v));
}

static bool pending(void)
{
	return dev_intr_maskable_pending(&f->vm);
}

/* The answer worked out from scratch, without the kept one. */
static bool pending_fresh(void)
{
	return (dev_lapic_accepts_pic(&f->vm) && dev_pic_output(&f->vm)) || dev_lapic_deliverable(&f->vm) >= 0;
}

/* ---- the local APIC ------------------------------------------------------------------------ */

static void irr_accept(void **state)
{
	(void)state;
	apic_write(APIC_SVR, SVR_ENABLED);
	assert_false(pending());
	dev_lapic_accept(&f->vm, 0x30, false);
	assert_true(pending());
}

static void inta_moves_to_isr(void **state)
{
	(void)state;
	apic_write(APIC_SVR, SVR_ENABLED);
	dev_lapic_accept(&f->vm, 0x30, false);
	assert_true(pending());
	assert_int_equal(dev_intr_maskable_ack(&f->vm), 0x30);
	assert_false(pending());
}

static void eoi_unblocks_same_class(void **state)
{
	(void)state;
	apic_write(APIC_SVR, SVR_ENABLED);
	dev_lapic_accept(&f->vm, 0x30, false);
	assert_int_equal(dev_intr_maskable_ack(&f->vm), 0x30);
	dev_lapic_accept(&f->vm, 0x35, false); /* class 3, as the one in service */
	assert_false(pending());
	apic_write(APIC_EOI, 0);
	assert_true(pending());
}

/* With the vCPU, TPR[7:4] lives in V_TPR and is compared; without one (the APIC model alone)
 * the whole TPR is the register's, and only the invalidation tells. */
static void tpr_register_without_vcpu(void **state)
{
	(void)state;
	f->vm.nr_vcpus = 0;
	apic_write(APIC_SVR, SVR_ENABLED);
	apic_write(APIC_TPR, 0x40);
	dev_lapic_accept(&f->vm, 0x30, false);
	assert_false(pending());
	apic_write(APIC_TPR, 0x20);
	assert_true(pending());
}

static void tpr_register(void **state)
{
	(void)state;
	apic_write(APIC_SVR, SVR_ENABLED);
	dev_lapic_accept(&f->vm, 0x30, false);
	assert_true(pending());
	apic_write(APIC_TPR, 0x30);
	assert_false(pending());
}

/* A CR8 write reaches V_TPR without the APIC (the CR8 write trap of an SEV-ES guest, the soft-es
 * model, the CR8 intercept): the kept answer follows V_TPR anyway. */
static void v_tpr_written_elsewhere(void **state)
{
	(void)state;
	apic_write(APIC_SVR, SVR_ENABLED);
	dev_lapic_accept(&f->vm, 0x30, false);
	assert_true(pending());
	f->vmcb->control.int_ctl = (f->vmcb->control.int_ctl & ~(u32)SVM_INT_CTL_V_TPR_MASK) | 3;
	assert_false(pending());
	f->vmcb->control.int_ctl &= ~(u32)SVM_INT_CTL_V_TPR_MASK;
	assert_true(pending());
}

static void lint0_write(void **state)
{
	(void)state;
	sf_pic_init(f);
	apic_write(APIC_SVR, SVR_ENABLED);
	apic_write(APIC_LVT_LINT0, LINT0_EXTINT_MASKED);
	dev_pic_set_irq(&f->vm, 0, true);
	assert_false(pending());
	apic_write(APIC_LVT_LINT0, LINT0_EXTINT);
	assert_true(pending());
}

static void svr_software_disable(void **state)
{
	(void)state;
	sf_pic_init(f);
	apic_write(APIC_SVR, SVR_ENABLED);
	apic_write(APIC_LVT_LINT0, LINT0_EXTINT);
	dev_pic_set_irq(&f->vm, 0, true);
	assert_true(pending());
	apic_write(APIC_SVR, SVR_DISABLED); /* masks LINT0 */
	assert_false(pending());
}

static void apic_base_disable(void **state)
{
	(void)state;
	sf_pic_init(f);
	apic_write(APIC_SVR, SVR_ENABLED);
	apic_write(APIC_LVT_LINT0, LINT0_EXTINT_MASKED);
	dev_pic_set_irq(&f->vm, 0, true);
	assert_false(pending());
	f->v.msr.apic_base &= ~(u64)MSR_APIC_BASE_ENABLE; /* as the APIC_BASE WRMSR does */
	assert_true(pending());
}

/* ---- the 8259 --------------------------------------------------------------------------- */

static void pic_input(void **state)
{
	(void)state;
	sf_pic_init(f);
	assert_false(pending());
	dev_pic_set_irq(&f->vm, 0, true);
	assert_true(pending());
}

static void pic_inta(void **state)
{
	(void)state;
	sf_pic_init(f);
	dev_pic_set_irq(&f->vm, 0, true);
	assert_true(pending());
	assert_int_equal(dev_intr_maskable_ack(&f->vm), 0x20);
	assert_false(pending());
}

static void pic_imr_write(void **state)
{
	(void)state;
	sf_pic_init(f);
	dev_pic_set_irq(&f->vm, 0, true);
	assert_true(pending());
	sf_outb(f, PIC_MASTER_DATA, 0x01);
	assert_false(pending());
}

static void pic_poll_read(void **state)
{
	(void)state;
	sf_pic_init(f);
	dev_pic_set_irq(&f->vm, 0, true);
	assert_true(pending());
	sf_outb(f, PIC_MASTER_CMD, OCW3_POLL);
	assert_true(pending()); /* the command alone acknowledges nothing */
	assert_int_equal(sf_inb(f, PIC_MASTER_CMD), POLL_VALID | 0);
	assert_false(pending());
}

/* ---- every path, mixed ------------------------------------------------------------------ */

/* A fixed pseudo-random sequence of the operations above; after each one the kept answer must
 * be the one worked out from scratch. */
static void random_sequence_matches_fresh(void **state)
{
	(void)state;
	sf_pic_init(f);
	apic_write(APIC_SVR, SVR_ENABLED);
	u32 x = 12345;
	for (int i = 0; i < 4000; i++) {
		x = x * 1103515245u + 12345u;
		u32 r = x >> 8;
		switch (r % 12) {
		case 0: dev_lapic_accept(&f->vm, (u8)(0x20 + (r >> 4) % 0xD0), false); break;
		case 1: dev_intr_maskable_ack(&f->vm); break;
		case 2: apic_write(APIC_EOI, 0); break;
		case 3: apic_write(APIC_TPR, (r >> 4) & 0xFF); break;
		case 4: apic_write(APIC_LVT_LINT0, (r & 0x100) ? LINT0_EXTINT_MASKED : LINT0_EXTINT); break;
		case 5: apic_write(APIC_SVR, (r & 0x100) ? SVR_DISABLED : SVR_ENABLED); break;
		case 6: dev_pic_set_irq(&f->vm, (r >> 4) % 16, (r >> 8) & 1); break;
		case 7: sf_outb(f, (r & 0x100) ? PIC_MASTER_DATA : 0xA1, (u8)(r >> 12)); break;
		case 8: sf_outb(f, (r & 0x100) ? PIC_MASTER_CMD : 0xA0, 0x20); break; /* non-specific EOI */
		case 9:
			sf_outb(f, PIC_MASTER_CMD, OCW3_POLL);
			assert_int_equal(pending(), pending_fresh());
			sf_inb(f, PIC_MASTER_CMD);
			break;
		case 10:
			f->vmcb->control.int_ctl = (f->vmcb->control.int_ctl & ~(u32)SVM_INT_CTL_V_TPR_MASK) |
						   ((r >> 4) & SVM_INT_CTL_V_TPR_MASK);
			break;
		default: f->v.msr.apic_base ^= MSR_APIC_BASE_ENABLE; break;
		}
		assert_int_equal(pending(), pending_fresh());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(irr_accept, setup, teardown),
		cmocka_unit_test_setup_teardown(inta_moves_to_isr, setup, teardown),
		cmocka_unit_test_setup_teardown(eoi_unblocks_same_class, setup, teardown),
		cmocka_unit_test_setup_teardown(tpr_register_without_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(tpr_register, setup, teardown),
		cmocka_unit_test_setup_teardown(v_tpr_written_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(lint0_write, setup, teardown),
		cmocka_unit_test_setup_teardown(svr_software_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(apic_base_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(pic_input, setup, teardown),
		cmocka_unit_test_setup_teardown(pic_inta, setup, teardown),
		cmocka_unit_test_setup_teardown(pic_imr_write, setup, teardown),
		cmocka_unit_test_setup_teardown(pic_poll_read, setup, teardown),
		cmocka_unit_test_setup_teardown(random_sequence_matches_fresh, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
