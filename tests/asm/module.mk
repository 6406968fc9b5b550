# Assembler round trip over every .sla in the tree, and sldis on hostile bytes.
TEST_SCRIPTS += tests/asm/roundtrip.sh tests/asm/fuzz_sldis.sh tests/asm/tools.sh
