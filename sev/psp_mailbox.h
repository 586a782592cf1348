/* The hardware SEV mailbox protocol (ghcb-sev-facts.md F.1, F.2; Linux drivers/crypto/ccp
 * sev-dev.c and sp-pci.c for the register offsets), in pure C over a register accessor so the
 * protocol, the timeout and the device table are unit-tested. psp_hw.c supplies the real
 * accessors: PCI discovery, BAR 2 mapped uncached, the TSC as the clock, WBINVD.
 *
 * Submitting a command: copy the command buffer into a dedicated bounce page (the firmware reads
 * physically contiguous memory; output fields come back from the page); write the page's
 * address to cmdbuff_addr_lo/hi; write cmdresp = id << 16 with IOC (bit 0) clear, so sevisor
 * polls; wait until cmdresp bit 31 (RESP) is set or the timeout passes; the status is
 * cmdresp[15:0]. A timeout marks the PSP dead: every later command fails with NO_PSP without
 * touching the hardware (G30; Linux does the same). */
#ifndef SEV_PSP_MAILBOX_H
#define SEV_PSP_MAILBOX_H

#include "sev/psp.h"

#define SEV_PCI_VENDOR_AMD 0x1022
#define SEV_CMDRESP_RESP BIT(31)
#define SEV_CMDRESP_IOC BIT(0)
#define SEV_CMDRESP_CMD_SHIFT 16
#define SEV_CMDRESP_CMD_MASK 0x7FFu /* bits 26:16 */
#define SEV_CMDRESP_STATUS_MASK 0xFFFFu
#define SEV_FEATURE_SEV BIT(0) /* feature register bit 0: SEV supported */
/* Linux allows 100 s per command (psp_timeout); INIT with key generation and DF_FLUSH on large
 * machines are slow (G30). */
#define SEV_MAILBOX_TIMEOUT_US (100ULL * 1000 * 1000)

/* A PSP generation with an SEV mailbox: its PCI device ID and register offsets in BAR 2. */
struct sev_psp_device {
	u16 device_id;
	const char *name;
	u32 cmdresp, cmdbuff_lo, cmdbuff_hi, feature;
};
/* The entry for a device ID, or NULL for PSPs without an SEV mailbox (client parts). */
const struct sev_psp_device *sev_psp_device_lookup(u16 device_id);

struct sev_mailbox {
	struct sev_psp psp; /* first: the transport hands back this pointer */
	const struct sev_psp_device *dev;
	u32 (*read32)(void *ctx, u32 off);
	void (*write32)(void *ctx, u32 off, u32 val);
	u64 (*now_us)(void *ctx);
	void (*wbinvd)(void *ctx);
	void *ctx;
	u8 *bounce; /* one page, identity mapped */
	u64 timeout_us;
	bool dead;
};

/* Fills the transport (psp.ops, psp.kind = "hardware"); the caller sets the accessors,
 * bounce page, dev, cbit and ASID range. */
void sev_mailbox_init(struct sev_mailbox *mb);

/* The size of a command's buffer (0: no buffer), from the layouts in psp_cmd.h. */
u32 sev_cmd_buffer_size(u32 cmd);

#endif
