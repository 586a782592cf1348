/* ASID allocation (ghcb-sev-facts.md F.6 steps 0 and 12, G20, G21), the VMSA built from a
 * known vCPU state checked at the SEV-ES save area's offsets (C.4, C.5, G18), and the launch
 * flow through the soft PSP with the digest of a fixed small guest. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "sev/asid.h"
#include "sev/launch.h"
#include "sev/soft_psp.h"
#include "sev/vmsa.h"
#include "sev/soft_es.h"
#include "svm/load/multiboot.h"
#include "svm/vcpu.h"
#include "lib/fmt.h"

/* ---- ASIDs ---- */

static struct sev_asids asids;

static void test_asid_ranges(void **state)
{
	(void)state;
	/* An EPYC-like CPU: 32768 ASIDs, SEV 1..509, SEV-ES 1..99 (EDX = 100). */
	sev_asid_setup(&asids, 32768, 509, 100);
	u32 lo, hi;
	assert_true(sev_asid_range(&asids, SEV_ASID_ES, &lo, &hi));
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 99);
	assert_true(sev_asid_range(&asids, SEV_ASID_PLAIN, &lo, &hi));
	assert_int_equal(lo, 510); /* above ECX (G20) */
	u32 a;
	assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_ES, &a), SEV_ASID_OK);
	assert_int_equal(a, 1);
	assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_PLAIN, &a), SEV_ASID_OK);
	assert_int_equal(a, 510);
	/* EDX = 1: no SEV-ES ASIDs at all. */
	sev_asid_setup(&asids, 16, 15, 1);
	assert_false(sev_asid_range(&asids, SEV_ASID_ES, &lo, &hi));
	assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_ES, &a), SEV_ASID_NONE);
	/* No SEV: plain guests take 1..nr-1. */
	sev_asid_setup(&asids, 16, 0, 0);
	assert_true(sev_asid_range(&asids, SEV_ASID_PLAIN, &lo, &hi));
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 15);
}

static void test_asid_exhaustion_and_reuse_after_flush(void **state)
{
	(void)state;
	sev_asid_setup(&asids, 16, 4, 5); /* the soft PSP's carve-out: ES 1..4 */
	u32 a[4];
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_ES, &a[i]), SEV_ASID_OK);
		assert_int_equal(a[i], i + 1);
	}
	u32 x;
	assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_ES, &x), SEV_ASID_NONE);
	/* A finished guest's ASID is dirty: not reused before the flush. */
	sev_asid_free(&asids, a[1], true);
	assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_ES, &x), SEV_ASID_NEED_FLUSH);
	assert_int_equal(sev_asid_count(&asids, SEV_ASID_DIRTY), 1);
	sev_asid_flushed(&asids);
	assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_ES, &x), SEV_ASID_OK);
	assert_int_equal(x, 2);
	/* An unfinished guest's ASID is free at once. */
	sev_asid_free(&asids, a[3], false);
	assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_ES, &x), SEV_ASID_OK);
	assert_int_equal(x, 4);
	/* Freeing twice or freeing 0 changes nothing. */
	sev_asid_free(&asids, 0, true);
	sev_asid_free(&asids, 77, true);
	assert_int_equal(sev_asid_count(&asids, SEV_ASID_DIRTY), 0);
	/* Plain ASIDs 5..15 are untouched by all this. */
	assert_int_equal(sev_asid_alloc(&asids, SEV_ASID_PLAIN, &x), SEV_ASID_OK);
	assert_int_equal(x, 5);
}

/* ---- VMSA ---- */

static u64 rd(const void *buf, unsigned off, unsigned size)
{
	u64 v = 0;
	memcpy(&v, (const u8 *)buf + off, size);
	return v;
}

static struct vmcb vmcb;
static struct svm_gprs gprs;
static struct sev_vmsa vmsa __attribute__((aligned(4096)));

