/* The hardware SEV mailbox protocol against a fake PSP register file (ghcb-sev-facts.md F.1,
 * F.2: register offsets per device, cmdresp = id << 16 with IOC clear for polling, RESP bit 31,
 * status in bits 15:0, buffer address split lo/hi, output copied back), the timeout that marks
 * the PSP dead (G30), the refusal ladder for mode sev-es, mode = auto, and the Multiboot
 * launch regions. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "sev/psp_mailbox.h"
#include "sev/platform.h"
#include "sev/guest_launch.h"
#include "boot/config.h"
#include "svm/vmcb_setup.h"
#include "sev/psp_pci.h"

/* ---- a fake PSP: registers, a clock, and a firmware that answers after some polls ---- */

struct fake_psp {
	u32 regs[0x11000 / 4];
	u64 now;
	unsigned polls_to_answer; /* ~0u: never */
	unsigned polls;
	u32 status;
	u32 writes_cmdresp;
	u32 seen_cmd;
	u64 seen_buf;
	unsigned wbinvds;
	const struct sev_psp_device *dev;
	struct soft_psp *firmware; /* when set, the command runs on this model */
};

static struct fake_psp F;
static u8 bounce[4096] __attribute__((aligned(4096)));

static u32 f_read(void *ctx, u32 off)
{
	struct fake_psp *f = ctx;
	if (off == f->dev->cmdresp && f->seen_cmd && !(f->regs[off / 4] & SEV_CMDRESP_RESP)) {
		if (f->polls_to_answer != ~0u && ++f->polls >= f->polls_to_answer) {
			if (f->firmware) {
				/* The soft PSP plays the firmware behind the registers, reading the
				 * command buffer where the mailbox put it. */
				void *buf = f->seen_buf ? (void *)(uintptr_t)f->seen_buf : NULL;
				f->status = f->firmware->psp.ops->submit(&f->firmware->psp, f->seen_cmd, buf);
			} else if (f->seen_cmd == SEV_CMD_PLATFORM_STATUS) {
				/* The firmware: PLATFORM_STATUS writes its output into the buffer. */
				struct sev_data_platform_status *ps = (void *)(uintptr_t)f->seen_buf;
				ps->api_major = 1;
				ps->api_minor = 55;
				ps->build = 21;
				ps->state = SEV_PLATFORM_INIT;
			}
			f->regs[off / 4] = SEV_CMDRESP_RESP | (f->seen_cmd << 16) | f->status;
		}
	}
	return f->regs[off / 4];
}

static void f_write(void *ctx, u32 off, u32 val)
{
	struct fake_psp *f = ctx;
	f->regs[off / 4] = val;
	if (off == f->dev->cmdresp) {
		f->writes_cmdresp++;
		f->seen_cmd = (val >> 16) & 0x7FF;
		f->seen_buf = f->regs[f->dev->cmdbuff_lo / 4] | ((u64)f->regs[f->dev->cmdbuff_hi / 4] << 32);
		f->polls = 0;
	}
}

static u64 f_now(void *ctx)
{
	struct fake_psp *f = ctx;
	return f->now += 1000; /* 1 ms per look at the clock */
}

static void f_wbinvd(void *ctx)
{
	struct fake_psp *f = ctx;
	f->wbinvds++;
	if (f->firmware) /* the CPU's WBINVD is what the firmware's indicator records */
		f->firmware->psp.ops->wbinvd_all(&f->firmware->psp);
}

static struct sev_mailbox mb;

static void setup_mailbox(u16 device)
{
	memset(&F, 0, sizeof(F));
	F.dev = sev_psp_device_lookup(device);
	assert_non_null(F.dev);
	F.polls_to_answer = 3;
	memset(&mb, 0, sizeof(mb));
	mb.dev = F.dev;
	mb.read32 = f_read;
	mb.write32 = f_write;
	mb.now_us = f_now;
	mb.wbinvd = f_wbinvd;
	mb.ctx = &F;
	mb.bounce = bounce;
	mb.timeout_us = 5 * 1000 * 1000;
	sev_mailbox_init(&mb);
}

