# The debugger (slemu --repl, docs/debugger.md): its sources join slemu here, and its tests
# (tests/repl/*.sh) run scripts against golden transcripts, a fuzzed command stream, and the
# real prompt in a terminal (tmux).
TOOL_slemu_SRCS += emu/repl.c emu/repl_line.c emu/repl_debug.c emu/repl_session.c emu/repl_exec.c \
                   emu/repl_break.c emu/repl_expr.c emu/repl_dissect.c emu/repl_craft.c emu/repl_cmds.c \
                   emu/repl_types.c
TOOL_slemu_LIBS += -lreadline

# The fuzzed command generator (tests/repl/fuzzgen.c).
REPL_FUZZGEN := $(BUILD)/tests/repl/fuzzgen
$(REPL_FUZZGEN): $(BUILD)/obj/tests/repl/fuzzgen.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^
test: $(REPL_FUZZGEN)

TEST_SCRIPTS += tests/repl/script.sh tests/repl/fuzz.sh tests/repl/tty.sh
