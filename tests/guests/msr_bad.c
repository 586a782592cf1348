/* Bad MSR writes get #GP and the guest carries on (issue 5): each bad write must raise exactly
 * one #GP in the guest's own handler, good writes none, and the MSR must keep its old value.
 *
 * Plain QEMU TCG accepts all of these bad writes silently (it drops invalid MCi_CTL values and
 * EFER.LMSLE, stores bad PAT types and ignores unknown MSRs), so away from sevisor a bad write
 * that completes is reported as SKIP rather than FAIL. */
#include "rt.h"

#define MSR_MCG_CAP 0x179u
#define MCG_CAP_COUNT(v) ((u32)((v) & 0xFF))
#define MSR_HWCR 0xC0010015u
#define HWCR_MC_STATUS_WR_EN BIT(18)
#define MSR_UNKNOWN 0x12345678u
#define PAT_TYPE_RESERVED 0x02 /* PAT memory types 2 and 3 are reserved (APM vol. 2, 7.8.1) */

static bool sevisor;

static void bad_write(const char *name, u32 msr, u64 val)
{
	u64 old = 0, now = 0;
	bool readable = rdmsr_safe(msr, &old, NULL);
	u32 before = exc_counts[EXC_GP], vector;
	bool completed = wrmsr_safe(msr, val, &vector);
	u32 n = exc_counts[EXC_GP] - before;
	if (completed && !sevisor) {
		printf("SKIP: msr_bad: %s (this CPU accepted it; not under sevisor)\n", name);
		if (readable)
			wrmsr_safe(msr, old, NULL); /* put things back for the next check */
		return;
	}
	reportf(!completed && vector == EXC_GP && n == 1 && exc_last.error == 0,
		"msr_bad: %s -> exactly one #GP(0) (got %u)", name, n);
	if (readable) {
		rdmsr_safe(msr, &now, NULL);
		reportf(now == old, "msr_bad: %s left the MSR unchanged (0x%lx)", name, now);
	}
}

static void good_write(const char *name, u32 msr, u64 val)
{
	u32 before = exc_counts[EXC_GP], vector;
	bool completed = wrmsr_safe(msr, val, &vector);
	u64 now = 0;
	bool readable = rdmsr_safe(msr, &now, NULL);
	reportf(completed && exc_counts[EXC_GP] == before, "msr_bad: %s does not fault", name);
	if (readable && completed)
		reportf(now == val, "msr_bad: %s reads back (0x%lx)", name, now);
}

int main(void)
{
	sevisor = under_sevisor();

	bool lmsle_mbz = cpuid(0x80000008).b & CPUID_80000008_EBX_LMSLE_MBZ;
	if (sevisor)
		report("msr_bad: CPUID 0x80000008 EBX[20] (EFER.LMSLE must be zero)", lmsle_mbz);
	else
		printf("SKIP: msr_bad: CPUID 0x80000008 EBX[20] is %d (not under sevisor)\n",
		       lmsle_mbz);

	u64 mcg_cap = 0, hwcr = 0;
	rdmsr_safe(MSR_MCG_CAP, &mcg_cap, NULL);
	bool hwcr_ok = rdmsr_safe(MSR_HWCR, &hwcr, NULL);
	report_info("MCG_CAP 0x%lx (%u banks), HWCR 0x%lx", mcg_cap, MCG_CAP_COUNT(mcg_cap), hwcr);
	report("msr_bad: HWCR.McStatusWrEn is clear", hwcr_ok && !(hwcr & HWCR_MC_STATUS_WR_EN));
	bool have_mc0 = MCG_CAP_COUNT(mcg_cap) >= 1;

	/* Good writes first, so that the bad ones have known old values to keep. */
	if (have_mc0) {
		good_write("MC0_CTL = all ones", MSR_MC0_CTL, ~0ULL);
		good_write("MC0_STATUS = 0", MSR_MC0_STATUS, 0);
	} else {
		report_skip("msr_bad: MC0 good writes", "MCG_CAP reports no banks");
	}
	good_write("PAT = power-on default", MSR_PAT, PAT_DEFAULT);
	u64 efer = rdmsr(MSR_EFER);
	report("msr_bad: EFER shows LME and LMA in long mode",
	       (efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA));
	good_write("EFER rewritten unchanged", MSR_EFER, efer);

	bad_write("MC0_CTL = 0x1234", MSR_MC0_CTL, 0x1234);
	bad_write("MC0_STATUS = 1 with McStatusWrEn clear", MSR_MC0_STATUS, 1);
	bad_write("EFER with LMSLE (bit 13)", MSR_EFER, efer | EFER_LMSLE);
	bad_write("unknown MSR 0x12345678", MSR_UNKNOWN, 0);
	bad_write("PAT with reserved type 2 in entry 0", MSR_PAT,
		  (PAT_DEFAULT & ~0xFFULL) | PAT_TYPE_RESERVED);
	report("msr_bad: EFER.LMSLE is clear afterwards", !(rdmsr(MSR_EFER) & EFER_LMSLE));
	return report_summary();
}