static void test_device_table(void **state)
{
	(void)state;
	const struct sev_psp_device *d = sev_psp_device_lookup(0x1456);
	assert_int_equal(d->cmdresp, 0x10580);
	assert_int_equal(d->cmdbuff_lo, 0x105E0);
	assert_int_equal(d->cmdbuff_hi, 0x105E4);
	assert_int_equal(d->feature, 0x105FC);
	d = sev_psp_device_lookup(0x1486);
	assert_int_equal(d->cmdresp, 0x10980);
	assert_int_equal(d->cmdbuff_lo, 0x109E0);
	assert_int_equal(d->cmdbuff_hi, 0x109E4);
	assert_int_equal(sev_psp_device_lookup(0x14CA)->cmdresp, 0x10980);
	assert_int_equal(sev_psp_device_lookup(0x156E)->cmdresp, 0x10980);
	/* Client PSPs without an SEV mailbox. */
	assert_null(sev_psp_device_lookup(0x15DF));
	assert_null(sev_psp_device_lookup(0x1649));
	assert_null(sev_psp_device_lookup(0x17E0));
}

static void test_submit_protocol(void **state)
{
	(void)state;
	setup_mailbox(0x1486);
	struct sev_data_platform_status ps;
	memset(&ps, 0xEE, sizeof(ps));
	assert_int_equal(mb.psp.ops->submit(&mb.psp, SEV_CMD_PLATFORM_STATUS, &ps), SEV_OK);
	/* cmdresp: command in bits 26:16, IOC (bit 0) clear: sevisor polls. */
	assert_int_equal(F.seen_cmd, SEV_CMD_PLATFORM_STATUS);
	assert_int_equal(F.writes_cmdresp, 1);
	/* The buffer handed over is the bounce page, its address split lo/hi. */
	assert_int_equal(F.seen_buf, (u64)(uintptr_t)bounce);
	/* The output came back into the caller's buffer. */
	assert_int_equal(ps.api_major, 1);
	assert_int_equal(ps.api_minor, 55);
	assert_int_equal(ps.build, 21);
	assert_int_equal(ps.state, SEV_PLATFORM_INIT);
	assert_int_equal(F.polls, 3);
}

static void test_submit_status_and_no_buffer(void **state)
{
	(void)state;
	setup_mailbox(0x1456);
	F.status = SEV_ERR_WBINVD_REQUIRED;
	assert_int_equal(mb.psp.ops->submit(&mb.psp, SEV_CMD_DF_FLUSH, NULL), SEV_ERR_WBINVD_REQUIRED);
	assert_int_equal(F.seen_buf, 0); /* DF_FLUSH has no buffer: address 0 */
	assert_int_equal(F.regs[0x10580 / 4] & 0xFFFF, SEV_ERR_WBINVD_REQUIRED);
	/* A command that needs a buffer refuses NULL without touching the PSP. */
	F.writes_cmdresp = 0;
	assert_int_equal(mb.psp.ops->submit(&mb.psp, SEV_CMD_ACTIVATE, NULL), SEV_ERR_BAD_BUFFER);
	assert_int_equal(F.writes_cmdresp, 0);
	/* An unknown status comes back as it is, and is named UNKNOWN. */
	F.status = 0x1234;
	struct sev_data_handle h = { 1 };
	assert_int_equal(mb.psp.ops->submit(&mb.psp, SEV_CMD_DEACTIVATE, &h), 0x1234);
	assert_string_equal(sev_status_name(0x1234), "UNKNOWN");
	mb.psp.ops->wbinvd_all(&mb.psp);
	assert_int_equal(F.wbinvds, 1);
	/* LAUNCH_UPDATE_*: caches written back before the firmware reads the data. */
	F.status = 0;
	struct sev_data_launch_update u = { .handle = 1, .address = 0x1000, .length = 4096 };
	assert_int_equal(mb.psp.ops->submit(&mb.psp, SEV_CMD_LAUNCH_UPDATE_DATA, &u), SEV_OK);
	assert_int_equal(F.wbinvds, 2);
	struct sev_data_launch_update *seen = (void *)(uintptr_t)F.seen_buf;
	assert_int_equal(seen->address, 0x1000);
	assert_int_equal(seen->length, 4096);
}

static void test_timeout_marks_psp_dead(void **state)
{
	(void)state;
	setup_mailbox(0x1486);
	F.polls_to_answer = ~0u;
	struct sev_data_platform_status ps;
	assert_int_equal(mb.psp.ops->submit(&mb.psp, SEV_CMD_PLATFORM_STATUS, &ps), SEV_ERR_TIMEOUT);
	assert_true(mb.dead);
	assert_true(F.now >= 5 * 1000 * 1000);
	/* Later commands fail at once without touching the registers. */
	F.writes_cmdresp = 0;
	assert_int_equal(mb.psp.ops->submit(&mb.psp, SEV_CMD_PLATFORM_STATUS, &ps), SEV_ERR_NO_PSP);
	assert_int_equal(F.writes_cmdresp, 0);
	assert_string_equal(sev_status_name(SEV_ERR_TIMEOUT), "TIMEOUT (no answer from the PSP)");
}

