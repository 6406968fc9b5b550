UNIT_TESTS += tests/unit/vm/table_test.c tests/unit/vm/image_test.c tests/unit/vm/vm_test.c tests/unit/vm/hv_test.c
