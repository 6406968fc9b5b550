/* The REPL's looking-around commands: print, x, pkt, table, disas, list, info and set.
 *
 * They read the current VM (vm/vms), the packet of the run in flight or of the last run, and
 * the registers as that run left them. Table commands go through vm.h's control-plane API
 * (sl_vm_table_*), so what they do is exactly what a control plane could do; entries are
 * listed sorted by key bytes so a dump reads the same whatever the hash seed. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "repl.h"

static ReplVm *need_vm(Repl *r)
{
    ReplVm *v = repl_cur(r);
    if (!v)
        repl_error(r, "no program loaded (load FILE)");
    return v;
}

/* "/x" and friends: 0 natural, 'x', 'd', 'm', 'i', 'b'; -1 for an unknown one. */
static int parse_format(const char *w)
{
    if (strcmp(w, "/x") == 0) return 'x';
    if (strcmp(w, "/d") == 0 || strcmp(w, "/u") == 0) return 'd';
    if (strcmp(w, "/mac") == 0 || strcmp(w, "/m") == 0) return 'm';
    if (strcmp(w, "/ip") == 0 || strcmp(w, "/i") == 0) return 'i';
    if (strcmp(w, "/b") == 0) return 'b';
    return -1;
}

int cmd_print(Repl *r, int argc, char **argv)
{
    int fmt = 0, first = 1;
    char text[2048], err[256], out[256];
    if (argc > 1 && argv[1][0] == '/') {
        fmt = parse_format(argv[1]);
        if (fmt < 0) {
            repl_error(r, "print: unknown format %s (/x, /d, /mac, /ip, /b)", argv[1]);
            return -1;
        }
        first = 2;
    }
    repl_join(argc, argv, first, text, sizeof text);
    if (!text[0]) {
        repl_error(r, "usage: print[/x|/d|/mac|/ip|/b] EXPR");
        return -1;
    }
    int hv = repl_print_hdr_var(r, text, fmt); /* a header variable: all its fields */
    if (hv)
        return hv < 0 ? -1 : 0;
    ReplCtx c;
    ReplValue v;
    repl_ctx(r, &c);
    if (repl_eval(&c, text, &v, err, sizeof err) < 0) {
        repl_error(r, "%s", err);
        return -1;
    }
    repl_value_format(&v, fmt, out, sizeof out);
    repl_printf(r, "%s = %s\n", text, out);
    return 0;
}

static int have_packet(Repl *r)
{
    if (!r->run.have_packet || r->run.vm != r->cur) {
        repl_error(r, "no packet: run, step or send one first");
        return 0;
    }
    return 1;
}

int cmd_x(Repl *r, int argc, char **argv)
{
    ReplVm *v = need_vm(r);
    uint64_t start = 0, len = UINT64_MAX;
    if (!v)
        return -1;
    const char *what = argc > 1 ? argv[1] : "pkt";
    int k = argc > 1 ? 2 : 1;
    const ReplSym *s = NULL;
    int state = strcmp(what, "state") == 0 || strcmp(what, "mem") == 0;
    if (!state && strcmp(what, "pkt") != 0 && strcmp(what, "packet") != 0) {
        s = repl_sym_find(&v->dbg, SL_SYM_STATE, what);
        if (!s) {
            uint64_t n;
            if (repl_parse_u64(what, &n) == 0) { /* x START [LEN]: the packet */
                k = 1;
                what = "pkt";
            } else {
                repl_error(r, "x: %s: expected pkt, state, or a state symbol", what);
                return -1;
            }
        }
        state = s != NULL;
        if (s) {
            start = s->value;
            len = s->size ? s->size : 8;
        }
    }
    if ((k < argc && repl_parse_u64(argv[k], &start) < 0) || (k + 1 < argc && repl_parse_u64(argv[k + 1], &len) < 0) ||
        k + 2 < argc) {
        repl_error(r, "usage: x [pkt|state|SYMBOL] [START [LEN]]");
        return -1;
    }
    const uint8_t *base;
    uint64_t size;
    if (state) {
        uint32_t sz;
        base = sl_vm_state(v->vm, &sz);
        size = sz;
    } else {
        if (!have_packet(r))
            return -1;
        base = r->run.pkt.buf + r->run.pkt.head;
        size = r->run.pkt.len;
    }
    if (start > size) {
        repl_error(r, "x: %" PRIu64 " is past the end (%" PRIu64 " bytes)", start, size);
        return -1;
    }
    if (len > size - start)
        len = size - start;
    if (len == 0) {
        repl_printf(r, "(no bytes)\n");
        return 0;
    }
    repl_hexdump(r, base + start, (uint32_t)len, (uint32_t)start);
    return 0;
}

