/* Multiboot v1 ELF loader; the rules and the placement are described in multiboot.h.
 * Everything is checked into a plan first; guest RAM is written only once the plan is whole. */
#include <stdarg.h>
#include "svm/load/multiboot.h"
#include "svm/load/elf.h"
#include "svm/guest_mem.h"
#include "svm/vcpu.h"
#include "svm/cr_shadow.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define FOUR_GIB (1ULL << 32)
/* mmap entries: each RAM slot can be split by every reserved range, plus the reserved ranges. */
#define MAX_MMAP (VM_MAX_RAM_SLOTS * (SVM_MB_MAX_RESERVED + 1) + SVM_MB_MAX_RESERVED)

static const char *const status_names[SVM_MB_STATUS_COUNT] = {
	[SVM_MB_OK] = "ok",
	[SVM_MB_ERR_PARAMS] = "bad parameters",
	[SVM_MB_ERR_NO_HEADER] = "no Multiboot header",
	[SVM_MB_ERR_CHECKSUM] = "bad Multiboot checksum",
	[SVM_MB_ERR_FLAGS] = "unsupported Multiboot requirement",
	[SVM_MB_ERR_AOUT_KLUDGE] = "a.out kludge not supported",
	[SVM_MB_ERR_NOT_ELF] = "not an ELF executable",
	[SVM_MB_ERR_MACHINE] = "wrong ELF machine",
	[SVM_MB_ERR_TRUNCATED] = "truncated file",
	[SVM_MB_ERR_SEGMENT] = "bad segment",
	[SVM_MB_ERR_OUTSIDE_RAM] = "segment outside guest RAM",
	[SVM_MB_ERR_OVERLAP_INFO] = "segment overlaps the info block",
	[SVM_MB_ERR_OVERLAP_RESERVED] = "segment overlaps a reserved range",
	[SVM_MB_ERR_ENTRY] = "bad entry point",
	[SVM_MB_ERR_NO_ROOM] = "no room for info block or modules",
};

const char *svm_mb_status_name(enum svm_mb_status status)
{
	return (unsigned)status < SVM_MB_STATUS_COUNT ? status_names[status] : "?";
}

/* One loadable segment, in a form common to ELF32 and ELF64. */
struct mb_segment {
	u64 offset, filesz, vaddr, paddr, memsz;
};

/* Offsets inside the info area (relative to SVM_MB_INFO_GPA). */
struct info_layout {
	u64 mods, mmap, loader_name, cmdline, mod_strings, total;
	unsigned nr_mmap;
};

struct mb_plan {
	struct mb_segment seg[SVM_MB_MAX_SEGMENTS];
	unsigned nr_seg;
	u64 entry;
	u64 lo, hi;
	u64 mod_gpa[SVM_MB_MAX_MODULES];
	u64 mods_end;
	struct svm_mb_mmap_entry mmap[MAX_MMAP];
	struct info_layout info;
	u32 mem_lower, mem_upper;
	bool elf64;
};

struct mb_ctx {
	struct vm *vm;
	const u8 *image;
	u64 size;
	const struct svm_mb_load_params *p;
	struct svm_mb_load_result *out;
	char *err;
	size_t errlen;
};

