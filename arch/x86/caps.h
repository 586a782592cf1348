/* What the CPU offers for virtualization, decoded from raw CPUID and MSR values.
 * Collection (executing CPUID/RDMSR) is in caps_hw.c; decoding and the report are pure so
 * unit tests can feed fixed vectors. Sources: APM vol. 3 appendix E (CPUID 0x8000000A,
 * 0x8000001F), APM vol. 2 15.30 (VM_CR), 7.10 (SYSCFG.MemEncryptionModEn). */
#ifndef ARCH_X86_CAPS_H
#define ARCH_X86_CAPS_H

#include "lib/types.h"

struct caps_raw {
	u32 max_ext_leaf;            /* CPUID 0x80000000 EAX */
	u32 ext1_ecx;                /* CPUID 0x80000001 ECX */
	u32 svm_eax, svm_ebx, svm_edx; /* CPUID 0x8000000A */
	u32 mem_eax, mem_ebx, mem_ecx, mem_edx; /* CPUID 0x8000001F */
	char vendor[13];
	bool have_vm_cr;
	u64 vm_cr;
	bool have_syscfg;
	u64 syscfg;
};

/* CPUID 0x80000001 ECX[2]. */
#define CPUID_EXT1_ECX_SVM BIT(2)
/* VM_CR (MSR 0xC0010114). */
#define VM_CR_LOCK BIT(3)
#define VM_CR_SVMDIS BIT(4)
/* SYSCFG (MSR 0xC0010010) bit 23: MemEncryptionModEn; SEV needs it set by firmware. */
#define SYSCFG_MEM_ENCRYPT BIT(23)
/* CPUID 0x8000001F EAX. */
#define CPUID_MEM_SME BIT(0)
#define CPUID_MEM_SEV BIT(1)
#define CPUID_MEM_SEV_ES BIT(3)
#define CPUID_MEM_SEV_SNP BIT(4)

enum caps_svm_state {
	CAPS_SVM_USABLE = 0,
	CAPS_SVM_MISSING,  /* CPUID says no SVM */
	CAPS_SVM_DISABLED, /* VM_CR.SVMDIS set, not locked */
	CAPS_SVM_LOCKED,   /* VM_CR.SVMDIS set and locked: only firmware setup can change it */
};

struct caps {
	enum caps_svm_state svm;
	u8 svm_revision;
	u32 nr_asids;
	u32 svm_features; /* 0x8000000A EDX */
	bool sme, sev, sev_es, sev_snp;
	u8 cbit;           /* 0x8000001F EBX[5:0] */
	u8 phys_reduction; /* 0x8000001F EBX[11:6] */
	u32 max_sev_asid;  /* 0x8000001F ECX: ASIDs 1..ECX may be SEV */
	u32 min_sev_asid;  /* 0x8000001F EDX: first ASID for SEV without ES; 1..EDX-1 are SEV-ES */
	bool mem_encrypt_enabled; /* SYSCFG[23] */
};

void caps_decode(const struct caps_raw *raw, struct caps *out);
/* Writes the human report through lib/log.h, and an @sevisor caps line. */
void caps_report(const struct caps_raw *raw, const struct caps *caps);
/* Name of the SVM feature bit n of 0x8000000A EDX, or NULL when unnamed. */
const char *caps_svm_feature_name(unsigned bit);
/* The message for an unusable SVM state. */
const char *caps_svm_state_message(enum caps_svm_state s);

/* Fills raw from the running CPU (caps_hw.c). */
void caps_collect(struct caps_raw *raw);

#endif