int cmd_pkt(Repl *r, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "as") == 0)
        return repl_pkt_as(r, argc, argv);
    if (argc > 1) {
        repl_error(r, "usage: pkt [as TYPE [OFFSET]]");
        return -1;
    }
    if (!need_vm(r) || !have_packet(r))
        return -1;
    const ReplRun *run = &r->run;
    const SlPacket *p = &run->pkt;
    if (run->kind == JOB_INIT || run->kind == JOB_TIMER)
        repl_printf(r, "Event packet (%s run), %u bytes", run->kind == JOB_INIT ? "init" : "timer", p->len);
    else
        repl_printf(r, "Packet %" PRIu64 ": %u bytes (%u on arrival), port %u (VM port %u)", run->number, p->len,
                    run->orig_len, run->phys, p->in_port);
    repl_printf(r, ", time %" PRIu64 ".%09" PRIu64 ", %s\n", p->tstamp_ns / 1000000000u, p->tstamp_ns % 1000000000u,
                run->active ? "run stopped" : "run finished");
    repl_print_packet(r, p->buf + p->head, p->len);
    repl_print_hdr_vars(r);
    return 0;
}

/* ---- tables ---- */

typedef struct Entry {
    uint8_t key[SL_MAX_KEY + 1];
    uint8_t *value;
} Entry;

typedef struct Collect {
    Entry *e;
    uint32_t n, cap, klen, vlen;
    int failed;
} Collect;

static int collect(void *user, const uint8_t *key, const uint8_t *value)
{
    Collect *c = user;
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 64;
        Entry *e = realloc(c->e, cap * sizeof *e);
        if (!e) {
            c->failed = 1;
            return 1;
        }
        c->e = e;
        c->cap = cap;
    }
    Entry *e = &c->e[c->n];
    memcpy(e->key, key, c->klen);
    e->value = malloc(c->vlen ? c->vlen : 1);
    if (!e->value) {
        c->failed = 1;
        return 1;
    }
    memcpy(e->value, value, c->vlen);
    c->n++;
    return 0;
}

static uint32_t sort_klen;

static int cmp_entry(const void *a, const void *b)
{
    return memcmp(((const Entry *)a)->key, ((const Entry *)b)->key, sort_klen);
}

static void format_key(const SlTableDecl *d, const uint8_t *k, char *buf, size_t cap)
{
    ReplValue v;
    memset(&v, 0, sizeof v);
    v.is_bytes = 1;
    v.len = d->key_size;
    memcpy(v.bytes, k, d->key_size);
    for (uint32_t i = 0; i < d->key_size && d->key_size <= 8; i++)
        v.v = v.v << 8 | k[i];
    if (d->key_size == 6)
        v.hint = HINT_MAC;
    else if (d->key_size == 4 && d->kind == SL_TABLE_LPM)
        v.hint = HINT_IPV4;
    else if (d->key_size == 16)
        v.hint = HINT_IPV6;
    char t[160];
    if (v.hint)
        repl_value_format(&v, 0, t, sizeof t);
    else
        repl_value_format(&v, 'b', t, sizeof t);
    if (d->kind == SL_TABLE_LPM)
        snprintf(buf, cap, "%s/%u", t, k[d->key_size]);
    else
        snprintf(buf, cap, "%s", t);
}

