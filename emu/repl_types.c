/* The program's own header types in the REPL (DBG_TYPES, asm/dbg_types.h, written by slc -g):
 *
 *   print h, print h.field   a header variable decoded from the packet at its offset
 *   h.field                  in any expression (conditions included)
 *   pkt                      after the standard layers, the header variables in scope
 *   pkt as TYPE [OFFSET]     the packet at OFFSET decoded as a program type by hand
 *
 * A header variable's offset lives in a register, a spill slot in state memory or is a
 * constant; it is valid while the stop's pc is inside its instruction range (its scope). Fields
 * are read in network order, bit by bit from the most significant bit of the header's first
 * byte, as the language lays them out; 48-bit fields print as MAC addresses and 32-bit fields
 * named like addresses (src, dst, addr, ip...) as IPv4 addresses. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "repl.h"

static int span_is(const char *p, uint32_t n, const char *s, size_t sl)
{
    return n == sl && memcmp(p, s, sl) == 0;
}

const SlDbgType *repl_type_find(const ReplVm *v, const char *name)
{
    const SlDbgTypes *t = &v->dbg.types;
    for (uint32_t i = 0; i < t->ntypes; i++)
        if (span_is(t->types[i].name, t->types[i].name_len, name, strlen(name)))
            return &t->types[i];
    return NULL;
}

const SlDbgField *repl_type_field(const SlDbgType *t, const char *name)
{
    for (uint32_t i = 0; i < t->nfields; i++)
        if (span_is(t->fields[i].name, t->fields[i].name_len, name, strlen(name)))
            return &t->fields[i];
    return NULL;
}

/* "fn.h" or "fn.h#N" against a short name h in function fn. */
static int short_match(const SlDbgHdr *h, const char *fn, const char *name)
{
    size_t fl = strlen(fn), nl = strlen(name);
    if (h->name_len < fl + 1 + nl || memcmp(h->name, fn, fl) != 0 || h->name[fl] != '.' ||
        memcmp(h->name + fl + 1, name, nl) != 0)
        return 0;
    uint32_t rest = h->name_len - (uint32_t)(fl + 1 + nl);
    return rest == 0 || h->name[fl + 1 + nl] == '#';
}

const SlDbgHdr *repl_hdr_find(const ReplVm *v, uint32_t pc, const char *name, int *in_scope)
{
    const SlDbgTypes *t = &v->dbg.types;
    const SlDbgHdr *best = NULL;
    int best_in = 0;
    char tmp[32];
    const char *fn = NULL;
    int f = repl_func_of(&v->img, pc);
    if (f >= 0)
        fn = repl_func_name(v, (uint32_t)f, tmp, sizeof tmp);
    for (uint32_t i = 0; i < t->nhdrs; i++) {
        const SlDbgHdr *h = &t->hdrs[i];
        if (!span_is(h->name, h->name_len, name, strlen(name)) && !(fn && short_match(h, fn, name)))
            continue;
        int in = pc >= h->start && pc < h->end;
        if (!best || (in && !best_in)) {
            best = h;
            best_in = in;
        }
    }
    *in_scope = best_in;
    return best;
}

/* Where the header variable's offset is now. 0, or -1 with err. */
static int hdr_offset(const ReplCtx *c, const SlDbgHdr *h, uint32_t *off, char *err, size_t errcap)
{
    if (h->loc & SL_DBG_LOC_REG) {
        if (!c->have_regs) {
            snprintf(err, errcap, "no run yet: registers unknown");
            return -1;
        }
        uint64_t x = sl_vm_regs(c->v->vm)[h->loc & 15u];
        if (x > UINT32_MAX) {
            snprintf(err, errcap, "its offset register r%u holds %" PRIu64 ", not an offset", h->loc & 15u, x);
            return -1;
        }
        *off = (uint32_t)x;
        return 0;
    }
    if (h->loc & SL_DBG_LOC_CONST) {
        *off = h->loc & (SL_DBG_LOC_CONST - 1);
        return 0;
    }
    uint32_t size;
    const uint8_t *st = sl_vm_state(c->v->vm, &size);
    if (h->loc > size || size - h->loc < 4) {
        snprintf(err, errcap, "its offset slot @%u is outside the state memory", h->loc);
        return -1;
    }
    const uint8_t *p = st + h->loc;
    *off = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return 0;
}

