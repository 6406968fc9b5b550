/* The AOT engine for tests (aot_engine.h). Test code, so a process-wide cache is fine: the JIT
 * output per image hash, and which native code each VM runs. SL_AOT_OPT=0..3 picks the LLVM
 * optimisation level (default 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot.h"
#include "aot_engine.h"

typedef struct Compiled {
    uint8_t hash[SL_IMAGE_HASH_SIZE];
    SlAotJit *jit;
} Compiled;

typedef struct Binding {
    const SlVm *vm;
    const SlNative *native;
} Binding;

static Compiled *compiled;
static size_t ncompiled, capcompiled;
static Binding *bindings;
static size_t nbindings, capbindings;

void aot_engine_shutdown(void)
{
    for (size_t i = 0; i < ncompiled; i++)
        sl_aot_jit_destroy(compiled[i].jit);
    free(compiled);
    free(bindings);
    compiled = NULL;
    bindings = NULL;
    ncompiled = capcompiled = nbindings = capbindings = 0;
}

const SlNative *aot_engine_compile(const SlImage *img, char *err, size_t errcap)
{
    for (size_t i = 0; i < ncompiled; i++)
        if (!memcmp(compiled[i].hash, img->hash, SL_IMAGE_HASH_SIZE))
            return sl_aot_jit_native(compiled[i].jit);
    if (!compiled)
        atexit(aot_engine_shutdown);
    const char *o = getenv("SL_AOT_OPT");
    int level = o && *o >= '0' && *o <= '3' ? *o - '0' : 2;
    SlAotJit *jit;
    if (sl_aot_jit_create(img, level, &jit, err, errcap) < 0)
        return NULL;
    if (ncompiled == capcompiled) {
        capcompiled = capcompiled ? capcompiled * 2 : 16;
        compiled = realloc(compiled, capcompiled * sizeof *compiled);
        if (!compiled) {
            fprintf(stderr, "aot_engine: out of memory\n");
            exit(2);
        }
    }
    memcpy(compiled[ncompiled].hash, img->hash, SL_IMAGE_HASH_SIZE);
    compiled[ncompiled].jit = jit;
    ncompiled++;
    return sl_aot_jit_native(jit);
}

static void bind(const SlVm *vm, const SlNative *n)
{
    for (size_t i = 0; i < nbindings; i++) {
        if (bindings[i].vm == vm) {
            bindings[i].native = n;
            return;
        }
    }
    if (nbindings == capbindings) {
        capbindings = capbindings ? capbindings * 2 : 16;
        bindings = realloc(bindings, capbindings * sizeof *bindings);
        if (!bindings) {
            fprintf(stderr, "aot_engine: out of memory\n");
            exit(2);
        }
    }
    bindings[nbindings++] = (Binding){vm, n};
}

const SlNative *aot_engine_native(const SlVm *vm)
{
    for (size_t i = 0; i < nbindings; i++)
        if (bindings[i].vm == vm)
            return bindings[i].native;
    return NULL;
}

int aot_engine_create(void *mem, size_t size, const SlImage *img, const SlVmConfig *cfg, SlVm **out,
                      char *err, size_t errcap)
{
    int rc = sl_vm_create(mem, size, img, cfg, out, err, errcap);
    if (rc < 0)
        return rc;
    const SlNative *n = aot_engine_compile(img, err, errcap);
    if (!n) {
        *out = NULL;
        return -SL_EIO;
    }
    bind(*out, n);
    return 0;
}

int aot_engine_run(SlVm *vm, uint32_t handler, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
                   SlResult *res)
{
    return sl_native_run(vm, aot_engine_native(vm), handler, pkt, env, fuel, res);
}

int aot_engine_resume(SlVm *vm, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res)
{
    return sl_native_resume(vm, aot_engine_native(vm), pkt, env, fuel, res);
}
