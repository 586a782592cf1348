/* arch/x86/caps.c: capability decoding and the report, from fixed CPUID/MSR vectors.
 * Bit definitions: AMD64 APM vol. 3 appendix E (E.4.1 CPUID 0x80000001 ECX[2] SVM; E.4.9
 * 0x8000000A EAX[7:0] SVM revision, EBX number of ASIDs, EDX feature bits; E.4.17 0x8000001F
 * EAX[0] SME, [1] SEV, [3] SEV-ES, [4] SEV-SNP, EBX[5:0] C-bit position, EBX[11:6] physical
 * address width reduction, ECX number of encrypted guests / max SEV ASID, EDX minimum SEV-only
 * ASID), APM vol. 2 15.30.1 (VM_CR MSR C001_0114h: bit 3 LOCK, bit 4 SVMDIS) and 7.10
 * (SYSCFG MSR C001_0010h bit 23 MemEncryptionModEn). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "arch/x86/caps.h"
#include "lib/log.h"

/* ---- log capture ---- */

static char g_out[16384];
static size_t g_out_len;

static void capture(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	assert_true(g_out_len + len < sizeof(g_out));
	memcpy(g_out + g_out_len, text, len);
	g_out_len += len;
	g_out[g_out_len] = '\0';
}

static int setup(void **state)
{
	(void)state;
	log_reset();
	g_out_len = 0;
	g_out[0] = '\0';
	assert_true(log_add_sink("capture", capture, NULL, true));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_reset();
	return 0;
}

/* The whole line (without '\n') that starts with prefix, or fail. */
static const char *find_line(const char *prefix)
{
	static char line[1024];
	const char *p = g_out;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!strncmp(p, prefix, strlen(prefix))) {
			assert_true(n < sizeof(line));
			memcpy(line, p, n);
			line[n] = '\0';
			return line;
		}
		p += n + (nl ? 1 : 0);
	}
	fail_msg("no line starting with \"%s\" in:\n%s", prefix, g_out);
	return NULL;
}

static void expect_output(const char *want)
{
	if (!strstr(g_out, want))
		fail_msg("\"%s\" not in the report:\n%s", want, g_out);
}

static void expect_no_output(const char *unwanted)
{
	if (strstr(g_out, unwanted))
		fail_msg("\"%s\" unexpectedly in the report:\n%s", unwanted, g_out);
}

/* ---- vectors ---- */

/* QEMU 7.2 TCG, -cpu EPYC,+svm, as measured in /work/shared/reference/qemu-tcg-svm.md:
 * max extended leaf 0x8000001E (no 0x8000001F on any TCG model), 0x8000000A EAX=1 (revision),
 * EBX=16 ASIDs, EDX=0x1 (NP only), VM_CR reads 0. Of 0x80000001 ECX only bit 2 (SVM) matters
 * here; bit 0 (LahfSahf) is set as on every EPYC model. SYSCFG is not read (caps_collect reads it
 * only when SME or SEV is advertised). */
static struct caps_raw tcg_epyc(void)
{
	struct caps_raw r;
	memset(&r, 0, sizeof(r));
	memcpy(r.vendor, "AuthenticAMD", 13);
	r.max_ext_leaf = 0x8000001Eu;
	r.ext1_ecx = CPUID_EXT1_ECX_SVM | BIT(0);
	r.svm_eax = 1;
	r.svm_ebx = 16;
	r.svm_edx = 0x1;
	r.have_vm_cr = true;
	r.vm_cr = 0;
	return r;
}

