# The hypervisor's end-to-end tests: slemu --setup with several VMs (tests/hv/*.sh).
HV_GEN := $(BUILD)/tests/hv/gen
$(HV_GEN): $(BUILD)/obj/tests/hv/gen.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_PCAP)
test: $(HV_GEN)

TEST_SCRIPTS += tests/hv/isolation.sh tests/hv/preempt.sh tests/hv/replace.sh tests/hv/setup_errors.sh
