/* Multiboot v1 loader for ELF kernels (Multiboot Specification 0.6.96), the format of public
 * hypervisor test kernels (kvm-unit-tests x86 .flat files are ELF32 with a Multiboot header and
 * 64-bit code inside). ELF64 kernels are accepted too.
 *
 * What it does, in order, and nothing is written to guest RAM until every check passed:
 * 1. finds the Multiboot header (spec 3.1.1: magic 0x1BADB002, 4-byte aligned, entirely within
 *    the first 8192 bytes; magic + flags + checksum == 0 mod 2^32) and checks its flags:
 *    bit 0 (page-align modules) and bit 1 (memory information) are honoured (sevisor always does
 *    both); bit 2 (video mode) and the other required bits 3..15 are refused, since sevisor has
 *    no video and must fail on a requirement it cannot meet (spec 3.1.2); bit 16 (a.out kludge:
 *    load addresses in the header) is refused: load ELF kernels by their program headers;
 * 2. checks the ELF header (class, little-endian, ET_EXEC, EM_386 for ELF32 / EM_X86_64 for
 *    ELF64) and every PT_LOAD segment: inside the file, p_filesz <= p_memsz, below 4 GiB, inside
 *    one guest RAM slot, clear of the info area, of caller-reserved ranges and of each other;
 *    the entry point must lie in a segment (its virtual address is translated to the physical
 *    one as GRUB does, since the kernel starts with paging off);
 * 3. loads the segments at p_paddr, zeroing p_memsz - p_filesz (bss), copies the modules and
 *    writes the Multiboot information block.
 *
 * Placement rule (where sevisor puts what it adds):
 * - The information block (struct svm_mb_info, the module list, the memory map, the command
 *   line and the module strings) goes to low memory at SVM_MB_INFO_GPA (0x1000, right above
 *   guest page 0, which stays ordinary RAM untouched by the loader: kvm-unit-tests copies its AP
 *   start-up code there) and must end below SVM_MB_INFO_LIMIT (0x9F000, under the legacy
 *   640 KiB line). A kernel segment that overlaps it is refused. Test kernels and Linux-style
 *   kernels load at 1 MiB or above, so this area is otherwise unused at entry.
 * - Modules go page-aligned right above the kernel image (above the highest p_paddr + p_memsz),
 *   one after another, skipping caller-reserved ranges; each must fit in guest RAM.
 * - The memory map tells the truth: every RAM slot as type 1 (available), with the
 *   caller's reserved ranges cut out and listed as type 2 (reserved). The info block and the
 *   modules stay type 1 like in GRUB: they are ordinary RAM that the kernel may reclaim once it
 *   has read them (spec 3.3: the OS must not overwrite them before it is done with them).
 *
 * Entry state (spec 3.2), applied to the VMCB by svm_multiboot_entry_state: 32-bit protected
 * mode, flat 4 GiB code and data segments, paging off, EAX = 0x2BADB002, EBX = info block,
 * IF = 0, A20 on (sevisor's guests have no A20 gate). */
#ifndef SVM_LOAD_MULTIBOOT_H
#define SVM_LOAD_MULTIBOOT_H

#include "lib/types.h"
#include "svm/vm.h"
#include "svm/vmcb.h"

struct svm_gprs;

/* ---- the Multiboot header in the kernel image (spec 3.1.1) ---- */
#define SVM_MB_HEADER_MAGIC 0x1BADB002u
#define SVM_MB_SEARCH_LIMIT 8192u /* the header lies entirely within the first 8192 bytes */
#define SVM_MB_HEADER_ALIGN 4u

struct svm_mb_header {
	u32 magic;
	u32 flags;
	u32 checksum;
	/* Valid only with SVM_MB_HF_AOUT_KLUDGE (bit 16). */
	u32 header_addr;
	u32 load_addr;
	u32 load_end_addr;
	u32 bss_end_addr;
	u32 entry_addr;
	/* Valid only with SVM_MB_HF_VIDEO (bit 2). */
	u32 mode_type;
	u32 width;
	u32 height;
	u32 depth;
} PACKED;
ASSERT_OFFSET(struct svm_mb_header, flags, 4);
ASSERT_OFFSET(struct svm_mb_header, checksum, 8);
ASSERT_OFFSET(struct svm_mb_header, header_addr, 12);
ASSERT_OFFSET(struct svm_mb_header, entry_addr, 28);
ASSERT_OFFSET(struct svm_mb_header, mode_type, 32);
ASSERT_SIZE(struct svm_mb_header, 48);
#define SVM_MB_HEADER_MIN 12u /* magic, flags, checksum */

