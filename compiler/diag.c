/* Diagnostics: "file:line:col: error|warning|note: message", then the source line with its
 * number right-aligned in five columns and a caret under the column (bytes from 1, tabs kept
 * in the padding so the caret lines up in a terminal). After max_errors errors one
 * "slc: too many errors, stopping" line is added and every pass winds down. */
#include <stdlib.h>
#include <string.h>

#include "ast.h"

enum { SHOW_MAX = 1000 }; /* longest source line shown */

static void index_lines(Ctx *c, SrcFile *f)
{
    uint32_t n = 1;
    for (size_t i = 0; i < f->len; i++)
        n += f->text[i] == '\n';
    f->lines = arena_alloc(&c->arena, (size_t)n * sizeof *f->lines);
    f->nlines = 0;
    f->lines[f->nlines++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            f->lines[f->nlines++] = (uint32_t)(i + 1);
}

static void show_source(Ctx *c, Loc loc)
{
    if (loc.file >= c->nfiles || loc.line == 0)
        return;
    SrcFile *f = &c->files[loc.file];
    if (!f->lines)
        index_lines(c, f);
    if (loc.line > f->nlines)
        return;
    size_t start = f->lines[loc.line - 1], end = start;
    while (end < f->len && f->text[end] != '\n')
        end++;
    if (end > start && f->text[end - 1] == '\r')
        end--;
    if (end - start > SHOW_MAX || loc.col > SHOW_MAX)
        return;
    Buf *b = &c->diags;
    buf_printf(b, "%5u | ", loc.line);
    for (size_t i = start; i < end; i++) {
        unsigned char ch = (unsigned char)f->text[i];
        char out = (ch < 0x20 && ch != '\t') || ch == 0x7f ? '?' : (char)ch;
        buf_put(b, &out, 1);
    }
    buf_put(b, "\n      | ", 9);
    for (size_t i = start; i < end && i - start + 1 < loc.col; i++)
        buf_put(b, f->text[i] == '\t' ? "\t" : " ", 1);
    buf_put(b, "^\n", 2);
}

static void vdiag(Ctx *c, Loc loc, const char *kind, const char *suffix, const char *fmt, va_list ap)
{
    const char *name = loc.file < c->nfiles ? c->files[loc.file].name : "?";
    buf_printf(&c->diags, "%s:%u:%u: %s: ", name, loc.line, loc.col, kind);
    buf_vprintf(&c->diags, fmt, ap);
    buf_printf(&c->diags, "%s\n", suffix);
    show_source(c, loc);
}

static void count_error(Ctx *c)
{
    c->errors++;
    if (c->errors >= c->max_errors && !c->stop) {
        buf_printf(&c->diags, "slc: too many errors, stopping\n");
        c->stop = 1;
    }
}

void diag_error(Ctx *c, Loc loc, const char *fmt, ...)
{
    if (c->stop)
        return;
    va_list ap;
    va_start(ap, fmt);
    vdiag(c, loc, "error", "", fmt, ap);
    va_end(ap);
    count_error(c);
}

void diag_warning(Ctx *c, Loc loc, const char *fmt, ...)
{
    if (c->stop || !c->opt->warnings)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (c->opt->werror) {
        vdiag(c, loc, "error", " [-Werror]", fmt, ap);
        va_end(ap);
        count_error(c);
        return;
    }
    vdiag(c, loc, "warning", "", fmt, ap);
    va_end(ap);
    c->warnings++;
}

void diag_note(Ctx *c, Loc loc, const char *fmt, ...)
{
    if (c->stop)
        return;
    va_list ap;
    va_start(ap, fmt);
    vdiag(c, loc, "note", "", fmt, ap);
    va_end(ap);
}

void diag_plain_error(Ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_printf(&c->diags, "slc: ");
    buf_vprintf(&c->diags, fmt, ap);
    buf_printf(&c->diags, "\n");
    va_end(ap);
    c->errors++;
}