/* An EPYC Milan-like SEV-SNP machine. ILLUSTRATIVE values, consistent with the APM vol. 3
 * appendix E field definitions, not a dump of a specific part:
 *   0x80000000 EAX = 0x80000020
 *   0x8000000A EAX = 1, EBX = 0x8000 (32768 ASIDs),
 *              EDX = bits 0-7, 10, 12, 13, 15, 16 = 0x0001B4FF
 *   0x8000001F EAX = SME(0) | SEV(1) | SEV-ES(3) | SEV-SNP(4) = 0x1B
 *              EBX = C-bit 51 in [5:0] (0x33) | reduction 1 in [11:6] (0x40) | 4 VMPLs in
 *                    [15:12] (0x4000) = 0x4073 (the VMPL field must not leak into the decode)
 *              ECX = 509 (ASIDs 1..509 may be SEV), EDX = 100 (SEV-ES ASIDs 1..99)
 *   VM_CR = 0x8 (LOCK set by firmware, SVMDIS clear: SVM usable)
 *   SYSCFG = MtrrVarDramEn(20) | MtrrTom2En(21) | MemEncryptionModEn(23) | SNPEn(24) = 0x01B00000 */
static struct caps_raw milan_like(void)
{
	struct caps_raw r;
	memset(&r, 0, sizeof(r));
	memcpy(r.vendor, "AuthenticAMD", 13);
	r.max_ext_leaf = 0x80000020u;
	r.ext1_ecx = CPUID_EXT1_ECX_SVM | BIT(0);
	r.svm_eax = 1;
	r.svm_ebx = 0x8000;
	r.svm_edx = 0x0001B4FFu;
	r.mem_eax = 0x1B;
	r.mem_ebx = 0x4073;
	r.mem_ecx = 509;
	r.mem_edx = 100;
	r.have_vm_cr = true;
	r.vm_cr = 0x8;
	r.have_syscfg = true;
	r.syscfg = 0x01B00000ULL;
	return r;
}

/* ---- decoding ---- */

static void test_decode_tcg_epyc(void **state)
{
	(void)state;
	struct caps_raw r = tcg_epyc();
	struct caps c;
	memset(&c, 0xEE, sizeof(c));
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_USABLE);
	assert_int_equal(c.svm_revision, 1);
	assert_int_equal(c.nr_asids, 16);
	assert_int_equal(c.svm_features, 0x1);
	assert_false(c.sme);
	assert_false(c.sev);
	assert_false(c.sev_es);
	assert_false(c.sev_snp);
	assert_int_equal(c.cbit, 0);
	assert_int_equal(c.phys_reduction, 0);
	assert_int_equal(c.max_sev_asid, 0);
	assert_int_equal(c.min_sev_asid, 0);
	assert_false(c.mem_encrypt_enabled);

	/* Leaf 0x8000001F is beyond the max extended leaf: whatever its registers hold is ignored. */
	r.mem_eax = 0x1B;
	r.mem_ebx = 0x33;
	r.mem_ecx = 15;
	r.mem_edx = 1;
	caps_decode(&r, &c);
	assert_false(c.sme);
	assert_false(c.sev);
	assert_int_equal(c.cbit, 0);
	assert_int_equal(c.max_sev_asid, 0);
}

static void test_decode_milan_like(void **state)
{
	(void)state;
	struct caps_raw r = milan_like();
	struct caps c;
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_USABLE); /* LOCK alone does not disable SVM */
	assert_int_equal(c.svm_revision, 1);
	assert_int_equal(c.nr_asids, 32768);
	assert_int_equal(c.svm_features, 0x0001B4FF);
	assert_true(c.sme);
	assert_true(c.sev);
	assert_true(c.sev_es);
	assert_true(c.sev_snp);
	assert_int_equal(c.cbit, 51);
	assert_int_equal(c.phys_reduction, 1);
	assert_int_equal(c.max_sev_asid, 509);
	assert_int_equal(c.min_sev_asid, 100);
	assert_true(c.mem_encrypt_enabled);

	/* SEV without ES or SNP (e.g. a Naples-like part): EAX = SME | SEV. */
	r.mem_eax = 0x3;
	caps_decode(&r, &c);
	assert_true(c.sev);
	assert_false(c.sev_es);
	assert_false(c.sev_snp);
	assert_int_equal(c.cbit, 51);
	/* SME only: the C-bit is still meaningful; ASID fields are taken as given. */
	r.mem_eax = 0x1;
	caps_decode(&r, &c);
	assert_true(c.sme);
	assert_false(c.sev);
	assert_int_equal(c.cbit, 51);
	assert_int_equal(c.phys_reduction, 1);
	/* Leaf present but no SME/SEV: no C-bit or ASID ranges. */
	r.mem_eax = 0;
	caps_decode(&r, &c);
	assert_false(c.sme);
	assert_false(c.sev);
	assert_int_equal(c.cbit, 0);
	assert_int_equal(c.phys_reduction, 0);
	assert_int_equal(c.max_sev_asid, 0);
	assert_int_equal(c.min_sev_asid, 0);
}

