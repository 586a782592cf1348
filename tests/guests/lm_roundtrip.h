/* Shared between lm_roundtrip.c and lm_roundtrip_walk.asm: the states of the walk and the
 * record each one leaves. */
#ifndef GUEST_LM_ROUNDTRIP_H
#define GUEST_LM_ROUNDTRIP_H

#include "runtime/types.h"

enum lr_state {
	LR_64BIT,        /* long mode, 64-bit code */
	LR_COMPAT,       /* long mode, 32-bit code segment */
	LR_PAGING_OFF,   /* CR0.PG=0: long mode left; EFER.LME=1, CR4.PAE=1 */
	LR_LME_OFF,      /* EFER.LME=0 (rdmsr; and; wrmsr) */
	LR_PAE_OFF,      /* CR4.PAE=0: plain protected mode */
	LR_LME_ON,       /* EFER.LME=1 with CR4.PAE=0 (rdmsr; or; wrmsr): the state QEMU trips on */
	LR_PAE_ON,       /* CR4.PAE=1 */
	LR_COMPAT_AGAIN, /* CR0.PG=1: long mode, 32-bit code segment */
	LR_64BIT_AGAIN,  /* far jump to the 64-bit code segment */
	LR_COUNT
};

/* One per state, written by the walk (all 32-bit values: EFER's high half is zero). */
struct lr_record {
	u32 reached;
	u32 cr0, cr4;
	u32 efer;       /* RDMSR EFER on arrival */
	u32 efer_flip;  /* read back after writing it with SCE flipped */
	u32 efer_back;  /* read back after writing the arrival value again */
	u32 cpuid_ebx;  /* CPUID leaf 0 EBX: the exit taken in this state */
	u32 vc32_count; /* #VCs taken through the 32-bit IDT so far */
};

#define LR_REC_SIZE 32
_Static_assert(sizeof(struct lr_record) == LR_REC_SIZE, "lm_roundtrip_walk.asm REC_SIZE");

extern struct lr_record lr_log[LR_COUNT];
extern volatile u32 lr_vc32_count, lr_vc32_err, lr_vc32_bad;
void lr_walk(void);

#endif
