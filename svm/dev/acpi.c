/* See acpi.h. */
#include "svm/dev/acpi.h"
#include "svm/dev/acpi_pm.h"
#include "svm/dev/hpet.h"
#include "lib/kstring.h"

/* Where each table sits in the block (RSDP first; FACS 64-byte aligned, ACPI 5.2.10). */
enum {
	AT_RSDP = 0, AT_FACS = 64, AT_XSDT = 128, AT_FADT = 192, AT_DSDT = 480, AT_HPET = 528,
	AT_END = 584,
};
_Static_assert(AT_END <= ACPI_TABLES_SIZE, "the tables fit their block");
_Static_assert(AT_XSDT + sizeof(struct acpi_header) + 2 * sizeof(u64) <= AT_FADT, "XSDT fits");
_Static_assert(AT_FADT + sizeof(struct acpi_fadt) <= AT_DSDT, "FADT fits");
_Static_assert(AT_DSDT + sizeof(struct acpi_header) <= AT_HPET, "DSDT fits");
_Static_assert(AT_HPET + sizeof(struct acpi_hpet) <= AT_END, "HPET table fits");

#define OEM_ID "SEVISR"
#define OEM_TABLE_ID "SEVISOR "
#define CREATOR_ID "SVSR"
#define SCI_IRQ 9 /* the ISA IRQ of the SCI, level-triggered, as on q35 */
#define GAS_SYSTEM_MEMORY 0
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
/* FADT IAPC_BOOT_ARCH (5.2.9.3): legacy ISA devices, no VGA; no 8042 keyboard controller
 * (sevisor models only its reset command). */
#define BOOT_ARCH_LEGACY_DEVICES BIT(0)
#define BOOT_ARCH_VGA_NOT_PRESENT BIT(2)
/* FADT flags (5.2.9, table 5.10): WBINVD works; the power and sleep buttons are not fixed
 * hardware (there are none); the reset register is supported. */
#define FADT_WBINVD BIT(0)
#define FADT_PWR_BUTTON BIT(4)
#define FADT_SLP_BUTTON BIT(5)
#define FADT_RESET_REG_SUP BIT(10)
#define RESET_PORT 0xCF9
#define RESET_VALUE 0x06 /* SYS_RST | RST_CPU: a hard reset (svm/dev/reset.c) */
#define P_LVL2_NONE 101   /* > 100 us: no C2 */
#define P_LVL3_NONE 1001  /* > 1000 us: no C3 */
#define CMOS_CENTURY 0x32
#define HPET_MIN_TICK 100

u8 dev_acpi_checksum(const void *data, unsigned len)
{
	const u8 *p = data;
	u8 sum = 0;
	for (unsigned i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return (u8)-sum;
}

static void header(struct acpi_header *h, const char sig[4], u32 length, u8 revision)
{
	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = revision;
	memcpy(h->oem_id, OEM_ID, 6);
	memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, CREATOR_ID, 4);
	h->creator_revision = 1;
}

/* The checksum goes in last, over the table as it stands. */
static void seal(struct acpi_header *h)
{
	h->checksum = 0;
	h->checksum = dev_acpi_checksum(h, h->length);
}

static void build_fadt(struct acpi_fadt *f, u64 gpa)
{
	header(&f->h, "FACP", sizeof(*f), 6);
	f->firmware_ctrl = (u32)(gpa + AT_FACS);
	f->dsdt = (u32)(gpa + AT_DSDT);
	f->sci_int = SCI_IRQ;
	/* SMI_CMD 0: no transition to make, the platform is always in ACPI mode (SCI_EN set). */
	f->pm1a_evt_blk = ACPI_PM1_EVT_PORT;
	f->pm1a_cnt_blk = ACPI_PM1_CNT_PORT;
	f->pm1_evt_len = ACPI_PM1_EVT_LEN;
	f->pm1_cnt_len = ACPI_PM1_CNT_LEN;
	f->p_lvl2_lat = P_LVL2_NONE;
	f->p_lvl3_lat = P_LVL3_NONE;
	f->century = CMOS_CENTURY;
	f->iapc_boot_arch = BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_VGA_NOT_PRESENT;
	f->flags = FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_RESET_REG_SUP;
	f->reset_reg = (struct acpi_gas){ GAS_SYSTEM_IO, 8, 0, GAS_ACCESS_BYTE, RESET_PORT };
	f->reset_value = RESET_VALUE;
	seal(&f->h);
}

static void build_hpet(struct acpi_hpet *t, u64 hpet_id)
{
	header(&t->h, "HPET", sizeof(*t), 1);
	t->event_timer_block_id = (u32)hpet_id;
	t->base_address = (struct acpi_gas){ GAS_SYSTEM_MEMORY, 64, 0, 0, HPET_BASE };
	t->min_tick = HPET_MIN_TICK;
	seal(&t->h);
}

void dev_acpi_build(u8 *buf, u64 gpa, u64 hpet_id)
{
	struct acpi_facs *facs = (struct acpi_facs *)(buf + AT_FACS);
	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = 2;

	struct acpi_header *dsdt = (struct acpi_header *)(buf + AT_DSDT);
	header(dsdt, "DSDT", sizeof(*dsdt), 2); /* no AML: nothing to enumerate */
	seal(dsdt);

	build_fadt((struct acpi_fadt *)(buf + AT_FADT), gpa);
	build_hpet((struct acpi_hpet *)(buf + AT_HPET), hpet_id);

	struct acpi_header *xsdt = (struct acpi_header *)(buf + AT_XSDT);
	static const unsigned tables[] = { AT_FADT, AT_HPET };
	header(xsdt, "XSDT", sizeof(*xsdt) + sizeof(tables) / sizeof(tables[0]) * sizeof(u64), 1);
	for (unsigned i = 0; i < ARRAY_SIZE(tables); i++) {
		u64 at = gpa + tables[i];
		memcpy(buf + AT_XSDT + sizeof(*xsdt) + i * sizeof(u64), &at, sizeof(at));
	}
	seal(xsdt);

	struct acpi_rsdp *rsdp = (struct acpi_rsdp *)(buf + AT_RSDP);
	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, OEM_ID, 6);
	rsdp->revision = 2;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = gpa + AT_XSDT;
	rsdp->checksum = dev_acpi_checksum(rsdp, 20);
	rsdp->extended_checksum = dev_acpi_checksum(rsdp, sizeof(*rsdp));
}
