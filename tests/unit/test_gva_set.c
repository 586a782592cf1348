/* Kept page translations validated together (struct vcpu_page_set, svm/emul/gva_set.c): after
 * svm_gva_set_check, every slot must give the bytes a fresh walk of the guest's page tables
 * gives now, whatever the guest changed in between without telling anyone (a paging entry at
 * any level, CR0, CR3, CR4, EFER), and a slot that moves to another page must keep watching
 * the entries the other slots still use.
 *
 * Page-table formats: AMD APM vol. 2, 5.3 "Long-Mode Page Translation" (4 levels of 8-byte
 * entries indexed by bits 47:39, 38:30, 29:21, 20:12), 5.2 "Legacy-Mode Page Translation"
 * (32-bit: 4-byte PDEs/PTEs indexed by bits 31:22 and 21:12; with CR4.PSE a PDE with PS maps
 * 4 MiB), 5.2.3/5.3 PAE (CR3 names a 4-entry PDPT, then 8-byte PDEs and PTEs); P = bit 0,
 * PS = bit 7. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/emul/gva.h"

#define P 0x1ULL
#define RW 0x2ULL
#define PS 0x80ULL

/* Guest physical layout inside the fixture's 1 MiB. */
#define PML4 0x10000
#define PDPT 0x11000
#define PD 0x12000
#define PT 0x13000  /* PD[2]: linear 0x400000-0x5FFFFF */
#define PT2 0x14000 /* PD[3]: linear 0x600000-0x7FFFFF */
#define PML4_B 0x15000 /* a second hierarchy for the CR3 switch: LIN_A at DATA_D */
#define PDPT_B 0x16000
#define PD_B 0x17000
#define PT_B 0x18000
#define DATA_A 0x20000
#define DATA_B 0x21000
#define DATA_C 0x22000
#define DATA_D 0x23000
#define LIN_A 0x400000ULL /* PT[0] */
#define LIN_B 0x401000ULL /* PT[1] */
#define LIN_C 0x600000ULL /* PT2[0] */

static struct svm_fx *f;
static struct vcpu_page_set set;

static void put64(u64 gpa, u64 val)
{
	memcpy(f->ram + gpa, &val, 8);
}

static void put32(u64 gpa, u32 val)
{
	memcpy(f->ram + gpa, &val, 4);
}

static int setup(void **state)
{
	(void)state;
	f = sf_new(false);
	memset(&set, 0, sizeof(set));
	struct vmcb_save *s = &f->vmcb->save;
	put64(PML4, PDPT | P | RW);
	put64(PDPT, PD | P | RW);
	put64(PD + 2 * 8, PT | P | RW);
	put64(PD + 3 * 8, PT2 | P | RW);
	put64(PT, DATA_A | P | RW);
	put64(PT + 8, DATA_B | P | RW);
	put64(PT2, DATA_C | P | RW);
	put64(PML4_B, PDPT_B | P | RW);
	put64(PDPT_B, PD_B | P | RW);
	put64(PD_B + 2 * 8, PT_B | P | RW);
	put64(PT_B, DATA_D | P | RW);
	f->ram[DATA_A] = 0xA;
	f->ram[DATA_B] = 0xB;
	f->ram[DATA_C] = 0xC;
	f->ram[DATA_D] = 0xD;
	s->cr0 = CR0_PE | CR0_PG | CR0_ET;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA | EFER_SVME;
	s->cr3 = PML4;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	return 0;
}

/* The first byte of the page at lin through slot; -1 when the slot gives none. Whatever the
 * slot gives must be what a fresh walk reads. */
static int at(unsigned slot, u64 lin)
{
	const u8 *p = svm_gva_set_ptr(&f->v, &set, slot, lin, 1);
	u8 fresh;
	bool mapped = svm_gva_read(&f->v, lin, &fresh, 1);
	if (!p) {
		assert_false(mapped);
		return -1;
	}
	assert_true(mapped);
	assert_int_equal(*p, fresh);
	return *p;
}

static void shares_upper_levels(void **state)
{
	(void)state;
	assert_false(svm_gva_set_check(&f->v, &set)); /* nothing kept yet */
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_int_equal(at(1, LIN_B), 0xB);
	assert_int_equal(at(2, LIN_C), 0xC);
	/* PML4E, PDPTE once each; PD[2] for A and B, PD[3] for C; three PTEs. */
	assert_int_equal(set.nr_entries, 7);
	assert_true(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_int_equal(at(1, LIN_B), 0xB);
	/* Bytes, not translations, are read through the pointer: a write is seen at once. */
	f->ram[DATA_A] = 0x5A;
	assert_true(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0x5A);
}

static void pte_rewritten(void **state)
{
	(void)state;
	svm_gva_set_check(&f->v, &set);
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_int_equal(at(1, LIN_B), 0xB);
	put64(PT + 8, DATA_D | P | RW);
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_int_equal(at(1, LIN_B), 0xD);
	put64(PT + 8, DATA_B); /* not present */
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(1, LIN_B), -1);
	put64(PT + 8, DATA_B | P);
	/* Nothing is kept after the last check (B's walk failed, A was not asked for again):
	 * nothing to invalidate. */
	assert_true(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(1, LIN_B), 0xB);
	assert_int_equal(at(0, LIN_A), 0xA);
}

