/* Shared between modes.c and modes_tramp.asm: where the trampoline and its log live. */
#ifndef GUEST_MODES_H
#define GUEST_MODES_H

#include "runtime/types.h"

/* Below 64 KiB, so that real-mode code with segment 0 reaches both. */
#define MODES_TRAMP_BASE 0x8000
#define MODES_LOG_BASE 0x9000
#define MODES_REAL_STACK 0x7000

enum modes_stage {
	STAGE_COMPAT,     /* 32-bit code segment under long mode: LMA still 1 */
	STAGE_LEGACY_PM,  /* paging off: long mode left, LME still 1, LMA 0 */
	STAGE_REAL,       /* PE off */
	STAGE_PM,         /* back in 32-bit protected mode, paging off, LME 0 */
	STAGE_COMPAT_AGAIN, /* PAE, LME, PG on again: compatibility mode, LMA 1 */
	STAGE_COUNT
};

struct modes_record {
	u32 reached, cr0, cr4, efer; /* efer: low half, or 0 when it could not be read */
};

struct modes_log {
	struct modes_record rec[STAGE_COUNT]; /* offset 0, 16 bytes each */
	u32 read_efer_everywhere;             /* 0x50: RDMSR allowed outside long mode */
	u32 real_marker;                      /* 0x54: written in real mode through segment 0x900 */
};

#define MODES_REAL_MARKER 0xBEEF
_Static_assert(sizeof(struct modes_record) == 16, "modes_tramp.asm REC_SIZE");
_Static_assert(__builtin_offsetof(struct modes_log, read_efer_everywhere) == 0x50,
	       "modes_tramp.asm LOG_FLAG");
_Static_assert(__builtin_offsetof(struct modes_log, real_marker) == 0x54,
	       "modes_tramp.asm LOG_MARKER");

#endif
