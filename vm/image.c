/* The image reader: validates the container so that everything after it (accessors, verifier,
 * VM) can index sections without further checks.
 *
 * Every byte is hostile. A Reader is a (cursor, end) pair; every read checks the bytes are there
 * and reports the offset of the problem. Section bodies must be consumed exactly: a count that
 * disagrees with the section's length is an error, so no accessor can run past a section.
 * Structure only: the code's meaning is the verifier's job. */
#include "image.h"

#include "bytes.h"
#include "mem.h"
#include "vm.h"

typedef struct Reader {
    const uint8_t *base; /* start of the image, for offsets in messages */
    const uint8_t *p, *end;
    char *err;
    size_t errcap;
} Reader;

static int fail(Reader *r, int code, const char *what)
{
    sl_fmt(r->err, r->errcap, "offset %zu: %s", (size_t)(r->p - r->base), what);
    return -code;
}

static int need(Reader *r, size_t n, const char *what)
{
    if ((size_t)(r->end - r->p) < n)
        return fail(r, SL_ETRUNCATED, what);
    return 0;
}

static uint32_t take32(Reader *r)
{
    uint32_t v = sl_le32(r->p);
    r->p += 4;
    return v;
}

/* Reads a section's leading u32 count and checks that count entries of size bytes fill the
 * rest of the section exactly. */
static int fixed_entries(Reader *r, uint32_t entry_size, uint32_t max, const char *name, uint32_t *count)
{
    char msg[96];
    if (need(r, 4, "section too short for its count") < 0)
        return -SL_ESECTION;
    *count = take32(r);
    if (*count > max) {
        sl_fmt(msg, sizeof msg, "%s: %u entries exceed the limit of %u", name, *count, max);
        return fail(r, SL_ELIMIT, msg);
    }
    if ((uint64_t)*count * entry_size != (uint64_t)(r->end - r->p)) {
        sl_fmt(msg, sizeof msg, "%s: %u entries do not fill the section", name, *count);
        return fail(r, SL_ESECTION, msg);
    }
    return 0;
}

