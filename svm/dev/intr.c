/* See intr.h. */
#include "svm/dev/intr.h"
#include "svm/dev/devices.h"
#include "svm/vm.h"

void dev_intr_nmi_ack(struct vm *vm)
{
	vm->devices->nmi_pending = false;
}

static bool extint_pending(struct vm *vm)
{
	return dev_lapic_accepts_pic(vm) && dev_pic_output(vm);
}

bool dev_intr_maskable_evaluate(struct vm *vm)
{
	struct dev_intr_summary *s = &vm->devices->intr;
	u64 outside = dev_lapic_outside_inputs(vm);
	s->maskable = extint_pending(vm) || dev_lapic_deliverable(vm) >= 0;
	vm->devices->intr_outside = outside;
	s->stale = false;
	return s->maskable;
}

int dev_intr_maskable_ack(struct vm *vm)
{
	if (extint_pending(vm))
		return dev_pic_inta(vm);
	int v = dev_lapic_deliverable(vm);
	if (v >= 0)
		dev_lapic_ack(vm, (u8)v);
	return v;
}

static u64 earliest(u64 a, u64 b)
{
	return a < b ? a : b;
}

u64 devices_deadline_refresh(struct vm *vm)
{
	struct vm_devices *d = vm->devices;
	d->next_deadline = earliest(earliest(dev_lapic_next_deadline(&d->lapic), dev_pit_next_deadline(&d->pit)),
				    earliest(dev_hpet_next_deadline(&d->hpet), dev_rtc_next_deadline(&d->rtc)));
	d->deadline_stale = false;
	return d->next_deadline;
}

void devices_reprogrammed(struct vm *vm)
{
	vm->devices->deadline_stale = true;
	vm->devices->deadline_moved = true;
}

void devices_fire(struct vm *vm, u64 now)
{
	dev_lapic_timer_tick(vm, now);
	dev_pit_tick(vm, now);
	dev_hpet_tick(vm, now);
	dev_rtc_tick(vm, now);
	devices_reprogrammed(vm); /* what fired re-armed or stopped */
}
