/* fw_cfg over its legacy I/O ports (QEMU docs/specs/fw_cfg.txt): a 16-bit write of the key to
 * the selector port, then the item's bytes one at a time from the data port. */
#include "rt.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511

void fw_cfg_read(u16 key, void *buf, unsigned len)
{
	u8 *p = buf;
	con_out(FW_CFG_PORT_SEL, key, 2);
	for (unsigned i = 0; i < len; i++)
		p[i] = (u8)con_in(FW_CFG_PORT_DATA, 1);
}

/* Numeric items are little-endian. */
u64 fw_cfg_read_le(u16 key, unsigned len)
{
	u8 b[8] = {0};
	fw_cfg_read(key, b, len > 8 ? 8 : len);
	u64 v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}
