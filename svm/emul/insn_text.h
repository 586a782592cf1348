/* The bytes of the guest instruction at CS:RIP as text, for the reason of a guest that ends on
 * an instruction sevisor cannot step over or emulate: "bytes 0f 01 d9 ..." (up to 15, fewer when
 * the code runs into an unmapped page; "no readable bytes" when there are none). */
#ifndef SVM_EMUL_INSN_TEXT_H
#define SVM_EMUL_INSN_TEXT_H

#include "svm/vcpu.h"

#define SVM_INSN_TEXT_MAX 64 /* "bytes " + 15 x "xx " */

void svm_insn_bytes_text(struct vcpu *v, char *buf, size_t size);

#endif
