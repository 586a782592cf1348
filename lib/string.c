/* Freestanding memory/string functions (the hosted build uses libc's). */
#define LIB_STRING_IMPL /* the real memcpy/memset are defined here, not the builtin macros */
#include "lib/kstring.h"

#ifndef SEVISOR_HOSTED
/* memcpy and memset: gnu-efi's libefi has byte loops (4-5 instructions per byte: zeroing a
 * 64 MiB guest took 269 M instructions), so sevisor has its own, 8 bytes per step with the
 * string instructions (libefi is not linked at all: boot/efi_services.c). DF is clear at
 * every call (the ABI's rule, and sevisor's handlers keep it). */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	u64 pattern = 0x0101010101010101ULL * (u8)c;
	size_t words = n / 8, tail = n % 8;
	asm volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
	asm volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(pattern) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	const void *s = src;
	size_t words = n / 8, tail = n % 8;
	asm volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
	asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(tail) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (u8)a[i] < (u8)b[i] ? -1 : 1;
		if (!a[i])
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

void *memchr(const void *s, int c, size_t n)
{
	const u8 *p = s;
	for (size_t i = 0; i < n; i++)
		if (p[i] == (u8)c)
			return (void *)(p + i);
	return NULL;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
#endif

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
