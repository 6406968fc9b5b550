/* The DBG_TYPES parser (dbg_types.h): two passes over hostile bytes. The first checks the
 * structure and counts entries without allocating; the second, over bytes now known good,
 * fills the arrays. */
#include "dbg_types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "vm.h"

typedef struct Rd {
    const uint8_t *base, *p, *end;
    char *err;
    size_t errcap;
} Rd;

static int bad(Rd *r, int code, const char *what)
{
    if (r->errcap)
        snprintf(r->err, r->errcap, "offset %zu in DBG_TYPES: %s", (size_t)(r->p - r->base), what);
    return -code;
}

static int need(Rd *r, size_t n) { return (size_t)(r->end - r->p) >= n; }

int sl_dbg_loc_valid(uint32_t loc)
{
    return !(loc & SL_DBG_LOC_REG) || (loc & 0x7ffffff0u) == 0;
}

void sl_dbg_loc_format(uint32_t loc, char *buf, size_t cap)
{
    if (loc & SL_DBG_LOC_REG)
        snprintf(buf, cap, "r%u", loc & 15u);
    else if (loc & SL_DBG_LOC_CONST)
        snprintf(buf, cap, "=%u", loc & (SL_DBG_LOC_CONST - 1));
    else
        snprintf(buf, cap, "@%u", loc);
}

/* One pass; fill: the arrays to write (second pass), or NULL to check and count. */
static int walk(Rd *r, SlDbgTypes *t, int fill)
{
    uint32_t nfields = 0;
    if (!need(r, 4))
        return bad(r, SL_ESECTION, "no type count");
    uint32_t ntypes = sl_le32(r->p);
    /* a type takes 8 bytes at least: no count can promise more than the bytes hold */
    if (ntypes > (size_t)(r->end - r->p - 4) / 8)
        return bad(r, SL_ESECTION, "type count larger than the section");
    r->p += 4;
    for (uint32_t i = 0; i < ntypes; i++) {
        if (!need(r, 8))
            return bad(r, SL_ESECTION, "type entry truncated");
        uint16_t nl = sl_le16(r->p), nf = sl_le16(r->p + 2);
        uint32_t size = sl_le32(r->p + 4);
        r->p += 8;
        if (!need(r, nl))
            return bad(r, SL_ESECTION, "type name truncated");
        if (fill) {
            SlDbgType *ty = &t->types[i];
            ty->name = (const char *)r->p;
            ty->name_len = nl;
            ty->size = size;
            ty->fields = t->fields + nfields;
            ty->nfields = nf;
        }
        r->p += nl;
        for (uint32_t k = 0; k < nf; k++) {
            if (!need(r, 8))
                return bad(r, SL_ESECTION, "field entry truncated");
            uint16_t fl = sl_le16(r->p);
            uint32_t bits = r->p[2], off = sl_le32(r->p + 4);
            if (r->p[3])
                return bad(r, SL_ESECTION, "field: reserved byte not zero");
            if (bits == 0 || bits > SL_DBG_MAX_FIELD_BITS)
                return bad(r, SL_ESECTION, "field: width not in 1..64 bits");
            if ((uint64_t)off + bits > (uint64_t)size * 8)
                return bad(r, SL_ESECTION, "field: runs past the end of its type");
            r->p += 8;
            if (!need(r, fl))
                return bad(r, SL_ESECTION, "field name truncated");
            if (fill) {
                SlDbgField *f = &t->fields[nfields];
                f->name = (const char *)r->p;
                f->name_len = fl;
                f->bit_off = off;
                f->bits = bits;
            }
            r->p += fl;
            nfields++;
        }
    }
    if (!need(r, 4))
        return bad(r, SL_ESECTION, "no binding count");
    uint32_t nhdrs = sl_le32(r->p);
    if (nhdrs > (size_t)(r->end - r->p - 4) / 20)
        return bad(r, SL_ESECTION, "binding count larger than the section");
    r->p += 4;
    for (uint32_t i = 0; i < nhdrs; i++) {
        if (!need(r, 20))
            return bad(r, SL_ESECTION, "binding entry truncated");
        uint16_t nl = sl_le16(r->p);
        uint32_t type = sl_le32(r->p + 4), loc = sl_le32(r->p + 8);
        uint32_t start = sl_le32(r->p + 12), end = sl_le32(r->p + 16);
        if (sl_le16(r->p + 2))
            return bad(r, SL_ESECTION, "binding: reserved bytes not zero");
        if (type >= ntypes)
            return bad(r, SL_ESECTION, "binding: type index out of range");
        if (!sl_dbg_loc_valid(loc))
            return bad(r, SL_ESECTION, "binding: register location with other bits set");
        if (start > end)
            return bad(r, SL_ESECTION, "binding: instruction range ends before it starts");
        r->p += 20;
        if (!need(r, nl))
            return bad(r, SL_ESECTION, "binding name truncated");
        if (fill) {
            SlDbgHdr *h = &t->hdrs[i];
            h->name = (const char *)r->p;
            h->name_len = nl;
            h->type = type;
            h->loc = loc;
            h->start = start;
            h->end = end;
        }
        r->p += nl;
    }
    if (r->p != r->end)
        return bad(r, SL_ESECTION, "bytes after the last binding");
    if (!fill) {
        t->ntypes = ntypes;
        t->nfields = nfields;
        t->nhdrs = nhdrs;
    }
    return 0;
}

int sl_dbg_types_parse(const uint8_t *body, size_t len, SlDbgTypes *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    if (errcap)
        err[0] = '\0';
    if (!len)
        return 0;
    if (!body)
        return -SL_EARG;
    Rd r = {body, body, body + len, err, errcap};
    SlDbgTypes counts;
    memset(&counts, 0, sizeof counts);
    int rc = walk(&r, &counts, 0);
    if (rc < 0)
        return rc;
    out->types = calloc(counts.ntypes + 1, sizeof *out->types);
    out->fields = calloc(counts.nfields + 1, sizeof *out->fields);
    out->hdrs = calloc(counts.nhdrs + 1, sizeof *out->hdrs);
    if (!out->types || !out->fields || !out->hdrs) {
        sl_dbg_types_free(out);
        if (errcap)
            snprintf(err, errcap, "debug types: out of memory");
        return -SL_ENOMEM;
    }
    out->ntypes = counts.ntypes;
    out->nfields = counts.nfields;
    out->nhdrs = counts.nhdrs;
    r.p = body;
    walk(&r, out, 1); /* cannot fail: the same bytes passed */
    return 0;
}

void sl_dbg_types_free(SlDbgTypes *t)
{
    free(t->types);
    free(t->fields);
    free(t->hdrs);
    memset(t, 0, sizeof *t);
}
