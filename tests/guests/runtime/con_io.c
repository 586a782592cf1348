/* The runtime's own port I/O (see rt.h, con_out). */
#include "ghcb.h"
#include "rt.h"

void con_out(u16 port, u32 val, unsigned size)
{
	if (rt_sev_es) {
		ghcb_io_out(port, val, size);
		return;
	}
	switch (size) {
	case 1:
		outb((u8)val, port);
		break;
	case 2:
		outw((u16)val, port);
		break;
	default:
		outl(val, port);
	}
}

u32 con_in(u16 port, unsigned size)
{
	if (rt_sev_es)
		return ghcb_io_in(port, size);
	switch (size) {
	case 1:
		return inb(port);
	case 2:
		return inw(port);
	default:
		return inl(port);
	}
}
