/* See linux.h. Rules from the Linux x86 boot protocol (Documentation/arch/x86/boot.rst):
 * "Loading the rest of the kernel", "Running the kernel", "The 32-bit boot protocol". */
#include <stdarg.h>
#include "svm/load/linux.h"
#include "svm/load/multiboot.h"
#include "svm/cr_shadow.h"
#include "svm/guest_mem.h"
#include "svm/dev/acpi.h"
#include "svm/dev/hpet.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define SECTOR 512
#define SETUP_SECTS_DEFAULT 4 /* setup_sects 0 means 4 (boot.rst) */
#define KERNEL_MIN_GPA 0x1000000ULL /* relocatable kernels go no lower than 16 MiB */
#define LEGACY_RAM_END 0x9FC00ULL   /* below the EBDA, as a PC BIOS reports */
#define BIOS_ROM_START LINUX_ACPI_GPA
#define HIGH_RAM_START 0x100000ULL
#define INITRD_ALIGN 0x1000ULL
/* LINUX_CMDLINE_GPA is below the legacy RAM end and above the zero page. */
#define CMDLINE_MAX (0x9F000ULL - LINUX_CMDLINE_GPA)

static bool PRINTF_LIKE(3, 4) failf(char *err, unsigned errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

static struct linux_setup_header header_of(const void *image)
{
	struct linux_setup_header h;
	memcpy(&h, (const u8 *)image + LINUX_HDR_OFFSET, sizeof(h));
	return h;
}

bool svm_linux_is_bzimage(const void *image, u64 size)
{
	if (size < LINUX_HDR_OFFSET + sizeof(struct linux_setup_header))
		return false;
	struct linux_setup_header h = header_of(image);
	return h.boot_flag == LINUX_BOOT_FLAG && h.header == LINUX_HDR_MAGIC;
}

static u64 align_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

static u64 ram_size(const struct vm *vm)
{
	return vm->nr_ram ? vm->ram[0].gpa + vm->ram[0].size : 0;
}

/* Where the protected-mode kernel goes: pref_address if the kernel's whole init_size fits
 * there, else (relocatable only) the first kernel_alignment boundary from 16 MiB. */
static bool place_kernel(const struct linux_setup_header *h, u64 ram, u64 *load, char *err, unsigned errlen)
{
	u64 need = h->init_size;
	u64 pref = h->pref_address ? h->pref_address : HIGH_RAM_START;
	if (pref + need <= ram) {
		*load = pref;
		return true;
	}
	if (!h->relocatable_kernel)
		return failf(err, errlen, "the kernel is not relocatable and needs RAM up to 0x%llx (guest RAM ends at 0x%llx)",
			     (unsigned long long)(pref + need), (unsigned long long)ram);
	u64 align = h->kernel_alignment ? h->kernel_alignment : LARGE_PAGE_SIZE;
	if (align & (align - 1))
		return failf(err, errlen, "kernel_alignment 0x%llx is not a power of two", (unsigned long long)align);
	u64 at = align_up(KERNEL_MIN_GPA, align);
	if (at + need > ram)
		return failf(err, errlen, "the kernel needs %llu MiB of RAM from 16 MiB (init_size) but the guest has %llu MiB",
			     (unsigned long long)((need >> 20) + 1), (unsigned long long)(ram >> 20));
	*load = at;
	return true;
}

static unsigned build_e820(struct linux_boot_params *bp, u64 ram)
{
	/* RAM only, with the legacy holes: conventional memory up to the EBDA, the BIOS area
	 * reserved, 640K-960K (VGA, option ROMs) absent, then RAM from 1 MiB. */
	const struct linux_e820_entry map[] = {
		{ 0, LEGACY_RAM_END, LINUX_E820_RAM },
		{ LEGACY_RAM_END, 0xA0000ULL - LEGACY_RAM_END, LINUX_E820_RESERVED },
		{ BIOS_ROM_START, HIGH_RAM_START - BIOS_ROM_START, LINUX_E820_RESERVED },
		{ HIGH_RAM_START, ram - HIGH_RAM_START, LINUX_E820_RAM },
	};
	memcpy(bp->e820_table, map, sizeof(map));
	return ARRAY_SIZE(map);
}

/* A flat GDT: two null entries (the protocol's selectors start at 0x10), code and data; the
 * 64-bit entry's __BOOT_CS is a long-mode code segment (L = 1, D = 0: APM vol. 2, 4.8.1). */
#define GDT_ENTRIES 4
static const u64 linux_gdt32[GDT_ENTRIES] = {
	0, 0,
	0x00CF9B000000FFFFULL, /* 0x10: 32-bit code, base 0, limit 4 GiB, accessed */
	0x00CF93000000FFFFULL, /* 0x18: data, base 0, limit 4 GiB, accessed */
};
static const u64 linux_gdt64[GDT_ENTRIES] = {
	0, 0,
	0x00AF9B000000FFFFULL, /* 0x10: 64-bit code, accessed */
	0x00CF93000000FFFFULL, /* 0x18: data, base 0, limit 4 GiB, accessed */
};

/* The 64-bit entry's identity map (boot.rst: the kernel's init_size range, the zero page and
 * the command line must be identity mapped; firmware maps all of the low 4 GiB). 2 MiB pages
 * (APM vol. 2, 5.3.4), present, writable, accessed and dirty so the walk writes nothing; the
 * encryption bit on the tables and on every page holding RAM, as OVMF's SEV page tables have
 * it, and clear above RAM, where the MMIO pages are shared. */
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_TABLE (PTE_P | PTE_RW | PTE_A)
#define PTE_2M (PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS)
#define PT_ENTRIES 512
#define PT_PAGE 0x1000ULL
_Static_assert(LINUX_PT_GPA == LINUX_BOOT_PARAMS_GPA + PT_PAGE && LINUX_PT_END <= LINUX_CMDLINE_GPA,
	       "the page tables sit between the zero page and the command line");

static bool build_identity_map(struct vm *vm, u64 ram, u64 enc)
{
	u64 *pml4 = svm_gpa_ptr(vm, LINUX_PT_GPA, LINUX_PT_END - LINUX_PT_GPA);
	if (!pml4)
		return false;
	memset(pml4, 0, LINUX_PT_END - LINUX_PT_GPA);
	u64 *pdpt = pml4 + PT_ENTRIES, *pd = pdpt + PT_ENTRIES;
	u64 pdpt_gpa = LINUX_PT_GPA + PT_PAGE;
	pml4[0] = pdpt_gpa | enc | PTE_TABLE;
	for (unsigned i = 0; i < LINUX_PT_PDS; i++)
		pdpt[i] = (pdpt_gpa + (1 + i) * PT_PAGE) | enc | PTE_TABLE;
	for (unsigned i = 0; i < LINUX_PT_PDS * PT_ENTRIES; i++) {
		u64 gpa = (u64)i * LARGE_PAGE_SIZE;
		pd[i] = gpa | (gpa < ram ? enc : 0) | PTE_2M;
	}
	return true;
}

bool svm_linux_load(struct vm *vm, const void *image, u64 size, const struct svm_linux_load_params *p,
		    struct svm_linux_load_result *res, char *err, unsigned errlen)
{
	memset(res, 0, sizeof(*res));
	const u8 *img = image;
	if (!svm_linux_is_bzimage(image, size))
		return failf(err, errlen, "not a bzImage: no boot sector signature 0xAA55 at 0x1FE with a \"HdrS\" header at 0x202 (%llu bytes)",
			     (unsigned long long)size);
	struct linux_setup_header h = header_of(image);
	res->version = h.version;
	if (h.version < LINUX_MIN_VERSION)
		return failf(err, errlen, "boot protocol %u.%02u is too old: 2.12 or later is needed", h.version >> 8,
			     h.version & 0xFF);
	if (!(h.loadflags & LINUX_LOADED_HIGH))
		return failf(err, errlen, "a zImage (loadflags 0x%x: not loaded high) is not supported", h.loadflags);
	if (p->entry64 && !(h.xloadflags & LINUX_XLF_KERNEL_64))
		return failf(err, errlen, "the kernel has no 64-bit entry (xloadflags 0x%x lacks XLF_KERNEL_64)", h.xloadflags);
	unsigned sects = h.setup_sects ? h.setup_sects : SETUP_SECTS_DEFAULT;
	u64 setup_size = (u64)(sects + 1) * SECTOR;
	if (setup_size >= size)
		return failf(err, errlen, "the setup code (%u sectors) reaches past the end of the image (%llu bytes)",
			     sects, (unsigned long long)size);
	u64 kernel_size = size - setup_size;
	if ((u64)h.syssize * 16 > kernel_size)
		return failf(err, errlen, "the protected-mode kernel is truncated: syssize says %llu bytes, the file has %llu",
			     (unsigned long long)h.syssize * 16, (unsigned long long)kernel_size);
	if (h.init_size < kernel_size)
		return failf(err, errlen, "init_size 0x%x is smaller than the protected-mode kernel (0x%llx bytes)",
			     h.init_size, (unsigned long long)kernel_size);
	u64 ram = ram_size(vm);
	u64 load = 0;
	if (!place_kernel(&h, ram, &load, err, errlen))
		return false;
	u64 cmd_len = p->cmdline ? strlen(p->cmdline) : 0;
	if (cmd_len > h.cmdline_size || cmd_len >= CMDLINE_MAX)
		return failf(err, errlen, "command line of %llu bytes is longer than the kernel's limit of %u",
			     (unsigned long long)cmd_len, h.cmdline_size);
	/* The initrd: page-aligned, as high as RAM and initrd_addr_max allow, clear of the kernel. */
	u64 initrd_gpa = 0;
	if (p->initrd_size) {
		u64 limit = (u64)h.initrd_addr_max + 1;
		if (limit > ram)
			limit = ram;
		if (p->initrd_size > limit)
			return failf(err, errlen, "the initrd (%llu bytes) does not fit below 0x%llx",
				     (unsigned long long)p->initrd_size, (unsigned long long)limit);
		initrd_gpa = (limit - p->initrd_size) & ~(INITRD_ALIGN - 1);
		if (initrd_gpa < load + h.init_size)
			return failf(err, errlen, "the initrd (%llu bytes) does not fit between the kernel and 0x%llx",
				     (unsigned long long)p->initrd_size, (unsigned long long)limit);
	}

	/* The zero page: the image's setup header as far as it goes (0x202 + the byte at 0x201),
	 * then what the loader must fill in. */
	struct linux_boot_params *bp = svm_gpa_ptr(vm, LINUX_BOOT_PARAMS_GPA, sizeof(*bp));
	if (!bp || !svm_gpa_write(vm, load, img + setup_size, kernel_size) ||
	    !svm_gpa_write(vm, LINUX_GDT_GPA, p->entry64 ? linux_gdt64 : linux_gdt32, sizeof(linux_gdt32)) ||
	    (p->entry64 && !build_identity_map(vm, ram, p->enc_mask)) ||
	    !svm_gpa_write(vm, LINUX_CMDLINE_GPA, p->cmdline ? p->cmdline : "", cmd_len + 1) ||
	    (p->initrd_size && !svm_gpa_write(vm, initrd_gpa, p->initrd, p->initrd_size)))
		return failf(err, errlen, "guest RAM (%llu MiB) is too small for the kernel's layout", (unsigned long long)(ram >> 20));
	memset(bp, 0, sizeof(*bp));
	u64 hdr_len = 0x202 + img[0x201] - LINUX_HDR_OFFSET;
	if (hdr_len > sizeof(bp->hdr))
		hdr_len = sizeof(bp->hdr);
	memcpy(&bp->hdr, img + LINUX_HDR_OFFSET, hdr_len);
	bp->hdr.type_of_loader = LINUX_LOADER_UNDEFINED;
	bp->hdr.code32_start = (u32)load;
	bp->hdr.cmd_line_ptr = (u32)LINUX_CMDLINE_GPA;
	bp->hdr.ramdisk_image = (u32)initrd_gpa;
	bp->hdr.ramdisk_size = (u32)p->initrd_size;
	bp->alt_mem_k = (u32)((ram - HIGH_RAM_START) >> 10);
	bp->e820_entries = (u8)build_e820(bp, ram);
	/* The ACPI tables (svm/dev/acpi.h), announced through acpi_rsdp_addr (protocol 2.14; an
	 * older kernel finds the RSDP by its scan of 0xE0000-0xFFFFF). */
	u8 *acpi = svm_gpa_ptr(vm, LINUX_ACPI_GPA, ACPI_TABLES_SIZE);
	if (!acpi)
		return failf(err, errlen, "guest RAM (%llu MiB) is too small for the kernel's layout", (unsigned long long)(ram >> 20));
	memset(acpi, 0, ACPI_TABLES_SIZE);
	dev_acpi_build(acpi, LINUX_ACPI_GPA, dev_hpet_capabilities());
	bp->acpi_rsdp_addr = LINUX_ACPI_GPA;

	res->kernel_gpa = load;
	res->kernel_end = load + h.init_size;
	res->initrd_gpa = initrd_gpa;
	res->entry = load + (p->entry64 ? LINUX_ENTRY64_OFFSET : 0);
	res->entry64 = p->entry64;
	res->e820_entries = bp->e820_entries;
	return true;
}

#define GDT_LIMIT (sizeof(linux_gdt32) - 1)

void svm_linux_entry_state(struct vmcb *vmcb, struct svm_gprs *gprs, const struct svm_linux_load_result *res)
{
	/* The Multiboot entry is the same machine state (32-bit flat protected mode, paging and
	 * interrupts off); the protocol's selectors, GDT and registers differ. */
	svm_multiboot_entry_state(vmcb, gprs, (u32)res->entry, 0);
	struct vmcb_save *s = &vmcb->save;
	s->cs.selector = LINUX_BOOT_CS;
	s->ds.selector = s->es.selector = s->fs.selector = s->gs.selector = s->ss.selector = LINUX_BOOT_DS;
	s->gdtr = (struct vmcb_seg){ 0, 0, GDT_LIMIT, LINUX_GDT_GPA };
	s->rax = 0;
	memset(gprs, 0, sizeof(*gprs));
	gprs->rsi = LINUX_BOOT_PARAMS_GPA;
	if (!res->entry64)
		return;
	/* Long mode (APM vol. 2, 14.6.1: LMA = LME and PG, which needs PAE): the hidden CS
	 * attributes match the GDT's 64-bit __BOOT_CS (L set, D clear). */
	s->rip = res->entry;
	s->cs.attrib = (u16)((s->cs.attrib & ~SVM_SEG_DB) | SVM_SEG_L);
	s->efer |= EFER_LME | EFER_LMA;
	s->cr0 |= CR0_PG;
	s->cr4 |= CR4_PAE;
	s->cr3 = LINUX_PT_GPA;
}
