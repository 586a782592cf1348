/* Issue 10 item 9: the MMIO emulator driven through NPF exits, with instruction bytes in guest
 * RAM (the svm fixture: 1 MiB of RAM at GPA 0, 32-bit protected mode, paging off, the xAPIC page
 * at 0xFEE00000 as the MMIO device). Encodings from the APM vol. 3 opcode maps; the device
 * values from the xAPIC register layout (APM vol. 2, 16.3: SVR at 0xF0 reads 0xFF at reset,
 * version at 0x30 reads 0x00050010 here, see test_devices.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "msr_fixture.h"
#include "svm_fixture.h"
#include "svm/exit_table.h"
#include "svm/emul/alu.h"
#include "svm/dev/io.h"
#include "svm/emul/gva.h"

#define APIC 0xFEE00000ULL
#define SVR (APIC + 0xF0)
#define EVT_UD 0x80000306u /* V | type 3 | vector 6 (APM vol. 2, 15.20) */

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	msr_cpuid_set_host(fx_host_cpuid);
	f = sf_new(true); /* unbacked = ignore: GPAs past RAM read all ones */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	return 0;
}

#define CODE(...) put_code((const u8[]){ __VA_ARGS__ }, sizeof((const u8[]){ __VA_ARGS__ }))
static void put_code(const u8 *bytes, size_t n)
{
	memcpy(f->ram + 0x1000, bytes, n);
	f->vmcb->save.rip = 0x1000;
}

static enum svm_outcome npf(u64 gpa)
{
	f->vmcb->control.exit_code = 0x400;
	f->vmcb->control.exit_info1 = 1ULL << 32;
	f->vmcb->control.exit_info2 = gpa;
	return svm_handle_exit(&f->v);
}

static u64 apic_read(u64 gpa)
{
	u64 v = 0;
	assert_true(svm_mmio(&f->vm, gpa, 4, false, &v));
	return v;
}

static void or_imm_to_mmio(void **state)
{
	(void)state;
	/* or dword [0xFEE000F0], 0x100: SVR 0xFF -> 0x1FF; OR clears CF/OF, result not zero. */
	CODE(0x81, 0x0D, 0xF0, 0x00, 0xE0, 0xFE, 0x00, 0x01, 0x00, 0x00);
	f->vmcb->save.rflags = 2 | RFLAGS_CF | RFLAGS_ZF;
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_int_equal(apic_read(SVR), 0x1FF);
	assert_int_equal(f->vmcb->save.rip, 0x100A);
	assert_int_equal(f->vmcb->save.rflags & (RFLAGS_CF | RFLAGS_ZF | RFLAGS_OF), 0);
}

static void lock_rmw_and_lock_mov(void **state)
{
	(void)state;
	/* lock and dword [eax], 0xFFFFFEFF (81 /4): clears the SVR enable bit again. */
	f->vmcb->save.rax = SVR;
	CODE(0xF0, 0x81, 0x20, 0xFF, 0xFE, 0xFF, 0xFF);
	assert_true(svm_mmio(&f->vm, SVR, 4, true, &(u64){ 0x1FF }));
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_int_equal(apic_read(SVR), 0xFF);
	assert_int_equal(f->vmcb->save.rip, 0x1007);
	/* lock mov [eax], ecx: LOCK on a non-RMW instruction is #UD, nothing written. */
	f->v.gprs.rcx = 0x1AB;
	CODE(0xF0, 0x89, 0x08);
	assert_int_equal(npf(SVR), SVM_INJECT);
	assert_int_equal(f->v.pending.info, EVT_UD);
	assert_int_equal(apic_read(SVR), 0xFF);
	assert_int_equal(f->vmcb->save.rip, 0x1000);
}

