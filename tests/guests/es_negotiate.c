/* soft-es: GHCB protocol negotiation through the MSR protocol (GHCB spec 2.3). The entry code
 * already asked for SEV information (and would have asked to be terminated without a common
 * version); this checks the answer in detail, then the CPUID, preferred-GPA and
 * hypervisor-features requests, and SEV_STATUS. */
#include "ghcb.h"
#include "rt.h"

#define GUEST_GHCB_MAX 2
#define CPUID_SEV_LEAF 0x8000001F
#define SEV_LEAF_EAX_SEV BIT(1)
#define SEV_LEAF_EAX_SEV_ES BIT(3)
#define SEV_LEAF_EBX_CBIT(b) ((b) & 0x3F)

int main(void)
{
	u64 info = rt_sev_info;
	u16 max = GHCB_SEV_INFO_MAX(info), min = GHCB_SEV_INFO_MIN(info);
	u8 cbit = GHCB_SEV_INFO_CBIT(info);
	report_info("SEV_INFO 0x%lx: versions %u..%u, C-bit %u; using version %u", info, min, max,
		    cbit, rt_ghcb_version);
	report("es_negotiate: SEV_INFO response code 0x001", (info & GHCB_MSR_INFO_MASK) ==
							     GHCB_MSR_SEV_INFO_RESP);
	report("es_negotiate: version range 1..2 (min 1, max 2)", min == 1 && max == 2);
	report("es_negotiate: negotiated min(max, 2)",
	       rt_ghcb_version == (max < GUEST_GHCB_MAX ? max : GUEST_GHCB_MAX));
	report("es_negotiate: reserved bits [23:12] zero", ((info >> 12) & 0xFFF) == 0);

	u32 eax = 0, ebx = 0;
	bool ok_a = ghcb_msr_cpuid(CPUID_SEV_LEAF, GHCB_CPUID_EAX, &eax);
	bool ok_b = ghcb_msr_cpuid(CPUID_SEV_LEAF, GHCB_CPUID_EBX, &ebx);
	report_info("MSR-protocol CPUID 0x8000001F: EAX 0x%x EBX 0x%x", eax, ebx);
	report("es_negotiate: MSR-protocol CPUID responses (code 0x005, selector echoed)",
	       ok_a && ok_b);
	report("es_negotiate: CPUID 0x8000001F shows SEV and SEV-ES",
	       (eax & (SEV_LEAF_EAX_SEV | SEV_LEAF_EAX_SEV_ES)) ==
		       (SEV_LEAF_EAX_SEV | SEV_LEAF_EAX_SEV_ES));
	report("es_negotiate: C-bit from CPUID matches SEV_INFO", SEV_LEAF_EBX_CBIT(ebx) == cbit);

	u64 pref = ghcb_msr_proto(GHCB_MSR_PREF_GPA_REQ);
	report_info("preferred GHCB GPA response 0x%lx", pref);
	report("es_negotiate: preferred-GPA response code 0x011",
	       (pref & GHCB_MSR_INFO_MASK) == GHCB_MSR_PREF_GPA_RESP);

	if (rt_ghcb_version >= 2) {
		u64 ft = ghcb_msr_proto(GHCB_MSR_HV_FT_REQ);
		report_info("hypervisor features response 0x%lx", ft);
		report("es_negotiate: hypervisor features: code 0x081, bitmap 0 (SEV-ES, no SNP)",
		       (ft & GHCB_MSR_INFO_MASK) == GHCB_MSR_HV_FT_RESP && (ft >> 12) == 0);
	}

	u64 status = rdmsr(MSR_SEV_STATUS);
	report_info("SEV_STATUS 0x%lx", status);
	report("es_negotiate: SEV_STATUS shows SEV and SEV-ES",
	       (status & (SEV_STATUS_SEV | SEV_STATUS_SEV_ES)) ==
		       (SEV_STATUS_SEV | SEV_STATUS_SEV_ES));
	return report_summary();
}
