/* The assembler's scanner (internal to asm/): one line at a time, never reading past its end,
 * so NUL bytes, binary junk and megabyte lines are just more characters to reject. */
#ifndef SLUICE_ASM_LEX_H
#define SLUICE_ASM_LEX_H

#include <stddef.h>
#include <stdint.h>

typedef enum TokKind {
    TOK_END,   /* end of line or start of a comment */
    TOK_IDENT, /* [A-Za-z_][A-Za-z0-9_.]* */
    TOK_DIR,   /* '.' followed by an identifier */
    TOK_NUM,   /* decimal or 0x hex, unsigned; a leading '-' is a separate TOK_PUNCT */
    TOK_STR,   /* "..." with its quotes; escapes are decoded by asm_lex_string() */
    TOK_PUNCT, /* one of , [ ] + - : = @ */
    TOK_WORD,  /* asm_lex_word(): a run of characters up to a space or comment */
    TOK_BAD,   /* something the scanner cannot read; msg says what */
} TokKind;

typedef struct Tok {
    TokKind kind;
    const char *p;   /* the token's text in the source line */
    size_t len;
    uint32_t col;    /* 1-based column of its first character */
    uint64_t mag;    /* TOK_NUM: its value */
    int hex;         /* TOK_NUM: written as 0x... */
    int big;         /* TOK_NUM: does not fit in 64 bits */
    const char *msg; /* TOK_BAD: the reason */
} Tok;

typedef struct Lexer {
    const char *line; /* first character of the line */
    const char *p;    /* cursor */
    const char *end;  /* one past the line's last character ('\n' excluded) */
} Lexer;

void asm_lex_init(Lexer *lx, const char *line, size_t len);
/* Scans the next token into *t. */
void asm_lex(Lexer *lx, Tok *t);
/* Scans the next whitespace-delimited word (for .data bytes and .port names). */
void asm_lex_word(Lexer *lx, Tok *t);
/* Decodes a TOK_STR's escapes (\\ \" \n \t \r \0 \xHH) into out (at least t->len bytes).
 * Returns the decoded length, or -1 with *bad_col set to the column of a bad escape. */
long asm_lex_string(const Tok *t, char *out, uint32_t *bad_col);
/* Writes a printable, quoted-safe, truncated copy of s[0..len) into buf. */
void asm_lex_show(const char *s, size_t len, char *buf, size_t cap);

#endif
