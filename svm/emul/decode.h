/* A small x86 instruction decoder for the exits that carry no decode information on QEMU TCG
 * and nested KVM (no NRIPS, no decode assists): it gives the length needed to step over an
 * intercepted instruction, and for MOV-to/from-CR, LMSW and the MMIO MOVs the operands a
 * handler needs to emulate it.
 *
 * Covered (encodings from AMD APM vol. 3, appendix A "Opcode and Operand Encodings", and the
 * Intel SDM vol. 2 instruction pages):
 *   0F A2 CPUID, 0F 32 RDMSR, 0F 30 WRMSR, 0F 31 RDTSC, 0F 01 F9 RDTSCP, 0F 08 INVD,
 *   0F 09 WBINVD, 0F 01 C8 MONITOR, 0F 01 C9 MWAIT, 0F 01 D9 VMMCALL, F3 0F 01 D9 VMGEXIT,
 *   F4 HLT, E4-E7 / EC-EF IN/OUT, 6C-6F INS/OUTS, 0F 20 / 0F 22 MOV from/to CRn (F0 0F 20/22
 *   is the AMD alternative encoding of CR8), 0F 06 CLTS, 0F 01 /6 LMSW,
 *   88/89/8A/8B MOV r/m, C6/C7 /0 MOV r/m, imm, A0-A3 MOV moffs, 0F C3 MOVNTI, 0F B6/B7 MOVZX,
 *   0F BE/BF MOVSX, 63 MOVSXD (64-bit mode only; ARPL elsewhere, not taken), 0F B0/B1 CMPXCHG,
 *   0F C0/C1 XADD,
 *   and with a memory operand (the MMIO read-modify-write forms): the ALU group 00-3B and
 *   80/81/83 (ADD OR ADC SBB AND SUB XOR CMP), 84/85 and F6/F7 /0 TEST, F6/F7 /2 NOT, /3 NEG,
 *   FE/FF /0 INC, /1 DEC, 86/87 XCHG, 0F A3/AB/B3/BB and 0F BA /4-7 BT/BTS/BTR/BTC;
 *   the string moves A4/A5 MOVS, AA/AB STOS and AC/AD LODS.
 * Prefixes: operand size 66, address size 67, REP F3 / REPNE F2, LOCK F0, segment overrides
 * 26 2E 36 3E 64 65, and REX 40-4F in 64-bit mode (only when it directly precedes the opcode;
 * a REX followed by another prefix is ignored, as the CPU does).
 *
 * The decoder never reads past the n bytes it is given, and never more than 15 (the
 * architectural limit: a longer instruction raises #GP). */
#ifndef SVM_EMUL_DECODE_H
#define SVM_EMUL_DECODE_H

#include "lib/types.h"
#include "svm/cr_shadow.h"
#include "svm/vmcb.h"

#define SVM_INSN_MAX_LEN 15

/* The code segment's default size: 16 (real mode, or CS.D = 0), 32 (CS.D = 1), 64 (EFER.LMA
 * and CS.L). */
enum svm_cpu_mode {
	SVM_CPU_MODE_16 = 0,
	SVM_CPU_MODE_32 = 1,
	SVM_CPU_MODE_64 = 2,
};

/* The caller derives the mode from CR0.PE, EFER.LMA, CS.L and CS.D (real mode is 16-bit;
 * virtual-8086 mode, RFLAGS.VM, is 16-bit too: pass vm86 = true). Inline: the instruction
 * fetch computes it on every exit that steps over an instruction. */
static inline enum svm_cpu_mode svm_cpu_mode_from(u64 cr0, u64 efer, u16 cs_attrib, bool vm86)
{
	if (!(cr0 & CR0_PE) || vm86)
		return SVM_CPU_MODE_16;
	if ((efer & EFER_LMA) && (cs_attrib & SVM_SEG_L))
		return SVM_CPU_MODE_64;
	return (cs_attrib & SVM_SEG_DB) ? SVM_CPU_MODE_32 : SVM_CPU_MODE_16;
}

