/* VM creation in embedder memory, the run/resume entry points and the control plane's table
 * access.
 *
 * Memory layout of one VM, every region 8-byte aligned:
 *   SlVm | call frames | handler entries | code | constants | function entries | SlTable[] | state |
 *   per table: LPM counters, slots
 * Call frames are sized by what the code can use (sl_vm_max_frames), not by the ISA's limit: a
 * VM whose handlers call nothing has none, which keeps an idle VM small.
 * The verifier's scratch memory overlays everything after the code: it is used up before the
 * constants, tables and state are filled in. */
#include "mem.h"
#include "vm_int.h"

typedef struct Layout {
    size_t frames, handlers, code, consts, funcs, tables, state, slots, end, scratch_end;
} Layout;

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

uint32_t sl_vm_max_frames(const SlImage *img)
{
    uint32_t calls = 0;
    for (uint32_t i = 0; i < img->code_count && calls < SL_MAX_CALL_DEPTH; i++)
        calls += img->code[(size_t)i * SL_INSN_SIZE] == SL_OP_CALL;
    uint32_t funcs = img->func_count ? img->func_count - 1 : 0;
    return calls < funcs ? calls : funcs;
}

/* Returns 0 when the sizes overflow (only possible with 32-bit size_t). */
static int layout(const SlImage *img, Layout *l)
{
    uint64_t at = align8(sizeof(SlVm));
    l->frames = (size_t)at;
    at += (uint64_t)sl_vm_max_frames(img) * sizeof(SlFrame);
    l->handlers = (size_t)at;
    at += align8((uint64_t)img->handler_count * 4);
    l->code = (size_t)at;
    at += align8((uint64_t)img->code_count * sizeof(SlInsn));
    l->consts = (size_t)at;
    at += (uint64_t)img->const_count * 8;
    l->funcs = (size_t)at;
    at += align8((uint64_t)img->func_count * 4);
    l->tables = (size_t)at;
    at += align8((uint64_t)img->table_count * sizeof(SlTable));
    l->state = (size_t)at;
    at += align8(img->state_size);
    l->slots = (size_t)at;
    for (uint32_t t = 0; t < img->table_count; t++) {
        SlTableDecl d = sl_image_table(img, t);
        uint32_t slots;
        if (d.key_size == 0 || d.key_size > SL_MAX_KEY || d.capacity > SL_MAX_CAPACITY ||
            d.value_size > SL_MAX_VALUE)
            continue; /* the verifier rejects it; do not size garbage */
        at += align8(sl_table_bytes(&d, &slots));
    }
    uint64_t scratch_end = l->consts + (uint64_t)sl_verify_scratch_size(img);
    if (at > (size_t)-1 || scratch_end > (size_t)-1)
        return 0;
    l->end = (size_t)at;
    l->scratch_end = (size_t)scratch_end;
    return 1;
}

size_t sl_vm_footprint(const SlImage *img)
{
    Layout l;
    if (!layout(img, &l))
        return 0;
    return l.end > l.scratch_end ? l.end : l.scratch_end;
}

void sl_vm_reset(SlVm *vm)
{
    memset(vm->state, 0, vm->state_size);
    if (vm->img.state_init_len)
        memcpy(vm->state, vm->img.state_init, vm->img.state_init_len);
    for (uint32_t t = 0; t < vm->table_count; t++)
        sl_table_clear(&vm->tables[t]);
    vm->rng = vm->cfg.seed;
    vm->busy = 0;
}

int sl_vm_create(void *mem, size_t size, const SlImage *img, const SlVmConfig *cfg, SlVm **out,
                 char *err, size_t errcap)
{
    if (errcap)
        err[0] = '\0';
    *out = 0;
    if (!mem || ((uintptr_t)mem & 7)) {
        sl_fmt(err, errcap, "VM memory missing or not 8-byte aligned");
        return -SL_EARG;
    }
    size_t need = sl_vm_footprint(img);
    if (!need || size < need) {
        sl_fmt(err, errcap, "VM memory too small: %zu bytes given, %zu needed", size, need);
        return -SL_ENOMEM;
    }
    Layout l;
    layout(img, &l);
    uint8_t *base = mem;
    SlVm *vm = (SlVm *)mem;
    memset(vm, 0, sizeof *vm);
    vm->code = (SlInsn *)(void *)(base + l.code);
    int rc = sl_verify(img, vm->code, base + l.consts, need - l.consts, err, errcap);
    if (rc < 0)
        return rc;

    vm->img = *img;
    if (cfg)
        vm->cfg = *cfg;
    if (!vm->cfg.packet_budget)
        vm->cfg.packet_budget = 1ull << 32;
    vm->packet_budget = vm->cfg.packet_budget;
    vm->code_count = img->code_count;
    vm->frames = (SlFrame *)(void *)(base + l.frames);
    vm->max_frames = sl_vm_max_frames(img);
    vm->handler_entry = (uint32_t *)(void *)(base + l.handlers);
    vm->handler_count = (uint8_t)img->handler_count; /* <= SL_MAX_HANDLERS: image.c */
    for (uint32_t h = 0; h < img->handler_count; h++)
        vm->handler_entry[h] = sl_image_func(img, sl_image_handler(img, h).func).entry;
    vm->consts = (uint64_t *)(void *)(base + l.consts);
    for (uint32_t i = 0; i < img->const_count; i++)
        vm->consts[i] = sl_image_const(img, i);
    vm->func_entry = (uint32_t *)(void *)(base + l.funcs);
    for (uint32_t f = 0; f < img->func_count; f++)
        vm->func_entry[f] = sl_image_func(img, f).entry;
    vm->tables = (SlTable *)(void *)(base + l.tables);
    vm->table_count = img->table_count;
    vm->state = base + l.state;
    vm->state_size = img->state_size;
    vm->port_count = img->port_count;
    uint8_t *slots = base + l.slots;
    for (uint32_t t = 0; t < img->table_count; t++) {
        SlTable *tb = &vm->tables[t];
        uint32_t nslots;
        tb->decl = sl_image_table(img, t);
        size_t bytes = sl_table_bytes(&tb->decl, &nslots);
        tb->key_len = tb->decl.key_size + (tb->decl.kind == SL_TABLE_LPM);
        tb->slot_size = 1 + tb->key_len + tb->decl.value_size;
        tb->mask = nslots - 1;
        tb->seed = sl_mix64(vm->cfg.seed + t + 1);
        /* LPM counters first, so they stay aligned; then the slots */
        size_t counters = tb->decl.kind == SL_TABLE_LPM ? align8((8u * tb->decl.key_size + 1) * 4) : 0;
        tb->plen_count = counters ? (uint32_t *)(void *)slots : 0;
        tb->slots = slots + counters;
        slots += align8(bytes);
    }
    sl_vm_reset(vm);
    *out = vm;
    return 0;
}