static void cmp_test_bt_do_not_store(void **state)
{
	(void)state;
	f->vmcb->save.rax = SVR;
	/* cmp dword [eax], 0xFF: equal -> ZF, no write. */
	CODE(0x81, 0x38, 0xFF, 0x00, 0x00, 0x00);
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_true(f->vmcb->save.rflags & RFLAGS_ZF);
	assert_int_equal(apic_read(SVR), 0xFF);
	/* bts dword [eax], 8: CF = old bit 8 (0), bit set. */
	CODE(0x0F, 0xBA, 0x28, 0x08);
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_false(f->vmcb->save.rflags & RFLAGS_CF);
	assert_int_equal(apic_read(SVR), 0x1FF);
	/* bt dword [eax], ecx with ecx = 8: CF = 1 now. */
	f->v.gprs.rcx = 8;
	CODE(0x0F, 0xA3, 0x08);
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_true(f->vmcb->save.rflags & RFLAGS_CF);
	/* bt dword [eax-4], ecx with ecx = 40: the bit offset moves the operand by one dword
	 * (APM vol. 3, BT): bit 8 of [eax] again. */
	f->vmcb->save.rax = SVR - 4;
	f->v.gprs.rcx = 40;
	f->vmcb->save.rflags = 2;
	CODE(0x0F, 0xA3, 0x08);
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_true(f->vmcb->save.rflags & RFLAGS_CF);
	/* test byte [eax+4], 0x80 ... eax = SVR - 4: bit 7 of SVR (set) -> ZF clear. */
	CODE(0xF6, 0x40, 0x04, 0x80);
	f->vmcb->save.rflags = 2 | RFLAGS_ZF;
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_false(f->vmcb->save.rflags & RFLAGS_ZF);
	assert_int_equal(f->vmcb->save.rip, 0x1004);
}

static void register_destination_and_xchg(void **state)
{
	(void)state;
	f->vmcb->save.rax = APIC + 0x30; /* version: 0x00050010 */
	f->v.gprs.rcx = 0x10;
	/* add ecx, [eax]: ecx = 0x00050020, memory untouched. */
	CODE(0x03, 0x08);
	assert_int_equal(npf(APIC + 0x30), SVM_RESUME);
	assert_int_equal(f->v.gprs.rcx, 0x00050020);
	/* xchg [eax], ecx on SVR: ecx gets 0xFF, SVR gets 0x1AB. */
	f->vmcb->save.rax = SVR;
	f->v.gprs.rcx = 0x1AB;
	CODE(0x87, 0x08);
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_int_equal(f->v.gprs.rcx, 0xFF);
	assert_int_equal(apic_read(SVR), 0x1AB);
}

static void rep_movs_and_stos_between_ram_and_mmio(void **state)
{
	(void)state;
	/* rep movsd: RAM 0x3000 (0x1CD) -> SVR, count 1, DF = 0. */
	memcpy(f->ram + 0x3000, &(u32){ 0x1CD }, 4);
	f->v.gprs.rsi = 0x3000;
	f->v.gprs.rdi = SVR;
	f->v.gprs.rcx = 1;
	CODE(0xF3, 0xA5);
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_int_equal(apic_read(SVR), 0x1CD);
	assert_int_equal(f->v.gprs.rcx, 0);
	assert_int_equal(f->v.gprs.rsi, 0x3004);
	assert_int_equal(f->v.gprs.rdi, SVR + 4);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
	/* rep movsd MMIO -> RAM: version and the next register (0x34..0x3F read 0 here). */
	f->v.gprs.rsi = APIC + 0x30;
	f->v.gprs.rdi = 0x3100;
	f->v.gprs.rcx = 2;
	CODE(0xF3, 0xA5);
	assert_int_equal(npf(APIC + 0x30), SVM_RESUME);
	u32 got;
	memcpy(&got, f->ram + 0x3100, 4);
	assert_int_equal(got, 0x00050010);
	assert_int_equal(f->v.gprs.rcx, 0);
	/* stosd with DF = 1: SVR <- eax, rdi goes down. */
	f->vmcb->save.rax = 0x1EF;
	f->v.gprs.rdi = SVR;
	f->vmcb->save.rflags = 2 | BIT(10);
	CODE(0xAB);
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_int_equal(apic_read(SVR), 0x1EF);
	assert_int_equal(f->v.gprs.rdi, SVR - 4);
}

#define UNBACKED 0x80000000ULL /* past RAM, no device: reads all ones (unbacked = ignore) */

/* CMPXCHG (APM vol. 3): SVR reads 0xFF at reset. Equal: memory takes ECX, ZF = 1, EAX kept.
 * Not equal: EAX takes memory, ZF = 0, flags of CMP EAX, mem. */
