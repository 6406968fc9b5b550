/* The image writer (image_build.h). Parts are kept in growable arrays; sl_build_write() sizes the
 * image, writes every section with the byte-order helpers of vm/bytes.h and hashes the non-debug
 * part, which is one contiguous run because sections are written in ascending id. */
#include "image_build.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "dbg_types.h"
#include "vm.h"

typedef struct Name {
    char *text;
    uint32_t len;
} Name;

typedef struct Sym {
    uint8_t kind;
    uint32_t value, size;
    Name name;
} Sym;

/* DBG_TYPES: header types (their fields in one array, in order) and header bindings. */
typedef struct BType {
    Name name;
    uint32_t size, first, nfields;
} BType;

typedef struct BField {
    Name name;
    uint32_t bit_off, bits;
} BField;

typedef struct BHdr {
    Name name;
    uint32_t type, loc, start, end;
} BHdr;

struct SlBuild {
    SlInsn *code;
    uint32_t code_count, code_cap;
    uint64_t *consts;
    uint32_t const_count, const_cap;
    uint32_t state_size;
    uint8_t *data;
    uint32_t data_len, data_cap;
    SlTableDecl *tables;
    uint32_t table_count, table_cap;
    SlFuncDecl *funcs;
    uint32_t func_count, func_cap;
    SlHandlerDecl *handlers;
    uint32_t handler_count, handler_cap;
    Name *ports;
    uint32_t port_count, port_cap;
    Name *files;
    uint32_t file_count, file_cap;
    SlLine *lines;
    uint32_t line_count, line_cap;
    Sym *syms;
    uint32_t sym_count, sym_cap;
    BType *types;
    uint32_t type_count, type_cap;
    BField *fields;
    uint32_t field_count, field_cap;
    BHdr *hdrs;
    uint32_t hdr_count, hdr_cap;
};

/* Makes room for one more element of size elem; 0 or -SL_ENOMEM. */
static int grow(void **arr, uint32_t *cap, uint32_t count, size_t elem)
{
    if (count < *cap)
        return 0;
    uint32_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, (size_t)ncap * elem);
    if (!p)
        return -SL_ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

static int name_copy(Name *n, const char *text, size_t len)
{
    n->text = malloc(len ? len : 1);
    if (!n->text)
        return -SL_ENOMEM;
    if (len)
        memcpy(n->text, text, len);
    n->len = (uint32_t)len;
    return 0;
}

SlBuild *sl_build_new(void)
{
    return calloc(1, sizeof(SlBuild));
}

void sl_build_free(SlBuild *b)
{
    if (!b)
        return;
    for (uint32_t i = 0; i < b->port_count; i++)
        free(b->ports[i].text);
    for (uint32_t i = 0; i < b->file_count; i++)
        free(b->files[i].text);
    for (uint32_t i = 0; i < b->sym_count; i++)
        free(b->syms[i].name.text);
    for (uint32_t i = 0; i < b->type_count; i++)
        free(b->types[i].name.text);
    for (uint32_t i = 0; i < b->field_count; i++)
        free(b->fields[i].name.text);
    for (uint32_t i = 0; i < b->hdr_count; i++)
        free(b->hdrs[i].name.text);
    free(b->types);
    free(b->fields);
    free(b->hdrs);
    free(b->code);
    free(b->consts);
    free(b->data);
    free(b->tables);
    free(b->funcs);
    free(b->handlers);
    free(b->ports);
    free(b->files);
    free(b->lines);
    free(b->syms);
    free(b);
}

int sl_build_insn(SlBuild *b, const SlInsn *in)
{
    if (b->code_count >= SL_MAX_CODE)
        return -SL_ELIMIT;
    if (grow((void **)&b->code, &b->code_cap, b->code_count, sizeof *b->code) < 0)
        return -SL_ENOMEM;
    b->code[b->code_count] = *in;
    b->code[b->code_count].a &= 15u;
    b->code[b->code_count].b &= 15u;
    b->code[b->code_count].aux = 0;
    return (int)b->code_count++;
}