static void format_value(const SlTableDecl *d, const uint8_t *p, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = '\0';
    if (d->value_size == 0) {
        snprintf(buf, cap, "(no value)");
        return;
    }
    if (d->value_size <= 8) {
        uint64_t x = 0;
        for (uint32_t i = d->value_size; i-- > 0;)
            x = x << 8 | p[i];
        k = (size_t)snprintf(buf, cap, "%" PRIu64 " = ", x);
    }
    for (uint32_t i = 0; i < d->value_size && k + 4 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%02x", i ? " " : "", p[i]);
    if (k + 4 >= cap && cap > 4)
        snprintf(buf + cap - 4, 4, "...");
}

static int find_table(Repl *r, ReplVm *v, const char *name, uint32_t *t)
{
    const ReplSym *s = repl_sym_find(&v->dbg, SL_SYM_TABLE, name);
    uint64_t n;
    if (s && s->value < v->img.table_count) {
        *t = s->value;
        return 0;
    }
    if ((name[0] == 't' && repl_parse_u64(name + 1, &n) == 0 && n < v->img.table_count) ||
        (repl_parse_u64(name, &n) == 0 && n < v->img.table_count)) {
        *t = (uint32_t)n;
        return 0;
    }
    repl_error(r, "%s: no such table (see `table`)", name);
    return -1;
}

static const char *table_name(const ReplVm *v, uint32_t t, char *buf, size_t cap)
{
    for (uint32_t i = 0; i < v->dbg.nsyms; i++)
        if (v->dbg.syms[i].kind == SL_SYM_TABLE && v->dbg.syms[i].value == t)
            return v->dbg.syms[i].name;
    snprintf(buf, cap, "t%u", t);
    return buf;
}

/* A key or value from the words argv[from..to): one literal (words joined for {..}). */
static int parse_bytes_arg(Repl *r, char **argv, int from, int to, uint32_t size, uint8_t *out, const char *what)
{
    char text[512];
    ReplValue v;
    repl_join(to, argv, from, text, sizeof text);
    if (repl_parse_literal(text, &v) < 0 || repl_value_bytes(&v, size, out) < 0) {
        repl_error(r, "%s '%s': expected %u bytes (MAC, IPv4[/len], IPv6[/len], {hex bytes} or a number)", what, text,
                   size);
        return -1;
    }
    return 0;
}

/* Where the key ends among argv[from..]: a {...} group spans words. */
static int key_end(int argc, char **argv, int from)
{
    if (from >= argc)
        return from;
    if (argv[from][0] != '{')
        return from + 1;
    for (int i = from; i < argc; i++)
        if (strchr(argv[i], '}'))
            return i + 1;
    return argc;
}

int cmd_table(Repl *r, int argc, char **argv)
{
    ReplVm *v = need_vm(r);
    char name[32], kb[256], vb[512];
    if (!v)
        return -1;
    if (argc == 1) {
        if (!v->img.table_count)
            repl_printf(r, "The program has no tables\n");
        for (uint32_t t = 0; t < v->img.table_count; t++) {
            SlTableDecl d = sl_image_table(&v->img, t);
            repl_printf(r, "t%u %-12s %s, key %u bytes, value %u bytes, %u of %u entries\n", t,
                        table_name(v, t, name, sizeof name), d.kind == SL_TABLE_LPM ? "lpm " : "hash", d.key_size,
                        d.value_size, sl_vm_table_count(v->vm, t), d.capacity);
        }
        return 0;
    }
    const char *sub = argv[1];
    uint32_t t;
    if (argc < 3) {
        repl_error(r, "usage: table [dump|insert|delete|get] TABLE [KEY [VALUE]]");
        return -1;
    }
    if (find_table(r, v, argv[2], &t) < 0)
        return -1;
    SlTableDecl d = sl_image_table(&v->img, t);
    uint32_t klen = d.key_size + (d.kind == SL_TABLE_LPM);
    uint8_t key[SL_MAX_KEY + 1];
    static uint8_t value[SL_MAX_VALUE];
    if (strcmp(sub, "dump") == 0) {
        if (argc != 3) {
            repl_error(r, "usage: table dump TABLE");
            return -1;
        }
        Collect c = {.klen = klen, .vlen = d.value_size};
        sl_vm_table_walk(v->vm, t, collect, &c);
        if (c.failed)
            repl_error(r, "out of memory");
        sort_klen = klen;
        if (c.n)
            qsort(c.e, c.n, sizeof *c.e, cmp_entry);
        repl_printf(r, "%s: %u entries\n", table_name(v, t, name, sizeof name), c.n);
        for (uint32_t i = 0; i < c.n; i++) {
            format_key(&d, c.e[i].key, kb, sizeof kb);
            format_value(&d, c.e[i].value, vb, sizeof vb);
            repl_printf(r, "  %s -> %s\n", kb, vb);
            free(c.e[i].value);
        }
        free(c.e);
        return c.failed ? -1 : 0;
    }
    int ke = key_end(argc, argv, 3);
    if (argc < 4 || parse_bytes_arg(r, argv, 3, ke, klen, key, "key") < 0) {
        if (argc < 4)
            repl_error(r, "usage: table %s TABLE KEY%s", sub, strcmp(sub, "insert") == 0 ? " VALUE" : "");
        return -1;
    }
    int rc;
    if (strcmp(sub, "insert") == 0 || strcmp(sub, "put") == 0) {
        memset(value, 0, sizeof value);
        if (d.value_size && (ke >= argc || parse_bytes_arg(r, argv, ke, argc, d.value_size, value, "value") < 0)) {
            if (ke >= argc)
                repl_error(r, "table insert: a value of %u bytes is needed", d.value_size);
            return -1;
        }
        if (!d.value_size && ke < argc) {
            repl_error(r, "table insert: the table has no values");
            return -1;
        }
        rc = sl_vm_table_put(v->vm, t, key, value);
        if (rc < 0) {
            repl_error(r, "table insert: %s", rc == -SL_EFULL ? "the table is full" : "bad key (prefix length?)");
            return -1;
        }
        format_key(&d, key, kb, sizeof kb);
        repl_printf(r, "%s %s in %s\n", rc == 1 ? "Added" : "Replaced", kb, table_name(v, t, name, sizeof name));
        return 0;
    }
    if (ke != argc) {
        repl_error(r, "table %s: one key expected", sub);
        return -1;
    }
    if (strcmp(sub, "delete") == 0 || strcmp(sub, "del") == 0) {
        rc = sl_vm_table_del(v->vm, t, key);
        format_key(&d, key, kb, sizeof kb);
        if (rc < 0) {
            repl_error(r, "table delete: bad key (prefix length?)");
            return -1;
        }
        repl_printf(r, "%s %s\n", rc == 1 ? "Deleted" : "No entry for", kb);
        return 0;
    }
    if (strcmp(sub, "get") == 0 || strcmp(sub, "lookup") == 0) {
        rc = sl_vm_table_get(v->vm, t, key, value);
        format_key(&d, key, kb, sizeof kb);
        if (rc == 1) {
            format_value(&d, value, vb, sizeof vb);
            repl_printf(r, "%s -> %s\n", kb, vb);
        } else {
            repl_printf(r, "%s: no entry\n", kb);
        }
        return 0;
    }
    repl_error(r, "table: %s: expected dump, insert, delete or get", sub);
    return -1;
}

/* ---- disassembly and source ---- */

static int has_break_at(Repl *r, uint32_t vm, uint32_t pc)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        const ReplBreak *b = &r->breaks[i];
        if (b->num && b->kind == BK_INSN && b->vm == vm)
            for (uint32_t k = 0; k < b->npcs; k++)
                if (b->pcs[k] == pc)
                    return 1;
    }
    return 0;
}

