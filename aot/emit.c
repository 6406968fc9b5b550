/* The translator's pipeline: verify, translate (translate.c), optimise, emit an object, IR or
 * assembly for one target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "aot_int.h"
#include "vm.h"

int sl_aot_verify(const SlImage *img, SlInsn **code, char *err, size_t errcap)
{
    size_t scratch_size = sl_verify_scratch_size(img);
    SlInsn *out = malloc(((size_t)img->code_count + 1) * sizeof *out);
    uint64_t *scratch = malloc(scratch_size + 8);
    if (!out || !scratch) {
        free(out);
        free(scratch);
        snprintf(err, errcap, "out of memory");
        return -SL_ENOMEM;
    }
    int rc = sl_verify(img, out, scratch, scratch_size, err, errcap);
    free(scratch);
    if (rc < 0) {
        free(out);
        return rc;
    }
    *code = out;
    return 0;
}

int sl_aot_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, int opt_level, char *err,
                    size_t errcap)
{
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    LLVMSetModuleDataLayout(mod, td);
    LLVMDisposeTargetData(td);
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(mod, triple);
    LLVMDisposeMessage(triple);

    char *msg = NULL;
    if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
        snprintf(err, errcap, "internal error: invalid IR: %s", msg ? msg : "");
        LLVMDisposeMessage(msg);
        return -SL_EIO;
    }
    LLVMDisposeMessage(msg);
    char pipeline[32];
    snprintf(pipeline, sizeof pipeline, "default<O%d>", opt_level);
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    /* Loops in packet code are short and each back edge is a check point: unrolling or
     * vectorising them gains little, and unrolling the one big function over its calls and
     * return switches can take LLVM seconds. */
    LLVMPassBuilderOptionsSetLoopUnrolling(po, 0);
    LLVMPassBuilderOptionsSetLoopVectorization(po, 0);
    LLVMPassBuilderOptionsSetSLPVectorization(po, 0);
    LLVMPassBuilderOptionsSetLoopInterleaving(po, 0);
    LLVMErrorRef e = LLVMRunPasses(mod, pipeline, tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
        char *m = LLVMGetErrorMessage(e);
        snprintf(err, errcap, "LLVM passes failed: %s", m);
        LLVMDisposeErrorMessage(m);
        return -SL_EIO;
    }
    return 0;
}

static int valid_name(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9') || strlen(s) > 200)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

int sl_aot_compile(const SlImage *img, const SlAotOptions *opt, uint8_t **out, size_t *out_len,
                   char *err, size_t errcap)
{
    const SlAotTarget *t = opt->target ? opt->target : sl_aot_target_at(0);
    const char *name = opt->name ? opt->name : "sl_aot";
    if (errcap)
        err[0] = '\0';
    if (!valid_name(name)) {
        snprintf(err, errcap, "symbol name '%s' is not a C identifier", name);
        return -SL_EARG;
    }
    if (opt->opt_level < 0 || opt->opt_level > 3) {
        snprintf(err, errcap, "optimisation level %d not in 0..3", opt->opt_level);
        return -SL_EARG;
    }
    SlInsn *code;
    int rc = sl_aot_verify(img, &code, err, errcap);
    if (rc < 0)
        return rc;
    LLVMTargetMachineRef tm;
    rc = sl_aot_target_machine(t, NULL, NULL, opt->opt_level, &tm, err, errcap);
    if (rc < 0) {
        free(code);
        return rc;
    }
    LLVMContextRef cx = LLVMContextCreate();
    LLVMModuleRef mod = NULL;
    rc = sl_aot_translate(cx, img, code, t, name, &mod, err, errcap);
    free(code);
    if (rc == 0)
        rc = sl_aot_optimize(mod, tm, opt->opt_level, err, errcap);
    if (rc == 0) {
        if (opt->output == SL_AOT_LLVM_IR) {
            char *ir = LLVMPrintModuleToString(mod);
            *out_len = strlen(ir);
            *out = malloc(*out_len + 1);
            if (*out)
                memcpy(*out, ir, *out_len + 1);
            else
                rc = -SL_ENOMEM;
            LLVMDisposeMessage(ir);
        } else {
            LLVMMemoryBufferRef buf = NULL;
            char *msg = NULL;
            LLVMCodeGenFileType ft = opt->output == SL_AOT_ASM ? LLVMAssemblyFile : LLVMObjectFile;
            if (LLVMTargetMachineEmitToMemoryBuffer(tm, mod, ft, &msg, &buf)) {
                snprintf(err, errcap, "LLVM code generation failed: %s", msg ? msg : "");
                rc = -SL_EIO;
            } else {
                *out_len = LLVMGetBufferSize(buf);
                *out = malloc(*out_len ? *out_len : 1);
                if (*out)
                    memcpy(*out, LLVMGetBufferStart(buf), *out_len);
                else
                    rc = -SL_ENOMEM;
                LLVMDisposeMemoryBuffer(buf);
            }
            LLVMDisposeMessage(msg);
        }
    }
    if (mod)
        LLVMDisposeModule(mod);
    LLVMContextDispose(cx);
    LLVMDisposeTargetMachine(tm);
    if (rc == -SL_ENOMEM)
        snprintf(err, errcap, "out of memory");
    return rc;
}

const char *sl_aot_llvm_version(void)
{
    return SL_AOT_LLVM_VERSION;
}
