/* See fuzz_env.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_env.h"
#include "msr/msr.h"
#include "msr/cpuid.h"
#include "svm/dev/io.h"
#include "lib/fmt.h"
#include "lib/log.h"

struct fz_env fz;
static u8 slot0[FZ_SLOT0_SIZE] __attribute__((aligned(4096)));
static u8 slot1[FZ_SLOT1_SIZE] __attribute__((aligned(4096)));
static const u8 *oracle;
static size_t oracle_len;

void fz_reset(const u8 *data, size_t len)
{
	memset(&fz, 0, sizeof(fz));
	memset(slot0, 0, sizeof(slot0));
	memset(slot1, 0, sizeof(slot1));
	strcpy(fz.vm.name, "fuzz");
	fz.vm.mode = VM_MODE_SOFT_ES;
	fz.vm.cbit = 47;
	fz.vm.ram[0] = (struct ram_slot){ FZ_SLOT0_GPA, FZ_SLOT0_SIZE, slot0 };
	fz.vm.ram[1] = (struct ram_slot){ FZ_SLOT1_GPA, FZ_SLOT1_SIZE, slot1 };
	fz.vm.nr_ram = 2;
	fz.vm.vcpus = fz.v;
	fz.vm.nr_vcpus = 1;
	for (unsigned i = 0; i < 2; i++) {
		fz.v[i].vm = &fz.vm;
		fz.v[i].id = i;
		fz.v[i].vmcb = &fz.vmcb[i];
		fz.v[i].state_protected = true;
		fz.vmcb[i].save.rip = FZ_RIP;
	}
	oracle = data;
	oracle_len = len;
	log_reset(); /* no sinks: lines only go through the ring */
	log_set_level(LOG_DEBUG);
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
	if (o != SVM_GHCB_REPLY && o != SVM_TERMINATE)
		abort();
	if ((o == SVM_TERMINATE) != (fz.vm.end == VM_END_TERMINATED))
		abort();
	if (fz.vmcb[0].save.rip != FZ_RIP || fz.vmcb[1].save.rip != FZ_RIP)
		abort(); /* the hypervisor never moves a protected guest's RIP */
}

/* ---- fakes ------------------------------------------------------------------------------- */

void msr_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u64 xcr0, u64 xss, struct cpuid_regs *out)
{
	(void)v;
	out->eax = leaf ^ (u32)fz_u64();
	out->ebx = subleaf;
	out->ecx = (u32)xcr0;
	out->edx = (u32)xss;
}

static enum msr_result fake_msr_result(void)
{
	u8 b = fz_byte();
	return b < 0xF0 ? MSR_OK : (b < 0xFC ? MSR_GP : MSR_ERROR);
}

enum msr_result msr_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)v;
	(void)index;
	*value = fz_u64();
	return fake_msr_result();
}

enum msr_result msr_write(struct vcpu *v, u32 index, u64 value)
{
	(void)v;
	(void)index;
	(void)value;
	return fake_msr_result();
}

const char *msr_error_reason(const struct vcpu *v)
{
	(void)v;
	return "fuzz MSR model error";
}

bool svm_io_port(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	if (size != 1 && size != 2 && size != 4)
		abort(); /* the contract: 1, 2 or 4 */
	if (port == 0xBAD && fz_byte() == 0xBA) {
		vm_terminate(vm, "fuzz device ended the guest");
		return false;
	}
	if (in)
		*val = (u32)fz_u64() & (u32)GENMASK(size * 8 - 1, 0);
	else if (*val & ~(u32)GENMASK(size * 8 - 1, 0))
		abort(); /* OUT data wider than the access */
	return true;
}

bool svm_mmio(struct vm *vm, u64 gpa, unsigned size, bool write, u64 *val)
{
	(void)gpa;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		abort();
	if (fz_byte() == 0xEE) {
		vm_terminate(vm, "fuzz MMIO ended the guest");
		return false;
	}
	if (!write)
		*val = fz_u64() & (size == 8 ? ~0ULL : GENMASK(size * 8 - 1, 0));
	return true;
}

enum svm_outcome svm_terminate(struct vcpu *v, const char *fmt, ...)
{
	char reason[VM_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	vm_terminate(v->vm, "%s", reason);
	return SVM_TERMINATE;
}