/* Bring-up over the mailbox with a firmware that fails INIT once with SECURE_DATA_INVALID:
 * sevisor retries INIT once (F.6 step 1). */
static unsigned init_calls;
static u32 fw_submit(struct sev_psp *psp, u32 cmd, void *buf)
{
	(void)psp;
	if (cmd == SEV_CMD_PLATFORM_STATUS)
		memset(buf, 0, sizeof(struct sev_data_platform_status));
	if (cmd == SEV_CMD_INIT)
		return ++init_calls == 1 ? SEV_ERR_SECURE_DATA_INVALID : SEV_OK;
	return SEV_OK;
}
static void fw_wbinvd(struct sev_psp *psp)
{
	(void)psp;
}

static void test_bringup_retries_init_once(void **state)
{
	(void)state;
	static const struct sev_psp_ops ops = { fw_submit, fw_wbinvd };
	struct sev_psp psp = { .ops = &ops, .kind = "test" };
	char why[96];
	init_calls = 0;
	assert_true(sev_platform_bringup(&psp, 0x100000, why, sizeof(why)));
	assert_int_equal(init_calls, 2);
}

static void test_bringup_names_the_failure(void **state)
{
	(void)state;
	setup_mailbox(0x1486);
	F.status = SEV_ERR_HWERROR_PLATFORM; /* e.g. SME off on some core (F.1) */
	char why[96];
	assert_false(sev_platform_bringup(&mb.psp, 0x100000, why, sizeof(why)));
	assert_string_equal(why, "PLATFORM_STATUS failed: HWERROR_PLATFORM (0x13)");
}

/* The whole launch over the mailbox, with the soft PSP as the firmware behind the registers:
 * every command buffer goes through the bounce page and back, and the result is the soft
 * PSP's own launch (same digest, RUNNING guest), then the teardown. */
static struct soft_psp fw;
static u8 tmr[2 << 20];
static u8 guest_page[4096] __attribute__((aligned(4096)));
static struct sev_vmsa guest_vmsa __attribute__((aligned(4096)));

static void test_launch_through_the_mailbox(void **state)
{
	(void)state;
	setup_mailbox(0x1486);
	soft_psp_init(&fw, 4, 7);
	F.firmware = &fw;
	F.polls_to_answer = 2;
	mb.psp.cbit = SEV_SOFT_PSP_CBIT;
	mb.psp.min_sev_asid = fw.psp.min_sev_asid;
	mb.psp.max_sev_asid = fw.psp.max_sev_asid;
	char why[96];
	assert_true(sev_platform_bringup(&mb.psp, ALIGN_UP((u64)(uintptr_t)tmr, SEV_TMR_SIZE), why, sizeof(why)));
	assert_int_equal(mb.psp.status.api_minor, SEV_SOFT_PSP_API_MINOR);
	assert_int_equal(mb.psp.status.state, SEV_PLATFORM_INIT);
	static struct sev_asids a;
	sev_asid_setup(&a, 16, mb.psp.max_sev_asid, mb.psp.min_sev_asid);
	static struct sev_launch l;
	memset(&l, 0, sizeof(l));
	memset(guest_page, 0x3C, sizeof(guest_page));
	memset(&guest_vmsa, 0, sizeof(guest_vmsa));
	l.name = "mb";
	l.policy = SEV_POLICY_DEFAULT;
	l.regions[0] = (struct sev_launch_region){ 0x100000, guest_page, sizeof(guest_page) };
	l.nr_regions = 1;
	l.vmsa = &guest_vmsa;
	assert_true(sev_launch_alloc_asid(&mb.psp, &a, &l));
	assert_true(sev_launch_guest(&mb.psp, &l));
	assert_int_equal(fw.guests[0].state, SEV_GUEST_RUNNING);
	assert_int_equal(fw.guests[0].asid, 1);
	assert_memory_equal(fw.guests[0].launch_digest, l.digest, 32);
	u8 want[32];
	sev_measurement_compute(SEV_SOFT_PSP_TIK, 16, SEV_SOFT_PSP_API_MAJOR, SEV_SOFT_PSP_API_MINOR, SEV_SOFT_PSP_BUILD,
				l.policy, l.digest, l.meas.mnonce, want);
	assert_memory_equal(l.meas.measurement, want, 32);
	sev_launch_teardown(&mb.psp, &a, &l);
	assert_false(fw.guests[0].used);
	assert_int_equal(sev_asid_count(&a, SEV_ASID_DIRTY), 1);
	assert_false(mb.dead);
}