enum svm_insn_kind {
	SVM_INSN_NONE = 0,
	SVM_INSN_CPUID,
	SVM_INSN_RDMSR,
	SVM_INSN_WRMSR,
	SVM_INSN_RDTSC,
	SVM_INSN_RDTSCP,
	SVM_INSN_INVD,
	SVM_INSN_WBINVD,
	SVM_INSN_MONITOR,
	SVM_INSN_MWAIT,
	SVM_INSN_VMMCALL,
	SVM_INSN_VMGEXIT, /* F3 0F 01 D9: rep vmmcall */
	SVM_INSN_HLT,
	SVM_INSN_IN,
	SVM_INSN_OUT,
	SVM_INSN_INS,
	SVM_INSN_OUTS,
	SVM_INSN_MOV_FROM_CR, /* 0F 20: GPR <- CRn */
	SVM_INSN_MOV_TO_CR,   /* 0F 22: CRn <- GPR */
	SVM_INSN_CLTS,
	SVM_INSN_LMSW,
	SVM_INSN_MOV_LOAD,      /* 8A, 8B, A0, A1: register <- memory */
	SVM_INSN_MOV_STORE,     /* 88, 89, A2, A3: memory <- register */
	SVM_INSN_MOV_STORE_IMM, /* C6 /0, C7 /0: memory <- immediate */
	SVM_INSN_MOVZX,         /* 0F B6, 0F B7: register <- zero-extended memory */
	SVM_INSN_MOVSX,         /* 0F BE, 0F BF, 63 (MOVSXD): register <- sign-extended memory */
	SVM_INSN_CMPXCHG,       /* 0F B0, 0F B1: compare rAX with memory, exchange */
	SVM_INSN_XADD,          /* 0F C0, 0F C1: exchange and add */
	SVM_INSN_ALU,           /* ALU op on memory (alu says which; see write for the direction) */
	SVM_INSN_XCHG,          /* 86, 87: memory <-> register */
	SVM_INSN_MOVS,          /* A4, A5: ES:rDI <- DS:rSI */
	SVM_INSN_STOS,          /* AA, AB: ES:rDI <- AL/AX/EAX/RAX */
	SVM_INSN_LODS,          /* AC, AD: AL/AX/EAX/RAX <- DS:rSI */
	SVM_INSN_KIND_COUNT
};

/* The operation of an SVM_INSN_ALU. The first eight are the ALU group in opcode order
 * (ModRM.reg of 80/81/83, opcode bits 5:3 of 00-3B). */
enum svm_alu_op {
	SVM_ALU_ADD, SVM_ALU_OR, SVM_ALU_ADC, SVM_ALU_SBB, SVM_ALU_AND, SVM_ALU_SUB, SVM_ALU_XOR,
	SVM_ALU_CMP,
	SVM_ALU_TEST, SVM_ALU_NOT, SVM_ALU_NEG, SVM_ALU_INC, SVM_ALU_DEC,
	SVM_ALU_BT, SVM_ALU_BTS, SVM_ALU_BTR, SVM_ALU_BTC,
	SVM_ALU_OP_COUNT
};

/* The effective address of a memory operand: base + index * scale + disp (APM vol. 3, 1.4;
 * 16-bit forms as base/index pairs). Register numbers 0..15, SVM_EA_NONE, or SVM_EA_RIP for a
 * RIP-relative operand (disp is from the next instruction). */
#define SVM_EA_NONE 0xFF
#define SVM_EA_RIP 0x10

enum svm_decode_status {
	SVM_DECODE_OK = 0,
	SVM_DECODE_TRUNCATED, /* the bytes ran out before the instruction ended */
	SVM_DECODE_TOO_LONG,  /* more than 15 bytes */
	SVM_DECODE_UNKNOWN,   /* not an instruction this decoder knows */
	SVM_DECODE_BAD_ARG,   /* NULL pointers or an invalid mode */
	SVM_DECODE_STATUS_COUNT
};

/* Segment override prefixes, in segment-register order (ES, CS, SS, DS, FS, GS) + 1. */
enum svm_insn_seg {
	SVM_INSN_SEG_NONE = 0,
	SVM_INSN_SEG_ES, SVM_INSN_SEG_CS, SVM_INSN_SEG_SS,
	SVM_INSN_SEG_DS, SVM_INSN_SEG_FS, SVM_INSN_SEG_GS,
};

