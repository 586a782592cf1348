/* See mmio_emulate.h. */
#include "svm/emul/mmio_emulate.h"
#include "svm/cr_shadow.h"
#include "svm/emul/decode.h"
#include "svm/emul/gva.h"
#include "svm/dev/io.h"
#include "lib/log.h"

#define RFLAGS_TF BIT(8)
#define RFLAGS_DF BIT(10)
/* A long REP string I/O is done in slices so one exit never takes unbounded time; RIP stays
 * on the instruction until RCX reaches zero, so the guest simply re-executes it. */
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

enum svm_outcome svm_mmio_emulate(struct vcpu *v, u64 gpa)
{
	struct svm_insn i;
	enum svm_decode_status st = svm_fetch_insn(v, &i);
	if (st != SVM_DECODE_OK)
		return svm_terminate(v, "access at GPA 0x%llx (no RAM there) by an instruction sevisor could not decode (%s)",
				     (unsigned long long)gpa, svm_decode_status_name(st));
	u64 val = 0;
	switch (i.kind) {
	case SVM_INSN_MOV_STORE:
		val = read_operand(v, &i, i.access_size);
		break;
	case SVM_INSN_MOV_STORE_IMM:
		val = i.imm & size_mask(i.access_size);
		break;
	case SVM_INSN_MOV_LOAD:
	case SVM_INSN_MOVZX:
		break;
	default:
		return svm_terminate(v, "access at GPA 0x%llx (no RAM there) by %s, which sevisor does not emulate for MMIO",
				     (unsigned long long)gpa, svm_insn_kind_name(i.kind));
	}
	bool write = i.kind == SVM_INSN_MOV_STORE || i.kind == SVM_INSN_MOV_STORE_IMM;
	if (!svm_mmio(v->vm, gpa, i.access_size, write, &val))
		return SVM_TERMINATE;
	if (!write)
		write_operand(v, &i, i.kind == SVM_INSN_MOVZX ? i.opsize : i.access_size, val);
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
	if (st != SVM_DECODE_OK)
		return svm_terminate(v, "CR%u write by an instruction sevisor could not decode (%s)", cr,
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
	case SVM_INSN_LMSW:
		if (i.mem)
			return svm_terminate(v, "LMSW with a memory operand is not emulated by sevisor");
		return cr_result(v, cr_shadow_lmsw(v, (u16)vcpu_reg(v, (enum vcpu_reg)i.rm)), &i);
	default:
		return svm_terminate(v, "CR%u write exit for %s, which is not a CR write sevisor knows", cr,
				     svm_insn_kind_name(i.kind));
	}
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

enum svm_outcome svm_string_io(struct vcpu *v, u16 port, unsigned size, bool in, u64 exit_info1)
{
	struct svm_insn i;
	enum svm_decode_status st = svm_fetch_insn(v, &i);
	if (st != SVM_DECODE_OK || (i.kind != SVM_INSN_INS && i.kind != SVM_INSN_OUTS))
		return svm_terminate(v, "string I/O exit (info 0x%llx) at an instruction sevisor could not decode (%s)",
				     (unsigned long long)exit_info1, svm_decode_status_name(st));
	enum svm_cpu_mode mode = svm_guest_cpu_mode(v);
	u64 amask = size_mask(i.addrsize);
	enum vcpu_reg index = in ? VCPU_RDI : VCPU_RSI;
	/* INS always writes ES:rDI; OUTS reads DS:rSI unless overridden (APM vol. 3, INS/OUTS). */
	enum svm_insn_seg seg = in ? SVM_INSN_SEG_ES : (i.seg ? i.seg : SVM_INSN_SEG_DS);
	u64 base = seg_base(v, seg, mode);
	s64 step = (v->vmcb->save.rflags & RFLAGS_DF) ? -(s64)size : (s64)size;
	u64 count = i.rep ? vcpu_reg(v, (enum vcpu_reg)VCPU_RCX) & amask : 1;
	u64 done = 0;
	u64 addr = vcpu_reg(v, (enum vcpu_reg)index);
	/* With RFLAGS.TF a REP string instruction traps after every iteration (single-step #DB
	 * with RIP still on the instruction until the count runs out: Intel SDM vol. 3, 18.3.1.4
	 * "Single-Step Exception Condition"), so step one iteration per exit. */
	u64 slice = (v->vmcb->save.rflags & RFLAGS_TF) ? 1 : STRING_IO_SLICE;
	while (done < count && done < slice) {
		u64 lin = base + (addr & amask);
		u32 val = 0;
		if (!in && !svm_gva_read(v, lin, &val, size))
			return svm_terminate(v, "OUTS from unmapped guest address 0x%llx", (unsigned long long)lin);
		if (!svm_io_port(v->vm, port, size, in, &val))
			return SVM_TERMINATE;
		if (in && !svm_gva_write(v, lin, &val, size))
			return svm_terminate(v, "INS to unmapped guest address 0x%llx", (unsigned long long)lin);
		addr = (addr & ~amask) | ((addr + (u64)step) & amask);
		done++;
		if (v->vm->end)
			break;
	}
	vcpu_reg_write(v, index, addr);
	if (i.rep) {
		u64 rcx = vcpu_reg(v, (enum vcpu_reg)VCPU_RCX);
		vcpu_reg_write(v, VCPU_RCX, (rcx & ~amask) | ((rcx - done) & amask));
		if (done < count) {
			svm_single_step_trap(v);
			return SVM_RESUME; /* not finished: RIP stays, the guest re-executes */
		}
	}
	svm_skip_insn(v, i.len);
	return v->vm->end ? SVM_TERMINATE : SVM_RESUME;
}
