/* A configured guest's way through the SEV platform (issue 11 item 5): its ASID, the launch of
 * an sev-es or soft-es guest through the PSP its mode uses (hardware or soft), and the
 * teardown. Pure C over struct vm / struct vcpu; the run loop calls it. */
#ifndef SEV_GUEST_LAUNCH_H
#define SEV_GUEST_LAUNCH_H

#include "sev/launch.h"
#include "sev/platform.h"
#include "svm/load/kernel.h"
#include "svm/vcpu.h"

/* The PSP a mode launches through, or NULL (plain, or that PSP is not up). */
struct sev_psp *sev_psp_for_mode(struct sev_platform *p, enum vm_mode mode);

/* The guest's ASID in vm->asid: an SEV-ES one (through l) for sev-es and soft-es, a plain
 * one above the SEV range otherwise. A guest whose mode cannot run (sev-es without a usable
 * hardware PSP: the reason names the missing piece) or with no ASID left is terminated. */
bool sev_guest_asid(struct sev_platform *p, struct vm *vm, struct sev_launch *l);

/* The loaded guest data of a Multiboot guest, in ascending GPA order: the info area (info
 * block, memory map, command line, module strings) and the image with its modules, each
 * rounded out to whole pages. Returns how many regions were filled. */
unsigned sev_multiboot_regions(struct vm *vm, const struct svm_mb_load_result *res, struct sev_launch_region *out);

/* The loaded guest data of a Linux guest, in ascending GPA order (x86 boot protocol layout of
 * svm/load/linux.h): the GDT and zero page (and the 64-bit entry's page tables), the command
 * line, the ACPI tables, the kernel's reserved range and the initrd, each rounded out to whole
 * pages. Returns how many regions were filled. */
unsigned sev_linux_regions(struct vm *vm, const struct svm_linux_load_result *res, struct sev_launch_region *out);

/* Builds the VMSA in v->vmsa from the vCPU's initial state (the loader's), launches the guest
 * with policy, prints the @sevisor launch line and protects the vCPU. soft-es: the
 * hypervisor's copy of the state (VMCB save area, GPRs) is cleared, as on hardware: the
 * software SEV-ES CPU takes the state from the VMSA page at the first VMRUN. On failure the
 * guest is terminated with the command and status in the reason. */
bool sev_guest_launch(struct sev_platform *p, struct vcpu *v, struct sev_launch *l, const struct svm_kernel_load *k,
		      u32 policy);

/* DEACTIVATE, DECOMMISSION and the ASID back (dirty after a finished SEV launch). */
void sev_guest_teardown(struct sev_platform *p, struct vm *vm, struct sev_launch *l);

#endif
