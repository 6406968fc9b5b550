# The emulator's end-to-end tests (POSIX sh, run from the repository root with BUILD and BIN).
TEST_SCRIPTS += tests/emu/l2learn.sh tests/emu/errors.sh tests/emu/timers.sh tests/emu/corpus.sh

# The live test's sender, independent of slemu (tests/emu/pcap_inject.c).
EMU_PCAP_INJECT := $(BUILD)/tests/emu/pcap_inject
$(EMU_PCAP_INJECT): $(BUILD)/obj/tests/emu/pcap_inject.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_PCAP)
test: $(EMU_PCAP_INJECT)
TEST_SCRIPTS += tests/emu/live.sh tests/emu/captures.sh tests/emu/progress.sh
