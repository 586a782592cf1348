/* The SEV side of the machine for one sevisor run: the hardware PSP (when the CPU, the
 * firmware settings and the PSP all allow SEV-ES), the soft PSP (for soft-es guests), and the
 * ASID allocator both share (issue 11 items 3, 9). Bring-up happens once at boot, only for the
 * PSPs some configured guest needs. */
#ifndef SEV_PLATFORM_H
#define SEV_PLATFORM_H

#include "arch/x86/caps.h"
#include "sev/asid.h"
#include "sev/psp_mailbox.h"
#include "sev/soft_psp.h"
#include "svm/vm.h"

#define SEV_REASON_MAX 192

struct sev_platform {
	struct sev_mailbox hw;
	bool hw_ready;
	char hw_reason[SEV_REASON_MAX]; /* why mode sev-es cannot run, when !hw_ready */
	u16 hw_pci_device;
	char hw_pci_location[16];

	struct soft_psp soft;
	bool soft_ready;
	char soft_reason[SEV_REASON_MAX];

	struct sev_asids asids;
};

extern struct sev_platform g_sev;

/* The first missing piece for real SEV-ES that the CPU report shows, or NULL when the CPU side
 * is fine (the PSP is checked next): SEV-ES in CPUID 0x8000001F EAX[3], SYSCFG[23]
 * MemEncryptionModEn set by firmware (F.1 "Host prerequisite"), SEV-ES ASIDs (EDX > 1). */
const char *sev_cpu_refusal(const struct caps *c);

/* mode = auto: sev-es where the hardware PSP is up, else soft-es (issue 11 item 9). */
enum vm_mode sev_resolve_mode(const struct sev_platform *p, u8 cfg_mode);

/* The ASID allocator's ranges: the CPU's SEV ranges when the hardware PSP is up, else the
 * soft PSP's carve-out of the CPU's nr_asids. */
void sev_platform_setup_asids(struct sev_platform *p, const struct caps *c);

/* The PSP part of the capability report (a log line and an @sevisor psp line). */
void sev_platform_report(const struct sev_platform *p);

/* Boot-time bring-up (platform_hw.c), for the modes the configured guests use: the hardware
 * PSP for sev-es and auto guests, the soft PSP for soft-es guests and for auto guests when the
 * hardware PSP is not usable; then the ASID ranges. Never fails: what is missing is recorded
 * as a reason. */
void sev_platform_bringup_all(struct sev_platform *p, const struct caps *c, u64 tsc_hz, bool need_hw,
			      bool need_soft, bool need_auto);

#endif
