/* Reading and re-loading sevisor's CR0/CR3/CR4/EFER after a world switch: see host_state.h.
 * The common case (the CPU restored everything, as the APM says it must) is compared in the
 * world switch itself: three CR reads, one RDMSR and the compares. */
#include "svm/host_state.h"
#include "arch/x86/cpu.h"
#include "msr/msr_index.h"
#include "svm/cr_shadow.h"
#include "lib/log.h"

/* What sevisor runs with; the world switch (svm/world_switch.asm) compares with it too. */
__attribute__((visibility("hidden"))) struct host_cr_state svm_host_want;
static u64 g_repairs;

static void host_state_read(struct host_cr_state *s)
{
	s->cr0 = cpu_read_cr0();
	s->cr3 = cpu_read_cr3();
	s->cr4 = cpu_read_cr4();
	s->efer = cpu_rdmsr(MSR_EFER);
}

void svm_host_state_capture(void)
{
	host_state_read(&svm_host_want);
}

/* Every translation, global ones included: toggling CR4.PGE flushes them all (APM vol. 2,
 * 5.5.2); without PGE there are no global entries and a CR3 load flushes the rest. */
static void host_flush_tlb(void)
{
	u64 cr4 = cpu_read_cr4();
	if (cr4 & CR4_PGE) {
		cpu_write_cr4(cr4 & ~CR4_PGE);
		cpu_write_cr4(cr4);
	} else {
		cpu_write_cr3(cpu_read_cr3());
	}
}

/* The registers differ: reload them in a safe order, flush, say so once. Out of line, so the
 * check below needs no stack frame. */
static __attribute__((noinline, cold)) unsigned host_state_repair(const char *guest, u64 exit_code)
{
	struct host_cr_state now;
	host_state_read(&now);
	unsigned diff = svm_host_state_diff(&svm_host_want, &now);
	unsigned order[4];
	unsigned n = svm_host_state_reload_order(diff, order);
	for (unsigned i = 0; i < n; i++) {
		switch (order[i]) {
		case HOST_STATE_CR4: cpu_write_cr4(svm_host_want.cr4); break;
		case HOST_STATE_CR3: cpu_write_cr3(svm_host_want.cr3); break;
		case HOST_STATE_EFER: cpu_wrmsr(MSR_EFER, svm_host_want.efer); break;
		case HOST_STATE_CR0: cpu_write_cr0(svm_host_want.cr0); break;
		}
	}
	host_flush_tlb();
	if (g_repairs++ == 0) {
		char what[160];
		svm_host_state_describe(diff, &svm_host_want, &now, what, sizeof(what));
		log_warn("host: after exit 0x%llx of guest %s the CPU had not restored sevisor's own state "
			 "(APM vol. 2, 15.6 says #VMEXIT reloads it): %s; re-loaded and the TLB flushed "
			 "(logged once; a known QEMU TCG bug after exits with guest EFER.LME=1, CR4.PAE=0)",
			 (unsigned long long)exit_code, guest, what);
	}
	return diff;
}

unsigned svm_host_state_check(const char *guest, u64 exit_code)
{
	/* The usual case, every exit: all four as sevisor ran with them, each compared as it is
	 * read (CR0 first: the register QEMU TCG loses). */
	if (__builtin_expect(cpu_read_cr0() == svm_host_want.cr0 && cpu_read_cr3() == svm_host_want.cr3 &&
			     cpu_read_cr4() == svm_host_want.cr4 && cpu_rdmsr(MSR_EFER) == svm_host_want.efer, 1))
		return 0;
	return host_state_repair(guest, exit_code);
}

u64 svm_host_state_repairs(void)
{
	return g_repairs;
}
