/* What real guest code does to instructions a hypervisor must step over or carry out itself
 * (issue 10 items 7-10), checked from inside the guest; it passes on bare QEMU too, where the
 * CPU does all of it (the sevisor-only parts say so and are skipped there):
 *   - prefixed intercepted instructions (a CS-prefixed CPUID or RDMSR, `rep vmmcall`) resume
 *     after the whole instruction;
 *   - single-stepping (RFLAGS.TF) over an intercepted CPUID and an OUT gives one #DB, a trap
 *     with RIP after the instruction and DR6.BS set;
 *   - read-modify-write instructions on the local APIC's MMIO page (OR, AND, LOCK BTS/BTR,
 *     TEST, CMP, XCHG, ADD into a register, LOCK CMPXCHG, LOCK XADD, MOVSX/MOVZX/MOVSXD), REP
 *     MOVS/STOS between RAM and the APIC, REP LODS/LODS from it, a REP MOVS from it into an
 *     unmapped page (the #PF, then the restart), LMSW with a
 *     memory operand, and (under sevisor, with `unbacked = ignore`) a load that crosses from the
 *     end of RAM into unbacked space;
 *   - a global TLB entry goes away when CR4.PGE is toggled (an intercepted MOV CR4). */
#include "rt.h"

#define APIC 0xFEE00000ULL
#define APIC_VERSION 0x30
#define APIC_TPR 0x80
#define APIC_SVR 0xF0
#define APIC_TMICT 0x380
#define SVR_ENABLE BIT(8)
#define RFLAGS_TF BIT(8)
#define RFLAGS_CF BIT(0)
#define RFLAGS_ZF BIT(6)
#define DR6_BS BIT(14)
#define DR6_RESET 0xFFFF0FF0ULL
#define CR0_MP BIT(1)
#define CR4_PGE BIT(7)
#define PTE_G BIT(8)
#define PTE_ADDR 0x000FFFFFFFFFF000ULL
#define MSR_EFER_INDEX 0xC0000080u
#define UART_SCRATCH 0x3FF
#define VMMCALL_UNKNOWN ((u64)-1000) /* what sevisor (and KVM) answer an unknown hypercall */

static volatile u32 *apic(unsigned reg)
{
	return (volatile u32 *)(APIC + reg);
}

/* ---- intercepted instructions with prefixes ------------------------------------------------ */

static void prefixed_intercepts(void)
{
	u32 a = 0, b, c = 0, d, marker = 0;
	/* 2E 0F A2: CS-prefixed CPUID (the prefix is ignored, the length is 3). If the hypervisor
	 * stepped 2 bytes, the CPU would run A2 (MOV moffs, AL) with the next bytes as address. */
	asm volatile(".byte 0x2e, 0x0f, 0xa2\n\tmovl $0x5a5a, %4"
		     : "+a"(a), "=b"(b), "+c"(c), "=d"(d), "=r"(marker) : : "memory");
	reportf(marker == 0x5a5a && b == 0x68747541, "emulation: CS-prefixed CPUID resumes after 3 bytes "
		"(marker 0x%x, vendor ebx 0x%x)", marker, b);
	u32 lo, hi;
	marker = 0;
	asm volatile(".byte 0x2e, 0x0f, 0x32\n\tmovl $0x5a5a, %2"
		     : "=a"(lo), "=d"(hi), "=r"(marker) : "c"(MSR_EFER_INDEX) : "memory");
	reportf(marker == 0x5a5a && (lo & EFER_LMA), "emulation: CS-prefixed RDMSR EFER resumes after 3 bytes "
		"(EFER 0x%x)", lo);
	if (!under_sevisor()) {
		printf("SKIP: emulation: rep vmmcall (not under sevisor: VMMCALL is #UD without SVM)\n");
		return;
	}
	u64 rax = 0;
	marker = 0;
	/* F3 0F 01 D9 is VMGEXIT, which a non-SEV-ES guest executes as VMMCALL (4 bytes). */
	asm volatile(".byte 0xf3, 0x0f, 0x01, 0xd9\n\tmovl $0x5a5a, %1" : "+a"(rax), "=r"(marker) : : "memory");
	reportf(marker == 0x5a5a && rax == VMMCALL_UNKNOWN,
		"emulation: rep vmmcall resumes after 4 bytes with the unknown-hypercall answer (rax 0x%lx)", rax);
}

