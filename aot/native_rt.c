/* The runtime of native code (native.h): run/resume entry points and the helpers the code calls.
 *
 * Freestanding like the core (no libc beyond mem*, no float, no malloc), so that it links into
 * the device runner with the core and slaot's objects. sl_native_run mirrors sl_vm_run: the same
 * checks, the same VM fields set, then native code instead of the interpreter. The context points
 * at the VM's own registers and frames and the rest is copied in and out, so a yielded run leaves
 * the VM exactly as the interpreter would: it can resume in either engine.
 *
 * Each helper makes the interpreter's checks (vm/interp.c) in the same order and returns minus
 * the fault code, so native code faults where the interpreter does. */
#include <stddef.h>

#include "mem.h"
#include "native.h"
#include "vm_int.h"

_Static_assert(sizeof(SlNativeFrame) == sizeof(SlFrame), "frame layouts differ");
_Static_assert(offsetof(SlNativeFrame, ret_pc) == offsetof(SlFrame, ret_pc), "frame layouts differ");
_Static_assert(offsetof(SlNativeFrame, saved) == offsetof(SlFrame, saved), "frame layouts differ");
_Static_assert(sizeof(((SlFrame *)0)->saved) == sizeof(((SlNativeFrame *)0)->saved), "frame layouts differ");
_Static_assert(sizeof(SlNativeCtx) == 5 * sizeof(void *) + 8 * 8 + 8 * 4, "context layout");

typedef struct Rt {
    SlVm *vm;
    SlPacket *pkt;
    const SlEnv *env;
} Rt;

enum { STATUS_BAD_PC = 0xff }; /* translate.c: resume pc is no resume point */

static Rt *rt_of(SlNativeCtx *c) { return (Rt *)c->rt; }

/* Bytes [o, o+n) inside [0, size)? Written to never overflow (interp.c's in_range). */
static int in_range(uint64_t o, uint64_t n, uint64_t size) { return o <= size && n <= size - o; }

int sl_native_check(const SlNative *n, const SlVm *vm)
{
    if (!n || !n->entry || n->abi != SL_NATIVE_ABI)
        return -SL_EARG;
    const SlImage *img = sl_vm_image(vm);
    if (n->code_count != img->code_count || !n->hash)
        return -SL_EHASH;
    /* checked on every run: four word compares (__builtin_memcpy of 8 bytes is a load, even
     * freestanding) rather than a memcmp call */
    uint64_t diff = 0;
    for (unsigned i = 0; i < SL_IMAGE_HASH_SIZE; i += 8) {
        uint64_t a, b;
        __builtin_memcpy(&a, n->hash + i, 8);
        __builtin_memcpy(&b, img->hash + i, 8);
        diff |= a ^ b;
    }
    return diff ? -SL_EHASH : 0;
}

/* vm.c's start_window: the packet's window is fixed for the whole run. */
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

/* Runs native code from vm->pc, as sl_interp does. */
static int enter(SlVm *vm, const SlNative *n, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
                 SlResult *res)
{
    Rt rt = {vm, pkt, env};
    SlNativeCtx c; /* every field the code reads is set here; it sets what it returns */
    c.regs = vm->regs;
    c.frames = (SlNativeFrame *)(void *)vm->frames;
    c.state = vm->state;
    c.pkt = pkt->buf + pkt->head;
    c.rt = &rt;
    c.pkt_len = pkt->len;
    c.insns = vm->insns;
    uint64_t slice_end = fuel > ~0ull - c.insns ? ~0ull : c.insns + fuel;
    c.budget = vm->packet_budget;
    c.limit = slice_end < c.budget ? slice_end : c.budget;
    c.in_port = pkt->in_port;
    c.tstamp = pkt->tstamp_ns;
    c.now = env ? env->now_ns : 0;
    c.rng = vm->rng;
    c.pc = vm->pc;
    c.depth = vm->depth;
    c.status = STATUS_BAD_PC;
    c.verdict = c.fault = c.port = c.reserved = 0;
    c.trap = 0;
    n->entry(&c);
    vm->rng = c.rng;
    vm->depth = c.depth;
    res->insns = c.insns;
    switch (c.status) {
    case SL_RUN_DONE:
        vm->busy = 0;
        res->status = SL_RUN_DONE;
        res->verdict = (uint8_t)c.verdict;
        res->port = c.port;
        return 0;
    case SL_RUN_FAULT:
        vm->busy = 0;
        res->status = SL_RUN_FAULT;
        res->verdict = SL_VERDICT_DROP;
        res->fault = (uint16_t)c.fault;
        res->pc = c.pc;
        res->trap = c.fault == SL_FAULT_TRAP ? c.trap : 0;
        return 0;
    case SL_RUN_YIELD:
        vm->pc = c.pc;
        vm->insns = c.insns;
        res->status = SL_RUN_YIELD;
        res->pc = c.pc;
        return 0;
    default: /* STATUS_BAD_PC: the saved pc is no place a run can stop */
        vm->busy = 0;
        res->insns = 0;
        return -SL_ESTATE;
    }
}

int sl_native_run(SlVm *vm, const SlNative *n, uint32_t handler, SlPacket *pkt, const SlEnv *env,
                  uint64_t fuel, SlResult *res)
{
    memset(res, 0, sizeof *res);
    int rc = sl_native_check(n, vm);
    if (rc < 0)
        return rc;
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
    return enter(vm, n, pkt, env, fuel, res);
}

