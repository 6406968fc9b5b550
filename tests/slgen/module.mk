# slgen: random well-typed Sluice programs (tests/slgen/README.md). `make test` checks a short
# batch; `make slgen-check SLGEN_COUNT=10000` the long run.
ifneq ($(wildcard compiler/module.mk),)
SLGEN := $(BUILD)/tests/slgen/slgen
SLGEN_FIRST ?= 1
SLGEN_COUNT ?= 10000

$(SLGEN): $(BUILD)/obj/tests/slgen/slgen.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM)

all: $(SLGEN)

TEST_SCRIPTS += tests/slgen/run.sh

.PHONY: slgen-check
slgen-check: $(SLGEN)
	@mkdir -p $(BUILD)/tests/slgen
	$(SLGEN) --check $(SLGEN_FIRST) $(SLGEN_COUNT) --fail-dir $(BUILD)/tests/slgen
endif
