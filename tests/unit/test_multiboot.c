/* svm/load/multiboot: the Multiboot v1 ELF loader (Multiboot spec 0.6.96, sections 3.1-3.3) against
 * ELF32 and ELF64 images built in memory, loaded into a malloc-backed vm. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm/load/multiboot.h"
#include "svm/guest_mem.h"
#include "svm/vcpu.h"
#include "mb_image_builder.h"

#define RAM_SIZE MiB(16)
#define FILL 0xCC

struct fixture {
	struct vm vm;
	u8 *ram[2];
	u64 ram_size[2];
	char err[256];
	struct svm_mb_load_result res;
};

static void add_slot(struct fixture *f, unsigned i, u64 gpa, u64 size)
{
	f->ram[i] = malloc(size);
	memset(f->ram[i], FILL, size);
	f->ram_size[i] = size;
	f->vm.ram[i] = (struct ram_slot){ gpa, size, f->ram[i] };
	f->vm.nr_ram = i + 1;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	add_slot(f, 0, 0, RAM_SIZE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 0; i < 2; i++)
		free(f->ram[i]);
	free(f);
	return 0;
}

static bool ram_untouched(const struct fixture *f)
{
	for (unsigned s = 0; s < f->vm.nr_ram; s++)
		for (u64 i = 0; i < f->ram_size[s]; i++)
			if (f->ram[s][i] != FILL)
				return false;
	return true;
}

static u8 *gp(struct fixture *f, u64 gpa, u64 len)
{
	u8 *p = svm_gpa_ptr(&f->vm, gpa, len);
	assert_non_null(p);
	return p;
}

static struct svm_mb_info read_info(struct fixture *f)
{
	struct svm_mb_info mbi;
	assert_true(svm_gpa_read(&f->vm, f->res.info_gpa, &mbi, sizeof(mbi)));
	return mbi;
}

static const char *gstr(struct fixture *f, u32 gpa)
{
	const char *s = (const char *)gp(f, gpa, 1);
	/* The string must end inside RAM. */
	assert_non_null(svm_gpa_ptr(&f->vm, gpa, strlen(s) + 1));
	return s;
}

static struct svm_mb_mmap_entry mmap_entry(struct fixture *f, const struct svm_mb_info *mbi,
					   unsigned i)
{
	struct svm_mb_mmap_entry e;
	assert_true((i + 1) * sizeof(e) <= mbi->mmap_length);
	assert_true(svm_gpa_read(&f->vm, mbi->mmap_addr + i * sizeof(e), &e, sizeof(e)));
	assert_int_equal(e.size, 20);
	return e;
}

static bool load(struct fixture *f, const struct img_spec *sp, const struct svm_mb_load_params *p)
{
	u64 size;
	u8 *img = img_build(sp, &size);
	bool ok = svm_multiboot_load(&f->vm, img, size, p, &f->res, f->err, sizeof(f->err));
	free(img);
	return ok;
}

static void check_segment_bytes(struct fixture *f, unsigned s, u64 paddr, u64 filesz, u64 memsz)
{
	const u8 *p = gp(f, paddr, memsz);
	for (u64 i = 0; i < filesz; i++)
		assert_int_equal(p[i], img_pattern(s, i));
	for (u64 i = filesz; i < memsz; i++)
		assert_int_equal(p[i], 0);
}

static void check_segment(struct fixture *f, unsigned s, u64 paddr, u64 filesz, u64 memsz)
{
	const u8 *p = gp(f, paddr, memsz);
	for (u64 i = 0; i < filesz; i++)
		assert_int_equal(p[i], img_pattern(s, i));
	for (u64 i = filesz; i < memsz; i++)
		assert_int_equal(p[i], 0); /* bss zeroed */
	/* The bytes around the segment are untouched. */
	assert_int_equal(*gp(f, paddr - 1, 1), FILL);
	assert_int_equal(*gp(f, paddr + memsz, 1), FILL);
}

/* The shape of a kvm-unit-tests .flat: ELF32, loaded at 4 MiB, text + data/bss. */
static const struct img_spec elf32_kernel = {
	.entry = 0x40000C,
	.nseg = 2,
	.seg = {
		{ .paddr = 0x400000, .filesz = 0x1234, .memsz = 0x1234 },
		{ .paddr = 0x402000, .filesz = 0x300, .memsz = 0x5000 },
	},
	.mb_flags = SVM_MB_HF_PAGE_ALIGN | SVM_MB_HF_MEMINFO,
};

