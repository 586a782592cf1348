/* VMGEXIT (exit code 0x403) entry point and the per-vCPU pieces both protocols share:
 * version limits, reset, termination requests, AP reset hold.
 *
 * facts A.0: hardware mirrors the GHCB MSR (0xC0010130) into VMCB control.ghcb_gpa (0xA0) on
 * VMGEXIT; bits 11:0 non-zero select the MSR protocol, zero means a GHCB page GPA. */
#include "ghcb/ghcb_internal.h"
#include "svm/guest_mem.h"
#include "lib/kstring.h"
#include "lib/log.h"

enum svm_outcome ghcb_handle_vmgexit(struct vcpu *v)
{
	u64 msr = v->vmcb->control.ghcb_gpa;

	if (GHCB_MSR_INFO(msr) != 0)
		return ghcb_msr_protocol(v, msr);
	return ghcb_page_protocol(v, msr);
}

u64 ghcb_sev_info_value(const struct vcpu *v)
{
	return v->ghcb.sev_info;
}

void ghcb_vcpu_reset(struct vcpu *v)
{
	struct ghcb_config cfg = v->ghcb.cfg;
	memset(&v->ghcb, 0, sizeof(v->ghcb));
	v->ghcb.cfg = cfg;
	/* SEV_INFO (facts A.1/A.3): max offered, min 1, the VM's C-bit. */
	v->ghcb.sev_info = GHCB_MSR_SEV_INFO(ghcb_max_version(v), GHCB_VERSION_MIN, v->vm->cbit);
}

enum svm_outcome ghcb_guest_terminate(struct vcpu *v, const char *via, unsigned set,
				      unsigned code)
{
	return svm_terminate(v, "guest requested termination (%s): reason set %u (%s), code %u (%s)",
			     via, set, ghcb_term_set_name(set), code, ghcb_term_reason_name(set, code));
}

enum svm_outcome ghcb_ap_hold_enter(struct vcpu *v, enum ghcb_ap_hold how, u64 ghcb_gpa)
{
	if (v->vm->nr_vcpus < 2)
		return svm_terminate(v, "AP reset hold on vcpu%u (%s): the guest has no other vCPU "
				     "that could wake it, so the hold would never end",
				     v->id, how == GHCB_AP_HOLD_MSR ? "MSR protocol" : "NAE 0x80000004");
	v->ghcb.ap_hold = (u8)how;
	v->ghcb.ap_hold_gpa = ghcb_gpa;
	log_debug("guest %s vcpu%u: AP reset hold (%s)", v->vm->name, v->id,
		  how == GHCB_AP_HOLD_MSR ? "MSR" : "NAE");
	return SVM_GHCB_REPLY;
}

bool ghcb_ap_reset_held(const struct vcpu *v)
{
	return v->ghcb.ap_hold != GHCB_AP_HOLD_NONE;
}

bool ghcb_ap_reset_release(struct vcpu *v)
{
	enum ghcb_ap_hold how = (enum ghcb_ap_hold)v->ghcb.ap_hold;
	v->ghcb.ap_hold = GHCB_AP_HOLD_NONE;

	switch (how) {
	case GHCB_AP_HOLD_MSR:
		v->vmcb->control.ghcb_gpa =
			GHCB_MSR_DATA(GHCB_MSR_AP_RESET_HOLD_RESP, GHCB_AP_HOLD_RELEASED);
		return true;
	case GHCB_AP_HOLD_NAE: {
		/* Same answer shape as every page reply: outputs plus their valid bits. */
		struct ghcb *g = svm_gpa_ptr(v->vm, v->ghcb.ap_hold_gpa, sizeof(struct ghcb));
		if (!g)
			return false;
		struct ghcb_bits bits = { { 0, 0 } };
		ghcb_bits_set(&bits, GHCB_BIT(sw_exit_info1));
		ghcb_bits_set(&bits, GHCB_BIT(sw_exit_info2));
		g->save.sw_exit_info1 = GHCB_RESP_OK;
		g->save.sw_exit_info2 = GHCB_AP_HOLD_RELEASED;
		ghcb_bits_store(g->save.valid_bitmap, &bits);
		return true;
	}
	case GHCB_AP_HOLD_NONE:
	default:
		return false;
	}
}
