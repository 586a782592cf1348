/* See fuzz_env.h. */
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_env.h"
#include "tests/unit/msr_fixture.h" /* the host CPUID table: the one thing that is hardware */
#include "svm/dev/devices.h"
#include "svm/cr_shadow.h"
#include "svm/exit_table.h"
#include "lib/log.h"

struct fz_env fz;
static struct vm_devices devices;
static u8 slot0[FZ_SLOT0_SIZE] __attribute__((aligned(4096)));
static u8 slot1[FZ_SLOT1_SIZE] __attribute__((aligned(4096)));
static const u8 *oracle;
static size_t oracle_len;

void fz_reset(const u8 *data, size_t len, enum vm_mode mode)
{
	memset(&fz, 0, sizeof(fz));
	memset(slot0, 0, sizeof(slot0));
	memset(slot1, 0, sizeof(slot1));
	strcpy(fz.vm.name, "fuzz");
	fz.vm.mode = mode;
	fz.vm.cbit = mode == VM_MODE_PLAIN ? 0 : 47;
	fz.vm.ram[0] = (struct ram_slot){ FZ_SLOT0_GPA, FZ_SLOT0_SIZE, slot0 };
	fz.vm.ram[1] = (struct ram_slot){ FZ_SLOT1_GPA, FZ_SLOT1_SIZE, slot1 };
	fz.vm.nr_ram = 2;
	fz.vm.vcpus = fz.v;
	fz.vm.nr_vcpus = 1;
	fz.vm.asid = 1;
	fz.vm.msr_cfg.mce_banks = 6;
	devices_init(&devices, FZ_SLOT0_SIZE, 1, false);
	fz.vm.devices = &devices;
	msr_cpuid_set_host(fx_host_cpuid);
	msr_set_host_tsc(fx_host_tsc);
	for (unsigned i = 0; i < 2; i++) {
		struct vcpu *v = &fz.v[i];
		v->vm = &fz.vm;
		v->id = i;
		v->vmcb = &fz.vmcb[i];
		v->vmcb->control.asid = 1;
		v->vmcb->save.g_pat = MSR_PAT_DEFAULT;
		v->vmcb->save.rip = FZ_RIP;
		cr_shadow_reset(v, NULL, msr_cpuid_cr4_allowed(v));
		msr_vcpu_reset(v);
		v->state_protected = mode != VM_MODE_PLAIN;
	}
	oracle = data;
	oracle_len = len;
	log_reset(); /* no sinks: lines only go through the ring */
	log_set_level(LOG_DEBUG);
	svm_exit_table_init(log_enabled(LOG_DEBUG)); /* the dispatch's rows, for the level just set */
}

u8 fz_byte(void)
{
	if (!oracle_len)
		return 0;
	oracle_len--;
	return *oracle++;
}

u64 fz_u64(void)
{
	u64 x = 0;
	for (unsigned i = 0; i < 8; i++)
		x |= (u64)fz_byte() << (8 * i);
	return x;
}

size_t fz_left(void)
{
	return oracle_len;
}

u8 *fz_ram(u64 gpa)
{
	if (gpa >= FZ_SLOT1_GPA && gpa - FZ_SLOT1_GPA < FZ_SLOT1_SIZE)
		return slot1 + (gpa - FZ_SLOT1_GPA);
	if (gpa < FZ_SLOT0_SIZE)
		return slot0 + gpa;
	abort();
}

void fz_check_outcome(enum svm_outcome o)
{
	if (o != SVM_RESUME && o != SVM_INJECT && o != SVM_GHCB_REPLY && o != SVM_TERMINATE)
		abort();
	if (o == SVM_TERMINATE && fz.vm.end == VM_END_RUNNING)
		abort(); /* the guest must have ended, with a reason */
	if (fz.vm.end == VM_END_TERMINATED && o != SVM_TERMINATE)
		abort();
	if (fz.vm.end == VM_END_TERMINATED && !fz.vm.reason[0])
		abort();
}

void fz_check_protected_rip(void)
{
	if (fz.vmcb[0].save.rip != FZ_RIP || fz.vmcb[1].save.rip != FZ_RIP)
		abort(); /* the hypervisor never moves a protected guest's RIP */
}
