/* The hardware side of TSC_AUX (msr/misc_msrs.c): RDTSCP and RDPID in a guest read the CPU's own
 * TSC_AUX MSR, and neither is intercepted (RDPID cannot be: SVM has no intercept for it), so the
 * guest's value must be in the MSR while the guest runs. sevisor itself never uses TSC_AUX and
 * runs one vCPU at a time, so the value is loaded when the guest writes it (and at vCPU reset),
 * not on every world switch. */
#include "arch/x86/cpu.h"
#include "msr/msr.h"
#include "msr/msr_index.h"

void msr_tsc_aux_hw_load(u64 value)
{
	cpu_wrmsr(MSR_TSC_AUX, value);
}
