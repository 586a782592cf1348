/* Port I/O and MMIO dispatch (svm/dev/io.h): tables of device ranges, then the rules for what
 * nothing claims. Unclaimed ports read all ones and drop writes, counted and logged once per
 * port. Unbacked MMIO (no RAM, no device) follows the guest's `unbacked` key: terminate (with
 * the GPA and access in the reason) or ignore (a bus with nothing on it: reads all ones, writes
 * dropped, logged once per page). */
#include "svm/dev/io.h"
#include "svm/dev/devices.h"
#include "svm/dev/intr.h"
#include "svm/vcpu.h"
#include "lib/kstring.h"
#include "lib/log.h"

const struct svm_io_width svm_io_widths[8] = {
	{ ~0xFFULL, 1 }, { ~0xFFULL, 1 }, { ~0xFFFFULL, 2 }, { ~0xFFFFULL, 2 },
	{ 0, 4 },        { 0, 4 },        { 0, 4 },          { 0, 4 },
};

const struct svm_port_device svm_port_devices[] = {
	{ 0, 0, NULL, NULL, NULL, false }, /* index 0: no device */
	{ 0x020, 2, "pic-master", dev_pic_io, NULL, false },
	{ 0x040, 4, "pit", dev_pit_io, NULL, true },
	{ 0x061, 1, "port61", dev_port61_io, NULL, true },
	{ 0x064, 1, "kbc", dev_kbc_io, NULL, false },
	{ 0x070, 2, "rtc", dev_rtc_io, NULL, true },
	{ 0x0A0, 2, "pic-slave", dev_pic_io, NULL, false },
	{ 0x0F4, 4, "isa-debug-exit", dev_debug_exit_io, NULL, false },
	{ 0x3F8, DEV_UART_PORTS, "uart", NULL, dev_uart_regs, false },
	{ 0x4D0, 2, "elcr", dev_elcr_io, NULL, false },
	{ 0x510, 2, "fw_cfg", dev_fw_cfg_io, NULL, false },
	{ ACPI_PM1_EVT_PORT, ACPI_PM_PORTS, "acpi-pm1", dev_acpi_pm_io, NULL, false },
	{ 0xCF9, 1, "reset", dev_reset_cf9_io, NULL, false },
};

typedef bool (*mmio_fn)(struct vm *vm, u64 offset, unsigned size, bool write, u64 *val);

struct mmio_range {
	u64 base;
	u64 size;
	const char *name;
	mmio_fn fn;
};

static const struct mmio_range mmio_devices[] = {
	{ HPET_BASE, HPET_SIZE, "hpet", dev_hpet_mmio },
};

/* The local APIC's page is where IA32_APIC_BASE puts it (SDM 11.4.4: software may move it);
 * the base bits above the guest's address width are refused by the MSR model. */
static bool in_lapic_page(struct vm *vm, u64 gpa, u64 *offset)
{
	u64 base = LAPIC_BASE_DEFAULT;
	if (vm->nr_vcpus && vm->vcpus)
		base = vm->vcpus[0].msr.apic_base & ~(u64)(PAGE_SIZE - 1);
	if (gpa < base || gpa - base >= PAGE_SIZE)
		return false;
	*offset = gpa - base;
	return true;
}


static void port_index_ready(void);

void devices_init(struct vm_devices *d, u64 ram_size, u16 nr_cpus, bool unbacked_ignore)
{
	memset(d, 0, sizeof(*d));
	d->ram_size = ram_size;
	d->nr_cpus = nr_cpus;
	d->unbacked_ignore = unbacked_ignore;
	dev_lapic_reset(&d->lapic, 0, true);
	dev_pit_reset(&d->pit);
	dev_hpet_reset(&d->hpet);
	dev_rtc_reset(&d->rtc, ram_size);
	d->deadline_stale = true;
	d->deadline_moved = true;
	d->intr.stale = true;
	port_index_ready(); /* before any port access: the inline dispatch reads the rows as they are */
}

/* The rows and the port index (see io.h): 8 KiB and 64 KiB of .bss (not in the image), built
 * from the constant table once, before the first VM's devices are set up (devices_init) or on
 * the first lookup by port, so they never go stale. A row per device, and one per port of a
 * device with a register table. */
#define PORT_ROWS 256
_Static_assert(ARRAY_SIZE(svm_port_devices) + DEV_UART_PORTS <= PORT_ROWS,
	       "a row per device and per port of every register-table device (the UART)");
_Static_assert(sizeof(struct svm_port_row) == 32, "svm_port_index scales by a shift");
struct svm_port_row svm_port_rows[PORT_ROWS];
u8 svm_port_index[IO_PORTS];
static bool port_index_built;

/* The row handlers of the devices without a register table, and of row 0: the access through
 * svm_io_port, which finds the device again. Its bool is dropped: no device handler returns
 * false today, and an access that ends the guest says so in vm->end (svm_port_read_fn). */
static u32 port_read_by_device(struct vm *vm, u64 access)
{
	u32 val = 0;
	svm_io_port(vm, svm_io_access_port(access), svm_io_width_of(access)->size, true, &val);
	return val;
}

static void port_write_by_device(struct vm *vm, u64 access, u32 val)
{
	svm_io_port(vm, svm_io_access_port(access), svm_io_width_of(access)->size, false, &val);
}

