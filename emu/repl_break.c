/* Breakpoints and watchpoints: setting, listing, enabling, and the check the hook makes before
 * every instruction.
 *
 * Kinds: at instructions (a source line may cover several places: the breakpoint holds them
 * all), on a fault (checked when a run ends: the faulting instruction is known only then), on a
 * drop (before drop, exit, or ret from the handler itself), on a send or clone to a port
 * (before the instruction, the port read from its register), and watches (state bytes or a
 * table entry, compared before every instruction with what they held before the previous
 * one, so the stop is right after the instruction that changed them).
 *
 * A condition is an expression (repl_expr.c) evaluated where the breakpoint would stop; zero
 * means go on. A header field the packet does not have makes it false; any other error stops
 * with the message, as gdb does, so a typo is not silently a breakpoint that never fires. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "repl.h"

static ReplBreak *new_break(Repl *r)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++)
        if (!r->breaks[i].num) {
            memset(&r->breaks[i], 0, sizeof r->breaks[i]);
            r->breaks[i].num = r->next_break++;
            r->breaks[i].enabled = 1;
            return &r->breaks[i];
        }
    repl_error(r, "%d breakpoints at most", REPL_MAX_BREAKS);
    return NULL;
}

static void free_break(ReplBreak *b)
{
    free(b->where);
    free(b->cond);
    free(b->pcs);
    memset(b, 0, sizeof *b);
}

int repl_breaks_active(const Repl *r, uint32_t vm)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        const ReplBreak *b = &r->breaks[i];
        if (b->num && b->enabled && b->vm == vm && b->kind != BK_FAULT)
            return 1;
    }
    return 0;
}

void repl_breaks_drop_vm(Repl *r, uint32_t vm)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++)
        if (r->breaks[i].num && r->breaks[i].vm == vm)
            free_break(&r->breaks[i]);
}

/* Reads what a watch looks at into out (state bytes, or presence byte + table value). */
static void watch_read(Repl *r, const ReplBreak *b, uint8_t *out)
{
    ReplVm *v = &r->vms[b->vm];
    if (b->watch_table) {
        memset(out, 0, (size_t)b->len + 1);
        out[0] = sl_vm_table_get(v->vm, b->table, b->key, out + 1) == 1;
        return;
    }
    uint32_t size;
    const uint8_t *st = sl_vm_state(v->vm, &size);
    memcpy(out, st + b->addr, b->len);
}

void repl_watch_snapshot(Repl *r)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        ReplBreak *b = &r->breaks[i];
        if (b->num && b->kind == BK_WATCH && r->vms[b->vm].used)
            watch_read(r, b, b->old);
    }
}

/* Bytes as an integer (little-endian, as ldm reads state) when at most 8, else hex. */
static void format_bytes(const uint8_t *p, uint32_t n, char *buf, size_t cap)
{
    if (n <= 8) {
        uint64_t x = 0;
        for (uint32_t i = n; i-- > 0;)
            x = x << 8 | p[i];
        snprintf(buf, cap, "%" PRIu64 " (0x%" PRIx64 ")", x, x);
        return;
    }
    size_t k = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < n && k + 4 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%02x", i ? " " : "", p[i]);
}

static void format_watched(const ReplBreak *b, const uint8_t *p, char *buf, size_t cap)
{
    if (b->watch_table && !p[0]) {
        snprintf(buf, cap, "(no entry)");
        return;
    }
    format_bytes(p + b->watch_table, b->len, buf, cap);
}

/* 1 when the condition holds (or there is none), 0 when not; -1 (message in stop_msg) when it
 * could not be evaluated. */
