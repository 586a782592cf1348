/* Exceptions reach the guest's own IDT: WRMSR and RDMSR of an MSR that does not exist raise #GP
 * (error code 0) exactly once each, which sevisor injects; UD2 raises #UD, which sevisor does
 * not intercept at all. The guest carries on after each. */
#include "rt.h"

#define MSR_NONEXISTENT 0xC0011FFFu

static void check_gp(const char *what, bool completed, u32 vector, u32 before)
{
	if (completed && !under_sevisor()) {
		/* QEMU TCG on its own ignores writes to MSRs it does not know and reads them as 0. */
		printf("SKIP: gp_inject: %s of an unknown MSR (not under sevisor, and this CPU "
		       "accepted it)\n", what);
		return;
	}
	u32 n = exc_counts[EXC_GP] - before;
	reportf(!completed && vector == EXC_GP && n == 1 && exc_last.error == 0,
		"gp_inject: %s of MSR 0x%x raises one #GP with error code 0 (vector %d, count %u, "
		"error 0x%lx)",
		what, MSR_NONEXISTENT, vector == EXC_NONE ? -1 : (int)vector, n, exc_last.error);
}

int main(void)
{
	u32 vector, before = exc_counts[EXC_GP];
	bool ok = wrmsr_safe(MSR_NONEXISTENT, 0x1234, &vector);
	check_gp("WRMSR", ok, vector, before);

	before = exc_counts[EXC_GP];
	u64 val;
	ok = rdmsr_safe(MSR_NONEXISTENT, &val, &vector);
	check_gp("RDMSR", ok, vector, before);

	before = exc_counts[EXC_UD];
	ok = ud2_safe(&vector);
	report("gp_inject: UD2 raises #UD in the guest's handler",
	       !ok && vector == EXC_UD && exc_counts[EXC_UD] - before == 1);
	report("gp_inject: no other exception seen",
	       exc_counts[EXC_GP] == (under_sevisor() ? 2 : exc_counts[EXC_GP]) &&
		       exc_counts[EXC_UD] == 1);
	return report_summary();
}
