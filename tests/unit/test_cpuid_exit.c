/* The CPUID exit's leaf 1 (h_cpuid, svm/exit_handlers.c): each vCPU keeps its own answer with
 * the per-vCPU bits merged (struct msr_state.leaf1), so every input of those bits must drop it
 * where it changes, and a rebuild of the guest's answers must show too. The bits, from the
 * specs: EDX[9] APIC present, clear while IA32_APIC_BASE.EN is clear (SDM vol. 3, 11.4.3,
 * "Enabling or Disabling the Local APIC"); ECX[27] OSXSAVE mirrors CR4.OSXSAVE where XSAVE
 * (ECX[26]) is offered (APM vol. 3, E.3.2); EBX[23:16] the logical processor count (APM vol. 3,
 * E.3.2). Each input is changed as the guest changes it: WRMSR, a CR4 the run loop commits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/cr_shadow_exit.h"
#include "svm/exit.h"
#include "svm/exit_codes.h"
#include "svm/exit_table.h"
#include "msr/cpuid.h"
#include "msr/msr_index.h"

#define CODE 0x1000 /* paging off: RIP = GPA */
#define APIC_BIT (1u << 9)
#define XSAVE_BIT (1u << 26)
#define OSXSAVE_BIT (1u << 27)

static struct svm_fx *f;

/* An AMD host with the local APIC (1 EDX[9]) and XSAVE (1 ECX[26]); x87 and SSE in XCR0. */
static void host_cpuid(u32 leaf, u32 sub, struct cpuid_regs *out)
{
	(void)sub;
	*out = (struct cpuid_regs){ 0 };
	switch (leaf) {
	case 0:
		*out = (struct cpuid_regs){ .eax = 0xD, .ebx = 0x68747541, .ecx = 0x444D4163, .edx = 0x69746E65 };
		break;
	case 1:
		out->ecx = XSAVE_BIT;
		out->edx = APIC_BIT;
		break;
	case 0xD:
		if (sub == 0)
			out->eax = 0x3;
		break;
	case 0x80000000:
		out->eax = 0x80000008;
		break;
	}
}

static int setup(void **state)
{
	(void)state;
	msr_cpuid_set_host(host_cpuid);
	f = sf_new(false);
	static const u8 cpuid_insn[] = { 0x0F, 0xA2 };
	memcpy(f->ram + CODE, cpuid_insn, sizeof(cpuid_insn));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	msr_cpuid_set_host(NULL);
	return 0;
}

/* One exit as the run loop hands it over (cr_shadow_after_exit first). */
static enum svm_outcome run_loop_exit(void)
{
	cr_shadow_after_exit(&f->v);
	return svm_handle_exit(&f->v);
}

/* CPUID leaf 1 by an exit; the answer as the guest sees it. */
static struct cpuid_regs leaf1(void)
{
	f->vmcb->save.rip = CODE;
	f->vmcb->save.rax = 1;
	f->v.gprs.rcx = 0;
	f->vmcb->control.exit_code = SVM_EXIT_CPUID;
	assert_int_equal(run_loop_exit(), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, CODE + 2);
	return (struct cpuid_regs){ (u32)f->vmcb->save.rax, (u32)f->v.gprs.rbx, (u32)f->v.gprs.rcx,
				    (u32)f->v.gprs.rdx };
}

/* WRMSR by an exit (0F 30 at CODE + 0x10). */
static void wrmsr_exit(u32 index, u64 value)
{
	static const u8 wrmsr_insn[] = { 0x0F, 0x30 };
	memcpy(f->ram + CODE + 0x10, wrmsr_insn, sizeof(wrmsr_insn));
	f->vmcb->save.rip = CODE + 0x10;
	f->v.gprs.rcx = index;
	f->vmcb->save.rax = (u32)value;
	f->v.gprs.rdx = value >> 32;
	f->vmcb->control.exit_code = SVM_EXIT_MSR;
	f->vmcb->control.exit_info1 = 1;
	assert_int_equal(run_loop_exit(), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, CODE + 0x12);
}

static void apic_bit_follows_apic_base(void **state)
{
	(void)state;
	u64 base = f->v.msr.apic_base;
	assert_true(base & MSR_APIC_BASE_EN);
	for (int round = 0; round < 2; round++) {
		assert_true(leaf1().edx & APIC_BIT);
		assert_true(leaf1().edx & APIC_BIT);
		wrmsr_exit(MSR_IA32_APIC_BASE, base & ~MSR_APIC_BASE_EN);
		assert_false(leaf1().edx & APIC_BIT);
		assert_false(leaf1().edx & APIC_BIT);
		wrmsr_exit(MSR_IA32_APIC_BASE, base);
	}
}

static void osxsave_follows_committed_cr4(void **state)
{
	(void)state;
	for (int round = 0; round < 2; round++) {
		struct cpuid_regs r = leaf1();
		assert_true(r.ecx & XSAVE_BIT);
		assert_false(r.ecx & OSXSAVE_BIT);
		assert_false(leaf1().ecx & OSXSAVE_BIT);
		f->vmcb->save.cr4 |= CR4_OSXSAVE; /* the guest's CR4 write, committed by the run loop */
		assert_true(leaf1().ecx & OSXSAVE_BIT);
		assert_true(leaf1().ecx & OSXSAVE_BIT);
		f->vmcb->save.cr4 &= ~(u64)CR4_OSXSAVE;
	}
}

/* The guest's answers rebuilt (msr_cpuid_forget after a change of the vCPU count): leaf 1's
 * EBX[23:16] follows at once, HTT (EDX[28]) with it, on the vCPU's own answer too. */
static void rebuilt_answers_show(void **state)
{
	(void)state;
	assert_int_equal(leaf1().ebx & 0x00FF0000u, 0x00010000);
	assert_int_equal(leaf1().ebx & 0x00FF0000u, 0x00010000);
	f->vm.nr_vcpus = 4;
	msr_cpuid_forget(&f->vm);
	struct cpuid_regs r = leaf1();
	assert_int_equal(r.ebx & 0x00FF0000u, 0x00040000);
	assert_true(r.edx & (1u << 28));
	assert_int_equal(leaf1().ebx & 0x00FF0000u, 0x00040000);
	f->vm.nr_vcpus = 1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(apic_bit_follows_apic_base, setup, teardown),
		cmocka_unit_test_setup_teardown(osxsave_follows_committed_cr4, setup, teardown),
		cmocka_unit_test_setup_teardown(rebuilt_answers_show, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