static int field_hint(const SlDbgField *f)
{
    if (f->bits == 48)
        return HINT_MAC;
    if (f->bits == 32) {
        static const char *const words[] = {"src", "dst", "addr", "ip", "spa", "tpa", "gw", "nexthop"};
        char n[64];
        snprintf(n, sizeof n, "%.*s", (int)f->name_len, f->name);
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (strstr(n, words[i]))
                return HINT_IPV4;
    }
    return HINT_NONE;
}

/* The field of a header at packet offset off: 1 with *out, 0 when it runs past the end. */
static int read_field(const uint8_t *p, uint32_t len, uint32_t off, const SlDbgField *f, ReplValue *out)
{
    uint64_t first = (uint64_t)off * 8 + f->bit_off, end = first + f->bits;
    if ((end + 7) / 8 > len)
        return 0;
    uint64_t x = 0;
    for (uint64_t b = first; b < end; b++)
        x = x << 1 | (uint64_t)(p[b / 8] >> (7 - b % 8) & 1);
    memset(out, 0, sizeof *out);
    out->v = x;
    out->bits = f->bits;
    out->hint = field_hint(f);
    return 1;
}

static int split_field(const char *name, char *base, size_t cap, const char **field)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name || !dot[1] || (size_t)(dot - name) >= cap)
        return 0;
    memcpy(base, name, (size_t)(dot - name));
    base[dot - name] = '\0';
    *field = dot + 1;
    return 1;
}

int repl_hdr_field_get(ReplCtx *c, const char *name, ReplValue *out, char *err, size_t errcap)
{
    char base[128];
    const char *fname;
    if (!c->v || !c->v->dbg.types.nhdrs || !split_field(name, base, sizeof base, &fname))
        return 0;
    int in;
    const SlDbgHdr *h = repl_hdr_find(c->v, c->pc, base, &in);
    if (!h)
        return 0;
    const SlDbgType *ty = &c->v->dbg.types.types[h->type];
    const SlDbgField *f = repl_type_field(ty, fname);
    if (!f)
        return 0;
    uint32_t off;
    if (!c->pkt || !c->have_regs) {
        c->absent = 1;
        snprintf(err, errcap, "%s: no packet (run or send one first)", name);
        return -1;
    }
    if (!in) {
        c->absent = 1;
        snprintf(err, errcap, "%s: '%s' is not in scope here (instructions %u..%u)", name, base, h->start,
                 h->end ? h->end - 1 : 0);
        return -1;
    }
    if (hdr_offset(c, h, &off, err + 0, errcap) < 0) {
        char tmp[160];
        snprintf(tmp, sizeof tmp, "%s", err);
        snprintf(err, errcap, "%s: %s", name, tmp);
        return -1;
    }
    if (!read_field(c->pkt->buf + c->pkt->head, c->pkt->len, off, f, out)) {
        c->absent = 1;
        snprintf(err, errcap, "%s: past the end of the packet (%s at %u, %u bytes)", name, base, off, c->pkt->len);
        return -1;
    }
    return 1;
}

/* The fields of type ty at packet offset off, one per line, tagged [prefix.field]. */
static void print_fields(Repl *r, const uint8_t *p, uint32_t len, const SlDbgType *ty, uint32_t off,
                         const char *prefix, int fmt)
{
    for (uint32_t i = 0; i < ty->nfields; i++) {
        const SlDbgField *f = &ty->fields[i];
        ReplValue v;
        char val[160];
        if (read_field(p, len, off, f, &v))
            repl_value_format(&v, fmt, val, sizeof val);
        else
            snprintf(val, sizeof val, "(past the end of the packet)");
        repl_printf(r, "    %.*s: %s  [%s.%.*s]\n", (int)f->name_len, f->name, val, prefix, (int)f->name_len,
                    f->name);
    }
}

static void loc_text(uint32_t loc, char *buf, size_t cap)
{
    if (loc & SL_DBG_LOC_REG)
        snprintf(buf, cap, "offset in r%u", loc & 15u);
    else if (loc & SL_DBG_LOC_CONST)
        snprintf(buf, cap, "constant offset");
    else
        snprintf(buf, cap, "offset in state @%u", loc);
}

static int bare_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || *s == '.' || *s == '#' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

