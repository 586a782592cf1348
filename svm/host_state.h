/* sevisor's own CR0, CR3, CR4 and EFER after a world switch (issue 10 item 6).
 *
 * #VMEXIT reloads the host's CR0, CR3, CR4 and EFER from the host save area (APM vol. 2,
 * 15.6 "#VMEXIT"), unconditionally. QEMU 7.2 TCG does not always: it loads host CR0 first,
 * while the guest's EFER and CR4 are still in place, and its CR0 update refuses PG=1 with
 * EFER.LME=1 and CR4.PAE=0, so after an exit taken in that guest state sevisor would run on
 * with the guest's CR0 (paging off) and stale translations (qemu-tcg-svm.md, "Host CR0 lost on
 * #VMEXIT"). So after every world switch sevisor compares the four registers with the values it
 * ran with and reloads what differs. The decision is here, pure; svm/host_state_hw.c reads and
 * writes the registers. */
#ifndef SVM_HOST_STATE_H
#define SVM_HOST_STATE_H

#include "lib/types.h"

struct host_cr_state {
	u64 cr0, cr3, cr4, efer;
};

/* Which registers differ from what sevisor ran with. */
enum {
	HOST_STATE_CR0 = BIT(0),
	HOST_STATE_CR3 = BIT(1),
	HOST_STATE_CR4 = BIT(2),
	HOST_STATE_EFER = BIT(3),
};

/* The set of registers in now that differ from want (0: the CPU restored everything). */
unsigned svm_host_state_diff(const struct host_cr_state *want, const struct host_cr_state *now);

/* The order to reload them in: CR4 (PAE) and CR3 before EFER (LME), all of them before CR0,
 * since turning paging on with EFER.LME=1 needs CR4.PAE=1 and a valid CR3 (APM vol. 2,
 * 14.6.1). Fills order[] with HOST_STATE_* flags from diff; returns how many. */
unsigned svm_host_state_reload_order(unsigned diff, unsigned order[4]);

/* "CR0 0x11 (ran with 0x80010033), ..." for the registers in diff, into buf. */
void svm_host_state_describe(unsigned diff, const struct host_cr_state *want, const struct host_cr_state *now,
			     char *buf, size_t size);

/* Hardware side (svm/host_state_hw.c). svm_host_state_capture records the registers sevisor
 * runs with (once SVM is on); the world switch compares them after every exit (its return
 * value, svm/world_switch.h) and, when one differs, svm_host_state_check reloads any that
 * differ, flushes the TLB if it reloaded anything, logs the first time it had to (naming the
 * guest and exit), and returns the diff. */
void svm_host_state_capture(void);
unsigned svm_host_state_check(const char *guest, u64 exit_code);
/* How many world switches needed a reload. */
u64 svm_host_state_repairs(void);

#endif
