/* The arithmetic of the instructions the MMIO emulator carries out on a memory operand: result
 * and RFLAGS, pure, so the rules are unit-tested against the APM (vol. 3, each instruction's
 * "rFLAGS Affected"; vol. 1, 3.1.6 for the flag definitions). */
#ifndef SVM_EMUL_ALU_H
#define SVM_EMUL_ALU_H

#include "arch/x86/rflags.h"
#include "svm/emul/decode.h"

/* The RFLAGS status bits (arch/x86/rflags.h). */
#define RFLAGS_STATUS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/* dst OP src on size bytes (1, 2, 4, 8): *result gets the value (masked to size), the return
 * value is rflags with the status flags the operation defines updated (flags it leaves
 * undefined are cleared, as QEMU and KVM's emulator do; AF for the logical ops). NOT/NEG/INC/DEC
 * ignore src. For BT/BTS/BTR/BTC src is the bit number within dst (the caller has already
 * taken it modulo the operand width). Whether the result is stored is the caller's business
 * (CMP, TEST and BT never store). */
u64 svm_alu(enum svm_alu_op op, unsigned size, u64 dst, u64 src, u64 rflags, u64 *result);

/* CMPXCHG (APM vol. 3, CMPXCHG): the accumulator acc is compared with the memory value mem as
 * CMP acc, mem would (all six status flags from acc - mem). Equal: memory takes src. Not
 * equal: the accumulator takes mem (*acc_load = true) and memory is written back unchanged, the
 * write cycle the processor always makes (SDM vol. 2, CMPXCHG). *mem_out gets the value to
 * write; the return value is rflags updated. */
u64 svm_alu_cmpxchg(unsigned size, u64 acc, u64 mem, u64 src, u64 rflags, u64 *mem_out, bool *acc_load);

/* Whether a LOCK prefix is allowed with this instruction (APM vol. 3, 1.2.5 "Lock Prefix"): only
 * the read-modify-write forms with a memory destination (ADD ADC AND BTC BTR BTS CMPXCHG DEC INC
 * NEG NOT OR SBB SUB XADD XOR, XCHG); anything else raises #UD. */
bool svm_alu_lockable(const struct svm_insn *i);

#endif
