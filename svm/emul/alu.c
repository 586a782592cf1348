/* See alu.h. */
#include "svm/emul/alu.h"

static u64 mask_of(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* SF, ZF, PF from a result (PF: even parity of the low byte). */
static u64 szp(u64 r, unsigned size)
{
	u64 f = 0;
	u64 sign = 1ULL << (8 * size - 1);
	if (r & sign)
		f |= RFLAGS_SF;
	if (!(r & mask_of(size)))
		f |= RFLAGS_ZF;
	u8 p = (u8)r; /* fold the low byte's bits into bit 0: its parity */
	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!(p & 1))
		f |= RFLAGS_PF;
	return f;
}

/* Add or subtract with carry-in: the full flag set of ADD/ADC/SUB/SBB/CMP/NEG. */
static u64 arith(bool sub, unsigned size, u64 d, u64 s, bool carry_in, u64 *result)
{
	u64 m = mask_of(size), sign = 1ULL << (8 * size - 1);
	d &= m;
	s &= m;
	u64 r = (sub ? d - s - carry_in : d + s + carry_in) & m;
	u64 f = szp(r, size);
	bool cf = sub ? (carry_in ? d <= s : d < s) : (carry_in ? r <= d : r < d);
	bool of = sub ? ((d ^ s) & (d ^ r) & sign) != 0 : (~(d ^ s) & (d ^ r) & sign) != 0;
	if (cf)
		f |= RFLAGS_CF;
	if (of)
		f |= RFLAGS_OF;
	if ((d ^ s ^ r) & 0x10)
		f |= RFLAGS_AF;
	*result = r;
	return f;
}

static u64 logic(unsigned size, u64 r, u64 *result)
{
	*result = r & mask_of(size);
	return szp(*result, size); /* CF = OF = 0; AF undefined, left 0 */
}

u64 svm_alu(enum svm_alu_op op, unsigned size, u64 dst, u64 src, u64 rflags, u64 *result)
{
	bool cf = rflags & RFLAGS_CF;
	u64 keep = rflags & ~(u64)RFLAGS_STATUS, f;
	switch (op) {
	case SVM_ALU_ADD: f = arith(false, size, dst, src, false, result); break;
	case SVM_ALU_ADC: f = arith(false, size, dst, src, cf, result); break;
	case SVM_ALU_SUB:
	case SVM_ALU_CMP: f = arith(true, size, dst, src, false, result); break;
	case SVM_ALU_SBB: f = arith(true, size, dst, src, cf, result); break;
	case SVM_ALU_OR: f = logic(size, dst | src, result); break;
	case SVM_ALU_AND:
	case SVM_ALU_TEST: f = logic(size, dst & src, result); break;
	case SVM_ALU_XOR: f = logic(size, dst ^ src, result); break;
	case SVM_ALU_NEG:
		f = arith(true, size, 0, dst, false, result); /* CF = (dst != 0) follows */
		break;
	case SVM_ALU_NOT:
		*result = ~dst & mask_of(size);
		return rflags; /* no flags (APM vol. 3, NOT) */
	case SVM_ALU_INC:
	case SVM_ALU_DEC:
		/* CF is not affected (APM vol. 3, INC/DEC). */
		f = arith(op == SVM_ALU_DEC, size, dst, 1, false, result);
		f = (f & ~(u64)RFLAGS_CF) | (cf ? RFLAGS_CF : 0);
		break;
	default: { /* BT, BTS, BTR, BTC: CF = the bit; OF SF AF PF undefined (kept), ZF kept */
		u64 bit = 1ULL << (src & (8 * size - 1));
		u64 r = dst & mask_of(size);
		if (op == SVM_ALU_BTS)
			r |= bit;
		else if (op == SVM_ALU_BTR)
			r &= ~bit;
		else if (op == SVM_ALU_BTC)
			r ^= bit;
		*result = r;
		return (rflags & ~(u64)RFLAGS_CF) | ((dst & bit) ? RFLAGS_CF : 0);
	}
	}
	return keep | f;
}

u64 svm_alu_cmpxchg(unsigned size, u64 acc, u64 mem, u64 src, u64 rflags, u64 *mem_out, bool *acc_load)
{
	u64 diff;
	u64 fl = svm_alu(SVM_ALU_CMP, size, acc, mem, rflags, &diff);
	*acc_load = !(fl & RFLAGS_ZF);
	*mem_out = (*acc_load ? mem : src) & mask_of(size);
	return fl;
}

bool svm_alu_lockable(const struct svm_insn *i)
{
	if (!i->mem)
		return false;
	if (i->kind == SVM_INSN_XCHG || i->kind == SVM_INSN_CMPXCHG || i->kind == SVM_INSN_XADD)
		return true;
	if (i->kind != SVM_INSN_ALU || i->reg_dst)
		return false;
	return i->alu != SVM_ALU_CMP && i->alu != SVM_ALU_TEST && i->alu != SVM_ALU_BT;
}
