# The emulator's end-to-end tests (POSIX sh, run from the repository root with BUILD and BIN).
TEST_SCRIPTS += tests/emu/l2learn.sh tests/emu/errors.sh tests/emu/timers.sh tests/emu/corpus.sh
