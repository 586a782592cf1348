/* See mmio_emulate.h. */
#include "svm/emul/mmio_emulate.h"
#include "arch/x86/rflags.h"
#include "svm/cr_shadow.h"
#include "svm/emul/decode.h"
#include "svm/emul/gva.h"
#include "svm/emul/alu.h"
#include "svm/emul/insn_text.h"
#include "svm/guest_mem.h"
#include "svm/dev/io.h"
#include "lib/kstring.h"
#include "lib/log.h"

/* A long REP string instruction (INS/OUTS, MOVS/STOS on MMIO) is done in slices so one exit
 * never takes unbounded time; RIP stays on the instruction until RCX reaches zero, so the guest
 * simply re-executes it. */
#define STRING_IO_SLICE 4096

static u64 size_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/* Reads a register operand as the instruction sees it (AH..BH for high_byte). */
static u64 read_operand(struct vcpu *v, const struct svm_insn *i, unsigned size)
{
	if (i->high_byte)
		return (vcpu_reg(v, (enum vcpu_reg)(i->reg - 4)) >> 8) & 0xFF;
	return vcpu_reg(v, (enum vcpu_reg)i->reg) & size_mask(size);
}

/* Writes a register result with x86 width rules: 32-bit results zero-extend into the full
 * register, 8- and 16-bit ones merge (APM vol. 1, 3.1.2.3). */
static void write_operand(struct vcpu *v, const struct svm_insn *i, unsigned size, u64 val)
{
	if (i->high_byte) {
		u64 old = vcpu_reg(v, (enum vcpu_reg)(i->reg - 4));
		vcpu_reg_write(v, (enum vcpu_reg)(i->reg - 4), (old & ~0xFF00ULL) | ((val & 0xFF) << 8));
		return;
	}
	u64 old = vcpu_reg(v, (enum vcpu_reg)i->reg);
	u64 out = size >= 4 ? val & size_mask(size) : (old & ~size_mask(size)) | (val & size_mask(size));
	vcpu_reg_write(v, (enum vcpu_reg)i->reg, out);
}

