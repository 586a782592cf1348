/* Verdicts and the summary table. See summary.h. */
#include "svm/summary.h"
#include "svm/exit.h"
#include "svm/exit_codes.h"
#include "ghcb/ghcb.h"
#include "sev/soft_es.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "lib/log.h"

static const char *const verdict_names[] = {
	[VERDICT_PASS] = "pass",
	[VERDICT_FAIL] = "fail",
	[VERDICT_TERMINATED] = "terminated",
};

const char *summary_verdict_name(enum verdict v)
{
	return verdict_names[v];
}

enum verdict summary_verdict(const struct cfg_guest *c, const struct vm *vm)
{
	bool expect_code = !c->expect_terminated && !c->expect_reset;
	if (vm->end == VM_END_EXIT)
		return expect_code && vm->exit_code == c->expect_code ? VERDICT_PASS : VERDICT_FAIL;
	if (vm->end == VM_END_RESET)
		return c->expect_reset ? VERDICT_PASS : VERDICT_FAIL;
	return c->expect_terminated ? VERDICT_PASS : VERDICT_TERMINATED;
}

void summary_init(struct summary *s, u64 tsc_hz)
{
	memset(s, 0, sizeof(*s));
	s->tsc_hz = tsc_hz ? tsc_hz : 1;
}

/* The three most frequent exits, "NAME=count" each. */
static void top_exits(const struct vcpu *v, char *buf, size_t size)
{
	bool used[VCPU_EXIT_COUNTERS] = { false };
	size_t n = 0;
	buf[0] = '\0';
	for (int k = 0; k < 3; k++) {
		unsigned best = VCPU_EXIT_COUNTERS;
		for (unsigned i = 0; i < VCPU_EXIT_COUNTERS; i++)
			if (!used[i] && v->exit_counts[i] && (best == VCPU_EXIT_COUNTERS || v->exit_counts[i] > v->exit_counts[best]))
				best = i;
		if (best == VCPU_EXIT_COUNTERS)
			break;
		used[best] = true;
		u64 code = best < VCPU_EXIT_SLOTS ? best : best == VCPU_EXIT_SLOT_NPF ? SVM_EXIT_NPF
			   : best == VCPU_EXIT_SLOT_VMGEXIT ? SVM_EXIT_VMGEXIT : ~0ULL;
		const char *name = best == VCPU_EXIT_SLOT_OTHER ? "other" : svm_exit_name(code);
		char unnamed[8];
		if (!name) {
			fmt_snprintf(unnamed, sizeof(unnamed), "0x%02llx", (unsigned long long)code);
			name = unnamed;
		}
		n += (size_t)fmt_snprintf(buf + n, size - MIN(n, size), "%s%s=%llu", k ? " " : "", name,
					  (unsigned long long)v->exit_counts[best]);
		if (n >= size)
			break;
	}
}

/* The three most injected exceptions, "#GP=count" each. */
static void top_injected(const struct vcpu *v, char *buf, size_t size)
{
	bool used[VCPU_INJECT_VECTORS] = { false };
	size_t n = 0;
	buf[0] = '\0';
	for (int k = 0; k < 3 && n < size; k++) {
		unsigned best = VCPU_INJECT_VECTORS;
		for (unsigned i = 0; i < VCPU_INJECT_VECTORS; i++)
			if (!used[i] && v->inject_counts[i] &&
			    (best == VCPU_INJECT_VECTORS || v->inject_counts[i] > v->inject_counts[best]))
				best = i;
		if (best == VCPU_INJECT_VECTORS)
			break;
		used[best] = true;
		const char *name = svm_exception_name(best);
		char unnamed[12];
		if (!name) {
			fmt_snprintf(unnamed, sizeof(unnamed), "vector%u", best);
			name = unnamed;
		}
		n += (size_t)fmt_snprintf(buf + n, size - n, "%s%s=%llu", k ? " " : "", name,
					  (unsigned long long)v->inject_counts[best]);
	}
}