int sl_build_const(SlBuild *b, uint64_t value)
{
    if (b->const_count >= SL_MAX_CONSTS)
        return -SL_ELIMIT;
    if (grow((void **)&b->consts, &b->const_cap, b->const_count, sizeof *b->consts) < 0)
        return -SL_ENOMEM;
    b->consts[b->const_count] = value;
    return (int)b->const_count++;
}

int sl_build_const_find(const SlBuild *b, uint64_t value)
{
    for (uint32_t i = 0; i < b->const_count; i++)
        if (b->consts[i] == value)
            return (int)i;
    return -1;
}

int sl_build_table(SlBuild *b, const SlTableDecl *t)
{
    if (b->table_count >= SL_MAX_TABLES)
        return -SL_ELIMIT;
    if (grow((void **)&b->tables, &b->table_cap, b->table_count, sizeof *b->tables) < 0)
        return -SL_ENOMEM;
    b->tables[b->table_count] = *t;
    return (int)b->table_count++;
}

int sl_build_func(SlBuild *b, const SlFuncDecl *f)
{
    if (b->func_count >= SL_MAX_FUNCS)
        return -SL_ELIMIT;
    if (grow((void **)&b->funcs, &b->func_cap, b->func_count, sizeof *b->funcs) < 0)
        return -SL_ENOMEM;
    b->funcs[b->func_count] = *f;
    return (int)b->func_count++;
}

int sl_build_handler(SlBuild *b, const SlHandlerDecl *h)
{
    if (b->handler_count >= SL_MAX_HANDLERS)
        return -SL_ELIMIT;
    if (grow((void **)&b->handlers, &b->handler_cap, b->handler_count, sizeof *b->handlers) < 0)
        return -SL_ENOMEM;
    b->handlers[b->handler_count] = *h;
    return (int)b->handler_count++;
}

static int port_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

int sl_build_port(SlBuild *b, const char *name, size_t len)
{
    if (len == 0 || len > SL_MAX_PORT_NAME)
        return -SL_EARG;
    for (size_t i = 0; i < len; i++)
        if (!port_char(name[i]))
            return -SL_EARG;
    if (b->port_count >= SL_MAX_PORTS)
        return -SL_ELIMIT;
    if (grow((void **)&b->ports, &b->port_cap, b->port_count, sizeof *b->ports) < 0)
        return -SL_ENOMEM;
    if (name_copy(&b->ports[b->port_count], name, len) < 0)
        return -SL_ENOMEM;
    return (int)b->port_count++;
}

int sl_build_file(SlBuild *b, const char *name, size_t len)
{
    if (len > UINT16_MAX)
        return -SL_ELIMIT;
    if (b->file_count >= UINT32_MAX / 4)
        return -SL_ELIMIT;
    if (grow((void **)&b->files, &b->file_cap, b->file_count, sizeof *b->files) < 0)
        return -SL_ENOMEM;
    if (name_copy(&b->files[b->file_count], name, len) < 0)
        return -SL_ENOMEM;
    return (int)b->file_count++;
}

int sl_build_line(SlBuild *b, const SlLine *row)
{
    if (b->line_count && row->insn < b->lines[b->line_count - 1].insn)
        return -SL_EARG;
    if (b->line_count >= SL_MAX_CODE)
        return -SL_ELIMIT;
    if (grow((void **)&b->lines, &b->line_cap, b->line_count, sizeof *b->lines) < 0)
        return -SL_ENOMEM;
    b->lines[b->line_count] = *row;
    return (int)b->line_count++;
}

int sl_build_sym(SlBuild *b, uint8_t kind, uint32_t value, uint32_t size, const char *name, size_t len)
{
    if (len > UINT16_MAX)
        return -SL_ELIMIT;
    if (b->sym_count >= UINT32_MAX / 16)
        return -SL_ELIMIT;
    if (grow((void **)&b->syms, &b->sym_cap, b->sym_count, sizeof *b->syms) < 0)
        return -SL_ENOMEM;
    Sym *s = &b->syms[b->sym_count];
    s->kind = kind;
    s->value = value;
    s->size = size;
    if (name_copy(&s->name, name, len) < 0)
        return -SL_ENOMEM;
    return (int)b->sym_count++;
}

