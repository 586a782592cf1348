/* ACPI tables that describe sevisor's guest platform to an OS that looks for them (Linux): the
 * RSDP, an XSDT, a FADT (with FACS and an empty DSDT: no AML devices) and the HPET table for the
 * HPET at 0xFED00000. Layouts: ACPI specification 6.4, sections 5.2.5 (RSDP), 5.2.6 (header),
 * 5.2.8 (XSDT), 5.2.9 (FADT), 5.2.10 (FACS), and the IA-PC HPET specification 1.0a, 3.2.4. The
 * FADT's fixed hardware is the PM1 register block of svm/dev/acpi_pm.c and the reset register
 * is port 0xCF9.
 *
 * No MADT: an MADT that lists local APICs makes Linux take the interrupt model of the MADT
 * (symmetric I/O, smp_found_config), which routes ISA interrupts through I/O APICs only; with
 * none modelled the 8259's interrupts would never arrive. Without it Linux finds the local APIC
 * through CPUID and its default base, and keeps the PIC in virtual-wire mode. */
#ifndef SVM_DEV_ACPI_H
#define SVM_DEV_ACPI_H

#include "lib/types.h"

struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	u8 checksum;       /* of the first 20 bytes */
	char oem_id[6];
	u8 revision;       /* 2: ACPI 2.0 and later */
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 extended_checksum;
	u8 reserved[3];
} PACKED;
ASSERT_OFFSET(struct acpi_rsdp, revision, 15);
ASSERT_OFFSET(struct acpi_rsdp, xsdt_address, 24);
ASSERT_OFFSET(struct acpi_rsdp, extended_checksum, 32);
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum; /* the whole table sums to zero */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} PACKED;
_Static_assert(sizeof(struct acpi_header) == 36, "system description table header is 36 bytes");

/* Generic Address Structure (ACPI 5.2.3.2). */
struct acpi_gas {
	u8 space_id; /* 0 system memory, 1 system I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size; /* 1 byte, 2 word, 3 dword, 4 qword */
	u64 address;
} PACKED;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");

struct acpi_fadt {
	struct acpi_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved_44;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	u32 gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	u8 duty_offset, duty_width, day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved_111;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 fadt_minor_version;
	u64 x_firmware_ctrl, x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk, x_pm2_cnt_blk,
		x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk, sleep_control_reg, sleep_status_reg;
	u64 hypervisor_vendor_identity;
} PACKED;
ASSERT_OFFSET(struct acpi_fadt, sci_int, 46);
ASSERT_OFFSET(struct acpi_fadt, pm1a_evt_blk, 56);
ASSERT_OFFSET(struct acpi_fadt, pm1a_cnt_blk, 64);
ASSERT_OFFSET(struct acpi_fadt, pm1_evt_len, 88);
ASSERT_OFFSET(struct acpi_fadt, p_lvl2_lat, 96);
ASSERT_OFFSET(struct acpi_fadt, century, 108);
ASSERT_OFFSET(struct acpi_fadt, iapc_boot_arch, 109);
ASSERT_OFFSET(struct acpi_fadt, flags, 112);
ASSERT_OFFSET(struct acpi_fadt, reset_reg, 116);
ASSERT_OFFSET(struct acpi_fadt, reset_value, 128);
ASSERT_OFFSET(struct acpi_fadt, x_firmware_ctrl, 132);
ASSERT_OFFSET(struct acpi_fadt, x_pm1a_evt_blk, 148);
ASSERT_OFFSET(struct acpi_fadt, sleep_control_reg, 244);
ASSERT_OFFSET(struct acpi_fadt, hypervisor_vendor_identity, 268);
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT (revision 6) is 276 bytes");

struct acpi_facs {
	char signature[4]; /* "FACS" */
	u32 length;
	u32 hardware_signature;
	u32 firmware_waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved[3];
	u32 ospm_flags;
	u8 reserved2[24];
} PACKED;
ASSERT_OFFSET(struct acpi_facs, version, 32);
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS is 64 bytes");

struct acpi_hpet {
	struct acpi_header h;
	u32 event_timer_block_id;
	struct acpi_gas base_address;
	u8 hpet_number;
	u16 min_tick;
	u8 page_protection;
} PACKED;
ASSERT_OFFSET(struct acpi_hpet, base_address, 40);
ASSERT_OFFSET(struct acpi_hpet, hpet_number, 52);
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET table is 56 bytes");

/* Room the tables need (dev_acpi_build's `size`). */
#define ACPI_TABLES_SIZE 1024
/* Builds the tables into `buf` (zeroed, ACPI_TABLES_SIZE bytes), which the guest sees at GPA
 * `gpa` (16-byte aligned, below 4 GiB); the RSDP is at the start. `hpet_id` is the HPET's
 * capabilities register (its low half is the table's event timer block ID). */
void dev_acpi_build(u8 *buf, u64 gpa, u64 hpet_id);
/* The byte that makes `len` bytes sum to zero (ACPI 5.2.5.3, 5.2.6). */
u8 dev_acpi_checksum(const void *data, unsigned len);

#endif
