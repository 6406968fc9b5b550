/* The code generation targets (one const row each) and LLVM target machines for them.
 *
 * Only the three back ends Sluice needs are registered (X86, Mips, AArch64), once per process:
 * LLVM's registries are process-wide, so this is the library's one piece of global state. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>

#include "aot_int.h"

static const SlAotTarget targets[] = {
    {
        .name = "x86_64",
        .triple = "x86_64-unknown-linux-gnu",
        .cpu = "x86-64",
        .features = "",
        .pic = 1, /* links into PIE executables, Debian's default */
        .big_endian = 0,
        .about = "the PC: x86-64 System V, position-independent",
    },
    {
        .name = "octeon",
        .triple = "mips64-unknown-linux-gnuabi64",
        .cpu = "octeon",
        .features = "+soft-float,+noabicalls",
        .pic = 0, /* static, no abicalls: a freestanding executive has no GOT */
        .big_endian = 1,
        .about = "Cavium Octeon: MIPS64 big-endian, n64, soft-float, static",
    },
    {
        .name = "octeon-tx",
        .triple = "aarch64-unknown-linux-gnu",
        .cpu = "thunderxt88",
        .features = "",
        .pic = 1,
        .big_endian = 0,
        .about = "Marvell OCTEON TX: AArch64 (ThunderX T88 cores)",
    },
};

const SlAotTarget *sl_aot_target_find(const char *name)
{
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        if (!strcmp(targets[i].name, name))
            return &targets[i];
    return NULL;
}

const SlAotTarget *sl_aot_target_at(size_t i)
{
    return i < sizeof targets / sizeof targets[0] ? &targets[i] : NULL;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_backends(void)
{
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeMipsTargetInfo();
    LLVMInitializeMipsTarget();
    LLVMInitializeMipsTargetMC();
    LLVMInitializeMipsAsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
}

int sl_aot_target_machine(const SlAotTarget *t, const char *cpu, const char *features,
                          int opt_level, LLVMTargetMachineRef *out, char *err, size_t errcap)
{
    pthread_once(&init_once, init_backends);
    LLVMTargetRef target;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(t->triple, &target, &msg)) {
        snprintf(err, errcap, "LLVM has no target for %s: %s", t->triple, msg ? msg : "");
        LLVMDisposeMessage(msg);
        return -SL_EIO;
    }
    static const LLVMCodeGenOptLevel levels[] = {LLVMCodeGenLevelNone, LLVMCodeGenLevelLess,
                                                 LLVMCodeGenLevelDefault, LLVMCodeGenLevelAggressive};
    *out = LLVMCreateTargetMachine(target, t->triple, cpu ? cpu : t->cpu,
                                   features ? features : t->features, levels[opt_level & 3],
                                   t->pic ? LLVMRelocPIC : LLVMRelocStatic, LLVMCodeModelDefault);
    if (!*out) {
        snprintf(err, errcap, "LLVM cannot make a target machine for %s (cpu %s)", t->triple,
                 cpu ? cpu : t->cpu);
        return -SL_EIO;
    }
    return 0;
}