/* ---- single-step ------------------------------------------------------------------------------ */

static volatile u64 db_rip, db_dr6;

static bool on_db(struct exc_frame *f)
{
	u64 dr6;
	asm volatile("mov %%dr6, %0" : "=r"(dr6));
	db_rip = f->rip;
	db_dr6 = dr6;
	f->rflags &= ~RFLAGS_TF; /* one step only */
	asm volatile("mov %0, %%dr6" : : "r"(DR6_RESET)); /* handlers clear DR6 (APM vol. 2, 13.1.1.3) */
	return true;
}

static void single_step(void)
{
	exc_db_hook = on_db;
	u32 before = exc_counts[EXC_DB];
	u64 expect;
	u32 a = 0, b, c = 0, d;
	/* POPF sets TF: the trap comes after the instruction that follows it (the CPUID). */
	asm volatile("leaq 1f(%%rip), %4\n\t"
		     "pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
		     "cpuid\n"
		     "1:\n\t"
		     : "+a"(a), "=b"(b), "+c"(c), "=d"(d), "=&S"(expect) : : "memory", "cc");
	reportf(exc_counts[EXC_DB] - before == 1 && db_rip == expect && (db_dr6 & DR6_BS),
		"emulation: single-stepping an intercepted CPUID gives one #DB after it "
		"(count %u, rip 0x%lx want 0x%lx, DR6 0x%lx)", exc_counts[EXC_DB] - before, db_rip, expect, db_dr6);
	before = exc_counts[EXC_DB];
	asm volatile("leaq 1f(%%rip), %0\n\t"
		     "pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
		     "outb %%al, %%dx\n"
		     "1:\n\t"
		     : "=&S"(expect) : "a"(0x42), "d"(UART_SCRATCH) : "memory", "cc");
	reportf(exc_counts[EXC_DB] - before == 1 && db_rip == expect && (db_dr6 & DR6_BS),
		"emulation: single-stepping an intercepted OUT gives one #DB after it (count %u, rip 0x%lx want 0x%lx)",
		exc_counts[EXC_DB] - before, db_rip, expect);
	exc_db_hook = NULL;
}

/* ---- MMIO read-modify-write ------------------------------------------------------------------ */

static u64 flags_after_btsl(volatile u32 *p, unsigned bit, bool lock_btr)
{
	u64 fl;
	if (lock_btr)
		asm volatile("lock btrl %2, %1\n\tpushfq\n\tpopq %0" : "=r"(fl), "+m"(*p) : "Ir"(bit) : "cc", "memory");
	else
		asm volatile("lock btsl %2, %1\n\tpushfq\n\tpopq %0" : "=r"(fl), "+m"(*p) : "Ir"(bit) : "cc", "memory");
	return fl;
}

