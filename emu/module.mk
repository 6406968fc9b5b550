# The emulator: slemu runs an image over pcap captures (emu/README.md).
TOOLS += slemu
TOOL_slemu_SRCS := emu/slemu.c emu/portio_pcap.c
TOOL_slemu_SRCS += emu/portio_live.c emu/portio_emu.c emu/live.c emu/progress.c
TOOL_slemu_LIBS := $(LIBS_PCAP)
# An .sl image is compiled in process; imports come from the build's stdlib unless $SLC_STDLIB.
$(BUILD)/obj/emu/slemu.o: CPPFLAGS += -DSLC_DEFAULT_STDLIB='"$(SLC_STDLIB_DIR)"'

# The l2learn sample's input generator (samples/l2learn/gen.c): the committed in*.pcap are its
# output, and a test checks they still are.
L2LEARN_GEN := $(BUILD)/samples/l2learn/gen
$(L2LEARN_GEN): $(BUILD)/obj/samples/l2learn/gen.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^
test: $(L2LEARN_GEN)

# Regenerates the sample's inputs and expected outputs (then check them: samples/l2learn/README.md).
.PHONY: l2learn-regen
l2learn-regen: $(L2LEARN_GEN) $(BUILD)/bin/slemu
	$(L2LEARN_GEN) samples/l2learn
	sh samples/l2learn/run.sh $(BUILD)/bin/slemu samples/l2learn/expected

# make demo: the router sample (samples/router), compiled by slc and run over its captures.
DEMO_CMD := sh samples/router/run.sh $(BUILD)/bin $(BUILD)/demo

# Worker threads over the hypervisor (hosted: pthreads); in the library for slemu and the bench.
LIB_SRCS += emu/hv_workers.c

# slemu --setup: several VMs on the hypervisor from a YAML setup file (emu/setup.h).
TOOL_slemu_SRCS += emu/setup.c emu/setup_run.c
TOOL_slemu_LIBS += -lyaml
