/* What the UEFI phase hands to the rest of sevisor: the parsed config, the guest files read
 * from the boot volume, the CPU capabilities and the TSC rate. */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#include "boot/config.h"
#include "arch/x86/caps.h"

struct boot_file {
	const u8 *data;
	u64 size;
};

struct boot_guest_files {
	struct boot_file kernel;
	struct boot_file initrd; /* size 0: none */
	struct boot_file modules[CFG_MAX_MODULES];
};

struct boot_info {
	struct cfg cfg;
	struct boot_guest_files files[CFG_MAX_GUESTS];
	struct caps_raw caps_raw;
	struct caps caps;
	u64 tsc_hz;
	/* TSC at efi_main's entry and the ticks spent in the calibration wait: the run loop
	 * reports how long sevisor took to reach its first VMRUN (tests/bench). */
	u64 tsc_entry;
	u64 tsc_calibration;
};

#define SEVISOR_VERSION "0.1"
#define SEVISOR_CFG_PATH "sevisor.cfg"

#endif
