/* svm/exit.c + svm/exit_handlers.c: the exit table's bounds, VMEXIT_INVALID in both widths,
 * unhandled exits, counters, and the plain-mode handlers driven through svm_handle_exit with a
 * VMCB / GPR state set up here.
 *
 * Vectors: exit codes from AMD APM vol. 2 appendix C; IOIO EXITINFO1 from APM vol. 2 15.10.2
 * (bit 0 IN, bit 2 STR, bit 3 REP, bits 6:4 SZ32/SZ16/SZ8, bits 9:7 A64/A32/A16, bits 31:16
 * port; EXITINFO2 = RIP of the next instruction); EVENTINJ from APM vol. 2 15.20 (bits 7:0
 * vector, 10:8 type, 3 = exception, bit 11 EV, bit 31 V); instruction lengths from the APM
 * vol. 3 opcode map (CPUID 0F A2, RDMSR 0F 32, WRMSR 0F 30, HLT F4, VMMCALL 0F 01 D9). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "msr_fixture.h" /* the EPYC host CPUID table (fx_host_cpuid) */
#include "svm_fixture.h"
#include "svm/exit_table.h"
#include "svm/exit_codes.h"
#include "svm/vmcb_check.h"

/* EVENTINJ encodings, written out from APM vol. 2 15.20. */
#define EVT_GP_ERR 0x80000B0Du /* V | EV | type 3 | vector 13 */
#define EVT_UD 0x80000306u     /* V | type 3 | vector 6 */

/* IOIO EXITINFO1 fields (APM vol. 2 15.10.2). */
#define IO_IN (1u << 0)
#define IO_SZ8 (1u << 4)
#define IO_SZ16 (1u << 5)
#define IO_SZ32 (1u << 6)
#define IO_A32 (1u << 8)
#define IO_PORT(p) ((u64)(p) << 16)

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	msr_cpuid_set_host(fx_host_cpuid);
	msr_set_host_tsc(fx_host_tsc);
	f = sf_new(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	return 0;
}

/* Instruction bytes in guest RAM at a GPA (= linear address: paging is off). */
#define CODE(gpa, ...) put_code(gpa, (const u8[]){ __VA_ARGS__ }, sizeof((const u8[]){ __VA_ARGS__ }))
static void put_code(u64 gpa, const u8 *bytes, size_t n)
{
	memcpy(f->ram + gpa, bytes, n);
}

static enum svm_outcome run_exit(u64 code, u64 info1, u64 info2)
{
	f->vmcb->control.exit_code = code;
	f->vmcb->control.exit_info1 = info1;
	f->vmcb->control.exit_info2 = info2;
	return svm_handle_exit(&f->v);
}

/* ---- table bounds ------------------------------------------------------------------------ */

static void lookup_low_range_matches_table(void **state)
{
	(void)state;
	for (u64 c = 0; c <= 0xFF; c++)
		assert_ptr_equal(svm_exit_lookup(c), svm_exit_table_low[c]);
	/* Exits sevisor intercepts in plain mode have handlers (APM appendix C codes). */
	static const u64 handled[] = { 0x060 /* INTR */, 0x061 /* NMI */, 0x072 /* CPUID */,
				       0x078 /* HLT */, 0x07B /* IOIO */, 0x07C /* MSR */,
				       0x07F /* SHUTDOWN */, 0x080 /* VMRUN */, 0x081 /* VMMCALL */,
				       0x082, 0x083, 0x084, 0x085, 0x086 /* VMLOAD..SKINIT */ };
	for (size_t i = 0; i < ARRAY_SIZE(handled); i++)
		assert_non_null(svm_exit_lookup(handled[i]));
}

static void lookup_gap_is_null(void **state)
{
	(void)state;
	for (u64 c = 0x100; c <= 0x3FF; c++)
		assert_null(svm_exit_lookup(c));
}

static void lookup_high_range(void **state)
{
	(void)state;
	for (u64 c = 0x400; c <= 0x403; c++)
		assert_ptr_equal(svm_exit_lookup(c), svm_exit_table_high[c - 0x400]);
	assert_non_null(svm_exit_lookup(0x400)); /* NPF */
	assert_non_null(svm_exit_lookup(0x403)); /* VMGEXIT */
	static const u64 beyond[] = { 0x404, 0x405, 0x4FF, 0x1000, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFE,
				      0x100000000ULL, 0x1000000FFULL, 0x100000400ULL,
				      0x8000000000000000ULL, 0xFFFFFFFFFFFFFFFEULL,
				      0xFFFFFFFF00000000ULL };
	for (size_t i = 0; i < ARRAY_SIZE(beyond); i++)
		assert_null(svm_exit_lookup(beyond[i]));
}