static void test_elf32(void **state)
{
	struct fixture *f = *state;
	struct svm_mb_load_params p = { .cmdline = "x86/apic.flat -smp 1" };
	assert_true(load(f, &elf32_kernel, &p));
	assert_string_equal(f->err, "");
	assert_int_equal(f->res.status, SVM_MB_OK);
	assert_false(f->res.elf64);
	assert_int_equal(f->res.entry, 0x40000C);
	assert_int_equal(f->res.info_gpa, SVM_MB_INFO_GPA);
	assert_int_equal(f->res.image_start, 0x400000);
	assert_int_equal(f->res.image_end, 0x407000);
	check_segment(f, 0, 0x400000, 0x1234, 0x1234);
	check_segment(f, 1, 0x402000, 0x300, 0x5000);
	/* Page 0 stays ordinary RAM: the loader writes nothing there. */
	for (u64 i = 0; i < 0x1000; i++)
		assert_int_equal(*gp(f, i, 1), FILL);

	struct svm_mb_info mbi = read_info(f);
	assert_int_equal(mbi.flags, SVM_MB_INFO_MEM | SVM_MB_INFO_CMDLINE | SVM_MB_INFO_MODS |
					    SVM_MB_INFO_MMAP | SVM_MB_INFO_LOADER_NAME);
	assert_int_equal(mbi.mem_lower, 640);
	assert_int_equal(mbi.mem_upper, (RAM_SIZE - MiB(1)) / 1024);
	assert_string_equal(gstr(f, mbi.cmdline), "x86/apic.flat -smp 1");
	assert_string_equal(gstr(f, mbi.boot_loader_name), "sevisor");
	assert_int_equal(mbi.mods_count, 0);
	assert_int_equal(mbi.mmap_length, 24);
	struct svm_mb_mmap_entry e = mmap_entry(f, &mbi, 0);
	assert_int_equal(e.base_addr, 0);
	assert_int_equal(e.length, RAM_SIZE);
	assert_int_equal(e.type, SVM_MB_MMAP_AVAILABLE);
	/* The whole info area is inside [INFO_GPA, INFO_LIMIT). */
	assert_true(f->res.info_size > sizeof(mbi));
	assert_true(SVM_MB_INFO_GPA + f->res.info_size <= SVM_MB_INFO_LIMIT);
	assert_true(mbi.cmdline < SVM_MB_INFO_GPA + f->res.info_size);
}

/* ELF64 with a higher-half virtual address: the entry is translated to the physical one. */
static void test_elf64_higher_half(void **state)
{
	struct fixture *f = *state;
	const u64 vbase = 0xFFFFFFFF80000000ULL;
	struct img_spec sp = {
		.elf64 = true,
		.entry = vbase + 0x200010,
		.nseg = 3,
		.seg = {
			{ .paddr = 0x200000, .vaddr = vbase + 0x200000, .filesz = 0x800, .memsz = 0x800 },
			{ .type = 4 /* PT_NOTE: ignored */, .paddr = 0, .filesz = 0x10, .memsz = 0x10 },
			{ .paddr = 0x300000, .vaddr = vbase + 0x300000, .filesz = 0, .memsz = 0x2000 },
		},
	};
	assert_true(load(f, &sp, NULL));
	assert_true(f->res.elf64);
	assert_int_equal(f->res.entry, 0x200010);
	check_segment(f, 0, 0x200000, 0x800, 0x800);
	check_segment(f, 2, 0x300000, 0, 0x2000);
	struct svm_mb_info mbi = read_info(f);
	assert_string_equal(gstr(f, mbi.cmdline), "");
}