static void disas_range(Repl *r, ReplVm *v, uint32_t from, uint32_t to)
{
    uint32_t count;
    const SlInsn *code = sl_vm_code(v->vm, &count);
    uint32_t last_file = UINT32_MAX, last_line = 0;
    int stopped = (r->run.active || (r->run.finished && r->run.res.status == SL_RUN_FAULT)) && r->run.vm == r->cur &&
                  r->run.have_packet;
    for (uint32_t pc = from; pc < to && pc < count; pc++) {
        int f = repl_func_of(&v->img, pc);
        if (f >= 0 && sl_image_func(&v->img, (uint32_t)f).entry == pc) {
            char tmp[32];
            repl_printf(r, "%s:\n", repl_func_name(v, (uint32_t)f, tmp, sizeof tmp));
        }
        for (uint32_t i = 0; i < v->dbg.nsyms; i++)
            if (v->dbg.syms[i].kind == SL_SYM_LABEL && v->dbg.syms[i].value == pc)
                repl_printf(r, "%s:\n", v->dbg.syms[i].name);
        SlLine l;
        if (repl_line_of(v, pc, &l) && (l.file != last_file || l.line != last_line)) {
            const char *src = repl_source_line(v, l.file, l.line);
            repl_printf(r, "%s:%u\t%s\n", repl_file_name(v, l.file), l.line, src ? src : "");
            last_file = l.file;
            last_line = l.line;
        }
        char text[128];
        sl_insn_format(text, sizeof text, &code[pc], pc);
        repl_printf(r, "%s%c %5u  %s\n", stopped && pc == r->run.pc ? "=>" : "  ", has_break_at(r, r->cur, pc) ? 'b' : ' ',
                    pc, text);
    }
}

