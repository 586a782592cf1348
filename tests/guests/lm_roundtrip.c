/* The long-mode round trip (issue 10 item 6): out of long mode and back (compatibility mode,
 * paging off, EFER.LME off, CR4.PAE off, then LME, PAE and paging on again; see
 * lm_roundtrip_walk.asm), EFER changed by read-modify-write as kernels do, EFER written back
 * with one bit changed in every state, and an exit (CPUID) in every state. It checks CR0, CR4
 * and EFER (LMA as the CPU infers it) in each state and that each EFER write took effect.
 *
 * Built twice: lm_roundtrip.elf (plain) and es_lm_roundtrip.elf (soft-es). Under SEV-ES the
 * EFER read shows SVME, as the CPU reports it (APM 15.4), and writing it back must complete;
 * CPUID raises #VC in each state, which must arrive with its error code in compatibility mode
 * and in legacy protected mode too (issue 10 item 5). */
#include "lm_roundtrip.h"
#include "rt.h"
#include "ghcb.h"


static const char *const names[LR_COUNT] = {
	"64-bit mode", "compatibility mode", "paging off", "EFER.LME off", "CR4.PAE off",
	"EFER.LME on with CR4.PAE off", "CR4.PAE on", "compatibility mode again", "64-bit mode again",
};

struct expect {
	bool pg, pae, lme, lma;
};

/* CR0.PE is set in every state. */
static const struct expect expected[LR_COUNT] = {
	[LR_64BIT] = {.pg = true, .pae = true, .lme = true, .lma = true},
	[LR_COMPAT] = {.pg = true, .pae = true, .lme = true, .lma = true},
	[LR_PAGING_OFF] = {.pae = true, .lme = true},
	[LR_LME_OFF] = {.pae = true},
	[LR_PAE_OFF] = {0},
	[LR_LME_ON] = {.lme = true},
	[LR_PAE_ON] = {.pae = true, .lme = true},
	[LR_COMPAT_AGAIN] = {.pg = true, .pae = true, .lme = true, .lma = true},
	[LR_64BIT_AGAIN] = {.pg = true, .pae = true, .lme = true, .lma = true},
};

/* #VC in this state goes through the 32-bit IDT (long mode off). */
static bool legacy_state(unsigned s)
{
	return !expected[s].lma;
}

static void check_state(unsigned s, u32 vendor_ebx, u32 *vc32_before)
{
	const struct lr_record *r = &lr_log[s];
	const struct expect *e = &expected[s];
	if (!reportf(r->reached, "lm_roundtrip: reached %s", names[s]))
		return;
	report_info("%s: CR0 0x%x CR4 0x%x EFER 0x%x", names[s], r->cr0, r->cr4, r->efer);
	reportf((r->cr0 & CR0_PE) && !!(r->cr0 & CR0_PG) == e->pg && !!(r->cr4 & CR4_PAE) == e->pae,
		"lm_roundtrip: %s: CR0.PE=1 CR0.PG=%d CR4.PAE=%d", names[s], e->pg, e->pae);
	/* SVME: shown by the CPU to an SEV-ES guest, hidden by sevisor from a plain one. */
	reportf(!!(r->efer & EFER_LME) == e->lme && !!(r->efer & EFER_LMA) == e->lma &&
			!!(r->efer & EFER_SVME) == !!rt_sev_es,
		"lm_roundtrip: %s: EFER.LME=%d EFER.LMA=%d EFER.SVME=%d", names[s], e->lme, e->lma, rt_sev_es);
	reportf(r->efer_flip == (r->efer ^ EFER_SCE) && r->efer_back == r->efer,
		"lm_roundtrip: %s: EFER written back with SCE flipped (0x%x) and restored (0x%x)", names[s],
		r->efer_flip, r->efer_back);
	reportf(r->cpuid_ebx == vendor_ebx, "lm_roundtrip: %s: CPUID leaf 0 answered (EBX 0x%x)", names[s],
		r->cpuid_ebx);
	if (rt_sev_es)
		reportf(r->vc32_count == *vc32_before + legacy_state(s),
			"lm_roundtrip: %s: %s", names[s],
			legacy_state(s) ? "one #VC through the 32-bit IDT" : "no #VC through the 32-bit IDT");
	*vc32_before = r->vc32_count;
}

int main(void)
{
	u32 vendor_ebx = cpuid(0).b;
	u32 vc_before = rt_sev_es ? vc_count(SVM_EXIT_CPUID) : 0;
	printf("lm_roundtrip: out of long mode and back\n");
	lr_walk();

	u32 vc32 = 0;
	for (unsigned s = 0; s < LR_COUNT; s++)
		check_state(s, vendor_ebx, &vc32);
	if (rt_sev_es) {
		/* Long mode (64-bit and compatibility mode): the runtime's #VC handler, 4 CPUIDs. */
		u32 vc64 = vc_count(SVM_EXIT_CPUID) - vc_before;
		reportf(vc64 == 4, "lm_roundtrip: 4 #VCs for CPUID under long mode (%u)", vc64);
		reportf(lr_vc32_count == 5 && lr_vc32_err == SVM_EXIT_CPUID && lr_vc32_bad == 0,
			"lm_roundtrip: 5 #VCs with error code 0x72 with long mode off (%u, last 0x%x)",
			lr_vc32_count, lr_vc32_err);
	} else {
		report("lm_roundtrip: no #VC in a plain guest", lr_vc32_count == 0);
	}
	u64 efer = rdmsr(MSR_EFER);
	report("lm_roundtrip: back in 64-bit mode with EFER.LME and EFER.LMA",
	       (efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA));
	return report_summary();
}
