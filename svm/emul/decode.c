/* Instruction decoder; see decode.h. Opcode maps: AMD APM vol. 3, appendix A.1 (one-byte and
 * 0F two-byte maps, table ), ModRM/SIB rules A.2 (also APM vol. 3, 1.4 "ModRM and SIB
 * Bytes"), 0F 01 group 7 (table A-7). */
#include "svm/emul/decode.h"
#include "svm/cr_shadow.h"
#include "svm/vmcb.h"
#include "lib/kstring.h"

/* Opcode properties. */
#define F_MODRM BIT(0)    /* a ModRM byte follows */
#define F_BYTE BIT(1)     /* operand size is 1 */
#define F_IMM8 BIT(2)     /* imm8 follows (I/O port) */
#define F_IMMZ BIT(3)     /* imm16/imm32 by operand size (C7), imm8 with F_BYTE (C6) */
#define F_MOFFS BIT(4)    /* an address-size offset follows (A0-A3) */
#define F_WRITE BIT(5)    /* writes its target (memory, port, CR) */
#define F_IO BIT(6)       /* port I/O: operand size 1, 2 or 4 (REX.W ignored) */
#define F_DX BIT(7)       /* port in DX */
#define F_CR BIT(8)       /* MOV CR: ModRM.mod ignored, 64-bit operand in 64-bit mode */
#define F_REG0 BIT(9)     /* ModRM.reg must be 0 (C6 /0, C7 /0) */
#define F_SRC16 BIT(10)   /* MOVZX source is 16-bit (0F B7) */
#define F_MEMONLY BIT(11) /* the r/m operand must be memory (MMIO MOVs) */
#define F_GROUP BIT(12)   /* the operation is in ModRM.reg (group_op) */
#define F_SEXT BIT(13)    /* the imm8 is sign-extended to the operand size (83) */
#define F_ALUOPC BIT(14)  /* ALU group 00-3B: operation in opcode bits 5:3, bit 1 = reg is dst */
#define F_LONG BIT(15)    /* 64-bit mode only (63 MOVSXD; ARPL in the other modes) */

struct opcode {
	u8 kind; /* enum svm_insn_kind; SVM_INSN_NONE = not supported */
	u8 alu;  /* enum svm_alu_op for SVM_INSN_ALU with a fixed operation */
	u16 flags;
};

#define OP(k, f) { (u8)(k), 0, (u16)(f) }
#define OPA(a, f) { (u8)SVM_INSN_ALU, (u8)(a), (u16)(F_MODRM | F_MEMONLY | (f)) }
/* ALU op r/m8,r8 / r/m,r / r8,r/m8 / r,r/m at b..b+3 (APM vol. 3, table A-1). */
#define ALU4(b) [b] = OPA(0, F_ALUOPC | F_BYTE), [b + 1] = OPA(0, F_ALUOPC), \
		[b + 2] = OPA(0, F_ALUOPC | F_BYTE), [b + 3] = OPA(0, F_ALUOPC)