static void upper_level_rewritten(void **state)
{
	(void)state;
	svm_gva_set_check(&f->v, &set);
	assert_int_equal(at(0, LIN_A), 0xA);
	/* PD[2] becomes a 2 MiB page at GPA 0 (PS): LIN_A -> GPA 0. */
	f->ram[0] = 0x77;
	put64(PD + 2 * 8, 0 | P | RW | PS);
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0x77);
	put64(PDPT, 0); /* the PDPTE goes: nothing below it is mapped */
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), -1);
}

/* Each control register the walk depends on, changed so that the walk gives another page
 * while every entry the set kept stays as it was. */
static void cr3_switch(void **state)
{
	(void)state;
	svm_gva_set_check(&f->v, &set);
	assert_int_equal(at(0, LIN_A), 0xA);
	f->vmcb->save.cr3 = PML4_B;
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0xD);
	f->vmcb->save.cr3 = PML4;
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0xA);
}

static void paging_turned_off(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	svm_gva_set_check(&f->v, &set);
	assert_int_equal(at(0, DATA_C), -1); /* linear DATA_C: PD[0] is not present */
	assert_int_equal(at(1, LIN_A), 0xA);
	/* Paging off: linear = physical. Only CR0 changes (the walker looks at CR0.PG first;
	 * EFER.LMA, which the CPU would clear, stays as it was so that CR0 alone must tell). */
	s->cr0 = CR0_PE | CR0_ET;
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, DATA_C), 0xC);
	assert_int_equal(at(1, LIN_A), -1); /* beyond the 1 MiB of RAM */
}

/* EFER.LMA off with CR4.PAE on: PAE paging, where CR3 names a 4-entry PDPT (APM vol. 2, 5.2.3).
 * Read so, PML4 holds PDPTE 0 = PDPT, used as a page directory whose entry 2 (zero) is not
 * present: LIN_A is unmapped. */
static void long_mode_left(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	svm_gva_set_check(&f->v, &set);
	assert_int_equal(at(0, LIN_A), 0xA);
	s->efer = EFER_SVME;
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), -1);
}

/* 32-bit paging, 4-byte entries: a PDE with PS maps 4 MiB only while CR4.PSE is set; and a
 * 4-byte PTE rewritten is seen. */
static void legacy_paging(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	s->efer = EFER_SVME;
	s->cr4 = CR4_PSE;
	s->cr3 = PD;
	memset(f->ram + PD, 0, PAGE_SIZE);
	/* PDE[1] (linear 0x400000): PS set, frame 0. With CR4.PSE it maps a 4 MiB page at GPA 0,
	 * so LIN_A reads GPA 0; without, bits 31:12 name a page table at GPA 0 whose entry 0 is
	 * the same dword, 0x20001: DATA_A, present. */
	put32(PD + 1 * 4, (u32)(0 | P | RW | PS));
	put32(0, (u32)(DATA_A | P));
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0x01);
	assert_true(svm_gva_set_check(&f->v, &set));
	s->cr4 = 0;
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_true(svm_gva_set_check(&f->v, &set));
	put32(0, (u32)(DATA_C | P));
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0xC);
}

/* A slot that moves to another page drops the entries only its old page used, and keeps
 * watching the ones another slot still reads. */
static void slot_moves(void **state)
{
	(void)state;
	svm_gva_set_check(&f->v, &set);
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_int_equal(at(1, LIN_C), 0xC);
	assert_int_equal(set.nr_entries, 6);
	assert_int_equal(at(1, LIN_B), 0xB); /* slot 1 moves next to A */
	assert_int_equal(set.nr_entries, 5);
	/* C's PTE is no longer watched: its change is nothing to the set. */
	put64(PT2, DATA_D | P | RW);
	assert_true(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0xA);
	/* PD[2], which A (and B) read, still is. */
	f->ram[0] = 0x77;
	f->ram[PAGE_SIZE] = 0x78;
	put64(PD + 2 * 8, 0 | P | RW | PS);
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0x77);
	assert_int_equal(at(1, LIN_B), 0x78);
}

/* A slot whose new page cannot be walked is emptied and its entries are no longer watched:
 * a change there is nothing to the set (the check compares the union's nr_entries entries
 * only). */
