# docs/isa.md's opcode table is generated from vm/isa.def; this test keeps it current.
TEST_SCRIPTS += tests/docs/isa_doc.sh