static int start_window(SlVm *vm, SlPacket *pkt)
{
    uint64_t len_room = pkt->len > SL_PKT_MAX ? pkt->len : SL_PKT_MAX;
    if (!pkt->buf || pkt->head < SL_PKT_HEADROOM || (uint64_t)pkt->cap < (uint64_t)pkt->head + len_room)
        return -SL_EARG;
    vm->win_lo = pkt->head - SL_PKT_HEADROOM;
    vm->win_hi = (uint32_t)(pkt->head + len_room);
    vm->origin = pkt->head;
    return 0;
}

int sl_vm_run(SlVm *vm, uint32_t handler, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res)
{
    memset(res, 0, sizeof *res);
    if (vm->busy)
        return -SL_ESTATE;
    if (handler >= vm->handler_count) {
        res->status = SL_RUN_FAULT;
        res->fault = SL_FAULT_NO_HANDLER;
        return 0;
    }
    if (start_window(vm, pkt) < 0)
        return -SL_EARG;
    vm->pc = vm->handler_entry[handler];
    vm->depth = 0;
    vm->insns = 0;
    vm->busy = 1;
    /* direct calls (a function address would need the GOT in PIC builds), and tail calls: the
     * instances return 0 so that this function needs no frame of its own */
    if (vm->debug)
        return sl_interp_debug(vm, pkt, env, fuel, res);
    return sl_interp(vm, pkt, env, fuel, res);
}

int sl_vm_resume(SlVm *vm, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res)
{
    memset(res, 0, sizeof *res);
    if (!vm->busy)
        return -SL_ESTATE;
    /* direct calls (a function address would need the GOT in PIC builds), and tail calls: the
     * instances return 0 so that this function needs no frame of its own */
    if (vm->debug)
        return sl_interp_debug(vm, pkt, env, fuel, res);
    return sl_interp(vm, pkt, env, fuel, res);
}

void sl_vm_abort(SlVm *vm) { vm->busy = 0; }

void sl_vm_set_debug_hook(SlVm *vm, SlDebugHook hook, void *user)
{
    vm->dbg_hook = hook;
    vm->dbg_user = user;
    vm->debug = hook != 0;
}

uint32_t sl_vm_depth(const SlVm *vm) { return vm->depth; }

uint32_t sl_vm_frame_return(const SlVm *vm, uint32_t frame)
{
    return frame < vm->depth ? vm->frames[frame].ret_pc : 0;
}

void sl_vm_set_reg(SlVm *vm, unsigned reg, uint64_t value)
{
    if (reg < SL_NREGS)
        vm->regs[reg] = value;
}
int sl_vm_busy(const SlVm *vm) { return vm->busy; }
const SlImage *sl_vm_image(const SlVm *vm) { return &vm->img; }

const SlInsn *sl_vm_code(const SlVm *vm, uint32_t *count)
{
    *count = vm->code_count;
    return vm->code;
}

uint8_t *sl_vm_state(SlVm *vm, uint32_t *size)
{
    *size = vm->state_size;
    return vm->state;
}

const uint64_t *sl_vm_regs(const SlVm *vm) { return vm->regs; }

int sl_vm_table_get(SlVm *vm, uint32_t table, const uint8_t *key, uint8_t *value)
{
    if (table >= vm->table_count)
        return -SL_EARG;
    return sl_table_get(&vm->tables[table], key, value);
}

int sl_vm_table_put(SlVm *vm, uint32_t table, const uint8_t *key, const uint8_t *value)
{
    if (table >= vm->table_count)
        return -SL_EARG;
    int rc = sl_table_put(&vm->tables[table], key, value);
    return rc == -1 ? -SL_EFULL : rc == -2 ? -SL_EARG : rc;
}

int sl_vm_table_del(SlVm *vm, uint32_t table, const uint8_t *key)
{
    if (table >= vm->table_count)
        return -SL_EARG;
    int rc = sl_table_del(&vm->tables[table], key);
    return rc == -2 ? -SL_EARG : rc;
}

uint32_t sl_vm_table_count(const SlVm *vm, uint32_t table)
{
    return table < vm->table_count ? vm->tables[table].count : 0;
}

void sl_vm_table_walk(const SlVm *vm, uint32_t table,
                      int (*fn)(void *user, const uint8_t *key, const uint8_t *value), void *user)
{
    if (table >= vm->table_count)
        return;
    const SlTable *t = &vm->tables[table];
    for (uint32_t i = 0; i <= t->mask; i++) {
        const uint8_t *s = t->slots + (size_t)i * t->slot_size;
        if (s[0] && fn(user, s + 1, s + 1 + t->key_len))
            return;
    }
}
