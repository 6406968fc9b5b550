# libFuzzer targets, built with clang from the sources (not from the gcc-built libsluice.a) with
# ASan + UBSan, in their own directory:
#
#   make fuzz                   build, seed, run each target FUZZ_SECONDS (60) and fail on a crash
#   make fuzz FUZZ_SECONDS=600  longer runs; FUZZ_JOBS (2) targets at once
#   make fuzz FUZZ_KEEP_GOING=1 go on after a finding (libFuzzer fork mode), still failing at the end
#   make fuzz-build             build the targets only
#   FUZZ_EXTRA=...              more compiler flags (say -fno-sanitize=X to get past a known finding;
#                               build in another FUZZ_DIR, objects are not rebuilt when it changes)
#
# Seeds are made at fuzz time in $(FUZZ_DIR)/corpus: the .sla files of tests/*/ and samples/*/ for
# fuzz_asm, the images assembled from them (full and stripped) for fuzz_image and fuzz_disasm;
# for fuzz_slc the .sl files of stdlib/, tests/, samples/ and bench/ and 16 slgen programs; for
# fuzz_frames the first frames of each capture in samples/ and tests/ (fuzz/mkframes.c); for
# fuzz_setup the setup files of tests/ (with a dictionary of the format's keys).
# Findings land in $(FUZZ_DIR)/artifacts, logs in $(FUZZ_DIR)/logs.

FUZZ_DIR     ?= build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2
FUZZ_KEEP_GOING ?= 0
FUZZ_CC      ?= clang-14
FUZZ_TARGETS := fuzz_image fuzz_asm fuzz_disasm fuzz_slc fuzz_frames fuzz_setup

FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_EXTRA   ?=
FUZZ_CFLAGS  := -std=c11 -g -O1 -fno-strict-aliasing $(FUZZ_SAN) $(FUZZ_EXTRA)
FUZZ_SRCS    := $(VM_SRCS) $(LIB_SRCS)
FUZZ_OBJS    := $(FUZZ_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIB     := $(FUZZ_DIR)/libsluice-fuzz.a
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
FUZZ_SEEDS   := $(sort $(wildcard tests/*/*.sla samples/*/*.sla))
FUZZ_SL_SEEDS := $(sort $(wildcard stdlib/std/*.sl tests/compile/*/*.sl samples/*/*.sl bench/*.sl))  # fuzz_slc
FUZZ_PCAP_SEEDS := $(sort $(wildcard samples/*/*.pcap tests/*/*.pcap tests/*/*/*.pcap))  # fuzz_frames
FUZZ_YAML_SEEDS := $(sort $(wildcard tests/*/*.yaml samples/*/*.yaml))  # fuzz_setup
# slemu's setup reader is not in the library (it needs libyaml): fuzz_setup links it alone.
FUZZ_SETUP_OBJ := $(FUZZ_DIR)/obj/emu/setup.o
FUZZ_LDLIBS  := $(LIBS_SODIUM) $(LIBS_PCAP)

.PHONY: fuzz-build
# Keep the harness objects: they are inputs of a chain of pattern rules.
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/fuzz/%.o) $(FUZZ_DIR)/obj/fuzz/mkseed.o $(FUZZ_DIR)/obj/fuzz/mkframes.o

# Library code: coverage-instrumented for the fuzzer. Others' code is built without -Werror here
# so a clang-only warning does not stop fuzzing; the gcc build keeps it strict.
$(FUZZ_OBJS) $(FUZZ_SETUP_OBJ): $(FUZZ_DIR)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(if $(filter vm/%,$<),-ffreestanding,$(HOST_DEFS)) $(FUZZ_CFLAGS) \
	    $(filter-out -Werror,$(WARN)) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/obj/fuzz/%.o: fuzz/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(HOST_DEFS) $(FUZZ_CFLAGS) $(WARN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_setup: $(FUZZ_DIR)/obj/fuzz/fuzz_setup.o $(FUZZ_SETUP_OBJ) $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LDLIBS) -lyaml

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LDLIBS)

# The seed makers are plain programs (no libFuzzer main) over the same objects.
$(FUZZ_DIR)/mkseed: $(FUZZ_DIR)/obj/fuzz/mkseed.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -o $@ $^ $(FUZZ_LDLIBS)
$(FUZZ_DIR)/mkframes: $(FUZZ_DIR)/obj/fuzz/mkframes.o
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -o $@ $^ $(LIBS_PCAP)

# A dictionary for the assembler: mnemonics from isa.def, directives, operand shapes.
$(FUZZ_DIR)/asm.dict: vm/isa.def fuzz/module.mk
	@mkdir -p $(@D)
	{ sed -n 's/^X([A-Z0-9_]*, *"\([^"]*\)".*/"\1 "/p' vm/isa.def | sort -u; \
	  for w in .func .handler .state .data .const .table .port .sym .file .loc .type .field .hdr packet init timer \
	      hash lpm state r0 r15 '[r1+' '[r2-' ']' ', ' '=0x' 0x80000000 -2147483648 @0 f0 t0 k0 \
	      ': ' '; ' '\x0a' '\"'; do printf '"%s"\n' "$$w"; done; } >$@

# A dictionary for setup files: the keys emu/setup.c accepts, and YAML's punctuation.
$(FUZZ_DIR)/setup.dict: emu/setup.c fuzz/module.mk
	@mkdir -p $(@D)
	{ sed -n '/keys\[\] = /,/NULL/p' emu/setup.c | grep -o '"[a-z_]*"' | sort -u | sed 's/"\(.*\)"/"\1: "/'; \
	  for w in '- ' '{' '}' '[' ']' ', ' '\x0a  ' '\x0a    - ' 0x8100 0x86dd 65535 4294967296 true false '~' '&a' '*a' \
	      '!!str' "'" '\"'; do printf '"%s"\n' "$$w"; done; } >$@

$(FUZZ_DIR)/corpus/.seeded: $(FUZZ_DIR)/mkseed $(FUZZ_DIR)/mkframes $(FUZZ_SEEDS) $(FUZZ_SL_SEEDS) $(FUZZ_PCAP_SEEDS) \
    $(FUZZ_YAML_SEEDS) $(SLGEN)
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_asm $(FUZZ_DIR)/corpus/fuzz_image $(FUZZ_DIR)/corpus/fuzz_disasm
	@$(FUZZ_DIR)/mkseed $(FUZZ_DIR)/corpus $(FUZZ_SEEDS)
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_slc
	@for f in $(FUZZ_SL_SEEDS); do cp $$f $(FUZZ_DIR)/corpus/fuzz_slc/$$(echo $$f | tr / _); done
	@$(if $(SLGEN),for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do \
	    $(SLGEN) --seed $$n >$(FUZZ_DIR)/corpus/fuzz_slc/slgen-$$n.sl; done)
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_frames
	@$(FUZZ_DIR)/mkframes $(FUZZ_DIR)/corpus/fuzz_frames $(FUZZ_PCAP_SEEDS)
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_setup
	@for f in $(FUZZ_YAML_SEEDS); do cp $$f $(FUZZ_DIR)/corpus/fuzz_setup/$$(echo $$f | tr / _); done
	@touch $@

fuzz-build: $(FUZZ_BINS) $(FUZZ_DIR)/mkseed $(FUZZ_DIR)/mkframes $(FUZZ_DIR)/asm.dict $(FUZZ_DIR)/setup.dict

fuzz: fuzz-build $(FUZZ_DIR)/corpus/.seeded
	FUZZ_KEEP_GOING=$(FUZZ_KEEP_GOING) sh fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

-include $(wildcard $(FUZZ_DIR)/obj/*/*.d $(FUZZ_DIR)/obj/*/*/*.d)
