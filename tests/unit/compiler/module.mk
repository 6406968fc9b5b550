UNIT_TESTS += tests/unit/compiler/slc_test.c
