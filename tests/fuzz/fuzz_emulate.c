/* libFuzzer target: the instruction decoder and the emulators, against a fake guest memory.
 *
 * The input picks a guest mode (real mode, 16- and 32-bit protected mode with paging off,
 * 32-bit paging with 4 MiB pages, PAE paging, long mode in 64-bit or compatibility mode, with
 * page-table bits flipped), the GPRs, RFLAGS, the 15 instruction bytes at CS:RIP and a data
 * area, and then up to 4 exits, each an NPF on MMIO (local APIC, unbacked, random GPAs), a CR
 * write intercept, port I/O (string and REP forms included) or another intercepted
 * instruction. A plain guest's exit goes through the real exit table (decoder, guest page
 * walk, MMIO/CR/string-I/O emulation, devices, MSR model, CPUID policy); a soft-es guest's
 * exit goes through the software SEV-ES CPU first (instruction decode, #VC delivery through
 * the guest's IDT and GDT, write traps), then the hypervisor when the model hands it on.
 *
 * Checked: the decoder never reports more bytes than it was given or than 15; every exit ends
 * in one of the error model's outcomes, with a reason when the guest was terminated; a plain
 * guest's RIP moves forward by at most one instruction (15 bytes) or not at all, unless an
 * event is delivered; the hypervisor never moves a soft-es guest's RIP. */
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_env.h"
#include "svm/cr_shadow_exit.h"
#include "svm/emul/decode.h"
#include "svm/emul/gva.h"
#include "svm/event.h"
#include "svm/exit_codes.h"
#include "svm/exit_table.h"
#include "sev/soft_es.h"
#include "msr/cpuid.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define CODE_GPA 0x10000ULL
#define DATA_GPA 0x20000ULL
#define PT_GPA 0x1F0000ULL /* page tables: 0x1F0000..0x1F5FFF */
#define LAPIC_GPA 0xFEE00000ULL
#define UNBACKED_GPA 0x80000000ULL

/* Flat descriptors' packed attributes (APM vol. 2, 4.7; VMCB form). */
#define ATTR_CODE16 (SVM_SEG_P | SVM_SEG_S | 0xB)
#define ATTR_CODE32 (ATTR_CODE16 | SVM_SEG_DB | SVM_SEG_G)
#define ATTR_CODE64 (ATTR_CODE16 | SVM_SEG_L | SVM_SEG_G)
#define ATTR_DATA32 (SVM_SEG_P | SVM_SEG_S | 0x3 | SVM_SEG_DB | SVM_SEG_G)
#define ATTR_DATA16 (SVM_SEG_P | SVM_SEG_S | 0x3)

enum fz_mode { M_REAL, M_PM16, M_PM32, M_PAGED32, M_PAE, M_LONG64, M_COMPAT, M_COUNT };

static void put64(u64 gpa, u64 v)
{
	memcpy(fz_ram(gpa), &v, 8);
}

static void put32(u64 gpa, u32 v)
{
	memcpy(fz_ram(gpa), &v, 4);
}

/* Page tables for the paged modes: an identity map of guest RAM and of the 2 or 4 MiB around
 * the local APIC; then up to 4 entries with a bit flipped (P, RW, US, PS, NX...). */
