/* Debug info for the REPL: the image's symbols copied once into terminated strings (the image
 * reader walks the symbol section for each index), the source files of the line table read
 * into lines, and the questions the commands ask: which function holds an instruction, which
 * line, which instructions a location names.
 *
 * Source files are looked for as named in the image, then relative to the image's directory;
 * a file not found leaves its lines unknown (listings then show file:line only). */
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "repl.h"

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void load_source(ReplSource *src, const char *image_path)
{
    size_t len;
    char *text = sl_file_read(src->name, &len);
    if (!text && image_path && src->name[0] != '/') {
        const char *slash = strrchr(image_path, '/');
        if (slash) {
            size_t dl = (size_t)(slash - image_path) + 1;
            char *p = malloc(dl + strlen(src->name) + 1);
            if (p) {
                memcpy(p, image_path, dl);
                strcpy(p + dl, src->name);
                text = sl_file_read(p, &len);
                free(p);
            }
        }
    }
    if (!text)
        return;
    uint32_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    src->lines = calloc(n, sizeof *src->lines);
    if (!src->lines) {
        free(text);
        return;
    }
    src->text = text;
    char *p = text;
    for (uint32_t i = 0; i < n && p <= text + len; i++) {
        char *e = strchr(p, '\n');
        if (e)
            *e = '\0';
        src->lines[src->nlines++] = p;
        if (!e)
            break;
        p = e + 1;
    }
    if (src->nlines && !src->lines[src->nlines - 1][0])
        src->nlines--; /* the empty "line" after the last newline */
}

int repl_debug_load(ReplDebug *d, const SlImage *img, const char *image_path)
{
    memset(d, 0, sizeof *d);
    if (img->dbg_sym_count) {
        d->syms = calloc(img->dbg_sym_count, sizeof *d->syms);
        if (!d->syms)
            return -1;
        /* Walk the section once, as sl_image_dbg_sym would for each index. */
        const uint8_t *p = img->dbg_syms;
        for (uint32_t i = 0; i < img->dbg_sym_count; i++) {
            SlSym s;
            uint32_t nl = (uint32_t)p[2] | (uint32_t)p[3] << 8;
            s.kind = p[0];
            s.value = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
            s.size = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
            d->syms[i].kind = s.kind;
            d->syms[i].value = s.value;
            d->syms[i].size = s.size;
            d->syms[i].name = dup_n((const char *)p + 12, nl);
            if (!d->syms[i].name)
                return -1;
            d->nsyms++;
            p += 12 + nl;
        }
    }
    if (img->dbg_file_count) {
        d->files = calloc(img->dbg_file_count, sizeof *d->files);
        if (!d->files)
            return -1;
        for (uint32_t i = 0; i < img->dbg_file_count; i++) {
            uint32_t len;
            const char *name = sl_image_dbg_file(img, i, &len);
            d->files[i].name = dup_n(name, len);
            if (!d->files[i].name)
                return -1;
            d->nfiles++;
            if (len)
                load_source(&d->files[i], image_path);
        }
    }
    d->has_lines = img->dbg_line_count > 0;
    if (img->dbg_types && sl_dbg_types_parse(img->dbg_types, img->dbg_types_len, &d->types, d->types_err,
                                             sizeof d->types_err) < 0 && !d->types_err[0])
        snprintf(d->types_err, sizeof d->types_err, "debug types: malformed");
    return 0;
}

void repl_debug_free(ReplDebug *d)
{
    for (uint32_t i = 0; i < d->nsyms; i++)
        free(d->syms[i].name);
    free(d->syms);
    for (uint32_t i = 0; i < d->nfiles; i++) {
        free(d->files[i].name);
        free(d->files[i].text);
        free(d->files[i].lines);
    }
    free(d->files);
    sl_dbg_types_free(&d->types);
    memset(d, 0, sizeof *d);
}

