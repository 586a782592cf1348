/* MSR numbers and the bit fields the guest MSR model checks. Numbers from the AMD APM vol. 2
 * (appendix A "MSR Cross-Reference") and Linux arch/x86/include/asm/msr-index.h (names only). */
#ifndef MSR_MSR_INDEX_H
#define MSR_MSR_INDEX_H

#include "lib/types.h"

/* ---- architectural (0x0000_0000 - 0x0000_1FFF) ---- */
#define MSR_IA32_TSC 0x00000010
#define MSR_IA32_APIC_BASE 0x0000001B
#define MSR_IA32_SPEC_CTRL 0x00000048
#define MSR_IA32_PRED_CMD 0x00000049
#define MSR_IA32_PATCH_LEVEL 0x0000008B /* AMD PATCH_LEVEL / Intel UCODE_REV */
#define MSR_IA32_MTRRCAP 0x000000FE
#define MSR_IA32_SYSENTER_CS 0x00000174
#define MSR_IA32_SYSENTER_ESP 0x00000175
#define MSR_IA32_SYSENTER_EIP 0x00000176
#define MSR_IA32_MCG_CAP 0x00000179
#define MSR_IA32_MCG_STATUS 0x0000017A
#define MSR_IA32_MCG_CTL 0x0000017B
#define MSR_MTRR_PHYS_BASE0 0x00000200 /* PhysBase n = 0x200 + 2n, PhysMask n = 0x201 + 2n */
#define MSR_MTRR_PHYS_LAST 0x0000020F
#define MSR_MTRR_FIX64K_00000 0x00000250
#define MSR_MTRR_FIX16K_80000 0x00000258
#define MSR_MTRR_FIX16K_A0000 0x00000259
#define MSR_MTRR_FIX4K_C0000 0x00000268
#define MSR_MTRR_FIX4K_F8000 0x0000026F
#define MSR_IA32_PAT 0x00000277
#define MSR_MTRR_DEF_TYPE 0x000002FF
#define MSR_IA32_TSC_DEADLINE 0x000006E0
#define MSR_IA32_MC0_CTL 0x00000400 /* MCi_CTL/STATUS/ADDR/MISC = 0x400 + 4i + 0..3 */
#define MSR_IA32_XSS 0x00000DA0

/* ---- AMD64 (0xC000_0000 - 0xC000_1FFF) ---- */
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_SFMASK 0xC0000084
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_TSC_AUX 0xC0000103

/* ---- AMD implementation (0xC001_0000 - 0xC001_1FFF) ---- */
#define MSR_K7_EVNTSEL0 0xC0010000 /* PerfEvtSel0-3: 0xC0010000-3 */
#define MSR_K7_EVNTSEL3 0xC0010003
#define MSR_K7_PERFCTR0 0xC0010004 /* PerfCtr0-3: 0xC0010004-7 */
#define MSR_K7_PERFCTR3 0xC0010007
#define MSR_K7_NR_COUNTERS 4
#define MSR_AMD64_SYSCFG 0xC0010010
#define MSR_K7_HWCR 0xC0010015
#define MSR_AMD64_NB_CFG 0xC001001F
#define MSR_VM_CR 0xC0010114
#define MSR_VM_HSAVE_PA 0xC0010117
#define MSR_AMD64_SEV_ES_GHCB 0xC0010130
#define MSR_AMD64_SEV_STATUS 0xC0010131

/* ---- fields ---- */

/* APIC_BASE (APM vol. 2, 16.3.1): BSP is read-only, EXTD is x2APIC mode enable. */
#define MSR_APIC_BASE_BSP BIT(8)
#define MSR_APIC_BASE_EXTD BIT(10)
#define MSR_APIC_BASE_EN BIT(11)
#define MSR_APIC_BASE_ADDR_DEFAULT 0xFEE00000ULL

/* MCG_CAP (APM vol. 2, 9.3.1.1): bank count [7:0], MCG_CTL_P bit 8. */
#define MSR_MCG_CAP_COUNT_MASK 0xFFULL
#define MSR_MCG_CAP_CTL_P BIT(8)
/* MCG_STATUS: RIPV, EIPV, MCIP; bits 63:3 reserved (APM vol. 2, 9.3.1.2). */
#define MSR_MCG_STATUS_VALID_BITS GENMASK(2, 0)
/* MCi_CTL bits that a write may leave clear without #GP (facts E.2: Linux on AMD K8 clears bank
 * 4 bit 10, GART TLB walk error reporting; old UnixWare clears bit 0 of MC1_CTL). */
#define MSR_MCI_CTL_MAY_CLEAR (BIT(10) | BIT(0))

/* HWCR (APM vol. 2, 3.2.10 / BKDG). */
#define MSR_HWCR_TLB_CACHE_DIS BIT(3)
#define MSR_HWCR_FFDIS BIT(6)
#define MSR_HWCR_IGNNE_EM BIT(8)
#define MSR_HWCR_MC_STATUS_WR_EN BIT(18)
#define MSR_HWCR_TSC_FREQ_SEL BIT(24)

/* SYSCFG: MemEncryptionModEn (APM vol. 2, 7.10.1). */
#define MSR_SYSCFG_MEM_ENCRYPT BIT(23)

/* VM_CR (APM vol. 2, 15.30.1). */
#define MSR_VM_CR_LOCK BIT(3)
#define MSR_VM_CR_SVMDIS BIT(4)

/* SEV_STATUS (APM vol. 2, 15.34.10). */
#define MSR_SEV_STATUS_SEV BIT(0)
#define MSR_SEV_STATUS_SEV_ES BIT(1)

/* SPEC_CTRL / PRED_CMD (AMD "Speculative Execution Mitigations" white paper, Linux names). */
#define MSR_SPEC_CTRL_IBRS BIT(0)
#define MSR_SPEC_CTRL_STIBP BIT(1)
#define MSR_SPEC_CTRL_SSBD BIT(2)
#define MSR_PRED_CMD_IBPB BIT(0)

/* Memory types (APM vol. 2, 7.7 and 7.8): MTRRs take UC, WC, WT, WP, WB; PAT also UC-. */
#define MSR_MEMTYPE_UC 0
#define MSR_MEMTYPE_WC 1
#define MSR_MEMTYPE_WT 4
#define MSR_MEMTYPE_WP 5
#define MSR_MEMTYPE_WB 6
#define MSR_MEMTYPE_UC_MINUS 7

/* PAT reset value (APM vol. 2, 7.8.2): WB, WT, UC-, UC repeated. */
#define MSR_PAT_DEFAULT 0x0007040600070406ULL

/* MTRRcap as offered: 8 variable ranges, fixed ranges, WC (APM vol. 2, 7.7.1). No SMRR. */
#define MSR_MTRR_NR_VAR 8
#define MSR_MTRR_NR_FIXED 11
#define MSR_MTRRCAP_FIX BIT(8)
#define MSR_MTRRCAP_WC BIT(10)
#define MSR_MTRR_DEF_TYPE_FE BIT(10)
#define MSR_MTRR_DEF_TYPE_E BIT(11)
#define MSR_MTRR_PHYS_MASK_VALID BIT(11)

/* Machine-check banks sevisor can model; MCG_CAP count is clamped to this. */
#define MSR_MCE_MAX_BANKS 32
/* A suggestion for the config parser: QEMU's default bank count. */
#define MSR_MCE_DEFAULT_BANKS 10

#endif
