/* CPU modes (issue 4): check long mode as entered, then walk compatibility mode -> legacy
 * protected mode -> real mode -> protected mode -> compatibility mode -> 64-bit mode (see
 * modes_tramp.asm), and check CR0, CR4 and EFER at each stop. EFER.LMA must follow LME and
 * CR0.PG, which sevisor has to infer (the CPU sets LMA; no write ever carries it). The same
 * program is built as es_modes.elf for soft-es, where RDMSR goes through #VC and is therefore
 * only used under long mode. */
#include "modes.h"
#include "rt.h"

void modes_walk(void);
extern const u8 modes_tramp_start[], modes_tramp_end[];

static const char *const stage_names[STAGE_COUNT] = {
	"compatibility mode", "legacy protected mode (paging off)", "real mode",
	"protected mode again", "compatibility mode again",
};

struct expect {
	bool pe, pg, pae, lme, lma;
};

static const struct expect expected[STAGE_COUNT] = {
	[STAGE_COMPAT] = {.pe = true, .pg = true, .pae = true, .lme = true, .lma = true},
	[STAGE_LEGACY_PM] = {.pe = true, .pae = true, .lme = true},
	[STAGE_REAL] = {0},
	[STAGE_PM] = {.pe = true},
	[STAGE_COMPAT_AGAIN] = {.pe = true, .pg = true, .pae = true, .lme = true, .lma = true},
};

/* EFER could be read at this stop: always under long mode, elsewhere only without SEV-ES. */
static bool efer_read(enum modes_stage s)
{
	return s == STAGE_COMPAT || s == STAGE_COMPAT_AGAIN || !rt_sev_es;
}

static void check_long_mode(const char *when)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4(), efer = rdmsr(MSR_EFER);
	report_info("%s: CR0 0x%lx CR4 0x%lx EFER 0x%lx", when, cr0, cr4, efer);
	reportf((cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG) && (cr4 & CR4_PAE),
		"modes: %s: CR0.PE, CR0.PG and CR4.PAE set", when);
	reportf((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
		"modes: %s: EFER.LME and EFER.LMA set", when);
}

static void check_stage(const struct modes_log *log, enum modes_stage s)
{
	const struct modes_record *r = &log->rec[s];
	const struct expect *e = &expected[s];
	if (!reportf(r->reached, "modes: reached %s", stage_names[s]))
		return;
	report_info("%s: CR0 0x%x CR4 0x%x EFER 0x%x", stage_names[s], r->cr0, r->cr4, r->efer);
	reportf(!!(r->cr0 & CR0_PE) == e->pe && !!(r->cr0 & CR0_PG) == e->pg &&
			!!(r->cr4 & CR4_PAE) == e->pae,
		"modes: %s: CR0.PE=%d CR0.PG=%d CR4.PAE=%d", stage_names[s], e->pe, e->pg, e->pae);
	if (efer_read(s))
		reportf(!!(r->efer & EFER_LME) == e->lme && !!(r->efer & EFER_LMA) == e->lma,
			"modes: %s: EFER.LME=%d EFER.LMA=%d", stage_names[s], e->lme, e->lma);
}

int main(void)
{
	struct modes_log *log = (struct modes_log *)(u64)MODES_LOG_BASE;
	check_long_mode("64-bit mode at start");

	memset(log, 0, sizeof(*log));
	log->read_efer_everywhere = !rt_sev_es;
	memcpy((void *)(u64)MODES_TRAMP_BASE, modes_tramp_start,
	       (size_t)(modes_tramp_end - modes_tramp_start));
	printf("modes: walking down to real mode and back\n");
	modes_walk();

	for (unsigned s = 0; s < STAGE_COUNT; s++)
		check_stage(log, s);
	report("modes: real-mode segment arithmetic (0x900:0x54) reached the log",
	       log->real_marker == MODES_REAL_MARKER);
	check_long_mode("64-bit mode after the walk");
	return report_summary();
}