/* Entries of DBG_TYPES are bounded by what a u32 count of 8-byte (types, fields) and
 * 20-byte (bindings) entries can describe in a section shorter than 4 GiB. */
int sl_build_type(SlBuild *b, const char *name, size_t len, uint32_t size)
{
    if (len > UINT16_MAX)
        return -SL_ELIMIT;
    if (b->type_count >= UINT32_MAX / 16)
        return -SL_ELIMIT;
    if (grow((void **)&b->types, &b->type_cap, b->type_count, sizeof *b->types) < 0)
        return -SL_ENOMEM;
    BType *t = &b->types[b->type_count];
    t->size = size;
    t->first = b->field_count;
    t->nfields = 0;
    if (name_copy(&t->name, name, len) < 0)
        return -SL_ENOMEM;
    return (int)b->type_count++;
}

int sl_build_field(SlBuild *b, const char *name, size_t len, uint32_t bit_off, uint32_t bits)
{
    if (!b->type_count)
        return -SL_EARG;
    BType *t = &b->types[b->type_count - 1];
    if (bits == 0 || bits > 64 || (uint64_t)bit_off + bits > (uint64_t)t->size * 8)
        return -SL_EARG;
    if (len > UINT16_MAX || t->nfields >= UINT16_MAX || b->field_count >= UINT32_MAX / 16)
        return -SL_ELIMIT;
    if (grow((void **)&b->fields, &b->field_cap, b->field_count, sizeof *b->fields) < 0)
        return -SL_ENOMEM;
    BField *f = &b->fields[b->field_count];
    f->bit_off = bit_off;
    f->bits = bits;
    if (name_copy(&f->name, name, len) < 0)
        return -SL_ENOMEM;
    t->nfields++;
    return (int)b->field_count++;
}

int sl_build_hdr(SlBuild *b, const char *name, size_t len, uint32_t type, uint32_t loc, uint32_t start,
                 uint32_t end)
{
    if (type >= b->type_count || start > end || !sl_dbg_loc_valid(loc))
        return -SL_EARG;
    if (len > UINT16_MAX || b->hdr_count >= UINT32_MAX / 32)
        return -SL_ELIMIT;
    if (grow((void **)&b->hdrs, &b->hdr_cap, b->hdr_count, sizeof *b->hdrs) < 0)
        return -SL_ENOMEM;
    BHdr *h = &b->hdrs[b->hdr_count];
    h->type = type;
    h->loc = loc;
    h->start = start;
    h->end = end;
    if (name_copy(&h->name, name, len) < 0)
        return -SL_ENOMEM;
    return (int)b->hdr_count++;
}

uint32_t sl_build_type_count(const SlBuild *b) { return b->type_count; }

int sl_build_state(SlBuild *b, uint32_t size)
{
    if (size > SL_MAX_STATE)
        return -SL_ELIMIT;
    b->state_size = size;
    return 0;
}

int sl_build_data(SlBuild *b, const uint8_t *bytes, size_t n)
{
    if (n > SL_MAX_STATE || b->data_len + n > SL_MAX_STATE)
        return -SL_ELIMIT;
    uint32_t need = b->data_len + (uint32_t)n;
    if (need > b->data_cap) {
        uint32_t ncap = b->data_cap ? b->data_cap : 64;
        while (ncap < need)
            ncap *= 2;
        uint8_t *p = realloc(b->data, ncap);
        if (!p)
            return -SL_ENOMEM;
        b->data = p;
        b->data_cap = ncap;
    }
    if (n)
        memcpy(b->data + b->data_len, bytes, n);
    b->data_len = need;
    return 0;
}

