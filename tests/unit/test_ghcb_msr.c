/* GHCB MSR protocol (facts A.1-A.4, G1, G6, G7, G27) with vectors built from the spec's bit
 * layouts, not from ghcb/msr_protocol.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ghcb_fixture.h"

/* All-ones GFN in GHCBData [63:12]. */
#define GFN_NONE_DATA 0xFFFFFFFFFFFFF000ULL

static void test_sev_info(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	f->vm.cbit = 51;
	ghcb_vcpu_reset(&f->v[0]); /* the C-bit is set before the vCPU's reset, as at launch */
	assert_int_equal(fx_msr(f, 0x002), SVM_GHCB_REPLY);
	/* [63:48] max 2, [47:32] min 1, [31:24] C-bit 51 = 0x33, code 0x001 */
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x0002000133000001ULL);
	assert_true(f->v[0].ghcb.sev_info_requested);
	/* Reserved GHCBData bits in the request are ignored. */
	assert_int_equal(fx_msr(f, 0xABC000 | 0x002), SVM_GHCB_REPLY);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x0002000133000001ULL);
	/* The preload value for reset (facts A.0) is the same answer. */
	assert_int_equal(ghcb_sev_info_value(&f->v[0]), 0x0002000133000001ULL);
	/* Set up again with another C-bit (a new launch in the same vCPU): the answer follows,
	 * C-bit 39 = 0x27. */
	f->vm.cbit = 39;
	ghcb_vcpu_reset(&f->v[0]);
	assert_int_equal(fx_msr(f, 0x002), SVM_GHCB_REPLY);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x0002000127000001ULL);
	assert_int_equal(ghcb_sev_info_value(&f->v[0]), 0x0002000127000001ULL);
	fx_free(f);
}

static void test_sev_info_configured_max(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	f->vm.cbit = 47;
	f->v[0].ghcb.cfg.max_version = 1;
	ghcb_vcpu_reset(&f->v[0]); /* the configuration is set before the vCPU's reset */
	fx_msr(f, 0x002);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x000100012F000001ULL);
	f->v[0].ghcb.cfg.max_version = 9; /* clamped to what sevisor implements */
	ghcb_vcpu_reset(&f->v[0]);
	fx_msr(f, 0x002);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x000200012F000001ULL);
	fx_free(f);
}

static void test_sev_info_resets_version(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	f->v[0].ghcb.version = 2;
	fx_msr(f, 0x002);
	assert_int_equal(f->v[0].ghcb.version, 0);
	fx_free(f);
}

static void test_cpuid_each_register(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* Fake policy: EAX = leaf + 1, EBX = 0xB0B0B0B0, ECX = xcr0, EDX = 0xD0D0D0D0 ^ subleaf. */
	const u32 want[4] = { 0x80000020u, 0xB0B0B0B0u, 1u, 0xD0D0D0D0u };
	for (u64 reg = 0; reg < 4; reg++) {
		/* [63:32] function, [31:30] register, code 0x004 */
		u64 req = (0x8000001FULL << 32) | (reg << 30) | 0x004;
		assert_int_equal(fx_msr(f, req), SVM_GHCB_REPLY);
		u64 resp = f->vmcb[0].control.ghcb_gpa;
		assert_int_equal(resp & 0xFFF, 0x005);
		assert_int_equal((resp >> 30) & 3, reg);
		assert_int_equal(resp >> 32, want[reg]);
		assert_int_equal(fx.cpuid_leaf, 0x8000001F);
		assert_int_equal(fx.cpuid_sub, 0); /* MSR protocol: sub-leaf always 0 */
	}
	assert_int_equal(fx.cpuid_calls, 4);
	fx_free(f);
}

static void test_cpuid_leaf_d_uses_last_xcr0(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	fx_msr(f, (0xDULL << 32) | (2ULL << 30) | 0x004);
	assert_int_equal(fx.cpuid_xcr0, 1); /* reset XCR0: x87 only */
	f->v[0].ghcb.xcr0 = 0x7;
	fx_msr(f, (0xDULL << 32) | (2ULL << 30) | 0x004);
	assert_int_equal(fx.cpuid_xcr0, 7);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa >> 32, 7);
	fx_free(f);
}

