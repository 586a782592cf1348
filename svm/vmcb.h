/* The VMCB (APM vol. 2, appendix B "Layout of VMCB"): a 4 KiB page, control area at 0x000,
 * state save area at 0x400. Offsets are asserted below; they match Linux's
 * arch/x86/include/asm/svm.h and the APM table B-1/B-2. */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include "lib/types.h"

/* Intercept vector 3 (offset 0x00C), APM table B-1. */
enum {
	SVM_INTERCEPT_INTR = 0,
	SVM_INTERCEPT_NMI = 1,
	SVM_INTERCEPT_SMI = 2,
	SVM_INTERCEPT_INIT = 3,
	SVM_INTERCEPT_VINTR = 4,
	SVM_INTERCEPT_CR0_SEL_WRITE = 5,
	SVM_INTERCEPT_RDTSC = 14,
	SVM_INTERCEPT_RDPMC = 15,
	SVM_INTERCEPT_CPUID = 18,
	SVM_INTERCEPT_RSM = 19,
	SVM_INTERCEPT_IRET = 20,
	SVM_INTERCEPT_INVD = 22,
	SVM_INTERCEPT_PAUSE = 23,
	SVM_INTERCEPT_HLT = 24,
	SVM_INTERCEPT_INVLPGA = 26,
	SVM_INTERCEPT_IOIO_PROT = 27,
	SVM_INTERCEPT_MSR_PROT = 28,
	SVM_INTERCEPT_TASK_SWITCH = 29,
	SVM_INTERCEPT_SHUTDOWN = 31,
};

/* Intercept vector 4 (offset 0x010). Bits 15..31 are the SEV-ES write traps. */
enum {
	SVM_INTERCEPT_VMRUN = 0,
	SVM_INTERCEPT_VMMCALL = 1,
	SVM_INTERCEPT_VMLOAD = 2,
	SVM_INTERCEPT_VMSAVE = 3,
	SVM_INTERCEPT_STGI = 4,
	SVM_INTERCEPT_CLGI = 5,
	SVM_INTERCEPT_SKINIT = 6,
	SVM_INTERCEPT_RDTSCP = 7,
	SVM_INTERCEPT_ICEBP = 8,
	SVM_INTERCEPT_WBINVD = 9,
	SVM_INTERCEPT_MONITOR = 10,
	SVM_INTERCEPT_MWAIT = 11,
	SVM_INTERCEPT_MWAIT_COND = 12,
	SVM_INTERCEPT_XSETBV = 13,
	SVM_INTERCEPT_RDPRU = 14,
	SVM_TRAP_EFER_WRITE = 15,
	SVM_TRAP_CR0_WRITE = 16, /* CRn write trap is bit 16 + n */
};

/* nested_ctl (0x090), APM 15.25 and 15.34/15.35. */
#define SVM_NESTED_CTL_NP_ENABLE BIT(0)
#define SVM_NESTED_CTL_SEV_ENABLE BIT(1)
#define SVM_NESTED_CTL_SEV_ES_ENABLE BIT(2)

/* virt_ext (0x0B8): LBR virtualization, mandatory for SEV-ES (APM 15.35.2). */
#define SVM_VIRT_EXT_LBRV BIT(0)

/* TLB_CONTROL (0x05C). */
#define SVM_TLB_CONTROL_NONE 0
#define SVM_TLB_CONTROL_FLUSH_ALL 1
#define SVM_TLB_CONTROL_FLUSH_ASID 3

/* int_ctl (0x060). */
#define SVM_INT_CTL_V_TPR_MASK 0xFULL
#define SVM_INT_CTL_V_IRQ BIT(8)
#define SVM_INT_CTL_V_INTR_PRIO_SHIFT 16
#define SVM_INT_CTL_V_INTR_PRIO_MASK (0xFULL << SVM_INT_CTL_V_INTR_PRIO_SHIFT)
#define SVM_INT_CTL_V_IGN_TPR BIT(20)
#define SVM_INT_CTL_V_INTR_MASKING BIT(24)

/* int_state (0x068). */
#define SVM_INT_STATE_SHADOW BIT(0)
#define SVM_INT_STATE_GUEST_IF BIT(1)