static const struct opcode one_byte[256] = {
	ALU4(0x00), ALU4(0x08), ALU4(0x10), ALU4(0x18), ALU4(0x20), ALU4(0x28), ALU4(0x30), ALU4(0x38),
	[0x80] = OPA(0, F_GROUP | F_BYTE | F_IMM8),
	[0x81] = OPA(0, F_GROUP | F_IMMZ),
	[0x83] = OPA(0, F_GROUP | F_IMM8 | F_SEXT),
	[0x84] = OPA(SVM_ALU_TEST, F_BYTE),
	[0x85] = OPA(SVM_ALU_TEST, 0),
	[0x86] = OP(SVM_INSN_XCHG, F_MODRM | F_MEMONLY | F_BYTE | F_WRITE),
	[0x87] = OP(SVM_INSN_XCHG, F_MODRM | F_MEMONLY | F_WRITE),
	[0xA4] = OP(SVM_INSN_MOVS, F_BYTE | F_WRITE),
	[0xA5] = OP(SVM_INSN_MOVS, F_WRITE),
	[0xAA] = OP(SVM_INSN_STOS, F_BYTE | F_WRITE),
	[0xAB] = OP(SVM_INSN_STOS, F_WRITE),
	[0xAC] = OP(SVM_INSN_LODS, F_BYTE),
	[0xAD] = OP(SVM_INSN_LODS, 0),
	[0x63] = OP(SVM_INSN_MOVSX, F_MODRM | F_MEMONLY | F_LONG),
	[0xF6] = OPA(0, F_GROUP | F_BYTE),
	[0xF7] = OPA(0, F_GROUP),
	[0xFE] = OPA(0, F_GROUP | F_BYTE),
	[0xFF] = OPA(0, F_GROUP),
	[0x6C] = OP(SVM_INSN_INS, F_IO | F_BYTE | F_DX),
	[0x6D] = OP(SVM_INSN_INS, F_IO | F_DX),
	[0x6E] = OP(SVM_INSN_OUTS, F_IO | F_BYTE | F_DX | F_WRITE),
	[0x6F] = OP(SVM_INSN_OUTS, F_IO | F_DX | F_WRITE),
	[0x88] = OP(SVM_INSN_MOV_STORE, F_MODRM | F_BYTE | F_WRITE | F_MEMONLY),
	[0x89] = OP(SVM_INSN_MOV_STORE, F_MODRM | F_WRITE | F_MEMONLY),
	[0x8A] = OP(SVM_INSN_MOV_LOAD, F_MODRM | F_BYTE | F_MEMONLY),
	[0x8B] = OP(SVM_INSN_MOV_LOAD, F_MODRM | F_MEMONLY),
	[0xA0] = OP(SVM_INSN_MOV_LOAD, F_MOFFS | F_BYTE),
	[0xA1] = OP(SVM_INSN_MOV_LOAD, F_MOFFS),
	[0xA2] = OP(SVM_INSN_MOV_STORE, F_MOFFS | F_BYTE | F_WRITE),
	[0xA3] = OP(SVM_INSN_MOV_STORE, F_MOFFS | F_WRITE),
	[0xC6] = OP(SVM_INSN_MOV_STORE_IMM, F_MODRM | F_BYTE | F_IMMZ | F_WRITE | F_REG0 | F_MEMONLY),
	[0xC7] = OP(SVM_INSN_MOV_STORE_IMM, F_MODRM | F_IMMZ | F_WRITE | F_REG0 | F_MEMONLY),
	[0xE4] = OP(SVM_INSN_IN, F_IO | F_BYTE | F_IMM8),
	[0xE5] = OP(SVM_INSN_IN, F_IO | F_IMM8),
	[0xE6] = OP(SVM_INSN_OUT, F_IO | F_BYTE | F_IMM8 | F_WRITE),
	[0xE7] = OP(SVM_INSN_OUT, F_IO | F_IMM8 | F_WRITE),
	[0xEC] = OP(SVM_INSN_IN, F_IO | F_BYTE | F_DX),
	[0xED] = OP(SVM_INSN_IN, F_IO | F_DX),
	[0xEE] = OP(SVM_INSN_OUT, F_IO | F_BYTE | F_DX | F_WRITE),
	[0xEF] = OP(SVM_INSN_OUT, F_IO | F_DX | F_WRITE),
	[0xF4] = OP(SVM_INSN_HLT, 0),
};

