/* The Linux x86 boot protocol, 2.12 or later (Documentation/arch/x86/boot.rst): a bzImage's
 * setup header, the zero page (struct boot_params) sevisor fills in, and the 32-bit entry.
 *
 * Guest layout (low memory, below the legacy hole):
 *   0x6000  GDT with __BOOT_CS (0x10) and __BOOT_DS (0x18), flat
 *   0x7000  boot_params (the zero page)
 *   0x8000  64-bit entry only: identity page tables (PML4, PDPT, four page directories of
 *           2 MiB pages covering 4 GiB), up to 0xE000
 *   0x20000 the command line
 *   0xF0000 the ACPI tables (reserved in the e820 map)
 * The protected-mode kernel goes to its preferred address (pref_address) when it fits, else to
 * the first kernel_alignment boundary at or above 16 MiB that does (relocatable kernels only);
 * the initrd goes as high as RAM and initrd_addr_max allow. */
#ifndef SVM_LOAD_LINUX_H
#define SVM_LOAD_LINUX_H

#include "lib/types.h"
#include "svm/vcpu.h"

/* Setup header (boot.rst "The Real-Mode Kernel Header"), at offset 0x1F1 of the image and of
 * boot_params. */
struct linux_setup_header {
	u8 setup_sects;
	u16 root_flags;
	u32 syssize;
	u16 ram_size;
	u16 vid_mode;
	u16 root_dev;
	u16 boot_flag;
	u16 jump;
	u32 header;
	u16 version;
	u32 realmode_swtch;
	u16 start_sys_seg;
	u16 kernel_version;
	u8 type_of_loader;
	u8 loadflags;
	u16 setup_move_size;
	u32 code32_start;
	u32 ramdisk_image;
	u32 ramdisk_size;
	u32 bootsect_kludge;
	u16 heap_end_ptr;
	u8 ext_loader_ver;
	u8 ext_loader_type;
	u32 cmd_line_ptr;
	u32 initrd_addr_max;
	u32 kernel_alignment;
	u8 relocatable_kernel;
	u8 min_alignment;
	u16 xloadflags;
	u32 cmdline_size;
	u32 hardware_subarch;
	u64 hardware_subarch_data;
	u32 payload_offset;
	u32 payload_length;
	u64 setup_data;
	u64 pref_address;
	u32 init_size;
	u32 handover_offset;
	u32 kernel_info_offset;
} __attribute__((packed));

#define LINUX_HDR_OFFSET 0x1F1
/* Offsets within the image / boot_params (boot.rst), asserted through the struct. */
#define LINUX_HDR_AT(field, off) ASSERT_OFFSET(struct linux_setup_header, field, (off) - LINUX_HDR_OFFSET)
LINUX_HDR_AT(setup_sects, 0x1F1);
LINUX_HDR_AT(syssize, 0x1F4);
LINUX_HDR_AT(boot_flag, 0x1FE);
LINUX_HDR_AT(jump, 0x200);
LINUX_HDR_AT(header, 0x202);
LINUX_HDR_AT(version, 0x206);
LINUX_HDR_AT(type_of_loader, 0x210);
LINUX_HDR_AT(loadflags, 0x211);
LINUX_HDR_AT(code32_start, 0x214);
LINUX_HDR_AT(ramdisk_image, 0x218);
LINUX_HDR_AT(ramdisk_size, 0x21C);
LINUX_HDR_AT(heap_end_ptr, 0x224);
LINUX_HDR_AT(cmd_line_ptr, 0x228);
LINUX_HDR_AT(initrd_addr_max, 0x22C);
LINUX_HDR_AT(kernel_alignment, 0x230);
LINUX_HDR_AT(relocatable_kernel, 0x234);
LINUX_HDR_AT(xloadflags, 0x236);
LINUX_HDR_AT(cmdline_size, 0x238);
LINUX_HDR_AT(setup_data, 0x250);
LINUX_HDR_AT(pref_address, 0x258);
LINUX_HDR_AT(init_size, 0x260);
LINUX_HDR_AT(kernel_info_offset, 0x268);
_Static_assert(sizeof(struct linux_setup_header) == 0x26C - LINUX_HDR_OFFSET, "setup header ends at 0x26C");

/* One BIOS e820 entry (boot_params.e820_table). */
struct linux_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry is 20 bytes");

#define LINUX_E820_MAX 128
#define LINUX_E820_RAM 1
#define LINUX_E820_RESERVED 2

/* The zero page (arch/x86/include/uapi/asm/bootparam.h), with only the fields sevisor sets
 * named; the rest is padding that stays zero. */