uint32_t sl_build_insn_count(const SlBuild *b) { return b->code_count; }
SlInsn *sl_build_insn_at(SlBuild *b, uint32_t i) { return &b->code[i]; }
uint32_t sl_build_func_count(const SlBuild *b) { return b->func_count; }
uint32_t sl_build_table_count(const SlBuild *b) { return b->table_count; }
uint32_t sl_build_file_count(const SlBuild *b) { return b->file_count; }

/* Symbols in one canonical order, whatever order they were added in: assembling a
 * disassembly then gives the same bytes. */
static int sym_cmp(const void *pa, const void *pb)
{
    const Sym *a = *(const Sym *const *)pa, *b = *(const Sym *const *)pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    if (a->size != b->size)
        return a->size < b->size ? -1 : 1;
    uint32_t n = a->name.len < b->name.len ? a->name.len : b->name.len;
    int c = n ? memcmp(a->name.text, b->name.text, n) : 0;
    if (c)
        return c;
    return a->name.len < b->name.len ? -1 : a->name.len > b->name.len;
}

/* Section body sizes; 0 means the section is left out (CODE and FUNCS are always written). */
typedef struct Layout {
    size_t body[8];       /* by id for 1..7 */
    size_t dbg_body[4];   /* files, lines, syms, types */
    int present[8];
    int dbg_present[4];
} Layout;

static void plan(const SlBuild *b, int strip, Layout *l)
{
    memset(l, 0, sizeof *l);
    l->body[SL_SEC_CODE] = (size_t)b->code_count * SL_INSN_SIZE;
    l->present[SL_SEC_CODE] = 1;
    l->body[SL_SEC_CONST] = (size_t)b->const_count * 8;
    l->present[SL_SEC_CONST] = b->const_count > 0;
    l->body[SL_SEC_STATE] = 4 + (size_t)b->data_len;
    l->present[SL_SEC_STATE] = b->state_size > 0 || b->data_len > 0;
    l->body[SL_SEC_TABLES] = 4 + (size_t)b->table_count * 12;
    l->present[SL_SEC_TABLES] = b->table_count > 0;
    l->body[SL_SEC_FUNCS] = 4 + (size_t)b->func_count * 8;
    l->present[SL_SEC_FUNCS] = 1;
    l->body[SL_SEC_HANDLERS] = 4 + (size_t)b->handler_count * 12;
    l->present[SL_SEC_HANDLERS] = b->handler_count > 0;
    size_t ports = 4;
    for (uint32_t i = 0; i < b->port_count; i++)
        ports += 1 + (size_t)b->ports[i].len;
    l->body[SL_SEC_PORTS] = ports;
    l->present[SL_SEC_PORTS] = b->port_count > 0;
    if (strip)
        return;
    size_t files = 4, syms = 4;
    for (uint32_t i = 0; i < b->file_count; i++)
        files += 2 + (size_t)b->files[i].len;
    for (uint32_t i = 0; i < b->sym_count; i++)
        syms += 12 + (size_t)b->syms[i].name.len;
    l->dbg_body[0] = files;
    l->dbg_present[0] = b->file_count > 0;
    l->dbg_body[1] = 4 + (size_t)b->line_count * 16;
    l->dbg_present[1] = b->line_count > 0;
    l->dbg_body[2] = syms;
    l->dbg_present[2] = b->sym_count > 0;
    size_t types = 8;
    for (uint32_t i = 0; i < b->type_count; i++)
        types += 8 + (size_t)b->types[i].name.len;
    for (uint32_t i = 0; i < b->field_count; i++)
        types += 8 + (size_t)b->fields[i].name.len;
    for (uint32_t i = 0; i < b->hdr_count; i++)
        types += 20 + (size_t)b->hdrs[i].name.len;
    l->dbg_body[3] = types;
    l->dbg_present[3] = b->type_count > 0 || b->hdr_count > 0;
}

static uint8_t *section_header(uint8_t *p, uint8_t id, size_t len)
{
    p[0] = id;
    p[1] = p[2] = p[3] = 0;
    sl_put_le32(p + 4, len);
    return p + 8;
}