static void test_modules(void **state)
{
	struct fixture *f = *state;
	u8 *m0 = malloc(5000), m1[10];
	for (unsigned i = 0; i < 5000; i++)
		m0[i] = (u8)(i * 13);
	memset(m1, 0x5A, sizeof(m1));
	struct svm_mb_module_src mods[3] = {
		{ m0, 5000, "initrd.img root=1" },
		{ m1, sizeof(m1), "env" },
		{ NULL, 0, NULL }, /* empty module, no string */
	};
	struct svm_mb_load_params p = { .cmdline = "k", .modules = mods, .nr_modules = 3 };
	assert_true(load(f, &elf32_kernel, &p));

	struct svm_mb_info mbi = read_info(f);
	assert_true(mbi.flags & SVM_MB_INFO_MODS);
	assert_int_equal(mbi.mods_count, 3);
	struct svm_mb_module m[3];
	assert_true(svm_gpa_read(&f->vm, mbi.mods_addr, m, sizeof(m)));
	/* Page aligned, right above the kernel image (which ends at 0x407000), in order. */
	assert_int_equal(m[0].mod_start, 0x407000);
	assert_int_equal(m[0].mod_end, 0x407000 + 5000);
	assert_int_equal(m[1].mod_start, 0x409000);
	assert_int_equal(m[1].mod_end, 0x409000 + 10);
	assert_int_equal(m[2].mod_start, 0x40A000);
	assert_int_equal(m[2].mod_end, 0x40A000);
	assert_memory_equal(gp(f, m[0].mod_start, 5000), m0, 5000);
	assert_memory_equal(gp(f, m[1].mod_start, 10), m1, 10);
	assert_string_equal(gstr(f, m[0].string), "initrd.img root=1");
	assert_string_equal(gstr(f, m[1].string), "env");
	assert_string_equal(gstr(f, m[2].string), "");
	assert_int_equal(m[0].reserved, 0);
	assert_int_equal(f->res.mods_end, 0x40A000);
	/* The kernel is intact. */
	check_segment_bytes(f, 1, 0x402000, 0x300, 0x5000);
	free(m0);
}

/* Two RAM slots and reserved ranges: the map tells the truth, sorted, and modules step over
 * reserved memory. */
static void test_mmap_reserved(void **state)
{
	struct fixture *f = *state;
	free(f->ram[0]);
	add_slot(f, 0, 0, MiB(3));
	add_slot(f, 1, MiB(4), MiB(4));
	struct svm_mb_range res[2] = {
		{ 0x200000, 0x1000 }, /* listed first out of order on purpose */
		{ 0xA0000, 0x60000 },
	};
	u8 mod[100];
	memset(mod, 0x77, sizeof(mod));
	struct svm_mb_module_src mods[1] = { { mod, sizeof(mod), "m" } };
	struct svm_mb_load_params p = { .modules = mods, .nr_modules = 1, .reserved = res,
					.nr_reserved = 2 };
	struct img_spec sp = {
		.entry = 0x100000,
		.nseg = 1,
		.seg = { { .paddr = 0x100000, .filesz = 0x100, .memsz = 0xFF800 } }, /* ends 0x1FF800 */
	};
	assert_true(load(f, &sp, &p));
	struct svm_mb_info mbi = read_info(f);
	assert_int_equal(mbi.mem_lower, 640);
	assert_int_equal(mbi.mem_upper, 1024); /* 1 MiB up to the reserved page at 2 MiB */

	static const struct { u64 base, len; u32 type; } want[] = {
		{ 0x000000, 0xA0000, 1 },  { 0x0A0000, 0x60000, 2 },  { 0x100000, 0x100000, 1 },
		{ 0x200000, 0x1000, 2 },   { 0x201000, 0xFF000, 1 },  { 0x400000, 0x400000, 1 },
	};
	assert_int_equal(mbi.mmap_length, ARRAY_SIZE(want) * 24);
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		struct svm_mb_mmap_entry e = mmap_entry(f, &mbi, i);
		assert_int_equal(e.base_addr, want[i].base);
		assert_int_equal(e.length, want[i].len);
		assert_int_equal(e.type, want[i].type);
	}
	struct svm_mb_module m;
	assert_true(svm_gpa_read(&f->vm, mbi.mods_addr, &m, sizeof(m)));
	assert_int_equal(m.mod_start, 0x201000); /* 0x200000 is reserved */
	assert_memory_equal(gp(f, m.mod_start, sizeof(mod)), mod, sizeof(mod));

	/* A module too big for the first slot's remainder does not fit anywhere contiguous. */
	u8 *big = calloc(1, MiB(1));
	struct svm_mb_module_src bigmod[1] = { { big, MiB(1), "big" } };
	p.modules = bigmod;
	memset(f->ram[0], FILL, f->ram_size[0]);
	memset(f->ram[1], FILL, f->ram_size[1]);
	assert_false(load(f, &sp, &p));
	assert_int_equal(f->res.status, SVM_MB_ERR_NO_ROOM);
	assert_true(ram_untouched(f));
	free(big);
}