static uint32_t func_end(const ReplVm *v, uint32_t f)
{
    return f + 1 < v->img.func_count ? sl_image_func(&v->img, f + 1).entry : v->img.code_count;
}

int cmd_disas(Repl *r, int argc, char **argv)
{
    ReplVm *v = need_vm(r);
    char err[256];
    if (!v)
        return -1;
    if (argc > 3) {
        repl_error(r, "usage: disas [FUNCTION|*N [COUNT]|all]");
        return -1;
    }
    if (argc >= 2 && strcmp(argv[1], "all") == 0) {
        disas_range(r, v, 0, v->img.code_count);
        return 0;
    }
    uint32_t pc;
    if (argc >= 2) {
        uint32_t *pcs, npcs;
        if (repl_resolve_location(v, argv[1], r->run.pc, &pcs, &npcs, err, sizeof err) < 0) {
            repl_error(r, "disas: %s", err);
            return -1;
        }
        pc = pcs[0];
        free(pcs);
        if (argv[1][0] == '*' || argc == 3) {
            uint64_t n = 10;
            if (argc == 3 && (repl_parse_u64(argv[2], &n) < 0 || n == 0)) {
                repl_error(r, "disas: COUNT must be a positive number");
                return -1;
            }
            disas_range(r, v, pc, n > v->img.code_count - pc ? v->img.code_count : pc + (uint32_t)n);
            return 0;
        }
    } else if ((r->run.active || r->run.finished) && r->run.vm == r->cur && r->run.have_packet) {
        pc = r->run.pc;
    } else {
        int h = sl_image_find_handler(&v->img, SL_HANDLER_PACKET, 0);
        if (h < 0)
            h = v->img.handler_count ? 0 : -1;
        pc = h >= 0 ? sl_image_func(&v->img, sl_image_handler(&v->img, (uint32_t)h).func).entry : 0;
    }
    int f = repl_func_of(&v->img, pc);
    if (f < 0) {
        repl_error(r, "disas: no code");
        return -1;
    }
    disas_range(r, v, sl_image_func(&v->img, (uint32_t)f).entry, func_end(v, (uint32_t)f));
    return 0;
}

