/* Guest sequencing and the vCPU run loop (DESIGN.md "Boot flow" 6-7, "Exit flow").
 * For each configured guest: back its RAM with pages from sevisor's allocator, build NPT,
 * load the Multiboot kernel, build the VMCB, run until the guest ends (verdict, termination
 * or time limit), print its verdict, free everything, and go on with the next guest: one
 * guest's termination never stops the next. */
#include "svm/run.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/finish.h"
#include "arch/x86/host_timer.h"
#include "arch/x86/cmos.h"
#include "svm/cr_shadow_exit.h"
#include "svm/dev/clock.h"
#include "svm/dev/devices.h"
#include "svm/dev/intr.h"
#include "svm/dev/io.h"
#include "svm/exit_codes.h"
#include "svm/event.h"
#include "svm/exit_table.h"
#include "svm/quiet_entry.h"
#include "svm/guest_mem.h"
#include "svm/host_state.h"
#include "svm/load/kernel.h"
#include "svm/npt.h"
#include "sev/soft_es.h"
#include "sev/guest_launch.h"
#include "svm/vmcb_setup.h"
#include "svm/world_switch.h"
#include "svm/summary.h"
#include "msr/cpuid.h"
#include "msr/msr.h"
#include "ghcb/ghcb.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "lib/log.h"
#include "lib/page_alloc.h"

#define EFER_SVME_BIT BIT(12)
/* The host save area's SEV-ES part: VMSA layout from offset 0x400 of the VM_HSAVE_PA page
 * (ghcb-sev-facts.md C.3, G25); XCR0 at VMSA offset 0x3E8. */
#define SVM_HOST_SAVE_VMSA_OFFSET 0x400
#define SVM_HOST_SAVE_XCR0 0x3E8

static u64 g_tsc_hz;
static bool g_mem_encrypt; /* SYSCFG[23]: host addresses lose the reduction bits (es_map_mmio) */
static u64 g_first_vmrun_tsc; /* when the first guest's first VMRUN was reached */

static void host_cpuid(u32 leaf, u32 sub, struct cpuid_regs *out)
{
	cpu_cpuid(leaf, sub, &out->eax, &out->ebx, &out->ecx, &out->edx);
}

/* The guest's XCR0 for CPUID leaf 0xD (svm_guest_xcr0_refresh, svm/exit.h). XGETBV needs
 * CR4.OSXSAVE, which the host may run without: set it for the read (the guest's OSXSAVE proves
 * the CPU has XSAVE). */
static u64 guest_xcr0(void)
{
	u64 cr4 = cpu_read_cr4();
	if (!(cr4 & CR4_OSXSAVE))
		cpu_write_cr4(cr4 | CR4_OSXSAVE);
	u64 xcr0 = cpu_xgetbv(0);
	if (!(cr4 & CR4_OSXSAVE))
		cpu_write_cr4(cr4);
	return xcr0;
}

static u64 host_tsc(void)
{
	return cpu_rdtsc();
}

/* svm_npt callbacks: sevisor's identity map makes physical == virtual. */
static void *npt_alloc(void *ctx, u64 *pa)
{
	(void)ctx;
	void *p = page_alloc_zeroed(PAGE_SIZE, PAGE_SIZE);
	*pa = (u64)(uintptr_t)p;
	return p;
}

