/* The bench guest: times sevisor's exit paths from inside a guest with RDTSC.
 *
 * Run under QEMU TCG with `-icount shift=0` the TSC advances by one per executed instruction,
 * so every figure here is an instruction count, the same on every run (tests/bench/bench.py).
 * Each path is one asm block: read the TSC, set up the operands, the exiting instruction, read
 * the TSC again. The same block without the exiting instruction is timed too, and its delta
 * (the guest's own instructions around the exit) is subtracted, so what is left is what the
 * exit costs: the world switch and everything sevisor runs for it. Each path runs
 * BENCH_WARMUP times untimed, then BENCH_ROUNDS times; min and median are printed (a host timer interrupt that lands inside a
 * timed block shows in the max, never in the min).
 *
 * Built twice (tests/bench/bench.mk): bench.elf (plain entry) and es_bench.elf (SEV-ES entry,
 * run as a soft-es guest). Output lines, one per path, parsed by bench.py:
 *     BENCH <mode>.<path> min=N median=N max=N
 */
#include "ghcb.h"
#include "rt.h"

#define BENCH_ROUNDS 63
#define BENCH_WARMUP 48 /* more than sevisor's traced first exits (SVM_EXIT_TRACE_FIRST) */
#define UART_SCRATCH 0x3FF /* 16550 scratch register: a port sevisor emulates */
#define MSR_PAT_INDEX 0x277

/* Start and end of a timed block: the TSC into r8, then delta = TSC - r8 into rax. */
#define T_BEGIN "rdtsc\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\tmov %%rax, %%r8\n\t"
#define T_END "rdtsc\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\tsub %%r8, %%rax\n\t"

/* Two timers per path: with the exiting instruction (op) and without it. */
#define BENCH_PATH(name, setup, op)                                                                \
	static u64 name##_full(void)                                                               \
	{                                                                                          \
		u64 d;                                                                             \
		asm volatile(T_BEGIN setup op "\n\t" T_END                                        \
			     : "=a"(d)                                                             \
			     :                                                                     \
			     : "rbx", "rcx", "rdx", "r8", "memory");                               \
		return d;                                                                          \
	}                                                                                          \
	static u64 name##_empty(void)                                                              \
	{                                                                                          \
		u64 d;                                                                             \
		asm volatile(T_BEGIN setup T_END : "=a"(d) : : "rbx", "rcx", "rdx", "r8", "memory");     \
		return d;                                                                          \
	}

#define VMGEXIT_BYTES ".byte 0xf3, 0x0f, 0x01, 0xd9"

BENCH_PATH(cpuid0, "xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\t", "cpuid")
BENCH_PATH(cpuid1, "mov $1, %%eax\n\txor %%ecx, %%ecx\n\t", "cpuid")
BENCH_PATH(out, "mov $0x3ff, %%edx\n\tmov $0x5a, %%eax\n\t", "outb %%al, %%dx")
BENCH_PATH(in, "mov $0x3ff, %%edx\n\t", "inb %%dx, %%al")
BENCH_PATH(rdmsr, "mov $0x277, %%ecx\n\t", "rdmsr")
BENCH_PATH(wrmsr, "mov $0x277, %%ecx\n\tmov $0x00070406, %%eax\n\tmov %%eax, %%edx\n\t", "wrmsr")
BENCH_PATH(vmgexit, "", VMGEXIT_BYTES)

/* #VC reflection: from the exiting instruction to the first instruction of the guest's #VC
 * handler. bench_vc_entry is a bare handler: it takes the TSC first thing, steps over the
 * instruction (bench_vc_skip bytes) and returns; it runs no other exiting instruction. */
