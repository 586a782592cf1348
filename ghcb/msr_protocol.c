/* The GHCB MSR protocol (GHCB spec 56421 section 2.3.1 "GHCB MSR protocol"; facts A.1-A.4).
 *
 * The guest writes a request into MSR 0xC0010130 and issues VMGEXIT; the request arrives in
 * control.ghcb_gpa, and the answer is written back there (the guest reads it with RDMSR).
 * One table entry per request code. Decisions this file makes, and why:
 *
 *  - SEV_INFO: max = configured max (default 2), min = 1, C-bit = vm->cbit (facts A.3).
 *  - CPUID: one register per round trip, sub-leaf 0, answered by the CPUID policy (msr_cpuid).
 *    Reserved bits 29:12 are ignored. Leaf 0xD uses the last XCR0 the guest sent in a GHCB page
 *    (the MSR protocol carries none), or the reset value 1 (x87 only) before that.
 *  - AP reset hold: with a single vCPU nobody can ever wake the vCPU, so the guest is terminated
 *    with that reason instead of hanging; with more vCPUs the hold is recorded and answered
 *    "still held" (result 0) until ghcb_ap_reset_release() (facts A.3, G7).
 *  - PREF_GPA: the configured GFN, else "no preference" (all-ones GFN).
 *  - REG_GPA: accepted when the whole page is guest RAM: echo the GFN and enforce it from then
 *    on (a VMGEXIT through another GHCB GPA terminates: facts A.4, G6). Refused otherwise with
 *    the all-ones GFN; a refusal leaves an earlier registration in force.
 *  - SNP page state change / VMPL requests: this is SEV-ES, not SNP. Refused with the response
 *    code and the generic error (0x80000000) in the error field, logged once per vCPU. The
 *    guest sees a defined failure (Linux then terminates with set 1 code 1).
 *  - HV features: bitmap 0 (no SNP features).
 *  - TERM_REQ: logs the reason set and code by name and stops the guest (facts G27).
 *  - Unknown codes (including the HV->guest response codes): facts A.3/G1. The MSR value is
 *    left unchanged and the guest resumes; the first one per vCPU is logged, later ones are
 *    counted (v->ghcb.unknown_msr_requests). A guest waiting for a specific response code sees
 *    its own request echoed and reports the mismatch itself.
 */
#include "ghcb/ghcb_internal.h"
#include "msr/cpuid.h"
#include "svm/guest_mem.h"
#include "lib/log.h"

static void reply(struct vcpu *v, u64 value)
{
	v->vmcb->control.ghcb_gpa = value;
}

static enum svm_outcome req_sev_info(struct vcpu *v, u64 msr)
{
	(void)msr;
	/* A new negotiation: the version in use is whatever the next GHCB page states. */
	v->ghcb.sev_info_requested = true;
	v->ghcb.version = 0;
	reply(v, v->ghcb.sev_info);
	return SVM_GHCB_REPLY;
}

static enum svm_outcome req_cpuid(struct vcpu *v, u64 msr)
{
	u32 fn = (u32)(msr >> GHCB_MSR_CPUID_FN_SHIFT);
	unsigned sel = (unsigned)((msr >> GHCB_MSR_CPUID_REG_SHIFT) & GHCB_MSR_CPUID_REG_MASK);
	u64 xcr0 = v->ghcb.xcr0 ? v->ghcb.xcr0 : 1;
	struct cpuid_regs r = { 0, 0, 0, 0 };

	msr_cpuid(v, fn, 0, xcr0, 0, &r);
	const u32 regs[4] = {
		[GHCB_CPUID_EAX] = r.eax, [GHCB_CPUID_EBX] = r.ebx,
		[GHCB_CPUID_ECX] = r.ecx, [GHCB_CPUID_EDX] = r.edx,
	};
	reply(v, ((u64)regs[sel] << GHCB_MSR_CPUID_FN_SHIFT) | ((u64)sel << GHCB_MSR_CPUID_REG_SHIFT) |
			 GHCB_MSR_CPUID_RESP);
	return SVM_GHCB_REPLY;
}

static enum svm_outcome req_ap_reset_hold(struct vcpu *v, u64 msr)
{
	(void)msr;
	enum svm_outcome o = ghcb_ap_hold_enter(v, GHCB_AP_HOLD_MSR, 0);
	if (o == SVM_GHCB_REPLY)
		reply(v, GHCB_MSR_DATA(GHCB_MSR_AP_RESET_HOLD_RESP, GHCB_AP_HOLD_STILL_HELD));
	return o;
}

static enum svm_outcome req_pref_gpa(struct vcpu *v, u64 msr)
{
	(void)msr;
	u64 gfn = v->ghcb.cfg.pref_gfn_set ? v->ghcb.cfg.pref_gfn : GHCB_GFN_NONE;
	reply(v, GHCB_MSR_DATA(GHCB_MSR_PREF_GPA_RESP, gfn));
	return SVM_GHCB_REPLY;
}

