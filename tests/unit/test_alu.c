/* svm/emul/alu.c against the APM: results and RFLAGS of the operations the MMIO emulator carries
 * out (APM vol. 3, each instruction's "rFLAGS Affected"; flag meanings APM vol. 1, 3.1.6: CF
 * carry/borrow out of the top bit, OF signed overflow, SF top bit, ZF zero, AF carry/borrow out
 * of bit 3, PF even parity of the low byte). Values worked by hand from those definitions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm/emul/alu.h"

#define CF RFLAGS_CF
#define PF RFLAGS_PF
#define AF RFLAGS_AF
#define ZF RFLAGS_ZF
#define SF RFLAGS_SF
#define OF RFLAGS_OF
#define RESERVED1 0x2 /* RFLAGS bit 1 reads as 1 and is never touched */
#define TF BIT(8)

struct acase {
	const char *what;
	enum svm_alu_op op;
	unsigned size;
	u64 dst, src, flags_in;
	u64 result, flags_out;
};

static const struct acase cases[] = {
	{ "add 7F+01 (signed overflow)", SVM_ALU_ADD, 1, 0x7F, 0x01, 0, 0x80, OF | SF | AF },
	{ "add FF+01 (carry, zero)", SVM_ALU_ADD, 1, 0xFF, 0x01, 0, 0x00, CF | ZF | AF | PF },
	{ "add 32-bit 0x7FFFFFFF+1", SVM_ALU_ADD, 4, 0x7FFFFFFF, 1, 0, 0x80000000, OF | SF | AF | PF },
	{ "add 64-bit wraps", SVM_ALU_ADD, 8, ~0ULL, 2, 0, 1, CF | AF },
	{ "adc FF+00+CF", SVM_ALU_ADC, 1, 0xFF, 0x00, CF, 0x00, CF | ZF | AF | PF },
	{ "adc 01+01+CF", SVM_ALU_ADC, 1, 0x01, 0x01, CF, 0x03, PF },
	{ "sub 32-bit 0-1 (borrow)", SVM_ALU_SUB, 4, 0, 1, 0, 0xFFFFFFFF, CF | SF | AF | PF },
	{ "sub 80-01 (signed overflow)", SVM_ALU_SUB, 1, 0x80, 0x01, 0, 0x7F, OF | AF },
	{ "sbb 00-00-CF", SVM_ALU_SBB, 1, 0x00, 0x00, CF, 0xFF, CF | SF | AF | PF },
	{ "cmp 16-bit equal", SVM_ALU_CMP, 2, 5, 5, CF | OF, 0, ZF | PF },
	{ "cmp 3 < 5 (borrow)", SVM_ALU_CMP, 4, 3, 5, 0, 0xFFFFFFFE, CF | SF | AF },
	{ "or clears CF and OF", SVM_ALU_OR, 8, 0x8000000000000000ULL, 1, CF | OF, 0x8000000000000001ULL, SF },
	{ "and to zero", SVM_ALU_AND, 1, 0x0F, 0xF0, CF, 0, ZF | PF },
	{ "xor 32-bit (low byte F0: even parity)", SVM_ALU_XOR, 4, 0xF0F0F0F0, 0xFF00FF00, 0, 0x0FF00FF0, PF },
	{ "test sets ZF only from the AND", SVM_ALU_TEST, 1, 0x80, 0x7F, OF, 0, ZF | PF },
	{ "inc 7F keeps CF", SVM_ALU_INC, 1, 0x7F, 0, CF, 0x80, CF | OF | SF | AF },
	{ "dec 00 keeps CF clear", SVM_ALU_DEC, 1, 0x00, 0, 0, 0xFF, SF | AF | PF },
	{ "dec 16-bit 1 -> 0", SVM_ALU_DEC, 2, 1, 0, CF, 0, CF | ZF | PF },
	{ "neg 0: CF clear", SVM_ALU_NEG, 4, 0, 0, CF, 0, ZF | PF },
	{ "neg 5: CF set", SVM_ALU_NEG, 4, 5, 0, 0, 0xFFFFFFFB, CF | SF | AF },
	{ "neg 80 (8-bit): overflow", SVM_ALU_NEG, 1, 0x80, 0, 0, 0x80, CF | OF | SF },
	{ "not changes no flag", SVM_ALU_NOT, 2, 0x00FF, 0, CF | ZF, 0xFF00, CF | ZF },
	{ "bts bit 3 of 0", SVM_ALU_BTS, 4, 0, 3, 0, 8, 0 },
	{ "btr bit 3 of 8", SVM_ALU_BTR, 4, 8, 3, 0, 0, CF },
	{ "btc bit 63", SVM_ALU_BTC, 8, 0, 63, CF, 0x8000000000000000ULL, 0 },
	{ "bt leaves the operand", SVM_ALU_BT, 2, 0x8000, 15, ZF, 0x8000, CF | ZF },
};