/* ---- the refusal ladder and mode = auto ---- */

static void test_cpu_refusal_ladder(void **state)
{
	(void)state;
	struct caps c = { 0 };
	assert_string_equal(sev_cpu_refusal(&c), "no SEV-ES in CPUID 0x8000001F EAX[3]");
	c.sev = c.sev_es = true;
	assert_string_equal(sev_cpu_refusal(&c), "memory encryption is off (SYSCFG[23] MemEncryptionModEn = 0): "
						 "enable SME/SEV in the firmware setup");
	c.mem_encrypt_enabled = true;
	c.min_sev_asid = 1;
	assert_non_null(strstr(sev_cpu_refusal(&c), "no SEV-ES ASIDs"));
	c.min_sev_asid = 100;
	assert_null(sev_cpu_refusal(&c));
}

static void test_auto_mode(void **state)
{
	(void)state;
	static struct sev_platform p;
	memset(&p, 0, sizeof(p));
	assert_int_equal(sev_resolve_mode(&p, CFG_MODE_AUTO), VM_MODE_SOFT_ES);
	p.hw_ready = true;
	assert_int_equal(sev_resolve_mode(&p, CFG_MODE_AUTO), VM_MODE_SEV_ES);
	assert_int_equal(sev_resolve_mode(&p, VM_MODE_PLAIN), VM_MODE_PLAIN);
	assert_int_equal(sev_resolve_mode(&p, VM_MODE_SOFT_ES), VM_MODE_SOFT_ES);
}

/* A guest in mode sev-es without a hardware PSP is terminated with the missing piece. */
static void test_sev_es_guest_refused(void **state)
{
	(void)state;
	static struct sev_platform p;
	static struct vm vm;
	static struct sev_launch l;
	memset(&p, 0, sizeof(p));
	memset(&vm, 0, sizeof(vm));
	strcpy(p.hw_reason, "no SEV-ES in CPUID 0x8000001F EAX[3]");
	strcpy(vm.name, "g");
	vm.mode = VM_MODE_SEV_ES;
	assert_false(sev_guest_asid(&p, &vm, &l));
	assert_int_equal(vm.end, VM_END_TERMINATED);
	assert_string_equal(vm.reason, "mode sev-es refused: no SEV-ES in CPUID 0x8000001F EAX[3]");
	/* A plain guest gets an ASID above the SEV range. */
	memset(&vm, 0, sizeof(vm));
	sev_asid_setup(&p.asids, 16, 4, 5);
	assert_true(sev_guest_asid(&p, &vm, &l));
	assert_int_equal(vm.asid, 5);
}

/* ---- the Multiboot launch regions ---- */

static u8 ram[4 << 20] __attribute__((aligned(4096)));

static void test_multiboot_regions(void **state)
{
	(void)state;
	static struct vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.ram[0] = (struct ram_slot){ 0, sizeof(ram), ram };
	vm.nr_ram = 1;
	struct svm_mb_load_result r = { .info_gpa = 0x1000, .info_size = 0x123, .image_start = 0x100010,
					.image_end = 0x102001, .mods_end = 0x105800 };
	struct sev_launch_region out[SEV_LAUNCH_MAX_REGIONS];
	assert_int_equal(sev_multiboot_regions(&vm, &r, out), 2);
	assert_int_equal(out[0].gpa, 0x1000);
	assert_int_equal(out[0].len, 0x1000);
	assert_ptr_equal(out[0].host, ram + 0x1000);
	assert_int_equal(out[1].gpa, 0x100000);
	assert_int_equal(out[1].len, 0x6000); /* image and modules, whole pages */
	assert_ptr_equal(out[1].host, ram + 0x100000);
}

/* A Linux guest (x86 boot protocol, svm/load/linux.h layout): GDT + zero page from 0x6000, the
 * command line at 0x20000 up to the kernel's cmdline_size (setup header 0x238), the kernel's
 * reserved range and the initrd (ramdisk_size, header 0x21C), each whole pages; no initrd, no
 * region for it; the 64-bit entry's page tables with the first region; the ACPI tables' page
 * at 0xF0000. */
