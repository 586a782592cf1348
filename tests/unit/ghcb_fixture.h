/* Shared fixture for the GHCB tests: a struct vm with one RAM slot backed by a malloc'd
 * buffer, a protected struct vcpu with a zeroed VMCB, helpers that build GHCB requests the way
 * a guest's #VC handler does, a log-capture sink, and fakes for the modules the GHCB protocols
 * call (MSR model, CPUID policy, I/O dispatch). The fakes are weak, so that when svm_terminate
 * etc. land in libsevisor.a only they, not these, stay out of the way; fx_fakes_used() lets
 * tests assert that the fake really answered. */
#ifndef TESTS_UNIT_GHCB_FIXTURE_H
#define TESTS_UNIT_GHCB_FIXTURE_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "ghcb/ghcb.h"
#include "msr/msr.h"
#include "msr/cpuid.h"
#include "svm/exit.h"
#include "svm/dev/io.h"
#include "svm/guest_mem.h"
#include "lib/fmt.h"
#include "lib/log.h"

#define FX_RAM_SIZE (1024 * 1024ULL)
#define FX_GHCB_GPA 0x10000ULL
#define FX_EXT_GPA 0x20000ULL /* a v1 external scratch buffer */
#define FX_CBIT 47
#define FX_RIP_SENTINEL 0x1234567890ULL

struct ghcb_fixture {
	struct vm vm;
	struct vcpu v[2];
	struct vmcb vmcb[2];
	u8 *ram;
};

#define WEAK __attribute__((weak))

/* ---- fakes ------------------------------------------------------------------------------- */

struct fx_io_op {
	u16 port;
	unsigned size;
	bool in;
	u32 val;
};

static struct {
	unsigned cpuid_calls, msr_calls, io_calls, mmio_calls, term_calls;
	u32 cpuid_leaf, cpuid_sub;
	u64 cpuid_xcr0, cpuid_xss;
	u32 msr_last_index;
	u64 msr_last_value;
	bool msr_last_write;
	struct fx_io_op io[64];
	unsigned nio;
	u64 mmio_gpa, mmio_val;
	unsigned mmio_size;
	bool mmio_write;
	void (*io_hook)(unsigned n); /* called after each port access (race simulation) */
} fx;

#define FX_TSC 0x1122334455667788ULL
#define FX_TSC_AUX 0xABULL
#define FX_PERF_CTR0 0x0000BEEF00C0FFEEULL
#define FX_MSR_PLAIN 0xC0010555u  /* reads FX_MSR_PLAIN_VAL */
#define FX_MSR_PLAIN_VAL 0x8765432112345678ULL
#define FX_MSR_GP 0xC0DE0001u     /* #GP on read and write */
#define FX_MSR_ERROR 0xC0DE0002u  /* internal error */
#define FX_PORT_KILL 0xBADu       /* the device model terminates the guest */
#define FX_MMIO_KILL 0xFED00000ULL
#define FX_IN_BASE 0x9ABCDEF0u    /* IN number n returns FX_IN_BASE + n */
#define FX_MMIO_READ_VAL 0x0102030405060708ULL

WEAK void msr_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u64 xcr0, u64 xss, struct cpuid_regs *out)
{
	(void)v;
	fx.cpuid_calls++;
	fx.cpuid_leaf = leaf;
	fx.cpuid_sub = subleaf;
	fx.cpuid_xcr0 = xcr0;
	fx.cpuid_xss = xss;
	out->eax = leaf + 1;
	out->ebx = 0xB0B0B0B0u;
	out->ecx = (u32)xcr0;
	out->edx = 0xD0D0D0D0u ^ subleaf;
}

WEAK enum msr_result msr_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)v;
	fx.msr_calls++;
	fx.msr_last_index = index;
	fx.msr_last_write = false;
	switch (index) {
	case 0x10: *value = FX_TSC; return MSR_OK;
	case 0xC0000103: *value = FX_TSC_AUX; return MSR_OK;
	case 0xC0010004: *value = FX_PERF_CTR0; return MSR_OK;
	case FX_MSR_PLAIN: *value = FX_MSR_PLAIN_VAL; return MSR_OK;
	case FX_MSR_ERROR: return MSR_ERROR;
	default: return MSR_GP;
	}
}

WEAK enum msr_result msr_write(struct vcpu *v, u32 index, u64 value)
{
	(void)v;
	fx.msr_calls++;
	fx.msr_last_index = index;
	fx.msr_last_value = value;
	fx.msr_last_write = true;
	if (index == FX_MSR_GP)
		return MSR_GP;
	if (index == FX_MSR_ERROR)
		return MSR_ERROR;
	return MSR_OK;
}

WEAK const char *msr_error_reason(const struct vcpu *v)
{
	(void)v;
	return "fake MSR model error";
}

WEAK bool svm_io_port(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	unsigned n = fx.io_calls++;
	if (port == FX_PORT_KILL) {
		vm_terminate(vm, "fake device terminated the guest at port 0x%x", port);
		return false;
	}
	if (in)
		*val = (FX_IN_BASE + n) & (u32)GENMASK(size * 8 - 1, 0);
	if (fx.nio < 64)
		fx.io[fx.nio++] = (struct fx_io_op){ port, size, in, *val };
	if (fx.io_hook)
		fx.io_hook(n);
	return true;
}