static void vmexit_invalid_both_widths(void **state)
{
	(void)state;
	assert_ptr_equal(svm_exit_lookup(0xFFFFFFFFFFFFFFFFULL), svm_exit_invalid);
	assert_ptr_equal(svm_exit_lookup(0x00000000FFFFFFFFULL), svm_exit_invalid);
}

/* The dispatch's rows (svm_exit_table_init): below debug level the table's handler where it
 * has one and the unhandled row everywhere else, never NULL; at debug level the traced row
 * everywhere (it traces, then finds the handler like svm_exit_lookup). */
static void dispatch_rows_have_no_null(void **state)
{
	(void)state;
	svm_exit_table_init(false);
	for (unsigned c = 0; c < SVM_EXIT_TABLE_LOW; c++) {
		assert_non_null(svm_exit_dispatch_low[c]);
		if (svm_exit_table_low[c])
			assert_ptr_equal(svm_exit_dispatch_low[c], svm_exit_table_low[c]);
		else
			assert_ptr_equal(svm_exit_dispatch_low[c], svm_exit_unhandled_row);
	}
	assert_ptr_equal(svm_exit_dispatch_high[0], svm_exit_table_high[0]); /* NPF */
	assert_ptr_equal(svm_exit_dispatch_high[1], svm_exit_unhandled_row); /* AVIC_INCOMPLETE_IPI */
	assert_ptr_equal(svm_exit_dispatch_high[2], svm_exit_unhandled_row); /* AVIC_NOACCEL */
	assert_ptr_equal(svm_exit_dispatch_high[3], svm_exit_table_high[3]); /* VMGEXIT */
	/* An exit without a handler ends the guest through its row, untraced. */
	assert_int_equal(run_exit(0x0A2, 0, 0), SVM_TERMINATE);
	assert_true(sf_contains_ci(f->vm.reason, "0xa2"));
	assert_false(sf_log_has("exit #1 "));
	svm_exit_table_init(true);
	for (unsigned c = 0; c < SVM_EXIT_TABLE_LOW; c++)
		assert_ptr_equal(svm_exit_dispatch_low[c], svm_exit_traced_row);
	for (unsigned c = 0; c < SVM_EXIT_TABLE_HIGH; c++)
		assert_ptr_equal(svm_exit_dispatch_high[c], svm_exit_traced_row);
}

/* Below debug level a handled exit runs its handler with no trace line. */
static void dispatch_untraced_runs_handler(void **state)
{
	(void)state;
	svm_exit_table_init(false);
	CODE(0x1000, 0xF4); /* HLT */
	assert_int_equal(run_exit(0x078, 0, 0), SVM_RESUME);
	assert_true(f->v.intr.halted);
	assert_int_equal(f->vmcb->save.rip, 0x1001);
	assert_false(sf_log_has("exit #1 "));
	svm_exit_table_init(true);
}

/* ---- unhandled exits and counters ------------------------------------------------------- */

