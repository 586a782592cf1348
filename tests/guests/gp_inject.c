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

/* A load from a non-canonical address: #GP(0) from the CPU itself, on every machine. */
#define NONCANONICAL_ADDR 0x8000000000000000ULL

static bool load_safe(u64 addr, u32 *vector)
{
	u64 v;
	exc_caught = EXC_NONE;
	asm volatile("1: movq (%1), %0\n\t2:\n\t" EXC_FIXUP("1b", "2b")
		     : "=r"(v)
		     : "r"(addr)
		     : "memory");
	(void)v;
	*vector = exc_caught;
	return exc_caught == EXC_NONE;
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
	u32 gp_after_msrs = exc_counts[EXC_GP];
	ok = load_safe(NONCANONICAL_ADDR, &vector);
	report("gp_inject: a non-canonical load raises #GP(0) in the guest's handler",
	       !ok && vector == EXC_GP && exc_last.error == 0 &&
		       exc_counts[EXC_GP] == gp_after_msrs + 1);
	report("gp_inject: no other exception seen",
	       exc_counts[EXC_GP] == (under_sevisor() ? 3 : exc_counts[EXC_GP]) &&
		       exc_counts[EXC_UD] == 1);
	return report_summary();
}
