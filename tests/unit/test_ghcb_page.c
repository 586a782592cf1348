/* GHCB page protocol (NAE events), facts B.1-B.5 and G2-G9, G24, G26, G27. Bit numbers and
 * codes below are spelled out from the facts tables (offset / 8), not taken from ghcb.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ghcb_fixture.h"

enum {
	BIT_CPL = 25, BIT_XSS = 40, BIT_RAX = 63, BIT_RCX = 97, BIT_RDX = 98, BIT_RBX = 99,
	BIT_RSI = 102, BIT_EXITCODE = 114, BIT_INFO1 = 115, BIT_INFO2 = 116, BIT_SCRATCH = 117,
	BIT_XCR0 = 125,
};

#define GP_EVENT 0x8000030DULL
#define SHARED(f) (FX_GHCB_GPA + 0x800)

static void clear_bit(struct ghcb *g, unsigned bit)
{
	g->save.valid_bitmap[bit / 8] &= (u8) ~(1u << (bit % 8));
}

/* The reply's valid bitmap must be exactly SW_EXITINFO1/2 plus the listed registers. */
static void expect_bits(const struct ghcb *g, int n, ...)
{
	struct ghcb_bits want = { { 0, 0 } };
	ghcb_bits_set(&want, BIT_INFO1);
	ghcb_bits_set(&want, BIT_INFO2);
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		ghcb_bits_set(&want, (unsigned)va_arg(ap, int));
	va_end(ap);
	struct ghcb_bits have = fx_bits(g);
	assert_int_equal(have.w[0], want.w[0]);
	assert_int_equal(have.w[1], want.w[1]);
}

static void expect_error(struct ghcb_fixture *f, u64 err)
{
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(fx_ghcb(f)->save.sw_exit_info1, 2);
	assert_int_equal(fx_ghcb(f)->save.sw_exit_info2, err);
	expect_bits(fx_ghcb(f), 0);
}

static void test_layout_bits(void **state)
{
	(void)state;
	assert_int_equal(GHCB_BIT(cpl), BIT_CPL);
	assert_int_equal(GHCB_BIT(xss), BIT_XSS);
	assert_int_equal(GHCB_BIT(dr7), 44);
	assert_int_equal(GHCB_BIT(rip), 47);
	assert_int_equal(GHCB_BIT(rsp), 59);
	assert_int_equal(GHCB_BIT(rax), BIT_RAX);
	assert_int_equal(GHCB_BIT(rcx), BIT_RCX);
	assert_int_equal(GHCB_BIT(rdx), BIT_RDX);
	assert_int_equal(GHCB_BIT(rbx), BIT_RBX);
	assert_int_equal(GHCB_BIT(rbp), 101);
	assert_int_equal(GHCB_BIT(rsi), BIT_RSI);
	assert_int_equal(GHCB_BIT(rdi), 103);
	assert_int_equal(GHCB_BIT(r8), 104);
	assert_int_equal(GHCB_BIT(r15), 111);
	assert_int_equal(GHCB_BIT(sw_exit_code), BIT_EXITCODE);
	assert_int_equal(GHCB_BIT(sw_exit_info1), BIT_INFO1);
	assert_int_equal(GHCB_BIT(sw_exit_info2), BIT_INFO2);
	assert_int_equal(GHCB_BIT(sw_scratch), BIT_SCRATCH);
	assert_int_equal(GHCB_BIT(xcr0), BIT_XCR0);
	assert_int_equal(offsetof(struct ghcb, protocol_version), 0xFFA);
	assert_int_equal(offsetof(struct ghcb, ghcb_usage), 0xFFC);
	assert_int_equal(sizeof(((struct ghcb *)0)->shared_buffer), 2032);
	/* bitmap byte/bit order: bit n is byte n/8, bit n%8 */
	u8 raw[16] = { 0 };
	raw[BIT_RAX / 8] = 1u << (BIT_RAX % 8);
	raw[BIT_XCR0 / 8] = 1u << (BIT_XCR0 % 8);
	struct ghcb_bits b;
	ghcb_bits_load(&b, raw);
	assert_true(ghcb_bits_test(&b, BIT_RAX));
	assert_true(ghcb_bits_test(&b, BIT_XCR0));
	assert_false(ghcb_bits_test(&b, BIT_RCX));
	u8 back[16];
	ghcb_bits_store(back, &b);
	assert_memory_equal(raw, back, 16);
}

/* ---- envelope checks ------------------------------------------------------------------- */