static void build_port_index(void)
{
	svm_port_rows[0] = (struct svm_port_row){ port_read_by_device, port_write_by_device, NULL, 0 };
	unsigned rows = 1;
	for (unsigned i = 1; i < ARRAY_SIZE(svm_port_devices); i++) {
		const struct svm_port_device *d = &svm_port_devices[i];
		unsigned first = rows;
		if (d->regs) {
			for (unsigned k = 0; k < d->count; k++)
				svm_port_rows[rows++] = (struct svm_port_row){ d->regs[k].in, d->regs[k].out, d, 0 };
		} else {
			svm_port_rows[rows++] = (struct svm_port_row){ port_read_by_device, port_write_by_device, d, 0 };
		}
		for (unsigned k = 0; k < d->count; k++)
			svm_port_index[d->base + k] = (u8)(d->regs ? first + k : first);
	}
	port_index_built = true;
}

static void port_index_ready(void)
{
	if (!port_index_built)
		build_port_index();
}

static const struct svm_port_row *port_row(u16 port)
{
	port_index_ready();
	return &svm_port_rows[svm_port_index[port]];
}

const char *svm_io_port_device(u16 port)
{
	const struct svm_port_device *r = port_row(port)->dev;
	return r ? r->name : NULL;
}

bool svm_io_port_range(unsigned i, u16 *base, u16 *count)
{
	if (i + 1 >= ARRAY_SIZE(svm_port_devices))
		return false;
	*base = svm_port_devices[i + 1].base;
	*count = svm_port_devices[i + 1].count;
	return true;
}

/* What nothing claims: reads all ones, writes dropped, counted and logged once per port. */
static bool unclaimed_port(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	struct vm_devices *d = vm->devices;
	d->unclaimed_port_accesses++;
	if (!(d->port_logged[port / 8] & (1u << (port % 8)))) {
		d->port_logged[port / 8] |= (u8)(1u << (port % 8));
		log_info("guest %s: unclaimed port 0x%04x (%s, %u byte%s): %s; logged once per port", vm->name, port,
			 in ? "read" : "write", size, size == 1 ? "" : "s",
			 in ? "reads all ones" : "write dropped");
	}
	if (in)
		*val = svm_io_ones(size);
	return true;
}

bool svm_io_port(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	const struct svm_port_row *row = port_row(port);
	const struct svm_port_device *d = row->dev;
	if (!d)
		return unclaimed_port(vm, port, size, in, val);
	bool ok = true;
	if (d->regs) {
		/* the access word of an IN or OUT of that port and size (SZ8, SZ16, SZ32: size 1, 2, 4) */
		u64 access = ((u64)port << SVM_IOIO_PORT_SHIFT) | ((u64)size << SVM_IOIO_SIZE_SHIFT);
		if (in)
			*val = row->in(vm, access | SVM_IOIO_IN);
		else
			row->out(vm, access, *val);
	} else {
		/* A general device has a timer: its deadline may move (devices_next_deadline). */
		if (d->general)
			devices_reprogrammed(vm);
		ok = d->fn(vm, port, size, in, val);
	}
	if (in)
		*val &= svm_io_ones(size);
	return ok;
}

static void log_unbacked_once(struct vm *vm, u64 gpa, unsigned size, bool write)
{
	struct vm_devices *d = vm->devices;
	u64 page = gpa & ~(PAGE_SIZE - 1);
	for (unsigned i = 0; i < d->nr_unbacked_logged; i++)
		if (d->unbacked_logged_pages[i] == page)
			return;
	if (d->nr_unbacked_logged >= ARRAY_SIZE(d->unbacked_logged_pages)) {
		if (!d->unbacked_log_full)
			log_info("guest %s: more than %zu unbacked pages touched: further ones are only counted", vm->name,
				 ARRAY_SIZE(d->unbacked_logged_pages));
		d->unbacked_log_full = true;
		return;
	}
	d->unbacked_logged_pages[d->nr_unbacked_logged++] = page;
	log_info("guest %s: %s of %u byte%s at unbacked GPA 0x%llx ignored (unbacked = ignore); logged once per page",
		 vm->name, write ? "write" : "read", size, size == 1 ? "" : "s", (unsigned long long)gpa);
}

bool svm_mmio_range(unsigned i, u64 *base, u64 *size)
{
	if (i < ARRAY_SIZE(mmio_devices)) {
		*base = mmio_devices[i].base;
		*size = mmio_devices[i].size;
		return true;
	}
	/* Then the local APIC's page at its reset base (IA32_APIC_BASE after reset, SDM 11.4.4). A
	 * protected guest that moves it later is not re-marked: its accesses at the new base take
	 * ordinary NPF exits, which the hypervisor cannot emulate for it. */
	if (i == ARRAY_SIZE(mmio_devices)) {
		*base = LAPIC_BASE_DEFAULT;
		*size = PAGE_SIZE;
		return true;
	}
	return false;
}

bool svm_mmio(struct vm *vm, u64 gpa, unsigned size, bool write, u64 *val)
{
	u64 offset;
	/* The MMIO devices (LAPIC, HPET) both have timers; MMIO exits are rare and costly anyway. */
	devices_reprogrammed(vm);
	if (in_lapic_page(vm, gpa, &offset))
		return dev_lapic_mmio(vm, offset, size, write, val);
	for (unsigned i = 0; i < ARRAY_SIZE(mmio_devices); i++) {
		const struct mmio_range *r = &mmio_devices[i];
		if (gpa >= r->base && gpa - r->base < r->size)
			return r->fn(vm, gpa - r->base, size, write, val);
	}
	vm->devices->unbacked_accesses++;
	if (!vm->devices->unbacked_ignore) {
		vm_terminate(vm, "%s of %u byte%s at GPA 0x%llx: no RAM or device there (unbacked = terminate)",
			     write ? "write" : "read", size, size == 1 ? "" : "s", (unsigned long long)gpa);
		return false;
	}
	log_unbacked_once(vm, gpa, size, write);
	if (!write)
		*val = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	return true;
}
