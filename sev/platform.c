/* Pure parts of the SEV platform; see platform.h. */
#include "sev/platform.h"
#include "boot/config.h"
#include "lib/fmt.h"
#include "lib/log.h"

struct sev_platform g_sev;

const char *sev_cpu_refusal(const struct caps *c)
{
	if (!c->sev_es)
		return "no SEV-ES in CPUID 0x8000001F EAX[3]";
	if (!c->mem_encrypt_enabled)
		return "memory encryption is off (SYSCFG[23] MemEncryptionModEn = 0): enable SME/SEV in the firmware setup";
	if (c->min_sev_asid <= 1)
		return "no SEV-ES ASIDs (CPUID 0x8000001F EDX <= 1): set the SEV-ES ASID space in the firmware setup";
	return NULL;
}

enum vm_mode sev_resolve_mode(const struct sev_platform *p, u8 cfg_mode)
{
	if (cfg_mode != CFG_MODE_AUTO)
		return (enum vm_mode)cfg_mode;
	return p->hw_ready ? VM_MODE_SEV_ES : VM_MODE_SOFT_ES;
}

void sev_platform_setup_asids(struct sev_platform *p, const struct caps *c)
{
	if (p->hw_ready) {
		sev_asid_setup(&p->asids, c->nr_asids, c->max_sev_asid, c->min_sev_asid);
		return;
	}
	sev_asid_setup(&p->asids, c->nr_asids, p->soft.psp.max_sev_asid, p->soft.psp.min_sev_asid);
}

void sev_platform_report(const struct sev_platform *p)
{
	const struct sev_data_platform_status *hs = &p->hw.psp.status;
	if (p->hw_ready)
		log_info("psp: hardware PSP 1022:%04x (%s) at %s: API %u.%u build %u, platform %s", p->hw_pci_device,
			 p->hw.dev ? p->hw.dev->name : "?", p->hw_pci_location, hs->api_major, hs->api_minor, hs->build,
			 sev_platform_state_name(hs->state));
	else
		log_info("psp: no usable hardware PSP: %s", p->hw_reason[0] ? p->hw_reason : "not probed (no sev-es guest)");
	const struct sev_data_platform_status *ss = &p->soft.psp.status;
	if (p->soft_ready)
		log_info("psp: soft PSP: API %u.%u build %u, platform %s, SEV-ES ASIDs 1..%u", ss->api_major,
			 ss->api_minor, ss->build, sev_platform_state_name(ss->state), p->soft.psp.min_sev_asid - 1);
	char pci[16] = "none";
	if (p->hw_pci_device)
		fmt_snprintf(pci, sizeof(pci), "1022:%04x", p->hw_pci_device);
	log_result("psp hardware=%s pci=%s api=%u.%u build=%u state=%s soft=%s reason=\"%s\"",
		   p->hw_ready ? "yes" : "no", pci, hs->api_major, hs->api_minor, hs->build,
		   p->hw_ready ? sev_platform_state_name(hs->state) : "none",
		   p->soft_ready ? "yes" : "no", p->hw_ready ? "" : p->hw_reason);
}
