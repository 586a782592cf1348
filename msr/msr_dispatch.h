/* The MSR dispatch (msr/table.c) as the RDMSR/WRMSR exit reaches it on every MSR access:
 * inline, so that the handler's path is the index lookup, one indirect call to the rule's
 * handler, and nothing else.
 *
 * Each rule of the table has a position (1..N); msr_rule_by_slot gives the position of every
 * MSR in the permission map's ranges (0: none), and msr_reader_by_pos / msr_writer_by_pos the
 * handler at each position. Position 0 is the unindexed path (msr/table.c): an MSR outside the
 * ranges (the table search), a lookup before the index is filled (it fills it), an MSR without
 * a rule (#GP or ignore_msrs, logged once); a rule without a read or write handler has the #GP
 * one. So every access costs the same lookup, and the rare cases cost their own. */
#ifndef MSR_MSR_DISPATCH_H
#define MSR_MSR_DISPATCH_H

#include "lib/types.h"
#include "msr/msr.h"

/* What a rule's read handler gives back: the value (0 unless res is MSR_OK) and the result.
 * Sixteen bytes of two integer eightbytes, so the System V x86-64 ABI returns them in RAX and
 * RDX (ABI 3.2.3): the RDMSR exit takes the value from a register, with no stack slot to pass,
 * fill and read back. */
struct msr_read_out {
	u64 value;
	enum msr_result res;
};
_Static_assert(sizeof(struct msr_read_out) == 16, "returned in RAX:RDX");

static inline struct msr_read_out msr_read_ok(u64 value)
{
	return (struct msr_read_out){ value, MSR_OK };
}

/* A refused read (res not MSR_OK): the value 0. */
static inline struct msr_read_out msr_read_fail(enum msr_result res)
{
	return (struct msr_read_out){ 0, res };
}

typedef struct msr_read_out (*msr_read_fn)(struct vcpu *v, u32 index);
typedef enum msr_result (*msr_write_fn)(struct vcpu *v, u32 index, u64 value);

/* The three MSR ranges the permission map covers (APM vol. 2, 15.11 "MSR Intercepts"):
 * 0000_0000-0000_1FFF, C000_0000-C000_1FFF and C001_0000-C001_1FFF, numbered one after the
 * other as slots 0..3 * 0x2000 - 1. The permission map keeps two bits per slot; the rule index
 * one byte. Guests also use MSRs outside these ranges (hypervisor leaves at 0x4000_0000, say):
 * those have no slot. */
#define MSR_PM_RANGES 3u
#define MSR_PM_RANGE_MSRS 0x2000u
#define MSR_PM_SLOTS (MSR_PM_RANGES * MSR_PM_RANGE_MSRS)
#define MSR_PM_RANGE1_BASE 0xC0000000u
#define MSR_PM_RANGE2_BASE 0xC0010000u

/* The slot of index, or MSR_PM_SLOTS when it is in none of the ranges. */
static inline u32 msr_pm_slot(u32 index)
{
	if (index < MSR_PM_RANGE_MSRS)
		return index;
	if (index - MSR_PM_RANGE1_BASE < MSR_PM_RANGE_MSRS)
		return MSR_PM_RANGE_MSRS + (index - MSR_PM_RANGE1_BASE);
	if (index - MSR_PM_RANGE2_BASE < MSR_PM_RANGE_MSRS)
		return 2 * MSR_PM_RANGE_MSRS + (index - MSR_PM_RANGE2_BASE);
	return MSR_PM_SLOTS;
}

#define MSR_HIDDEN __attribute__((visibility("hidden")))
extern u8 msr_rule_by_slot[MSR_PM_SLOTS] MSR_HIDDEN;
extern msr_read_fn msr_reader_by_pos[] MSR_HIDDEN;
extern msr_write_fn msr_writer_by_pos[] MSR_HIDDEN;

/* The rule position of index: 0 when it has no slot or the slot no rule (yet). */
static inline unsigned msr_rule_pos(u32 index)
{
	u32 slot = msr_pm_slot(index);
	return slot < MSR_PM_SLOTS ? msr_rule_by_slot[slot] : 0;
}

/* msr_read and msr_write (msr.h), inline: the read as its handler gives it (value 0 unless
 * MSR_OK). */
static inline __attribute__((always_inline)) struct msr_read_out msr_read_inline(struct vcpu *v, u32 index)
{
	return msr_reader_by_pos[msr_rule_pos(index)](v, index);
}

static inline __attribute__((always_inline)) enum msr_result msr_write_inline(struct vcpu *v, u32 index, u64 value)
{
	return msr_writer_by_pos[msr_rule_pos(index)](v, index, value);
}

#endif
