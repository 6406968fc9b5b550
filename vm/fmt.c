/* A small bounded printf for the freestanding core's messages (no libc here). */
#include <stdarg.h>

#include "vm.h"

typedef struct Out {
    char *buf;
    size_t cap, len;
} Out;

static void put(Out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void put_unsigned(Out *o, unsigned long long v, unsigned base)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        put(o, digits[--n]);
}

static void put_signed(Out *o, long long v)
{
    if (v < 0) {
        put(o, '-');
        put_unsigned(o, 0ull - (unsigned long long)v, 10);
    } else {
        put_unsigned(o, (unsigned long long)v, 10);
    }
}

/* Returns the length the full text would have; writes at most cap-1 bytes plus the terminator. */
size_t sl_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    Out o = {buf, cap, 0};
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        int longs = 0, size_t_arg = 0;
        while (*p == 'l') {
            longs++;
            p++;
        }
        if (*p == 'z') {
            size_t_arg = 1;
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (s && *s)
                put(&o, *s++);
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 'd':
            put_signed(&o, longs ? va_arg(ap, long long) : va_arg(ap, int));
            break;
        case 'u':
        case 'x': {
            unsigned base = *p == 'x' ? 16 : 10;
            unsigned long long v = size_t_arg ? va_arg(ap, size_t)
                                   : longs    ? va_arg(ap, unsigned long long)
                                              : va_arg(ap, unsigned);
            put_unsigned(&o, v, base);
            break;
        }
        case '%': put(&o, '%'); break;
        case '\0': p--; break;
        default: put(&o, '%'); put(&o, *p); break;
        }
    }
    va_end(ap);
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}
