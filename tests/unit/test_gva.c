/* svm/emul/gva.c: guest page walks with the permission checks, and the #PF error code an
 * emulated access gets when they refuse it.
 *
 * Vectors: APM vol. 2, 8.4.2 "#PF" error code: bit 0 P (0: the entry was not present; 1: a
 * protection violation), bit 1 R/W (write), bit 2 U/S (CPL 3), bit 3 RSV (reserved bit set in a
 * paging entry; P is 1 then too), bit 4 I/D (instruction fetch, when no-execute applies: PAE
 * paging with EFER.NXE, or SMEP). APM vol. 2, 5.6: a page is writable/user only if every level
 * says so; supervisor writes to read-only pages fault only with CR0.WP; NX (bit 63) faults
 * fetches with EFER.NXE and is a reserved bit without it; SMEP faults supervisor fetches from
 * user pages, SMAP supervisor data accesses to user pages while RFLAGS.AC = 0. 5.3: PS is
 * reserved (MBZ) in a PML4E, bits 20:13 of a 2 MiB PDE. CR2 holds the faulting linear address. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/emul/gva.h"

#define P BIT(0)
#define RW BIT(1)
#define US BIT(2)
#define PS BIT(7)
#define NX BIT(63)
#define E_P SVM_PF_P
#define E_W SVM_PF_W
#define E_U SVM_PF_U
#define E_RSV SVM_PF_RSV
#define E_ID SVM_PF_ID
#define RFLAGS_AC BIT(18)

/* Long-mode tables: PML4 0x10000 -> PDPT 0x11000 -> PD 0x12000 -> PT 0x13000; VA 0x400000
 * (PD index 2) is the page under test, backed by GPA 0x20000. */
#define PML4 0x10000
#define PDPT 0x11000
#define PD 0x12000
#define PT 0x13000
#define VA 0x400000ULL
#define BACKING 0x20000ULL

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	return 0;
}

static void put64(u64 gpa, u64 v)
{
	memcpy(f->ram + gpa, &v, 8);
}

/* Long mode with the page at VA mapped through entries with the given extra bits. */
static void long_mode(u64 upper, u64 pte)
{
	struct vmcb_save *s = &f->vmcb->save;
	s->cr0 = CR0_PE | CR0_PG | CR0_WP;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME;
	s->cr3 = PML4;
	s->cpl = 0;
	put64(PML4, PDPT | P | RW | US);
	put64(PDPT, PD | P | RW | US);
	put64(PD + 2 * 8, PT | upper);
	put64(PT, pte);
}

static u32 fault(u64 va, enum svm_gva_access acc)
{
	u64 gpa = 0;
	u32 err = 0xDEAD;
	enum svm_gva_result r = svm_gva_translate(&f->v, va, acc, &gpa, &err);
	if (r == SVM_GVA_OK)
		return 0xFFFFFFFF; /* no fault */
	assert_int_equal(r, SVM_GVA_FAULT);
	return err;
}

#define OK 0xFFFFFFFFu

static void translates_with_rights(void **state)
{
	(void)state;
	long_mode(P | RW | US, BACKING | P | RW | US);
	u64 gpa;
	u32 err;
	assert_int_equal(svm_gva_translate(&f->v, VA + 0x123, SVM_GVA_WRITE, &gpa, &err), SVM_GVA_OK);
	assert_int_equal(gpa, BACKING + 0x123);
	f->vmcb->save.cpl = 3;
	assert_int_equal(fault(VA, SVM_GVA_FETCH), OK);
}

static void not_present(void **state)
{
	(void)state;
	long_mode(P | RW | US, BACKING); /* PTE.P = 0 */
	assert_int_equal(fault(VA, SVM_GVA_READ), 0);
	assert_int_equal(fault(VA, SVM_GVA_WRITE), E_W);
	f->vmcb->save.cpl = 3;
	assert_int_equal(fault(VA, SVM_GVA_WRITE), E_W | E_U);
	/* A fetch with EFER.NXE reports I/D even for a not-present page. */
	assert_int_equal(fault(VA, SVM_GVA_FETCH), E_U | E_ID);
	/* Not present at the PDE: the walk stops there, same code. */
	long_mode(RW | US, BACKING | P | RW | US);
	assert_int_equal(fault(VA, SVM_GVA_READ), 0);
}

static void read_only_and_wp(void **state)
{
	(void)state;
	long_mode(P | RW | US, BACKING | P | US); /* PTE read-only */
	assert_int_equal(fault(VA, SVM_GVA_READ), OK);
	assert_int_equal(fault(VA, SVM_GVA_WRITE), E_P | E_W);
	f->vmcb->save.cr0 &= ~CR0_WP; /* supervisor writes ignore R/W without WP */
	assert_int_equal(fault(VA, SVM_GVA_WRITE), OK);
	f->vmcb->save.cpl = 3; /* ...user writes never do */
	assert_int_equal(fault(VA, SVM_GVA_WRITE), E_P | E_W | E_U);
	/* Read-only at the upper level only: the page is read-only. */
	long_mode(P | US, BACKING | P | RW | US);
	assert_int_equal(fault(VA, SVM_GVA_WRITE), E_P | E_W);
}