static void test_cpuid_ok_and_write_back_only_outputs(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x72, 0, 0);
	FX_SET(g, rax, 0x80000001);
	FX_SET(g, rcx, 5);
	FX_SET(g, rsi, 0x5151);
	memset(g->shared_buffer, 0x5A, sizeof(g->shared_buffer));
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(g->save.rax, 0x80000002);
	assert_int_equal(g->save.rbx, 0xB0B0B0B0);
	assert_int_equal(g->save.rcx, 1);            /* fake: ECX = XCR0 (reset 1) */
	assert_int_equal(g->save.rdx, 0xD0D0D0D0 ^ 5);
	assert_int_equal(fx.cpuid_sub, 5);
	expect_bits(g, 4, BIT_RAX, BIT_RBX, BIT_RCX, BIT_RDX);
	/* inputs not returned stay as they were; no other bytes touched */
	assert_int_equal(g->save.rsi, 0x5151);
	assert_int_equal(g->save.sw_exit_code, 0x72);
	for (size_t i = 0; i < sizeof(g->shared_buffer); i++)
		assert_int_equal(g->shared_buffer[i], 0x5A);
	assert_int_equal(g->protocol_version, 2);
	fx_free(f);
}

static void test_cpuid_missing_inputs(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x72, 0, 0);
	FX_SET(g, rax, 1);
	expect_error(f, 4); /* RCX missing */
	g = fx_req(f, 2, 0x72, 0, 0);
	FX_SET(g, rcx, 0);
	expect_error(f, 4); /* RAX missing */
	assert_int_equal(fx.cpuid_calls, 0);
	fx_free(f);
}

static void test_cpuid_leaf_d_needs_xcr0(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x72, 0, 0);
	FX_SET(g, rax, 0xD);
	FX_SET(g, rcx, 1);
	expect_error(f, 4);
	g = fx_req(f, 2, 0x72, 0, 0);
	FX_SET(g, rax, 0xD);
	FX_SET(g, rcx, 1);
	FX_SET(g, xcr0, 0xE7);
	FX_SET(g, xss, 0x100);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(fx.cpuid_xcr0, 0xE7);
	assert_int_equal(fx.cpuid_xss, 0x100);
	assert_int_equal(f->v[0].ghcb.xcr0, 0xE7); /* remembered for the MSR protocol */
	fx_free(f);
}

/* facts B.1/B.2: a field counts only when its valid bit is set; one left in the page with its
 * bit clear is not an input, whatever an earlier request sent in the same field. The bitmap's
 * own bits (126, 127) mark no input. */
static void test_only_valid_fields_are_inputs(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x72, 0, 0);
	FX_SET(g, rax, 1);
	FX_SET(g, rcx, 0);
	FX_SET(g, xss, 0x100);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(fx.cpuid_xss, 0x100);
	g = fx_req(f, 2, 0x72, 0, 0);
	FX_SET(g, rax, 1);
	FX_SET(g, rcx, 3);
	g->save.xss = 0x300; /* bit clear */
	g->save.valid_bitmap[15] |= 0xC0;
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(fx.cpuid_xss, 0);
	assert_int_equal(fx.cpuid_sub, 3);
	fx_free(f);
}

static void test_usage_and_exit_fields(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x76, 0, 0);
	g->ghcb_usage = 1;
	expect_error(f, 2); /* INVALID_USAGE */
	const unsigned always[] = { BIT_EXITCODE, BIT_INFO1, BIT_INFO2 };
	for (size_t i = 0; i < ARRAY_SIZE(always); i++) {
		g = fx_req(f, 2, 0x76, 0, 0);
		clear_bit(g, always[i]);
		expect_error(f, 4); /* MISSING_INPUT */
	}
	fx_free(f);
}

static void test_invalid_events(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* unknown codes, an SVM code with no NAE meaning, SNP-only events (facts B.3) */
	const u64 codes[] = { 0x1234, 0x78 /* HLT */, 0x400 /* NPF */, 0x80000010, 0x80000011,
			      0x80000012, 0x80000013, 0x80000014, 0x80000017, 0x80000018,
			      0x8000FFFC, 0x100000072ULL };
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		fx_req(f, 2, codes[i], 0, 0);
		expect_error(f, 6);
	}
	/* hypervisor features is a version 2 event */
	fx_req(f, 1, 0x8000FFFD, 0, 0);
	expect_error(f, 6);
	assert_int_equal(f->vm.end, VM_END_RUNNING);
	fx_free(f);
}

static void test_version_rules(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* version 0 (unset by the guest): the highest offered, 2, so HV features works */
	fx_req(f, 0, 0x8000FFFD, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(fx_ghcb(f)->save.sw_exit_info1, 0);
	assert_int_equal(f->v[0].ghcb.version, 2);
	assert_int_equal(fx_log_count("without a SEV_INFO request"), 1);
	/* the next page says 1: recorded */
	fx_req(f, 1, 0x76, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(f->v[0].ghcb.version, 1);
	/* 0 again: the recorded version (1) applies, so HV features is invalid */
	fx_req(f, 0, 0x8000FFFD, 0, 0);
	expect_error(f, 6);
	assert_int_equal(fx_log_count("without a SEV_INFO request"), 1);
	/* a version above what was offered ends the guest */
	fx_req(f, 3, 0x76, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "version 3"));
	fx_free(f);

	/* a guest offered only v1 cannot speak v2 */
	f = fx_new(1);
	f->v[0].ghcb.cfg.max_version = 1;
	fx_req(f, 2, 0x76, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_TERMINATE);
	fx_free(f);
}

static void test_bad_ghcb_gpa_terminates(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	f->vmcb[0].control.ghcb_gpa = 0;
	assert_int_equal(ghcb_handle_vmgexit(&f->v[0]), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "GHCB MSR 0"));
	fx_free(f);

	f = fx_new(1);
	f->vmcb[0].control.ghcb_gpa = FX_RAM_SIZE; /* first page past RAM */
	assert_int_equal(ghcb_handle_vmgexit(&f->v[0]), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "not guest RAM"));
	fx_free(f);
}

