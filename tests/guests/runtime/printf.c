/* A small printf: %d %i %u %x %X %p %s %c %%, flags '0' and '-', a width, and the length
 * modifiers l, ll and z. Enough for test output; no floating point. */
#include "rt.h"

struct sink {
	char *buf; /* NULL: write to the console */
	size_t size, len;
};

static void emit(struct sink *s, char c)
{
	if (!s->buf)
		putchar(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void emit_padded(struct sink *s, const char *str, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;
	if (!left)
		while (fill-- > 0)
			emit(s, pad);
	while (n--)
		emit(s, *str++);
	if (left)
		while (fill-- > 0)
			emit(s, ' ');
}

static void emit_number(struct sink *s, u64 v, bool neg, unsigned base, bool upper, int width,
			bool left, char pad)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;
	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[sizeof(tmp) - 1 - n++] = '-';
	emit_padded(s, &tmp[sizeof(tmp) - n], (size_t)n, width, left, left ? ' ' : pad);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(s, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		int width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int longs = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = longs ? va_arg(ap, long long) : va_arg(ap, int);
			emit_number(s, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false, width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			u64 v = longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			emit_number(s, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left, pad);
			break;
		}
		case 'p':
			emit(s, '0');
			emit(s, 'x');
			emit_number(s, (u64)va_arg(ap, void *), false, 16, false, width, left, pad);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			emit_padded(s, str, strlen(str), width, left, ' ');
			break;
		}
		case 'c':
			emit(s, (char)va_arg(ap, int));
			break;
		case '%':
			emit(s, '%');
			break;
		case '\0':
			return;
		default: /* unknown conversion: print it as is */
			emit(s, '%');
			emit(s, *fmt);
		}
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink s = {0};
	format(&s, fmt, ap);
	return (int)s.len;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct sink s = {.buf = buf, .size = n};
	format(&s, fmt, ap);
	if (n)
		buf[s.len < n ? s.len : n - 1] = '\0';
	return (int)s.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