static void page_tables(enum fz_mode m, u64 *cr3)
{
	const u64 p = 1, rw = 2, ps = 0x80;
	switch (m) {
	case M_PAGED32: /* 4 MiB pages (CR4.PSE) */
		put32(PT_GPA, (u32)(0 | p | rw | ps));
		put32(PT_GPA + (LAPIC_GPA >> 22) * 4, (u32)((LAPIC_GPA & ~0x3FFFFFULL) | p | rw | ps));
		*cr3 = PT_GPA;
		break;
	case M_PAE: /* PDPT (4 entries), two page directories with 2 MiB pages */
		put64(PT_GPA, (PT_GPA + 0x1000) | p);
		put64(PT_GPA + 3 * 8, (PT_GPA + 0x2000) | p);
		put64(PT_GPA + 0x1000, 0 | p | rw | ps);
		put64(PT_GPA + 0x2000 + ((LAPIC_GPA >> 21) & 511) * 8, LAPIC_GPA | p | rw | ps);
		*cr3 = PT_GPA;
		break;
	default: /* 4-level: PML4 -> PDPT -> PDs with 2 MiB pages */
		put64(PT_GPA, (PT_GPA + 0x1000) | p | rw);
		put64(PT_GPA + 0x1000, (PT_GPA + 0x2000) | p | rw);
		put64(PT_GPA + 0x1000 + 3 * 8, (PT_GPA + 0x3000) | p | rw);
		put64(PT_GPA + 0x2000, 0 | p | rw | ps);
		put64(PT_GPA + 0x3000 + ((LAPIC_GPA >> 21) & 511) * 8, LAPIC_GPA | p | rw | ps);
		*cr3 = PT_GPA;
		break;
	}
	unsigned flips = fz_byte() & 3;
	for (unsigned i = 0; i < flips; i++) {
		u64 off = PT_GPA + ((fz_byte() | ((u64)fz_byte() << 8)) % 0x4000 & ~7ULL);
		u64 e;
		memcpy(&e, fz_ram(off), 8);
		e ^= 1ULL << (fz_byte() & 63);
		put64(off, e);
	}
}

static void set_mode(struct vcpu *v, enum fz_mode m)
{
	struct vmcb_save *s = &v->vmcb->save;
	struct cr_shadow_regs r = { 0 };
	u16 cs = ATTR_CODE32, ds = ATTR_DATA32;
	r.cr0 = CR0_PE | CR0_ET;
	switch (m) {
	case M_REAL:
		r.cr0 = CR0_ET;
		cs = ATTR_CODE16;
		ds = ATTR_DATA16;
		break;
	case M_PM16:
		cs = ATTR_CODE16;
		ds = ATTR_DATA16;
		break;
	case M_PM32:
		break;
	case M_PAGED32:
		r.cr0 |= CR0_PG;
		r.cr4 = CR4_PSE;
		break;
	case M_PAE:
		r.cr0 |= CR0_PG;
		r.cr4 = CR4_PAE;
		break;
	case M_LONG64:
	case M_COMPAT:
		r.cr0 |= CR0_PG;
		r.cr4 = CR4_PAE;
		r.efer = EFER_LME | EFER_LMA;
		cs = m == M_LONG64 ? ATTR_CODE64 : ATTR_CODE32;
		break;
	default:
		break;
	}
	if (r.cr0 & CR0_PG)
		page_tables(m, &r.cr3);
	if (fz_byte() & 1)
		r.cr0 |= CR0_WP;
	cr_shadow_reset(v, &r, msr_cpuid_cr4_allowed(v));
	s->cr3 = r.cr3;
	s->efer = r.efer | EFER_SVME;
	s->cr0 = r.cr0;
	s->cr4 = r.cr4;
	s->cs = (struct vmcb_seg){ .selector = m == M_REAL ? 0 : 0x08, .attrib = cs, .limit = 0xFFFFFFFF };
	if (m == M_REAL || m == M_PM16)
		s->cs.limit = 0xFFFF;
	struct vmcb_seg d = { .selector = m == M_REAL ? 0 : 0x10, .attrib = ds, .limit = s->cs.limit };
	s->ds = s->es = s->ss = s->fs = s->gs = d;
	if (fz_byte() & 1) /* a segment base, for the segment-override paths */
		s->ds.base = (u64)fz_byte() << 8;
	s->rip = CODE_GPA;
	s->rflags = 2 | (fz_byte() & 1 ? BIT(10) : 0) | (fz_byte() & 1 ? BIT(8) : 0) | (fz_byte() & 1 ? BIT(9) : 0);
	/* A GDT and a 64/32-bit IDT for the soft-es model's #VC delivery: at 0x3000 and 0x4000,
	 * filled with input bytes past the first entries. */
	s->gdtr = (struct vmcb_seg){ .base = 0x3000, .limit = (u32)(fz_byte() | 0x1F) };
	s->idtr = (struct vmcb_seg){ .base = 0x4000, .limit = (u32)(fz_byte() | ((u32)fz_byte() << 8)) };
	put64(0x3008, 0x00AF9A000000FFFFULL);
	put64(0x3010, 0x00CF92000000FFFFULL);
	put64(0x3018, 0x00CF9A000000FFFFULL);
	for (unsigned i = 0x20; i < 0x40; i++)
		fz_ram(0x3000)[i] = fz_byte();
	for (unsigned i = 0; i < 0x200; i++)
		fz_ram(0x4000)[i + 29 * 8] = fz_byte();
}