static void cmpxchg_on_mmio(void **state)
{
	(void)state;
	f->v.gprs.rdx = SVR;
	f->vmcb->save.rax = 0xFF;
	f->v.gprs.rcx = 0x1FF;
	CODE(0xF0, 0x0F, 0xB1, 0x0A); /* lock cmpxchg [edx], ecx */
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_int_equal(apic_read(SVR), 0x1FF);
	assert_int_equal(f->vmcb->save.rax, 0xFF);
	assert_int_equal(f->vmcb->save.rflags & RFLAGS_STATUS, RFLAGS_ZF | RFLAGS_PF);
	assert_int_equal(f->vmcb->save.rip, 0x1004);
	/* Again: 0xFF - 0x1FF borrows; EAX gets 0x1FF, SVR keeps it. */
	f->v.gprs.rcx = 0x100;
	CODE(0x0F, 0xB1, 0x0A); /* cmpxchg [edx], ecx */
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_int_equal(apic_read(SVR), 0x1FF);
	assert_int_equal(f->vmcb->save.rax, 0x1FF);
	assert_int_equal(f->vmcb->save.rflags & (RFLAGS_ZF | RFLAGS_CF | RFLAGS_SF), RFLAGS_CF | RFLAGS_SF);
}

/* XADD (APM vol. 3): memory 0xFFFFFFFF + ECX 1 = 0 with CF ZF PF AF; ECX gets the old value. */
static void xadd_on_mmio(void **state)
{
	(void)state;
	f->vmcb->save.rax = UNBACKED;
	f->v.gprs.rcx = 1;
	CODE(0xF0, 0x0F, 0xC1, 0x08); /* lock xadd [eax], ecx */
	assert_int_equal(npf(UNBACKED), SVM_RESUME);
	assert_int_equal(f->v.gprs.rcx, 0xFFFFFFFF);
	assert_int_equal(f->vmcb->save.rflags & RFLAGS_STATUS, RFLAGS_CF | RFLAGS_ZF | RFLAGS_PF | RFLAGS_AF);
	/* On a register that keeps the sum: SVR 0xFF + 0x100. */
	f->vmcb->save.rax = SVR;
	f->v.gprs.rcx = 0x100;
	CODE(0x0F, 0xC1, 0x08);
	assert_int_equal(npf(SVR), SVM_RESUME);
	assert_int_equal(apic_read(SVR), 0x1FF);
	assert_int_equal(f->v.gprs.rcx, 0xFF);
}

/* MOVSX sign-extends, MOVZX zero-extends (SDM vol. 2); a 16-bit destination merges. */
static void movsx_movzx_from_mmio(void **state)
{
	(void)state;
	f->vmcb->save.rax = UNBACKED;
	CODE(0x0F, 0xBE, 0x08); /* movsx ecx, byte [eax]: 0xFF -> 0xFFFFFFFF */
	assert_int_equal(npf(UNBACKED), SVM_RESUME);
	assert_int_equal(f->v.gprs.rcx, 0xFFFFFFFF);
	CODE(0x0F, 0xB6, 0x08); /* movzx ecx, byte [eax] */
	assert_int_equal(npf(UNBACKED), SVM_RESUME);
	assert_int_equal(f->v.gprs.rcx, 0xFF);
	f->v.gprs.rdx = 0x12345678;
	CODE(0x66, 0x0F, 0xBE, 0x10); /* movsx dx, byte [eax]: upper half of EDX kept */
	assert_int_equal(npf(UNBACKED), SVM_RESUME);
	assert_int_equal(f->v.gprs.rdx, 0x1234FFFF);
	CODE(0x0F, 0xBF, 0x10); /* movsx edx, word [eax] */
	assert_int_equal(npf(UNBACKED), SVM_RESUME);
	assert_int_equal(f->v.gprs.rdx, 0xFFFFFFFF);
	/* A positive byte stays positive: the APIC version register's low byte 0x10. */
	f->vmcb->save.rax = APIC + 0x30;
	CODE(0x0F, 0xBE, 0x08);
	assert_int_equal(npf(APIC + 0x30), SVM_RESUME);
	assert_int_equal(f->v.gprs.rcx, 0x10);
	assert_int_equal(f->vmcb->save.rip, 0x1003);
}

