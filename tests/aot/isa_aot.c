/* The ISA conformance runner (tests/isa/isa_runner.c) with one more engine row, "aot": every
 * conformance file through JIT'd native code, three ways (unlimited, slices of 1 and of 3). */
#include "aot_engine.h"

#define ISA_RUNNER_MORE_ENGINES                                                                    \
    {                                                                                              \
        .name = "aot",                                                                             \
        .footprint = sl_vm_footprint,                                                              \
        .create = aot_engine_create,                                                               \
        .run = aot_engine_run,                                                                     \
        .resume = aot_engine_resume,                                                               \
        .state = sl_vm_state,                                                                      \
        .code = sl_vm_code,                                                                        \
    },

#include "../isa/isa_runner.c"