int repl_print_hdr_var(Repl *r, const char *text, int fmt)
{
    ReplCtx c;
    repl_ctx(r, &c);
    if (!c.v || !c.v->dbg.types.nhdrs || !bare_name(text))
        return 0;
    int in;
    const SlDbgHdr *h = repl_hdr_find(c.v, c.pc, text, &in);
    if (!h)
        return 0;
    const SlDbgType *ty = &c.v->dbg.types.types[h->type];
    char err[200], where[48];
    uint32_t off;
    if (!c.pkt || !c.have_regs) {
        repl_error(r, "%s: no packet (run or send one first)", text);
        return -1;
    }
    if (!in) {
        repl_error(r, "%s: not in scope here (instructions %u..%u)", text, h->start, h->end ? h->end - 1 : 0);
        return -1;
    }
    if (hdr_offset(&c, h, &off, err, sizeof err) < 0) {
        repl_error(r, "%s: %s", text, err);
        return -1;
    }
    loc_text(h->loc, where, sizeof where);
    repl_printf(r, "%s = %.*s at %u, %u bytes (%s)\n", text, (int)ty->name_len, ty->name, off, ty->size, where);
    print_fields(r, c.pkt->buf + c.pkt->head, c.pkt->len, ty, off, text, fmt);
    return 1;
}

void repl_print_hdr_vars(Repl *r)
{
    ReplCtx c;
    repl_ctx(r, &c);
    if (!c.v || !c.pkt || !c.have_regs)
        return;
    const SlDbgTypes *t = &c.v->dbg.types;
    char tmp[32];
    const char *fn = NULL;
    int f = repl_func_of(&c.v->img, c.pc);
    if (f >= 0)
        fn = repl_func_name(c.v, (uint32_t)f, tmp, sizeof tmp);
    size_t fl = fn ? strlen(fn) : 0;
    for (uint32_t i = 0; i < t->nhdrs; i++) {
        const SlDbgHdr *h = &t->hdrs[i];
        if (c.pc < h->start || c.pc >= h->end)
            continue;
        const SlDbgType *ty = &t->types[h->type];
        char name[160], err[200];
        /* the short name in the current function, the full one otherwise */
        if (fn && h->name_len > fl + 1 && memcmp(h->name, fn, fl) == 0 && h->name[fl] == '.')
            snprintf(name, sizeof name, "%.*s", (int)(h->name_len - fl - 1), h->name + fl + 1);
        else
            snprintf(name, sizeof name, "%.*s", (int)h->name_len, h->name);
        uint32_t off;
        if (hdr_offset(&c, h, &off, err, sizeof err) < 0) {
            repl_printf(r, "Program header %s (%.*s): %s\n", name, (int)ty->name_len, ty->name, err);
            continue;
        }
        repl_printf(r, "Program header %s (%.*s), at %u, %u bytes\n", name, (int)ty->name_len, ty->name, off,
                    ty->size);
        print_fields(r, c.pkt->buf + c.pkt->head, c.pkt->len, ty, off, name, 0);
    }
}

int repl_pkt_as(Repl *r, int argc, char **argv)
{
    ReplCtx c;
    repl_ctx(r, &c);
    if (argc < 3) {
        repl_error(r, "usage: pkt as TYPE [OFFSET]");
        return -1;
    }
    if (!c.v) {
        repl_error(r, "no program loaded");
        return -1;
    }
    const SlDbgTypes *t = &c.v->dbg.types;
    if (c.v->dbg.types_err[0]) {
        repl_error(r, "pkt as: the image's header types are malformed (%s)", c.v->dbg.types_err);
        return -1;
    }
    if (!t->ntypes) {
        repl_error(r, "pkt as: the image has no debug types (stripped, or not compiled with slc -g)");
        return -1;
    }
    const SlDbgType *ty = repl_type_find(c.v, argv[2]);
    if (!ty) {
        char list[512];
        size_t k = 0;
        list[0] = '\0';
        for (uint32_t i = 0; i < t->ntypes && k + 40 < sizeof list; i++)
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%.*s", i ? ", " : "",
                                  (int)(t->types[i].name_len > 32 ? 32 : t->types[i].name_len), t->types[i].name);
        repl_error(r, "pkt as: no header type '%s' (the program has: %s)", argv[2], list);
        return -1;
    }
    if (!c.pkt) {
        repl_error(r, "no packet: run, step or send one first");
        return -1;
    }
    const uint8_t *p = c.pkt->buf + c.pkt->head;
    uint32_t len = c.pkt->len, off;
    if (argc > 3) {
        char text[1024], err[256];
        ReplValue v;
        repl_join(argc, argv, 3, text, sizeof text);
        if (repl_eval(&c, text, &v, err, sizeof err) < 0) {
            repl_error(r, "pkt as: %s", err);
            return -1;
        }
        if (v.v > UINT32_MAX || (v.is_bytes && v.len > 8)) {
            repl_error(r, "pkt as: offset %s is not a packet offset", text);
            return -1;
        }
        off = (uint32_t)v.v;
    } else {
        ReplDissection d;
        repl_dissect(p, len, &d);
        off = d.nlayers ? d.payload_off : 0;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(ty->name_len > 48 ? 48 : ty->name_len), ty->name);
    repl_printf(r, "%s at %u, %u bytes%s\n", name, off, ty->size,
                (uint64_t)off + ty->size > len ? " (the packet ends before it)" : "");
    print_fields(r, p, len, ty, off, name, 0);
    return 0;
}

