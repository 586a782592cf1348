/* The guest MSR model against the architecture: every vector below comes from the AMD APM
 * vol. 2 (section named per group), from what Linux guests write, or from the KVM rules in
 * ../shared/reference/ghcb-sev-facts.md section E (E.2 machine check, E.3 EFER, G13/G14). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "msr_fixture.h"
#include "lib/log.h"

#define OK MSR_OK
#define GP MSR_GP
#define ALL1 (~0ULL)

/* Expected read-back: SAME = the written value. */
#define SAME 0xA5A5A5A5A5A5A5A5ULL

struct wcase {
	const char *what;
	u32 index;
	u64 value;
	enum msr_result want;
	u64 readback; /* checked when want == OK */
};

/* Plain guest, 6 banks, MCG_CTL_P, the EPYC host vector, CR0.PG = 0. */
static const struct wcase plain_writes[] = {
	/* Machine check, APM 9.3 + facts E.2/G14. */
	{ "MC0_CTL all ones (Linux mce init)", MSR_IA32_MC0_CTL, ALL1, OK, SAME },
	{ "MC0_CTL zero", MSR_IA32_MC0_CTL, 0, OK, SAME },
	{ "MC4_CTL without bit 10 (Linux K8 GART)", MSR_IA32_MC0_CTL + 16, ALL1 & ~BIT(10), OK, SAME },
	{ "MC1_CTL without bit 0 (UnixWare)", MSR_IA32_MC0_CTL + 4, ALL1 & ~BIT(0), OK, SAME },
	{ "MC0_CTL without bits 10 and 0", MSR_IA32_MC0_CTL, ALL1 & ~(BIT(10) | BIT(0)), OK, SAME },
	{ "MC0_CTL = 0x1234 (seed case)", MSR_IA32_MC0_CTL, 0x1234, GP, 0 },
	{ "MC0_CTL all ones but bit 5", MSR_IA32_MC0_CTL, ALL1 & ~BIT(5), GP, 0 },
	{ "MC0_CTL only bits 10 and 0", MSR_IA32_MC0_CTL, BIT(10) | BIT(0), GP, 0 },
	{ "MC5_CTL (last bank)", MSR_IA32_MC0_CTL + 20, ALL1, OK, SAME },
	{ "MC0_STATUS clear", MSR_IA32_MC0_CTL + 1, 0, OK, SAME },
	{ "MC0_STATUS non-zero without McStatusWrEn", MSR_IA32_MC0_CTL + 1, 1, GP, 0 },
	{ "MC3_STATUS valid bit without McStatusWrEn", MSR_IA32_MC0_CTL + 13, BIT(63), GP, 0 },
	{ "MC0_ADDR", MSR_IA32_MC0_CTL + 2, 0xDEADBEEF000ULL, OK, SAME },
	{ "MC0_MISC", MSR_IA32_MC0_CTL + 3, 0xC000000000000000ULL, OK, SAME },
	{ "MC6_CTL beyond 6 banks", MSR_IA32_MC0_CTL + 24, 0, GP, 0 },
	{ "MC6_STATUS beyond 6 banks", MSR_IA32_MC0_CTL + 25, 0, GP, 0 },
	{ "MC31_MISC beyond 6 banks", MSR_IA32_MC0_CTL + 127, 0, GP, 0 },
	{ "MCG_CAP is read-only", MSR_IA32_MCG_CAP, 6, GP, 0 },
	{ "MCG_STATUS clear", MSR_IA32_MCG_STATUS, 0, OK, SAME },
	{ "MCG_STATUS RIPV|EIPV|MCIP", MSR_IA32_MCG_STATUS, 7, OK, SAME },
	{ "MCG_STATUS reserved bit 3", MSR_IA32_MCG_STATUS, 8, GP, 0 },
	{ "MCG_CTL all ones", MSR_IA32_MCG_CTL, ALL1, OK, SAME },
	{ "MCG_CTL zero", MSR_IA32_MCG_CTL, 0, OK, SAME },
	{ "MCG_CTL partial", MSR_IA32_MCG_CTL, 1, GP, 0 },

	/* EFER, APM 3.1.7 + facts E.3. Reads come back from the shadow (LMA inferred). */
	{ "EFER SCE|LME|NXE", MSR_EFER, EFER_SCE | EFER_LME | EFER_NXE, OK, SAME },
	{ "EFER FFXSR (host has FFXSR)", MSR_EFER, EFER_FFXSR, OK, SAME },
	{ "EFER TCE (host has TCE)", MSR_EFER, EFER_TCE, OK, SAME },
	{ "EFER LMA is ignored on write", MSR_EFER, EFER_LME | EFER_LMA, OK, EFER_LME },
	{ "EFER.LMSLE", MSR_EFER, EFER_LMSLE, GP, 0 },
	{ "EFER.LMSLE with LME", MSR_EFER, EFER_LME | EFER_LMSLE, GP, 0 },
	{ "EFER.SVME (no nested SVM)", MSR_EFER, EFER_SVME, GP, 0 },
	{ "EFER reserved bit 1", MSR_EFER, BIT(1), GP, 0 },
	{ "EFER reserved bit 9", MSR_EFER, BIT(9), GP, 0 },
	{ "EFER AutoIBRS not offered", MSR_EFER, BIT(21), GP, 0 },
	{ "EFER reserved bit 63", MSR_EFER, BIT(63), GP, 0 },

	/* PAT, APM 7.8: each byte UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7. */
	{ "PAT reset value", MSR_IA32_PAT, MSR_PAT_DEFAULT, OK, SAME },
	{ "PAT Linux (WB WC UC- UC ...)", MSR_IA32_PAT, 0x0007010600070106ULL, OK, SAME },
	{ "PAT all UC-", MSR_IA32_PAT, 0x0707070707070707ULL, OK, SAME },
	{ "PAT all WP", MSR_IA32_PAT, 0x0505050505050505ULL, OK, SAME },
	{ "PAT entry 2 (reserved type)", MSR_IA32_PAT, 0x0007040600070402ULL, GP, 0 },
	{ "PAT entry 3 (reserved type)", MSR_IA32_PAT, 0x0307040600070406ULL, GP, 0 },
	{ "PAT entry 8 (reserved bit)", MSR_IA32_PAT, 0x0007040600080406ULL, GP, 0 },

	/* MTRRs, APM 7.7 (phys width 48 in the host vector). */
	{ "MTRRcap is read-only", MSR_IA32_MTRRCAP, 0, GP, 0 },
	{ "MTRRdefType E|WB", MSR_MTRR_DEF_TYPE, 0x806, OK, SAME },
	{ "MTRRdefType E|FE|UC", MSR_MTRR_DEF_TYPE, 0xC00, OK, SAME },
	{ "MTRRdefType type 2", MSR_MTRR_DEF_TYPE, 0x802, GP, 0 },
	{ "MTRRdefType type 7 (UC- is PAT only)", MSR_MTRR_DEF_TYPE, 0x807, GP, 0 },
	{ "MTRRdefType reserved bit 12", MSR_MTRR_DEF_TYPE, 0x1806, GP, 0 },
	{ "MTRRfix64K all WB", MSR_MTRR_FIX64K_00000, 0x0606060606060606ULL, OK, SAME },
	{ "MTRRfix16K_A0000 all UC", MSR_MTRR_FIX16K_A0000, 0, OK, SAME },
	{ "MTRRfix4K_F8000 WP", MSR_MTRR_FIX4K_F8000, 0x0505050505050505ULL, OK, SAME },
	{ "MTRRfix4K_C0000 with UC-", MSR_MTRR_FIX4K_C0000, 0x0606060606060607ULL, GP, 0 },
	{ "MTRRfix16K_80000 RdMem/WrMem", MSR_MTRR_FIX16K_80000, 0x18, GP, 0 },
	{ "MTRRphysBase0 WB at 2 GiB", MSR_MTRR_PHYS_BASE0, 0x80000006ULL, OK, SAME },
	{ "MTRRphysBase7 top of 48-bit space", MSR_MTRR_PHYS_BASE0 + 14, 0xFFFFFFFFF000ULL, OK, SAME },
	{ "MTRRphysBase0 reserved bit 8", MSR_MTRR_PHYS_BASE0, 0x80000106ULL, GP, 0 },
	{ "MTRRphysBase0 bit 48 beyond phys width", MSR_MTRR_PHYS_BASE0, BIT(48) | 6, GP, 0 },
	{ "MTRRphysBase0 type 3", MSR_MTRR_PHYS_BASE0, 0x80000003ULL, GP, 0 },
	{ "MTRRphysMask0 2 GiB valid", MSR_MTRR_PHYS_BASE0 + 1, 0xFFFF80000800ULL, OK, SAME },
	{ "MTRRphysMask0 reserved bit 0", MSR_MTRR_PHYS_BASE0 + 1, 0xFFFF80000801ULL, GP, 0 },
	{ "MTRRphysMask0 bit 48", MSR_MTRR_PHYS_BASE0 + 1, BIT(48) | 0x800, GP, 0 },

	/* APIC_BASE, APM 16.3.1: vCPU 0 is the BSP; x2APIC is hidden. */
	{ "APIC_BASE enable at default", MSR_IA32_APIC_BASE, 0xFEE00800ULL, OK, 0xFEE00900ULL },
	{ "APIC_BASE relocated", MSR_IA32_APIC_BASE, 0xFED00900ULL, OK, 0xFED00900ULL },
	{ "APIC_BASE disabled", MSR_IA32_APIC_BASE, 0xFEE00000ULL, OK, 0xFEE00100ULL },
	{ "APIC_BASE x2APIC enable (hidden)", MSR_IA32_APIC_BASE, 0xFEE00C00ULL, GP, 0 },
	{ "APIC_BASE reserved bit 0", MSR_IA32_APIC_BASE, 0xFEE00801ULL, GP, 0 },
	{ "APIC_BASE reserved bit 9", MSR_IA32_APIC_BASE, 0xFEE00A00ULL, GP, 0 },
	{ "APIC_BASE beyond phys width", MSR_IA32_APIC_BASE, BIT(48) | 0x800, GP, 0 },

	/* VMCB state MSRs (APM 15.5.2); canonical checks per APM vol. 3 WRMSR. */
	{ "SYSENTER_CS", MSR_IA32_SYSENTER_CS, 0x10, OK, SAME },
	{ "SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, 0xFFFFFE0000001000ULL, OK, SAME },
	{ "SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, 0xFFFFFFFF81A00000ULL, OK, SAME },
	{ "STAR (Linux)", MSR_STAR, 0x0023001000000000ULL, OK, SAME },
	{ "LSTAR canonical", MSR_LSTAR, 0xFFFFFFFF81A00080ULL, OK, SAME },
	{ "LSTAR non-canonical", MSR_LSTAR, 0x0000800000000000ULL, GP, 0 },
	{ "CSTAR canonical", MSR_CSTAR, 0xFFFFFFFF81A00100ULL, OK, SAME },
	{ "CSTAR non-canonical", MSR_CSTAR, 0xFFFF7FFFFFFFFFFFULL, GP, 0 },
	{ "SFMASK (Linux)", MSR_SFMASK, 0x47700, OK, SAME },
	{ "FS_BASE", MSR_FS_BASE, 0x00007F0000001000ULL, OK, SAME },
	{ "FS_BASE non-canonical", MSR_FS_BASE, 0x8000000000000000ULL, GP, 0 },
	{ "GS_BASE", MSR_GS_BASE, 0xFFFF888000000000ULL, OK, SAME },
	{ "GS_BASE non-canonical", MSR_GS_BASE, 0x0001000000000000ULL, GP, 0 },
	{ "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0, OK, SAME },
	{ "KERNEL_GS_BASE non-canonical", MSR_KERNEL_GS_BASE, 0x00F0000000000000ULL, GP, 0 },

	/* TSC_AUX (RDTSCP in the host vector): bits 63:32 reserved. */
	{ "TSC_AUX cpu number", MSR_TSC_AUX, 5, OK, SAME },
	{ "TSC_AUX reserved bit 32", MSR_TSC_AUX, BIT(32), GP, 0 },

	/* Legacy performance counters, APM vol. 2 13.2.1: PerfEvtSel fields EventSelect 7:0 and
	 * 35:32, UnitMask 15:8, USR 16, OS 17, Edge 18, Int 20, En 22, Inv 23, CntMask 31:24,
	 * HostOnly/GuestOnly 41:40; bits 19, 21, 39:36, 63:42 reserved (WRMSR #GP, APM vol. 3).
	 * PerfCtr is 48 bits wide. No vPMU: what was written reads back, nothing counts. */
	{ "PerfEvtSel0 zero (kvm-unit-tests start-up)", MSR_K7_EVNTSEL0, 0, OK, SAME },
	{ "PerfEvtSel0 event 0x76 USR|OS|En", MSR_K7_EVNTSEL0, 0x430076, OK, SAME },
	{ "PerfEvtSel3 event 0x1C0 GuestOnly Inv CntMask 1", MSR_K7_EVNTSEL3,
	  BIT(40) | BIT(32) | 0x01C300C0ULL, OK, SAME },
	{ "PerfEvtSel1 Edge|Int", MSR_K7_EVNTSEL0 + 1, BIT(18) | BIT(20) | 0xC0, OK, SAME },
	{ "PerfEvtSel0 reserved bit 19", MSR_K7_EVNTSEL0, BIT(19) | 0x76, GP, 0 },
	{ "PerfEvtSel0 reserved bit 21", MSR_K7_EVNTSEL0, BIT(21), GP, 0 },
	{ "PerfEvtSel2 reserved bit 36", MSR_K7_EVNTSEL0 + 2, BIT(36), GP, 0 },
	{ "PerfEvtSel0 reserved bit 42", MSR_K7_EVNTSEL0, BIT(42), GP, 0 },
	{ "PerfEvtSel0 reserved bit 63", MSR_K7_EVNTSEL0, BIT(63), GP, 0 },
	{ "PerfCtr0 zero", MSR_K7_PERFCTR0, 0, OK, SAME },
	{ "PerfCtr0 -1000 in 48 bits (Linux sampling period)", MSR_K7_PERFCTR0,
	  0xFFFFFFFFFC18ULL, OK, SAME },
	{ "PerfCtr3 all ones keeps 48 bits", MSR_K7_PERFCTR3, ALL1, OK, 0xFFFFFFFFFFFFULL },
	{ "0xC0010008 is past the legacy counters (no rule)", MSR_K7_PERFCTR3 + 1, 0, GP, 0 },

	/* HWCR (facts E.2): 3/6/8 dropped, 18 and 24 writable, others #GP. */
	{ "HWCR McStatusWrEn", MSR_K7_HWCR, MSR_HWCR_MC_STATUS_WR_EN, OK, SAME },
	{ "HWCR TscFreqSel", MSR_K7_HWCR, MSR_HWCR_TSC_FREQ_SEL, OK, SAME },
	{ "HWCR FFDIS dropped", MSR_K7_HWCR, MSR_HWCR_FFDIS, OK, 0 },
	{ "HWCR TLB-cache/IGNNE dropped", MSR_K7_HWCR, BIT(3) | BIT(8) | BIT(24), OK, BIT(24) },
	{ "HWCR SmmLock bit 0", MSR_K7_HWCR, BIT(0), GP, 0 },
	{ "HWCR IRPERF_EN bit 30 (not offered)", MSR_K7_HWCR, BIT(30), GP, 0 },

	/* SYSCFG / VM_CR / VM_HSAVE_PA: the hypervisor's configuration stays hidden. */
	{ "SYSCFG same value (plain: 0)", MSR_AMD64_SYSCFG, 0, OK, SAME },
	{ "SYSCFG MemEncryptionModEn", MSR_AMD64_SYSCFG, MSR_SYSCFG_MEM_ENCRYPT, GP, 0 },
	{ "SYSCFG MtrrFixDramModEn", MSR_AMD64_SYSCFG, BIT(19), GP, 0 },
	{ "VM_CR same value", MSR_VM_CR, MSR_VM_CR_SVMDIS | MSR_VM_CR_LOCK, OK, SAME },
	{ "VM_CR clear SVMDIS (locked)", MSR_VM_CR, MSR_VM_CR_LOCK, GP, 0 },
	{ "VM_CR zero", MSR_VM_CR, 0, GP, 0 },
	{ "VM_HSAVE_PA zero", MSR_VM_HSAVE_PA, 0, OK, SAME },
	{ "VM_HSAVE_PA page", MSR_VM_HSAVE_PA, 0x100000, GP, 0 },

	/* SEV MSRs in a plain guest. */
	{ "SEV_STATUS is read-only", MSR_AMD64_SEV_STATUS, 0, GP, 0 },
	{ "GHCB MSR in plain", MSR_AMD64_SEV_ES_GHCB, 0x2, GP, 0 },

	/* XSS: XSAVES present, no supervisor state offered. */
	{ "XSS zero", MSR_IA32_XSS, 0, OK, SAME },
	{ "XSS CET_U (not offered)", MSR_IA32_XSS, BIT(11), GP, 0 },

	/* SPEC_CTRL / PRED_CMD (host: IBPB IBRS STIBP SSBD). */
	{ "SPEC_CTRL IBRS", MSR_IA32_SPEC_CTRL, MSR_SPEC_CTRL_IBRS, OK, SAME },
	{ "SPEC_CTRL STIBP|SSBD", MSR_IA32_SPEC_CTRL, 6, OK, SAME },
	{ "SPEC_CTRL reserved bit 3", MSR_IA32_SPEC_CTRL, 8, GP, 0 },
	{ "PRED_CMD zero", MSR_IA32_PRED_CMD, 0, OK, 0 },
	{ "PRED_CMD reserved bit 1", MSR_IA32_PRED_CMD, 2, GP, 0 },

	/* PATCH_LEVEL. */
	{ "PATCH_LEVEL zero", MSR_IA32_PATCH_LEVEL, 0, OK, SAME },
	{ "PATCH_LEVEL load", MSR_IA32_PATCH_LEVEL, 0x1000, GP, 0 },

	/* Unknown MSRs (no ignore_msrs). */
	{ "DE_CFG (unknown)", 0xC0011029, 2, GP, 0 },
	{ "IA32_FEATURE_CONTROL (Intel)", 0x3A, 5, GP, 0 },
	{ "SMCA MCA_CTL (0xC0002000)", 0xC0002000, ALL1, GP, 0 },
	{ "MSR 0xFFFFFFFF", 0xFFFFFFFF, 0, GP, 0 },
};

/* Each case on a fresh vCPU: the write result, then (for OK) the read-back; a failed write
 * must leave the MSR readable with its old value. */
static void test_plain_writes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(plain_writes); i++) {
		const struct wcase *c = &plain_writes[i];
		struct fx *f = fx_new(VM_MODE_PLAIN, 6);
		u64 before = 0, after = 0;
		enum msr_result rb = msr_read(&f->vcpu, c->index, &before);
		enum msr_result got = msr_write(&f->vcpu, c->index, c->value);
		if (got != c->want)
			fail_msg("%s: wrmsr 0x%x <- 0x%llx gave %d, want %d", c->what, c->index,
				 (unsigned long long)c->value, got, c->want);
		enum msr_result ra = msr_read(&f->vcpu, c->index, &after);
		if (c->want == OK && c->index != MSR_IA32_PRED_CMD) {
			u64 want = c->readback == SAME ? c->value : c->readback;
			if (ra != OK || after != want)
				fail_msg("%s: read-back %d 0x%llx, want 0x%llx", c->what, ra,
					 (unsigned long long)after, (unsigned long long)want);
		}
		if (c->want == GP && rb == OK && (ra != OK || after != before))
			fail_msg("%s: refused write changed the value", c->what);
		fx_free(f);
	}
}

struct rcase {
	const char *what;
	enum vm_mode mode;
	u32 index;
	enum msr_result want;
	u64 value;
};

static const struct rcase reads[] = {
	{ "MCG_CAP: 6 banks + MCG_CTL_P", VM_MODE_PLAIN, MSR_IA32_MCG_CAP, OK, 6 | BIT(8) },
	{ "MC5_STATUS exists", VM_MODE_PLAIN, MSR_IA32_MC0_CTL + 21, OK, 0 },
	{ "MC6_STATUS beyond count", VM_MODE_PLAIN, MSR_IA32_MC0_CTL + 25, GP, 0 },
	{ "APIC_BASE reset, BSP", VM_MODE_PLAIN, MSR_IA32_APIC_BASE, OK, 0xFEE00900ULL },
	{ "MTRRcap: 8 var, FIX, WC", VM_MODE_PLAIN, MSR_IA32_MTRRCAP, OK, 0x508 },
	{ "MTRRdefType reset", VM_MODE_PLAIN, MSR_MTRR_DEF_TYPE, OK, 0 },
	{ "PAT from VMCB G_PAT", VM_MODE_PLAIN, MSR_IA32_PAT, OK, MSR_PAT_DEFAULT },
	{ "EFER reset", VM_MODE_PLAIN, MSR_EFER, OK, 0 },
	{ "VM_CR: SVMDIS|LOCK", VM_MODE_PLAIN, MSR_VM_CR, OK, 0x18 },
	{ "VM_HSAVE_PA hidden", VM_MODE_PLAIN, MSR_VM_HSAVE_PA, OK, 0 },
	{ "HWCR reset", VM_MODE_PLAIN, MSR_K7_HWCR, OK, 0 },
	{ "SYSCFG plain", VM_MODE_PLAIN, MSR_AMD64_SYSCFG, OK, 0 },
	{ "SYSCFG soft-es", VM_MODE_SOFT_ES, MSR_AMD64_SYSCFG, OK, BIT(23) },
	{ "SEV_STATUS plain", VM_MODE_PLAIN, MSR_AMD64_SEV_STATUS, OK, 0 },
	{ "SEV_STATUS soft-es", VM_MODE_SOFT_ES, MSR_AMD64_SEV_STATUS, OK, 3 },
	{ "SEV_STATUS sev-es", VM_MODE_SEV_ES, MSR_AMD64_SEV_STATUS, OK, 3 },
	{ "GHCB MSR plain", VM_MODE_PLAIN, MSR_AMD64_SEV_ES_GHCB, GP, 0 },
	{ "PRED_CMD is write-only", VM_MODE_PLAIN, MSR_IA32_PRED_CMD, GP, 0 },
	{ "PATCH_LEVEL", VM_MODE_PLAIN, MSR_IA32_PATCH_LEVEL, OK, 0 },
	{ "TSC_AUX reset", VM_MODE_PLAIN, MSR_TSC_AUX, OK, 0 },
	{ "SPEC_CTRL reset", VM_MODE_PLAIN, MSR_IA32_SPEC_CTRL, OK, 0 },
	{ "XSS reset", VM_MODE_PLAIN, MSR_IA32_XSS, OK, 0 },
	{ "PerfEvtSel0 reset", VM_MODE_PLAIN, MSR_K7_EVNTSEL0, OK, 0 },
	{ "PerfCtr3 reset", VM_MODE_PLAIN, MSR_K7_PERFCTR3, OK, 0 },
	{ "PerfEvtSel2 soft-es (through the GHCB)", VM_MODE_SOFT_ES, MSR_K7_EVNTSEL0 + 2, OK, 0 },
	/* Encrypted state asked for through the GHCB: refused, never read. */
	{ "STAR soft-es (in VMSA)", VM_MODE_SOFT_ES, MSR_STAR, GP, 0 },
	{ "FS_BASE sev-es (in VMSA)", VM_MODE_SEV_ES, MSR_FS_BASE, GP, 0 },
	{ "PAT soft-es (in VMSA)", VM_MODE_SOFT_ES, MSR_IA32_PAT, GP, 0 },
	{ "unknown DE_CFG", VM_MODE_PLAIN, 0xC0011029, GP, 0 },
	{ "unknown in soft-es", VM_MODE_SOFT_ES, 0xC0011029, GP, 0 },
};

static void test_reads(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reads); i++) {
		const struct rcase *c = &reads[i];
		struct fx *f = fx_new(c->mode, 6);
		f->vmcb->save.star = 0x1234; /* must not leak for protected modes */
		u64 v = 0xBAD;
		enum msr_result got = msr_read(&f->vcpu, c->index, &v);
		if (got != c->want)
			fail_msg("%s: rdmsr 0x%x gave %d, want %d", c->what, c->index, got, c->want);
		if (got == OK && v != c->value)
			fail_msg("%s: value 0x%llx, want 0x%llx", c->what, (unsigned long long)v,
				 (unsigned long long)c->value);
		if (got != OK && v != 0)
			fail_msg("%s: refused read returned 0x%llx", c->what, (unsigned long long)v);
		fx_free(f);
	}
}

