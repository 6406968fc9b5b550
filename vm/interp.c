/* The interpreter: one function, threaded dispatch over verified code.
 *
 * Dispatch is computed goto where the compiler has it (a label table expanded from isa.def: a
 * row without a handler is a compile error) and a switch otherwise (-Wswitch-enum catches it).
 *
 * Instruction counting is exact yet costs nothing in straight-line code: `run` marks where the
 * current straight run began, and only control transfers (taken branches, calls, returns, the
 * end of the run) add `ip - run` to the count. The budget is looked at only at check points
 * (backward taken branches and call entries, docs/isa.md), so a yield happens at the same
 * instruction on every engine, and resumes from the saved pc, registers and frames.
 *
 * The code was verified: operands are in range, registers written before read, targets inside
 * their function. What remains checked here is what depends on data: packet and memory bounds,
 * divisors, ports, table capacity.
 *
 * The debugger's hook: the body below is compiled twice, by this file including itself. The
 * first instance, sl_interp, is the fast path and has no trace of the hook. The second,
 * sl_interp_debug (vm.c picks it when sl_vm_set_debug_hook() installed a hook), calls the hook
 * before every instruction; when the hook says stop, the run yields *before* that instruction,
 * with the exact count, as a slice end does, and sl_vm_resume() goes on from there. */
#ifndef SL_INTERP_INSTANCE
#include "bytes.h"
#include "mem.h"
#include "vm_int.h"

#if defined(__GNUC__) && !defined(SL_NO_COMPUTED_GOTO)
#define SL_COMPUTED_GOTO 1
#endif

static inline uint64_t sar(uint64_t x, unsigned n)
{
    uint64_t sign = 0 - (x >> 63); /* all ones when negative */
    return ((x ^ sign) >> n) ^ sign;
}

static inline uint64_t sext(uint64_t x, unsigned bits)
{
    uint64_t m = 1ull << (bits - 1);
    x &= (m << 1) - 1;
    return (x ^ m) - m;
}

