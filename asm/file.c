/* Whole-file reading for the hosted tools (one copy for slas, sldis, slemu, tests, benches). */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *sl_file_read(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    int bad = 0;
    while (buf) {
        if (n == cap) {
            char *bigger = cap > ((size_t)1 << 40) ? NULL : realloc(buf, cap * 2 + 1);
            if (!bigger) {
                bad = ENOMEM;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                bad = EIO;
            break;
        }
    }
    if (!buf)
        bad = ENOMEM;
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(buf);
        errno = bad;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
