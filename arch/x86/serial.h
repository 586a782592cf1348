/* Port-I/O log sinks (COM1, QEMU debugcon 0xE9); see serial_hw.c. */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

#include "lib/types.h"

void serial_init(void);
void serial_sink_com1(const char *text, size_t len, void *ctx);
void serial_sink_debugcon(const char *text, size_t len, void *ctx);

#endif
