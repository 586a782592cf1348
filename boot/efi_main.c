/* UEFI entry (DESIGN.md "Boot flow"): console, capability report, sevisor.cfg and the guest
 * files, memory map, ExitBootServices, sevisor's own GDT/IDT/TSS and page tables, then the
 * guests, then the configured finish. Everything that decides lives in pure modules; this file
 * only sequences them. */
#include <efi.h>
#include "arch/x86/caps.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/finish.h"
#include "arch/x86/paging.h"
#include "arch/x86/serial.h"
#include "boot/boot.h"
#include "boot/efi.h"
#include "boot/memmap.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "lib/log.h"
#include "lib/page_alloc.h"
#include "svm/run.h"

extern char __image_start[], __image_end[];

static struct boot_info g_boot;

#define TSC_CALIBRATION_US 20000

static void setup_log(void)
{
	serial_init();
	log_add_sink("com1", serial_sink_com1, NULL, true);
	log_add_sink("debugcon", serial_sink_debugcon, NULL, true);
	log_add_sink("conout", efi_conout_sink, NULL, true);
	/* Hold everything until the config has chosen the sinks. */
	log_hold(true);
}

static NORETURN void config_failed(unsigned line, const char *reason)
{
	if (line)
		log_err("%s:%u: %s", SEVISOR_CFG_PATH, line, reason);
	else
		log_err("%s: %s", SEVISOR_CFG_PATH, reason);
	log_err("sevisor stops before touching the machine: fix %s on the boot volume", SEVISOR_CFG_PATH);
	log_result("config-error file=%s line=%u", SEVISOR_CFG_PATH, line);
	log_hold(false);
	finish(SEVISOR_STATUS_CONFIG);
}

static void read_config(void)
{
	u8 *text;
	u64 size;
	char err[128];
	if (!efi_read_file(SEVISOR_CFG_PATH, &text, &size, err, sizeof(err)))
		config_failed(0, err);
	struct cfg_error cerr;
	if (!cfg_parse((const char *)text, size, &g_boot.cfg, &cerr))
		config_failed(cerr.line, cerr.reason);
	char bad[32];
	if (!log_select_sinks(g_boot.cfg.log_sinks, bad, sizeof(bad))) {
		char msg[96];
		fmt_snprintf(msg, sizeof(msg), "unknown log sink '%s' (com1, debugcon, conout)", bad);
		log_select_sinks("com1,debugcon,conout", NULL, 0);
		config_failed(0, msg);
	}
	log_set_level(g_boot.cfg.log_level);
	finish_set_action(g_boot.cfg.on_finish);
	log_hold(false);
	log_info("config: %s read, %u guest(s), on_finish=%s", SEVISOR_CFG_PATH, g_boot.cfg.nr_guests,
		 cfg_finish_name(g_boot.cfg.on_finish));
}

/* Reads every file the config names; a missing one is a config error at the key's line. */
static void read_guest_files(void)
{
	char err[128], msg[160];
	for (unsigned i = 0; i < g_boot.cfg.nr_guests; i++) {
		const struct cfg_guest *g = &g_boot.cfg.guests[i];
		struct boot_guest_files *f = &g_boot.files[i];
		u8 *data;
		if (!efi_read_file(g->kernel, &data, &f->kernel.size, err, sizeof(err))) {
			fmt_snprintf(msg, sizeof(msg), "guest '%s': kernel '%s': %s", g->name, g->kernel, err);
			config_failed(g->kernel_line, msg);
		}
		f->kernel.data = data;
		if (g->initrd[0]) {
			if (!efi_read_file(g->initrd, &data, &f->initrd.size, err, sizeof(err))) {
				fmt_snprintf(msg, sizeof(msg), "guest '%s': initrd '%s': %s", g->name, g->initrd, err);
				config_failed(g->initrd_line, msg);
			}
			f->initrd.data = data;
		}
		for (unsigned m = 0; m < g->nr_modules; m++) {
			if (!efi_read_file(g->modules[m].path, &data, &f->modules[m].size, err, sizeof(err))) {
				fmt_snprintf(msg, sizeof(msg), "guest '%s': module '%s': %s", g->name,
					     g->modules[m].path, err);
				config_failed(g->modules[m].line, msg);
			}
			f->modules[m].data = data;
		}
		log_info("config: guest %s: kernel %s (%llu bytes), %u module(s), %llu MiB, mode %s", g->name,
			 g->kernel, (unsigned long long)f->kernel.size, g->nr_modules,
			 (unsigned long long)(g->memory >> 20), cfg_mode_name(g->mode));
	}
}