/* Quotes a reason for the key=value line: double quotes, with \ and " escaped. */
static void quote(const char *in, char *out, size_t size)
{
	size_t n = 0;
	if (size < 3)
		return;
	out[n++] = '"';
	for (; *in && n + 3 < size; in++) {
		if (*in == '"' || *in == '\\')
			out[n++] = '\\';
		out[n++] = *in;
	}
	out[n++] = '"';
	out[n] = '\0';
}

void summary_add(struct summary *s, const struct cfg_guest *c, const struct vm *vm, const struct vcpu *v,
		 u64 tsc_elapsed)
{
	if (s->nr >= CFG_MAX_GUESTS)
		return;
	struct summary_row *r = &s->rows[s->nr++];
	str_copy(r->name, c->name, sizeof(r->name));
	r->mode = vm->mode;
	r->verdict = summary_verdict(c, vm);
	r->time_ms = tsc_elapsed / (s->tsc_hz / 1000 ? s->tsc_hz / 1000 : 1);
	r->exits = vcpu_exits_total(v);
	top_exits(v, r->top_exits, sizeof(r->top_exits));
	r->injected = v->injects_total;
	top_injected(v, r->top_injected, sizeof(r->top_injected));

	char outcome[24], expect[24], reason[VM_REASON_MAX + 32];
	if (vm->end == VM_END_EXIT)
		fmt_snprintf(outcome, sizeof(outcome), "exit:%u", vm->exit_code);
	else
		str_copy(outcome, vm->end == VM_END_RESET ? "reset" : "terminated", sizeof(outcome));
	if (c->expect_terminated || c->expect_reset)
		str_copy(expect, c->expect_reset ? "reset" : "terminated", sizeof(expect));
	else
		fmt_snprintf(expect, sizeof(expect), "%u", c->expect_code);
	quote(vm->reason[0] ? vm->reason : "none", reason, sizeof(reason));
	log_info("guest %s: %s (%s; expected %s): %s", c->name, summary_verdict_name(r->verdict), outcome, expect,
		 vm->reason[0] ? vm->reason : "none");
	log_result("result guest=%s verdict=%s outcome=%s expect=%s mode=%s exits=%llu injected=%llu time_ms=%llu "
		   "reason=%s",
		   c->name, summary_verdict_name(r->verdict), outcome, expect, vm_mode_name(vm->mode),
		   (unsigned long long)r->exits, (unsigned long long)r->injected, (unsigned long long)r->time_ms,
		   reason);
	if (v->ghcb.msr_requests || v->ghcb.page_requests) {
		ghcb_counts_format(&v->ghcb, r->ghcb_events, sizeof(r->ghcb_events));
		log_result("ghcb guest=%s msr=%llu page=%llu events=\"%s\"", c->name,
			   (unsigned long long)v->ghcb.msr_requests,
			   (unsigned long long)v->ghcb.page_requests, r->ghcb_events);
	}
	if (soft_es_vc_format(v, r->vc_events, sizeof(r->vc_events)))
		log_result("vc guest=%s %s", c->name, r->vc_events);
}

enum sevisor_status summary_print(const struct summary *s)
{
	unsigned passed = 0;
	log_info("summary: %-16s %-8s %-10s %8s %8s  %-32s %s", "guest", "mode", "verdict", "ms", "exits",
		 "most frequent exits", "injected exceptions");
	for (unsigned i = 0; i < s->nr; i++) {
		const struct summary_row *r = &s->rows[i];
		passed += r->verdict == VERDICT_PASS;
		log_info("summary: %-16s %-8s %-10s %8llu %8llu  %-32s %s", r->name, vm_mode_name(r->mode),
			 summary_verdict_name(r->verdict), (unsigned long long)r->time_ms, (unsigned long long)r->exits,
			 r->top_exits, r->injected ? r->top_injected : "-");
		if (r->ghcb_events[0])
			log_info("summary: %-16s GHCB requests: %s", "", r->ghcb_events);
		if (r->vc_events[0])
			log_info("summary: %-16s #VC by exit code: %s", "", r->vc_events);
	}
	log_result("summary guests=%u passed=%u failed=%u", s->nr, passed, s->nr - passed);
	return passed == s->nr ? SEVISOR_STATUS_OK : SEVISOR_STATUS_GUEST_FAILED;
}