/* Header flags (spec 3.1.2). Bits 0..15 are requirements, bits 16..31 optional features. */
#define SVM_MB_HF_PAGE_ALIGN BIT(0)  /* modules page aligned */
#define SVM_MB_HF_MEMINFO BIT(1)     /* mem_* (and mmap) must be provided */
#define SVM_MB_HF_VIDEO BIT(2)       /* video mode table must be provided */
#define SVM_MB_HF_REQUIRED_MASK 0xFFFFu
#define SVM_MB_HF_AOUT_KLUDGE BIT(16) /* load from header address fields */
/* The requirements sevisor can meet. */
#define SVM_MB_HF_SUPPORTED (SVM_MB_HF_PAGE_ALIGN | SVM_MB_HF_MEMINFO)

/* ---- the Multiboot information block (spec 3.3) ---- */
#define SVM_MB_BOOTLOADER_MAGIC 0x2BADB002u /* EAX at entry */

struct svm_mb_info {
	u32 flags;
	u32 mem_lower; /* KiB from 0 (at most 640) */
	u32 mem_upper; /* KiB from 1 MiB up to the first hole */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
	u32 drives_length;
	u32 drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
	u32 vbe_control_info;
	u32 vbe_mode_info;
	u16 vbe_mode;
	u16 vbe_interface_seg;
	u16 vbe_interface_off;
	u16 vbe_interface_len;
} PACKED;
ASSERT_OFFSET(struct svm_mb_info, mem_lower, 4);
ASSERT_OFFSET(struct svm_mb_info, mem_upper, 8);
ASSERT_OFFSET(struct svm_mb_info, cmdline, 16);
ASSERT_OFFSET(struct svm_mb_info, mods_count, 20);
ASSERT_OFFSET(struct svm_mb_info, mods_addr, 24);
ASSERT_OFFSET(struct svm_mb_info, syms, 28);
ASSERT_OFFSET(struct svm_mb_info, mmap_length, 44);
ASSERT_OFFSET(struct svm_mb_info, mmap_addr, 48);
ASSERT_OFFSET(struct svm_mb_info, boot_loader_name, 64);
ASSERT_OFFSET(struct svm_mb_info, vbe_mode, 80);
ASSERT_SIZE(struct svm_mb_info, 88);

/* Info flags (spec 3.3). */
#define SVM_MB_INFO_MEM BIT(0)
#define SVM_MB_INFO_BOOTDEV BIT(1)
#define SVM_MB_INFO_CMDLINE BIT(2)
#define SVM_MB_INFO_MODS BIT(3)
#define SVM_MB_INFO_MMAP BIT(6)
#define SVM_MB_INFO_LOADER_NAME BIT(9)

/* One module (spec 3.3, "mods_addr"). */
struct svm_mb_module {
	u32 mod_start;
	u32 mod_end; /* exclusive */
	u32 string;
	u32 reserved;
} PACKED;
ASSERT_SIZE(struct svm_mb_module, 16);

/* One memory map entry (spec 3.3, "mmap_addr"). size counts the bytes after itself, and
 * mmap_addr points at the size field of the first entry. */
struct svm_mb_mmap_entry {
	u32 size;
	u64 base_addr;
	u64 length;
	u32 type;
} PACKED;
ASSERT_OFFSET(struct svm_mb_mmap_entry, base_addr, 4);
ASSERT_OFFSET(struct svm_mb_mmap_entry, length, 12);
ASSERT_OFFSET(struct svm_mb_mmap_entry, type, 20);
ASSERT_SIZE(struct svm_mb_mmap_entry, 24);
#define SVM_MB_MMAP_AVAILABLE 1
#define SVM_MB_MMAP_RESERVED 2

/* ---- the loader ---- */
#define SVM_MB_INFO_GPA 0x1000u
#define SVM_MB_INFO_LIMIT 0x9F000u
#define SVM_MB_MAX_MODULES 16
#define SVM_MB_MAX_RESERVED 16
#define SVM_MB_MAX_SEGMENTS 32
#define SVM_MB_LOADER_NAME "sevisor"