static const struct opcode two_byte[256] = {
	[0x06] = OP(SVM_INSN_CLTS, F_WRITE),
	[0x08] = OP(SVM_INSN_INVD, 0),
	[0x09] = OP(SVM_INSN_WBINVD, 0),
	[0x20] = OP(SVM_INSN_MOV_FROM_CR, F_MODRM | F_CR),
	[0x22] = OP(SVM_INSN_MOV_TO_CR, F_MODRM | F_CR | F_WRITE),
	[0x30] = OP(SVM_INSN_WRMSR, 0),
	[0x31] = OP(SVM_INSN_RDTSC, 0),
	[0x32] = OP(SVM_INSN_RDMSR, 0),
	[0xA2] = OP(SVM_INSN_CPUID, 0),
	[0xA3] = OPA(SVM_ALU_BT, 0),
	[0xAB] = OPA(SVM_ALU_BTS, 0),
	[0xB3] = OPA(SVM_ALU_BTR, 0),
	[0xBA] = OPA(0, F_GROUP | F_IMM8),
	[0xBB] = OPA(SVM_ALU_BTC, 0),
	[0xB6] = OP(SVM_INSN_MOVZX, F_MODRM | F_MEMONLY),
	[0xB7] = OP(SVM_INSN_MOVZX, F_MODRM | F_MEMONLY | F_SRC16),
	[0xBE] = OP(SVM_INSN_MOVSX, F_MODRM | F_MEMONLY),
	[0xBF] = OP(SVM_INSN_MOVSX, F_MODRM | F_MEMONLY | F_SRC16),
	[0xB0] = OP(SVM_INSN_CMPXCHG, F_MODRM | F_MEMONLY | F_BYTE | F_WRITE),
	[0xB1] = OP(SVM_INSN_CMPXCHG, F_MODRM | F_MEMONLY | F_WRITE),
	[0xC0] = OP(SVM_INSN_XADD, F_MODRM | F_MEMONLY | F_BYTE | F_WRITE),
	[0xC1] = OP(SVM_INSN_XADD, F_MODRM | F_MEMONLY | F_WRITE),
	[0xC3] = OP(SVM_INSN_MOV_STORE, F_MODRM | F_MEMONLY | F_WRITE), /* MOVNTI: a store with a hint */
};

/* 0F 01 (group 7), register forms identified by the whole ModRM byte (APM vol. 3, table A-7). */
static const struct {
	u8 modrm;
	u8 kind;
} group7_reg[] = {
	{ 0xC8, SVM_INSN_MONITOR },
	{ 0xC9, SVM_INSN_MWAIT },
	{ 0xD9, SVM_INSN_VMMCALL },
	{ 0xF9, SVM_INSN_RDTSCP },
};
#define GROUP7_LMSW_REG 6 /* 0F 01 /6: LMSW r/m16, register or memory form */

/* The operation of a group opcode from ModRM.reg (APM vol. 3, table A-6 "ModRM.reg Extensions"):
 * group 1 (80/81/83), group 3 (F6/F7: TEST needs an immediate), group 4/5 (FE/FF: INC, DEC; the
 * rest are jumps, calls and pushes), group 8 (0F BA: BT..BTC). *extra gets immediate flags.
 * Returns false for an extension this decoder does not take. */
static bool group_op(bool escape, u8 opc, unsigned reg, u8 *alu, u16 *extra)
{
	static const u8 group3[8] = { SVM_ALU_TEST, SVM_ALU_OP_COUNT, SVM_ALU_NOT, SVM_ALU_NEG,
				      SVM_ALU_OP_COUNT, SVM_ALU_OP_COUNT, SVM_ALU_OP_COUNT, SVM_ALU_OP_COUNT };
	*extra = 0;
	if (escape) { /* 0F BA */
		*alu = (u8)(SVM_ALU_BT + reg - 4);
		return reg >= 4;
	}
	switch (opc) {
	case 0x80: case 0x81: case 0x83:
		*alu = (u8)reg;
		return true;
	case 0xF6: case 0xF7:
		*alu = group3[reg];
		if (*alu == SVM_ALU_TEST)
			*extra = opc == 0xF6 ? F_IMM8 : F_IMMZ;
		return *alu != SVM_ALU_OP_COUNT;
	default: /* FE, FF */
		*alu = reg == 0 ? SVM_ALU_INC : SVM_ALU_DEC;
		return reg <= 1;
	}
}

/* ALU operations that only read their memory operand. */
static bool alu_reads_only(unsigned alu)
{
	return alu == SVM_ALU_CMP || alu == SVM_ALU_TEST || alu == SVM_ALU_BT;
}

