/* svm/emul/decode: byte vectors from the AMD APM vol. 3 / Intel SDM vol. 2 encodings, one row each,
 * decoded in the CPU mode given; then every truncation of every good vector. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm/emul/decode.h"
#include "svm/cr_shadow.h"
#include "svm/vmcb.h"

#define M16 SVM_CPU_MODE_16
#define M32 SVM_CPU_MODE_32
#define M64 SVM_CPU_MODE_64

/* Which optional fields a row checks. */
#define C_OPSIZE BIT(0)
#define C_ACCESS BIT(1)
#define C_WRITE BIT(2)
#define C_REG BIT(3)
#define C_CR BIT(4)
#define C_IMM BIT(5)
#define C_MOFFS BIT(6)
#define C_HIGH BIT(7)
#define C_RIP BIT(8)
#define C_MEM BIT(9)
#define C_ADDR BIT(10)
#define C_REP BIT(11)
#define C_SEG BIT(12)
#define C_DX BIT(13)
#define C_ALU BIT(14)   /* alu and reg_dst */
#define C_EA BIT(15)    /* ea_base, ea_index, ea_scale, disp, ea_ss */
#define C_LOCK BIT(16)
#define NO SVM_EA_NONE

struct vec {
	const char *text;
	u8 bytes[16];
	unsigned n;
	enum svm_cpu_mode mode;
	enum svm_decode_status status;
	enum svm_insn_kind kind;
	unsigned len;
	unsigned check;
	unsigned opsize, access, addr;
	bool write, high, rip, mem, rep, dx;
	unsigned reg, cr, seg;
	u64 imm, moffs;
	unsigned alu;
	bool reg_dst, lock, ss;
	unsigned base, index, scale;
	s64 disp;
};

#define B(...) .bytes = { __VA_ARGS__ }, .n = sizeof((u8[]){ __VA_ARGS__ })

