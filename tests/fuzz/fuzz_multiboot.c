/* libFuzzer target: the Multiboot v1 loader (svm/load/multiboot.c) with hostile kernel images
 * and modules, as a boot volume could hold them. The input is either a raw image (first byte
 * odd), or a well-formed image built by the unit tests' builder from input-chosen fields
 * (ELF class, entry, segments, Multiboot flags) with up to 16 bytes then overwritten, so that
 * the fuzzer reaches deep into the loader without having to discover ELF by itself. Modules and
 * the command line come from the input too.
 *
 * Checked after each load (multiboot.h contract): on failure the status names an error, the
 * reason is terminated and guest RAM is untouched (all zero); on success the image, the info
 * block and the modules lie inside guest RAM and below 4 GiB. */
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_env.h"
#include "tests/unit/mb_image_builder.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define MODULE_MAX 512

static bool ram_is_zero(void)
{
	static const u8 zero[4096];
	for (u64 off = 0; off < FZ_SLOT0_SIZE; off += sizeof(zero))
		if (memcmp(fz_ram(off), zero, sizeof(zero)))
			return false;
	return true;
}

static u8 *built_image(u64 *len)
{
	struct img_spec sp;
	memset(&sp, 0, sizeof(sp));
	u8 b = fz_byte();
	sp.elf64 = b & 2;
	sp.nseg = 1 + (b >> 2) % IMG_MAX_SEGS;
	sp.mb_flags = (b & 0x20) ? (u32)fz_u64() : (fz_byte() & 3);
	sp.mb_off = (b & 0x40) ? (fz_byte() | ((u32)fz_byte() << 8)) & 0x1FFC : 0;
	sp.entry = (b & 0x80) ? fz_u64() : 0x100000 + (fz_byte() << 4);
	for (unsigned s = 0; s < sp.nseg; s++) {
		struct img_seg *g = &sp.seg[s];
		u8 k = fz_byte();
		g->type = (k & 1) ? (u32)fz_byte() : 0;
		g->paddr = (k & 2) ? fz_u64() : 0x100000 + ((u64)fz_byte() << 12);
		g->filesz = fz_byte() | ((u64)(fz_byte() & 0x1F) << 8);
		g->memsz = (k & 4) ? fz_u64() : g->filesz + (fz_byte() << 4);
		g->offset = (k & 8) ? fz_u64() & 0xFFFFF : 0;
	}
	if (sp.seg[0].offset > 0x10000)
		sp.seg[0].offset = 0; /* keep the builder's allocation small */
	for (unsigned s = 0; s < sp.nseg; s++)
		if (sp.seg[s].offset && sp.seg[s].offset + sp.seg[s].filesz > 0x10000)
			sp.seg[s].offset = 0;
	u8 *img = img_build(&sp, len);
	unsigned n = fz_byte() & 15;
	for (unsigned i = 0; i < n && *len; i++) {
		u64 off = (fz_byte() | ((u64)fz_byte() << 8)) % *len;
		img[off] = fz_byte();
	}
	return img;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	fz_reset(data, size, VM_MODE_PLAIN);
	fz.vm.nr_ram = 1; /* one slot at GPA 0, as run_hw.c gives every guest */
	u8 how = fz_byte();

	char cmdline[64];
	size_t cl = fz_byte() % sizeof(cmdline);
	for (size_t i = 0; i < cl; i++)
		cmdline[i] = (char)(fz_byte() | 1);
	cmdline[cl] = 0;
	struct svm_mb_module_src mods[3];
	u8 *mod_data[3] = { NULL, NULL, NULL };
	unsigned nr_mods = (how >> 1) & 3;
	for (unsigned m = 0; m < nr_mods; m++) {
		u64 len = (fz_byte() | ((u64)fz_byte() << 8)) % MODULE_MAX;
		mod_data[m] = malloc(len ? len : 1);
		for (u64 i = 0; i < len; i++)
			mod_data[m][i] = fz_byte();
		mods[m] = (struct svm_mb_module_src){ mod_data[m], len, (how & 8) ? "mod arg" : NULL };
	}
	struct svm_mb_range reserved = { 0x100000 + ((u64)fz_byte() << 12), (u64)fz_byte() << 12 };

	u8 *img;
	u64 len;
	if (how & 1) {
		len = fz_left();
		img = malloc(len ? len : 1);
		for (u64 i = 0; i < len; i++)
			img[i] = fz_byte();
	} else {
		img = built_image(&len);
	}

	struct svm_mb_load_params p = { .cmdline = (how & 16) ? cmdline : NULL, .modules = mods,
					.nr_modules = nr_mods, .reserved = &reserved,
					.nr_reserved = (how & 32) ? 1 : 0 };
	struct svm_mb_load_result res;
	char err[160];
	memset(err, 0x5A, sizeof(err));
	bool ok = svm_multiboot_load(&fz.vm, img, len, &p, &res, err, sizeof(err));
	if (!ok) {
		if (res.status == SVM_MB_OK || res.status >= SVM_MB_STATUS_COUNT || !memchr(err, 0, sizeof(err)))
			abort();
		if (!ram_is_zero())
			abort(); /* "guest RAM untouched" on failure */
	} else {
		if (res.status != SVM_MB_OK || res.image_end > FZ_SLOT0_SIZE || res.image_start >= res.image_end ||
		    res.mods_end > FZ_SLOT0_SIZE || (u64)res.info_gpa + res.info_size > FZ_SLOT0_SIZE)
			abort();
		struct vmcb vmcb;
		struct svm_gprs gprs;
		svm_multiboot_entry_state(&vmcb, &gprs, res.entry, res.info_gpa);
		if (vmcb.save.rip != res.entry || gprs.rbx != res.info_gpa)
			abort();
	}
	free(img);
	for (unsigned m = 0; m < nr_mods; m++)
		free(mod_data[m]);
	return 0;
}