static bool fail(struct mb_ctx *c, enum svm_mb_status st, const char *fmt, ...) PRINTF_LIKE(3, 4);
static bool fail(struct mb_ctx *c, enum svm_mb_status st, const char *fmt, ...)
{
	c->out->status = st;
	if (c->err && c->errlen) {
		int n = fmt_snprintf(c->err, c->errlen, "%s: ", svm_mb_status_name(st));
		if (n >= 0 && (size_t)n < c->errlen) {
			va_list ap;
			va_start(ap, fmt);
			fmt_vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return false;
}

/* [off, off + len) lies within a file of size bytes; no overflow possible. */
static bool in_file(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

/* ---- Multiboot header (spec 3.1) ---- */

static bool find_header(struct mb_ctx *c)
{
	u64 limit = MIN(c->size, (u64)SVM_MB_SEARCH_LIMIT);
	bool bad_sum = false;
	u64 bad_off = 0;
	for (u64 off = 0; off + SVM_MB_HEADER_MIN <= limit; off += SVM_MB_HEADER_ALIGN) {
		struct svm_mb_header h;
		memcpy(&h, c->image + off, SVM_MB_HEADER_MIN);
		if (h.magic != SVM_MB_HEADER_MAGIC)
			continue;
		if ((u32)(h.magic + h.flags + h.checksum) != 0) {
			if (!bad_sum)
				bad_off = off;
			bad_sum = true;
			continue;
		}
		if (h.flags & SVM_MB_HF_AOUT_KLUDGE)
			return fail(c, SVM_MB_ERR_AOUT_KLUDGE,
				    "header at 0x%llx has flag 16 (load addresses in the header); "
				    "sevisor loads ELF kernels by their program headers",
				    (unsigned long long)off);
		u32 unmet = h.flags & SVM_MB_HF_REQUIRED_MASK & ~SVM_MB_HF_SUPPORTED;
		if (unmet)
			return fail(c, SVM_MB_ERR_FLAGS,
				    "header flags 0x%x require 0x%x (%s), which sevisor cannot provide",
				    h.flags, unmet,
				    (unmet & SVM_MB_HF_VIDEO) ? "video mode" : "unknown requirement");
		return true;
	}
	if (bad_sum)
		return fail(c, SVM_MB_ERR_CHECKSUM,
			    "magic at 0x%llx but magic + flags + checksum != 0",
			    (unsigned long long)bad_off);
	return fail(c, SVM_MB_ERR_NO_HEADER, "no 0x1BADB002 in the first %llu bytes",
		    (unsigned long long)limit);
}

/* ---- ELF (gABI chapters 4 and 5) ---- */

struct elf_info {
	u64 entry, phoff;
	u16 phentsize, phnum;
};

static bool read_elf_header(struct mb_ctx *c, struct mb_plan *plan, struct elf_info *ei)
{
	const u8 *im = c->image;
	if (c->size < SVM_ELF_NIDENT || memcmp(im, SVM_ELF_MAGIC, 4) != 0)
		return fail(c, SVM_MB_ERR_NOT_ELF, "no ELF magic");
	u8 cls = im[SVM_ELF_EI_CLASS];
	if (cls != SVM_ELF_CLASS32 && cls != SVM_ELF_CLASS64)
		return fail(c, SVM_MB_ERR_NOT_ELF, "ELF class %u", cls);
	if (im[SVM_ELF_EI_DATA] != SVM_ELF_DATA2LSB || im[SVM_ELF_EI_VERSION] != SVM_ELF_EV_CURRENT)
		return fail(c, SVM_MB_ERR_NOT_ELF, "not a little-endian ELF version 1 file");
	plan->elf64 = cls == SVM_ELF_CLASS64;
	u16 type, machine, want_machine;
	if (plan->elf64) {
		struct svm_elf64_ehdr h;
		if (c->size < sizeof(h))
			return fail(c, SVM_MB_ERR_TRUNCATED, "ELF64 header needs %zu bytes, file has %llu",
				    sizeof(h), (unsigned long long)c->size);
		memcpy(&h, im, sizeof(h));
		type = h.e_type;
		machine = h.e_machine;
		want_machine = SVM_ELF_EM_X86_64;
		ei->entry = h.e_entry;
		ei->phoff = h.e_phoff;
		ei->phentsize = h.e_phentsize;
		ei->phnum = h.e_phnum;
	} else {
		struct svm_elf32_ehdr h;
		if (c->size < sizeof(h))
			return fail(c, SVM_MB_ERR_TRUNCATED, "ELF32 header needs %zu bytes, file has %llu",
				    sizeof(h), (unsigned long long)c->size);
		memcpy(&h, im, sizeof(h));
		type = h.e_type;
		machine = h.e_machine;
		want_machine = SVM_ELF_EM_386;
		ei->entry = h.e_entry;
		ei->phoff = h.e_phoff;
		ei->phentsize = h.e_phentsize;
		ei->phnum = h.e_phnum;
	}
	if (type != SVM_ELF_ET_EXEC)
		return fail(c, SVM_MB_ERR_NOT_ELF, "ELF type %u is not ET_EXEC", type);
	if (machine != want_machine)
		return fail(c, SVM_MB_ERR_MACHINE, "ELF%s machine %u, want %u (%s)",
			    plan->elf64 ? "64" : "32", machine, want_machine,
			    plan->elf64 ? "x86-64" : "i386");
	u64 want_ent = plan->elf64 ? sizeof(struct svm_elf64_phdr) : sizeof(struct svm_elf32_phdr);
	if (ei->phnum == 0)
		return fail(c, SVM_MB_ERR_SEGMENT, "no program headers");
	if (ei->phentsize < want_ent)
		return fail(c, SVM_MB_ERR_NOT_ELF, "program header size %u, want %llu", ei->phentsize,
			    (unsigned long long)want_ent);
	if (!in_file(ei->phoff, (u64)ei->phnum * ei->phentsize, c->size))
		return fail(c, SVM_MB_ERR_TRUNCATED,
			    "program headers at 0x%llx (%u x %u bytes) pass the end of the file (%llu)",
			    (unsigned long long)ei->phoff, ei->phnum, ei->phentsize,
			    (unsigned long long)c->size);
	return true;
}

static void read_phdr(const struct mb_ctx *c, const struct mb_plan *plan, u64 off, u32 *type,
		      struct mb_segment *s)
{
	if (plan->elf64) {
		struct svm_elf64_phdr ph;
		memcpy(&ph, c->image + off, sizeof(ph));
		*type = ph.p_type;
		*s = (struct mb_segment){ ph.p_offset, ph.p_filesz, ph.p_vaddr, ph.p_paddr, ph.p_memsz };
	} else {
		struct svm_elf32_phdr ph;
		memcpy(&ph, c->image + off, sizeof(ph));
		*type = ph.p_type;
		*s = (struct mb_segment){ ph.p_offset, ph.p_filesz, ph.p_vaddr, ph.p_paddr, ph.p_memsz };
	}
}

static bool check_segment(struct mb_ctx *c, const struct mb_plan *plan, unsigned idx,
			  const struct mb_segment *s)
{
	const struct svm_mb_load_params *p = c->p;
	if (s->filesz > s->memsz)
		return fail(c, SVM_MB_ERR_SEGMENT, "segment %u: p_filesz 0x%llx > p_memsz 0x%llx", idx,
			    (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	if (!in_file(s->offset, s->filesz, c->size))
		return fail(c, SVM_MB_ERR_TRUNCATED,
			    "segment %u: file bytes [0x%llx, +0x%llx) pass the end of the file (%llu)",
			    idx, (unsigned long long)s->offset, (unsigned long long)s->filesz,
			    (unsigned long long)c->size);
	if (s->memsz > FOUR_GIB || s->paddr > FOUR_GIB - s->memsz)
		return fail(c, SVM_MB_ERR_OUTSIDE_RAM,
			    "segment %u: [0x%llx, +0x%llx) is not below 4 GiB", idx,
			    (unsigned long long)s->paddr, (unsigned long long)s->memsz);
	if (!svm_gpa_ptr(c->vm, s->paddr, s->memsz))
		return fail(c, SVM_MB_ERR_OUTSIDE_RAM,
			    "segment %u: [0x%llx, 0x%llx) is not inside guest RAM", idx,
			    (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->memsz));
	/* The info area is claimed in whole pages, so no kernel page shares one with it. */
	u64 info_span = ALIGN_UP(plan->info.total, PAGE_SIZE);
	if (overlaps(s->paddr, s->memsz, SVM_MB_INFO_GPA, info_span))
		return fail(c, SVM_MB_ERR_OVERLAP_INFO,
			    "segment %u: [0x%llx, 0x%llx) overlaps the info block [0x%x, 0x%llx)", idx,
			    (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->memsz),
			    SVM_MB_INFO_GPA, (unsigned long long)(SVM_MB_INFO_GPA + info_span));
	for (unsigned i = 0; i < p->nr_reserved; i++) {
		const struct svm_mb_range *r = &p->reserved[i];
		if (overlaps(s->paddr, s->memsz, r->base, r->size))
			return fail(c, SVM_MB_ERR_OVERLAP_RESERVED,
				    "segment %u: [0x%llx, 0x%llx) overlaps reserved [0x%llx, 0x%llx)",
				    idx, (unsigned long long)s->paddr,
				    (unsigned long long)(s->paddr + s->memsz),
				    (unsigned long long)r->base, (unsigned long long)(r->base + r->size));
	}
	for (unsigned i = 0; i < plan->nr_seg; i++) {
		const struct mb_segment *o = &plan->seg[i];
		if (overlaps(s->paddr, s->memsz, o->paddr, o->memsz))
			return fail(c, SVM_MB_ERR_SEGMENT,
				    "segment %u at 0x%llx overlaps an earlier segment at 0x%llx", idx,
				    (unsigned long long)s->paddr, (unsigned long long)o->paddr);
	}
	return true;
}

static bool plan_segments(struct mb_ctx *c, struct mb_plan *plan)
{
	struct elf_info ei = { 0 };
	if (!read_elf_header(c, plan, &ei))
		return false;
	plan->lo = ~0ULL;
	plan->hi = 0;
	for (unsigned i = 0; i < ei.phnum; i++) {
		u32 type;
		struct mb_segment s;
		read_phdr(c, plan, ei.phoff + (u64)i * ei.phentsize, &type, &s);
		if (type != SVM_ELF_PT_LOAD || s.memsz == 0)
			continue;
		if (plan->nr_seg == SVM_MB_MAX_SEGMENTS)
			return fail(c, SVM_MB_ERR_SEGMENT, "more than %u loadable segments",
				    SVM_MB_MAX_SEGMENTS);
		if (!check_segment(c, plan, i, &s))
			return false;
		plan->seg[plan->nr_seg++] = s;
		plan->lo = MIN(plan->lo, s.paddr);
		plan->hi = MAX(plan->hi, s.paddr + s.memsz);
	}
	if (plan->nr_seg == 0)
		return fail(c, SVM_MB_ERR_SEGMENT, "no loadable segment");

	/* The kernel starts with paging off, so e_entry (a virtual address) is translated
	 * through the segment that contains it, as GRUB does. */
	for (unsigned i = 0; i < plan->nr_seg; i++) {
		const struct mb_segment *s = &plan->seg[i];
		if (ei.entry >= s->vaddr && ei.entry - s->vaddr < s->memsz) {
			plan->entry = ei.entry - s->vaddr + s->paddr;
			return true;
		}
	}
	return fail(c, SVM_MB_ERR_ENTRY, "e_entry 0x%llx is not inside any loadable segment",
		    (unsigned long long)ei.entry);
}

/* ---- memory map and mem_lower/mem_upper ---- */

static void add_mmap(struct mb_plan *plan, u64 base, u64 len, u32 type)
{
	if (!len || plan->info.nr_mmap >= MAX_MMAP)
		return;
	plan->mmap[plan->info.nr_mmap++] = (struct svm_mb_mmap_entry){
		.size = sizeof(struct svm_mb_mmap_entry) - sizeof(u32),
		.base_addr = base,
		.length = len,
		.type = type,
	};
}

/* The reserved range containing a, or NULL. */
static const struct svm_mb_range *reserved_at(const struct svm_mb_load_params *p, u64 a)
{
	for (unsigned i = 0; i < p->nr_reserved; i++)
		if (a >= p->reserved[i].base && a - p->reserved[i].base < p->reserved[i].size)
			return &p->reserved[i];
	return NULL;
}

/* The lowest reserved base in (a, limit), or limit. */
static u64 next_reserved(const struct svm_mb_load_params *p, u64 a, u64 limit)
{
	for (unsigned i = 0; i < p->nr_reserved; i++)
		if (p->reserved[i].base > a && p->reserved[i].base < limit)
			limit = p->reserved[i].base;
	return limit;
}

static const struct ram_slot *slot_at(const struct vm *vm, u64 a)
{
	for (unsigned i = 0; i < vm->nr_ram; i++)
		if (a >= vm->ram[i].gpa && a - vm->ram[i].gpa < vm->ram[i].size)
			return &vm->ram[i];
	return NULL;
}

/* RAM slots with the reserved ranges cut out (type 1), the reserved ranges (type 2), sorted. */
static void build_mmap(const struct mb_ctx *c, struct mb_plan *plan)
{
	const struct vm *vm = c->vm;
	const struct svm_mb_load_params *p = c->p;
	for (unsigned i = 0; i < vm->nr_ram; i++) {
		u64 cur = vm->ram[i].gpa, end = vm->ram[i].gpa + vm->ram[i].size;
		while (cur < end) {
			const struct svm_mb_range *r = reserved_at(p, cur);
			if (r) {
				cur = MIN(end, r->base + r->size);
				continue;
			}
			u64 next = next_reserved(p, cur, end);
			add_mmap(plan, cur, next - cur, SVM_MB_MMAP_AVAILABLE);
			cur = next;
		}
	}
	for (unsigned i = 0; i < p->nr_reserved; i++)
		add_mmap(plan, p->reserved[i].base, p->reserved[i].size, SVM_MB_MMAP_RESERVED);
	/* Insertion sort by base: at most MAX_MMAP entries. */
	for (unsigned i = 1; i < plan->info.nr_mmap; i++) {
		struct svm_mb_mmap_entry e = plan->mmap[i];
		unsigned j = i;
		while (j > 0 && plan->mmap[j - 1].base_addr > e.base_addr) {
			plan->mmap[j] = plan->mmap[j - 1];
			j--;
		}
		plan->mmap[j] = e;
	}
}

/* End of the usable RAM that runs without a hole from a (a itself if a is not RAM). */
static u64 contiguous_ram_end(const struct mb_ctx *c, u64 a)
{
	for (;;) {
		const struct ram_slot *s = slot_at(c->vm, a);
		if (!s || reserved_at(c->p, a))
			return a;
		u64 end = s->gpa + s->size;
		u64 stop = next_reserved(c->p, a, end);
		if (stop < end)
			return stop;
		a = end;
	}
}

static void mem_lower_upper(const struct mb_ctx *c, struct mb_plan *plan)
{
	/* spec 3.3: mem_lower counts from 0 (at most 640 KiB), mem_upper from 1 MiB to the
	 * first hole. */
	u64 low = MIN(contiguous_ram_end(c, 0), (u64)0xA0000);
	u64 up = contiguous_ram_end(c, MiB(1)) - MiB(1);
	plan->mem_lower = (u32)(low >> 10);
	plan->mem_upper = (u32)MIN(up >> 10, (u64)0xFFFFFFFFu);
}

/* ---- info area layout and module placement ---- */

static bool plan_info(struct mb_ctx *c, struct mb_plan *plan)
{
	const struct svm_mb_load_params *p = c->p;
	const u64 room = SVM_MB_INFO_LIMIT - SVM_MB_INFO_GPA;
	struct info_layout *l = &plan->info;

	build_mmap(c, plan);
	mem_lower_upper(c, plan);

	u64 off = sizeof(struct svm_mb_info);
	l->mods = off = ALIGN_UP(off, 8);
	off += (u64)p->nr_modules * sizeof(struct svm_mb_module);
	l->mmap = off;
	off += (u64)l->nr_mmap * sizeof(struct svm_mb_mmap_entry);
	l->loader_name = off;
	off += sizeof(SVM_MB_LOADER_NAME);
	l->cmdline = off;
	u64 len = strlen(str_or_empty(p->cmdline));
	if (len >= room)
		return fail(c, SVM_MB_ERR_NO_ROOM, "command line of %llu bytes", (unsigned long long)len);
	off += len + 1;
	l->mod_strings = off;
	for (unsigned i = 0; i < p->nr_modules; i++) {
		len = strlen(str_or_empty(p->modules[i].string));
		if (len >= room || off > room)
			return fail(c, SVM_MB_ERR_NO_ROOM, "module %u string of %llu bytes", i,
				    (unsigned long long)len);
		off += len + 1;
	}
	l->total = off;
	if (off > room)
		return fail(c, SVM_MB_ERR_NO_ROOM, "info block needs %llu bytes, room for %llu",
			    (unsigned long long)off, (unsigned long long)room);
	if (!svm_gpa_ptr(c->vm, SVM_MB_INFO_GPA, off))
		return fail(c, SVM_MB_ERR_NO_ROOM, "guest RAM does not cover the info block at 0x%x",
			    SVM_MB_INFO_GPA);
	for (unsigned i = 0; i < p->nr_reserved; i++)
		if (overlaps(SVM_MB_INFO_GPA, off, p->reserved[i].base, p->reserved[i].size))
			return fail(c, SVM_MB_ERR_NO_ROOM, "reserved range at 0x%llx covers the info block",
				    (unsigned long long)p->reserved[i].base);
	return true;
}

/* Modules: page aligned (flag 0 is always honoured), from the first page above the kernel,
 * stepping over the info area and reserved ranges. */
static bool plan_modules(struct mb_ctx *c, struct mb_plan *plan)
{
	const struct svm_mb_load_params *p = c->p;
	u64 cur = ALIGN_UP(plan->hi, PAGE_SIZE);
	for (unsigned i = 0; i < p->nr_modules; i++) {
		u64 len = p->modules[i].size;
		if (len > FOUR_GIB)
			return fail(c, SVM_MB_ERR_NO_ROOM, "module %u is %llu bytes", i,
				    (unsigned long long)len);
		u64 span = len ? len : 1; /* an empty module still gets an address */
		bool moved;
		do {
			moved = false;
			u64 info_span = ALIGN_UP(plan->info.total, PAGE_SIZE);
			if (overlaps(cur, span, SVM_MB_INFO_GPA, info_span)) {
				cur = SVM_MB_INFO_GPA + info_span;
				moved = true;
			}
			for (unsigned r = 0; r < p->nr_reserved; r++) {
				const struct svm_mb_range *rr = &p->reserved[r];
				if (overlaps(cur, span, rr->base, rr->size)) {
					cur = ALIGN_UP(rr->base + rr->size, PAGE_SIZE);
					moved = true;
				}
			}
		} while (moved && cur < FOUR_GIB);
		if (cur >= FOUR_GIB || span > FOUR_GIB - cur || !svm_gpa_ptr(c->vm, cur, span))
			return fail(c, SVM_MB_ERR_NO_ROOM,
				    "module %u (%llu bytes) does not fit in guest RAM at 0x%llx", i,
				    (unsigned long long)len, (unsigned long long)cur);
		plan->mod_gpa[i] = cur;
		cur = ALIGN_UP(cur + len, PAGE_SIZE);
	}
	plan->mods_end = p->nr_modules ? plan->mod_gpa[p->nr_modules - 1] + p->modules[p->nr_modules - 1].size
				       : ALIGN_UP(plan->hi, PAGE_SIZE);
	return true;
}

static bool check_params(struct mb_ctx *c)
{
	const struct svm_mb_load_params *p = c->p;
	if (!c->image || !c->vm)
		return fail(c, SVM_MB_ERR_PARAMS, "no image or no vm");
	if (p->nr_modules > SVM_MB_MAX_MODULES || (p->nr_modules && !p->modules))
		return fail(c, SVM_MB_ERR_PARAMS, "%u modules (at most %u)", p->nr_modules,
			    SVM_MB_MAX_MODULES);
	if (p->nr_reserved > SVM_MB_MAX_RESERVED || (p->nr_reserved && !p->reserved))
		return fail(c, SVM_MB_ERR_PARAMS, "%u reserved ranges (at most %u)", p->nr_reserved,
			    SVM_MB_MAX_RESERVED);
	for (unsigned i = 0; i < p->nr_modules; i++)
		if (p->modules[i].size && !p->modules[i].data)
			return fail(c, SVM_MB_ERR_PARAMS, "module %u has no data", i);
	for (unsigned i = 0; i < p->nr_reserved; i++)
		if (!p->reserved[i].size || p->reserved[i].base + p->reserved[i].size < p->reserved[i].base)
			return fail(c, SVM_MB_ERR_PARAMS, "reserved range %u is empty or wraps", i);
	return true;
}

/* ---- writing ---- */

static void write_info(struct mb_ctx *c, const struct mb_plan *plan)
{
	const struct svm_mb_load_params *p = c->p;
	const struct info_layout *l = &plan->info;
	u8 *area = svm_gpa_ptr(c->vm, SVM_MB_INFO_GPA, l->total);
	memset(area, 0, l->total);

	struct svm_mb_info mbi = { 0 };
	mbi.flags = SVM_MB_INFO_MEM | SVM_MB_INFO_CMDLINE | SVM_MB_INFO_MODS | SVM_MB_INFO_MMAP |
		    SVM_MB_INFO_LOADER_NAME;
	mbi.mem_lower = plan->mem_lower;
	mbi.mem_upper = plan->mem_upper;
	mbi.cmdline = (u32)(SVM_MB_INFO_GPA + l->cmdline);
	mbi.mods_count = p->nr_modules;
	mbi.mods_addr = (u32)(SVM_MB_INFO_GPA + l->mods);
	mbi.mmap_addr = (u32)(SVM_MB_INFO_GPA + l->mmap);
	mbi.mmap_length = (u32)(l->nr_mmap * sizeof(struct svm_mb_mmap_entry));
	mbi.boot_loader_name = (u32)(SVM_MB_INFO_GPA + l->loader_name);
	memcpy(area, &mbi, sizeof(mbi));

	memcpy(area + l->mmap, plan->mmap, l->nr_mmap * sizeof(struct svm_mb_mmap_entry));
	memcpy(area + l->loader_name, SVM_MB_LOADER_NAME, sizeof(SVM_MB_LOADER_NAME));
	const char *cmd = str_or_empty(p->cmdline);
	memcpy(area + l->cmdline, cmd, strlen(cmd) + 1);

	u64 soff = l->mod_strings;
	for (unsigned i = 0; i < p->nr_modules; i++) {
		const char *s = str_or_empty(p->modules[i].string);
		u64 len = strlen(s) + 1;
		memcpy(area + soff, s, len);
		struct svm_mb_module m = {
			.mod_start = (u32)plan->mod_gpa[i],
			.mod_end = (u32)(plan->mod_gpa[i] + p->modules[i].size),
			.string = (u32)(SVM_MB_INFO_GPA + soff),
			.reserved = 0,
		};
		memcpy(area + l->mods + i * sizeof(m), &m, sizeof(m));
		soff += len;
	}
}

static void write_all(struct mb_ctx *c, const struct mb_plan *plan)
{
	for (unsigned i = 0; i < plan->nr_seg; i++) {
		const struct mb_segment *s = &plan->seg[i];
		u8 *dst = svm_gpa_ptr(c->vm, s->paddr, s->memsz);
		memcpy(dst, c->image + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz); /* bss (gABI 5: p_memsz > p_filesz) */
	}
	for (unsigned i = 0; i < c->p->nr_modules; i++) {
		const struct svm_mb_module_src *m = &c->p->modules[i];
		if (m->size)
			memcpy(svm_gpa_ptr(c->vm, plan->mod_gpa[i], m->size), m->data, m->size);
	}
	write_info(c, plan);
}

bool svm_multiboot_load(struct vm *vm, const u8 *image, u64 size,
			const struct svm_mb_load_params *p, struct svm_mb_load_result *out,
			char *err, size_t errlen)
{
	static const struct svm_mb_load_params no_params;
	struct mb_ctx c = { vm, image, size, p ? p : &no_params, out, err, errlen };
	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	/* The plan is a few KiB: static rather than on the (small) EFI stack. Loads run one at
	 * a time, from the boot path. */
	static struct mb_plan plan;
	memset(&plan, 0, sizeof(plan));

	if (!check_params(&c) || !find_header(&c) || !plan_info(&c, &plan) ||
	    !plan_segments(&c, &plan) || !plan_modules(&c, &plan))
		return false;
	if (plan.entry >= FOUR_GIB)
		return fail(&c, SVM_MB_ERR_ENTRY, "entry 0x%llx is above 4 GiB",
			    (unsigned long long)plan.entry);

	write_all(&c, &plan);
	out->status = SVM_MB_OK;
	out->entry = (u32)plan.entry;
	out->info_gpa = SVM_MB_INFO_GPA;
	out->info_size = (u32)plan.info.total;
	out->image_start = plan.lo;
	out->image_end = plan.hi;
	out->mods_end = plan.mods_end;
	out->elf64 = plan.elf64;
	return true;
}

/* ---- entry state (spec 3.2 "Machine state") ---- */

/* Packed attributes (APM vol. 2, 15.5.1 / appendix B): type, S, DPL 0, P, D/B, G. */
#define MB_CODE_ATTR (0xBu | SVM_SEG_S | SVM_SEG_P | SVM_SEG_DB | SVM_SEG_G) /* exec/read, accessed */
#define MB_DATA_ATTR (0x3u | SVM_SEG_S | SVM_SEG_P | SVM_SEG_DB | SVM_SEG_G) /* read/write, accessed */
#define MB_LDT_ATTR (0x2u | SVM_SEG_P)  /* LDT */
#define MB_TSS_ATTR (0xBu | SVM_SEG_P)  /* busy 32-bit TSS */
#define MB_CODE_SEL 0x08
#define MB_DATA_SEL 0x10
#define MB_FLAT_LIMIT 0xFFFFFFFFu
/* Reset values: DR6 and DR7 (APM vol. 2, 13.1.1), PAT (APM vol. 2, 7.8.2). */
#define MB_DR6_RESET 0xFFFF0FF0ULL
#define MB_DR7_RESET 0x400ULL
#define MB_PAT_RESET 0x0007040600070406ULL
#define MB_RFLAGS_RESET 0x2ULL /* bit 1 is always 1; IF = 0 */

void svm_multiboot_entry_state(struct vmcb *vmcb, struct svm_gprs *gprs, u32 entry, u32 info_gpa)
{
	struct vmcb_save *s = &vmcb->save;
	memset(s, 0, sizeof(*s));
	const struct vmcb_seg code = { MB_CODE_SEL, MB_CODE_ATTR, MB_FLAT_LIMIT, 0 };
	const struct vmcb_seg data = { MB_DATA_SEL, MB_DATA_ATTR, MB_FLAT_LIMIT, 0 };
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->ldtr = (struct vmcb_seg){ 0, MB_LDT_ATTR, 0xFFFF, 0 };
	s->tr = (struct vmcb_seg){ 0, MB_TSS_ATTR, 0xFFFF, 0 };
	/* GDTR and IDTR stay base 0, limit 0: spec 3.2 says the kernel must load its own GDT
	 * before touching a segment register and its own IDT before enabling interrupts. */
	s->cpl = 0;
	s->efer = EFER_SVME;
	s->cr0 = CR0_PE | CR0_ET;
	s->cr3 = 0;
	s->cr4 = 0;
	s->dr6 = MB_DR6_RESET;
	s->dr7 = MB_DR7_RESET;
	s->g_pat = MB_PAT_RESET;
	s->rflags = MB_RFLAGS_RESET;
	s->rip = entry;
	s->rsp = 0; /* spec 3.2: ESP is undefined; the kernel sets up its own stack */
	s->rax = SVM_MB_BOOTLOADER_MAGIC;
	if (gprs) {
		memset(gprs, 0, sizeof(*gprs));
		gprs->rbx = info_gpa;
	}
}
