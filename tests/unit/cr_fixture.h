/* Shared fixture for the shadow-register and sregs tests: a struct vm + struct vcpu + zeroed
 * VMCB, built here (no engine code involved), and a log sink that captures every line. */
#ifndef TESTS_UNIT_CR_FIXTURE_H
#define TESTS_UNIT_CR_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "svm/vcpu.h"
#include "svm/cr_shadow.h"
#include "svm/sregs.h"
#include "lib/log.h"

struct cr_fixture {
	struct vm vm;
	struct vcpu v;
	struct vmcb vmcb;
};

/* The Multiboot v1 entry state: protected mode, no paging (Multiboot spec 3.2). */
static const struct cr_shadow_regs cr_fixture_multiboot = { .cr0 = CR0_PE | CR0_ET };

static inline struct cr_fixture *cr_fixture_new(enum vm_mode mode, bool protected_state,
						const struct cr_shadow_regs *state, u64 cr4_allowed)
{
	struct cr_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	strcpy(f->vm.name, "t");
	f->vm.mode = mode;
	f->vm.vcpus = &f->v;
	f->vm.nr_vcpus = 1;
	f->v.vm = &f->vm;
	f->v.id = 0;
	f->v.vmcb = &f->vmcb;
	/* Reset happens before launch, while the save area is still the hypervisor's. */
	cr_shadow_reset(&f->v, state, cr4_allowed);
	f->v.state_protected = protected_state;
	return f;
}

/* ---- log capture ------------------------------------------------------------------------- */

static char cr_log_buf[1 << 16];
static size_t cr_log_len;

static inline void cr_log_sink(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	if (cr_log_len + len >= sizeof(cr_log_buf))
		len = sizeof(cr_log_buf) - 1 - cr_log_len;
	memcpy(cr_log_buf + cr_log_len, text, len);
	cr_log_len += len;
	cr_log_buf[cr_log_len] = 0;
}

static inline void cr_log_capture(void)
{
	log_reset();
	log_add_sink("capture", cr_log_sink, NULL, true);
	log_set_level(LOG_DEBUG);
	cr_log_len = 0;
	cr_log_buf[0] = 0;
}

static inline void cr_log_clear(void)
{
	cr_log_len = 0;
	cr_log_buf[0] = 0;
}

static inline int cr_log_count(const char *needle)
{
	int n = 0;
	for (const char *p = cr_log_buf; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

#endif