static u64 pick_value(void)
{
	u8 k = fz_byte();
	switch (k & 3) {
	case 0: return fz_u64();
	case 1: return DATA_GPA + fz_byte();
	case 2: return LAPIC_GPA + ((u64)fz_byte() << 4);
	default: return fz_byte();
	}
}

static const u64 other_exits[] = {
	SVM_EXIT_CPUID, SVM_EXIT_MSR, SVM_EXIT_HLT, SVM_EXIT_VMMCALL, SVM_EXIT_INVD, SVM_EXIT_WBINVD,
	SVM_EXIT_RDTSC, SVM_EXIT_RDTSCP, SVM_EXIT_RDPMC, SVM_EXIT_MONITOR, SVM_EXIT_MWAIT, SVM_EXIT_XSETBV,
	SVM_EXIT_SHUTDOWN, SVM_EXIT_INTR, SVM_EXIT_READ_DR0 + 7, SVM_EXIT_WRITE_DR0 + 7, SVM_EXIT_VMRUN,
	SVM_EXIT_INVLPGA, SVM_EXIT_INVALID32,
};

/* The exit the CPU would report: code, EXITINFO1, EXITINFO2. */
static void pick_exit(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	u8 k = fz_byte();
	c->exit_info1 = 0;
	c->exit_info2 = 0;
	switch (k & 3) {
	case 0: /* NPF outside RAM: MMIO */
		c->exit_code = SVM_EXIT_NPF;
		c->exit_info1 = (fz_byte() & 0x1F) | BIT(32);
		switch ((k >> 2) & 3) {
		case 0: c->exit_info2 = LAPIC_GPA + ((u64)fz_byte() << 4) + (fz_byte() & 0xF); break;
		case 1: c->exit_info2 = UNBACKED_GPA + fz_byte(); break;
		default: c->exit_info2 = fz_u64() & 0xFFFFFFFFFFFFULL; break;
		}
		break;
	case 1: /* CR write intercept (0x10 + n) */
		c->exit_code = SVM_EXIT_WRITE_CR0 + (fz_byte() & 15);
		break;
	case 2: { /* IOIO: port, IN, STR, REP, size, address size (APM 15.10.2) */
		static const u16 ports[] = { 0x3F8, 0x3F9, 0x3FB, 0x3FD, 0x3FF, 0xF4, 0x510, 0x511, 0x21, 0xA1, 0x6F0 };
		u8 b = fz_byte();
		c->exit_code = SVM_EXIT_IOIO;
		c->exit_info1 = ((u64)ports[fz_byte() % (sizeof(ports) / sizeof(ports[0]))] << 16) | (b & 0x0D) |
				(0x10u << ((b >> 4) % 3)) | (0x80u << ((b >> 6) % 3));
		c->exit_info2 = v->vmcb->save.rip + 1 + (fz_byte() & 3);
		break;
	}
	default:
		c->exit_code = other_exits[fz_byte() % (sizeof(other_exits) / sizeof(other_exits[0]))];
		c->exit_info1 = fz_byte() & 1;
		break;
	}
}

