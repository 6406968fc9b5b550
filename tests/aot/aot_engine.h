/* The AOT engine for tests: sl_vm_create, then the image's native code from the in-process JIT
 * (compiled once per image content hash), and sl_native_run/resume with it. The same signatures
 * as sl_vm_create/run/resume, so it fills a row of the ISA runner's engine table. */
#ifndef SLUICE_TESTS_AOT_ENGINE_H
#define SLUICE_TESTS_AOT_ENGINE_H

#include "native.h"

int aot_engine_create(void *mem, size_t size, const SlImage *img, const SlVmConfig *cfg, SlVm **out,
                      char *err, size_t errcap);
int aot_engine_run(SlVm *vm, uint32_t handler, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
                   SlResult *res);
int aot_engine_resume(SlVm *vm, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res);
/* The native code bound to vm by aot_engine_create, NULL if none. */
const SlNative *aot_engine_native(const SlVm *vm);
/* Compiles (or finds) native code for img. */
const SlNative *aot_engine_compile(const SlImage *img, char *err, size_t errcap);
/* Frees every JIT'd image (also registered with atexit). */
void aot_engine_shutdown(void);

#endif