/* EVENTINJ / EXITINTINFO format (APM 15.20). */
#define SVM_EVT_VECTOR_MASK 0xFFu
#define SVM_EVT_TYPE_SHIFT 8
#define SVM_EVT_TYPE_MASK (7u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_INTR (0u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_NMI (2u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_EXCEPTION (3u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_SOFT_INT (4u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_ERR_VALID BIT(11)
#define SVM_EVT_VALID BIT(31)
/* Bits 12..30 of EVENTINJ must be zero (APM 15.20). */
#define SVM_EVT_MBZ_MASK GENMASK(30, 12)

struct vmcb_control {
	u32 intercept_cr;         /* 0x000 */
	u32 intercept_dr;         /* 0x004 */
	u32 intercept_exceptions; /* 0x008 */
	u32 intercept_misc1;      /* 0x00C */
	u32 intercept_misc2;      /* 0x010 */
	u32 intercept_misc3;      /* 0x014 */
	u8 reserved_018[0x03C - 0x018];
	u16 pause_filter_threshold; /* 0x03C */
	u16 pause_filter_count;     /* 0x03E */
	u64 iopm_base_pa;           /* 0x040 */
	u64 msrpm_base_pa;          /* 0x048 */
	u64 tsc_offset;             /* 0x050 */
	u32 asid;                   /* 0x058 */
	u8 tlb_control;             /* 0x05C */
	u8 reserved_05d[3];
	u32 int_ctl;           /* 0x060 */
	u32 int_vector;        /* 0x064 */
	u32 int_state;         /* 0x068 */
	u8 reserved_06c[4];
	u64 exit_code;         /* 0x070 */
	u64 exit_info1;        /* 0x078 */
	u64 exit_info2;        /* 0x080 */
	u32 exit_int_info;     /* 0x088 */
	u32 exit_int_info_err; /* 0x08C */
	u64 nested_ctl;        /* 0x090 */
	u64 avic_vapic_bar;    /* 0x098 */
	u64 ghcb_gpa;          /* 0x0A0 */
	u32 event_inj;         /* 0x0A8 */
	u32 event_inj_err;     /* 0x0AC */
	u64 nested_cr3;        /* 0x0B0 */
	u64 virt_ext;          /* 0x0B8 */
	u32 clean_bits;        /* 0x0C0 */
	u8 reserved_0c4[4];
	u64 next_rip;          /* 0x0C8 */
	u8 insn_len;           /* 0x0D0 */
	u8 insn_bytes[15];     /* 0x0D1 */
	u64 avic_backing_page; /* 0x0E0 */
	u8 reserved_0e8[8];
	u64 avic_logical_id;   /* 0x0F0 */
	u64 avic_physical_id;  /* 0x0F8 */
	u8 reserved_100[8];
	u64 vmsa_pa;           /* 0x108 */
	u8 reserved_110[0x400 - 0x110];
} PACKED;