/* LODS (SDM vol. 2): the accumulator takes each element, rSI moves by DF; REP reads them all. */
static void lods_from_mmio(void **state)
{
	(void)state;
	f->v.gprs.rsi = APIC + 0x30;
	f->v.gprs.rcx = 1;
	CODE(0xF3, 0xAD); /* rep lodsd */
	assert_int_equal(npf(APIC + 0x30), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rax, 0x00050010);
	assert_int_equal(f->v.gprs.rsi, APIC + 0x34);
	assert_int_equal(f->v.gprs.rcx, 0);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
	/* lodsb with DF = 1: AL only, rSI goes down, RDI untouched. */
	f->vmcb->save.rax = 0x11223344;
	f->v.gprs.rsi = UNBACKED;
	f->v.gprs.rdi = 0x5000;
	f->vmcb->save.rflags = 2 | BIT(10);
	CODE(0xAC);
	assert_int_equal(npf(UNBACKED), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rax, 0x112233FF);
	assert_int_equal(f->v.gprs.rsi, UNBACKED - 1);
	assert_int_equal(f->v.gprs.rdi, 0x5000);
}

/* 32-bit paging (APM vol. 2, 5.3): the first 4 MiB identity-mapped with 4 KiB pages except the
 * page at 0x5000 (not present), the APIC's 4 MiB region with one PSE page. */
#define PG_PD 0x10000
#define PG_PT 0x11000
#define HOLE 0x5000
static void paging_with_hole(void)
{
	for (u32 pg = 0; pg < 1024; pg++) {
		u32 pte = pg == HOLE / 4096 ? 0 : (pg << 12) | 0x3; /* P, RW */
		memcpy(f->ram + PG_PT + 4 * pg, &pte, 4);
	}
	u32 pde0 = PG_PT | 0x3, pde_apic = 0xFEC00000u | 0x83; /* P, RW, PS */
	memcpy(f->ram + PG_PD, &pde0, 4);
	memcpy(f->ram + PG_PD + 4 * (0xFEC00000u >> 22), &pde_apic, 4);
	f->vmcb->save.cr3 = PG_PD;
	f->vmcb->save.cr4 = CR4_PSE;
	f->vmcb->save.cr0 |= CR0_PG | CR0_WP;
}

/* Issue 10: REP MOVSD from MMIO into a page the guest has not mapped takes a #PF there (W set,
 * P clear: a not-present write, APM vol. 2, 8.4.2) with CR2 = its address; the element before
 * it is done, RCX/RSI/RDI say so, and RIP stays on the instruction for the restart. */
static void rep_movs_into_unmapped_page_faults(void **state)
{
	(void)state;
	paging_with_hole();
	f->v.gprs.rsi = APIC + 0x30;
	f->v.gprs.rdi = HOLE - 4;
	f->v.gprs.rcx = 3;
	CODE(0xF3, 0xA5); /* rep movsd */
	assert_int_equal(npf(APIC + 0x30), SVM_INJECT);
	u32 got;
	memcpy(&got, f->ram + HOLE - 4, 4);
	assert_int_equal(got, 0x00050010);
	assert_int_equal(f->v.gprs.rcx, 2);
	assert_int_equal(f->v.gprs.rsi, APIC + 0x34);
	assert_int_equal(f->v.gprs.rdi, HOLE);
	assert_int_equal(f->vmcb->save.rip, 0x1000);
	assert_int_equal(f->vmcb->save.cr2, HOLE);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info & 0xFF, 14);
	assert_int_equal(f->v.pending.err_code, SVM_PF_W);
	assert_int_equal(f->vm.end, VM_END_RUNNING);
}

/* A MOVSD into a read-only page: P and W set (a protection violation). And an instruction whose
 * bytes run into the unmapped page: the fetch's #PF at the page start (32-bit paging: no I/D). */
