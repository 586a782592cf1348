/* Guest memory accessor. See guest_mem.h. */
#include "svm/guest_mem.h"
#include "lib/kstring.h"

void *svm_gpa_ptr(struct vm *vm, u64 gpa, u64 len)
{
	gpa = svm_gpa_strip_cbit(vm, gpa);
	if (len == 0 || gpa + len < gpa)
		return NULL;
	for (unsigned i = 0; i < vm->nr_ram; i++) {
		const struct ram_slot *s = &vm->ram[i];
		u64 off = gpa - s->gpa;
		if (gpa >= s->gpa && off < s->size && len <= s->size - off)
			return s->host + off;
	}
	return NULL;
}

bool svm_gpa_is_ram(struct vm *vm, u64 gpa)
{
	return svm_gpa_ptr(vm, gpa, 1) != NULL;
}

bool svm_gpa_read(struct vm *vm, u64 gpa, void *dst, u64 len)
{
	void *p = svm_gpa_ptr(vm, gpa, len);
	if (!p)
		return false;
	memcpy(dst, p, len);
	return true;
}

bool svm_gpa_write(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	void *p = svm_gpa_ptr(vm, gpa, len);
	if (!p)
		return false;
	memcpy(p, src, len);
	return true;
}
