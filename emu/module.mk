# The emulator: slemu runs an image over pcap captures (emu/README.md).
TOOLS += slemu
TOOL_slemu_SRCS := emu/slemu.c emu/portio_pcap.c
TOOL_slemu_LIBS := $(LIBS_PCAP)

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

DEMO_CMD := sh samples/l2learn/run.sh $(BUILD)/bin/slemu $(BUILD)/demo
