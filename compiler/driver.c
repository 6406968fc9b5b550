/* The pipeline in one function (sl_compile): files -> parse -> sema -> backend (lower, register
 * allocation, assembly text) -> sl_asm_assemble -> sl_verify. Each pass stops the pipeline on
 * errors; a rejection by the assembler or the verifier is a compiler bug and is reported as an
 * internal error, never as a silently bad image.
 *
 * Imports: `import "std/ipv4";` is looked for as std/ipv4.sl in the importing file's directory,
 * then each -I directory, then the stdlib directory. Each file is read once (by resolved path);
 * its declarations come before the importer's, so imported state comes first in memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "ast.h"
#include "backend.h"
#include "image.h"
#include "vm.h"

typedef struct Loader {
    Ctx *c;
    uint8_t *state; /* per file: 0 new, 1 loading, 2 done */
    uint32_t cap;
    Vec *file_decls; /* per file */
} Loader;

static int read_disk(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    Buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b.p);
        return -1;
    }
    if (!b.p)
        buf_put(&b, "", 0);
    *data = b.p;
    *len = b.len;
    return 0;
}

static int read_any(Ctx *c, const char *path, char **data, size_t *len)
{
    if (c->opt->read_file)
        return c->opt->read_file(c->opt->read_file_user, path, data, len);
    return read_disk(path, data, len);
}

static uint32_t add_file(Ctx *c, const char *name, const char *text, size_t len)
{
    if (c->nfiles == c->files_cap) {
        uint32_t cap = c->files_cap ? c->files_cap * 2 : 8;
        SrcFile *f = arena_alloc(&c->arena, cap * sizeof *f);
        if (c->nfiles)
            memcpy(f, c->files, c->nfiles * sizeof *f);
        c->files = f;
        c->files_cap = cap;
    }
    SrcFile *f = &c->files[c->nfiles];
    memset(f, 0, sizeof *f);
    f->name = arena_strndup(&c->arena, name, strlen(name));
    f->text = text;
    f->len = len;
    return c->nfiles++;
}

static void load_file(Loader *ld, uint32_t file);

static const char *dir_of(Ctx *c, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    return arena_strndup(&c->arena, path, (size_t)(slash - path));
}

/* Finds, reads and parses an import; returns its file index or -1 (reported). */
static int64_t open_import(Loader *ld, Decl *imp)
{
    Ctx *c = ld->c;
    const SlcOptions *o = c->opt;
    if (!imp->name[0] || strlen(imp->name) > 1024) {
        diag_error(c, imp->loc, "invalid import path");
        return -1;
    }
    const char *dirs[66];
    size_t nd = 0;
    dirs[nd++] = dir_of(c, c->files[imp->loc.file].name);
    for (size_t i = 0; i < o->n_include_dirs && nd < 64; i++)
        dirs[nd++] = o->include_dirs[i];
    if (o->stdlib_dir)
        dirs[nd++] = o->stdlib_dir;
    Buf tried = {0};
    for (size_t i = 0; i < nd; i++) {
        Buf p = {0};
        buf_printf(&p, "%s/%s.sl", dirs[i], imp->name);
        for (uint32_t f = 0; f < c->nfiles; f++)
            if (strcmp(c->files[f].name, p.p) == 0) {
                free(p.p);
                free(tried.p);
                return f;
            }
        char *data;
        size_t len;
        if (read_any(c, p.p, &data, &len) == 0) {
            char *text = arena_strndup(&c->arena, data, len);
            free(data);
            uint32_t f = add_file(c, p.p, text, len);
            free(p.p);
            free(tried.p);
            return f;
        }
        buf_printf(&tried, "%s%s", tried.len ? ", " : "", p.p);
        free(p.p);
    }
    diag_error(c, imp->loc, "cannot find import \"%s\" (looked for %s)", imp->name, tried.p ? tried.p : "nothing");
    free(tried.p);
    return -1;
}

static void grow_loader(Loader *ld)
{
    Ctx *c = ld->c;
    if (c->nfiles <= ld->cap)
        return;
    uint32_t cap = c->nfiles * 2;
    uint8_t *st = arena_alloc(&c->arena, cap);
    Vec *fd = arena_alloc(&c->arena, cap * sizeof *fd);
    if (ld->cap) {
        memcpy(st, ld->state, ld->cap);
        memcpy(fd, ld->file_decls, ld->cap * sizeof *fd);
    }
    ld->state = st;
    ld->file_decls = fd;
    ld->cap = cap;
}

