/* Exception recording and recovery; see exc.h for the policy. */
#include "exc.h"
#include "rt.h"

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes (APM 4.8.4)");

#define GATE_INTERRUPT_PRESENT 0x8E /* P=1, DPL=0, type 0xE = 64-bit interrupt gate */

struct extable_entry {
	u64 fault;
	u64 fixup;
};

extern const u64 exc_stub_table[IDT_ENTRIES];     /* exc_stubs.asm */
extern const struct extable_entry __extable_start[], __extable_end[]; /* guest.ld */

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
void (*volatile irq_handlers[IRQ_COUNT])(struct exc_frame *f);
volatile u32 exc_counts[EXC_COUNT];
volatile struct exc_record exc_last = {.vector = EXC_NONE};
volatile u32 exc_caught = EXC_NONE;
bool (*exc_vc_hook)(struct exc_frame *f);
bool (*exc_db_hook)(struct exc_frame *f);
bool (*exc_pf_hook)(struct exc_frame *f);
bool (*exc_nmi_hook)(struct exc_frame *f);
static unsigned skip_len;

static const char *const exc_names[EXC_COUNT] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
	"#SS", "#GP", "#PF", "15",  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "22",  "23",
	"24",  "25",  "26",  "27",  "#HV", "#VC", "#SX", "31",
};

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_ENTRIES; v++) {
		u64 a = exc_stub_table[v];
		idt[v] = (struct idt_gate){
			.offset_lo = (u16)a,
			.selector = GDT_CODE64,
			.type_attr = GATE_INTERRUPT_PRESENT,
			.offset_mid = (u16)(a >> 16),
			.offset_hi = (u32)(a >> 32),
		};
	}
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (u64)idt};
	asm volatile("lidt %0" : : "m"(idtr));
}

void exc_skip_next(unsigned len) { skip_len = len; }

void exc_reset_counts(void)
{
	for (unsigned v = 0; v < EXC_COUNT; v++)
		exc_counts[v] = 0;
	exc_last.vector = EXC_NONE;
}

static const struct extable_entry *extable_find(u64 rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->fault == rip)
			return e;
	return NULL;
}

void exc_deliver(struct exc_frame *f, u32 vector, u64 error)
{
	exc_last.vector = vector;
	exc_last.error = error;
	exc_last.rip = f->rip;
	if (vector < EXC_COUNT)
		exc_counts[vector]++;

	const struct extable_entry *e = extable_find(f->rip);
	if (e) {
		exc_caught = vector;
		f->rip = e->fixup;
		return;
	}
	if (skip_len) {
		f->rip += skip_len;
		skip_len = 0;
		return;
	}
	printf("unexpected exception %s (vector %u) error 0x%lx at rip 0x%lx rsp 0x%lx\n",
	       vector < EXC_COUNT ? exc_names[vector] : "?", vector, error, f->rip, f->rsp);
	exit(EXIT_ABORT);
}

/* Called by every stub in exc_stubs.asm. */
void exc_dispatch(struct exc_frame *f);
void exc_dispatch(struct exc_frame *f)
{
	if (f->vector == EXC_VC && exc_vc_hook && exc_vc_hook(f))
		return;
	if ((f->vector == EXC_DB && exc_db_hook && exc_db_hook(f)) ||
	    (f->vector == EXC_PF && exc_pf_hook && exc_pf_hook(f)) ||
	    (f->vector == EXC_NMI && exc_nmi_hook && exc_nmi_hook(f))) {
		exc_counts[f->vector]++;
		return;
	}
	if (f->vector >= IRQ_FIRST && f->vector < IDT_ENTRIES && irq_handlers[f->vector - IRQ_FIRST]) {
		irq_handlers[f->vector - IRQ_FIRST](f);
		return;
	}
	exc_deliver(f, (u32)f->vector, f->error);
}
