# The core (VM_SRCS) builds with no C library and no floating point, for network processors.
TEST_SCRIPTS += tests/freestanding/check.sh
