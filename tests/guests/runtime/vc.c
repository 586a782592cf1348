/* The #VC handler (vector 29; error code = the SVM exit code; RIP at the instruction, which has
 * not run). Under SEV-ES the hypervisor cannot see the guest's registers, so the guest does the
 * instruction's work itself: it copies the inputs into the GHCB, VMGEXITs, copies the outputs
 * back and steps RIP over the instruction (GHCB spec 4.1; APM vol. 2, 15.35.5).
 *
 * Rules for this file: nothing in here may execute an instruction that raises #VC (CPUID, IN,
 * OUT, RDMSR/WRMSR other than the GHCB MSR, RDTSC...), and printing happens only after the
 * GHCB exchange is complete, because the console itself goes through the GHCB. */
#include "ghcb.h"
#include "rt.h"

#define RFLAGS_DF BIT(10)
#define XCR0_X87 1 /* XCR0's reset value; this runtime never sets CR4.OSXSAVE */
#define CPUID_LEAF_XSAVE 0xD
#define VC_COUNTED_CODES 0x401 /* through SVM_EXIT_NPF */
#define MAX_INSN_LEN 15 /* architectural limit on an x86 instruction's length */

static volatile u32 counts[VC_COUNTED_CODES];

u32 vc_count(u64 exit_code) { return exit_code < VC_COUNTED_CODES ? counts[exit_code] : 0; }

__attribute__((noreturn)) static void vc_fail(struct exc_frame *f, const char *what, u64 a, u64 b)
{
	printf("#VC: %s (0x%lx, 0x%lx) for exit code 0x%lx at rip 0x%lx\n", what, a, b, f->error,
	       f->rip);
	exit(EXIT_ABORT);
}

/* Applies SW_EXITINFO1: 0 = done (step over len bytes), 1 = raise the event in SW_EXITINFO2 in
 * this guest, as the instruction's own fault (RIP stays on it). Anything else is a hypervisor
 * answer this runtime cannot use. Returns true when the instruction completed. */
static bool vc_result(struct exc_frame *f, u64 info1, unsigned len)
{
	u64 info2 = ghcb_get(GHCB_SW_EXITINFO2);
	switch ((u32)info1) {
	case GHCB_RESULT_OK:
		f->rip += len;
		return true;
	case GHCB_RESULT_EVENT:
		if (!(info2 & EVENT_VALID) || EVENT_TYPE(info2) != EVENT_TYPE_EXCEPTION)
			vc_fail(f, "event result without a valid exception", info1, info2);
		exc_deliver(f, EVENT_VECTOR(info2),
			    (info2 & EVENT_ERROR_VALID) ? EVENT_ERROR(info2) : 0);
		return false;
	default:
		vc_fail(f, "hypervisor error", info1, info2);
	}
}

static void need_outputs(struct exc_frame *f, const unsigned *offs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!ghcb_valid(offs[i]))
			vc_fail(f, "reply lacks the valid bit of output at offset", offs[i], 0);
}

/* CPUID: 0F A2. */
static void vc_cpuid(struct exc_frame *f)
{
	static const unsigned outs[] = {GHCB_RAX, GHCB_RBX, GHCB_RCX, GHCB_RDX};
	u32 leaf = (u32)f->rax;
	ghcb_clear();
	ghcb_set(GHCB_RAX, leaf);
	ghcb_set(GHCB_RCX, (u32)f->rcx);
	if (leaf == CPUID_LEAF_XSAVE)
		ghcb_set(GHCB_XCR0, XCR0_X87);
	u64 info1 = ghcb_call(SVM_EXIT_CPUID, 0, 0);
	if ((u32)info1 == GHCB_RESULT_OK) {
		need_outputs(f, outs, ARRAY_SIZE(outs));
		f->rax = (u32)ghcb_get(GHCB_RAX);
		f->rbx = (u32)ghcb_get(GHCB_RBX);
		f->rcx = (u32)ghcb_get(GHCB_RCX);
		f->rdx = (u32)ghcb_get(GHCB_RDX);
	}
	vc_result(f, info1, 2);
}

