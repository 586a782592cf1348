/* svm/summary.c: verdicts, the @sevisor result line, the top-3 exit names and the closing
 * summary. The line format is the one documented in svm/summary.h and issue 3:
 *   @sevisor result guest=NAME verdict=pass|fail|terminated outcome=exit:N|terminated
 *            expect=N|terminated ... reason="..."   (reason quoted, \ and " escaped).
 * Exit names are the APM vol. 2 appendix C mnemonics (0x072 CPUID, 0x078 HLT, 0x07B IOIO,
 * 0x400 NPF). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/summary.h"
#include "svm/exit.h"
#include "ghcb/ghcb.h"
#include "sev/soft_es.h"
#include "lib/counts.h"

static struct svm_fx *f;
static struct summary *sum;
static struct cfg_guest cg;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	sum = calloc(1, sizeof(*sum));
	summary_init(sum, 1000000000ULL); /* 1 GHz TSC */
	memset(&cg, 0, sizeof(cg));
	strcpy(cg.name, "g1");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(sum);
	sf_free(f);
	log_reset();
	return 0;
}

/* The captured line that starts with prefix (after any log prefix), copied into out. */
static bool find_line(const char *prefix, char *out, size_t size)
{
	const char *p = strstr(sf_log_buf, prefix);
	if (!p)
		return false;
	const char *nl = strchr(p, '\n');
	size_t len = nl ? (size_t)(nl - p) : strlen(p);
	if (len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = 0;
	return true;
}

/* ---- verdicts ------------------------------------------------------------------------------ */

static void verdict_exit_expected_code(void **state)
{
	(void)state;
	cg.expect_code = 0;
	vm_exit_with_code(&f->vm, 0);
	assert_int_equal(summary_verdict(&cg, &f->vm), VERDICT_PASS);
	cg.expect_code = 0x31;
	assert_int_equal(summary_verdict(&cg, &f->vm), VERDICT_FAIL);
}

static void verdict_exit_other_code(void **state)
{
	(void)state;
	cg.expect_code = 0;
	vm_exit_with_code(&f->vm, 1);
	assert_int_equal(summary_verdict(&cg, &f->vm), VERDICT_FAIL);
}

static void verdict_exit_when_terminated_expected(void **state)
{
	(void)state;
	cg.expect_terminated = true;
	vm_exit_with_code(&f->vm, 0);
	assert_int_equal(summary_verdict(&cg, &f->vm), VERDICT_FAIL);
}

static void verdict_terminated(void **state)
{
	(void)state;
	vm_terminate(&f->vm, "triple fault (SHUTDOWN exit)");
	cg.expect_terminated = true;
	assert_int_equal(summary_verdict(&cg, &f->vm), VERDICT_PASS);
	cg.expect_terminated = false;
	cg.expect_code = 0;
	assert_int_equal(summary_verdict(&cg, &f->vm), VERDICT_TERMINATED);
}

static void verdict_names(void **state)
{
	(void)state;
	assert_string_equal(summary_verdict_name(VERDICT_PASS), "pass");
	assert_string_equal(summary_verdict_name(VERDICT_FAIL), "fail");
	assert_string_equal(summary_verdict_name(VERDICT_TERMINATED), "terminated");
}

/* ---- the result line ---------------------------------------------------------------------- */

static void result_line_exit_pass(void **state)
{
	(void)state;
	char line[600];
	cg.expect_code = 0;
	vm_exit_with_code(&f->vm, 0);
	f->v.exit_counts[0x072] = 7; /* CPUID */
	summary_add(sum, &cg, &f->vm, &f->v, 2500000000ULL);
	assert_true(find_line("@sevisor result ", line, sizeof(line)));
	assert_non_null(strstr(line, "guest=g1 "));
	assert_non_null(strstr(line, " verdict=pass "));
	assert_non_null(strstr(line, " outcome=exit:0 "));
	assert_non_null(strstr(line, " expect=0"));
	assert_non_null(strstr(line, " exits=7"));
	assert_non_null(strstr(line, " time_ms=2500"));
	assert_non_null(strstr(line, " reason=\""));
	assert_int_equal(sum->nr, 1);
	assert_int_equal(sum->rows[0].verdict, VERDICT_PASS);
	assert_int_equal(sum->rows[0].time_ms, 2500);
	assert_int_equal(sum->rows[0].exits, 7);
	assert_string_equal(sum->rows[0].name, "g1");
}

static void result_line_exit_fail(void **state)
{
	(void)state;
	char line[600];
	cg.expect_code = 0;
	vm_exit_with_code(&f->vm, 3);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_true(find_line("@sevisor result ", line, sizeof(line)));
	assert_non_null(strstr(line, " verdict=fail "));
	assert_non_null(strstr(line, " outcome=exit:3 "));
	assert_non_null(strstr(line, " expect=0"));
}

static void result_line_terminated_with_quotes(void **state)
{
	(void)state;
	char line[600];
	cg.expect_terminated = true;
	vm_terminate(&f->vm, "bad \"x\" at C:\\path");
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_true(find_line("@sevisor result ", line, sizeof(line)));
	assert_non_null(strstr(line, " verdict=pass "));
	assert_non_null(strstr(line, " outcome=terminated "));
	assert_non_null(strstr(line, " expect=terminated"));
	assert_non_null(strstr(line, " reason=\"bad \\\"x\\\" at C:\\\\path\""));
	/* The reason is the last field and its closing quote ends the line. */
	assert_int_equal(line[strlen(line) - 1], '"');
}

static void result_line_terminated_unexpected(void **state)
{
	(void)state;
	char line[600];
	cg.expect_code = 0;
	vm_terminate(&f->vm, "GPA 0xc0000000");
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_true(find_line("@sevisor result ", line, sizeof(line)));
	assert_non_null(strstr(line, " verdict=terminated "));
	assert_non_null(strstr(line, " outcome=terminated "));
	assert_non_null(strstr(line, " expect=0"));
	assert_non_null(strstr(line, " reason=\"GPA 0xc0000000\""));
}

static void result_line_long_reason(void **state)
{
	(void)state;
	/* A reason full of quotes, as long as vm->reason allows: the line keeps its closing quote. */
	char r[VM_REASON_MAX];
	memset(r, '"', sizeof(r) - 1);
	r[sizeof(r) - 1] = 0;
	cg.expect_terminated = true;
	vm_terminate(&f->vm, "%s", r);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	char line[1024];
	assert_true(find_line("@sevisor result ", line, sizeof(line)));
	const char *q = strstr(line, " reason=\"");
	assert_non_null(q);
	q += strlen(" reason=\"");
	size_t n = strlen(q);
	assert_true(n >= 2);
	assert_int_equal(q[n - 1], '"');
	/* Every quote inside is escaped: the body is pairs of \" */
	for (size_t i = 0; i + 1 < n; i += 2) {
		assert_int_equal(q[i], '\\');
		assert_int_equal(q[i + 1], '"');
	}
}

/* ---- top exits ---------------------------------------------------------------------------- */

static void top_three_exit_names(void **state)
{
	(void)state;
	f->v.exit_counts[0x072] = 5;  /* CPUID */
	f->v.exit_counts[0x07B] = 10; /* IOIO */
	f->v.exit_counts[0x078] = 3;  /* HLT */
	f->v.exit_counts[0x07C] = 1;  /* MSR */
	vm_exit_with_code(&f->vm, 0);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_string_equal(sum->rows[0].top_exits, "IOIO=10 CPUID=5 HLT=3");
}

static void top_exits_npf_slot_and_fewer(void **state)
{
	(void)state;
	f->v.exit_counts[VCPU_EXIT_SLOT_NPF] = 4;
	f->v.exit_counts[0x078] = 2;
	vm_exit_with_code(&f->vm, 0);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_string_equal(sum->rows[0].top_exits, "NPF=4 HLT=2");
}

/* Issue 10 item 11: injected exceptions are counted like exits, per vector (APM vol. 2, 8.2:
 * #DB = 1, #UD = 6, #GP = 13, #PF = 14), on the result line and in the table. */
static void injected_exceptions_counted(void **state)
{
	(void)state;
	char line[600];
	svm_queue_exception(&f->v, 13, true, 0);
	svm_queue_exception(&f->v, 13, true, 0x18);
	svm_queue_exception(&f->v, 1, false, 0);
	svm_queue_exception(&f->v, 14, true, 2);
	svm_queue_exception(&f->v, 14, true, 2);
	svm_queue_exception(&f->v, 14, true, 3);
	svm_queue_exception(&f->v, 6, false, 0);
	vm_exit_with_code(&f->vm, 0);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_int_equal(sum->rows[0].injected, 7);
	assert_string_equal(sum->rows[0].top_injected, "#PF=3 #GP=2 #DB=1");
	assert_true(find_line("@sevisor result ", line, sizeof(line)));
	assert_non_null(strstr(line, " injected=7 "));
}

static void top_exits_none(void **state)
{
	(void)state;
	vm_exit_with_code(&f->vm, 0);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_string_equal(sum->rows[0].top_exits, "");
}

/* ---- summary_print ------------------------------------------------------------------------ */

static void add_guest(const char *name, bool pass)
{
	struct svm_fx *g = sf_new(false);
	struct cfg_guest c;
	memset(&c, 0, sizeof(c));
	strcpy(c.name, name);
	c.expect_code = 0;
	vm_exit_with_code(&g->vm, pass ? 0 : 1);
	summary_add(sum, &c, &g->vm, &g->v, 0);
	sf_free(g);
}

static void print_all_pass(void **state)
{
	(void)state;
	add_guest("a", true);
	add_guest("b", true);
	sf_log_clear();
	assert_int_equal(summary_print(sum), SEVISOR_STATUS_OK);
	char line[256];
	assert_true(find_line("@sevisor summary ", line, sizeof(line)));
	assert_string_equal(line, "@sevisor summary guests=2 passed=2 failed=0");
	assert_true(sf_log_has("summary: a "));
	assert_true(sf_log_has("summary: b "));
}

static void print_one_fails(void **state)
{
	(void)state;
	add_guest("a", true);
	add_guest("b", false);
	add_guest("c", true);
	sf_log_clear();
	assert_int_equal(summary_print(sum), SEVISOR_STATUS_GUEST_FAILED);
	char line[256];
	assert_true(find_line("@sevisor summary ", line, sizeof(line)));
	assert_string_equal(line, "@sevisor summary guests=3 passed=2 failed=1");
}

static void print_terminated_is_not_ok(void **state)
{
	(void)state;
	struct cfg_guest c;
	memset(&c, 0, sizeof(c));
	strcpy(c.name, "t");
	vm_terminate(&f->vm, "timeout");
	summary_add(sum, &c, &f->vm, &f->v, 0);
	assert_int_equal(summary_print(sum), SEVISOR_STATUS_GUEST_FAILED);
}

/* A guest that sent GHCB requests gets its counts by code, on a line of its own and in the
 * table; a guest that sent none gets neither. Codes: GHCB spec MSR 0x002 (SEV_INFO_REQ), NAE
 * 0x72 (CPUID), 0x7B (IOIO). */
static void ghcb_counts_line(void **state)
{
	(void)state;
	char line[512];
	vm_exit_with_code(&f->vm, 0);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_false(find_line("@sevisor ghcb", line, sizeof(line)));

	f->v.ghcb.msr_requests = 1;
	f->v.ghcb.page_requests = 4;
	counts_add(&f->v.ghcb.events[ghcb_count_slot(true, 0x002)]);
	for (int i = 0; i < 3; i++)
		counts_add(&f->v.ghcb.events[ghcb_count_slot(false, 0x72)]);
	counts_add(&f->v.ghcb.events[ghcb_count_slot(false, 0x7B)]);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_true(find_line("@sevisor ghcb", line, sizeof(line)));
	assert_string_equal(line, "@sevisor ghcb guest=g1 msr=1 page=4 "
				  "events=\"msr:SEV_INFO_REQ=1 CPUID=3 IOIO=1\"");
	summary_print(sum);
	assert_true(find_line("GHCB requests: ", line, sizeof(line)));
	assert_string_equal(line, "GHCB requests: msr:SEV_INFO_REQ=1 CPUID=3 IOIO=1");
}

/* A soft-es guest's #VC exceptions by exit code (APM appendix C: 0x72 CPUID, 0x7B IOIO, 0x400
 * NPF), on a line of their own and in the table; none, no line. */
static void vc_counts_line(void **state)
{
	(void)state;
	char line[512];
	vm_exit_with_code(&f->vm, 0);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_false(find_line("@sevisor vc", line, sizeof(line)));

	for (int i = 0; i < 9; i++)
		soft_es_vc_count(&f->v, 0x72);
	soft_es_vc_count(&f->v, 0x400);
	soft_es_vc_count(&f->v, 0x7B);
	summary_add(sum, &cg, &f->vm, &f->v, 0);
	assert_true(find_line("@sevisor vc", line, sizeof(line)));
	assert_string_equal(line, "@sevisor vc guest=g1 CPUID=9 IOIO=1 NPF=1");
	summary_print(sum);
	assert_true(find_line("#VC by exit code: ", line, sizeof(line)));
	assert_string_equal(line, "#VC by exit code: CPUID=9 IOIO=1 NPF=1");
}

/* An event count stops at the largest u32 rather than wrapping to 0 (a summary never shows a
 * guest that sent 2^32 requests as one that sent none). */
static void counts_stop_at_max(void **state)
{
	(void)state;
	u32 c = 0;
	counts_add(&c);
	assert_int_equal(c, 1);
	c = 0xFFFFFFFEu;
	counts_add(&c);
	assert_int_equal(c, 0xFFFFFFFFu);
	counts_add(&c);
	assert_int_equal(c, 0xFFFFFFFFu);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(verdict_exit_expected_code),
		T(verdict_exit_other_code),
		T(verdict_exit_when_terminated_expected),
		T(verdict_terminated),
		T(verdict_names),
		T(result_line_exit_pass),
		T(result_line_exit_fail),
		T(result_line_terminated_with_quotes),
		T(result_line_terminated_unexpected),
		T(result_line_long_reason),
		T(top_three_exit_names),
		T(top_exits_npf_slot_and_fewer),
		T(top_exits_none),
		T(injected_exceptions_counted),
		T(print_all_pass),
		T(print_one_fails),
		T(print_terminated_is_not_ok),
		T(ghcb_counts_line),
		T(counts_stop_at_max),
		T(vc_counts_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
