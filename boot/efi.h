/* UEFI boot services sevisor uses before ExitBootServices (boot/efi_*.c). */
#ifndef BOOT_EFI_H
#define BOOT_EFI_H

#include "lib/types.h"

/* Keeps the image handle and the system table for the calls below (before anything else). */
void efi_services_init(void *image, void *systab);
/* Reads a whole file from the boot volume (path with '/' separators, relative to its root)
 * into firmware pool memory (LoaderData, which stays sevisor's after ExitBootServices). */
bool efi_read_file(const char *path, u8 **data, u64 *size, char *err, size_t errlen);
/* The ConOut log sink (only until ExitBootServices). */
void efi_conout_sink(const char *text, size_t len, void *ctx);
/* Microseconds of firmware delay (BS->Stall), for TSC calibration. */
void efi_stall(u64 us);
/* Gets the memory map and exits boot services. On success the outputs describe a
 * copy of the final map. */
bool efi_exit_boot_services(void **map, u64 *map_size, u64 *desc_size, char *err, size_t errlen);

#endif