static void test_decode_cbit_fields(void **state)
{
	(void)state;
	struct caps_raw r = milan_like();
	struct caps c;
	/* EBX[5:0] and EBX[11:6] at their maxima, with every other bit set: no leakage. */
	r.mem_ebx = 0xFFFFFFFFu;
	caps_decode(&r, &c);
	assert_int_equal(c.cbit, 63);
	assert_int_equal(c.phys_reduction, 63);
	/* C-bit 47 (Naples/Rome), reduction 5. */
	r.mem_ebx = 47 | (5 << 6);
	caps_decode(&r, &c);
	assert_int_equal(c.cbit, 47);
	assert_int_equal(c.phys_reduction, 5);
}

static void test_decode_svm_missing(void **state)
{
	(void)state;
	/* QEMU -cpu EPYC,-svm: ECX[2] clear. Even if 0x8000000A registers held something, they are
	 * not decoded. */
	struct caps_raw r = tcg_epyc();
	r.ext1_ecx &= ~(u32)CPUID_EXT1_ECX_SVM;
	struct caps c;
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_MISSING);
	assert_int_equal(c.svm_revision, 0);
	assert_int_equal(c.nr_asids, 0);
	assert_int_equal(c.svm_features, 0);
	/* VM_CR cannot make a missing SVM "disabled" or "locked". */
	r.vm_cr = VM_CR_SVMDIS | VM_CR_LOCK;
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_MISSING);
	/* No extended leaf 0x80000001 at all: missing, whatever ECX holds. */
	r = tcg_epyc();
	r.max_ext_leaf = 0x80000000u;
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_MISSING);
	/* SVM present but 0x8000000A beyond the max leaf: usable, no revision/ASID/feature data. */
	r = tcg_epyc();
	r.max_ext_leaf = 0x80000008u;
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_USABLE);
	assert_int_equal(c.nr_asids, 0);
	assert_int_equal(c.svm_features, 0);
}

static void test_decode_vm_cr(void **state)
{
	(void)state;
	struct caps_raw r = tcg_epyc();
	struct caps c;
	r.vm_cr = VM_CR_SVMDIS; /* 0x10 */
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_DISABLED);
	/* The SVM leaf is still decoded: the report can say what the CPU would offer. */
	assert_int_equal(c.nr_asids, 16);
	r.vm_cr = VM_CR_SVMDIS | VM_CR_LOCK; /* 0x18 */
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_LOCKED);
	r.vm_cr = VM_CR_LOCK; /* 0x08: locked with SVM enabled */
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_USABLE);
	/* Other VM_CR bits (0 DPD, 1 R_INIT, 2 DIS_A20M) do not matter. */
	r.vm_cr = 0x7;
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_USABLE);
	/* VM_CR not read: its stale value is ignored. */
	r.have_vm_cr = false;
	r.vm_cr = VM_CR_SVMDIS | VM_CR_LOCK;
	caps_decode(&r, &c);
	assert_int_equal(c.svm, CAPS_SVM_USABLE);
	assert_int_equal(VM_CR_SVMDIS, 0x10);
	assert_int_equal(VM_CR_LOCK, 0x8);
}

