/* The disassembler: an image as assembly text that the assembler reads back. Hosted.
 *
 * For any image the assembler produced (stripped or not), assembling the text gives the same
 * bytes. Other images are printed as faithfully as the syntax allows: encodings the format of
 * their opcode cannot express (unknown opcodes, internal forms, non-zero unused fields) print as
 * `.insn OP, A, B, OFF, IMM`, symbols whose names are not valid assembler names print as
 * `.sym` lines with the name quoted, and parts with no syntax (a malformed function table, a
 * DBG_TYPES section the parser rejects) show up as comments. */
#ifndef SLUICE_DISASM_H
#define SLUICE_DISASM_H

#include <stddef.h>

#include "image.h"
#include "isa.h"

/* Prints img as assembly. When code is not NULL it holds img->code_count instructions (the
 * verifier's output, sl_vm_code()) that are printed instead of the image's, .nc forms
 * included; that text is for people and need not assemble. On success *out is a malloc'd,
 * terminated text of *out_len bytes (caller frees) and 0 is returned; -SL_ENOMEM or
 * -SL_EARG otherwise. img must come from sl_image_parse(). */
int sl_disasm(const SlImage *img, const SlInsn *code, char **out, size_t *out_len);

#endif