/* A CPUID request (leaf 0x80000001, sub-leaf 0) in the GHCB page at gpa, answered through it. */
static void cpuid_through(struct ghcb_fixture *f, u64 gpa)
{
	struct ghcb *g = (struct ghcb *)(f->ram + (gpa & (FX_RAM_SIZE - 1)));
	memset(&g->save, 0, sizeof(g->save));
	g->protocol_version = 2;
	g->ghcb_usage = 0;
	FX_SET(g, sw_exit_code, 0x72);
	FX_SET(g, sw_exit_info1, 0);
	FX_SET(g, sw_exit_info2, 0);
	FX_SET(g, rax, 0x80000001);
	FX_SET(g, rcx, 0);
	f->vmcb[0].control.ghcb_gpa = gpa;
	assert_int_equal(ghcb_handle_vmgexit(&f->v[0]), SVM_GHCB_REPLY);
}

/* The GHCB page kept from the last request (map_ghcb) is used only for the same GPA: a guest
 * that moves to another GHCB (per-CPU GHCBs, Linux's early GHCB then its runtime one) is
 * answered through the new page, and one whose next GHCB is no RAM is terminated. */
static void test_ghcb_page_follows_gpa(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	const u64 a = FX_GHCB_GPA, b = FX_GHCB_GPA + 0x3000;
	struct ghcb *ga = (struct ghcb *)(f->ram + a), *gb = (struct ghcb *)(f->ram + b);

	cpuid_through(f, a);
	assert_int_equal(ga->save.rax, 0x80000002);
	cpuid_through(f, b);
	assert_int_equal(gb->save.sw_exit_info1, 0);
	assert_int_equal(gb->save.rax, 0x80000002);
	assert_true(fx_valid_test(gb, BIT_RDX));
	/* the request at b did not go through a: a's page still holds its own answer */
	ga->save.rax = 0x5A5A;
	cpuid_through(f, b);
	assert_int_equal(ga->save.rax, 0x5A5A);
	/* the C-bit alias of a is the same page (facts C.3: both aliases are guest RAM) */
	cpuid_through(f, a | (1ULL << FX_CBIT));
	assert_int_equal(ga->save.rax, 0x80000002);
	/* a GPA past RAM after good ones */
	f->vmcb[0].control.ghcb_gpa = FX_RAM_SIZE;
	assert_int_equal(ghcb_handle_vmgexit(&f->v[0]), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "not guest RAM"));
	fx_free(f);
}

/* ghcb_vcpu_reset forgets the kept GHCB page: a guest set up again in the same vCPU (sevisor
 * reuses one struct guest for every guest it runs) may have its RAM elsewhere. */
static void test_ghcb_page_forgotten_at_reset(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	cpuid_through(f, FX_GHCB_GPA);
	u8 *old = f->ram, *moved = aligned_alloc(4096, FX_RAM_SIZE);
	assert_non_null(moved);
	memset(moved, 0, FX_RAM_SIZE);
	f->ram = moved;
	f->vm.ram[0].host = moved;
	ghcb_vcpu_reset(&f->v[0]);
	memset(old + FX_GHCB_GPA, 0, 4096);
	cpuid_through(f, FX_GHCB_GPA);
	assert_int_equal(fx_ghcb(f)->save.rax, 0x80000002);
	assert_true(fx_valid_test(fx_ghcb(f), BIT_RBX));
	assert_false(fx_valid_test((struct ghcb *)(old + FX_GHCB_GPA), BIT_RBX));
	free(old);
	fx_free(f);
}

/* ---- events ------------------------------------------------------------------------------ */

