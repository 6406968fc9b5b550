# AOT tests (docs/aot.md): conformance on the AOT engine, the differential fuzzer, slaot's
# objects for every target, the hash check, preemption across engines, the freestanding runtime.
AOT_TEST_LINK = $(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SODIUM) $(LLVM_LIBS)
AOT_ENGINE_OBJS := $(BUILD)/obj/tests/aot/aot_engine.o $(AOT_OBJS)

AOT_ISA := $(BUILD)/tests/aot/isa_aot
$(AOT_ISA): $(BUILD)/obj/tests/aot/isa_aot.o $(AOT_ENGINE_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(AOT_TEST_LINK)

all: $(AOT_ISA)
TEST_SCRIPTS += tests/aot/isa.sh

# The differential fuzzer: make difftest N=10000 [SEED=1]; a short run in make test.
AOT_DIFFTEST := $(BUILD)/tests/aot/difftest
$(AOT_DIFFTEST): $(BUILD)/obj/tests/aot/difftest.o $(BUILD)/obj/tests/aot/gen.o $(AOT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(AOT_TEST_LINK)

all: $(AOT_DIFFTEST)
TEST_SCRIPTS += tests/aot/difftest.sh

.PHONY: difftest
difftest: $(AOT_DIFFTEST)
	$(AOT_DIFFTEST) -n $(or $(N),1000) -s $(or $(SEED),1) -k $(BUILD)

# The runtime's contract: hash refusal, run rules, preemption across engines (cmocka).
AOT_NATIVE_TEST := $(BUILD)/tests/aot/native_test
$(AOT_NATIVE_TEST): $(BUILD)/obj/tests/aot/native_test.o $(AOT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(AOT_TEST_LINK)
all: $(AOT_NATIVE_TEST)
TEST_SCRIPTS += tests/aot/native_test.sh

# slaot's object for the PC linked statically into a program, as slrun links device objects.
AOT_LINKED_OBJ := $(BUILD)/tests/aot/router_x86_64.o
AOT_LINKED_RUN := $(BUILD)/tests/aot/linked_run
$(AOT_LINKED_OBJ): bench/router.sla $(BUILD)/bin/slaot
	@mkdir -p $(@D)
	$(BUILD)/bin/slaot -t x86_64 -n aot_router -o $@ bench/router.sla
$(AOT_LINKED_RUN): $(BUILD)/obj/tests/aot/linked_run.o $(AOT_LINKED_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM)
test: $(AOT_LINKED_RUN)
TEST_SCRIPTS += tests/aot/slaot.sh tests/aot/freestanding.sh tests/aot/slemu.sh