static const struct vec vecs[] = {
	/* Instructions stepped over after an intercept. */
	{ "cpuid", B(0x0F, 0xA2), M64, SVM_DECODE_OK, SVM_INSN_CPUID, 2 },
	{ "cpuid (16-bit)", B(0x0F, 0xA2), M16, SVM_DECODE_OK, SVM_INSN_CPUID, 2 },
	{ "rdmsr", B(0x0F, 0x32), M32, SVM_DECODE_OK, SVM_INSN_RDMSR, 2 },
	{ "wrmsr", B(0x0F, 0x30), M64, SVM_DECODE_OK, SVM_INSN_WRMSR, 2 },
	{ "rdtsc", B(0x0F, 0x31), M64, SVM_DECODE_OK, SVM_INSN_RDTSC, 2 },
	{ "rdtscp", B(0x0F, 0x01, 0xF9), M64, SVM_DECODE_OK, SVM_INSN_RDTSCP, 3 },
	{ "invd", B(0x0F, 0x08), M32, SVM_DECODE_OK, SVM_INSN_INVD, 2 },
	{ "wbinvd", B(0x0F, 0x09), M64, SVM_DECODE_OK, SVM_INSN_WBINVD, 2 },
	{ "monitor", B(0x0F, 0x01, 0xC8), M64, SVM_DECODE_OK, SVM_INSN_MONITOR, 3 },
	{ "mwait", B(0x0F, 0x01, 0xC9), M64, SVM_DECODE_OK, SVM_INSN_MWAIT, 3 },
	{ "vmmcall", B(0x0F, 0x01, 0xD9), M64, SVM_DECODE_OK, SVM_INSN_VMMCALL, 3 },
	{ "vmmcall (32-bit)", B(0x0F, 0x01, 0xD9), M32, SVM_DECODE_OK, SVM_INSN_VMMCALL, 3 },
	{ "rep vmmcall = vmgexit", B(0xF3, 0x0F, 0x01, 0xD9), M64, SVM_DECODE_OK, SVM_INSN_VMGEXIT, 4,
	  .check = C_REP, .rep = true },
	{ "hlt", B(0xF4), M64, SVM_DECODE_OK, SVM_INSN_HLT, 1 },
	{ "clts", B(0x0F, 0x06), M32, SVM_DECODE_OK, SVM_INSN_CLTS, 2 },
	/* Port I/O. */
	{ "in al, 0x60", B(0xE4, 0x60), M32, SVM_DECODE_OK, SVM_INSN_IN, 2,
	  .check = C_ACCESS | C_IMM | C_WRITE | C_DX, .access = 1, .imm = 0x60 },
	{ "in eax, 0x71", B(0xE5, 0x71), M32, SVM_DECODE_OK, SVM_INSN_IN, 2,
	  .check = C_ACCESS | C_IMM, .access = 4, .imm = 0x71 },
	{ "in ax, 0x71", B(0x66, 0xE5, 0x71), M32, SVM_DECODE_OK, SVM_INSN_IN, 3,
	  .check = C_ACCESS, .access = 2 },
	{ "in ax, 0x71 (16-bit)", B(0xE5, 0x71), M16, SVM_DECODE_OK, SVM_INSN_IN, 2,
	  .check = C_ACCESS, .access = 2 },
	{ "in eax, 0x71 (16-bit, 66)", B(0x66, 0xE5, 0x71), M16, SVM_DECODE_OK, SVM_INSN_IN, 3,
	  .check = C_ACCESS, .access = 4 },
	{ "out 0x80, al", B(0xE6, 0x80), M64, SVM_DECODE_OK, SVM_INSN_OUT, 2,
	  .check = C_ACCESS | C_IMM | C_WRITE, .access = 1, .imm = 0x80, .write = true },
	{ "out 0xf4, eax", B(0xE7, 0xF4), M64, SVM_DECODE_OK, SVM_INSN_OUT, 2,
	  .check = C_ACCESS | C_IMM | C_WRITE, .access = 4, .imm = 0xF4, .write = true },
	{ "in al, dx", B(0xEC), M32, SVM_DECODE_OK, SVM_INSN_IN, 1,
	  .check = C_ACCESS | C_DX | C_WRITE, .access = 1, .dx = true },
	{ "in eax, dx", B(0xED), M64, SVM_DECODE_OK, SVM_INSN_IN, 1, .check = C_ACCESS, .access = 4 },
	{ "in ax, dx", B(0x66, 0xED), M64, SVM_DECODE_OK, SVM_INSN_IN, 2, .check = C_ACCESS, .access = 2 },
	{ "out dx, al", B(0xEE), M16, SVM_DECODE_OK, SVM_INSN_OUT, 1,
	  .check = C_ACCESS | C_WRITE | C_DX, .access = 1, .write = true, .dx = true },
	{ "out dx, eax", B(0xEF), M32, SVM_DECODE_OK, SVM_INSN_OUT, 1, .check = C_ACCESS, .access = 4 },
	{ "out dx, ax", B(0x66, 0xEF), M32, SVM_DECODE_OK, SVM_INSN_OUT, 2, .check = C_ACCESS, .access = 2 },
	{ "rex.w out dx, eax (W ignored)", B(0x48, 0xEF), M64, SVM_DECODE_OK, SVM_INSN_OUT, 2,
	  .check = C_ACCESS, .access = 4 },
	{ "insb", B(0x6C), M32, SVM_DECODE_OK, SVM_INSN_INS, 1,
	  .check = C_ACCESS | C_WRITE | C_DX, .access = 1, .dx = true },
	{ "rep insd", B(0xF3, 0x6D), M32, SVM_DECODE_OK, SVM_INSN_INS, 2,
	  .check = C_ACCESS | C_REP | C_ADDR, .access = 4, .rep = true, .addr = 4 },
	{ "rep outsw", B(0xF3, 0x66, 0x6F), M32, SVM_DECODE_OK, SVM_INSN_OUTS, 3,
	  .check = C_ACCESS | C_WRITE | C_REP, .access = 2, .write = true, .rep = true },
	{ "a16 rep outsb", B(0x67, 0xF3, 0x6E), M32, SVM_DECODE_OK, SVM_INSN_OUTS, 3,
	  .check = C_ACCESS | C_ADDR, .access = 1, .addr = 2 },
	{ "cs rep outsd (segment override)", B(0x2E, 0xF3, 0x6F), M32, SVM_DECODE_OK, SVM_INSN_OUTS, 3,
	  .check = C_SEG | C_ACCESS, .seg = SVM_INSN_SEG_CS, .access = 4 },
	{ "rep outsb (64-bit)", B(0xF3, 0x6E), M64, SVM_DECODE_OK, SVM_INSN_OUTS, 2,
	  .check = C_ADDR, .addr = 8 },
	{ "a32 rep insw (64-bit)", B(0x66, 0x67, 0xF3, 0x6D), M64, SVM_DECODE_OK, SVM_INSN_INS, 4,
	  .check = C_ADDR | C_ACCESS, .addr = 4, .access = 2 },
	/* MOV CRn (0F 20 /r, 0F 22 /r): mod ignored, GPR in rm, CR in reg. */
	{ "mov cr3, eax", B(0x0F, 0x22, 0xD8), M32, SVM_DECODE_OK, SVM_INSN_MOV_TO_CR, 3,
	  .check = C_CR | C_REG | C_WRITE | C_OPSIZE, .cr = 3, .reg = 0, .write = true, .opsize = 4 },
	{ "mov eax, cr0", B(0x0F, 0x20, 0xC0), M32, SVM_DECODE_OK, SVM_INSN_MOV_FROM_CR, 3,
	  .check = C_CR | C_REG | C_WRITE, .cr = 0, .reg = 0 },
	{ "mov rsi, cr4", B(0x0F, 0x20, 0xE6), M64, SVM_DECODE_OK, SVM_INSN_MOV_FROM_CR, 3,
	  .check = C_CR | C_REG | C_OPSIZE, .cr = 4, .reg = 6, .opsize = 8 },
	{ "mov cr8, rax", B(0x44, 0x0F, 0x22, 0xC0), M64, SVM_DECODE_OK, SVM_INSN_MOV_TO_CR, 4,
	  .check = C_CR | C_REG, .cr = 8, .reg = 0 },
	{ "mov cr4, r15", B(0x41, 0x0F, 0x22, 0xE7), M64, SVM_DECODE_OK, SVM_INSN_MOV_TO_CR, 4,
	  .check = C_CR | C_REG, .cr = 4, .reg = 15 },
	{ "mov r9, cr8", B(0x45, 0x0F, 0x20, 0xC1), M64, SVM_DECODE_OK, SVM_INSN_MOV_FROM_CR, 4,
	  .check = C_CR | C_REG, .cr = 8, .reg = 9 },
	{ "lock mov cr0 = mov cr8 (AMD)", B(0xF0, 0x0F, 0x22, 0xC1), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_TO_CR, 4, .check = C_CR | C_REG, .cr = 8, .reg = 1 },
	{ "mov cr3, ebp (mod 00 ignored: no disp32)", B(0x0F, 0x22, 0x1D), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_TO_CR, 3, .check = C_CR | C_REG, .cr = 3, .reg = 5 },
	{ "mov cr0, rax (66 ignored)", B(0x66, 0x0F, 0x22, 0xC0), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_TO_CR, 4, .check = C_OPSIZE, .opsize = 8 },
	/* LMSW (0F 01 /6). */
	{ "lmsw ax", B(0x0F, 0x01, 0xF0), M32, SVM_DECODE_OK, SVM_INSN_LMSW, 3,
	  .check = C_REG | C_MEM | C_WRITE | C_ACCESS, .reg = 0, .mem = false, .write = true, .access = 2 },
	{ "lmsw bx", B(0x0F, 0x01, 0xF3), M16, SVM_DECODE_OK, SVM_INSN_LMSW, 3, .check = C_REG, .reg = 3 },
	{ "lmsw r10w", B(0x41, 0x0F, 0x01, 0xF2), M64, SVM_DECODE_OK, SVM_INSN_LMSW, 4,
	  .check = C_REG, .reg = 10 },
	{ "lmsw [eax]", B(0x0F, 0x01, 0x30), M32, SVM_DECODE_OK, SVM_INSN_LMSW, 3,
	  .check = C_MEM, .mem = true },
	{ "lmsw [disp32]", B(0x0F, 0x01, 0x35, 0x00, 0x10, 0x00, 0x00), M32, SVM_DECODE_OK,
	  SVM_INSN_LMSW, 7, .check = C_MEM, .mem = true },
	/* MMIO MOVs. */
	{ "mov [eax], ecx", B(0x89, 0x08), M32, SVM_DECODE_OK, SVM_INSN_MOV_STORE, 2,
	  .check = C_REG | C_ACCESS | C_WRITE | C_MEM, .reg = 1, .access = 4, .write = true, .mem = true },
	{ "mov eax, [rip+disp32]", B(0x8B, 0x05, 0x10, 0x20, 0x30, 0x00), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 6, .check = C_REG | C_ACCESS | C_RIP | C_WRITE, .reg = 0, .access = 4, .rip = true },
	{ "mov rax, [rip+disp32]", B(0x48, 0x8B, 0x05, 0x10, 0x20, 0x30, 0x00), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 7, .check = C_ACCESS | C_OPSIZE, .access = 8, .opsize = 8 },
	{ "mov [eax], ah", B(0x88, 0x20), M32, SVM_DECODE_OK, SVM_INSN_MOV_STORE, 2,
	  .check = C_REG | C_HIGH | C_ACCESS, .reg = 4, .high = true, .access = 1 },
	{ "mov [rax], spl", B(0x40, 0x88, 0x20), M64, SVM_DECODE_OK, SVM_INSN_MOV_STORE, 3,
	  .check = C_REG | C_HIGH, .reg = 4, .high = false },
	{ "mov cl, [rbx]", B(0x8A, 0x0B), M64, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 2,
	  .check = C_REG | C_ACCESS | C_ADDR, .reg = 1, .access = 1, .addr = 8 },
	{ "mov [rsp], r8d (SIB)", B(0x44, 0x89, 0x04, 0x24), M64, SVM_DECODE_OK, SVM_INSN_MOV_STORE, 4,
	  .check = C_REG | C_ACCESS, .reg = 8, .access = 4 },
	{ "mov eax, [esp+8] (SIB disp8)", B(0x8B, 0x44, 0x24, 0x08), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 4 },
	{ "mov eax, [esp+0x100] (SIB disp32)", B(0x8B, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00), M32,
	  SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 7 },
	{ "mov eax, [0xFEE00000] (SIB no base)", B(0x8B, 0x04, 0x25, 0x00, 0x00, 0xE0, 0xFE), M64,
	  SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 7, .check = C_RIP, .rip = false },
	{ "mov eax, [eax+0xFEE00030]", B(0x8B, 0x80, 0x30, 0x00, 0xE0, 0xFE), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 6 },
	{ "mov eax, [disp32] (32-bit, not RIP)", B(0x8B, 0x05, 0x00, 0x00, 0xE0, 0xFE), M32,
	  SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 6, .check = C_RIP, .rip = false },
	{ "mov ax, [bx] (16-bit)", B(0x8B, 0x07), M16, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 2,
	  .check = C_ACCESS | C_ADDR, .access = 2, .addr = 2 },
	{ "mov ax, [0x1234] (16-bit disp16)", B(0x8B, 0x06, 0x34, 0x12), M16, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 4 },
	{ "mov ax, [bx+2] (16-bit disp8)", B(0x8B, 0x47, 0x02), M16, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 3 },
	{ "mov ax, [bx+0x1234] (16-bit disp16)", B(0x8B, 0x87, 0x34, 0x12), M16, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 4 },
	{ "a16 mov eax, [0x1234] (32-bit)", B(0x67, 0x8B, 0x06, 0x34, 0x12), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 5, .check = C_ADDR | C_ACCESS, .addr = 2, .access = 4 },
	{ "a32 mov eax, [esi] (16-bit)", B(0x67, 0x66, 0x8B, 0x06), M16, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 4, .check = C_ADDR | C_ACCESS, .addr = 4, .access = 4 },
	{ "mov [eax], cx", B(0x66, 0x89, 0x08), M32, SVM_DECODE_OK, SVM_INSN_MOV_STORE, 3,
	  .check = C_ACCESS, .access = 2 },
	{ "mov dword [eax], imm32", B(0xC7, 0x00, 0x78, 0x56, 0x34, 0x12), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_STORE_IMM, 6, .check = C_IMM | C_ACCESS | C_WRITE, .imm = 0x12345678, .access = 4,
	  .write = true },
	{ "mov qword [rax], -1", B(0x48, 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0xFF), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_STORE_IMM, 7, .check = C_IMM | C_ACCESS, .imm = ~0ULL, .access = 8 },
	{ "mov qword [rax], 0x7fffffff", B(0x48, 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0x7F), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_STORE_IMM, 7, .check = C_IMM, .imm = 0x7FFFFFFF },
	{ "mov word [eax], imm16", B(0x66, 0xC7, 0x00, 0x34, 0x12), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_STORE_IMM, 5, .check = C_IMM | C_ACCESS, .imm = 0x1234, .access = 2 },
	{ "mov byte [rip+d], 0x7f", B(0xC6, 0x05, 0x00, 0x01, 0x00, 0x00, 0x7F), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_STORE_IMM, 7, .check = C_IMM | C_ACCESS | C_RIP, .imm = 0x7F, .access = 1, .rip = true },
	{ "mov byte [eax+0x10], 0xaa", B(0xC6, 0x40, 0x10, 0xAA), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_STORE_IMM, 4, .check = C_IMM, .imm = 0xAA },
	{ "mov eax, [moffs32]", B(0xA1, 0x00, 0x00, 0xE0, 0xFE), M32, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 5,
	  .check = C_MOFFS | C_ACCESS | C_REG, .moffs = 0xFEE00000, .access = 4, .reg = 0 },
	{ "mov [moffs64], eax", B(0xA3, 0x30, 0x00, 0xE0, 0xFE, 0x00, 0x00, 0x00, 0x00), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_STORE, 9, .check = C_MOFFS | C_WRITE, .moffs = 0xFEE00030, .write = true },
	{ "mov [moffs64], rax", B(0x48, 0xA3, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00), M64,
	  SVM_DECODE_OK, SVM_INSN_MOV_STORE, 10, .check = C_MOFFS | C_ACCESS, .moffs = 0x100000000ULL,
	  .access = 8 },
	{ "a32 mov eax, [moffs32] (64-bit)", B(0x67, 0xA1, 0x00, 0x00, 0xE0, 0xFE), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 6, .check = C_MOFFS, .moffs = 0xFEE00000 },
	{ "mov al, [moffs16] (16-bit)", B(0xA0, 0x34, 0x12), M16, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 3,
	  .check = C_MOFFS | C_ACCESS, .moffs = 0x1234, .access = 1 },
	{ "mov [moffs32], al", B(0xA2, 0x00, 0x00, 0x0B, 0x00), M32, SVM_DECODE_OK, SVM_INSN_MOV_STORE, 5,
	  .check = C_ACCESS | C_WRITE, .access = 1, .write = true },
	{ "movzx ecx, byte [eax]", B(0x0F, 0xB6, 0x08), M32, SVM_DECODE_OK, SVM_INSN_MOVZX, 3,
	  .check = C_ACCESS | C_OPSIZE | C_REG | C_WRITE, .access = 1, .opsize = 4, .reg = 1 },
	{ "movzx ecx, word [eax]", B(0x0F, 0xB7, 0x08), M32, SVM_DECODE_OK, SVM_INSN_MOVZX, 3,
	  .check = C_ACCESS, .access = 2 },
	{ "movzx rax, word [disp32]", B(0x48, 0x0F, 0xB7, 0x04, 0x25, 0x00, 0x00, 0xE0, 0xFE), M64,
	  SVM_DECODE_OK, SVM_INSN_MOVZX, 9, .check = C_ACCESS | C_OPSIZE, .access = 2, .opsize = 8 },
	{ "movzx r12d, byte [r13+1]", B(0x45, 0x0F, 0xB6, 0x65, 0x01), M64, SVM_DECODE_OK, SVM_INSN_MOVZX,
	  5, .check = C_REG, .reg = 12 },
	{ "fs: mov eax, [ebx]", B(0x64, 0x8B, 0x03), M32, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 3,
	  .check = C_SEG, .seg = SVM_INSN_SEG_FS },
	{ "gs: mov rax, [disp32]", B(0x65, 0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00), M64,
	  SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 9, .check = C_SEG | C_ACCESS, .seg = SVM_INSN_SEG_GS, .access = 8 },
	{ "REX before 66 is ignored", B(0x48, 0x66, 0x8B, 0x08), M64, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 4,
	  .check = C_ACCESS, .access = 2 },
	{ "13 prefixes + cpuid = 15 bytes", B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					      0x66, 0x66, 0x66, 0x0F, 0xA2), M64, SVM_DECODE_OK, SVM_INSN_CPUID, 15 },
	/* Refusals. */
	{ "empty", .n = 0, .mode = M64, .status = SVM_DECODE_TRUNCATED },
	{ "0F alone", B(0x0F), M64, SVM_DECODE_TRUNCATED },
	{ "0F 01 alone", B(0x0F, 0x01), M64, SVM_DECODE_TRUNCATED },
	{ "prefix alone", B(0xF3), M64, SVM_DECODE_TRUNCATED },
	{ "SIB disp32 cut", B(0x8B, 0x84, 0x24, 0x00, 0x01), M32, SVM_DECODE_TRUNCATED },
	{ "14 prefixes + cpuid = 16 bytes", B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					      0x66, 0x66, 0x66, 0x66, 0x0F, 0xA2), M64, SVM_DECODE_TOO_LONG },
	{ "nop", B(0x90), M64, SVM_DECODE_UNKNOWN },
	{ "ud2", B(0x0F, 0x0B), M64, SVM_DECODE_UNKNOWN },
	{ "vmrun", B(0x0F, 0x01, 0xD8), M64, SVM_DECODE_UNKNOWN },
	{ "vmcall (Intel)", B(0x0F, 0x01, 0xC1), M64, SVM_DECODE_UNKNOWN },
	{ "dec eax (0x48 outside 64-bit)", B(0x48, 0x0F, 0xA2), M32, SVM_DECODE_UNKNOWN },
	{ "mov ecx, eax (register, no MMIO)", B(0x8B, 0xC8), M32, SVM_DECODE_UNKNOWN },
	{ "mov eax, imm32 register form", B(0xC7, 0xC0, 0x01, 0x00, 0x00, 0x00), M32, SVM_DECODE_UNKNOWN },
	{ "C7 /1 undefined", B(0xC7, 0x08, 0x01, 0x00, 0x00, 0x00), M32, SVM_DECODE_UNKNOWN },
	/* Effective addresses (APM vol. 3, 1.4, tables 1-10..1-13). */
	{ "mov eax, [rbx+rcx*4+0x10]", B(0x8B, 0x44, 0x8B, 0x10), M64, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 4,
	  .check = C_EA, .base = 3, .index = 1, .scale = 4, .disp = 0x10 },
	{ "mov eax, [r9+r10*8-8] (REX.XB)", B(0x43, 0x8B, 0x44, 0xD1, 0xF8), M64, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 5, .check = C_EA, .base = 9, .index = 10, .scale = 8, .disp = -8 },
	{ "mov eax, [ecx*4+0x1000] (SIB, no base)", B(0x8B, 0x04, 0x8D, 0x00, 0x10, 0x00, 0x00), M32,
	  SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 7, .check = C_EA, .base = NO, .index = 1, .scale = 4, .disp = 0x1000 },
	{ "mov eax, [esp+8] (SS)", B(0x8B, 0x44, 0x24, 0x08), M32, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 4,
	  .check = C_EA, .base = 4, .index = NO, .scale = 1, .disp = 8, .ss = true },
	{ "mov eax, [rip+0x10]", B(0x8B, 0x05, 0x10, 0x00, 0x00, 0x00), M64, SVM_DECODE_OK, SVM_INSN_MOV_LOAD,
	  6, .check = C_EA, .base = SVM_EA_RIP, .index = NO, .scale = 1, .disp = 0x10 },
	{ "mov eax, [disp32] (32-bit: absolute)", B(0x8B, 0x05, 0xF0, 0x00, 0xE0, 0xFE), M32, SVM_DECODE_OK,
	  SVM_INSN_MOV_LOAD, 6, .check = C_EA, .base = NO, .index = NO, .scale = 1, .disp = (s32)0xFEE000F0 },
	{ "mov ax, [bp+2] (16-bit, SS)", B(0x8B, 0x46, 0x02), M16, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 3,
	  .check = C_EA, .base = 5, .index = NO, .scale = 1, .disp = 2, .ss = true },
	{ "mov ax, [bx+si] (16-bit)", B(0x8B, 0x00), M16, SVM_DECODE_OK, SVM_INSN_MOV_LOAD, 2,
	  .check = C_EA, .base = 3, .index = 6, .scale = 1, .disp = 0 },
	{ "mov ax, [0x1234] (16-bit disp16)", B(0x8B, 0x06, 0x34, 0x12), M16, SVM_DECODE_OK, SVM_INSN_MOV_LOAD,
	  4, .check = C_EA, .base = NO, .index = NO, .scale = 1, .disp = 0x1234 },
	/* MMIO read-modify-write forms (APM vol. 3 tables ). */
	{ "or qword [rax], 1", B(0x48, 0x83, 0x08, 0x01), M64, SVM_DECODE_OK, SVM_INSN_ALU, 4,
	  .check = C_ALU | C_IMM | C_OPSIZE | C_WRITE | C_EA, .alu = SVM_ALU_OR, .imm = 1, .opsize = 8,
	  .write = true, .base = 0, .index = NO, .scale = 1 },
	{ "lock or qword [rax], 1", B(0xF0, 0x48, 0x83, 0x08, 0x01), M64, SVM_DECODE_OK, SVM_INSN_ALU, 5,
	  .check = C_ALU | C_LOCK, .alu = SVM_ALU_OR, .lock = true },
	{ "and dword [rax], -2 (83: imm8 sign-extended)", B(0x83, 0x20, 0xFE), M32, SVM_DECODE_OK,
	  SVM_INSN_ALU, 3, .check = C_ALU | C_IMM, .alu = SVM_ALU_AND, .imm = 0xFFFFFFFFFFFFFFFEULL },
	{ "or dword [0xFEE000F0], 0x100", B(0x81, 0x0D, 0xF0, 0x00, 0xE0, 0xFE, 0x00, 0x01, 0x00, 0x00), M32,
	  SVM_DECODE_OK, SVM_INSN_ALU, 10, .check = C_ALU | C_IMM | C_OPSIZE, .alu = SVM_ALU_OR, .imm = 0x100,
	  .opsize = 4 },
	{ "sub byte [rdi], 0x80", B(0x80, 0x2F, 0x80), M64, SVM_DECODE_OK, SVM_INSN_ALU, 3,
	  .check = C_ALU | C_IMM | C_OPSIZE, .alu = SVM_ALU_SUB, .imm = 0x80, .opsize = 1 },
	{ "cmp dword [rax], 0xFF (no store)", B(0x81, 0x38, 0xFF, 0x00, 0x00, 0x00), M32, SVM_DECODE_OK,
	  SVM_INSN_ALU, 6, .check = C_ALU | C_WRITE, .alu = SVM_ALU_CMP, .write = false },
	{ "xor [rax], ecx", B(0x31, 0x08), M64, SVM_DECODE_OK, SVM_INSN_ALU, 2,
	  .check = C_ALU | C_REG | C_WRITE, .alu = SVM_ALU_XOR, .reg = 1, .write = true },
	{ "add ecx, [rax] (register destination)", B(0x03, 0x08), M64, SVM_DECODE_OK, SVM_INSN_ALU, 2,
	  .check = C_ALU | C_REG | C_WRITE, .alu = SVM_ALU_ADD, .reg_dst = true, .reg = 1, .write = false },
	{ "adc byte [rbx], al", B(0x10, 0x03), M64, SVM_DECODE_OK, SVM_INSN_ALU, 2,
	  .check = C_ALU | C_OPSIZE, .alu = SVM_ALU_ADC, .opsize = 1 },
	{ "sbb ax, [si] (16-bit)", B(0x1B, 0x04), M16, SVM_DECODE_OK, SVM_INSN_ALU, 2,
	  .check = C_ALU | C_OPSIZE | C_EA, .alu = SVM_ALU_SBB, .reg_dst = true, .opsize = 2, .base = 6,
	  .index = NO, .scale = 1 },
	{ "test byte [rax+8], 0x80", B(0xF6, 0x40, 0x08, 0x80), M64, SVM_DECODE_OK, SVM_INSN_ALU, 4,
	  .check = C_ALU | C_IMM | C_WRITE, .alu = SVM_ALU_TEST, .imm = 0x80, .write = false },
	{ "test dword [rax], 0x100", B(0xF7, 0x00, 0x00, 0x01, 0x00, 0x00), M64, SVM_DECODE_OK, SVM_INSN_ALU, 6,
	  .check = C_ALU | C_IMM, .alu = SVM_ALU_TEST, .imm = 0x100 },
	{ "test [rax], ecx", B(0x85, 0x08), M64, SVM_DECODE_OK, SVM_INSN_ALU, 2,
	  .check = C_ALU | C_REG | C_WRITE, .alu = SVM_ALU_TEST, .reg = 1, .write = false },
	{ "not dword [rax]", B(0xF7, 0x10), M64, SVM_DECODE_OK, SVM_INSN_ALU, 2, .check = C_ALU | C_WRITE,
	  .alu = SVM_ALU_NOT, .write = true },
	{ "neg dword [rax]", B(0xF7, 0x18), M64, SVM_DECODE_OK, SVM_INSN_ALU, 2, .check = C_ALU,
	  .alu = SVM_ALU_NEG },
	{ "idiv dword [rax] (not taken)", B(0xF7, 0x38), M64, SVM_DECODE_UNKNOWN },
	{ "inc byte [rax]", B(0xFE, 0x00), M64, SVM_DECODE_OK, SVM_INSN_ALU, 2, .check = C_ALU | C_OPSIZE,
	  .alu = SVM_ALU_INC, .opsize = 1 },
	{ "dec dword [rax]", B(0xFF, 0x08), M64, SVM_DECODE_OK, SVM_INSN_ALU, 2, .check = C_ALU,
	  .alu = SVM_ALU_DEC },
	{ "call [rax] (not taken)", B(0xFF, 0x10), M64, SVM_DECODE_UNKNOWN },
	{ "bts dword [rax], 5", B(0x0F, 0xBA, 0x28, 0x05), M64, SVM_DECODE_OK, SVM_INSN_ALU, 4,
	  .check = C_ALU | C_IMM | C_WRITE, .alu = SVM_ALU_BTS, .imm = 5, .write = true },
	{ "bt dword [rax], 5 (no store)", B(0x0F, 0xBA, 0x20, 0x05), M64, SVM_DECODE_OK, SVM_INSN_ALU, 4,
	  .check = C_ALU | C_WRITE, .alu = SVM_ALU_BT, .write = false },
	{ "0F BA /0 undefined", B(0x0F, 0xBA, 0x00, 0x05), M64, SVM_DECODE_UNKNOWN },
	{ "bts [rax], ecx", B(0x0F, 0xAB, 0x08), M64, SVM_DECODE_OK, SVM_INSN_ALU, 3,
	  .check = C_ALU | C_REG, .alu = SVM_ALU_BTS, .reg = 1 },
	{ "btr [rax], ecx", B(0x0F, 0xB3, 0x08), M64, SVM_DECODE_OK, SVM_INSN_ALU, 3, .check = C_ALU,
	  .alu = SVM_ALU_BTR },
	{ "btc [rax], ecx", B(0x0F, 0xBB, 0x08), M64, SVM_DECODE_OK, SVM_INSN_ALU, 3, .check = C_ALU,
	  .alu = SVM_ALU_BTC },
	{ "bt [rax], ecx", B(0x0F, 0xA3, 0x08), M64, SVM_DECODE_OK, SVM_INSN_ALU, 3, .check = C_ALU,
	  .alu = SVM_ALU_BT },
	{ "xchg [rax], ecx", B(0x87, 0x08), M64, SVM_DECODE_OK, SVM_INSN_XCHG, 2,
	  .check = C_REG | C_WRITE | C_OPSIZE, .reg = 1, .write = true, .opsize = 4 },
	{ "add ecx, eax (register form, no MMIO)", B(0x01, 0xC1), M64, SVM_DECODE_UNKNOWN },
	/* String moves. */
	{ "rep movsd", B(0xF3, 0xA5), M32, SVM_DECODE_OK, SVM_INSN_MOVS, 2, .check = C_REP | C_OPSIZE,
	  .rep = true, .opsize = 4 },
	{ "rep stosq", B(0xF3, 0x48, 0xAB), M64, SVM_DECODE_OK, SVM_INSN_STOS, 3, .check = C_REP | C_OPSIZE,
	  .rep = true, .opsize = 8 },
	{ "movsb", B(0xA4), M16, SVM_DECODE_OK, SVM_INSN_MOVS, 1, .check = C_OPSIZE | C_ADDR, .opsize = 1,
	  .addr = 2 },
	{ "rep lodsd", B(0xF3, 0xAD), M32, SVM_DECODE_OK, SVM_INSN_LODS, 2,
	  .check = C_REP | C_OPSIZE | C_WRITE | C_REG, .rep = true, .opsize = 4, .write = false, .reg = 0 },
	{ "lodsb (16-bit)", B(0xAC), M16, SVM_DECODE_OK, SVM_INSN_LODS, 1, .check = C_OPSIZE | C_ADDR,
	  .opsize = 1, .addr = 2 },
	/* Sign extension (SDM vol. 2 MOVSX/MOVSXD: 0F BE /r r, r/m8; 0F BF /r r, r/m16; REX.W 63 /r
	 * r64, r/m32; 63 outside 64-bit mode is ARPL). */
	{ "movsx ecx, byte [eax]", B(0x0F, 0xBE, 0x08), M32, SVM_DECODE_OK, SVM_INSN_MOVSX, 3,
	  .check = C_OPSIZE | C_ACCESS | C_REG | C_WRITE, .opsize = 4, .access = 1, .reg = 1, .write = false },
	{ "movsx rdx, word [rax]", B(0x48, 0x0F, 0xBF, 0x10), M64, SVM_DECODE_OK, SVM_INSN_MOVSX, 4,
	  .check = C_OPSIZE | C_ACCESS | C_REG, .opsize = 8, .access = 2, .reg = 2 },
	{ "movsx ax, byte [bx] (16-bit)", B(0x0F, 0xBE, 0x07), M16, SVM_DECODE_OK, SVM_INSN_MOVSX, 3,
	  .check = C_OPSIZE | C_ACCESS, .opsize = 2, .access = 1 },
	{ "movsxd rcx, dword [rax]", B(0x48, 0x63, 0x08), M64, SVM_DECODE_OK, SVM_INSN_MOVSX, 3,
	  .check = C_OPSIZE | C_ACCESS | C_REG, .opsize = 8, .access = 4, .reg = 1 },
	{ "63 in 32-bit mode is arpl", B(0x63, 0x08), M32, SVM_DECODE_UNKNOWN },
	{ "movsx ecx, al (register form)", B(0x0F, 0xBE, 0xC8), M32, SVM_DECODE_UNKNOWN },
	/* CMPXCHG 0F B0/B1 /r, XADD 0F C0/C1 /r: memory destination, register source. */
	{ "lock cmpxchg [rdi], ecx", B(0xF0, 0x0F, 0xB1, 0x0F), M64, SVM_DECODE_OK, SVM_INSN_CMPXCHG, 4,
	  .check = C_OPSIZE | C_REG | C_WRITE | C_LOCK, .opsize = 4, .reg = 1, .write = true, .lock = true },
	{ "cmpxchg [eax], bh", B(0x0F, 0xB0, 0x38), M32, SVM_DECODE_OK, SVM_INSN_CMPXCHG, 3,
	  .check = C_OPSIZE | C_REG | C_HIGH, .opsize = 1, .reg = 7, .high = true },
	{ "xadd [rax], rdx", B(0x48, 0x0F, 0xC1, 0x10), M64, SVM_DECODE_OK, SVM_INSN_XADD, 4,
	  .check = C_OPSIZE | C_REG | C_WRITE, .opsize = 8, .reg = 2, .write = true },
	{ "xadd byte [eax], cl", B(0x0F, 0xC0, 0x08), M32, SVM_DECODE_OK, SVM_INSN_XADD, 3,
	  .check = C_OPSIZE | C_REG, .opsize = 1, .reg = 1 },
	/* MOVNTI 0F C3 /r: a store. */
	{ "movnti [rax], ecx", B(0x0F, 0xC3, 0x08), M64, SVM_DECODE_OK, SVM_INSN_MOV_STORE, 3,
	  .check = C_OPSIZE | C_ACCESS | C_WRITE | C_REG, .opsize = 4, .access = 4, .write = true, .reg = 1 },
};