static int zeros(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int parse_code(Reader *r, SlImage *img)
{
    size_t n = (size_t)(r->end - r->p);
    if (n == 0 || n % SL_INSN_SIZE)
        return fail(r, SL_ESECTION, "code: length is not a positive multiple of 8");
    if (n / SL_INSN_SIZE > SL_MAX_CODE)
        return fail(r, SL_ELIMIT, "code: more instructions than the limit");
    img->code = r->p;
    img->code_count = (uint32_t)(n / SL_INSN_SIZE);
    r->p = r->end;
    return 0;
}

static int parse_consts(Reader *r, SlImage *img)
{
    size_t n = (size_t)(r->end - r->p);
    if (n % 8)
        return fail(r, SL_ESECTION, "constants: length is not a multiple of 8");
    if (n / 8 > SL_MAX_CONSTS)
        return fail(r, SL_ELIMIT, "constants: more than the limit");
    img->consts = r->p;
    img->const_count = (uint32_t)(n / 8);
    r->p = r->end;
    return 0;
}

static int parse_state(Reader *r, SlImage *img)
{
    if (need(r, 4, "state: no size") < 0)
        return -SL_ESECTION;
    img->state_size = take32(r);
    if (img->state_size > SL_MAX_STATE)
        return fail(r, SL_ELIMIT, "state: size exceeds the limit");
    size_t init = (size_t)(r->end - r->p);
    if (init > img->state_size)
        return fail(r, SL_ESECTION, "state: more initial bytes than the state size");
    img->state_init = r->p;
    img->state_init_len = (uint32_t)init;
    r->p = r->end;
    return 0;
}

static int parse_tables(Reader *r, SlImage *img)
{
    int rc = fixed_entries(r, 12, SL_MAX_TABLES, "tables", &img->table_count);
    if (rc < 0)
        return rc;
    img->tables = r->p;
    for (uint32_t i = 0; i < img->table_count; i++, r->p += 12)
        if (sl_le32(r->p + 8))
            return fail(r, SL_ESECTION, "tables: reserved field not zero");
    /* Kinds and sizes are checked by the verifier, which names the table. */
    return 0;
}

static int parse_funcs(Reader *r, SlImage *img)
{
    int rc = fixed_entries(r, 8, SL_MAX_FUNCS, "functions", &img->func_count);
    if (rc < 0)
        return rc;
    img->funcs = r->p;
    for (uint32_t i = 0; i < img->func_count; i++, r->p += 8)
        if (!zeros(r->p + 5, 3))
            return fail(r, SL_ESECTION, "functions: reserved bytes not zero");
    return 0;
}

static int parse_handlers(Reader *r, SlImage *img)
{
    int rc = fixed_entries(r, 12, SL_MAX_HANDLERS, "handlers", &img->handler_count);
    if (rc < 0)
        return rc;
    img->handlers = r->p;
    for (uint32_t i = 0; i < img->handler_count; i++, r->p += 12)
        if (!zeros(r->p + 1, 3))
            return fail(r, SL_ESECTION, "handlers: reserved bytes not zero");
    return 0;
}

static int name_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

static int parse_ports(Reader *r, SlImage *img)
{
    if (need(r, 4, "ports: no count") < 0)
        return -SL_ESECTION;
    img->port_count = take32(r);
    if (img->port_count > SL_MAX_PORTS)
        return fail(r, SL_ELIMIT, "ports: more than the limit");
    img->ports = r->p;
    for (uint32_t i = 0; i < img->port_count; i++) {
        if (need(r, 1, "ports: entry truncated") < 0)
            return -SL_ESECTION;
        uint8_t len = *r->p++;
        if (len == 0 || len > SL_MAX_PORT_NAME)
            return fail(r, SL_ESECTION, "ports: name length not 1..32");
        if (need(r, len, "ports: name truncated") < 0)
            return -SL_ESECTION;
        for (uint8_t k = 0; k < len; k++)
            if (!name_char(r->p[k]))
                return fail(r, SL_ESECTION, "ports: name has a character outside [A-Za-z0-9_.-]");
        r->p += len;
    }
    if (r->p != r->end)
        return fail(r, SL_ESECTION, "ports: bytes after the last entry");
    return 0;
}

static int parse_dbg_files(Reader *r, SlImage *img)
{
    if (need(r, 4, "debug files: no count") < 0)
        return -SL_ESECTION;
    img->dbg_file_count = take32(r);
    img->dbg_files = r->p;
    for (uint32_t i = 0; i < img->dbg_file_count; i++) {
        if (need(r, 2, "debug files: entry truncated") < 0)
            return -SL_ESECTION;
        uint16_t len = sl_le16(r->p);
        r->p += 2;
        if (need(r, len, "debug files: name truncated") < 0)
            return -SL_ESECTION;
        r->p += len;
    }
    if (r->p != r->end)
        return fail(r, SL_ESECTION, "debug files: bytes after the last entry");
    return 0;
}

static int parse_dbg_lines(Reader *r, SlImage *img)
{
    int rc = fixed_entries(r, 16, SL_MAX_CODE, "debug lines", &img->dbg_line_count);
    if (rc < 0)
        return rc;
    img->dbg_lines = r->p;
    uint32_t prev = 0;
    for (uint32_t i = 0; i < img->dbg_line_count; i++, r->p += 16) {
        uint32_t insn = sl_le32(r->p);
        if (i && insn < prev)
            return fail(r, SL_ESECTION, "debug lines: instructions not ascending");
        prev = insn;
    }
    return 0;
}

static int parse_dbg_syms(Reader *r, SlImage *img)
{
    if (need(r, 4, "debug symbols: no count") < 0)
        return -SL_ESECTION;
    img->dbg_sym_count = take32(r);
    img->dbg_syms = r->p;
    for (uint32_t i = 0; i < img->dbg_sym_count; i++) {
        if (need(r, 12, "debug symbols: entry truncated") < 0)
            return -SL_ESECTION;
        uint16_t len = sl_le16(r->p + 2);
        r->p += 12;
        if (need(r, len, "debug symbols: name truncated") < 0)
            return -SL_ESECTION;
        r->p += len;
    }
    if (r->p != r->end)
        return fail(r, SL_ESECTION, "debug symbols: bytes after the last entry");
    return 0;
}

static int parse_section(Reader *r, uint8_t id, SlImage *img)
{
    switch (id) {
    case SL_SEC_CODE: return parse_code(r, img);
    case SL_SEC_CONST: return parse_consts(r, img);
    case SL_SEC_STATE: return parse_state(r, img);
    case SL_SEC_TABLES: return parse_tables(r, img);
    case SL_SEC_FUNCS: return parse_funcs(r, img);
    case SL_SEC_HANDLERS: return parse_handlers(r, img);
    case SL_SEC_PORTS: return parse_ports(r, img);
    case SL_SEC_DBG_FILES: img->has_debug = 1; return parse_dbg_files(r, img);
    case SL_SEC_DBG_LINES: img->has_debug = 1; return parse_dbg_lines(r, img);
    case SL_SEC_DBG_SYMS: img->has_debug = 1; return parse_dbg_syms(r, img);
    case SL_SEC_DBG_TYPES: /* a view only: the hosted tools parse it (asm/dbg_types.c) */
        img->has_debug = 1;
        img->dbg_types = r->p;
        img->dbg_types_len = (uint32_t)(r->end - r->p);
        r->p = r->end;
        return 0;
    default:
        r->p = r->end; /* a newer producer's debug info (unknown others were refused) */
        return 0;
    }
}

int sl_image_parse(const uint8_t *bytes, size_t size, SlImage *img, char *err, size_t errcap)
{
    Reader r = {bytes, bytes, bytes + size, err, errcap};
    memset(img, 0, sizeof *img);
    if (errcap)
        err[0] = '\0';
    if (!bytes)
        return fail(&r, SL_EARG, "no image");
    if (need(&r, SL_IMAGE_HEADER_SIZE, "image shorter than its 44-byte header") < 0)
        return -SL_ETRUNCATED;
    if (bytes[0] != 0x7f || bytes[1] != 'S' || bytes[2] != 'L' || bytes[3] != 'B')
        return fail(&r, SL_EMAGIC, "not a Sluice image (bad magic)");
    img->bytes = bytes;
    img->size = size;
    img->version_major = sl_le16(bytes + 4);
    img->version_minor = sl_le16(bytes + 6);
    if (img->version_major != SL_IMAGE_VERSION_MAJOR) {
        r.p += 4;
        return fail(&r, SL_EVERSION, "unsupported image version");
    }
    img->hash = bytes + 8;
    uint32_t nsec = sl_le32(bytes + 40);
    r.p += SL_IMAGE_HEADER_SIZE;

    int last_id = 0;
    for (uint32_t i = 0; i < nsec; i++) {
        if (need(&r, 8, "section header truncated") < 0)
            return -SL_ETRUNCATED;
        uint8_t id = r.p[0];
        if (!zeros(r.p + 1, 3))
            return fail(&r, SL_ESECTION, "section header reserved bytes not zero");
        if (id <= last_id)
            return fail(&r, SL_ESECTION, "section ids not strictly ascending (duplicate or out of order)");
        if (id > SL_SEC_PORTS && id < SL_SEC_DEBUG_FIRST)
            return fail(&r, SL_ESECTION, "unknown section id");
        uint32_t len = sl_le32(r.p + 4);
        r.p += 8;
        if (need(&r, len, "section body runs past the end of the image") < 0)
            return -SL_ETRUNCATED;
        Reader body = {bytes, r.p, r.p + len, err, errcap};
        int rc = parse_section(&body, id, img);
        if (rc < 0)
            return rc;
        r.p += len;
        last_id = id;
    }
    if (r.p != r.end)
        return fail(&r, SL_ESECTION, "bytes after the last section");
    if (!img->code)
        return fail(&r, SL_ESECTION, "no code section");
    if (!img->funcs || img->func_count == 0)
        return fail(&r, SL_ESECTION, "no functions section");
    return 0;
}

SlTableDecl sl_image_table(const SlImage *img, uint32_t i)
{
    const uint8_t *p = img->tables + (size_t)i * 12;
    SlTableDecl d = {p[0], p[1], sl_le16(p + 2), sl_le32(p + 4)};
    return d;
}

SlFuncDecl sl_image_func(const SlImage *img, uint32_t i)
{
    const uint8_t *p = img->funcs + (size_t)i * 8;
    SlFuncDecl d = {sl_le32(p), p[4]};
    return d;
}

SlHandlerDecl sl_image_handler(const SlImage *img, uint32_t i)
{
    const uint8_t *p = img->handlers + (size_t)i * 12;
    SlHandlerDecl d = {p[0], sl_le32(p + 4), sl_le32(p + 8)};
    return d;
}

uint64_t sl_image_const(const SlImage *img, uint32_t i)
{
    return sl_le64(img->consts + (size_t)i * 8);
}

const char *sl_image_port_name(const SlImage *img, uint32_t i, uint32_t *len)
{
    const uint8_t *p = img->ports;
    for (uint32_t k = 0; k < i; k++)
        p += 1 + p[0];
    *len = p[0];
    return (const char *)p + 1;
}

const char *sl_image_dbg_file(const SlImage *img, uint32_t i, uint32_t *len)
{
    const uint8_t *p = img->dbg_files;
    for (uint32_t k = 0; k < i; k++)
        p += 2 + sl_le16(p);
    *len = sl_le16(p);
    return (const char *)p + 2;
}

SlLine sl_image_dbg_line(const SlImage *img, uint32_t i)
{
    const uint8_t *p = img->dbg_lines + (size_t)i * 16;
    SlLine l = {sl_le32(p), sl_le32(p + 4), sl_le32(p + 8), sl_le32(p + 12)};
    return l;
}

SlSym sl_image_dbg_sym(const SlImage *img, uint32_t i)
{
    const uint8_t *p = img->dbg_syms;
    for (uint32_t k = 0; k < i; k++)
        p += 12 + sl_le16(p + 2);
    SlSym s = {p[0], sl_le32(p + 4), sl_le32(p + 8), (const char *)p + 12, sl_le16(p + 2)};
    return s;
}

int sl_image_line_for(const SlImage *img, uint32_t insn, SlLine *out)
{
    uint32_t lo = 0, hi = img->dbg_line_count; /* first row with row.insn > insn */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (sl_image_dbg_line(img, mid).insn <= insn)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    *out = sl_image_dbg_line(img, lo - 1);
    return 1;
}

int sl_image_find_handler(const SlImage *img, unsigned kind, unsigned n)
{
    for (uint32_t i = 0; i < img->handler_count; i++)
        if (sl_image_handler(img, i).kind == kind && n-- == 0)
            return (int)i;
    return -1;
}

size_t sl_image_strip(const SlImage *img, uint8_t *out, size_t cap)
{
    /* Walk the (already validated) sections twice: once to size, once to copy. */
    size_t need_size = SL_IMAGE_HEADER_SIZE;
    uint32_t kept = 0;
    const uint8_t *p = img->bytes + SL_IMAGE_HEADER_SIZE, *end = img->bytes + img->size;
    while (p < end) {
        uint32_t len = sl_le32(p + 4);
        if (p[0] < SL_SEC_DEBUG_FIRST) {
            need_size += 8 + (size_t)len;
            kept++;
        }
        p += 8 + (size_t)len;
    }
    if (!out || cap < need_size)
        return need_size;
    memcpy(out, img->bytes, SL_IMAGE_HEADER_SIZE);
    sl_put_le32(out + 40, kept);
    uint8_t *o = out + SL_IMAGE_HEADER_SIZE;
    for (p = img->bytes + SL_IMAGE_HEADER_SIZE; p < end;) {
        size_t rec = 8 + (size_t)sl_le32(p + 4);
        if (p[0] < SL_SEC_DEBUG_FIRST) {
            memcpy(o, p, rec);
            o += rec;
        }
        p += rec;
    }
    return need_size;
}
