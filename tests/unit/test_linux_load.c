/* svm/load/linux.c against synthetic bzImages, well-formed and malformed.
 *
 * Vectors: the Linux x86 boot protocol (Documentation/arch/x86/boot.rst): boot_flag 0xAA55 at
 * 0x1FE, header "HdrS" (0x53726448) at 0x202, version at 0x206 (2.12 = 0x020C introduced
 * xloadflags), setup_sects at 0x1F1 (0 means 4), the protected-mode kernel starts at
 * (setup_sects + 1) * 512, syssize at 0x1F4 in 16-byte units, loadflags bit 0 LOADED_HIGH,
 * type_of_loader at 0x210 (0xFF: undefined loader), cmd_line_ptr 0x228, initrd_addr_max 0x22C,
 * kernel_alignment 0x230, relocatable_kernel 0x234, cmdline_size 0x238, pref_address 0x258,
 * init_size 0x260; the header copied into boot_params runs to 0x202 + the byte at 0x201;
 * "The 32-bit boot protocol": __BOOT_CS 0x10 and __BOOT_DS 0x18 flat, ESI = boot_params,
 * EBP = EDI = EBX = 0, interrupts off. e820 types: 1 RAM, 2 reserved.
 * "64-bit BOOT PROTOCOL": entry at the protected-mode kernel + 0x200 (XLF_KERNEL_64, xloadflags
 * bit 0), 64-bit mode with paging on, identity-mapped init_size range, zero page and command
 * line, __BOOT_CS/__BOOT_DS 4G flat, RSI = boot_params. Long-mode state (APM vol. 2, 14.6.1):
 * EFER.LME (bit 8) and LMA (bit 10), CR0.PG (bit 31), CR4.PAE (bit 5); CS.L (descriptor bit 53)
 * set with D (bit 54) clear. 2 MiB PDE (APM vol. 2, 5.3.4): P bit 0, R/W bit 1, PS bit 7. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/load/linux.h"

#define RAM (64u << 20)
#define IMG_SETUP_SECTS 3
#define IMG_KERNEL_BYTES 0x3000
#define IMG_SIZE ((IMG_SETUP_SECTS + 1) * 512 + IMG_KERNEL_BYTES)

static struct vm vm;
static u8 *ram;
static u8 img[IMG_SIZE];
static char err[200];

static void put16(u32 off, u16 v) { memcpy(img + off, &v, 2); }
static void put32(u32 off, u32 v) { memcpy(img + off, &v, 4); }
static void put64(u32 off, u64 v) { memcpy(img + off, &v, 8); }

/* A 6.1-like header: protocol 2.15, relocatable, 2 MiB alignment, prefers 16 MiB. */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	img[0x1F1] = IMG_SETUP_SECTS;
	put32(0x1F4, IMG_KERNEL_BYTES / 16);
	put16(0x1FE, 0xAA55);
	img[0x200] = 0xEB;
	img[0x201] = 0x6A; /* header ends at 0x202 + 0x6A = 0x26C */
	put32(0x202, 0x53726448);
	put16(0x206, 0x020F);
	img[0x211] = 0x01;
	put32(0x22C, 0x7FFFFFFF);
	put32(0x230, 0x200000);
	img[0x234] = 1;
	put16(0x236, 0x7F);
	put32(0x238, 2047);
	put64(0x258, 0x1000000);
	put32(0x260, 0x100000);
	for (u32 i = (IMG_SETUP_SECTS + 1) * 512; i < IMG_SIZE; i++)
		img[i] = (u8)(i * 7);
}

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, RAM);
	assert_non_null(ram);
	memset(&vm, 0, sizeof(vm));
	vm.ram[0] = (struct ram_slot){ 0, RAM, ram };
	vm.nr_ram = 1;
	make_image();
	err[0] = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static bool load(const char *cmdline, const void *initrd, u64 initrd_size, struct svm_linux_load_result *r)
{
	struct svm_linux_load_params p = { cmdline, initrd, initrd_size, false, 0 };
	return svm_linux_load(&vm, img, sizeof(img), &p, r, err, sizeof(err));
}

static bool load64(u64 enc_mask, struct svm_linux_load_result *r)
{
	struct svm_linux_load_params p = { "", NULL, 0, true, enc_mask };
	return svm_linux_load(&vm, img, sizeof(img), &p, r, err, sizeof(err));
}

