# The router benchmark (see bench/bench_router.c). The harness is a plain
# program in $(BUILD)/bench, not a tool: it is neither installed nor in build/bin.
BENCH_ROUTER_SRCS := bench/bench_router.c bench/traffic.c bench/router_native.c
BENCH_ROUTER      := $(BUILD)/bench/bench_router

$(BENCH_ROUTER): $(BENCH_ROUTER_SRCS:%.c=$(BUILD)/obj/%.o) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM)

bench test: $(BENCH_ROUTER)

BENCH_SCRIPTS += bench/run.sh
TEST_SCRIPTS  += bench/router_test.sh

# The hypervisor's switch costs (see bench/hv_bench.c).
HV_BENCH := $(BUILD)/bench/hv_bench

$(HV_BENCH): $(BUILD)/obj/bench/hv_bench.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM) -pthread

bench test: $(HV_BENCH)
TEST_SCRIPTS  += bench/hv_bench_test.sh

# End-to-end slemu throughput against a bare libpcap copy loop (bench/slemu_bench.sh): the
# traffic generator writing a pcap file, and the copy loop.
SLEMU_GEN := $(BUILD)/bench/slemu_gen
PCAP_COPY := $(BUILD)/bench/pcap_copy

$(SLEMU_GEN): $(BUILD)/obj/bench/slemu_gen.o $(BUILD)/obj/bench/traffic.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_PCAP)

$(PCAP_COPY): $(BUILD)/obj/bench/pcap_copy.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_PCAP)

bench test: $(SLEMU_GEN) $(PCAP_COPY)
BENCH_SCRIPTS += bench/slemu_bench.sh
TEST_SCRIPTS  += bench/slemu_bench_test.sh

# The compiler's benchmarks (bench/slc_bench.sh): bench/router.sl compiled by slc against the
# hand-written bench/router.sla on the same traffic (bench/bench_slc.c), and the compile time of
# a generated 50,000-line program.
ifneq ($(wildcard compiler/module.mk),)
BENCH_SLC := $(BUILD)/bench/bench_slc

$(BENCH_SLC): $(BUILD)/obj/bench/bench_slc.o $(BUILD)/obj/bench/traffic.o $(BUILD)/obj/bench/router_counters.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM)

bench test: $(BENCH_SLC) $(SLGEN)
BENCH_SCRIPTS += bench/slc_bench.sh
TEST_SCRIPTS  += bench/slc_router_test.sh
endif

# The AOT benchmark (bench/aot_bench.c): router workload on AOT x86-64 vs C vs the interpreter.
AOT_BENCH := $(BUILD)/bench/aot_bench
$(AOT_BENCH): $(BUILD)/obj/bench/aot_bench.o $(BUILD)/obj/bench/traffic.o $(BUILD)/obj/bench/router_native.o \
              $(BUILD)/obj/bench/router_counters.o $(AOT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_SODIUM) $(LLVM_LIBS)
bench test: $(AOT_BENCH)
BENCH_SCRIPTS += bench/aot_run.sh
TEST_SCRIPTS  += bench/aot_test.sh