static u64 seg_base(struct vcpu *v, enum svm_insn_seg seg, enum svm_cpu_mode mode)
{
	const struct vmcb_save *s = &v->vmcb->save;
	const struct vmcb_seg *segs[] = { NULL, &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
	/* In 64-bit mode only FS and GS have bases (APM vol. 2, 4.5.3). */
	if (mode == SVM_CPU_MODE_64 && seg != SVM_INSN_SEG_FS && seg != SVM_INSN_SEG_GS)
		return 0;
	return segs[seg]->base;
}

/* Segment base + offset; outside 64-bit mode linear addresses wrap at 4 GiB. */
static u64 linear(struct vcpu *v, enum svm_insn_seg seg, u64 offset, enum svm_cpu_mode mode)
{
	u64 lin = seg_base(v, seg, mode) + offset;
	return mode == SVM_CPU_MODE_64 ? lin : lin & 0xFFFFFFFFULL;
}

/* The linear address of the memory operand: segment (override, else SS for an rBP/rSP base,
 * else DS) + base + index * scale + displacement, or the moffs of A0-A3, in the address size
 * (APM vol. 3, 1.4 and 1.2.3; RIP-relative from the next instruction). */
static u64 operand_linear(struct vcpu *v, const struct svm_insn *i, enum svm_cpu_mode mode)
{
	u64 ea;
	if (i->has_moffs) {
		ea = i->moffs;
	} else {
		ea = (u64)i->disp;
		if (i->ea_base == SVM_EA_RIP)
			ea += vcpu_reg(v, VCPU_RIP) + i->len;
		else if (i->ea_base != SVM_EA_NONE)
			ea += vcpu_reg(v, (enum vcpu_reg)i->ea_base);
		if (i->ea_index != SVM_EA_NONE)
			ea += vcpu_reg(v, (enum vcpu_reg)i->ea_index) * i->ea_scale;
	}
	enum svm_insn_seg seg = i->seg ? i->seg : i->ea_ss ? SVM_INSN_SEG_SS : SVM_INSN_SEG_DS;
	return linear(v, seg, ea & size_mask(i->addrsize), mode);
}

/* An MMIO range in naturally aligned pieces of 8, 4, 2 or 1 bytes, the sizes devices take. */
static bool mmio_pieces(struct vcpu *v, u64 gpa, u8 *buf, u64 len, bool write)
{
	while (len) {
		unsigned n = 8;
		while (n > len || (gpa & (n - 1)))
			n >>= 1;
		u64 val = 0;
		if (write)
			memcpy(&val, buf, n);
		if (!svm_mmio(v->vm, gpa, n, write, &val))
			return false;
		if (!write)
			memcpy(buf, &val, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return true;
}

enum access_result { ACCESS_OK, ACCESS_FAULT, ACCESS_UNMAPPED, ACCESS_ENDED };

/* What an access does: read, write, or the read of a read-modify-write, whose page must be
 * writable before anything is read (the CPU checks the write permission up front; the #PF
 * error code then says "write"). */
enum access_how { ACCESS_READ = 0, ACCESS_WRITE = 1, ACCESS_RMW_READ = 2 };

/* Where an access stopped: the linear address, and the #PF error code for ACCESS_FAULT. */
struct access_fault {
	u64 lin;
	u32 pf_err;
};

/* Reads or writes len bytes at a linear address, page by page, each page to guest RAM or to
 * the MMIO dispatch: an access that crosses from RAM into MMIO (or back) is split there. Each
 * page is translated with the guest's permission checks first (ACCESS_FAULT: a #PF to inject). */
static enum access_result guest_access(struct vcpu *v, u64 lin, void *data, u64 len, enum access_how how,
				       struct access_fault *bad)
{
	u8 *p = data;
	bool write = how == ACCESS_WRITE;
	enum svm_gva_access acc = how == ACCESS_READ ? SVM_GVA_READ : SVM_GVA_WRITE;
	while (len) {
		u64 gpa, chunk = MIN(len, PAGE_SIZE - (lin & 0xFFF));
		enum svm_gva_result t = svm_gva_translate(v, lin, acc, &gpa, &bad->pf_err);
		if (t != SVM_GVA_OK) {
			bad->lin = lin;
			return t == SVM_GVA_FAULT ? ACCESS_FAULT : ACCESS_UNMAPPED;
		}
		bool ok;
		if (svm_gpa_is_ram(v->vm, gpa))
			ok = write ? svm_gpa_write(v->vm, gpa, p, chunk) : svm_gpa_read(v->vm, gpa, p, chunk);
		else
			ok = mmio_pieces(v, gpa, p, chunk, write);
		if (!ok) {
			bad->lin = lin;
			return v->vm->end ? ACCESS_ENDED : ACCESS_UNMAPPED;
		}
		lin += chunk;
		p += chunk;
		len -= chunk;
	}
	return ACCESS_OK;
}

/* The guest ends on an instruction sevisor will not carry out: what, and its bytes. */
static enum svm_outcome unsupported(struct vcpu *v, u64 gpa, const char *what)
{
	char bytes[SVM_INSN_TEXT_MAX];
	svm_insn_bytes_text(v, bytes, sizeof(bytes));
	return svm_terminate(v, "access at GPA 0x%llx (no RAM there) by %s, which sevisor does not emulate (%s)",
			     (unsigned long long)gpa, what, bytes);
}

/* The instruction could not be decoded. If that is because its bytes run into a page the guest
 * may not fetch from, the guest gets the #PF the CPU's fetch would have raised (as KVM's
 * emulator does); true then, with the outcome in *out. */
static bool fetch_faulted(struct vcpu *v, enum svm_decode_status st, enum svm_outcome *out)
{
	u64 lin;
	u32 err;
	if (st != SVM_DECODE_TRUNCATED || !svm_fetch_fault(v, &lin, &err))
		return false;
	*out = svm_inject_pf(v, lin, err);
	return true;
}

/* A guest_access that did not complete: a page fault goes to the guest (APM vol. 2, 8.4.2, as
 * the CPU would have raised it: KVM's emulator does the same); the guest ended already; or the
 * address translates to something sevisor cannot reach (a paging entry outside RAM). */
static enum svm_outcome access_failed(struct vcpu *v, enum access_result r, const struct access_fault *bad)
{
	if (r == ACCESS_ENDED || v->vm->end)
		return SVM_TERMINATE;
	if (r == ACCESS_FAULT)
		return svm_inject_pf(v, bad->lin, bad->pf_err);
	char bytes[SVM_INSN_TEXT_MAX];
	svm_insn_bytes_text(v, bytes, sizeof(bytes));
	return svm_terminate(v, "emulated access to linear address 0x%llx, whose translation reaches outside guest "
			     "RAM (%s)", (unsigned long long)bad->lin, bytes);
}

static u64 rflags_of(struct vcpu *v)
{
	return vcpu_reg(v, VCPU_RFLAGS);
}

/* ALU operations with a memory operand (APM vol. 3, each instruction): read, compute, store
 * (unless CMP/TEST/BT or the register is the destination), RFLAGS. */
static enum svm_outcome emulate_alu(struct vcpu *v, const struct svm_insn *i, u64 lin)
{
	unsigned size = i->opsize;
	u64 src = 0, dst = 0, result;
	struct access_fault bad = { 0, 0 };
	enum access_result r;
	if (i->has_imm)
		src = i->imm & size_mask(size);
	else
		src = read_operand(v, i, size);
	if (i->alu >= SVM_ALU_BT && !i->has_imm) {
		/* BT* with a register bit offset may address outside the operand: the offset is
		 * signed, the operand moves by whole operand-size units (APM vol. 3, BT). */
		unsigned bits = 8 * size;
		s64 off = (s64)(src << (64 - bits)) >> (64 - bits);
		lin += (u64)((off >> (__builtin_ctz(bits))) * (s64)size);
		src = (u64)off & (bits - 1);
	} else if (i->alu >= SVM_ALU_BT) {
		src &= 8 * size - 1;
	}
	if ((r = guest_access(v, lin, &dst, size, i->write ? ACCESS_RMW_READ : ACCESS_READ, &bad)) != ACCESS_OK)
		return access_failed(v, r, &bad);
	if (i->reg_dst) {
		/* 02/03-style: the register is the destination, memory the source. */
		u64 reg = read_operand(v, i, size);
		u64 fl = svm_alu((enum svm_alu_op)i->alu, size, reg, dst, rflags_of(v), &result);
		if (i->alu != SVM_ALU_CMP)
			write_operand(v, i, size, result);
		vcpu_reg_write(v, VCPU_RFLAGS, fl);
	} else {
		u64 fl = svm_alu((enum svm_alu_op)i->alu, size, dst, src, rflags_of(v), &result);
		if (i->write && (r = guest_access(v, lin, &result, size, ACCESS_WRITE, &bad)) != ACCESS_OK)
			return access_failed(v, r, &bad);
		vcpu_reg_write(v, VCPU_RFLAGS, fl);
	}
	svm_skip_insn(v, i->len);
	return SVM_RESUME;
}

/* The accumulator as an operand (AL/AX/EAX/RAX: register 0, never AH). */
static const struct svm_insn accumulator = { .reg = VCPU_RAX };

/* CMPXCHG and XADD with a memory destination (APM vol. 3): read memory, compute, write memory
 * (CMPXCHG writes in both outcomes, as the processor does), then the register and RFLAGS. */
static enum svm_outcome emulate_exchange(struct vcpu *v, const struct svm_insn *i, u64 lin)
{
	unsigned size = i->opsize;
	u64 mem = 0, out, fl;
	struct access_fault bad = { 0, 0 };
	bool load_acc = false;
	enum access_result r;
	if ((r = guest_access(v, lin, &mem, size, ACCESS_RMW_READ, &bad)) != ACCESS_OK)
		return access_failed(v, r, &bad);
	u64 reg = read_operand(v, i, size);
	if (i->kind == SVM_INSN_CMPXCHG)
		fl = svm_alu_cmpxchg(size, read_operand(v, &accumulator, size), mem, reg, rflags_of(v), &out,
				     &load_acc);
	else /* XADD: memory gets the sum, the register the old memory value */
		fl = svm_alu(SVM_ALU_ADD, size, mem, reg, rflags_of(v), &out);
	if ((r = guest_access(v, lin, &out, size, ACCESS_WRITE, &bad)) != ACCESS_OK)
		return access_failed(v, r, &bad);
	if (i->kind == SVM_INSN_XADD)
		write_operand(v, i, size, mem);
	else if (load_acc)
		write_operand(v, &accumulator, size, mem);
	vcpu_reg_write(v, VCPU_RFLAGS, fl);
	svm_skip_insn(v, i->len);
	return SVM_RESUME;
}

/* MOVS, STOS and LODS, one or REP (F3, and F2 which acts the same on them): either side may be RAM
 * or MMIO. Done in slices like string I/O, one element per exit under RFLAGS.TF. */
static enum svm_outcome emulate_string(struct vcpu *v, const struct svm_insn *i, enum svm_cpu_mode mode)
{
	unsigned size = i->opsize;
	u64 amask = size_mask(i->addrsize);
	bool rep = i->rep || i->repne;
	u64 rflags = rflags_of(v);
	s64 step = (rflags & RFLAGS_DF) ? -(s64)size : (s64)size;
	u64 count = rep ? vcpu_reg(v, VCPU_RCX) & amask : 1;
	u64 slice = (rflags & RFLAGS_TF) ? 1 : STRING_IO_SLICE;
	u64 rsi = vcpu_reg(v, VCPU_RSI), rdi = vcpu_reg(v, VCPU_RDI), done = 0;
	struct access_fault bad = { 0, 0 };
	enum svm_insn_seg src_seg = i->seg ? i->seg : SVM_INSN_SEG_DS; /* ES:rDI cannot be overridden */
	enum svm_outcome out = SVM_RESUME;
	bool reads = i->kind != SVM_INSN_STOS, writes = i->kind != SVM_INSN_LODS;
	while (done < count && done < slice) {
		u64 val = vcpu_reg(v, VCPU_RAX) & size_mask(size);
		enum access_result r = ACCESS_OK;
		if (reads)
			r = guest_access(v, linear(v, src_seg, rsi & amask, mode), &val, size, ACCESS_READ, &bad);
		if (r == ACCESS_OK && writes)
			r = guest_access(v, linear(v, SVM_INSN_SEG_ES, rdi & amask, mode), &val, size, ACCESS_WRITE, &bad);
		if (r != ACCESS_OK) {
			out = access_failed(v, r, &bad);
			break;
		}
		if (reads)
			rsi = (rsi & ~amask) | ((rsi + (u64)step) & amask);
		if (writes)
			rdi = (rdi & ~amask) | ((rdi + (u64)step) & amask);
		else
			write_operand(v, &accumulator, size, val); /* LODS: every element is read */
		done++;
	}
	if (reads)
		vcpu_reg_write(v, VCPU_RSI, rsi);
	if (writes)
		vcpu_reg_write(v, VCPU_RDI, rdi);
	if (rep) {
		u64 rcx = vcpu_reg(v, VCPU_RCX);
		vcpu_reg_write(v, VCPU_RCX, (rcx & ~amask) | ((rcx - done) & amask));
	}
	if (out != SVM_RESUME)
		return out;
	if (done < count) {
		svm_single_step_trap(v);
		return SVM_RESUME; /* not finished: RIP stays, the guest re-executes */
	}
	svm_skip_insn(v, i->len);
	return SVM_RESUME;
}

enum svm_outcome svm_mmio_emulate(struct vcpu *v, u64 gpa)
{
	struct svm_insn i;
	enum svm_decode_status st = svm_fetch_insn(v, &i);
	enum svm_outcome pf;
	if (st != SVM_DECODE_OK)
		return fetch_faulted(v, st, &pf) ? pf : unsupported(v, gpa, svm_decode_status_name(st));
	/* LOCK only on a read-modify-write of memory; elsewhere #UD (APM vol. 3, 1.2.5). With one
	 * vCPU and the device seeing the read and the write in order, emulation is atomic. */
	if (i.lock && !svm_alu_lockable(&i))
		return svm_queue_exception(v, X86_UD, false, 0);
	enum svm_cpu_mode mode = svm_guest_cpu_mode(v);
	u64 val = 0;
	struct access_fault bad = { 0, 0 };
	enum access_result r;
	switch (i.kind) {
	case SVM_INSN_MOV_STORE:
		val = read_operand(v, &i, i.access_size);
		break;
	case SVM_INSN_MOV_STORE_IMM:
		val = i.imm & size_mask(i.access_size);
		break;
	case SVM_INSN_MOV_LOAD:
	case SVM_INSN_MOVZX:
	case SVM_INSN_MOVSX:
	case SVM_INSN_XCHG:
		break;
	case SVM_INSN_ALU:
		return emulate_alu(v, &i, operand_linear(v, &i, mode));
	case SVM_INSN_CMPXCHG:
	case SVM_INSN_XADD:
		return emulate_exchange(v, &i, operand_linear(v, &i, mode));
	case SVM_INSN_MOVS:
	case SVM_INSN_STOS:
	case SVM_INSN_LODS:
		return emulate_string(v, &i, mode);
	default:
		return unsupported(v, gpa, svm_insn_kind_name(i.kind));
	}
	u64 lin = operand_linear(v, &i, mode);
	if (i.kind == SVM_INSN_XCHG) {
		/* XCHG with memory: the old memory value goes to the register (always locked). */
		u64 reg = read_operand(v, &i, i.opsize);
		if ((r = guest_access(v, lin, &val, i.opsize, ACCESS_RMW_READ, &bad)) != ACCESS_OK ||
		    (r = guest_access(v, lin, &reg, i.opsize, ACCESS_WRITE, &bad)) != ACCESS_OK)
			return access_failed(v, r, &bad);
		write_operand(v, &i, i.opsize, val);
	} else {
		if ((r = guest_access(v, lin, &val, i.access_size, i.write ? ACCESS_WRITE : ACCESS_READ, &bad)) !=
		    ACCESS_OK)
			return access_failed(v, r, &bad);
		if (i.kind == SVM_INSN_MOVSX) {
			unsigned shift = 64 - 8 * i.access_size;
			val = (u64)((s64)(val << shift) >> shift);
		}
		if (!i.write)
			write_operand(v, &i, i.kind == SVM_INSN_MOV_LOAD ? i.access_size : i.opsize, val);
	}
	svm_skip_insn(v, i.len);
	return SVM_RESUME;
}

static enum svm_outcome cr_result(struct vcpu *v, enum cr_shadow_result r, const struct svm_insn *i)
{
	switch (r) {
	case CR_SHADOW_DONE:
		svm_skip_insn(v, i->len);
		return SVM_RESUME;
	case CR_SHADOW_GP:
		return svm_queue_exception(v, X86_GP, true, 0);
	default:
		return svm_queue_exception(v, X86_UD, false, 0);
	}
}

enum svm_outcome svm_cr_access_emulate(struct vcpu *v, unsigned cr)
{
	struct svm_insn i;
	enum svm_decode_status st = svm_fetch_insn(v, &i);
	enum svm_outcome pf;
	if (st != SVM_DECODE_OK)
		return fetch_faulted(v, st, &pf) ? pf :
		       svm_terminate(v, "CR%u write by an instruction sevisor could not decode (%s)", cr,
				     svm_decode_status_name(st));
	switch (i.kind) {
	case SVM_INSN_MOV_TO_CR: {
		/* Outside 64-bit mode the source is 32 bits (APM vol. 3, MOV CRn). */
		u64 value = vcpu_reg(v, (enum vcpu_reg)i.reg);
		if (svm_guest_cpu_mode(v) != SVM_CPU_MODE_64)
			value &= 0xFFFFFFFFULL;
		return cr_result(v, cr_shadow_write_cr(v, i.cr, value), &i);
	}
	case SVM_INSN_CLTS:
		return cr_result(v, cr_shadow_clts(v), &i);
	case SVM_INSN_LMSW: {
		/* LMSW r/m16 (APM vol. 3, LMSW): the source may be a register or a word in memory. */
		u16 msw = 0;
		struct access_fault bad = { 0, 0 };
		if (!i.mem) {
			msw = (u16)vcpu_reg(v, (enum vcpu_reg)i.rm);
		} else {
			enum access_result r = guest_access(v, operand_linear(v, &i, svm_guest_cpu_mode(v)), &msw, 2,
							    ACCESS_READ, &bad);
			if (r != ACCESS_OK)
				return access_failed(v, r, &bad);
		}
		return cr_result(v, cr_shadow_lmsw(v, msw), &i);
	}
	default:
		return svm_terminate(v, "CR%u write exit for %s, which is not a CR write sevisor knows", cr,
				     svm_insn_kind_name(i.kind));
	}
}

enum svm_outcome svm_string_io(struct vcpu *v, u16 port, unsigned size, bool in, u64 exit_info1)
{
	struct svm_insn i;
	enum svm_decode_status st = svm_fetch_insn(v, &i);
	enum svm_outcome out = SVM_RESUME;
	if (st == SVM_DECODE_OK && i.kind != SVM_INSN_INS && i.kind != SVM_INSN_OUTS)
		st = SVM_DECODE_UNKNOWN;
	if (st != SVM_DECODE_OK)
		return fetch_faulted(v, st, &out) ? out :
		       svm_terminate(v, "string I/O exit (info 0x%llx) at an instruction sevisor could not decode (%s)",
				     (unsigned long long)exit_info1, svm_decode_status_name(st));
	enum svm_cpu_mode mode = svm_guest_cpu_mode(v);
	u64 amask = size_mask(i.addrsize);
	enum vcpu_reg index = in ? VCPU_RDI : VCPU_RSI;
	/* INS always writes ES:rDI; OUTS reads DS:rSI unless overridden (APM vol. 3, INS/OUTS). */
	enum svm_insn_seg seg = in ? SVM_INSN_SEG_ES : (i.seg ? i.seg : SVM_INSN_SEG_DS);
	s64 step = (v->vmcb->save.rflags & RFLAGS_DF) ? -(s64)size : (s64)size;
	u64 count = i.rep ? vcpu_reg(v, (enum vcpu_reg)VCPU_RCX) & amask : 1;
	u64 done = 0;
	u64 addr = vcpu_reg(v, (enum vcpu_reg)index);
	/* With RFLAGS.TF a REP string instruction traps after every iteration (single-step #DB
	 * with RIP still on the instruction until the count runs out: Intel SDM vol. 3, 18.3.1.4
	 * "Single-Step Exception Condition"), so step one iteration per exit. */
	u64 slice = (v->vmcb->save.rflags & RFLAGS_TF) ? 1 : STRING_IO_SLICE;
	struct access_fault bad = { 0, 0 };
	while (done < count && done < slice) {
		u64 lin = linear(v, seg, addr & amask, mode);
		u32 val = 0;
		enum access_result r = ACCESS_OK;
		/* The memory side is translated with the guest's permissions (a #PF stops the
		 * instruction with the iterations done so far committed) and may be MMIO. */
		if (!in)
			r = guest_access(v, lin, &val, size, ACCESS_READ, &bad);
		if (r == ACCESS_OK && !svm_io_port(v->vm, port, size, in, &val))
			r = ACCESS_ENDED;
		if (r == ACCESS_OK && in)
			r = guest_access(v, lin, &val, size, ACCESS_WRITE, &bad);
		if (r != ACCESS_OK) {
			out = access_failed(v, r, &bad);
			break;
		}
		addr = (addr & ~amask) | ((addr + (u64)step) & amask);
		done++;
		if (v->vm->end)
			break;
	}
	vcpu_reg_write(v, index, addr);
	if (i.rep) {
		u64 rcx = vcpu_reg(v, (enum vcpu_reg)VCPU_RCX);
		vcpu_reg_write(v, VCPU_RCX, (rcx & ~amask) | ((rcx - done) & amask));
	}
	if (out != SVM_RESUME)
		return out;
	if (i.rep && done < count) {
		svm_single_step_trap(v);
		return SVM_RESUME; /* not finished: RIP stays, the guest re-executes */
	}
	svm_skip_insn(v, i.len);
	return v->vm->end ? SVM_TERMINATE : SVM_RESUME;
}
