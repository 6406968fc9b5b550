/* The native code linked into a runner: a table of slaot descriptors (native.h), found by the
 * image's content hash. The plain runner links natives_none.c (an empty table); the cross test
 * generates a table of every object it links. */
#ifndef SLUICE_RUNNER_NATIVES_H
#define SLUICE_RUNNER_NATIVES_H

#include <stdint.h>

struct SlNative;

extern const struct SlNative *const sl_slrun_natives[];
extern const uint32_t sl_slrun_native_count;

#endif