/* Every byte value in every entry of PAT and of a fixed-range MTRR, the other entries WB:
 * accepted exactly for the types APM vol. 2 lists (7.8.1 PAT: UC 0, WC 1, WT 4, WP 5, WB 6,
 * UC- 7; 7.7.1 MTRRs: the same without UC-), and MTRRdefType's type field likewise. */
static bool listed_type(u8 t, bool pat)
{
	static const u8 pat_types[] = { 0, 1, 4, 5, 6, 7 };
	for (size_t i = 0; i < ARRAY_SIZE(pat_types); i++)
		if (t == pat_types[i])
			return pat || t != 7;
	return false;
}

static void test_memory_types_every_byte(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 6);
	const u64 all_wb = 0x0606060606060606ULL;
	for (unsigned entry = 0; entry < 8; entry++)
		for (unsigned t = 0; t < 256; t++) {
			u64 v = (all_wb & ~(0xFFULL << (8 * entry))) | ((u64)t << (8 * entry));
			enum msr_result want_pat = listed_type((u8)t, true) ? OK : GP;
			enum msr_result want_mtrr = listed_type((u8)t, false) ? OK : GP;
			if (msr_write(&f->vcpu, MSR_IA32_PAT, v) != want_pat)
				fail_msg("PAT entry %u type 0x%x", entry, t);
			if (msr_write(&f->vcpu, MSR_MTRR_FIX4K_C0000, v) != want_mtrr)
				fail_msg("MTRRfix4K entry %u type 0x%x", entry, t);
		}
	for (unsigned t = 0; t < 256; t++)
		if (msr_write(&f->vcpu, MSR_MTRR_DEF_TYPE, MSR_MTRR_DEF_TYPE_E | t) !=
		    (listed_type((u8)t, false) ? OK : GP))
			fail_msg("MTRRdefType type 0x%x", t);
	fx_free(f);
}

