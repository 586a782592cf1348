/* sevisor's own finish status: written to isa-debug-exit (QEMU exits with (status << 1) | 1),
 * printed in the last @sevisor line, and returned by tools/run_qemu.sh. Status 0 is never
 * used because QEMU's own errors also exit 1 (= (0 << 1) | 1). */
#ifndef BOOT_STATUS_H
#define BOOT_STATUS_H

enum sevisor_status {
	SEVISOR_STATUS_OK = 1,           /* every guest ended as its config expected */
	SEVISOR_STATUS_GUEST_FAILED = 2, /* at least one guest did not */
	SEVISOR_STATUS_CONFIG = 3,       /* sevisor.cfg or a file it names is bad */
	SEVISOR_STATUS_NO_SVM = 4,       /* the CPU has no SVM (CPUID 0x80000001 ECX[2]) */
	SEVISOR_STATUS_SVM_DISABLED = 5, /* firmware set VM_CR.SVMDIS (not locked) */
	SEVISOR_STATUS_SVM_LOCKED = 6,   /* VM_CR.SVMDIS set and VM_CR.LOCK set: enable SVM in setup */
	SEVISOR_STATUS_HOST_FAULT = 7,   /* a CPU exception or panic in sevisor itself */
	SEVISOR_STATUS_BOOT_ERROR = 8,   /* firmware/boot failure (memory map, ExitBootServices) */
};

const char *sevisor_status_name(enum sevisor_status s);

#endif
