/* The opcode table and instruction printing, both expanded from isa.def. */
#include "isa.h"

#include "vm.h"

const SlOpInfo sl_op_info[SL_OP_COUNT] = {
#define X(name, mn, fmt, regs, cls, doc) [SL_OP_##name] = {mn, fmt, regs, cls, doc},
#include "isa.def"
#undef X
};

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int sl_op_find(const char *mnemonic)
{
    for (int op = 0; op < SL_OP_COUNT; op++)
        if (streq(sl_op_info[op].mnemonic, mnemonic))
            return op;
    return -1;
}

/* One printer for every format: the assembler reads exactly this syntax back. Branch targets
 * print as absolute "@N" (the disassembler replaces them with labels where it has them). */
size_t sl_insn_format(char *buf, size_t cap, const SlInsn *in, uint32_t index)
{
    if (in->op >= SL_OP_COUNT)
        return sl_fmt(buf, cap, ".insn 0x%x, %u, %u, %d, %d", in->op, in->a, in->b, in->off, in->imm);
    const SlOpInfo *oi = &sl_op_info[in->op];
    const char *mn = oi->mnemonic;
    long long target = (long long)index + 1 + in->off;
    switch ((SlFormat)oi->format) {
    case SL_FMT_N: return sl_fmt(buf, cap, "%s", mn);
    case SL_FMT_A: return sl_fmt(buf, cap, "%s r%u", mn, in->a);
    case SL_FMT_AB: return sl_fmt(buf, cap, "%s r%u, r%u", mn, in->a, in->b);
    case SL_FMT_AI: return sl_fmt(buf, cap, "%s r%u, %d", mn, in->a, in->imm);
    case SL_FMT_AK: return sl_fmt(buf, cap, "%s r%u, k%d", mn, in->a, in->imm);
    case SL_FMT_LD:
        return in->off < 0 ? sl_fmt(buf, cap, "%s r%u, [r%u-%d]", mn, in->a, in->b, -(int)in->off)
                           : sl_fmt(buf, cap, "%s r%u, [r%u+%d]", mn, in->a, in->b, in->off);
    case SL_FMT_ST:
        return in->off < 0 ? sl_fmt(buf, cap, "%s [r%u-%d], r%u", mn, in->a, -(int)in->off, in->b)
                           : sl_fmt(buf, cap, "%s [r%u+%d], r%u", mn, in->a, in->off, in->b);
    case SL_FMT_J: return sl_fmt(buf, cap, "%s @%lld", mn, target);
    case SL_FMT_JAB: return sl_fmt(buf, cap, "%s r%u, r%u, @%lld", mn, in->a, in->b, target);
    case SL_FMT_JAI: return sl_fmt(buf, cap, "%s r%u, %d, @%lld", mn, in->a, in->imm, target);
    case SL_FMT_CALL: return sl_fmt(buf, cap, "%s f%d", mn, in->imm);
    case SL_FMT_I: return sl_fmt(buf, cap, "%s %d", mn, in->imm);
    case SL_FMT_ABC: return sl_fmt(buf, cap, "%s r%u, r%u, r%u", mn, in->a, in->b, sl_insn_c(in));
    case SL_FMT_ABCT:
        return sl_fmt(buf, cap, "%s r%u, r%u, r%u, t%d", mn, in->a, in->b, sl_insn_c(in), in->imm);
    case SL_FMT_ABT: return sl_fmt(buf, cap, "%s r%u, r%u, t%d", mn, in->a, in->b, in->imm);
    case SL_FMT_ABI: return sl_fmt(buf, cap, "%s r%u, r%u, %d", mn, in->a, in->b, in->imm);
    }
    return sl_fmt(buf, cap, "%s ?", mn);
}