/* MCi_STATUS non-zero is allowed once the guest sets HWCR.McStatusWrEn (APM 9.3.1.4). */
static void test_mci_status_wren(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 6);
	u32 st = MSR_IA32_MC0_CTL + 4 * 2 + 1; /* MC2_STATUS */
	assert_int_equal(msr_write(&f->vcpu, st, 0xB000000000000135ULL), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_K7_HWCR, MSR_HWCR_MC_STATUS_WR_EN), OK);
	assert_int_equal(msr_write(&f->vcpu, st, 0xB000000000000135ULL), OK);
	u64 v;
	assert_int_equal(msr_read(&f->vcpu, st, &v), OK);
	assert_int_equal(v, 0xB000000000000135ULL);
	assert_int_equal(msr_write(&f->vcpu, MSR_K7_HWCR, 0), OK);
	assert_int_equal(msr_write(&f->vcpu, st, 1), GP);
	assert_int_equal(msr_write(&f->vcpu, st, 0), OK);
	fx_free(f);
}

/* MCG_CTL exists only with MCG_CAP.MCG_CTL_P; bank count is clamped; 0 banks = none. */
static void test_mce_config(void **state)
{
	(void)state;
	u64 v;
	struct fx *f = fx_new(VM_MODE_PLAIN, 4);
	f->vm.msr_cfg.hide_mcg_ctl = true;
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_MCG_CAP, &v), OK);
	assert_int_equal(v, 4);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_MCG_CTL, ALL1), GP);
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_MCG_CTL, &v), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_MC0_CTL + 12, ALL1), OK);  /* MC3 */
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_MC0_CTL + 16, ALL1), GP);  /* MC4 */
	fx_free(f);

	f = fx_new(VM_MODE_PLAIN, 200);
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_MCG_CAP, &v), OK);
	assert_int_equal(v, MSR_MCE_MAX_BANKS | BIT(8));
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_MC0_CTL + 4 * 31, ALL1), OK);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_MC0_CTL + 4 * 32, ALL1), GP);
	fx_free(f);

	f = fx_new(VM_MODE_PLAIN, 0);
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_MCG_CAP, &v), OK);
	assert_int_equal(v, BIT(8));
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_MC0_CTL, ALL1), GP);
	fx_free(f);
}