int repl_is_hdr_var(const ReplVm *v, const char *full_name)
{
    const SlDbgTypes *t = &v->dbg.types;
    for (uint32_t i = 0; i < t->nhdrs; i++)
        if (span_is(t->hdrs[i].name, t->hdrs[i].name_len, full_name, strlen(full_name)))
            return 1;
    return 0;
}

int repl_info_hdr_vars(Repl *r, const char *fn)
{
    ReplCtx c;
    repl_ctx(r, &c);
    const SlDbgTypes *t = &c.v->dbg.types;
    size_t fl = strlen(fn);
    int any = 0;
    for (uint32_t i = 0; i < t->nhdrs; i++) {
        const SlDbgHdr *h = &t->hdrs[i];
        if (h->name_len <= fl + 1 || memcmp(h->name, fn, fl) != 0 || h->name[fl] != '.')
            continue;
        const SlDbgType *ty = &t->types[h->type];
        char err[200];
        uint32_t off;
        any = 1;
        repl_printf(r, "%.*s = ", (int)(h->name_len - fl - 1), h->name + fl + 1);
        if (!c.have_regs || c.pc < h->start || c.pc >= h->end)
            repl_printf(r, "<%.*s header, not in scope here>\n", (int)ty->name_len, ty->name);
        else if (hdr_offset(&c, h, &off, err, sizeof err) < 0)
            repl_printf(r, "<%.*s header: %s>\n", (int)ty->name_len, ty->name, err);
        else
            repl_printf(r, "%.*s header at %u, %u bytes\n", (int)ty->name_len, ty->name, off, ty->size);
    }
    return any;
}

void repl_hdr_names(const ReplVm *v, void (*add)(const char *))
{
    const SlDbgTypes *t = &v->dbg.types;
    for (uint32_t i = 0; i < t->nhdrs; i++) {
        const SlDbgHdr *h = &t->hdrs[i];
        const SlDbgType *ty = &t->types[h->type];
        const char *dot = memchr(h->name, '.', h->name_len);
        const char *s = dot ? dot + 1 : h->name;
        uint32_t sl = h->name_len - (uint32_t)(s - h->name);
        char buf[192];
        for (int full = 0; full < 2; full++) {
            const char *n = full ? h->name : s;
            uint32_t nl = full ? h->name_len : sl;
            if (nl > 120)
                continue;
            snprintf(buf, sizeof buf, "%.*s", (int)nl, n);
            add(buf);
            for (uint32_t k = 0; k < ty->nfields; k++) {
                if (ty->fields[k].name_len > 60)
                    continue;
                snprintf(buf, sizeof buf, "%.*s.%.*s", (int)nl, n, (int)ty->fields[k].name_len, ty->fields[k].name);
                add(buf);
            }
        }
    }
}

void repl_type_names(const ReplVm *v, void (*add)(const char *))
{
    const SlDbgTypes *t = &v->dbg.types;
    char buf[128];
    for (uint32_t i = 0; i < t->ntypes; i++) {
        if (t->types[i].name_len > 120)
            continue;
        snprintf(buf, sizeof buf, "%.*s", (int)t->types[i].name_len, t->types[i].name);
        add(buf);
    }
}
