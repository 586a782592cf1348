/* See guest_launch.h. */
#include "sev/guest_launch.h"
#include "svm/dev/acpi.h"
#include "svm/guest_mem.h"
#include "lib/kstring.h"
#include "lib/log.h"

struct sev_psp *sev_psp_for_mode(struct sev_platform *p, enum vm_mode mode)
{
	if (mode == VM_MODE_SEV_ES)
		return p->hw_ready ? &p->hw.psp : NULL;
	if (mode == VM_MODE_SOFT_ES)
		return p->soft_ready ? &p->soft.psp : NULL;
	return NULL;
}

bool sev_guest_asid(struct sev_platform *p, struct vm *vm, struct sev_launch *l)
{
	memset(l, 0, sizeof(*l));
	l->name = vm->name;
	if (vm->mode == VM_MODE_PLAIN) {
		if (sev_asid_alloc(&p->asids, SEV_ASID_PLAIN, &vm->asid) != SEV_ASID_OK) {
			vm_terminate(vm, "no free ASID for a plain guest (CPU ASIDs %u, SEV ASIDs up to %u)", p->asids.nr_asids,
				     p->asids.max_sev_asid);
			return false;
		}
		return true;
	}
	struct sev_psp *psp = sev_psp_for_mode(p, vm->mode);
	if (!psp) {
		if (vm->mode == VM_MODE_SEV_ES)
			vm_terminate(vm, "mode sev-es refused: %s", p->hw_reason[0] ? p->hw_reason : "the hardware PSP was not probed");
		else
			vm_terminate(vm, "mode soft-es refused: %s", p->soft_reason[0] ? p->soft_reason : "the soft PSP is not up");
		return false;
	}
	if (!sev_launch_alloc_asid(psp, &p->asids, l)) {
		vm_terminate(vm, "%s", l->reason);
		return false;
	}
	vm->asid = l->asid;
	return true;
}

unsigned sev_multiboot_regions(struct vm *vm, const struct svm_mb_load_result *res, struct sev_launch_region *out)
{
	unsigned n = 0;
	u64 info_end = ALIGN_UP((u64)res->info_gpa + res->info_size, PAGE_SIZE);
	u64 info_start = ALIGN_DOWN(res->info_gpa, PAGE_SIZE);
	u64 img_start = ALIGN_DOWN(res->image_start, PAGE_SIZE);
	u64 img_end = ALIGN_UP(MAX(res->image_end, res->mods_end), PAGE_SIZE);
	const u64 starts[2] = { info_start, img_start }, ends[2] = { info_end, img_end };
	unsigned first = img_start < info_start ? 1 : 0; /* ascending GPA order */
	for (unsigned k = 0; k < 2; k++) {
		unsigned i = (first + k) % 2;
		void *host = svm_gpa_ptr(vm, starts[i], ends[i] - starts[i]);
		if (host && ends[i] > starts[i])
			out[n++] = (struct sev_launch_region){ starts[i], host, ends[i] - starts[i] };
	}
	return n;
}

/* One region [start, end) rounded out to pages, if it is guest RAM and not empty. */
static unsigned add_region(struct vm *vm, u64 start, u64 end, struct sev_launch_region *out)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	void *host = end > start ? svm_gpa_ptr(vm, start, end - start) : NULL;
	if (!host)
		return 0;
	*out = (struct sev_launch_region){ start, host, end - start };
	return 1;
}

unsigned sev_linux_regions(struct vm *vm, const struct svm_linux_load_result *res, struct sev_launch_region *out)
{
	const struct linux_boot_params *bp = svm_gpa_ptr(vm, LINUX_BOOT_PARAMS_GPA, sizeof(*bp));
	unsigned n = 0;
	if (!bp)
		return 0;
	/* The 64-bit entry's page tables follow the zero page: guest memory the launch measures,
	 * as it measures firmware's. */
	n += add_region(vm, LINUX_GDT_GPA, res->entry64 ? LINUX_PT_END : LINUX_BOOT_PARAMS_GPA + sizeof(*bp), out + n);
	n += add_region(vm, LINUX_CMDLINE_GPA, LINUX_CMDLINE_GPA + bp->hdr.cmdline_size, out + n);
	/* The ACPI tables: the kernel of an SEV guest maps them encrypted (they are firmware's
	 * data), so on hardware they must go through LAUNCH_UPDATE_DATA like the rest. */
	n += add_region(vm, LINUX_ACPI_GPA, LINUX_ACPI_GPA + ACPI_TABLES_SIZE, out + n);
	n += add_region(vm, res->kernel_gpa, res->kernel_end, out + n);
	if (bp->hdr.ramdisk_size)
		n += add_region(vm, res->initrd_gpa, res->initrd_gpa + bp->hdr.ramdisk_size, out + n);
	return n;
}

bool sev_guest_launch(struct sev_platform *p, struct vcpu *v, struct sev_launch *l, const struct svm_kernel_load *k,
		      u32 policy)
{
	struct vm *vm = v->vm;
	struct sev_psp *psp = sev_psp_for_mode(p, vm->mode);
	if (!psp || !v->vmsa) {
		vm_terminate(vm, "SEV launch: no PSP or no VMSA page");
		return false;
	}
	struct sev_vmsa *vmsa = (struct sev_vmsa *)v->vmsa;
	sev_vmsa_build(vmsa, &v->vmcb->save, &v->gprs, 0);
	l->policy = policy;
	l->vmsa = vmsa;
	l->nr_regions = k->is_linux ? sev_linux_regions(vm, &k->lx, l->regions)
				    : sev_multiboot_regions(vm, &k->mb, l->regions);
	if (!sev_launch_guest(psp, l)) {
		vm_terminate(vm, "%s", l->reason);
		return false;
	}
	sev_launch_report(psp, l);
	/* From here on the VMSA page is the firmware's (G17) and the state is protected. */
	v->state_protected = true;
	if (vm->mode == VM_MODE_SOFT_ES) {
		memset(&v->vmcb->save, 0, sizeof(v->vmcb->save));
		memset(&v->gprs, 0, sizeof(v->gprs));
	}
	return true;
}

void sev_guest_teardown(struct sev_platform *p, struct vm *vm, struct sev_launch *l)
{
	struct sev_psp *psp = sev_psp_for_mode(p, vm->mode);
	if (psp) {
		sev_launch_teardown(psp, &p->asids, l);
		return;
	}
	if (vm->asid)
		sev_asid_free(&p->asids, vm->asid, false);
	vm->asid = 0;
}
