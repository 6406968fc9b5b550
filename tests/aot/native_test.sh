#!/bin/sh
# The native runtime's cmocka tests (tests/aot/native_test.c). Run from the repository root.
set -u
exec "${BUILD:-build}/tests/aot/native_test"