static void test_ap_reset_hold_single_vcpu_terminates(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	assert_int_equal(fx_msr(f, 0x006), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_non_null(strstr(f->vm.reason, "AP reset hold"));
	assert_non_null(strstr(f->vm.reason, "no other vCPU"));
	fx_free(f);
}

static void test_ap_reset_hold_and_release(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(2);
	assert_int_equal(fx_msr(f, 0x006), SVM_GHCB_REPLY);
	/* RESP 0x007 with result 0 = still held */
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x007);
	assert_true(ghcb_ap_reset_held(&f->v[0]));
	assert_true(ghcb_ap_reset_release(&f->v[0]));
	/* released: non-zero result in [63:12] */
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x1007);
	assert_false(ghcb_ap_reset_held(&f->v[0]));
	assert_false(ghcb_ap_reset_release(&f->v[0]));
	fx_free(f);
}

static void test_pref_gpa(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	assert_int_equal(fx_msr(f, 0x010), SVM_GHCB_REPLY);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, GFN_NONE_DATA | 0x011);
	f->v[0].ghcb.cfg.pref_gfn_set = true;
	f->v[0].ghcb.cfg.pref_gfn = 0x30;
	fx_msr(f, 0x010);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x30011);
	fx_free(f);
}

static void test_register_gpa_accept_and_enforce(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	assert_int_equal(fx_msr(f, 0x10012), SVM_GHCB_REPLY);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x10013); /* GFN 0x10 echoed */
	assert_true(f->v[0].ghcb.registered);
	assert_int_equal(f->v[0].ghcb.registered_gpa, FX_GHCB_GPA);

	/* The registered page works. */
	fx_req(f, 2, 0x76 /* INVD */, 0, 0);
	assert_int_equal(fx_vmgexit(f), SVM_GHCB_REPLY);
	/* Its C-bit alias is the same page. */
	fx_req(f, 2, 0x76, 0, 0);
	f->vmcb[0].control.ghcb_gpa = FX_GHCB_GPA | (1ULL << FX_CBIT);
	assert_int_equal(ghcb_handle_vmgexit(&f->v[0]), SVM_GHCB_REPLY);
	/* MSR-protocol requests stay allowed. */
	assert_int_equal(fx_msr(f, 0x002), SVM_GHCB_REPLY);

	/* Another GHCB GPA: terminated, both GPAs logged. */
	f->vmcb[0].control.ghcb_gpa = 0x11000;
	assert_int_equal(ghcb_handle_vmgexit(&f->v[0]), SVM_TERMINATE);
	assert_non_null(strstr(f->vm.reason, "0x11000"));
	assert_non_null(strstr(f->vm.reason, "0x10000"));
	fx_free(f);
}

static void test_register_gpa_refused(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* Outside guest RAM (RAM is 1 MiB at 0). */
	assert_int_equal(fx_msr(f, (0x100ULL << 12) | 0x012), SVM_GHCB_REPLY);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, GFN_NONE_DATA | 0x013);
	assert_false(f->v[0].ghcb.registered);
	/* The all-ones GFN itself. */
	fx_msr(f, GFN_NONE_DATA | 0x012);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, GFN_NONE_DATA | 0x013);
	/* The last page of RAM is fine; a refusal afterwards keeps it registered. */
	fx_msr(f, ((FX_RAM_SIZE - 4096) >> 12 << 12) | 0x012);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, (FX_RAM_SIZE - 4096) | 0x013);
	fx_msr(f, (0x100ULL << 12) | 0x012);
	assert_true(f->v[0].ghcb.registered);
	assert_int_equal(f->v[0].ghcb.registered_gpa, FX_RAM_SIZE - 4096);
	fx_free(f);
}

static void test_snp_psc_refused(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* PSC: [55:52] op 2 = shared, [51:12] GFN 0x100, code 0x014 */
	u64 req = (2ULL << 52) | (0x100ULL << 12) | 0x014;
	assert_int_equal(fx_msr(f, req), SVM_GHCB_REPLY);
	u64 resp = f->vmcb[0].control.ghcb_gpa;
	assert_int_equal(resp & 0xFFF, 0x015);
	assert_int_not_equal(resp >> 32, 0); /* error field non-zero */
	assert_int_equal(resp, 0x8000000000000015ULL);
	fx_msr(f, req);
	assert_int_equal(fx_log_count("SNP-only MSR request"), 1); /* logged once */
	/* VMPL request likewise refused with its response code. */
	fx_msr(f, 0x016);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa & 0xFFF, 0x017);
	assert_int_not_equal(f->vmcb[0].control.ghcb_gpa >> 32, 0);
	fx_free(f);
}

