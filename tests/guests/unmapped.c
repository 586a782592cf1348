/* A read of a GPA that is neither RAM nor a device: 2 GiB, inside the runtime's identity map but
 * far above the guest's RAM. With sevisor's default `unbacked = terminate` the guest ends there,
 * with the GPA (0x80000000) and the access in the reason. */
#include "rt.h"

#define UNBACKED_GPA ((u64)0x80000000)

int main(void)
{
	printf("unmapped: reading GPA 0x%lx\n", UNBACKED_GPA);
	u32 v = *(volatile u32 *)UNBACKED_GPA;
	reportf(false, "unmapped: the read of 0x%lx returned 0x%x instead of ending the guest",
		UNBACKED_GPA, v);
	return report_summary();
}
