/* VMRUN consistency checks in software; see vmcb_check.h. Each predicate returns true when
 * the VMCB breaks its rule. Rule text follows APM vol. 2, 15.5.1 unless noted. */
#include "svm/vmcb_check.h"
#include "svm/cr_shadow.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define DEFAULT_PHYS_BITS 52
#define IOPM_SIZE (12 * 1024ULL)  /* APM 15.10.1: 12 KiB I/O permission map */
#define MSRPM_SIZE (8 * 1024ULL)  /* APM 15.11: 8 KiB MSR permission map */

static unsigned phys_bits(const struct svm_vmcb_caps *c)
{
	return c->phys_bits ? c->phys_bits : DEFAULT_PHYS_BITS;
}

/* Bits at or above MAXPHYADDR: must be zero in any physical address. */
static u64 above_maxphyaddr(const struct svm_vmcb_caps *c)
{
	unsigned b = phys_bits(c);
	return b >= 64 ? 0 : ~0ULL << b;
}

/* Long mode is being entered or in use: EFER.LME and CR0.PG both set. */
static bool long_mode(const struct vmcb *v)
{
	return (v->save.efer & EFER_LME) && (v->save.cr0 & CR0_PG);
}

static bool efer_svme_clear(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return !(v->save.efer & EFER_SVME);
}

static bool cr0_nw_without_cd(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return !(v->save.cr0 & CR0_CD) && (v->save.cr0 & CR0_NW);
}

static bool cr0_high(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return (v->save.cr0 >> 32) != 0;
}

/* In long mode CR3 holds a physical address: bits 63:52 are reserved and bits from
 * MAXPHYADDR up MBZ (APM vol. 2, 3.1.2, figure 3-6). Outside long mode the PDBR fields'
 * reserved bits are ignored rather than checked, so VMRUN (and QEMU TCG) check CR3 only in
 * long mode. */
static bool cr3_mbz(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	return long_mode(v) && (v->save.cr3 & above_maxphyaddr(c));
}

static bool cr4_mbz(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	u64 valid = c->cr4_valid ? c->cr4_valid : SVM_VMCB_CR4_VALID_DEFAULT;
	return (v->save.cr4 & ~valid) != 0;
}

static bool dr6_high(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return (v->save.dr6 >> 32) != 0;
}

static bool dr7_high(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return (v->save.dr7 >> 32) != 0;
}

/* EFER MBZ bits other than LMSLE, which has its own row so the log names it. */
static bool efer_mbz(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	u64 valid = (c->efer_valid ? c->efer_valid : SVM_VMCB_EFER_VALID_DEFAULT) | EFER_LMSLE;
	return (v->save.efer & ~valid) != 0;
}

/* LMSLE (long-mode segment limit enable) is MBZ on CPUs that dropped it (Zen 3 on, and
 * QEMU TCG's models). */
static bool efer_lmsle(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	return !c->lmsle && (v->save.efer & EFER_LMSLE);
}

static bool long_no_pae(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return long_mode(v) && !(v->save.cr4 & CR4_PAE);
}

static bool long_no_pe(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return long_mode(v) && !(v->save.cr0 & CR0_PE);
}

static bool cs_l_and_d(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return long_mode(v) && (v->save.cr4 & CR4_PAE) && (v->save.cs.attrib & SVM_SEG_L) &&
	       (v->save.cs.attrib & SVM_SEG_DB);
}

static bool no_vmrun_intercept(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return !(v->control.intercept_misc2 & BIT(SVM_INTERCEPT_VMRUN));
}

/* "The MSR or IOIO intercept tables extend to a physical address that is greater than or
 * equal to the maximum supported physical address." Hardware ignores bits 11:0 of the bases. */
static bool table_beyond(u64 base, u64 size, const struct svm_vmcb_caps *c)
{
	u64 start = base & ~(PAGE_SIZE - 1);
	u64 last = start + size - 1;
	return last < start || (last & above_maxphyaddr(c)) != 0;
}

static bool iopm_beyond(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	return table_beyond(v->control.iopm_base_pa, IOPM_SIZE, c);
}

static bool msrpm_beyond(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	return table_beyond(v->control.msrpm_base_pa, MSRPM_SIZE, c);
}

static bool asid_zero(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return v->control.asid == 0;
}

/* EVENTINJ (APM 15.20): checked only when V is set. */
static bool eventinj_valid_bit(const struct vmcb *v)
{
	return (v->control.event_inj & SVM_EVT_VALID) != 0;
}

static bool eventinj_mbz(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return eventinj_valid_bit(v) && (v->control.event_inj & SVM_EVT_MBZ_MASK);
}

/* TYPE: 0 INTR, 2 NMI, 3 exception, 4 software interrupt; 1, 5, 6 and 7 are reserved. */
static const bool event_type_ok[8] = { [0] = true, [2] = true, [3] = true, [4] = true };

static bool eventinj_type(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	unsigned type = (v->control.event_inj & SVM_EVT_TYPE_MASK) >> SVM_EVT_TYPE_SHIFT;
	return eventinj_valid_bit(v) && !event_type_ok[type];
}

/* "TYPE = 3 (exception) with a vector that does not correspond to an exception (this includes
 * vector 2, which is an NMI, not an exception)": vector 2, and vectors 32..255. */
#define NMI_VECTOR 2
#define FIRST_NON_EXCEPTION_VECTOR 32