/* Legacy prefixes (APM vol. 3, 1.2): which segment each override selects. */
static const u8 seg_prefix[256] = {
	[0x26] = SVM_INSN_SEG_ES, [0x2E] = SVM_INSN_SEG_CS, [0x36] = SVM_INSN_SEG_SS,
	[0x3E] = SVM_INSN_SEG_DS, [0x64] = SVM_INSN_SEG_FS, [0x65] = SVM_INSN_SEG_GS,
};
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67
#define PFX_LOCK 0xF0
#define PFX_REPNE 0xF2
#define PFX_REP 0xF3
#define OPC_ESCAPE 0x0F
#define OPC_GROUP7 0x01

#define REX_W 0x8
#define REX_R 0x4
#define REX_X 0x2
#define REX_B 0x1

struct cursor {
	const u8 *bytes;
	unsigned n, pos;
	enum svm_decode_status err;
};

/* The next byte, or false (with the reason) when it would pass n or the 15-byte limit. */
static bool next(struct cursor *c, u8 *b)
{
	if (c->pos >= SVM_INSN_MAX_LEN) {
		c->err = SVM_DECODE_TOO_LONG;
		return false;
	}
	if (c->pos >= c->n) {
		c->err = SVM_DECODE_TRUNCATED;
		return false;
	}
	*b = c->bytes[c->pos++];
	return true;
}

/* A little-endian immediate or displacement of size bytes. */
static bool next_le(struct cursor *c, unsigned size, u64 *val)
{
	u64 v = 0;
	for (unsigned i = 0; i < size; i++) {
		u8 b;
		if (!next(c, &b))
			return false;
		v |= (u64)b << (8 * i);
	}
	*val = v;
	return true;
}

/* A displacement of size bytes, sign-extended. */
static bool next_disp(struct cursor *c, unsigned size, s64 *disp)
{
	u64 raw = 0;
	if (!next_le(c, size, &raw))
		return false;
	*disp = size == 1 ? (s64)(s8)raw : size == 2 ? (s64)(s16)raw : size == 4 ? (s64)(s32)raw : 0;
	return true;
}

/* 16-bit ModRM.rm: base and index (APM vol. 3, table 1-12): BX+SI, BX+DI, BP+SI, BP+DI, SI, DI,
 * BP (disp16 alone with mod 0), BX. Register numbers: BX 3, BP 5, SI 6, DI 7. */
static const u8 ea16_base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
static const u8 ea16_index[8] = { 6, 7, 6, 7, SVM_EA_NONE, SVM_EA_NONE, SVM_EA_NONE, SVM_EA_NONE };

/* The bytes after ModRM: SIB and displacement, and the effective address they describe
 * (APM vol. 3, 1.4, tables 1-10..1-13; REX.X/REX.B extend index and base). */
static bool modrm_tail(struct cursor *c, u8 modrm, unsigned addrsize, bool m64, u8 rex,
		       struct svm_insn *out)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;
	if (mod == 3)
		return true;
	out->ea_scale = 1;
	out->ea_index = SVM_EA_NONE;
	if (addrsize == 2) {
		/* 16-bit: no SIB; mod 0 rm 6 is disp16, mod 1 disp8, mod 2 disp16. */
		unsigned disp = mod == 1 ? 1 : (mod == 2 || rm == 6) ? 2 : 0;
		bool no_base = mod == 0 && rm == 6;
		out->ea_base = no_base ? SVM_EA_NONE : ea16_base[rm];
		out->ea_index = ea16_index[rm];
		out->ea_ss = out->ea_base == 5;
		return next_disp(c, disp, &out->disp);
	}
	unsigned disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (rm == 4) {
		u8 sib;
		if (!next(c, &sib))
			return false;
		unsigned index = ((sib >> 3) & 7) | ((rex & REX_X) ? 8 : 0), base = sib & 7;
		out->ea_scale = (u8)(1u << (sib >> 6));
		out->ea_index = index == 4 ? SVM_EA_NONE : (u8)index; /* 100b without REX.X: none */
		if (mod == 0 && base == 5) {
			disp = 4; /* no base: disp32 */
			out->ea_base = SVM_EA_NONE;
		} else {
			out->ea_base = (u8)(base | ((rex & REX_B) ? 8 : 0));
			out->ea_ss = base == 4 || base == 5;
		}
	} else if (mod == 0 && rm == 5) {
		disp = 4; /* disp32; RIP-relative in 64-bit mode */
		out->rip_relative = m64;
		out->ea_base = m64 ? SVM_EA_RIP : SVM_EA_NONE;
	} else {
		out->ea_base = (u8)(rm | ((rex & REX_B) ? 8 : 0));
		out->ea_ss = rm == 5;
	}
	return next_disp(c, disp, &out->disp);
}

