/* libFuzzer target: the GHCB page protocol, with the real CPUID policy, MSR model and device
 * dispatch behind it. The input sets up a vCPU state (negotiated
 * version, registration, AP hold, DR7, XCR0, ...) and then drives up to 8 VMGEXITs, each through
 * a GHCB page that is either raw input bytes, a structured request (known exit code, fuzzed
 * inputs and valid bits, interesting scratch addresses) or the previous page with a few bytes
 * changed. After every exit the reply is checked (facts B.4): SW_EXITINFO1 in {0, 1, 2} with a
 * matching SW_EXITINFO2, only SW_EXITINFO1/2 and returned registers marked valid, and no byte of
 * the page changed except those outputs (and the shared buffer for IN/MMIO-read data). */
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_env.h"
#include "svm/guest_mem.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define EXT_GPA 0x20000ULL

static const u64 events[] = {
	0x027, 0x037, 0x06E, 0x06F, 0x072, 0x076, 0x07B, 0x07C, 0x081, 0x087, 0x089, 0x08A,
	0x08B, 0x80000001, 0x80000002, 0x80000003, 0x80000004, 0x80000005, 0x80000010,
	0x80000013, 0x8000FFFD, 0x8000FFFE, 0x8000FFFF, 0x400, 0x078,
};

static struct ghcb before;

/* Ports with a device behind them (svm/dev): UART registers, isa-debug-exit, fw_cfg, the PIC
 * masks; and two nobody claims. */
static const u16 ports[] = { 0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FF, 0xF4, 0x510, 0x511,
			     0x21, 0xA1, 0x6F0, 0xBAD };
#define LAPIC_GPA 0xFEE00000ULL

static u64 pick_gpa(u8 sel)
{
	switch (sel & 7) {
	case 0: return 0x10000;
	case 1: return FZ_SLOT0_SIZE - 4096;
	case 2: return FZ_SLOT1_GPA;
	case 3: return FZ_SLOT1_GPA + FZ_SLOT1_SIZE - 4096;
	case 4: return 0x10000 | (1ULL << fz.vm.cbit);
	case 5: return fz_u64() & ~0xFFFULL;
	case 6: return 0;
	default: return 0x30000;
	}
}

static u64 pick_scratch(u64 gpa)
{
	u8 s = fz_byte();
	switch (s & 3) {
	case 0: return gpa + 0x800 + (fz_byte() | ((u64)fz_byte() << 8)) % 0x800;
	case 1: return EXT_GPA + fz_byte();
	case 2: return gpa + ((fz_byte() | ((u64)fz_byte() << 8)) & 0xFFF);
	default: return fz_u64();
	}
}

static void structured(struct ghcb *g, u64 gpa)
{
	u8 b = fz_byte();
	memset(g, 0, sizeof(*g));
	g->protocol_version = (u16)(b & 3);
	g->ghcb_usage = (b & 4) ? (u32)fz_byte() : 0;
	g->save.sw_exit_code = (b & 8) ? fz_u64() : events[fz_byte() % (sizeof(events) / sizeof(events[0]))];
	if (g->save.sw_exit_code == 0x7B) {
		/* IOIO: a port, one or more size bits, IN/STR/REP bits */
		u8 k = fz_byte();
		g->save.sw_exit_info1 = ((u64)ports[fz_byte() % (sizeof(ports) / sizeof(ports[0]))] << 16) |
					(k & 0x7D) | (k & 0x80 ? 0 : 0x10);
		g->save.sw_exit_info2 = fz_byte() & 0x80 ? fz_u64() : fz_byte();
	} else if ((g->save.sw_exit_code == 0x80000001 || g->save.sw_exit_code == 0x80000002) && (b & 0x10)) {
		/* MMIO read/write of a local APIC register, 1..8 bytes */
		g->save.sw_exit_info1 = LAPIC_GPA + ((u64)fz_byte() << 4) + (fz_byte() & 0xF);
		g->save.sw_exit_info2 = 1 + (fz_byte() & 7);
	} else {
		g->save.sw_exit_info1 = (b & 0x10) ? fz_u64() : fz_byte() & 3;
		g->save.sw_exit_info2 = (b & 0x20) ? fz_u64() : fz_byte() & 15;
	}
	g->save.sw_scratch = pick_scratch(gpa);
	g->save.rax = fz_u64();
	g->save.rbx = fz_u64();
	g->save.rcx = (b & 0x40) ? fz_u64() : fz_byte();
	g->save.rdx = fz_u64();
	g->save.cpl = fz_byte() & 3;
	g->save.xcr0 = fz_u64();
	g->save.xss = fz_u64();
	for (unsigned i = 0; i < 16; i++)
		g->save.valid_bitmap[i] = (b & 0x80) ? fz_byte() : 0xFF;
	for (unsigned i = 0; i < 16; i++)
		g->shared_buffer[i] = fz_byte();
}

static void raw(struct ghcb *g)
{
	u8 *p = (u8 *)g;
	size_t n = fz_byte() | ((size_t)fz_byte() << 8);
	n %= sizeof(*g) + 1;
	for (size_t i = 0; i < n; i++)
		p[i] = fz_byte();
}

