# ISA conformance suite: tests/isa/*.sla run by isa_runner on every engine (tests/isa/README.md).
ISA_RUNNER := $(BUILD)/tests/isa/isa_runner

all: $(ISA_RUNNER)

$(ISA_RUNNER): $(BUILD)/obj/tests/isa/isa_runner.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM)

TEST_SCRIPTS += tests/isa/run.sh