int cmd_list(Repl *r, int argc, char **argv)
{
    ReplVm *v = need_vm(r);
    char err[256];
    if (!v)
        return -1;
    if (!v->dbg.has_lines) {
        repl_error(r, "list: the image has no line table (use disas)");
        return -1;
    }
    SlLine l = {0};
    if (argc > 2) {
        repl_error(r, "usage: list [[FILE:]LINE|FUNCTION]");
        return -1;
    }
    if (argc == 2) {
        uint32_t *pcs, npcs;
        uint64_t n;
        const char *colon = strrchr(argv[1], ':');
        if ((colon && repl_parse_u64(colon + 1, &n) == 0) || repl_parse_u64(argv[1], &n) == 0) {
            /* a line that may hold no code: find the file, keep the line */
            if (repl_resolve_location(v, argv[1], r->run.pc, &pcs, &npcs, err, sizeof err) == 0) {
                repl_line_of(v, pcs[0], &l);
                free(pcs);
            } else {
                l.file = 0;
                if (colon) {
                    uint32_t i;
                    for (i = 0; i < v->dbg.nfiles; i++) {
                        const char *name = v->dbg.files[i].name, *b = strrchr(name, '/');
                        size_t fl = (size_t)(colon - argv[1]);
                        b = b ? b + 1 : name;
                        if ((strlen(name) == fl && !memcmp(name, argv[1], fl)) || (strlen(b) == fl && !memcmp(b, argv[1], fl)))
                            break;
                    }
                    if (i == v->dbg.nfiles) {
                        repl_error(r, "list: %.*s: no such file in the line table", (int)(colon - argv[1]), argv[1]);
                        return -1;
                    }
                    l.file = i;
                } else if (r->run.have_packet) {
                    SlLine cur;
                    if (repl_line_of(v, r->run.pc, &cur))
                        l.file = cur.file;
                }
            }
            l.line = (uint32_t)(n > 0xffffffffu ? 0xffffffffu : n);
        } else {
            if (repl_resolve_location(v, argv[1], r->run.pc, &pcs, &npcs, err, sizeof err) < 0) {
                repl_error(r, "list: %s", err);
                return -1;
            }
            int ok = repl_line_of(v, pcs[0], &l);
            free(pcs);
            if (!ok) {
                repl_error(r, "list: %s has no line", argv[1]);
                return -1;
            }
        }
    } else if (!(r->run.have_packet && repl_line_of(v, r->run.pc, &l))) {
        int h = sl_image_find_handler(&v->img, SL_HANDLER_PACKET, 0);
        uint32_t pc = h >= 0 ? sl_image_func(&v->img, sl_image_handler(&v->img, (uint32_t)h).func).entry : 0;
        if (!repl_line_of(v, pc, &l)) {
            repl_error(r, "list: no line to start from");
            return -1;
        }
    }
    if (l.file >= v->dbg.nfiles || !v->dbg.files[l.file].text) {
        repl_error(r, "list: %s: source not found", repl_file_name(v, l.file));
        return -1;
    }
    uint32_t n = v->dbg.files[l.file].nlines;
    uint32_t from = l.line > 5 ? l.line - 5 : 1;
    if (from > n) {
        repl_error(r, "list: line %u is past the end of %s (%u lines)", l.line, repl_file_name(v, l.file), n);
        return -1;
    }
    SlLine cur;
    int mark = r->run.have_packet && r->run.vm == r->cur && repl_line_of(v, r->run.pc, &cur) && cur.file == l.file;
    for (uint32_t i = from; i < from + 10 && i <= n; i++)
        repl_printf(r, "%s%-5u %s\n", mark && cur.line == i ? "=>" : "  ", i, v->dbg.files[l.file].lines[i - 1]);
    return 0;
}

/* ---- info ---- */

static void info_registers(Repl *r, ReplVm *v)
{
    const uint64_t *regs = sl_vm_regs(v->vm);
    for (int i = 0; i < SL_NREGS; i++)
        repl_printf(r, "r%-3d 0x%016" PRIx64 "  %" PRIu64 "\n", i, regs[i], regs[i]);
    char where[96];
    repl_where(v, r->run.pc, where, sizeof where);
    repl_printf(r, "pc   %u <%s>, call depth %u\n", r->run.pc, where, sl_vm_depth(v->vm));
}

static void info_locals(Repl *r, ReplVm *v)
{
    int f = repl_func_of(&v->img, r->run.pc), any = 0;
    char tmp[32];
    const char *fn = f >= 0 ? repl_func_name(v, (uint32_t)f, tmp, sizeof tmp) : "";
    size_t fl = strlen(fn);
    for (uint32_t i = 0; i < v->dbg.nsyms; i++) {
        const ReplSym *s = &v->dbg.syms[i];
        if (s->kind != SL_SYM_VAR || strncmp(s->name, fn, fl) != 0 || s->name[fl] != '.' ||
            repl_is_hdr_var(v, s->name)) /* header variables: below */
            continue;
        ReplCtx c;
        ReplValue val;
        char err[256], out[256];
        repl_ctx(r, &c);
        any = 1;
        if (repl_eval(&c, s->name, &val, err, sizeof err) < 0)
            repl_printf(r, "%s = <%s>\n", s->name + fl + 1, err);
        else {
            repl_value_format(&val, 0, out, sizeof out);
            if (s->value & 0x80000000u)
                repl_printf(r, "%s = %s  (in r%u)\n", s->name + fl + 1, out, s->value & 15);
            else
                repl_printf(r, "%s = %s  (state at %u)\n", s->name + fl + 1, out, s->value);
        }
    }
    if (repl_info_hdr_vars(r, fn))
        any = 1;
    if (!any)
        repl_printf(r, "No locals known for %s (no debug info for its variables)\n", fn);
}

