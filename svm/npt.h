/* Nested page tables (APM vol. 2, 15.25 "Nested Paging"), built in the long-mode 4-level format
 * (APM vol. 2, 5.3 "Long-Mode Page Translation"): PML4 -> PDPT -> PD -> PT.
 *
 * Guest RAM is mapped with 2 MiB pages where both the GPA and the HPA are 2 MiB aligned and at
 * least 2 MiB of the range remain, and with 4 KiB pages elsewhere. Nothing that was not
 * explicitly mapped is present: an access to any other GPA takes a #NPF (exit 0x400), which is
 * how MMIO and unbacked accesses reach the hypervisor and how sevisor's own memory stays out of
 * every guest.
 *
 * The builder never touches physical memory directly. Table pages come from a callback that
 * returns a zeroed 4 KiB page as both a physical address (what goes into the entries and into
 * nCR3) and a pointer (what the builder writes through); a second callback turns a table's
 * physical address back into a pointer. In the EFI build both are identity; unit tests back
 * them with malloc'd pages and a lookup.
 *
 * An alias (the same host page at a second GPA, e.g. GPA | 1 << cbit for soft-es guests) is
 * just a second svm_npt_map call. */
#ifndef SVM_NPT_H
#define SVM_NPT_H

#include "lib/types.h"

/* One entry at any level (APM vol. 2, figures 5-18..5-25). A struct so the layout is named
 * and asserted like every other hardware structure. */
struct svm_npt_entry {
	u64 val;
};
ASSERT_SIZE(struct svm_npt_entry, 8);

#define SVM_NPT_ENTRIES 512
/* One table page at any level: 512 entries, indexed by 9 bits of the GPA. */
struct svm_npt_table {
	struct svm_npt_entry e[SVM_NPT_ENTRIES];
};
ASSERT_SIZE(struct svm_npt_table, 4096);

/* Entry bits (APM vol. 2, 5.4.1 "Field Definitions"). */
#define SVM_NPT_P BIT(0)    /* present */
#define SVM_NPT_RW BIT(1)   /* writable */
#define SVM_NPT_US BIT(2)   /* user: nested walks are user accesses (APM 15.25.5), always set */
#define SVM_NPT_PWT BIT(3)  /* write-through */
#define SVM_NPT_PCD BIT(4)  /* cache disable */
#define SVM_NPT_A BIT(5)    /* accessed (set by hardware) */
#define SVM_NPT_D BIT(6)    /* dirty (leaf only, set by hardware) */
#define SVM_NPT_PS BIT(7)   /* page size: 2 MiB leaf in a PDE */
#define SVM_NPT_NX BIT(63)  /* no execute (needs EFER.NXE on the host) */
/* Bit 9 is available to software (APM vol. 2, 5.4.1 "AVL"): sevisor marks its MMIO entries. */
#define SVM_NPT_AVL_MMIO BIT(9)
/* Physical address of the next table or of the page, bits 51:12 (2 MiB leaves: 51:21). */
#define SVM_NPT_ADDR_MASK GENMASK(51, 12)
#define SVM_NPT_ADDR_MASK_2M GENMASK(51, 21)

/* Flags a caller may pass to svm_npt_map; P and US are always set by the builder. */
#define SVM_NPT_MAP_FLAGS (SVM_NPT_RW | SVM_NPT_PWT | SVM_NPT_PCD | SVM_NPT_NX)
/* Ordinary guest RAM: readable, writable, executable, write-back. */
#define SVM_NPT_FLAGS_RAM SVM_NPT_RW

/* 4-level tables translate 48-bit guest-physical addresses; host addresses have 52 bits. */
#define SVM_NPT_GPA_BITS 48
#define SVM_NPT_HPA_BITS 52

#define SVM_NPT_PAGE_4K 4096u
#define SVM_NPT_PAGE_2M (2u << 20)

