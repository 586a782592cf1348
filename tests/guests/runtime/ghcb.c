/* GHCB page and MSR protocol, guest side. */
#include "ghcb.h"
#include "rt.h"

u8 ghcb_page_a[4096] __attribute__((aligned(4096)));
u8 ghcb_page_b[4096] __attribute__((aligned(4096)));
volatile u8 *ghcb = ghcb_page_a;

#define LOW_MAP_LIMIT (2ULL << 20) /* pt_low covers GPA 0-2 MiB with 4 KiB pages */

static volatile u64 *field(unsigned off) { return (volatile u64 *)(ghcb + off); }

/* Under SEV-ES the GHCB must be shared with the hypervisor: map it with the C-bit clear. Its
 * contents change meaning with the mapping, so clear it afterwards. */
static void share_page(void *page)
{
	u64 gpa = (u64)page;
	if (gpa >= LOW_MAP_LIMIT || (gpa & (PAGE_SIZE - 1)))
		ghcb_terminate(GHCB_TERM_SET_GUEST_RT, GHCB_TERM_RT_BAD_LAYOUT);
	pt_low[gpa / PAGE_SIZE] &= ~BIT(rt_cbit);
	invlpg(gpa);
	memset(page, 0, PAGE_SIZE);
}

void ghcb_init(void)
{
	share_page(ghcb_page_a);
	share_page(ghcb_page_b);
	ghcb = ghcb_page_a;
	exc_vc_hook = vc_handle;
}

void ghcb_use(void *page) { ghcb = page; }

void ghcb_clear(void)
{
	for (unsigned off = 0; off < GHCB_SAVE_AREA_END; off += 8)
		*field(off) = 0;
	*(volatile u16 *)(ghcb + GHCB_PROTOCOL_VERSION) = rt_ghcb_version;
	*(volatile u32 *)(ghcb + GHCB_USAGE) = 0;
}

void ghcb_set_raw(unsigned off, u64 v) { *field(off) = v; }

void ghcb_set(unsigned off, u64 v)
{
	unsigned bit = off / 8;
	*field(off) = v;
	ghcb[GHCB_VALID_BITMAP + bit / 8] |= (u8)(1u << (bit % 8));
}

void ghcb_set_u8(unsigned off, u8 v)
{
	unsigned bit = off / 8;
	ghcb[off] = v;
	ghcb[GHCB_VALID_BITMAP + bit / 8] |= (u8)(1u << (bit % 8));
}

u64 ghcb_get(unsigned off) { return *field(off); }

bool ghcb_valid(unsigned off)
{
	unsigned bit = off / 8;
	return ghcb[GHCB_VALID_BITMAP + bit / 8] & (1u << (bit % 8));
}

void ghcb_call_prepared(void)
{
	wrmsr(MSR_GHCB, ghcb_gpa());
	vmgexit();
}

u64 ghcb_call(u64 exit_code, u64 info1, u64 info2)
{
	ghcb_set(GHCB_SW_EXITCODE, exit_code);
	ghcb_set(GHCB_SW_EXITINFO1, info1);
	ghcb_set(GHCB_SW_EXITINFO2, info2);
	ghcb_call_prepared();
	return ghcb_get(GHCB_SW_EXITINFO1);
}

u64 ghcb_msr_proto(u64 request)
{
	wrmsr(MSR_GHCB, request);
	vmgexit();
	return rdmsr(MSR_GHCB);
}

void ghcb_terminate(unsigned set, unsigned code)
{
	for (;;) {
		ghcb_msr_proto(GHCB_MSR_TERM(set, code));
		hlt();
	}
}

/* The runtime's console and debug-exit port. A reply it cannot use ends the guest through the
 * MSR protocol: there is no other way left to say anything. */

static u64 io_exitinfo(u16 port, unsigned size, bool in)
{
	u64 sz = size == 1 ? IOIO_SZ8 : size == 2 ? IOIO_SZ16 : IOIO_SZ32;
	return ((u64)port << IOIO_PORT_SHIFT) | sz | IOIO_A64 | (in ? IOIO_TYPE_IN : 0);
}

void ghcb_io_out(u16 port, u32 val, unsigned size)
{
	ghcb_clear();
	ghcb_set(GHCB_RAX, val);
	if (ghcb_call(SVM_EXIT_IOIO, io_exitinfo(port, size, false), 0) != GHCB_RESULT_OK)
		ghcb_terminate(GHCB_TERM_SET_GUEST_RT, GHCB_TERM_RT_IO_FAILED);
}

u32 ghcb_io_in(u16 port, unsigned size)
{
	ghcb_clear();
	if (ghcb_call(SVM_EXIT_IOIO, io_exitinfo(port, size, true), 0) != GHCB_RESULT_OK ||
	    !ghcb_valid(GHCB_RAX))
		ghcb_terminate(GHCB_TERM_SET_GUEST_RT, GHCB_TERM_RT_IO_FAILED);
	return (u32)ghcb_get(GHCB_RAX);
}

bool ghcb_msr_cpuid(u32 fn, unsigned reg, u32 *val)
{
	u64 resp = ghcb_msr_proto(GHCB_MSR_CPUID_REQ | ((u64)fn << 32) | ((u64)(reg & 3) << 30));
	*val = (u32)(resp >> 32);
	return (resp & GHCB_MSR_INFO_MASK) == GHCB_MSR_CPUID_RESP && ((resp >> 30) & 3) == reg;
}