static void check_decoder(const u8 *insn)
{
	static const enum svm_cpu_mode modes[] = { SVM_CPU_MODE_16, SVM_CPU_MODE_32, SVM_CPU_MODE_64 };
	for (unsigned n = 0; n <= SVM_INSN_MAX_LEN; n += 5)
		for (unsigned i = 0; i < 3; i++) {
			struct svm_insn d;
			enum svm_decode_status st = svm_decode(insn, n, modes[i], &d);
			if (st >= SVM_DECODE_STATUS_COUNT || (st == SVM_DECODE_OK && (d.len == 0 || d.len > n)))
				abort();
		}
}

static void one_exit(struct vcpu *v, bool soft_es)
{
	struct vmcb_save *s = &v->vmcb->save;
	pick_exit(v);
	u64 code = v->vmcb->control.exit_code;
	if (code != SVM_EXIT_INVALID32)
		svm_event_after_exit(v);
	if (soft_es) {
		enum soft_es_action a = svm_soft_es_after_exit(v);
		if (a != SOFT_ES_RESUME && a != SOFT_ES_HANDOFF && a != SOFT_ES_TERMINATE)
			abort();
		if ((a == SOFT_ES_TERMINATE) != (fz.vm.end == VM_END_TERMINATED))
			abort();
		cr_shadow_after_exit(v);
		if (a != SOFT_ES_HANDOFF)
			return;
		u64 rip = s->rip;
		enum svm_outcome o = svm_handle_exit(v);
		fz_check_outcome(o);
		if (s->rip != rip)
			abort(); /* the hypervisor never moves a protected guest's RIP */
		return;
	}
	cr_shadow_after_exit(v);
	u64 rip = s->rip;
	bool pending = v->pending.pending;
	enum svm_outcome o = svm_handle_exit(v);
	fz_check_outcome(o);
	if (o == SVM_RESUME && !pending && !v->pending.pending && s->rip - rip > SVM_INSN_MAX_LEN &&
	    ((s->rip - rip) & 0xFFFFFFFF) > SVM_INSN_MAX_LEN)
		abort(); /* one instruction at most (a 32-bit RIP may wrap) */
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 cfg = size ? data[0] : 0;
	bool soft_es = cfg & 0x80;
	fz_reset(data, size, soft_es ? VM_MODE_SOFT_ES : VM_MODE_PLAIN);
	fz_byte();
	struct vcpu *v = &fz.v[0];
	enum fz_mode m = (enum fz_mode)((cfg & 0x7F) % M_COUNT);
	if (soft_es) {
		svm_soft_es_vcpu_setup(v);
		v->state_protected = false; /* set again below, after the state is in place */
	}
	set_mode(v, m);
	if (soft_es)
		v->state_protected = true;
	struct svm_gprs *g = &v->gprs;
	u64 *regs[] = { &v->vmcb->save.rax, &g->rbx, &g->rcx, &g->rdx, &g->rsi, &g->rdi, &g->rbp, &g->r8,
			&g->r9, &g->r10, &g->r11, &g->r12, &g->r13, &g->r14, &g->r15 };
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		*regs[i] = pick_value();
	v->vmcb->save.rsp = 0x8000 - (fz_byte() & 0x3F);
	u8 *insn = fz_ram(CODE_GPA);
	for (unsigned i = 0; i < SVM_INSN_MAX_LEN + 1; i++)
		insn[i] = fz_byte();
	for (unsigned i = 0; i < 64; i++)
		fz_ram(DATA_GPA)[i] = fz_byte();
	check_decoder(insn);

	for (unsigned round = 0; round < 4 && fz.vm.end == VM_END_RUNNING; round++) {
		one_exit(v, soft_es);
		svm_event_prepare_entry(v);
		if (!fz_left())
			break;
	}
	return 0;
}
