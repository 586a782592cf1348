/* The SEV mailbox protocol; see psp_mailbox.h. */
#include "sev/psp_mailbox.h"
#include "lib/kstring.h"
#include "lib/log.h"

/* F.1: PSPs with an SEV mailbox. 0x14CA and 0x156E use the v2 SEV registers. */
static const struct sev_psp_device psp_devices[] = {
	{ 0x1456, "pspv1", 0x10580, 0x105E0, 0x105E4, 0x105FC },
	{ 0x1486, "pspv2", 0x10980, 0x109E0, 0x109E4, 0x109FC },
	{ 0x14CA, "pspv4", 0x10980, 0x109E0, 0x109E4, 0x109FC },
	{ 0x156E, "pspv6", 0x10980, 0x109E0, 0x109E4, 0x109FC },
};

const struct sev_psp_device *sev_psp_device_lookup(u16 device_id)
{
	for (unsigned i = 0; i < ARRAY_SIZE(psp_devices); i++)
		if (psp_devices[i].device_id == device_id)
			return &psp_devices[i];
	return NULL;
}

static const struct {
	u32 cmd, size;
} buffer_sizes[] = {
	{ SEV_CMD_INIT, sizeof(struct sev_data_init) },
	{ SEV_CMD_SHUTDOWN, 0 },
	{ SEV_CMD_PLATFORM_STATUS, sizeof(struct sev_data_platform_status) },
	{ SEV_CMD_DF_FLUSH, 0 },
	{ SEV_CMD_DECOMMISSION, sizeof(struct sev_data_handle) },
	{ SEV_CMD_ACTIVATE, sizeof(struct sev_data_activate) },
	{ SEV_CMD_DEACTIVATE, sizeof(struct sev_data_handle) },
	{ SEV_CMD_GUEST_STATUS, sizeof(struct sev_data_guest_status) },
	{ SEV_CMD_LAUNCH_START, sizeof(struct sev_data_launch_start) },
	{ SEV_CMD_LAUNCH_UPDATE_DATA, sizeof(struct sev_data_launch_update) },
	{ SEV_CMD_LAUNCH_UPDATE_VMSA, sizeof(struct sev_data_launch_update) },
	{ SEV_CMD_LAUNCH_MEASURE, sizeof(struct sev_data_launch_measure) },
	{ SEV_CMD_LAUNCH_FINISH, sizeof(struct sev_data_handle) },
};

u32 sev_cmd_buffer_size(u32 cmd)
{
	for (unsigned i = 0; i < ARRAY_SIZE(buffer_sizes); i++)
		if (buffer_sizes[i].cmd == cmd)
			return buffer_sizes[i].size;
	return 0;
}

static u32 mb_submit(struct sev_psp *psp, u32 cmd, void *buf)
{
	struct sev_mailbox *mb = (struct sev_mailbox *)psp;
	if (mb->dead)
		return SEV_ERR_NO_PSP;
	u32 size = sev_cmd_buffer_size(cmd);
	if (size && !buf)
		return SEV_ERR_BAD_BUFFER;
	/* The firmware reads guest data and the VMSA from memory, not from this CPU's caches:
	 * write them back first (ghcb-sev-facts.md F.6 steps 5, 6; Linux clflushes the range,
	 * WBINVD is the coarse equivalent). */
	if (cmd == SEV_CMD_LAUNCH_UPDATE_DATA || cmd == SEV_CMD_LAUNCH_UPDATE_VMSA)
		mb->wbinvd(mb->ctx);
	u64 pa = 0;
	if (size) {
		memset(mb->bounce, 0, PAGE_SIZE);
		memcpy(mb->bounce, buf, size);
		pa = sev_host_pa(mb->bounce);
	}
	mb->write32(mb->ctx, mb->dev->cmdbuff_lo, (u32)pa);
	mb->write32(mb->ctx, mb->dev->cmdbuff_hi, (u32)(pa >> 32));
	mb->write32(mb->ctx, mb->dev->cmdresp, (cmd & SEV_CMDRESP_CMD_MASK) << SEV_CMDRESP_CMD_SHIFT);
	u64 start = mb->now_us(mb->ctx);
	u32 r;
	while (!((r = mb->read32(mb->ctx, mb->dev->cmdresp)) & SEV_CMDRESP_RESP)) {
		if (mb->now_us(mb->ctx) - start >= mb->timeout_us) {
			mb->dead = true;
			log_err("sev: PSP gave no answer to %s within %llu ms: PSP marked dead", sev_cmd_name(cmd),
				(unsigned long long)(mb->timeout_us / 1000));
			return SEV_ERR_TIMEOUT;
		}
	}
	/* Output fields (and the length LAUNCH_MEASURE writes back on error) come back too. */
	if (size)
		memcpy(buf, mb->bounce, size);
	return r & SEV_CMDRESP_STATUS_MASK;
}

static void mb_wbinvd_all(struct sev_psp *psp)
{
	struct sev_mailbox *mb = (struct sev_mailbox *)psp;
	mb->wbinvd(mb->ctx);
}

static const struct sev_psp_ops mailbox_ops = { mb_submit, mb_wbinvd_all };

void sev_mailbox_init(struct sev_mailbox *mb)
{
	mb->psp.ops = &mailbox_ops;
	mb->psp.kind = "hardware";
	if (!mb->timeout_us)
		mb->timeout_us = SEV_MAILBOX_TIMEOUT_US;
	mb->dead = false;
}