ASSERT_OFFSET(struct vmcb_control, intercept_cr, 0x000);
ASSERT_OFFSET(struct vmcb_control, intercept_dr, 0x004);
ASSERT_OFFSET(struct vmcb_control, intercept_exceptions, 0x008);
ASSERT_OFFSET(struct vmcb_control, intercept_misc1, 0x00C);
ASSERT_OFFSET(struct vmcb_control, intercept_misc2, 0x010);
ASSERT_OFFSET(struct vmcb_control, intercept_misc3, 0x014);
ASSERT_OFFSET(struct vmcb_control, pause_filter_threshold, 0x03C);
ASSERT_OFFSET(struct vmcb_control, pause_filter_count, 0x03E);
ASSERT_OFFSET(struct vmcb_control, iopm_base_pa, 0x040);
ASSERT_OFFSET(struct vmcb_control, msrpm_base_pa, 0x048);
ASSERT_OFFSET(struct vmcb_control, tsc_offset, 0x050);
ASSERT_OFFSET(struct vmcb_control, asid, 0x058);
ASSERT_OFFSET(struct vmcb_control, tlb_control, 0x05C);
ASSERT_OFFSET(struct vmcb_control, int_ctl, 0x060);
ASSERT_OFFSET(struct vmcb_control, int_vector, 0x064);
ASSERT_OFFSET(struct vmcb_control, int_state, 0x068);
ASSERT_OFFSET(struct vmcb_control, exit_code, 0x070);
ASSERT_OFFSET(struct vmcb_control, exit_info1, 0x078);
ASSERT_OFFSET(struct vmcb_control, exit_info2, 0x080);
ASSERT_OFFSET(struct vmcb_control, exit_int_info, 0x088);
ASSERT_OFFSET(struct vmcb_control, exit_int_info_err, 0x08C);
ASSERT_OFFSET(struct vmcb_control, nested_ctl, 0x090);
ASSERT_OFFSET(struct vmcb_control, avic_vapic_bar, 0x098);
ASSERT_OFFSET(struct vmcb_control, ghcb_gpa, 0x0A0);
ASSERT_OFFSET(struct vmcb_control, event_inj, 0x0A8);
ASSERT_OFFSET(struct vmcb_control, event_inj_err, 0x0AC);
ASSERT_OFFSET(struct vmcb_control, nested_cr3, 0x0B0);
ASSERT_OFFSET(struct vmcb_control, virt_ext, 0x0B8);
ASSERT_OFFSET(struct vmcb_control, clean_bits, 0x0C0);
ASSERT_OFFSET(struct vmcb_control, next_rip, 0x0C8);
ASSERT_OFFSET(struct vmcb_control, insn_len, 0x0D0);
ASSERT_OFFSET(struct vmcb_control, insn_bytes, 0x0D1);
ASSERT_OFFSET(struct vmcb_control, avic_backing_page, 0x0E0);
ASSERT_OFFSET(struct vmcb_control, avic_logical_id, 0x0F0);
ASSERT_OFFSET(struct vmcb_control, avic_physical_id, 0x0F8);
ASSERT_OFFSET(struct vmcb_control, vmsa_pa, 0x108);
ASSERT_SIZE(struct vmcb_control, 0x400);

/* Segment register image: selector, packed attributes, limit, base (APM 15.5.1). */
struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} PACKED;
ASSERT_SIZE(struct vmcb_seg, 16);

/* Packed attribute bits (the descriptor's bits 8..15 and 20..23 squeezed into 12 bits). */
#define SVM_SEG_TYPE_MASK 0xFu
#define SVM_SEG_S BIT(4)
#define SVM_SEG_DPL_SHIFT 5
#define SVM_SEG_P BIT(7)
#define SVM_SEG_AVL BIT(8)
#define SVM_SEG_L BIT(9)
#define SVM_SEG_DB BIT(10)
#define SVM_SEG_G BIT(11)

/* State save area, offsets relative to the start of the VMCB (so 0x400 + APM offset). */
struct vmcb_save {
	struct vmcb_seg es;   /* 0x400 */
	struct vmcb_seg cs;   /* 0x410 */
	struct vmcb_seg ss;   /* 0x420 */
	struct vmcb_seg ds;   /* 0x430 */
	struct vmcb_seg fs;   /* 0x440 */
	struct vmcb_seg gs;   /* 0x450 */
	struct vmcb_seg gdtr; /* 0x460 */
	struct vmcb_seg ldtr; /* 0x470 */
	struct vmcb_seg idtr; /* 0x480 */
	struct vmcb_seg tr;   /* 0x490 */
	u8 reserved_0a0[0xCB - 0xA0];
	u8 cpl;              /* 0x4CB */
	u8 reserved_0cc[4];
	u64 efer;            /* 0x4D0 */
	u8 reserved_0d8[0x148 - 0xD8];
	u64 cr4;             /* 0x548 */
	u64 cr3;             /* 0x550 */
	u64 cr0;             /* 0x558 */
	u64 dr7;             /* 0x560 */
	u64 dr6;             /* 0x568 */
	u64 rflags;          /* 0x570 */
	u64 rip;             /* 0x578 */
	u8 reserved_180[0x1D8 - 0x180];
	u64 rsp;             /* 0x5D8 */
	u64 s_cet;           /* 0x5E0 */
	u64 ssp;             /* 0x5E8 */
	u64 isst_addr;       /* 0x5F0 */
	u64 rax;             /* 0x5F8 */
	u64 star;            /* 0x600 */
	u64 lstar;           /* 0x608 */
	u64 cstar;           /* 0x610 */
	u64 sfmask;          /* 0x618 */
	u64 kernel_gs_base;  /* 0x620 */
	u64 sysenter_cs;     /* 0x628 */
	u64 sysenter_esp;    /* 0x630 */
	u64 sysenter_eip;    /* 0x638 */
	u64 cr2;             /* 0x640 */
	u8 reserved_248[0x268 - 0x248];
	u64 g_pat;           /* 0x668 */
	u64 dbgctl;          /* 0x670 */
	u64 br_from;         /* 0x678 */
	u64 br_to;           /* 0x680 */
	u64 last_excp_from;  /* 0x688 */
	u64 last_excp_to;    /* 0x690 */
	u8 reserved_298[0x2E0 - 0x298];
	u64 spec_ctrl;       /* 0x6E0 */
	u8 reserved_2e8[0xC00 - 0x2E8];
} PACKED;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} PACKED;

