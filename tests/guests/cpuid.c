/* CPUID as sevisor presents it (issue 5's CPUID policy), and fw_cfg. Run under plain QEMU the
 * sevisor-specific checks SKIP. */
#include "rt.h"

#define CPUID_SIG_LEN 12
#define EXPECTED_CPUS 1

static void vendor(char out[CPUID_SIG_LEN + 1], u32 a, u32 b, u32 c)
{
	memcpy(out, &a, 4);
	memcpy(out + 4, &b, 4);
	memcpy(out + 8, &c, 4);
	out[CPUID_SIG_LEN] = '\0';
}

static void check_cpuid(bool sevisor)
{
	char sig[CPUID_SIG_LEN + 1];
	struct cpuid r = cpuid(0);
	vendor(sig, r.b, r.d, r.c); /* leaf 0 vendor is EBX, EDX, ECX */
	report_info("vendor \"%s\", max basic leaf 0x%x", sig, r.a);
	report("cpuid: leaf 0 vendor is AuthenticAMD", memcmp(sig, "AuthenticAMD", 12) == 0);
	report("cpuid: leaf 1 hypervisor bit", cpuid(1).c & CPUID_1_ECX_HYPERVISOR);

	r = cpuid(CPUID_HV_BASE);
	vendor(sig, r.b, r.c, r.d);
	report_info("leaf 0x40000000: max 0x%x signature \"%s\"", r.a, sig);
	if (sevisor)
		report("cpuid: 0x40000000 signature sevisor", true);
	else
		report_skip("cpuid: 0x40000000 signature sevisor", "not running under sevisor");

	u32 max_ext = cpuid(0x80000000).a;
	report("cpuid: extended leaves up to 0x80000008", max_ext >= 0x80000008);
	report("cpuid: SVM hidden (0x80000001 ECX[2] clear)",
	       !(cpuid(0x80000001).c & CPUID_80000001_ECX_SVM) || !sevisor);
	bool lmsle_mbz = cpuid(0x80000008).b & CPUID_80000008_EBX_LMSLE_MBZ;
	if (sevisor)
		report("cpuid: 0x80000008 EBX[20] EferLmsleUnsupported", lmsle_mbz);
	else
		report_skip("cpuid: 0x80000008 EBX[20] EferLmsleUnsupported", "not under sevisor");
}

static void check_fw_cfg(void)
{
	char sig[5] = {0};
	fw_cfg_read(FW_CFG_SIGNATURE, sig, 4);
	report("fw_cfg: signature QEMU", memcmp(sig, "QEMU", 4) == 0);
	u64 cpus = fw_cfg_read_le(FW_CFG_NB_CPUS, 2);
	reportf(cpus == EXPECTED_CPUS, "fw_cfg: CPU count %lu", cpus);

	/* RAM size agrees with Multiboot's mem_upper (KiB above 1 MiB) to within 2 MiB. */
	u64 ram = fw_cfg_read_le(FW_CFG_RAM_SIZE, 8);
	const struct multiboot_info *mb = mb_info();
	if (!(mb->flags & MB_INFO_MEM)) {
		report("fw_cfg: RAM size (Multiboot has no memory info)", false);
		return;
	}
	u64 mb_ram = ((u64)mb->mem_upper << 10) + (1 << 20);
	u64 diff = ram > mb_ram ? ram - mb_ram : mb_ram - ram;
	report_info("fw_cfg RAM 0x%lx, Multiboot mem_upper %u KiB", ram, mb->mem_upper);
	report("fw_cfg: RAM size matches Multiboot memory", ram >= (16 << 20) && diff <= (2 << 20));
}

int main(void)
{
	bool sevisor = under_sevisor();
	report_info("running under %s", sevisor ? "sevisor" : "something else");
	check_cpuid(sevisor);
	check_fw_cfg();
	return report_summary();
}