static void supervisor_page_from_user(void **state)
{
	(void)state;
	long_mode(P | RW, BACKING | P | RW | US); /* the PDE is supervisor-only */
	assert_int_equal(fault(VA, SVM_GVA_READ), OK);
	f->vmcb->save.cpl = 3;
	assert_int_equal(fault(VA, SVM_GVA_READ), E_P | E_U);
}

static void no_execute(void **state)
{
	(void)state;
	long_mode(P | RW | US, BACKING | P | RW | NX);
	assert_int_equal(fault(VA, SVM_GVA_READ), OK);
	assert_int_equal(fault(VA, SVM_GVA_FETCH), E_P | E_ID);
	/* Without EFER.NXE bit 63 is reserved: every access faults with RSV. */
	f->vmcb->save.efer &= ~EFER_NXE;
	assert_int_equal(fault(VA, SVM_GVA_READ), E_P | E_RSV);
	/* ...and a fetch reports no I/D (neither NXE nor SMEP). */
	assert_int_equal(fault(VA, SVM_GVA_FETCH), E_P | E_RSV);
}

static void smep_and_smap(void **state)
{
	(void)state;
	long_mode(P | RW | US, BACKING | P | RW | US);
	f->vmcb->save.efer &= ~EFER_NXE;
	f->vmcb->save.cr4 |= CR4_SMEP | CR4_SMAP;
	assert_int_equal(fault(VA, SVM_GVA_FETCH), E_P | E_ID); /* SMEP alone makes I/D defined */
	assert_int_equal(fault(VA, SVM_GVA_READ), E_P);
	assert_int_equal(fault(VA, SVM_GVA_WRITE), E_P | E_W);
	f->vmcb->save.rflags |= RFLAGS_AC; /* STAC: SMAP allows the data access */
	assert_int_equal(fault(VA, SVM_GVA_READ), OK);
	f->vmcb->save.cpl = 3; /* user accesses to user pages: neither applies */
	f->vmcb->save.rflags &= ~RFLAGS_AC;
	assert_int_equal(fault(VA, SVM_GVA_FETCH), OK);
	assert_int_equal(fault(VA, SVM_GVA_READ), OK);
}

static void reserved_bits(void **state)
{
	(void)state;
	/* PS in a PML4E. */
	long_mode(P | RW | US, BACKING | P | RW | US);
	put64(PML4, PDPT | P | RW | US | PS);
	assert_int_equal(fault(VA, SVM_GVA_READ), E_P | E_RSV);
	f->vmcb->save.cpl = 3;
	assert_int_equal(fault(VA, SVM_GVA_WRITE), E_P | E_RSV | E_W | E_U);
	/* A 2 MiB page with bit 13 set. */
	long_mode(P | RW | US, 0);
	f->vmcb->save.cpl = 0;
	put64(PD + 2 * 8, 0x400000 | BIT(13) | P | RW | PS);
	assert_int_equal(fault(VA, SVM_GVA_READ), E_P | E_RSV);
	put64(PD + 2 * 8, 0x400000 | P | RW | PS);
	u64 gpa;
	u32 err;
	assert_int_equal(svm_gva_translate(&f->v, VA + 0x1234, SVM_GVA_READ, &gpa, &err), SVM_GVA_OK);
	assert_int_equal(gpa, 0x401234);
}

/* 32-bit paging (CR4.PAE = 0): no NX, so a fetch never reports I/D. */
static void legacy_32bit(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	s->cr0 = CR0_PE | CR0_PG | CR0_WP;
	s->cr4 = 0;
	s->efer = EFER_SVME;
	s->cr3 = PD;
	u32 pde = PT | P | RW | US, pte = (u32)BACKING | P | US; /* VA 0x400000: PD index 1 */
	memcpy(f->ram + PD + 4, &pde, 4);
	memcpy(f->ram + PT, &pte, 4);
	s->cpl = 3;
	assert_int_equal(fault(VA, SVM_GVA_WRITE), E_P | E_W | E_U);
	assert_int_equal(fault(VA + 0x1000, SVM_GVA_FETCH), E_U); /* PTE 1 is zero: not present */
	assert_int_equal(fault(VA, SVM_GVA_READ), OK);
}

/* The #PF reaches the guest with its error code and CR2 = the faulting address. */
static void inject_pf_sets_cr2(void **state)
{
	(void)state;
	assert_int_equal(svm_inject_pf(&f->v, 0xDEAD000, E_W | E_U), SVM_INJECT);
	assert_int_equal(f->vmcb->save.cr2, 0xDEAD000);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info & 0xFF, 14);
	assert_int_equal(f->v.pending.err_code, E_W | E_U);
	assert_true(f->v.pending.info & BIT(11)); /* error code valid (APM vol. 2, 15.20) */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(translates_with_rights),
		T(not_present),
		T(read_only_and_wp),
		T(supervisor_page_from_user),
		T(no_execute),
		T(smep_and_smap),
		T(reserved_bits),
		T(legacy_32bit),
		T(inject_pf_sets_cr2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