static int condition_holds(Repl *r, ReplBreak *b, SlVm *vm, const SlPacket *pkt, uint32_t pc)
{
    if (!b->cond)
        return 1;
    ReplCtx c = {.r = r, .v = &r->vms[b->vm], .pkt = pkt, .pc = pc, .have_regs = 1};
    (void)vm;
    ReplValue val;
    char err[256];
    if (repl_eval(&c, b->cond, &val, err, sizeof err) < 0) {
        if (c.absent)
            return 0;
        snprintf(r->stop_msg, sizeof r->stop_msg, "Error in the condition of breakpoint %d: %s\n", b->num, err);
        return -1;
    }
    if (val.is_bytes && val.len > 8) {
        for (uint32_t i = 0; i < val.len; i++)
            if (val.bytes[i])
                return 1;
        return 0;
    }
    return val.v != 0;
}

/* Counts a hit; 1 when it stops (not ignored). */
static int hit(ReplBreak *b)
{
    if (b->ignore) {
        b->ignore--;
        return 0;
    }
    b->hits++;
    return 1;
}

ReplBreak *repl_break_check(Repl *r, SlVm *vm, const SlPacket *pkt, uint32_t pc)
{
    uint32_t count;
    const SlInsn *code = sl_vm_code(vm, &count);
    const SlInsn *in = pc < count ? &code[pc] : NULL;
    const uint64_t *regs = sl_vm_regs(vm);
    uint32_t cur = r->run.vm;
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        ReplBreak *b = &r->breaks[i];
        if (!b->num || !b->enabled || b->vm != cur)
            continue;
        int at = 0;
        switch ((ReplBreakKind)b->kind) {
        case BK_INSN:
            for (uint32_t k = 0; k < b->npcs && !at; k++)
                at = b->pcs[k] == pc;
            break;
        case BK_FAULT: break;
        case BK_DROP:
            at = in && (in->op == SL_OP_DROP || in->op == SL_OP_EXIT || (in->op == SL_OP_RET && sl_vm_depth(vm) == 0));
            break;
        case BK_SEND:
            at = in && (in->op == SL_OP_SEND || in->op == SL_OP_CLONE) &&
                 (b->port == REPL_NO_PORT || regs[in->a] == b->port);
            break;
        case BK_WATCH: {
            uint8_t now[SL_MAX_VALUE + 1];
            watch_read(r, b, now);
            uint32_t n = b->len + (uint32_t)b->watch_table;
            if (memcmp(now, b->old, n) != 0) {
                char o[160], nw[160];
                format_watched(b, b->old, o, sizeof o);
                format_watched(b, now, nw, sizeof nw);
                memcpy(b->old, now, n);
                if (condition_holds(r, b, vm, pkt, pc) != 0 && hit(b)) {
                    size_t k = strlen(r->stop_msg);
                    snprintf(r->stop_msg + k, sizeof r->stop_msg - k, "Watchpoint %d: %s\nOld value = %s\nNew value = %s\n",
                             b->num, b->where, o, nw);
                    return b;
                }
            }
            break;
        }
        }
        if (!at)
            continue;
        int c = condition_holds(r, b, vm, pkt, pc);
        if (c != 0 && hit(b))
            return b;
    }
    return NULL;
}

ReplBreak *repl_break_fault(Repl *r)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        ReplBreak *b = &r->breaks[i];
        if (b->num && b->enabled && b->kind == BK_FAULT && b->vm == r->run.vm) {
            ReplVm *v = &r->vms[b->vm];
            if (condition_holds(r, b, v->vm, &r->run.pkt, r->run.res.pc) > 0 && hit(b))
                return b;
        }
    }
    return NULL;
}

/* Splits "... if COND": returns COND (NULL when none) and ends text before " if". */
static char *split_condition(char *text)
{
    if (strncmp(text, "if ", 3) == 0) {
        text[0] = '\0';
        return text + 3;
    }
    char *p = strstr(text, " if ");
    if (!p)
        return NULL;
    *p = '\0';
    return p + 4;
}

static int check_condition(Repl *r, ReplVm *v, const char *cond)
{
    /* Parse it now against an empty context so syntax errors show at once. */
    ReplCtx c = {.r = r, .v = v, .pkt = NULL, .pc = 0, .have_regs = 0};
    ReplValue val;
    char err[256];
    if (repl_eval(&c, cond, &val, err, sizeof err) < 0 && strstr(err, "syntax")) {
        repl_error(r, "condition: %s", err);
        return -1;
    }
    return 0;
}

