# The compiler's tests (tests/compile/README.md): golden diagnostics (diag.sh), programs compiled
# and run on the interpreter (sl_runner over run/*.sl), the stdlib and the SPEC's examples.
# Everything here needs the compiler (compiler/module.mk puts it in libsluice.a and slc in bin).
ifneq ($(wildcard compiler/module.mk),)
SL_RUNNER := $(BUILD)/tests/compile/sl_runner

$(BUILD)/obj/tests/compile/%.o: CPPFLAGS += -Icompiler

$(SL_RUNNER): $(BUILD)/obj/tests/compile/sl_runner.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM)

test: $(SL_RUNNER)

TEST_SCRIPTS += tests/compile/diag.sh tests/compile/run.sh tests/compile/stdlib.sh \
                tests/compile/spec_examples.sh
endif