static uint8_t *write_body(const SlBuild *b, uint8_t id, uint8_t *p, Sym *const *sorted)
{
    switch (id) {
    case SL_SEC_CODE:
        for (uint32_t i = 0; i < b->code_count; i++, p += SL_INSN_SIZE)
            sl_insn_encode(&b->code[i], p);
        return p;
    case SL_SEC_CONST:
        for (uint32_t i = 0; i < b->const_count; i++, p += 8)
            sl_put_le64(p, b->consts[i]);
        return p;
    case SL_SEC_STATE:
        sl_put_le32(p, b->state_size);
        if (b->data_len)
            memcpy(p + 4, b->data, b->data_len);
        return p + 4 + b->data_len;
    case SL_SEC_TABLES:
        sl_put_le32(p, b->table_count);
        p += 4;
        for (uint32_t i = 0; i < b->table_count; i++, p += 12) {
            p[0] = b->tables[i].kind;
            p[1] = b->tables[i].key_size;
            sl_put_le16(p + 2, b->tables[i].value_size);
            sl_put_le32(p + 4, b->tables[i].capacity);
            sl_put_le32(p + 8, 0);
        }
        return p;
    case SL_SEC_FUNCS:
        sl_put_le32(p, b->func_count);
        p += 4;
        for (uint32_t i = 0; i < b->func_count; i++, p += 8) {
            sl_put_le32(p, b->funcs[i].entry);
            p[4] = b->funcs[i].nargs;
            p[5] = p[6] = p[7] = 0;
        }
        return p;
    case SL_SEC_HANDLERS:
        sl_put_le32(p, b->handler_count);
        p += 4;
        for (uint32_t i = 0; i < b->handler_count; i++, p += 12) {
            p[0] = b->handlers[i].kind;
            p[1] = p[2] = p[3] = 0;
            sl_put_le32(p + 4, b->handlers[i].func);
            sl_put_le32(p + 8, b->handlers[i].period_ms);
        }
        return p;
    case SL_SEC_PORTS:
        sl_put_le32(p, b->port_count);
        p += 4;
        for (uint32_t i = 0; i < b->port_count; i++) {
            *p++ = (uint8_t)b->ports[i].len;
            memcpy(p, b->ports[i].text, b->ports[i].len);
            p += b->ports[i].len;
        }
        return p;
    case SL_SEC_DBG_FILES:
        sl_put_le32(p, b->file_count);
        p += 4;
        for (uint32_t i = 0; i < b->file_count; i++) {
            sl_put_le16(p, b->files[i].len);
            if (b->files[i].len)
                memcpy(p + 2, b->files[i].text, b->files[i].len);
            p += 2 + b->files[i].len;
        }
        return p;
    case SL_SEC_DBG_LINES:
        sl_put_le32(p, b->line_count);
        p += 4;
        for (uint32_t i = 0; i < b->line_count; i++, p += 16) {
            sl_put_le32(p, b->lines[i].insn);
            sl_put_le32(p + 4, b->lines[i].file);
            sl_put_le32(p + 8, b->lines[i].line);
            sl_put_le32(p + 12, b->lines[i].col);
        }
        return p;
    case SL_SEC_DBG_SYMS:
        sl_put_le32(p, b->sym_count);
        p += 4;
        for (uint32_t i = 0; i < b->sym_count; i++) {
            const Sym *s = sorted[i];
            p[0] = s->kind;
            p[1] = 0;
            sl_put_le16(p + 2, s->name.len);
            sl_put_le32(p + 4, s->value);
            sl_put_le32(p + 8, s->size);
            if (s->name.len)
                memcpy(p + 12, s->name.text, s->name.len);
            p += 12 + s->name.len;
        }
        return p;
    case SL_SEC_DBG_TYPES:
        sl_put_le32(p, b->type_count);
        p += 4;
        for (uint32_t i = 0; i < b->type_count; i++) {
            const BType *t = &b->types[i];
            sl_put_le16(p, t->name.len);
            sl_put_le16(p + 2, t->nfields);
            sl_put_le32(p + 4, t->size);
            if (t->name.len)
                memcpy(p + 8, t->name.text, t->name.len);
            p += 8 + t->name.len;
            for (uint32_t k = 0; k < t->nfields; k++) {
                const BField *f = &b->fields[t->first + k];
                sl_put_le16(p, f->name.len);
                p[2] = (uint8_t)f->bits;
                p[3] = 0;
                sl_put_le32(p + 4, f->bit_off);
                if (f->name.len)
                    memcpy(p + 8, f->name.text, f->name.len);
                p += 8 + f->name.len;
            }
        }
        sl_put_le32(p, b->hdr_count);
        p += 4;
        for (uint32_t i = 0; i < b->hdr_count; i++) {
            const BHdr *h = &b->hdrs[i];
            sl_put_le16(p, h->name.len);
            sl_put_le16(p + 2, 0);
            sl_put_le32(p + 4, h->type);
            sl_put_le32(p + 8, h->loc);
            sl_put_le32(p + 12, h->start);
            sl_put_le32(p + 16, h->end);
            if (h->name.len)
                memcpy(p + 20, h->name.text, h->name.len);
            p += 20 + h->name.len;
        }
        return p;
    default: return p;
    }
}

