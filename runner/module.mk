# The device runner slrun (freestanding, one binary per target) and its host tool slframes.
#
#   $(BUILD)/bin/slrun             the host build (x86-64 on the PC)
#   $(BUILD)/cross/mips64/slrun    big-endian MIPS64 Octeon, soft float (qemu-mips64-static -cpu Octeon68XX)
#   $(BUILD)/cross/aarch64/slrun   AArch64 (qemu-aarch64-static)
#   $(BUILD)/bin/slframes          pcap <-> frame file converter, counters and run-log viewer
#
# slrun is built with its own flags, never the sanitizers (there is no libc for them): the core
# (VM_SRCS), the runner and, when aot/ has it, the native-code runtime, compiled for each target
# in $(BUILD)/obj/slrun-<target>/. Each target also leaves libslrun.a (everything but the table of
# linked native code) and toolchain.env (compiler and flags) beside its binary, so that the cross
# test can link slaot objects into a runner of its own. `make slrun-cross` builds the cross
# runners whose compiler is installed and says which are skipped.

# The frame file and counters record code is freestanding; the hosted library has it too.
LIB_SRCS += runner/frames.c runner/report.c

TOOLS += slframes
TOOL_slframes_SRCS := runner/slframes.c
TOOL_slframes_LIBS := $(LIBS_PCAP)

SLRUN_AOT_SRCS := $(wildcard aot/native_rt.c)
SLRUN_SRCS     := $(VM_SRCS) runner/rt.c runner/frames.c runner/report.c runner/slrun.c $(SLRUN_AOT_SRCS)
SLRUN_CFLAGS   := -std=c11 -O2 -g $(WARN) -fno-strict-aliasing -ffreestanding -fno-stack-protector \
                  -fno-tree-loop-distribute-patterns -Ivm -Irunner \
                  $(if $(SLRUN_AOT_SRCS),-Iaot -DSLRUN_AOT)
SLRUN_LDFLAGS  := -nostdlib -static -Wl,-e,_start -Wl,-u,_start

SLRUN_HOST_ARCH := $(shell uname -m)
SLRUN_CC_host      := gcc
SLRUN_ARCH_host    := $(if $(filter x86_64,$(SLRUN_HOST_ARCH)),-mgeneral-regs-only) -fno-pie -no-pie
SLRUN_SYS_host     := $(SLRUN_HOST_ARCH)
SLRUN_CC_mips64    := mips64-linux-gnuabi64-gcc
SLRUN_ARCH_mips64  := -march=octeon -mabi=64 -EB -msoft-float -mno-abicalls -fno-pic -G0
SLRUN_SYS_mips64   := mips64
SLRUN_CC_aarch64   := aarch64-linux-gnu-gcc
SLRUN_ARCH_aarch64 := -mgeneral-regs-only
SLRUN_SYS_aarch64  := aarch64

SLRUN_HOST   := $(BUILD)/bin/slrun
SLRUN_CROSS  := mips64 aarch64
SLRUN_BIN_host    := $(SLRUN_HOST)
SLRUN_BIN_mips64  := $(BUILD)/cross/mips64/slrun
SLRUN_BIN_aarch64 := $(BUILD)/cross/aarch64/slrun

# slrun_target(NAME): objects, libslrun.a, toolchain.env and the runner for one target.
define slrun_target
SLRUN_OBJS_$(1) := $$(SLRUN_SRCS:%.c=$(BUILD)/obj/slrun-$(1)/%.o) \
                   $(BUILD)/obj/slrun-$(1)/runner/sys_$$(SLRUN_SYS_$(1)).o
SLRUN_DIR_$(1)  := $(BUILD)/cross/$(1)/

$(BUILD)/obj/slrun-$(1)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(SLRUN_CC_$(1)) $$(SLRUN_CFLAGS) $$(SLRUN_ARCH_$(1)) -MMD -MP -c $$< -o $$@

$$(SLRUN_DIR_$(1))libslrun.a: $$(SLRUN_OBJS_$(1))
	@mkdir -p $$(@D)
	rm -f $$@
	ar rcs $$@ $$^

$$(SLRUN_DIR_$(1))toolchain.env: runner/module.mk
	@mkdir -p $$(@D)
	printf 'SLRUN_CC="%s"\nSLRUN_CFLAGS="%s"\nSLRUN_LDFLAGS="%s"\n' '$$(SLRUN_CC_$(1))' \
	    '$$(SLRUN_CFLAGS) $$(SLRUN_ARCH_$(1))' '$$(SLRUN_LDFLAGS)' >$$@

$$(SLRUN_BIN_$(1)): $(BUILD)/obj/slrun-$(1)/runner/natives_none.o $$(SLRUN_DIR_$(1))libslrun.a \
                    $$(SLRUN_DIR_$(1))toolchain.env
	@mkdir -p $$(@D)
	$$(SLRUN_CC_$(1)) $$(SLRUN_CFLAGS) $$(SLRUN_ARCH_$(1)) $$(SLRUN_LDFLAGS) -o $$@ \
	    $$(filter %.o %.a,$$^)
endef
$(foreach t,host $(SLRUN_CROSS),$(eval $(call slrun_target,$(t))))

all: $(SLRUN_HOST)

# The cross runners whose compiler is installed (checked when it runs, not when make reads this,
# because the first make on a fresh machine installs the compilers).
.PHONY: slrun-cross
slrun-cross:
	@for t in $(SLRUN_CROSS); do \
	    case $$t in mips64) cc=$(SLRUN_CC_mips64); bin=$(SLRUN_BIN_mips64) ;; \
	                aarch64) cc=$(SLRUN_CC_aarch64); bin=$(SLRUN_BIN_aarch64) ;; esac; \
	    if command -v $$cc >/dev/null 2>&1; then \
	        $(MAKE) --no-print-directory BUILD=$(BUILD) $$bin || exit 1; \
	    else \
	        echo "note: $$cc not installed: slrun for $$t not built"; \
	    fi; \
	done