/* Parses a file, loads its imports depth first, then appends its declarations. */
static void load_file(Loader *ld, uint32_t file)
{
    Ctx *c = ld->c;
    grow_loader(ld);
    ld->state[file] = 1;
    Vec saved = c->decls;
    c->decls = (Vec){0};
    parse_file(c, file);
    Vec mine = c->decls;
    c->decls = saved;
    for (uint32_t i = 0; i < mine.len && !c->stop; i++) {
        Decl *d = mine.items[i];
        if (d->kind != D_IMPORT)
            continue;
        int64_t f = open_import(ld, d);
        if (f < 0)
            continue;
        grow_loader(ld);
        if (ld->state[f] == 0)
            load_file(ld, (uint32_t)f);
    }
    for (uint32_t i = 0; i < mine.len; i++)
        vec_push(&c->arena, &c->decls, mine.items[i]);
    ld->state[file] = 2;
}

static void init_types(Ctx *c)
{
    static const TypeKind kinds[] = {TY_BOOL, TY_VOID, TY_UNTYPED, TY_ERROR, TY_PACKET};
    Type **slots[] = {&c->t_bool, &c->t_void, &c->t_untyped, &c->t_error, &c->t_packet};
    for (size_t i = 0; i < 5; i++) {
        Type *t = arena_alloc(&c->arena, sizeof *t);
        t->kind = kinds[i];
        t->size = kinds[i] == TY_BOOL ? 1 : 0;
        *slots[i] = t;
    }
}

static char *take(Buf *b, size_t *len)
{
    if (!b->p)
        buf_put(b, "", 0);
    *len = b->len;
    return b->p;
}

/* Assembles and verifies; any failure here is the compiler's fault. */
static int assemble(Ctx *c, const Buf *text, SlcResult *res)
{
    char err[4096];
    uint8_t *img = NULL;
    size_t img_len = 0;
    int rc = sl_asm_assemble(text->p, text->len, "<slc>", c->opt->debug_info ? 0 : SL_ASM_STRIP, &img, &img_len,
                             err, sizeof err);
    if (rc < 0) {
        diag_plain_error(c, "internal error: the assembler rejected the generated code: %s", err);
        return rc;
    }
    SlImage im;
    rc = sl_image_parse(img, img_len, &im, err, sizeof err);
    if (rc == 0) {
        size_t scratch_size = sl_verify_scratch_size(&im);
        void *scratch = malloc(scratch_size ? scratch_size : 8);
        SlInsn *code = malloc(((size_t)im.code_count + 1) * sizeof *code);
        if (!scratch || !code)
            rc = -SL_ENOMEM;
        else
            rc = sl_verify(&im, code, scratch, scratch_size, err, sizeof err);
        free(scratch);
        free(code);
    }
    if (rc < 0) {
        diag_plain_error(c, "internal error: the verifier rejected the generated image: %s", err);
        free(img);
        return rc;
    }
    res->image = img;
    res->image_len = img_len;
    return 0;
}

int sl_compile(const SlcOptions *opt, const char *filename, const char *src, size_t len, SlcResult *res)
{
    static const SlcOptions defaults = {NULL, 0, NULL, 0, 1, 0, 0, NULL, NULL, 0};
    memset(res, 0, sizeof *res);
    if (!opt)
        opt = &defaults;
    Ctx c;
    memset(&c, 0, sizeof c);
    c.opt = opt;
    c.max_errors = opt->max_errors ? opt->max_errors : 20;
    init_types(&c);
    if (!filename)
        filename = "<input>";
    if (!src && len) {
        diag_plain_error(&c, "no source text");
    } else if (len > (size_t)1 << 30) {
        diag_plain_error(&c, "%s: source larger than 1 GiB", filename);
    } else {
        Loader ld = {&c, NULL, 0, NULL};
        uint32_t main_file = add_file(&c, filename, src ? src : "", len);
        load_file(&ld, main_file);
    }
    if (!c.errors)
        sema_check(&c);
    if (opt->dump & SLC_DUMP_AST)
        ast_dump(&c, &c.dump);
    Buf text = {0};
    int rc = 0;
    if (!c.errors) {
        rc = backend_run(&c, &text);
        if (rc == 0 && !c.errors) {
            res->asm_text = take(&text, &res->asm_len);
            text.p = NULL;
            if (opt->dump & SLC_DUMP_ASM)
                buf_put(&c.dump, res->asm_text, res->asm_len);
            Buf view = {res->asm_text, res->asm_len, res->asm_len};
            rc = assemble(&c, &view, res);
        }
    }
    free(text.p);
    if (c.errors && rc == 0)
        rc = -SL_ESYNTAX;
    if (rc < 0 && res->image) {
        free(res->image);
        res->image = NULL;
        res->image_len = 0;
    }
    res->errors = c.errors;
    res->warnings = c.warnings;
    res->diags = take(&c.diags, &res->diags_len);
    if (c.dump.p)
        res->dump_text = take(&c.dump, &res->dump_len);
    arena_free(&c.arena);
    return rc;
}

void sl_compile_result_free(SlcResult *res)
{
    if (!res)
        return;
    free(res->image);
    free(res->asm_text);
    free(res->diags);
    free(res->dump_text);
    memset(res, 0, sizeof *res);
}
