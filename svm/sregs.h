/* Register access for the rest of sevisor and for debugging tools, in the spirit of
 * KVM_GET_SREGS / KVM_SET_SREGS: control registers, segment registers, GDT/IDT.
 *
 * The contract (issue 4):
 *   - get of a protected vCPU (sev-es VMSA encrypted, or hidden by the soft-es model) returns
 *     only what the hypervisor tracks (EFER with inferred LMA, CR0, CR4, CR8) and marks every
 *     other field in `unavailable`; those fields read as 0.
 *   - set of a protected vCPU is refused with VCPU_SREGS_EPROTECTED and a logged error; nothing
 *     is changed, never silently dropped.
 *   - set of an unprotected vCPU (plain mode, or any mode before launch) validates the whole
 *     resulting state (vcpu_sregs_check: CR0/CR4/CR8 rules and long-mode consistency) and
 *     changes nothing unless it passes.
 *   - whatever get returned can be set back unchanged (for a protected vCPU: passes
 *     vcpu_sregs_check, so an outside tool holding it is holding a consistent state). */
#ifndef SVM_SREGS_H
#define SVM_SREGS_H

#include "lib/types.h"

struct vcpu;

/* A segment register; attrib in the VMCB's packed form (svm/vmcb.h SVM_SEG_*). */
struct vcpu_sregs_seg {
	u64 base;
	u32 limit;
	u16 selector;
	u16 attrib;
};

struct vcpu_sregs_dtable {
	u64 base;
	u32 limit;
};

/* Field groups for vcpu_sregs.unavailable. */
enum {
	VCPU_SREGS_SEGS = BIT(0),    /* cs ds es fs gs ss tr ldt */
	VCPU_SREGS_DTABLES = BIT(1), /* gdt idt */
	VCPU_SREGS_CR0 = BIT(2),
	VCPU_SREGS_CR2 = BIT(3),
	VCPU_SREGS_CR3 = BIT(4),
	VCPU_SREGS_CR4 = BIT(5),
	VCPU_SREGS_CR8 = BIT(6),
	VCPU_SREGS_EFER = BIT(7),
};
#define VCPU_SREGS_ALL (VCPU_SREGS_SEGS | VCPU_SREGS_DTABLES | VCPU_SREGS_CR0 | VCPU_SREGS_CR2 | \
			VCPU_SREGS_CR3 | VCPU_SREGS_CR4 | VCPU_SREGS_CR8 | VCPU_SREGS_EFER)
/* What the hypervisor tracks even for a protected vCPU (svm/cr_shadow.h). */
#define VCPU_SREGS_TRACKED (VCPU_SREGS_CR0 | VCPU_SREGS_CR4 | VCPU_SREGS_CR8 | VCPU_SREGS_EFER)

struct vcpu_sregs {
	struct vcpu_sregs_seg cs, ds, es, fs, gs, ss, tr, ldt;
	struct vcpu_sregs_dtable gdt, idt;
	u64 cr0, cr2, cr3, cr4, cr8;
	u64 efer; /* guest-visible: LMA = LME && CR0.PG, SVME never set */
	/* get: the groups that could not be read (their fields are 0).
	 * set: the groups the caller does not supply; they are kept as they are. */
	u32 unavailable;
};

enum vcpu_sregs_error {
	VCPU_SREGS_OK = 0,
	VCPU_SREGS_EPROTECTED, /* the vCPU's state is protected: nothing was changed */
	VCPU_SREGS_EINVAL,     /* the resulting state is inconsistent: nothing was changed */
	VCPU_SREGS_ENOSTATE,   /* fields supplied that have no home (no VMCB): nothing was changed */
};

/* Reads the vCPU's registers; see the contract above. */
void vcpu_sregs_get(const struct vcpu *v, struct vcpu_sregs *out);
/* Writes the supplied groups; see the contract above. Errors are also logged. */
enum vcpu_sregs_error vcpu_sregs_set(struct vcpu *v, const struct vcpu_sregs *in);
/* The consistency rules set applies (APM vol. 2, 3.1 and 15.5.1 "VMRUN" consistency checks),
 * over the available groups of s; cr4_allowed = the CR4 bits the guest may set. Returns NULL
 * when consistent, else the rule that is broken. */
const char *vcpu_sregs_check(const struct vcpu_sregs *s, u64 cr4_allowed);
const char *vcpu_sregs_strerror(enum vcpu_sregs_error e);

#endif
