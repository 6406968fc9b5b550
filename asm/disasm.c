/* The disassembler (disasm.h).
 *
 * Declarations come first in a fixed order (ports, state, constants, tables, files, handlers),
 * then the code function by function, then symbols no line above accounts for. Instruction
 * text always comes from sl_insn_format(); only the last operand of a branch, call or table
 * instruction is swapped for a name when the debug symbols give one.
 *
 * Symbols are used for names when they are valid assembler names, unique in their kind and of
 * size 0 (what the assembler's own definitions record):
 * the first FUNC/TABLE symbol of a function/table names it, LABEL symbols print as labels at
 * their instruction. Every other symbol prints as a .sym line. The image writer sorts symbols,
 * so where a symbol's line appears does not change the bytes of the reassembled image. */
#include "disasm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "dbg_types.h"
#include "vm.h"

typedef struct Str {
    char *buf;
    size_t len, cap;
    int oom;
} Str;

static void put_n(Str *s, const char *text, size_t n)
{
    if (s->oom)
        return;
    if (s->len + n + 1 > s->cap) {
        size_t ncap = s->cap ? s->cap : 4096;
        while (ncap < s->len + n + 1)
            ncap *= 2;
        char *p = realloc(s->buf, ncap);
        if (!p) {
            s->oom = 1;
            return;
        }
        s->buf = p;
        s->cap = ncap;
    }
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

static void put(Str *s, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    put_n(s, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- names ---------------------------------------------------------------------------- */

static int name_ok(const char *s, uint32_t len)
{
    if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return 0;
    for (uint32_t i = 1; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return 0;
    }
    /* rN, fN, kN, tN are registers and references, not names */
    if (len >= 2 && (s[0] == 'r' || s[0] == 'f' || s[0] == 'k' || s[0] == 't')) {
        uint32_t i = 1;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == len)
            return 0;
    }
    return 1;
}

/* A set of names, to keep names unique within a kind. */
typedef struct NameSet {
    const SlSym **slots;
    uint32_t cap;
} NameSet;

static uint32_t hash_name(const char *s, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static int set_init(NameSet *set, uint32_t n)
{
    set->cap = 16;
    while (set->cap < 2 * (uint64_t)n + 2)
        set->cap *= 2;
    set->slots = calloc(set->cap, sizeof *set->slots);
    return set->slots ? 0 : -1;
}

/* Adds the symbol's name; 0 when it was not there yet. */
static int set_add(NameSet *set, const SlSym *s)
{
    uint32_t i = hash_name(s->name, s->name_len) & (set->cap - 1);
    for (; set->slots[i]; i = (i + 1) & (set->cap - 1))
        if (set->slots[i]->name_len == s->name_len && memcmp(set->slots[i]->name, s->name, s->name_len) == 0)
            return 1;
    set->slots[i] = s;
    return 0;
}

/* ---- context -------------------------------------------------------------------------- */

typedef struct Dis {
    const SlImage *img;
    const SlInsn *vcode; /* verified code, or NULL */
    Str out;
    SlSym *syms;
    uint8_t *used;       /* per symbol: printed by a line that is not .sym */
    int32_t *func_name;  /* per function: symbol index or -1 */
    int32_t *table_name; /* per table */
    int32_t *label_at;   /* per instruction 0..code_count: first label symbol or -1 */
    uint32_t *labels;    /* label symbol indexes ordered by instruction */
    uint32_t label_count;
} Dis;

static void load_syms(Dis *d)
{
    const uint8_t *p = d->img->dbg_syms;
    for (uint32_t i = 0; i < d->img->dbg_sym_count; i++) {
        uint16_t len = sl_le16(p + 2);
        d->syms[i] = (SlSym){p[0], sl_le32(p + 4), sl_le32(p + 8), (const char *)p + 12, len};
        p += 12 + (size_t)len;
    }
}

/* Sorting label indexes by instruction, then by position in the table (qsort is not stable). */
typedef struct LabelKey {
    uint32_t value, index;
} LabelKey;

static int key_cmp(const void *pa, const void *pb)
{
    const LabelKey *a = pa, *b = pb;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Decides which symbols name functions, tables and labels. */
static int assign_names(Dis *d)
{
    const SlImage *img = d->img;
    uint32_t n = img->dbg_sym_count;
    NameSet funcs, tables, labels;
    if (set_init(&funcs, n) < 0 || set_init(&tables, n) < 0 || set_init(&labels, n) < 0)
        return -1;
    LabelKey *keys = malloc(((size_t)n + 1) * sizeof *keys);
    if (!keys)
        return -1;
    uint32_t nkeys = 0;
    for (uint32_t i = 0; i < n; i++) {
        const SlSym *s = &d->syms[i];
        if (!name_ok(s->name, s->name_len))
            continue;
        /* .func NAME, .table NAME and NAME: make symbols of size 0; others print as .sym */
        if (s->size != 0 && s->kind != SL_SYM_STATE)
            continue;
        switch (s->kind) {
        case SL_SYM_FUNC:
            if (s->value < img->func_count && d->func_name[s->value] < 0 && !set_add(&funcs, s)) {
                d->func_name[s->value] = (int32_t)i;
                d->used[i] = 1;
            }
            break;
        case SL_SYM_TABLE:
            if (s->value < img->table_count && d->table_name[s->value] < 0 && !set_add(&tables, s)) {
                d->table_name[s->value] = (int32_t)i;
                d->used[i] = 1;
            }
            break;
        case SL_SYM_LABEL:
            if (s->value <= img->code_count && !set_add(&labels, s)) {
                if (d->label_at[s->value] < 0)
                    d->label_at[s->value] = (int32_t)i;
                d->used[i] = 1;
                keys[nkeys++] = (LabelKey){s->value, i};
            }
            break;
        case SL_SYM_STATE: d->used[i] = 1; break;
        default: break;
        }
    }
    qsort(keys, nkeys, sizeof *keys, key_cmp);
    for (uint32_t i = 0; i < nkeys; i++)
        d->labels[i] = keys[i].index;
    d->label_count = nkeys;
    free(keys);
    free(funcs.slots);
    free(tables.slots);
    free(labels.slots);
    return 0;
}

static void put_sym_name(Dis *d, int32_t sym)
{
    put_n(&d->out, d->syms[sym].name, d->syms[sym].name_len);
}

static void put_func_ref(Dis *d, uint32_t f)
{
    if (f < d->img->func_count && d->func_name[f] >= 0)
        put_sym_name(d, d->func_name[f]);
    else
        put(&d->out, "f%" PRIu32, f);
}

/* ---- declarations --------------------------------------------------------------------- */

static const char *sym_kind_word(uint8_t kind)
{
    switch (kind) {
    case SL_SYM_FUNC: return "func";
    case SL_SYM_STATE: return "state";
    case SL_SYM_TABLE: return "table";
    case SL_SYM_LABEL: return "label";
    case SL_SYM_CONST: return "const";
    case SL_SYM_VAR: return "var";
    default: return NULL;
    }
}

/* name between double quotes, with \" \\ and \xNN escapes: slas reads any bytes back. */
static void put_quoted(Dis *d, const char *name, uint32_t len)
{
    put(&d->out, "\"");
    for (uint32_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch == '"' || ch == '\\')
            put(&d->out, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            put(&d->out, "\\x%02x", ch);
        else
            put(&d->out, "%c", ch);
    }
    put(&d->out, "\"");
}

static void put_sym_line(Dis *d, const SlSym *s)
{
    const char *w = sym_kind_word(s->kind);
    if (w)
        put(&d->out, ".sym %s ", w);
    else
        put(&d->out, ".sym %u ", s->kind);
    if (name_ok(s->name, s->name_len)) {
        put_n(&d->out, s->name, s->name_len);
    } else { /* quoted, so that slas reads any bytes back */
        put_quoted(d, s->name, s->name_len);
    }
    put(&d->out, " %" PRIu32 " %" PRIu32 "\n", s->value, s->size);
}

/* DBG_TYPES as .type/.field/.hdr lines, in section order (indexes are positions); a section
 * the parser rejects shows up as a comment. */
static void print_types(Dis *d)
{
    const SlImage *img = d->img;
    if (!img->dbg_types)
        return;
    SlDbgTypes t;
    char err[160];
    put(&d->out, "\n");
    if (sl_dbg_types_parse(img->dbg_types, img->dbg_types_len, &t, err, sizeof err) < 0) {
        put(&d->out, "; DBG_TYPES (%" PRIu32 " bytes) not printed: %s\n", img->dbg_types_len, err);
        return;
    }
    for (uint32_t i = 0; i < t.ntypes; i++) {
        const SlDbgType *ty = &t.types[i];
        put(&d->out, ".type ");
        put_quoted(d, ty->name, ty->name_len);
        put(&d->out, " %" PRIu32 "\t\t; type %" PRIu32 "\n", ty->size, i);
        for (uint32_t k = 0; k < ty->nfields; k++) {
            put(&d->out, ".field ");
            put_quoted(d, ty->fields[k].name, ty->fields[k].name_len);
            put(&d->out, " %" PRIu32 " %" PRIu32 "\n", ty->fields[k].bit_off, ty->fields[k].bits);
        }
    }
    for (uint32_t i = 0; i < t.nhdrs; i++) {
        const SlDbgHdr *h = &t.hdrs[i];
        char loc[32];
        sl_dbg_loc_format(h->loc, loc, sizeof loc);
        put(&d->out, ".hdr ");
        put_quoted(d, h->name, h->name_len);
        put(&d->out, " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 "\t\t; ", h->type, h->loc, h->start, h->end);
        put_quoted(d, t.types[h->type].name, t.types[h->type].name_len);
        put(&d->out, " at %s\n", loc);
    }
    sl_dbg_types_free(&t);
}

static void print_header(Dis *d)
{
    const SlImage *img = d->img;
    put(&d->out, "; sluice image %u.%u, %" PRIu32 " instructions, %" PRIu32 " functions%s\n; hash ",
        img->version_major, img->version_minor, img->code_count, img->func_count,
        d->vcode ? ", verified code" : "");
    for (int i = 0; i < SL_IMAGE_HASH_SIZE; i++)
        put(&d->out, "%02x", img->hash[i]);
    put(&d->out, "\n");
}

static void print_decls(Dis *d)
{
    const SlImage *img = d->img;
    const uint8_t *p = img->ports;
    if (img->port_count)
        put(&d->out, "\n");
    for (uint32_t i = 0; i < img->port_count; i++) {
        put(&d->out, ".port ");
        put_n(&d->out, (const char *)p + 1, p[0]);
        put(&d->out, "\t\t; port %" PRIu32 "\n", i);
        p += 1 + (size_t)p[0];
    }

    if (img->state_size || img->state_init_len) {
        put(&d->out, "\n.state %" PRIu32 "\n", img->state_size);
        for (uint32_t i = 0; i < img->state_init_len; i += 16) {
            put(&d->out, ".data");
            for (uint32_t k = i; k < img->state_init_len && k < i + 16; k++)
                put(&d->out, " %02x", img->state_init[k]);
            put(&d->out, "\n");
        }
    }
    for (uint32_t i = 0; i < img->dbg_sym_count; i++) {
        const SlSym *s = &d->syms[i];
        if (s->kind == SL_SYM_STATE && name_ok(s->name, s->name_len))
            put_sym_line(d, s);
    }

    if (img->const_count)
        put(&d->out, "\n");
    for (uint32_t i = 0; i < img->const_count; i++)
        put(&d->out, ".const 0x%" PRIx64 "\t\t; k%" PRIu32 "\n", sl_image_const(img, i), i);

    if (img->table_count)
        put(&d->out, "\n");
    for (uint32_t i = 0; i < img->table_count; i++) {
        SlTableDecl t = sl_image_table(img, i);
        put(&d->out, ".table ");
        if (d->table_name[i] >= 0)
            put_sym_name(d, d->table_name[i]);
        else
            put(&d->out, "-");
        if (t.kind == SL_TABLE_HASH)
            put(&d->out, " hash");
        else if (t.kind == SL_TABLE_LPM)
            put(&d->out, " lpm");
        else
            put(&d->out, " %u", t.kind);
        put(&d->out, " %u %u %" PRIu32 "\t\t; t%" PRIu32 "\n", t.key_size, t.value_size, t.capacity, i);
    }

    p = img->dbg_files;
    if (img->dbg_file_count)
        put(&d->out, "\n");
    for (uint32_t i = 0; i < img->dbg_file_count; i++) {
        uint16_t len = sl_le16(p);
        put(&d->out, ".file \"");
        for (uint16_t k = 0; k < len; k++) {
            unsigned char c = p[2 + k];
            if (c == '"' || c == '\\')
                put(&d->out, "\\%c", c);
            else if (c >= 0x20 && c < 0x7f)
                put(&d->out, "%c", c);
            else
                put(&d->out, "\\x%02x", c);
        }
        put(&d->out, "\"\t\t; file %" PRIu32 "\n", i);
        p += 2 + (size_t)len;
    }

    print_types(d);

    if (img->handler_count)
        put(&d->out, "\n");
    for (uint32_t i = 0; i < img->handler_count; i++) {
        SlHandlerDecl h = sl_image_handler(img, i);
        if (h.kind == SL_HANDLER_PACKET)
            put(&d->out, ".handler packet ");
        else if (h.kind == SL_HANDLER_INIT)
            put(&d->out, ".handler init ");
        else if (h.kind == SL_HANDLER_TIMER)
            put(&d->out, ".handler timer ");
        else
            put(&d->out, ".handler %u ", h.kind);
        put_func_ref(d, h.func);
        if (h.kind == SL_HANDLER_TIMER || h.period_ms)
            put(&d->out, " %" PRIu32, h.period_ms);
        put(&d->out, "\n");
    }
}

/* ---- code ----------------------------------------------------------------------------- */

/* True when the instruction's text says everything its encoding holds: a known opcode valid in
 * images whose unused fields are zero. */
static int expressible(const SlInsn *in)
{
    if (!sl_op_valid_in_image(in->op))
        return 0;
    SlInsn c = {in->op, 0, 0, 0, 0, 0};
    switch ((SlFormat)sl_op_info[in->op].format) {
    case SL_FMT_N: break;
    case SL_FMT_A: c.a = in->a; break;
    case SL_FMT_AB: c.a = in->a; c.b = in->b; break;
    case SL_FMT_AI:
    case SL_FMT_AK: c.a = in->a; c.imm = in->imm; break;
    case SL_FMT_LD:
    case SL_FMT_ST:
    case SL_FMT_JAB: c.a = in->a; c.b = in->b; c.off = in->off; break;
    case SL_FMT_J: c.off = in->off; break;
    case SL_FMT_JAI: c.a = in->a; c.imm = in->imm; c.off = in->off; break;
    case SL_FMT_CALL:
    case SL_FMT_I: c.imm = in->imm; break;
    case SL_FMT_ABC: c.a = in->a; c.b = in->b; c.off = (int16_t)(in->off & 15); break;
    case SL_FMT_ABCT: c.a = in->a; c.b = in->b; c.off = (int16_t)(in->off & 15); c.imm = in->imm; break;
    case SL_FMT_ABT:
    case SL_FMT_ABI: c.a = in->a; c.b = in->b; c.imm = in->imm; break;
    }
    return c.a == in->a && c.b == in->b && c.off == in->off && c.imm == in->imm;
}

static void print_insn(Dis *d, const SlInsn *in, uint32_t index)
{
    char text[128], note[160] = "";
    size_t start = d->out.len;
    put(&d->out, "    ");
    if ((!d->vcode && !expressible(in)) || in->op >= SL_OP_COUNT) {
        put(&d->out, ".insn 0x%x, %u, %u, %d, %" PRId32, in->op, in->a, in->b, in->off, in->imm);
        if (in->op < SL_OP_COUNT) {
            sl_insn_format(text, sizeof text, in, index);
            snprintf(note, sizeof note, " (%s: %s)",
                     sl_op_info[in->op].cls == SL_C_INTERNAL ? "internal form" : "unused fields set", text);
        }
    } else {
        sl_insn_format(text, sizeof text, in, index);
        int32_t name = -1;
        switch ((SlFormat)sl_op_info[in->op].format) {
        case SL_FMT_J:
        case SL_FMT_JAB:
        case SL_FMT_JAI: {
            int64_t target = (int64_t)index + 1 + in->off;
            if (target >= 0 && target <= (int64_t)d->img->code_count)
                name = d->label_at[target];
            break;
        }
        case SL_FMT_CALL:
            if (in->imm >= 0 && (uint32_t)in->imm < d->img->func_count)
                name = d->func_name[in->imm];
            break;
        case SL_FMT_ABCT:
        case SL_FMT_ABT:
            if (in->imm >= 0 && (uint32_t)in->imm < d->img->table_count)
                name = d->table_name[in->imm];
            break;
        case SL_FMT_N:
        case SL_FMT_A:
        case SL_FMT_AB:
        case SL_FMT_AI:
        case SL_FMT_AK:
        case SL_FMT_LD:
        case SL_FMT_ST:
        case SL_FMT_I:
        case SL_FMT_ABC:
        case SL_FMT_ABI: break;
        }
        if (name >= 0) {
            char *last = strrchr(text, ' '); /* the last operand follows the last space */
            size_t keep = last ? (size_t)(last - text) + 1 : strlen(text);
            put_n(&d->out, text, keep);
            put_sym_name(d, name);
        } else {
            put(&d->out, "%s", text);
        }
    }
    /* the index as a comment, aligned, for reading @N targets */
    size_t width = d->out.len - start;
    if (width < 36)
        put(&d->out, "%*s", (int)(36 - width), "");
    put(&d->out, " ; %" PRIu32 "%s\n", index, note);
}

static void print_func_line(Dis *d, uint32_t f)
{
    SlFuncDecl fd = sl_image_func(d->img, f);
    put(&d->out, "\n.func ");
    if (d->func_name[f] >= 0)
        put_sym_name(d, d->func_name[f]);
    else
        put(&d->out, "-");
    if (fd.nargs)
        put(&d->out, " %u", fd.nargs);
    put(&d->out, "\t\t; f%" PRIu32 "\n", f);
}

/* The code with .func, labels and .loc rows where they belong. */
static void print_code(Dis *d)
{
    const SlImage *img = d->img;
    uint32_t n = img->code_count;
    int well_formed = img->func_count > 0 && sl_image_func(img, 0).entry == 0;
    for (uint32_t f = 0; f < img->func_count && well_formed; f++) {
        uint32_t e = sl_image_func(img, f).entry;
        if (e >= n || (f && e <= sl_image_func(img, f - 1).entry))
            well_formed = 0;
    }
    if (!well_formed) {
        put(&d->out, "\n; warning: the function table does not describe the code (entries must start at 0, ascend and\n"
                     "; stay below the instruction count); it is printed as comments and the code as one function\n");
        for (uint32_t f = 0; f < img->func_count; f++) {
            SlFuncDecl fd = sl_image_func(img, f);
            put(&d->out, "; function f%" PRIu32 ": entry %" PRIu32 ", %u arguments\n", f, fd.entry, fd.nargs);
        }
        put(&d->out, "\n.func\n");
    }

    uint32_t next_func = 0, next_label = 0, next_row = 0;
    for (uint32_t i = 0; i <= n; i++) {
        if (well_formed && next_func < img->func_count && sl_image_func(img, next_func).entry == i)
            print_func_line(d, next_func++);
        while (next_label < d->label_count && d->syms[d->labels[next_label]].value == i) {
            put_sym_name(d, (int32_t)d->labels[next_label++]);
            put(&d->out, ":\n");
        }
        while (next_row < img->dbg_line_count && (sl_image_dbg_line(img, next_row).insn == i || i == n)) {
            SlLine row = sl_image_dbg_line(img, next_row++);
            put(&d->out, "%s.loc %" PRIu32 " %" PRIu32 " %" PRIu32 "%s\n", row.file < img->dbg_file_count ? "" : "; ",
                row.file, row.line, row.col, row.file < img->dbg_file_count ? "" : " (no such file)");
        }
        if (i == n)
            break;
        SlInsn in = d->vcode ? d->vcode[i] : sl_insn_decode(img->code + (size_t)i * SL_INSN_SIZE);
        print_insn(d, &in, i);
    }
}

static void print_other_syms(Dis *d)
{
    int first = 1;
    for (uint32_t i = 0; i < d->img->dbg_sym_count; i++) {
        const SlSym *s = &d->syms[i];
        if (d->used[i])
            continue;
        if (first)
            put(&d->out, "\n");
        first = 0;
        put_sym_line(d, s); /* quoted when not an assembler name: any bytes read back */
    }
}

int sl_disasm(const SlImage *img, const SlInsn *code, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!img || !img->code || !img->hash)
        return -SL_EARG;
    Dis d;
    memset(&d, 0, sizeof d);
    d.img = img;
    d.vcode = code;
    uint32_t ns = img->dbg_sym_count;
    d.syms = malloc(((size_t)ns + 1) * sizeof *d.syms);
    d.used = calloc((size_t)ns + 1, 1);
    d.labels = malloc(((size_t)ns + 1) * sizeof *d.labels);
    d.func_name = malloc(((size_t)img->func_count + 1) * sizeof *d.func_name);
    d.table_name = malloc(((size_t)img->table_count + 1) * sizeof *d.table_name);
    d.label_at = malloc(((size_t)img->code_count + 1) * sizeof *d.label_at);
    int rc = -SL_ENOMEM;
    if (!d.syms || !d.used || !d.labels || !d.func_name || !d.table_name || !d.label_at)
        goto done;
    memset(d.func_name, 0xff, ((size_t)img->func_count + 1) * sizeof *d.func_name);
    memset(d.table_name, 0xff, ((size_t)img->table_count + 1) * sizeof *d.table_name);
    memset(d.label_at, 0xff, ((size_t)img->code_count + 1) * sizeof *d.label_at);
    load_syms(&d);
    if (assign_names(&d) < 0)
        goto done;

    print_header(&d);
    print_decls(&d);
    print_code(&d);
    print_other_syms(&d);
    if (d.out.oom || !d.out.buf)
        goto done;
    *out = d.out.buf;
    *out_len = d.out.len;
    d.out.buf = NULL;
    rc = 0;
done:
    free(d.out.buf);
    free(d.syms);
    free(d.used);
    free(d.labels);
    free(d.func_name);
    free(d.table_name);
    free(d.label_at);
    return rc;
}
