# Verifier rejection table: tests/verify/*.sla, each rejected with the text in its '; reject:'
# line, and malformed containers built by isa_runner --containers. Uses the isa runner.
all: $(BUILD)/tests/isa/isa_runner

TEST_SCRIPTS += tests/verify/run.sh