static enum svm_decode_status fail(struct svm_insn *out, enum svm_decode_status st)
{
	memset(out, 0, sizeof(*out));
	return st;
}

enum svm_decode_status svm_decode(const u8 *bytes, unsigned n, enum svm_cpu_mode mode,
				  struct svm_insn *out)
{
	if (!out)
		return SVM_DECODE_BAD_ARG;
	if (!bytes || (unsigned)mode > SVM_CPU_MODE_64)
		return fail(out, SVM_DECODE_BAD_ARG);
	memset(out, 0, sizeof(*out));
	struct cursor c = { bytes, n, 0, SVM_DECODE_OK };
	const bool m64 = mode == SVM_CPU_MODE_64;
	bool opsize_pfx = false, addrsize_pfx = false;
	u8 b;

	/* Prefixes, then the opcode. */
	for (;;) {
		if (!next(&c, &b))
			return fail(out, c.err);
		if (m64 && (b & 0xF0) == 0x40) {
			out->rex = b; /* applies only if the opcode comes next */
			continue;
		}
		if (b == PFX_OPSIZE)
			opsize_pfx = true;
		else if (b == PFX_ADDRSIZE)
			addrsize_pfx = true;
		else if (b == PFX_LOCK)
			out->lock = true;
		else if (b == PFX_REP)
			out->rep = true;
		else if (b == PFX_REPNE)
			out->repne = true;
		else if (seg_prefix[b])
			out->seg = seg_prefix[b];
		else
			break;
		out->rex = 0; /* a REX before a legacy prefix is ignored */
	}
	const u8 rex = out->rex;

	struct opcode op = one_byte[b];
	bool escape = b == OPC_ESCAPE;
	u8 opc = b;
	u8 modrm = 0;
	bool modrm_read = false;
	if (escape) {
		if (!next(&c, &b))
			return fail(out, c.err);
		op = two_byte[b];
		opc = b;
		if (b == OPC_GROUP7) {
			if (!next(&c, &modrm))
				return fail(out, c.err);
			modrm_read = true;
			op = (struct opcode)OP(SVM_INSN_NONE, 0);
			for (unsigned i = 0; i < ARRAY_SIZE(group7_reg); i++)
				if (group7_reg[i].modrm == modrm)
					op = (struct opcode)OP(group7_reg[i].kind, 0);
			if (op.kind == SVM_INSN_NONE && ((modrm >> 3) & 7) == GROUP7_LMSW_REG)
				op = (struct opcode)OP(SVM_INSN_LMSW, F_MODRM | F_WRITE);
			if (op.kind == SVM_INSN_VMMCALL && out->rep)
				op.kind = SVM_INSN_VMGEXIT;
		}
	}
	if (op.kind == SVM_INSN_NONE || ((op.flags & F_LONG) && !m64))
		return fail(out, SVM_DECODE_UNKNOWN);
	out->kind = op.kind;
	if (op.flags & F_GROUP) {
		/* The operation, and for TEST its immediate, come from ModRM.reg: peek at it. */
		if (c.pos >= c.n)
			return fail(out, c.pos >= SVM_INSN_MAX_LEN ? SVM_DECODE_TOO_LONG : SVM_DECODE_TRUNCATED);
		u16 extra;
		if (!group_op(escape, opc, (bytes[c.pos] >> 3) & 7, &op.alu, &extra))
			return fail(out, SVM_DECODE_UNKNOWN);
		op.flags |= extra;
	}
	if (op.flags & F_ALUOPC) {
		op.alu = (u8)((opc >> 3) & 7);
		out->reg_dst = (opc & 2) != 0;
	}
	out->alu = op.alu;
	if (op.kind == SVM_INSN_ALU && !out->reg_dst && !alu_reads_only(op.alu))
		op.flags |= F_WRITE;
	/* Sizes (APM vol. 3, 1.2.2 and 1.2.3). */
	unsigned def_op = mode == SVM_CPU_MODE_16 ? 2 : 4;
	unsigned opsize = opsize_pfx ? 6 - def_op : def_op;
	if (m64 && (rex & REX_W))
		opsize = 8;
	unsigned addrsize = m64 ? (addrsize_pfx ? 4 : 8)
				: mode == SVM_CPU_MODE_32 ? (addrsize_pfx ? 2 : 4) : (addrsize_pfx ? 4 : 2);
	if (op.flags & F_IO)
		opsize = MIN(opsize, 4u);
	if (op.flags & F_CR)
		opsize = m64 ? 8 : 4; /* MOV CR ignores 66 and REX.W */
	if (op.kind == SVM_INSN_LMSW)
		opsize = 2;
	if (op.flags & F_BYTE)
		opsize = 1;
	out->opsize = (u8)opsize;
	out->addrsize = (u8)addrsize;
	out->write = (op.flags & F_WRITE) != 0;