const ReplSym *repl_sym_find(const ReplDebug *d, int kind, const char *name)
{
    for (uint32_t i = 0; i < d->nsyms; i++)
        if ((kind < 0 || d->syms[i].kind == kind) && strcmp(d->syms[i].name, name) == 0)
            return &d->syms[i];
    return NULL;
}

int repl_func_of(const SlImage *img, uint32_t pc)
{
    int lo = 0, hi = (int)img->func_count - 1, best = -1;
    while (lo <= hi) { /* entries ascend: the last one at or before pc */
        int mid = (lo + hi) / 2;
        if (sl_image_func(img, (uint32_t)mid).entry <= pc) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

const char *repl_func_name(const ReplVm *v, uint32_t func, char *buf, size_t cap)
{
    for (uint32_t i = 0; i < v->dbg.nsyms; i++)
        if (v->dbg.syms[i].kind == SL_SYM_FUNC && v->dbg.syms[i].value == func)
            return v->dbg.syms[i].name;
    snprintf(buf, cap, "f%u", func);
    return buf;
}

void repl_where(const ReplVm *v, uint32_t pc, char *buf, size_t cap)
{
    int f = repl_func_of(&v->img, pc);
    char tmp[32];
    if (f < 0) {
        snprintf(buf, cap, "insn %u", pc);
        return;
    }
    uint32_t off = pc - sl_image_func(&v->img, (uint32_t)f).entry;
    const char *name = repl_func_name(v, (uint32_t)f, tmp, sizeof tmp);
    if (off)
        snprintf(buf, cap, "%s+%u", name, off);
    else
        snprintf(buf, cap, "%s", name);
}

int repl_line_of(const ReplVm *v, uint32_t pc, SlLine *out)
{
    if (!v->dbg.has_lines || !sl_image_line_for(&v->img, pc, out) || out->line == 0)
        return 0;
    return 1;
}

const char *repl_file_name(const ReplVm *v, uint32_t file)
{
    return file < v->dbg.nfiles ? v->dbg.files[file].name : "?";
}

const char *repl_source_line(const ReplVm *v, uint32_t file, uint32_t line)
{
    if (file >= v->dbg.nfiles || line == 0 || line > v->dbg.files[file].nlines)
        return NULL;
    return v->dbg.files[file].lines[line - 1];
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Instructions whose row starts line `line` of file `file` (the first instruction of each run
 * of rows for that line: where a breakpoint on the line stops). */
static int pcs_for_line(const ReplVm *v, int file, uint32_t line, uint32_t **pcs, uint32_t *npcs)
{
    uint32_t n = 0;
    uint32_t *list = malloc(((size_t)v->img.dbg_line_count + 1) * sizeof *list);
    if (!list)
        return -1;
    int prev_match = 0;
    for (uint32_t i = 0; i < v->img.dbg_line_count; i++) {
        SlLine l = sl_image_dbg_line(&v->img, i);
        int match = l.line == line && (file < 0 || l.file == (uint32_t)file) && l.insn < v->img.code_count;
        if (match && !prev_match && (n == 0 || list[n - 1] != l.insn))
            list[n++] = l.insn;
        prev_match = match;
    }
    *pcs = list;
    *npcs = n;
    return 0;
}

static int one_pc(uint32_t pc, uint32_t **pcs, uint32_t *npcs)
{
    *pcs = malloc(sizeof **pcs);
    if (!*pcs)
        return -1;
    (*pcs)[0] = pc;
    *npcs = 1;
    return 0;
}

int repl_resolve_location(const ReplVm *v, const char *text, uint32_t cur_pc, uint32_t **pcs,
                          uint32_t *npcs, char *err, size_t errcap)
{
    uint64_t n;
    *pcs = NULL;
    *npcs = 0;
    if (text[0] == '*') {
        if (repl_parse_u64(text + 1, &n) < 0 || n >= v->img.code_count) {
            snprintf(err, errcap, "%s: expected *N with N below %u (the instruction count)", text,
                     v->img.code_count);
            return -1;
        }
        return one_pc((uint32_t)n, pcs, npcs);
    }
    const char *colon = strrchr(text, ':');
    if (colon || repl_parse_u64(text, &n) == 0) {
        int file = -1;
        const char *num = colon ? colon + 1 : text;
        if (repl_parse_u64(num, &n) < 0 || n == 0 || n > 0xffffffffu) {
            snprintf(err, errcap, "%s: expected FILE:LINE with a line number", text);
            return -1;
        }
        if (!v->dbg.has_lines) {
            snprintf(err, errcap, "%s: the image has no line table (stripped or assembled): use a function, "
                     "a label or *N", text);
            return -1;
        }
        if (colon) {
            size_t fl = (size_t)(colon - text);
            for (uint32_t i = 0; i < v->dbg.nfiles && file < 0; i++) {
                const char *name = v->dbg.files[i].name;
                const char *b = base_name(name);
                if ((strlen(name) == fl && memcmp(name, text, fl) == 0) ||
                    (strlen(b) == fl && memcmp(b, text, fl) == 0))
                    file = (int)i;
            }
            if (file < 0) {
                snprintf(err, errcap, "%.*s: no such file in the line table", (int)fl, text);
                return -1;
            }
        } else {
            SlLine l;
            if (repl_line_of(v, cur_pc, &l))
                file = (int)l.file;
        }
        if (pcs_for_line(v, file, (uint32_t)n, pcs, npcs) < 0)
            return -1;
        if (!*npcs) {
            free(*pcs);
            *pcs = NULL;
            snprintf(err, errcap, "%s: no code at that line", text);
            return -1;
        }
        return 0;
    }
    const ReplSym *s = repl_sym_find(&v->dbg, SL_SYM_FUNC, text);
    if (s && s->value < v->img.func_count)
        return one_pc(sl_image_func(&v->img, s->value).entry, pcs, npcs);
    s = repl_sym_find(&v->dbg, SL_SYM_LABEL, text);
    if (s && s->value < v->img.code_count)
        return one_pc(s->value, pcs, npcs);
    if (text[0] == 'f' && repl_parse_u64(text + 1, &n) == 0 && n < v->img.func_count)
        return one_pc(sl_image_func(&v->img, (uint32_t)n).entry, pcs, npcs);
    static const struct {
        const char *name;
        unsigned kind;
    } handlers[] = {{"packet", SL_HANDLER_PACKET}, {"init", SL_HANDLER_INIT}, {"timer", SL_HANDLER_TIMER}};
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
        if (strcmp(text, handlers[i].name) == 0 || (strncmp(text, "on_", 3) == 0 && strcmp(text + 3, handlers[i].name) == 0)) {
            int h = sl_image_find_handler(&v->img, handlers[i].kind, 0);
            if (h < 0) {
                snprintf(err, errcap, "%s: the image has no %s handler", text, handlers[i].name);
                return -1;
            }
            uint32_t f = sl_image_handler(&v->img, (uint32_t)h).func;
            return one_pc(sl_image_func(&v->img, f).entry, pcs, npcs);
        }
    snprintf(err, errcap, "%s: no such function, label or line (try `info symbols`)", text);
    return -1;
}

const ReplSym *repl_var_find(const ReplVm *v, uint32_t pc, const char *name)
{
    if (strchr(name, '.'))
        return repl_sym_find(&v->dbg, SL_SYM_VAR, name);
    int f = repl_func_of(&v->img, pc);
    if (f < 0)
        return NULL;
    char tmp[32];
    const char *fn = repl_func_name(v, (uint32_t)f, tmp, sizeof tmp);
    size_t fl = strlen(fn);
    for (uint32_t i = 0; i < v->dbg.nsyms; i++) {
        const ReplSym *s = &v->dbg.syms[i];
        if (s->kind == SL_SYM_VAR && strncmp(s->name, fn, fl) == 0 && s->name[fl] == '.' &&
            strcmp(s->name + fl + 1, name) == 0)
            return s;
    }
    return NULL;
}
