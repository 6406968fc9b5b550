UNIT_TESTS += tests/unit/emu/hv_workers_test.c