static void test_ioio_out_in(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* OUT DX, AL to 0x3F8: port [31:16], SZ8 bit 4 */
	struct ghcb *g = fx_req(f, 2, 0x7B, (0x3F8ULL << 16) | (1 << 4), 0);
	FX_SET(g, rax, 0xFFFFFF41);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	expect_bits(g, 0);
	assert_int_equal(fx.nio, 1);
	assert_int_equal(fx.io[0].port, 0x3F8);
	assert_int_equal(fx.io[0].size, 1);
	assert_false(fx.io[0].in);
	assert_int_equal(fx.io[0].val, 0x41);
	/* OUT without RAX */
	fx_req(f, 2, 0x7B, (0x3F8ULL << 16) | (1 << 4), 0);
	expect_error(f, 4);
	/* IN AX, DX from 0x510: TYPE bit 0, SZ16 bit 5; no RAX needed */
	g = fx_req(f, 2, 0x7B, (0x510ULL << 16) | (1 << 5) | 1, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(g->save.rax, (FX_IN_BASE + 1) & 0xFFFF);
	expect_bits(g, 1, BIT_RAX);
	/* IN EAX: SZ32 bit 6 */
	g = fx_req(f, 2, 0x7B, (0xCFCULL << 16) | (1 << 6) | 1, 0);
	fx_vmgexit(f);
	assert_int_equal(g->save.rax, FX_IN_BASE + 2);
	fx_free(f);
}

static void test_ioio_sizes(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x7B, 0x80ULL << 16, 0); /* no size: no-op */
	FX_SET(g, rax, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(fx.io_calls, 0);
	g = fx_req(f, 2, 0x7B, (0x80ULL << 16) | (3 << 4), 0); /* two size bits */
	FX_SET(g, rax, 0);
	expect_error(f, 5);
	assert_int_equal(fx.io_calls, 0);
	fx_free(f);
}

static void test_ioio_port_terminates(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x7B, ((u64)FX_PORT_KILL << 16) | (1 << 4), 0);
	FX_SET(g, rax, 0);
	assert_int_equal(fx_vmgexit(f), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	fx_free(f);
}

static void test_ioio_string_out_rep(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* REP OUTSB: STR bit 2, REP bit 3, SZ8; EXITINFO2 = count; data in the shared buffer */
	struct ghcb *g = fx_req(f, 2, 0x7B, (0x3F8ULL << 16) | (1 << 4) | (1 << 3) | (1 << 2), 3);
	FX_SET(g, sw_scratch, SHARED(f) + 16);
	memcpy(g->shared_buffer + 16, "abc", 3);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(fx.nio, 3);
	assert_int_equal(fx.io[0].val, 'a');
	assert_int_equal(fx.io[1].val, 'b');
	assert_int_equal(fx.io[2].val, 'c');
	/* string without scratch */
	fx_req(f, 2, 0x7B, (0x3F8ULL << 16) | (1 << 4) | (1 << 2), 1);
	expect_error(f, 4);
	/* count 0: nothing happens */
	fx.nio = 0;
	g = fx_req(f, 2, 0x7B, (0x3F8ULL << 16) | (1 << 4) | (1 << 2), 0);
	FX_SET(g, sw_scratch, SHARED(f));
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(fx.nio, 0);
	fx_free(f);
}

static struct ghcb_fixture *race_f;
static void race_hook(unsigned n)
{
	(void)n;
	/* The guest rewrites the shared buffer while the hypervisor works. */
	memset(fx_ghcb(race_f)->shared_buffer, 'X', 8);
}

static void test_ioio_string_reads_snapshot(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	race_f = f;
	struct ghcb *g = fx_req(f, 2, 0x7B, (0x3F8ULL << 16) | (1 << 4) | (1 << 2), 4);
	FX_SET(g, sw_scratch, SHARED(f));
	memcpy(g->shared_buffer, "wxyz", 4);
	fx.io_hook = race_hook;
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(fx.io[1].val, 'x');
	assert_int_equal(fx.io[3].val, 'z');
	fx_free(f);
}

static void test_ioio_string_in(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* REP INSW: 4 words into the shared buffer */
	struct ghcb *g = fx_req(f, 2, 0x7B, (0x1F0ULL << 16) | (1 << 5) | (1 << 3) | (1 << 2) | 1, 4);
	FX_SET(g, sw_scratch, SHARED(f) + 2);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	expect_bits(g, 0);
	for (unsigned i = 0; i < 4; i++) {
		u16 w;
		memcpy(&w, g->shared_buffer + 2 + 2 * i, 2);
		assert_int_equal(w, (FX_IN_BASE + i) & 0xFFFF);
	}
	assert_int_equal(g->shared_buffer[0], 0);
	assert_int_equal(g->shared_buffer[10], 0);
	fx_free(f);
}

static void scratch_case(struct ghcb_fixture *f, u16 version, u64 scratch, u64 count, u64 err)
{
	struct ghcb *g = fx_req(f, version, 0x7B, (0x3F8ULL << 16) | (1 << 4) | (1 << 2), count);
	FX_SET(g, sw_scratch, scratch);
	if (err) {
		expect_error(f, err);
	} else {
		assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
		assert_int_equal(g->save.sw_exit_info1, 0);
	}
}

static void test_scratch_rules(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	const u64 G = FX_GHCB_GPA;
	scratch_case(f, 2, 0, 1, 3);                        /* zero */
	scratch_case(f, 2, G + 0x7FF, 1, 3);                /* just below the shared buffer */
	scratch_case(f, 2, G + 0x3F0, 16, 3);               /* over the valid bitmap */
	scratch_case(f, 2, G + 0xFEF, 1, 0);                /* last byte of the shared buffer */
	scratch_case(f, 2, G + 0xFEF, 2, 3);                /* crosses 0xFF0 */
	scratch_case(f, 2, G + 0x800, 2032, 0);             /* the whole shared buffer */
	scratch_case(f, 2, G + 0x800, 2033, 3);
	scratch_case(f, 2, G - 8, 16, 3);                   /* starts before the page, ends in it */
	scratch_case(f, 2, FX_EXT_GPA, 4, 3);               /* v2: outside the GHCB */
	scratch_case(f, 2, ~0ULL - 1, 4, 3);                /* wraps */
	scratch_case(f, 2, (G + 0x800) | (1ULL << FX_CBIT), 4, 0); /* C-bit alias is the same page */
	scratch_case(f, 1, FX_EXT_GPA, 4, 0);               /* v1: external RAM allowed */
	scratch_case(f, 1, G + 0x100, 4, 3);                /* v1: in the GHCB but not the buffer */
	scratch_case(f, 1, FX_RAM_SIZE - 2, 4, 3);          /* v1: runs past RAM */
	scratch_case(f, 1, FX_EXT_GPA, 16 * 4096, 0);       /* v1: 16 pages is the limit */
	scratch_case(f, 1, FX_EXT_GPA, 16 * 4096 + 1, 3);
	scratch_case(f, 1, FX_EXT_GPA, 1ULL << 62, 3);      /* count * size overflow */
	fx_free(f);
}

static void test_v1_external_string_in(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 1, 0x7B, (0x60ULL << 16) | (1 << 4) | (1 << 2) | 1, 3);
	FX_SET(g, sw_scratch, FX_EXT_GPA);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(f->ram[FX_EXT_GPA], (u8)FX_IN_BASE);
	assert_int_equal(f->ram[FX_EXT_GPA + 2], (u8)(FX_IN_BASE + 2));
	assert_int_equal(f->ram[FX_EXT_GPA + 3], 0);
	fx_free(f);
}