static void mutate(struct ghcb *g)
{
	u8 *p = (u8 *)g;
	unsigned n = fz_byte() & 15;
	for (unsigned i = 0; i < n; i++) {
		unsigned off = (fz_byte() | ((unsigned)fz_byte() << 8)) & 0xFFF;
		p[off] = fz_byte();
	}
}

/* Offsets of the page the hypervisor may write in a reply. */
static bool may_change(size_t off, bool data_out)
{
	static const size_t outs[] = { 0x1F8, 0x308, 0x310, 0x318, 0x398, 0x3A0 };
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++)
		if (off >= outs[i] && off < outs[i] + 8)
			return true;
	if (off >= 0x3F0 && off < 0x400)
		return true;
	return data_out && off >= 0x800 && off < 0xFF0;
}

static void check_reply(const struct ghcb *g)
{
	u64 i1 = g->save.sw_exit_info1, i2 = g->save.sw_exit_info2;
	if (i1 > 2)
		abort();
	if (i1 == 2 && (i2 < 1 || i2 > 6))
		abort();
	if (i1 == 1 && !(i2 & BIT(31)))
		abort();
	struct ghcb_bits bits, allowed = { { 0, 0 } };
	ghcb_bits_load(&bits, g->save.valid_bitmap);
	if (!ghcb_bits_test(&bits, GHCB_BIT(sw_exit_info1)) || !ghcb_bits_test(&bits, GHCB_BIT(sw_exit_info2)))
		abort();
	const unsigned ok[] = { GHCB_BIT(rax), GHCB_BIT(rbx), GHCB_BIT(rcx), GHCB_BIT(rdx),
				GHCB_BIT(sw_exit_info1), GHCB_BIT(sw_exit_info2) };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ghcb_bits_set(&allowed, ok[i]);
	if ((bits.w[0] & ~allowed.w[0]) || (bits.w[1] & ~allowed.w[1]))
		abort();
	/* Errors and exceptions return no registers. */
	if (i1 != 0) {
		struct ghcb_bits only = { { 0, 0 } };
		ghcb_bits_set(&only, GHCB_BIT(sw_exit_info1));
		ghcb_bits_set(&only, GHCB_BIT(sw_exit_info2));
		if (bits.w[0] != only.w[0] || bits.w[1] != only.w[1])
			abort();
	}
	bool data_out = i1 == 0 && ((before.save.sw_exit_code == 0x7B && (before.save.sw_exit_info1 & 5) == 5) ||
				    before.save.sw_exit_code == 0x80000001);
	const u8 *a = (const u8 *)&before, *b = (const u8 *)g;
	for (size_t off = 0; off < sizeof(*g); off++)
		if (a[off] != b[off] && !may_change(off, data_out))
			abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	fz_reset(data, size, VM_MODE_SOFT_ES);
	u8 cfg = fz_byte();
	struct vcpu *v = &fz.v[0];
	struct ghcb_state *s = &v->ghcb;

	/* Arbitrary vCPU state. */
	fz.vm.nr_vcpus = (cfg & 1) ? 2 : 1;
	fz.vm.cbit = (cfg & 2) ? (u8)(12 + fz_byte() % 52) : 47;
	s->cfg.max_version = (cfg >> 2) & 3;
	s->version = (cfg & 0x10) ? fz_byte() & 3 : 0;
	s->sev_info_requested = cfg & 0x20;
	if (cfg & 0x40) {
		s->registered = true;
		s->registered_gpa = pick_gpa(fz_byte());
	}
	if (cfg & 0x80) {
		s->ap_hold = fz_byte() % 3;
		s->ap_hold_gpa = pick_gpa(fz_byte());
		s->dr7_written = true;
		s->dr7 = fz_u64();
		s->xcr0 = fz_u64();
		v->intr.nmi_masked = true;
		s->ap_jump_table = fz_u64();
	}
	for (unsigned i = 0; i < 64; i++)
		fz_ram(EXT_GPA)[i] = fz_byte();

	for (unsigned round = 0; round < 8; round++) {
		u8 op = fz_byte();
		u64 gpa = pick_gpa(op);
		u64 plain = svm_gpa_strip_cbit(&fz.vm, gpa);
		struct ghcb *g = svm_gpa_ptr(&fz.vm, gpa, 4096);

		if (((op >> 3) & 3) == 3) {
			ghcb_ap_reset_release(v);
			continue;
		}
		if (g) {
			switch ((op >> 3) & 3) {
			case 0: raw(g); break;
			case 1: structured(g, plain); break;
			default: mutate(g); break;
			}
			memcpy(&before, g, sizeof(before));
		}
		bool mismatch = s->registered &&
				plain != svm_gpa_strip_cbit(&fz.vm, s->registered_gpa);
		v->vmcb->control.ghcb_gpa = gpa;
		enum svm_outcome o = ghcb_handle_vmgexit(v);
		fz_check_outcome(o);
		fz_check_protected_rip();
		if ((!g || gpa == 0 || mismatch) && o != SVM_TERMINATE)
			abort();
		if (o == SVM_GHCB_REPLY)
			check_reply(g);
		fz.vm.end = VM_END_RUNNING;
		if (op == 0xFF)
			break;
	}
	return 0;
}
