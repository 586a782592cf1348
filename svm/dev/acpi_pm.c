/* See acpi_pm.h. Byte, word and dword accesses anywhere in the block, little-endian. */
#include "svm/dev/acpi_pm.h"
#include "svm/dev/devices.h"
#include "svm/vm.h"

#define PM1_CNT_SCI_EN BIT(0)
#define PM1_CNT_KEPT (BIT(1) | (7u << 10)) /* BM_RLD, SLP_TYP */
#define PM1_EN_KEPT 0x4721u /* TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN, PCIEXP_WAKE_DIS */

static u8 read_byte(const struct dev_acpi_pm *pm, unsigned off)
{
	u16 cnt = (u16)(pm->pm1_cnt | PM1_CNT_SCI_EN);
	u8 regs[ACPI_PM_PORTS] = { 0, 0, (u8)pm->pm1_en, (u8)(pm->pm1_en >> 8), (u8)cnt, (u8)(cnt >> 8) };
	return regs[off];
}

static void write_byte(struct dev_acpi_pm *pm, unsigned off, u8 b)
{
	switch (off) {
	case 2: pm->pm1_en = (u16)((pm->pm1_en & 0xFF00) | b) & PM1_EN_KEPT; break;
	case 3: pm->pm1_en = (u16)((pm->pm1_en & 0x00FF) | b << 8) & PM1_EN_KEPT; break;
	case 4: pm->pm1_cnt = (u16)((pm->pm1_cnt & 0xFF00) | b) & PM1_CNT_KEPT; break;
	case 5: pm->pm1_cnt = (u16)((pm->pm1_cnt & 0x00FF) | b << 8) & PM1_CNT_KEPT; break;
	default: break; /* PM1_STS: write-1-to-clear, and nothing is ever set */
	}
}

bool dev_acpi_pm_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	struct dev_acpi_pm *pm = &vm->devices->acpi_pm;
	unsigned off = port - ACPI_PM1_EVT_PORT;
	u32 v = in ? 0 : *val;
	for (unsigned i = 0; i < size && off + i < ACPI_PM_PORTS; i++) {
		if (in)
			v |= (u32)read_byte(pm, off + i) << (8 * i);
		else
			write_byte(pm, off + i, (u8)(v >> (8 * i)));
	}
	if (in)
		*val = v;
	return true;
}
