/* Plain-mode emulation of instructions whose exits carry no decode information (no decode
 * assists on TCG or nested KVM): MMIO accesses that hit an NPT hole, MOV to CR0/CR4/CR8,
 * CLTS and LMSW (register or memory operand), and string port I/O. Each fetches the instruction
 * at the guest RIP, decodes it (svm/emul/decode.h), and reuses the one implementation of the
 * rule (svm_mmio, svm_io_port, cr_shadow_*, svm_alu).
 *
 * MMIO: MOV/MOVZX/MOVSX/MOVSXD loads, MOV/MOVNTI stores, the ALU read-modify-write forms (with
 * LOCK where the architecture allows it, #UD elsewhere), BT*, XCHG, CMPXCHG, XADD, and REP
 * MOVS/STOS/LODS with either side in RAM or MMIO. The operand's linear address is computed from the instruction and translated page by
 * page through the guest's page tables, so an access crossing from RAM into MMIO is split there.
 * Anything else ends the guest with the instruction's bytes in the reason. An operand (or the
 * instruction's own bytes) that the guest's page tables do not let it reach gets the #PF the CPU
 * would have raised, with its error code and CR2, as KVM's emulator does (svm/emul/gva.h); a
 * REP string instruction keeps the iterations done before it, and RIP stays on it. */
#ifndef SVM_EMUL_MMIO_EMULATE_H
#define SVM_EMUL_MMIO_EMULATE_H

#include "svm/exit.h"

enum svm_outcome svm_mmio_emulate(struct vcpu *v, u64 gpa);
enum svm_outcome svm_cr_access_emulate(struct vcpu *v, unsigned cr);
enum svm_outcome svm_string_io(struct vcpu *v, u16 port, unsigned size, bool in, u64 exit_info1);

#endif
