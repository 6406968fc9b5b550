/* Native code in this process through LLVM's MCJIT: the same translation as slaot, for the
 * host, loaded into executable memory. The runtime helpers are handed to LLVM by address
 * (LLVMAddSymbol), so executables need not export them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Support.h>

#include "aot_int.h"

struct SlAotJit {
    LLVMContextRef cx;
    LLVMExecutionEngineRef ee;
    SlNative native; /* a copy of the JIT'd descriptor; its hash points into JIT'd memory */
};

static pthread_once_t jit_once = PTHREAD_ONCE_INIT;

static void jit_init(void)
{
    LLVMLinkInMCJIT();
    LLVMAddSymbol("sl_native_rt_tget", (void *)(uintptr_t)sl_native_rt_tget);
    LLVMAddSymbol("sl_native_rt_tput", (void *)(uintptr_t)sl_native_rt_tput);
    LLVMAddSymbol("sl_native_rt_tdel", (void *)(uintptr_t)sl_native_rt_tdel);
    LLVMAddSymbol("sl_native_rt_csum", (void *)(uintptr_t)sl_native_rt_csum);
    LLVMAddSymbol("sl_native_rt_resize", (void *)(uintptr_t)sl_native_rt_resize);
    LLVMAddSymbol("sl_native_rt_clone", (void *)(uintptr_t)sl_native_rt_clone);
    LLVMAddSymbol("sl_native_rt_hash", (void *)(uintptr_t)sl_native_rt_hash);
}

int sl_aot_jit_create(const SlImage *img, int opt_level, SlAotJit **out, char *err, size_t errcap)
{
    *out = NULL;
    if (errcap)
        err[0] = '\0';
    if (opt_level < 0 || opt_level > 3) {
        snprintf(err, errcap, "optimisation level %d not in 0..3", opt_level);
        return -SL_EARG;
    }
    pthread_once(&jit_once, jit_init);
    const SlAotTarget *t = sl_aot_target_find("x86_64");
    SlInsn *code;
    int rc = sl_aot_verify(img, &code, err, errcap);
    if (rc < 0)
        return rc;
    SlAotJit *j = calloc(1, sizeof *j);
    if (!j) {
        free(code);
        snprintf(err, errcap, "out of memory");
        return -SL_ENOMEM;
    }
    j->cx = LLVMContextCreate();
    LLVMModuleRef mod = NULL;
    rc = sl_aot_translate(j->cx, img, code, t, "sl_jit", &mod, err, errcap);
    free(code);
    LLVMTargetMachineRef tm = NULL;
    /* The same generic x86-64 code as slaot makes: figures compare with gcc's generic -O2. */
    if (rc == 0)
        rc = sl_aot_target_machine(t, NULL, NULL, opt_level, &tm, err, errcap);
    if (rc == 0)
        rc = sl_aot_optimize(mod, tm, opt_level, err, errcap);
    if (tm)
        LLVMDisposeTargetMachine(tm);
    if (rc == 0) {
        struct LLVMMCJITCompilerOptions o;
        LLVMInitializeMCJITCompilerOptions(&o, sizeof o);
        o.OptLevel = (unsigned)opt_level;
        char *msg = NULL;
        /* The engine takes the module. */
        if (LLVMCreateMCJITCompilerForModule(&j->ee, mod, &o, sizeof o, &msg)) {
            snprintf(err, errcap, "LLVM JIT: %s", msg ? msg : "cannot create");
            LLVMDisposeMessage(msg);
            rc = -SL_EIO;
        }
        mod = NULL;
    }
    if (rc == 0) {
        const SlNative *d = (const SlNative *)(uintptr_t)LLVMGetGlobalValueAddress(j->ee, "sl_jit");
        if (!d || !d->entry) {
            snprintf(err, errcap, "LLVM JIT: no code for the image");
            rc = -SL_EIO;
        } else {
            j->native = *d;
        }
    }
    if (mod)
        LLVMDisposeModule(mod);
    if (rc < 0) {
        sl_aot_jit_destroy(j);
        return rc;
    }
    *out = j;
    return 0;
}

const SlNative *sl_aot_jit_native(const SlAotJit *jit) { return &jit->native; }

void sl_aot_jit_destroy(SlAotJit *jit)
{
    if (!jit)
        return;
    if (jit->ee)
        LLVMDisposeExecutionEngine(jit->ee); /* frees the module too */
    LLVMContextDispose(jit->cx);
    free(jit);
}
