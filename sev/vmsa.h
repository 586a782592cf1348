/* The SEV-ES save area (VMSA): a 4 KiB page holding an SEV-ES guest's register state, built
 * by sevisor, measured and encrypted by LAUNCH_UPDATE_VMSA, and loaded by VMRUN from then on
 * (APM vol. 2, 15.35 and appendix B table B-4; ghcb-sev-facts.md C.4, C.5, G17, G18).
 * Layout per C.4 (Linux struct sev_es_save_area, AMD firmware sev_es.h), offsets asserted. */
#ifndef SEV_VMSA_H
#define SEV_VMSA_H

#include "lib/types.h"
#include "svm/vmcb.h"

struct svm_gprs;

struct sev_vmsa {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x000..0x09F */
	u64 pl0_ssp, pl1_ssp, pl2_ssp, pl3_ssp; /* 0x0A0 */
	u64 u_cet;                              /* 0x0C0 */
	u8 reserved_0c8[2];
	u8 vmpl;                                /* 0x0CA */
	u8 cpl;                                 /* 0x0CB */
	u8 reserved_0cc[4];
	u64 efer;                               /* 0x0D0 */
	u8 reserved_0d8[0x140 - 0x0D8];
	u64 xss;                                /* 0x140 */
	u64 cr4;                                /* 0x148 */
	u64 cr3;                                /* 0x150 */
	u64 cr0;                                /* 0x158 */
	u64 dr7;                                /* 0x160 */
	u64 dr6;                                /* 0x168 */
	u64 rflags;                             /* 0x170 */
	u64 rip;                                /* 0x178 */
	u64 dr0, dr1, dr2, dr3;                 /* 0x180 */
	u64 dr0_mask, dr1_mask, dr2_mask, dr3_mask; /* 0x1A0 */
	u8 reserved_1c0[0x1D8 - 0x1C0];
	u64 rsp;                                /* 0x1D8 */
	u64 s_cet;                              /* 0x1E0 */
	u64 ssp;                                /* 0x1E8 */
	u64 isst_addr;                          /* 0x1F0 */
	u64 rax;                                /* 0x1F8 */
	u64 star, lstar, cstar, sfmask, kernel_gs_base; /* 0x200 */
	u64 sysenter_cs, sysenter_esp, sysenter_eip;    /* 0x228 */
	u64 cr2;                                /* 0x240 */
	u8 reserved_248[0x268 - 0x248];
	u64 g_pat;                              /* 0x268 */
	u64 dbgctl;                             /* 0x270 */
	u64 br_from, br_to;                     /* 0x278 */
	u64 last_excp_from, last_excp_to;       /* 0x288 */
	u8 reserved_298[0x2E8 - 0x298];
	u32 pkru;                               /* 0x2E8 */
	u32 tsc_aux;                            /* 0x2EC */
	u64 guest_tsc_scale;                    /* 0x2F0 */
	u64 guest_tsc_offset;                   /* 0x2F8 */
	u64 reg_prot_nonce;                     /* 0x300 */
	u64 rcx, rdx, rbx;                      /* 0x308 */
	u64 reserved_320;
	u64 rbp, rsi, rdi;                      /* 0x328 */
	u64 r8, r9, r10, r11, r12, r13, r14, r15; /* 0x340 */
	u8 reserved_fw_380[16];                 /* 0x380: written by the firmware (C.4 note) */
	u64 guest_exit_info_1, guest_exit_info_2; /* 0x390 */
	u64 guest_exit_int_info;                /* 0x3A0 */
	u64 guest_nrip;                         /* 0x3A8 */
	u64 sev_features;                       /* 0x3B0 */
	u64 vintr_ctrl;                         /* 0x3B8 */
	u64 guest_exit_code;                    /* 0x3C0 */
	u64 virtual_tom;                        /* 0x3C8 */
	u64 tlb_id;                             /* 0x3D0 */
	u64 pcpu_id;                            /* 0x3D8 */
	u64 event_inj;                          /* 0x3E0 */
	u64 xcr0;                               /* 0x3E8 */
	u8 reserved_3f0[16];
	u64 x87_dp;                             /* 0x400 */
	u32 mxcsr;                              /* 0x408 */
	u16 x87_ftw;                            /* 0x40C */
	u16 x87_fsw;                            /* 0x40E */
	u16 x87_fcw;                            /* 0x410 */
	u16 x87_fop;                            /* 0x412 */
	u16 x87_ds;                             /* 0x414 */
	u16 x87_cs;                             /* 0x416 */
	u64 x87_rip;                            /* 0x418 */
	u8 fpreg_x87[80];                       /* 0x420 */
	u8 fpreg_xmm[256];                      /* 0x470 */
	u8 fpreg_ymm[256];                      /* 0x570 */
	u8 reserved_670[0x1000 - 0x670];
} PACKED;