static void mmio_rmw(void)
{
	volatile u32 *svr = apic(APIC_SVR);
	u32 start = *svr;
	asm volatile("andl $0xfffffeff, %0" : "+m"(*svr) : : "memory"); /* software-disable */
	u32 off = *svr;
	asm volatile("orl $0x100, %0" : "+m"(*svr) : : "memory");
	u32 on = *svr;
	reportf(!(off & SVR_ENABLE) && (on & SVR_ENABLE) && (on & 0xFF) == (start & 0xFF),
		"emulation: AND and OR on the APIC SVR (0x%x -> 0x%x -> 0x%x)", start, off, on);

	u64 fl = flags_after_btsl(svr, 8, true);
	u32 cleared = *svr;
	u64 fl2 = flags_after_btsl(svr, 8, false);
	reportf((fl & RFLAGS_CF) && !(cleared & SVR_ENABLE) && !(fl2 & RFLAGS_CF) && (*svr & SVR_ENABLE),
		"emulation: LOCK BTR/BTS on the SVR give the old bit in CF (0x%x, CF %d then %d)", cleared,
		(int)(fl & RFLAGS_CF), (int)(fl2 & RFLAGS_CF));

	u64 zf_test, zf_cmp;
	asm volatile("testl $0x100, %1\n\tpushfq\n\tpopq %0" : "=r"(zf_test) : "m"(*svr) : "cc");
	u32 now = *svr;
	asm volatile("cmpl %2, %1\n\tpushfq\n\tpopq %0" : "=r"(zf_cmp) : "m"(*svr), "r"(now) : "cc");
	reportf(!(zf_test & RFLAGS_ZF) && (zf_cmp & RFLAGS_ZF) && *svr == now,
		"emulation: TEST and CMP read the SVR without writing it");

	u32 version = *apic(APIC_VERSION), sum = 1;
	asm volatile("addl %1, %0" : "+r"(sum) : "m"(*apic(APIC_VERSION)) : "cc");
	reportf(sum == version + 1, "emulation: ADD with an APIC register as source (0x%x)", sum);

	u32 old = 0x20;
	asm volatile("xchgl %0, %1" : "+r"(old), "+m"(*apic(APIC_TPR)) : : "memory");
	u32 tpr = *apic(APIC_TPR);
	asm volatile("xchgl %0, %1" : "+r"(old), "+m"(*apic(APIC_TPR)) : : "memory");
	reportf(tpr == 0x20 && old == 0x20, "emulation: XCHG with the APIC TPR (0x%x)", tpr);
}

static void mmio_strings(void)
{
	u32 src[1] = { 0x1F3 }, dst[2] = { 0, 0 };
	u64 n = 1;
	void *s = src, *d = (void *)apic(APIC_SVR);
	asm volatile("cld\n\trep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	reportf(*apic(APIC_SVR) == 0x1F3 && n == 0, "emulation: REP MOVSL from RAM to the SVR (0x%x)",
		*apic(APIC_SVR));
	n = 1;
	s = (void *)apic(APIC_VERSION);
	d = dst;
	asm volatile("cld\n\trep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	reportf(dst[0] == *apic(APIC_VERSION) && n == 0 && d == &dst[1],
		"emulation: REP MOVSL from the APIC to RAM (0x%x)", dst[0]);
	n = 1;
	d = (void *)apic(APIC_SVR);
	asm volatile("cld\n\trep stosl" : "+D"(d), "+c"(n) : "a"(0x1FF) : "memory");
	reportf(*apic(APIC_SVR) == 0x1FF, "emulation: REP STOSL to the SVR (0x%x)", *apic(APIC_SVR));
}

