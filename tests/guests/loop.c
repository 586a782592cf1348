/* Prints one line, then spins forever with interrupts off. Only sevisor's per-guest time limit
 * (`timeout` key) ends it, and its reason must say so. */
#include "rt.h"

int main(void)
{
	printf("loop: spinning forever with interrupts off\n");
	asm volatile("cli; 1: jmp 1b");
	return EXIT_FAIL;
}