/* EFER: LME may not change while CR0.PG = 1 (APM 14.6.1); other bits may. The shadow owns the
 * value and infers LMA. */
static void test_efer_paging(void **state)
{
	(void)state;
	u64 v;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_LME), OK);
	f->vcpu.cr.cr0 = CR0_PE | CR0_PG;
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, 0), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_LME | EFER_SCE | EFER_NXE), OK);
	assert_int_equal(msr_read(&f->vcpu, MSR_EFER, &v), OK);
	assert_int_equal(v, EFER_LME | EFER_SCE | EFER_NXE | EFER_LMA);
	/* hardware EFER keeps SVME (lessons: hide SVME from the guest, keep it set). */
	assert_true(f->vmcb->save.efer & EFER_SVME);
	fx_free(f);

	f = fx_new(VM_MODE_PLAIN, 0);
	f->vcpu.cr.cr0 = CR0_PE | CR0_PG;
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_LME), GP);
	assert_int_equal(msr_efer_check(&f->vcpu, EFER_SCE), OK);
	fx_free(f);
}

/* EFER bits gated by the guest's CPUID: a host without NX / LM / FFXSR / TCE. */
static const struct host_leaf old_host[] = {
	{ 0x00000000, 0, { 1, AMD_EBX, AMD_ECX, AMD_EDX } },
	{ 0x00000001, 0, { 0x00000F00, 0, 0, B(0) | B(5) | B(6) } },
	{ 0x80000000, 0, { 0x80000001, AMD_EBX, AMD_ECX, AMD_EDX } },
	{ 0x80000001, 0, { 0, 0, 0, B(11) } },
};

