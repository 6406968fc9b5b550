# Sluice: plain GNU Make, out of tree. Each directory adds itself through its module.mk.
#
#   make            tools in build/bin and build/libsluice.a
#   make test       every test (unit, conformance, end to end)
#   make check      the same tests under ASan+UBSan, in build/check
#   make demo       a sample program over a bundled pcap
#   make bench      benchmarks; figures as "bench: <name> <value> <unit> [key=value ...]"
#   make fuzz       libFuzzer targets in build/fuzz (FUZZ_SECONDS=60 each by default)
#   make cross-test slrun on MIPS64 Octeon and AArch64 (qemu) and with slaot code, against x86-64
#   make install    PREFIX=/usr/local
#   make help       this text
#
# The first target run on a fresh Debian 12 machine installs missing packages through
# scripts/install-deps.sh (apt-get; needs root or sudo).

BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= gcc
SANITIZE ?=
OPT      ?= -O2

ifeq ($(origin CC),default)
CC := gcc
endif

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wswitch-enum
CPPFLAGS  := -Ivm -Iasm -Iemu -MMD -MP
CFLAGS    := -std=c11 $(OPT) -g $(WARN) -fno-strict-aliasing
LDFLAGS   :=
HOST_DEFS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

LIBS_SODIUM := -lsodium
LIBS_PCAP   := -lpcap
LIBS_CMOCKA := -lcmocka

DEPS_STAMP := $(BUILD)/.deps-installed
LIB        := $(BUILD)/libsluice.a

# Filled by module.mk files:
VM_SRCS      :=   # freestanding core: no libc beyond mem*, no float, no malloc
LIB_SRCS     :=   # hosted library code (assembler, image writer)
TOOLS        :=   # names; TOOL_<name>_SRCS and TOOL_<name>_LIBS per tool
UNIT_TESTS   :=   # cmocka sources, one binary each
TEST_SCRIPTS :=   # run with BUILD and BIN in the environment
BENCH_SCRIPTS :=
DEMO_CMD     :=

.PHONY: all test check demo bench fuzz install clean help deps cross-test
.SECONDARY:
all:

include vm/module.mk
include asm/module.mk
-include compiler/module.mk
-include emu/module.mk
-include runner/module.mk
-include aot/module.mk
-include tests/module.mk
-include bench/module.mk
-include fuzz/module.mk

VM_OBJS   := $(VM_SRCS:%.c=$(BUILD)/obj/%.o)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_BINS := $(TOOLS:%=$(BUILD)/bin/%)
UNIT_BINS := $(UNIT_TESTS:%.c=$(BUILD)/%)

all: $(LIB) $(TOOL_BINS)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(@D)
	sh scripts/install-deps.sh
	@touch $@

$(BUILD)/obj/vm/%.o: vm/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -ffreestanding -c $< -o $@

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(HOST_DEFS) $(CFLAGS) -c $< -o $@

$(LIB): $(VM_OBJS) $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

define tool_rule
$(BUILD)/bin/$(1): $$(TOOL_$(1)_SRCS:%.c=$(BUILD)/obj/%.o) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(TOOL_$(1)_LIBS) $(LIBS_SODIUM)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_PCAP) $(LIBS_SODIUM)

test: all $(UNIT_BINS)
	@BUILD=$(BUILD) BIN=$(BUILD)/bin sh scripts/run-tests.sh $(UNIT_BINS) -- $(TEST_SCRIPTS)

check:
	$(MAKE) BUILD=build/check SANITIZE=1 OPT=-O1 test

demo: all
	$(DEMO_CMD)

bench: all
	@for s in $(BENCH_SCRIPTS); do BUILD=$(BUILD) BIN=$(BUILD)/bin sh $$s || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/sluice
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 vm/vm.h vm/image.h vm/isa.h vm/isa.def vm/errors.def vm/faults.def $(DESTDIR)$(PREFIX)/include/sluice/

clean:
	rm -rf build

help:
	@sed -n '3,14p' Makefile | sed 's/^# \{0,1\}//'

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