static const char *sym_kind(int k)
{
    switch (k) {
    case SL_SYM_FUNC: return "func";
    case SL_SYM_STATE: return "state";
    case SL_SYM_TABLE: return "table";
    case SL_SYM_LABEL: return "label";
    case SL_SYM_CONST: return "const";
    case SL_SYM_VAR: return "var";
    }
    return "?";
}

int cmd_info(Repl *r, int argc, char **argv)
{
    if (argc != 2) {
        repl_error(r, "usage: info breakpoints|registers|locals|frame|symbols|handlers|tables|line");
        return -1;
    }
    const char *w = argv[1];
    size_t n = strlen(w);
    if (strncmp(w, "breakpoints", n) == 0 || strncmp(w, "watchpoints", n) == 0) {
        repl_info_breaks(r);
        return 0;
    }
    ReplVm *v = need_vm(r);
    if (!v)
        return -1;
    if (strncmp(w, "symbols", n) == 0) {
        if (!v->dbg.nsyms)
            repl_printf(r, "No symbols (stripped image)\n");
        for (uint32_t i = 0; i < v->dbg.nsyms; i++) {
            const ReplSym *s = &v->dbg.syms[i];
            repl_printf(r, "%-6s %-24s %u", sym_kind(s->kind), s->name,
                        s->kind == SL_SYM_VAR && (s->value & 0x80000000u) ? s->value & 15 : s->value);
            if (s->kind == SL_SYM_VAR)
                repl_printf(r, " %s", s->value & 0x80000000u ? "(register)" : "(state)");
            if (s->kind == SL_SYM_STATE || s->kind == SL_SYM_VAR)
                repl_printf(r, ", %u bytes", s->size);
            repl_printf(r, "\n");
        }
        return 0;
    }
    if (strncmp(w, "handlers", n) == 0) {
        for (uint32_t h = 0; h < v->img.handler_count; h++) {
            SlHandlerDecl d = sl_image_handler(&v->img, h);
            char tmp[32];
            repl_printf(r, "handler %u: %s", h, d.kind == SL_HANDLER_INIT ? "init" : d.kind == SL_HANDLER_PACKET ? "packet"
                                                                                    : "timer");
            if (d.kind == SL_HANDLER_TIMER)
                repl_printf(r, " every %u ms", d.period_ms);
            repl_printf(r, " -> %s (insn %u)\n", repl_func_name(v, d.func, tmp, sizeof tmp),
                        sl_image_func(&v->img, d.func).entry);
        }
        return 0;
    }
    if (strncmp(w, "tables", n) == 0) {
        char *args[] = {"table", NULL};
        return cmd_table(r, 1, args);
    }
    int stopped = (r->run.active || r->run.finished) && r->run.have_packet && r->run.vm == r->cur;
    if (!stopped) {
        repl_error(r, "info %s: no run yet", w);
        return -1;
    }
    if (strncmp(w, "registers", n) == 0) {
        info_registers(r, v);
    } else if (strncmp(w, "locals", n) == 0) {
        info_locals(r, v);
    } else if (strncmp(w, "frame", n) == 0 || strncmp(w, "line", n) == 0) {
        repl_printf(r, "%s run %s, VM '%s', call depth %u\n",
                    r->run.kind == JOB_INIT ? "init" : r->run.kind == JOB_TIMER ? "timer" : "packet",
                    r->run.active ? "stopped" : r->run.res.status == SL_RUN_FAULT ? "faulted" : "finished", v->name,
                    sl_vm_depth(v->vm));
        repl_show_location(r, v, r->run.pc);
    } else {
        repl_error(r, "info %s: expected breakpoints, registers, locals, frame, symbols, handlers, tables or line", w);
        return -1;
    }
    return 0;
}

/* ---- set ---- */