struct svm_insn {
	enum svm_insn_kind kind;
	u8 len;          /* bytes, prefixes included: RIP += len to step over it */
	u8 opsize;       /* operand size in bytes (1, 2, 4, 8) */
	u8 addrsize;     /* address size in bytes (2, 4, 8) */
	u8 access_size;  /* bytes moved to/from memory or the port (MOVZX/MOVSX: the source size) */
	/* true when the instruction writes its target: the port for OUT/OUTS, memory for the
	 * MOV stores, XCHG, CMPXCHG, XADD, MOVS/STOS and the ALU forms that store (not
	 * CMP/TEST/BT, nor the register-destination forms), the CR for MOV to CR and LMSW. */
	bool write;
	/* Register operand, x86 numbering 0..15 (REX.R / REX.B applied): the MOV/MOVZX register,
	 * the GPR of MOV CR. For byte registers without a REX prefix 4..7 mean AH, CH, DH, BH:
	 * then high_byte is set. */
	u8 reg;
	bool high_byte;
	u8 cr;           /* MOV CR: the control register number (REX.R, or LOCK for CR8) */
	/* ModRM: present, and for a memory operand its bytes (ModRM + SIB + displacement). */
	bool has_modrm;
	bool mem;        /* the r/m operand is memory (mod != 3) */
	u8 rm;           /* register form: ModRM.rm with REX.B (LMSW source, MOV r/m register) */
	u8 modrm_len;
	bool rip_relative;
	bool has_imm;
	u64 imm;         /* immediate (sign-extended to the operand size where the opcode says), port */
	/* Memory operand (mem): see SVM_EA_*. ea_ss: the default segment is SS (base rBP/rSP). */
	u8 ea_base, ea_index, ea_scale;
	bool ea_ss;
	s64 disp;
	u8 alu;          /* SVM_INSN_ALU: enum svm_alu_op */
	/* SVM_INSN_ALU: the register operand is the destination (the 02/03-style forms); the
	 * source is memory. Otherwise memory is the destination (write says if it is stored). */
	bool reg_dst;
	bool has_moffs;
	u64 moffs;       /* A0-A3 offset */
	bool port_in_dx; /* EC-EF, INS/OUTS: port in DX; else imm (E4-E7) */
	/* Prefixes seen. */
	bool rep;        /* F3 */
	bool repne;      /* F2 */
	bool lock;       /* F0 */
	enum svm_insn_seg seg;
	u8 rex;          /* the REX byte that applied, 0 if none */
};

/* Decodes one instruction from bytes[0..n). Fills *out and returns SVM_DECODE_OK, or returns
 * an error (then only out->kind = SVM_INSN_NONE and out->len = 0 are meaningful). */
enum svm_decode_status svm_decode(const u8 *bytes, unsigned n, enum svm_cpu_mode mode,
				  struct svm_insn *out);

/* The length of the instruction at bytes[0..n) when it is kind's one unprefixed, operand-less
 * encoding (0F A2 CPUID, 0F 32 RDMSR, 0F 30 WRMSR, 0F 08 INVD, 0F 09 WBINVD, 0F 01 D9 VMMCALL,
 * F4 HLT: APM vol. 3, appendix A), the same length svm_decode gives for those bytes in every
 * mode; 0 for anything else (a prefix, another kind, too few bytes), which then needs
 * svm_decode. Lets an intercept step over its instruction without the full decoder. */
unsigned svm_decode_fixed_len(const u8 *bytes, unsigned n, enum svm_insn_kind kind);

/* Those encodings, one row per kind: X(kind, length, the bytes as a little-endian word). One
 * list for the two readers below, so a kind's encoding is written once. */
#define SVM_FIXED_ENCODINGS(X)                    \
	X(SVM_INSN_CPUID, 2, 0xA20Fu)             \
	X(SVM_INSN_RDMSR, 2, 0x320Fu)             \
	X(SVM_INSN_WRMSR, 2, 0x300Fu)             \
	X(SVM_INSN_INVD, 2, 0x080Fu)              \
	X(SVM_INSN_WBINVD, 2, 0x090Fu)            \
	X(SVM_INSN_VMMCALL, 3, 0xD9010Fu)         \
	X(SVM_INSN_HLT, 1, 0xF4u)

/* The length of kind's fixed encoding, 0 when it has none. */
static inline unsigned svm_fixed_len_of(enum svm_insn_kind kind)
{
	switch (kind) {
#define SVM_FIXED_LEN_CASE(k, n, word) case k: return n;
	SVM_FIXED_ENCODINGS(SVM_FIXED_LEN_CASE)
#undef SVM_FIXED_LEN_CASE
	default: return 0;
	}
}

/* svm_decode_fixed_len for the 4 bytes at RIP loaded as a little-endian word (the encodings
 * are at most 3 bytes long; the 4th is not looked at). A switch, so that a caller with a
 * constant kind (the exit handlers' lean step, svm/step.h) compiles it to one compare. */
static inline unsigned svm_decode_fixed_len_word(u32 head, enum svm_insn_kind kind)
{
	switch (kind) {
#define SVM_FIXED_WORD_CASE(k, n, word) case k: return (head & (0xFFFFFFFFu >> (32 - 8 * (n)))) == (word) ? (n) : 0;
	SVM_FIXED_ENCODINGS(SVM_FIXED_WORD_CASE)
#undef SVM_FIXED_WORD_CASE
	default: return 0;
	}
}

const char *svm_insn_kind_name(enum svm_insn_kind kind);
const char *svm_decode_status_name(enum svm_decode_status status);

#endif