/* The page-table entry that maps gpa through CR3 (4-level, 2 MiB pages), or 0. */
static u64 walk_2m(u64 cr3, u64 gpa, u64 enc)
{
	u64 addr_mask = 0x000FFFFFFFFFF000ULL & ~enc;
	u64 table = cr3;
	static const unsigned shifts[3] = { 39, 30, 21 };
	u64 e = 0;
	for (unsigned l = 0; l < 3; l++) {
		memcpy(&e, ram + (table & addr_mask) + ((gpa >> shifts[l]) & 511) * 8, 8);
		if (!(e & 1))
			return 0;
		if (l < 2)
			assert_int_equal(e & enc, enc); /* the tables themselves are encrypted memory */
		table = e;
	}
	return e;
}

static void entry_state_64bit_protocol(void **state)
{
	(void)state;
	const u64 cbit = 1ULL << 47;
	struct svm_linux_load_result r;
	assert_true(load64(cbit, &r));
	assert_int_equal(r.entry, 0x1000000 + 0x200);
	struct vmcb *vmcb = calloc(1, sizeof(*vmcb));
	struct svm_gprs g;
	memset(&g, 0xAA, sizeof(g));
	svm_linux_entry_state(vmcb, &g, &r);
	const struct vmcb_save *s = &vmcb->save;
	assert_int_equal(s->rip, 0x1000200);
	assert_int_equal(s->efer & ((1u << 8) | (1u << 10)), (1u << 8) | (1u << 10));
	assert_int_equal(s->cr0 & 0x80000001u, 0x80000001u);
	assert_int_equal(s->cr4 & (1u << 5), 1u << 5);
	assert_int_equal(s->rflags & (1u << 9), 0);
	assert_int_equal(s->cs.selector, 0x10);
	assert_int_equal(s->ds.selector, 0x18);
	assert_int_equal(s->ss.selector, 0x18);
	assert_int_equal(g.rsi, 0x7000);
	/* VMCB attributes: L is bit 9, D/B bit 10 (APM vol. 2, table B-2 segment attrib). */
	assert_int_equal(s->cs.attrib & ((1u << 9) | (1u << 10)), 1u << 9);
	u64 gdt[4];
	memcpy(gdt, ram + s->gdtr.base, sizeof(gdt));
	assert_int_equal((gdt[2] >> 53) & 3, 1); /* L = 1, D = 0 */
	assert_int_equal((gdt[2] >> 40) & 0x9A, 0x9A);
	assert_int_equal((gdt[3] >> 40) & 0x92, 0x92);
	/* Identity map: the kernel, zero page, command line and the top of RAM with the C-bit;
	 * the local APIC page (above RAM) without it. */
	const u64 mapped[] = { 0x1000000, 0x1000200 + 0xFFFFF, 0x7000, 0x20000, RAM - 1 };
	for (unsigned i = 0; i < sizeof(mapped) / sizeof(mapped[0]); i++) {
		u64 e = walk_2m(s->cr3, mapped[i], cbit);
		assert_int_equal(e & 0x83, 0x83);
		assert_int_equal(e & cbit, cbit);
		assert_int_equal(e & ~cbit & 0x000FFFFFFFE00000ULL, mapped[i] & ~0x1FFFFFULL);
	}
	u64 apic = walk_2m(s->cr3, 0xFEE00000, cbit);
	assert_int_equal(apic & 0x83, 0x83);
	assert_int_equal(apic & cbit, 0);
	assert_int_equal(apic & 0x000FFFFFFFE00000ULL, 0xFEE00000 & ~0x1FFFFFULL);
	free(vmcb);
}

static void entry64_needs_xlf_kernel_64(void **state)
{
	(void)state;
	put16(0x236, 0x7E);
	struct svm_linux_load_result r;
	assert_false(load64(0, &r));
	assert_non_null(strstr(err, "XLF_KERNEL_64"));
	assert_true(load("", NULL, 0, &r)); /* the 32-bit entry does not need it */
}