ASSERT_OFFSET(struct sev_vmsa, es, 0x000);
ASSERT_OFFSET(struct sev_vmsa, cs, 0x010);
ASSERT_OFFSET(struct sev_vmsa, ss, 0x020);
ASSERT_OFFSET(struct sev_vmsa, ds, 0x030);
ASSERT_OFFSET(struct sev_vmsa, fs, 0x040);
ASSERT_OFFSET(struct sev_vmsa, gs, 0x050);
ASSERT_OFFSET(struct sev_vmsa, gdtr, 0x060);
ASSERT_OFFSET(struct sev_vmsa, ldtr, 0x070);
ASSERT_OFFSET(struct sev_vmsa, idtr, 0x080);
ASSERT_OFFSET(struct sev_vmsa, tr, 0x090);
ASSERT_OFFSET(struct sev_vmsa, pl0_ssp, 0x0A0);
ASSERT_OFFSET(struct sev_vmsa, pl3_ssp, 0x0B8);
ASSERT_OFFSET(struct sev_vmsa, u_cet, 0x0C0);
ASSERT_OFFSET(struct sev_vmsa, vmpl, 0x0CA);
ASSERT_OFFSET(struct sev_vmsa, cpl, 0x0CB);
ASSERT_OFFSET(struct sev_vmsa, efer, 0x0D0);
ASSERT_OFFSET(struct sev_vmsa, xss, 0x140);
ASSERT_OFFSET(struct sev_vmsa, cr4, 0x148);
ASSERT_OFFSET(struct sev_vmsa, cr3, 0x150);
ASSERT_OFFSET(struct sev_vmsa, cr0, 0x158);
ASSERT_OFFSET(struct sev_vmsa, dr7, 0x160);
ASSERT_OFFSET(struct sev_vmsa, dr6, 0x168);
ASSERT_OFFSET(struct sev_vmsa, rflags, 0x170);
ASSERT_OFFSET(struct sev_vmsa, rip, 0x178);
ASSERT_OFFSET(struct sev_vmsa, dr0, 0x180);
ASSERT_OFFSET(struct sev_vmsa, dr3, 0x198);
ASSERT_OFFSET(struct sev_vmsa, dr0_mask, 0x1A0);
ASSERT_OFFSET(struct sev_vmsa, dr3_mask, 0x1B8);
ASSERT_OFFSET(struct sev_vmsa, rsp, 0x1D8);
ASSERT_OFFSET(struct sev_vmsa, s_cet, 0x1E0);
ASSERT_OFFSET(struct sev_vmsa, ssp, 0x1E8);
ASSERT_OFFSET(struct sev_vmsa, isst_addr, 0x1F0);
ASSERT_OFFSET(struct sev_vmsa, rax, 0x1F8);
ASSERT_OFFSET(struct sev_vmsa, star, 0x200);
ASSERT_OFFSET(struct sev_vmsa, lstar, 0x208);
ASSERT_OFFSET(struct sev_vmsa, cstar, 0x210);
ASSERT_OFFSET(struct sev_vmsa, sfmask, 0x218);
ASSERT_OFFSET(struct sev_vmsa, kernel_gs_base, 0x220);
ASSERT_OFFSET(struct sev_vmsa, sysenter_cs, 0x228);
ASSERT_OFFSET(struct sev_vmsa, sysenter_esp, 0x230);
ASSERT_OFFSET(struct sev_vmsa, sysenter_eip, 0x238);
ASSERT_OFFSET(struct sev_vmsa, cr2, 0x240);
ASSERT_OFFSET(struct sev_vmsa, g_pat, 0x268);
ASSERT_OFFSET(struct sev_vmsa, dbgctl, 0x270);
ASSERT_OFFSET(struct sev_vmsa, br_from, 0x278);
ASSERT_OFFSET(struct sev_vmsa, br_to, 0x280);
ASSERT_OFFSET(struct sev_vmsa, last_excp_from, 0x288);
ASSERT_OFFSET(struct sev_vmsa, last_excp_to, 0x290);
ASSERT_OFFSET(struct sev_vmsa, pkru, 0x2E8);
ASSERT_OFFSET(struct sev_vmsa, tsc_aux, 0x2EC);
ASSERT_OFFSET(struct sev_vmsa, guest_tsc_scale, 0x2F0);
ASSERT_OFFSET(struct sev_vmsa, guest_tsc_offset, 0x2F8);
ASSERT_OFFSET(struct sev_vmsa, reg_prot_nonce, 0x300);
ASSERT_OFFSET(struct sev_vmsa, rcx, 0x308);
ASSERT_OFFSET(struct sev_vmsa, rdx, 0x310);
ASSERT_OFFSET(struct sev_vmsa, rbx, 0x318);
ASSERT_OFFSET(struct sev_vmsa, rbp, 0x328);
ASSERT_OFFSET(struct sev_vmsa, rsi, 0x330);
ASSERT_OFFSET(struct sev_vmsa, rdi, 0x338);
ASSERT_OFFSET(struct sev_vmsa, r8, 0x340);
ASSERT_OFFSET(struct sev_vmsa, r15, 0x378);
ASSERT_OFFSET(struct sev_vmsa, reserved_fw_380, 0x380);
ASSERT_OFFSET(struct sev_vmsa, guest_exit_info_1, 0x390);
ASSERT_OFFSET(struct sev_vmsa, guest_exit_info_2, 0x398);
ASSERT_OFFSET(struct sev_vmsa, guest_exit_int_info, 0x3A0);
ASSERT_OFFSET(struct sev_vmsa, guest_nrip, 0x3A8);
ASSERT_OFFSET(struct sev_vmsa, sev_features, 0x3B0);
ASSERT_OFFSET(struct sev_vmsa, vintr_ctrl, 0x3B8);
ASSERT_OFFSET(struct sev_vmsa, guest_exit_code, 0x3C0);
ASSERT_OFFSET(struct sev_vmsa, virtual_tom, 0x3C8);
ASSERT_OFFSET(struct sev_vmsa, tlb_id, 0x3D0);
ASSERT_OFFSET(struct sev_vmsa, pcpu_id, 0x3D8);
ASSERT_OFFSET(struct sev_vmsa, event_inj, 0x3E0);
ASSERT_OFFSET(struct sev_vmsa, xcr0, 0x3E8);
ASSERT_OFFSET(struct sev_vmsa, x87_dp, 0x400);
ASSERT_OFFSET(struct sev_vmsa, mxcsr, 0x408);
ASSERT_OFFSET(struct sev_vmsa, x87_ftw, 0x40C);
ASSERT_OFFSET(struct sev_vmsa, x87_fsw, 0x40E);
ASSERT_OFFSET(struct sev_vmsa, x87_fcw, 0x410);
ASSERT_OFFSET(struct sev_vmsa, x87_fop, 0x412);
ASSERT_OFFSET(struct sev_vmsa, x87_ds, 0x414);
ASSERT_OFFSET(struct sev_vmsa, x87_cs, 0x416);
ASSERT_OFFSET(struct sev_vmsa, x87_rip, 0x418);
ASSERT_OFFSET(struct sev_vmsa, fpreg_x87, 0x420);
ASSERT_OFFSET(struct sev_vmsa, fpreg_xmm, 0x470);
ASSERT_OFFSET(struct sev_vmsa, fpreg_ymm, 0x570);
ASSERT_SIZE(struct sev_vmsa, 4096);

