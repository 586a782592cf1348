/* The soft-es model's #VC exceptions counted by exit code (see soft_es.h). */
#include "sev/soft_es.h"
#include "svm/exit.h"
#include "svm/exit_codes.h"

/* Every exit code the model reflects as #VC (sev/soft_es.c's classification table: class (a)
 * of facts C.2, CR writes it cannot carry out, VMMCALL that is not VMGEXIT, MMIO NPF), in the
 * order the lines list them: the slot, its name and its exit code. */
#define SOFT_ES_VC_LIST(X)                                                                          \
	X(CPUID, SVM_EXIT_CPUID) X(IOIO, SVM_EXIT_IOIO) X(NPF, SVM_EXIT_NPF) X(MSR, SVM_EXIT_MSR)     \
	X(CR0_WRITE, SVM_EXIT_WRITE_CR0 + 0) X(CR4_WRITE, SVM_EXIT_WRITE_CR0 + 4)                     \
	X(CR8_WRITE, SVM_EXIT_WRITE_CR0 + 8) X(DR7_READ, SVM_EXIT_READ_DR0 + 7)                       \
	X(DR7_WRITE, SVM_EXIT_WRITE_DR0 + 7) X(RDTSC, SVM_EXIT_RDTSC) X(RDPMC, SVM_EXIT_RDPMC)        \
	X(INVD, SVM_EXIT_INVD) X(INVLPGA, SVM_EXIT_INVLPGA) X(VMRUN, SVM_EXIT_VMRUN)                  \
	X(VMMCALL, SVM_EXIT_VMMCALL) X(VMLOAD, SVM_EXIT_VMLOAD) X(VMSAVE, SVM_EXIT_VMSAVE)            \
	X(STGI, SVM_EXIT_STGI) X(CLGI, SVM_EXIT_CLGI) X(SKINIT, SVM_EXIT_SKINIT)                      \
	X(RDTSCP, SVM_EXIT_RDTSCP) X(WBINVD, SVM_EXIT_WBINVD) X(MONITOR, SVM_EXIT_MONITOR)            \
	X(MWAIT, SVM_EXIT_MWAIT) X(MWAIT_COND, SVM_EXIT_MWAIT_COND) X(XSETBV, SVM_EXIT_XSETBV)

#define SOFT_ES_VC_ENUM(name, code) SOFT_ES_VC_SLOT_##name,
enum { SOFT_ES_VC_LIST(SOFT_ES_VC_ENUM) VC_CODES };
_Static_assert(VC_CODES + 1 == VCPU_VC_SLOTS, "VCPU_VC_SLOTS must be the codes plus the 'other' slot");

#define SOFT_ES_VC_CODE(name, code) code,
const u32 soft_es_vc_codes[] = { SOFT_ES_VC_LIST(SOFT_ES_VC_CODE) };

/* The slot of each code below SOFT_ES_VC_INDEX_LOW, the others "other"; NPF's at the end
 * (soft_es_vc_slot). The range default is overridden on purpose: -Woverride-init is off for
 * this table only. */
#define SOFT_ES_VC_INDEX(name, code)                                                               \
	[(code) < SOFT_ES_VC_INDEX_LOW ? (code) : SOFT_ES_VC_INDEX_LOW] = SOFT_ES_VC_SLOT_##name,
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const u8 soft_es_vc_index[SOFT_ES_VC_INDEX_LOW + 1] = {
	[0 ... SOFT_ES_VC_INDEX_LOW] = VC_CODES,
	SOFT_ES_VC_LIST(SOFT_ES_VC_INDEX)
};
#pragma GCC diagnostic pop
#define SOFT_ES_VC_HIGH(name, code) +((code) >= SOFT_ES_VC_INDEX_LOW)
_Static_assert(SVM_EXIT_NPF >= SOFT_ES_VC_INDEX_LOW && 0 SOFT_ES_VC_LIST(SOFT_ES_VC_HIGH) == 1,
	       "NPF is the one listed code above the table: it takes the last entry");

const char *soft_es_vc_name(unsigned slot)
{
	const char *name = slot < VC_CODES ? svm_exit_name(soft_es_vc_codes[slot]) : NULL;
	return name ? name : "other";
}

size_t soft_es_vc_format(const struct vcpu *v, char *buf, size_t size)
{
	return counts_format(v->vc_counts, 0, VCPU_VC_SLOTS, "", soft_es_vc_name, buf, size, 0);
}
