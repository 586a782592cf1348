/* See insn_text.h. A cold path: only ever called on the way to terminating a guest. */
#include "svm/emul/insn_text.h"
#include "svm/emul/decode.h"
#include "svm/emul/gva.h"
#include "lib/fmt.h"

void svm_insn_bytes_text(struct vcpu *v, char *buf, size_t size)
{
	const struct vmcb_save *s = &v->vmcb->save;
	bool m64 = svm_guest_cpu_mode(v) == SVM_CPU_MODE_64;
	u64 lin = (m64 ? 0 : s->cs.base) + s->rip;
	if (!m64)
		lin &= 0xFFFFFFFFULL;
	size_t n = (size_t)fmt_snprintf(buf, size, "bytes");
	unsigned got = 0;
	for (; got < SVM_INSN_MAX_LEN && n < size; got++) {
		u8 b;
		if (!svm_gva_read(v, lin + got, &b, 1))
			break;
		n += (size_t)fmt_snprintf(buf + n, size - n, " %02x", b);
	}
	if (!got)
		fmt_snprintf(buf, size, "no readable bytes at RIP 0x%llx", (unsigned long long)s->rip);
}
