/* The one way to reach guest memory: guest-physical address to host pointer, bounds-checked
 * against the guest's RAM slots, with the C-bit stripped for sev-es/soft-es guests. Tests back
 * the slots with ordinary buffers. */
#ifndef SVM_GUEST_MEM_H
#define SVM_GUEST_MEM_H

#include "svm/vm.h"

/* Host pointer for [gpa, gpa + len) if the whole range lies in one RAM slot, else NULL. */
void *svm_gpa_ptr(struct vm *vm, u64 gpa, u64 len);
bool svm_gpa_read(struct vm *vm, u64 gpa, void *dst, u64 len);
bool svm_gpa_write(struct vm *vm, u64 gpa, const void *src, u64 len);
/* True when gpa (C-bit stripped) is guest RAM. */
bool svm_gpa_is_ram(struct vm *vm, u64 gpa);
/* The address with the C-bit removed (identity when the guest has none). Inline: every guest
 * memory access (page walks: up to four per translation) goes through it. */
static inline u64 svm_gpa_strip_cbit(const struct vm *vm, u64 gpa)
{
	return vm->cbit ? gpa & ~BIT(vm->cbit) : gpa;
}

#endif