WEAK bool svm_mmio(struct vm *vm, u64 gpa, unsigned size, bool write, u64 *val)
{
	fx.mmio_calls++;
	fx.mmio_gpa = gpa;
	fx.mmio_size = size;
	fx.mmio_write = write;
	if (gpa == FX_MMIO_KILL) {
		vm_terminate(vm, "fake MMIO terminated the guest");
		return false;
	}
	if (write)
		fx.mmio_val = *val;
	else
		*val = FX_MMIO_READ_VAL & (size == 8 ? ~0ULL : GENMASK(size * 8 - 1, 0));
	return true;
}

WEAK enum svm_outcome svm_terminate(struct vcpu *v, const char *fmt, ...)
{
	char buf[VM_REASON_MAX];
	va_list ap;
	fx.term_calls++;
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vm_terminate(v->vm, "%s", buf);
	return SVM_TERMINATE;
}

/* ---- log capture ------------------------------------------------------------------------- */

static char fx_log_buf[1 << 16];
static size_t fx_log_len;

static inline void fx_log_sink(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	if (fx_log_len + len >= sizeof(fx_log_buf))
		len = sizeof(fx_log_buf) - 1 - fx_log_len;
	memcpy(fx_log_buf + fx_log_len, text, len);
	fx_log_len += len;
	fx_log_buf[fx_log_len] = 0;
}

static inline int fx_log_count(const char *needle)
{
	int n = 0;
	for (const char *p = fx_log_buf; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- vm / vcpu --------------------------------------------------------------------------- */

static inline struct ghcb_fixture *fx_new(unsigned nr_vcpus)
{
	struct ghcb_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	f->ram = aligned_alloc(4096, FX_RAM_SIZE);
	if (!f->ram)
		abort();
	memset(f->ram, 0, FX_RAM_SIZE);
	strcpy(f->vm.name, "t");
	f->vm.mode = VM_MODE_SOFT_ES;
	f->vm.cbit = FX_CBIT;
	f->vm.ram[0] = (struct ram_slot){ .gpa = 0, .size = FX_RAM_SIZE, .host = f->ram };
	f->vm.nr_ram = 1;
	f->vm.vcpus = f->v;
	f->vm.nr_vcpus = nr_vcpus;
	for (unsigned i = 0; i < 2; i++) {
		f->v[i].vm = &f->vm;
		f->v[i].id = i;
		f->v[i].vmcb = &f->vmcb[i];
		f->vmcb[i].save.rip = FX_RIP_SENTINEL;
		f->v[i].state_protected = true;
		ghcb_vcpu_reset(&f->v[i]);
	}
	memset(&fx, 0, sizeof(fx));
	log_reset();
	log_add_sink("capture", fx_log_sink, NULL, true);
	log_set_level(LOG_DEBUG);
	fx_log_len = 0;
	fx_log_buf[0] = 0;
	return f;
}

static inline void fx_free(struct ghcb_fixture *f)
{
	/* Protected state was never read or written: the guarded accessors log "refused". */
	if (strstr(fx_log_buf, "refused read of") || strstr(fx_log_buf, "refused write of"))
		abort();
	if (f->vmcb[0].save.rip != FX_RIP_SENTINEL)
		abort(); /* never advance RIP: the guest's #VC handler does */
	free(f->ram);
	free(f);
}

static inline struct ghcb *fx_ghcb(struct ghcb_fixture *f)
{
	return (struct ghcb *)(f->ram + FX_GHCB_GPA);
}

static inline void fx_valid_set(struct ghcb *g, unsigned bit)
{
	g->save.valid_bitmap[bit / 8] |= (u8)(1u << (bit % 8));
}

static inline bool fx_valid_test(const struct ghcb *g, unsigned bit)
{
	return (g->save.valid_bitmap[bit / 8] >> (bit % 8)) & 1;
}

/* Sets a save-area field and its valid bit, as the guest does. */
#define FX_SET(g, field, val)                          \
	do {                                           \
		(g)->save.field = (val);               \
		fx_valid_set((g), GHCB_BIT(field));    \
	} while (0)

/* Starts a request in the GHCB: zeroed save area, standard usage, the given version, the
 * exit code and both exit infos valid. */
static inline struct ghcb *fx_req(struct ghcb_fixture *f, u16 version, u64 code, u64 info1, u64 info2)
{
	struct ghcb *g = fx_ghcb(f);
	memset(&g->save, 0, sizeof(g->save));
	g->protocol_version = version;
	g->ghcb_usage = 0;
	FX_SET(g, sw_exit_code, code);
	FX_SET(g, sw_exit_info1, info1);
	FX_SET(g, sw_exit_info2, info2);
	return g;
}

/* VMGEXIT through the GHCB page at FX_GHCB_GPA. */
static inline enum svm_outcome fx_vmgexit(struct ghcb_fixture *f)
{
	f->vmcb[0].control.ghcb_gpa = FX_GHCB_GPA;
	return ghcb_handle_vmgexit(&f->v[0]);
}

/* VMGEXIT with an MSR-protocol value; the answer is in f->vmcb[0].control.ghcb_gpa. */
static inline enum svm_outcome fx_msr(struct ghcb_fixture *f, u64 value)
{
	f->vmcb[0].control.ghcb_gpa = value;
	return ghcb_handle_vmgexit(&f->v[0]);
}

/* The reply's valid bitmap as two words. */
static inline struct ghcb_bits fx_bits(const struct ghcb *g)
{
	struct ghcb_bits b;
	ghcb_bits_load(&b, g->save.valid_bitmap);
	return b;
}

#endif