/* RDMSR 0F 32, WRMSR 0F 30. SW_EXITINFO1 = 0 read, 1 write. */
static void vc_msr(struct exc_frame *f)
{
	static const unsigned outs[] = {GHCB_RAX, GHCB_RDX};
	const u8 *ip = (const u8 *)f->rip;
	bool write = ip[1] == 0x30;
	ghcb_clear();
	ghcb_set(GHCB_RCX, (u32)f->rcx);
	if (write) {
		ghcb_set(GHCB_RAX, (u32)f->rax);
		ghcb_set(GHCB_RDX, (u32)f->rdx);
	}
	u64 info1 = ghcb_call(SVM_EXIT_MSR, write, 0);
	if (!write && (u32)info1 == GHCB_RESULT_OK) {
		need_outputs(f, outs, ARRAY_SIZE(outs));
		f->rax = (u32)ghcb_get(GHCB_RAX);
		f->rdx = (u32)ghcb_get(GHCB_RDX);
	}
	vc_result(f, info1, 2);
}

/* RDTSC 0F 31 (RAX, RDX); RDTSCP 0F 01 F9 (RAX, RCX, RDX). */
static void vc_rdtsc(struct exc_frame *f, bool tscp)
{
	static const unsigned outs[] = {GHCB_RAX, GHCB_RDX, GHCB_RCX};
	ghcb_clear();
	u64 info1 = ghcb_call(tscp ? SVM_EXIT_RDTSCP : SVM_EXIT_RDTSC, 0, 0);
	if ((u32)info1 == GHCB_RESULT_OK) {
		need_outputs(f, outs, tscp ? 3 : 2);
		f->rax = (u32)ghcb_get(GHCB_RAX);
		f->rdx = (u32)ghcb_get(GHCB_RDX);
		if (tscp)
			f->rcx = (u32)ghcb_get(GHCB_RCX);
	}
	vc_result(f, info1, tscp ? 3 : 2);
}

/* A decoded IN/OUT/INS/OUTS (Intel SDM vol. 2 / AMD APM vol. 3 opcode maps). */
struct io_insn {
	unsigned len;   /* bytes, prefixes included */
	unsigned size;  /* operand bytes: 1, 2 or 4 */
	bool in, str, rep;
	bool addr32;    /* address size 32 (0x67 in 64-bit mode, or a 32-bit code segment) */
	unsigned seg;   /* segment for OUTS (0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS) */
	bool imm_port;
	u8 port8;
};

static bool decode_io(struct exc_frame *f, struct io_insn *d)
{
	const u8 *ip = (const u8 *)f->rip;
	bool opsize16 = false, compat = f->cs != GDT_CODE64;
	unsigned i = 0;
	*d = (struct io_insn){.addr32 = compat, .seg = 3};
	for (;; i++) {
		if (i >= MAX_INSN_LEN - 1)
			return false;
		u8 b = ip[i];
		if (b == 0x66)
			opsize16 = true;
		else if (b == 0x67)
			d->addr32 = !compat;
		else if (b == 0xF3 || b == 0xF2)
			d->rep = true;
		else if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E)
			d->seg = (b >> 3) & 3; /* ES 0x26, CS 0x2E, SS 0x36, DS 0x3E */
		else if (b == 0x64 || b == 0x65)
			d->seg = b - 0x64 + 4;
		else if (!compat && b >= 0x40 && b <= 0x4F)
			continue; /* REX: no effect on port I/O sizes */
		else
			break;
	}
	u8 op = ip[i++];
	bool byte_op = !(op & 1);
	switch (op) {
	case 0xE4: case 0xE5: /* IN AL/eAX, imm8 */
	case 0xE6: case 0xE7: /* OUT imm8, AL/eAX */
		d->imm_port = true;
		d->port8 = ip[i++];
		d->in = op < 0xE6;
		break;
	case 0xEC: case 0xED: /* IN AL/eAX, DX */
	case 0xEE: case 0xEF: /* OUT DX, AL/eAX */
		d->in = op < 0xEE;
		break;
	case 0x6C: case 0x6D: /* INS */
	case 0x6E: case 0x6F: /* OUTS */
		d->str = true;
		d->in = op < 0x6E;
		break;
	default:
		return false;
	}
	d->size = byte_op ? 1 : opsize16 ? 2 : 4;
	d->len = i;
	return true;
}

