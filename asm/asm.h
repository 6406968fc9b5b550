/* The Sluice assembler: text (.sla) to image (.slb). Hosted.
 *
 * Syntax (docs and the disassembler's output agree): one instruction or directive per line,
 * comments from ';' or '#'; instructions exactly as sl_insn_format() prints them, with labels,
 * function and table names allowed where it prints @N, fN and tN, and `ldk rA, =VALUE`;
 * directives .func .handler .state .data .const .table .port .sym .file .loc .insn.
 *
 * The assembler checks syntax and field ranges only; whether the program is valid is the
 * verifier's business, so tests can assemble programs the verifier must reject. */
#ifndef SLUICE_ASM_H
#define SLUICE_ASM_H

#include <stddef.h>
#include <stdint.h>

#define SL_TOOLS_VERSION "0.1.0"

enum { SL_ASM_STRIP = 1 }; /* leave out debug sections (symbols, lines, files) */

enum { SL_ASM_MAX_ERRORS = 20 };

/* Assembles src[0..len) (named filename in messages). On success *out is a malloc'd image of
 * *out_len bytes (caller frees) and 0 is returned. On failure returns -SL_ESYNTAX (or
 * -SL_ENOMEM) and err holds one or more "file:line:col: error: message" lines separated by
 * '\n' (at most errcap bytes, terminated); at most SL_ASM_MAX_ERRORS of them. */
int sl_asm_assemble(const char *src, size_t len, const char *filename, int flags,
                    uint8_t **out, size_t *out_len, char *err, size_t errcap);

#endif
