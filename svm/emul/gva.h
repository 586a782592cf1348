/* Guest-virtual to guest-physical translation for the plain-mode emulation paths that must
 * read guest memory by linear address (instruction fetch for the decoder, string I/O).
 * Walks the guest's own page tables in guest RAM (APM vol. 2, 5.2-5.3): paging off, 32-bit
 * (with 4 MiB pages when CR4.PSE), PAE, and 4-level long mode (2 MiB / 1 GiB pages).
 * Never used for protected vCPUs: their page tables are private. */
#ifndef SVM_EMUL_GVA_H
#define SVM_EMUL_GVA_H

#include "svm/emul/decode.h"
#include "svm/vcpu.h"

/* False if the address is not mapped (the caller injects #PF or terminates). */
bool svm_gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa);
/* Reads len bytes at a linear address, page by page. */
bool svm_gva_read(struct vcpu *v, u64 gva, void *dst, u64 len);
bool svm_gva_write(struct vcpu *v, u64 gva, const void *src, u64 len);
/* For a caller that comes back to the same page: the host address of [gva, gva + len) through
 * the page cache c (struct vcpu_page_cache: the same bytes as a fresh walk gives), or NULL when
 * the range crosses a page, is empty, or its page is unmapped or not wholly guest RAM; then
 * svm_gva_read/svm_gva_write decide. */
void *svm_gva_cached_ptr(struct vcpu *v, struct vcpu_page_cache *c, u64 gva, u64 len);

/* The code size the guest runs in now (CR0.PE, EFER.LMA, CS.L/D, RFLAGS.VM from the VMCB). */
enum svm_cpu_mode svm_guest_cpu_mode(const struct vcpu *v);
/* Fetches the instruction at CS:RIP, byte by byte (it may end just before an unmapped page),
 * and decodes it. For the plain-mode emulation paths and the soft-es CPU model only: both
 * may look at the guest's state. */
enum svm_decode_status svm_fetch_insn(struct vcpu *v, struct svm_insn *out);

/* The fetch of svm_fetch_insn without the decode: fills bytes[0..n) and *mode, returns n. */
unsigned svm_fetch_bytes(struct vcpu *v, u8 bytes[SVM_INSN_MAX_LEN], enum svm_cpu_mode *mode);

#endif