static u64 merge(u64 old, u64 v, unsigned size)
{
	if (size == 4)
		return (u32)v; /* a 32-bit register write zero-extends */
	u64 mask = size == 1 ? 0xFF : 0xFFFF;
	return (old & ~mask) | (v & mask);
}

static void vc_ioio(struct exc_frame *f)
{
	struct io_insn d;
	if (!decode_io(f, &d))
		vc_fail(f, "cannot decode I/O instruction, first bytes", *(const u64 *)f->rip, 0);
	u16 port = d.imm_port ? d.port8 : (u16)f->rdx;
	u64 info = ((u64)port << IOIO_PORT_SHIFT) | (d.in ? IOIO_TYPE_IN : 0) |
		   (d.size == 1 ? IOIO_SZ8 : d.size == 2 ? IOIO_SZ16 : IOIO_SZ32) |
		   (d.addr32 ? IOIO_A32 : IOIO_A64);

	if (!d.str) {
		ghcb_clear();
		if (!d.in)
			ghcb_set(GHCB_RAX, merge(0, f->rax, d.size));
		u64 info1 = ghcb_call(SVM_EXIT_IOIO, info, 0);
		if (d.in && (u32)info1 == GHCB_RESULT_OK) {
			static const unsigned outs[] = {GHCB_RAX};
			need_outputs(f, outs, 1);
			f->rax = merge(f->rax, ghcb_get(GHCB_RAX), d.size);
		}
		vc_result(f, info1, d.len);
		return;
	}

	/* String I/O: the data goes through the shared buffer, at most a buffer's worth per
	 * VMGEXIT; EXITINFO2 = the element count, SW_SCRATCH = the buffer's GPA. With RFLAGS.DF
	 * set the addresses go down, so one element per exchange keeps the copy simple. */
	info |= IOIO_STR | (d.rep ? IOIO_REP : 0) | ((u64)(d.in ? 0 : d.seg) << IOIO_SEG_SHIFT);
	u64 amask = d.addr32 ? 0xFFFFFFFFULL : ~0ULL;
	bool down = f->rflags & RFLAGS_DF;
	u64 count = d.rep ? (f->rcx & amask) : 1;
	u64 max = down ? 1 : GHCB_SHARED_BUF_SIZE / d.size;
	while (count) {
		u64 n = count < max ? count : max;
		u64 bytes = n * d.size;
		volatile u8 *buf = ghcb + GHCB_SHARED_BUF;
		ghcb_clear();
		if (!d.in) {
			const u8 *src = (const u8 *)(f->rsi & amask);
			for (u64 k = 0; k < bytes; k++)
				buf[k] = src[k];
		}
		ghcb_set(GHCB_SW_SCRATCH, ghcb_gpa() + GHCB_SHARED_BUF);
		u64 info1 = ghcb_call(SVM_EXIT_IOIO, info, n);
		if ((u32)info1 != GHCB_RESULT_OK) {
			vc_result(f, info1, d.len);
			return;
		}
		u64 step = down ? (u64)-(s64)bytes : bytes;
		if (d.in) {
			u8 *dst = (u8 *)(f->rdi & amask);
			for (u64 k = 0; k < bytes; k++)
				dst[k] = buf[k];
			f->rdi = (f->rdi & ~amask) | ((f->rdi + step) & amask);
		} else {
			f->rsi = (f->rsi & ~amask) | ((f->rsi + step) & amask);
		}
		count -= n;
		if (d.rep)
			f->rcx = (f->rcx & ~amask) | (count & amask);
	}
	f->rip += d.len;
}