static void test_decode_syscfg(void **state)
{
	(void)state;
	struct caps_raw r = milan_like();
	struct caps c;
	assert_int_equal(SYSCFG_MEM_ENCRYPT, 0x800000);
	r.syscfg = BIT(23);
	caps_decode(&r, &c);
	assert_true(c.mem_encrypt_enabled);
	/* Neighbouring bits 22 and 24 alone do not count. */
	r.syscfg = BIT(22) | BIT(24);
	caps_decode(&r, &c);
	assert_false(c.mem_encrypt_enabled);
	r.syscfg = ~BIT(23);
	caps_decode(&r, &c);
	assert_false(c.mem_encrypt_enabled);
	/* Not read: ignored. */
	r.syscfg = BIT(23);
	r.have_syscfg = false;
	caps_decode(&r, &c);
	assert_false(c.mem_encrypt_enabled);
}

static void test_feature_names(void **state)
{
	(void)state;
	/* APM vol. 3 E.4.9, 0x8000000A EDX bits 0..7. */
	static const char *const want[8] = { "NP",         "LbrVirt",   "SVML",        "NRIPS",
					     "TscRateMsr", "VmcbClean", "FlushByAsid", "DecodeAssists" };
	for (unsigned b = 0; b < 8; b++) {
		const char *n = caps_svm_feature_name(b);
		assert_non_null(n);
		assert_string_equal(n, want[b]);
	}
	assert_string_equal(caps_svm_feature_name(10), "PauseFilter");
	assert_string_equal(caps_svm_feature_name(12), "PauseFilterThreshold");
	assert_string_equal(caps_svm_feature_name(13), "AVIC");
	assert_string_equal(caps_svm_feature_name(15), "VMSAVEvirt");
	assert_string_equal(caps_svm_feature_name(16), "VGIF");
	assert_string_equal(caps_svm_feature_name(25), "VNMI");
	/* Unnamed (reserved) bits and out-of-range bit numbers. */
	static const unsigned unnamed[] = { 8, 9, 11, 14, 22, 31 };
	for (unsigned i = 0; i < ARRAY_SIZE(unnamed); i++)
		assert_null(caps_svm_feature_name(unnamed[i]));
	assert_null(caps_svm_feature_name(32));
	assert_null(caps_svm_feature_name(1000));
	assert_null(caps_svm_feature_name(~0u));
}

static void test_state_messages(void **state)
{
	(void)state;
	const char *m = caps_svm_state_message(CAPS_SVM_MISSING);
	assert_non_null(strstr(m, "no SVM"));
	assert_non_null(strstr(m, "0x80000001 ECX[2]"));
	const char *d = caps_svm_state_message(CAPS_SVM_DISABLED);
	assert_non_null(strstr(d, "disabled by firmware"));
	assert_non_null(strstr(d, "SVMDIS=1"));
	assert_non_null(strstr(d, "LOCK=0"));
	const char *l = caps_svm_state_message(CAPS_SVM_LOCKED);
	assert_non_null(strstr(l, "locked"));
	assert_non_null(strstr(l, "LOCK=1"));
	/* Each unusable state says something different. */
	assert_true(strcmp(m, d) && strcmp(d, l) && strcmp(m, l));
	assert_string_equal(caps_svm_state_message((enum caps_svm_state)42), "?");
}

/* ---- the report ---- */

static void report(const struct caps_raw *r)
{
	struct caps c;
	caps_decode(r, &c);
	caps_report(r, &c);
}

static void test_report_tcg_epyc(void **state)
{
	(void)state;
	struct caps_raw r = tcg_epyc();
	report(&r);
	assert_string_equal(find_line("@sevisor caps "),
			    "@sevisor caps svm=yes svm_rev=1 asids=16 svm_features=0x1 sev=0 sev_es=0 snp=0 cbit=0 "
			    "sev_asids=0 min_sev_asid=0 mem_encrypt=0");
	expect_output("cpu: vendor AuthenticAMD, max extended leaf 0x8000001e");
	expect_output("svm: present");
	expect_output("svm: VM_CR=0x0 (SVMDIS=0 LOCK=0)");
	expect_output("svm: revision 1, 16 ASIDs, features 0x00000001: NP\n");
	expect_output("sev: CPUID leaf 0x8000001F absent");
	expect_no_output("SYSCFG");
	/* Per-feature lines are debug level: not shown at the default info level. */
	expect_no_output("svm: feature");
	/* Exactly one @sevisor line. */
	const char *first = strstr(g_out, "@sevisor");
	assert_non_null(first);
	assert_null(strstr(first + 1, "@sevisor"));
}

