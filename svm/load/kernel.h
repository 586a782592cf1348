/* A guest's kernel in either format sevisor boots: a Linux bzImage (told apart by its setup
 * header, svm/load/linux.h) or a Multiboot v1 ELF (svm/load/multiboot.h). */
#ifndef SVM_LOAD_KERNEL_H
#define SVM_LOAD_KERNEL_H

#include "boot/boot.h"
#include "svm/load/linux.h"
#include "svm/load/multiboot.h"

struct svm_kernel_load {
	bool is_linux;
	struct svm_mb_load_result mb;
	struct svm_linux_load_result lx;
};

/* Loads the configured kernel (and its modules or initrd) into guest RAM and logs what went
 * where; false with the reason in err. */
bool svm_load_kernel(struct vm *vm, const struct cfg_guest *c, const struct boot_guest_files *f,
		     struct svm_kernel_load *k, char *err, unsigned errlen);
/* The entry state its format prescribes. */
void svm_kernel_entry_state(struct vmcb *vmcb, struct svm_gprs *gprs, const struct svm_kernel_load *k);

#endif
