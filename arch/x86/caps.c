/* Decoding and reporting of the CPU's virtualization capabilities. See caps.h. */
#include "arch/x86/caps.h"
#include "lib/fmt.h"
#include "lib/log.h"

/* CPUID 0x8000000A EDX feature bits (APM vol. 3, E.4.9; names as in the APM/Linux). */
static const char *const svm_feature_names[32] = {
	[0] = "NP",
	[1] = "LbrVirt",
	[2] = "SVML",
	[3] = "NRIPS",
	[4] = "TscRateMsr",
	[5] = "VmcbClean",
	[6] = "FlushByAsid",
	[7] = "DecodeAssists",
	[10] = "PauseFilter",
	[12] = "PauseFilterThreshold",
	[13] = "AVIC",
	[15] = "VMSAVEvirt",
	[16] = "VGIF",
	[17] = "GMET",
	[18] = "x2AVIC",
	[19] = "SSSCheck",
	[20] = "SpecCtrl",
	[21] = "ROGPT",
	[23] = "HostMceOverride",
	[24] = "TlbiCtl",
	[25] = "VNMI",
	[26] = "IbsVirt",
	[27] = "ExtLvtAvicAccessChg",
	[28] = "NestedVirtVmcbAddrChk",
	[29] = "BusLockThreshold",
	[30] = "IdleHltIntercept",
};

const char *caps_svm_feature_name(unsigned bit)
{
	return bit < 32 ? svm_feature_names[bit] : NULL;
}

#define CPUID_LEAF_SVM 0x8000000Au
#define CPUID_LEAF_MEM_ENCRYPT 0x8000001Fu

void caps_decode(const struct caps_raw *raw, struct caps *out)
{
	*out = (struct caps){ 0 };
	if (raw->max_ext_leaf < 0x80000001u || !(raw->ext1_ecx & CPUID_EXT1_ECX_SVM))
		out->svm = CAPS_SVM_MISSING;
	else if (raw->have_vm_cr && (raw->vm_cr & VM_CR_SVMDIS))
		out->svm = (raw->vm_cr & VM_CR_LOCK) ? CAPS_SVM_LOCKED : CAPS_SVM_DISABLED;
	else
		out->svm = CAPS_SVM_USABLE;

	if (out->svm != CAPS_SVM_MISSING && raw->max_ext_leaf >= CPUID_LEAF_SVM) {
		out->svm_revision = (u8)(raw->svm_eax & 0xFF);
		out->nr_asids = raw->svm_ebx;
		out->svm_features = raw->svm_edx;
	}
	if (raw->max_ext_leaf >= CPUID_LEAF_MEM_ENCRYPT) {
		out->sme = raw->mem_eax & CPUID_MEM_SME;
		out->sev = raw->mem_eax & CPUID_MEM_SEV;
		out->sev_es = raw->mem_eax & CPUID_MEM_SEV_ES;
		out->sev_snp = raw->mem_eax & CPUID_MEM_SEV_SNP;
		if (out->sme || out->sev) {
			out->cbit = (u8)(raw->mem_ebx & 0x3F);
			out->phys_reduction = (u8)((raw->mem_ebx >> 6) & 0x3F);
			out->max_sev_asid = raw->mem_ecx;
			out->min_sev_asid = raw->mem_edx;
		}
	}
	out->mem_encrypt_enabled = raw->have_syscfg && (raw->syscfg & SYSCFG_MEM_ENCRYPT);
}

const char *caps_svm_state_message(enum caps_svm_state s)
{
	switch (s) {
	case CAPS_SVM_USABLE: return "SVM is available";
	case CAPS_SVM_MISSING: return "this CPU has no SVM (CPUID 0x80000001 ECX[2] is clear): sevisor needs AMD-V";
	case CAPS_SVM_DISABLED:
		return "SVM is disabled by firmware (VM_CR.SVMDIS=1, VM_CR.LOCK=0): enable SVM/virtualization in the firmware setup";
	case CAPS_SVM_LOCKED:
		return "SVM is disabled and locked by firmware (VM_CR.SVMDIS=1, VM_CR.LOCK=1): enable SVM/virtualization in the firmware setup";
	}
	return "?";
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

void caps_report(const struct caps_raw *raw, const struct caps *c)
{
	log_info("cpu: vendor %s, max extended leaf 0x%x", raw->vendor, raw->max_ext_leaf);
	log_info("svm: %s", c->svm == CAPS_SVM_USABLE ? "present" : caps_svm_state_message(c->svm));
	if (raw->have_vm_cr)
		log_info("svm: VM_CR=0x%llx (SVMDIS=%u LOCK=%u)", (unsigned long long)raw->vm_cr,
			 (unsigned)!!(raw->vm_cr & VM_CR_SVMDIS), (unsigned)!!(raw->vm_cr & VM_CR_LOCK));
	if (c->svm != CAPS_SVM_MISSING) {
		char feats[512];
		size_t used = 0;
		feats[0] = '\0';
		for (unsigned b = 0; b < 32; b++) {
			if (!(c->svm_features & (1u << b)) || used >= sizeof(feats))
				continue;
			const char *n = caps_svm_feature_name(b);
			used += (size_t)(n ? fmt_snprintf(feats + used, sizeof(feats) - used, " %s", n)
					   : fmt_snprintf(feats + used, sizeof(feats) - used, " bit%u", b));
		}
		log_info("svm: revision %u, %u ASIDs, features 0x%08x:%s", c->svm_revision, c->nr_asids,
			 c->svm_features, feats[0] ? feats : " (none)");
		for (unsigned b = 0; b < 32; b++)
			if (svm_feature_names[b])
				log_debug("svm: feature %-22s %s", svm_feature_names[b], yes(c->svm_features & (1u << b)));
	}
	if (raw->max_ext_leaf >= CPUID_LEAF_MEM_ENCRYPT)
		log_info("sev: SME %s, SEV %s, SEV-ES %s, SEV-SNP %s, C-bit %u, phys-addr reduction %u", yes(c->sme),
			 yes(c->sev), yes(c->sev_es), yes(c->sev_snp), c->cbit, c->phys_reduction);
	else
		log_info("sev: CPUID leaf 0x8000001F absent: no SME/SEV on this CPU");
	if (c->sev)
		log_info("sev: ASIDs 1..%u may be SEV; SEV-ES ASIDs 1..%u, SEV-only ASIDs %u..%u", c->max_sev_asid,
			 c->min_sev_asid ? c->min_sev_asid - 1 : 0, c->min_sev_asid, c->max_sev_asid);
	if (raw->have_syscfg)
		log_info("sev: SYSCFG=0x%llx, memory encryption %s by firmware (SYSCFG[23])",
			 (unsigned long long)raw->syscfg, c->mem_encrypt_enabled ? "enabled" : "NOT enabled");
	log_result("caps svm=%s svm_rev=%u asids=%u svm_features=0x%x sev=%u sev_es=%u snp=%u cbit=%u "
		   "sev_asids=%u min_sev_asid=%u mem_encrypt=%u",
		   c->svm == CAPS_SVM_USABLE ? "yes" : c->svm == CAPS_SVM_MISSING ? "missing"
		   : c->svm == CAPS_SVM_DISABLED ? "disabled" : "locked",
		   c->svm_revision, c->nr_asids, c->svm_features, c->sev, c->sev_es, c->sev_snp, c->cbit,
		   c->max_sev_asid, c->min_sev_asid, c->mem_encrypt_enabled);
}