static void test_msr_read_write(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x7C, 0, 0);
	FX_SET(g, rcx, FX_MSR_PLAIN);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(g->save.rax, 0x12345678);
	assert_int_equal(g->save.rdx, 0x87654321);
	expect_bits(g, 2, BIT_RAX, BIT_RDX);

	g = fx_req(f, 2, 0x7C, 1, 0);
	FX_SET(g, rcx, 0xC0000080);
	FX_SET(g, rax, 0xFFFFFFFF00000D01ULL); /* upper halves of RAX/RDX are ignored */
	FX_SET(g, rdx, 0xFFFFFFFF00000001ULL);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_true(fx.msr_last_write);
	assert_int_equal(fx.msr_last_index, 0xC0000080);
	assert_int_equal(fx.msr_last_value, 0x0000000100000D01ULL);
	expect_bits(g, 0);
	fx_free(f);
}

static void test_msr_errors(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x7C, 0, 0);
	FX_SET(g, rcx, FX_MSR_GP);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 1);
	assert_int_equal(g->save.sw_exit_info2, GP_EVENT);
	expect_bits(g, 0);

	g = fx_req(f, 2, 0x7C, 1, 0);
	FX_SET(g, rcx, FX_MSR_GP);
	FX_SET(g, rax, 1);
	FX_SET(g, rdx, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 1);
	assert_int_equal(g->save.sw_exit_info2, GP_EVENT);

	g = fx_req(f, 2, 0x7C, 1, 0); /* write without RDX */
	FX_SET(g, rcx, FX_MSR_PLAIN);
	FX_SET(g, rax, 1);
	expect_error(f, 4);
	fx_req(f, 2, 0x7C, 0, 0); /* no RCX */
	expect_error(f, 4);
	g = fx_req(f, 2, 0x7C, 2, 0); /* neither read nor write */
	FX_SET(g, rcx, FX_MSR_PLAIN);
	expect_error(f, 5);

	g = fx_req(f, 2, 0x7C, 0, 0);
	FX_SET(g, rcx, FX_MSR_ERROR);
	assert_int_equal(fx_vmgexit(f), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "0xc0de0002"));
	assert_non_null(strstr(f->vm.reason, "fake MSR model error"));
	fx_free(f);
}

static void test_rdtsc_rdtscp_rdpmc(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x6E, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.rax, 0x55667788);
	assert_int_equal(g->save.rdx, 0x11223344);
	expect_bits(g, 2, BIT_RAX, BIT_RDX);

	g = fx_req(f, 2, 0x87, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.rax, 0x55667788);
	assert_int_equal(g->save.rdx, 0x11223344);
	assert_int_equal(g->save.rcx, FX_TSC_AUX);
	expect_bits(g, 3, BIT_RAX, BIT_RCX, BIT_RDX);

	g = fx_req(f, 2, 0x6F, 0, 0);
	FX_SET(g, rcx, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(fx.msr_last_index, 0xC0010004);
	assert_int_equal(g->save.rax, 0x00C0FFEE);
	assert_int_equal(g->save.rdx, 0x0000BEEF);
	expect_bits(g, 2, BIT_RAX, BIT_RDX);

	g = fx_req(f, 2, 0x6F, 0, 0);
	FX_SET(g, rcx, 4); /* no such legacy counter */
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 1);
	assert_int_equal(g->save.sw_exit_info2, GP_EVENT);
	g = fx_req(f, 2, 0x6F, 0, 0);
	FX_SET(g, rcx, 1); /* counter 1: the fake MSR model #GPs */
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 1);
	fx_req(f, 2, 0x6F, 0, 0);
	expect_error(f, 4);
	fx_free(f);
}