static void describe(Repl *r, const ReplBreak *b)
{
    ReplVm *v = &r->vms[b->vm];
    switch ((ReplBreakKind)b->kind) {
    case BK_INSN: {
        char where[96];
        repl_printf(r, "Breakpoint %d at insn", b->num);
        for (uint32_t k = 0; k < b->npcs && k < 8; k++)
            repl_printf(r, "%s %u", k ? "," : "", b->pcs[k]);
        if (b->npcs > 8)
            repl_printf(r, ", ...");
        repl_where(v, b->pcs[0], where, sizeof where);
        repl_printf(r, " <%s>", where);
        SlLine l;
        if (repl_line_of(v, b->pcs[0], &l))
            repl_printf(r, ": %s:%u", repl_file_name(v, l.file), l.line);
        break;
    }
    case BK_FAULT: repl_printf(r, "Breakpoint %d on faults", b->num); break;
    case BK_DROP: repl_printf(r, "Breakpoint %d on drops", b->num); break;
    case BK_SEND:
        if (b->port == REPL_NO_PORT)
            repl_printf(r, "Breakpoint %d on sends to any port", b->num);
        else
            repl_printf(r, "Breakpoint %d on sends to port %u", b->num, b->port);
        break;
    case BK_WATCH: repl_printf(r, "Watchpoint %d: %s", b->num, b->where); break;
    }
    if (b->cond)
        repl_printf(r, " if %s", b->cond);
    repl_printf(r, "\n");
}

int cmd_break(Repl *r, int argc, char **argv)
{
    char text[1024], err[512];
    ReplVm *v = repl_cur(r);
    if (!v) {
        repl_error(r, "no program loaded (load FILE)");
        return -1;
    }
    repl_join(argc, argv, 1, text, sizeof text);
    char *cond = split_condition(text);
    if (cond && !*cond) {
        repl_error(r, "break: `if` needs a condition");
        return -1;
    }
    if (cond && check_condition(r, v, cond) < 0)
        return -1;
    char *where = text + strspn(text, " ");
    where[strcspn(where, " ")] == ' ' ? (void)0 : (void)0;
    char kind[32] = "", arg[512] = "", extra[8] = "";
    int nw = sscanf(where, "%31s %511s %7s", kind, arg, extra);
    ReplBreak tmp = {0};
    tmp.vm = r->cur;
    if (nw <= 0) {
        if (!r->run.active || r->run.vm != r->cur) {
            repl_error(r, "break: where? (LOCATION, fault, drop, send [PORT]; no run is stopped)");
            return -1;
        }
        tmp.kind = BK_INSN;
        tmp.pcs = malloc(sizeof *tmp.pcs);
        if (!tmp.pcs)
            return -1;
        tmp.pcs[0] = r->run.pc;
        tmp.npcs = 1;
        snprintf(kind, sizeof kind, "*%u", r->run.pc);
    } else if (nw > 2 || (nw == 2 && strcmp(kind, "send") != 0)) {
        repl_error(r, "break: one location expected, then `if COND` (got \"%s\")", where);
        return -1;
    } else if (strcmp(kind, "fault") == 0) {
        tmp.kind = BK_FAULT;
    } else if (strcmp(kind, "drop") == 0) {
        tmp.kind = BK_DROP;
    } else if (strcmp(kind, "send") == 0) {
        uint64_t port;
        tmp.kind = BK_SEND;
        tmp.port = REPL_NO_PORT;
        if (nw == 2) {
            if (repl_parse_u64(arg, &port) == 0 && port < v->img.port_count) {
                tmp.port = (uint32_t)port;
            } else {
                uint32_t i;
                for (i = 0; i < v->img.port_count; i++) {
                    uint32_t len;
                    const char *name = sl_image_port_name(&v->img, i, &len);
                    if (strlen(arg) == len && memcmp(arg, name, len) == 0)
                        break;
                }
                if (i == v->img.port_count) {
                    repl_error(r, "break send: %s: the program has no such port (it declares %u)", arg,
                               v->img.port_count);
                    return -1;
                }
                tmp.port = i;
            }
        }
    } else {
        tmp.kind = BK_INSN;
        if (repl_resolve_location(v, kind, r->run.active ? r->run.pc : 0, &tmp.pcs, &tmp.npcs, err, sizeof err) < 0) {
            repl_error(r, "break: %s", err);
            return -1;
        }
    }
    ReplBreak *b = new_break(r);
    if (!b) {
        free(tmp.pcs);
        return -1;
    }
    int num = b->num;
    *b = tmp;
    b->num = num;
    b->enabled = 1;
    b->where = strdup(nw == 2 ? where : kind);
    b->cond = cond ? strdup(cond) : NULL;
    describe(r, b);
    repl_update_hook(r);
    return 0;
}