static void test_efer_cpuid_gates(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	fx_host_table = old_host;
	fx_host_count = ARRAY_SIZE(old_host);
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_SCE), OK);
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_NXE), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_LME), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_FFXSR), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_TCE), GP);
	/* Without RDTSCP/RDPID, TSC_AUX does not exist; without XSAVES no XSS; no SPEC_CTRL. */
	u64 v;
	assert_int_equal(msr_read(&f->vcpu, MSR_TSC_AUX, &v), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_TSC_AUX, 0), GP);
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_XSS, &v), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_SPEC_CTRL, 0), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_PRED_CMD, 1), GP);
	fx_free(f);
}

/* TSC = host TSC + VMCB tsc_offset; a write moves the offset (APM 15.30.5). */
static void test_tsc(void **state)
{
	(void)state;
	u64 v;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	fx_tsc_now = 5000;
	f->vmcb->control.tsc_offset = 100;
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_TSC, &v), OK);
	assert_int_equal(v, 5100);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_TSC, 1000), OK);
	assert_int_equal(f->vmcb->control.tsc_offset, (u64)(1000 - 5000));
	fx_tsc_now = 6000;
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_TSC, &v), OK);
	assert_int_equal(v, 2000);
	/* No host TSC source: a named internal error, not a #GP. */
	msr_set_host_tsc(NULL);
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_TSC, &v), MSR_ERROR);
	assert_non_null(strstr(msr_error_reason(&f->vcpu), "TSC"));
	fx_free(f);
}

