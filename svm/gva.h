/* Guest-virtual to guest-physical translation for the plain-mode emulation paths that must
 * read guest memory by linear address (instruction fetch for the decoder, string I/O).
 * Walks the guest's own page tables in guest RAM (APM vol. 2, 5.2-5.3): paging off, 32-bit
 * (with 4 MiB pages when CR4.PSE), PAE, and 4-level long mode (2 MiB / 1 GiB pages).
 * Never used for protected vCPUs: their page tables are private. */
#ifndef SVM_GVA_H
#define SVM_GVA_H

#include "svm/vcpu.h"

/* False if the address is not mapped (the caller injects #PF or terminates). */
bool svm_gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa);
/* Reads len bytes at a linear address, page by page. */
bool svm_gva_read(struct vcpu *v, u64 gva, void *dst, u64 len);
bool svm_gva_write(struct vcpu *v, u64 gva, const void *src, u64 len);

#endif