int cmd_watch(Repl *r, int argc, char **argv)
{
    char text[512];
    ReplVm *v = repl_cur(r);
    if (!v) {
        repl_error(r, "no program loaded (load FILE)");
        return -1;
    }
    if (argc < 2) {
        repl_error(r, "usage: watch STATE-VARIABLE | mem[A:B] | TABLE[KEY]");
        return -1;
    }
    repl_join(argc, argv, 1, text, sizeof text);
    char *cond = split_condition(text);
    ReplBreak tmp = {0};
    tmp.kind = BK_WATCH;
    tmp.vm = r->cur;
    char *br = strchr(text, '[');
    const ReplSym *s;
    uint64_t a, e;
    if (br && text[strlen(text) - 1] == ']' && strncmp(text, "mem[", 4) == 0) {
        char *colon = strchr(text, ':');
        text[strlen(text) - 1] = '\0';
        if (!colon || (*colon = '\0', repl_parse_u64(text + 4, &a) < 0) || repl_parse_u64(colon + 1, &e) < 0 ||
            e <= a || e > v->img.state_size || e - a > SL_MAX_VALUE) {
            repl_error(r, "watch: mem[A:B] with 0 <= A < B <= %u (the state size), at most %d bytes",
                       v->img.state_size, SL_MAX_VALUE);
            return -1;
        }
        tmp.addr = (uint32_t)a;
        tmp.len = (uint32_t)(e - a);
        *colon = ':';
        text[strlen(text)] = ']';
    } else if (br && text[strlen(text) - 1] == ']') {
        *br = '\0';
        char *key = br + 1;
        key[strlen(key) - 1] = '\0';
        uint32_t t = UINT32_MAX;
        s = repl_sym_find(&v->dbg, SL_SYM_TABLE, text);
        if (s)
            t = s->value;
        else if (text[0] == 't' && repl_parse_u64(text + 1, &a) == 0)
            t = (uint32_t)a;
        if (t >= v->img.table_count) {
            repl_error(r, "watch: %s: no such table (see `table`)", text);
            return -1;
        }
        SlTableDecl d = sl_image_table(&v->img, t);
        uint32_t ksize = d.key_size + (d.kind == SL_TABLE_LPM);
        ReplValue kv;
        if (repl_parse_literal(key, &kv) < 0 || repl_value_bytes(&kv, ksize, tmp.key) < 0) {
            repl_error(r, "watch: %s: not a key of %u bytes for table %s", key, ksize, text);
            return -1;
        }
        tmp.watch_table = 1;
        tmp.table = t;
        tmp.len = d.value_size;
        *br = '[';
        key[strlen(key)] = ']';
    } else {
        s = repl_sym_find(&v->dbg, SL_SYM_STATE, text);
        if (!s && (s = repl_var_find(v, r->run.active ? r->run.pc : 0, text)) && (s->value & 0x80000000u)) {
            repl_error(r, "watch: %s lives in a register: break on its lines instead", text);
            return -1;
        }
        if (!s) {
            repl_error(r, "watch: %s: no such state variable, mem[A:B] or TABLE[KEY]", text);
            return -1;
        }
        if (s->size == 0 || s->value > v->img.state_size || s->size > v->img.state_size - s->value ||
            s->size > SL_MAX_VALUE) {
            repl_error(r, "watch: %s: its bytes are not inside the state memory", text);
            return -1;
        }
        tmp.addr = s->value;
        tmp.len = s->size;
    }
    ReplBreak *b = new_break(r);
    if (!b)
        return -1;
    int num = b->num;
    *b = tmp;
    b->num = num;
    b->enabled = 1;
    b->where = strdup(text);
    b->cond = cond && *cond ? strdup(cond) : NULL;
    watch_read(r, b, b->old);
    describe(r, b);
    repl_update_hook(r);
    return 0;
}