/* The GHCB MSR in soft-es lives in VMCB control.ghcb_gpa (offset 0xA0). */
static void test_ghcb_msr(void **state)
{
	(void)state;
	u64 v;
	struct fx *f = fx_new(VM_MODE_SOFT_ES, 0);
	f->vmcb->control.ghcb_gpa = 0x0001000000000001ULL; /* a SEV_INFO response */
	assert_int_equal(msr_read(&f->vcpu, MSR_AMD64_SEV_ES_GHCB, &v), OK);
	assert_int_equal(v, 0x0001000000000001ULL);
	assert_int_equal(msr_write(&f->vcpu, MSR_AMD64_SEV_ES_GHCB, 0x7000), OK);
	assert_int_equal(f->vmcb->control.ghcb_gpa, 0x7000);
	assert_int_equal(msr_write(&f->vcpu, MSR_AMD64_SEV_STATUS, 3), GP);
	fx_free(f);
}

/* BSP bit: set only on vCPU 0 and read-only. */
static void test_apic_base_bsp(void **state)
{
	(void)state;
	u64 v;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	f->vcpu.id = 1;
	msr_vcpu_reset(&f->vcpu);
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_APIC_BASE, &v), OK);
	assert_int_equal(v, 0xFEE00800ULL);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_APIC_BASE, 0xFEE00900ULL), OK);
	assert_int_equal(msr_read(&f->vcpu, MSR_IA32_APIC_BASE, &v), OK);
	assert_int_equal(v, 0xFEE00800ULL);
	fx_free(f);
}