struct svm_mb_module_src {
	const u8 *data;
	u64 size;
	const char *string; /* the module's command line, e.g. "PATH ARGS"; NULL = "" */
};

struct svm_mb_range {
	u64 base;
	u64 size;
};

struct svm_mb_load_params {
	/* The kernel's command line. GRUB and QEMU pass "KERNELPATH ARGS"; pass the same so
	 * kernels that take the first word as the program name see their arguments. NULL = "". */
	const char *cmdline;
	const struct svm_mb_module_src *modules;
	unsigned nr_modules;
	/* Guest-physical ranges the kernel must not be loaded into and that the memory map
	 * reports as reserved (e.g. a hole for MMIO or the range an SEV-ES GHCB lives in). */
	const struct svm_mb_range *reserved;
	unsigned nr_reserved;
};

enum svm_mb_status {
	SVM_MB_OK = 0,
	SVM_MB_ERR_PARAMS,        /* bad arguments: too many modules/reserved ranges, NULL image */
	SVM_MB_ERR_NO_HEADER,     /* no Multiboot magic in the first 8192 bytes */
	SVM_MB_ERR_CHECKSUM,      /* magic found, checksum wrong */
	SVM_MB_ERR_FLAGS,         /* a required flag sevisor cannot meet (video, unknown bits) */
	SVM_MB_ERR_AOUT_KLUDGE,   /* flag 16: not supported */
	SVM_MB_ERR_NOT_ELF,       /* no ELF magic, bad class/data/version/type */
	SVM_MB_ERR_MACHINE,       /* not EM_386 (ELF32) / EM_X86_64 (ELF64) */
	SVM_MB_ERR_TRUNCATED,     /* a header or segment reaches past the end of the file */
	SVM_MB_ERR_SEGMENT,       /* bad segment: filesz > memsz, too many, overlapping */
	SVM_MB_ERR_OUTSIDE_RAM,   /* segment not in guest RAM (or above 4 GiB) */
	SVM_MB_ERR_OVERLAP_INFO,  /* segment overlaps the info area */
	SVM_MB_ERR_OVERLAP_RESERVED, /* segment overlaps a caller-reserved range */
	SVM_MB_ERR_ENTRY,         /* entry point not inside a loaded segment, or above 4 GiB */
	SVM_MB_ERR_NO_ROOM,       /* info block or modules do not fit */
	SVM_MB_STATUS_COUNT
};
const char *svm_mb_status_name(enum svm_mb_status status);

struct svm_mb_load_result {
	enum svm_mb_status status;
	u32 entry;      /* physical entry point: EIP at start */
	u32 info_gpa;   /* EBX at start */
	u32 info_size;  /* bytes of the info area used */
	u64 image_start; /* lowest p_paddr loaded */
	u64 image_end;   /* highest p_paddr + p_memsz (exclusive) */
	u64 mods_end;    /* end of the last module (== page-aligned image_end when none) */
	bool elf64;
};

/* Loads a Multiboot ELF kernel into vm's RAM. On failure returns false with out->status set
 * and a one-line reason in err (when errlen > 0), and guest RAM untouched. */
bool svm_multiboot_load(struct vm *vm, const u8 *image, u64 size,
			const struct svm_mb_load_params *p, struct svm_mb_load_result *out,
			char *err, size_t errlen);

/* Resets the VMCB save area to the Multiboot entry state (spec 3.2): flat 32-bit code (0x08)
 * and data (0x10) segments, CR0 = PE|ET, CR3 = CR4 = 0, EFER = SVME (kept set for VMRUN;
 * hidden from the guest by the CR shadow), RFLAGS = 0x2, RIP = entry, RAX = 0x2BADB002,
 * GDTR/IDTR limit 0 (the spec lets them be invalid; the kernel loads its own), DR6/DR7/PAT at
 * their reset values. The control area is not touched. gprs (may be NULL) is zeroed and gets
 * RBX = info_gpa. */
void svm_multiboot_entry_state(struct vmcb *vmcb, struct svm_gprs *gprs, u32 entry,
			       u32 info_gpa);

#endif