static void *npt_ptr(void *ctx, u64 pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static void npt_free(void *ctx, u64 pa, void *ptr)
{
	(void)ctx;
	(void)ptr;
	palloc_free(&g_palloc, pa, PAGE_SIZE);
}

/* Everything one guest owns, freed when it ends. */
struct guest {
	struct vm vm;
	struct vcpu vcpu;
	struct vm_devices *devices;
	struct svm_npt npt;
	u64 ram_pa, ram_size;
	struct vmcb *vmcb;
	u8 *iopm, *msrpm;
	u8 *vmsa; /* sev-es, soft-es: the VMSA page */
	struct sev_launch launch;
	u64 tsc_start, tsc_end;
};

static u8 *g_host_save_area; /* VM_HSAVE_PA: where VMRUN keeps host state */
static struct vmcb *g_host_vmcb; /* VMSAVE/VMLOAD target for the host's hidden state */

static bool enable_svm(void)
{
	g_host_save_area = page_alloc_zeroed(PAGE_SIZE, PAGE_SIZE);
	g_host_vmcb = page_alloc_zeroed(PAGE_SIZE, PAGE_SIZE);
	if (!g_host_save_area || !g_host_vmcb)
		return false;
	cpu_wrmsr(MSR_EFER, cpu_rdmsr(MSR_EFER) | EFER_SVME_BIT);
	cpu_wrmsr(MSR_VM_HSAVE_PA, (u64)(uintptr_t)g_host_save_area);
	svm_host_state_capture(); /* what every #VMEXIT must give back (svm/host_state.h) */
	svm_host_vmsave((u64)(uintptr_t)g_host_vmcb); /* ... and every world switch's VMLOAD */
	log_info("svm: enabled (EFER.SVME=1, VM_HSAVE_PA=0x%llx)", (unsigned long long)(uintptr_t)g_host_save_area);
	return true;
}

static void *alloc_or_fail(struct guest *g, u64 size, const char *what)
{
	void *p = page_alloc_zeroed(size, PAGE_SIZE);
	if (!p)
		vm_terminate(&g->vm, "out of memory for %s (%llu KiB)", what, (unsigned long long)(size >> 10));
	return p;
}

static void guest_free(struct guest *g)
{
	sev_guest_teardown(&g_sev, &g->vm, &g->launch);
	if (g->vmsa)
		palloc_free(&g_palloc, (u64)(uintptr_t)g->vmsa, PAGE_SIZE);
	if (g->npt.root_pa)
		svm_npt_destroy(&g->npt);
	if (g->ram_pa)
		palloc_free(&g_palloc, g->ram_pa, g->ram_size);
	if (g->vmcb)
		palloc_free(&g_palloc, (u64)(uintptr_t)g->vmcb, PAGE_SIZE);
	if (g->iopm)
		palloc_free(&g_palloc, (u64)(uintptr_t)g->iopm, SVM_IOPM_SIZE);
	if (g->msrpm)
		palloc_free(&g_palloc, (u64)(uintptr_t)g->msrpm, SVM_MSRPM_SIZE);
	if (g->devices)
		palloc_free(&g_palloc, (u64)(uintptr_t)g->devices, sizeof(struct vm_devices));
}

/* soft-es: a C-bit inside the emulated physical-address width, and NPT mapping both aliases
 * (C-bit clear and set) of guest RAM to the same host pages (DESIGN.md, soft-es). */
static bool soft_es_map_alias(struct guest *g)
{
	struct vm *vm = &g->vm;
	g->vcpu.vm = vm; /* the CPUID policy reads the guest's vCPU count */
	unsigned phys = msr_cpuid_phys_bits(&g->vcpu);
	unsigned cbit = svm_soft_es_pick_cbit(phys);
	if (!cbit) {
		vm_terminate(vm, "soft-es: no C-bit position fits a %u-bit physical address width", phys);
		return false;
	}
	vm->cbit = (u8)cbit;
	msr_cpuid_forget(vm); /* asked for the physical-address width above, with no C-bit yet */
	if (!svm_npt_map(&g->npt, BIT(cbit), g->ram_pa, g->ram_size, SVM_NPT_FLAGS_RAM)) {
		vm_terminate(vm, "could not map the C-bit alias of guest RAM (out of memory)");
		return false;
	}
	log_info("guest %s: soft-es C-bit %u (physical address width %u), RAM aliased at 0x%llx", vm->name, cbit,
		 phys, (unsigned long long)BIT(cbit));
	return true;
}

/* SEV-ES and soft-es: the devices' MMIO pages get reserved-bit NPT entries, so an access
 * raises #VC(NPF) in the guest (hardware; the soft-es model from the RSV bit) instead of an
 * automatic exit that cannot be emulated without the guest's instruction (facts G23). The
 * reserved bits follow the host's physical-address width (svm/npt.h). */
static bool es_map_mmio(struct guest *g)
{
	u32 a, b, c, d;
	cpu_cpuid(0x80000008u, 0, &a, &b, &c, &d);
	unsigned phys = a & 0xFF, enc_bit = 0;
	if (g_mem_encrypt) { /* 0x8000001F EBX: [5:0] C-bit, [11:6] physical-address reduction */
		cpu_cpuid(0x8000001Fu, 0, &a, &b, &c, &d);
		phys -= (b >> 6) & 0x3F;
		enc_bit = b & 0x3F;
	}
	u64 mask = svm_npt_mmio_mask(phys, enc_bit);
	u64 base, size;
	for (unsigned i = 0; svm_mmio_range(i, &base, &size); i++) {
		/* NPT works in pages: a device smaller than one (the 1 KiB HPET) takes its page. */
		u64 first = ALIGN_DOWN(base, PAGE_SIZE);
		size = ALIGN_UP(base + size, PAGE_SIZE) - first;
		base = first;
		if (!mask || !svm_npt_map_mmio(&g->npt, base, size, mask)) {
			vm_terminate(&g->vm, "could not mark MMIO at 0x%llx in the NPT (reserved-bit mask "
				     "0x%llx, host physical-address width %u)", (unsigned long long)base,
				     (unsigned long long)mask, phys);
			return false;
		}
	}
	return true;
}

static bool guest_create(struct guest *g, const struct cfg_guest *c, const struct boot_guest_files *f)
{
	struct vm *vm = &g->vm;
	str_copy(vm->name, c->name, sizeof(vm->name));
	vm->mode = sev_resolve_mode(&g_sev, c->mode);
	vm->nr_vcpus = 1;
	vm->vcpus = &g->vcpu;
	vm->msr_cfg.mce_banks = c->mce_banks;
	vm->msr_cfg.ignore_msrs = c->ignore_msrs;
	/* The ASID first: a mode that cannot run here (sev-es without a usable PSP) is refused
	 * with the missing piece before anything is allocated. */
	if (!sev_guest_asid(&g_sev, vm, &g->launch))
		return false;
	bool es = vm->mode != VM_MODE_PLAIN;

	/* Guest RAM: one contiguous 2 MiB-aligned block so NPT can use large pages. */
	g->ram_size = c->memory;
	g->ram_pa = palloc_alloc(&g_palloc, g->ram_size, LARGE_PAGE_SIZE);
	if (!g->ram_pa) {
		vm_terminate(vm, "out of memory: no contiguous %llu MiB for guest RAM",
			     (unsigned long long)(g->ram_size >> 20));
		return false;
	}
	memset((void *)(uintptr_t)g->ram_pa, 0, g->ram_size);
	vm->ram[0] = (struct ram_slot){ .gpa = 0, .size = g->ram_size, .host = (u8 *)(uintptr_t)g->ram_pa };
	vm->nr_ram = 1;

	g->devices = alloc_or_fail(g, sizeof(struct vm_devices), "devices");
	g->vmcb = alloc_or_fail(g, PAGE_SIZE, "the VMCB");
	g->iopm = alloc_or_fail(g, SVM_IOPM_SIZE, "the I/O permission map");
	g->msrpm = alloc_or_fail(g, SVM_MSRPM_SIZE, "the MSR permission map");
	if (es)
		g->vmsa = alloc_or_fail(g, PAGE_SIZE, "the VMSA");
	if (!g->devices || !g->vmcb || !g->iopm || !g->msrpm || (es && !g->vmsa))
		return false;
	vm->devices = g->devices;
	devices_init(g->devices, g->ram_size, 1, c->unbacked == CFG_UNBACKED_IGNORE);

	/* NPT maps guest RAM and nothing else: sevisor's memory is never in a guest, and every
	 * other GPA faults into the MMIO dispatch. */
	struct svm_npt_mem mem = { npt_alloc, npt_ptr, npt_free, NULL };
	if (!svm_npt_init(&g->npt, &mem) || !svm_npt_map(&g->npt, 0, g->ram_pa, g->ram_size, SVM_NPT_FLAGS_RAM)) {
		vm_terminate(vm, "could not build nested page tables (out of memory)");
		return false;
	}
	vm->npt_root_pa = g->npt.root_pa;
	if (vm->mode == VM_MODE_SOFT_ES && !soft_es_map_alias(g))
		return false;
	if (es && !es_map_mmio(g))
		return false;

	/* The C-bit the loader puts into an SEV-ES kernel's page tables: soft-es picked its own
	 * above, sev-es uses the CPU's (for SEV_INFO too; NPT maps without it). */
	if (vm->mode == VM_MODE_SEV_ES) {
		vm->cbit = g_sev.hw.psp.cbit;
		msr_cpuid_forget(vm); /* the kept CPUID answers (0x8000001F) hold the C-bit */
	}
	struct svm_kernel_load kernel;
	char err[160];
	if (!svm_load_kernel(vm, c, f, &kernel, err, sizeof(err))) {
		vm_terminate(vm, "kernel %s rejected: %s", c->kernel, err);
		return false;
	}

	/* VMCB. */
	memset(g->iopm, 0xFF, SVM_IOPM_SIZE);
	msr_build_permission_map(g->msrpm, vm->mode);
	struct svm_vmcb_params vp = {
		.mode = vm->mode,
		.asid = vm->asid,
		.iopm_pa = (u64)(uintptr_t)g->iopm,
		.msrpm_pa = (u64)(uintptr_t)g->msrpm,
		.ncr3 = vm->npt_root_pa,
		.vmsa_pa = (u64)(uintptr_t)g->vmsa,
	};
	svm_vmcb_init(g->vmcb, &vp);
	struct vcpu *v = &g->vcpu;
	v->vm = vm;
	v->id = 0;
	v->vmcb = g->vmcb;
	v->vmcb_pa = (u64)(uintptr_t)g->vmcb;
	v->vmsa = g->vmsa;
	v->vmsa_pa = (u64)(uintptr_t)g->vmsa;
	v->xcr0 = 1; /* x87 only until the guest says otherwise */
	svm_kernel_entry_state(g->vmcb, &v->gprs, &kernel);
	const struct vmcb_save *entry = &g->vmcb->save;
	struct cr_shadow_regs cr = { .efer = entry->efer, .cr0 = entry->cr0, .cr3 = entry->cr3, .cr4 = entry->cr4, .cr8 = 0 };
	cr_shadow_reset(v, &cr, msr_cpuid_cr4_allowed(v));
	msr_vcpu_reset(v);
	/* sevisor is the Linux guest's firmware too. */
	if (kernel.is_linux)
		msr_mtrr_firmware_defaults(v);
	ghcb_vcpu_reset(v);
	if (vm->mode == VM_MODE_SOFT_ES)
		svm_soft_es_vcpu_setup(v);
	if (vm->mode == VM_MODE_SEV_ES)
		g->vmcb->control.ghcb_gpa = ghcb_sev_info_value(v); /* SEV_INFO at reset (C.3) */
	/* sev-es, soft-es: the launch measures the loaded data and the VMSA built from the
	 * entry state above. */
	if (es && !sev_guest_launch(&g_sev, v, &g->launch, &kernel, c->policy))
		return false;
	log_info("guest %s: %llu MiB RAM at host 0x%llx, NPT %llu table page(s), %llu x 2M + %llu x 4K, mode %s",
		 vm->name, (unsigned long long)(g->ram_size >> 20), (unsigned long long)g->ram_pa,
		 (unsigned long long)g->npt.tables, (unsigned long long)g->npt.pages_2m,
		 (unsigned long long)g->npt.pages_4k, vm_mode_name(vm->mode));
	return true;
}

/* What every exit that reaches sevisor (the handlers, or the soft-es model's own handling)
 * notes before it is handled: the event state (svm/event.h) and the shadow control registers
 * (svm/cr_shadow_exit.h). */
static inline __attribute__((always_inline)) void exit_noted(struct vcpu *v)
{
	svm_event_after_exit(v); /* a no-op for VMEXIT_INVALID */
	cr_shadow_after_exit(v);
}
/* The same after an entry that said lean (svm_quiet_entry.lean): an unprotected vCPU, without
 * the IRET step that the rest of svm_event_after_exit looks for. */
static inline __attribute__((always_inline)) void exit_noted_lean(struct vcpu *v, const struct vmcb *vmcb,
								     u64 code)
{
	svm_event_after_exit_lean(v, &vmcb->control, code);
	cr_shadow_after_exit_unprotected(v, vmcb);
}

/* The world switch, chosen once per run (run_vcpu): the plain one, or the SEV-ES one behind
 * the same signature, so that the run loop does not ask the mode before every entry. */
typedef u64 (*world_switch_fn)(u64 guest_vmcb_pa, struct svm_gprs *gprs);
static u8 *g_host_save_vmsa; /* SEV-ES: the host save area's VMSA part (run_vcpu) */
static u64 world_switch_es(u64 guest_vmcb_pa, struct svm_gprs *gprs)
{
	(void)gprs; /* the guest's GPRs are in its VMSA */
	return svm_world_switch_es(guest_vmcb_pa, g_host_save_vmsa);
}

static void run_vcpu(struct guest *g, u64 timeout_ms)
{
	struct vcpu *v = &g->vcpu;
	struct vm *vm = &g->vm;
	struct vmcb *vmcb = v->vmcb;
	const struct vm_devices *devices = vm->devices;
	u64 deadline = g->tsc_start + g_tsc_hz / 1000 * timeout_ms;
	/* The mode never changes while the guest runs: asked once, not per exit. */
	const bool soft_es = vm->mode == VM_MODE_SOFT_ES, hw_es = vm->mode == VM_MODE_SEV_ES;
	/* Set at creation, fixed while it runs (svm_event_entry_common). */
	const bool lapic_vcpu = dev_lapic_vcpu(vm) == v;
	/* For the whole run, not per exit: a host fault anywhere in it names the guest, and log
	 * lines wait in the ring until the loop top (svm/quiet_entry.h keeps that top short). */
	char context[64];
	fmt_snprintf(context, sizeof(context), "running guest %s", vm->name);
	host_timer_init_finish(); /* its measurement spans the first guest's set-up */
	if (!g_first_vmrun_tsc)
		g_first_vmrun_tsc = cpu_rdtsc();
	/* The software SEV-ES CPU's first VMRUN takes the state from the VMSA page. */
	if (soft_es)
		svm_soft_es_enter_from_vmsa(v);
	/* SEV-ES: XCR0 is type B host state, reloaded from the host save area (G25). */
	g_host_save_vmsa = g_host_save_area + SVM_HOST_SAVE_VMSA_OFFSET;
	if (hw_es)
		*(u64 *)(g_host_save_vmsa + SVM_HOST_SAVE_XCR0) = (cpu_read_cr4() & CR4_OSXSAVE) ? cpu_xgetbv(0) : 1;
	const world_switch_fn world_switch = hw_es ? world_switch_es : svm_world_switch;
	const u64 vmcb_pa = v->vmcb_pa;
	struct svm_quiet_entry quiet = { 0 }; /* nothing kept before the first entry */
	/* The exit side for this entry: lean when the entry said so (svm_quiet_entry.lean, set
	 * by the general top and held by every kept entry), which also says the vCPU is not
	 * soft-es's (its state is protected). */
	bool lean = false;
	desc_set_context(context);
	log_defer(true);
	while (vm->end == VM_END_RUNNING) {
		log_drain_deferred();
		u64 now = cpu_rdtsc();
		/* The general loop top, unless the kept entry holds (svm/quiet_entry.h says why each
		 * step below is then a no-op). */
		if (!svm_quiet_entry_holds(&quiet, v, vmcb, devices, now)) {
			if (now >= deadline) {
				vm_terminate(vm, "time limit of %llu ms reached (timeout key)", (unsigned long long)timeout_ms);
				break;
			}
			/* Guest timers that are due raise their interrupts; a halted vCPU sleeps (the
			 * host halts too) until one of them, or the time limit, could wake it. */
			devices_tick(vm, now);
			const u64 dev_next = devices_next_deadline(vm);
			if (v->intr.halted) {
				if (!svm_event_wakes(v)) {
					host_timer_sleep_until(dev_next < deadline ? dev_next : deadline);
					continue;
				}
				v->intr.halted = false;
			}
			svm_quiet_entry_prepare(&quiet, v, vm, dev_next, deadline, lapic_vcpu);
			lean = quiet.lean && !soft_es;
		}
		host_timer_arm(quiet.timer);
		u64 host_differs = world_switch(vmcb_pa, &v->gprs);
		u64 code = vmcb->control.exit_code;
		/* Before anything else runs on translations the exit may have left wrong. */
		if (__builtin_expect(host_differs, 0))
			svm_host_state_check(vm->name, code);
		/* A physical interrupt ended the run: take it now with the classic atomic
		 * "sti; hlt" (the interrupt is recognised while halted). A bare "sti; cli" is not
		 * enough under QEMU TCG, which checks for interrupts only between translation
		 * blocks and so never sees the one-instruction window. */
		if (code == SVM_EXIT_INTR)
			cpu_wait_for_interrupt();
		vmcb->control.tlb_control = SVM_TLB_CONTROL_NONE;
		if (__builtin_expect(lean, 1)) {
			exit_noted_lean(v, vmcb, code);
		} else {
			/* soft-es: the software SEV-ES CPU sees the exit first; a #VC it reflected, or
			 * an exit it carried out itself, never reaches the hypervisor. */
			if (soft_es) {
				enum soft_es_action act = svm_soft_es_after_exit(v);
				code = vmcb->control.exit_code; /* the model may have rewritten it */
				if (act != SOFT_ES_HANDOFF) {
					exit_noted(v);
					if (svm_exit_model_count(v))
						svm_exit_model_handled(v, soft_es_action_name(act));
					continue;
				}
			}
			exit_noted(v);
		}
		if (__builtin_expect(svm_handle_exit_code(v, code) == SVM_TERMINATE, 0)) {
			if (vm->end == VM_END_RUNNING)
				vm_terminate(vm, "exit handler for %s ended the guest", svm_exit_name(code) ?: "exit");
			break;
		}
	}
	log_defer(false);
	desc_set_context(NULL);
	g->tsc_end = cpu_rdtsc();
	dev_uart_flush(vm);
}

/* Boot cost, reported once the first guest has ended (so the figure is not disturbed by its
 * own logging): efi_main to the first VMRUN, less the TSC calibration wait. Under QEMU with
 * -icount shift=0 the TSC counts instructions (tests/bench). */
static void log_boot_time(const struct boot_info *boot)
{
	u64 total = g_first_vmrun_tsc - boot->tsc_entry;
	log_info("boot: efi_main to the first VMRUN: %llu TSC ticks, %llu of them in the TSC calibration wait",
		 (unsigned long long)total, (unsigned long long)boot->tsc_calibration);
	log_result("boot first_vmrun_tsc=%llu calibration_tsc=%llu", (unsigned long long)total,
		   (unsigned long long)boot->tsc_calibration);
}

enum sevisor_status svm_run_guests(const struct boot_info *boot)
{
	g_tsc_hz = boot->tsc_hz ? boot->tsc_hz : 1000000000ULL;
	g_mem_encrypt = boot->caps.mem_encrypt_enabled;
	svm_exit_table_init(log_enabled(LOG_DEBUG)); /* the level is final: efi_main set it */
	msr_cpuid_set_host(host_cpuid);
	svm_set_guest_xcr0_reader(guest_xcr0);
	msr_set_host_tsc(host_tsc);
	msr_set_hw_tsc_aux(msr_tsc_aux_hw_load);
	if (!enable_svm()) {
		log_err("svm: no memory for the host save area");
		return SEVISOR_STATUS_BOOT_ERROR;
	}
	host_timer_init(g_tsc_hz);
	dev_clock_set(host_tsc, g_tsc_hz);
	dev_rtc_set_host_time(host_rtc_epoch(), cpu_rdtsc());
	bool need_hw = false, need_soft = false, need_auto = false;
	for (unsigned i = 0; i < boot->cfg.nr_guests; i++) {
		u8 m = boot->cfg.guests[i].mode;
		need_hw |= m == VM_MODE_SEV_ES;
		need_soft |= m == VM_MODE_SOFT_ES;
		need_auto |= m == CFG_MODE_AUTO;
	}
	sev_platform_bringup_all(&g_sev, &boot->caps, g_tsc_hz, need_hw, need_soft, need_auto);
	static struct summary sum; /* 32 rows with their GHCB event lists: not for the stack */
	summary_init(&sum, g_tsc_hz);
	static struct guest g; /* one at a time; reused */
	for (unsigned i = 0; i < boot->cfg.nr_guests; i++) {
		const struct cfg_guest *c = &boot->cfg.guests[i];
		memset(&g, 0, sizeof(g));
		log_info("guest %s: starting (%u of %u)", c->name, i + 1, boot->cfg.nr_guests);
		g.tsc_start = cpu_rdtsc();
		if (guest_create(&g, c, &boot->files[i]))
			run_vcpu(&g, c->timeout_ms);
		else
			g.tsc_end = cpu_rdtsc();
		summary_add(&sum, c, &g.vm, &g.vcpu, g.tsc_end - g.tsc_start);
		if (i == 0 && g_first_vmrun_tsc)
			log_boot_time(boot);
		guest_free(&g);
	}
	return summary_print(&sum);
}