extern char bench_vc_entry[];
volatile u64 bench_vc_tsc, bench_vc_skip;
asm(".pushsection .text\n"
    ".global bench_vc_entry\n"
    "bench_vc_entry:\n\t"
    "push %rax\n\t"
    "push %rdx\n\t"
    "rdtsc\n\t"
    "shl $32, %rdx\n\t"
    "or %rdx, %rax\n\t"
    "mov %rax, bench_vc_tsc(%rip)\n\t"
    "mov bench_vc_skip(%rip), %rax\n\t"
    "add %rax, 24(%rsp)\n\t" /* RIP: above the two pushes and the error code */
    "pop %rdx\n\t"
    "pop %rax\n\t"
    "add $8, %rsp\n\t" /* the error code */
    "iretq\n"
    ".popsection");

#define BENCH_VC_PATH(name, setup, op)                                                             \
	static u64 name##_full(void)                                                               \
	{                                                                                          \
		u64 start;                                                                         \
		asm volatile(T_BEGIN setup op "\n\tmov %%r8, %%rax\n\t"                          \
			     : "=a"(start)                                                         \
			     :                                                                     \
			     : "rbx", "rcx", "rdx", "r8", "memory");                               \
		return bench_vc_tsc - start;                                                       \
	}                                                                                          \
	static u64 name##_empty(void)                                                              \
	{                                                                                          \
		u64 d;                                                                             \
		asm volatile(T_BEGIN setup T_END : "=a"(d) : : "rbx", "rcx", "rdx", "r8", "memory");     \
		return d;                                                                          \
	}

BENCH_VC_PATH(vc_cpuid, "xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\t", "cpuid")
BENCH_VC_PATH(vc_out, "mov $0x3ff, %%edx\n\tmov $0x5a, %%eax\n\t", "outb %%al, %%dx")

struct idt_gate64 {
	u16 off_lo, sel;
	u8 ist, type_attr;
	u16 off_mid;
	u32 off_hi, zero;
} __attribute__((packed));

static struct idt_gate64 *idt_gate(unsigned vector)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr;
	asm volatile("sidt %0" : "=m"(idtr));
	return (struct idt_gate64 *)idtr.base + vector;
}

static void gate_set_offset(struct idt_gate64 *g, u64 off)
{
	g->off_lo = (u16)off;
	g->off_mid = (u16)(off >> 16);
	g->off_hi = (u32)(off >> 32);
}

static u64 gate_offset(const struct idt_gate64 *g)
{
	return g->off_lo | ((u64)g->off_mid << 16) | ((u64)g->off_hi << 32);
}