static void alu_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct acase *c = &cases[i];
		u64 result = 0xBAD;
		u64 in = c->flags_in | RESERVED1 | TF;
		u64 out = svm_alu(c->op, c->size, c->dst, c->src, in, &result);
		if (result != c->result || out != (c->flags_out | RESERVED1 | TF))
			fail_msg("%s: result 0x%llx flags 0x%llx, want 0x%llx flags 0x%llx", c->what,
				 (unsigned long long)result, (unsigned long long)out, (unsigned long long)c->result,
				 (unsigned long long)(c->flags_out | RESERVED1 | TF));
	}
}

/* CMPXCHG (APM vol. 3, CMPXCHG): flags of CMP accumulator, memory; equal stores the source,
 * not equal loads the accumulator and writes memory back unchanged. */
static void cmpxchg_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		unsigned size;
		u64 acc, mem, src, flags_in;
		u64 mem_out, flags_out;
		bool acc_load;
	} c[] = {
		{ "equal: stores the source", 4, 5, 5, 9, CF | OF, 9, ZF | PF, false },
		{ "1 vs 2: borrow, loads the accumulator", 4, 1, 2, 9, ZF, 2, CF | SF | AF | PF, true },
		{ "8-bit 80 vs 01: signed overflow", 1, 0x80, 0x01, 0x33, 0, 0x01, OF | AF, true },
		{ "64-bit: the upper half differs", 8, 0x100000000ULL, 0, 7, 0, 0, PF, true },
		{ "16-bit equal, source masked", 2, 0xFFFF, 0xFFFF, 0x12345, 0, 0x2345, ZF | PF, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		u64 mem_out = 0xBAD;
		bool load = !c[i].acc_load;
		u64 in = c[i].flags_in | RESERVED1 | TF;
		u64 out = svm_alu_cmpxchg(c[i].size, c[i].acc, c[i].mem, c[i].src, in, &mem_out, &load);
		if (mem_out != c[i].mem_out || load != c[i].acc_load || out != (c[i].flags_out | RESERVED1 | TF))
			fail_msg("%s: mem 0x%llx load %d flags 0x%llx", c[i].what, (unsigned long long)mem_out, load,
				 (unsigned long long)out);
	}
}

/* LOCK is legal only on a memory-destination read-modify-write (APM vol. 3, 1.2.5). */
static void lock_rules(void **state)
{
	(void)state;
	struct svm_insn i = { .kind = SVM_INSN_ALU, .mem = true, .alu = SVM_ALU_OR };
	assert_true(svm_alu_lockable(&i));
	i.alu = SVM_ALU_BTS;
	assert_true(svm_alu_lockable(&i));
	i.alu = SVM_ALU_CMP;
	assert_false(svm_alu_lockable(&i));
	i.alu = SVM_ALU_TEST;
	assert_false(svm_alu_lockable(&i));
	i.alu = SVM_ALU_ADD;
	i.reg_dst = true; /* add (mem), reg: memory is only read */
	assert_false(svm_alu_lockable(&i));
	struct svm_insn x = { .kind = SVM_INSN_XCHG, .mem = true };
	assert_true(svm_alu_lockable(&x));
	x.kind = SVM_INSN_CMPXCHG;
	assert_true(svm_alu_lockable(&x));
	x.kind = SVM_INSN_XADD;
	assert_true(svm_alu_lockable(&x));
	x.kind = SVM_INSN_MOVSX;
	assert_false(svm_alu_lockable(&x));
	struct svm_insn m = { .kind = SVM_INSN_MOV_STORE, .mem = true };
	assert_false(svm_alu_lockable(&m));
	struct svm_insn r = { .kind = SVM_INSN_ALU, .mem = false, .alu = SVM_ALU_OR };
	assert_false(svm_alu_lockable(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alu_vectors),
		cmocka_unit_test(cmpxchg_vectors),
		cmocka_unit_test(lock_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
