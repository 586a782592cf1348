/* The ACPI PM1 register block the FADT points at (ACPI 6.4, 4.8.3.1 and 4.8.3.2), at the
 * addresses q35's ICH9 uses: PM1a_EVT_BLK at 0x600 (PM1_STS, then PM1_EN) and PM1a_CNT_BLK at
 * 0x604. Nothing raises a fixed event here (no power button, no PM timer: the FADT lists
 * none), so PM1_STS reads zero; PM1_EN keeps what is written; PM1_CNT reads SCI_EN set, as a
 * platform without an SMI command port is always in ACPI mode (4.8.3.2.1), and keeps BM_RLD and
 * SLP_TYP; GBL_RLS and SLP_EN are write-only and read zero (no sleep states are offered). */
#ifndef SVM_DEV_ACPI_PM_H
#define SVM_DEV_ACPI_PM_H

#include "lib/types.h"

struct vm;

#define ACPI_PM1_EVT_PORT 0x600
#define ACPI_PM1_EVT_LEN 4
#define ACPI_PM1_CNT_PORT 0x604
#define ACPI_PM1_CNT_LEN 2
#define ACPI_PM_PORTS (ACPI_PM1_EVT_LEN + ACPI_PM1_CNT_LEN)

struct dev_acpi_pm {
	u16 pm1_en;
	u16 pm1_cnt;
};

bool dev_acpi_pm_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

#endif
