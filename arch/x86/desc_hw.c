/* GDT, TSS and IDT set-up, and the exception dump. */
#include "arch/x86/desc.h"
#include "arch/x86/cpu.h"
#include "arch/x86/finish.h"
#include "lib/log.h"
#include "lib/kstring.h"

#define IST_STACK_SIZE 16384
#define IDT_ENTRIES 256
#define GATE_INTERRUPT_PRESENT 0x8E /* P=1, DPL=0, type 0xE (64-bit interrupt gate) */
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

/* Flat 64-bit code and data (APM vol. 2, 4.8.1-4.8.2), then a 16-byte TSS descriptor. */
#define GDT_CODE64 0x00AF9A000000FFFFULL
#define GDT_DATA 0x00CF92000000FFFFULL
#define TSS_TYPE_AVAILABLE 0x89ULL

static u64 g_gdt[5] __attribute__((aligned(16)));
static struct tss64 g_tss __attribute__((aligned(16)));
static struct idt_gate g_idt[IDT_ENTRIES] __attribute__((aligned(16)));
static u8 g_ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
static void (*g_timer_hook)(void);
const char *desc_context;

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
	"#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

static void set_gate(unsigned vector, u64 handler, u8 ist)
{
	g_idt[vector] = (struct idt_gate){
		.offset_lo = (u16)handler,
		.selector = GDT_SEL_CODE64,
		.ist = ist,
		.type_attr = GATE_INTERRUPT_PRESENT,
		.offset_mid = (u16)(handler >> 16),
		.offset_hi = (u32)(handler >> 32),
	};
}

void desc_init(void)
{
	u64 tss = (u64)(uintptr_t)&g_tss;
	g_tss.ist[IST_DF - 1] = (u64)(uintptr_t)(g_ist_stacks[0] + IST_STACK_SIZE);
	g_tss.ist[IST_NMI - 1] = (u64)(uintptr_t)(g_ist_stacks[1] + IST_STACK_SIZE);
	g_tss.ist[IST_MC - 1] = (u64)(uintptr_t)(g_ist_stacks[2] + IST_STACK_SIZE);
	g_tss.iomap_base = sizeof(g_tss); /* no I/O permission bitmap */

	g_gdt[0] = 0;
	g_gdt[1] = GDT_CODE64;
	g_gdt[2] = GDT_DATA;
	g_gdt[3] = (sizeof(g_tss) - 1) | ((tss & 0xFFFFFF) << 16) | (TSS_TYPE_AVAILABLE << 40) |
		   (((tss >> 24) & 0xFF) << 56);
	g_gdt[4] = tss >> 32;

	for (unsigned v = 0; v < 32; v++)
		set_gate(v, isr_stub_table[v], v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : 0);
	set_gate(VECTOR_TIMER, isr_stub_table[32], 0);
	set_gate(VECTOR_SPURIOUS, isr_stub_table[33], 0);

	struct desc_ptr gdtr = { sizeof(g_gdt) - 1, (u64)(uintptr_t)g_gdt };
	struct desc_ptr idtr = { sizeof(g_idt) - 1, (u64)(uintptr_t)g_idt };
	desc_load(&gdtr, &idtr, GDT_SEL_CODE64, GDT_SEL_DATA, GDT_SEL_TSS);
	log_debug("desc: GDT at %p, IDT at %p, TSS at %p", (void *)g_gdt, (void *)g_idt, (void *)&g_tss);
}

void desc_set_timer_hook(void (*fn)(void))
{
	g_timer_hook = fn;
}

static void dump(const struct exc_frame *f)
{
	log_err("sevisor host exception: vector %llu (%s), error code 0x%llx%s%s",
		(unsigned long long)f->vector, f->vector < 32 ? exception_names[f->vector] : "interrupt",
		(unsigned long long)f->error, desc_context ? ", while " : "", desc_context ? desc_context : "");
	log_err("  rip=%016llx cs=%04llx rflags=%016llx rsp=%016llx ss=%04llx", (unsigned long long)f->rip,
		(unsigned long long)f->cs, (unsigned long long)f->rflags, (unsigned long long)f->rsp,
		(unsigned long long)f->ss);
	log_err("  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx", (unsigned long long)f->rax,
		(unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	log_err("  rsi=%016llx rdi=%016llx rbp=%016llx", (unsigned long long)f->rsi,
		(unsigned long long)f->rdi, (unsigned long long)f->rbp);
	log_err("  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx", (unsigned long long)f->r8,
		(unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11);
	log_err("  r12=%016llx r13=%016llx r14=%016llx r15=%016llx", (unsigned long long)f->r12,
		(unsigned long long)f->r13, (unsigned long long)f->r14, (unsigned long long)f->r15);
	log_err("  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx", (unsigned long long)cpu_read_cr0(),
		(unsigned long long)cpu_read_cr2(), (unsigned long long)cpu_read_cr3(),
		(unsigned long long)cpu_read_cr4());
	log_err("  efer=%016llx", (unsigned long long)cpu_rdmsr(MSR_EFER));
}

/* Called from isr.asm with interrupts off. Returns only for the timer and spurious vectors. */
void exception_dispatch(struct exc_frame *f);
void exception_dispatch(struct exc_frame *f)
{
	if (f->vector == VECTOR_TIMER) {
		if (g_timer_hook)
			g_timer_hook();
		return;
	}
	if (f->vector == VECTOR_SPURIOUS)
		return;
	log_defer(false);
	dump(f);
	finish(SEVISOR_STATUS_HOST_FAULT);
}
