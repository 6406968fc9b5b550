# The device-side tests (tests/cross/run.sh): slrun on x86-64, big-endian MIPS64 Octeon and
# AArch64 (under qemu-user) against the x86-64 interpreter, byte for byte; with slaot objects
# too when slaot is built. `make test` runs it and skips the targets whose cross compiler or qemu
# is missing; `make cross-test` requires them.
CROSS_ISA2FRAMES := $(BUILD)/tests/cross/isa2frames
CROSS_TRAFFIC    := $(BUILD)/tests/cross/gentraffic
CROSS_TOOLS      := $(CROSS_ISA2FRAMES) $(CROSS_TRAFFIC)

$(CROSS_ISA2FRAMES): $(BUILD)/obj/tests/cross/isa2frames.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM)

$(CROSS_TRAFFIC): $(BUILD)/obj/tests/cross/gentraffic.o $(BUILD)/obj/bench/traffic.o \
                  $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM)

$(BUILD)/obj/tests/cross/%.o: CPPFLAGS += -Irunner -Ibench

test: $(CROSS_TOOLS) slrun-cross
TEST_SCRIPTS += tests/cross/run.sh

.PHONY: cross-test
cross-test: all $(CROSS_TOOLS) slrun-cross
	@BUILD=$(BUILD) BIN=$(BUILD)/bin CROSS_REQUIRED=1 sh tests/cross/run.sh