static void test_vectors(void **state)
{
	(void)state;
	unsigned bad = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(vecs); i++) {
		const struct vec *v = &vecs[i];
		struct svm_insn in;
		memset(&in, 0x5A, sizeof(in));
		enum svm_decode_status st = svm_decode(v->bytes, v->n, v->mode, &in);
		bool ok = st == v->status;
		if (ok && st == SVM_DECODE_OK) {
			unsigned c = v->check;
			ok = in.kind == v->kind && in.len == v->len &&
			     (!(c & C_OPSIZE) || in.opsize == v->opsize) &&
			     (!(c & C_ACCESS) || in.access_size == v->access) &&
			     (!(c & C_ADDR) || in.addrsize == v->addr) &&
			     (!(c & C_WRITE) || in.write == v->write) &&
			     (!(c & C_REG) || in.reg == v->reg) &&
			     (!(c & C_CR) || in.cr == v->cr) &&
			     (!(c & C_IMM) || (in.has_imm && in.imm == v->imm)) &&
			     (!(c & C_MOFFS) || (in.has_moffs && in.moffs == v->moffs)) &&
			     (!(c & C_HIGH) || in.high_byte == v->high) &&
			     (!(c & C_RIP) || in.rip_relative == v->rip) &&
			     (!(c & C_MEM) || in.mem == v->mem) &&
			     (!(c & C_REP) || in.rep == v->rep) &&
			     (!(c & C_SEG) || in.seg == v->seg) &&
			     (!(c & C_DX) || in.port_in_dx == v->dx) &&
			     (!(c & C_ALU) || (in.alu == v->alu && in.reg_dst == v->reg_dst)) &&
			     (!(c & C_EA) || (in.ea_base == v->base && in.ea_index == v->index &&
					      in.ea_scale == v->scale && in.disp == v->disp && in.ea_ss == v->ss)) &&
			     (!(c & C_LOCK) || in.lock == v->lock);
		} else if (ok) {
			ok = in.kind == SVM_INSN_NONE && in.len == 0;
		}
		if (!ok) {
			fprintf(stderr, "'%s': status %s kind %s len %u opsize %u access %u addr %u "
				"write %d reg %u cr %u imm 0x%llx moffs 0x%llx high %d rip %d mem %d\n",
				v->text, svm_decode_status_name(st), svm_insn_kind_name(in.kind), in.len,
				in.opsize, in.access_size, in.addrsize, in.write, in.reg, in.cr,
				(unsigned long long)in.imm, (unsigned long long)in.moffs, in.high_byte,
				in.rip_relative, in.mem);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Every good vector cut short is TRUNCATED, and the decoder reads only what it is given:
 * each prefix lives in its own allocation of exactly that size, so ASan sees any overread. */
static void test_truncations(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(vecs); i++) {
		const struct vec *v = &vecs[i];
		if (v->status != SVM_DECODE_OK)
			continue;
		for (unsigned n = 0; n < v->len; n++) {
			u8 *cut = malloc(n ? n : 1);
			memcpy(cut, v->bytes, n);
			struct svm_insn in;
			enum svm_decode_status st = svm_decode(cut, n, v->mode, &in);
			free(cut);
			if (st != SVM_DECODE_TRUNCATED)
				fprintf(stderr, "'%s' cut to %u: %s\n", v->text, n, svm_decode_status_name(st));
			assert_int_equal(st, SVM_DECODE_TRUNCATED);
		}
		/* Extra bytes after the instruction are not consumed. */
		u8 more[32];
		memset(more, 0x90, sizeof(more));
		memcpy(more, v->bytes, v->n);
		struct svm_insn in;
		assert_int_equal(svm_decode(more, sizeof(more), v->mode, &in), SVM_DECODE_OK);
		assert_int_equal(in.len, v->len);
	}
}

static void test_bad_args_and_names(void **state)
{
	(void)state;
	struct svm_insn in;
	u8 b[2] = { 0x0F, 0xA2 };
	assert_int_equal(svm_decode(NULL, 2, M64, &in), SVM_DECODE_BAD_ARG);
	assert_int_equal(svm_decode(b, 2, (enum svm_cpu_mode)7, &in), SVM_DECODE_BAD_ARG);
	assert_int_equal(svm_decode(b, 2, M64, NULL), SVM_DECODE_BAD_ARG);
	assert_string_equal(svm_insn_kind_name(SVM_INSN_VMGEXIT), "vmgexit");
	assert_string_equal(svm_insn_kind_name(SVM_INSN_KIND_COUNT), "?");
	assert_string_equal(svm_decode_status_name(SVM_DECODE_TRUNCATED), "truncated");
	for (unsigned k = 0; k < SVM_INSN_KIND_COUNT; k++)
		assert_non_null(svm_insn_kind_name(k));
	for (unsigned s = 0; s < SVM_DECODE_STATUS_COUNT; s++)
		assert_non_null(svm_decode_status_name(s));
}

static void test_cpu_mode(void **state)
{
	(void)state;
	const u16 code64 = SVM_SEG_L | SVM_SEG_P, code32 = SVM_SEG_DB | SVM_SEG_P;
	assert_int_equal(svm_cpu_mode_from(0, 0, code32, false), M16);              /* real mode */
	assert_int_equal(svm_cpu_mode_from(CR0_PE, 0, code32, false), M32);
	assert_int_equal(svm_cpu_mode_from(CR0_PE, 0, SVM_SEG_P, false), M16);      /* 16-bit PM */
	assert_int_equal(svm_cpu_mode_from(CR0_PE, 0, code32, true), M16);          /* vm86 */
	assert_int_equal(svm_cpu_mode_from(CR0_PE | CR0_PG, EFER_LME | EFER_LMA, code64, false), M64);
	assert_int_equal(svm_cpu_mode_from(CR0_PE | CR0_PG, EFER_LME | EFER_LMA, code32, false), M32);
	assert_int_equal(svm_cpu_mode_from(CR0_PE, EFER_LME, code64, false), M16); /* L without LMA */
}

/* The fixed encodings (APM vol. 3, appendix A: CPUID 0F A2, RDMSR 0F 32, WRMSR 0F 30, INVD
 * 0F 08, WBINVD 0F 09, VMMCALL 0F 01 D9, HLT F4): their lengths, nothing for a prefixed form
 * (a CS-prefixed CPUID is 3 bytes, `rep vmmcall` is VMGEXIT), for another kind or for too few
 * bytes; and where a length is given, svm_decode agrees in every mode. */
static void test_fixed_len(void **state)
{
	(void)state;
	static const struct {
		u8 bytes[4];
		unsigned n;
		enum svm_insn_kind kind;
		unsigned len;
	} f[] = {
		{ { 0x0F, 0xA2 }, 2, SVM_INSN_CPUID, 2 },
		{ { 0x0F, 0x32, 0x90 }, 3, SVM_INSN_RDMSR, 2 },
		{ { 0x0F, 0x30 }, 2, SVM_INSN_WRMSR, 2 },
		{ { 0x0F, 0x08 }, 2, SVM_INSN_INVD, 2 },
		{ { 0x0F, 0x09 }, 2, SVM_INSN_WBINVD, 2 },
		{ { 0x0F, 0x01, 0xD9 }, 3, SVM_INSN_VMMCALL, 3 },
		{ { 0xF4 }, 1, SVM_INSN_HLT, 1 },
		{ { 0x2E, 0x0F, 0xA2 }, 3, SVM_INSN_CPUID, 0 },         /* CS prefix */
		{ { 0x48, 0x0F, 0x32 }, 3, SVM_INSN_RDMSR, 0 },         /* REX.W */
		{ { 0xF3, 0x0F, 0x01, 0xD9 }, 4, SVM_INSN_VMMCALL, 0 }, /* VMGEXIT */
		{ { 0xF3, 0x0F, 0x01, 0xD9 }, 4, SVM_INSN_VMGEXIT, 0 }, /* prefixed: decoder */
		{ { 0x0F, 0x01, 0xD9 }, 2, SVM_INSN_VMMCALL, 0 },       /* cut short */
		{ { 0x0F, 0x32 }, 2, SVM_INSN_WRMSR, 0 },               /* another kind */
		{ { 0x0F, 0x31 }, 2, SVM_INSN_RDTSC, 0 },               /* not in the table */
		{ { 0xE6, 0x80 }, 2, SVM_INSN_OUT, 0 },                 /* has an operand */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(f); i++) {
		assert_int_equal(svm_decode_fixed_len(f[i].bytes, f[i].n, f[i].kind), f[i].len);
		for (unsigned m = M16; f[i].len && m <= M64; m++) {
			struct svm_insn in;
			assert_int_equal(svm_decode(f[i].bytes, f[i].n, (enum svm_cpu_mode)m, &in), SVM_DECODE_OK);
			assert_int_equal(in.kind, f[i].kind);
			assert_int_equal(in.len, f[i].len);
		}
	}
	assert_int_equal(svm_decode_fixed_len(NULL, 2, SVM_INSN_CPUID), 0);
	assert_int_equal(svm_decode_fixed_len(f[0].bytes, 2, SVM_INSN_KIND_COUNT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_bad_args_and_names),
		cmocka_unit_test(test_cpu_mode),
		cmocka_unit_test(test_fixed_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