/* Returns a zeroed 4 KiB table page, its physical address in *pa; NULL when out of memory. */
typedef void *(*svm_npt_alloc_fn)(void *ctx, u64 *pa);
/* Returns a pointer to the table page at physical address pa. */
typedef void *(*svm_npt_ptr_fn)(void *ctx, u64 pa);
/* Gives a table page back (optional: NULL means svm_npt_destroy frees nothing). */
typedef void (*svm_npt_free_fn)(void *ctx, u64 pa, void *ptr);

struct svm_npt_mem {
	svm_npt_alloc_fn alloc_table;
	svm_npt_ptr_fn table_ptr;
	svm_npt_free_fn free_table;
	void *ctx;
};

struct svm_npt {
	u64 root_pa; /* the PML4: what goes into VMCB nested_cr3 */
	struct svm_npt_mem mem;
	/* Bookkeeping, for logs and tests. */
	u64 tables;   /* table pages in use, root included */
	u64 pages_4k; /* leaves mapped */
	u64 pages_2m;
	u64 pages_mmio; /* reserved-bit MMIO entries (svm_npt_map_mmio) */
};

/* Allocates the root table. False when the allocator fails or a callback is missing. */
bool svm_npt_init(struct svm_npt *npt, const struct svm_npt_mem *mem);

/* Maps [gpa, gpa + size) to [hpa, hpa + size) with the given flags (a subset of
 * SVM_NPT_MAP_FLAGS). Returns false, and changes nothing, when gpa, hpa or size is not 4 KiB
 * aligned, size is 0, a range wraps or leaves the 48-bit GPA / 52-bit HPA space, flags has
 * other bits, or any page of the range is already mapped. Returns false also when the table
 * allocator runs out (then pages mapped before the failure stay mapped). */
bool svm_npt_map(struct svm_npt *npt, u64 gpa, u64 hpa, u64 size, u64 flags);

/* Translates gpa: true with the host address (page offset included) and the leaf's page size
 * (4096 or 2 MiB); false when gpa is not mapped. flags may be NULL; otherwise it receives the
 * leaf entry's flag bits (address bits removed). */
bool svm_npt_lookup(const struct svm_npt *npt, u64 gpa, u64 *hpa, unsigned *page_size);
bool svm_npt_lookup_flags(const struct svm_npt *npt, u64 gpa, u64 *hpa, unsigned *page_size,
			  u64 *flags);

/* MMIO for guests whose instructions the hypervisor cannot read (SEV-ES; facts G23): an entry
 * that is present but has reserved address bits set makes the CPU raise a nested page fault
 * with the RSV bit in its error code, which SEV-ES hardware turns into #VC(NPF) inside the
 * guest; its #VC handler then asks for the access through the GHCB (MMIO NAE events). A plain
 * not-present entry would instead be an automatic exit the hypervisor could not decode.
 *
 * svm_npt_mmio_mask: the reserved bits to use, as KVM's svm_adjust_mmio_mask picks them: every
 * address bit from the host's physical-address width (CPUID 0x80000008 EAX[7:0], less any
 * memory-encryption reduction; 0 means 52) up to bit 51, starting one higher when the width
 * equals the encryption bit (enc_bit, 0 for none). 0 when no bit is left (52-bit width).
 * svm_npt_map_mmio: 4 KiB entries for [gpa, gpa + size) with those bits, present, writable and
 * marked SVM_NPT_AVL_MMIO; lookups treat them as unmapped. Same refusals as svm_npt_map, and a
 * mask of 0 or with bits outside 51:12 is refused. */
u64 svm_npt_mmio_mask(unsigned phys_bits, unsigned enc_bit);
bool svm_npt_map_mmio(struct svm_npt *npt, u64 gpa, u64 size, u64 rsvd_mask);

/* Frees every table page through mem.free_table (if set) and clears the structure. */
void svm_npt_destroy(struct svm_npt *npt);

#endif
