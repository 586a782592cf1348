/* Memory and string functions. The hosted build uses the C library's; the freestanding
 * build gets lib/string.c, which gcc also relies on for struct copies. */
#ifndef LIB_KSTRING_H
#define LIB_KSTRING_H

#include "lib/types.h"

#ifdef SEVISOR_HOSTED
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
void *memchr(const void *s, int c, size_t n);
/* -ffreestanding turns GCC's builtins off; these two get them back, so that a copy or fill of
 * a small constant size becomes a few moves instead of a call (paging entries, GHCB fields,
 * register sets on the exit path). Other sizes still call lib/string.c. */
#ifndef LIB_STRING_IMPL
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#endif
#endif

/* Copies at most size-1 bytes and always terminates (when size > 0); returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);

#endif
