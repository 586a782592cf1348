/* Forced into every object of the EFI image (EFI_CFLAGS in the Makefile, -include), never into
 * the hosted build.
 *
 * The image is linked as one position-independent shared object (-fpic, -shared -Bsymbolic) and
 * exports nothing: the firmware enters it at its PE entry point, and gnu-efi's _relocate applies
 * its own relocations. With default visibility, though, the compiler must assume any global
 * defined in another file could be preempted at load time, so every access to one goes through
 * the GOT (the linker turns the GOT load into a `lea`, still one extra instruction per access:
 * `lea g_log_level(%rip),%rdx; cmpl $2,(%rdx)`). Declaring everything hidden tells it the
 * definition is in this image, so the access is a single RIP-relative operand. Nothing changes
 * in what is linked or where it is placed. */
#pragma GCC visibility push(hidden)