static bool eventinj_vector(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	u32 ev = v->control.event_inj;
	unsigned vector = ev & SVM_EVT_VECTOR_MASK;
	return eventinj_valid_bit(v) && (ev & SVM_EVT_TYPE_MASK) == SVM_EVT_TYPE_EXCEPTION &&
	       (vector == NMI_VECTOR || vector >= FIRST_NON_EXCEPTION_VECTOR);
}

/* APM 15.35 (SEV-ES): LBR virtualization must be enabled together with SEV-ES, since the
 * LBR state lives in the encrypted VMSA. */
static bool sev_es_no_lbrv(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	(void)c;
	return (v->control.nested_ctl & SVM_NESTED_CTL_SEV_ES_ENABLE) &&
	       !(v->control.virt_ext & SVM_VIRT_EXT_LBRV);
}

/* APM 15.25.4: with nested paging on, nCR3 is a physical address; bits from MAXPHYADDR up
 * MBZ. */
static bool ncr3_mbz(const struct vmcb *v, const struct svm_vmcb_caps *c)
{
	return (v->control.nested_ctl & SVM_NESTED_CTL_NP_ENABLE) &&
	       (v->control.nested_cr3 & above_maxphyaddr(c));
}

struct vmcb_rule {
	const char *name;
	bool (*broken)(const struct vmcb *v, const struct svm_vmcb_caps *c);
};

static const struct vmcb_rule rules[SVM_VMCB_RULE_COUNT] = {
	[SVM_VMCB_EFER_SVME_CLEAR] = { "EFER.SVME clear", efer_svme_clear },
	[SVM_VMCB_CR0_NW_WITHOUT_CD] = { "CR0.NW set with CR0.CD clear", cr0_nw_without_cd },
	[SVM_VMCB_CR0_HIGH] = { "CR0[63:32] not zero", cr0_high },
	[SVM_VMCB_CR3_MBZ] = { "CR3 MBZ bits set (long mode, above MAXPHYADDR)", cr3_mbz },
	[SVM_VMCB_CR4_MBZ] = { "CR4 MBZ bits set", cr4_mbz },
	[SVM_VMCB_DR6_HIGH] = { "DR6[63:32] not zero", dr6_high },
	[SVM_VMCB_DR7_HIGH] = { "DR7[63:32] not zero", dr7_high },
	[SVM_VMCB_EFER_MBZ] = { "EFER MBZ bits set", efer_mbz },
	[SVM_VMCB_EFER_LMSLE] = { "EFER.LMSLE set but not supported", efer_lmsle },
	[SVM_VMCB_LONG_NO_PAE] = { "EFER.LME and CR0.PG set with CR4.PAE clear", long_no_pae },
	[SVM_VMCB_LONG_NO_PE] = { "EFER.LME and CR0.PG set with CR0.PE clear", long_no_pe },
	[SVM_VMCB_CS_L_AND_D] = { "long mode with CS.L and CS.D both set", cs_l_and_d },
	[SVM_VMCB_NO_VMRUN_INTERCEPT] = { "VMRUN intercept clear", no_vmrun_intercept },
	[SVM_VMCB_IOPM_BEYOND_MAXPHYADDR] = { "IOPM extends beyond MAXPHYADDR", iopm_beyond },
	[SVM_VMCB_MSRPM_BEYOND_MAXPHYADDR] = { "MSRPM extends beyond MAXPHYADDR", msrpm_beyond },
	[SVM_VMCB_ASID_ZERO] = { "ASID is 0", asid_zero },
	[SVM_VMCB_EVENTINJ_MBZ] = { "EVENTINJ MBZ bits set", eventinj_mbz },
	[SVM_VMCB_EVENTINJ_TYPE] = { "EVENTINJ reserved type", eventinj_type },
	[SVM_VMCB_EVENTINJ_VECTOR] = { "EVENTINJ exception with a non-exception vector",
				       eventinj_vector },
	[SVM_VMCB_SEV_ES_NO_LBRV] = { "SEV-ES without LBR virtualization", sev_es_no_lbrv },
	[SVM_VMCB_NCR3_MBZ] = { "nested paging with nCR3 MBZ bits set", ncr3_mbz },
};

u32 svm_vmcb_check(const struct vmcb *vmcb, const struct svm_vmcb_caps *caps)
{
	static const struct svm_vmcb_caps defaults;
	const struct svm_vmcb_caps *c = caps ? caps : &defaults;
	u32 failed = 0;
	for (unsigned i = 0; i < SVM_VMCB_RULE_COUNT; i++)
		if (rules[i].broken(vmcb, c))
			failed |= 1u << i;
	return failed;
}

const char *svm_vmcb_rule_name(enum svm_vmcb_rule rule)
{
	return (unsigned)rule < SVM_VMCB_RULE_COUNT ? rules[rule].name : "?";
}

const char *svm_vmcb_check_first(const struct vmcb *vmcb, const struct svm_vmcb_caps *caps)
{
	u32 failed = svm_vmcb_check(vmcb, caps);
	for (unsigned i = 0; i < SVM_VMCB_RULE_COUNT; i++)
		if (failed & (1u << i))
			return rules[i].name;
	return NULL;
}

unsigned svm_vmcb_check_describe(u32 failed, char *buf, size_t len)
{
	unsigned n = 0;
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < SVM_VMCB_RULE_COUNT; i++) {
		if (!(failed & (1u << i)))
			continue;
		if (used < len) {
			int w = fmt_snprintf(buf + used, len - used, "%s%s", n ? "; " : "", rules[i].name);
			used += w > 0 ? (size_t)w : 0;
		}
		n++;
	}
	return n;
}
