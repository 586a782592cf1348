/* A triple fault: with an empty IDT (limit 0) an INT3 cannot be delivered (#GP), the #GP
 * cannot either (#DF), nor the #DF: the CPU shuts down. sevisor must end this guest
 * (verdict terminated, reason naming the shutdown) and go on with the next one. */
#include "rt.h"

int main(void)
{
	printf("triple_fault: loading an empty IDT and executing INT3\n");
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) empty = {0, 0};
	asm volatile("lidt %0; int3" : : "m"(empty));
	/* Not reached on any correct machine. */
	report("triple_fault: execution continued after the triple fault", false);
	return report_summary();
}