static void test_report_milan_like(void **state)
{
	(void)state;
	struct caps_raw r = milan_like();
	report(&r);
	assert_string_equal(find_line("@sevisor caps "),
			    "@sevisor caps svm=yes svm_rev=1 asids=32768 svm_features=0x1b4ff sev=1 sev_es=1 snp=1 "
			    "cbit=51 sev_asids=509 min_sev_asid=100 mem_encrypt=1");
	expect_output("svm: VM_CR=0x8 (SVMDIS=0 LOCK=1)");
	expect_output("features 0x0001b4ff: NP LbrVirt SVML NRIPS TscRateMsr VmcbClean FlushByAsid DecodeAssists "
		      "PauseFilter PauseFilterThreshold AVIC VMSAVEvirt VGIF\n");
	expect_output("sev: SME yes, SEV yes, SEV-ES yes, SEV-SNP yes, C-bit 51, phys-addr reduction 1");
	expect_output("sev: ASIDs 1..509 may be SEV; SEV-ES ASIDs 1..99, SEV-only ASIDs 100..509");
	expect_output("SYSCFG=0x1b00000, memory encryption enabled by firmware");
}

static void test_report_debug_features(void **state)
{
	(void)state;
	struct caps_raw r = tcg_epyc();
	log_set_level(LOG_DEBUG);
	report(&r);
	expect_output("svm: feature NP                     yes\n");
	expect_output("svm: feature NRIPS                  no\n");
	expect_output("svm: feature DecodeAssists          no\n");
}

static void test_report_unnamed_bits(void **state)
{
	(void)state;
	/* Unnamed bits are shown by number; no features at all says so. */
	struct caps_raw r = tcg_epyc();
	r.svm_edx = 0x1 | BIT(9) | BIT(31);
	report(&r);
	expect_output("features 0x80000201: NP bit9 bit31\n");
	assert_non_null(strstr(find_line("@sevisor caps "), " svm_features=0x80000201 "));
	log_reset();
	g_out_len = 0;
	g_out[0] = '\0';
	assert_true(log_add_sink("capture", capture, NULL, true));
	r.svm_edx = 0;
	report(&r);
	expect_output("features 0x00000000: (none)\n");
}

static void test_report_svm_states(void **state)
{
	(void)state;
	static const struct {
		u32 ecx_clear;
		u64 vm_cr;
		const char *word;
		const char *msg;
	} cases[] = {
		{ CPUID_EXT1_ECX_SVM, 0, "missing", "this CPU has no SVM" },
		{ 0, VM_CR_SVMDIS, "disabled", "SVM is disabled by firmware" },
		{ 0, VM_CR_SVMDIS | VM_CR_LOCK, "locked", "SVM is disabled and locked by firmware" },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		setup(NULL);
		struct caps_raw r = tcg_epyc();
		r.ext1_ecx &= ~cases[i].ecx_clear;
		r.vm_cr = cases[i].vm_cr;
		report(&r);
		char want[64];
		snprintf(want, sizeof(want), "@sevisor caps svm=%s ", cases[i].word);
		const char *line = find_line(want);
		assert_non_null(line);
		expect_output(cases[i].msg);
		expect_no_output("svm: present");
		if (cases[i].ecx_clear) {
			/* Missing: no SVM detail line, zeros on the result line. */
			expect_no_output("svm: revision");
			assert_non_null(strstr(line, " svm_rev=0 asids=0 svm_features=0x0 "));
		} else {
			expect_output("svm: revision 1, 16 ASIDs");
		}
	}
	expect_output("VM_CR=0x18 (SVMDIS=1 LOCK=1)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decode_tcg_epyc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_milan_like, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_cbit_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_svm_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_vm_cr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_syscfg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feature_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_tcg_epyc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_milan_like, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_debug_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_unnamed_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_svm_states, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
