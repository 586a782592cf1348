/* A small vsnprintf: enough for logs and dumps, with the overflow rules of C99. */
#include "lib/fmt.h"
#include "lib/kstring.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space;
	int width;
	int prec; /* -1: none */
};

static void emit_num(struct out *o, const struct spec *sp, u64 v, unsigned base, bool upper, bool neg)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[68];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	int len = n + (sign ? 1 : 0);
	if (!sp->left && !sp->zero)
		pad(o, ' ', sp->width - len);
	if (sign)
		put(o, sign);
	if (!sp->left && sp->zero)
		pad(o, '0', sp->width - len);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	/* With a precision the argument need not be NUL-terminated (C11 7.21.6.1p8): never read
	 * the byte past it. */
	int n = 0;
	while ((sp->prec < 0 || n < sp->prec) && s[n])
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

enum len_mod { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static u64 get_unsigned(va_list *ap, enum len_mod m)
{
	switch (m) {
	case LEN_CHAR: return (u8)va_arg(*ap, unsigned int);
	case LEN_SHORT: return (u16)va_arg(*ap, unsigned int);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static s64 get_signed(va_list *ap, enum len_mod m)
{
	switch (m) {
	case LEN_CHAR: return (s8)va_arg(*ap, int);
	case LEN_SHORT: return (s16)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (s64)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		struct spec sp = { .prec = -1 };
		for (;; p++) {
			if (p[1] == '-') sp.left = true;
			else if (p[1] == '0') sp.zero = true;
			else if (p[1] == '+') sp.plus = true;
			else if (p[1] == ' ') sp.space = true;
			else break;
		}
		p++;
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				sp.width = sp.width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			sp.prec = 0;
			if (*p == '*') {
				sp.prec = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					sp.prec = sp.prec * 10 + (*p++ - '0');
			}
		}
		enum len_mod m = LEN_INT;
		if (*p == 'h') {
			m = LEN_SHORT;
			if (*++p == 'h') { m = LEN_CHAR; p++; }
		} else if (*p == 'l') {
			m = LEN_LONG;
			if (*++p == 'l') { m = LEN_LLONG; p++; }
		} else if (*p == 'z') {
			m = LEN_SIZE;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			s64 v = get_signed(&ap, m);
			emit_num(&o, &sp, v < 0 ? (u64)0 - (u64)v : (u64)v, 10, false, v < 0);
			break;
		}
		case 'u': emit_num(&o, &sp, get_unsigned(&ap, m), 10, false, false); break;
		case 'x': emit_num(&o, &sp, get_unsigned(&ap, m), 16, false, false); break;
		case 'X': emit_num(&o, &sp, get_unsigned(&ap, m), 16, true, false); break;
		case 'o': emit_num(&o, &sp, get_unsigned(&ap, m), 8, false, false); break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			emit_num(&o, &sp, (u64)(uintptr_t)va_arg(ap, void *), 16, false, false);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left) pad(&o, ' ', sp.width - 1);
			put(&o, c);
			if (sp.left) pad(&o, ' ', sp.width - 1);
			break;
		}
		case 's': emit_str(&o, &sp, va_arg(ap, const char *)); break;
		case '%': put(&o, '%'); break;
		case '\0': p--; break;
		default:
			put(&o, '%');
			put(&o, *p);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

bool fmt_parse_u64(const char *s, size_t len, u64 *out)
{
	unsigned base = 10;
	size_t i = 0;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		i = 2;
	}
	if (i >= len)
		return false;
	u64 v = 0;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
		else if (c == '_') continue;
		else return false;
		if (d >= base)
			return false;
		if (v > (~0ULL - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

void fmt_hex(const u8 *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0xF];
	}
	out[2 * len] = '\0';
}