/* Applies fn to the numbered breakpoints (all when none given). */
static int each(Repl *r, int argc, char **argv, void (*fn)(Repl *, ReplBreak *))
{
    if (argc == 1) {
        for (int i = 0; i < REPL_MAX_BREAKS; i++)
            if (r->breaks[i].num)
                fn(r, &r->breaks[i]);
        repl_update_hook(r);
        return 0;
    }
    int rc = 0;
    for (int k = 1; k < argc; k++) {
        uint64_t n;
        int found = 0;
        if (repl_parse_u64(argv[k], &n) == 0)
            for (int i = 0; i < REPL_MAX_BREAKS && !found; i++)
                if (r->breaks[i].num && (uint64_t)r->breaks[i].num == n) {
                    fn(r, &r->breaks[i]);
                    found = 1;
                }
        if (!found) {
            repl_error(r, "%s: no breakpoint %s", argv[0], argv[k]);
            rc = -1;
        }
    }
    repl_update_hook(r);
    return rc;
}

static void do_delete(Repl *r, ReplBreak *b)
{
    (void)r;
    free_break(b);
}

static void do_enable(Repl *r, ReplBreak *b)
{
    b->enabled = 1;
    if (b->kind == BK_WATCH && r->vms[b->vm].used)
        watch_read(r, b, b->old);
}

static void do_disable(Repl *r, ReplBreak *b)
{
    (void)r;
    b->enabled = 0;
}

int cmd_delete(Repl *r, int argc, char **argv)
{
    return each(r, argc, argv, do_delete);
}

int cmd_enable(Repl *r, int argc, char **argv)
{
    return each(r, argc, argv, do_enable);
}

int cmd_disable(Repl *r, int argc, char **argv)
{
    return each(r, argc, argv, do_disable);
}

int cmd_condition(Repl *r, int argc, char **argv)
{
    uint64_t n;
    if (argc < 2 || repl_parse_u64(argv[1], &n) < 0) {
        repl_error(r, "usage: condition N [COND]");
        return -1;
    }
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        ReplBreak *b = &r->breaks[i];
        if (!b->num || (uint64_t)b->num != n)
            continue;
        char text[1024];
        repl_join(argc, argv, 2, text, sizeof text);
        if (text[0] && check_condition(r, &r->vms[b->vm], text) < 0)
            return -1;
        free(b->cond);
        b->cond = text[0] ? strdup(text) : NULL;
        if (b->cond)
            repl_printf(r, "Breakpoint %d stops if %s\n", b->num, b->cond);
        else
            repl_printf(r, "Breakpoint %d is now unconditional\n", b->num);
        return 0;
    }
    repl_error(r, "condition: no breakpoint %s", argv[1]);
    return -1;
}

void repl_info_breaks(Repl *r)
{
    int any = 0;
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        const ReplBreak *b = &r->breaks[i];
        if (!b->num)
            continue;
        if (!any)
            repl_printf(r, "Num  Enb  VM  Hits  What\n");
        any = 1;
        repl_printf(r, "%-4d %-4s %-3u %-5" PRIu64 " ", b->num, b->enabled ? "y" : "n", b->vm, b->hits);
        describe(r, b);
    }
    if (!any)
        repl_printf(r, "No breakpoints or watchpoints\n");
}
