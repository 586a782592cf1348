/* sevisor's own GDT, TSS and IDT (installed after ExitBootServices), and the exception
 * handlers that print a register dump and stop cleanly instead of rebooting silently. */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H

#include "lib/types.h"

#define GDT_SEL_CODE64 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS 0x18

/* Interrupt vectors sevisor uses for itself. */
#define VECTOR_TIMER 0xEF
#define VECTOR_SPURIOUS 0xFF

/* The register frame the exception stubs build (arch/x86/isr.asm pushes it in this order). */
struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* 64-bit TSS (APM vol. 2, 12.2.5). */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} PACKED;
ASSERT_OFFSET(struct tss64, rsp, 0x04);
ASSERT_OFFSET(struct tss64, ist, 0x24);
ASSERT_OFFSET(struct tss64, iomap_base, 0x66);
ASSERT_SIZE(struct tss64, 104);

/* Interrupt-gate descriptor (APM vol. 2, 4.8.4). */
struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} PACKED;
ASSERT_SIZE(struct idt_gate, 16);

struct desc_ptr {
	u16 limit;
	u64 base;
} PACKED;
ASSERT_SIZE(struct desc_ptr, 10);

void desc_init(void);
/* Called for VECTOR_TIMER interrupts (from the IDT stub, interrupts off). */
void desc_set_timer_hook(void (*fn)(void));
/* Text set by the run loop so a host fault names the guest being handled (or NULL). Set twice
 * per exit: inline, one store. */
extern const char *desc_context;
static inline void desc_set_context(const char *what)
{
	desc_context = what;
}

/* isr.asm */
extern const u64 isr_stub_table[];
void desc_load(const struct desc_ptr *gdtr, const struct desc_ptr *idtr, u16 cs, u16 ds, u16 tr);

#endif