struct linux_boot_params {
	u8 screen_info[0x40];          /* 0x000 */
	u8 apm_bios_info[0x14];        /* 0x040 */
	u8 pad_054[4];
	u64 tboot_addr;                /* 0x058 */
	u8 ist_info[0x10];             /* 0x060 */
	u64 acpi_rsdp_addr;            /* 0x070 */
	u8 pad_078[8];
	u8 hd_info[0x20];              /* 0x080 */
	u8 sys_desc_table[0x10];       /* 0x0A0 */
	u8 olpc_ofw_header[0x10];      /* 0x0B0 */
	u32 ext_ramdisk_image;         /* 0x0C0 */
	u32 ext_ramdisk_size;          /* 0x0C4 */
	u32 ext_cmd_line_ptr;          /* 0x0C8 */
	u8 pad_0cc[0x70];
	u32 cc_blob_address;           /* 0x13C */
	u8 edid_info[0x80];            /* 0x140 */
	u8 efi_info[0x20];             /* 0x1C0 */
	u32 alt_mem_k;                 /* 0x1E0 */
	u32 scratch;                   /* 0x1E4 */
	u8 e820_entries;               /* 0x1E8 */
	u8 eddbuf_entries;             /* 0x1E9 */
	u8 edd_mbr_sig_buf_entries;    /* 0x1EA */
	u8 kbd_status;                 /* 0x1EB */
	u8 secure_boot;                /* 0x1EC */
	u8 pad_1ed[2];
	u8 sentinel;                   /* 0x1EF */
	u8 pad_1f0;
	struct linux_setup_header hdr; /* 0x1F1 */
	u8 pad_26c[0x290 - 0x26C];
	u32 edd_mbr_sig_buffer[16];    /* 0x290 */
	struct linux_e820_entry e820_table[LINUX_E820_MAX]; /* 0x2D0 */
	u8 pad_cd0[0x1000 - 0xCD0];
} __attribute__((packed));
ASSERT_OFFSET(struct linux_boot_params, acpi_rsdp_addr, 0x070);
ASSERT_OFFSET(struct linux_boot_params, ext_ramdisk_image, 0x0C0);
ASSERT_OFFSET(struct linux_boot_params, ext_cmd_line_ptr, 0x0C8);
ASSERT_OFFSET(struct linux_boot_params, cc_blob_address, 0x13C);
ASSERT_OFFSET(struct linux_boot_params, alt_mem_k, 0x1E0);
ASSERT_OFFSET(struct linux_boot_params, e820_entries, 0x1E8);
ASSERT_OFFSET(struct linux_boot_params, sentinel, 0x1EF);
ASSERT_OFFSET(struct linux_boot_params, hdr, 0x1F1);
ASSERT_OFFSET(struct linux_boot_params, edd_mbr_sig_buffer, 0x290);
ASSERT_OFFSET(struct linux_boot_params, e820_table, 0x2D0);
_Static_assert(sizeof(struct linux_boot_params) == 0x1000, "boot_params is one page");

#define LINUX_BOOT_FLAG 0xAA55
#define LINUX_HDR_MAGIC 0x53726448u /* "HdrS" */
#define LINUX_MIN_VERSION 0x020C    /* 2.12 */
#define LINUX_LOADED_HIGH 0x01      /* loadflags: protected-mode code at 0x100000 or above */
#define LINUX_XLF_KERNEL_64 0x0001
#define LINUX_LOADER_UNDEFINED 0xFF /* type_of_loader: a boot loader without an assigned ID */

#define LINUX_GDT_GPA 0x6000ULL
#define LINUX_BOOT_PARAMS_GPA 0x7000ULL
#define LINUX_CMDLINE_GPA 0x20000ULL
/* The ACPI tables (svm/dev/acpi.h), at the start of the reserved BIOS area where a PC keeps
 * them; acpi_rsdp_addr points at the RSDP there. */
#define LINUX_ACPI_GPA 0xF0000ULL
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18
/* The 64-bit entry (boot.rst "64-bit BOOT PROTOCOL"): startup_64 is 0x200 bytes into the
 * protected-mode kernel; the image says it has one with XLF_KERNEL_64. */
#define LINUX_ENTRY64_OFFSET 0x200
/* The identity map of the 64-bit entry: one PML4, one PDPT, LINUX_PT_PDS page directories of
 * 2 MiB pages (4 GiB: RAM, and the local APIC and HPET below 4 GiB). */
#define LINUX_PT_GPA 0x8000ULL
#define LINUX_PT_PDS 4
#define LINUX_PT_END (LINUX_PT_GPA + (2 + LINUX_PT_PDS) * 0x1000ULL)

struct svm_linux_load_params {
	const char *cmdline;
	const void *initrd;
	u64 initrd_size;
	/* Enter at the 64-bit entry, in long mode with the identity map above, instead of the
	 * 32-bit one: how firmware (OVMF) starts an SEV-ES guest's kernel, whose 32-bit start-up
	 * code cannot run under SEV-ES. enc_mask is the memory-encryption (C-) bit the map sets
	 * on RAM (CPUID 0x8000001F EBX[5:0]); 0 for none. */
	bool entry64;
	u64 enc_mask;
};

struct svm_linux_load_result {
	u16 version;
	u64 kernel_gpa, kernel_end; /* the kernel's reserved range [load, load + init_size) */
	u64 initrd_gpa;
	u64 entry;   /* the protected-mode kernel's first byte, + 0x200 for the 64-bit entry */
	bool entry64; /* long mode, CR3 = LINUX_PT_GPA */
	unsigned e820_entries;
};

/* A bzImage: the boot sector signature and the "HdrS" setup header. */
bool svm_linux_is_bzimage(const void *image, u64 size);
/* Checks the header, copies kernel, command line and initrd into guest RAM and fills the zero
 * page; false with a reason in err for an image sevisor cannot boot. */
bool svm_linux_load(struct vm *vm, const void *image, u64 size, const struct svm_linux_load_params *p,
		    struct svm_linux_load_result *res, char *err, unsigned errlen);
/* The boot protocol's entry state, ESI = boot_params, every other GPR 0, interrupts off, a GDT
 * with flat __BOOT_CS/__BOOT_DS loaded. 32-bit: protected mode, paging off. 64-bit: long mode
 * (EFER.LME/LMA, CR0.PG, CR4.PAE) on the identity map at LINUX_PT_GPA, __BOOT_CS 64-bit. */
void svm_linux_entry_state(struct vmcb *vmcb, struct svm_gprs *gprs, const struct svm_linux_load_result *res);

#endif
