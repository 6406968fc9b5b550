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
