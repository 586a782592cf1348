/* PAT (APM vol. 2, 7.8) and MTRRs (APM vol. 2, 7.7). sevisor does not let the guest's MTRRs
 * change host memory types (NPT decides); it keeps them so a guest reads back what it wrote,
 * and it applies the architectural validity rules so bad writes get #GP as on hardware. */
#include "msr/msr_rules.h"

/* Memory-type checks on all eight bytes of a PAT or fixed-range MTRR value at once, each byte
 * one type (APM vol. 2, 7.7.1 and 7.8.1): PAT types UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7; 2 and 3
 * are reserved, as is everything from 8 up; MTRRs have the same types without UC- (7 is
 * reserved there). In bits: a byte is a PAT type when bits 7:3 are clear and not (bit 1 set
 * with bit 2 clear), the pattern of 2 and 3; an MTRR type when it is a PAT type and not all of
 * bits 2:0 are set. Shifting the word right by one or two lines each byte's bit 2 and bit 1 up
 * with its bit 1 and bit 0 (the bits that cross into the next byte are masked off), so one
 * expression tests the eight bytes instead of a loop over them. */
#define EACH_BYTE(b) (0x0101010101010101ULL * (b))

static bool pat_types_valid(u64 v)
{
	return !(v & EACH_BYTE(0xF8)) && !(v & ~(v >> 1) & EACH_BYTE(0x02));
}

static bool mtrr_types_valid(u64 v)
{
	return pat_types_valid(v) && !(v & (v >> 1) & (v >> 2) & EACH_BYTE(0x01));
}

/* One type in bits 7:0 (the other bytes count as UC, which is valid). */
static bool mtrr_type_valid(u8 t)
{
	return mtrr_types_valid(t);
}

/* Guest PAT is the VMCB's G_PAT with nested paging (APM 15.25.8). For sev-es/soft-es the PAT
 * is in the VMSA and not intercepted; a GHCB request for it is refused with #GP. */
struct msr_read_out msr_pat_read(struct vcpu *v, u32 index)
{
	(void)index;
	if (!msr_state_in_vmcb(v))
		return msr_read_fail(MSR_GP);
	return msr_read_ok(v->vmcb->save.g_pat);
}

enum msr_result msr_pat_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (!msr_state_in_vmcb(v) || !pat_types_valid(value))
		return MSR_GP;
	v->vmcb->save.g_pat = value;
	return MSR_OK;
}

struct msr_read_out msr_mtrrcap_read(struct vcpu *v, u32 index)
{
	(void)v;
	(void)index;
	return msr_read_ok(MSR_MTRR_NR_VAR | MSR_MTRRCAP_FIX | MSR_MTRRCAP_WC);
}

/* MTRRdefType: type [7:0], FE bit 10, E bit 11; everything else reserved. */
#define DEF_TYPE_VALID_BITS (GENMASK(7, 0) | MSR_MTRR_DEF_TYPE_FE | MSR_MTRR_DEF_TYPE_E)

struct msr_read_out msr_mtrr_def_read(struct vcpu *v, u32 index)
{
	(void)index;
	return msr_read_ok(v->msr.mtrr_def_type);
}

enum msr_result msr_mtrr_def_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if ((value & ~DEF_TYPE_VALID_BITS) || !mtrr_type_valid((u8)value))
		return MSR_GP;
	v->msr.mtrr_def_type = value;
	return MSR_OK;
}

void msr_mtrr_firmware_defaults(struct vcpu *v)
{
	v->msr.mtrr_def_type = MSR_MTRR_DEF_TYPE_E | MSR_MEMTYPE_WB;
}

/* 0x250 -> 0, 0x258..0x259 -> 1..2, 0x268..0x26F -> 3..10. */
static unsigned fixed_slot(u32 index)
{
	if (index == MSR_MTRR_FIX64K_00000)
		return 0;
	if (index <= MSR_MTRR_FIX16K_A0000)
		return 1 + (index - MSR_MTRR_FIX16K_80000);
	return 3 + (index - MSR_MTRR_FIX4K_C0000);
}

struct msr_read_out msr_mtrr_fixed_read(struct vcpu *v, u32 index)
{
	return msr_read_ok(v->msr.mtrr_fixed[fixed_slot(index)]);
}

/* Each byte is one range's type. The AMD RdMem/WrMem bits (3, 4) are only writable with
 * SYSCFG.MtrrFixDramModEn, which the guest never sees set, so they count as invalid types. */
enum msr_result msr_mtrr_fixed_write(struct vcpu *v, u32 index, u64 value)
{
	if (!mtrr_types_valid(value))
		return MSR_GP;
	v->msr.mtrr_fixed[fixed_slot(index)] = value;
	return MSR_OK;
}

/* PhysBase n = 0x200 + 2n: type [7:0], [11:8] reserved, base [maxphy-1:12].
 * PhysMask n = 0x201 + 2n: [10:0] reserved, V bit 11, mask [maxphy-1:12]. */
struct msr_read_out msr_mtrr_var_read(struct vcpu *v, u32 index)
{
	unsigned n = (index - MSR_MTRR_PHYS_BASE0) / 2;
	return msr_read_ok((index & 1) ? v->msr.mtrr_mask[n] : v->msr.mtrr_base[n]);
}

enum msr_result msr_mtrr_var_write(struct vcpu *v, u32 index, u64 value)
{
	unsigned n = (index - MSR_MTRR_PHYS_BASE0) / 2;
	u64 above = msr_phys_reserved_mask(v);
	if (index & 1) {
		if (value & (above | GENMASK(10, 0)))
			return MSR_GP;
		v->msr.mtrr_mask[n] = value;
	} else {
		if ((value & (above | GENMASK(11, 8))) || !mtrr_type_valid((u8)value))
			return MSR_GP;
		v->msr.mtrr_base[n] = value;
	}
	return MSR_OK;
}
