/* Internals shared by the translator's files. */
#ifndef SLUICE_AOT_INT_H
#define SLUICE_AOT_INT_H

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "aot.h"
#include "isa.h"

/* translate.c: builds NAME_entry, NAME_hash and NAME (native.h) for img's verified code into
 * a new module of cx. 0 or -SL_EIO with a message. */
int sl_aot_translate(LLVMContextRef cx, const SlImage *img, const SlInsn *code,
                     const SlAotTarget *t, const char *name, LLVMModuleRef *out, char *err,
                     size_t errcap);

/* target.c: registers the X86, Mips and AArch64 back ends once; creates a target machine for t
 * (cpu/features override the row's when not NULL: the JIT asks for the host's). */
int sl_aot_target_machine(const SlAotTarget *t, const char *cpu, const char *features,
                          int opt_level, LLVMTargetMachineRef *out, char *err, size_t errcap);

/* emit.c: verifies img into a malloc'd array of its instructions (*code). */
int sl_aot_verify(const SlImage *img, SlInsn **code, char *err, size_t errcap);
/* emit.c: sets the module's data layout and triple for tm, verifies it and runs the
 * default<On> pipeline. */
int sl_aot_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, int opt_level, char *err,
                    size_t errcap);

#endif
