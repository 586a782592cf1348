/* From the entry code to main(): exceptions first (so that anything later that faults is
 * reported), then the SEV-ES services when this is an SEV-ES build, then the program. */
#include "ghcb.h"
#include "rt.h"

u32 mb_magic, mb_info_gpa;

const struct multiboot_info *mb_info(void)
{
	return (const struct multiboot_info *)(u64)mb_info_gpa;
}

bool under_sevisor(void)
{
	static const char sig[] = "sevisor";
	if (!(cpuid(1).c & CPUID_1_ECX_HYPERVISOR))
		return false;
	struct cpuid r = cpuid(CPUID_HV_BASE);
	char got[12];
	memcpy(got, &r.b, 4);
	memcpy(got + 4, &r.c, 4);
	memcpy(got + 8, &r.d, 4);
	return memcmp(got, sig, sizeof(sig) - 1) == 0;
}

/* A plain guest is entered as a BIOS leaves a PC (sevisor's svm/load/bios.h, and SeaBIOS under
 * bare QEMU): the 8259 delivers the 18.2 Hz timer tick as IRQ0 at vector 8, which in protected
 * mode is #DF's vector. Programs here that enable interrupts use the local APIC, so the PIC is
 * masked first (OCW1 = all ones to both chips, Intel 8259A data sheet), as kernels do before
 * their first STI (kvm-unit-tests: mask_pic_interrupts). SEV-ES guests start with the PIC at
 * reset and no timer running (what OVMF leaves), and every OUT would be a #VC: nothing to do. */
static void pic_mask_all(void)
{
	outb(0xFF, 0x21);
	outb(0xFF, 0xA1);
}

void rt_start(void);
void rt_start(void)
{
	idt_init();
	if (!rt_sev_es)
		pic_mask_all();
	if (rt_sev_es)
		ghcb_init();
	if (mb_magic != MULTIBOOT_LOADER_MAGIC)
		printf("warning: entered with EAX 0x%x, not the Multiboot magic\n", mb_magic);
	exit(main());
}