static void unhandled_cr0_sel_write_terminates(void **state)
{
	(void)state;
	assert_null(svm_exit_lookup(0x065));
	assert_int_equal(run_exit(0x065, 0, 0), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_true(sf_contains_ci(f->vm.reason, "0x65"));
	assert_true(sf_log_has("VMCB dump"));
	assert_true(sf_log_has("exit_code=0x65"));
}

static void unhandled_0a2_terminates(void **state)
{
	(void)state;
	assert_null(svm_exit_lookup(0x0A2));
	assert_int_equal(run_exit(0x0A2, 0x1234, 0x5678), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_true(sf_contains_ci(f->vm.reason, "0xa2"));
	assert_true(sf_log_has("VMCB dump"));
}

static void unhandled_gap_code_terminates(void **state)
{
	(void)state;
	assert_int_equal(run_exit(0x200, 0, 0), SVM_TERMINATE);
	assert_true(sf_contains_ci(f->vm.reason, "0x200"));
	assert_int_equal(f->v.exit_counts[VCPU_EXIT_SLOT_OTHER], 1);
}

static void counters(void **state)
{
	(void)state;
	CODE(0x1000, 0xF4); /* HLT */
	for (int i = 0; i < 3; i++) {
		f->vmcb->save.rip = 0x1000;
		assert_int_equal(run_exit(0x078, 0, 0), SVM_RESUME); /* HLT */
	}
	assert_int_equal(run_exit(0x060, 0, 0), SVM_RESUME); /* INTR */
	assert_int_equal(run_exit(0x061, 0, 0), SVM_RESUME); /* NMI */
	assert_int_equal(f->v.exit_counts[0x078], 3);
	assert_int_equal(f->v.exit_counts[0x060], 1);
	assert_int_equal(f->v.exit_counts[0x061], 1);
	assert_int_equal(vcpu_exits_total(&f->v), 5);
	/* NPF (0x400) is counted in its own slot, even when it ends the guest. */
	f->vmcb->save.rax = 0xC0000000;
	f->ram[0x1000] = 0x8B;
	f->ram[0x1001] = 0x00;
	run_exit(0x400, 0, 0xC0000000);
	assert_int_equal(f->v.exit_counts[VCPU_EXIT_SLOT_NPF], 1);
	assert_int_equal(vcpu_exits_total(&f->v), 6);
}

/* The codes above 0x0FF (APM vol. 2 appendix C: 0x400 NPF, 0x401 AVIC_INCOMPLETE_IPI, 0x402
 * AVIC_NOACCEL, 0x403 VMGEXIT; -1 VMEXIT_INVALID): NPF and VMGEXIT have slots of their own,
 * everything else shares one; every exit counts in the total. */
static void counters_high_codes(void **state)
{
	(void)state;
	run_exit(0x403, 0, 0); /* VMGEXIT of a plain guest */
	assert_int_equal(f->v.exit_counts[VCPU_EXIT_SLOT_VMGEXIT], 1);
	run_exit(0x401, 0, 0); /* no handler */
	assert_int_equal(f->v.exit_counts[VCPU_EXIT_SLOT_OTHER], 1);
	run_exit(0x402, 0, 0);
	assert_int_equal(f->v.exit_counts[VCPU_EXIT_SLOT_OTHER], 2);
	run_exit(0xFFFFFFFFFFFFFFFFULL, 0, 0);
	assert_int_equal(f->v.exit_counts[VCPU_EXIT_SLOT_OTHER], 3);
	assert_int_equal(f->v.exit_counts[VCPU_EXIT_SLOT_NPF], 0);
	assert_int_equal(f->v.exit_counts[VCPU_EXIT_SLOT_VMGEXIT], 1);
	assert_int_equal(vcpu_exits_total(&f->v), 4);
}

/* Host timer interrupts arrive when host timing says; however many there are, they never use up
 * the trace of the first 40 guest exits (issue 10 item 12: no test may depend on host timing). */
static void trace_budget_ignores_intr(void **state)
{
	(void)state;
	CODE(0x1000, 0xF4); /* HLT */
	for (int i = 0; i < 100; i++)
		assert_int_equal(run_exit(0x060, 0, 0), SVM_RESUME); /* INTR */
	for (int i = 0; i < 39; i++) {
		f->vmcb->save.rip = 0x1000;
		run_exit(0x078, 0, 0); /* HLT */
	}
	sf_log_clear();
	f->vmcb->save.rip = 0x1000;
	run_exit(0x078, 0, 0); /* the 40th guest exit, exit #140 */
	assert_true(sf_log_has("exit #140 HLT (0x78)"));
	sf_log_clear();
	f->vmcb->save.rip = 0x1000;
	run_exit(0x078, 0, 0); /* the 41st: past the trace */
	assert_false(sf_log_has("exit #141"));
}

/* ---- plain-mode handlers ---------------------------------------------------------------- */

static void cpuid_hypervisor_leaf(void **state)
{
	(void)state;
	/* CPUID takes EAX (and ECX) only; the 64-bit registers are written zero-extended. */
	f->vmcb->save.rax = 0xDEAD000040000000ULL;
	f->v.gprs.rbx = 0x1111111111111111ULL;
	f->v.gprs.rcx = 0x2222222200000000ULL;
	f->v.gprs.rdx = 0x3333333333333333ULL;
	CODE(0x1000, 0x0F, 0xA2); /* CPUID */
	assert_int_equal(run_exit(0x072, 0, 0), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
	/* Issue 5: leaf 0x40000000 with a "sevisor" signature padded with NULs in EBX, ECX, EDX. */
	assert_int_equal(f->vmcb->save.rax, 0x40000000);
	assert_int_equal(f->v.gprs.rbx, 0x69766573); /* "sevi" */
	assert_int_equal(f->v.gprs.rcx, 0x00726f73); /* "sor\0" */
	assert_int_equal(f->v.gprs.rdx, 0);
}

static void cpuid_vendor_leaf(void **state)
{
	(void)state;
	f->vmcb->save.rax = 0;
	f->v.gprs.rcx = 0;
	CODE(0x1000, 0x0F, 0xA2); /* CPUID */
	assert_int_equal(run_exit(0x072, 0, 0), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
	/* "AuthenticAMD" (APM vol. 3, E.3.1). */
	assert_int_equal(f->v.gprs.rbx, 0x68747541);
	assert_int_equal(f->v.gprs.rdx, 0x69746e65);
	assert_int_equal(f->v.gprs.rcx, 0x444d4163);
	assert_true(f->vmcb->save.rax >= 1 && f->vmcb->save.rax <= 0xFFFFFFFFULL);
}

/* Leaf 1's per-vCPU bits through the exit (APM vol. 3, E.3.2): EBX[31:24] the initial APIC
 * ID, the vCPU's; EDX[9] APIC, clear while the APIC is globally disabled (IA32_APIC_BASE bit
 * 11 EN, SDM 11.4.3); ECX[27] OSXSAVE mirrors CR4.OSXSAVE (bit 18) where XSAVE (ECX[26]) is
 * offered, as on the EPYC host table. */
static void cpuid_leaf1_per_vcpu_bits(void **state)
{
	(void)state;
	CODE(0x1000, 0x0F, 0xA2); /* CPUID */
	f->v.id = 3;
	for (int round = 0; round < 2; round++) {
		f->v.msr.apic_base = 0xFEE00000ULL | (round == 0 ? BIT(11) : 0);
		f->v.cr.cr4 = round == 0 ? BIT(18) : 0;
		f->vmcb->save.rip = 0x1000;
		f->vmcb->save.rax = 1;
		f->v.gprs.rcx = 0;
		assert_int_equal(run_exit(0x072, 0, 0), SVM_RESUME);
		assert_int_equal(f->vmcb->save.rip, 0x1002);
		assert_int_equal(f->v.gprs.rbx >> 24, 3);
		assert_true(f->v.gprs.rcx & BIT(26));
		assert_int_equal((f->v.gprs.rdx >> 9) & 1, round == 0);
		assert_int_equal((f->v.gprs.rcx >> 27) & 1, round == 0);
	}
}

/* Plain mode: CPUID 0xD.0 EBX is the XSAVE area size for the features XCR0 enables now (APM
 * vol. 3 E.3.6; SDM vol. 1 13.2): 512 legacy bytes and the 64-byte header (576) for x87/SSE,
 * AVX's 256 bytes at offset 576 on top (832). The guest's XSETBV is not intercepted, so the
 * handler reads XCR0 (svm_guest_xcr0_refresh) for that leaf alone, and only while the guest's
 * CR4.OSXSAVE (bit 18) says XCR0 is in use. */
static u64 fake_xcr0;
static unsigned fake_xcr0_reads;
static u64 read_fake_xcr0(void)
{
	fake_xcr0_reads++;
	return fake_xcr0;
}

static void cpuid_xsave_leaf_follows_guest_xcr0(void **state)
{
	(void)state;
	svm_set_guest_xcr0_reader(read_fake_xcr0);
	fake_xcr0_reads = 0;
	CODE(0x1000, 0x0F, 0xA2); /* CPUID */
	static const struct {
		u64 xcr0;
		u32 leaf;
		bool osxsave;
		u64 ebx; /* leaf 0xD only */
		unsigned reads;
	} rounds[] = {
		{ 0x7, 0xD, true, 832, 1 },  /* x87 | SSE | AVX */
		{ 0x3, 0xD, true, 576, 2 },  /* XSETBV back to x87 | SSE */
		{ 0x7, 0x0, true, 0, 2 },    /* another leaf: no read */
		{ 0x7, 0xD, false, 576, 2 }, /* no OSXSAVE: XCR0 is not read, the last value holds */
	};
	for (size_t i = 0; i < ARRAY_SIZE(rounds); i++) {
		fake_xcr0 = rounds[i].xcr0;
		f->v.cr.cr4 = rounds[i].osxsave ? BIT(18) : 0;
		f->vmcb->save.rip = 0x1000;
		f->vmcb->save.rax = rounds[i].leaf;
		f->v.gprs.rcx = 0;
		assert_int_equal(run_exit(0x072, 0, 0), SVM_RESUME);
		assert_int_equal(fake_xcr0_reads, rounds[i].reads);
		if (rounds[i].leaf == 0xD)
			assert_int_equal(f->v.gprs.rbx, rounds[i].ebx);
	}
	svm_set_guest_xcr0_reader(NULL);
}

static void cpuid_protected_vcpu_reads_nothing(void **state)
{
	(void)state;
	f->v.state_protected = true;
	f->vmcb->save.rax = 0x40000000;
	f->v.gprs.rbx = 0x1111;
	f->v.gprs.rcx = 0x2222;
	f->v.gprs.rdx = 0x3333;
	sf_log_clear();
	run_exit(0x072, 0, 0);
	assert_int_equal(f->vmcb->save.rax, 0x40000000);
	assert_int_equal(f->v.gprs.rbx, 0x1111);
	assert_int_equal(f->v.gprs.rcx, 0x2222);
	assert_int_equal(f->v.gprs.rdx, 0x3333);
	assert_int_equal(f->vmcb->save.rip, 0x1000);
	assert_true(sf_log_has("refused"));
	assert_true(sf_log_has("state is protected"));
}

static void rdmsr_unknown_injects_gp(void **state)
{
	(void)state;
	const u32 msr = 0x00001234; /* no architectural MSR there */
	assert_null(msr_rule_name(msr));
	f->v.gprs.rcx = msr;
	f->vmcb->save.rax = 0xAAAA;
	f->v.gprs.rdx = 0xBBBB;
	assert_int_equal(run_exit(0x07C, 0 /* RDMSR */, 0), SVM_INJECT);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, EVT_GP_ERR);
	assert_int_equal(f->v.pending.err_code, 0);
	assert_int_equal(f->vmcb->save.rip, 0x1000); /* a fault: RIP stays on the instruction */
	assert_int_equal(f->vmcb->save.rax, 0xAAAA);
	assert_int_equal(f->v.gprs.rdx, 0xBBBB);
	assert_int_equal(f->vm.end, VM_END_RUNNING);
}

/* Issue 10 item 11: an injected exception is traced at debug level and counted per vector. */
static void injection_traced_and_counted(void **state)
{
	(void)state;
	f->v.gprs.rcx = 0x00001234;
	CODE(0x1000, 0x0F, 0x32);
	assert_int_equal(run_exit(0x07C, 0, 0), SVM_INJECT);
	assert_true(sf_log_has("guest test vcpu0: inject #1 #GP (vector 13) error code 0x0 at RIP 0x1000"));
	assert_int_equal(f->v.inject_counts[13], 1);
	assert_int_equal(f->v.injects_total, 1);
	assert_int_equal(run_exit(0x080, 0, 0), SVM_INJECT); /* VMRUN: #UD */
	assert_true(sf_log_has("guest test vcpu0: inject #2 #UD (vector 6) at RIP 0x1000"));
	assert_int_equal(f->v.inject_counts[6], 1);
}

static void wrmsr_unknown_injects_gp(void **state)
{
	(void)state;
	f->v.gprs.rcx = 0x00001234;
	f->vmcb->save.rax = 1;
	f->v.gprs.rdx = 0;
	assert_int_equal(run_exit(0x07C, 1 /* WRMSR */, 0), SVM_INJECT);
	assert_int_equal(f->v.pending.info, EVT_GP_ERR);
	assert_int_equal(f->v.pending.err_code, 0);
	assert_int_equal(f->vmcb->save.rip, 0x1000);
	assert_int_equal(f->vm.end, VM_END_RUNNING);
}

static void wrmsr_star_then_rdmsr(void **state)
{
	(void)state;
	/* STAR (0xC0000081) holds any 64-bit value (APM vol. 2, 6.1.1). EDX:EAX, upper halves of
	 * RAX/RDX ignored by WRMSR. */
	f->v.gprs.rcx = 0xC0000081;
	f->vmcb->save.rax = 0xFFFFFFFF89ABCDEFULL;
	f->v.gprs.rdx = 0xFFFFFFFF01234567ULL;
	CODE(0x1000, 0x0F, 0x30, 0x0F, 0x32); /* WRMSR; RDMSR */
	assert_int_equal(run_exit(0x07C, 1, 0), SVM_RESUME);
	assert_false(f->v.pending.pending);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
	f->vmcb->save.rax = 0x5555555555555555ULL;
	f->v.gprs.rdx = 0x5555555555555555ULL;
	assert_int_equal(run_exit(0x07C, 0, 0), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, 0x1004);
	/* RDMSR: EDX:EAX, upper halves of RAX and RDX cleared (APM vol. 3 RDMSR). */
	assert_int_equal(f->vmcb->save.rax, 0x89ABCDEF);
	assert_int_equal(f->v.gprs.rdx, 0x01234567);
}

static void hlt_skips_one_byte(void **state)
{
	(void)state;
	CODE(0x1000, 0xF4);
	assert_int_equal(run_exit(0x078, 0, 0), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, 0x1001);
}

static void hlt_clears_interrupt_shadow(void **state)
{
	(void)state;
	f->vmcb->control.int_state = 1; /* STI/MOV SS shadow (APM 15.21.5) */
	CODE(0x1000, 0xF4);
	assert_int_equal(run_exit(0x078, 0, 0), SVM_RESUME);
	assert_int_equal(f->vmcb->control.int_state & 1, 0);
}

static void vmmcall_unknown_hypercall(void **state)
{
	(void)state;
	f->vmcb->save.rax = 42;
	CODE(0x1000, 0x0F, 0x01, 0xD9); /* VMMCALL */
	assert_int_equal(run_exit(0x081, 0, 0), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rax, (u64)-1000);
	assert_int_equal(f->vmcb->save.rip, 0x1003);
}

/* Issue 10 item 8: the length of an intercepted instruction is decoded, prefixes included
 * (APM vol. 3, 1.2 legacy prefixes: a segment override or operand-size prefix on CPUID is
 * ignored but still part of the instruction; F3 0F 01 D9 is VMGEXIT, a VMMCALL to a non-SEV-ES
 * guest, APM vol. 3 VMGEXIT). */
static void intercepted_lengths_count_prefixes(void **state)
{
	(void)state;
	static const struct {
		u64 code;
		u8 bytes[6];
		unsigned len;
	} cases[] = {
		{ 0x072, { 0x2E, 0x0F, 0xA2 }, 3 },             /* cs cpuid */
		{ 0x072, { 0x66, 0x3E, 0x0F, 0xA2 }, 4 },       /* data16 ds cpuid */
		{ 0x081, { 0xF3, 0x0F, 0x01, 0xD9 }, 4 },       /* rep vmmcall = VMGEXIT bytes */
		{ 0x078, { 0x3E, 0xF4 }, 2 },                   /* ds hlt */
		{ 0x07C, { 0x2E, 0x0F, 0x32 }, 3 },             /* cs rdmsr */
		{ 0x089, { 0x66, 0x0F, 0x09 }, 3 },             /* data16 wbinvd */
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		f->vmcb->save.rip = 0x2000;
		f->v.gprs.rcx = MSR_EFER; /* for the RDMSR case: a readable MSR */
		put_code(0x2000, cases[k].bytes, sizeof(cases[k].bytes));
		assert_int_equal(run_exit(cases[k].code, 0, 0), SVM_RESUME);
		assert_int_equal(f->vmcb->save.rip, 0x2000 + cases[k].len);
	}
}

/* With NRIPS the CPU's next RIP (VMCB 0xC8) is used, and cleared so it is never reused. */
static void intercepted_uses_next_rip(void **state)
{
	(void)state;
	CODE(0x1000, 0x0F, 0xA2);
	f->vmcb->control.next_rip = 0x1002;
	assert_int_equal(run_exit(0x072, 0, 0), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
	assert_int_equal(f->vmcb->control.next_rip, 0);
}

/* An intercept whose RIP holds some other instruction ends the guest, with the bytes. */
static void intercepted_mismatch_terminates_with_bytes(void **state)
{
	(void)state;
	CODE(0x1000, 0x90, 0x90, 0xC3); /* nop; nop; ret */
	assert_int_equal(run_exit(0x072, 0, 0), SVM_TERMINATE);
	assert_true(sf_contains_ci(f->vm.reason, "bytes 90 90 c3"));
	assert_int_equal(f->vmcb->save.rip, 0x1000);
}

/* Issue 10 item 10: an instruction sevisor carries out with RFLAGS.TF = 1 ends in the
 * single-step #DB, a trap (RIP after the instruction) with DR6.BS = bit 14 (APM vol. 2,
 * 13.1.1.3 and 13.1.3.6); EVENTINJ V | type 3 | vector 1 = 0x80000301. */
static void single_step_after_emulated_instruction(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2 | BIT(8);
	f->vmcb->save.dr6 = 0xFFFF0FF0; /* DR6 reset value (APM vol. 2, 13.1.1.3) */
	CODE(0x1000, 0x0F, 0xA2);
	run_exit(0x072, 0, 0);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, 0x80000301u);
	assert_int_equal(f->vmcb->save.dr6, 0xFFFF4FF0);
	/* OUT (IOIO, next RIP from EXITINFO2) steps too. */
	f->v.pending.pending = false;
	run_exit(0x07B, IO_PORT(0x3F8) | IO_SZ8 | IO_A32, 0x1003);
	assert_int_equal(f->vmcb->save.rip, 0x1003);
	assert_int_equal(f->v.pending.info, 0x80000301u);
	/* A faulting instruction (#GP, RIP stays) gets its fault, not the trap. */
	f->v.pending.pending = false;
	f->v.gprs.rcx = 0x1234;
	CODE(0x1003, 0x0F, 0x32);
	assert_int_equal(run_exit(0x07C, 0, 0), SVM_INJECT);
	assert_int_equal(f->v.pending.info, EVT_GP_ERR);
	/* TF clear: no #DB. */
	f->v.pending.pending = false;
	f->vmcb->save.rflags = 2;
	f->vmcb->save.rip = 0x1000;
	run_exit(0x072, 0, 0);
	assert_false(f->v.pending.pending);
}

static void shutdown_is_triple_fault(void **state)
{
	(void)state;
	assert_int_equal(run_exit(0x07F, 0, 0), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_non_null(strstr(f->vm.reason, "triple fault"));
}

static void svm_instructions_raise_ud(void **state)
{
	(void)state;
	/* SVM is hidden (no EFER.SVME for the guest): VMRUN..INVLPGA are #UD (APM vol. 3). */
	static const u64 codes[] = { 0x080, 0x082, 0x083, 0x084, 0x085, 0x086, 0x07A };
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		f->v.pending = (struct svm_event){ 0 };
		f->vmcb->save.rip = 0x1000;
		assert_int_equal(run_exit(codes[i], 0, 0), SVM_INJECT);
		assert_true(f->v.pending.pending);
		assert_int_equal(f->v.pending.info, EVT_UD);
		assert_int_equal(f->v.pending.err_code, 0);
		assert_int_equal(f->vmcb->save.rip, 0x1000);
	}
	assert_int_equal(f->vm.end, VM_END_RUNNING);
}

static void ioio_out_uart(void **state)
{
	(void)state;
	/* OUT DX, AL (EE, one byte) at 0x1000 to 0x3F8. */
	const char *text = "hi\n";
	u64 rip = 0x1000;
	for (const char *p = text; *p; p++) {
		f->vmcb->save.rax = 0xFFFFFF00u | (u8)*p; /* only AL goes out */
		f->vmcb->save.rip = rip;
		assert_int_equal(run_exit(0x07B, IO_PORT(0x3F8) | IO_SZ8 | IO_A32, rip + 1), SVM_RESUME);
		assert_int_equal(f->vmcb->save.rip, rip + 1);
		rip += 1;
	}
	assert_true(sf_log_has("[" SF_NAME "] hi\n"));
	assert_int_equal(f->vm.end, VM_END_RUNNING);
}

static void ioio_in_unclaimed_merges_all_ones(void **state)
{
	(void)state;
	/* IN AL/AX, DX merge into RAX; IN EAX, DX zero-extends (APM vol. 3 IN; vol. 1 3.1.2.3). */
	f->vmcb->save.rax = 0x1122334455667788ULL;
	assert_int_equal(run_exit(0x07B, IO_PORT(0x1234) | IO_IN | IO_SZ8 | IO_A32, 0x1001), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rax, 0x11223344556677FFULL);
	assert_int_equal(f->vmcb->save.rip, 0x1001);

	f->vmcb->save.rax = 0x1122334455667788ULL;
	/* 66 ED: IN AX, DX, two bytes. */
	assert_int_equal(run_exit(0x07B, IO_PORT(0x1234) | IO_IN | IO_SZ16 | IO_A32, 0x1003), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rax, 0x112233445566FFFFULL);
	assert_int_equal(f->vmcb->save.rip, 0x1003);

	f->vmcb->save.rax = 0x1122334455667788ULL;
	assert_int_equal(run_exit(0x07B, IO_PORT(0x1234) | IO_IN | IO_SZ32 | IO_A32, 0x1004), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rax, 0x00000000FFFFFFFFULL);
	assert_int_equal(f->vmcb->save.rip, 0x1004);
}

static void ioio_out_debug_exit_ends_guest(void **state)
{
	(void)state;
	/* OUT DX, EAX to isa-debug-exit (0xF4). */
	f->vmcb->save.rax = 0x11;
	assert_int_equal(run_exit(0x07B, IO_PORT(0xF4) | IO_SZ32 | IO_A32, 0x1001), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_EXIT);
	assert_int_equal(f->vm.exit_code, 0x11);
}

static void put_mov_eax_mem_rax(void)
{
	f->ram[0x1000] = 0x8B; /* mov eax, [eax] in 32-bit code: 8B /r, ModRM 00 000 000 */
	f->ram[0x1001] = 0x00;
}

static void npf_outside_ram_terminates(void **state)
{
	(void)state;
	put_mov_eax_mem_rax();
	f->vmcb->save.rax = 0xC0000000;
	/* NPF EXITINFO1: not present, read, final GPA (APM 15.25.6); EXITINFO2 = GPA. */
	assert_int_equal(run_exit(0x400, 1ULL << 32, 0xC0000000), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_true(sf_contains_ci(f->vm.reason, "GPA 0xc0000000"));
	assert_non_null(strstr(f->vm.reason, "read"));
	assert_non_null(strstr(f->vm.reason, "4 bytes"));
	assert_int_equal(f->vmcb->save.rip, 0x1000);
}

static void npf_outside_ram_ignore_reads_ones(void **state)
{
	(void)state;
	f->dev->unbacked_ignore = true;
	put_mov_eax_mem_rax();
	f->vmcb->save.rax = 0xC0000000;
	assert_int_equal(run_exit(0x400, 1ULL << 32, 0xC0000000), SVM_RESUME);
	assert_int_equal(f->vm.end, VM_END_RUNNING);
	assert_int_equal(f->vmcb->save.rax, 0xFFFFFFFF);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
}

static void npf_lapic_version(void **state)
{
	(void)state;
	put_mov_eax_mem_rax();
	f->vmcb->save.rax = 0xFEE00030;
	assert_int_equal(run_exit(0x400, 1ULL << 32, 0xFEE00030), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rax, 0x00050010);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
}

static void vmexit_invalid_names_asid_rule(void **state)
{
	(void)state;
	/* A VMCB that is good except ASID 0 (APM 15.5.1: "ASID is equal to zero"). */
	f->vmcb->control.intercept_misc2 = BIT(SVM_INTERCEPT_VMRUN);
	f->vmcb->control.asid = 0;
	f->vmcb->save.efer |= EFER_SVME;
	u32 failed = svm_vmcb_check(f->vmcb, NULL);
	assert_int_equal(failed, 1u << SVM_VMCB_ASID_ZERO); /* precondition: only that rule */
	const char *rule = svm_vmcb_rule_name(SVM_VMCB_ASID_ZERO);
	assert_non_null(strstr(rule, "ASID"));

	assert_int_equal(run_exit(0xFFFFFFFFFFFFFFFFULL, 0, 0), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_non_null(strstr(f->vm.reason, rule));
	assert_true(sf_log_has("VMCB dump"));
}

static void vmexit_invalid32_names_asid_rule(void **state)
{
	(void)state;
	f->vmcb->control.intercept_misc2 = BIT(SVM_INTERCEPT_VMRUN);
	f->vmcb->control.asid = 0;
	f->vmcb->save.efer |= EFER_SVME;
	assert_int_equal(run_exit(0x00000000FFFFFFFFULL, 0, 0), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, svm_vmcb_rule_name(SVM_VMCB_ASID_ZERO)));
}

/* Exit-code names (APM vol. 2, appendix C "SVM Intercept Exit Codes"). */
static void exit_names_from_appendix_c(void **state)
{
	(void)state;
	assert_string_equal(svm_exit_name(0x000), "CR0_READ");
	assert_string_equal(svm_exit_name(0x027), "DR7_READ");
	assert_string_equal(svm_exit_name(0x072), "CPUID");
	assert_string_equal(svm_exit_name(0x07B), "IOIO");
	assert_string_equal(svm_exit_name(0x08F), "EFER_WRITE_TRAP");
	assert_string_equal(svm_exit_name(0x400), "NPF");
	assert_string_equal(svm_exit_name(0x403), "VMGEXIT");
	assert_string_equal(svm_exit_name(0xFFFFFFFFFFFFFFFFULL), "INVALID");
	assert_null(svm_exit_name(0x02F)); /* DR15 read: no name */
	assert_null(svm_exit_name(0x0FF));
	assert_null(svm_exit_name(0x100));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_names_from_appendix_c),
		T(lookup_low_range_matches_table),
		T(lookup_gap_is_null),
		T(lookup_high_range),
		T(vmexit_invalid_both_widths),
		T(dispatch_rows_have_no_null),
		T(dispatch_untraced_runs_handler),
		T(unhandled_cr0_sel_write_terminates),
		T(unhandled_0a2_terminates),
		T(unhandled_gap_code_terminates),
		T(counters),
		T(counters_high_codes),
		T(trace_budget_ignores_intr),
		T(cpuid_hypervisor_leaf),
		T(cpuid_vendor_leaf),
		T(cpuid_leaf1_per_vcpu_bits),
		T(cpuid_xsave_leaf_follows_guest_xcr0),
		T(cpuid_protected_vcpu_reads_nothing),
		T(rdmsr_unknown_injects_gp),
		T(wrmsr_unknown_injects_gp),
		T(wrmsr_star_then_rdmsr),
		T(hlt_skips_one_byte),
		T(hlt_clears_interrupt_shadow),
		T(vmmcall_unknown_hypercall),
		T(shutdown_is_triple_fault),
		T(svm_instructions_raise_ud),
		T(injection_traced_and_counted),
		T(intercepted_lengths_count_prefixes),
		T(intercepted_uses_next_rip),
		T(intercepted_mismatch_terminates_with_bytes),
		T(single_step_after_emulated_instruction),
		T(ioio_out_uart),
		T(ioio_in_unclaimed_merges_all_ones),
		T(ioio_out_debug_exit_ends_guest),
		T(npf_outside_ram_terminates),
		T(npf_outside_ram_ignore_reads_ones),
		T(npf_lapic_version),
		T(vmexit_invalid_names_asid_rule),
		T(vmexit_invalid32_names_asid_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