static void test_entry_state(void **state)
{
	(void)state;
	struct vmcb *vmcb = calloc(1, sizeof(*vmcb));
	struct svm_gprs g;
	memset(&g, 0xAB, sizeof(g));
	vmcb->control.asid = 7;
	vmcb->save.lstar = 0x1234;
	svm_multiboot_entry_state(vmcb, &g, 0x40000C, 0x1000);
	const struct vmcb_save *s = &vmcb->save;
	assert_int_equal(vmcb->control.asid, 7); /* control area untouched */
	assert_int_equal(s->lstar, 0);           /* save area reset */
	assert_int_equal(s->rip, 0x40000C);
	assert_int_equal(s->rax, 0x2BADB002);
	assert_int_equal(g.rbx, 0x1000);
	assert_int_equal(g.rcx, 0);
	assert_int_equal(g.r15, 0);
	assert_int_equal(s->cr0, 0x11); /* PE | ET, paging off */
	assert_int_equal(s->cr3, 0);
	assert_int_equal(s->cr4, 0);
	assert_int_equal(s->efer, 1u << 12); /* SVME only: no LME, no LMA */
	assert_int_equal(s->rflags, 0x2);     /* IF = 0 */
	assert_int_equal(s->cpl, 0);
	/* Flat 32-bit code: type 0xB, S, P, D, G; base 0; limit 4 GiB - 1. */
	assert_int_equal(s->cs.attrib, 0xC9B);
	assert_int_equal(s->cs.limit, 0xFFFFFFFF);
	assert_int_equal(s->cs.base, 0);
	assert_int_equal(s->cs.selector, 0x08);
	const struct vmcb_seg *data[] = { &s->ds, &s->es, &s->fs, &s->gs, &s->ss };
	for (unsigned i = 0; i < ARRAY_SIZE(data); i++) {
		assert_int_equal(data[i]->attrib, 0xC93);
		assert_int_equal(data[i]->limit, 0xFFFFFFFF);
		assert_int_equal(data[i]->base, 0);
		assert_int_equal(data[i]->selector, 0x10);
	}
	assert_int_equal(s->tr.attrib & 0x8F, 0x8B);
	assert_int_equal(s->dr6, 0xFFFF0FF0);
	assert_int_equal(s->dr7, 0x400);
	assert_int_equal(s->g_pat, 0x0007040600070406ULL);
	svm_multiboot_entry_state(vmcb, NULL, 1, 2); /* gprs optional */
	free(vmcb);
}

/* ---- one test per rejection reason ---- */

struct reject_case {
	const char *name;
	struct img_spec spec;
	enum svm_mb_status want;
	const char *want_text; /* a substring of the reason */
};

