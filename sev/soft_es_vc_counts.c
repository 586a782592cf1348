/* The soft-es model's #VC exceptions counted by exit code (see soft_es.h). */
#include "sev/soft_es.h"
#include "svm/exit.h"
#include "svm/exit_codes.h"
#include "lib/counts.h"

/* Every exit code the model reflects as #VC (sev/soft_es.c's classification table: class (a)
 * of facts C.2, CR writes it cannot carry out, VMMCALL that is not VMGEXIT, MMIO NPF). The
 * frequent ones come first: the slot search runs on every #VC, and the lines list slots in
 * this order. */
static const u32 vc_codes[] = {
	SVM_EXIT_CPUID, SVM_EXIT_IOIO, SVM_EXIT_NPF, SVM_EXIT_MSR,
	SVM_EXIT_WRITE_CR0 + 0, SVM_EXIT_WRITE_CR0 + 4, SVM_EXIT_WRITE_CR0 + 8,
	SVM_EXIT_READ_DR0 + 7, SVM_EXIT_WRITE_DR0 + 7,
	SVM_EXIT_RDTSC, SVM_EXIT_RDPMC, SVM_EXIT_INVD, SVM_EXIT_INVLPGA,
	SVM_EXIT_VMRUN, SVM_EXIT_VMMCALL, SVM_EXIT_VMLOAD,
	SVM_EXIT_VMSAVE, SVM_EXIT_STGI, SVM_EXIT_CLGI, SVM_EXIT_SKINIT, SVM_EXIT_RDTSCP,
	SVM_EXIT_WBINVD, SVM_EXIT_MONITOR, SVM_EXIT_MWAIT, SVM_EXIT_MWAIT_COND, SVM_EXIT_XSETBV,
};
#define VC_CODES ((unsigned)ARRAY_SIZE(vc_codes))
_Static_assert(VC_CODES + 1 == VCPU_VC_SLOTS, "VCPU_VC_SLOTS must be the codes plus the 'other' slot");

/* Inlined into soft_es_vc_count, which runs on every #VC. */
static inline __attribute__((always_inline)) unsigned vc_slot(u64 exit_code)
{
	unsigned i = counts_slot(vc_codes, VC_CODES, exit_code);
	return i < VC_CODES ? i : VCPU_VC_SLOTS - 1;
}

unsigned soft_es_vc_slot(u64 exit_code)
{
	return vc_slot(exit_code);
}

void soft_es_vc_count(struct vcpu *v, u64 exit_code)
{
	counts_add(&v->vc_counts[vc_slot(exit_code)]);
}

const char *soft_es_vc_name(unsigned slot)
{
	const char *name = slot < VC_CODES ? svm_exit_name(vc_codes[slot]) : NULL;
	return name ? name : "other";
}

size_t soft_es_vc_format(const struct vcpu *v, char *buf, size_t size)
{
	return counts_format(v->vc_counts, 0, VCPU_VC_SLOTS, "", soft_es_vc_name, buf, size, 0);
}