static void test_pred_cmd_ibpb(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	assert_false(f->vcpu.msr.ibpb_requested);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_PRED_CMD, MSR_PRED_CMD_IBPB), OK);
	assert_true(f->vcpu.msr.ibpb_requested);
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_SPEC_CTRL, 1), OK);
	assert_int_equal(f->vmcb->save.spec_ctrl, 1);
	fx_free(f);
}

/* ignore_msrs: unknown MSRs read 0, writes are dropped, each MSR is logged once. */
static char logbuf[8192];
static size_t loglen;
static void capture(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	if (loglen + len < sizeof(logbuf)) {
		memcpy(logbuf + loglen, text, len);
		loglen += len;
		logbuf[loglen] = 0;
	}
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_ignore_msrs(void **state)
{
	(void)state;
	log_reset();
	log_add_sink("capture", capture, NULL, true);
	loglen = 0;
	logbuf[0] = 0;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	f->vm.msr_cfg.ignore_msrs = true;
	u64 v = 0xBAD;
	assert_int_equal(msr_read(&f->vcpu, 0xC0011029, &v), OK);
	assert_int_equal(v, 0);
	assert_int_equal(msr_write(&f->vcpu, 0xC0011029, 2), OK);
	assert_int_equal(msr_write(&f->vcpu, 0xC0011029, 3), OK);
	assert_int_equal(msr_read(&f->vcpu, 0xC0011029, &v), OK);
	assert_int_equal(v, 0);
	assert_int_equal(msr_write(&f->vcpu, 0x3A, 1), OK);
	log_drain();
	assert_int_equal(count(logbuf, "0xc0011029"), 1);
	assert_int_equal(count(logbuf, "0x3a"), 1);
	/* Known MSRs keep their rules under ignore_msrs. */
	assert_int_equal(msr_write(&f->vcpu, MSR_IA32_MC0_CTL, 0x1234), GP);
	assert_int_equal(msr_write(&f->vcpu, MSR_EFER, EFER_LMSLE), GP);
	/* More distinct unknown MSRs than log slots: still handled, logging bounded. */
	for (u32 i = 0; i < 40; i++)
		assert_int_equal(msr_write(&f->vcpu, 0xC0011100 + i, 0), OK);
	fx_free(f);
	log_reset();
}

/* The four counters and four selects are separate registers, and an enabled counter does not
 * move (no vPMU): each reads back exactly its own last write. */
static void test_perf_counters_hold_values(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	for (u32 i = 0; i < 4; i++) {
		assert_int_equal(msr_write(&f->vcpu, MSR_K7_EVNTSEL0 + i, 0x430076 + i), OK);
		assert_int_equal(msr_write(&f->vcpu, MSR_K7_PERFCTR0 + i, 0x1000 * (i + 1)), OK);
	}
	fx_tsc_now += 1000000; /* time passes; an enabled counter would have counted */
	for (u32 i = 0; i < 4; i++) {
		u64 sel = 0, ctr = 0;
		assert_int_equal(msr_read(&f->vcpu, MSR_K7_EVNTSEL0 + i, &sel), OK);
		assert_int_equal(msr_read(&f->vcpu, MSR_K7_PERFCTR0 + i, &ctr), OK);
		assert_int_equal(sel, 0x430076 + i);
		assert_int_equal(ctr, 0x1000 * (i + 1));
	}
	fx_free(f);
}

/* TSC_AUX is loaded into the CPU's MSR, where the guest's RDTSCP and RDPID (not intercepted)
 * read it (APM vol. 3 RDTSCP: ECX = TSC_AUX[31:0]); a refused write leaves it alone, and a new
 * vCPU starts from 0. */
static u64 hw_tsc_aux = 0xBAD;
static unsigned hw_tsc_aux_loads;
static void fake_hw_tsc_aux(u64 value)
{
	hw_tsc_aux = value;
	hw_tsc_aux_loads++;
}

static void test_tsc_aux_reaches_the_cpu(void **state)
{
	(void)state;
	msr_set_hw_tsc_aux(fake_hw_tsc_aux);
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	assert_int_equal(hw_tsc_aux, 0);
	assert_int_equal(msr_write(&f->vcpu, MSR_TSC_AUX, 0x100), OK);
	assert_int_equal(hw_tsc_aux, 0x100);
	unsigned loads = hw_tsc_aux_loads;
	assert_int_equal(msr_write(&f->vcpu, MSR_TSC_AUX, BIT(32) | 7), GP);
	assert_int_equal(hw_tsc_aux_loads, loads);
	assert_int_equal(hw_tsc_aux, 0x100);
	msr_vcpu_reset(&f->vcpu);
	assert_int_equal(hw_tsc_aux, 0);
	fx_free(f);
	msr_set_hw_tsc_aux(NULL);
}

/* An MSR without a rule: #GP, and one info line per MSR with the index and the guest RIP. */
static void test_unknown_msr_logged_once_at_info(void **state)
{
	(void)state;
	log_reset();
	log_set_level(LOG_INFO);
	log_add_sink("capture", capture, NULL, true);
	loglen = 0;
	logbuf[0] = 0;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	f->vmcb->save.rip = 0x40337E;
	u64 v;
	assert_int_equal(msr_write(&f->vcpu, 0xC0011029, 2), GP);
	assert_int_equal(msr_read(&f->vcpu, 0xC0011029, &v), GP);
	assert_int_equal(msr_read(&f->vcpu, 0x3A, &v), GP);
	log_drain();
	assert_int_equal(count(logbuf, "0xc0011029"), 1);
	assert_int_equal(count(logbuf, "wrmsr 0xc0011029 <- 0x2 at RIP 0x40337e"), 1);
	assert_int_equal(count(logbuf, "rdmsr 0x3a at RIP 0x40337e"), 1);
	assert_int_equal(count(logbuf, "no rule for this MSR"), 2);
	fx_free(f);
	/* A protected vCPU (GHCB path): no RIP to show, the MSR is still named. */
	loglen = 0;
	logbuf[0] = 0;
	f = fx_new(VM_MODE_SOFT_ES, 0);
	assert_int_equal(msr_read(&f->vcpu, 0xC0011029, &v), GP);
	log_drain();
	assert_int_equal(count(logbuf, "rdmsr 0xc0011029 (RIP not visible"), 1);
	fx_free(f);
	log_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_writes),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_memory_types_every_byte),
		cmocka_unit_test(test_mci_status_wren),
		cmocka_unit_test(test_mce_config),
		cmocka_unit_test(test_efer_paging),
		cmocka_unit_test(test_efer_cpuid_gates),
		cmocka_unit_test(test_tsc),
		cmocka_unit_test(test_ghcb_msr),
		cmocka_unit_test(test_apic_base_bsp),
		cmocka_unit_test(test_pred_cmd_ibpb),
		cmocka_unit_test(test_ignore_msrs),
		cmocka_unit_test(test_perf_counters_hold_values),
		cmocka_unit_test(test_tsc_aux_reaches_the_cpu),
		cmocka_unit_test(test_unknown_msr_logged_once_at_info),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