/* The general-purpose register numbered n in ModRM/REX encoding (0 = RAX .. 15 = R15). */
static u64 *gpr(struct exc_frame *f, unsigned n)
{
	u64 *const regs[16] = {&f->rax, &f->rcx, &f->rdx, &f->rbx, &f->rsp, &f->rbp, &f->rsi,
			       &f->rdi, &f->r8,  &f->r9,  &f->r10, &f->r11, &f->r12, &f->r13,
			       &f->r14, &f->r15};
	return regs[n & 15];
}

/* An optional REX prefix (64-bit mode only here): returns its byte, 0 when absent. */
static u8 rex_at(const u8 *ip)
{
	return ip[0] >= 0x40 && ip[0] <= 0x4F ? ip[0] : 0;
}

/* MOV r64, DR7 (0F 21 /r) and MOV DR7, r64 (0F 23 /r): ModRM mod = 11, reg = 7, rm = the GPR
 * (REX.B extends it). DR7 read: RAX out; write: RAX in (NAE 0x27 / 0x37). */
static void vc_dr7(struct exc_frame *f, bool write)
{
	static const unsigned outs[] = {GHCB_RAX};
	const u8 *ip = (const u8 *)f->rip;
	u8 rex = rex_at(ip);
	const u8 *op = ip + (rex ? 1 : 0);
	unsigned len = (unsigned)(op - ip) + 3;
	if (op[0] != 0x0F || (op[2] >> 6) != 3 || ((op[2] >> 3) & 7) != 7)
		vc_fail(f, "DR7 access not decoded", op[1], op[2]);
	u64 *reg = gpr(f, (op[2] & 7) | ((rex & 1) << 3));
	ghcb_clear();
	if (write)
		ghcb_set(GHCB_RAX, *reg);
	u64 info1 = ghcb_call(write ? SVM_EXIT_DR7_WRITE : SVM_EXIT_DR7_READ, 0, 0);
	if (!write && (u32)info1 == GHCB_RESULT_OK) {
		need_outputs(f, outs, 1);
		*reg = ghcb_get(GHCB_RAX);
	}
	vc_result(f, info1, len);
}

/* RDPMC 0F 33: ECX = counter in, EDX:EAX out (NAE 0x6F). */
static void vc_rdpmc(struct exc_frame *f)
{
	static const unsigned outs[] = {GHCB_RAX, GHCB_RDX};
	ghcb_clear();
	ghcb_set(GHCB_RCX, (u32)f->rcx);
	u64 info1 = ghcb_call(SVM_EXIT_RDPMC, 0, 0);
	if ((u32)info1 == GHCB_RESULT_OK) {
		need_outputs(f, outs, 2);
		f->rax = (u32)ghcb_get(GHCB_RAX);
		f->rdx = (u32)ghcb_get(GHCB_RDX);
	}
	vc_result(f, info1, 2);
}

/* Instructions without operands the hypervisor needs: INVD 0F 08, WBINVD 0F 09. */
static void vc_plain(struct exc_frame *f, u64 code, unsigned len)
{
	ghcb_clear();
	vc_result(f, ghcb_call(code, 0, 0), len);
}

/* VMMCALL 0F 01 D9: RAX = hypercall number, CPL (GHCB spec: both required), RAX out. */
static void vc_vmmcall(struct exc_frame *f)
{
	static const unsigned outs[] = {GHCB_RAX};
	ghcb_clear();
	ghcb_set(GHCB_RAX, f->rax);
	ghcb_set_u8(GHCB_CPL, (u8)(f->cs & 3));
	u64 info1 = ghcb_call(SVM_EXIT_VMMCALL, 0, 0);
	if ((u32)info1 == GHCB_RESULT_OK) {
		need_outputs(f, outs, 1);
		f->rax = ghcb_get(GHCB_RAX);
	}
	vc_result(f, info1, 3);
}