int sl_native_resume(SlVm *vm, const SlNative *n, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
                     SlResult *res)
{
    memset(res, 0, sizeof *res);
    int rc = sl_native_check(n, vm);
    if (rc < 0)
        return rc;
    if (!vm->busy)
        return -SL_ESTATE;
    return enter(vm, n, pkt, env, fuel, res);
}

static int hv_run(SlVm *vm, const void *code, uint32_t handler, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
                  SlResult *res)
{
    return sl_native_run(vm, code, handler, pkt, env, fuel, res);
}

static int hv_resume(SlVm *vm, const void *code, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res)
{
    return sl_native_resume(vm, code, pkt, env, fuel, res);
}

const SlHvEngine sl_native_hv_engine = {.run = hv_run, .resume = hv_resume};

/* ---- Helpers ------------------------------------------------------------------------------ */


int64_t sl_native_rt_tget(SlNativeCtx *c, uint32_t t, uint64_t key, uint64_t value)
{
    SlVm *vm = rt_of(c)->vm;
    SlTable *tb = &vm->tables[t];
    if (!in_range(key, tb->decl.key_size, vm->state_size) ||
        !in_range(value, tb->decl.value_size, vm->state_size))
        return -SL_FAULT_MEM_BOUNDS;
    return sl_table_get(tb, vm->state + key, vm->state + value);
}

int64_t sl_native_rt_tput(SlNativeCtx *c, uint32_t t, uint64_t key, uint64_t value)
{
    SlVm *vm = rt_of(c)->vm;
    SlTable *tb = &vm->tables[t];
    if (!in_range(key, tb->key_len, vm->state_size) ||
        !in_range(value, tb->decl.value_size, vm->state_size))
        return -SL_FAULT_MEM_BOUNDS;
    int rc = sl_table_put(tb, vm->state + key, vm->state + value);
    if (rc == -1)
        return -SL_FAULT_TABLE_FULL;
    if (rc == -2)
        return -SL_FAULT_BAD_PREFIX;
    return rc;
}

int64_t sl_native_rt_tdel(SlNativeCtx *c, uint32_t t, uint64_t key)
{
    SlVm *vm = rt_of(c)->vm;
    SlTable *tb = &vm->tables[t];
    if (!in_range(key, tb->key_len, vm->state_size))
        return -SL_FAULT_MEM_BOUNDS;
    int rc = sl_table_del(tb, vm->state + key);
    if (rc == -2)
        return -SL_FAULT_BAD_PREFIX;
    return rc;
}

/* interp.c's fold16 and csum, the same arithmetic. */
static uint64_t fold16(uint64_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16 & 0xffff) + (sum >> 32 & 0xffff) + (sum >> 48);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

int64_t sl_native_rt_csum(SlNativeCtx *c, uint64_t init, uint64_t off, uint64_t n)
{
    if (!in_range(off, n, c->pkt_len))
        return -SL_FAULT_PKT_BOUNDS;
    const uint8_t *p = c->pkt + off;
    uint64_t sum = fold16(init);
    uint64_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += (uint64_t)p[i] << 8 | p[i + 1];
    if (i < n)
        sum += (uint64_t)p[i] << 8;
    return (int64_t)fold16(sum);
}

int64_t sl_native_rt_resize(SlNativeCtx *c, uint32_t op, uint64_t a)
{
    SlVm *vm = rt_of(c)->vm;
    SlPacket *pkt = rt_of(c)->pkt;
    uint64_t d = a;
    if (op == 0) { /* padjh */
        if ((int64_t)d >= 0) {
            if (d > pkt->head - vm->win_lo)
                return -SL_FAULT_PKT_RESIZE;
            pkt->head -= (uint32_t)d;
            memset(pkt->buf + pkt->head, 0, (size_t)d);
            pkt->len += (uint32_t)d;
        } else {
            d = 0 - d;
            if (d > pkt->len)
                return -SL_FAULT_PKT_RESIZE;
            pkt->head += (uint32_t)d;
            pkt->len -= (uint32_t)d;
        }
    } else if (op == 1) { /* padjt */
        if ((int64_t)d >= 0) {
            if (d > vm->win_hi - pkt->head - pkt->len)
                return -SL_FAULT_PKT_RESIZE;
            memset(pkt->buf + pkt->head + pkt->len, 0, (size_t)d);
            pkt->len += (uint32_t)d;
        } else {
            d = 0 - d;
            if (d > pkt->len)
                return -SL_FAULT_PKT_RESIZE;
            pkt->len -= (uint32_t)d;
        }
    } else { /* pnew */
        if (d > vm->win_hi - vm->origin)
            return -SL_FAULT_PKT_RESIZE;
        pkt->head = vm->origin;
        pkt->len = (uint32_t)d;
        memset(pkt->buf + pkt->head, 0, (size_t)d);
    }
    c->pkt = pkt->buf + pkt->head;
    c->pkt_len = pkt->len;
    return 0;
}

void sl_native_rt_clone(SlNativeCtx *c, uint32_t port)
{
    const SlEnv *env = rt_of(c)->env;
    if (env && env->clone)
        env->clone(env->user, port, c->pkt, (uint32_t)c->pkt_len);
}

uint64_t sl_native_rt_hash(const uint8_t *p, uint64_t n) { return sl_hash_bytes(p, n); }
