/* Fixed-width types for the guest runtime. The guests are freestanding and share nothing with
 * sevisor's own sources on purpose: they judge it from outside. */
#ifndef GUEST_TYPES_H
#define GUEST_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define BIT(n) (1ULL << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096ULL

#endif
