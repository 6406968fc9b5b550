UNIT_TESTS += tests/unit/runner/frames_test.c tests/unit/runner/report_test.c
$(BUILD)/obj/tests/unit/runner/%.o: CPPFLAGS += -Irunner