static void check_svm(void)
{
	static const enum sevisor_status status_of[] = {
		[CAPS_SVM_USABLE] = SEVISOR_STATUS_OK,
		[CAPS_SVM_MISSING] = SEVISOR_STATUS_NO_SVM,
		[CAPS_SVM_DISABLED] = SEVISOR_STATUS_SVM_DISABLED,
		[CAPS_SVM_LOCKED] = SEVISOR_STATUS_SVM_LOCKED,
	};
	if (g_boot.caps.svm == CAPS_SVM_USABLE)
		return;
	log_err("%s", caps_svm_state_message(g_boot.caps.svm));
	log_err("sevisor cannot run guests on this machine; stopping");
	finish(status_of[g_boot.caps.svm]);
}

static void calibrate_tsc(void)
{
	u64 t0 = cpu_rdtsc();
	efi_stall(TSC_CALIBRATION_US);
	u64 t1 = cpu_rdtsc();
	g_boot.tsc_hz = (t1 - t0) * (1000000 / TSC_CALIBRATION_US);
	g_boot.tsc_calibration = t1 - t0;
	log_info("tsc: %llu.%03llu MHz (calibrated against firmware Stall)", (unsigned long long)(g_boot.tsc_hz / 1000000),
		 (unsigned long long)(g_boot.tsc_hz / 1000 % 1000));
}

static void take_over_machine(void)
{
	void *map;
	u64 map_size, desc_size;
	char err[96];
	log_info("boot: exiting boot services");
	log_disable_sink("conout");
	if (!efi_exit_boot_services(&map, &map_size, &desc_size, err, sizeof(err))) {
		log_err("boot: %s", err);
		finish(SEVISOR_STATUS_BOOT_ERROR);
	}
	cpu_cli();
	desc_init();
	palloc_init(&g_palloc);
	struct memmap_summary sum;
	memmap_to_palloc(map, map_size, desc_size, &g_palloc, &sum);
	log_info("memory: %llu MiB free for sevisor and guests in %u range(s), top of map 0x%llx",
		 (unsigned long long)(sum.conventional_bytes >> 20), sum.ranges_added, (unsigned long long)sum.top);
	if (sum.ranges_dropped)
		log_warn("memory: %u range(s) dropped: allocator table full", sum.ranges_dropped);
	log_info("memory: sevisor image at 0x%llx-0x%llx", (unsigned long long)(uintptr_t)__image_start,
		 (unsigned long long)(uintptr_t)__image_end);
	if (!paging_init(sum.top)) {
		log_err("boot: no memory for sevisor's page tables");
		finish(SEVISOR_STATUS_BOOT_ERROR);
	}
	log_info("boot: sevisor owns the machine (GDT/IDT/TSS and page tables installed)");
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	g_boot.tsc_entry = cpu_rdtsc();
	efi_services_init(image, systab);
	setup_log();
	log_info("sevisor %s: a small SEV-ES hypervisor for AMD SVM", SEVISOR_VERSION);

	caps_collect(&g_boot.caps_raw);
	caps_decode(&g_boot.caps_raw, &g_boot.caps);
	read_config();
	caps_report(&g_boot.caps_raw, &g_boot.caps);
	check_svm();
	read_guest_files();
	calibrate_tsc();
	take_over_machine();

	enum sevisor_status status = svm_run_guests(&g_boot);
	finish(status);
}