static void emptied_slot_not_watched(void **state)
{
	(void)state;
	svm_gva_set_check(&f->v, &set);
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_int_equal(at(1, LIN_B), 0xB);
	assert_int_equal(at(2, LIN_C), 0xC);
	assert_int_equal(set.nr_entries, 7);
	assert_int_equal(at(2, 0x800000), -1); /* PD[4] is not present */
	assert_int_equal(set.nr_entries, 5);
	put64(PT2, DATA_D | P | RW); /* C's PTE */
	assert_true(svm_gva_set_check(&f->v, &set));
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_int_equal(at(1, LIN_B), 0xB);
}

/* gen says whether a host address taken through a slot may still be the slot's: it moves
 * whenever a slot takes another page or the set is emptied, and only then (the #VC delivery
 * keeps the addresses of its gate and descriptor on it). */
static void generation_follows_slot_pages(void **state)
{
	(void)state;
	svm_gva_set_check(&f->v, &set);
	assert_int_equal(at(0, LIN_A), 0xA);
	u64 gen = set.gen;
	assert_int_equal(at(0, LIN_A), 0xA);
	assert_non_null(svm_gva_set_ptr(&f->v, &set, 0, LIN_A + 8, 8)); /* the same page */
	assert_true(svm_gva_set_check(&f->v, &set));
	assert_int_equal(set.gen, gen);
	assert_int_equal(at(1, LIN_B), 0xB); /* slot 1 takes its page */
	assert_int_not_equal(set.gen, gen);
	gen = set.gen;
	assert_int_equal(at(0, LIN_C), 0xC); /* slot 0 moves */
	assert_int_not_equal(set.gen, gen);
	gen = set.gen;
	put64(PT + 8, DATA_D | P | RW); /* B's PTE: the set is emptied */
	assert_false(svm_gva_set_check(&f->v, &set));
	assert_int_not_equal(set.gen, gen);
}

/* Ranges that cross a page, or are empty, are not served (svm_gva_read decides those). */
static void ranges(void **state)
{
	(void)state;
	svm_gva_set_check(&f->v, &set);
	assert_non_null(svm_gva_set_ptr(&f->v, &set, 0, LIN_A + PAGE_SIZE - 8, 8));
	assert_null(svm_gva_set_ptr(&f->v, &set, 0, LIN_A + PAGE_SIZE - 8, 9));
	assert_null(svm_gva_set_ptr(&f->v, &set, 0, LIN_A, 0));
}

/* A full union: four slots whose walks share no entry (each page under its own PML4E, linear
 * (k + 1) << 39, with its own PDPT, PD and PT at SEP_TABLES + k * 0x3000), 16 entries. Each of
 * them, made not present (P clear) in turn, must empty the set: the slot that read it then
 * gives what a fresh walk gives (nothing), whichever place the entry has in the union. */
#define SEP_TABLES 0x30000

static u64 sep_lin(unsigned k)
{
	return (u64)(k + 1) << 39;
}

static u64 sep_entry(unsigned k, unsigned level) /* 0: PML4E ... 3: PTE */
{
	u64 t = SEP_TABLES + k * 0x3000;
	return level == 0 ? PML4 + (k + 1) * 8 : t + (level - 1) * PAGE_SIZE;
}

static void every_entry_watched(void **state)
{
	(void)state;
	for (unsigned k = 0; k < 4; k++) {
		u64 t = SEP_TABLES + k * 0x3000;
		put64(sep_entry(k, 0), t | P | RW);
		put64(sep_entry(k, 1), (t + PAGE_SIZE) | P | RW);
		put64(sep_entry(k, 2), (t + 2 * PAGE_SIZE) | P | RW);
		put64(sep_entry(k, 3), DATA_A | P | RW);
	}
	for (unsigned k = 0; k < 4; k++)
		for (unsigned level = 0; level < 4; level++) {
			svm_gva_set_check(&f->v, &set);
			for (unsigned slot = 0; slot < 4; slot++)
				assert_int_equal(at(slot, sep_lin(slot)), 0xA);
			assert_int_equal(set.nr_entries, 16);
			assert_true(svm_gva_set_check(&f->v, &set));
			u64 e = sep_entry(k, level), was;
			memcpy(&was, f->ram + e, 8);
			put64(e, was & ~P);
			assert_false(svm_gva_set_check(&f->v, &set));
			assert_int_equal(at(k, sep_lin(k)), -1);
			put64(e, was);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(shares_upper_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(pte_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(upper_level_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(cr3_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(paging_turned_off, setup, teardown),
		cmocka_unit_test_setup_teardown(long_mode_left, setup, teardown),
		cmocka_unit_test_setup_teardown(legacy_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(slot_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(emptied_slot_not_watched, setup, teardown),
		cmocka_unit_test_setup_teardown(generation_follows_slot_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(every_entry_watched, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
