/* Shared fixture for the SVM-engine tests (exit table, devices, events, summary): a struct vm
 * with one malloc-backed RAM slot at GPA 0, its devices (devices_init), one struct vcpu with a
 * zeroed VMCB in the Multiboot v1 entry state (32-bit protected mode, paging off, flat CS), and
 * a log sink that captures every line. Built here, from the public headers only. */
#ifndef TESTS_UNIT_SVM_FIXTURE_H
#define TESTS_UNIT_SVM_FIXTURE_H

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "svm/vcpu.h"
#include "svm/dev/devices.h"
#include "svm/cr_shadow.h"
#include "msr/msr.h"
#include "lib/log.h"
#include "svm/dev/clock.h"
#include "svm/dev/io.h"
#include "svm/exit_table.h"

#define SF_RAM_SIZE (1u << 20) /* 1 MiB of guest RAM at GPA 0 */
#define SF_NAME "test"

struct svm_fx {
	struct vm vm;
	struct vcpu v;
	struct vmcb *vmcb;
	struct vm_devices *dev;
	u8 *ram;
};

/* Multiboot v1 entry state (Multiboot spec 3.2): CR0.PE set, paging off. */
static const struct cr_shadow_regs sf_multiboot_state = { .cr0 = CR0_PE | CR0_ET };

/* A flat 32-bit code segment: type 0xB (execute/read, accessed), S, P, D/B, G. */
#define SF_CS32_ATTRIB (0xB | SVM_SEG_S | SVM_SEG_P | SVM_SEG_DB | SVM_SEG_G)

static inline struct svm_fx *sf_new(bool unbacked_ignore)
{
	struct svm_fx *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	f->vmcb = calloc(1, sizeof(struct vmcb));
	f->dev = calloc(1, sizeof(struct vm_devices));
	f->ram = calloc(1, SF_RAM_SIZE);
	if (!f->vmcb || !f->dev || !f->ram)
		abort();
	strcpy(f->vm.name, SF_NAME);
	f->vm.mode = VM_MODE_PLAIN;
	f->vm.ram[0] = (struct ram_slot){ .gpa = 0, .size = SF_RAM_SIZE, .host = f->ram };
	f->vm.nr_ram = 1;
	f->vm.asid = 1;
	f->vm.vcpus = &f->v;
	f->vm.nr_vcpus = 1;
	f->vm.devices = f->dev;
	devices_init(f->dev, SF_RAM_SIZE, 1, unbacked_ignore);
	f->v.vm = &f->vm;
	f->v.id = 0;
	f->v.vmcb = f->vmcb;
	f->vmcb->control.asid = 1;
	f->vmcb->save.g_pat = 0x0007040600070406ULL; /* PAT reset value (APM vol. 2, 7.8.2) */
	cr_shadow_reset(&f->v, &sf_multiboot_state, 0);
	f->vmcb->save.cs = (struct vmcb_seg){ 0x08, SF_CS32_ATTRIB, 0xFFFFFFFF, 0 };
	f->vmcb->save.ds = (struct vmcb_seg){ 0x10, 0x3 | SVM_SEG_S | SVM_SEG_P | SVM_SEG_DB | SVM_SEG_G,
					      0xFFFFFFFF, 0 };
	f->vmcb->save.ss = f->vmcb->save.ds;
	f->vmcb->save.es = f->vmcb->save.ds;
	f->vmcb->save.rflags = 2;
	f->vmcb->save.rip = 0x1000;
	msr_vcpu_reset(&f->v);
	svm_exit_table_init(log_enabled(LOG_DEBUG)); /* the dispatch's rows (svm_handle_exit) */
	return f;
}

static inline void sf_free(struct svm_fx *f)
{
	free(f->ram);
	free(f->dev);
	free(f->vmcb);
	free(f);
}

/* ---- log capture ------------------------------------------------------------------------- */

static char sf_log_buf[1 << 17];
static size_t sf_log_len;

static inline void sf_log_sink(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	if (sf_log_len + len >= sizeof(sf_log_buf))
		len = sizeof(sf_log_buf) - 1 - sf_log_len;
	memcpy(sf_log_buf + sf_log_len, text, len);
	sf_log_len += len;
	sf_log_buf[sf_log_len] = 0;
}

static inline void sf_log_clear(void)
{
	sf_log_len = 0;
	sf_log_buf[0] = 0;
}

static inline void sf_log_capture(void)
{
	log_reset();
	log_add_sink("capture", sf_log_sink, NULL, true);
	log_set_level(LOG_DEBUG);
	sf_log_clear();
}

static inline int sf_log_count(const char *needle)
{
	int n = 0;
	for (const char *p = sf_log_buf; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static inline bool sf_log_has(const char *needle)
{
	return strstr(sf_log_buf, needle) != NULL;
}

/* Case-insensitive substring test (hex digits may be printed in either case). */
static inline bool sf_contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return n == 0;
}

/* ---- device access and time ------------------------------------------------------------ */

/* Byte port I/O through the dispatch, as the IOIO handler does (false: the access ended the
 * guest). */
static inline bool sf_outb(struct svm_fx *f, u16 port, u8 v)
{
	u32 x = v;
	return svm_io_port(&f->vm, port, 1, false, &x);
}

static inline u8 sf_inb(struct svm_fx *f, u16 port)
{
	u32 x = 0;
	svm_io_port(&f->vm, port, 1, true, &x);
	return (u8)x;
}

/* Both 8259s initialised as a PC BIOS does (8259A data sheet ICW1-ICW4: edge-triggered, cascade
 * on IR2, 8086 mode), ISA IRQs 0-7 at vectors 0x20-0x27 and 8-15 at 0x28-0x2F, all unmasked. */
static inline void sf_pic_init(struct svm_fx *f)
{
	static const u8 icw[][2] = { { 0x20, 0x11 }, { 0x21, 0x20 }, { 0x21, 0x04 }, { 0x21, 0x01 },
				     { 0xA0, 0x11 }, { 0xA1, 0x28 }, { 0xA1, 0x02 }, { 0xA1, 0x01 },
				     { 0x21, 0x00 }, { 0xA1, 0x00 } };
	for (unsigned i = 0; i < sizeof(icw) / sizeof(icw[0]); i++)
		sf_outb(f, icw[i][0], icw[i][1]);
}

/* The device clock (svm/dev/clock.h) as a value the test moves by hand; sf_clock_stop puts the
 * default back. */
static u64 sf_clock_now;

static inline u64 sf_clock_read(void)
{
	return sf_clock_now;
}

static inline void sf_clock_start(u64 start, u64 hz)
{
	sf_clock_now = start;
	dev_clock_set(sf_clock_read, hz);
}

static inline void sf_clock_stop(void)
{
	dev_clock_set(NULL, 0);
}

#endif
