/* Boot-time SEV bring-up on the machine: PCI discovery of the PSP, BAR 2 mapped uncached, the
 * mailbox accessors, the TMR, and the soft PSP (ghcb-sev-facts.md F.1, F.6 steps 0-2). */
#include "sev/platform.h"
#include "sev/launch.h"
#include "sev/psp_pci.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/pci.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "lib/log.h"
#include "lib/page_alloc.h"

#define PSP_BAR 2
#define PSP_MMIO_SPAN 0x20000 /* the SEV registers sit below 0x10A00 in BAR 2 (F.1) */

static u64 g_tsc_per_us;

static u32 mmio_read32(void *ctx, u32 off)
{
	return *(volatile u32 *)((u8 *)ctx + off);
}

static void mmio_write32(void *ctx, u32 off, u32 val)
{
	*(volatile u32 *)((u8 *)ctx + off) = val;
}

static u64 tsc_now_us(void *ctx)
{
	(void)ctx;
	return cpu_rdtsc() / g_tsc_per_us;
}

/* sevisor runs on the boot CPU only (the others stay parked by the firmware), so this is
 * WBINVD on every CPU sevisor runs on. The SEV firmware wants it on every core of the package
 * (F.6 step 2): on a multi-core machine DF_FLUSH is then expected to fail with WBINVD_REQUIRED,
 * which the bring-up reports by name, until sevisor takes the other cores over (AP start-up is
 * not built yet). */
static void wbinvd_here(void *ctx)
{
	(void)ctx;
	cpu_wbinvd();
}

static bool hw_fail(struct sev_platform *p, const char *why)
{
	fmt_snprintf(p->hw_reason, sizeof(p->hw_reason), "%s", why);
	return false;
}

static bool bringup_hw(struct sev_platform *p, const struct caps *c)
{
	const char *cpu = sev_cpu_refusal(c);
	if (cpu)
		return hw_fail(p, cpu);
	struct sev_pci_psp loc;
	if (!sev_pci_find_psp(pci_cfg_read32, &loc))
		return hw_fail(p, "no PSP with an SEV mailbox on PCI (AMD 0x1022, device 0x1456, 0x1486, 0x14CA or 0x156E)");
	p->hw_pci_device = loc.device_id;
	fmt_snprintf(p->hw_pci_location, sizeof(p->hw_pci_location), "%02x:%02x.%u", loc.bus, loc.dev, loc.fn);
	const char *bar_why = NULL;
	u64 bar = sev_pci_bar(pci_cfg_read32, &loc, PSP_BAR, &bar_why);
	if (!bar) {
		fmt_snprintf(p->hw_reason, sizeof(p->hw_reason), "PSP BAR 2 is %s", bar_why);
		return false;
	}
	u32 cmd = pci_cfg_read32(loc.bus, loc.dev, loc.fn, PCI_CFG_COMMAND);
	pci_cfg_write32(loc.bus, loc.dev, loc.fn, PCI_CFG_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (!paging_map_uncached(bar, PSP_MMIO_SPAN))
		return hw_fail(p, "PSP BAR 2 lies outside sevisor's identity map");
	struct sev_mailbox *mb = &p->hw;
	mb->dev = loc.psp;
	mb->read32 = mmio_read32;
	mb->write32 = mmio_write32;
	mb->now_us = tsc_now_us;
	mb->wbinvd = wbinvd_here;
	mb->ctx = (void *)(uintptr_t)bar;
	mb->bounce = page_alloc_zeroed(PAGE_SIZE, PAGE_SIZE);
	if (!mb->bounce)
		return hw_fail(p, "no memory for the PSP command page");
	sev_mailbox_init(mb);
	mb->psp.cbit = c->cbit;
	mb->psp.max_sev_asid = c->max_sev_asid;
	mb->psp.min_sev_asid = c->min_sev_asid;
	if (!(mmio_read32(mb->ctx, mb->dev->feature) & SEV_FEATURE_SEV))
		return hw_fail(p, "the PSP's feature register says no SEV (bit 0 clear)");
	u64 tmr = palloc_alloc(&g_palloc, SEV_TMR_SIZE, SEV_TMR_SIZE);
	if (!tmr)
		return hw_fail(p, "no 1 MiB-aligned MiB for the SEV-ES TMR");
	char why[SEV_REASON_MAX - 16];
	if (!sev_platform_bringup(&mb->psp, tmr, why, sizeof(why))) {
		fmt_snprintf(p->hw_reason, sizeof(p->hw_reason), "PSP firmware: %s", why);
		return false;
	}
	return true;
}

static void bringup_soft(struct sev_platform *p, const struct caps *c)
{
	u32 es = soft_psp_es_asids_for(c->nr_asids);
	if (p->hw_ready)
		es = c->min_sev_asid - 1; /* share the CPU's SEV-ES range with the hardware guests */
	soft_psp_init(&p->soft, es, cpu_rdtsc());
	if (!es) {
		fmt_snprintf(p->soft_reason, sizeof(p->soft_reason), "the CPU has %u ASIDs: none to carve out for soft-es",
			     c->nr_asids);
		return;
	}
	/* The soft PSP never touches the TMR, but it checks it like the firmware does. */
	u64 tmr = palloc_alloc(&g_palloc, SEV_TMR_SIZE, SEV_TMR_SIZE);
	if (!tmr) {
		fmt_snprintf(p->soft_reason, sizeof(p->soft_reason), "no 1 MiB-aligned MiB for the TMR");
		return;
	}
	char why[SEV_REASON_MAX - 16];
	if (!sev_platform_bringup(&p->soft.psp, tmr, why, sizeof(why))) {
		fmt_snprintf(p->soft_reason, sizeof(p->soft_reason), "soft PSP: %s", why);
		return;
	}
	p->soft_ready = true;
}

void sev_platform_bringup_all(struct sev_platform *p, const struct caps *c, u64 tsc_hz, bool need_hw,
			      bool need_soft, bool need_auto)
{
	memset(p, 0, sizeof(*p));
	g_tsc_per_us = tsc_hz >= 1000000 ? tsc_hz / 1000000 : 1;
	if (need_hw || need_auto)
		p->hw_ready = bringup_hw(p, c);
	if (need_soft || (need_auto && !p->hw_ready))
		bringup_soft(p, c);
	sev_platform_setup_asids(p, c);
	sev_platform_report(p);
}