static void test_linux_regions(void **state)
{
	(void)state;
	static struct vm vm;
	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	vm.ram[0] = (struct ram_slot){ 0, sizeof(ram), ram };
	vm.nr_ram = 1;
	struct linux_boot_params *bp = (struct linux_boot_params *)(ram + LINUX_BOOT_PARAMS_GPA);
	bp->hdr.cmdline_size = 2047;
	bp->hdr.ramdisk_size = 0x1801;
	struct svm_linux_load_result r = { .kernel_gpa = 0x100000, .kernel_end = 0x180000,
					   .initrd_gpa = 0x300000 };
	struct sev_launch_region out[SEV_LAUNCH_MAX_REGIONS];
	assert_int_equal(sev_linux_regions(&vm, &r, out), 5);
	assert_int_equal(out[0].gpa, 0x6000);
	assert_int_equal(out[0].len, 0x2000);
	assert_ptr_equal(out[0].host, ram + 0x6000);
	assert_int_equal(out[1].gpa, 0x20000);
	assert_int_equal(out[1].len, 0x1000);
	assert_int_equal(out[2].gpa, 0xF0000); /* the ACPI tables */
	assert_int_equal(out[2].len, 0x1000);
	assert_int_equal(out[3].gpa, 0x100000);
	assert_int_equal(out[3].len, 0x80000);
	assert_int_equal(out[4].gpa, 0x300000);
	assert_int_equal(out[4].len, 0x2000);
	bp->hdr.ramdisk_size = 0;
	assert_int_equal(sev_linux_regions(&vm, &r, out), 4);
	/* The 64-bit entry: the page tables after the zero page (PML4, PDPT, four page
	 * directories: 6 pages from 0x8000) are measured with the GDT and zero page. */
	r.entry64 = true;
	assert_int_equal(sev_linux_regions(&vm, &r, out), 4);
	assert_int_equal(out[0].gpa, 0x6000);
	assert_int_equal(out[0].len, 0x8000);
	assert_int_equal(out[1].gpa, 0x20000);
}

/* ---- PCI discovery (PCI 3.0 configuration header; F.1 device IDs, BAR 2) ---- */

struct fake_fn {
	u8 bus, dev, fn;
	u32 id, header, bar[6];
};
static const struct fake_fn *fake_fns;
static unsigned fake_nr;

static u32 fake_cfg(u8 bus, u8 dev, u8 fn, u8 off)
{
	for (unsigned i = 0; i < fake_nr; i++) {
		const struct fake_fn *f = &fake_fns[i];
		if (f->bus != bus || f->dev != dev || f->fn != fn)
			continue;
		if (off == 0x00)
			return f->id;
		if (off == 0x0C)
			return f->header << 16;
		if (off >= 0x10 && off < 0x28)
			return f->bar[(off - 0x10) / 4];
		return 0;
	}
	return 0xFFFFFFFF; /* nothing there: all ones */
}

static void test_pci_find_psp(void **state)
{
	(void)state;
	static const struct fake_fn bus[] = {
		{ 0, 0, 0, 0x14801022, 0x00, { 0 } },  /* root complex, single function */
		{ 0, 0, 1, 0x14861022, 0x00, { 0 } },  /* fn 1 of a single-function device: never looked at */
		{ 0, 3, 0, 0x12345678, 0x80, { 0 } },  /* another vendor, multi-function */
		{ 0, 3, 2, 0x15DF1022, 0x00, { 0 } },  /* a client PSP without SEV mailbox */
		{ 0x40, 7, 0, 0x14851022, 0x80, { 0 } }, /* multi-function AMD device */
		{ 0x40, 7, 2, 0x14861022, 0x00, { 0, 0, 0xFEB0000C, 0x1, 0, 0 } },
	};
	fake_fns = bus;
	fake_nr = sizeof(bus) / sizeof(bus[0]);
	struct sev_pci_psp loc;
	assert_true(sev_pci_find_psp(fake_cfg, &loc));
	assert_int_equal(loc.bus, 0x40);
	assert_int_equal(loc.dev, 7);
	assert_int_equal(loc.fn, 2);
	assert_int_equal(loc.device_id, 0x1486);
	assert_int_equal(loc.psp->cmdresp, 0x10980);
	const char *why = NULL;
	/* 64-bit prefetchable memory BAR: the high half comes from BAR 3. */
	assert_int_equal(sev_pci_bar(fake_cfg, &loc, 2, &why), 0x1FEB00000ULL);
	assert_null(why);
	assert_int_equal(sev_pci_bar(fake_cfg, &loc, 0, &why), 0);
	assert_string_equal(why, "not assigned by the firmware");
	static const struct fake_fn io[] = { { 0, 1, 0, 0x14561022, 0x00, { 0, 0, 0xE001, 0, 0, 0 } } };
	fake_fns = io;
	fake_nr = 1;
	assert_true(sev_pci_find_psp(fake_cfg, &loc));
	assert_int_equal(sev_pci_bar(fake_cfg, &loc, 2, &why), 0);
	assert_string_equal(why, "an I/O BAR, not memory");
	/* QEMU's q35: no AMD function with an SEV mailbox. */
	static const struct fake_fn q35[] = { { 0, 0, 0, 0x29c08086, 0, { 0 } }, { 0, 31, 0, 0x29188086, 0x80, { 0 } } };
	fake_fns = q35;
	fake_nr = 2;
	assert_false(sev_pci_find_psp(fake_cfg, &loc));
}