/* MMIO through a reserved NPT entry (#VC 0x400). The guest finds the address itself: this
 * runtime maps 0-4 GiB 1:1, so the effective address is the physical one. Decoded: MOV r32/64,
 * [base + disp] (8B /r) and MOV [base + disp], r32/64 (89 /r): ModRM mod 00 (no displacement),
 * 01 (disp8) or 10 (disp32) with a base register and no SIB (rm != 4; mod 00 rm 5 is
 * RIP-relative, not decoded), REX.W for 8 bytes; the data goes through the GHCB's shared
 * buffer (SW_SCRATCH), NAE 0x80000001 / 0x80000002 with EXITINFO1 = GPA, EXITINFO2 = length. */
static void vc_mmio(struct exc_frame *f)
{
	const u8 *ip = (const u8 *)f->rip;
	u8 rex = rex_at(ip);
	const u8 *op = ip + (rex ? 1 : 0);
	u8 modrm = op[1];
	unsigned mod = modrm >> 6, rm = modrm & 7, len = (unsigned)(op - ip) + 2;
	if ((op[0] != 0x8B && op[0] != 0x89) || mod == 3 || rm == 4 || (mod == 0 && rm == 5))
		vc_fail(f, "MMIO instruction not decoded", op[0], modrm);
	s64 disp = 0;
	if (mod == 1) {
		disp = (int8_t)op[2];
		len += 1;
	} else if (mod == 2) {
		disp = (int32_t)((u32)op[2] | (u32)op[3] << 8 | (u32)op[4] << 16 | (u32)op[5] << 24);
		len += 4;
	}
	bool write = op[0] == 0x89;
	unsigned size = (rex & 8) ? 8 : 4;
	u64 gpa = *gpr(f, rm | ((rex & 1) << 3)) + (u64)disp;
	u64 *reg = gpr(f, ((modrm >> 3) & 7) | ((rex & 4) << 1));
	volatile u8 *buf = ghcb + GHCB_SHARED_BUF;
	ghcb_clear();
	ghcb_set(GHCB_SW_SCRATCH, ghcb_gpa() + GHCB_SHARED_BUF);
	if (write)
		for (unsigned i = 0; i < size; i++)
			buf[i] = (u8)(*reg >> (8 * i));
	u64 info1 = ghcb_call(write ? SVM_VMGEXIT_MMIO_WRITE : SVM_VMGEXIT_MMIO_READ, gpa, size);
	if (!write && (u32)info1 == GHCB_RESULT_OK) {
		u64 v = 0;
		for (unsigned i = 0; i < size; i++)
			v |= (u64)buf[i] << (8 * i);
		*reg = v; /* a 32-bit load zero-extends into the 64-bit register */
	}
	vc_result(f, info1, len);
}

bool vc_handle(struct exc_frame *f)
{
	u64 code = f->error;
	const u8 *ip = (const u8 *)f->rip;
	if (code < VC_COUNTED_CODES)
		counts[code]++;
	switch (code) {
	case SVM_EXIT_CPUID:
		vc_cpuid(f);
		break;
	case SVM_EXIT_MSR:
		vc_msr(f);
		break;
	case SVM_EXIT_RDTSC:
		vc_rdtsc(f, false);
		break;
	case SVM_EXIT_RDTSCP:
		vc_rdtsc(f, true);
		break;
	case SVM_EXIT_IOIO:
		vc_ioio(f);
		break;
	case SVM_EXIT_DR7_READ:
	case SVM_EXIT_DR7_WRITE:
		vc_dr7(f, code == SVM_EXIT_DR7_WRITE);
		break;
	case SVM_EXIT_RDPMC:
		vc_rdpmc(f);
		break;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		vc_plain(f, code, 2);
		break;
	case SVM_EXIT_VMMCALL:
		vc_vmmcall(f);
		break;
	case SVM_EXIT_NPF:
		vc_mmio(f);
		break;
	default:
		vc_fail(f, "unsupported #VC, instruction bytes", ip[0] | (u64)ip[1] << 8, ip[2]);
	}
	return true;
}