static enum svm_outcome req_reg_gpa(struct vcpu *v, u64 msr)
{
	u64 gfn = (msr >> GHCB_MSR_DATA_SHIFT) & GHCB_GFN_MASK;
	u64 gpa = gfn << PAGE_SHIFT;

	if (gfn == GHCB_GFN_NONE || !svm_gpa_ptr(v->vm, gpa, PAGE_SIZE)) {
		log_warn("guest %s vcpu%u: GHCB registration of GPA 0x%llx refused: not guest RAM",
			 v->vm->name, v->id, (unsigned long long)gpa);
		reply(v, GHCB_MSR_DATA(GHCB_MSR_REG_GPA_RESP, GHCB_GFN_NONE));
		return SVM_GHCB_REPLY;
	}
	v->ghcb.registered = true;
	v->ghcb.registered_gpa = gpa;
	log_info("guest %s vcpu%u: GHCB registered at GPA 0x%llx", v->vm->name, v->id,
		 (unsigned long long)gpa);
	reply(v, GHCB_MSR_DATA(GHCB_MSR_REG_GPA_RESP, gfn));
	return SVM_GHCB_REPLY;
}

static void log_snp_refusal(struct vcpu *v, u64 msr)
{
	if (v->ghcb.logged_snp_refusal)
		return;
	v->ghcb.logged_snp_refusal = true;
	log_warn("guest %s vcpu%u: SNP-only MSR request %s (0x%llx) refused: sevisor is an SEV-ES "
		 "hypervisor", v->vm->name, v->id, ghcb_msr_code_name(GHCB_MSR_INFO(msr)),
		 (unsigned long long)msr);
}

static enum svm_outcome req_snp_psc(struct vcpu *v, u64 msr)
{
	log_snp_refusal(v, msr);
	reply(v, GHCB_MSR_ERR_RESP(GHCB_MSR_PSC_RESP, GHCB_MSR_SNP_ERR_GENERIC));
	return SVM_GHCB_REPLY;
}

static enum svm_outcome req_snp_vmpl(struct vcpu *v, u64 msr)
{
	log_snp_refusal(v, msr);
	reply(v, GHCB_MSR_ERR_RESP(GHCB_MSR_VMPL_RESP, GHCB_MSR_SNP_ERR_GENERIC));
	return SVM_GHCB_REPLY;
}

static enum svm_outcome req_hv_features(struct vcpu *v, u64 msr)
{
	(void)msr;
	reply(v, GHCB_MSR_DATA(GHCB_MSR_HV_FT_RESP, GHCB_HV_FEATURES));
	return SVM_GHCB_REPLY;
}

static enum svm_outcome req_terminate(struct vcpu *v, u64 msr)
{
	return ghcb_guest_terminate(v, "MSR protocol", GHCB_MSR_TERM_SET(msr),
				    GHCB_MSR_TERM_CODE(msr));
}

static enum svm_outcome req_unknown(struct vcpu *v, u64 msr)
{
	v->ghcb.unknown_msr_requests++;
	v->ghcb.last_unknown_msr = msr;
	if (v->ghcb.unknown_msr_requests == 1) {
		const char *name = ghcb_msr_code_name(GHCB_MSR_INFO(msr));
		log_warn("guest %s vcpu%u: unsupported GHCB MSR protocol request 0x%03llx%s%s "
			 "(value 0x%llx): left unchanged, guest resumed (further ones only counted)",
			 v->vm->name, v->id, (unsigned long long)GHCB_MSR_INFO(msr),
			 name ? " " : "", name ? name : "", (unsigned long long)msr);
	}
	return SVM_GHCB_REPLY; /* control.ghcb_gpa still holds the request: "no answer" */
}

/* Indexed by count slot (ghcb_msr_slot): the request's handler, req_unknown for every code
 * that is no request (ghcb_msr_protocol in ghcb_internal.h dispatches). */
const ghcb_msr_req_fn ghcb_msr_handlers[GHCB_COUNT_SLOTS] = {
	[GHCB_SLOT_MSR_SEV_INFO] = req_sev_info,
	[GHCB_SLOT_MSR_CPUID] = req_cpuid,
	[GHCB_SLOT_MSR_AP_RESET_HOLD] = req_ap_reset_hold,
	[GHCB_SLOT_MSR_PREF_GPA] = req_pref_gpa,
	[GHCB_SLOT_MSR_REG_GPA] = req_reg_gpa,
	[GHCB_SLOT_MSR_PSC] = req_snp_psc,
	[GHCB_SLOT_MSR_VMPL] = req_snp_vmpl,
	[GHCB_SLOT_MSR_HV_FT] = req_hv_features,
	[GHCB_SLOT_MSR_TERM] = req_terminate,
	[GHCB_SLOT_OTHER] = req_unknown,
};