static void test_hv_features(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	assert_int_equal(fx_msr(f, 0x080), SVM_GHCB_REPLY);
	assert_int_equal(f->vmcb[0].control.ghcb_gpa, 0x081); /* bitmap 0 */
	fx_free(f);
}

static void test_terminate_named(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	/* [15:12] set 1, [23:16] code 4, code 0x100 */
	assert_int_equal(fx_msr(f, 0x41100), SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_non_null(strstr(f->vm.reason, "reason set 1 (Linux guest)"));
	assert_non_null(strstr(f->vm.reason, "code 4 (CPUID request or table invalid)"));
	fx_free(f);

	f = fx_new(1);
	assert_int_equal(fx_msr(f, 0x10100), SVM_TERMINATE); /* set 0 code 1 */
	assert_non_null(strstr(f->vm.reason, "GHCB protocol version unsupported"));
	fx_free(f);

	f = fx_new(1);
	assert_int_equal(fx_msr(f, 0xFF7100), SVM_TERMINATE); /* set 7 code 0xFF */
	assert_non_null(strstr(f->vm.reason, "set 7 (unknown set)"));
	assert_non_null(strstr(f->vm.reason, "code 255 (unknown reason)"));
	fx_free(f);
}

static void test_unknown_codes_left_unchanged(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	const u64 reqs[] = { 0xABC0FF, 0x001, 0x005, 0x007, 0x011, 0x013, 0x081, 0xFFF, 0x018 };
	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		assert_int_equal(fx_msr(f, reqs[i]), SVM_GHCB_REPLY);
		assert_int_equal(f->vmcb[0].control.ghcb_gpa, reqs[i]);
	}
	assert_int_equal(f->v[0].ghcb.unknown_msr_requests, ARRAY_SIZE(reqs));
	assert_int_equal(fx_log_count("unsupported GHCB MSR protocol request"), 1);
	assert_int_equal(f->vm.end, VM_END_RUNNING);
	fx_free(f);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ghcb_term_reason_name(0, 0), "general termination request");
	assert_string_equal(ghcb_term_reason_name(0, 2), "SEV-SNP not supported by the hypervisor");
	assert_string_equal(ghcb_term_reason_name(1, 0), "GHCB GPA registration failed");
	assert_string_equal(ghcb_term_reason_name(1, 9), "SVSM calling area invalid");
	assert_string_equal(ghcb_term_reason_name(1, 10), "unknown reason");
	assert_string_equal(ghcb_term_reason_name(2, 0), "unknown reason");
	assert_string_equal(ghcb_msr_code_name(0x012), "REG_GPA_REQ");
	assert_null(ghcb_msr_code_name(0x003));
	assert_string_equal(ghcb_nae_name(0x8000FFFF), "UNSUPPORTED_EVENT");
	assert_string_equal(ghcb_err_name(4), "MISSING_INPUT");
	assert_null(ghcb_err_name(7));
}

static void test_reset_keeps_config(void **state)
{
	(void)state;
	struct ghcb_fixture *f = fx_new(1);
	f->v[0].ghcb.cfg.pref_gfn_set = true;
	f->v[0].ghcb.registered = true;
	f->v[0].ghcb.version = 2;
	ghcb_vcpu_reset(&f->v[0]);
	assert_true(f->v[0].ghcb.cfg.pref_gfn_set);
	assert_false(f->v[0].ghcb.registered);
	assert_int_equal(f->v[0].ghcb.version, 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sev_info),
		cmocka_unit_test(test_sev_info_configured_max),
		cmocka_unit_test(test_sev_info_resets_version),
		cmocka_unit_test(test_cpuid_each_register),
		cmocka_unit_test(test_cpuid_leaf_d_uses_last_xcr0),
		cmocka_unit_test(test_ap_reset_hold_single_vcpu_terminates),
		cmocka_unit_test(test_ap_reset_hold_and_release),
		cmocka_unit_test(test_pref_gpa),
		cmocka_unit_test(test_register_gpa_accept_and_enforce),
		cmocka_unit_test(test_register_gpa_refused),
		cmocka_unit_test(test_snp_psc_refused),
		cmocka_unit_test(test_hv_features),
		cmocka_unit_test(test_terminate_named),
		cmocka_unit_test(test_unknown_codes_left_unchanged),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_reset_keeps_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