int cmd_set(Repl *r, int argc, char **argv)
{
    char text[1024], err[256];
    ReplVm *v = need_vm(r);
    if (!v)
        return -1;
    int from = argc > 1 && strcmp(argv[1], "var") == 0 ? 2 : 1;
    repl_join(argc, argv, from, text, sizeof text);
    char *eq = strchr(text, '=');
    if (!eq || eq == text) {
        repl_error(r, "usage: set TARGET = EXPR (TARGET: rN, VARIABLE, pkt[I], mem8/16/32/64[A])");
        return -1;
    }
    *eq = '\0';
    char *target = text + strspn(text, " "), shown[256];
    for (char *e = target + strlen(target); e > target && e[-1] == ' ';)
        *--e = '\0';
    snprintf(shown, sizeof shown, "%s", target);
    ReplCtx c;
    ReplValue val;
    repl_ctx(r, &c);
    if (repl_eval(&c, eq + 1, &val, err, sizeof err) < 0) {
        repl_error(r, "set: %s", err);
        return -1;
    }
    uint64_t x = val.v, a;
    if (target[0] == 'r' && repl_parse_u64(target + 1, &a) == 0 && a < SL_NREGS) {
        if (!r->run.active || r->run.vm != r->cur) {
            repl_error(r, "set %s: registers can be set in a stopped run only", target);
            return -1;
        }
        sl_vm_set_reg(v->vm, (unsigned)a, x);
    } else if (strncmp(target, "pkt[", 4) == 0 || strncmp(target, "mem", 3) == 0) {
        char *br = strchr(target, '[');
        size_t tl = strlen(target);
        if (!br || target[tl - 1] != ']') {
            repl_error(r, "set: %s: expected pkt[I] or mem8/16/32/64[A]", target);
            return -1;
        }
        target[tl - 1] = '\0';
        ReplValue idx;
        if (repl_eval(&c, br + 1, &idx, err, sizeof err) < 0) {
            repl_error(r, "set: %s", err);
            return -1;
        }
        *br = '\0';
        unsigned width = strcmp(target, "pkt") == 0 || strcmp(target, "mem") == 0 || strcmp(target, "mem8") == 0 ? 1
                         : strcmp(target, "mem16") == 0 ? 2 : strcmp(target, "mem32") == 0 ? 4
                         : strcmp(target, "mem64") == 0 ? 8 : 0;
        if (!width) {
            repl_error(r, "set: %s[...]: expected pkt, mem, mem8, mem16, mem32 or mem64", target);
            return -1;
        }
        uint8_t *base;
        uint64_t size;
        if (target[0] == 'p') {
            if (!have_packet(r))
                return -1;
            base = r->run.pkt.buf + r->run.pkt.head;
            size = r->run.pkt.len;
        } else {
            uint32_t sz;
            base = sl_vm_state(v->vm, &sz);
            size = sz;
        }
        if (idx.v > size || width > size - idx.v) {
            repl_error(r, "set: %" PRIu64 " is outside (%" PRIu64 " bytes)", idx.v, size);
            return -1;
        }
        for (unsigned i = 0; i < width; i++)
            base[idx.v + i] = (uint8_t)(x >> (8 * i));
    } else {
        const ReplSym *s = repl_var_find(v, r->run.pc, target);
        if (!s)
            s = repl_sym_find(&v->dbg, SL_SYM_STATE, target);
        if (!s) {
            repl_error(r, "set: %s: no such register, variable or state symbol", target);
            return -1;
        }
        if (s->kind == SL_SYM_VAR && (s->value & 0x80000000u)) {
            if (!r->run.active || r->run.vm != r->cur) {
                repl_error(r, "set %s: it lives in a register: only in a stopped run", target);
                return -1;
            }
            sl_vm_set_reg(v->vm, s->value & 15, x);
        } else {
            uint32_t sz;
            uint8_t *st = sl_vm_state(v->vm, &sz);
            uint32_t w = s->size > 8 ? 8 : s->size ? s->size : 8;
            if (s->value > sz || w > sz - s->value) {
                repl_error(r, "set: %s is outside the state memory", target);
                return -1;
            }
            for (uint32_t i = 0; i < w; i++)
                st[s->value + i] = (uint8_t)(x >> (8 * i));
        }
    }
    char out[128];
    repl_value_format(&val, 0, out, sizeof out);
    repl_printf(r, "%s = %s\n", shown, out);
    return 0;
}