	if (op.flags & F_MODRM) {
		if (!modrm_read && !next(&c, &modrm))
			return fail(out, c.err);
		unsigned start = c.pos - 1;
		out->has_modrm = true;
		unsigned reg = (modrm >> 3) & 7, rm = modrm & 7;
		if ((op.flags & F_REG0) && reg != 0)
			return fail(out, SVM_DECODE_UNKNOWN);
		if (op.flags & F_CR) {
			/* The mod field is ignored: always register operands (APM vol. 3, MOV CRn). */
			out->cr = (u8)(reg | ((rex & REX_R) ? 8 : 0) | (out->lock ? 8 : 0));
			out->reg = (u8)(rm | ((rex & REX_B) ? 8 : 0));
			out->modrm_len = 1;
		} else {
			out->mem = (modrm >> 6) != 3;
			if ((op.flags & F_MEMONLY) && !out->mem)
				return fail(out, SVM_DECODE_UNKNOWN); /* register-to-register: no MMIO */
			if (!out->mem)
				out->rm = (u8)(rm | ((rex & REX_B) ? 8 : 0));
			if (!modrm_tail(&c, modrm, addrsize, m64, rex, out))
				return fail(out, c.err);
			out->modrm_len = (u8)(c.pos - start);
			out->reg = (u8)(reg | ((rex & REX_R) ? 8 : 0));
			if (opsize == 1 && !rex && reg >= 4)
				out->high_byte = true;
		}
	}
	if (op.kind == SVM_INSN_LMSW) {
		out->reg = out->rm; /* the source register, for the register form */
		out->high_byte = false;
	}

	/* Access size: what moves between memory/port and the register. MOVSXD reads 32 bits
	 * (16 with a 66 prefix: SDM vol. 2, MOVSXD). */
	if (op.flags & F_LONG)
		out->access_size = (u8)MIN(opsize, 4u);
	else if (op.kind == SVM_INSN_MOVZX || op.kind == SVM_INSN_MOVSX)
		out->access_size = (op.flags & F_SRC16) ? 2 : 1;
	else if (op.kind == SVM_INSN_LMSW)
		out->access_size = 2;
	else
		out->access_size = (u8)opsize;

