/* soft-es: each malformed GHCB request gets SW_EXITINFO1 = 2 with its GHCB_ERR code in
 * SW_EXITINFO2, and the guest goes on (never a kill): missing input (4), bad usage (2), bad
 * scratch area (3), invalid event (6), invalid input (5). */
#include "ghcb.h"
#include "rt.h"

#define UNDEFINED_EXIT_CODE 0x12345678ULL
#define AP_JUMP_TABLE_BAD_OP 7 /* only 0 (set) and 1 (get) exist */
#define GHCB_USAGE_BAD 1
#define UART_DATA 0x3F8

static void expect_error(const char *name, u64 info1, u64 expected_err)
{
	u64 info2 = ghcb_get(GHCB_SW_EXITINFO2);
	reportf((u32)info1 == GHCB_RESULT_MALFORMED && info2 == expected_err,
		"es_malformed: %s -> EXITINFO1=2 EXITINFO2=%lu (got %lu, %lu)", name, expected_err,
		(u64)(u32)info1, info2);
}

static u64 outs_info(void)
{
	return ((u64)UART_DATA << IOIO_PORT_SHIFT) | IOIO_SZ8 | IOIO_A64 | IOIO_STR;
}

int main(void)
{
	u64 info1;

	ghcb_clear(); /* CPUID without RAX's valid bit */
	ghcb_set(GHCB_RCX, 0);
	ghcb_set_raw(GHCB_RAX, 0);
	info1 = ghcb_call(SVM_EXIT_CPUID, 0, 0);
	expect_error("CPUID without RAX valid", info1, GHCB_ERR_MISSING_INPUT);

	ghcb_clear(); /* RDMSR without RCX's valid bit */
	ghcb_set_raw(GHCB_RCX, MSR_PAT);
	info1 = ghcb_call(SVM_EXIT_MSR, 0, 0);
	expect_error("MSR read without RCX valid", info1, GHCB_ERR_MISSING_INPUT);

	ghcb_clear(); /* SW_EXITINFO2 not marked valid: always a required input */
	ghcb_set(GHCB_RAX, 0);
	ghcb_set(GHCB_RCX, 0);
	ghcb_set(GHCB_SW_EXITCODE, SVM_EXIT_CPUID);
	ghcb_set(GHCB_SW_EXITINFO1, 0);
	ghcb_set_raw(GHCB_SW_EXITINFO2, 0);
	ghcb_call_prepared();
	expect_error("CPUID without SW_EXITINFO2 valid", ghcb_get(GHCB_SW_EXITINFO1),
		     GHCB_ERR_MISSING_INPUT);

	ghcb_clear(); /* usage other than 0 (standard GHCB) */
	*(volatile u32 *)(ghcb + GHCB_USAGE) = GHCB_USAGE_BAD;
	ghcb_set(GHCB_RAX, 0);
	ghcb_set(GHCB_RCX, 0);
	info1 = ghcb_call(SVM_EXIT_CPUID, 0, 0);
	expect_error("usage 1", info1, GHCB_ERR_INVALID_USAGE);

	ghcb_clear(); /* scratch inside the GHCB but outside its shared buffer */
	ghcb_set(GHCB_SW_SCRATCH, ghcb_gpa() + 0x10);
	info1 = ghcb_call(SVM_EXIT_IOIO, outs_info(), 1);
	expect_error("OUTS with scratch in the save area", info1, GHCB_ERR_INVALID_SCRATCH_AREA);

	ghcb_clear(); /* scratch 0 */
	ghcb_set(GHCB_SW_SCRATCH, 0);
	info1 = ghcb_call(SVM_EXIT_IOIO, outs_info(), 1);
	expect_error("OUTS with scratch 0", info1, GHCB_ERR_INVALID_SCRATCH_AREA);

	ghcb_clear(); /* scratch running past the end of the shared buffer */
	ghcb_set(GHCB_SW_SCRATCH, ghcb_gpa() + GHCB_SHARED_BUF + GHCB_SHARED_BUF_SIZE - 8);
	info1 = ghcb_call(SVM_EXIT_IOIO, outs_info(), 64);
	expect_error("OUTS of 64 bytes from the last 8 of the buffer", info1,
		     GHCB_ERR_INVALID_SCRATCH_AREA);

	if (rt_ghcb_version >= 2) { /* v2: the scratch area must be inside the shared buffer */
		ghcb_clear();
		ghcb_set(GHCB_SW_SCRATCH, (u64)ghcb_page_b);
		info1 = ghcb_call(SVM_EXIT_IOIO, outs_info(), 1);
		expect_error("v2 OUTS with scratch outside the GHCB", info1,
			     GHCB_ERR_INVALID_SCRATCH_AREA);
	}

	ghcb_clear();
	info1 = ghcb_call(UNDEFINED_EXIT_CODE, 0, 0);
	expect_error("undefined SW_EXITCODE 0x12345678", info1, GHCB_ERR_INVALID_EVENT);

	ghcb_clear();
	info1 = ghcb_call(SVM_VMGEXIT_AP_JUMP_TABLE, AP_JUMP_TABLE_BAD_OP, 0);
	expect_error("AP jump table operation 7", info1, GHCB_ERR_INVALID_INPUT);

	/* And a well-formed request still works afterwards. */
	ghcb_clear();
	ghcb_set(GHCB_RAX, 0);
	ghcb_set(GHCB_RCX, 0);
	info1 = ghcb_call(SVM_EXIT_CPUID, 0, 0);
	report("es_malformed: a well-formed CPUID afterwards: EXITINFO1=0, outputs valid",
	       info1 == GHCB_RESULT_OK && ghcb_valid(GHCB_RAX) && ghcb_valid(GHCB_RBX) &&
		       ghcb_valid(GHCB_RCX) && ghcb_valid(GHCB_RDX));
	return report_summary();
}
