/* See bios.h. What a PC BIOS programs, from SeaBIOS (the BIOS QEMU and many hypervisors boot):
 * - src/hw/pic.c pic_reset(): ICW1 0x11 (edge, cascade, ICW4 follows) to both chips, ICW2 0x08
 *   and 0x70, ICW3 0x04 (slave on the master's IR2) and 0x02 (slave id 2), ICW4 0x01 (8086
 *   mode, normal EOI), then every input masked but the cascade; clock_setup() then unmasks IRQ0
 *   (timer) and IRQ8 (RTC) with enable_hwirq();
 * - src/hw/timer.c pit_setup(): channel 0, LSB-then-MSB, mode 2 (rate generator), binary, count
 *   0 (65536: 1193182 / 65536 = 18.2 Hz), control word 0x34;
 * - src/post.c ivt_init(): every vector to the bare IRET, vectors 08h-0Fh to a handler that EOIs
 *   the master, 70h-77h to one that EOIs the slave and the master (handle_hwpic1/2), then BIOS
 *   services on top (not provided here).
 * The writes go through the guest's own port dispatch, so the devices end up exactly as if the
 * guest's firmware had made them. */
#include "svm/load/bios.h"
#include "svm/dev/io.h"
#include "svm/guest_mem.h"
#include "lib/kstring.h"

#define IVT_VECTORS 256
#define PIC_IRQS_PER_CHIP 8
/* The 8259's non-specific EOI (OCW2 with EOI set, Intel 8259A data sheet). */
#define OCW2_NONSPECIFIC_EOI 0x20

const struct svm_mb_range svm_bios_reserved = { SVM_BIOS_BASE, SVM_BIOS_SIZE };

/* Real-mode (16-bit) code, encodings from the SDM vol. 2 opcode tables: 50 PUSH AX, B0 ib
 * MOV AL,imm8, E6 ib OUT imm8,AL, 58 POP AX, CF IRET. */
static const u8 hwpic1_handler[] = {
	0x50, 0xB0, OCW2_NONSPECIFIC_EOI, 0xE6, 0x20, 0x58, 0xCF,
};
static const u8 hwpic2_handler[] = {
	0x50, 0xB0, OCW2_NONSPECIFIC_EOI, 0xE6, 0xA0, 0xE6, 0x20, 0x58, 0xCF,
};
static const u8 iret_handler[] = { 0xCF };

static const struct {
	u16 off;
	const u8 *code;
	u8 len;
} handlers[] = {
	{ SVM_BIOS_HWPIC1_OFF, hwpic1_handler, sizeof(hwpic1_handler) },
	{ SVM_BIOS_HWPIC2_OFF, hwpic2_handler, sizeof(hwpic2_handler) },
	{ SVM_BIOS_IRET_OFF, iret_handler, sizeof(iret_handler) },
};

/* SeaBIOS's PIC and PIT programming, in its order (see the top of this file). */
static const struct {
	u16 port;
	u8 val;
} platform_writes[] = {
	{ 0x20, 0x11 }, { 0xA0, 0x11 },                 /* ICW1 */
	{ 0x21, SVM_BIOS_IRQ0_VECTOR }, { 0xA1, SVM_BIOS_IRQ8_VECTOR }, /* ICW2 */
	{ 0x21, 0x04 }, { 0xA1, 0x02 },                 /* ICW3 */
	{ 0x21, 0x01 }, { 0xA1, 0x01 },                 /* ICW4 */
	{ 0x21, 0xFB }, { 0xA1, 0xFF },                 /* OCW1: all masked but the cascade */
	{ 0x21, 0xFA }, { 0xA1, 0xFE },                 /* IRQ0 and IRQ8 unmasked */
	{ 0x43, 0x34 }, { 0x40, 0x00 }, { 0x40, 0x00 }, /* PIT channel 0: mode 2, count 65536 */
};

/* The IVT entry's handler offset: hardware IRQ vectors get their chip's EOI handler. */
static u16 handler_for(unsigned vector)
{
	if (vector >= SVM_BIOS_IRQ0_VECTOR && vector < SVM_BIOS_IRQ0_VECTOR + PIC_IRQS_PER_CHIP)
		return SVM_BIOS_HWPIC1_OFF;
	if (vector >= SVM_BIOS_IRQ8_VECTOR && vector < SVM_BIOS_IRQ8_VECTOR + PIC_IRQS_PER_CHIP)
		return SVM_BIOS_HWPIC2_OFF;
	return SVM_BIOS_IRET_OFF;
}

bool svm_bios_setup(struct vm *vm)
{
	u8 *bios = svm_gpa_ptr(vm, SVM_BIOS_BASE, SVM_BIOS_SIZE);
	u8 *ivt = svm_gpa_ptr(vm, 0, IVT_VECTORS * 4);
	if (!bios || !ivt)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(handlers); i++)
		memcpy(bios + handlers[i].off, handlers[i].code, handlers[i].len);
	/* Real-mode IVT: vector n at 4n, offset then segment (SDM vol. 3, "Interrupt and Exception
	 * Handling in Real-Address Mode"). */
	for (unsigned v = 0; v < IVT_VECTORS; v++) {
		u16 off = handler_for(v);
		ivt[4 * v + 0] = (u8)off;
		ivt[4 * v + 1] = (u8)(off >> 8);
		ivt[4 * v + 2] = (u8)SVM_BIOS_SEGMENT;
		ivt[4 * v + 3] = (u8)(SVM_BIOS_SEGMENT >> 8);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(platform_writes); i++) {
		u32 val = platform_writes[i].val;
		svm_io_port(vm, platform_writes[i].port, 1, false, &val);
	}
	return true;
}
