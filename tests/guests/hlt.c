/* HLT with interrupts off. On bare metal that stops the CPU for good; sevisor intercepts HLT and
 * resumes the guest after it, so the program gets to the end. Under anything other than sevisor
 * the HLTs would hang, so they are skipped there. */
#include "rt.h"

#define HLT_COUNT 3

int main(void)
{
	if (!under_sevisor()) {
		report_skip("hlt: HLT with IF=0 resumes", "not under sevisor; HLT would hang");
		return report_summary();
	}
	u64 rflags;
	asm volatile("pushfq; popq %0" : "=r"(rflags));
	report("hlt: interrupts are off", !(rflags & BIT(9)));
	for (unsigned i = 0; i < HLT_COUNT; i++)
		hlt();
	reportf(true, "hlt: %u HLTs resumed", HLT_COUNT);
	return report_summary();
}
