/* A software copy of VMRUN's consistency checks (APM vol. 2, 15.5.1 "VMRUN", the list under
 * "Canonicalization and Consistency Checks"; event injection rules from 15.20; the SEV-ES
 * LBR-virtualization requirement from 15.35). VMRUN reports only VMEXIT_INVALID; running this
 * on the VMCB that produced it names the rule (or rules) that failed, so the log says why.
 *
 * Table-driven: one row per rule, a name and a predicate. The checks are pure functions of
 * the VMCB and a few CPU capabilities (struct svm_vmcb_caps), so hosted tests drive them with
 * one broken VMCB per rule. Where hardware behaviour depends on the CPU (MAXPHYADDR, which
 * CR4/EFER bits exist, LMSLE), the capability decides; the defaults are those of the CPUs
 * sevisor targets (Zen 2 and later: no LMSLE) and of QEMU TCG's EPYC model. */
#ifndef SVM_VMCB_CHECK_H
#define SVM_VMCB_CHECK_H

#include "lib/types.h"
#include "svm/vmcb.h"

/* One rule each; the bit (1u << rule) in svm_vmcb_check's result says it failed. */
enum svm_vmcb_rule {
	SVM_VMCB_EFER_SVME_CLEAR,
	SVM_VMCB_CR0_NW_WITHOUT_CD,
	SVM_VMCB_CR0_HIGH,
	SVM_VMCB_CR3_MBZ,
	SVM_VMCB_CR4_MBZ,
	SVM_VMCB_DR6_HIGH,
	SVM_VMCB_DR7_HIGH,
	SVM_VMCB_EFER_MBZ,
	SVM_VMCB_EFER_LMSLE,
	SVM_VMCB_LONG_NO_PAE,
	SVM_VMCB_LONG_NO_PE,
	SVM_VMCB_CS_L_AND_D,
	SVM_VMCB_NO_VMRUN_INTERCEPT,
	SVM_VMCB_IOPM_BEYOND_MAXPHYADDR,
	SVM_VMCB_MSRPM_BEYOND_MAXPHYADDR,
	SVM_VMCB_ASID_ZERO,
	SVM_VMCB_EVENTINJ_MBZ,
	SVM_VMCB_EVENTINJ_TYPE,
	SVM_VMCB_EVENTINJ_VECTOR,
	SVM_VMCB_SEV_ES_NO_LBRV,
	SVM_VMCB_NCR3_MBZ,
	SVM_VMCB_RULE_COUNT
};
_Static_assert(SVM_VMCB_RULE_COUNT <= 32, "rules are reported as a u32 bit mask");

/* CR4 bits AMD defines (APM vol. 2, 3.1.3): VME..LA57 (0..12), FSGSBASE, PCIDE, OSXSAVE
 * (16..18), SMEP, SMAP, PKE, CET (20..23). Everything else, bit 31 included, is MBZ. */
#define SVM_VMCB_CR4_VALID_DEFAULT (GENMASK(12, 0) | GENMASK(18, 16) | GENMASK(23, 20))
/* EFER bits (APM vol. 2, 3.1.7): SCE, LME, LMA, NXE, SVME, FFXSR, TCE. LMSLE (13) is added
 * when the CPU has it; bit 20 and the rest are MBZ. */
#define SVM_VMCB_EFER_VALID_DEFAULT (BIT(0) | BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(14) | BIT(15))

struct svm_vmcb_caps {
	u8 phys_bits;   /* MAXPHYADDR, CPUID 0x80000008 EAX[7:0]; 0 means 52 */
	bool lmsle;     /* EFER.LMSLE exists (CPUID 0x80000008 EBX[20] "LMSLE unsupported" clear) */
	u64 cr4_valid;  /* CR4 bits the CPU has; 0 means SVM_VMCB_CR4_VALID_DEFAULT */
	u64 efer_valid; /* EFER bits the CPU has (LMSLE aside); 0 means the default */
};

/* Runs every rule. Returns the failed rules as a mask of 1u << enum svm_vmcb_rule; 0 means
 * the VMCB passes every check this table knows. caps may be NULL (defaults). */
u32 svm_vmcb_check(const struct vmcb *vmcb, const struct svm_vmcb_caps *caps);

/* The name of the first failed rule, or NULL when all pass. */
const char *svm_vmcb_check_first(const struct vmcb *vmcb, const struct svm_vmcb_caps *caps);

/* A rule's name, e.g. "EFER.SVME clear"; "?" for an unknown rule. */
const char *svm_vmcb_rule_name(enum svm_vmcb_rule rule);

/* Writes the names of the rules in failed, separated by "; ", into buf (always terminated
 * when len > 0). Returns the number of rules named. */
unsigned svm_vmcb_check_describe(u32 failed, char *buf, size_t len);

#endif
