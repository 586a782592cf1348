/* libFuzzer target: the GHCB MSR protocol, with the real CPUID policy behind it. The input is a vCPU configuration followed by a
 * sequence of GHCB MSR values (raw, or a known request code with fuzzed data), interleaved with
 * GHCB-page exits and AP releases; after every VMGEXIT the answer is checked against the
 * protocol's rules (facts A.1-A.4). */
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_env.h"
#include "svm/guest_mem.h"
#include "msr/cpuid.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static const u16 codes[] = { 0x002, 0x004, 0x006, 0x010, 0x012, 0x014, 0x016, 0x080, 0x100,
			     0x001, 0x005, 0x011, 0x013, 0x081, 0xFFF, 0x003 };

static u64 all_ones_resp(u64 code)
{
	return (GHCB_GFN_NONE << 12) | code;
}

static void check_msr_answer(struct vcpu *v, u64 req, enum svm_outcome o)
{
	u64 code = req & 0xFFF, resp = v->vmcb->control.ghcb_gpa;
	u16 max = v->ghcb.cfg.max_version;
	if (max == 0 || max > 2)
		max = 2;

	if (o == SVM_TERMINATE) {
		if (code != 0x100 && !(code == 0x006 && fz.vm.nr_vcpus < 2))
			abort();
		return;
	}
	switch (code) {
	case 0x002:
		if (resp != (((u64)max << 48) | (1ULL << 32) | ((u64)fz.vm.cbit << 24) | 0x001))
			abort();
		break;
	case 0x004: {
		if ((resp & 0xFFF) != 0x005 || ((resp >> 30) & 3) != ((req >> 30) & 3))
			abort();
		/* The register asked for, as the CPUID policy answers the leaf (sub-leaf 0). */
		struct cpuid_regs r;
		msr_cpuid(v, (u32)(req >> 32), 0, v->ghcb.xcr0 ? v->ghcb.xcr0 : 1, 0, &r);
		const u32 regs[4] = { r.eax, r.ebx, r.ecx, r.edx };
		if ((resp >> 32) != regs[(req >> 30) & 3])
			abort();
		break;
	}
	case 0x006:
		if (resp != 0x007 || !ghcb_ap_reset_held(v))
			abort();
		break;
	case 0x010:
		if (resp != (v->ghcb.cfg.pref_gfn_set
				     ? (((v->ghcb.cfg.pref_gfn & GHCB_GFN_MASK) << 12) | 0x011)
				     : all_ones_resp(0x011)))
			abort();
		break;
	case 0x012: {
		u64 gfn = req >> 12;
		if (resp == all_ones_resp(0x013))
			break;
		if (resp != ((gfn << 12) | 0x013) || !v->ghcb.registered ||
		    v->ghcb.registered_gpa != gfn << 12 || !svm_gpa_ptr(&fz.vm, gfn << 12, 4096))
			abort();
		break;
	}
	case 0x014:
	case 0x016:
		if ((resp & 0xFFF) != code + 1 || (resp >> 32) == 0)
			abort();
		break;
	case 0x080:
		if (resp != 0x081)
			abort();
		break;
	default:
		if (resp != req) /* unknown: left unchanged */
			abort();
	}
}

/* A minimal valid INVD request through a GHCB page at gpa. */
static void page_exit(struct vcpu *v, u64 gpa)
{
	bool ram = svm_gpa_ptr(&fz.vm, gpa, 4096) != NULL;
	if (ram) {
		struct ghcb *g = (struct ghcb *)fz_ram(svm_gpa_strip_cbit(&fz.vm, gpa));
		memset(g, 0, sizeof(*g));
		g->protocol_version = (u16)(fz_byte() % 3);
		g->save.sw_exit_code = 0x76;
		struct ghcb_bits b = { { 0, 0 } };
		ghcb_bits_set(&b, GHCB_BIT(sw_exit_code));
		ghcb_bits_set(&b, GHCB_BIT(sw_exit_info1));
		ghcb_bits_set(&b, GHCB_BIT(sw_exit_info2));
		ghcb_bits_store(g->save.valid_bitmap, &b);
	}
	v->vmcb->control.ghcb_gpa = gpa;
	bool mismatch = v->ghcb.registered &&
			svm_gpa_strip_cbit(&fz.vm, gpa) != svm_gpa_strip_cbit(&fz.vm, v->ghcb.registered_gpa);
	enum svm_outcome o = ghcb_handle_vmgexit(v);
	fz_check_outcome(o);
	fz_check_protected_rip();
	if ((mismatch || !ram || gpa == 0) && o != SVM_TERMINATE)
		abort(); /* registered-GPA mismatch and non-RAM GHCBs must terminate */
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	fz_reset(data, size, VM_MODE_SOFT_ES);
	u8 cfg = fz_byte();
	struct vcpu *v = &fz.v[0];
	fz.vm.nr_vcpus = (cfg & 1) ? 2 : 1;
	fz.vm.cbit = (u8)(fz_byte() % 53); /* 0 = none, else 12..63 */
	if (fz.vm.cbit)
		fz.vm.cbit += 11;
	v->ghcb.cfg.max_version = (cfg >> 1) & 3;
	v->ghcb.cfg.pref_gfn_set = (cfg >> 3) & 1;
	v->ghcb.cfg.pref_gfn = fz_u64();
	ghcb_vcpu_reset(v); /* SEV_INFO is fixed from the configuration and C-bit at reset */
	v->ghcb.xcr0 = (cfg & 0x10) ? fz_u64() : 0;

	for (unsigned i = 0; i < 64; i++) {
		u8 op = fz_byte();
		u64 req;
		switch (op & 7) {
		case 0:
			req = fz_u64();
			break;
		case 5: {
			u8 sel = fz_byte();
			u64 gpa = sel & 1 ? 0x10000 : (sel & 2 ? FZ_SLOT1_GPA : fz_u64() & ~0xFFFULL);
			if ((sel & 4) && fz.vm.cbit)
				gpa |= 1ULL << fz.vm.cbit;
			page_exit(v, gpa);
			fz.vm.end = VM_END_RUNNING;
			continue;
		}
		case 6:
			ghcb_ap_reset_release(v);
			continue;
		case 7: /* register a RAM page */
			req = ((fz_byte() & 1 ? FZ_SLOT1_GPA : 0x10000) + ((u64)fz_byte() << 12)) | 0x012;
			break;
		default:
			req = (fz_u64() & ~0xFFFULL) | codes[fz_byte() % (sizeof(codes) / sizeof(codes[0]))];
		}
		if ((req & 0xFFF) == 0)
			req |= 0x002;
		v->vmcb->control.ghcb_gpa = req;
		enum svm_outcome o = ghcb_handle_vmgexit(v);
		fz_check_outcome(o);
		fz_check_protected_rip();
		check_msr_answer(v, req, o);
		fz.vm.end = VM_END_RUNNING; /* keep exploring the state machine */
		if (!fz_byte() && !fz_byte())
			break;
	}
	return 0;
}