static void test_dr7(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x27, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.rax, 0x400); /* reset value */
	expect_bits(g, 1, BIT_RAX);

	g = fx_req(f, 2, 0x37, 0, 0);
	FX_SET(g, rax, 0x1 | (1 << 11));
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	g = fx_req(f, 2, 0x27, 0, 0);
	fx_vmgexit(f);
	assert_int_equal(g->save.rax, 0x401);

	g = fx_req(f, 2, 0x37, 0, 0);
	FX_SET(g, rax, 1ULL << 32);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 1);
	assert_int_equal(g->save.sw_exit_info2, GP_EVENT);
	fx_req(f, 2, 0x37, 0, 0);
	expect_error(f, 4);
	fx_free(f);
}

static void test_nops(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	const u64 codes[] = { 0x76, 0x89 };
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		struct ghcb *g = fx_req(f, 2, codes[i], 0, 0);
		assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
		assert_int_equal(g->save.sw_exit_info1, 0);
		expect_bits(g, 0);
	}
	struct ghcb *g = fx_req(f, 2, 0x8A, 0, 0); /* MONITOR needs RAX, RCX, RDX */
	FX_SET(g, rax, 0x1000);
	FX_SET(g, rcx, 0);
	expect_error(f, 4);
	g = fx_req(f, 2, 0x8A, 0, 0);
	FX_SET(g, rax, 0x1000);
	FX_SET(g, rcx, 0);
	FX_SET(g, rdx, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	g = fx_req(f, 2, 0x8B, 0, 0); /* MWAIT needs RAX, RCX */
	FX_SET(g, rax, 0);
	expect_error(f, 4);
	g = fx_req(f, 2, 0x8B, 0, 0);
	FX_SET(g, rax, 0);
	FX_SET(g, rcx, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	fx_free(f);
}

static void test_vmmcall(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x81, 0, 0);
	FX_SET(g, rax, 12);
	FX_SET(g, cpl, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(g->save.rax, (u64)-1000LL);
	expect_bits(g, 1, BIT_RAX);
	g = fx_req(f, 2, 0x81, 0, 0);
	FX_SET(g, rax, 12);
	FX_SET(g, cpl, 3);
	fx_vmgexit(f);
	assert_int_equal(g->save.rax, (u64)-1LL);
	g = fx_req(f, 2, 0x81, 0, 0);
	FX_SET(g, rax, 12); /* CPL missing */
	expect_error(f, 4);
	fx_free(f);
}

static void test_mmio(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* read 4 bytes at 0xFEE00030 into the shared buffer */
	struct ghcb *g = fx_req(f, 2, 0x80000001, 0xFEE00030, 4);
	FX_SET(g, sw_scratch, SHARED(f) + 8);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	expect_bits(g, 0);
	assert_int_equal(fx.mmio_gpa, 0xFEE00030);
	assert_int_equal(fx.mmio_size, 4);
	u32 got;
	memcpy(&got, g->shared_buffer + 8, 4);
	assert_int_equal(got, 0x05060708);
	assert_int_equal(g->shared_buffer[12], 0);

	/* write 8 bytes */
	g = fx_req(f, 2, 0x80000002, 0xFED00040, 8);
	FX_SET(g, sw_scratch, SHARED(f));
	u64 val = 0x1122334455667788ULL;
	memcpy(g->shared_buffer, &val, 8);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_true(fx.mmio_write);
	assert_int_equal(fx.mmio_val, val);

	/* v2 length > 8, odd lengths */
	g = fx_req(f, 2, 0x80000001, 0xFEE00030, 16);
	FX_SET(g, sw_scratch, SHARED(f));
	expect_error(f, 5);
	g = fx_req(f, 1, 0x80000001, 0xFEE00030, 3);
	FX_SET(g, sw_scratch, SHARED(f));
	expect_error(f, 5);
	/* zero length: no-op */
	unsigned calls = fx.mmio_calls;
	g = fx_req(f, 2, 0x80000002, 0xFEE00030, 0);
	FX_SET(g, sw_scratch, SHARED(f));
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(fx.mmio_calls, calls);
	/* scratch missing / invalid */
	fx_req(f, 2, 0x80000001, 0xFEE00030, 4);
	expect_error(f, 4);
	g = fx_req(f, 2, 0x80000001, 0xFEE00030, 4);
	FX_SET(g, sw_scratch, FX_EXT_GPA);
	expect_error(f, 3);
	/* v1 external scratch */
	g = fx_req(f, 1, 0x80000001, 0xFEE00030, 2);
	FX_SET(g, sw_scratch, FX_EXT_GPA);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(f->ram[FX_EXT_GPA], 0x08);
	assert_int_equal(f->ram[FX_EXT_GPA + 1], 0x07);
	/* the device model ends the guest */
	g = fx_req(f, 2, 0x80000002, FX_MMIO_KILL, 4);
	FX_SET(g, sw_scratch, SHARED(f));
	assert_int_equal(fx_vmgexit(f), SVM_TERMINATE);
	fx_free(f);
}

static void test_nmi_complete(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	f->v[0].intr.nmi_masked = true; /* an NMI was injected, its handler runs */
	struct ghcb *g = fx_req(f, 2, 0x80000003, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_false(f->v[0].intr.nmi_masked); /* NMIs deliverable again (G9) */
	assert_int_equal(f->v[0].ghcb.nmi_completes, 1);
	fx_free(f);
}

static void test_ap_reset_hold_nae(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	fx_req(f, 2, 0x80000004, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "no other vCPU"));
	fx_free(f);

	f = fx_new(2);
	struct ghcb *g = fx_req(f, 2, 0x80000004, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(g->save.sw_exit_info2, 0); /* still held */
	assert_true(ghcb_ap_reset_held(&f->v[0]));
	assert_true(ghcb_ap_reset_release(&f->v[0]));
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_not_equal(g->save.sw_exit_info2, 0); /* released */
	expect_bits(g, 0);
	assert_false(ghcb_ap_reset_held(&f->v[0]));
	fx_free(f);
}

static void test_ap_jump_table(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x80000005, 0, 0x9F000);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	g = fx_req(f, 2, 0x80000005, 1, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(g->save.sw_exit_info2, 0x9F000);
	fx_req(f, 2, 0x80000005, 2, 0);
	expect_error(f, 5);
	fx_free(f);
}

static void test_hv_features(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g = fx_req(f, 2, 0x8000FFFD, 0, 0x55);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	assert_int_equal(g->save.sw_exit_info1, 0);
	assert_int_equal(g->save.sw_exit_info2, 0);
	expect_bits(g, 0);
	fx_free(f);
}

static void test_terminate_nae(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* EXITINFO1 [3:0] set 1, [11:4] code 5 */
	fx_req(f, 2, 0x8000FFFE, (5 << 4) | 1, 0);
	assert_int_equal(fx_vmgexit(f), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "reason set 1 (Linux guest)"));
	assert_non_null(strstr(f->vm.reason, "code 5 (CPUID from hypervisor failed)"));
	fx_free(f);
}

static void test_unsupported_event(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	fx_req(f, 2, 0x8000FFFF, 0x65 /* unhandled exit code */, 0x77);
	assert_int_equal(fx_vmgexit(f), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "unsupported #VC"));
	assert_non_null(strstr(f->vm.reason, "0x65"));
	assert_non_null(strstr(f->vm.reason, "0x77"));
	fx_free(f);
}

