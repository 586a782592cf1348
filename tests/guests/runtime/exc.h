/* Exceptions: every one of the 32 vectors is recorded (vector, error code, RIP, count). What
 * happens next is chosen by the code that expected it:
 *   - an exception-table entry (EXC_FIXUP) names a recovery address for one instruction, the way
 *     the *_safe helpers below work: RIP jumps there and exc_caught tells which vector hit;
 *   - exc_skip_next(len): the next exception returns past the faulting instruction (len bytes);
 *   - otherwise the exception is unexpected: it is printed and the guest exits with EXIT_ABORT. */
#ifndef GUEST_EXC_H
#define GUEST_EXC_H

#include "types.h"

#define EXC_DE 0
#define EXC_DB 1
#define EXC_NMI 2
#define EXC_BP 3
#define EXC_UD 6
#define EXC_DF 8
#define EXC_GP 13
#define EXC_PF 14
#define EXC_VC 29
#define EXC_COUNT 32
#define EXC_NONE 0xFFFFFFFFu
/* Vectors 32..47 are external interrupts: each calls its irq_handlers entry (if any). */
#define IRQ_FIRST 32
#define IRQ_COUNT 16
#define IDT_ENTRIES (IRQ_FIRST + IRQ_COUNT)
struct exc_frame;
extern void (*volatile irq_handlers[IRQ_COUNT])(struct exc_frame *f);

/* Saved by the assembly stubs (exc_stubs.asm), in push order reversed. */
struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct exc_record {
	u32 vector;
	u64 error;
	u64 rip;
};

extern volatile u32 exc_counts[EXC_COUNT];
extern volatile struct exc_record exc_last;
extern volatile u32 exc_caught; /* vector seen by the last fixup, EXC_NONE if none */

/* A #VC handler, installed by the SEV-ES runtime; returns true when it handled the frame. */
extern bool (*exc_vc_hook)(struct exc_frame *f);
/* A #DB handler for single-step tests (a trap: f->rip is after the instruction); returns true
 * when it handled the frame, which is then counted in exc_counts. */
extern bool (*exc_db_hook)(struct exc_frame *f);
/* A #PF handler for tests that unmap a page on purpose (CR2 holds the address); returns true
 * when it handled the frame (the faulting instruction restarts), counted in exc_counts. */
extern bool (*exc_pf_hook)(struct exc_frame *f);

/* An NMI handler (vector 2: an interrupt, f->rip is where it came in); returns true when it
 * handled the frame, which is then counted in exc_counts. Under SEV-ES the hypervisor holds
 * further NMIs until the guest sends NMI_COMPLETE (0x8000_0003), not until this IRET. */
extern bool (*exc_nmi_hook)(struct exc_frame *f);

/* Make the next exception resume len bytes past the faulting instruction. */
void exc_skip_next(unsigned len);
/* Deliver an exception to the runtime as if the CPU raised it at f->rip (the #VC handler uses
 * this for events the hypervisor asks the guest to raise). */
void exc_deliver(struct exc_frame *f, u32 vector, u64 error);
void exc_reset_counts(void);
void idt_init(void);

/* Exception table: pairs (faulting instruction, recovery address) in section .extable. */
#define EXC_FIXUP(fault, fixup)                                                                    \
	".pushsection .extable, \"a\"\n\t.quad " fault ", " fixup "\n\t.popsection\n\t"

/* The *_safe helpers return true when the instruction completed; otherwise *vector (if non-NULL)
 * gets the exception vector. */
static inline bool wrmsr_safe(u32 msr, u64 val, u32 *vector)
{
	exc_caught = EXC_NONE;
	asm volatile("1: wrmsr\n\t2:\n\t" EXC_FIXUP("1b", "2b")
		     :
		     : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
	if (vector)
		*vector = exc_caught;
	return exc_caught == EXC_NONE;
}

static inline bool rdmsr_safe(u32 msr, u64 *val, u32 *vector)
{
	u32 lo = 0, hi = 0;
	exc_caught = EXC_NONE;
	asm volatile("1: rdmsr\n\t2:\n\t" EXC_FIXUP("1b", "2b")
		     : "+a"(lo), "+d"(hi)
		     : "c"(msr)
		     : "memory");
	if (val)
		*val = ((u64)hi << 32) | lo;
	if (vector)
		*vector = exc_caught;
	return exc_caught == EXC_NONE;
}

static inline bool ud2_safe(u32 *vector)
{
	exc_caught = EXC_NONE;
	asm volatile("1: ud2\n\t2:\n\t" EXC_FIXUP("1b", "2b") : : : "memory");
	if (vector)
		*vector = exc_caught;
	return exc_caught == EXC_NONE;
}

#endif
