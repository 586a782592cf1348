/* soft-es: RDMSR/WRMSR through #VC and the GHCB MSR event. A bad write comes back as
 * SW_EXITINFO1 = 1 with a #GP event, which the #VC handler raises in the guest: exactly one #GP
 * per bad write, and the guest goes on. EFER is read natively (SVME shown, as on SEV-ES
 * hardware) and through the GHCB MSR event, with the same answer; writing back what was read
 * completes. RDTSC and RDTSCP run natively, without #VC (issue 10 items 3 and 4). */
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

	/* EFER is not intercepted for SEV-ES (facts C.3): the CPU answers, and shows SVME. */
	vcs = vc_count(SVM_EXIT_MSR);
	u64 efer = rdmsr(MSR_EFER);
	report_info("EFER read natively: 0x%lx", efer);
	report("es_msr: EFER shows LME, LMA and SVME, as SEV-ES hardware does",
	       (efer & (EFER_LME | EFER_LMA | EFER_SVME)) == (EFER_LME | EFER_LMA | EFER_SVME));
	reportf(vc_count(SVM_EXIT_MSR) == vcs, "es_msr: no #VC for an EFER read (%u)", vc_count(SVM_EXIT_MSR) - vcs);
	ghcb_clear();
	ghcb_set(GHCB_RCX, MSR_EFER);
	u64 info1 = ghcb_call(SVM_EXIT_MSR, 0, 0);
	u64 nae = (ghcb_get(GHCB_RDX) << 32) | (u32)ghcb_get(GHCB_RAX);
	reportf(info1 == 0 && ghcb_valid(GHCB_RAX) && ghcb_valid(GHCB_RDX) && nae == efer,
		"es_msr: EFER through the GHCB MSR event (0x%lx) equals the native read", nae);
	ok = wrmsr_safe(MSR_EFER, efer, &vector);
	reportf(ok && rdmsr(MSR_EFER) == efer, "es_msr: writing back the EFER value read (SVME set) completes");

	/* RDTSC and RDTSCP are not intercepted for SEV-ES (KVM sev_es_init_vmcb): no #VC. */
	u32 tsc_vcs = vc_count(SVM_EXIT_RDTSC), tscp_vcs = vc_count(SVM_EXIT_RDTSCP);
	u64 t0 = rdtsc(), t1 = rdtsc();
	report("es_msr: RDTSC is monotonic", t1 >= t0);
	reportf(vc_count(SVM_EXIT_RDTSC) == tsc_vcs, "es_msr: RDTSC runs without #VC (%u)",
		vc_count(SVM_EXIT_RDTSC) - tsc_vcs);
	if (cpuid(0x80000001).d & CPUID_80000001_EDX_RDTSCP) {
		u32 aux;
		u64 t2 = rdtscp(&aux);
		reportf(t2 >= t1 && vc_count(SVM_EXIT_RDTSCP) == tscp_vcs, "es_msr: RDTSCP runs without #VC (%u)",
			vc_count(SVM_EXIT_RDTSCP) - tscp_vcs);
	} else {
		report_skip("es_msr: RDTSCP", "CPUID 0x80000001 EDX[27] clear");
	}
	/* The NAE event is still answered for a guest that asks (GHCB spec, RDTSC event). */
	ghcb_clear();
	info1 = ghcb_call(SVM_EXIT_RDTSC, 0, 0);
	report("es_msr: the RDTSC NAE event returns RAX and RDX",
	       info1 == 0 && ghcb_valid(GHCB_RAX) && ghcb_valid(GHCB_RDX));
	return report_summary();
}