static void good_image_layout(void **state)
{
	(void)state;
	static const u8 initrd[5000] = { 1, 2, 3 };
	struct svm_linux_load_result r;
	assert_true(load("console=ttyS0", initrd, sizeof(initrd), &r));
	assert_int_equal(r.version, 0x020F);
	assert_int_equal(r.kernel_gpa, 0x1000000);
	assert_int_equal(r.entry, 0x1000000);
	assert_memory_equal(ram + 0x1000000, img + 4 * 512, IMG_KERNEL_BYTES);
	const struct linux_boot_params *bp = (const void *)(ram + 0x7000);
	assert_int_equal(bp->hdr.boot_flag, 0xAA55);
	assert_int_equal(bp->hdr.type_of_loader, 0xFF);
	assert_int_equal(bp->hdr.cmd_line_ptr, 0x20000);
	assert_string_equal((const char *)ram + 0x20000, "console=ttyS0");
	/* The initrd: page-aligned, at the top of RAM (below initrd_addr_max). */
	assert_int_equal(bp->hdr.ramdisk_size, sizeof(initrd));
	assert_int_equal(bp->hdr.ramdisk_image, (RAM - sizeof(initrd)) & ~0xFFFu);
	assert_memory_equal(ram + bp->hdr.ramdisk_image, initrd, sizeof(initrd));
	/* e820: RAM below 0x9FC00, reserved holes, RAM from 1 MiB to the end. */
	assert_int_equal(bp->e820_entries, 4);
	assert_int_equal(bp->e820_table[0].addr, 0);
	assert_int_equal(bp->e820_table[0].size, 0x9FC00);
	assert_int_equal(bp->e820_table[0].type, 1);
	assert_int_equal(bp->e820_table[2].addr, 0xF0000);
	assert_int_equal(bp->e820_table[2].type, 2);
	assert_int_equal(bp->e820_table[3].addr, 0x100000);
	assert_int_equal(bp->e820_table[3].addr + bp->e820_table[3].size, RAM);
	assert_int_equal(bp->e820_table[3].type, 1);
	/* Only the header part of boot_params comes from the image; the rest is zero but for the
	 * ACPI RSDP's address (boot.rst, acpi_rsdp_addr), inside the reserved BIOS area, where the
	 * RSDP's signature is. */
	assert_int_equal(bp->acpi_rsdp_addr, 0xF0000);
	assert_memory_equal(ram + bp->acpi_rsdp_addr, "RSD PTR ", 8);
	assert_int_equal(bp->sentinel, 0);
}

/* SEV-ES guests get the same ACPI tables: their kernel maps them encrypted, so the launch
 * measures them with the kernel (sev_linux_regions; tests/unit/test_sev_mailbox.c). */
static void acpi_tables_for_sev_es_too(void **state)
{
	(void)state;
	static const enum vm_mode modes[] = { VM_MODE_SOFT_ES, VM_MODE_SEV_ES };
	for (unsigned i = 0; i < ARRAY_SIZE(modes); i++) {
		struct svm_linux_load_result r;
		vm.mode = modes[i];
		memset(ram + 0xF0000, 0, 0x10000);
		assert_true(load("", NULL, 0, &r));
		const struct linux_boot_params *bp = (const void *)(ram + LINUX_BOOT_PARAMS_GPA);
		assert_int_equal(bp->acpi_rsdp_addr, 0xF0000);
		assert_memory_equal(ram + 0xF0000, "RSD PTR ", 8);
	}
}

static void entry_state_32bit_protocol(void **state)
{
	(void)state;
	struct svm_linux_load_result r;
	assert_true(load("", NULL, 0, &r));
	struct vmcb *vmcb = calloc(1, sizeof(*vmcb));
	struct svm_gprs g;
	memset(&g, 0xAA, sizeof(g));
	svm_linux_entry_state(vmcb, &g, &r);
	assert_int_equal(vmcb->save.cs.selector, 0x10);
	assert_int_equal(vmcb->save.ds.selector, 0x18);
	assert_int_equal(vmcb->save.ss.selector, 0x18);
	assert_int_equal(vmcb->save.cr0 & 0x80000001u, 1); /* PE, no paging */
	assert_int_equal(vmcb->save.rflags & (1u << 9), 0); /* IF = 0 */
	assert_int_equal(vmcb->save.rip, 0x1000000);
	assert_int_equal(g.rsi, 0x7000);
	assert_int_equal(g.rbx | g.rdi | g.rbp, 0);
	/* The GDT holds flat __BOOT_CS (execute/read) and __BOOT_DS (read/write). */
	u64 gdt[4];
	memcpy(gdt, ram + vmcb->save.gdtr.base, sizeof(gdt));
	assert_true(vmcb->save.gdtr.limit >= 0x1F);
	assert_int_equal((gdt[2] >> 40) & 0x9A, 0x9A);
	assert_int_equal((gdt[3] >> 40) & 0x92, 0x92);
	free(vmcb);
}