	if (op.flags & F_MOFFS) {
		out->has_moffs = true;
		if (!next_le(&c, addrsize, &out->moffs))
			return fail(out, c.err);
		out->reg = 0; /* AL/AX/EAX/RAX */
	}
	if (op.flags & F_IMM8) {
		out->has_imm = true;
		if (!next_le(&c, 1, &out->imm))
			return fail(out, c.err);
		if (op.flags & F_SEXT)
			out->imm = (u64)(s64)(s8)(u8)out->imm;
	}
	if (op.flags & F_IMMZ) {
		/* imm8 for bytes, imm16 for 16-bit, imm32 otherwise (sign-extended for 64-bit). */
		unsigned isz = opsize == 1 ? 1 : opsize == 2 ? 2 : 4;
		out->has_imm = true;
		if (!next_le(&c, isz, &out->imm))
			return fail(out, c.err);
		if (opsize == 8)
			out->imm = (u64)(s64)(s32)(u32)out->imm;
	}
	if (op.flags & F_DX)
		out->port_in_dx = true;

	out->len = (u8)c.pos;
	return SVM_DECODE_OK;
}

unsigned svm_decode_fixed_len(const u8 *bytes, unsigned n, enum svm_insn_kind kind)
{
	if (!bytes || (unsigned)kind >= SVM_INSN_KIND_COUNT)
		return 0;
	unsigned len = svm_fixed_len_of(kind);
	if (len == 0 || n < len)
		return 0;
	u32 head = 0;
	for (unsigned i = 0; i < len; i++)
		head |= (u32)bytes[i] << (8 * i);
	return svm_decode_fixed_len_word(head, kind);
}

static const char *const kind_names[SVM_INSN_KIND_COUNT] = {
	[SVM_INSN_NONE] = "none",
	[SVM_INSN_CPUID] = "cpuid",
	[SVM_INSN_RDMSR] = "rdmsr",
	[SVM_INSN_WRMSR] = "wrmsr",
	[SVM_INSN_RDTSC] = "rdtsc",
	[SVM_INSN_RDTSCP] = "rdtscp",
	[SVM_INSN_INVD] = "invd",
	[SVM_INSN_WBINVD] = "wbinvd",
	[SVM_INSN_MONITOR] = "monitor",
	[SVM_INSN_MWAIT] = "mwait",
	[SVM_INSN_VMMCALL] = "vmmcall",
	[SVM_INSN_VMGEXIT] = "vmgexit",
	[SVM_INSN_HLT] = "hlt",
	[SVM_INSN_IN] = "in",
	[SVM_INSN_OUT] = "out",
	[SVM_INSN_INS] = "ins",
	[SVM_INSN_OUTS] = "outs",
	[SVM_INSN_MOV_FROM_CR] = "mov from cr",
	[SVM_INSN_MOV_TO_CR] = "mov to cr",
	[SVM_INSN_CLTS] = "clts",
	[SVM_INSN_LMSW] = "lmsw",
	[SVM_INSN_MOV_LOAD] = "mov load",
	[SVM_INSN_MOV_STORE] = "mov store",
	[SVM_INSN_MOV_STORE_IMM] = "mov store imm",
	[SVM_INSN_MOVZX] = "movzx",
	[SVM_INSN_MOVSX] = "movsx",
	[SVM_INSN_CMPXCHG] = "cmpxchg",
	[SVM_INSN_XADD] = "xadd",
	[SVM_INSN_ALU] = "alu",
	[SVM_INSN_XCHG] = "xchg",
	[SVM_INSN_MOVS] = "movs",
	[SVM_INSN_STOS] = "stos",
	[SVM_INSN_LODS] = "lods",
};

static const char *const status_names[SVM_DECODE_STATUS_COUNT] = {
	[SVM_DECODE_OK] = "ok",
	[SVM_DECODE_TRUNCATED] = "truncated",
	[SVM_DECODE_TOO_LONG] = "longer than 15 bytes",
	[SVM_DECODE_UNKNOWN] = "unknown instruction",
	[SVM_DECODE_BAD_ARG] = "bad argument",
};

const char *svm_insn_kind_name(enum svm_insn_kind kind)
{
	return (unsigned)kind < SVM_INSN_KIND_COUNT ? kind_names[kind] : "?";
}

const char *svm_decode_status_name(enum svm_decode_status status)
{
	return (unsigned)status < SVM_DECODE_STATUS_COUNT ? status_names[status] : "?";
}