static void test_vmsa_from_multiboot_entry_state(void **state)
{
	(void)state;
	svm_multiboot_entry_state(&vmcb, &gprs, 0x100000, 0x1000);
	gprs.rsi = 0x5151;
	gprs.r15 = 0xF15F15;
	sev_vmsa_build(&vmsa, &vmcb.save, &gprs, 0);
	const u8 *v = (const u8 *)&vmsa;
	/* CS (0x010): selector 0x08, attributes type 0xB S P D/B G = 0xC9B, limit 4 GiB - 1. */
	assert_int_equal(rd(v, 0x010, 2), 0x08);
	assert_int_equal(rd(v, 0x012, 2), 0xC9B);
	assert_int_equal(rd(v, 0x014, 4), 0xFFFFFFFF);
	assert_int_equal(rd(v, 0x018, 8), 0);
	/* SS (0x020), DS (0x030): selector 0x10, data 0xC93. */
	assert_int_equal(rd(v, 0x020, 2), 0x10);
	assert_int_equal(rd(v, 0x022, 2), 0xC93);
	assert_int_equal(rd(v, 0x032, 2), 0xC93);
	/* LDTR (0x070) type LDT, TR (0x090) busy TSS. */
	assert_int_equal(rd(v, 0x072, 2), 0x82);
	assert_int_equal(rd(v, 0x092, 2), 0x8B);
	assert_int_equal(rd(v, 0x0CB, 1), 0);          /* CPL */
	assert_int_equal(rd(v, 0x0D0, 8), 0x1000);     /* EFER = SVME */
	assert_int_equal(rd(v, 0x148, 8), 0);          /* CR4 */
	assert_int_equal(rd(v, 0x150, 8), 0);          /* CR3 */
	assert_int_equal(rd(v, 0x158, 8), 0x11);       /* CR0 = PE | ET */
	assert_int_equal(rd(v, 0x160, 8), 0x400);      /* DR7 reset */
	assert_int_equal(rd(v, 0x168, 8), 0xFFFF0FF0); /* DR6 reset */
	assert_int_equal(rd(v, 0x170, 8), 0x2);        /* RFLAGS */
	assert_int_equal(rd(v, 0x178, 8), 0x100000);   /* RIP = entry */
	assert_int_equal(rd(v, 0x1F8, 8), 0x2BADB002); /* RAX = Multiboot magic */
	assert_int_equal(rd(v, 0x268, 8), 0x0007040600070406ULL); /* reset PAT */
	assert_int_equal(rd(v, 0x318, 8), 0x1000);     /* RBX = info block */
	assert_int_equal(rd(v, 0x330, 8), 0x5151);     /* RSI */
	assert_int_equal(rd(v, 0x378, 8), 0xF15F15);   /* R15 */
	assert_int_equal(rd(v, 0x380, 8) | rd(v, 0x388, 8), 0); /* firmware's bytes left zero (G17) */
	assert_int_equal(rd(v, 0x3B0, 8), 0);          /* SEV features */
	assert_int_equal(rd(v, 0x3E8, 8), 1);          /* XCR0 = x87 */
	assert_int_equal(rd(v, 0x408, 4), 0x1F80);     /* MXCSR reset (G18) */
	assert_int_equal(rd(v, 0x410, 2), 0x37F);      /* FCW reset (G18) */
	/* Nothing else: count the non-zero bytes outside the fields checked above. */
	static const struct { unsigned off, len; } checked[] = {
		{ 0x000, 0x0A0 }, { 0x0CB, 1 }, { 0x0D0, 8 }, { 0x148, 0x38 }, { 0x1F8, 8 }, { 0x268, 8 },
		{ 0x318, 8 }, { 0x330, 8 }, { 0x378, 8 }, { 0x3E8, 8 }, { 0x408, 4 }, { 0x410, 2 },
	};
	for (unsigned off = 0; off < 4096; off++) {
		bool in = false;
		for (unsigned i = 0; i < sizeof(checked) / sizeof(checked[0]); i++)
			in |= off >= checked[i].off && off < checked[i].off + checked[i].len;
		if (!in && v[off])
			fail_msg("unexpected byte 0x%02x at VMSA offset 0x%03x", v[off], off);
	}
}