static void setup_sects_zero_means_four(void **state)
{
	(void)state;
	img[0x1F1] = 0; /* the kernel then starts at 5 * 512 */
	put32(0x1F4, (IMG_SIZE - 5 * 512) / 16);
	struct svm_linux_load_result r;
	assert_true(load("", NULL, 0, &r));
	assert_memory_equal(ram + 0x1000000, img + 5 * 512, 16);
}

static void relocated_when_preferred_address_does_not_fit(void **state)
{
	(void)state;
	put64(0x258, 0x3F00000); /* prefers 63 MiB ...                          */
	put32(0x260, 0x200000);   /* ... but needs 2 MiB there: past the 64 MiB end */
	struct svm_linux_load_result r;
	assert_true(load("", NULL, 0, &r));
	assert_int_equal(r.kernel_gpa, 0x1000000); /* first 2 MiB boundary from 16 MiB */
	img[0x234] = 0; /* not relocatable: refused */
	assert_false(load("", NULL, 0, &r));
	assert_non_null(strstr(err, "not relocatable"));
}

struct bad {
	const char *what;
	u32 off;
	u32 value;
	unsigned width;
	const char *reason;
};

static void malformed_headers(void **state)
{
	(void)state;
	static const struct bad cases[] = {
		{ "no boot flag", 0x1FE, 0x0000, 2, "not a bzImage" },
		{ "no HdrS", 0x202, 0x12345678, 4, "not a bzImage" },
		{ "protocol 2.11", 0x206, 0x020B, 2, "2.11 is too old" },
		{ "protocol 2.00", 0x206, 0x0200, 2, "2.00 is too old" },
		{ "zImage", 0x211, 0x00, 1, "zImage" },
		{ "setup past the end", 0x1F1, 40, 1, "past the end" },
		{ "syssize too big", 0x1F4, IMG_KERNEL_BYTES / 16 + 1, 4, "truncated" },
		{ "init_size too small", 0x260, IMG_KERNEL_BYTES - 1, 4, "init_size" },
		{ "init_size larger than RAM", 0x260, RAM, 4, "MiB of RAM" },
		{ "alignment not a power of two", 0x230, 0x300000, 4, "power of two" },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		make_image();
		const struct bad *c = &cases[i];
		memcpy(img + c->off, &c->value, c->width);
		if (c->off == 0x230)
			put64(0x258, RAM); /* force relocation so the alignment matters */
		struct svm_linux_load_result r;
		err[0] = 0;
		if (load("", NULL, 0, &r)) {
			print_error("%s: accepted\n", c->what);
			fail();
		}
		if (!strstr(err, c->reason)) {
			print_error("%s: reason \"%s\" lacks \"%s\"\n", c->what, err, c->reason);
			fail();
		}
	}
	/* A file shorter than the header is not a bzImage at all. */
	assert_false(svm_linux_is_bzimage(img, 0x200));
	assert_true(svm_linux_is_bzimage(img, sizeof(img)));
}

static void cmdline_and_initrd_limits(void **state)
{
	(void)state;
	put32(0x238, 8);
	struct svm_linux_load_result r;
	assert_true(load("12345678", NULL, 0, &r));
	assert_false(load("123456789", NULL, 0, &r));
	assert_non_null(strstr(err, "command line"));
	/* initrd_addr_max below the kernel's end: nowhere to put it. */
	make_image();
	put32(0x22C, 0x10FFFFF);
	static const u8 initrd[0x2000];
	assert_false(load("", initrd, sizeof(initrd), &r));
	assert_non_null(strstr(err, "initrd"));
	/* initrd_addr_max respected. */
	put32(0x22C, 0x1FFFFFF);
	assert_true(load("", initrd, sizeof(initrd), &r));
	assert_int_equal(r.initrd_gpa, 0x2000000 - 0x2000);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(good_image_layout),
		T(acpi_tables_for_sev_es_too),
		T(entry_state_32bit_protocol),
		T(entry_state_64bit_protocol),
		T(entry64_needs_xlf_kernel_64),
		T(setup_sects_zero_means_four),
		T(relocated_when_preferred_address_does_not_fit),
		T(malformed_headers),
		T(cmdline_and_initrd_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
