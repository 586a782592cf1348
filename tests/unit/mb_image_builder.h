/* A tiny builder of Multiboot ELF kernels for the loader tests: an ELF32 or ELF64 header,
 * program headers, a Multiboot header, and segment contents filled with a known pattern.
 *
 * File layout: ELF header at 0, program headers right after it, the Multiboot header at
 * mb_off (default 0x200), segment data from 0x1000, each segment at a 4 KiB-aligned offset. */
#ifndef TEST_MB_IMAGE_BUILDER_H
#define TEST_MB_IMAGE_BUILDER_H

#include <stdlib.h>
#include <string.h>
#include "svm/load/elf.h"
#include "svm/load/multiboot.h"

#define IMG_MAX_SEGS 6

struct img_seg {
	u32 type; /* 0 means PT_LOAD */
	u64 paddr, vaddr, filesz, memsz;
	u64 offset; /* 0: placed by the builder */
};

struct img_spec {
	bool elf64;
	u16 machine; /* 0: the right one for the class */
	u16 type;    /* 0: ET_EXEC */
	u64 entry;
	unsigned nseg;
	struct img_seg seg[IMG_MAX_SEGS];
	bool no_header;
	u32 mb_off;   /* 0: 0x200 */
	u32 mb_flags;
	u32 mb_checksum_delta; /* added to the correct checksum */
};

/* The byte the builder puts at offset i of segment s. */
static inline u8 img_pattern(unsigned s, u64 i)
{
	return (u8)(0x11 * (s + 1) + i * 7);
}

static inline u64 img_seg_offset(const struct img_spec *sp, unsigned s)
{
	if (sp->seg[s].offset)
		return sp->seg[s].offset;
	u64 off = 0x1000;
	for (unsigned i = 0; i < s; i++)
		off += (sp->seg[i].filesz + 0xFFF) & ~0xFFFull;
	return off;
}

/* Returns a malloc'd image and its size in *size. */
static inline u8 *img_build(const struct img_spec *sp, u64 *size)
{
	u64 end = 0x1000;
	for (unsigned s = 0; s < sp->nseg; s++) {
		u64 e = img_seg_offset(sp, s) + sp->seg[s].filesz;
		if (sp->seg[s].offset == 0 && e > end)
			end = e;
	}
	u32 mb_off = sp->mb_off ? sp->mb_off : 0x200;
	if (mb_off + 12 > end)
		end = mb_off + 12;
	u8 *img = calloc(1, end);

	u16 machine = sp->machine ? sp->machine : (sp->elf64 ? SVM_ELF_EM_X86_64 : SVM_ELF_EM_386);
	u16 type = sp->type ? sp->type : SVM_ELF_ET_EXEC;
	u8 ident[SVM_ELF_NIDENT] = { 0x7f, 'E', 'L', 'F', sp->elf64 ? SVM_ELF_CLASS64 : SVM_ELF_CLASS32,
				     SVM_ELF_DATA2LSB, SVM_ELF_EV_CURRENT };
	if (sp->elf64) {
		struct svm_elf64_ehdr h = { 0 };
		memcpy(h.e_ident, ident, sizeof(ident));
		h.e_type = type;
		h.e_machine = machine;
		h.e_version = 1;
		h.e_entry = sp->entry;
		h.e_phoff = sizeof(h);
		h.e_ehsize = sizeof(h);
		h.e_phentsize = sizeof(struct svm_elf64_phdr);
		h.e_phnum = (u16)sp->nseg;
		memcpy(img, &h, sizeof(h));
		for (unsigned s = 0; s < sp->nseg; s++) {
			const struct img_seg *g = &sp->seg[s];
			struct svm_elf64_phdr ph = {
				.p_type = g->type ? g->type : SVM_ELF_PT_LOAD,
				.p_flags = 7,
				.p_offset = img_seg_offset(sp, s),
				.p_vaddr = g->vaddr ? g->vaddr : g->paddr,
				.p_paddr = g->paddr,
				.p_filesz = g->filesz,
				.p_memsz = g->memsz,
				.p_align = 0x1000,
			};
			memcpy(img + sizeof(h) + s * sizeof(ph), &ph, sizeof(ph));
		}
	} else {
		struct svm_elf32_ehdr h = { 0 };
		memcpy(h.e_ident, ident, sizeof(ident));
		h.e_type = type;
		h.e_machine = machine;
		h.e_version = 1;
		h.e_entry = (u32)sp->entry;
		h.e_phoff = sizeof(h);
		h.e_ehsize = sizeof(h);
		h.e_phentsize = sizeof(struct svm_elf32_phdr);
		h.e_phnum = (u16)sp->nseg;
		memcpy(img, &h, sizeof(h));
		for (unsigned s = 0; s < sp->nseg; s++) {
			const struct img_seg *g = &sp->seg[s];
			struct svm_elf32_phdr ph = {
				.p_type = g->type ? g->type : SVM_ELF_PT_LOAD,
				.p_offset = (u32)img_seg_offset(sp, s),
				.p_vaddr = (u32)(g->vaddr ? g->vaddr : g->paddr),
				.p_paddr = (u32)g->paddr,
				.p_filesz = (u32)g->filesz,
				.p_memsz = (u32)g->memsz,
				.p_flags = 7,
				.p_align = 0x1000,
			};
			memcpy(img + sizeof(h) + s * sizeof(ph), &ph, sizeof(ph));
		}
	}
	for (unsigned s = 0; s < sp->nseg; s++) {
		u64 off = img_seg_offset(sp, s);
		if (sp->seg[s].offset)
			continue; /* deliberately placed elsewhere (truncation tests) */
		for (u64 i = 0; i < sp->seg[s].filesz; i++)
			img[off + i] = img_pattern(s, i);
	}
	/* Last, so a header placed inside segment data survives. */
	if (!sp->no_header) {
		u32 hdr[3] = { SVM_MB_HEADER_MAGIC, sp->mb_flags,
			       (u32)(0u - SVM_MB_HEADER_MAGIC - sp->mb_flags) + sp->mb_checksum_delta };
		memcpy(img + mb_off, hdr, sizeof(hdr));
	}
	*size = end;
	return img;
}

#endif
