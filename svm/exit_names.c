/* Exit-code names for logs and the summary table (APM vol. 2, appendix C). */
#include "svm/exit.h"
#include "svm/exit_codes.h"

/* Sparse: a code and its name per row, searched linearly (logs and the summary only), half
 * the size of a pointer per exit code 0x000..0x0FF. */
static const struct {
	u16 code;
	const char *name;
} names[] = {
	{ SVM_EXIT_READ_CR0, "CR0_READ" }, { SVM_EXIT_READ_CR0 + 3, "CR3_READ" },
	{ SVM_EXIT_READ_CR0 + 4, "CR4_READ" }, { SVM_EXIT_READ_CR0 + 8, "CR8_READ" },
	{ SVM_EXIT_WRITE_CR0, "CR0_WRITE" }, { SVM_EXIT_WRITE_CR0 + 3, "CR3_WRITE" },
	{ SVM_EXIT_WRITE_CR0 + 4, "CR4_WRITE" }, { SVM_EXIT_WRITE_CR0 + 8, "CR8_WRITE" },
	{ SVM_EXIT_READ_DR0 + 7, "DR7_READ" }, { SVM_EXIT_WRITE_DR0 + 7, "DR7_WRITE" },
	{ SVM_EXIT_EXCP_BASE + 1, "EXCP_DB" }, { SVM_EXIT_EXCP_BASE + 6, "EXCP_UD" },
	{ SVM_EXIT_EXCP_BASE + 13, "EXCP_GP" }, { SVM_EXIT_EXCP_BASE + 14, "EXCP_PF" },
	{ SVM_EXIT_EXCP_BASE + 18, "EXCP_MC" }, { SVM_EXIT_EXCP_BASE + 29, "EXCP_VC" },
	{ SVM_EXIT_INTR, "INTR" }, { SVM_EXIT_NMI, "NMI" }, { SVM_EXIT_SMI, "SMI" },
	{ SVM_EXIT_INIT, "INIT" }, { SVM_EXIT_VINTR, "VINTR" }, { SVM_EXIT_CR0_SEL_WRITE, "CR0_SEL_WRITE" },
	{ SVM_EXIT_RDTSC, "RDTSC" }, { SVM_EXIT_RDPMC, "RDPMC" }, { SVM_EXIT_PUSHF, "PUSHF" },
	{ SVM_EXIT_POPF, "POPF" }, { SVM_EXIT_CPUID, "CPUID" }, { SVM_EXIT_RSM, "RSM" },
	{ SVM_EXIT_IRET, "IRET" }, { SVM_EXIT_SWINT, "SWINT" }, { SVM_EXIT_INVD, "INVD" },
	{ SVM_EXIT_PAUSE, "PAUSE" }, { SVM_EXIT_HLT, "HLT" }, { SVM_EXIT_INVLPG, "INVLPG" },
	{ SVM_EXIT_INVLPGA, "INVLPGA" }, { SVM_EXIT_IOIO, "IOIO" }, { SVM_EXIT_MSR, "MSR" },
	{ SVM_EXIT_TASK_SWITCH, "TASK_SWITCH" }, { SVM_EXIT_FERR_FREEZE, "FERR_FREEZE" },
	{ SVM_EXIT_SHUTDOWN, "SHUTDOWN" }, { SVM_EXIT_VMRUN, "VMRUN" }, { SVM_EXIT_VMMCALL, "VMMCALL" },
	{ SVM_EXIT_VMLOAD, "VMLOAD" }, { SVM_EXIT_VMSAVE, "VMSAVE" }, { SVM_EXIT_STGI, "STGI" },
	{ SVM_EXIT_CLGI, "CLGI" }, { SVM_EXIT_SKINIT, "SKINIT" }, { SVM_EXIT_RDTSCP, "RDTSCP" },
	{ SVM_EXIT_ICEBP, "ICEBP" }, { SVM_EXIT_WBINVD, "WBINVD" }, { SVM_EXIT_MONITOR, "MONITOR" },
	{ SVM_EXIT_MWAIT, "MWAIT" }, { SVM_EXIT_MWAIT_COND, "MWAIT_COND" }, { SVM_EXIT_XSETBV, "XSETBV" },
	{ SVM_EXIT_RDPRU, "RDPRU" }, { SVM_EXIT_EFER_WRITE_TRAP, "EFER_WRITE_TRAP" },
	{ SVM_EXIT_CR0_WRITE_TRAP, "CR0_WRITE_TRAP" }, { SVM_EXIT_CR0_WRITE_TRAP + 3, "CR3_WRITE_TRAP" },
	{ SVM_EXIT_CR0_WRITE_TRAP + 4, "CR4_WRITE_TRAP" }, { SVM_EXIT_CR0_WRITE_TRAP + 8, "CR8_WRITE_TRAP" },
	{ SVM_EXIT_INVPCID, "INVPCID" }, { SVM_EXIT_BUS_LOCK, "BUS_LOCK" },
	{ SVM_EXIT_IDLE_HLT, "IDLE_HLT" },
};

const char *svm_exit_name(u64 code)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].code == code)
			return names[i].name;
	switch (code) {
	case SVM_EXIT_NPF: return "NPF";
	case SVM_EXIT_AVIC_INCOMPLETE_IPI: return "AVIC_INCOMPLETE_IPI";
	case SVM_EXIT_AVIC_UNACCELERATED_ACCESS: return "AVIC_UNACCELERATED_ACCESS";
	case SVM_EXIT_VMGEXIT: return "VMGEXIT";
	case SVM_EXIT_INVALID:
	case SVM_EXIT_INVALID32: return "INVALID";
	default: return NULL;
	}
}
