/* Issue 5, "the same vectors through the GHCB MSR path": bad MSR writes arriving as the GHCB
 * MSR NAE event (SW_EXITCODE 0x7C) must be answered SW_EXITINFO1 = 1 with a #GP event in
 * SW_EXITINFO2, by the REAL MSR model (the GHCB unit tests use fakes). Offsets, valid-bit
 * numbers and the #GP event value are the GHCB spec's (facts B.1, B.3, B.4): the test writes
 * the page byte by byte instead of using ghcb/ghcb.h, so it checks the layout too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ghcb/ghcb.h"
#include "msr/cpuid.h"
#include "msr/msr.h"
#include "svm/cr_shadow.h"
#include "svm/dev/devices.h"
#include "svm/vcpu.h"
#include "lib/kstring.h"

#define RAM_SIZE (1024 * 1024ULL)
#define GHCB_GPA 0x10000ULL
/* GHCB offsets (GHCB spec 56421, table 1; facts B.1). */
#define OFF_RAX 0x1F8
#define OFF_RCX 0x308
#define OFF_RDX 0x310
#define OFF_EXITCODE 0x390
#define OFF_EXITINFO1 0x398
#define OFF_EXITINFO2 0x3A0
#define OFF_VALID 0x3F0
#define OFF_VERSION 0xFFA
#define OFF_USAGE 0xFFC
#define NAE_MSR 0x7C
/* Event injection format: valid | type 3 (exception) | vector 13 (facts B.4, KVM's value). */
#define EVENT_GP 0x8000030DULL

static u8 *ram;
static struct vm vm;
static struct vcpu vcpu;
static struct vmcb vmcb;
static struct vm_devices devices;

/* An EPYC-like host as far as the MSR rules look: long mode, NX, MCE/MCA, leaf limits. */
static void host_cpuid(u32 leaf, u32 sub, struct cpuid_regs *out)
{
	(void)sub;
	memset(out, 0, sizeof(*out));
	switch (leaf) {
	case 0: out->eax = 0xD; out->ebx = 0x68747541; out->edx = 0x69746E65; out->ecx = 0x444D4163; break;
	case 1: out->edx = (1u << 7) | (1u << 14) | (1u << 12) | (1u << 5) | (1u << 6) | (1u << 16); break;
	case 0x80000000: out->eax = 0x8000001F; break;
	case 0x80000001: out->edx = (1u << 29) | (1u << 20) | (1u << 11); break;
	case 0x80000008: out->eax = 0x3030; break;
	}
}

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, RAM_SIZE);
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&vmcb, 0, sizeof(vmcb));
	str_copy(vm.name, "es", sizeof(vm.name));
	vm.mode = VM_MODE_SOFT_ES;
	vm.cbit = 47;
	vm.ram[0] = (struct ram_slot){ 0, RAM_SIZE, ram };
	vm.nr_ram = 1;
	vm.vcpus = &vcpu;
	vm.nr_vcpus = 1;
	vm.msr_cfg.mce_banks = 6;
	devices_init(&devices, RAM_SIZE, 1, false);
	vm.devices = &devices;
	vcpu.vm = &vm;
	vcpu.vmcb = &vmcb;
	msr_cpuid_set_host(host_cpuid);
	cr_shadow_reset(&vcpu, NULL, 0);
	msr_vcpu_reset(&vcpu);
	ghcb_vcpu_reset(&vcpu);
	vcpu.state_protected = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static void put64(unsigned off, u64 v) { memcpy(ram + GHCB_GPA + off, &v, 8); }
static u64 get64(unsigned off) { u64 v; memcpy(&v, ram + GHCB_GPA + off, 8); return v; }
static void set_valid(unsigned off) { ram[GHCB_GPA + OFF_VALID + off / 64] |= (u8)(1u << ((off / 8) % 8)); }

/* What a guest's #VC handler does for WRMSR: fill RCX, RAX, RDX, exit code/infos, mark them
 * valid, set GHCB MSR = page GPA, VMGEXIT. Returns SW_EXITINFO1 as the guest reads it. */
static u64 ghcb_wrmsr(u32 index, u64 value, u64 *info2)
{
	memset(ram + GHCB_GPA, 0, PAGE_SIZE);
	put64(OFF_RCX, index);
	put64(OFF_RAX, (u32)value);
	put64(OFF_RDX, value >> 32);
	put64(OFF_EXITCODE, NAE_MSR);
	put64(OFF_EXITINFO1, 1); /* write */
	put64(OFF_EXITINFO2, 0);
	unsigned offs[] = { OFF_RCX, OFF_RAX, OFF_RDX, OFF_EXITCODE, OFF_EXITINFO1, OFF_EXITINFO2 };
	for (unsigned i = 0; i < 6; i++)
		set_valid(offs[i]);
	u16 version = 2;
	memcpy(ram + GHCB_GPA + OFF_VERSION, &version, 2);
	vmcb.control.ghcb_gpa = GHCB_GPA;
	enum svm_outcome out = ghcb_handle_vmgexit(&vcpu);
	assert_int_equal(out, SVM_GHCB_REPLY);
	assert_int_equal(vm.end, VM_END_RUNNING);
	*info2 = get64(OFF_EXITINFO2);
	return get64(OFF_EXITINFO1);
}

struct vector {
	const char *what;
	u32 index;
	u64 value;
	bool gp;
};

/* The vectors: MCi_CTL must be 0 or all ones (bits 10 and 0 aside), MCi_STATUS may
 * only be written with 0 unless HWCR.McStatusWrEn, EFER.LMSLE does not exist, unknown MSRs do
 * not exist; and the good writes that must not fault. */
static const struct vector vectors[] = {
	{ "MC0_CTL = 0x1234", 0x400, 0x1234, true },
	{ "MC0_STATUS = 1", 0x401, 1, true },
	{ "unknown MSR 0x12345678", 0x12345678, 0, true },
	{ "EFER.LMSLE", 0xC0000080, 1ULL << 13, true },
	{ "MC0_CTL = all ones", 0x400, ~0ULL, false },
	{ "MC0_STATUS = 0", 0x401, 0, false },
};

static void test_bad_writes_give_gp_through_ghcb(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		u64 info2 = 0;
		u64 info1 = ghcb_wrmsr(vectors[i].index, vectors[i].value, &info2);
		if (vectors[i].gp) {
			assert_int_equal(info1, 1);
			assert_int_equal(info2 & 0xFFFFFFFFULL, EVENT_GP);
		} else {
			assert_int_equal(info1, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_writes_give_gp_through_ghcb, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