static inline uint64_t sdiv(uint64_t a, uint64_t b)
{
    if (b == ~0ull) /* x / -1 = -x, wrapping INT64_MIN onto itself */
        return 0 - a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t smod(uint64_t a, uint64_t b)
{
    if (b == ~0ull)
        return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}

/* Bytes [o, o+n) inside [0, size)? Written to never overflow. */
static inline int in_range(uint64_t o, uint64_t n, uint64_t size)
{
    return o <= size && n <= size - o;
}

static inline uint64_t fold16(uint64_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16 & 0xffff) + (sum >> 32 & 0xffff) + (sum >> 48);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* Inlined into both instances, as it was into the one before the debug instance existed. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint64_t csum(uint64_t init, const uint8_t *p, uint64_t n)
{
    uint64_t sum = fold16(init);
    uint64_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += (uint64_t)p[i] << 8 | p[i + 1];
    if (i < n)
        sum += (uint64_t)p[i] << 8;
    return fold16(sum);
}

#define SL_INTERP_INSTANCE 1
#define INTERP_FN sl_interp
#define INTERP_DEBUG 0
#include "interp.c"
#undef INTERP_FN
#undef INTERP_DEBUG
#define INTERP_FN sl_interp_debug
#define INTERP_DEBUG 1
#include "interp.c"
#undef INTERP_FN
#undef INTERP_DEBUG

#else /* SL_INTERP_INSTANCE: the body, once per instance */

int INTERP_FN(SlVm *vm, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res)
{
    const SlInsn *const code = vm->code;
    uint64_t *const r = vm->regs;
    const SlInsn *ip = code + vm->pc; /* next instruction */
    const SlInsn *run = ip;           /* first instruction of the current straight run */
    const SlInsn *in = ip;            /* instruction being executed */
    uint64_t insns = vm->insns;       /* executed before `run` */
    const uint64_t slice_end = fuel > ~0ull - insns ? ~0ull : insns + fuel;
    const uint64_t budget = vm->packet_budget;
    uint8_t *const mem = vm->state;
    const uint64_t msize = vm->state_size;
    uint8_t *pd = pkt->buf + pkt->head;
    uint64_t plen = pkt->len;
    unsigned fault = SL_FAULT_NONE, verdict = SL_VERDICT_DROP;
    uint32_t port = 0;

#define A r[in->a]
#define B r[in->b]
#define C r[sl_insn_c(in)]
#define IMM ((uint64_t)(int64_t)in->imm)
#define OFF ((uint64_t)(int64_t)in->off)
#define FAULT(code_)                                                                               \
    do {                                                                                           \
        fault = SL_FAULT_##code_;                                                                  \
        goto faulted;                                                                              \
    } while (0)
#define CHECKPOINT()                                                                               \
    do {                                                                                           \
        if (insns >= budget)                                                                       \
            FAULT(FUEL);                                                                           \
        if (insns >= slice_end)                                                                    \
            goto yield;                                                                            \
    } while (0)
#define JUMP()                                                                                     \
    do {                                                                                           \
        const SlInsn *t_ = ip + in->off;                                                           \
        insns += (uint64_t)(ip - run);                                                             \
        run = ip = t_;                                                                             \
        if (t_ <= in)                                                                              \
            CHECKPOINT();                                                                          \
    } while (0)
#define BRANCH(cond)                                                                               \
    do {                                                                                           \
        if (cond)                                                                                  \
            JUMP();                                                                                \
        DISPATCH();                                                                                \
    } while (0)
#define END(v)                                                                                     \
    do {                                                                                           \
        verdict = (v);                                                                             \
        goto done;                                                                                 \
    } while (0)
#define LDM(n, get)                                                                                \
    do {                                                                                           \
        uint64_t o_ = B + OFF;                                                                     \
        if (!in_range(o_, n, msize))                                                               \
            FAULT(MEM_BOUNDS);                                                                     \
        A = get(mem + o_);                                                                         \
        DISPATCH();                                                                                \
    } while (0)
#define STM(n, put)                                                                                \
    do {                                                                                           \
        uint64_t o_ = A + OFF;                                                                     \
        if (!in_range(o_, n, msize))                                                               \
            FAULT(MEM_BOUNDS);                                                                     \
        put(mem + o_, B);                                                                          \
        DISPATCH();                                                                                \
    } while (0)
#define LDP(n, get)                                                                                \
    do {                                                                                           \
        uint64_t o_ = B + OFF;                                                                     \
        if (!in_range(o_, n, plen))                                                                \
            FAULT(PKT_BOUNDS);                                                                     \
        A = get(pd + o_);                                                                          \
        DISPATCH();                                                                                \
    } while (0)
#define STP(n, put)                                                                                \
    do {                                                                                           \
        uint64_t o_ = A + OFF;                                                                     \
        if (!in_range(o_, n, plen))                                                                \
            FAULT(PKT_BOUNDS);                                                                     \
        put(pd + o_, B);                                                                           \
        DISPATCH();                                                                                \
    } while (0)
#define get8(p) ((uint64_t)*(p))
#define put8(p, v) (*(p) = (uint8_t)(v))
#define PORT_OK(p_) ((p_) < vm->port_count)

#ifdef SL_COMPUTED_GOTO
    static const void *const labels[SL_OP_COUNT] = {
#define X(name, mn, fmt, regs, cls, doc) [SL_OP_##name] = &&L_##name,
#include "isa.def"
#undef X
    };
#if INTERP_DEBUG
#define DISPATCH()                                                                                 \
    do {                                                                                           \
        in = ip++;                                                                                 \
        if (vm->dbg_hook(vm->dbg_user, vm, pkt, (uint32_t)(in - code)))                            \
            goto dbg_stop;                                                                         \
        goto *labels[in->op];                                                                      \
    } while (0)
#else
#define DISPATCH() goto *labels[(in = ip++)->op]
#endif
#define OP(name) L_##name
    DISPATCH();
    {
#else
#define DISPATCH() goto dispatch
#define OP(name) case SL_OP_##name
dispatch:
    in = ip++;
#if INTERP_DEBUG
    if (vm->dbg_hook(vm->dbg_user, vm, pkt, (uint32_t)(in - code)))
        goto dbg_stop;
#endif
    switch ((SlOpcode)in->op) {
    case SL_OP_COUNT: FAULT(NO_HANDLER); /* cannot happen: verified code */
#endif
    OP(MOV): A = B; DISPATCH();
    OP(MOVI): A = IMM; DISPATCH();
    OP(LDK): A = vm->consts[in->imm]; DISPATCH();
    OP(ADD): A += B; DISPATCH();
    OP(ADDI): A += IMM; DISPATCH();
    OP(SUB): A -= B; DISPATCH();
    OP(SUBI): A -= IMM; DISPATCH();
    OP(MUL): A *= B; DISPATCH();
    OP(MULI): A *= IMM; DISPATCH();
    OP(DIV): if (!B) FAULT(DIV_ZERO); A /= B; DISPATCH();
    OP(DIVI): A /= IMM; DISPATCH();
    OP(SDIV): if (!B) FAULT(DIV_ZERO); A = sdiv(A, B); DISPATCH();
    OP(SDIVI): A = sdiv(A, IMM); DISPATCH();
    OP(MOD): if (!B) FAULT(DIV_ZERO); A %= B; DISPATCH();
    OP(MODI): A %= IMM; DISPATCH();
    OP(SMOD): if (!B) FAULT(DIV_ZERO); A = smod(A, B); DISPATCH();
    OP(SMODI): A = smod(A, IMM); DISPATCH();
    OP(AND): A &= B; DISPATCH();
    OP(ANDI): A &= IMM; DISPATCH();
    OP(OR): A |= B; DISPATCH();
    OP(ORI): A |= IMM; DISPATCH();
    OP(XOR): A ^= B; DISPATCH();
    OP(XORI): A ^= IMM; DISPATCH();
    OP(SHL): A <<= (B & 63); DISPATCH();
    OP(SHLI): A <<= (IMM & 63); DISPATCH();
    OP(SHR): A >>= (B & 63); DISPATCH();
    OP(SHRI): A >>= (IMM & 63); DISPATCH();
    OP(SAR): A = sar(A, (unsigned)(B & 63)); DISPATCH();
    OP(SARI): A = sar(A, (unsigned)(IMM & 63)); DISPATCH();
    OP(NEG): A = 0 - A; DISPATCH();
    OP(NOT): A = ~A; DISPATCH();
    OP(ZEXT8): A = B & 0xff; DISPATCH();
    OP(ZEXT16): A = B & 0xffff; DISPATCH();
    OP(ZEXT32): A = B & 0xffffffffu; DISPATCH();
    OP(SEXT8): A = sext(B, 8); DISPATCH();
    OP(SEXT16): A = sext(B, 16); DISPATCH();
    OP(SEXT32): A = sext(B, 32); DISPATCH();

    OP(JA): JUMP(); DISPATCH();
    OP(JEQ): BRANCH(A == B);
    OP(JEQI): BRANCH(A == IMM);
    OP(JNE): BRANCH(A != B);
    OP(JNEI): BRANCH(A != IMM);
    OP(JLT): BRANCH(A < B);
    OP(JLTI): BRANCH(A < IMM);
    OP(JLE): BRANCH(A <= B);
    OP(JLEI): BRANCH(A <= IMM);
    OP(JGT): BRANCH(A > B);
    OP(JGTI): BRANCH(A > IMM);
    OP(JGE): BRANCH(A >= B);
    OP(JGEI): BRANCH(A >= IMM);
    OP(JSLT): BRANCH((int64_t)A < (int64_t)B);
    OP(JSLTI): BRANCH((int64_t)A < (int64_t)IMM);
    OP(JSLE): BRANCH((int64_t)A <= (int64_t)B);
    OP(JSLEI): BRANCH((int64_t)A <= (int64_t)IMM);
    OP(JSGT): BRANCH((int64_t)A > (int64_t)B);
    OP(JSGTI): BRANCH((int64_t)A > (int64_t)IMM);
    OP(JSGE): BRANCH((int64_t)A >= (int64_t)B);
    OP(JSGEI): BRANCH((int64_t)A >= (int64_t)IMM);
    OP(JSET): BRANCH((A & B) != 0);
    OP(JSETI): BRANCH((A & IMM) != 0);

    OP(CALL): {
        SlFrame *f = &vm->frames[vm->depth++]; /* depth proven below SL_MAX_CALL_DEPTH */
        insns += (uint64_t)(ip - run);
        f->ret_pc = (uint32_t)(ip - code);
        memcpy(f->saved, r + 6, sizeof f->saved);
        run = ip = code + vm->func_entry[in->imm];
        CHECKPOINT();
        DISPATCH();
    }
    OP(RET): {
        if (!vm->depth)
            END(SL_VERDICT_DROP);
        SlFrame *f = &vm->frames[--vm->depth];
        insns += (uint64_t)(ip - run);
        memcpy(r + 6, f->saved, sizeof f->saved);
        run = ip = code + f->ret_pc;
        DISPATCH();
    }
    OP(EXIT): END(SL_VERDICT_DROP);
    OP(TRAP): res->trap = in->imm; FAULT(TRAP);

    OP(LDM8): LDM(1, get8);
    OP(LDM16): LDM(2, sl_le16);
    OP(LDM32): LDM(4, sl_le32);
    OP(LDM64): LDM(8, sl_le64);
    OP(STM8): STM(1, put8);
    OP(STM16): STM(2, sl_put_le16);
    OP(STM32): STM(4, sl_put_le32);
    OP(STM64): STM(8, sl_put_le64);
    OP(LDP8): LDP(1, get8);
    OP(LDP16): LDP(2, sl_be16);
    OP(LDP32): LDP(4, sl_be32);
    OP(LDP64): LDP(8, sl_be64);
    OP(STP8): STP(1, put8);
    OP(STP16): STP(2, sl_put_be16);
    OP(STP32): STP(4, sl_put_be32);
    OP(STP64): STP(8, sl_put_be64);
    OP(LDP8_NC): A = get8(pd + (B + OFF)); DISPATCH();
    OP(LDP16_NC): A = sl_be16(pd + (B + OFF)); DISPATCH();
    OP(LDP32_NC): A = sl_be32(pd + (B + OFF)); DISPATCH();
    OP(LDP64_NC): A = sl_be64(pd + (B + OFF)); DISPATCH();
    OP(STP8_NC): put8(pd + (A + OFF), B); DISPATCH();
    OP(STP16_NC): sl_put_be16(pd + (A + OFF), B); DISPATCH();
    OP(STP32_NC): sl_put_be32(pd + (A + OFF), B); DISPATCH();
    OP(STP64_NC): sl_put_be64(pd + (A + OFF), B); DISPATCH();

    OP(PLEN): A = plen; DISPATCH();
    OP(INPORT): A = pkt->in_port; DISPATCH();
    OP(TSTAMP): A = pkt->tstamp_ns; DISPATCH();
    OP(PADJH): {
        uint64_t d = A;
        if ((int64_t)d >= 0) {
            if (d > pkt->head - vm->win_lo)
                FAULT(PKT_RESIZE);
            pkt->head -= (uint32_t)d;
            memset(pkt->buf + pkt->head, 0, (size_t)d);
            pkt->len += (uint32_t)d;
        } else {
            d = 0 - d;
            if (d > pkt->len)
                FAULT(PKT_RESIZE);
            pkt->head += (uint32_t)d;
            pkt->len -= (uint32_t)d;
        }
        pd = pkt->buf + pkt->head;
        plen = pkt->len;
        DISPATCH();
    }
    OP(PADJT): {
        uint64_t d = A;
        if ((int64_t)d >= 0) {
            if (d > vm->win_hi - pkt->head - pkt->len)
                FAULT(PKT_RESIZE);
            memset(pd + plen, 0, (size_t)d);
            pkt->len += (uint32_t)d;
        } else {
            d = 0 - d;
            if (d > pkt->len)
                FAULT(PKT_RESIZE);
            pkt->len -= (uint32_t)d;
        }
        plen = pkt->len;
        DISPATCH();
    }
    OP(PNEW): {
        uint64_t n = A;
        if (n > vm->win_hi - vm->origin)
            FAULT(PKT_RESIZE);
        pkt->head = vm->origin;
        pkt->len = (uint32_t)n;
        pd = pkt->buf + pkt->head;
        plen = n;
        memset(pd, 0, (size_t)n);
        DISPATCH();
    }

    OP(SEND):
        if (!PORT_OK(A))
            FAULT(BAD_PORT);
        port = (uint32_t)A;
        END(SL_VERDICT_SEND);
    OP(CLONE):
        if (!PORT_OK(A))
            FAULT(BAD_PORT);
        if (env && env->clone)
            env->clone(env->user, (uint32_t)A, pd, (uint32_t)plen);
        DISPATCH();
    OP(DROP): END(SL_VERDICT_DROP);
    OP(PUNT): END(SL_VERDICT_PUNT);

    OP(TGET): {
        SlTable *t = &vm->tables[in->imm];
        if (!in_range(B, t->decl.key_size, msize) || !in_range(C, t->decl.value_size, msize))
            FAULT(MEM_BOUNDS);
        A = (uint64_t)sl_table_get(t, mem + B, mem + C);
        DISPATCH();
    }
    OP(TPUT): {
        SlTable *t = &vm->tables[in->imm];
        if (!in_range(B, t->key_len, msize) || !in_range(C, t->decl.value_size, msize))
            FAULT(MEM_BOUNDS);
        int rc = sl_table_put(t, mem + B, mem + C);
        if (rc == -1)
            FAULT(TABLE_FULL);
        if (rc == -2)
            FAULT(BAD_PREFIX);
        A = (uint64_t)rc;
        DISPATCH();
    }
    OP(TDEL): {
        SlTable *t = &vm->tables[in->imm];
        if (!in_range(B, t->key_len, msize))
            FAULT(MEM_BOUNDS);
        int rc = sl_table_del(t, mem + B);
        if (rc == -2)
            FAULT(BAD_PREFIX);
        A = (uint64_t)rc;
        DISPATCH();
    }

    OP(CSUM): {
        uint64_t o = B, n = C;
        if (!in_range(o, n, plen))
            FAULT(PKT_BOUNDS);
        A = csum(A, pd + o, n);
        DISPATCH();
    }
    OP(HASH):
        if (!in_range(B, IMM, msize))
            FAULT(MEM_BOUNDS);
        A = sl_hash_bytes(mem + B, IMM);
        DISPATCH();
    OP(NOW): A = env ? env->now_ns : 0; DISPATCH();
    OP(RAND):
        vm->rng += 0x9e3779b97f4a7c15ull;
        A = sl_mix64(vm->rng);
        DISPATCH();
    }

done:
    insns += (uint64_t)(ip - run);
    vm->busy = 0;
    res->status = SL_RUN_DONE;
    res->verdict = (uint8_t)verdict;
    res->port = port;
    res->insns = insns;
    return 0;

faulted:
    insns += (uint64_t)(ip - run);
    vm->busy = 0;
    res->status = SL_RUN_FAULT;
    res->verdict = SL_VERDICT_DROP;
    res->fault = (uint16_t)fault;
    res->pc = (uint32_t)(in - code);
    res->insns = insns;
    return 0;

#if INTERP_DEBUG
dbg_stop: /* the hook asked to stop before `in`: it has not run */
    ip = in;
    insns += (uint64_t)(ip - run);
    goto yield;
#endif

yield:
    vm->pc = (uint32_t)(ip - code);
    vm->insns = insns;
    res->status = SL_RUN_YIELD;
    res->pc = vm->pc;
    res->insns = insns;
    return 0;
}

#undef A
#undef B
#undef C
#undef IMM
#undef OFF
#undef FAULT
#undef CHECKPOINT
#undef JUMP
#undef BRANCH
#undef END
#undef LDM
#undef STM
#undef LDP
#undef STP
#undef get8
#undef put8
#undef PORT_OK
#undef DISPATCH
#undef OP

#endif /* SL_INTERP_INSTANCE */