/* The VMCB of a real SEV-ES guest (ghcb-sev-facts.md C.1, C.3): NP + SEV + SEV-ES in 0x090, the
 * VMSA pointer at 0x108, LBRV in 0x0B8 (G15), no CR intercepts but the EFER/CR0/CR4/CR8 write
 * traps (word 4 bits 15, 16, 20, 24), and the intercepts that become #VC. */
static struct vmcb es_vmcb;

static void test_sev_es_vmcb(void **state)
{
	(void)state;
	struct svm_vmcb_params p = { .mode = VM_MODE_SEV_ES, .asid = 3, .iopm_pa = 0x10000, .msrpm_pa = 0x20000,
				     .ncr3 = 0x30000, .vmsa_pa = 0x45000 };
	svm_vmcb_init(&es_vmcb, &p);
	const u8 *b = (const u8 *)&es_vmcb;
	u64 v;
	memcpy(&v, b + 0x090, 8);
	assert_int_equal(v, 0x7);
	memcpy(&v, b + 0x108, 8);
	assert_int_equal(v, 0x45000);
	memcpy(&v, b + 0x0B8, 8);
	assert_int_equal(v & 1, 1);
	u32 w;
	memcpy(&w, b + 0x000, 4);
	assert_int_equal(w, 0); /* no CR read/write intercepts */
	memcpy(&w, b + 0x010, 4);
	assert_true(w & (1u << 15));
	assert_true(w & (1u << 16));
	assert_true(w & (1u << 20));
	assert_true(w & (1u << 24));
	assert_true(w & (1u << 0)); /* VMRUN (APM 15.5.1) */
	assert_true(w & (1u << 9)); /* WBINVD -> #VC */
	memcpy(&w, b + 0x004, 4);
	assert_int_equal(w, (1u << 7) | (1u << 23)); /* DR7 read and write only */
	memcpy(&w, b + 0x058, 4);
	assert_int_equal(w, 3);
	memcpy(&v, b + 0x0B0, 8);
	assert_int_equal(v, 0x30000);
	/* A plain guest's VMCB has none of it. */
	p.mode = VM_MODE_PLAIN;
	svm_vmcb_init(&es_vmcb, &p);
	memcpy(&v, b + 0x090, 8);
	assert_int_equal(v, 0x1);
	memcpy(&v, b + 0x108, 8);
	assert_int_equal(v, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_table),
		cmocka_unit_test(test_submit_protocol),
		cmocka_unit_test(test_submit_status_and_no_buffer),
		cmocka_unit_test(test_timeout_marks_psp_dead),
		cmocka_unit_test(test_bringup_retries_init_once),
		cmocka_unit_test(test_bringup_names_the_failure),
		cmocka_unit_test(test_launch_through_the_mailbox),
		cmocka_unit_test(test_cpu_refusal_ladder),
		cmocka_unit_test(test_auto_mode),
		cmocka_unit_test(test_sev_es_guest_refused),
		cmocka_unit_test(test_multiboot_regions),
		cmocka_unit_test(test_linux_regions),
		cmocka_unit_test(test_sev_es_vmcb),
		cmocka_unit_test(test_pci_find_psp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