/* Architectural defaults the VMSA carries whatever the loader chose (C.5, G16, G18). */
#define SEV_VMSA_FCW_RESET 0x037F           /* x87 control word after FNINIT */
#define SEV_VMSA_MXCSR_RESET 0x1F80         /* all SSE exceptions masked */
#define SEV_VMSA_XCR0_RESET 0x1             /* x87 only */
#define SEV_VMSA_DR6_RESET 0xFFFF0FF0ULL    /* APM vol. 2, 13.1.1.5 */
#define SEV_VMSA_DR7_RESET 0x400ULL
#define SEV_VMSA_PAT_RESET 0x0007040600070406ULL /* APM vol. 2, 7.8.2 */
#define SEV_VMSA_EFER_SVME BIT(12)           /* set in every VMSA (APM 15.4) */

/* Builds the VMSA from a vCPU's initial register state: the VMCB save area the loader filled
 * (segments, control registers, RIP, RSP, RAX, RFLAGS, system MSRs) and the other GPRs. The
 * rest is zero except the architectural defaults above and sev_features (0x3B0). */
void sev_vmsa_build(struct sev_vmsa *out, const struct vmcb_save *s, const struct svm_gprs *g, u64 sev_features);

/* The reverse, as SEV-ES hardware does at VMRUN: the save area and GPRs from a VMSA (the
 * soft-es CPU model uses it at the first VMRUN). Fields the VMCB save area has no room for
 * (FPU, XCR0, SEV features) are not carried. */
void sev_vmsa_load(const struct sev_vmsa *in, struct vmcb_save *s, struct svm_gprs *g);

#endif
