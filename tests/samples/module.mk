# The Sluice samples (samples/*/, each with README.md, run.sh, gen.c, inputs and expected
# outputs): their input generators, end-to-end tests checked with tshark, the pcap corpus through
# the router and the firewall, and `make samples-regen`.
ifneq ($(wildcard compiler/module.mk),)
SAMPLES := router l2switch firewall nat custom pktgen
SAMPLE_GENS := $(SAMPLES:%=$(BUILD)/samples/%/gen)

# Each generator is samples/<name>/gen.c with the shared frame writers of samples/genlib.
$(BUILD)/samples/%/gen: $(BUILD)/obj/samples/%/gen.o $(BUILD)/obj/samples/genlib/genlib.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^
test: $(SAMPLE_GENS)

TEST_SCRIPTS += $(SAMPLES:%=tests/samples/%.sh) tests/samples/corpus.sh

# Rebuilds every sample's inputs and expected outputs from gen.c and the program (then check
# them: the tests compare tshark's view with what each README says).
.PHONY: samples-regen
samples-regen: $(SAMPLE_GENS) $(BUILD)/bin/slemu $(BUILD)/bin/slc
	for s in $(SAMPLES); do \
	    $(BUILD)/samples/$$s/gen samples/$$s && \
	    sh samples/$$s/run.sh $(BUILD)/bin samples/$$s/expected >/dev/null && \
	    rm -f samples/$$s/expected/*.slb || exit 1; \
	done
endif
