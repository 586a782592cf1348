/* soft-es: RDMSR/WRMSR through #VC and the GHCB MSR event. A bad write comes back as
 * SW_EXITINFO1 = 1 with a #GP event, which the #VC handler raises in the guest: exactly one #GP
 * per bad write, and the guest goes on. Also RDTSC through #VC, and EFER as sevisor's shadow
 * holds it (LMA inferred). */
#include "ghcb.h"
#include "rt.h"

#define MSR_UNKNOWN 0x12345678u

static void bad_write(const char *name, u32 msr, u64 val)
{
	u32 gp = exc_counts[EXC_GP], vcs = vc_count(SVM_EXIT_MSR), vector;
	bool completed = wrmsr_safe(msr, val, &vector);
	reportf(!completed && vector == EXC_GP && exc_counts[EXC_GP] == gp + 1 &&
			exc_last.error == 0 && vc_count(SVM_EXIT_MSR) == vcs + 1,
		"es_msr: %s -> one #VC, then exactly one #GP(0)", name);
}

int main(void)
{
	/* PAT lives in the VMSA (G_PAT) and is not intercepted for SEV-ES (facts C.3, KVM's
	 * MSR map): the CPU serves it, no #VC. */
	u32 vcs = vc_count(SVM_EXIT_MSR);
	u32 vector;
	bool ok = wrmsr_safe(MSR_PAT, PAT_DEFAULT, &vector);
	u64 pat = rdmsr(MSR_PAT);
	report("es_msr: PAT write and read served by the CPU", ok && pat == PAT_DEFAULT);
	reportf(vc_count(SVM_EXIT_MSR) == vcs, "es_msr: no #VC for PAT (%u)", vc_count(SVM_EXIT_MSR) - vcs);
	/* MC0_CTL is the hypervisor's: write and read back through #VC and the GHCB MSR event. */
	vcs = vc_count(SVM_EXIT_MSR);
	ok = wrmsr_safe(MSR_MC0_CTL, ~0ULL, NULL);
	u64 mc0 = rdmsr(MSR_MC0_CTL);
	report("es_msr: MC0_CTL = all ones accepted", ok && mc0 == ~0ULL);
	reportf(vc_count(SVM_EXIT_MSR) == vcs + 2, "es_msr: two #VCs for MC0_CTL write and read (%u)",
		vc_count(SVM_EXIT_MSR) - vcs);

	bad_write("MC0_CTL = 0x1234", MSR_MC0_CTL, 0x1234);
	bad_write("MC0_STATUS = 1", MSR_MC0_STATUS, 1);
	bad_write("unknown MSR 0x12345678", MSR_UNKNOWN, 0);
	u64 v;
	u32 gp = exc_counts[EXC_GP];
	ok = rdmsr_safe(MSR_UNKNOWN, &v, &vector);
	report("es_msr: RDMSR of an unknown MSR -> exactly one #GP",
	       !ok && vector == EXC_GP && exc_counts[EXC_GP] == gp + 1);

	u64 efer = rdmsr(MSR_EFER);
	report_info("EFER through #VC: 0x%lx", efer);
	report("es_msr: EFER shows LME and the inferred LMA",
	       (efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA));

	u32 tsc_vcs = vc_count(SVM_EXIT_RDTSC);
	u64 t0 = rdtsc(), t1 = rdtsc();
	report("es_msr: RDTSC through #VC is monotonic", t1 >= t0);
	report("es_msr: two RDTSC #VCs", vc_count(SVM_EXIT_RDTSC) == tsc_vcs + 2);
	return report_summary();
}