/* CMPXCHG, XADD, MOVSX/MOVSXD and LODS on APIC registers (issue 10: the MMIO forms drivers use). */
static void mmio_exchange_and_extend(void)
{
	volatile u32 *svr = apic(APIC_SVR), *tpr = apic(APIC_TPR);
	u32 cur = *svr, expect = cur, fl;
	u32 want = cur ^ SVR_ENABLE;
	asm volatile("lock cmpxchgl %3, %1\n\tpushfq\n\tpopq %q2"
		     : "+a"(expect), "+m"(*svr), "=r"(fl) : "r"(want) : "cc", "memory");
	u32 swapped = *svr;
	u32 stale = cur; /* now wrong: the compare fails and EAX gets the register */
	u32 fl2;
	asm volatile("lock cmpxchgl %3, %1\n\tpushfq\n\tpopq %q2"
		     : "+a"(stale), "+m"(*svr), "=r"(fl2) : "r"(cur) : "cc", "memory");
	reportf(swapped == want && (fl & RFLAGS_ZF) && stale == want && !(fl2 & RFLAGS_ZF) && *svr == want,
		"emulation: LOCK CMPXCHG on the SVR swaps when equal, loads EAX when not (0x%x -> 0x%x, eax 0x%x)",
		cur, swapped, stale);
	*svr = cur;

	*tpr = 0x10;
	u32 add = 0x20;
	asm volatile("lock xaddl %0, %1" : "+r"(add), "+m"(*tpr) : : "cc", "memory");
	u32 sum = *tpr;
	reportf(add == 0x10 && sum == 0x30, "emulation: LOCK XADD on the TPR (old 0x%x, new 0x%x)", add, sum);

	/* MOVSXD and REP LODSL: 32-bit reads. The timer's initial count is a full 32-bit register
	 * (the LVT timer is masked from reset, so the count runs without an interrupt). */
	volatile u32 *tmict = apic(APIC_TMICT);
	*tmict = 0x80000010;
	u64 sx32;
	asm volatile("movslq %1, %0" : "=r"(sx32) : "m"(*tmict));
	*tmict = 0;
	u64 n = 1, acc = 0;
	const volatile void *src = apic(APIC_VERSION);
	asm volatile("cld\n\trep lodsl" : "+S"(src), "+c"(n), "+a"(acc) : : "memory");
	reportf(sx32 == 0xFFFFFFFF80000010ULL && n == 0 && (u32)acc == *apic(APIC_VERSION) &&
		src == (const volatile void *)apic(APIC_VERSION + 4),
		"emulation: MOVSXD and REP LODSL from APIC registers (0x%lx, 0x%x)", sx32, (u32)acc);

	/* Byte and word reads of APIC registers are model-specific (SDM vol. 3, 11.4.1: registers
	 * are accessed as aligned dwords; QEMU's APIC reads narrower accesses as 0). sevisor's
	 * model gives the register's bytes, which checks the emulator's sign and zero extension. */
	if (!under_sevisor()) {
		printf("SKIP: emulation: byte MOVSX/MOVZX and LODSB (sub-dword APIC reads are model-specific)\n");
		return;
	}
	*tpr = 0xF0;
	u64 sx8;
	u32 zx8;
	asm volatile("movsbq %1, %0" : "=r"(sx8) : "m"(*(volatile u8 *)tpr));
	asm volatile("movzbl %1, %0" : "=r"(zx8) : "m"(*(volatile u8 *)tpr));
	u8 low;
	const volatile void *src2 = tpr;
	asm volatile("lodsb" : "=a"(low), "+S"(src2) : : "memory");
	*tpr = 0;
	reportf(sx8 == 0xFFFFFFFFFFFFFFF0ULL && zx8 == 0xF0 && low == 0xF0 && src2 == (const volatile u8 *)tpr + 1,
		"emulation: byte MOVSX/MOVZX and LODSB from the TPR (0x%lx, 0x%x, 0x%x)", sx8, zx8, low);
}

/* REP MOVSL from the APIC into a page the guest has unmapped: the #PF arrives with CR2 = that
 * page and the error code of a not-present supervisor write (APM vol. 2, 8.4.2: W only); the
 * handler maps the page back and the instruction resumes with what is left. */
static u8 pf_pages[2][4096] __attribute__((aligned(4096)));
static u64 *volatile pf_pte;
static volatile u64 pf_saved, pf_cr2, pf_error;

static bool on_pf(struct exc_frame *f)
{
	u64 cr2;
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	pf_cr2 = cr2;
	pf_error = f->error;
	*pf_pte = pf_saved;
	invlpg(cr2);
	return true;
}