ASSERT_OFFSET(struct vmcb, save, 0x400);
ASSERT_OFFSET(struct vmcb, save.es, 0x400);
ASSERT_OFFSET(struct vmcb, save.cs, 0x410);
ASSERT_OFFSET(struct vmcb, save.ss, 0x420);
ASSERT_OFFSET(struct vmcb, save.ds, 0x430);
ASSERT_OFFSET(struct vmcb, save.fs, 0x440);
ASSERT_OFFSET(struct vmcb, save.gs, 0x450);
ASSERT_OFFSET(struct vmcb, save.gdtr, 0x460);
ASSERT_OFFSET(struct vmcb, save.ldtr, 0x470);
ASSERT_OFFSET(struct vmcb, save.idtr, 0x480);
ASSERT_OFFSET(struct vmcb, save.tr, 0x490);
ASSERT_OFFSET(struct vmcb, save.cpl, 0x4CB);
ASSERT_OFFSET(struct vmcb, save.efer, 0x4D0);
ASSERT_OFFSET(struct vmcb, save.cr4, 0x548);
ASSERT_OFFSET(struct vmcb, save.cr3, 0x550);
ASSERT_OFFSET(struct vmcb, save.cr0, 0x558);
ASSERT_OFFSET(struct vmcb, save.dr7, 0x560);
ASSERT_OFFSET(struct vmcb, save.dr6, 0x568);
ASSERT_OFFSET(struct vmcb, save.rflags, 0x570);
ASSERT_OFFSET(struct vmcb, save.rip, 0x578);
ASSERT_OFFSET(struct vmcb, save.rsp, 0x5D8);
ASSERT_OFFSET(struct vmcb, save.s_cet, 0x5E0);
ASSERT_OFFSET(struct vmcb, save.ssp, 0x5E8);
ASSERT_OFFSET(struct vmcb, save.isst_addr, 0x5F0);
ASSERT_OFFSET(struct vmcb, save.rax, 0x5F8);
ASSERT_OFFSET(struct vmcb, save.star, 0x600);
ASSERT_OFFSET(struct vmcb, save.lstar, 0x608);
ASSERT_OFFSET(struct vmcb, save.cstar, 0x610);
ASSERT_OFFSET(struct vmcb, save.sfmask, 0x618);
ASSERT_OFFSET(struct vmcb, save.kernel_gs_base, 0x620);
ASSERT_OFFSET(struct vmcb, save.sysenter_cs, 0x628);
ASSERT_OFFSET(struct vmcb, save.sysenter_esp, 0x630);
ASSERT_OFFSET(struct vmcb, save.sysenter_eip, 0x638);
ASSERT_OFFSET(struct vmcb, save.cr2, 0x640);
ASSERT_OFFSET(struct vmcb, save.g_pat, 0x668);
ASSERT_OFFSET(struct vmcb, save.dbgctl, 0x670);
ASSERT_OFFSET(struct vmcb, save.br_from, 0x678);
ASSERT_OFFSET(struct vmcb, save.br_to, 0x680);
ASSERT_OFFSET(struct vmcb, save.last_excp_from, 0x688);
ASSERT_OFFSET(struct vmcb, save.last_excp_to, 0x690);
ASSERT_OFFSET(struct vmcb, save.spec_ctrl, 0x6E0);
ASSERT_SIZE(struct vmcb, 4096);

#endif