static void sort(u64 *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && a[j - 1] > a[j]; j--) {
			u64 t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

typedef u64 (*timer_fn)(void);
typedef void (*prep_fn)(void);
typedef bool (*post_fn)(void);

static bool failed;

/* `cmdline = only=NAME` (tests/bench/profile.py) runs that one path. */
static const char *only;

static bool selected(const char *name)
{
	if (!only)
		return true;
	size_t n = strlen(name);
	return memcmp(only, name, n) == 0 && (only[n] == 0 || only[n] == ' ');
}

static void parse_cmdline(void)
{
	const struct multiboot_info *mb = mb_info();
	if (!(mb->flags & MB_INFO_CMDLINE))
		return;
	for (const char *p = (const char *)(u64)mb->cmdline; *p; p++)
		if (memcmp(p, "only=", 5) == 0)
			only = p + 5;
}

/* Runs one path BENCH_ROUNDS times and prints it: prep before each round and post (a check of
 * sevisor's answer) after it, both outside the timed block. The empty block's minimum is
 * subtracted: it has no exit inside, so every round gives the same figure. */
static void bench(const char *name, timer_fn full, timer_fn empty, prep_fn prep, post_fn post)
{
	u64 t[BENCH_ROUNDS], e[BENCH_ROUNDS];
	bool answered = true;
	if (!selected(name))
		return;
	/* Warm-up, untimed: once-only work (first use, the debug trace of a vCPU's first exits)
	 * stays out of the figures. */
	for (unsigned i = 0; i < BENCH_WARMUP; i++) {
		if (prep)
			prep();
		full();
	}
	for (unsigned i = 0; i < BENCH_ROUNDS; i++)
		e[i] = empty();
	for (unsigned i = 0; i < BENCH_ROUNDS; i++) {
		if (prep)
			prep();
		t[i] = full();
		if (post && !post())
			answered = false;
	}
	if (!answered) {
		printf("BENCH %s: sevisor's answer was wrong\n", name);
		failed = true;
	}
	sort(e, BENCH_ROUNDS);
	sort(t, BENCH_ROUNDS);
	u64 base = e[0];
	if (t[0] < base) {
		printf("BENCH %s: timed block shorter than the empty one (%lu < %lu)\n", name, t[0], base);
		failed = true;
		return;
	}
	printf("BENCH %s.%s min=%lu median=%lu max=%lu\n", rt_sev_es ? "soft-es" : "plain", name,
	       t[0] - base, t[BENCH_ROUNDS / 2] - base, t[BENCH_ROUNDS - 1] - base);
}

/* ---- soft-es preparation: the GHCB page and the GHCB MSR, outside the timed block ---- */

static void prep_ghcb_cpuid(void)
{
	ghcb_clear();
	ghcb_set(GHCB_RAX, 0);
	ghcb_set(GHCB_RCX, 0);
	ghcb_set(GHCB_SW_EXITCODE, SVM_EXIT_CPUID);
	ghcb_set(GHCB_SW_EXITINFO1, 0);
	ghcb_set(GHCB_SW_EXITINFO2, 0);
	wrmsr(MSR_GHCB, ghcb_gpa());
}

static void prep_sev_info(void)
{
	wrmsr(MSR_GHCB, GHCB_MSR_SEV_INFO_REQ);
}

static bool ghcb_cpuid_answered(void)
{
	return ghcb_get(GHCB_SW_EXITINFO1) == GHCB_RESULT_OK && ghcb_valid(GHCB_RBX) &&
	       (u32)ghcb_get(GHCB_RAX) >= 0xD; /* leaf 0: the highest basic leaf */
}

static bool sev_info_answered(void)
{
	return (rdmsr(MSR_GHCB) & GHCB_MSR_INFO_MASK) == GHCB_MSR_SEV_INFO_RESP;
}

static bool pat_default(void)
{
	return rdmsr(MSR_PAT_INDEX) == PAT_DEFAULT;
}

static void bench_plain(void)
{
	bench("cpuid0", cpuid0_full, cpuid0_empty, NULL, NULL);
	bench("cpuid1", cpuid1_full, cpuid1_empty, NULL, NULL);
	bench("out", out_full, out_empty, NULL, NULL);
	bench("in", in_full, in_empty, NULL, NULL);
	bench("rdmsr", rdmsr_full, rdmsr_empty, NULL, NULL);
	bench("wrmsr", wrmsr_full, wrmsr_empty, NULL, pat_default);
}

static void bench_soft_es(void)
{
	struct idt_gate64 *g = idt_gate(EXC_VC);
	u64 saved = gate_offset(g);
	gate_set_offset(g, (u64)bench_vc_entry);
	bench_vc_skip = 2; /* CPUID: 0F A2 */
	bench("vc_cpuid", vc_cpuid_full, vc_cpuid_empty, NULL, NULL);
	bench_vc_skip = 1; /* OUT DX, AL: EE */
	bench("vc_out", vc_out_full, vc_out_empty, NULL, NULL);
	gate_set_offset(g, saved);

	bench("ghcb_cpuid", vmgexit_full, vmgexit_empty, prep_ghcb_cpuid, ghcb_cpuid_answered);
	bench("msr_sev_info", vmgexit_full, vmgexit_empty, prep_sev_info, sev_info_answered);
}

int main(void)
{
	parse_cmdline();
	if (rt_sev_es)
		bench_soft_es();
	else
		bench_plain();
	return failed ? EXIT_FAIL : EXIT_PASS;
}
