/* svm/dev/acpi.c and svm/dev/acpi_pm.c: the tables as an OS walks them, and the PM1 block.
 *
 * Vectors: ACPI specification 6.4. RSDP (5.2.5.3): "RSD PTR ", the first 20 bytes and all 36
 * bytes each sum to zero, revision 2, XSDT address at 24. Every table (5.2.6): signature,
 * length at 4, the whole length sums to zero. XSDT (5.2.8): 64-bit table addresses after the
 * header. FADT "FACP" (5.2.9): FIRMWARE_CTRL at 36, DSDT at 40, SCI_INT at 46, SMI_CMD at 48,
 * PM1a_EVT_BLK at 56, PM1a_CNT_BLK at 64, PM1_EVT_LEN at 88 (>= 4), PM1_CNT_LEN at 89 (>= 2),
 * flags at 112, RESET_REG at 116, RESET_VALUE at 128. FACS (5.2.10): 64-byte aligned, length 64.
 * IA-PC HPET 1.0a, 3.2.4: the event timer block ID at 36 (the capabilities register's low half),
 * the base address GAS at 40 (space 0 = memory, address at 44). PM1 registers (4.8.3): PM1_STS
 * and PM1_EN 16 bits each at PM1a_EVT_BLK, PM1_CNT at PM1a_CNT_BLK with SCI_EN in bit 0. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/acpi.h"

#define GPA 0xF0000u

static u8 block[ACPI_TABLES_SIZE];

static u8 sum(const u8 *p, unsigned n)
{
	u8 s = 0;
	for (unsigned i = 0; i < n; i++)
		s = (u8)(s + p[i]);
	return s;
}

static u32 rd32(const u8 *p, unsigned off)
{
	return (u32)p[off] | (u32)p[off + 1] << 8 | (u32)p[off + 2] << 16 | (u32)p[off + 3] << 24;
}

static u64 rd64(const u8 *p, unsigned off)
{
	return rd32(p, off) | (u64)rd32(p, off + 4) << 32;
}

/* A table by its guest address: checks its checksum and signature. */
static const u8 *table(u64 gpa, const char *sig)
{
	assert_true(gpa >= GPA && gpa - GPA < ACPI_TABLES_SIZE);
	const u8 *t = block + (gpa - GPA);
	u32 len = rd32(t, 4);
	assert_true(len >= 36 && gpa - GPA + len <= ACPI_TABLES_SIZE);
	assert_memory_equal(t, sig, 4);
	assert_int_equal(sum(t, len), 0);
	return t;
}

static void build(void)
{
	memset(block, 0, sizeof(block));
	dev_acpi_build(block, GPA, 0x0000000F8086A201ULL);
}

static void rsdp_xsdt_walk(void **state)
{
	(void)state;
	build();
	assert_memory_equal(block, "RSD PTR ", 8);
	assert_int_equal(sum(block, 20), 0);
	assert_int_equal(sum(block, 36), 0);
	assert_int_equal(block[15], 2);
	assert_int_equal(rd32(block, 20), 36);
	const u8 *xsdt = table(rd64(block, 24), "XSDT");
	unsigned n = (rd32(xsdt, 4) - 36) / 8;
	assert_int_equal(n, 2); /* no MADT (svm/dev/acpi.h) */
	static const char *const sigs[] = { "FACP", "HPET" };
	for (unsigned i = 0; i < n; i++)
		(void)table(rd64(xsdt, 36 + 8 * i), sigs[i]);
}

static void fadt_facs_dsdt(void **state)
{
	(void)state;
	build();
	const u8 *xsdt = table(rd64(block, 24), "XSDT");
	const u8 *fadt = table(rd64(xsdt, 36), "FACP");
	assert_int_equal(rd32(fadt, 4), 276);
	u32 facs_gpa = rd32(fadt, 36);
	assert_int_equal(facs_gpa % 64, 0);
	const u8 *facs = block + (facs_gpa - GPA);
	assert_memory_equal(facs, "FACS", 4);
	assert_int_equal(rd32(facs, 4), 64);
	const u8 *dsdt = table(rd32(fadt, 40), "DSDT");
	assert_int_equal(rd32(dsdt, 4), 36); /* no AML */
	assert_int_equal(fadt[46] | fadt[47] << 8, 9); /* SCI on IRQ 9 */
	assert_int_equal(rd32(fadt, 48), 0);          /* no SMI command: always ACPI mode */
	assert_int_equal(rd32(fadt, 56), 0x600);
	assert_int_equal(rd32(fadt, 64), 0x604);
	assert_int_equal(rd32(fadt, 76), 0); /* no PM timer */
	assert_true(fadt[88] >= 4);
	assert_true(fadt[89] >= 2);
	assert_int_equal(rd32(fadt, 112) & (1u << 10), 1u << 10); /* RESET_REG_SUP */
	assert_int_equal(fadt[116], 1);                         /* system I/O */
	assert_int_equal(rd64(fadt, 120), 0xCF9);
	assert_int_equal(fadt[128], 0x06);
}

static void hpet_table(void **state)
{
	(void)state;
	build();
	const u8 *xsdt = table(rd64(block, 24), "XSDT");
	const u8 *hpet = table(rd64(xsdt, 44), "HPET");
	assert_int_equal(rd32(hpet, 36), 0x8086A201u);
	assert_int_equal(hpet[40], 0); /* system memory */
	assert_int_equal(rd64(hpet, 44), 0xFED00000ULL);
}

static void pm1_registers(void **state)
{
	(void)state;
	struct svm_fx *f = sf_new(false);
	sf_log_capture();
	u32 v = 0;
	assert_true(svm_io_port(&f->vm, 0x600, 2, true, &v));
	assert_int_equal(v, 0); /* PM1_STS: no events */
	v = 0x0121; /* PWRBTN_EN, GBL_EN, TMR_EN */
	assert_true(svm_io_port(&f->vm, 0x602, 2, false, &v));
	assert_true(svm_io_port(&f->vm, 0x600, 4, true, &v));
	assert_int_equal(v, 0x01210000u);
	assert_true(svm_io_port(&f->vm, 0x604, 2, true, &v));
	assert_int_equal(v & 1, 1); /* SCI_EN */
	v = 0x2000 | (5u << 10) | 0x4; /* SLP_EN, SLP_TYP 5, GBL_RLS: write-only bits */
	assert_true(svm_io_port(&f->vm, 0x604, 2, false, &v));
	assert_true(svm_io_port(&f->vm, 0x604, 2, true, &v));
	assert_int_equal(v, (5u << 10) | 1);
	assert_false(sf_log_has("unclaimed port 0x060"));
	log_reset();
	sf_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rsdp_xsdt_walk),
		cmocka_unit_test(fadt_facs_dsdt),
		cmocka_unit_test(hpet_table),
		cmocka_unit_test(pm1_registers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