static void mmio_into_unmapped_page(void)
{
	u64 va = (u64)pf_pages[1];
	if (va >= 0x200000) {
		printf("SKIP: emulation: #PF check (pages not in the 4 KiB-mapped first 2 MiB)\n");
		return;
	}
	pf_pte = &pt_low[va >> 12];
	pf_saved = *pf_pte;
	*pf_pte = 0;
	invlpg(va);
	exc_pf_hook = on_pf;
	u32 before = exc_counts[EXC_PF];
	u64 n = 2;
	const volatile void *s = apic(APIC_VERSION);
	void *d = pf_pages[1] - 4; /* the last dword of the mapped page, then the unmapped one */
	asm volatile("cld\n\trep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	exc_pf_hook = NULL;
	u32 first, second;
	memcpy(&first, pf_pages[1] - 4, 4);
	memcpy(&second, pf_pages[1], 4);
	reportf(exc_counts[EXC_PF] - before == 1 && pf_cr2 == va && pf_error == 0x2 && n == 0 &&
		first == *apic(APIC_VERSION) && second == *apic(APIC_VERSION + 4),
		"emulation: REP MOVSL from the APIC into an unmapped page takes one #PF there and resumes "
		"(count %u, CR2 0x%lx want 0x%lx, error 0x%lx)", exc_counts[EXC_PF] - before, pf_cr2, va, pf_error);
}

static void lmsw_memory(void)
{
	u64 cr0 = read_cr0();
	u16 msw = (u16)((cr0 & 0xF) | CR0_MP);
	asm volatile("lmsw %0" : : "m"(msw));
	u64 with = read_cr0();
	msw = (u16)(cr0 & 0xF);
	asm volatile("lmsw %0" : : "m"(msw));
	reportf((with & CR0_MP) && (read_cr0() & 0xF) == (cr0 & 0xF),
		"emulation: LMSW with a memory operand (CR0 0x%lx -> 0x%lx -> 0x%lx)", cr0, with, read_cr0());
}

static void crossing_into_unbacked(void)
{
	if (!under_sevisor()) {
		printf("SKIP: emulation: RAM->unbacked crossing (needs sevisor's unbacked = ignore)\n");
		return;
	}
	const struct multiboot_info *mb = mb_info();
	u64 end = 0x100000 + (u64)mb->mem_upper * 1024; /* first byte past RAM */
	volatile u32 *low = (volatile u32 *)(end - 4);
	*low = 0x12345678;
	u64 v = *(volatile u64 *)(end - 4);
	reportf(v == 0xFFFFFFFF12345678ULL,
		"emulation: an 8-byte load across the end of RAM reads RAM then all ones (0x%lx at 0x%lx)", v, end - 4);
}

/* ---- TLB after an intercepted MOV CR4 -------------------------------------------------------- */

static u8 page_a[4096] __attribute__((aligned(4096)));
static u8 page_b[4096] __attribute__((aligned(4096)));

static void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static void tlb_after_cr4_pge(void)
{
	u64 va = (u64)page_a, pb = (u64)page_b;
	if (va >= 0x200000 || pb >= 0x200000) {
		printf("SKIP: emulation: TLB check (pages not in the 4 KiB-mapped first 2 MiB)\n");
		return;
	}
	page_a[0] = 0xAA;
	page_b[0] = 0xBB;
	u64 cr4 = read_cr4();
	write_cr4(cr4 | CR4_PGE);
	u64 *pte = &pt_low[va >> 12];
	u64 saved = *pte;
	*pte = saved | PTE_G;
	invlpg(va);
	u8 first = *(volatile u8 *)va; /* now a global TLB entry for page_a */
	*pte = (saved & ~PTE_ADDR) | (pb & PTE_ADDR) | PTE_G;
	/* Toggling CR4.PGE flushes every entry, global ones included (APM vol. 2, 5.5.2). */
	write_cr4(cr4 & ~CR4_PGE);
	write_cr4(cr4 | CR4_PGE);
	u8 second = *(volatile u8 *)va;
	*pte = saved;
	write_cr4(cr4);
	invlpg(va);
	reportf(first == 0xAA && second == 0xBB,
		"emulation: toggling CR4.PGE drops a global translation (0x%x then 0x%x)", first, second);
}

int main(void)
{
	prefixed_intercepts();
	single_step();
	mmio_rmw();
	mmio_strings();
	mmio_exchange_and_extend();
	mmio_into_unmapped_page();
	lmsw_memory();
	crossing_into_unbacked();
	tlb_after_cr4_pge();
	return report_summary();
}
