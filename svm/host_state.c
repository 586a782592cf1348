/* See host_state.h. */
#include "svm/host_state.h"
#include "lib/fmt.h"

unsigned svm_host_state_diff(const struct host_cr_state *want, const struct host_cr_state *now)
{
	unsigned d = 0;
	if (want->cr0 != now->cr0)
		d |= HOST_STATE_CR0;
	if (want->cr3 != now->cr3)
		d |= HOST_STATE_CR3;
	if (want->cr4 != now->cr4)
		d |= HOST_STATE_CR4;
	if (want->efer != now->efer)
		d |= HOST_STATE_EFER;
	return d;
}

static const unsigned host_state_order[] = { HOST_STATE_CR4, HOST_STATE_CR3, HOST_STATE_EFER, HOST_STATE_CR0 };

unsigned svm_host_state_reload_order(unsigned diff, unsigned order[4])
{
	unsigned n = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(host_state_order); i++)
		if (diff & host_state_order[i])
			order[n++] = host_state_order[i];
	return n;
}

void svm_host_state_describe(unsigned diff, const struct host_cr_state *want, const struct host_cr_state *now,
			     char *buf, size_t size)
{
	static const struct {
		unsigned flag;
		const char *name;
		size_t off;
	} regs[] = {
		{ HOST_STATE_CR0, "CR0", offsetof(struct host_cr_state, cr0) },
		{ HOST_STATE_CR3, "CR3", offsetof(struct host_cr_state, cr3) },
		{ HOST_STATE_CR4, "CR4", offsetof(struct host_cr_state, cr4) },
		{ HOST_STATE_EFER, "EFER", offsetof(struct host_cr_state, efer) },
	};
	size_t len = 0;
	if (size)
		buf[0] = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(regs) && len < size; i++) {
		if (!(diff & regs[i].flag))
			continue;
		u64 w = *(const u64 *)((const u8 *)want + regs[i].off);
		u64 n = *(const u64 *)((const u8 *)now + regs[i].off);
		len += (size_t)fmt_snprintf(buf + len, size - len, "%s%s 0x%llx (ran with 0x%llx)", len ? ", " : "",
					    regs[i].name, (unsigned long long)n, (unsigned long long)w);
	}
}
