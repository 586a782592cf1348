/* VMCB control-area set-up per mode. Intercept only what sevisor needs: everything else,
 * including every exception the guest raises for itself (#UD, #GP, #PF ...), goes straight to
 * the guest's own IDT. */
#include "svm/vmcb_setup.h"
#include "lib/kstring.h"

/* Every mode: physical interrupts and NMIs end the guest's run so the host keeps its timer;
 * CPUID, HLT, port I/O (through the all-ones IOPM), MSRs (through the MSR map the MSR model
 * generates), INVD and SHUTDOWN are the hypervisor's; VMRUN must be intercepted (APM 15.5.1)
 * and the other SVM instructions are refused. */
#define SVM_COMMON_MISC1                                                                              \
	(BIT(SVM_INTERCEPT_INTR) | BIT(SVM_INTERCEPT_NMI) | BIT(SVM_INTERCEPT_CPUID) | BIT(SVM_INTERCEPT_HLT) | \
	 BIT(SVM_INTERCEPT_IOIO_PROT) | BIT(SVM_INTERCEPT_MSR_PROT) | BIT(SVM_INTERCEPT_INVD) |              \
	 BIT(SVM_INTERCEPT_SHUTDOWN) | BIT(SVM_INTERCEPT_INVLPGA))
#define SVM_COMMON_MISC2                                                                              \
	(BIT(SVM_INTERCEPT_VMRUN) | BIT(SVM_INTERCEPT_VMMCALL) | BIT(SVM_INTERCEPT_VMLOAD) |                \
	 BIT(SVM_INTERCEPT_VMSAVE) | BIT(SVM_INTERCEPT_STGI) | BIT(SVM_INTERCEPT_CLGI) |                     \
	 BIT(SVM_INTERCEPT_SKINIT))
/* CR write intercepts (offset 0x000: bit 16 + n = write CRn) and SEV-ES write traps. */
#define SVM_CR_WRITE(n) BIT(16 + (n))
#define SVM_TRAP_CR_WRITE(n) BIT(SVM_TRAP_CR0_WRITE + (n))
/* DR7 read (bit 7) and write (bit 16 + 7) intercepts (offset 0x004). */
#define SVM_DR7_ACCESS (BIT(7) | BIT(16 + 7))

/* What sevisor programs per mode. sev-es and soft-es share one entry: soft-es intercepts
 * exactly what a real SEV-ES guest gets (DESIGN.md), the model only translating the write
 * traps its CPU does not have (sev/soft_es.c). */
static const struct svm_intercepts svm_mode_intercepts[] = {
	/* The shadow-register module sees every CR0/CR4/CR8 write (issue 4); CLTS and LMSW arrive
	 * as CR0 writes. */
	[VM_MODE_PLAIN] = {
		.cr = SVM_CR_WRITE(0) | SVM_CR_WRITE(4) | SVM_CR_WRITE(8),
		.misc1 = SVM_COMMON_MISC1,
		.misc2 = SVM_COMMON_MISC2,
	},
	/* As KVM programs an SEV-ES vCPU (facts C.3, sev_es_init_vmcb): no CR read or write
	 * intercepts but the EFER, CR0, CR4 and CR8 write traps; DR7 only (NAE 0x27/0x37); no
	 * XSETBV; the instructions with an NAE event: RDPMC, WBINVD, MONITOR/MWAIT besides the
	 * common ones. No RDTSC/RDTSCP: KVM does not intercept them for SEV-ES guests, so a guest
	 * timing itself does not take a #VC per read. No exception intercepts (#GP/#UD cleared). */
	[VM_MODE_SEV_ES] = {
		.dr = SVM_DR7_ACCESS,
		.misc1 = SVM_COMMON_MISC1 | BIT(SVM_INTERCEPT_RDPMC),
		.misc2 = SVM_COMMON_MISC2 | BIT(SVM_INTERCEPT_WBINVD) | BIT(SVM_INTERCEPT_MONITOR) |
			 BIT(SVM_INTERCEPT_MWAIT) | BIT(SVM_TRAP_EFER_WRITE) | SVM_TRAP_CR_WRITE(0) |
			 SVM_TRAP_CR_WRITE(4) | SVM_TRAP_CR_WRITE(8),
	},
};

const struct svm_intercepts *svm_intercepts_for(enum vm_mode mode)
{
	return &svm_mode_intercepts[mode == VM_MODE_PLAIN ? VM_MODE_PLAIN : VM_MODE_SEV_ES];
}

void svm_intercepts_load(struct vmcb_control *c, const struct svm_intercepts *i)
{
	c->intercept_cr = i->cr;
	c->intercept_dr = i->dr;
	c->intercept_exceptions = i->exceptions;
	c->intercept_misc1 = i->misc1;
	c->intercept_misc2 = i->misc2;
	c->intercept_misc3 = i->misc3;
}

void svm_vmcb_init(struct vmcb *vmcb, const struct svm_vmcb_params *p)
{
	struct vmcb_control *c = &vmcb->control;
	memset(c, 0, sizeof(*c));
	svm_intercepts_load(c, svm_intercepts_for(p->mode));
	c->iopm_base_pa = p->iopm_pa;
	c->msrpm_base_pa = p->msrpm_pa;
	c->asid = p->asid;
	c->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL; /* first run: nothing stale for this ASID */
	/* V_INTR_MASKING: the guest's IF governs virtual interrupts only; host IF governs
	 * physical ones (APM 15.21.1), so the guest cannot block the host's timer. */
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = p->ncr3;
	if (p->mode == VM_MODE_SEV_ES) {
		/* C.3: NP + SEV + SEV-ES, the VMSA pointer, LBR virtualization (mandatory for
		 * SEV-ES, G15). The write traps come with the intercept set above. */
		c->nested_ctl |= SVM_NESTED_CTL_SEV_ENABLE | SVM_NESTED_CTL_SEV_ES_ENABLE;
		c->vmsa_pa = p->vmsa_pa;
		c->virt_ext |= SVM_VIRT_EXT_LBRV;
	}
	vmcb->save.g_pat = SVM_GUEST_PAT_DEFAULT;
}
