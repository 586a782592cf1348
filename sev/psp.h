/* The PSP transport: one small interface that both the hardware SEV mailbox (psp_mailbox.c,
 * psp_hw.c) and the soft PSP (soft_psp.c) implement, so everything above it (firmware
 * commands, platform bring-up, the launch flow) is shared (issue 11, DESIGN.md sev/).
 *
 * Addresses: sevisor's host memory is identity mapped, so a host pointer is its system
 * physical address; command buffers carry such addresses, and guest-memory addresses carry the
 * platform's C-bit (ghcb-sev-facts.md F.2 step 1). */
#ifndef SEV_PSP_H
#define SEV_PSP_H

#include "lib/types.h"
#include "sev/psp_cmd.h"

struct sev_psp;

struct sev_psp_ops {
	/* Runs one command to completion: buf is the command buffer (NULL for the commands
	 * without one: SHUTDOWN, DF_FLUSH). Returns the firmware status or a sevisor code
	 * (SEV_ERR_TIMEOUT, SEV_ERR_NO_PSP). One command at a time (F.2 step 8). */
	u32 (*submit)(struct sev_psp *psp, u32 cmd, void *buf);
	/* WBINVD on every CPU sevisor runs on: the precondition of DF_FLUSH (F.6 step 2). */
	void (*wbinvd_all)(struct sev_psp *psp);
};

struct sev_psp {
	const struct sev_psp_ops *ops;
	const char *kind; /* "hardware" or "soft": the psp= of the launch line */
	u8 cbit;          /* the platform's C-bit position (CPUID 0x8000001F EBX[5:0]) */
	/* ASIDs for SEV guests (CPUID 0x8000001F ECX/EDX, F.6 step 0): SEV-ES guests get
	 * 1..min_sev_asid-1, plain guests ASIDs above max_sev_asid. */
	u32 max_sev_asid, min_sev_asid;
	/* From PLATFORM_STATUS, for reports and the measurement. */
	struct sev_data_platform_status status;
};

static inline u32 sev_psp_submit(struct sev_psp *psp, u32 cmd, void *buf)
{
	return psp ? psp->ops->submit(psp, cmd, buf) : SEV_ERR_NO_PSP;
}

/* A host pointer as a system physical address (identity map), with or without the C-bit. */
static inline u64 sev_host_pa(const void *p)
{
	return (u64)(uintptr_t)p;
}

static inline u64 sev_guest_pa(const struct sev_psp *psp, const void *p)
{
	return sev_host_pa(p) | BIT(psp->cbit);
}

#endif