static void protection_and_fetch_faults(void **state)
{
	(void)state;
	paging_with_hole();
	/* MOVSD from MMIO into a read-only page (supervisor, CR0.WP = 1). */
	u32 ro = (0x6000u) | 0x1; /* P only: read-only */
	memcpy(f->ram + PG_PT + 4 * 6, &ro, 4);
	f->v.gprs.rsi = APIC + 0x30;
	f->v.gprs.rdi = 0x6000;
	CODE(0xA5); /* movsd */
	assert_int_equal(npf(APIC + 0x30), SVM_INJECT);
	assert_int_equal(f->vmcb->save.cr2, 0x6000);
	assert_int_equal(f->v.pending.err_code, SVM_PF_P | SVM_PF_W);
	f->v.pending.pending = false;
	/* 0F B6 /r split across the hole: 0F B6 at 0x4FFE, the ModRM at 0x5000. */
	f->ram[HOLE - 2] = 0x0F;
	f->ram[HOLE - 1] = 0xB6;
	f->vmcb->save.rip = HOLE - 2;
	assert_int_equal(npf(APIC + 0x30), SVM_INJECT);
	assert_int_equal(f->vmcb->save.cr2, HOLE);
	assert_int_equal(f->v.pending.err_code, 0);
	assert_int_equal(f->vmcb->save.rip, HOLE - 2);
}

/* A 4-byte load at the last 2 bytes of RAM: the low half from RAM, the high half from the
 * unbacked range above it (all ones with unbacked = ignore). */
static void access_crossing_ram_into_mmio(void **state)
{
	(void)state;
	f->ram[SF_RAM_SIZE - 2] = 0x34;
	f->ram[SF_RAM_SIZE - 1] = 0x12;
	CODE(0xA1, 0xFE, 0xFF, 0x0F, 0x00); /* mov eax, [0x000FFFFE] */
	assert_int_equal(npf(SF_RAM_SIZE), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rax, 0xFFFF1234);
	assert_int_equal(f->vmcb->save.rip, 0x1005);
	/* And a store: the RAM half is written, the unbacked half dropped. */
	f->v.gprs.rcx = 0xAABBCCDD;
	f->vmcb->save.rax = SF_RAM_SIZE - 2;
	CODE(0x89, 0x08); /* mov [eax], ecx */
	assert_int_equal(npf(SF_RAM_SIZE), SVM_RESUME);
	assert_int_equal(f->ram[SF_RAM_SIZE - 2], 0xDD);
	assert_int_equal(f->ram[SF_RAM_SIZE - 1], 0xCC);
}

/* LMSW m16 (APM vol. 3, LMSW): the word is read from memory; a CR0 write exit. */
static void lmsw_memory_operand(void **state)
{
	(void)state;
	memcpy(f->ram + 0x3200, &(u16){ CR0_PE | CR0_MP | CR0_TS }, 2);
	f->vmcb->save.rax = 0x3200;
	CODE(0x0F, 0x01, 0x30); /* lmsw [eax] */
	f->vmcb->control.exit_code = 0x010; /* CR0 write */
	assert_int_equal(svm_handle_exit(&f->v), SVM_RESUME);
	assert_int_equal(f->v.cr.cr0 & (CR0_PE | CR0_MP | CR0_EM | CR0_TS), CR0_PE | CR0_MP | CR0_TS);
	assert_int_equal(f->vmcb->save.rip, 0x1003);
}

static void unsupported_ends_guest_with_bytes(void **state)
{
	(void)state;
	f->vmcb->save.rax = SVR;
	CODE(0xF7, 0x38); /* idiv dword [eax] */
	assert_int_equal(npf(SVR), SVM_TERMINATE);
	assert_true(sf_contains_ci(f->vm.reason, "bytes f7 38"));
	assert_true(sf_contains_ci(f->vm.reason, "0xfee000f0"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(or_imm_to_mmio),
		T(lock_rmw_and_lock_mov),
		T(cmp_test_bt_do_not_store),
		T(register_destination_and_xchg),
		T(rep_movs_and_stos_between_ram_and_mmio),
		T(access_crossing_ram_into_mmio),
		T(cmpxchg_on_mmio),
		T(xadd_on_mmio),
		T(movsx_movzx_from_mmio),
		T(lods_from_mmio),
		T(rep_movs_into_unmapped_page_faults),
		T(protection_and_fetch_faults),
		T(lmsw_memory_operand),
		T(unsupported_ends_guest_with_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
