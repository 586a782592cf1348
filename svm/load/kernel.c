/* See kernel.h. */
#include "svm/load/kernel.h"
#include "svm/load/bios.h"
#include "lib/fmt.h"
#include "lib/log.h"

static bool load_linux(struct vm *vm, const struct cfg_guest *c, const struct boot_guest_files *f,
		       struct svm_kernel_load *k, char *err, unsigned errlen)
{
	if (c->nr_modules) {
		fmt_snprintf(err, errlen, "module is for Multiboot kernels; a bzImage takes an initrd");
		return false;
	}
	/* An SEV-ES guest's kernel is entered as firmware enters it: at the 64-bit entry, on
	 * identity page tables with the C-bit (vm->cbit, set before loading) on its memory. */
	bool es = vm->mode != VM_MODE_PLAIN;
	struct svm_linux_load_params p = { c->cmdline, f->initrd.data, f->initrd.size, es,
					   es && vm->cbit ? BIT(vm->cbit) : 0 };
	if (!svm_linux_load(vm, f->kernel.data, f->kernel.size, &p, &k->lx, err, errlen))
		return false;
	log_info("guest %s: loaded %s (bzImage, boot protocol %u.%02u) at 0x%llx-0x%llx, initrd %llu bytes at 0x%llx, "
		 "%u e820 entries, %s entry 0x%llx", vm->name, c->kernel, k->lx.version >> 8, k->lx.version & 0xFF,
		 (unsigned long long)k->lx.kernel_gpa, (unsigned long long)k->lx.kernel_end,
		 (unsigned long long)f->initrd.size, (unsigned long long)k->lx.initrd_gpa, k->lx.e820_entries,
		 k->lx.entry64 ? "64-bit" : "32-bit", (unsigned long long)k->lx.entry);
	return true;
}

static bool load_multiboot(struct vm *vm, const struct cfg_guest *c, const struct boot_guest_files *f,
			   struct svm_kernel_load *k, char *err, unsigned errlen)
{
	if (c->initrd[0]) {
		fmt_snprintf(err, errlen, "initrd is for Linux bzImage kernels; a Multiboot kernel takes modules");
		return false;
	}
	struct svm_mb_module_src mods[CFG_MAX_MODULES];
	static char mod_strings[CFG_MAX_MODULES][CFG_PATH_MAX + CFG_CMDLINE_MAX + 2];
	for (unsigned i = 0; i < c->nr_modules; i++) {
		fmt_snprintf(mod_strings[i], sizeof(mod_strings[i]), "%s%s%s", c->modules[i].path,
			     c->modules[i].args[0] ? " " : "", c->modules[i].args);
		mods[i] = (struct svm_mb_module_src){ f->modules[i].data, f->modules[i].size, mod_strings[i] };
	}
	static char cmdline[CFG_PATH_MAX + CFG_CMDLINE_MAX + 2];
	fmt_snprintf(cmdline, sizeof(cmdline), "%s%s%s", c->kernel, c->cmdline[0] ? " " : "", c->cmdline);
	struct svm_mb_load_params params = { .cmdline = cmdline, .modules = mods, .nr_modules = c->nr_modules };
	/* A plain guest starts as if a BIOS had run (svm/load/bios.h says who gets it and why);
	 * written before the kernel, which the memory map keeps out of the BIOS area. */
	if (vm->mode == VM_MODE_PLAIN && svm_bios_setup(vm)) {
		params.reserved = &svm_bios_reserved;
		params.nr_reserved = 1;
	}
	struct svm_mb_load_result *res = &k->mb;
	if (!svm_multiboot_load(vm, f->kernel.data, f->kernel.size, &params, res, err, errlen))
		return false;
	log_info("guest %s: loaded %s (%s, 0x%llx-0x%llx), entry 0x%x, Multiboot info at 0x%x", vm->name, c->kernel,
		 res->elf64 ? "ELF64" : "ELF32", (unsigned long long)res->image_start,
		 (unsigned long long)res->image_end, res->entry, res->info_gpa);
	return true;
}

bool svm_load_kernel(struct vm *vm, const struct cfg_guest *c, const struct boot_guest_files *f,
		     struct svm_kernel_load *k, char *err, unsigned errlen)
{
	k->is_linux = svm_linux_is_bzimage(f->kernel.data, f->kernel.size);
	return k->is_linux ? load_linux(vm, c, f, k, err, errlen) : load_multiboot(vm, c, f, k, err, errlen);
}

void svm_kernel_entry_state(struct vmcb *vmcb, struct svm_gprs *gprs, const struct svm_kernel_load *k)
{
	if (k->is_linux)
		svm_linux_entry_state(vmcb, gprs, &k->lx);
	else
		svm_multiboot_entry_state(vmcb, gprs, k->mb.entry, k->mb.info_gpa);
}