int sl_build_write(const SlBuild *b, int flags, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (b->code_count == 0 || b->func_count == 0 || b->data_len > b->state_size)
        return -SL_EARG;
    if (sodium_init() < 0)
        return -SL_ENOMEM;
    Layout l;
    plan(b, flags & SL_BUILD_STRIP, &l);

    size_t total = SL_IMAGE_HEADER_SIZE;
    uint32_t nsec = 0;
    for (int id = 1; id < 8; id++)
        if (l.present[id]) {
            if (l.body[id] > UINT32_MAX)
                return -SL_ELIMIT;
            total += 8 + l.body[id];
            nsec++;
        }
    for (int k = 0; k < 4; k++)
        if (l.dbg_present[k]) {
            if (l.dbg_body[k] > UINT32_MAX)
                return -SL_ELIMIT;
            total += 8 + l.dbg_body[k];
            nsec++;
        }

    Sym **sorted = NULL;
    if (l.dbg_present[2]) {
        sorted = malloc((size_t)b->sym_count * sizeof *sorted);
        if (!sorted)
            return -SL_ENOMEM;
        for (uint32_t i = 0; i < b->sym_count; i++)
            sorted[i] = &b->syms[i];
        qsort(sorted, b->sym_count, sizeof *sorted, sym_cmp);
    }
    uint8_t *img = calloc(1, total);
    if (!img) {
        free(sorted);
        return -SL_ENOMEM;
    }
    img[0] = 0x7f;
    img[1] = 'S';
    img[2] = 'L';
    img[3] = 'B';
    sl_put_le16(img + 4, SL_IMAGE_VERSION_MAJOR);
    sl_put_le16(img + 6, SL_IMAGE_VERSION_MINOR);
    sl_put_le32(img + 40, nsec);

    uint8_t *p = img + SL_IMAGE_HEADER_SIZE;
    for (int id = 1; id < 8; id++)
        if (l.present[id]) {
            p = section_header(p, (uint8_t)id, l.body[id]);
            p = write_body(b, (uint8_t)id, p, sorted);
        }
    size_t hashed_end = (size_t)(p - img);
    for (int k = 0; k < 4; k++)
        if (l.dbg_present[k]) {
            uint8_t id = (uint8_t)(SL_SEC_DBG_FILES + k);
            p = section_header(p, id, l.dbg_body[k]);
            p = write_body(b, id, p, sorted);
        }
    free(sorted);

    /* Non-debug sections come first and are contiguous: hash header[0..8] and that run. */
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, SL_IMAGE_HASH_SIZE);
    crypto_generichash_update(&st, img, 8);
    crypto_generichash_update(&st, img + SL_IMAGE_HEADER_SIZE, hashed_end - SL_IMAGE_HEADER_SIZE);
    crypto_generichash_final(&st, img + 8, SL_IMAGE_HASH_SIZE);

    *out = img;
    *out_len = total;
    return 0;
}