static void test_vmsa_efer_svme_always_and_features(void **state)
{
	(void)state;
	svm_multiboot_entry_state(&vmcb, &gprs, 0x200000, 0x1000);
	vmcb.save.efer = 0x500; /* LME | LMA without SVME */
	sev_vmsa_build(&vmsa, &vmcb.save, &gprs, BIT(5));
	assert_int_equal(rd(&vmsa, 0x0D0, 8), 0x1500);
	assert_int_equal(rd(&vmsa, 0x3B0, 8), 0x20);
}

/* Load is the inverse of build for every field the VMCB save area holds. */
static void test_vmsa_round_trip(void **state)
{
	(void)state;
	svm_multiboot_entry_state(&vmcb, &gprs, 0x100000, 0x1000);
	for (unsigned i = 0; i < sizeof(gprs) / 8; i++)
		((u64 *)&gprs)[i] = 0x1111111111111111ULL * (i + 1);
	vmcb.save.rsp = 0x7000;
	vmcb.save.cr2 = 0xC2;
	vmcb.save.lstar = 0x15;
	sev_vmsa_build(&vmsa, &vmcb.save, &gprs, 0);
	struct vmcb back;
	struct svm_gprs g2;
	memset(&back, 0xEE, sizeof(back));
	memset(&g2, 0xEE, sizeof(g2));
	memset(&back.save, 0, sizeof(back.save));
	sev_vmsa_load(&vmsa, &back.save, &g2);
	assert_memory_equal(&g2, &gprs, sizeof(gprs));
	assert_int_equal(back.save.rip, 0x100000);
	assert_int_equal(back.save.rsp, 0x7000);
	assert_int_equal(back.save.cr2, 0xC2);
	assert_int_equal(back.save.lstar, 0x15);
	assert_int_equal(back.save.efer, 0x1000);
	assert_memory_equal(&back.save.cs, &vmcb.save.cs, 16);
	assert_memory_equal(&back.save.tr, &vmcb.save.tr, 16);
	assert_int_equal(back.save.g_pat, 0x0007040600070406ULL);
}

/* The soft-es CPU's first VMRUN: whatever the VMCB save area and GPRs held (the hypervisor
 * cleared them at launch; here they hold junk), the state comes from the VMSA page. */
static void test_soft_es_enters_from_vmsa(void **state)
{
	(void)state;
	svm_multiboot_entry_state(&vmcb, &gprs, 0x123000, 0x1000);
	gprs.r12 = 0x1212;
	sev_vmsa_build(&vmsa, &vmcb.save, &gprs, 0);
	static struct vmcb run_vmcb;
	memset(&run_vmcb, 0xA5, sizeof(run_vmcb));
	struct vcpu v;
	memset(&v, 0, sizeof(v));
	memset(&v.gprs, 0x5A, sizeof(v.gprs));
	v.vmcb = &run_vmcb;
	v.vmsa = (u8 *)&vmsa;
	svm_soft_es_enter_from_vmsa(&v);
	assert_int_equal(run_vmcb.save.rip, 0x123000);
	assert_int_equal(run_vmcb.save.rax, 0x2BADB002);
	assert_int_equal(run_vmcb.save.efer, 0x1000);
	assert_int_equal(run_vmcb.save.cr0, 0x11);
	assert_int_equal(run_vmcb.save.cs.selector, 0x08);
	assert_int_equal(run_vmcb.save.dbgctl, 0); /* not in the table: cleared, not junk */
	assert_int_equal(v.gprs.rbx, 0x1000);
	assert_int_equal(v.gprs.r12, 0x1212);
	assert_int_equal(v.gprs.rcx, 0);
	assert_int_equal(run_vmcb.control.clean_bits, 0);
}

/* ---- launch flow through the soft PSP ---- */

static struct soft_psp sp;
static u8 tmr[2 << 20];
static u8 ram[4096] __attribute__((aligned(4096)));
static struct sev_launch l;

