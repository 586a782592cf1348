/* See intr.h. */
#include "svm/dev/intr.h"
#include "svm/dev/devices.h"
#include "svm/vm.h"

bool dev_intr_nmi_pending(struct vm *vm)
{
	return vm->devices->lapic.nmi_pending;
}

void dev_intr_nmi_ack(struct vm *vm)
{
	vm->devices->lapic.nmi_pending = false;
}

bool dev_intr_maskable_pending(struct vm *vm)
{
	return dev_lapic_deliverable(vm) >= 0;
}

int dev_intr_maskable_ack(struct vm *vm)
{
	int v = dev_lapic_deliverable(vm);
	if (v >= 0)
		dev_lapic_ack(vm, (u8)v);
	return v;
}

void devices_tick(struct vm *vm, u64 now)
{
	dev_lapic_timer_tick(vm, now);
}

u64 devices_next_deadline(struct vm *vm)
{
	return dev_lapic_next_deadline(&vm->devices->lapic);
}