/* Per-guest counts: each request counted once under its code (GHCB spec codes: MSR 0x002
 * SEV_INFO_REQ, 0x004 CPUID_REQ; NAE 0x72 CPUID, 0x7B IOIO, 0x80000010 SNP PSC); unknown codes
 * under "other"; a page without a valid SW_EXITCODE is not an event and is not counted. */
static void test_event_counts(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	struct ghcb *g;
	char buf[320];

	fx_msr(f, 0x002);
	fx_msr(f, ((u64)0x80000000 << 32) | 0x004);
	fx_msr(f, ((u64)0x80000000 << 32) | (1ULL << 30) | 0x004);
	for (int i = 0; i < 2; i++) {
		g = fx_req(f, 2, 0x72, 0, 0);
		FX_SET(g, rax, 1);
		FX_SET(g, rcx, 0);
		assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	}
	g = fx_req(f, 2, 0x7B, (0x80ULL << 16) | (1 << 4) | 1 /* IN al, 0x80 */, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	fx_req(f, 2, 0x12345678, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	fx_req(f, 2, 0x80000010, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	g = fx_req(f, 2, 0x72, 0, 0);
	clear_bit(g, BIT_EXITCODE);
	expect_error(f, GHCB_ERR_MISSING_INPUT);

	assert_int_equal(f->v[0].ghcb.msr_requests, 3);
	assert_int_equal(f->v[0].ghcb.page_requests, 6);
	ghcb_counts_format(&f->v[0].ghcb, buf, sizeof(buf));
	assert_string_equal(buf, "msr:SEV_INFO_REQ=1 msr:CPUID_REQ=2 CPUID=2 IOIO=1 "
				 "SNP_PAGE_STATE_CHANGE=1 other=1");
	/* a small buffer is cut, never overrun */
	assert_int_equal(ghcb_counts_format(&f->v[0].ghcb, buf, 8), 7);
	assert_string_equal(buf, "msr:SEV");
	assert_string_equal(ghcb_count_name(ghcb_count_slot(false, 0x8000FFFD)), "HV_FEATURES");
	assert_string_equal(ghcb_count_name(ghcb_count_slot(true, 0x001)), "other"); /* a response */
	fx_free(f);
}

/* Every request code a guest can send has its own count slot, shown under its name; the
 * codes and names are the GHCB spec's (facts A.1 and B.3), spelled out here. A code of the
 * other kind, a response code or an unknown one counts as "other". */
static void test_count_slot_per_code(void **state)
{
	(void)state;
	static const struct {
		bool msr;
		u64 code;
		const char *name;
	} codes[] = {
		{ true, 0x002, "SEV_INFO_REQ" }, { true, 0x004, "CPUID_REQ" },
		{ true, 0x006, "AP_RESET_HOLD_REQ" }, { true, 0x010, "PREF_GPA_REQ" },
		{ true, 0x012, "REG_GPA_REQ" }, { true, 0x014, "SNP_PSC_REQ" },
		{ true, 0x016, "SNP_VMPL_REQ" }, { true, 0x080, "HV_FT_REQ" },
		{ true, 0x100, "TERM_REQ" },
		{ false, 0x27, "DR7_READ" }, { false, 0x37, "DR7_WRITE" }, { false, 0x6E, "RDTSC" },
		{ false, 0x6F, "RDPMC" }, { false, 0x72, "CPUID" }, { false, 0x76, "INVD" },
		{ false, 0x7B, "IOIO" }, { false, 0x7C, "MSR" }, { false, 0x81, "VMMCALL" },
		{ false, 0x87, "RDTSCP" }, { false, 0x89, "WBINVD" }, { false, 0x8A, "MONITOR" },
		{ false, 0x8B, "MWAIT" }, { false, 0x80000001, "MMIO_READ" },
		{ false, 0x80000002, "MMIO_WRITE" }, { false, 0x80000003, "NMI_COMPLETE" },
		{ false, 0x80000004, "AP_RESET_HOLD" }, { false, 0x80000005, "AP_JUMP_TABLE" },
		{ false, 0x80000010, "SNP_PAGE_STATE_CHANGE" },
		{ false, 0x80000011, "SNP_GUEST_REQUEST" },
		{ false, 0x80000012, "SNP_EXT_GUEST_REQUEST" },
		{ false, 0x80000013, "SNP_AP_CREATION" }, { false, 0x8000FFFD, "HV_FEATURES" },
		{ false, 0x8000FFFE, "TERMINATE" }, { false, 0x8000FFFF, "UNSUPPORTED_EVENT" },
	};
	bool used[GHCB_COUNT_SLOTS] = { false };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		unsigned slot = ghcb_count_slot(codes[i].msr, codes[i].code);
		assert_true(slot < GHCB_COUNT_SLOTS);
		assert_false(used[slot]);
		used[slot] = true;
		assert_string_equal(ghcb_count_name(slot), codes[i].name);
		/* the same number as the other kind is not that request */
		assert_string_equal(ghcb_count_name(ghcb_count_slot(!codes[i].msr, codes[i].code)), "other");
	}
	static const u64 others[] = { 0x000, 0x001, 0x003, 0x005, 0x011, 0x082, 0x0FFF, 0x400,
				      0x80000000, 0x80000006, 0x80000014, 0x8000FFFC, ~0ULL };
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_string_equal(ghcb_count_name(ghcb_count_slot(true, others[i])), "other");
		assert_string_equal(ghcb_count_name(ghcb_count_slot(false, others[i])), "other");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_bits),
		cmocka_unit_test(test_count_slot_per_code),
		cmocka_unit_test(test_cpuid_ok_and_write_back_only_outputs),
		cmocka_unit_test(test_cpuid_missing_inputs),
		cmocka_unit_test(test_cpuid_leaf_d_needs_xcr0),
		cmocka_unit_test(test_only_valid_fields_are_inputs),
		cmocka_unit_test(test_usage_and_exit_fields),
		cmocka_unit_test(test_invalid_events),
		cmocka_unit_test(test_version_rules),
		cmocka_unit_test(test_bad_ghcb_gpa_terminates),
		cmocka_unit_test(test_ghcb_page_follows_gpa),
		cmocka_unit_test(test_ghcb_page_forgotten_at_reset),
		cmocka_unit_test(test_ioio_out_in),
		cmocka_unit_test(test_ioio_sizes),
		cmocka_unit_test(test_ioio_port_terminates),
		cmocka_unit_test(test_ioio_string_out_rep),
		cmocka_unit_test(test_ioio_string_reads_snapshot),
		cmocka_unit_test(test_ioio_string_in),
		cmocka_unit_test(test_scratch_rules),
		cmocka_unit_test(test_v1_external_string_in),
		cmocka_unit_test(test_msr_read_write),
		cmocka_unit_test(test_msr_errors),
		cmocka_unit_test(test_rdtsc_rdtscp_rdpmc),
		cmocka_unit_test(test_dr7),
		cmocka_unit_test(test_nops),
		cmocka_unit_test(test_vmmcall),
		cmocka_unit_test(test_mmio),
		cmocka_unit_test(test_nmi_complete),
		cmocka_unit_test(test_ap_reset_hold_nae),
		cmocka_unit_test(test_ap_jump_table),
		cmocka_unit_test(test_hv_features),
		cmocka_unit_test(test_terminate_nae),
		cmocka_unit_test(test_unsupported_event),
		cmocka_unit_test(test_event_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
