/* A runner with no native code: -e aot finds nothing and says so. */
#include "natives.h"

const struct SlNative *const sl_slrun_natives[1] = {0};
const uint32_t sl_slrun_native_count = 0;
