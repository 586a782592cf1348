/* `sti; hlt` forever: an idle guest. Only the time limit ends it; sevisor should sleep meanwhile
 * instead of resuming the guest again and again (the integration test counts its exits). */
#include "rt.h"

int main(void)
{
	for (;;)
		asm volatile("sti; hlt" ::: "memory");
	return EXIT_FAIL;
}