static const struct reject_case reject_cases[] = {
	{ "no header", { .no_header = true, .entry = 0x400000, .nseg = 1,
			 .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_NO_HEADER, "0x1BADB002" },
	{ "header past 8192 bytes", { .mb_off = 8192 - 8, .entry = 0x400000, .nseg = 1,
				      .seg = { { .paddr = 0x400000, .filesz = 0x3000, .memsz = 0x3000 } } },
	  SVM_MB_ERR_NO_HEADER, "first 8192" },
	{ "unaligned header", { .mb_off = 0x202, .entry = 0x400000, .nseg = 1,
				.seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_NO_HEADER, "" },
	{ "bad checksum", { .mb_checksum_delta = 1, .entry = 0x400000, .nseg = 1,
			    .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_CHECKSUM, "checksum" },
	{ "video mode required", { .mb_flags = SVM_MB_HF_VIDEO, .entry = 0x400000, .nseg = 1,
				   .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_FLAGS, "video" },
	{ "unknown requirement", { .mb_flags = BIT(5), .entry = 0x400000, .nseg = 1,
				   .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_FLAGS, "unknown" },
	{ "a.out kludge", { .mb_flags = SVM_MB_HF_AOUT_KLUDGE, .entry = 0x400000, .nseg = 1,
			    .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_AOUT_KLUDGE, "flag 16" },
	{ "not ET_EXEC", { .type = 3, .entry = 0x400000, .nseg = 1,
			   .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_NOT_ELF, "ET_EXEC" },
	{ "ELF32 for x86-64", { .machine = SVM_ELF_EM_X86_64, .entry = 0x400000, .nseg = 1,
				.seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_MACHINE, "machine 62" },
	{ "ELF64 for i386", { .elf64 = true, .machine = SVM_ELF_EM_386, .entry = 0x400000, .nseg = 1,
			      .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_MACHINE, "machine 3" },
	{ "segment data past end of file", { .entry = 0x400000, .nseg = 1,
					     .seg = { { .paddr = 0x400000, .filesz = 0x100, .memsz = 0x100,
							.offset = 0x1F80 } } },
	  SVM_MB_ERR_TRUNCATED, "end of the file" },
	{ "segment offset overflow", { .elf64 = true, .entry = 0x400000, .nseg = 1,
				       .seg = { { .paddr = 0x400000, .filesz = 0x2000, .memsz = 0x2000,
						  .offset = 0xFFFFFFFFFFFFF000ULL } } },
	  SVM_MB_ERR_TRUNCATED, "end of the file" },
	{ "filesz > memsz", { .entry = 0x400000, .nseg = 1,
			      .seg = { { .paddr = 0x400000, .filesz = 0x100, .memsz = 0x80 } } },
	  SVM_MB_ERR_SEGMENT, "p_filesz" },
	{ "overlapping segments", { .entry = 0x400000, .nseg = 2,
				    .seg = { { .paddr = 0x400000, .filesz = 0x100, .memsz = 0x2000 },
					     { .paddr = 0x401000, .filesz = 0x100, .memsz = 0x100 } } },
	  SVM_MB_ERR_SEGMENT, "overlaps an earlier" },
	{ "no PT_LOAD", { .entry = 0x400000, .nseg = 1,
			  .seg = { { .type = 4, .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_SEGMENT, "no loadable" },
	{ "segment beyond RAM", { .entry = 0x2000000, .nseg = 1,
				  .seg = { { .paddr = 0x2000000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_OUTSIDE_RAM, "guest RAM" },
	{ "segment straddling the end of RAM", { .entry = 0xFFF000, .nseg = 1,
						 .seg = { { .paddr = 0xFFF000, .filesz = 16, .memsz = 0x2000 } } },
	  SVM_MB_ERR_OUTSIDE_RAM, "guest RAM" },
	{ "ELF32 segment wrapping 4 GiB", { .entry = 0xFFFFF000, .nseg = 1,
					    .seg = { { .paddr = 0xFFFFF000, .filesz = 16, .memsz = 0x2000 } } },
	  SVM_MB_ERR_OUTSIDE_RAM, "4 GiB" },
	{ "ELF64 segment above 4 GiB", { .elf64 = true, .entry = 0x100000000ULL, .nseg = 1,
					 .seg = { { .paddr = 0x100000000ULL, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_OUTSIDE_RAM, "4 GiB" },
	{ "ELF64 memsz overflow", { .elf64 = true, .entry = 0x400000, .nseg = 1,
				    .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = ~0ULL } } },
	  SVM_MB_ERR_OUTSIDE_RAM, "4 GiB" },
	{ "segment over the info block", { .entry = 0x1800, .nseg = 1,
					   .seg = { { .paddr = 0x1800, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_OVERLAP_INFO, "info block" },
	{ "entry outside segments", { .entry = 0x500000, .nseg = 1,
				      .seg = { { .paddr = 0x400000, .filesz = 16, .memsz = 16 } } },
	  SVM_MB_ERR_ENTRY, "e_entry" },
};

static void test_rejections(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 0; i < ARRAY_SIZE(reject_cases); i++) {
		const struct reject_case *rc = &reject_cases[i];
		memset(f->err, 0, sizeof(f->err));
		bool ok = load(f, &rc->spec, NULL);
		if (ok || f->res.status != rc->want || !strstr(f->err, rc->want_text)) {
			fprintf(stderr, "case '%s': ok=%d status=%s reason='%s'\n", rc->name, ok,
				svm_mb_status_name(f->res.status), f->err);
			fail();
		}
		/* The reason starts with the status name. */
		assert_memory_equal(f->err, svm_mb_status_name(rc->want),
				    strlen(svm_mb_status_name(rc->want)));
		assert_true(ram_untouched(f));
	}
}

static void test_reject_not_elf(void **state)
{
	struct fixture *f = *state;
	u8 img[64] = { 0 };
	u32 hdr[3] = { SVM_MB_HEADER_MAGIC, 0, 0u - SVM_MB_HEADER_MAGIC };
	memcpy(img + 16, hdr, sizeof(hdr));
	assert_false(svm_multiboot_load(&f->vm, img, sizeof(img), NULL, &f->res, f->err,
					sizeof(f->err)));
	assert_int_equal(f->res.status, SVM_MB_ERR_NOT_ELF);
	assert_non_null(strstr(f->err, "ELF magic"));
	/* An ELF with class 3. */
	memcpy(img, "\x7f" "ELF\x03\x01\x01", 7);
	assert_false(svm_multiboot_load(&f->vm, img, sizeof(img), NULL, &f->res, f->err,
					sizeof(f->err)));
	assert_int_equal(f->res.status, SVM_MB_ERR_NOT_ELF);
	assert_true(ram_untouched(f));
}

static void test_reject_params(void **state)
{
	struct fixture *f = *state;
	struct svm_mb_module_src mods[SVM_MB_MAX_MODULES + 1] = { { 0 } };
	struct svm_mb_load_params p = { .modules = mods, .nr_modules = SVM_MB_MAX_MODULES + 1 };
	assert_false(load(f, &elf32_kernel, &p));
	assert_int_equal(f->res.status, SVM_MB_ERR_PARAMS);
	struct svm_mb_range bad = { ~0ULL - 10, 100 };
	struct svm_mb_load_params p2 = { .reserved = &bad, .nr_reserved = 1 };
	assert_false(load(f, &elf32_kernel, &p2));
	assert_int_equal(f->res.status, SVM_MB_ERR_PARAMS);
	/* A reserved range over the kernel. */
	struct svm_mb_range over = { 0x401000, 0x1000 };
	struct svm_mb_load_params p3 = { .reserved = &over, .nr_reserved = 1 };
	assert_false(load(f, &elf32_kernel, &p3));
	assert_int_equal(f->res.status, SVM_MB_ERR_OVERLAP_RESERVED);
	/* A module larger than guest RAM. */
	u8 byte = 0;
	struct svm_mb_module_src huge = { &byte, RAM_SIZE, "huge" };
	struct svm_mb_load_params p4 = { .modules = &huge, .nr_modules = 1 };
	assert_false(load(f, &elf32_kernel, &p4));
	assert_int_equal(f->res.status, SVM_MB_ERR_NO_ROOM);
	/* A command line that does not fit the info area. */
	char *longcmd = malloc(SVM_MB_INFO_LIMIT);
	memset(longcmd, 'a', SVM_MB_INFO_LIMIT - 1);
	longcmd[SVM_MB_INFO_LIMIT - 1] = '\0';
	struct svm_mb_load_params p5 = { .cmdline = longcmd };
	assert_false(load(f, &elf32_kernel, &p5));
	assert_int_equal(f->res.status, SVM_MB_ERR_NO_ROOM);
	free(longcmd);
	assert_true(ram_untouched(f));
	/* No error buffer at all is fine. */
	u64 size;
	u8 *img = img_build(&elf32_kernel, &size);
	assert_false(svm_multiboot_load(&f->vm, img, size, &p, &f->res, NULL, 0));
	free(img);
}

/* Every proper prefix of a good image is refused, and never read past (ASan watches: each
 * prefix is its own allocation of exactly that size). */
static void test_every_truncation(void **state)
{
	struct fixture *f = *state;
	for (int elf64 = 0; elf64 < 2; elf64++) {
		struct img_spec sp = elf32_kernel;
		sp.elf64 = elf64;
		u64 size;
		u8 *img = img_build(&sp, &size);
		for (u64 n = 0; n < size; n++) {
			u8 *cut = malloc(n ? n : 1);
			memcpy(cut, img, n);
			assert_false(svm_multiboot_load(&f->vm, cut, n, NULL, &f->res, f->err,
							sizeof(f->err)));
			assert_int_not_equal(f->res.status, SVM_MB_OK);
			free(cut);
		}
		assert_true(ram_untouched(f));
		assert_true(svm_multiboot_load(&f->vm, img, size, NULL, &f->res, f->err,
					       sizeof(f->err)));
		memset(f->ram[0], FILL, f->ram_size[0]);
		free(img);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_elf32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf64_higher_half, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmap_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_not_elf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
