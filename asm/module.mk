# Assembler, disassembler, image writer (hosted). Owned by the asm work.
LIB_SRCS += asm/file.c asm/image_build.c asm/image_hash.c asm/asm_lex.c asm/asm.c asm/disasm.c asm/dbg_types.c

TOOLS += slas sldis
TOOL_slas_SRCS := asm/slas.c
TOOL_sldis_SRCS := asm/sldis.c

UNIT_TESTS += tests/unit/asm/build_test.c tests/unit/asm/asm_test.c tests/unit/asm/disasm_test.c \
              tests/unit/asm/dbg_types_test.c
