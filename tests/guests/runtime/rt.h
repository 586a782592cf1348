/* The guest runtime's public interface: everything a guest program includes. */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>

#include "cpu.h"
#include "exc.h"
#include "io.h"
#include "types.h"

/* GDT selectors, defined in entry.asm. */
#define GDT_CODE64 0x08
#define GDT_DATA 0x10
#define GDT_CODE32 0x18 /* 32-bit code: compatibility mode under long mode, or legacy mode */
#define GDT_CODE16 0x20 /* 16-bit code, base 0, limit 64 KiB: the step down to real mode */
#define GDT_DATA16 0x28 /* 16-bit data, base 0, limit 64 KiB */

/* Exit codes written to isa-debug-exit (port 0xF4). sevisor's `expect` defaults to 0. */
#define DEBUG_EXIT_PORT 0xF4
#define EXIT_PASS 0
#define EXIT_FAIL 1
#define EXIT_ABORT 3 /* the runtime gave up: unexpected exception, broken protocol reply */

/* Set by the entry code. */
extern u32 mb_magic;    /* EAX at entry: 0x2BADB002 from a Multiboot loader */
extern u32 mb_info_gpa; /* EBX at entry */
extern u8 rt_sev_es;    /* 1 when built with the SEV-ES entry (es_*.elf) */
extern u8 rt_cbit;      /* C-bit position from SEV_INFO (SEV-ES entry only) */
extern u16 rt_ghcb_version; /* negotiated GHCB protocol version (SEV-ES entry only) */
extern u64 rt_sev_info;  /* the raw SEV_INFO response (SEV-ES entry only) */
extern u64 pt_low[512];  /* 4 KiB page table for GPA 0-2 MiB (entry.asm) */

#define MULTIBOOT_LOADER_MAGIC 0x2BADB002u

/* The Multiboot v1 information block (Multiboot 0.6.96, 3.3). Only what the tests read. */
struct multiboot_info {
	u32 flags;
	u32 mem_lower; /* KiB, valid with flags bit 0 */
	u32 mem_upper; /* KiB above 1 MiB */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr; /* valid with flags bit 6 */
} __attribute__((packed));
#define MB_INFO_MEM BIT(0)
#define MB_INFO_CMDLINE BIT(2)

const struct multiboot_info *mb_info(void);

/* The program's entry point. Its return value is passed to exit(); most programs end with
 * `return report_summary();`. */
int main(void);

/* Output. */
void putchar(int c);
void puts(const char *s); /* no newline added */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

/* Results, kvm-unit-tests style: "PASS: name" / "FAIL: name" / "SKIP: name", then
 * "SUMMARY: N tests, M failures". report() returns ok so callers can chain. */
bool report(const char *name, bool ok);
bool reportf(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_skip(const char *name, const char *why);
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int report_summary(void); /* prints SUMMARY and returns EXIT_PASS or EXIT_FAIL */

__attribute__((noreturn)) void exit(int code);

/* Port I/O for the runtime's own devices (console, debug exit, fw_cfg). Plain port
 * instructions normally; under SEV-ES straight to the GHCB, so that the runtime's output never
 * depends on the #VC handler it may be testing. */
void con_out(u16 port, u32 val, unsigned size);
u32 con_in(u16 port, unsigned size);

/* fw_cfg (QEMU's firmware configuration interface, legacy I/O ports). */
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID 0x0001
#define FW_CFG_RAM_SIZE 0x0003
#define FW_CFG_NB_CPUS 0x0005
void fw_cfg_read(u16 key, void *buf, unsigned len);
u64 fw_cfg_read_le(u16 key, unsigned len);

/* Small helpers. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* True when CPUID leaf 0x40000000 carries sevisor's signature ("sevisor" at the start of
 * EBX:ECX:EDX). Tests of sevisor-specific behaviour SKIP elsewhere (plain QEMU). */
bool under_sevisor(void);

#endif
