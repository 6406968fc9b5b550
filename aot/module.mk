# The ahead-of-time translator (docs/aot.md): slaot and the in-process JIT link libLLVM; the
# runtime of native code (aot/native_rt.c) is freestanding and goes into libsluice.a.
#
# LLVM 19 by default, else 14 (LLVM_CONFIG=llvm-config-14 picks it). Expanded lazily, in
# recipes, so that a fresh machine has run scripts/install-deps.sh first.
LLVM_CONFIG ?= $(or $(shell command -v llvm-config-19 2>/dev/null),$(shell command -v llvm-config-14 2>/dev/null),llvm-config)
LLVM_CPPFLAGS = -isystem $(shell $(LLVM_CONFIG) --includedir) \
                -DSL_AOT_LLVM_VERSION='"$(shell $(LLVM_CONFIG) --version)"'
LLVM_LIBS     = $(shell $(LLVM_CONFIG) --ldflags) \
                $(shell $(LLVM_CONFIG) --libs core target mcjit executionengine passes analysis x86 mips aarch64) \
                -lpthread

CPPFLAGS += -Iaot

# The runtime: freestanding, like the core (checked by tests/aot/freestanding.sh).
LIB_SRCS += aot/native_rt.c
$(BUILD)/obj/aot/native_rt.o: aot/native_rt.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -ffreestanding -c $< -o $@

# The translator and JIT (hosted, LLVM C API).
AOT_SRCS := aot/translate.c aot/target.c aot/emit.c aot/jit.c
AOT_OBJS := $(AOT_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/obj/aot/%.o: aot/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(HOST_DEFS) $(CFLAGS) $(LLVM_CPPFLAGS) -c $< -o $@

TOOLS += slaot
TOOL_slaot_SRCS := aot/slaot.c $(AOT_SRCS)
TOOL_slaot_LIBS  = $(LLVM_LIBS)

# slemu --engine aot: slemu links the translator. emu/module.mk set TOOL_slemu_LIBS with :=;
# it becomes recursive here so that llvm-config runs when linking (after install-deps).
TOOL_slemu_SRCS += $(AOT_SRCS)
SLEMU_LIBS_BEFORE_AOT := $(TOOL_slemu_LIBS)
TOOL_slemu_LIBS = $(SLEMU_LIBS_BEFORE_AOT) $(LLVM_LIBS)