static void bring_up(void)
{
	soft_psp_init(&sp, 4, 42);
	char why[128];
	assert_true(sev_platform_bringup(&sp.psp, ALIGN_UP((u64)(uintptr_t)tmr, SEV_TMR_SIZE), why, sizeof(why)));
	assert_int_equal(sp.psp.status.state, SEV_PLATFORM_INIT);
	sev_asid_setup(&asids, 16, sp.psp.max_sev_asid, sp.psp.min_sev_asid);
}

/* The fixed small guest: one 4 KiB page with bytes i & 0xFF at GPA 0x100000, entry 0x100000,
 * Multiboot info at 0x1000. Its digest is SHA-256(page || VMSA), with the VMSA as
 * test_vmsa_from_multiboot_entry_state checks it byte by byte; the value below was computed
 * with Python's hashlib from those bytes, laid out from the offsets in C.4. */
#define SMALL_GUEST_DIGEST "063a7be4cfca536415262fcc002882aad228ca10bf11c24f8db82f9bb07fece9"

static void setup_small_guest(void)
{
	for (unsigned i = 0; i < sizeof(ram); i++)
		ram[i] = (u8)i;
	svm_multiboot_entry_state(&vmcb, &gprs, 0x100000, 0x1000);
	sev_vmsa_build(&vmsa, &vmcb.save, &gprs, 0);
	memset(&l, 0, sizeof(l));
	l.name = "small";
	l.policy = SEV_POLICY_DEFAULT;
	l.regions[0] = (struct sev_launch_region){ 0x100000, ram, sizeof(ram) };
	l.nr_regions = 1;
	l.vmsa = &vmsa;
}

static void test_launch_digest_of_small_guest(void **state)
{
	(void)state;
	bring_up();
	setup_small_guest();
	assert_true(sev_launch_alloc_asid(&sp.psp, &asids, &l));
	assert_int_equal(l.asid, 1);
	assert_true(sev_launch_guest(&sp.psp, &l));
	char hex[65];
	fmt_hex(l.digest, 32, hex);
	assert_string_equal(hex, SMALL_GUEST_DIGEST);
	/* The soft PSP measured the same bytes: its digest is sevisor's. */
	assert_memory_equal(sp.guests[0].launch_digest, l.digest, 32);
	u8 want[32];
	sev_measurement_compute(SEV_SOFT_PSP_TIK, 16, SEV_SOFT_PSP_API_MAJOR, SEV_SOFT_PSP_API_MINOR,
				SEV_SOFT_PSP_BUILD, SEV_POLICY_DEFAULT, l.digest, l.meas.mnonce, want);
	assert_memory_equal(l.meas.measurement, want, 32);
	assert_int_equal(sp.guests[0].state, SEV_GUEST_RUNNING);
	/* One byte of guest data changed: another digest. */
	sev_launch_teardown(&sp.psp, &asids, &l);
	assert_int_equal(sev_asid_count(&asids, SEV_ASID_DIRTY), 1);
	u8 first[32];
	memcpy(first, l.digest, 32);
	setup_small_guest();
	ram[100] ^= 1;
	assert_true(sev_launch_alloc_asid(&sp.psp, &asids, &l));
	assert_int_equal(l.asid, 2);
	assert_true(sev_launch_guest(&sp.psp, &l));
	assert_memory_not_equal(first, l.digest, 32);
}

/* All four ES ASIDs used and released dirty: the next allocation flushes (WBINVD + DF_FLUSH)
 * and gets ASID 1 back; the soft PSP accepts it. */
static void test_launch_reuses_asid_after_flush(void **state)
{
	(void)state;
	bring_up();
	for (unsigned i = 0; i < 5; i++) {
		setup_small_guest();
		assert_true(sev_launch_alloc_asid(&sp.psp, &asids, &l));
		assert_int_equal(l.asid, i % 4 + 1);
		assert_true(sev_launch_guest(&sp.psp, &l));
		sev_launch_teardown(&sp.psp, &asids, &l);
	}
	/* Four guests deactivated with exhaustion then one flush. */
	assert_int_equal(sev_asid_count(&asids, SEV_ASID_DIRTY), 1);
}

