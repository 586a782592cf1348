/* VMSA construction; see vmsa.h. The fields the VMSA shares with the VMCB save area sit at the
 * same offsets in both (ghcb-sev-facts.md C.5 step 1: "identical by design"), so one table of
 * VMSA offsets names them, and the GPRs come from struct svm_gprs by a second table. */
#include "sev/vmsa.h"
#include "svm/vcpu.h"
#include "lib/kstring.h"

/* Save-area fields copied both ways, by offset inside the save area / VMSA, and size. */
struct vmsa_field {
	u16 off;
	u8 size;
};

#define SAVE_FIELD(f) { (u16)offsetof(struct sev_vmsa, f), (u8)sizeof(((struct sev_vmsa *)0)->f) }
static const struct vmsa_field save_fields[] = {
	SAVE_FIELD(es), SAVE_FIELD(cs), SAVE_FIELD(ss), SAVE_FIELD(ds), SAVE_FIELD(fs), SAVE_FIELD(gs),
	SAVE_FIELD(gdtr), SAVE_FIELD(ldtr), SAVE_FIELD(idtr), SAVE_FIELD(tr),
	SAVE_FIELD(cpl), SAVE_FIELD(efer), SAVE_FIELD(cr4), SAVE_FIELD(cr3), SAVE_FIELD(cr0),
	SAVE_FIELD(rflags), SAVE_FIELD(rip), SAVE_FIELD(rsp), SAVE_FIELD(rax),
	SAVE_FIELD(star), SAVE_FIELD(lstar), SAVE_FIELD(cstar), SAVE_FIELD(sfmask), SAVE_FIELD(kernel_gs_base),
	SAVE_FIELD(sysenter_cs), SAVE_FIELD(sysenter_esp), SAVE_FIELD(sysenter_eip), SAVE_FIELD(cr2),
};

/* The save-area offsets the table relies on are the VMCB's too (svm/vmcb.h, APM table B-2). */
#define SAME_OFFSET(f) _Static_assert(offsetof(struct sev_vmsa, f) == offsetof(struct vmcb_save, f), #f)
SAME_OFFSET(es);
SAME_OFFSET(tr);
SAME_OFFSET(cpl);
SAME_OFFSET(efer);
SAME_OFFSET(cr4);
SAME_OFFSET(cr0);
SAME_OFFSET(rflags);
SAME_OFFSET(rip);
SAME_OFFSET(rsp);
SAME_OFFSET(rax);
SAME_OFFSET(star);
SAME_OFFSET(sysenter_eip);
SAME_OFFSET(cr2);
SAME_OFFSET(g_pat);
SAME_OFFSET(dr7);
SAME_OFFSET(dr6);

struct vmsa_gpr {
	u16 vmsa_off, gprs_off;
};
#define GPR(r) { (u16)offsetof(struct sev_vmsa, r), (u16)offsetof(struct svm_gprs, r) }
static const struct vmsa_gpr gpr_fields[] = {
	GPR(rbx), GPR(rcx), GPR(rdx), GPR(rsi), GPR(rdi), GPR(rbp),
	GPR(r8), GPR(r9), GPR(r10), GPR(r11), GPR(r12), GPR(r13), GPR(r14), GPR(r15),
};

void sev_vmsa_build(struct sev_vmsa *out, const struct vmcb_save *s, const struct svm_gprs *g, u64 sev_features)
{
	memset(out, 0, sizeof(*out));
	u8 *dst = (u8 *)out;
	const u8 *src = (const u8 *)s;
	for (unsigned i = 0; i < ARRAY_SIZE(save_fields); i++)
		memcpy(dst + save_fields[i].off, src + save_fields[i].off, save_fields[i].size);
	for (unsigned i = 0; i < ARRAY_SIZE(gpr_fields); i++)
		memcpy(dst + gpr_fields[i].vmsa_off, (const u8 *)g + gpr_fields[i].gprs_off, 8);
	/* EFER.SVME is set in every VMSA: hardware requires it (APM 15.4; C.5). */
	out->efer |= SEV_VMSA_EFER_SVME;
	/* No debug state can be changed once encrypted (G16): the reset DR6/DR7. The reset PAT,
	 * XCR0 = x87, and the FPU defaults of FNINIT / reset (G18). */
	out->dr6 = SEV_VMSA_DR6_RESET;
	out->dr7 = SEV_VMSA_DR7_RESET;
	out->g_pat = SEV_VMSA_PAT_RESET;
	out->xcr0 = SEV_VMSA_XCR0_RESET;
	out->x87_fcw = SEV_VMSA_FCW_RESET;
	out->mxcsr = SEV_VMSA_MXCSR_RESET;
	out->sev_features = sev_features;
}

void sev_vmsa_load(const struct sev_vmsa *in, struct vmcb_save *s, struct svm_gprs *g)
{
	const u8 *src = (const u8 *)in;
	u8 *dst = (u8 *)s;
	for (unsigned i = 0; i < ARRAY_SIZE(save_fields); i++)
		memcpy(dst + save_fields[i].off, src + save_fields[i].off, save_fields[i].size);
	for (unsigned i = 0; i < ARRAY_SIZE(gpr_fields); i++)
		memcpy((u8 *)g + gpr_fields[i].gprs_off, src + gpr_fields[i].vmsa_off, 8);
	s->dr6 = in->dr6;
	s->dr7 = in->dr7;
	s->g_pat = in->g_pat;
}