static void test_launch_exhaustion_refused_with_reason(void **state)
{
	(void)state;
	bring_up();
	static struct sev_launch held[4];
	for (unsigned i = 0; i < 4; i++)
		assert_true(sev_launch_alloc_asid(&sp.psp, &asids, &held[i]));
	setup_small_guest();
	assert_false(sev_launch_alloc_asid(&sp.psp, &asids, &l));
	assert_string_equal(l.reason, "SEV launch: no free SEV-ES ASID (all of 1..4 in use)");
}

/* A firmware error names the command and the status, and the teardown leaves the soft PSP
 * with no guest. */
static void test_launch_firmware_error_named(void **state)
{
	(void)state;
	bring_up();
	setup_small_guest();
	l.regions[0].len = 100; /* not a multiple of 16 */
	assert_true(sev_launch_alloc_asid(&sp.psp, &asids, &l));
	assert_false(sev_launch_guest(&sp.psp, &l));
	assert_string_equal(l.reason, "SEV launch: LAUNCH_UPDATE_DATA failed: INVALID_LEN (0x4)");
	sev_launch_teardown(&sp.psp, &asids, &l);
	struct sev_data_platform_status ps;
	assert_int_equal(sp.psp.ops->submit(&sp.psp, SEV_CMD_PLATFORM_STATUS, &ps), SEV_OK);
	assert_int_equal(ps.guest_count, 0);
	assert_int_equal(sev_asid_count(&asids, SEV_ASID_DIRTY), 0); /* never finished: clean */
	assert_int_equal(sev_asid_count(&asids, SEV_ASID_USED), 0);
}

static void test_policy_refusals(void **state)
{
	(void)state;
	assert_null(sev_policy_refusal(SEV_POLICY_DEFAULT));
	assert_null(sev_policy_refusal(SEV_POLICY_ES | SEV_POLICY_SEV | (1u << 16)));
	assert_string_equal(sev_policy_refusal(SEV_POLICY_ES | BIT(6)), "reserved bits 6..15 are set");
	assert_non_null(sev_policy_refusal(SEV_POLICY_NODBG));
	bring_up();
	setup_small_guest();
	l.policy = 0x1;
	assert_true(sev_launch_alloc_asid(&sp.psp, &asids, &l));
	assert_false(sev_launch_guest(&sp.psp, &l));
	assert_false(l.started);
	/* Minimum API 0.24 (the soft PSP's) is fine, 0.25 and 1.0 are not. */
	l.policy = SEV_POLICY_DEFAULT | (24u << 24);
	assert_true(sev_launch_guest(&sp.psp, &l));
	sev_launch_teardown(&sp.psp, &asids, &l);
	setup_small_guest();
	assert_true(sev_launch_alloc_asid(&sp.psp, &asids, &l));
	l.policy = SEV_POLICY_DEFAULT | (25u << 24);
	assert_false(sev_launch_guest(&sp.psp, &l));
	assert_string_equal(l.reason, "SEV launch: policy 0x19000007 asks for firmware API 0.25 or later, the soft PSP has 0.24");
	l.policy = SEV_POLICY_DEFAULT | (1u << 16);
	assert_false(sev_launch_guest(&sp.psp, &l));
	assert_false(l.started);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asid_ranges),
		cmocka_unit_test(test_asid_exhaustion_and_reuse_after_flush),
		cmocka_unit_test(test_vmsa_from_multiboot_entry_state),
		cmocka_unit_test(test_vmsa_efer_svme_always_and_features),
		cmocka_unit_test(test_vmsa_round_trip),
		cmocka_unit_test(test_soft_es_enters_from_vmsa),
		cmocka_unit_test(test_launch_digest_of_small_guest),
		cmocka_unit_test(test_launch_reuses_asid_after_flush),
		cmocka_unit_test(test_launch_exhaustion_refused_with_reason),
		cmocka_unit_test(test_launch_firmware_error_named),
		cmocka_unit_test(test_policy_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
